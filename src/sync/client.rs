//! The kiosk side of sync: send the outbox in order, mark synced only what the centre holds,
//! back off on failure. The store is only touched on tokio's blocking pool.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;

use crate::feedback::ReceiptCode;
use crate::feedback::note::{FOLLOW_PATH, FollowUp, MAX_NOTES, NOTES_PATH, NoteBatch, NoteResult};
use crate::i18n::{tr, tr_args};
use crate::store::SharedStore;
use crate::store::StoredResponse;
use crate::survey::Locale;
use crate::sync::{
    AUDIT_PATH, Audit, AuditResult, Batch, BatchResult, ErrorBody, RESPONSES_PATH, SEND_AUDIT, SEND_BATCH,
};

/// Why a sync round stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The centre could not be reached or the connection broke.
    #[error("cannot reach the centre: {0}")]
    Offline(String),
    /// The centre refused the kiosk's token, for the reason it gave.
    #[error("the centre refused this kiosk's token ({reason:?}): {detail}")]
    Refused {
        /// Why, as the centre said.
        reason: Refusal,
        /// This kiosk's id (the one to re-enrol).
        kiosk: String,
        /// The centre's own words.
        detail: String,
    },
    /// The centre is busy; try again after this many seconds.
    #[error("the centre is busy; retry after {0} s")]
    Busy(u64),
    /// The centre answered with an error.
    #[error("the centre answered {status}: {message}")]
    Server {
        /// HTTP status.
        status: u16,
        /// Its error message.
        message: String,
    },
    /// The centre held none of a batch (every response rejected).
    #[error("the centre rejected responses: {0}")]
    Rejected(String),
    /// The local store failed.
    #[error("the kiosk database: {0}")]
    Store(String),
    /// The CA certificate configured to trust the centre cannot be used.
    #[error("the centre's CA certificate ([centre] ca_cert): {0}")]
    Certificate(String),
    /// Sync is not configured.
    #[error("sync is not configured ([centre] url and token in hailong.toml)")]
    NotConfigured,
}

/// Why the centre refused a kiosk's token (from the `code` of its answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No token sent.
    Missing,
    /// A token the centre does not know (mistyped, or replaced by a re-enrolment).
    Unknown,
    /// The token was revoked.
    Revoked,
    /// The token belongs to another kiosk.
    OtherKiosk,
    /// This kiosk is enrolled at the centre under an earlier enrolment.
    EnrolledElsewhere,
    /// A 401/403 without a code this kiosk knows (an older centre).
    Other,
}

impl Refusal {
    fn from_code(code: Option<&str>) -> Refusal {
        use crate::sync::code;
        match code {
            Some(code::TOKEN_MISSING) => Refusal::Missing,
            Some(code::TOKEN_UNKNOWN) => Refusal::Unknown,
            Some(code::TOKEN_REVOKED) => Refusal::Revoked,
            Some(code::TOKEN_OTHER_KIOSK) => Refusal::OtherKiosk,
            Some(code::KIOSK_ENROLLED_ELSEWHERE) => Refusal::EnrolledElsewhere,
            _ => Refusal::Other,
        }
    }
}

impl Error {
    /// Errors that retrying soon will not fix (staff must act); they are still retried, slowly.
    pub fn is_permanent(&self) -> bool {
        matches!(
            self,
            Error::Refused { .. } | Error::Rejected(_) | Error::NotConfigured | Error::Certificate(_)
        )
    }

