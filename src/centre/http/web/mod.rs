//! The centre's web pages (DESIGN §8): server-rendered HTML from `maud` templates (every
//! spliced value is escaped unless marked otherwise; none is), inline SVG charts, no scripts;
//! and the phone form ([`phone`]) patients answer on their own phones.
//! Text comes from `i18n/` (Vietnamese by default, `?lang=en` switches), numbers and dates in
//! the reader's format.
//!
//! Who may see what is checked here on every route, from the session's account
//! ([`crate::centre::accounts::User::may_read`]); the API keeps its own bearer tokens.

mod admin;
mod auth;
mod chart;
mod error;
mod export;
mod facility;
pub mod feedback;
mod fmt;
pub mod guard;
mod layout;
pub mod overview;
mod periods;
pub mod phone;
pub mod public;
mod quarterly;
pub mod sheet;

use axum::Router;
use axum::extract::State;
use axum::handler::Handler;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, get, post};
use maud::Markup;

use crate::centre::Centre;
use crate::centre::accounts::User;
use crate::survey::Locale;

pub use auth::LOGIN_CSRF_COOKIE;
pub use error::PageError;
pub use guard::{Admin, FacilityAccess, FacilityReader, Posted, PublicForm, SESSION_COOKIE, Viewer, constant_time_eq};
pub use public::{Cell, Suppression};

/// Largest form body a page accepts.
pub const MAX_FORM: usize = 16 * 1024;

/// Who may call a route: the guard its handler takes (see [`guard`]). The route table says it
/// beside each route so that a test can walk every route and prove that each one refuses those
/// it must (`tests/web_routes.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone; a form carries the token of a cookie set with it.
    Public,
    /// Any logged-in account.
    Session,
    /// Admins.
    Admin,
    /// Accounts that may read the facility in the path ([`guard::AnyReader`]).
    FacilityReader,
    /// Accounts that read the whole facility in the path ([`guard::WholeReader`]).
    WholeFacility,
    /// The facility's own staff ([`guard::Staff`]).
    FacilityStaff,
    /// The facility's own staff and admins ([`guard::Editor`]).
    ReportEditor,
    /// Accounts that may read the feedback item in the path (and act on it as its rules say).
    Item,
}

/// One route of the table: method, path (axum's syntax), who may call it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteInfo {
    /// The method.
    pub method: Method,
    /// The path, with `{params}`.
    pub path: &'static str,
    /// Who may call it.
    pub access: Access,
}

/// The router and the table of what it holds, built together so that no route is missing from
/// the table.
struct Table {
    router: Router<Centre>,
    routes: Vec<RouteInfo>,
}

impl Table {
    fn add<H, T>(mut self, method: Method, path: &'static str, access: Access, handler: H) -> Table
    where
        H: Handler<T, Centre>,
        T: 'static,
    {
        let route: MethodRouter<Centre> = if method == Method::POST {
            post(handler)
        } else {
            get(handler)
        };
        self.router = self.router.route(path, route);
        self.routes.push(RouteInfo { method, path, access });
        self
    }

    fn get<H: Handler<T, Centre>, T: 'static>(self, path: &'static str, access: Access, handler: H) -> Table {
        self.add(Method::GET, path, access, handler)
    }

    fn post<H: Handler<T, Centre>, T: 'static>(self, path: &'static str, access: Access, handler: H) -> Table {
        self.add(Method::POST, path, access, handler)
    }
}

fn table() -> Table {
    use Access::*;
    Table {
        router: Router::new(),
        routes: Vec::new(),
    }
    .get("/", Public, home)
    .get("/login", Public, auth::login_page)
    .post("/login", Public, auth::login)
    .post("/logout", Session, auth::logout)
    .get("/account/password", Session, auth::password_page)
    .post("/account/password", Session, auth::change_password)
    .get("/lang/{lang}", Public, switch_language)
    .get("/overview", Session, overview::page)
    .get("/overview/export.csv", Session, export::all_csv)
    .get("/overview/export.xlsx", Session, export::all_xlsx)
    .get("/admin", Admin, admin::page)
    .post("/admin/kiosks", Admin, admin::enrol)
    .post("/admin/kiosks/{id}/revoke", Admin, admin::revoke)
    .post("/admin/kiosks/{id}/renew", Admin, admin::renew)
    .post("/admin/users", Admin, admin::add_user)
    .post("/admin/users/{id}/disable", Admin, admin::disable_user)
    .get("/facility/{slug}", FacilityReader, facility::page)
    .get("/facility/{slug}/report", WholeFacility, quarterly::page)
    .post("/facility/{slug}/report", ReportEditor, quarterly::save)
    .get("/facility/{slug}/report.docx", WholeFacility, quarterly::docx)
    .get("/facility/{slug}/export.csv", FacilityReader, export::csv)
    .get("/facility/{slug}/export.xlsx", FacilityReader, export::xlsx)
    .get("/public/{slug}", Public, public::page)
    .get("/public/{slug}/open-data.csv", Public, public::open_data)
    .get("/public/{slug}/qr.svg", Public, public::qr)
    .get("/feedback", Session, feedback::inbox::home)
    .get("/feedback/item/{code}", Item, feedback::item::page)
    .post("/feedback/item/{code}", Item, feedback::item::act)
    .get("/feedback/{slug}", FacilityReader, feedback::inbox::page)
    .get("/feedback/{slug}/new", FacilityStaff, feedback::inbox::new_page)
    .post("/feedback/{slug}/new", FacilityStaff, feedback::inbox::enter)
    .get("/feedback/{slug}/openings", FacilityStaff, feedback::inbox::openings)
    .post("/feedback/{slug}/openings", FacilityStaff, feedback::inbox::add_opening)
    .get(
        "/feedback/{slug}/register.xlsx",
        FacilityReader,
        feedback::inbox::register,
    )
    .post(
        "/feedback/{slug}/from-comment",
        FacilityStaff,
        feedback::inbox::from_comment,
    )
    .get("/gop-y/{slug}", Public, feedback::public::form)
    .post("/gop-y/{slug}", Public, feedback::public::send)
    .get("/theo-doi", Public, feedback::public::follow)
    .get("/p/{kiosk}/{form}/{code}", Public, phone::kiosk_start)
    .post("/p/{kiosk}/{form}/{code}", Public, phone::kiosk_redeem)
    .get("/t", Public, phone::ticket_typed)
    .get("/t/{code}", Public, phone::ticket_start)
    .post("/t/{code}", Public, phone::ticket_redeem)
    .get("/q/{code}", Public, phone::poster_start)
    .post("/q/{code}", Public, phone::poster_redeem)
    .get("/phone", Public, phone::screen)
    .post("/phone", Public, phone::answer)
    .get("/assets/hailong.css", Public, stylesheet)
    .get("/assets/phone.css", Public, phone::stylesheet)
    .get("/assets/{name}", Public, phone::face)
}

