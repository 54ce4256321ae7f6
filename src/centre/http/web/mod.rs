//! The centre's web pages (DESIGN §8): server-rendered HTML from `maud` templates (every
//! spliced value is escaped unless marked otherwise; none is), inline SVG charts, no scripts.
//! Text comes from `i18n/` (Vietnamese by default, `?lang=en` switches), numbers and dates in
//! the reader's format.
//!
//! Who may see what is checked here on every route, from the session's account
//! ([`crate::centre::accounts::User::may_read`]); the API keeps its own bearer tokens.

mod admin;
mod auth;
mod chart;
mod export;
mod facility;
pub mod feedback;
mod fmt;
mod layout;
pub mod overview;
mod periods;
pub mod public;
mod quarterly;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Utc;
use maud::Markup;

use crate::centre::accounts::{SESSION_TOUCH, User};
use crate::centre::{Centre, token_hash};
use crate::i18n::tr;
use crate::survey::Locale;

pub use auth::{LOGIN_CSRF_COOKIE, SESSION_COOKIE};
pub use public::{Cell, Suppression};

/// Largest form body a page accepts.
pub const MAX_FORM: usize = 16 * 1024;

/// The pages' routes.
pub fn routes(centre: Centre) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/logout", post(auth::logout))
        .route(
            "/account/password",
            get(auth::password_page).post(auth::change_password),
        )
        .route("/lang/{lang}", get(switch_language))
        .route("/overview", get(overview::page))
        .route("/overview/export.csv", get(export::all_csv))
        .route("/overview/export.xlsx", get(export::all_xlsx))
        .route("/admin", get(admin::page))
        .route("/admin/kiosks", post(admin::enrol))
        .route("/admin/kiosks/{id}/revoke", post(admin::revoke))
        .route("/admin/kiosks/{id}/renew", post(admin::renew))
        .route("/admin/users", post(admin::add_user))
        .route("/admin/users/{id}/disable", post(admin::disable_user))
        .route("/facility/{slug}", get(facility::page))
        .route("/facility/{slug}/report", get(quarterly::page).post(quarterly::save))
        .route("/facility/{slug}/report.docx", get(quarterly::docx))
        .route("/facility/{slug}/export.csv", get(export::csv))
        .route("/facility/{slug}/export.xlsx", get(export::xlsx))
        .route("/public/{slug}", get(public::page))
        .route("/public/{slug}/open-data.csv", get(public::open_data))
        .route("/public/{slug}/qr.svg", get(public::qr))
        .route("/feedback", get(feedback::inbox::home))
        .route(
            "/feedback/item/{code}",
            get(feedback::item::page).post(feedback::item::act),
        )
        .route("/feedback/{slug}", get(feedback::inbox::page))
        .route(
            "/feedback/{slug}/new",
            get(feedback::inbox::new_page).post(feedback::inbox::enter),
        )
        .route(
            "/feedback/{slug}/openings",
            get(feedback::inbox::openings).post(feedback::inbox::add_opening),
        )
        .route("/feedback/{slug}/register.xlsx", get(feedback::inbox::register))
        .route("/feedback/{slug}/from-comment", post(feedback::inbox::from_comment))
        .route(
            "/gop-y/{slug}",
            get(feedback::public::form).post(feedback::public::send),
        )
        .route("/theo-doi", get(feedback::public::follow))
        .route("/assets/hailong.css", get(stylesheet))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_FORM))
        .layer(axum::middleware::from_fn(security_headers))
        .layer(axum::middleware::from_fn(auth::peer))
        .with_state(centre)
}

/// The headers every page carries: no scripts, styles or images from anywhere but here, no
/// framing (except the public page's embeddable variant, which sets its own), no MIME sniffing.
async fn security_headers(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    let defaults = [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
    ];
    for (name, value) in defaults {
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../../../assets/web/hailong.css"),
    )
}

/// `/`: the overview for a logged-in reader, the login page otherwise.
async fn home(viewer: Result<Viewer, Response>) -> Response {
    match viewer {
        Ok(v) => Redirect::to(&overview::home_of(&v.user)).into_response(),
        Err(to_login) => to_login,
    }
}

async fn not_found(headers: HeaderMap) -> Response {
    PageError::NotFound.render(locale_of(&headers))
}

