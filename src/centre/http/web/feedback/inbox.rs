//! The staff's side of the box: the inbox of a facility (`/feedback/<slug>`), entering letters
//! and calls (`/feedback/<slug>/new`), openings of the physical box (`/feedback/<slug>/openings`)
//! and the register as XLSX (`/feedback/<slug>/register.xlsx`, sổ theo dõi).

use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDate, Utc};
use maud::{Markup, html};
use serde::Deserialize;

use super::super::guard::Staff;
use super::super::{FacilityAccess, FacilityReader, PageError, Posted, Viewer, blocking, fmt, html, layout};
use super::{Fields, channel_name, due, fields_inputs, kind_name, state_badge, state_name, when};
use crate::centre::Centre;
use crate::centre::feedback::{self, ItemFilter, Opening, filter_for, may_enter};
use crate::feedback::{Channel, Item, Kind};
use crate::i18n::{tr, tr_args};

/// `GET /feedback`: the reader's facility's inbox, or the facilities to choose from.
pub async fn home(State(centre): State<Centre>, viewer: Viewer) -> Result<Response, PageError> {
    let locale = viewer.locale;
    if let Some(f) = &viewer.user.facility {
        return Ok(Redirect::to(&format!("/feedback/{}", crate::text::slug(f))).into_response());
    }
    let c = centre.clone();
    let names = blocking(move || super::super::facilities(&c)).await?;
    let title = tr(locale, id!("fb-inbox-title-all"));
    let body = html! {
        h1 { (title) }
        ul { @for f in &names { li { a href={ "/feedback/" (crate::text::slug(f)) } { (f) } } } }
    };
    Ok(html(layout::page(locale, &title, Some(&viewer), body)))
}

/// What the inbox lists.
#[derive(Debug, Default, Deserialize)]
pub struct InboxQuery {
    /// `open` (default), `overdue`, `all`, `invalid`.
    #[serde(default)]
    show: String,
}

/// The items of `facility` the reader may list, replayed; broken logs apart.
fn listed(centre: &Centre, viewer: &Viewer, facility: &str) -> Result<(Vec<Item>, Vec<uuid::Uuid>), PageError> {
    Ok(feedback::load_items(
        centre.feedback.as_ref(),
        &filter_for(&viewer.user, facility),
    )?)
}