/// Every route of the pages, with who may call it.
pub fn route_list() -> Vec<RouteInfo> {
    table().routes
}

/// The pages' routes: bodies bounded in size and time (a stalled or dripping client is cut off
/// at [`guard::FORM_DEADLINE`]), errors rendered in the reader's language, security headers.
pub fn routes(centre: Centre) -> Router {
    table()
        .router
        .fallback(not_found)
        .layer(axum::middleware::from_fn(refuse_control))
        .layer(axum::middleware::from_fn(error::render))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(MAX_FORM))
        .layer(axum::middleware::from_fn_with_state(
            centre.web.form_deadline,
            super::limits::deadline,
        ))
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

/// Refuses, with 400, a path or query holding an encoded control character (`%00` in a slug or
/// a period): no handler, and no database, ever sees one.
async fn refuse_control(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let uri = req.uri();
    if has_encoded_control(uri.path()) || uri.query().is_some_and(has_encoded_control) {
        let locale = locale_of(req.headers());
        return PageError::BadRequest(crate::i18n::tr(locale, id!("web-error-address"))).into_response();
    }
    next.run(req).await
}

/// Whether `s` holds a percent-encoded control character (`%00`–`%1F`, `%7F`).
pub fn has_encoded_control(s: &str) -> bool {
    let b = s.as_bytes();
    b.windows(3).any(|w| {
        w[0] == b'%'
            && std::str::from_utf8(&w[1..])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .is_some_and(|v| v < 0x20 || v == 0x7f)
    })
}

/// `/`: the overview for a logged-in reader, the login page otherwise.
async fn home(viewer: Viewer) -> Redirect {
    Redirect::to(&home_of(&viewer.user))
}

/// Where an account lands after logging in: the overview for those who see every facility,
/// their facility's page for the others.
pub fn home_of(user: &User) -> String {
    use crate::centre::accounts::Role;
    match (&user.role, &user.facility) {
        (Role::Facility | Role::Department, Some(f)) => format!("/facility/{}", crate::text::slug(f)),
        _ => "/overview".into(),
    }
}

async fn not_found() -> PageError {
    PageError::NotFound
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

/// The facility whose stored slug is `slug` (slugs are unique: see
/// [`crate::centre::store::new_facility_slug`]).
pub fn facility_by_slug(centre: &Centre, slug: &str) -> Result<Option<String>, PageError> {
    Ok(centre.store.facility_by_slug(slug)?)
}

/// A facility-name refusal in the reader's language.
pub fn facility_refusal(locale: Locale, e: crate::centre::store::Error) -> PageError {
    match e {
        crate::centre::store::Error::FacilityTaken { name, slug, existing } => {
            PageError::BadRequest(crate::i18n::tr_args(
                locale,
                id!("web-facility-taken"),
                &[
                    ("name", name.into()),
                    ("slug", slug.into()),
                    ("existing", existing.into()),
                ],
            ))
        }
        e => e.into(),
    }
}

/// Every facility the centre knows (those with an enrolled kiosk), by name.
pub fn facilities(centre: &Centre) -> Result<Vec<String>, PageError> {
    Ok(centre.store.facility_names()?)
}

/// The centre's address for links that leave the page (QR codes, the embed snippet, e-mails):
/// the configured public address (`centre serve --public-url`) when there is one, else the
/// address the reader reached the centre at (`http://host:port`, `https://` behind TLS), from
/// the `Host` header when it is a plain host name.
pub fn site_url(centre: &Centre, headers: &HeaderMap) -> String {
    if let Some(url) = &centre.web.public_url {
        return url.clone();
    }
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