/// `/lang/vi` or `/lang/en`: remembers the reader's language in a cookie and goes back.
async fn switch_language(
    axum::extract::Path(lang): axum::extract::Path<String>,
    headers: HeaderMap,
    query: axum::extract::Query<NextQuery>,
) -> Response {
    let locale = Locale::from_tag(&lang).unwrap_or_default();
    // Back to the page the link was on (its path, from the Referer), or to `next`.
    let referer = headers
        .get(header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| r.split_once("://"))
        .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]));
    let next = local_path(query.next.as_deref())
        .or_else(|| local_path(referer))
        .unwrap_or("/");
    let mut response = Redirect::to(next).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        locale.tag()
    )) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

/// A `next=` query parameter (where to go after login or a language switch).
#[derive(Debug, serde::Deserialize)]
pub struct NextQuery {
    /// A local path.
    pub next: Option<String>,
}

/// `path` if it is a path on this site (`/…`, not `//host…` nor `/\host`), else `None`: a
/// `next=` parameter must not send a reader elsewhere.
pub fn local_path(path: Option<&str>) -> Option<&str> {
    path.filter(|p| {
        p.starts_with('/') && !p.starts_with("//") && !p.starts_with("/\\") && !p.chars().any(char::is_control)
    })
}

/// The cookie holding the reader's language.
pub const LANG_COOKIE: &str = "hl_lang";

/// The value of cookie `name`, if the request carries it.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The reader's language: their choice (cookie), else Vietnamese.
pub fn locale_of(headers: &HeaderMap) -> Locale {
    cookie(headers, LANG_COOKIE)
        .and_then(Locale::from_tag)
        .unwrap_or_default()
}

/// The logged-in reader of a page.
pub struct Viewer {
    /// Their account.
    pub user: User,
    /// Their session's CSRF token, which every form they post must carry.
    pub csrf: String,
    /// Their language.
    pub locale: Locale,
    /// Their session token's hash.
    session: String,
}

impl Viewer {
    /// Refuses a form whose CSRF token is not this session's.
    pub fn check_csrf(&self, sent: &str) -> Result<(), PageError> {
        if constant_time_eq(sent.as_bytes(), self.csrf.as_bytes()) {
            Ok(())
        } else {
            Err(PageError::Csrf)
        }
    }

    /// Refuses unless the reader may read `facility` (and `department`).
    pub fn may_read(&self, facility: &str, department: Option<&str>) -> Result<(), PageError> {
        if self.user.may_read(facility, department) {
            Ok(())
        } else {
            Err(PageError::Forbidden)
        }
    }
}

/// Equality that takes the same time wherever the first difference is.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl FromRequestParts<Centre> for Viewer {
    /// The login page (with `next` = this page) for a reader without a live session.
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, centre: &Centre) -> Result<Self, Self::Rejection> {
        let locale = locale_of(&parts.headers);
        let to_login = || {
            let here = parts.uri.path_and_query().map_or("/", |p| p.as_str());
            let next = form_urlencoded::byte_serialize(here.as_bytes()).collect::<String>();
            Redirect::to(&format!("/login?next={next}")).into_response()
        };
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(to_login());
        };
        let hash = token_hash(token);
        let c = centre.clone();
        let h = hash.clone();
        let now = Utc::now();
        let session = tokio::task::spawn_blocking(move || {
            let session = c.accounts.session(&h)?;
            match &session {
                Some(s) if !s.alive(now) => c.accounts.end_session(&h)?,
                Some(s) if now - s.last_seen > SESSION_TOUCH => c.accounts.touch_session(&h, now)?,
                _ => {}
            }
            Ok::<_, crate::centre::store::Error>(session.filter(|s| s.alive(now)))
        })
        .await
        .map_err(|e| PageError::internal(e).render(locale))?
        .map_err(|e| PageError::internal(e).render(locale))?;
        match session {
            Some(s) => Ok(Viewer {
                user: s.user,
                csrf: s.csrf,
                locale,
                session: hash,
            }),
            None => Err(to_login()),
        }
    }
}

