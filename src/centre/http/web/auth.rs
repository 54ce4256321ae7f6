//! Logging in and out, and changing one's password.
//!
//! The login form carries a token that must match a cookie set with the form (a forged
//! cross-site post cannot read or set it); later forms carry the session's own token. Failed
//! logins are counted per account name and per client address in the database (so every
//! `centre serve` process on one PostgreSQL counts the same), and the messages never say whether
//! an account exists.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use maud::html;
use serde::Deserialize;

use super::{NextQuery, Page, PageError, Viewer, blocking, cookie, html, layout, local_path, locale_of};
use crate::centre::accounts::{
    self, MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_ADDRESS, SESSION_ABSOLUTE, THROTTLE_WINDOW,
};
use crate::centre::{Centre, new_token, token_hash};
use crate::i18n::{tr, tr_args};
use crate::survey::Locale;

/// The session cookie (a random 256-bit token; the database keeps only its hash).
pub const SESSION_COOKIE: &str = "hl_session";
/// The login form's CSRF cookie.
pub const LOGIN_CSRF_COOKIE: &str = "hl_login";

pub(super) fn cookie_header(centre: &Centre, name: &str, value: &str, max_age: i64) -> HeaderValue {
    let secure = if centre.web.secure_cookies { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}"
    ))
    .expect("cookie values are hex")
}

fn login_form(locale: Locale, csrf: &str, next: &str, name: &str, message: Option<String>) -> maud::Markup {
    let body = html! {
        section.narrow {
            h1 { (tr(locale, id!("web-login-title"))) }
            @if let Some(m) = &message { p.alert role="alert" { (m) } }
            form method="post" action="/login" {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="next" value=(next);
                label for="name" { (tr(locale, id!("web-login-name"))) }
                input id="name" name="name" type="text" autocomplete="username" required value=(name) autofocus;
                label for="password" { (tr(locale, id!("web-login-password"))) }
                input id="password" name="password" type="password" autocomplete="current-password" required;
                button type="submit" { (tr(locale, id!("web-login-submit"))) }
            }
        }
    };
    layout::page(locale, &tr(locale, id!("web-login-title")), None, body)
}

/// `GET /login`.
pub async fn login_page(State(centre): State<Centre>, headers: HeaderMap, Query(q): Query<NextQuery>) -> Response {
    let locale = locale_of(&headers);
    let csrf = new_token();
    let next = local_path(q.next.as_deref()).unwrap_or("/");
    let mut response = html(login_form(locale, &csrf, next, "", None));
    response.headers_mut().append(
        header::SET_COOKIE,
        cookie_header(&centre, LOGIN_CSRF_COOKIE, &csrf, 3600),
    );
    response
}

/// The login form.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    csrf: String,
    name: String,
    password: String,
    #[serde(default)]
    next: String,
}

/// The address failed logins are counted against: the peer, or with
/// [`crate::centre::WebOptions::trust_forwarded_for`] the proxy's `X-Forwarded-For` (its last
/// entry, the one the proxy itself added).
pub(super) fn client_address(centre: &Centre, headers: &HeaderMap, peer: Option<SocketAddr>) -> String {
    if centre.web.trust_forwarded_for
        && let Some(forwarded) = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok())
        && let Some(last) = forwarded.rsplit(',').next()
    {
        return last.trim().to_string();
    }
    peer.map_or_else(|| "unknown".into(), |p| p.ip().to_string())
}

/// The connection's peer address, when the server was started with connect info (see
/// [`super::routes`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct Peer(pub Option<SocketAddr>);

/// Puts the [`Peer`] into the request's extensions, from axum's `ConnectInfo` when present.
pub async fn peer(mut req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let addr = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    req.extensions_mut().insert(Peer(addr));
    next.run(req).await
}

/// What a login attempt comes to.
enum Outcome {
    LoggedIn { token: String },
    Refused,
    Throttled,
}

/// `POST /login`.
pub async fn login(
    State(centre): State<Centre>,
    headers: HeaderMap,
    peer: axum::Extension<Peer>,
    form: Result<axum::Form<LoginForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let locale = locale_of(&headers);
    let Ok(axum::Form(form)) = form else {
        return PageError::BadRequest(tr(locale, id!("web-error-form"))).render(locale);
    };
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or("");
    if expected.is_empty() || !super::constant_time_eq(expected.as_bytes(), form.csrf.as_bytes()) {
        return PageError::Csrf.render(locale);
    }
    let address = client_address(&centre, &headers, peer.0.0);
    let c = centre.clone();
    let name = form.name.clone();
    let password = form.password;
    let outcome = blocking(move || {
        let now = Utc::now();
        let since = now - THROTTLE_WINDOW;
        let account_key = format!("account:{name}");
        let address_key = format!("address:{address}");
        if c.accounts.login_failures(&account_key, since)? >= MAX_FAILURES_PER_ACCOUNT
            || c.accounts.login_failures(&address_key, since)? >= MAX_FAILURES_PER_ADDRESS
        {
            // Counted too: a throttled guesser keeps the window shut.
            c.accounts.record_login_failure(&[&account_key, &address_key], now)?;
            return Ok(Outcome::Throttled);
        }
        let found = c.accounts.user_by_name(&name)?;
        let (hash, user) = match &found {
            Some((user, hash)) => (hash.as_str(), Some(user)),
            None => (accounts::dummy_hash(), None),
        };
        let matches = accounts::verify_password(hash, &password);
        match user {
            Some(user) if matches && user.disabled_at.is_none() => {
                let token = new_token();
                c.accounts
                    .create_session(&token_hash(&token), user.id, &new_token(), now)?;
                c.accounts.clear_login_failures(&account_key)?;
                tracing::info!(user = ?user.name, "logged in");
                Ok(Outcome::LoggedIn { token })
            }
            _ => {
                c.accounts.record_login_failure(&[&account_key, &address_key], now)?;
                tracing::info!(user = ?name, address = ?address, "login refused");
                Ok(Outcome::Refused)
            }
        }
    })
    .await;
    let next = local_path(Some(&form.next)).unwrap_or("/").to_string();
    match outcome {
        Ok(Outcome::LoggedIn { token }) => {
            let mut response = Redirect::to(&next).into_response();
            let headers = response.headers_mut();
            headers.append(
                header::SET_COOKIE,
                cookie_header(&centre, SESSION_COOKIE, &token, SESSION_ABSOLUTE.num_seconds()),
            );
            headers.append(header::SET_COOKIE, cookie_header(&centre, LOGIN_CSRF_COOKIE, "", 0));
            response
        }
        Ok(refused) => {
            let message = match refused {
                Outcome::Throttled => tr_args(
                    locale,
                    id!("web-login-throttled"),
                    &[("minutes", THROTTLE_WINDOW.num_minutes().into())],
                ),
                _ => tr(locale, id!("web-login-refused")),
            };
            let mut response = html(login_form(locale, expected, &next, &form.name, Some(message)));
            *response.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
            response
        }
        Err(e) => e.render(locale),
    }
}

