//! Why a page cannot be shown: [`PageError`], which handlers and guards return with `?`, and
//! which becomes an error page in the reader's language (the [`render`] middleware knows the
//! request; the error does not need to).

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::layout;
use crate::i18n::tr;
use crate::survey::Locale;

/// Why a page cannot be shown, rendered as a page in the reader's language.
#[derive(Debug, Clone)]
pub enum PageError {
    /// No live session: the login page, coming back to `next` (a local path).
    Login {
        /// Where to go after logging in.
        next: String,
    },
    /// No such page, facility or item.
    NotFound,
    /// The reader may not see it.
    Forbidden,
    /// A form without this session's CSRF token (or a stale one).
    Csrf,
    /// A request that cannot be served as sent (the message names the problem).
    BadRequest(String),
    /// A body larger than the route takes.
    TooLarge,
    /// A body that did not arrive within the deadline.
    TooSlow,
    /// The server failed (the details are in the log only).
    Internal,
}

impl PageError {
    /// Logs `e` and returns [`PageError::Internal`].
    pub fn internal(e: impl std::fmt::Display) -> PageError {
        tracing::error!(error = ?e.to_string(), "page failed");
        PageError::Internal
    }

    fn status(&self) -> StatusCode {
        match self {
            PageError::Login { .. } => StatusCode::SEE_OTHER,
            PageError::NotFound => StatusCode::NOT_FOUND,
            PageError::Forbidden | PageError::Csrf => StatusCode::FORBIDDEN,
            PageError::BadRequest(_) => StatusCode::BAD_REQUEST,
            PageError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            PageError::TooSlow => StatusCode::REQUEST_TIMEOUT,
            PageError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The error page in `locale`.
    pub fn render(self, locale: Locale) -> Response {
        let status = self.status();
        let title = match &self {
            PageError::Login { next } => {
                let next = form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>();
                return Redirect::to(&format!("/login?next={next}")).into_response();
            }
            PageError::NotFound => id!("web-error-not-found"),
            PageError::Forbidden => id!("web-error-forbidden"),
            PageError::Csrf => id!("web-error-csrf"),
            PageError::BadRequest(_) => id!("web-error-bad-request"),
            PageError::TooLarge => id!("web-error-too-large"),
            PageError::TooSlow => id!("web-error-too-slow"),
            PageError::Internal => id!("web-error-internal"),
        };
        let detail = match &self {
            PageError::BadRequest(why) => Some(why.clone()),
            _ => None,
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

/// The error a response stands for, until [`render`] writes it in the reader's language.
#[derive(Debug, Clone)]
struct Unrendered(PageError);

impl IntoResponse for PageError {
    /// The page in Vietnamese, marked so that [`render`] writes it again in the reader's language.
    fn into_response(self) -> Response {
        let mut response = self.clone().render(Locale::default());
        response.extensions_mut().insert(Unrendered(self));
        response
    }
}

/// Writes every [`PageError`] a handler or guard returned in the language of the request.
pub async fn render(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let locale = super::locale_of(req.headers());
    let mut response = next.run(req).await;
    match response.extensions_mut().remove::<Unrendered>() {
        Some(Unrendered(e)) if locale != Locale::default() => e.render(locale),
        _ => response,
    }
}

impl From<crate::centre::store::Error> for PageError {
    fn from(e: crate::centre::store::Error) -> Self {
        match e {
            crate::centre::store::Error::NotFound(_) => PageError::NotFound,
            crate::centre::store::Error::Invalid(why) => PageError::BadRequest(why),
            e => PageError::internal(e),
        }
    }
}