/// `GET /feedback/<slug>`.
pub async fn page(
    State(c): State<Centre>,
    FacilityAccess {
        viewer, facility, slug, ..
    }: FacilityReader,
    Query(q): Query<InboxQuery>,
) -> Result<Response, PageError> {
    let locale = viewer.locale;
    blocking(move || {
        let (items, broken) = listed(&c, &viewer, &facility)?;
        let today = c.today();
        let show = q.show.as_str();
        let shown: Vec<&Item> = items
            .iter()
            .filter(|i| match show {
                "all" => i.kind != Kind::Invalid,
                "invalid" => i.kind == Kind::Invalid,
                "overdue" => i.overdue(today),
                _ => i.state.is_open(),
            })
            .collect();
        let since = super::quarter_start(&c, today);
        let quarter: Vec<&Item> = items.iter().filter(|i| since.is_none_or(|s| i.submission.received_at >= s)).collect();
        let figures = feedback::figures(quarter.iter().copied(), today, c.web.tz);
        let title = tr_args(locale, id!("fb-inbox-title"), &[("facility", facility.clone().into())]);
        let tab = |key: &str, label: crate::i18n::Id| {
            html! { a href={ "?show=" (key) } aria-current=[(show == key || (key == "open" && !["all", "invalid", "overdue"].contains(&show))).then_some("page")] { (tr(locale, label)) } }
        };
        let body = html! {
            h1 { (title) }
            (figures_table(locale, &figures, &tr(locale, id!("fb-figures-quarter"))))
            @if !broken.is_empty() {
                p.alert role="alert" { (tr_args(locale, id!("fb-broken"), &[("n", broken.len().into())])) }
            }
            nav.tabs aria-label=(tr(locale, id!("fb-inbox-filter"))) {
                (tab("open", id!("fb-show-open"))) (tab("overdue", id!("fb-show-overdue"))) (tab("all", id!("fb-show-all"))) (tab("invalid", id!("fb-show-invalid")))
            }
            p.actions {
                @if may_enter(&viewer.user, &facility) {
                    a.button href={ "/feedback/" (slug) "/new" } { (tr(locale, id!("fb-enter"))) } " "
                    a href={ "/feedback/" (slug) "/openings" } { (tr(locale, id!("fb-openings"))) } " · "
                }
                a href={ "/feedback/" (slug) "/register.xlsx" } download { (tr(locale, id!("fb-register"))) } " · "
                a href={ "/gop-y/" (slug) } { (tr(locale, id!("fb-public-form"))) }
            }
            @if shown.is_empty() {
                p { (tr(locale, id!("fb-inbox-empty"))) }
            } @else {
                div.scroll tabindex="0" { table.items.cards {
                    caption { (tr(locale, id!("fb-inbox-caption"))) }
                    thead { tr {
                        th scope="col" { (tr(locale, id!("fb-receipt-code"))) }
                        th scope="col" { (tr(locale, id!("fb-col-received"))) }
                        th scope="col" { (tr(locale, id!("fb-col-channel"))) }
                        th scope="col" { (tr(locale, id!("fb-col-kind"))) }
                        th scope="col" { (tr(locale, id!("web-col-department"))) }
                        th scope="col" { (tr(locale, id!("fb-col-text"))) }
                        th scope="col" { (tr(locale, id!("fb-col-state"))) }
                        th scope="col" { (tr(locale, id!("fb-col-due"))) }
                    } }
                    tbody { @for i in &shown { tr {
                        th scope="row" { a href={ "/feedback/item/" (i.submission.code.as_str()) } { (i.submission.code.to_string()) } }
                        td data-label=(tr(locale, id!("fb-col-received"))) { (super::received(&c, &i.submission)) }
                        td data-label=(tr(locale, id!("fb-col-channel"))) { (channel_name(locale, i.submission.channel)) }
                        td data-label=(tr(locale, id!("fb-col-kind"))) { (kind_name(locale, i.kind)) @if i.urgent { " " strong { (tr(locale, id!("fb-urgent"))) } }
                             @if i.flagged.is_some() { " " strong.flag { (tr(locale, id!("fb-log-flag"))) } } }
                        td data-label=(tr(locale, id!("web-col-department"))) { (i.department.as_deref().unwrap_or("—")) }
                        td.wide data-label=(tr(locale, id!("fb-col-text"))) { (excerpt(&i.submission.text, 90)) }
                        td data-label=(tr(locale, id!("fb-col-state"))) { (state_badge(&c, locale, i)) }
                        td data-label=(tr(locale, id!("fb-col-due"))) { (due(i)) }
                    } } }
                } }
            }
        };
        Ok(html(layout::page(locale, &title, Some(&viewer), body)))
    })
    .await
}

/// The first `n` characters of `text`, with "…" when cut.
pub fn excerpt(text: &str, n: usize) -> String {
    let mut out: String = text.chars().take(n).collect();
    if text.chars().count() > n {
        out.push('…');
    }
    out
}

/// Received, on time, late, pending, overdue: the table the inbox, the public page and the
/// quarterly report share.
pub fn figures_table(locale: crate::survey::Locale, f: &feedback::Figures, caption: &str) -> Markup {
    let n = |v: u32| fmt::count(locale, u64::from(v));
    let share = |v: u32| {
        let concluded = f.on_time + f.late;
        if concluded == 0 {
            "—".to_string()
        } else {
            fmt::pct(locale, Some(100.0 * f64::from(v) / f64::from(concluded)))
        }
    };
    html! {
        div.scroll tabindex="0" { table.figures {
            caption { (caption) }
            thead { tr {
                th scope="col" { (tr(locale, id!("fb-fig-received"))) }
                th.num scope="col" { (tr(locale, id!("fb-fig-on-time"))) }
                th.num scope="col" { (tr(locale, id!("fb-fig-late"))) }
                th.num scope="col" { (tr(locale, id!("fb-fig-pending"))) }
                th.num scope="col" { (tr(locale, id!("fb-fig-overdue"))) }
            } }
            tbody { tr {
                td.num { (n(f.received)) }
                td.num { (n(f.on_time)) " (" (share(f.on_time)) ")" }
                td.num { (n(f.late)) " (" (share(f.late)) ")" }
                td.num { (n(f.pending)) }
                td.num { (n(f.overdue)) }
            } }
        } }
    }
}

