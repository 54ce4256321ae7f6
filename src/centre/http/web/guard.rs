//! Who may call a route, and what a posted form must carry, as types: a handler's signature says
//! who may call it, and a form cannot be read without its checks.
//!
//! - [`Viewer`]: a logged-in reader (else the login page); [`Admin`]: an admin;
//!   [`FacilityAccess`]: a reader of the facility the path's `{slug}` names, by a [`Rule`]
//!   ([`AnyReader`], [`WholeReader`], [`Staff`], [`Editor`]).
//! - [`Posted`]: a logged-in reader's form — read within [`FORM_DEADLINE`] and
//!   [`super::MAX_FORM`] bytes, free of NUL and other control characters, carrying the session's
//!   CSRF token, then parsed. [`PublicForm`]: the same for the forms anyone may post (login, the
//!   feedback form), whose token must match the cookie set with the form.
//!
//! Every rejection is a [`PageError`], rendered in the reader's language.

use std::marker::PhantomData;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use serde::de::DeserializeOwned;

use super::{PageError, cookie, locale_of};
use crate::centre::accounts::{Role, SESSION_TOUCH, User};
use crate::centre::{Centre, token_hash};
use crate::i18n::tr;
use crate::survey::Locale;

/// The cookie holding a session's token.
pub const SESSION_COOKIE: &str = "hl_session";

/// How long a form's body may take to arrive, however slowly it is sent: a client dripping a
/// byte at a time is cut off here (a stall between two pieces is cut sooner, by the server).
pub const FORM_DEADLINE: std::time::Duration = std::time::Duration::from_secs(20);

/// The logged-in reader of a page.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// Their account.
    pub user: User,
    /// Their session's CSRF token, which every form they post must carry.
    pub csrf: String,
    /// Their language.
    pub locale: Locale,
    /// Their session token's hash.
    pub(super) session: String,
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
    /// [`PageError::Login`] (coming back here) for a reader without a live session.
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, centre: &Centre) -> Result<Self, PageError> {
        // Several guards of one request ask: the session is looked up once.
        if let Some(v) = parts.extensions.get::<Viewer>() {
            return Ok(v.clone());
        }
        let locale = locale_of(&parts.headers);
        let to_login = || PageError::Login {
            next: parts.uri.path_and_query().map_or("/", |p| p.as_str()).to_string(),
        };
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(to_login());
        };
        let hash = token_hash(token);
        let c = centre.clone();
        let h = hash.clone();
        let now = centre.now();
        let session = super::blocking(move || {
            let session = c.accounts.session(&h)?;
            match &session {
                Some(s) if !s.alive(now) => c.accounts.end_session(&h)?,
                Some(s) if now - s.last_seen > SESSION_TOUCH => c.accounts.touch_session(&h, now)?,
                _ => {}
            }
            Ok(session.filter(|s| s.alive(now)))
        })
        .await?;
        let Some(s) = session else {
            return Err(to_login());
        };
        let viewer = Viewer {
            user: s.user,
            csrf: s.csrf,
            locale,
            session: hash,
        };
        parts.extensions.insert(viewer.clone());
        Ok(viewer)
    }
}

/// An admin (others get 403).
pub struct Admin(pub Viewer);

impl FromRequestParts<Centre> for Admin {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, centre: &Centre) -> Result<Self, PageError> {
        let viewer = Viewer::from_request_parts(parts, centre).await?;
        if viewer.user.role == Role::Admin {
            Ok(Admin(viewer))
        } else {
            Err(PageError::Forbidden)
        }
    }
}

/// Who may use the routes of one facility.
pub trait Rule: Send + Sync + 'static {
    /// What the route table says of such routes.
    const ACCESS: super::Access;
    /// Whether `user` may, on `facility`'s routes.
    fn allows(user: &User, facility: &str) -> bool;
}

/// Every account that may read the facility: admins, the province, its own accounts, and its
/// department accounts (who then see their department).
pub struct AnyReader;
impl Rule for AnyReader {
    const ACCESS: super::Access = super::Access::FacilityReader;
    fn allows(user: &User, facility: &str) -> bool {
        user.may_read(facility, None)
    }
}

/// Those who read the whole facility: not its department accounts.
pub struct WholeReader;
impl Rule for WholeReader {
    const ACCESS: super::Access = super::Access::WholeFacility;
    fn allows(user: &User, facility: &str) -> bool {
        user.may_read(facility, None) && user.role != Role::Department
    }
}

/// The facility's own staff (its `facility` accounts): they enter letters, calls and box
/// openings and open cases from comments.
pub struct Staff;
impl Rule for Staff {
    const ACCESS: super::Access = super::Access::FacilityStaff;
    fn allows(user: &User, facility: &str) -> bool {
        crate::centre::feedback::may_enter(user, facility)
    }
}

/// The facility's own staff and admins: they write the quarterly report's section IV.
pub struct Editor;
impl Rule for Editor {
    const ACCESS: super::Access = super::Access::ReportEditor;
    fn allows(user: &User, facility: &str) -> bool {
        user.role == Role::Admin || Staff::allows(user, facility)
    }
}

