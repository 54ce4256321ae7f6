//! The HTTP API: routes, the error type every failure turns into (JSON naming the problem), our
//! own JSON extractor so malformed bodies get that format too, and bearer-token auth as
//! extractors.

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Query, Request, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::centre::store::KioskInfo;
use crate::centre::{Centre, Scope, token_hash};
use crate::feedback::note::{FOLLOW_PATH, NOTES_PATH};
use crate::report::period::Period;
use crate::survey::Locale;
use crate::sync::{
    AUDIT_PATH, Audit, AuditResult, Batch, BatchResult, ErrorBody, MAX_AUDIT, MAX_BATCH, MAX_BODY, RESPONSES_PATH, code,
};

/// Every failure of the API: a status and a message in JSON, with a machine-readable code
/// where a client acts on it (see [`crate::sync::code`]).
#[derive(Debug)]
pub struct ApiError(StatusCode, String, Option<&'static str>);

impl ApiError {
    /// A failure with this status and message.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError(status, message.into(), None)
    }
    fn bad(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }
    fn coded(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError(status, message.into(), Some(code))
    }
    pub(super) fn internal(e: impl std::fmt::Display) -> Self {
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

/// Most large request bodies (batches, audits) read and worked on at once. Each may take up to
/// [`MAX_BODY`] as received and several times that parsed, so this bounds the centre's memory
/// under a flood of batches; a request that finds every slot taken waits up to
/// [`QUEUE_WAIT`] for one, then gets 503 with `Retry-After`, which kiosks honour.
pub const MAX_INGEST_IN_FLIGHT: usize = 4;
/// How long a batch or audit waits for a free slot before the centre answers 503.
pub const QUEUE_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// The routes, with the default [`QUEUE_WAIT`].
pub fn app(centre: Centre) -> Router {
    app_with(centre, QUEUE_WAIT)
}

/// The routes; a batch or audit waits up to `queue_wait` for one of the
/// [`MAX_INGEST_IN_FLIGHT`] slots.
pub fn app_with(centre: Centre, queue_wait: std::time::Duration) -> Router {
    let slots = Slots {
        free: std::sync::Arc::new(tokio::sync::Semaphore::new(MAX_INGEST_IN_FLIGHT)),
        wait: queue_wait,
        held: Default::default(),
    };
    routes()
        .into_iter()
        .fold(Router::new(), |router, (path, _, handler)| router.route(path, handler))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(axum::Extension(slots))
        .layer(axum::Extension(HealthProbe::default()))
        .layer(axum::middleware::from_fn(refuse_declared_oversize))
        .with_state(centre)
}

/// `/api/v1/openapi.json`.
pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";

/// One route of the API: `route!(PATH, GET, handler)` names the method once.
macro_rules! route {
    ($path:expr, GET, $handler:expr) => {
        ($path, axum::http::Method::GET, get($handler))
    };
    ($path:expr, POST, $handler:expr) => {
        ($path, axum::http::Method::POST, post($handler))
    };
}

/// Every route of the API: its path, method and handler. The router is built from this one
/// list, and the tests check the OpenAPI document ([`openapi_document`]) against it, so a route
/// cannot be added without being described.
pub fn routes() -> Vec<(&'static str, axum::http::Method, axum::routing::MethodRouter<Centre>)> {
    vec![
        route!("/api/v1/health", GET, health),
        route!(RESPONSES_PATH, POST, ingest),
        route!(AUDIT_PATH, POST, audit),
        route!(NOTES_PATH, POST, super::notes::send),
        route!(FOLLOW_PATH, GET, super::notes::follow),
        route!("/api/v1/report", GET, report),
        route!("/api/v1/events", GET, events),
        route!(OPENAPI_PATH, GET, openapi),
    ]
}

/// The slots for large request bodies (see [`MAX_INGEST_IN_FLIGHT`]), and how many each
/// enrolment holds.
#[derive(Clone)]
struct Slots {
    free: std::sync::Arc<tokio::sync::Semaphore>,
    wait: std::time::Duration,
    held: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, usize>>>,
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
async fn refuse_declared_oversize(req: Request, next: axum::middleware::Next) -> Response {
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

/// How long a health probe's answer is reused: `/api/v1/health` needs no token, so however
/// often it is called, the store sees at most one probe write per this long.
pub const HEALTH_CACHE: std::time::Duration = std::time::Duration::from_secs(1);

/// A health probe's answer: when, and the problem it found (`None`: the store took the write).
type Probed = (std::time::Instant, Option<String>);

/// The last health probe.
#[derive(Clone, Default)]
struct HealthProbe(std::sync::Arc<tokio::sync::Mutex<Option<Probed>>>);

/// `ok` only when the store takes a write now; `503` otherwise (a full disk, a read-only file, a
/// database that is down), so monitoring sees what kiosks would. One probe runs at a time and
/// its answer is reused for [`HEALTH_CACHE`]; the database's own words go to the log only.
#[utoipa::path(
    get,
    path = "/api/v1/health",
    summary = "Health: the server answers and its store takes writes",
    responses(
        (status = 200, description = r#"{"status":"ok","store":"writable"}"#, body = Object),
        (status = 503, description = r#"{"status":"failing","store":"cannot write (…)"}: full disk, read-only or unreachable database; the reason is in the centre's log"#, body = Object),
    )
)]
async fn health(State(centre): State<Centre>, axum::Extension(probe): axum::Extension<HealthProbe>) -> Response {
    let mut last = probe.0.lock().await;
    let problem = match &*last {
        Some((at, problem)) if at.elapsed() < HEALTH_CACHE => problem.clone(),
        _ => {
            let store = centre.store.clone();
            let result = tokio::time::timeout(
                std::time::Duration::from_secs(5),
                tokio::task::spawn_blocking(move || store.check_writable()),
            )
            .await;
            let problem = match result {
                Ok(Ok(Ok(()))) => None,
                Ok(Ok(Err(e))) => Some(e.to_string()),
                Ok(Err(e)) => Some(e.to_string()),
                Err(_) => Some("the store did not answer within 5 s".to_string()),
            };
            if let Some(problem) = &problem {
                tracing::error!(problem = ?problem, "health check: the store cannot write");
            }
            *last = Some((std::time::Instant::now(), problem.clone()));
            problem
        }
    };
    drop(last);
    match problem {
        None => axum::Json(serde_json::json!({ "status": "ok", "store": "writable" })).into_response(),
        Some(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({
                "status": "failing",
                "store": "cannot write (the centre's log has the database's own message)"
            })),
        )
            .into_response(),
    }
}

#[utoipa::path(
    post,
    path = "/api/v1/responses",
    summary = "A kiosk's responses (idempotent by id)",
    security(("bearer" = [])),
    request_body = Batch,
    responses(
        (status = 200, description = "what the centre now holds", body = BatchResult),
        (status = 400, description = "malformed", body = ErrorBody),
        (status = 401, description = "missing, unknown or revoked token (code token_missing, token_unknown, token_revoked)", body = ErrorBody),
        (status = 403, description = "kiosk_id is not the kiosk this token belongs to (code token_other_kiosk)", body = ErrorBody),
        (status = 408, description = "the body did not arrive in time", body = ErrorBody),
        (status = 409, description = "a new enrolment's first batch names a kiosk already enrolled under another enrolment (code kiosk_enrolled_elsewhere); re-enrol that kiosk with `hailong centre kiosk renew`", body = ErrorBody),
        (status = 413, description = "over 4 MiB or over 1000 responses", body = ErrorBody),
        (status = 415, description = "not Content-Type: application/json", body = ErrorBody),
        (status = 429, description = "this kiosk already has 2 requests in flight; retry after Retry-After seconds", body = ErrorBody),
        (status = 503, description = "busy: too many batches and audits in flight; retry after Retry-After seconds (code busy)", body = ErrorBody),
    )
)]
async fn ingest(
    State(centre): State<Centre>,
    KioskAuth(kiosk): KioskAuth,
    _slot: Slot,
    JsonBody(body): JsonBody,
) -> Result<axum::Json<BatchResult>, ApiError> {
    // Parsing a batch takes milliseconds of CPU: it runs on a blocking thread with the storing,
    // so the async threads stay free to accept and answer other requests.
    let (kiosk_id, result) = tokio::task::spawn_blocking(move || {
        let batch: Batch = parse_json(&body)?;
        drop(body);
        check_batch(&batch, &kiosk)?;
        let result = centre.store.ingest(
            &kiosk,
            &batch.kiosk_id,
            &batch.responses,
            batch.waiting,
            &centre.catalog,
        )?;
        Ok::<_, ApiError>((batch.kiosk_id, result))
    })
    .await
    .map_err(ApiError::internal)??;
    // Kiosk ids and rejection reasons carry request text: logged escaped (Debug).
    tracing::info!(
        kiosk = ?kiosk_id,
        accepted = result.accepted.len(),
        duplicates = result.duplicates.len(),
        rejected = result.rejected.len(),
        "batch"
    );
    for r in &result.rejected {
        tracing::warn!(kiosk = ?kiosk_id, id = %r.id, error = ?r.error, "response rejected");
    }
    Ok(axum::Json(result))
}

/// What a batch as a whole must be before any response of it is looked at.
fn check_batch(batch: &Batch, kiosk: &KioskInfo) -> Result<(), ApiError> {
    if batch.responses.len() > MAX_BATCH {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("{} responses in one batch; at most {MAX_BATCH}", batch.responses.len()),
        ));
    }
    if batch.kiosk_id.is_empty() || batch.kiosk_id.len() > 100 || batch.kiosk_id.chars().any(char::is_control) {
        return Err(ApiError::bad(
            "kiosk_id: must be 1–100 characters, none of them control characters",
        ));
    }
    if let Some(bound) = &kiosk.kiosk_id
        && *bound != batch.kiosk_id
    {
        return Err(other_kiosk(bound, &batch.kiosk_id));
    }
    Ok(())
}

