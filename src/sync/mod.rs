//! The sync protocol between kiosks and the centre (DESIGN §7), shared by both sides, the
//! kiosk's sync client, and when it runs (`schedule`).

pub mod client;
pub mod schedule;

use serde::{Deserialize, Serialize};

use crate::store::StoredResponse;
use crate::survey::ResponseId;

/// The path kiosks post their responses to.
pub const RESPONSES_PATH: &str = "/api/v1/responses";
/// Most responses the centre takes in one request.
pub const MAX_BATCH: usize = 1000;
/// Most responses a kiosk sends in one request.
pub const SEND_BATCH: usize = 500;
/// Largest request body the centre reads.
pub const MAX_BODY: usize = 4 * 1024 * 1024;

/// The path kiosks post their chain audits to.
pub const AUDIT_PATH: &str = "/api/v1/audit";
/// Most entries the centre takes in one audit request.
pub const MAX_AUDIT: usize = 10_000;
/// How often a kiosk has the centre audit its whole chain (and once after it starts).
pub const AUDIT_EVERY: std::time::Duration = std::time::Duration::from_secs(24 * 60 * 60);
/// Most entries a kiosk sends in one audit request.
pub const SEND_AUDIT: usize = 5_000;

/// `POST /api/v1/audit`: what a kiosk holds now for the sequence numbers `from..=to` (`to`
/// absent: everything from `from` on), each hash recomputed from the response's current
/// content. The centre compares it with what it received and records a response altered or
/// removed on the kiosk after it was synced as a tamper or gap event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Audit {
    /// The sending kiosk; must be the kiosk the token belongs to.
    pub kiosk_id: String,
    /// First sequence number covered.
    pub from: u64,
    /// Last sequence number covered; `None` = to the end (the kiosk holds nothing later).
    pub to: Option<u64>,
    /// The kiosk's responses in that range, in sequence order.
    pub entries: Vec<AuditEntry>,
}

pub use crate::store::AuditEntry;

/// The centre's answer to an audit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditResult {
    /// Responses the centre holds in the range, compared.
    pub checked: u64,
    /// Sequence numbers whose response differs from what the centre received.
    pub altered: Vec<u64>,
    /// Sequence numbers the centre holds that the kiosk no longer has.
    pub removed: Vec<u64>,
}

impl AuditResult {
    /// Adds another page's result.
    pub fn add(&mut self, other: AuditResult) {
        self.checked += other.checked;
        self.altered.extend(other.altered);
        self.removed.extend(other.removed);
    }
}

/// `POST /api/v1/responses`: a kiosk's responses, as stored (numbered and chained).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Batch {
    /// The sending kiosk; must be the kiosk the token belongs to.
    #[schema(min_length = 1, max_length = 100)]
    pub kiosk_id: String,
    /// Responses in sequence order.
    #[schema(max_items = 1000)]
    pub responses: Vec<StoredResponse>,
    /// How many responses the kiosk still holds unsynced after this batch (what the facility
    /// page shows as waiting). Optional: kiosks older than the field omit it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting: Option<u64>,
}

/// The centre's answer: which responses it now holds, and which it refused and why.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BatchResult {
    /// Newly stored.
    pub accepted: Vec<ResponseId>,
    /// Already held with the same content (a retry).
    pub duplicates: Vec<ResponseId>,
    /// Refused, with the reason.
    pub rejected: Vec<Rejected>,
    /// Of the accepted and duplicates, those stamped with times the centre cannot believe (the
    /// kiosk's clock is wrong): held, so not sent again, but counted in no figure.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clock_suspect: Vec<ResponseId>,
}

impl BatchResult {
    /// What the kiosk may mark as synced: accepted and duplicates.
    pub fn held(&self) -> Vec<ResponseId> {
        self.accepted.iter().chain(&self.duplicates).copied().collect()
    }
}

/// One refused response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Rejected {
    /// Its id.
    pub id: ResponseId,
    /// Why, in words.
    pub error: String,
}

/// The JSON body of every error the centre answers with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// What went wrong, naming the field or the problem.
    pub error: String,
    /// A stable machine-readable name for the problem where a client acts on it (see
    /// [`code`]); absent for the rest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Seconds to wait before trying again (with 503, as in its `Retry-After` header).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

/// The values of [`ErrorBody::code`]: why the centre refused a request, so that a kiosk can tell
/// staff the real cause in their own language.
pub mod code {
    /// No bearer token was sent.
    pub const TOKEN_MISSING: &str = "token_missing";
    /// The token is not one the centre issued (or it was replaced by a re-enrolment).
    pub const TOKEN_UNKNOWN: &str = "token_unknown";
    /// The token was revoked (`hailong centre kiosk revoke`).
    pub const TOKEN_REVOKED: &str = "token_revoked";
    /// The token belongs to another kiosk than the one the request names.
    pub const TOKEN_OTHER_KIOSK: &str = "token_other_kiosk";
    /// A new enrolment's first batch names a kiosk already enrolled under another enrolment.
    pub const KIOSK_ENROLLED_ELSEWHERE: &str = "kiosk_enrolled_elsewhere";
    /// The centre is busy (too many large requests at once): retry after `retry_after`.
    pub const BUSY: &str = "busy";
}