    /// The least time to wait before trying again, when the centre said so.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Busy(seconds) => Some(Duration::from_secs(*seconds)),
            _ => None,
        }
    }

    /// The error in words staff understand, in `locale` (staff mode's Sync page, `hailong sync`).
    pub fn explain(&self, locale: Locale) -> String {
        match self {
            Error::Offline(detail) => tr_args(locale, id!("sync-error-offline"), &[("detail", detail.clone().into())]),
            Error::Refused { reason, kiosk, .. } => {
                let id = match reason {
                    Refusal::Missing => id!("sync-error-token-missing"),
                    Refusal::Unknown => id!("sync-error-token-unknown"),
                    Refusal::Revoked => id!("sync-error-token-revoked"),
                    Refusal::OtherKiosk => id!("sync-error-token-other-kiosk"),
                    Refusal::EnrolledElsewhere => id!("sync-error-enrolled-elsewhere"),
                    Refusal::Other => id!("sync-error-unauthorized"),
                };
                tr_args(locale, id, &[("kiosk", kiosk.clone().into())])
            }
            Error::Busy(seconds) => tr_args(locale, id!("sync-error-busy"), &[("seconds", (*seconds).into())]),
            Error::Server { status, message } => tr_args(
                locale,
                id!("sync-error-server"),
                &[("status", (*status).into()), ("detail", message.clone().into())],
            ),
            Error::Rejected(detail) => {
                tr_args(locale, id!("sync-error-rejected"), &[("detail", detail.clone().into())])
            }
            Error::Store(detail) => tr_args(locale, id!("sync-error-store"), &[("detail", detail.clone().into())]),
            Error::NotConfigured => tr(locale, id!("sync-not-configured")),
            Error::Certificate(detail) => tr_args(
                locale,
                id!("sync-error-certificate"),
                &[("detail", detail.clone().into())],
            ),
        }
    }
}

/// Where and as whom to sync.
#[derive(Clone)]
pub struct Target {
    /// The centre's base URL, e.g. `https://ttyt.example.vn`.
    pub url: String,
    /// This kiosk's bearer token.
    pub token: String,
    /// A PEM file of CA certificates to trust besides the usual ones (a centre with a
    /// self-signed or provincial CA certificate).
    pub ca_cert: Option<std::path::PathBuf>,
}

impl Target {
    /// The target `[centre]` in `hailong.toml` names.
    pub fn from_config(centre: &crate::config::CentreConfig) -> Target {
        Target {
            url: centre.url.clone(),
            token: centre.token.clone(),
            ca_cert: (!centre.ca_cert.is_empty()).then(|| centre.ca_cert.clone().into()),
        }
    }
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("url", &self.url)
            .field("token", &"<redacted>")
            .field("ca_cert", &self.ca_cert)
            .finish()
    }
}

/// The HTTP client the sync task uses: short timeouts, so a dead link fails fast and is retried.
pub fn http_client(target: &Target) -> Result<reqwest::Client, Error> {
    let mut builder = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(60));
    if let Some(path) = &target.ca_cert {
        let named = |e: &dyn std::fmt::Display| Error::Certificate(format!("{}: {e}", path.display()));
        let pem = std::fs::read(path).map_err(|e| named(&e))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| named(&e))?;
        if certs.is_empty() {
            return Err(named(&"no PEM certificate in the file"));
        }
        for cert in certs {
            builder = builder.add_root_certificate(cert);
        }
    }
    builder.build().map_err(|e| Error::Certificate(e.to_string()))
}

/// The HTTP client kept in `cache`, built on first use, and again on each use while it cannot be
/// (a CA file staff are still fixing).
pub fn cached_http_client(cache: &mut Option<reqwest::Client>, target: &Target) -> Result<reqwest::Client, Error> {
    if let Some(http) = cache {
        return Ok(http.clone());
    }
    let http = http_client(target)?;
    *cache = Some(http.clone());
    Ok(http)
}

async fn blocking<T: Send + 'static>(
    store: &SharedStore,
    f: impl FnOnce(&mut crate::store::Store) -> crate::store::Result<T> + Send + 'static,
) -> Result<T, Error> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || {
        let mut guard = store.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut guard).map_err(|e| Error::Store(e.to_string()))
    })
    .await
    .map_err(|e| Error::Store(e.to_string()))?
}

