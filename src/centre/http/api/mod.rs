//! The HTTP API: routes, the error type every failure turns into (JSON naming the problem), our
//! own JSON extractor so malformed bodies get that format too, and bearer-token auth as
//! extractors.

mod guard;
pub mod notes;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::centre::store::KioskInfo;
use crate::centre::{Centre, Scope};
use crate::feedback::note::{FOLLOW_PATH, NOTES_PATH};
use crate::report::period::Period;
use crate::survey::Locale;
use crate::sync::{
    AUDIT_PATH, Audit, AuditResult, Batch, BatchResult, ErrorBody, MAX_AUDIT, MAX_BATCH, MAX_BODY, RESPONSES_PATH,
};
pub use guard::{
    ApiError, BODY_DEADLINE, Json, JsonBody, KioskAuth, MAX_IN_FLIGHT_PER_KIOSK, RETRY_AFTER_SECS, ReadAuth, Slot,
    other_kiosk, parse_json,
};
use guard::{Slots, refuse_declared_oversize};

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
        .layer(axum::middleware::from_fn_with_state(
            BODY_DEADLINE,
            super::limits::deadline,
        ))
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
        route!(NOTES_PATH, POST, notes::send),
        route!(FOLLOW_PATH, GET, notes::follow),
        route!("/api/v1/report", GET, report),
        route!("/api/v1/events", GET, events),
        route!(OPENAPI_PATH, GET, openapi),
    ]
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
    /// Only responses that came this way (kiosk, phone, ticket, poster, paper, interview).
    channel: Option<crate::survey::Channel>,
    /// Only responses from this point (a named place of the facility).
    point: Option<String>,
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
        channel: q.channel,
        point: q.point,
        from: period.from,
        to: period.to,
    };
    scope.check().map_err(ApiError::bad)?;
    // Labels in the report (the facility when none is named) are Vietnamese, the default.
    let report =
        tokio::task::spawn_blocking(move || crate::centre::report(&centre, &scope.into(), &period, Locale::default()))
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
    paths(health, ingest, audit, notes::send, notes::follow, report, events, openapi),
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
