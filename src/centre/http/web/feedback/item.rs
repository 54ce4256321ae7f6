//! An item's page (`/feedback/item/<code>`): what was received, who handles it by when, the
//! reply, what is published, the whole log, and the actions the reader may take now. Every
//! action posts back here with the session's CSRF token and is appended to the log.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use maud::{Markup, html};
use serde::Deserialize;

use super::super::{PageError, Posted, Viewer, blocking, fmt, html, layout};
use super::{channel_name, due, kind_name, state_badge, when};
use crate::centre::Centre;
use crate::centre::feedback::{self, may_act, may_read, may_see_identity};
use crate::feedback::{Action, Item, Kind, ReceiptCode, Refused};
use crate::i18n::{tr, tr_args};
use crate::survey::Locale;

/// The item with receipt code `code`, if the reader may read it (else not found: a code is not
/// confirmed to someone who may not see it).
fn readable(centre: &Centre, viewer: &Viewer, code: &str) -> Result<Item, PageError> {
    let code = ReceiptCode::parse(code).ok_or(PageError::NotFound)?;
    let id = centre.feedback.item_by_code(&code)?.ok_or(PageError::NotFound)?;
    let item = feedback::load(centre.feedback.as_ref(), id)?.ok_or(PageError::NotFound)?;
    if may_read(&viewer.user, &item) {
        Ok(item)
    } else {
        Err(PageError::NotFound)
    }
}

/// What an entry of the log says, beyond its name.
fn entry_detail(locale: Locale, action: &Action) -> Markup {
    match action {
        Action::Received(s) => html! { (channel_name(locale, s.channel)) " · " (kind_name(locale, s.kind)) },
        Action::Classify { kind, urgent, due } => html! {
            (kind_name(locale, *kind)) @if *urgent { " · " (tr(locale, id!("fb-urgent"))) }
            @if let Some(d) = due { " · " (tr(locale, id!("fb-col-due"))) " " (fmt::date(*d)) }
        },
        Action::Assign {
            department,
            assignee,
            due,
        } => html! {
            (department) @if let Some(a) = assignee { " · " (a) }
            @if let Some(d) = due { " · " (tr(locale, id!("fb-col-due"))) " " (fmt::date(*d)) }
        },
        Action::Draft { reply } => html! { (reply) },
        Action::Publish { text } => html! { (text) },
        Action::Forward { to } => html! { (to) },
        Action::Decline { reason } | Action::Reopen { reason, .. } => html! { (reason) },
        Action::Apologise { text } | Action::Note { text } => html! { (text) },
        Action::Flag { reason } => html! { (super::flag_name(locale, reason)) },
        Action::Move { from, to } => html! { (from) " → " (to) },
        Action::Start | Action::Approve | Action::Unpublish | Action::Close | Action::ViewContact => html! {},
    }
}

/// What an item's page shows beyond the item.
#[derive(Default)]
struct Shown {
    /// A message about the last action.
    message: Option<String>,
    /// Who sent it (shown only right after a logged [`Action::ViewContact`]).
    contact: bool,
    /// A text for the public, shown as the public will see it, to confirm.
    preview: Option<String>,
}