pub(super) fn other_kiosk(bound: &str, claimed: &str) -> ApiError {
    ApiError::coded(
        StatusCode::FORBIDDEN,
        code::TOKEN_OTHER_KIOSK,
        crate::centre::store::other_kiosk(bound, claimed),
    )
}

/// Events an audit records per transaction.
const EVENTS_PER_TRANSACTION: usize = 1000;

#[utoipa::path(
    post,
    path = "/api/v1/audit",
    summary = "A kiosk's chain audit: what it holds now, compared with what it sent; altered or removed responses are recorded as tamper and gap events",
    security(("bearer" = [])),
    request_body = Audit,
    responses(
        (status = 200, description = "what the comparison found", body = AuditResult),
        (status = 400, description = "malformed (bad range, sequence numbers out of range or not increasing, bad hash)", body = ErrorBody),
        (status = 401, description = "missing, unknown or revoked token", body = ErrorBody),
        (status = 403, description = "kiosk_id is not the kiosk this token belongs to", body = ErrorBody),
        (status = 408, description = "the body did not arrive in time", body = ErrorBody),
        (status = 413, description = "over 4 MiB or over 10000 entries", body = ErrorBody),
        (status = 415, description = "not Content-Type: application/json", body = ErrorBody),
        (status = 429, description = "this kiosk already has 2 requests in flight; retry after Retry-After seconds", body = ErrorBody),
        (status = 503, description = "busy: too many batches and audits in flight; retry after Retry-After seconds", body = ErrorBody),
    )
)]
async fn audit(
    State(centre): State<Centre>,
    KioskAuth(kiosk): KioskAuth,
    _slot: Slot,
    Json(audit): Json<Audit>,
) -> Result<axum::Json<AuditResult>, ApiError> {
    if audit.entries.len() > MAX_AUDIT {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("{} entries in one audit; at most {MAX_AUDIT}", audit.entries.len()),
        ));
    }
    let to = audit.to.unwrap_or(u64::MAX);
    if audit.from == 0 || audit.from > to {
        return Err(ApiError::bad("from, to: need 1 ≤ from ≤ to"));
    }
    if let Some(i) = (0..audit.entries.len()).find(|&i| {
        let seq = audit.entries[i].seq;
        seq < audit.from || seq > to || (i > 0 && seq <= audit.entries[i - 1].seq)
    }) {
        return Err(ApiError::bad(format!(
            "entries[{i}].seq: must lie in from..=to and increase"
        )));
    }
    if let Some(i) = audit
        .entries
        .iter()
        .position(|e| e.hash.len() != 64 || !e.hash.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return Err(ApiError::bad(format!("entries[{i}].hash: must be 64 hex digits")));
    }
    match &kiosk.kiosk_id {
        Some(bound) if *bound != audit.kiosk_id => return Err(other_kiosk(bound, &audit.kiosk_id)),
        // A kiosk that never synced has nothing at the centre to compare.
        None => return Ok(axum::Json(AuditResult::default())),
        Some(_) => {}
    }
    let result = tokio::task::spawn_blocking(move || {
        let held = centre.store.held_chain(&audit.kiosk_id, audit.from, to)?;
        let (result, events) = crate::centre::store::compare_audit(&audit, &held);
        // In slices, so other kiosks' batches get the SQLite lock between them.
        for slice in events.chunks(EVENTS_PER_TRANSACTION) {
            centre.store.record_events(slice)?;
        }
        // One line per audit, however many responses it found altered or removed.
        if result.altered.is_empty() && result.removed.is_empty() {
            tracing::info!(kiosk = ?audit.kiosk_id, from = audit.from, checked = result.checked, "audit");
        } else {
            tracing::warn!(
                kiosk = ?audit.kiosk_id,
                from = audit.from,
                checked = result.checked,
                altered = result.altered.len(),
                removed = result.removed.len(),
                first_altered = ?result.altered.first(),
                first_removed = ?result.removed.first(),
                "audit found responses altered or removed on the kiosk"
            );
        }
        Ok::<_, crate::centre::store::Error>(result)
    })
    .await
    .map_err(ApiError::internal)??;
    Ok(axum::Json(result))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ReportQuery {
    /// Only this facility (its name).
    facility: Option<String>,
    /// Only this kiosk (its own id).
    kiosk: Option<String>,
    /// Only this department.
    department: Option<String>,
    /// 2026-Q1 … 2026-Q4, 2026-H1, 2026-H2, 2026-9M, 2026, 2026-03, all (default).
    period: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/report",
    summary = "The DESIGN §5 report over what the centre holds",
    security(("bearer" = [])),
    params(ReportQuery),
    responses(
        (status = 200, description = "the report (same keys as `hailong report --json`)", body = crate::report::Report),
        (status = 400, description = "bad parameter", body = ErrorBody),
        (status = 401, description = "missing or unknown read token", body = ErrorBody),
    )
)]
async fn report(
    State(centre): State<Centre>,
    _: ReadAuth,
    query: Result<Query<ReportQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<axum::Json<crate::report::Report>, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::bad(e.body_text()))?;
    let period = Period::parse(q.period.as_deref().unwrap_or("all"), centre.calendar)
        .map_err(|e| ApiError::bad(format!("period: {}", e.0)))?;
    let scope = Scope {
        facility: q.facility,
        kiosk: q.kiosk,
        department: q.department,
        from: period.from,
        to: period.to,
    };
    scope.check().map_err(ApiError::bad)?;
    // Labels in the report (the facility when none is named) are Vietnamese, the default.
    let report =
        tokio::task::spawn_blocking(move || crate::centre::report(&centre, &scope, &period, Locale::default()))
            .await
            .map_err(ApiError::internal)??;
    Ok(axum::Json(report))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct EventsQuery {
    /// Only this kiosk (its own id).
    kiosk: Option<String>,
    /// Only events with an id below this (the previous page's `next_before`).
    before: Option<i64>,
    /// At most this many (1–1000, default 100).
    limit: Option<u32>,
}

