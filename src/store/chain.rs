//! The tamper-evident hash chain: `hash = SHA-256(prev_hash ‖ canonical bytes)` (DESIGN §6).

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::survey::Response;

/// The `prev_hash` of the first response of a kiosk.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Serialize)]
struct Canonical<'a> {
    seq: u64,
    kiosk_id: &'a str,
    #[serde(flatten)]
    response: &'a Response,
}

/// The canonical bytes of a response at position `seq` of kiosk `kiosk_id`: compact JSON with
/// fields in declaration order and answers sorted by code. Numbering and kiosk are included so
/// reordering or moving a response breaks the chain too.
pub fn canonical_bytes(seq: u64, kiosk_id: &str, response: &Response) -> Vec<u8> {
    serde_json::to_vec(&Canonical {
        seq,
        kiosk_id,
        response,
    })
    .expect("a response always serialises")
}

/// The hex SHA-256 of `prev_hash` (hex, as stored) followed by the canonical bytes.
pub fn link(prev_hash: &str, seq: u64, kiosk_id: &str, response: &Response) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(canonical_bytes(seq, kiosk_id, response));
    hex::encode(hasher.finalize())
}
