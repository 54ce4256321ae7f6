//! Logging in and out, and changing one's password.
//!
//! The login form carries a token that must match a cookie set with the form (a forged
//! cross-site post cannot read or set it); later forms carry the session's own token. Failed
//! logins (and wrong current passwords) are counted per account at an address and per address
//! in the database, by the rules of [`throttle`] (so every `centre serve` process on one
//! PostgreSQL counts the same), and the messages never say whether an account exists.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use maud::html;
use serde::Deserialize;

use super::guard::FormCookie;
use super::{
    NextQuery, PageError, Posted, PublicForm, SESSION_COOKIE, Viewer, blocking, html, layout, local_path, locale_of,
};
use crate::centre::accounts::throttle::{self, Keys};
use crate::centre::accounts::{self, SESSION_ABSOLUTE};
use crate::centre::{Centre, new_token, token_hash};
use crate::i18n::{tr, tr_args};
use crate::survey::Locale;

/// The login form's CSRF cookie.
pub const LOGIN_CSRF_COOKIE: &str = "hl_login";

/// The login form's token comes in [`LOGIN_CSRF_COOKIE`].
pub struct LoginCookie;
impl FormCookie for LoginCookie {
    const NAME: &'static str = LOGIN_CSRF_COOKIE;
}

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

/// The login form (its token is checked by [`PublicForm`]).
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    name: String,
    password: String,
    #[serde(default)]
    next: String,
}

/// The client's address, which failed logins and the feedback form's limits are counted
/// against: the connection's peer; or, with [`crate::centre::WebOptions::trust_forwarded_for`]
/// and a peer that is one of the trusted proxies, the nearest address in `X-Forwarded-For` that
/// is not itself a trusted proxy (a proxy appends the address it received from). A client that
/// reaches the centre directly cannot choose its address by writing the header.
pub(super) fn client_address(centre: &Centre, headers: &HeaderMap, peer: Option<SocketAddr>) -> String {
    let Some(peer) = peer.map(|p| p.ip()) else {
        return "unknown".into();
    };
    let trusted = |ip: &std::net::IpAddr| centre.web.trusted_proxies.iter().any(|net| net.contains(ip));
    if !centre.web.trust_forwarded_for || !trusted(&peer) {
        return peer.to_string();
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    let mut client = peer;
    for entry in forwarded.iter().rev() {
        match entry.parse::<std::net::IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !trusted(&ip) {
                    break;
                }
            }
            // Not an address (a proxy's garbage, or a client's): stop at the last good one.
            Err(_) => break,
        }
    }
    client.to_string()
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
    LoggedIn {
        token: String,
    },
    Refused,
    /// Wait until then (see [`throttle`]).
    Throttled(DateTime<Utc>),
}