/// Sends everything unsynced, batch after batch, until the outbox is empty. Returns how many
/// responses the centre now holds that it did not before this call was made.
///
/// One request is in flight at a time, so batches arrive in order; the next batch is read from
/// the store while the centre works on the current one. A response the centre refuses stays
/// queued and the pass goes on with the rest; the pass then ends with the first refusal as its
/// error (or at once, when the centre refuses a whole batch).
///
/// The notes patients left in the feedback box go after the responses, in the same round
/// ([`send_notes`]); the round's error is the first of the two.
pub async fn sync_once(store: &SharedStore, client: &reqwest::Client, target: &Target) -> Result<u64, Error> {
    if target.url.is_empty() || target.token.is_empty() {
        return Err(Error::NotConfigured);
    }
    let responses = send_responses(store, client, target).await;
    // A centre that cannot be reached or refuses the kiosk would say the same again.
    if let Err(Error::Offline(_) | Error::Refused { .. } | Error::Busy(_) | Error::Certificate(_)) = &responses {
        return responses;
    }
    let notes = send_notes(store, client, target).await;
    let synced = responses?;
    notes.map(|_| synced)
}

/// Sends the feedback notes the centre does not hold yet, a request of up to [`MAX_NOTES`]
/// at a time; how many it now holds that it did not. A note the centre refuses stays queued and
/// the pass ends with the first refusal as its error.
pub async fn send_notes(store: &SharedStore, client: &reqwest::Client, target: &Target) -> Result<u64, Error> {
    let endpoint = format!("{}{NOTES_PATH}", target.url.trim_end_matches('/'));
    let mut sent = 0;
    let mut refused = None;
    loop {
        let notes = blocking(store, |s| s.notes_outbox(MAX_NOTES)).await?;
        let (Some(first), full) = (notes.first(), notes.len() == MAX_NOTES) else {
            break;
        };
        let body = NoteBatch {
            kiosk_id: first.kiosk_id.clone(),
            notes,
        };
        let result: NoteResult = post(client, &endpoint, &target.token, &body.kiosk_id, &body).await?;
        refused = refused.or(result.rejected.first().map(|r| format!("{}: {}", r.id, r.error)));
        let held = result.held();
        if held.is_empty() {
            break;
        }
        sent += held.len() as u64;
        blocking(store, move |s| s.mark_notes_synced(&held)).await?;
        if !full {
            break;
        }
    }
    refused.map_or(Ok(sent), |why| Err(Error::Rejected(why)))
}

/// Asks the centre where the item with receipt code `code` is (`None`: the centre has no item
/// with that code).
pub async fn follow_up(
    client: &reqwest::Client,
    target: &Target,
    code: &ReceiptCode,
) -> Result<Option<FollowUp>, Error> {
    if target.url.is_empty() || target.token.is_empty() {
        return Err(Error::NotConfigured);
    }
    let endpoint = format!(
        "{}{}",
        target.url.trim_end_matches('/'),
        FOLLOW_PATH.replace("{code}", code.as_str())
    );
    let response = client
        .get(endpoint)
        .bearer_auth(&target.token)
        .send()
        .await
        .map_err(|e| Error::Offline(without_url(&e)))?;
    if response.status() == reqwest::StatusCode::NOT_FOUND {
        return Ok(None);
    }
    if !response.status().is_success() {
        return Err(error_of(response, "").await);
    }
    response
        .json()
        .await
        .map(Some)
        .map_err(|e| Error::Offline(without_url(&e)))
}

/// Sends the outbox's responses (see [`sync_once`]).
async fn send_responses(store: &SharedStore, client: &reqwest::Client, target: &Target) -> Result<u64, Error> {
    let endpoint = format!("{}{RESPONSES_PATH}", target.url.trim_end_matches('/'));
    let mut synced = 0;
    let mut refused = None;
    let mut next: Result<(Vec<StoredResponse>, u64), Error> = blocking(store, |s| next_batch(s, 0)).await;
    loop {
        let (batch, waiting) = next?;
        let (Some(first), Some(last)) = (batch.first(), batch.last()) else {
            return refused.map_or(Ok(synced), |why| Err(Error::Rejected(why)));
        };
        let (kiosk_id, after) = (first.kiosk_id.clone(), last.seq);
        let body = Batch {
            kiosk_id,
            responses: batch,
            waiting: Some(waiting),
        };
        let (result, following) = tokio::join!(
            post::<_, BatchResult>(client, &endpoint, &target.token, &body.kiosk_id, &body),
            blocking(store, move |s| next_batch(s, after)),
        );
        let result = result?;
        let why = result.rejected.first().map(|r| format!("{}: {}", r.id, r.error));
        let held = result.held();
        if held.is_empty() {
            return Err(Error::Rejected(why.unwrap_or_else(|| "no reason given".into())));
        }
        refused = refused.or(why);
        let n = held.len() as u64;
        blocking(store, move |s| s.mark_synced(&held)).await?;
        synced += n;
        next = following;
    }
}