fn page_of(centre: &Centre, viewer: &Viewer, item: &Item, shown: Shown) -> Markup {
    let message = shown.message;
    let locale = viewer.locale;
    let s = &item.submission;
    let code = s.code.as_str();
    let action_url = format!("/feedback/item/{code}");
    let can = |a: &Action| may_act(&viewer.user, item, a) && item.check(a).is_ok();
    let late = item.overdue(centre.today()) || item.concluded_on_time(centre.web.tz) == Some(false);
    let title = tr_args(locale, id!("fb-item-title"), &[("code", s.code.to_string().into())]);
    let form = |action: &str, label: crate::i18n::Id, inner: Markup| {
        html! {
            form.stack.action method="post" action=(action_url) {
                input type="hidden" name="csrf" value=(viewer.csrf);
                input type="hidden" name="action" value=(action);
                input type="hidden" name="seq" value=(item.log.len());
                (inner)
                button type="submit" { (tr(locale, label)) }
            }
        }
    };
    let body = html! {
        h1 { (title) }
        @if let Some(m) = &message { p.alert role="alert" { (m) } }
        dl.facts {
            dt { (tr(locale, id!("web-col-facility"))) } dd { (s.facility) }
            dt { (tr(locale, id!("fb-col-received"))) } dd { (super::received(centre, s)) " · " (channel_name(locale, s.channel)) }
            dt { (tr(locale, id!("fb-col-kind"))) } dd { (kind_name(locale, item.kind)) @if item.urgent { " · " strong { (tr(locale, id!("fb-urgent"))) } } }
            @if let Some(reason) = &item.flagged { dt { (tr(locale, id!("fb-log-flag"))) } dd { strong { (super::flag_name(locale, reason)) } } }
            dt { (tr(locale, id!("fb-col-state"))) } dd { (state_badge(centre, locale, item)) }
            dt { (tr(locale, id!("web-col-department"))) } dd { (item.department.as_deref().unwrap_or("—")) }
            dt { (tr(locale, id!("fb-col-assignee"))) } dd { (item.assignee.as_deref().unwrap_or("—")) }
            dt { (tr(locale, id!("fb-col-due"))) } dd { (due(item)) }
            @if let Some(to) = &item.forwarded_to { dt { (tr(locale, id!("fb-col-forwarded"))) } dd { (to) } }
            @if let Some(why) = item.declined.as_ref().filter(|w| !w.is_empty()) { dt { (tr(locale, id!("fb-col-declined"))) } dd { (why) } }
        }
        h2 { (tr(locale, id!("fb-col-text"))) }
        blockquote.said { (s.text) }
        h2 { (tr(locale, id!("fb-item-sender"))) }
        @if may_see_identity(&viewer.user, item) && shown.contact {
            dl.facts #sender {
                dt { (tr(locale, id!("fb-sender-identity"))) } dd { (s.identity.as_deref().unwrap_or("—")) }
                dt { (tr(locale, id!("fb-sender-phone"))) } dd { (s.contact.phone.as_deref().unwrap_or("—")) }
                dt { (tr(locale, id!("fb-sender-email"))) } dd { (s.contact.email.as_deref().unwrap_or("—")) }
            }
            p.note { (tr(locale, id!("fb-sender-logged"))) }
        } @else if may_see_identity(&viewer.user, item) {
            (form("view_contact", id!("fb-act-view-contact"), html! { p.note { (tr(locale, id!("fb-sender-view-note"))) } }))
        } @else {
            p.note { (tr(locale, if item.kind == Kind::Denunciation { id!("fb-identity-director") } else { id!("fb-identity-hidden") })) }
        }
        @if let Some(r) = &item.reply {
            h2 { (tr(locale, id!("fb-col-reply"))) }
            blockquote.said { (r.text) }
            p.note {
                (tr_args(locale, id!("fb-reply-by"), &[("who", r.by.clone().into()), ("when", when(centre, r.at).into())]))
                @if let Some((by, at)) = &r.approved { " · " (tr_args(locale, id!("fb-reply-approved"), &[("who", by.clone().into()), ("when", when(centre, *at).into())])) }
                @else { " · " (tr(locale, id!("fb-reply-not-approved"))) }
            }
        }
        @if let Some((text, at)) = &item.published {
            h2 { (tr(locale, id!("fb-col-published"))) }
            blockquote.said { (text) }
            p.note { (when(centre, *at)) }
        }
        section.actions {
            h2 { (tr(locale, id!("fb-item-actions"))) }
            @let classify = Action::Classify { kind: Kind::Reflection, urgent: false, due: None };
            @if can(&classify) {
                (form("classify", id!("fb-act-classify"), html! {
                    label for="kind" { (tr(locale, id!("fb-col-kind"))) }
                    select #kind name="kind" { @for k in Kind::ALL { option value=(k.as_str()) selected[k == item.kind] { (kind_name(locale, k)) } } }
                    label.check for="urgent" { input #urgent type="checkbox" name="urgent" value="1" checked[item.urgent]; " " (tr(locale, id!("fb-urgent"))) }
                }))
            }
            @let assign = Action::Assign { department: "x".into(), assignee: None, due: None };
            @if can(&assign) {
                (form("assign", id!("fb-act-assign"), html! {
                    label for="department" { (tr(locale, id!("web-col-department"))) }
                    input #department name="department" required maxlength="200" value=(item.department.clone().unwrap_or_default());
                    label for="assignee" { (tr(locale, id!("fb-col-assignee"))) }
                    input #assignee name="assignee" maxlength="200" value=(item.assignee.clone().unwrap_or_default());
                    label for="due" { (tr(locale, id!("fb-col-due"))) }
                    input #due name="due" type="date" value=(item.due.map(|d| d.to_string()).unwrap_or_default()) max=[item.due.map(|d| d.to_string())];
                }))
            }
            @if can(&Action::Start) { (form("start", id!("fb-act-start"), html! {})) }
            @if can(&Action::Draft { reply: "x".into() }) {
                (form("draft", id!("fb-act-draft"), html! {
                    label for="reply" { (tr(locale, id!("fb-col-reply"))) }
                    textarea #reply name="text" required maxlength=(crate::feedback::MAX_TEXT) rows="5" { (item.reply.as_ref().map(|r| r.text.as_str()).unwrap_or("")) }
                }))
            }
            @if can(&Action::Approve) { (form("approve", id!("fb-act-approve"), html! {
                p.note { (tr(locale, id!("fb-approve-note"))) }
                p.note { (tr(locale, match (&s.contact.email, centre.feedback_options.reply_by_email) {
                    (Some(_), true) => id!("fb-approve-mailed"),
                    (Some(_), false) => id!("fb-approve-no-smtp"),
                    (None, _) => id!("fb-approve-no-email"),
                })) }
            })) }
            @if can(&Action::Publish { text: "x".into() }) {
                @if let Some(text) = &shown.preview {
                    // Exactly what the public page will show, to confirm.
                    section.preview aria-labelledby="preview-title" {
                        h3 #preview-title { (tr(locale, id!("fb-publish-preview"))) }
                        ul.answers { li {
                            span.note { (fmt::date(centre.today())) " · " (kind_name(locale, item.kind)) }
                            p { (text) }
                        } }
                    }
                    (form("publish", id!("fb-act-publish-confirm"), html! {
                        input type="hidden" name="text" value=(text);
                        input type="hidden" name="confirm" value="1";
                    }))
                }
                (form("publish", id!("fb-act-publish-preview"), html! {
                    label for="published" { (tr(locale, id!("fb-publish-text"))) }
                    p.note #published-note { (tr(locale, id!("fb-publish-note"))) }
                    // Never pre-filled with the reply, which greets the person by name.
                    textarea #published name="text" required maxlength=(crate::feedback::MAX_TEXT) rows="4" aria-describedby="published-note" {
                        (shown.preview.as_deref().or(item.published.as_ref().map(|(t, _)| t.as_str())).unwrap_or(""))
                    }
                }))
            }
            @if can(&Action::Unpublish) { (form("unpublish", id!("fb-act-unpublish"), html! {})) }
            @if can(&Action::Close) { (form("close", id!("fb-act-close"), html! {})) }
            @if can(&Action::Reopen { reason: "x".into(), due: None }) {
                (form("reopen", id!("fb-act-reopen"), html! {
                    label for="reopen" { (tr(locale, id!("fb-reopen-reason"))) }
                    textarea #reopen name="text" required maxlength=(crate::feedback::MAX_TEXT) rows="3" {}
                }))
            }
            @if can(&Action::Forward { to: "x".into() }) {
                (form("forward", id!("fb-act-forward"), html! {
                    label for="forward" { (tr(locale, id!("fb-forward-to"))) }
                    input #forward name="text" required maxlength="300";
                }))
            }
            @if can(&Action::Decline { reason: "x".into() }) {
                (form("decline", id!("fb-act-decline"), html! {
                    label for="decline" { (tr(locale, id!("fb-decline-reason"))) }
                    input #decline name="text" required maxlength="1000";
                }))
            }
            @if late && can(&Action::Apologise { text: "x".into() }) {
                (form("apologise", id!("fb-act-apologise"), html! {
                    label for="apology" { (tr(locale, id!("fb-apology"))) }
                    p.note #apology-note { (tr(locale, id!("fb-apology-note"))) }
                    textarea #apology name="text" required maxlength=(crate::feedback::MAX_TEXT) rows="3" aria-describedby="apology-note" {}
                }))
            }
            @if can(&Action::Note { text: "x".into() }) {
                (form("note", id!("fb-act-note"), html! {
                    label for="note" { (tr(locale, id!("fb-note"))) }
                    textarea #note name="text" required maxlength=(crate::feedback::MAX_TEXT) rows="2" {}
                }))
            }
        }
        section {
            h2 { (tr(locale, id!("fb-item-log"))) }
            div.scroll tabindex="0" { table {
                thead { tr {
                    th.num scope="col" { "#" }
                    th scope="col" { (tr(locale, id!("fb-log-when"))) }
                    th scope="col" { (tr(locale, id!("fb-log-who"))) }
                    th scope="col" { (tr(locale, id!("fb-log-what"))) }
                    th scope="col" { (tr(locale, id!("fb-log-detail"))) }
                } }
                tbody { @for e in &item.log { tr {
                    td.num { (e.seq) }
                    td { (when(centre, e.at)) }
                    td { (e.actor) }
                    th scope="row" { (tr(locale, crate::centre::feedback::action_id(&e.action))) }
                    td { (entry_detail(locale, &e.action)) }
                } } }
            } }
            p.note { (tr(locale, id!("fb-log-chained"))) }
        }
        p { a href={ "/feedback/" (crate::text::slug(&s.facility)) } { (tr(locale, id!("fb-back-inbox"))) } }
    };
    layout::page(locale, &title, Some(viewer), body)
}