/// A page of events.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct EventsPage {
    /// Newest first.
    pub events: Vec<crate::centre::store::RecordedEvent>,
    /// The `before` of the next page; `null` on the last.
    pub next_before: Option<i64>,
}

/// Most events one page holds.
const MAX_EVENTS_PAGE: u32 = 1000;

/// The tamper and gap events, newest first, a page at a time (`before` = the last id seen).
#[utoipa::path(
    get,
    path = "/api/v1/events",
    summary = "Tamper and gap events, newest first, a page at a time",
    security(("bearer" = [])),
    params(EventsQuery),
    responses(
        (status = 200, description = "a page", body = EventsPage),
        (status = 400, description = "bad parameter", body = ErrorBody),
        (status = 401, description = "missing, unknown or revoked read token", body = ErrorBody),
    )
)]
async fn events(
    State(centre): State<Centre>,
    _: ReadAuth,
    query: Result<Query<EventsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<axum::Json<EventsPage>, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::bad(e.body_text()))?;
    if let Some(kiosk) = &q.kiosk {
        crate::centre::store::check_name("kiosk", kiosk).map_err(ApiError::bad)?;
    }
    let limit = q.limit.unwrap_or(100);
    if limit == 0 || limit > MAX_EVENTS_PAGE {
        return Err(ApiError::bad(format!("limit: between 1 and {MAX_EVENTS_PAGE}")));
    }
    let page = tokio::task::spawn_blocking(move || centre.store.events_page(q.kiosk.as_deref(), q.before, limit))
        .await
        .map_err(ApiError::internal)??;
    let next = (page.len() == limit as usize)
        .then(|| page.last().map(|e| e.id))
        .flatten();
    Ok(axum::Json(EventsPage {
        events: page,
        next_before: next,
    }))
}