/// The staff's entry form, as posted.
#[derive(Debug, Default, Deserialize)]
pub struct EntryForm {
    #[serde(default)]
    channel: String,
    /// The day the letter is dated or the call came (`yyyy-mm-dd`).
    #[serde(default)]
    received_on: String,
    /// The box opening a letter came from.
    #[serde(default)]
    opening: String,
    #[serde(flatten)]
    fields: Fields,
}

const STAFF_KINDS: [Kind; 5] = [
    Kind::Praise,
    Kind::Suggestion,
    Kind::Reflection,
    Kind::Complaint,
    Kind::Denunciation,
];

fn entry_page(
    centre: &Centre,
    viewer: &Viewer,
    facility: &str,
    slug: &str,
    f: &EntryForm,
    message: Option<String>,
) -> Result<Markup, PageError> {
    let locale = viewer.locale;
    let openings = centre.feedback.openings(facility)?;
    let departments = super::departments(centre, facility);
    let today = centre.today();
    let title = tr_args(locale, id!("fb-enter-title"), &[("facility", facility.into())]);
    let body = html! {
        section.narrow {
            h1 { (title) }
            @if let Some(m) = &message { p.alert role="alert" { (m) } }
            form.stack method="post" action={ "/feedback/" (slug) "/new" } {
                input type="hidden" name="csrf" value=(viewer.csrf);
                fieldset {
                    legend { (tr(locale, id!("fb-col-channel"))) }
                    @for ch in Channel::STAFF {
                        label.choice {
                            input type="radio" name="channel" value=(ch.as_str()) required checked[f.channel == ch.as_str()];
                            " " (channel_name(locale, ch))
                        }
                    }
                }
                label for="received_on" { (tr(locale, id!("fb-field-received-on"))) }
                input #received_on name="received_on" type="date" required max=(today.to_string())
                    value=(if f.received_on.is_empty() { today.to_string() } else { f.received_on.clone() });
                label for="opening" { (tr(locale, id!("fb-field-opening"))) }
                select #opening name="opening" {
                    option value="" { "—" }
                    @for o in openings.iter().take(20) {
                        option value=(o.id) selected[f.opening == o.id.to_string()] { (fmt::date(o.opened_on)) " · " (o.box_name) }
                    }
                }
                (fields_inputs(locale, &STAFF_KINDS, &f.fields, &departments))
                button type="submit" { (tr(locale, id!("fb-enter-save"))) }
            }
        }
    };
    Ok(layout::page(locale, &title, Some(viewer), body))
}

/// `GET /feedback/<slug>/new`.
pub async fn new_page(State(c): State<Centre>, staff: FacilityAccess<Staff>) -> Result<Response, PageError> {
    blocking(move || {
        let FacilityAccess {
            viewer, facility, slug, ..
        } = staff;
        entry_page(&c, &viewer, &facility, &slug, &EntryForm::default(), None).map(html)
    })
    .await
}

