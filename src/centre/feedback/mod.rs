//! The feedback box at the centre (DESIGN §9): items behind their own storage trait with both
//! backends, and the rules of who may see and do what.
//!
//! Items are stored as their logs ([`crate::feedback::Entry`], hash-chained); a row per item
//! holds what lists filter on (facility, department, state, kind, when received) and the log's
//! last position, so two people acting on one item at once cannot fork its history: the second
//! append is a conflict. Every read replays the log, so an item whose history was edited in the
//! database shows as broken instead of showing edited facts.

mod postgres;
mod sqlite;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::centre::accounts::{Role, User};
use crate::centre::store::Error;
use crate::feedback::{Action, Deadlines, Entry, Holidays, Item, Kind, ReceiptCode, Refused};

/// Which items a list holds.
#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    /// One facility's (all when `None`).
    pub facility: Option<String>,
    /// Those whose department (handling, or named by the person until assigned) is this one.
    pub department: Option<String>,
    /// Received at or after.
    pub from: Option<DateTime<Utc>>,
    /// Received before.
    pub to: Option<DateTime<Utc>>,
    /// Only those with a published answer.
    pub published_only: bool,
}

/// What storing a new item did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    /// It is stored.
    New,
    /// The same item (same id, same first entry) was stored before: nothing changed.
    Duplicate,
}

/// An opening of the physical feedback box.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Opening {
    /// Its id (0 before it is stored).
    pub id: i64,
    /// The facility.
    pub facility: String,
    /// When the box was opened.
    pub opened_on: NaiveDate,
    /// Which box (where it hangs).
    pub box_name: String,
    /// Who attended (the rules ask for at least two people).
    pub attendees: String,
    /// How many letters were in it.
    pub letters: u32,
    /// Who recorded it.
    pub recorded_by: String,
    /// When.
    pub recorded_at: DateTime<Utc>,
}

/// Where a web-form item came from, as the form's limits count it: fingerprints only (see
/// [`crate::feedback::fingerprint`]), never the address or the cookie itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The client's address.
    pub address: String,
    /// The device (its `hl_device` cookie), when it sent one.
    pub device: Option<String>,
}

/// Storage of the feedback box.
pub trait FeedbackStore: Send + Sync {
    /// Stores a new item (its whole log). `origin` is where a web form came from (the form's
    /// limits count it). The same id again is [`Added::Duplicate`] when its first entry is the
    /// same, a [`Error::Conflict`] otherwise.
    fn add_item(&self, item: &Item, origin: Option<&Origin>) -> Result<Added, Error>;
    /// Appends the item's last log entry, which follows the stored log's last one; when someone
    /// else appended first, a [`Error::Conflict`] and nothing is written.
    fn append(&self, item: &Item) -> Result<(), Error>;
    /// An item's log, by id.
    fn item_log(&self, id: Uuid) -> Result<Option<Vec<Entry>>, Error>;
    /// An item's id, by receipt code.
    fn item_by_code(&self, code: &ReceiptCode) -> Result<Option<Uuid>, Error>;
    /// The logs of the items `filter` selects, newest received first.
    fn item_logs(&self, filter: &ItemFilter) -> Result<Vec<Vec<Entry>>, Error>;
    /// How many web-form items came since `since` from `origin`'s device, and from its address.
    fn submissions_from(&self, origin: &Origin, since: DateTime<Utc>) -> Result<(u32, u32), Error>;
    /// Records a box opening; returns its id.
    fn add_opening(&self, opening: &Opening) -> Result<i64, Error>;
    /// A facility's box openings, newest first.
    fn openings(&self, facility: &str) -> Result<Vec<Opening>, Error>;
}

/// The feedback box's settings (`[feedback]` in hailong.toml).
#[derive(Debug, Clone)]
pub struct FeedbackOptions {
    /// Working days per kind.
    pub deadlines: Deadlines,
    /// The holidays deadlines skip.
    pub holidays: Holidays,
    /// How many items one device may send through the web form per hour.
    pub web_per_hour: u32,
    /// How many items one address may send through the web form per hour (a ward's patients
    /// share one address).
    pub web_per_address_per_hour: u32,
    /// Items from one address within ten minutes after which each is flagged for a second look
    /// (kept and counted; the staff judge).
    pub web_burst: u32,
    /// Whether approved replies are e-mailed to the people who consented (`[alerts]` names an
    /// SMTP server).
    pub reply_by_email: bool,
}

impl Default for FeedbackOptions {
    fn default() -> Self {
        FeedbackOptions {
            deadlines: Deadlines::default(),
            holidays: Holidays::built_in(),
            web_per_hour: 5,
            web_per_address_per_hour: 100,
            web_burst: 10,
            reply_by_email: false,
        }
    }
}

