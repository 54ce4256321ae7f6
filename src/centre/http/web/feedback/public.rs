//! The public side of the feedback box: the web form `/gop-y/<facility>` (no login; phone
//! first; limited per address and in size) and the follow-up page `/theo-doi?code=…`, which
//! shows an item's state and its published answer, nothing else.
//!
//! The form's CSRF token must match a cookie set with the form, as the login form's does.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{PreEscaped, html};
use serde::Deserialize;

use super::super::auth::{Peer, client_address, cookie_header};
use super::super::cookie;
use super::super::guard::FormCookie;
use super::super::{PageError, PublicForm, blocking, facility_by_slug, html, layout, locale_of, qr_svg, site_url};
use super::{Fields, fields_inputs, state_name};
use crate::centre::Centre;
use crate::centre::feedback::Origin;
use crate::feedback::{Channel, Kind, ReceiptCode, fingerprint};
use crate::i18n::{tr, tr_args};
use crate::survey::Locale;

/// The public form's CSRF cookie.
pub const FORM_CSRF_COOKIE: &str = "hl_gopy";

/// A random id the form gives each browser (a year long), so that the per-device limit can be
/// tight while a ward's patients behind one address are not turned away. Only its hash is stored.
pub const DEVICE_COOKIE: &str = "hl_device";

/// The public form's token comes in [`FORM_CSRF_COOKIE`].
pub struct FormToken;
impl FormCookie for FormToken {
    const NAME: &'static str = FORM_CSRF_COOKIE;
}

fn form_page(
    locale: Locale,
    facility: &str,
    slug: &str,
    csrf: &str,
    f: &Fields,
    departments: &[String],
    message: Option<String>,
) -> maud::Markup {
    let title = tr_args(locale, id!("fb-form-title"), &[("facility", facility.into())]);
    let body = html! {
        section.narrow {
            h1 { (title) }
            p { (tr(locale, id!("fb-form-intro"))) }
            @if let Some(m) = &message { p.alert role="alert" { (m) } }
            form.stack method="post" action={ "/gop-y/" (slug) } {
                input type="hidden" name="csrf" value=(csrf);
                (fields_inputs(locale, &Kind::SENDER, f, departments))
                p.note { (tr(locale, id!("fb-form-privacy"))) }
                button type="submit" { (tr(locale, id!("fb-form-send"))) }
            }
            p { a href="/theo-doi" { (tr(locale, id!("fb-follow-link"))) } }
        }
    };
    layout::page(locale, &title, None, body)
}

fn with_cookie(centre: &Centre, mut response: Response, csrf: &str) -> Response {
    response
        .headers_mut()
        .append(header::SET_COOKIE, cookie_header(centre, FORM_CSRF_COOKIE, csrf, 3600));
    response
}