/// `POST /feedback/<slug>/new`: stores a letter, a call or what was said in person.
pub async fn enter(
    State(c): State<Centre>,
    staff: FacilityAccess<Staff>,
    Posted(f): Posted<EntryForm>,
) -> Result<Response, PageError> {
    let FacilityAccess {
        viewer, facility, slug, ..
    } = staff;
    let locale = viewer.locale;
    blocking(move || {
        let refuse = |message: String| -> Result<Response, PageError> {
            let page = entry_page(&c, &viewer, &facility, &slug, &f, Some(message))?;
            Ok((StatusCode::BAD_REQUEST, html(page)).into_response())
        };
        let Some(channel) = Channel::parse(&f.channel).filter(|ch| Channel::STAFF.contains(ch)) else {
            return refuse(tr(locale, id!("fb-error-channel")));
        };
        let today = c.today();
        let Some(day) = f.received_on.parse::<NaiveDate>().ok().filter(|d| *d <= today && *d > today - chrono::Days::new(366)) else {
            return refuse(tr(locale, id!("fb-error-received-on")));
        };
        // Noon of that day, in the facility's time zone: the day is what counts.
        let received_at = day
            .and_hms_opt(12, 0, 0)
            .and_then(|t| t.and_local_timezone(c.web.tz).earliest())
            .map_or_else(|| c.now(), |t| t.with_timezone(&Utc))
            .min(c.now());
        let mut submission = match f.fields.submission(locale, &STAFF_KINDS, &facility, channel, received_at) {
            Ok(s) => s,
            Err(message) => return refuse(message),
        };
        if !f.opening.is_empty() {
            let openings = c.feedback.openings(&facility)?;
            match f.opening.parse::<i64>().ok().filter(|id| openings.iter().any(|o| o.id == *id)) {
                Some(id) => submission.opening = Some(id),
                None => return refuse(tr(locale, id!("fb-error-opening"))),
            }
        }
        let item = super::store_new(&c, submission, &viewer.user.name, None, None)?;
        tracing::info!(user = ?viewer.user.name, code = %item.submission.code, channel = channel.as_str(), "feedback entered by staff");
        Ok(Redirect::to(&format!("/feedback/item/{}", item.submission.code.as_str())).into_response())
    })
    .await
}

/// Where the ids of cases opened from survey comments come from: the case of a response's
/// comment is always the same item (UUID v5 of the response id), so a second click opens it.
const COMMENT_CASES: uuid::Uuid = uuid::Uuid::from_u128(0x6861_696c_6f6e_6763_6f6d_6d65_6e74_0001);

/// A survey comment to open a case from, as posted from the facility page.
#[derive(Debug, Default, Deserialize)]
pub struct FromCommentForm {
    #[serde(default)]
    response: String,
}

/// `POST /feedback/<slug>/from-comment`: opens a case (a reflection, received through the
/// kiosk when the response was submitted) from the comment of a response whose patient was not
/// satisfied, once: the same comment again leads to the case already opened.
pub async fn from_comment(
    State(c): State<Centre>,
    FacilityAccess { viewer, facility, .. }: FacilityAccess<Staff>,
    Posted(f): Posted<FromCommentForm>,
) -> Result<Response, PageError> {
    let locale = viewer.locale;
    blocking(move || {
        let response = f
            .response
            .parse::<uuid::Uuid>()
            .map_err(|_| PageError::BadRequest(tr(locale, id!("fb-error-comment"))))?;
        let id = uuid::Uuid::new_v5(&COMMENT_CASES, response.as_bytes());
        let to_item = |code: &crate::feedback::ReceiptCode| {
            Redirect::to(&format!("/feedback/item/{}", code.as_str())).into_response()
        };
        if let Some(item) = feedback::load(c.feedback.as_ref(), id)? {
            return Ok(to_item(&item.submission.code));
        }
        let scope = crate::centre::Scope {
            facility: Some(facility.clone()),
            ..Default::default()
        };
        let comment = c
            .store
            .latest_comments(&scope, crate::centre::store::COMMENT_SCAN)?
            .into_iter()
            .find(|cm| cm.response.0 == response && cm.from_unsatisfied())
            .ok_or_else(|| PageError::BadRequest(tr(locale, id!("fb-error-comment"))))?;
        let submission = crate::feedback::Submission {
            id,
            code: crate::feedback::ReceiptCode::new(),
            facility,
            channel: Channel::Kiosk,
            kind: Kind::Reflection,
            department: comment.department,
            text: comment.text,
            contact: Default::default(),
            identity: None,
            received_at: comment.at,
            opening: None,
            due: None,
            forward_by: None,
        };
        let item = super::store_new(&c, submission, &viewer.user.name, None, None)?;
        tracing::info!(user = ?viewer.user.name, code = %item.submission.code, "feedback case opened from a survey comment");
        Ok(to_item(&item.submission.code))
    })
    .await
}