/// `GET /feedback/item/<code>`.
pub async fn page(State(c): State<Centre>, viewer: Viewer, Path(code): Path<String>) -> Result<Response, PageError> {
    blocking(move || {
        let item = readable(&c, &viewer, &code)?;
        Ok(html(page_of(&c, &viewer, &item, Shown::default())))
    })
    .await
}

/// An action, as posted.
#[derive(Debug, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    action: String,
    /// How long the log was when the page was shown (a later change by someone else is a
    /// conflict, not a silent overwrite).
    #[serde(default)]
    seq: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    urgent: Option<String>,
    #[serde(default)]
    department: String,
    #[serde(default)]
    assignee: String,
    #[serde(default)]
    due: String,
    #[serde(default)]
    text: String,
    /// Set on the second step of publishing (the preview was seen).
    #[serde(default)]
    confirm: Option<String>,
}

fn action_of(centre: &Centre, item: &Item, f: &ActionForm, locale: Locale) -> Result<Action, String> {
    let text = f.text.trim().to_string();
    let o = &centre.feedback_options;
    let bad = || tr(locale, id!("web-error-form"));
    Ok(match f.action.as_str() {
        "classify" => {
            let kind = Kind::parse(&f.kind).ok_or_else(bad)?;
            let urgent = f.urgent.is_some();
            Action::Classify {
                kind,
                urgent,
                due: o
                    .deadlines
                    .due_for(kind, urgent, item.received_on(centre.web.tz), &o.holidays),
            }
        }
        "assign" => {
            let due = match f.due.trim() {
                "" => None,
                d => {
                    let d: NaiveDate = d.parse().map_err(|_| bad())?;
                    // A department may be given less time than the kind allows, never more.
                    if item.due.is_some_and(|limit| d > limit) || d < item.received_on(centre.web.tz) {
                        return Err(tr(locale, id!("fb-error-due")));
                    }
                    Some(d)
                }
            };
            Action::Assign {
                department: f.department.trim().to_string(),
                assignee: Some(f.assignee.trim().to_string()).filter(|a| !a.is_empty()),
                due,
            }
        }
        "start" => Action::Start,
        "draft" => Action::Draft { reply: text },
        "approve" => Action::Approve,
        "publish" => Action::Publish { text },
        "unpublish" => Action::Unpublish,
        "close" => Action::Close,
        "forward" => Action::Forward { to: text },
        "decline" => Action::Decline { reason: text },
        "reopen" => Action::Reopen {
            reason: text,
            due: o.deadlines.due_for(item.kind, item.urgent, centre.today(), &o.holidays),
        },
        "apologise" => Action::Apologise { text },
        "note" => Action::Note { text },
        "view_contact" => Action::ViewContact,
        _ => return Err(bad()),
    })
}

