//! The feedback box's pages (DESIGN §9): the public web form `/gop-y/<facility>` and the
//! follow-up page `/theo-doi` ([`public`]); the staff's inbox, entry of letters and calls, box
//! openings and the register ([`inbox`]); an item's page with its log and actions ([`item`]).
//!
//! Access is checked on every route from the session's account ([`crate::centre::feedback`]'s
//! rules): a facility's accounts handle its items, department accounts see what their department
//! handles, leaders approve and publish, a denunciation's identity is shown to the leader only.

pub mod inbox;
pub mod item;
pub mod public;

use chrono::{DateTime, NaiveDate, Utc};
use maud::{Markup, html};

use super::{PageError, fmt};
use crate::centre::Centre;
use crate::feedback::{Channel, Contact, Item, Kind, State, Submission};
use crate::i18n::tr;
use crate::survey::Locale;

/// A kind in words.
pub fn kind_name(locale: Locale, kind: Kind) -> String {
    tr(locale, crate::centre::feedback::kind_id(kind))
}

/// A state in words.
pub fn state_name(locale: Locale, state: State) -> String {
    tr(locale, crate::centre::feedback::state_id(state))
}

/// Why an item was flagged, in words.
pub fn flag_name(locale: Locale, reason: &str) -> String {
    match reason {
        "burst" => tr(locale, id!("fb-flag-burst")),
        other => other.to_string(),
    }
}

/// A channel in words.
pub fn channel_name(locale: Locale, channel: Channel) -> String {
    tr(locale, crate::centre::feedback::channel_id(channel))
}

/// A time as `dd/mm/yyyy hh:mm` in the facilities' time zone.
pub fn when(centre: &Centre, t: DateTime<Utc>) -> String {
    t.with_timezone(&centre.web.tz).format("%d/%m/%Y %H:%M").to_string()
}

/// When an item was received, as it is known: a letter, call or visit staff entered by its day
/// shows the day only (its stored time is a placeholder), what came by itself the minute.
pub fn received(centre: &Centre, s: &crate::feedback::Submission) -> String {
    if crate::feedback::Channel::STAFF.contains(&s.channel) {
        super::fmt::date(s.received_at.with_timezone(&centre.web.tz).date_naive())
    } else {
        when(centre, s.received_at)
    }
}

/// An item's state, with "overdue" beside it when it is (in words, never by colour alone).
pub fn state_badge(centre: &Centre, locale: Locale, item: &Item) -> Markup {
    let overdue = item.overdue(centre.today());
    html! {
        span class={ "state state-" (item.state.as_str()) } { (state_name(locale, item.state)) }
        @if overdue { " " span.verdict.not-met { (tr(locale, id!("fb-overdue"))) } }
    }
}

/// A due date, or "—".
pub fn due(item: &Item) -> String {
    item.due.map_or_else(|| "—".into(), fmt::date)
}

/// What a person fills in, on the public form, the kiosk and the staff's entry form alike.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Fields {
    /// praise / suggestion / reflection (the staff may choose any kind).
    #[serde(default)]
    pub kind: String,
    /// The department it concerns.
    #[serde(default)]
    pub department: String,
    /// What they say.
    #[serde(default)]
    pub text: String,
    /// Name and address (a complaint needs them).
    #[serde(default)]
    pub identity: String,
    /// Phone.
    #[serde(default)]
    pub phone: String,
    /// E-mail.
    #[serde(default)]
    pub email: String,
    /// "I agree to be contacted" (sent only when ticked).
    #[serde(default)]
    pub consent: Option<String>,
}

