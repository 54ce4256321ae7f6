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

use super::store::KioskInfo;
use super::{Centre, Scope, token_hash};
use crate::report::period::Period;
use crate::survey::Locale;
use crate::sync::{
    AUDIT_PATH, Audit, AuditResult, Batch, BatchResult, ErrorBody, MAX_AUDIT, MAX_BATCH, MAX_BODY, RESPONSES_PATH,
};

/// Every failure of the API: a status and a message in JSON.
#[derive(Debug)]
pub struct ApiError(StatusCode, String);

impl ApiError {
    fn bad(message: impl Into<String>) -> Self {
        ApiError(StatusCode::BAD_REQUEST, message.into())
    }
    fn unauthorized(message: &str) -> Self {
        ApiError(StatusCode::UNAUTHORIZED, message.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.0.is_client_error() {
            tracing::info!(status = self.0.as_u16(), error = %self.1, "request refused");
        }
        (self.0, axum::Json(ErrorBody { error: self.1 })).into_response()
    }
}

impl From<super::store::Error> for ApiError {
    fn from(e: super::store::Error) -> Self {
        // The details go to the log; the client gets a generic message.
        tracing::error!(error = %e, "storage error");
        ApiError(StatusCode::INTERNAL_SERVER_ERROR, "internal storage error".into())
    }
}

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
            return Err(ApiError(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "expected Content-Type: application/json".into(),
            ));
        }
        let bytes =
            axum::body::Bytes::from_request(req, state)
                .await
                .map_err(|rejection| match rejection.status() {
                    StatusCode::PAYLOAD_TOO_LARGE => ApiError(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        format!("body larger than {MAX_BODY} bytes"),
                    ),
                    status => ApiError(status, rejection.body_text()),
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
        let token = bearer(parts).ok_or_else(|| ApiError::unauthorized("missing bearer token"))?;
        let hash = token_hash(token);
        let store = centre.store.clone();
        let kiosk = tokio::task::spawn_blocking(move || store.kiosk_by_token(&hash))
            .await
            .map_err(|e| ApiError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))??;
        match kiosk {
            Some(k) if k.revoked_at.is_none() => Ok(KioskAuth(k)),
            Some(_) => Err(ApiError::unauthorized("this kiosk's token was revoked")),
            None => Err(ApiError::unauthorized("unknown token")),
        }
    }
}

/// A request carrying an API read token.
pub struct ReadAuth;

impl FromRequestParts<Centre> for ReadAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, centre: &Centre) -> Result<Self, Self::Rejection> {
        let token = bearer(parts).ok_or_else(|| ApiError::unauthorized("missing bearer token"))?;
        let hash = token_hash(token);
        let store = centre.store.clone();
        let ok = tokio::task::spawn_blocking(move || store.read_token_exists(&hash))
            .await
            .map_err(|e| ApiError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))??;
        if ok {
            Ok(ReadAuth)
        } else {
            Err(ApiError::unauthorized("unknown read token"))
        }
    }
}

/// The routes.
pub fn app(centre: Centre) -> Router {
    Router::new()
        .route("/api/v1/health", get(health))
        .route(RESPONSES_PATH, post(ingest))
        .route(AUDIT_PATH, post(audit))
        .route("/api/v1/report", get(report))
        .route("/api/v1/openapi.json", get(openapi))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(centre)
}

async fn health() -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({ "status": "ok" }))
}

async fn ingest(
    State(centre): State<Centre>,
    KioskAuth(kiosk): KioskAuth,
    JsonBody(body): JsonBody,
) -> Result<axum::Json<BatchResult>, ApiError> {
    // Parsing a batch takes milliseconds of CPU: it runs on a blocking thread with the storing,
    // so the async threads stay free to accept and answer other requests.
    let (kiosk_id, result) = tokio::task::spawn_blocking(move || {
        let batch: Batch = parse_json(&body)?;
        drop(body);
        check_batch(&batch, &kiosk)?;
        let result = centre
            .store
            .ingest(&kiosk, &batch.kiosk_id, &batch.responses, &centre.catalog)?;
        Ok::<_, ApiError>((batch.kiosk_id, result))
    })
    .await
    .map_err(|e| ApiError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))??;
    tracing::info!(
        kiosk = %kiosk_id,
        accepted = result.accepted.len(),
        duplicates = result.duplicates.len(),
        rejected = result.rejected.len(),
        "batch"
    );
    for r in &result.rejected {
        tracing::warn!(kiosk = %kiosk_id, id = %r.id, error = %r.error, "response rejected");
    }
    Ok(axum::Json(result))
}

/// What a batch as a whole must be before any response of it is looked at.
fn check_batch(batch: &Batch, kiosk: &KioskInfo) -> Result<(), ApiError> {
    if batch.responses.len() > MAX_BATCH {
        return Err(ApiError(
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
        return Err(ApiError(
            StatusCode::FORBIDDEN,
            super::store::other_kiosk(bound, &batch.kiosk_id),
        ));
    }
    Ok(())
}

async fn audit(
    State(centre): State<Centre>,
    KioskAuth(kiosk): KioskAuth,
    Json(audit): Json<Audit>,
) -> Result<axum::Json<AuditResult>, ApiError> {
    if audit.entries.len() > MAX_AUDIT {
        return Err(ApiError(
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
        Some(bound) if *bound != audit.kiosk_id => {
            return Err(ApiError(
                StatusCode::FORBIDDEN,
                super::store::other_kiosk(bound, &audit.kiosk_id),
            ));
        }
        // A kiosk that never synced has nothing at the centre to compare.
        None => return Ok(axum::Json(AuditResult::default())),
        Some(_) => {}
    }
    let result = tokio::task::spawn_blocking(move || {
        let held = centre.store.held_chain(&audit.kiosk_id, audit.from, to)?;
        let (result, events) = super::store::compare_audit(&audit, &held);
        centre.store.record_events(&events)?;
        for e in &events {
            tracing::warn!(kiosk = %e.kiosk_id, seq = ?e.seq, kind = %e.kind, detail = %e.detail, "audit");
        }
        Ok::<_, super::store::Error>(result)
    })
    .await
    .map_err(|e| ApiError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))??;
    Ok(axum::Json(result))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportQuery {
    facility: Option<String>,
    kiosk: Option<String>,
    department: Option<String>,
    period: Option<String>,
}

async fn report(
    State(centre): State<Centre>,
    _: ReadAuth,
    query: Result<Query<ReportQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<axum::Json<crate::report::Report>, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::bad(e.body_text()))?;
    let period =
        Period::parse(q.period.as_deref().unwrap_or("all")).map_err(|e| ApiError::bad(format!("period: {}", e.0)))?;
    let scope = Scope {
        facility: q.facility,
        kiosk: q.kiosk,
        department: q.department,
        from: period.from,
        to: period.to,
    };
    // Labels in the report (the facility when none is named) are Vietnamese, the default.
    let report = tokio::task::spawn_blocking(move || super::report(&centre, &scope, &period, Locale::default()))
        .await
        .map_err(|e| ApiError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))??;
    Ok(axum::Json(report))
}

async fn openapi() -> impl IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        include_str!("openapi.json"),
    )
}
