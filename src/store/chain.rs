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
    link_canonical(prev_hash, &canonical_bytes(seq, kiosk_id, response))
}

/// [`link`] over canonical bytes already at hand.
pub fn link_canonical(prev_hash: &str, canonical: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(canonical);
    hex::encode(hasher.finalize())
}

/// The JSON of a stored response, exactly as serde writes a [`super::StoredResponse`], built
/// from its canonical bytes: those are its leading fields, so only the two hashes are added.
/// The centre stores every response it receives this way instead of serialising it again.
pub fn stored_json(mut canonical: Vec<u8>, prev_hash: &str, hash: &str) -> String {
    debug_assert_eq!(canonical.last(), Some(&b'}'));
    canonical.pop();
    canonical.extend_from_slice(b",\"prev_hash\":");
    serde_json::to_writer(&mut canonical, prev_hash).expect("a string serialises");
    canonical.extend_from_slice(b",\"hash\":");
    serde_json::to_writer(&mut canonical, hash).expect("a string serialises");
    canonical.push(b'}');
    String::from_utf8(canonical).expect("serde_json writes UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StoredResponse;
    use crate::survey::demo::{DemoOptions, generate};
    use crate::survey::{Answer, Catalog};

    #[test]
    fn stored_json_is_what_serde_writes_and_reads_back() {
        let catalog = Catalog::built_in();
        let mut checked = 0;
        for id in ["byt-ngoai-tru", "kiosk-nhanh"] {
            let q = catalog.latest(id).unwrap();
            let opts = DemoOptions {
                responses: 200,
                seed: 7,
                end: chrono::NaiveDate::from_ymd_opt(2026, 9, 30).unwrap(),
                departments: vec!["Khoa \"Nội\" \\ Nhi".into()],
                tz: chrono_tz::Asia::Ho_Chi_Minh,
            };
            let mut prev = GENESIS.to_string();
            let mut seq = 0;
            generate(q, &opts, |mut r| {
                seq += 1;
                if seq % 7 == 0 {
                    r.answers.insert(
                        "COMMENT".into(),
                        Answer::Text("Bác sĩ tận tình \"rất\" tốt\n\t\\ 😀".into()),
                    );
                }
                let canonical = canonical_bytes(seq, "kiosk \"1\"", &r);
                let hash = link_canonical(&prev, &canonical);
                assert_eq!(hash, link(&prev, seq, "kiosk \"1\"", &r));
                let stored = StoredResponse {
                    seq,
                    kiosk_id: "kiosk \"1\"".into(),
                    response: r,
                    prev_hash: std::mem::replace(&mut prev, hash.clone()),
                    hash,
                };
                let built = stored_json(canonical, &stored.prev_hash, &stored.hash);
                assert_eq!(built, serde_json::to_string(&stored).unwrap());
                // And it reads back as the same response.
                assert_eq!(serde_json::from_str::<StoredResponse>(&built).unwrap(), stored);
                checked += 1;
            });
        }
        assert_eq!(checked, 400);
    }
}