fn refusal(locale: Locale, why: &Refused) -> String {
    match why {
        Refused::NotNow { .. } => tr(locale, id!("fb-refused-not-now")),
        Refused::NoReply => tr(locale, id!("fb-refused-no-reply")),
        Refused::NeedsIdentity(_) => tr(locale, id!("fb-refused-identity")),
        Refused::BadText => tr(locale, id!("fb-refused-text")),
        Refused::Personal(found) => {
            use crate::feedback::personal::Found;
            let (id, what) = match found {
                Found::Name(s) => (id!("fb-refused-personal-name"), s.clone()),
                Found::Phone(s) => (id!("fb-refused-personal-phone"), s.clone()),
                Found::Email(s) => (id!("fb-refused-personal-email"), s.clone()),
                Found::Code(s) => (id!("fb-refused-personal-code"), s.clone()),
            };
            tr_args(locale, id, &[("what", what.into())])
        }
        Refused::BadLog(_) | Refused::Broken(_) => tr(locale, id!("web-error-internal")),
    }
}

/// `POST /feedback/item/<code>`: takes the action and shows the item again.
pub async fn act(
    State(c): State<Centre>,
    viewer: Viewer,
    headers: axum::http::HeaderMap,
    Path(code): Path<String>,
    Posted(f): Posted<ActionForm>,
) -> Result<Response, PageError> {
    let locale = viewer.locale;
    let base = super::super::site_url(&c, &headers);
    blocking(move || {
        let mut item = readable(&c, &viewer, &code)?;
        let again = |item: &Item, status: StatusCode, shown: Shown| -> Result<Response, PageError> {
            Ok((status, html(page_of(&c, &viewer, item, shown))).into_response())
        };
        let say = |message: String| Shown {
            message: Some(message),
            ..Shown::default()
        };
        let action = match action_of(&c, &item, &f, locale) {
            Ok(a) => a,
            Err(message) => return again(&item, StatusCode::BAD_REQUEST, say(message)),
        };
        if !may_act(&viewer.user, &item, &action) {
            return Err(PageError::Forbidden);
        }
        // The page was shown at log length `seq`; what was appended since is someone else's
        // change (a conflict), unless it was only looks at the contact.
        let seen = f.seq.parse::<usize>().ok().filter(|&n| n <= item.log.len());
        let changed_since = seen.is_none_or(|n| item.log[n..].iter().any(|e| e.action != Action::ViewContact));
        if changed_since && action != Action::ViewContact {
            return again(&item, StatusCode::CONFLICT, say(tr(locale, id!("fb-refused-changed"))));
        }
        // Publishing is shown first exactly as the public will see it, then confirmed.
        if let Action::Publish { text } = &action
            && f.confirm.is_none()
        {
            if let Err(why) = item.check(&action) {
                return again(&item, StatusCode::BAD_REQUEST, say(refusal(locale, &why)));
            }
            let preview = Shown {
                preview: Some(text.clone()),
                ..Shown::default()
            };
            return again(&item, StatusCode::OK, preview);
        }
        let name = action.name();
        let viewing = action == Action::ViewContact;
        if let Err(why) = item.act(c.now(), &viewer.user.name, action) {
            return again(&item, StatusCode::BAD_REQUEST, say(refusal(locale, &why)));
        }
        match c.feedback.append(&item) {
            Ok(()) => {}
            Err(crate::centre::store::Error::Conflict(_)) => {
                let fresh = readable(&c, &viewer, &code)?;
                return again(&fresh, StatusCode::CONFLICT, say(tr(locale, id!("fb-refused-changed"))));
            }
            Err(e) => return Err(e.into()),
        }
        if viewing {
            tracing::info!(user = ?viewer.user.name, code = %item.submission.code, "feedback sender's contact viewed");
            let shown = Shown {
                contact: true,
                ..Shown::default()
            };
            return again(&item, StatusCode::OK, shown);
        }
        tracing::info!(user = ?viewer.user.name, code = %item.submission.code, action = name, "feedback item handled");
        if name == "approve"
            && c.feedback_options.reply_by_email
            && let Some(mail) = crate::centre::alerts::reply_to_sender(&item, &base)
        {
            c.alerts.enqueue(&mail, c.now())?;
            tracing::info!(code = %item.submission.code, "the approved reply is queued for the sender's e-mail");
        }
        Ok(Redirect::to(&format!("/feedback/item/{}", item.submission.code.as_str())).into_response())
    })
    .await
}