/// A box opening, as posted.
#[derive(Debug, Default, Deserialize)]
pub struct OpeningForm {
    #[serde(default)]
    opened_on: String,
    #[serde(default, rename = "box")]
    box_name: String,
    #[serde(default)]
    attendees: String,
    #[serde(default)]
    letters: String,
}

fn openings_page(
    centre: &Centre,
    viewer: &Viewer,
    facility: &str,
    slug: &str,
    message: Option<String>,
) -> Result<Markup, PageError> {
    let locale = viewer.locale;
    let openings = centre.feedback.openings(facility)?;
    let today = centre.today();
    let title = tr_args(locale, id!("fb-openings-title"), &[("facility", facility.into())]);
    let body = html! {
        h1 { (title) }
        p { (tr(locale, id!("fb-openings-intro"))) }
        @if let Some(m) = &message { p.alert role="alert" { (m) } }
        @if openings.is_empty() { p { (tr(locale, id!("fb-openings-none"))) } } @else {
            div.scroll tabindex="0" { table {
                thead { tr {
                    th scope="col" { (tr(locale, id!("fb-field-opened-on"))) }
                    th scope="col" { (tr(locale, id!("fb-field-box"))) }
                    th scope="col" { (tr(locale, id!("fb-field-attendees"))) }
                    th.num scope="col" { (tr(locale, id!("fb-field-letters"))) }
                    th scope="col" { (tr(locale, id!("fb-col-recorded-by"))) }
                } }
                tbody { @for o in &openings { tr {
                    th scope="row" { (fmt::date(o.opened_on)) }
                    td { (o.box_name) }
                    td { (o.attendees) }
                    td.num { (o.letters) }
                    td { (o.recorded_by) }
                } } }
            } }
        }
        section.narrow {
            h2 { (tr(locale, id!("fb-openings-add"))) }
            form.stack method="post" action={ "/feedback/" (slug) "/openings" } {
                input type="hidden" name="csrf" value=(viewer.csrf);
                label for="opened_on" { (tr(locale, id!("fb-field-opened-on"))) }
                input #opened_on name="opened_on" type="date" required max=(today.to_string()) value=(today.to_string());
                label for="box" { (tr(locale, id!("fb-field-box"))) }
                input #box name="box" required maxlength="200";
                label for="attendees" { (tr(locale, id!("fb-field-attendees"))) }
                input #attendees name="attendees" required maxlength="500";
                label for="letters" { (tr(locale, id!("fb-field-letters"))) }
                input #letters name="letters" type="number" min="0" max="10000" required value="0";
                button type="submit" { (tr(locale, id!("fb-openings-save"))) }
            }
        }
        p { a href={ "/feedback/" (slug) } { (tr(locale, id!("fb-back-inbox"))) } }
    };
    Ok(layout::page(locale, &title, Some(viewer), body))
}

/// `GET /feedback/<slug>/openings`.
pub async fn openings(State(c): State<Centre>, staff: FacilityAccess<Staff>) -> Result<Response, PageError> {
    blocking(move || openings_page(&c, &staff.viewer, &staff.facility, &staff.slug, None).map(html)).await
}

/// `POST /feedback/<slug>/openings`.
pub async fn add_opening(
    State(c): State<Centre>,
    staff: FacilityAccess<Staff>,
    Posted(f): Posted<OpeningForm>,
) -> Result<Response, PageError> {
    let FacilityAccess {
        viewer, facility, slug, ..
    } = staff;
    let locale = viewer.locale;
    blocking(move || {
        let today = c.today();
        let opened_on = f.opened_on.parse::<NaiveDate>().ok().filter(|d| *d <= today);
        let letters = f.letters.trim().parse::<u32>().ok().filter(|n| *n <= 10_000);
        let (box_name, attendees) = (f.box_name.trim(), f.attendees.trim());
        let (Some(opened_on), Some(letters)) = (opened_on, letters) else {
            let page = openings_page(&c, &viewer, &facility, &slug, Some(tr(locale, id!("web-error-form"))))?;
            return Ok((StatusCode::BAD_REQUEST, html(page)).into_response());
        };
        if box_name.is_empty()
            || attendees.is_empty()
            || box_name.chars().count() > 200
            || attendees.chars().count() > 500
        {
            let page = openings_page(&c, &viewer, &facility, &slug, Some(tr(locale, id!("web-error-form"))))?;
            return Ok((StatusCode::BAD_REQUEST, html(page)).into_response());
        }
        c.feedback.add_opening(&Opening {
            id: 0,
            facility: facility.clone(),
            opened_on,
            box_name: box_name.to_string(),
            attendees: attendees.to_string(),
            letters,
            recorded_by: viewer.user.name.clone(),
            recorded_at: c.now(),
        })?;
        tracing::info!(user = ?viewer.user.name, facility = ?facility, letters, "feedback box opening recorded");
        Ok(Redirect::to(&format!("/feedback/{slug}/openings")).into_response())
    })
    .await
}