/// The browser's device id, if it sent a well-formed one.
pub fn device_of(headers: &HeaderMap) -> Option<&str> {
    cookie(headers, DEVICE_COOKIE).filter(|d| d.len() == 32 && d.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Gives a browser that has no device id one (a year long), with `response`.
pub fn give_device(centre: &Centre, headers: &HeaderMap, response: &mut Response) {
    if device_of(headers).is_none() {
        let device = &crate::centre::new_token()[..32];
        response.headers_mut().append(
            header::SET_COOKIE,
            cookie_header(centre, DEVICE_COOKIE, device, 365 * 24 * 3600),
        );
    }
}

/// `GET /gop-y/<slug>`.
pub async fn form(
    State(centre): State<Centre>,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let locale = locale_of(&headers);
    let c = centre.clone();
    let s = slug.clone();
    let (facility, departments) = blocking(move || {
        let facility = facility_by_slug(&c, &s)?.ok_or(PageError::NotFound)?;
        let departments = super::departments(&c, &facility);
        Ok((facility, departments))
    })
    .await?;
    let csrf = crate::centre::new_token();
    let page = form_page(locale, &facility, &slug, &csrf, &Fields::default(), &departments, None);
    let mut response = with_cookie(&centre, html(page), &csrf);
    give_device(&centre, &headers, &mut response);
    Ok(response)
}

/// `POST /gop-y/<slug>`: stores the item and shows its receipt code.
pub async fn send(
    State(centre): State<Centre>,
    headers: HeaderMap,
    peer: axum::Extension<Peer>,
    Path(slug): Path<String>,
    posted: PublicForm<Fields, FormToken>,
) -> Result<Response, PageError> {
    let locale = locale_of(&headers);
    let (fields, csrf) = (posted.form, posted.csrf);
    let origin = Origin {
        address: fingerprint(&client_address(&centre, &headers, peer.0.0)),
        device: device_of(&headers).map(|d| fingerprint(&format!("device:{d}"))),
    };
    let base = site_url(&centre, &headers);
    let c = centre.clone();
    let result = blocking(move || {
        let facility = facility_by_slug(&c, &slug)?.ok_or(PageError::NotFound)?;
        let now = c.now();
        let limits = &c.feedback_options;
        let (by_device, by_address) = c.feedback.submissions_from(&origin, now - chrono::Duration::hours(1))?;
        if by_device >= limits.web_per_hour || by_address >= limits.web_per_address_per_hour {
            tracing::info!(facility = ?facility, by_device, by_address, "feedback form refused: too many from one device or address");
            return Ok(Err(StatusCode::TOO_MANY_REQUESTS));
        }
        // Many from one address in a few minutes: kept, counted, and flagged for the staff.
        let (_, lately) = c.feedback.submissions_from(&origin, now - chrono::Duration::minutes(10))?;
        let flag = (lately + 1 >= limits.web_burst).then_some("burst");
        match fields.submission(locale, &Kind::SENDER, &facility, Channel::Web, now) {
            Err(message) => {
                let departments = super::departments(&c, &facility);
                let page = form_page(locale, &facility, &slug, &csrf, &fields, &departments, Some(message));
                Ok(Ok((StatusCode::BAD_REQUEST, page)))
            }
            Ok(submission) => {
                let item = super::store_new(&c, submission, "web", Some(&origin), flag)?;
                tracing::info!(facility = ?facility, code = %item.submission.code, "feedback received from the web form");
                Ok(Ok((StatusCode::OK, receipt(locale, &base, &item, &c.feedback_options.holidays, c.web.tz))))
            }
        }
    })
    .await?;
    Ok(match result {
        Ok((status, page)) => (status, html(page)).into_response(),
        Err(status) => {
            let body = html! {
                h1 { (tr(locale, id!("fb-form-too-many"))) }
                p { (tr(locale, id!("fb-form-too-many-detail"))) }
            };
            (
                status,
                html(layout::page(locale, &tr(locale, id!("fb-form-too-many")), None, body)),
            )
                .into_response()
        }
    })
}

/// The receipt: the code in large type, and a QR code of the follow-up link.
fn receipt(
    locale: Locale,
    base: &str,
    item: &crate::feedback::Item,
    holidays: &crate::feedback::Holidays,
    tz: chrono_tz::Tz,
) -> maud::Markup {
    let code = item.submission.code.to_string();
    let url = format!("{base}/theo-doi?code={}", item.submission.code.as_str());
    let title = tr(locale, id!("fb-receipt-title"));
    let body = html! {
        section.narrow.receipt {
            h1 { (title) }
            p { (tr(locale, id!("fb-receipt-keep"))) }
            p.code aria-label=(tr(locale, id!("fb-receipt-code"))) { (code) }
            @if let Some(due) = item.due {
                p { (tr_args(locale, id!("fb-receipt-due"), &[
                    ("due", super::super::fmt::date(due).into()),
                    ("days", holidays.working_days_between(item.received_on(tz), due).into()),
                ])) }
                p { (tr(locale, id!("fb-receipt-read-here"))) }
            }
            @if let Some(svg) = qr_svg(&url) {
                // The SVG is generated here from our own URL, never from user text.
                div.qr role="img" aria-label=(tr(locale, id!("fb-receipt-qr"))) { (PreEscaped(svg)) }
            }
            p { a href={ "/theo-doi?code=" (item.submission.code.as_str()) } { (tr(locale, id!("fb-follow-link"))) } }
        }
    };
    layout::page(locale, &title, None, body)
}

/// The follow-up page's query.
#[derive(Debug, Deserialize)]
pub struct FollowQuery {
    #[serde(default)]
    code: String,
}

/// `GET /theo-doi?code=…`: the state and the published answer of the item with that code.
pub async fn follow(
    State(centre): State<Centre>,
    headers: HeaderMap,
    Query(q): Query<FollowQuery>,
) -> Result<Response, PageError> {
    let locale = locale_of(&headers);
    let code = ReceiptCode::parse(&q.code);
    let asked = !q.code.trim().is_empty();
    let c = centre.clone();
    let found = match code.clone() {
        None => Ok(None),
        Some(code) => {
            blocking(move || {
                let Some(id) = c.feedback.item_by_code(&code)? else {
                    return Ok(None);
                };
                Ok(crate::centre::feedback::load(c.feedback.as_ref(), id)?)
            })
            .await
        }
    };
    let item = found?;
    let title = tr(locale, id!("fb-follow-title"));
    let typed: String = q.code.chars().take(20).collect();
    let body = html! {
        section.narrow {
            h1 { (title) }
            form method="get" action="/theo-doi" {
                label for="code" { (tr(locale, id!("fb-receipt-code"))) }
                input #code name="code" required maxlength="20" autocomplete="off" autocapitalize="characters" value=(typed);
                button type="submit" { (tr(locale, id!("fb-follow-submit"))) }
            }
            @match &item {
                Some(item) => {
                    dl.facts {
                        dt { (tr(locale, id!("fb-receipt-code"))) } dd { (item.submission.code.to_string()) }
                        dt { (tr(locale, id!("fb-col-received"))) } dd { (super::fmt::date(item.received_on(centre.web.tz))) }
                        dt { (tr(locale, id!("fb-col-state"))) } dd { (state_name(locale, item.state)) }
                        @if let Some(due) = item.due.filter(|_| item.state.is_open()) {
                            dt { (tr(locale, id!("fb-col-due"))) }
                            dd { (tr_args(locale, id!("fb-follow-due"), &[
                                ("due", super::fmt::date(due).into()),
                                ("days", centre.feedback_options.holidays.working_days_between(item.received_on(centre.web.tz), due).into()),
                            ])) }
                        }
                    }
                    // The centre's approved answer, for the person holding the code (who may
                    // have left no e-mail): never a draft.
                    @if let Some(reply) = item.reply.as_ref().filter(|r| r.approved.is_some()) {
                        h2 { (tr(locale, id!("fb-follow-reply"))) }
                        blockquote.said { (reply.text) }
                        @if let Some((_, at)) = &reply.approved {
                            p.meta { (tr_args(locale, id!("fb-follow-replied-on"), &[("day", super::fmt::date(at.with_timezone(&centre.web.tz).date_naive()).into())])) }
                        }
                    }
                    @if let Some((text, _)) = &item.published {
                        h2 { (tr(locale, id!("fb-follow-answer"))) }
                        p.answer { (text) }
                    }
                }
                None if asked => { p.alert role="alert" { (tr(locale, id!("fb-follow-not-found"))) } }
                None => {}
            }
        }
    };
    Ok(html(layout::page(locale, &title, None, body)))
}