/// Whether the account `name` may try a password from `address` now; if not, until when it
/// must wait. Nothing is written.
fn may_try(centre: &Centre, keys: &Keys, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, PageError> {
    let counters = centre.accounts.throttle_counters(&[&keys.pair, &keys.address])?;
    Ok(throttle::blocked(&counters, now))
}

/// "Try again in N minutes" (rounded up, at least one).
fn wait_message(locale: Locale, until: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let minutes = ((until - now).num_seconds() + 59).div_euclid(60).max(1);
    tr_args(locale, id!("web-login-throttled"), &[("minutes", minutes.into())])
}

/// `POST /login`.
pub async fn login(
    State(centre): State<Centre>,
    headers: HeaderMap,
    peer: axum::Extension<Peer>,
    form: PublicForm<LoginForm, LoginCookie>,
) -> Result<Response, PageError> {
    let locale = locale_of(&headers);
    let expected = form.csrf;
    let form = form.form;
    let address = client_address(&centre, &headers, peer.0.0);
    let c = centre.clone();
    let name = form.name.clone();
    let password = form.password;
    let now = centre.now();
    let outcome = blocking(move || {
        // A name no account can have, or a password no account can have: refused at once,
        // neither hashed nor counted (a flood of them writes nothing).
        if accounts::check_login_name(&name).is_err() || password.chars().count() > accounts::MAX_PASSWORD {
            return Ok(Outcome::Refused);
        }
        let keys = Keys::new(&name, &address);
        // A try that must wait is answered at once, and not counted.
        if let Some(until) = may_try(&c, &keys, now)? {
            return Ok(Outcome::Throttled(until));
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
                c.accounts.clear_throttle(&keys.pair)?;
                tracing::info!(user = ?user.name, "logged in");
                Ok(Outcome::LoggedIn { token })
            }
            _ => {
                c.accounts.record_failure(&keys, now)?;
                tracing::info!(user = ?name, address = ?address, "login refused");
                Ok(Outcome::Refused)
            }
        }
    })
    .await?;
    let next = local_path(Some(&form.next)).unwrap_or("/").to_string();
    let message = match outcome {
        Outcome::LoggedIn { token } => {
            let mut response = Redirect::to(&next).into_response();
            let headers = response.headers_mut();
            headers.append(
                header::SET_COOKIE,
                cookie_header(&centre, SESSION_COOKIE, &token, SESSION_ABSOLUTE.num_seconds()),
            );
            headers.append(header::SET_COOKIE, cookie_header(&centre, LOGIN_CSRF_COOKIE, "", 0));
            return Ok(response);
        }
        Outcome::Throttled(until) => wait_message(locale, until, now),
        Outcome::Refused => tr(locale, id!("web-login-refused")),
    };
    let shown: String = form.name.chars().take(64).collect();
    let mut response = html(login_form(locale, &expected, &next, &shown, Some(message)));
    *response.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
    Ok(response)
}

/// The login page, with the session cookie cleared (after logout or a password change).
fn back_to_login(centre: &Centre) -> Response {
    let mut response = Redirect::to("/login").into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, cookie_header(centre, SESSION_COOKIE, "", 0));
    response
}

/// A form that carries nothing but its CSRF token (checked by [`Posted`]).
#[derive(Debug, Deserialize)]
pub struct Empty {}

/// `POST /logout`.
pub async fn logout(State(centre): State<Centre>, viewer: Viewer, _: Posted<Empty>) -> Result<Response, PageError> {
    let session = viewer.session.clone();
    let accounts = centre.accounts.clone();
    blocking(move || Ok(accounts.end_session(&session)?)).await?;
    Ok(back_to_login(&centre))
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
    current: String,
    new: String,
    again: String,
}

/// `POST /account/password`: checks the current password, sets the new one, ends every
/// session of the account (this one included) and asks for a fresh login.
pub async fn change_password(
    State(centre): State<Centre>,
    viewer: Viewer,
    headers: HeaderMap,
    peer: axum::Extension<Peer>,
    Posted(form): Posted<PasswordForm>,
) -> Result<Response, PageError> {
    let address = client_address(&centre, &headers, peer.0.0);
    let locale = viewer.locale;
    {
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
        let now = centre.now();
        // Wrong current passwords count as failed logins of this account at this address: a
        // stolen session cannot be used to guess the password without limit.
        let keys = Keys::new(&name, &address);
        let changed = blocking(move || {
            if let Some(until) = may_try(&c, &keys, now)? {
                return Ok(Err(Some(until)));
            }
            let Some((_, hash)) = c.accounts.user_by_name(&name)? else {
                return Ok(Err(None));
            };
            if !accounts::verify_password(&hash, &form.current) {
                c.accounts.record_failure(&keys, now)?;
                tracing::info!(user = ?name, "password change refused: wrong current password");
                return Ok(Err(None));
            }
            c.accounts.set_password(&name, &accounts::hash_password(&form.new)?)?;
            c.accounts.clear_throttle(&keys.pair)?;
            tracing::info!(user = ?name, "password changed");
            Ok(Ok(()))
        })
        .await?;
        match changed {
            Ok(()) => Ok(back_to_login(&centre)),
            Err(Some(until)) => {
                let mut r = html(password_form(&viewer, Some((false, wait_message(locale, until, now)))));
                *r.status_mut() = axum::http::StatusCode::TOO_MANY_REQUESTS;
                Ok(r)
            }
            Err(None) => refuse(id!("web-password-wrong"), &[]),
        }
    }
}