/// The login page, with the session cookie cleared (after logout or a password change).
fn back_to_login(centre: &Centre) -> Response {
    let mut response = Redirect::to("/login").into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, cookie_header(centre, SESSION_COOKIE, "", 0));
    response
}

/// A form that only carries the CSRF token.
#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

/// `POST /logout`.
pub async fn logout(
    State(centre): State<Centre>,
    viewer: Viewer,
    form: Result<axum::Form<CsrfForm>, axum::extract::rejection::FormRejection>,
) -> Page {
    let locale = viewer.locale;
    let result = async {
        let axum::Form(form) = form.map_err(|_| PageError::BadRequest(tr(locale, id!("web-error-form"))))?;
        viewer.check_csrf(&form.csrf)?;
        let session = viewer.session.clone();
        let accounts = centre.accounts.clone();
        blocking(move || Ok(accounts.end_session(&session)?)).await?;
        Ok(back_to_login(&centre))
    }
    .await;
    Page(result.map_err(|e| (e, locale)))
}

fn password_form(viewer: &Viewer, message: Option<(bool, String)>) -> maud::Markup {
    let locale = viewer.locale;
    let body = html! {
        section.narrow {
            h1 { (tr(locale, id!("web-password-title"))) }
            @if let Some((ok, m)) = &message {
                p class=(if *ok { "notice" } else { "alert" }) role="alert" { (m) }
            }
            form method="post" action="/account/password" {
                input type="hidden" name="csrf" value=(viewer.csrf);
                label for="current" { (tr(locale, id!("web-password-current"))) }
                input id="current" name="current" type="password" autocomplete="current-password" required;
                label for="new" { (tr(locale, id!("web-password-new"))) }
                input id="new" name="new" type="password" autocomplete="new-password" required
                    minlength=(accounts::MIN_PASSWORD);
                label for="again" { (tr(locale, id!("web-password-again"))) }
                input id="again" name="again" type="password" autocomplete="new-password" required;
                button type="submit" { (tr(locale, id!("web-password-submit"))) }
            }
        }
    };
    layout::page(locale, &tr(locale, id!("web-password-title")), Some(viewer), body)
}

/// `GET /account/password`.
pub async fn password_page(viewer: Viewer) -> Response {
    html(password_form(&viewer, None))
}

/// The password form.
#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    csrf: String,
    current: String,
    new: String,
    again: String,
}

/// `POST /account/password`: checks the current password, sets the new one, ends every
/// session of the account (this one included) and asks for a fresh login.
pub async fn change_password(
    State(centre): State<Centre>,
    viewer: Viewer,
    form: Result<axum::Form<PasswordForm>, axum::extract::rejection::FormRejection>,
) -> Page {
    let locale = viewer.locale;
    let result = async {
        let axum::Form(form) = form.map_err(|_| PageError::BadRequest(tr(locale, id!("web-error-form"))))?;
        viewer.check_csrf(&form.csrf)?;
        let refuse = |id: crate::i18n::Id, args: &[(&str, fluent_bundle::FluentValue<'_>)]| {
            let mut r = html(password_form(&viewer, Some((false, tr_args(locale, id, args)))));
            *r.status_mut() = axum::http::StatusCode::BAD_REQUEST;
            Ok(r)
        };
        if form.new != form.again {
            return refuse(id!("web-password-mismatch"), &[]);
        }
        if accounts::check_password(&form.new).is_err() {
            return refuse(
                id!("web-password-length"),
                &[
                    ("min", accounts::MIN_PASSWORD.into()),
                    ("max", accounts::MAX_PASSWORD.into()),
                ],
            );
        }
        let name = viewer.user.name.clone();
        let c = centre.clone();
        let changed = blocking(move || {
            let Some((_, hash)) = c.accounts.user_by_name(&name)? else {
                return Ok(false);
            };
            if !accounts::verify_password(&hash, &form.current) {
                return Ok(false);
            }
            c.accounts.set_password(&name, &accounts::hash_password(&form.new)?)?;
            tracing::info!(user = ?name, "password changed");
            Ok(true)
        })
        .await?;
        if !changed {
            return refuse(id!("web-password-wrong"), &[]);
        }
        Ok(back_to_login(&centre))
    }
    .await;
    Page(result.map_err(|e| (e, locale)))
}
