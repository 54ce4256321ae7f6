//! What a request to the API must be and carry: the error every failure turns into (JSON
//! naming the problem), our own JSON extractor so malformed bodies get that format too, bearer
//! tokens as extractors ([`KioskAuth`], [`ReadAuth`]) and the ingest slots ([`Slot`]).

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

use crate::centre::store::KioskInfo;
use crate::centre::{Centre, token_hash};
use crate::sync::{ErrorBody, MAX_BODY, code};

/// Every failure of the API: a status and a message in JSON, with a machine-readable code
/// where a client acts on it (see [`crate::sync::code`]).
#[derive(Debug)]
pub struct ApiError(StatusCode, String, Option<&'static str>);

impl ApiError {
    /// A failure with this status and message.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError(status, message.into(), None)
    }
    /// A 400 with this message.
    pub fn bad(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }
    /// A failure with a machine-readable code (see [`crate::sync::code`]).
    pub fn coded(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError(status, message.into(), Some(code))
    }
    /// Logs `e`; a 500 with a generic message.
    pub fn internal(e: impl std::fmt::Display) -> Self {
        tracing::error!(error = ?e.to_string(), "internal error");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.0.is_client_error() {
            // Debug formatting: request text (a period, a field) is escaped in the log, so CR/LF
            // cannot forge a log line and ANSI escapes cannot reach a terminal.
            tracing::info!(status = self.0.as_u16(), error = ?self.1, "request refused");
        }
        let retry_after = matches!(self.0, StatusCode::SERVICE_UNAVAILABLE | StatusCode::TOO_MANY_REQUESTS)
            .then_some(RETRY_AFTER_SECS);
        let body = ErrorBody {
            error: self.1,
            code: self.2.map(str::to_string),
            retry_after,
        };
        let mut response = (self.0, axum::Json(body)).into_response();
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

impl From<crate::centre::store::Error> for ApiError {
    fn from(e: crate::centre::store::Error) -> Self {
        match e {
            crate::centre::store::Error::Conflict(why) => {
                ApiError::coded(StatusCode::CONFLICT, code::KIOSK_ENROLLED_ELSEWHERE, why)
            }
            crate::centre::store::Error::NotFound(why) => ApiError::new(StatusCode::NOT_FOUND, why),
            crate::centre::store::Error::Invalid(why) => ApiError::bad(why),
            e => {
                // The details go to the log; the client gets a generic message.
                tracing::error!(error = ?e.to_string(), "storage error");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal storage error")
            }
        }
    }
}

/// Seconds a client is asked to wait when the centre is busy.
pub const RETRY_AFTER_SECS: u64 = 5;

/// A JSON body, with our error format for malformed input (see [`parse_json`]: parsing is the
/// largest cost of ingest).
pub struct Json<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let JsonBody(bytes) = JsonBody::from_request(req, state).await?;
        parse_json(&bytes).map(Json)
    }
}

/// The longest a request body may take to arrive.
pub const BODY_DEADLINE: std::time::Duration = std::time::Duration::from_secs(60);

/// A request body declared as JSON, not yet parsed (a handler parses it off the async threads).
pub struct JsonBody(pub axum::body::Bytes);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| {
                let mime = mime.trim().to_ascii_lowercase();
                mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
            });
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "expected Content-Type: application/json",
            ));
        }
        // However slowly a client sends, the body must be complete within this time (a stall
        // between two chunks is cut sooner, by the server's body timeout).
        let read = axum::body::Bytes::from_request(req, state);
        let bytes = tokio::time::timeout(BODY_DEADLINE, read)
            .await
            .map_err(|_| {
                ApiError::new(
                    StatusCode::REQUEST_TIMEOUT,
                    format!("the body did not arrive within {} s", BODY_DEADLINE.as_secs()),
                )
            })?
            .map_err(|rejection| match rejection.status() {
                StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!("body larger than {MAX_BODY} bytes"),
                ),
                status => ApiError::new(status, rejection.body_text()),
            })?;
        Ok(JsonBody(bytes))
    }
}

/// Parses a request body as the API does: checked as UTF-8 once, then read as text; the path to
/// a bad field is worked out only when parsing fails.
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let text = std::str::from_utf8(body).map_err(|e| ApiError::bad(format!("body is not valid UTF-8: {e}")))?;
    serde_json::from_str(text).map_err(|_| {
        // Again, slowly, to name the field.
        let de = &mut serde_json::Deserializer::from_str(text);
        let error = match serde_path_to_error::deserialize::<_, T>(de) {
            Ok(_) => "the body does not parse".to_string(),
            Err(e) if e.path().iter().next().is_none() => e.inner().to_string(),
            Err(e) => format!("{}: {}", e.path(), e.inner()),
        };
        ApiError::bad(format!("malformed JSON body: {error}"))
    })
}

fn missing_token() -> ApiError {
    ApiError::coded(StatusCode::UNAUTHORIZED, code::TOKEN_MISSING, "missing bearer token")
}

fn bearer(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get("authorization")?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

/// The kiosk a request's bearer token belongs to (revoked or unknown tokens are refused).
pub struct KioskAuth(pub KioskInfo);

impl FromRequestParts<Centre> for KioskAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, centre: &Centre) -> Result<Self, Self::Rejection> {
        let token = bearer(parts).ok_or_else(missing_token)?;
        let hash = token_hash(token);
        let store = centre.store.clone();
        let kiosk = tokio::task::spawn_blocking(move || store.kiosk_by_token(&hash))
            .await
            .map_err(ApiError::internal)??;
        match kiosk {
            Some(k) if k.revoked_at.is_none() => {
                parts.extensions.insert(Enrolment(k.id.clone()));
                Ok(KioskAuth(k))
            }
            Some(k) => Err(ApiError::coded(
                StatusCode::UNAUTHORIZED,
                code::TOKEN_REVOKED,
                format!(
                    "this kiosk's token was revoked (enrolment {}); `hailong centre kiosk renew {}` on the centre gives it a new one",
                    k.id, k.id
                ),
            )),
            None => Err(ApiError::coded(
                StatusCode::UNAUTHORIZED,
                code::TOKEN_UNKNOWN,
                "unknown token (never issued here, or replaced by a re-enrolment)",
            )),
        }
    }
}

