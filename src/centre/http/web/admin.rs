//! `/admin` (admin accounts only): the same kiosk and account operations as the CLI — enrol a
//! kiosk (its token is shown once, as the `[centre]` block for its `hailong.toml`), revoke and
//! renew one; add an account, disable one. Every form carries the session's CSRF token.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::auth::Empty;
use super::{Admin, PageError, Posted, Viewer, blocking, html, layout};
use crate::centre::accounts::{self, NewUser, Role};
use crate::centre::store::KioskInfo;
use crate::centre::{Centre, new_token, token_hash};
use crate::i18n::{tr, tr_args};

fn page_of(centre: &Centre, viewer: &Viewer, notice: Option<Markup>) -> Result<Markup, PageError> {
    let locale = viewer.locale;
    let kiosks = centre.store.kiosks()?;
    let users = centre.accounts.users()?;
    let alerts = centre.alerts.recent_alerts(50)?;
    let tz = centre.web.tz;
    let when = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&tz).format("%d/%m/%Y %H:%M").to_string();
    let button = |action: String, label: String| {
        html! {
            form.inline method="post" action=(action) {
                input type="hidden" name="csrf" value=(viewer.csrf);
                button.small type="submit" { (label) }
            }
        }
    };
    let body = html! {
        h1 { (tr(locale, id!("web-admin-title"))) }
        @if let Some(n) = notice { (n) }
        section {
            h2 { (tr(locale, id!("web-admin-kiosks"))) }
            div.scroll tabindex="0" { table {
                thead { tr {
                    th scope="col" { (tr(locale, id!("web-col-facility"))) }
                    th scope="col" { (tr(locale, id!("web-col-kiosk"))) }
                    th scope="col" { (tr(locale, id!("web-admin-kiosk-id"))) }
                    th scope="col" { (tr(locale, id!("web-col-last-sync"))) }
                    th scope="col" { (tr(locale, id!("web-admin-state"))) }
                    th scope="col" { (tr(locale, id!("web-admin-actions"))) }
                } }
                tbody { @for k in &kiosks { tr {
                    th scope="row" { (k.facility) }
                    td { (k.name) }
                    td { code { (k.kiosk_id.as_deref().unwrap_or("—")) } }
                    td { (k.last_sync_at.map_or_else(|| tr(locale, id!("web-never")), when)) }
                    td { @if let Some(at) = k.revoked_at { (tr_args(locale, id!("web-admin-revoked"), &[("date", when(at).into())])) } @else { (tr(locale, id!("web-admin-active"))) } }
                    td {
                        @if k.revoked_at.is_none() { (button(format!("/admin/kiosks/{}/revoke", k.id), tr(locale, id!("web-admin-revoke")))) " " }
                        (button(format!("/admin/kiosks/{}/renew", k.id), tr(locale, id!("web-admin-renew"))))
                    }
                } } }
            } }
            h3 { (tr(locale, id!("web-admin-enrol"))) }
            form.stack method="post" action="/admin/kiosks" {
                input type="hidden" name="csrf" value=(viewer.csrf);
                label for="facility" { (tr(locale, id!("web-col-facility"))) }
                input #facility name="facility" required maxlength="200";
                label for="kname" { (tr(locale, id!("web-col-kiosk"))) }
                input #kname name="name" required maxlength="200";
                button type="submit" { (tr(locale, id!("web-admin-enrol"))) }
            }
        }
        section {
            h2 { (tr(locale, id!("web-admin-users"))) }
            div.scroll tabindex="0" { table {
                thead { tr {
                    th scope="col" { (tr(locale, id!("web-login-name"))) }
                    th scope="col" { (tr(locale, id!("web-admin-role"))) }
                    th scope="col" { (tr(locale, id!("web-col-facility"))) }
                    th scope="col" { (tr(locale, id!("web-col-department"))) }
                    th scope="col" { (tr(locale, id!("web-admin-state"))) }
                    th scope="col" { (tr(locale, id!("web-admin-actions"))) }
                } }
                tbody { @for u in &users { tr {
                    th scope="row" { (u.name) }
                    td { (role_name(locale, u.role)) @if u.leader { " · " (tr(locale, id!("web-admin-leader-short"))) } }
                    td { (u.facility.as_deref().unwrap_or("—")) }
                    td { (u.department.as_deref().unwrap_or("—")) }
                    td { @if let Some(at) = u.disabled_at { (tr_args(locale, id!("web-admin-disabled"), &[("date", when(at).into())])) } @else { (tr(locale, id!("web-admin-active"))) } }
                    td { @if u.disabled_at.is_none() && u.id != viewer.user.id {
                        (button(format!("/admin/users/{}/disable", u.id), tr(locale, id!("web-admin-disable"))))
                    } }
                } } }
            } }
            h3 { (tr(locale, id!("web-admin-add-user"))) }
            form.stack method="post" action="/admin/users" {
                input type="hidden" name="csrf" value=(viewer.csrf);
                label for="uname" { (tr(locale, id!("web-login-name"))) }
                input #uname name="name" required maxlength="64" autocomplete="off";
                label for="role" { (tr(locale, id!("web-admin-role"))) }
                select #role name="role" { @for r in Role::ALL { option value=(r.as_str()) { (role_name(locale, r)) } } }
                label for="ufacility" { (tr(locale, id!("web-admin-facility-if"))) }
                input #ufacility name="facility" maxlength="200";
                label for="udepartment" { (tr(locale, id!("web-admin-department-if"))) }
                input #udepartment name="department" maxlength="200";
                label.check for="uleader" {
                    input #uleader type="checkbox" name="leader" value="1";
                    " " (tr(locale, id!("web-admin-leader")))
                }
                label for="upassword" { (tr(locale, id!("web-login-password"))) }
                input #upassword name="password" type="password" required minlength=(accounts::MIN_PASSWORD) autocomplete="new-password";
                button type="submit" { (tr(locale, id!("web-admin-add-user"))) }
            }
        }
        section {
            h2 { (tr(locale, id!("web-admin-alerts"))) }
            @if alerts.is_empty() { p { (tr(locale, id!("web-admin-alerts-none"))) } } @else {
                div.scroll tabindex="0" { table {
                    thead { tr {
                        th scope="col" { (tr(locale, id!("web-admin-alert-event"))) }
                        th scope="col" { (tr(locale, id!("web-admin-alert-to"))) }
                        th scope="col" { (tr(locale, id!("web-admin-alert-subject"))) }
                        th scope="col" { (tr(locale, id!("web-admin-alert-state"))) }
                        th scope="col" { (tr(locale, id!("web-admin-alert-error"))) }
                    } }
                    tbody { @for a in &alerts { tr {
                        th scope="row" { (crate::centre::alerts::event_words(locale, &a.event)) }
                        td { (a.recipient) }
                        td { (a.subject) }
                        td { @if let Some(at) = a.sent_at { (tr_args(locale, id!("web-admin-alert-sent"), &[("when", when(at).into())])) }
                             @else { (tr_args(locale, id!("web-admin-alert-waiting"), &[("attempts", a.attempts.into()), ("when", when(a.next_at).into())])) } }
                        td { (a.last_error.as_deref().unwrap_or("")) }
                    } } }
                } }
            }
        }
    };
    Ok(layout::page(
        locale,
        &tr(locale, id!("web-admin-title")),
        Some(viewer),
        body,
    ))
}

