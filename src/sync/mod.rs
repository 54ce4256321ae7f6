//! The sync protocol between kiosks and the centre (DESIGN §7), shared by both sides, and the
//! kiosk's sync client.

pub mod client;

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

/// `POST /api/v1/responses`: a kiosk's responses, as stored (numbered and chained).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Batch {
    /// The sending kiosk; must be the kiosk the token belongs to.
    pub kiosk_id: String,
    /// Responses in sequence order.
    pub responses: Vec<StoredResponse>,
}

/// The centre's answer: which responses it now holds, and which it refused and why.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BatchResult {
    /// Newly stored.
    pub accepted: Vec<ResponseId>,
    /// Already held with the same content (a retry).
    pub duplicates: Vec<ResponseId>,
    /// Refused, with the reason.
    pub rejected: Vec<Rejected>,
}

impl BatchResult {
    /// What the kiosk may mark as synced: accepted and duplicates.
    pub fn held(&self) -> Vec<ResponseId> {
        self.accepted.iter().chain(&self.duplicates).copied().collect()
    }
}

/// One refused response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejected {
    /// Its id.
    pub id: ResponseId,
    /// Why, in words.
    pub error: String,
}

/// The JSON body of every error the centre answers with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// What went wrong, naming the field or the problem.
    pub error: String,
}