/// A reader the rule `R` allows on the facility the path's `{slug}` names: 404 when the centre
/// knows no such facility, 403 when the rule does not allow the reader.
pub struct FacilityAccess<R: Rule> {
    /// The reader.
    pub viewer: Viewer,
    /// The facility's name.
    pub facility: String,
    /// Its slug, as in the path.
    pub slug: String,
    rule: PhantomData<R>,
}

/// A reader of the facility in the path.
pub type FacilityReader = FacilityAccess<AnyReader>;

impl<R: Rule> FromRequestParts<Centre> for FacilityAccess<R> {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, centre: &Centre) -> Result<Self, PageError> {
        let viewer = Viewer::from_request_parts(parts, centre).await?;
        let params = axum::extract::RawPathParams::from_request_parts(parts, centre)
            .await
            .map_err(|_| PageError::NotFound)?;
        let slug = params
            .iter()
            .find(|(k, _)| *k == "slug")
            .map(|(_, v)| v.to_string())
            .ok_or(PageError::NotFound)?;
        let c = centre.clone();
        let s = slug.clone();
        let facility = super::blocking(move || super::facility_by_slug(&c, &s)?.ok_or(PageError::NotFound)).await?;
        if !R::allows(&viewer.user, &facility) {
            return Err(PageError::Forbidden);
        }
        Ok(FacilityAccess {
            viewer,
            facility,
            slug,
            rule: PhantomData,
        })
    }
}

/// A form a logged-in reader posted, read and checked (see the module's notes): its CSRF token
/// is the session's, or the request is refused with 403 before the form is parsed.
pub struct Posted<T>(pub T);

impl<T: DeserializeOwned> FromRequest<Centre> for Posted<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, centre: &Centre) -> Result<Self, PageError> {
        let (mut parts, body) = req.into_parts();
        let viewer = Viewer::from_request_parts(&mut parts, centre).await?;
        let form = read_form(&parts.headers, body, viewer.locale, centre.web.form_deadline).await?;
        viewer.check_csrf(form.field("csrf"))?;
        form.parse(viewer.locale).map(Posted)
    }
}

/// The cookie a public form's CSRF token is set in with the form.
pub trait FormCookie: Send + Sync + 'static {
    /// The cookie's name.
    const NAME: &'static str;
}

/// A form anyone may post (no session), read and checked (see the module's notes): its CSRF
/// token matches the cookie `C` set with the form.
pub struct PublicForm<T, C: FormCookie> {
    /// The form.
    pub form: T,
    /// Its CSRF token (the cookie's), to carry into a form shown again.
    pub csrf: String,
    cookie: PhantomData<C>,
}

impl<T: DeserializeOwned, C: FormCookie> FromRequest<Centre> for PublicForm<T, C> {
    type Rejection = PageError;

    async fn from_request(req: Request, centre: &Centre) -> Result<Self, PageError> {
        let (parts, body) = req.into_parts();
        let locale = locale_of(&parts.headers);
        let expected = cookie(&parts.headers, C::NAME).unwrap_or("").to_string();
        let form = read_form(&parts.headers, body, locale, centre.web.form_deadline).await?;
        if expected.is_empty() || !constant_time_eq(expected.as_bytes(), form.field("csrf").as_bytes()) {
            return Err(PageError::Csrf);
        }
        Ok(PublicForm {
            form: form.parse(locale)?,
            csrf: expected,
            cookie: PhantomData,
        })
    }
}

/// A form body as received: its bytes and their fields.
struct RawForm {
    bytes: axum::body::Bytes,
    fields: Vec<(String, String)>,
}

impl RawForm {
    /// The first value of `name` ("" when the form has none).
    fn field(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    fn parse<T: DeserializeOwned>(&self, locale: Locale) -> Result<T, PageError> {
        serde_urlencoded::from_bytes(&self.bytes).map_err(|_| PageError::BadRequest(tr(locale, id!("web-error-form"))))
    }
}

/// Reads a form body: URL-encoded, at most [`super::MAX_FORM`] bytes, complete within
/// `deadline`, no field holding a control character other than tab and line breaks.
async fn read_form(
    headers: &HeaderMap,
    body: axum::body::Body,
    locale: Locale,
    deadline: std::time::Duration,
) -> Result<RawForm, PageError> {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(PageError::BadRequest(tr(locale, id!("web-error-form"))));
    }
    let bytes = super::super::limits::read_body(body, super::MAX_FORM, deadline)
        .await
        .map_err(|e| match e {
            super::super::limits::BodyError::TooLarge => PageError::TooLarge,
            super::super::limits::BodyError::TooSlow => PageError::TooSlow,
            super::super::limits::BodyError::Broken => PageError::BadRequest(tr(locale, id!("web-error-form"))),
        })?;
    let fields: Vec<(String, String)> = form_urlencoded::parse(&bytes).into_owned().collect();
    if let Some((name, _)) = fields.iter().find(|(k, v)| has_control(k) || has_control(v)) {
        let name: String = name.chars().filter(|c| !c.is_control()).take(40).collect();
        return Err(PageError::BadRequest(crate::i18n::tr_args(
            locale,
            id!("web-error-control"),
            &[("field", name.into())],
        )));
    }
    Ok(RawForm { bytes, fields })
}

/// Whether `s` holds a control character no form field needs (NUL and the like; tab and line
/// breaks are text).
pub fn has_control(s: &str) -> bool {
    s.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n'))
}