/// The next batch to send after sequence number `after`, and how many unsynced responses the
/// kiosk holds after it (sent with it as `waiting`).
fn next_batch(s: &mut crate::store::Store, after: u64) -> crate::store::Result<(Vec<StoredResponse>, u64)> {
    let batch = s.outbox(after, SEND_BATCH)?;
    let waiting = match batch.last() {
        Some(last) => s.unsynced_after(last.seq)?,
        None => 0,
    };
    Ok((batch, waiting))
}

/// The chain audit: sends the centre what this kiosk holds now, page by page (each hash
/// recomputed from the response's current content), so the centre can record any response
/// altered or removed here after it was synced. Returns the centre's findings, added up.
pub async fn audit(store: &SharedStore, client: &reqwest::Client, target: &Target) -> Result<AuditResult, Error> {
    if target.url.is_empty() || target.token.is_empty() {
        return Err(Error::NotConfigured);
    }
    let endpoint = format!("{}{AUDIT_PATH}", target.url.trim_end_matches('/'));
    let kiosk_id = blocking(store, |s| Ok(s.kiosk_id().to_string())).await?;
    let mut total = AuditResult::default();
    let mut from = 1;
    let mut entries = blocking(store, |s| s.audit_page(0, SEND_AUDIT)).await?;
    loop {
        let last_page = entries.len() < SEND_AUDIT;
        // The last page covers everything after it too: the centre holding a later response
        // means it was removed here.
        let to = if last_page { None } else { entries.last().map(|e| e.seq) };
        let next = entries.last().map_or(from, |e| e.seq + 1);
        let body = Audit {
            kiosk_id: kiosk_id.clone(),
            from,
            to,
            entries,
        };
        if last_page {
            total.add(post(client, &endpoint, &target.token, &kiosk_id, &body).await?);
            return Ok(total);
        }
        // As in `sync_once`, the next page is read (and hashed) while the centre checks this one.
        let (found, following) = tokio::join!(
            post(client, &endpoint, &target.token, &kiosk_id, &body),
            blocking(store, move |s| s.audit_page(next - 1, SEND_AUDIT)),
        );
        total.add(found?);
        entries = following?;
        from = next;
    }
}

async fn post<B: serde::Serialize, R: serde::de::DeserializeOwned>(
    client: &reqwest::Client,
    endpoint: &str,
    token: &str,
    kiosk_id: &str,
    body: &B,
) -> Result<R, Error> {
    let response = client
        .post(endpoint)
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .map_err(|e| Error::Offline(without_url(&e)))?;
    if !response.status().is_success() {
        return Err(error_of(response, kiosk_id).await);
    }
    response.json::<R>().await.map_err(|e| Error::Offline(without_url(&e)))
}

/// The error a centre's answer other than 2xx stands for.
async fn error_of(response: reqwest::Response, kiosk_id: &str) -> Error {
    let status = response.status();
    let header_wait = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let body = response.json::<ErrorBody>().await.ok();
    let code = body.as_ref().and_then(|b| b.code.as_deref());
    let detail = body.as_ref().map_or_else(
        || status.canonical_reason().unwrap_or("error").to_string(),
        |b| b.error.clone(),
    );
    use reqwest::StatusCode as S;
    match status {
        S::UNAUTHORIZED | S::FORBIDDEN | S::CONFLICT
            if status != S::CONFLICT || code == Some(crate::sync::code::KIOSK_ENROLLED_ELSEWHERE) =>
        {
            Error::Refused {
                reason: Refusal::from_code(code),
                kiosk: kiosk_id.to_string(),
                detail,
            }
        }
        S::SERVICE_UNAVAILABLE | S::TOO_MANY_REQUESTS => {
            // At most the back-off's own ceiling, whatever a server says.
            let wait = header_wait.or(body.and_then(|b| b.retry_after)).unwrap_or(5);
            Error::Busy(wait.clamp(1, 300))
        }
        _ => Error::Server {
            status: status.as_u16(),
            message: detail,
        },
    }
}