pub use crate::feedback::words::{action_id, channel_id, kind_id, state_id};

/// The items `filter` selects, replayed, and the ids of those whose logs do not replay (an
/// edited history: logged, and left out of every list and figure).
pub fn load_items(store: &dyn FeedbackStore, filter: &ItemFilter) -> Result<(Vec<Item>, Vec<Uuid>), Error> {
    let mut items = Vec::new();
    let mut broken = Vec::new();
    for log in store.item_logs(filter)? {
        let id = log
            .first()
            .and_then(|e| match &e.action {
                Action::Received(s) => Some(s.id),
                _ => None,
            })
            .unwrap_or_default();
        match Item::replay(log) {
            Ok(item) => items.push(item),
            Err(why) => {
                tracing::error!(item = %id, problem = %why, "feedback item's history does not verify");
                broken.push(id);
            }
        }
    }
    Ok((items, broken))
}

/// The first instant of `day` in `tz`, as the item filters count receipt times.
pub fn day_start(tz: chrono_tz::Tz, day: NaiveDate) -> Option<DateTime<Utc>> {
    day.and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(tz).earliest())
        .map(|t| t.with_timezone(&Utc))
}

/// One item by id, replayed; a broken log is a [`Error::Corrupt`] naming it.
pub fn load(store: &dyn FeedbackStore, id: Uuid) -> Result<Option<Item>, Error> {
    match store.item_log(id)? {
        None => Ok(None),
        Some(log) => Item::replay(log)
            .map(Some)
            .map_err(|why| Error::Corrupt(format!("feedback item {id}: {why}"))),
    }
}

/// Replays every item's log for `centre verify`: an entry whose hash does not hold, or a log
/// that does not replay, was changed at the centre after it was written.
pub fn verify(store: &dyn FeedbackStore, out: &mut crate::centre::verify::Verified) -> Result<(), Error> {
    use crate::centre::verify::{Finding, Side};
    for log in store.item_logs(&ItemFilter::default())? {
        out.feedback_items += 1;
        let code = log
            .first()
            .and_then(|e| match &e.action {
                Action::Received(s) => Some(s.code.to_string()),
                _ => None,
            })
            .unwrap_or_else(|| "?".into());
        if let Err(why) = Item::replay(log) {
            let seq = match why {
                Refused::Broken(n) | Refused::BadLog(n) => Some(u64::from(n)),
                _ => None,
            };
            out.findings.push(Finding {
                kiosk_id: format!("feedback {code}"),
                seq,
                side: Side::Centre,
                what: format!("the feedback item's log was changed: {why}"),
            });
        }
    }
    Ok(())
}

/// Whether `user` may read `item` at all: admins and the province read every facility's
/// register, a facility account its own facility's, a department account the items its
/// department handles.
pub fn may_read(user: &User, item: &Item) -> bool {
    match user.role {
        Role::Admin | Role::Province => true,
        Role::Facility => user.facility.as_deref() == Some(item.submission.facility.as_str()),
        Role::Department => {
            user.facility.as_deref() == Some(item.submission.facility.as_str())
                && user.department.is_some()
                && user.department == item.department
        }
    }
}

/// Whether `user` may see who sent `item` (identity and contact): the facility's handling
/// accounts (quality office, leaders), a denunciation's only its leaders (Luật Tố cáo: the
/// denouncer's identity is confidential). Never a department account — a complaint is often
/// about that very department — nor the province or admins. Each look is logged
/// ([`Action::ViewContact`]).
pub fn may_see_identity(user: &User, item: &Item) -> bool {
    if !may_read(user, item) || user.role != Role::Facility {
        return false;
    }
    if item.kind == Kind::Denunciation {
        return user.leader;
    }
    true
}

/// Whether `user` may take `action` on `item` (its state is checked by the item itself): the
/// facility's accounts handle its items, leaders approve and publish, a department account
/// works on what is assigned to it (start, draft, note) and nothing else. Admins and the
/// province only read.
pub fn may_act(user: &User, item: &Item, action: &Action) -> bool {
    if !may_read(user, item) {
        return false;
    }
    if *action == Action::ViewContact {
        return may_see_identity(user, item);
    }
    match user.role {
        Role::Admin | Role::Province => false,
        Role::Facility => !action.needs_leader() || user.leader,
        Role::Department => matches!(action, Action::Start | Action::Draft { .. } | Action::Note { .. }),
    }
}

/// Whether `user` may enter items and box openings for `facility` (letters, hotline calls).
pub fn may_enter(user: &User, facility: &str) -> bool {
    user.role == Role::Facility && user.facility.as_deref() == Some(facility)
}