fn role_name(locale: crate::survey::Locale, role: Role) -> String {
    tr(
        locale,
        match role {
            Role::Admin => id!("web-role-admin"),
            Role::Province => id!("web-role-province"),
            Role::Facility => id!("web-role-facility"),
            Role::Department => id!("web-role-department"),
        },
    )
}

/// The `[centre]` block of a new token, shown once.
fn token_notice(locale: crate::survey::Locale, kiosk: &KioskInfo, token: &str, host: &str) -> Markup {
    let block = format!("[centre]\nurl = \"http://{host}\"\ntoken = \"{token}\"\n");
    html! {
        div.notice role="status" {
            p { (tr_args(locale, id!("web-admin-token-once"), &[("kiosk", kiosk.name.clone().into()), ("facility", kiosk.facility.clone().into())])) }
            pre { code { (block) } }
        }
    }
}

fn host_of(headers: &axum::http::HeaderMap) -> String {
    headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| h.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)))
        .unwrap_or("CENTRE:8080")
        .to_string()
}

/// `GET /admin`.
pub async fn page(State(centre): State<Centre>, Admin(viewer): Admin) -> Result<Response, PageError> {
    blocking(move || page_of(&centre, &viewer, None).map(html)).await
}

/// The kiosk enrolment form.
#[derive(Debug, Deserialize)]
pub struct EnrolForm {
    facility: String,
    name: String,
}

/// `POST /admin/kiosks`: enrols a kiosk and shows its token once.
pub async fn enrol(
    State(centre): State<Centre>,
    Admin(viewer): Admin,
    headers: axum::http::HeaderMap,
    Posted(f): Posted<EnrolForm>,
) -> Result<Response, PageError> {
    let locale = viewer.locale;
    let host = host_of(&headers);
    let (facility, name) = (f.facility.trim().to_string(), f.name.trim().to_string());
    for (field, v) in [("facility", &facility), ("name", &name)] {
        crate::centre::store::check_name(field, v).map_err(PageError::BadRequest)?;
        if v.is_empty() {
            return Err(PageError::BadRequest(tr(locale, id!("web-error-form"))));
        }
    }
    blocking(move || {
        let token = new_token();
        let kiosk = centre
            .store
            .add_kiosk(&facility, &name, &token_hash(&token))
            .map_err(|e| super::facility_refusal(locale, e))?;
        tracing::info!(user = ?viewer.user.name, facility = ?kiosk.facility, kiosk = ?kiosk.name, "kiosk enrolled from the web");
        let notice = token_notice(locale, &kiosk, &token, &host);
        page_of(&centre, &viewer, Some(notice)).map(html)
    })
    .await
}