/// The error and its causes ("error sending request: client error (Connect): tcp connect
/// error: Connection refused"), without the URL, which staff already see on the Sync page.
fn without_url(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    if let Some(url) = e.url() {
        text = text
            .replace(&format!(" for url ({url})"), "")
            .replace(&format!(" ({url})"), "");
    }
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The pause before retry number `attempt` (0-based): 1 s doubling to 5 minutes, with ±25 %
/// jitter so many kiosks coming back online do not all call at once.
pub fn backoff(attempt: u32, rng: &mut impl Rng) -> Duration {
    let base = 2f64.powi(attempt.min(9) as i32).min(300.0);
    Duration::from_secs_f64((base * rng.random_range(0.75..=1.25)).clamp(1.0, 300.0))
}

/// How far this kiosk's clock is off before staff are told.
pub const CLOCK_TOLERANCE: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

/// How far a clock reading `local_now` is ahead of the centre's (behind when negative), from
/// the `Date` header of the centre's answer; `None` when the header is missing or malformed.
pub fn clock_offset_from(local_now: DateTime<Utc>, date_header: Option<&str>) -> Option<chrono::TimeDelta> {
    let centre = DateTime::parse_from_rfc2822(date_header?.trim())
        .ok()?
        .with_timezone(&Utc);
    Some(local_now - centre)
}

/// Asks the centre for its time (`GET /api/v1/health`, its `Date` header) and returns how far
/// this kiosk's clock is ahead of it (behind when negative). A kiosk whose clock is wrong stamps
/// every response wrongly, and the centre counts responses it cannot date in no figure, so staff
/// must be told.
pub async fn clock_offset(client: &reqwest::Client, target: &Target) -> Result<Option<chrono::TimeDelta>, Error> {
    if target.url.is_empty() {
        return Err(Error::NotConfigured);
    }
    let sent = Utc::now();
    let response = client
        .get(format!("{}/api/v1/health", target.url.trim_end_matches('/')))
        .send()
        .await
        .map_err(|e| Error::Offline(without_url(&e)))?;
    // The centre's clock is read somewhere between sending and receiving: take the middle.
    let received = Utc::now();
    let local = sent + (received - sent) / 2;
    let date = response
        .headers()
        .get(reqwest::header::DATE)
        .and_then(|v| v.to_str().ok());
    Ok(clock_offset_from(local, date))
}

/// Staff words for a clock `offset` beyond [`CLOCK_TOLERANCE`], else `None`.
pub fn explain_clock(offset: chrono::TimeDelta, locale: Locale) -> Option<String> {
    if offset.abs() <= CLOCK_TOLERANCE {
        return None;
    }
    let minutes = offset.num_minutes().unsigned_abs();
    let (days, hours, minutes) = (minutes / (24 * 60), minutes / 60 % 24, minutes % 60);
    let id = if offset > chrono::TimeDelta::zero() {
        id!("sync-clock-ahead")
    } else {
        id!("sync-clock-behind")
    };
    Some(tr_args(
        locale,
        id,
        &[
            ("days", days.into()),
            ("hours", hours.into()),
            ("minutes", minutes.into()),
        ],
    ))
}

/// The pause before retrying after the failure `e` on retry number `attempt`: the back-off
/// (its longest for errors staff must fix), and never less than the centre asked for.
pub fn pause_after(e: &Error, attempt: u32, rng: &mut impl Rng) -> Duration {
    let pause = backoff(if e.is_permanent() { 9 } else { attempt }, rng);
    e.retry_after().map_or(pause, |asked| pause.max(asked))
}

/// What staff mode shows about sync.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Status {
    /// When a round last ended with the outbox empty.
    pub last_success: Option<DateTime<Utc>>,
    /// The last error, in words.
    pub last_error: Option<String>,
}