/// Why a page cannot be shown, rendered as a page in the reader's language.
#[derive(Debug)]
pub enum PageError {
    /// No such page, facility or item.
    NotFound,
    /// The reader may not see it.
    Forbidden,
    /// A form without this session's CSRF token (or a stale one).
    Csrf,
    /// A request that cannot be served as sent (the message names the problem).
    BadRequest(String),
    /// The server failed (the details are in the log only).
    Internal,
}

impl PageError {
    /// Logs `e` and returns [`PageError::Internal`].
    pub fn internal(e: impl std::fmt::Display) -> PageError {
        tracing::error!(error = ?e.to_string(), "page failed");
        PageError::Internal
    }

    /// The error page.
    pub fn render(self, locale: Locale) -> Response {
        let (status, title, detail) = match &self {
            PageError::NotFound => (StatusCode::NOT_FOUND, id!("web-error-not-found"), None),
            PageError::Forbidden => (StatusCode::FORBIDDEN, id!("web-error-forbidden"), None),
            PageError::Csrf => (StatusCode::FORBIDDEN, id!("web-error-csrf"), None),
            PageError::BadRequest(why) => (StatusCode::BAD_REQUEST, id!("web-error-bad-request"), Some(why.clone())),
            PageError::Internal => (StatusCode::INTERNAL_SERVER_ERROR, id!("web-error-internal"), None),
        };
        if status.is_client_error() {
            tracing::info!(status = status.as_u16(), detail = ?detail, "page refused");
        }
        let title = tr(locale, title);
        let body = maud::html! {
            h1 { (title) }
            @if let Some(d) = &detail { p { (d) } }
            p { a href="/" { (tr(locale, id!("web-back-home"))) } }
        };
        (status, Html(layout::page(locale, &title, None, body).into_string())).into_response()
    }
}

impl From<crate::centre::store::Error> for PageError {
    fn from(e: crate::centre::store::Error) -> Self {
        match e {
            crate::centre::store::Error::NotFound(_) => PageError::NotFound,
            e => PageError::internal(e),
        }
    }
}

/// A page's result: its HTML, or an error page.
pub struct Page(pub Result<Response, (PageError, Locale)>);

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        match self.0 {
            Ok(r) => r,
            Err((e, locale)) => e.render(locale),
        }
    }
}

/// HTML with the page's status.
pub fn html(markup: Markup) -> Response {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        markup.into_string(),
    )
        .into_response()
}

/// Runs blocking storage work off the async workers.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, PageError> + Send + 'static,
) -> Result<T, PageError> {
    tokio::task::spawn_blocking(f).await.map_err(PageError::internal)?
}

/// The facility whose [`crate::text::slug`] is `slug`, among those the centre knows.
pub fn facility_by_slug(centre: &Centre, slug: &str) -> Result<Option<String>, PageError> {
    Ok(facilities(centre)?.into_iter().find(|f| crate::text::slug(f) == slug))
}

/// The facility `slug` names, if `user` may read it: [`PageError::NotFound`] when the centre
/// knows no such facility, [`PageError::Forbidden`] when the account may not see it.
pub fn readable_facility(centre: &Centre, user: &User, slug: &str) -> Result<String, PageError> {
    let facility = facility_by_slug(centre, slug)?.ok_or(PageError::NotFound)?;
    if user.may_read(&facility, None) {
        Ok(facility)
    } else {
        Err(PageError::Forbidden)
    }
}

/// Every facility the centre knows (those with an enrolled kiosk), by name.
pub fn facilities(centre: &Centre) -> Result<Vec<String>, PageError> {
    Ok(centre.store.facility_names()?)
}

/// The address the reader reached the centre at (`http://host:port`, `https://` behind TLS),
/// from the `Host` header when it is a plain host name; for links printed as QR codes.
pub fn site_url(centre: &Centre, headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| h.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)))
        .unwrap_or("localhost");
    let scheme = if centre.web.secure_cookies { "https" } else { "http" };
    format!("{scheme}://{host}")
}

/// `url` as a QR code in SVG (180 px at least, with its quiet zone).
pub fn qr_svg(url: &str) -> Option<String> {
    let code = qrcode::QrCode::new(url.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color>()
            .min_dimensions(180, 180)
            .quiet_zone(true)
            .build(),
    )
}

/// The state every handler takes.
pub type Ctx = State<Centre>;