fn trimmed(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

impl Fields {
    /// Checks the fields and makes them a submission for `facility` (the code, id and times
    /// are the caller's). The error is the message to show, in `locale`.
    pub fn submission(
        &self,
        locale: Locale,
        kinds: &[Kind],
        facility: &str,
        channel: Channel,
        received_at: DateTime<Utc>,
    ) -> Result<Submission, String> {
        let kind = Kind::parse(&self.kind)
            .filter(|k| kinds.contains(k))
            .ok_or_else(|| tr(locale, id!("fb-error-kind")))?;
        let text = self.text.trim();
        if text.is_empty() {
            return Err(tr(locale, id!("fb-error-text")));
        }
        if text.chars().count() > crate::feedback::MAX_TEXT {
            return Err(tr(locale, id!("fb-error-too-long")));
        }
        let short = |s: &str, max: usize, key: crate::i18n::Id| -> Result<Option<String>, String> {
            match trimmed(s) {
                Some(v) if v.chars().count() > max || v.chars().any(char::is_control) => Err(tr(locale, key)),
                v => Ok(v),
            }
        };
        let department = short(&self.department, 200, id!("fb-error-department"))?;
        let identity = short(&self.identity, 500, id!("fb-error-identity"))?;
        let phone = short(&self.phone, 20, id!("fb-error-phone"))?;
        if phone.as_deref().is_some_and(|p| !crate::feedback::note::valid_phone(p)) {
            return Err(tr(locale, id!("fb-error-phone")));
        }
        let email = short(&self.email, 200, id!("fb-error-email"))?;
        if email.as_deref().is_some_and(|e| !crate::feedback::note::valid_email(e)) {
            return Err(tr(locale, id!("fb-error-email")));
        }
        let contact = Contact { phone, email };
        if !contact.is_empty() && self.consent.is_none() {
            return Err(tr(locale, id!("fb-error-consent")));
        }
        Ok(Submission {
            id: uuid::Uuid::now_v7(),
            code: crate::feedback::ReceiptCode::new(),
            facility: facility.to_string(),
            channel,
            kind,
            department,
            text: text.to_string(),
            contact,
            identity,
            received_at,
            opening: None,
            due: None,
            forward_by: None,
        })
    }
}

/// Sets a submission's deadlines from the centre's settings: by kind, counted from the day of
/// receipt in working days.
pub fn with_deadlines(centre: &Centre, mut s: Submission) -> Submission {
    let o = &centre.feedback_options;
    let on = s.received_at.with_timezone(&centre.web.tz).date_naive();
    s.due = o.deadlines.due(s.kind, on, &o.holidays);
    s.forward_by = Some(o.holidays.add_working_days(on, o.deadlines.forward));
    s
}

/// Stores a new item, drawing another receipt code if the first one is taken.
pub fn store_new(
    centre: &Centre,
    submission: Submission,
    actor: &str,
    origin: Option<&crate::centre::feedback::Origin>,
    flag: Option<&str>,
) -> Result<Item, PageError> {
    let mut submission = with_deadlines(centre, submission);
    for _ in 0..3 {
        let mut item = Item::received(submission.clone(), actor).map_err(|e| PageError::BadRequest(e.to_string()))?;
        if let Some(reason) = flag {
            let flagged = crate::feedback::Action::Flag {
                reason: reason.to_string(),
            };
            item.act(submission.received_at, actor, flagged)
                .map_err(|e| PageError::BadRequest(e.to_string()))?;
        }
        match centre.feedback.add_item(&item, origin) {
            Ok(_) => return Ok(item),
            Err(crate::centre::store::Error::Conflict(_)) => {
                // The code is taken (or, for a fresh id, the id): draw again. A fixed id (a
                // case opened from a comment) is kept, so the same comment stays one case.
                submission.code = crate::feedback::ReceiptCode::new();
                if submission.id.get_version() == Some(uuid::Version::SortRand) {
                    submission.id = uuid::Uuid::now_v7();
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(PageError::internal("three receipt codes in a row were taken"))
}

/// The inputs of [`Fields`], for `kinds`.
pub fn fields_inputs(locale: Locale, kinds: &[Kind], f: &Fields, departments: &[String]) -> Markup {
    html! {
        fieldset {
            legend { (tr(locale, id!("fb-field-kind"))) }
            @for k in kinds {
                label.choice {
                    input type="radio" name="kind" value=(k.as_str()) required checked[f.kind == k.as_str()];
                    " " (kind_name(locale, *k))
                }
            }
        }
        label for="fb-department" { (tr(locale, id!("fb-field-department"))) }
        input #fb-department name="department" maxlength="200" list="fb-departments" value=(f.department);
        @if !departments.is_empty() {
            datalist #fb-departments { @for d in departments { option value=(d) {} } }
        }
        label for="fb-text" { (tr(locale, id!("fb-field-text"))) }
        textarea #fb-text name="text" required maxlength=(crate::feedback::MAX_TEXT) rows="6" { (f.text) }
        label for="fb-identity" { (tr(locale, id!("fb-field-identity"))) }
        p.note #fb-identity-note { (tr(locale, id!("fb-field-identity-note"))) }
        input #fb-identity name="identity" maxlength="500" aria-describedby="fb-identity-note" autocomplete="name" value=(f.identity);
        label for="fb-phone" { (tr(locale, id!("fb-field-phone"))) }
        input #fb-phone name="phone" type="tel" maxlength="20" autocomplete="tel" value=(f.phone);
        label for="fb-email" { (tr(locale, id!("fb-field-email"))) }
        input #fb-email name="email" type="email" maxlength="200" autocomplete="email" value=(f.email);
        label.check for="fb-consent" {
            input #fb-consent type="checkbox" name="consent" value="1" checked[f.consent.is_some()];
            " " (tr(locale, id!("fb-field-consent")))
        }
    }
}

/// The departments the centre has heard of for `facility` (from its tallies), for the forms'
/// suggestions.
pub fn departments(centre: &Centre, facility: &str) -> Vec<String> {
    let scope = crate::centre::Scope {
        facility: Some(facility.to_string()),
        from: Some(centre.today() - chrono::Days::new(366)),
        ..crate::centre::Scope::default()
    };
    let mut names = std::collections::BTreeSet::new();
    let _ = centre.store.for_each_tally_row(&scope, &mut |_, key, _| {
        if !key.department.is_empty() {
            names.insert(key.department.clone());
        }
    });
    names.into_iter().collect()
}

/// The start of the quarter holding `today`, as a time (for "this quarter's" figures).
pub fn quarter_start(centre: &Centre, today: NaiveDate) -> Option<DateTime<Utc>> {
    let q = crate::report::Period::quarter_of(today, centre.calendar);
    crate::centre::feedback::day_start(centre.web.tz, q.from?)
}