/// A request carrying an API read token (not revoked).
pub struct ReadAuth;

impl FromRequestParts<Centre> for ReadAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, centre: &Centre) -> Result<Self, Self::Rejection> {
        let token = bearer(parts).ok_or_else(missing_token)?;
        let hash = token_hash(token);
        let store = centre.store.clone();
        let ok = tokio::task::spawn_blocking(move || store.read_token_exists(&hash))
            .await
            .map_err(ApiError::internal)??;
        if ok {
            Ok(ReadAuth)
        } else {
            Err(ApiError::coded(
                StatusCode::UNAUTHORIZED,
                code::TOKEN_UNKNOWN,
                "unknown or revoked read token",
            ))
        }
    }
}

/// The slots for large request bodies (see [`super::MAX_INGEST_IN_FLIGHT`]), and how many each
/// enrolment holds.
#[derive(Clone)]
pub(super) struct Slots {
    pub(super) free: std::sync::Arc<tokio::sync::Semaphore>,
    pub(super) wait: std::time::Duration,
    pub(super) held: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, usize>>>,
}

/// Most slots one enrolment may hold: a kiosk sends one request at a time (two while a timed-out
/// one is still being worked on), so one stolen or broken kiosk cannot hold every slot and lock
/// the province's other kiosks out.
pub const MAX_IN_FLIGHT_PER_KIOSK: usize = 2;

/// The enrolment a request's kiosk token belongs to, left by [`KioskAuth`] for [`Slot`].
#[derive(Clone)]
struct Enrolment(String);

/// One of the [`Slots`], held while a batch or audit is read and stored. Taken after the token
/// is checked, so clients without one cannot hold slots, and before the body is read.
pub struct Slot {
    _permit: tokio::sync::OwnedSemaphorePermit,
    _held: HeldSlot,
}

/// An enrolment's count of held slots, given back on drop.
struct HeldSlot(Slots, String);

impl Drop for HeldSlot {
    fn drop(&mut self) {
        let mut held = self.0.held.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = held.get_mut(&self.1) {
            *n -= 1;
            if *n == 0 {
                held.remove(&self.1);
            }
        }
    }
}

fn busy(status: StatusCode) -> ApiError {
    ApiError::coded(
        status,
        code::BUSY,
        "the centre is busy storing other kiosks' batches; try again shortly",
    )
}

impl<S: Send + Sync> FromRequestParts<S> for Slot {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let slots = parts
            .extensions
            .get::<Slots>()
            .cloned()
            .ok_or_else(|| ApiError::internal("the ingest slots are missing"))?;
        let enrolment = parts
            .extensions
            .get::<Enrolment>()
            .map(|e| e.0.clone())
            .ok_or_else(|| ApiError::internal("a slot asked for before the token was checked"))?;
        {
            let mut held = slots.held.lock().unwrap_or_else(|p| p.into_inner());
            let n = held.entry(enrolment.clone()).or_default();
            if *n >= MAX_IN_FLIGHT_PER_KIOSK {
                return Err(busy(StatusCode::TOO_MANY_REQUESTS));
            }
            *n += 1;
        }
        let held = HeldSlot(slots.clone(), enrolment);
        match tokio::time::timeout(slots.wait, slots.free.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(Slot {
                _permit: permit,
                _held: held,
            }),
            _ => Err(busy(StatusCode::SERVICE_UNAVAILABLE)),
        }
    }
}

/// A request whose `Content-Length` is over the limit is refused before anything else, and
/// before its body is read: with `Expect: 100-continue` the client is never told to send it,
/// and the connection closes. A client that sends the body anyway gets the answer at once while
/// the rest of its body is read and dropped (at most twice the limit, for at most 10 s), so that
/// closing the connection under it does not lose the answer.
pub(super) async fn refuse_declared_oversize(req: Request, next: axum::middleware::Next) -> Response {
    let declared = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_none_or(|n| n <= MAX_BODY as u64) {
        return next.run(req).await;
    }
    let waits_to_send = req.headers().contains_key(axum::http::header::EXPECT);
    let mut response = ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("body larger than {MAX_BODY} bytes"),
    )
    .into_response();
    if waits_to_send {
        response.headers_mut().insert(
            axum::http::header::CONNECTION,
            axum::http::HeaderValue::from_static("close"),
        );
    } else {
        let mut body = req.into_body();
        tokio::spawn(async move {
            use http_body_util::BodyExt;
            let mut read = 0usize;
            let drain = async {
                while let Some(Ok(frame)) = body.frame().await {
                    read += frame.data_ref().map_or(0, |d| d.len());
                    if read > 2 * MAX_BODY {
                        break;
                    }
                }
            };
            let _ = tokio::time::timeout(std::time::Duration::from_secs(10), drain).await;
        });
    }
    response
}

pub fn other_kiosk(bound: &str, claimed: &str) -> ApiError {
    ApiError::coded(
        StatusCode::FORBIDDEN,
        code::TOKEN_OTHER_KIOSK,
        crate::centre::ingest::other_kiosk(bound, claimed),
    )
}