#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    summary = "This document",
    responses((status = 200, description = "OpenAPI 3.1", body = Object))
)]
async fn openapi() -> impl IntoResponse {
    static DOCUMENT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        DOCUMENT
            .get_or_init(|| openapi_document().to_json().expect("the document serialises"))
            .clone(),
    )
}

/// The API's description, generated from the handlers' `#[utoipa::path]` attributes and the
/// request and response types (`utoipa::ToSchema`), so it names the same fields serde reads.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "hailong centre API",
        version = "1",
        description = "Kiosks post their responses; readers get the DESIGN §5 report JSON."
    ),
    paths(health, ingest, audit, super::notes::send, super::notes::follow, report, events, openapi),
    components(schemas(
        ErrorBody,
        Batch,
        BatchResult,
        Audit,
        AuditResult,
        EventsPage,
        crate::store::StoredResponse,
        crate::report::Report,
        crate::feedback::note::NoteBatch,
        crate::feedback::note::StoredNote,
        crate::feedback::note::Note,
        crate::feedback::note::NoteResult,
        crate::feedback::note::NoteRejected,
        crate::feedback::note::FollowUp
    )),
    modifiers(&BearerScheme)
)]
struct ApiDoc;

/// The `bearer` security scheme the kiosk and read tokens use.
struct BearerScheme;

impl utoipa::Modify for BearerScheme {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
        doc.components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

/// The OpenAPI 3.1 document served at [`OPENAPI_PATH`].
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    <ApiDoc as utoipa::OpenApi>::openapi()
}