/// `POST /admin/kiosks/<id>/revoke`.
pub async fn revoke(
    State(centre): State<Centre>,
    Admin(viewer): Admin,
    Path(id): Path<String>,
    _: Posted<Empty>,
) -> Result<Response, PageError> {
    blocking(move || {
        centre.store.revoke_kiosk(&id)?;
        tracing::info!(user = ?viewer.user.name, enrolment = ?id, "kiosk revoked from the web");
        Ok(Redirect::to("/admin").into_response())
    })
    .await
}

/// `POST /admin/kiosks/<id>/renew`: a new token for a known kiosk, shown once.
pub async fn renew(
    State(centre): State<Centre>,
    Admin(viewer): Admin,
    headers: axum::http::HeaderMap,
    Path(id): Path<String>,
    _: Posted<Empty>,
) -> Result<Response, PageError> {
    let locale = viewer.locale;
    let host = host_of(&headers);
    blocking(move || {
        let token = new_token();
        let kiosk = centre.store.renew_kiosk(&id, &token_hash(&token))?;
        tracing::info!(user = ?viewer.user.name, enrolment = ?id, "kiosk renewed from the web");
        let notice = token_notice(locale, &kiosk, &token, &host);
        page_of(&centre, &viewer, Some(notice)).map(html)
    })
    .await
}

/// The new account form.
#[derive(Debug, Deserialize)]
pub struct UserForm {
    name: String,
    role: String,
    #[serde(default)]
    facility: String,
    #[serde(default)]
    department: String,
    /// The "leader" checkbox (sent only when ticked).
    #[serde(default)]
    leader: Option<String>,
    password: String,
}

/// `POST /admin/users`.
pub async fn add_user(
    State(centre): State<Centre>,
    Admin(viewer): Admin,
    Posted(f): Posted<UserForm>,
) -> Result<Response, PageError> {
    let locale = viewer.locale;
    let role = Role::parse(&f.role).ok_or_else(|| PageError::BadRequest(tr(locale, id!("web-error-form"))))?;
    let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let new = NewUser {
        name: f.name.trim().to_string(),
        role,
        facility: opt(&f.facility),
        department: opt(&f.department),
        leader: f.leader.is_some(),
    };
    new.check().map_err(|e| PageError::BadRequest(e.message(locale)))?;
    accounts::check_password(&f.password).map_err(|e| PageError::BadRequest(e.message(locale)))?;
    blocking(move || {
        if let Some(facility) = &new.facility {
            known_facility(&centre, locale, facility)?;
        }
        match centre.accounts.add_user(&new, &accounts::hash_password(&f.password)?) {
            Ok(u) => tracing::info!(user = ?viewer.user.name, added = ?u.name, role = u.role.as_str(), "account added from the web"),
            Err(crate::centre::store::Error::Conflict(why)) => return Err(PageError::BadRequest(why)),
            Err(e) => return Err(e.into()),
        }
        Ok(Redirect::to("/admin").into_response())
    })
    .await
}

/// Refuses an account for a facility the centre does not know, naming the one a name without
/// its accents stands for.
fn known_facility(centre: &Centre, locale: crate::survey::Locale, facility: &str) -> Result<(), PageError> {
    if centre.store.facility_list()?.iter().any(|f| f.name == facility) {
        return Ok(());
    }
    let slug = crate::text::slug(facility);
    if let Some(existing) = centre.store.facility_by_slug(&slug)? {
        return Err(super::facility_refusal(
            locale,
            crate::centre::store::Error::FacilityTaken {
                name: facility.to_string(),
                slug,
                existing,
            },
        ));
    }
    Err(PageError::BadRequest(tr_args(
        locale,
        id!("web-admin-unknown-facility"),
        &[("facility", facility.into())],
    )))
}

/// `POST /admin/users/<id>/disable`.
pub async fn disable_user(
    State(centre): State<Centre>,
    Admin(viewer): Admin,
    Path(id): Path<i64>,
    _: Posted<Empty>,
) -> Result<Response, PageError> {
    blocking(move || {
        let user = centre
            .accounts
            .users()?
            .into_iter()
            .find(|u| u.id == id)
            .ok_or(PageError::NotFound)?;
        centre.accounts.disable_user(&user.name)?;
        tracing::info!(user = ?viewer.user.name, disabled = ?user.name, "account disabled from the web");
        Ok(Redirect::to("/admin").into_response())
    })
    .await
}