/// The filter of what `user` may list in `facility`.
pub fn filter_for(user: &User, facility: &str) -> ItemFilter {
    ItemFilter {
        facility: Some(facility.to_string()),
        department: match user.role {
            Role::Department => user.department.clone(),
            _ => None,
        },
        ..ItemFilter::default()
    }
}

/// The quarter's figures for the public page and the quarterly report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Figures {
    /// Items received (invalid ones not counted).
    pub received: u32,
    /// Concluded by their deadline.
    pub on_time: u32,
    /// Concluded after it.
    pub late: u32,
    /// Still open, within their deadline.
    pub pending: u32,
    /// Still open, past it.
    pub overdue: u32,
}

/// Adds up `items` as of `today`.
pub fn figures<'a>(items: impl IntoIterator<Item = &'a Item>, today: NaiveDate, tz: chrono_tz::Tz) -> Figures {
    let mut f = Figures::default();
    for item in items {
        if item.kind == Kind::Invalid {
            continue;
        }
        f.received += 1;
        if item.state.is_open() {
            if item.overdue(today) {
                f.overdue += 1;
            } else {
                f.pending += 1;
            }
        } else {
            match item.concluded_on_time(tz) {
                Some(false) => f.late += 1,
                // Praise and items without a deadline count as on time once concluded.
                _ => f.on_time += 1,
            }
        }
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feedback::{Channel, Contact, Submission};

    fn user(role: Role, facility: Option<&str>, department: Option<&str>, leader: bool) -> User {
        User {
            id: 1,
            name: "u".into(),
            role,
            facility: facility.map(Into::into),
            department: department.map(Into::into),
            leader,
            disabled_at: None,
            created_at: Utc::now(),
        }
    }

    fn item(kind: Kind) -> Item {
        let mut item = Item::received(
            Submission {
                id: Uuid::now_v7(),
                code: ReceiptCode::new(),
                facility: "TTYT A".into(),
                channel: Channel::Letter,
                kind: Kind::Reflection,
                department: Some("Khoa Nội".into()),
                text: "x".into(),
                contact: Contact::default(),
                identity: Some("Nguyễn Văn A".into()),
                received_at: Utc::now(),
                opening: None,
                due: None,
                forward_by: None,
            },
            "qlcl",
        )
        .unwrap();
        item.act(
            Utc::now(),
            "qlcl",
            Action::Classify {
                kind,
                urgent: false,
                due: None,
            },
        )
        .unwrap();
        item
    }

    #[test]
    fn who_sees_and_does_what() {
        let reflection = item(Kind::Reflection);
        let denunciation = item(Kind::Denunciation);
        let director = user(Role::Facility, Some("TTYT A"), None, true);
        let quality = user(Role::Facility, Some("TTYT A"), None, false);
        let noi = user(Role::Department, Some("TTYT A"), Some("Khoa Nội"), false);
        let ngoai = user(Role::Department, Some("TTYT A"), Some("Khoa Ngoại"), false);
        let other = user(Role::Facility, Some("TTYT B"), None, true);
        let province = user(Role::Province, None, None, false);
        let approve = Action::Approve;
        let draft = Action::Draft { reply: "x".into() };
        let close = Action::Close;

        assert!(may_read(&quality, &reflection) && may_read(&noi, &reflection));
        assert!(!may_read(&ngoai, &reflection) && !may_read(&other, &reflection));
        assert!(may_read(&province, &reflection));

        assert!(may_see_identity(&quality, &reflection));
        assert!(!may_see_identity(&noi, &reflection), "not the department it is about");
        assert!(may_act(&quality, &reflection, &Action::ViewContact));
        assert!(!may_act(&noi, &reflection, &Action::ViewContact));
        assert!(!may_act(&quality, &denunciation, &Action::ViewContact));
        assert!(may_act(&director, &denunciation, &Action::ViewContact));
        assert!(!may_see_identity(&quality, &denunciation));
        assert!(!may_see_identity(&noi, &denunciation));
        assert!(may_see_identity(&director, &denunciation));
        assert!(!may_see_identity(&other, &denunciation));
        assert!(!may_see_identity(&province, &reflection));

        assert!(may_act(&director, &reflection, &approve));
        assert!(!may_act(&quality, &reflection, &approve));
        assert!(may_act(&quality, &reflection, &close));
        assert!(may_act(&noi, &reflection, &draft));
        assert!(!may_act(&noi, &reflection, &close));
        assert!(!may_act(&province, &reflection, &draft));
        assert!(!may_act(&other, &reflection, &draft));
    }
}