/// `GET /feedback/<slug>/register.xlsx`: every item the reader may list (invalid ones too,
/// marked), one row each, without anyone's identity or contact.
pub async fn register(State(c): State<Centre>, reader: FacilityReader) -> Result<Response, PageError> {
    let FacilityAccess {
        viewer, facility, slug, ..
    } = reader;
    let locale = viewer.locale;
    blocking(move || {
        let (items, _) = listed(&c, &viewer, &facility)?;
        let bytes = register_xlsx(&c, locale, &items).map_err(PageError::internal)?;
        let mut response = bytes.into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        );
        let name = format!("so-theo-doi-gop-y-{slug}-{}.xlsx", c.today().format("%Y%m%d"));
        if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
            headers.insert(header::CONTENT_DISPOSITION, v);
        }
        Ok(response)
    })
    .await
}

fn register_xlsx(
    centre: &Centre,
    locale: crate::survey::Locale,
    items: &[Item],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(tr(locale, id!("fb-register-sheet")))?;
    let bold = Format::new().set_bold();
    let headings = [
        id!("fb-receipt-code"),
        id!("fb-col-received"),
        id!("fb-col-channel"),
        id!("fb-col-kind"),
        id!("web-col-department"),
        id!("fb-col-assignee"),
        id!("fb-col-text"),
        id!("fb-col-state"),
        id!("fb-col-due"),
        id!("fb-col-concluded"),
        id!("fb-col-on-time"),
        id!("fb-col-reply"),
        id!("fb-col-published"),
    ];
    for (col, key) in headings.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, tr(locale, *key), &bold)?;
    }
    let today = centre.today();
    let tz = centre.web.tz;
    for (row, i) in items.iter().enumerate() {
        let r = row as u32 + 1;
        let on_time = match i.concluded_on_time(tz) {
            Some(true) => tr(locale, id!("fb-yes")),
            Some(false) => tr(locale, id!("fb-no")),
            None if i.overdue(today) => tr(locale, id!("fb-overdue")),
            None => String::new(),
        };
        let cells = [
            i.submission.code.to_string(),
            super::received(centre, &i.submission),
            channel_name(locale, i.submission.channel),
            kind_name(locale, i.kind),
            i.department.clone().unwrap_or_default(),
            i.assignee.clone().unwrap_or_default(),
            i.submission.text.clone(),
            state_name(locale, i.state),
            i.due.map(fmt::date).unwrap_or_default(),
            i.concluded_at().map(|t| when(centre, t)).unwrap_or_default(),
            on_time,
            i.reply
                .as_ref()
                .filter(|r| r.approved.is_some())
                .map(|r| r.text.clone())
                .unwrap_or_default(),
            i.published.as_ref().map(|(t, _)| t.clone()).unwrap_or_default(),
        ];
        for (col, v) in cells.iter().enumerate() {
            sheet.write_string(r, col as u16, v)?;
        }
    }
    sheet.set_column_width(6, 60)?;
    sheet.set_column_width(11, 50)?;
    sheet.autofilter(0, 0, items.len() as u32, headings.len() as u16 - 1)?;
    book.save_to_buffer()
}

/// The filter of one facility's items received since `from`.
pub fn since(facility: &str, from: Option<chrono::DateTime<Utc>>) -> ItemFilter {
    ItemFilter {
        facility: Some(facility.to_string()),
        from,
        ..ItemFilter::default()
    }
}
