//! What a patient leaves in the kiosk's feedback box ("Góp ý / Phản ánh"): a [`Note`], stored
//! offline first in the kiosk's database, numbered and hash-chained like responses
//! ([`StoredNote`]), and sent to the centre by the same sync rounds (`POST /api/v1/feedback`,
//! idempotent by id), where it becomes an item of the facility's feedback box.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{Contact, Kind, ReceiptCode, State};

/// The path kiosks post their notes to.
pub const NOTES_PATH: &str = "/api/v1/feedback";
/// The path a kiosk asks for an item's state by receipt code (`/api/v1/feedback/{code}`).
pub const FOLLOW_PATH: &str = "/api/v1/feedback/{code}";
/// Most notes the centre takes in one request (and a kiosk sends).
pub const MAX_NOTES: usize = 100;
/// The longest phone number or e-mail address a person may leave (characters).
pub const MAX_CONTACT: usize = 200;

/// What a patient wrote at the kiosk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Note {
    /// Its id: the item's id at the centre, so sending it again is a duplicate.
    pub id: Uuid,
    /// The receipt code the patient was shown.
    #[schema(value_type = String, example = "7KQ4MX2P")]
    pub code: ReceiptCode,
    /// What the patient said it is: `praise`, `suggestion` or `reflection`.
    #[schema(value_type = String, example = "suggestion")]
    pub kind: Kind,
    /// The department it concerns, if the patient chose one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// What they wrote.
    pub text: String,
    /// How they may be contacted: only given together with their consent.
    #[serde(default, skip_serializing_if = "Contact::is_empty")]
    #[schema(value_type = Object)]
    pub contact: Contact,
    /// When they sent it (the kiosk's clock).
    pub written_at: DateTime<Utc>,
}

impl Note {
    /// A new note with a fresh id and receipt code.
    pub fn new(kind: Kind, department: Option<String>, text: String, contact: Contact, at: DateTime<Utc>) -> Note {
        Note {
            id: Uuid::now_v7(),
            code: ReceiptCode::new(),
            kind,
            department,
            text,
            contact,
            written_at: at,
        }
    }
}

/// A note as the kiosk stores and sends it: numbered in the kiosk's own feedback chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StoredNote {
    /// Position in the kiosk's feedback chain, from 1.
    #[schema(minimum = 1)]
    pub seq: u64,
    /// The kiosk that took it.
    pub kiosk_id: String,
    /// The note.
    #[serde(flatten)]
    pub note: Note,
    /// The previous note's hash ([`super::GENESIS`] for the first).
    pub prev_hash: String,
    /// `SHA-256(prev_hash ‖ canonical bytes)`, as for responses.
    pub hash: String,
}

#[derive(Serialize)]
struct Canonical<'a> {
    seq: u64,
    kiosk_id: &'a str,
    #[serde(flatten)]
    note: &'a Note,
}

/// The hash of the note at `seq` of kiosk `kiosk_id` after `prev_hash`: the hex SHA-256 of
/// `prev_hash` followed by the note's compact JSON (with its number and kiosk, so moving a note
/// breaks the chain too).
pub fn link(prev_hash: &str, seq: u64, kiosk_id: &str, note: &Note) -> String {
    let canonical = serde_json::to_vec(&Canonical { seq, kiosk_id, note }).expect("a note always serialises");
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(canonical);
    hex::encode(hasher.finalize())
}

impl StoredNote {
    /// Whether the hash is that of the content after `prev_hash`.
    pub fn hash_holds(&self) -> bool {
        self.hash == link(&self.prev_hash, self.seq, &self.kiosk_id, &self.note)
    }
}

/// `POST /api/v1/feedback`: a kiosk's notes, in sequence order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteBatch {
    /// The sending kiosk; must be the kiosk the token belongs to.
    #[schema(min_length = 1, max_length = 100)]
    pub kiosk_id: String,
    /// The notes.
    #[schema(max_items = 100)]
    pub notes: Vec<StoredNote>,
}

/// The centre's answer: which notes it now holds, and which it refused and why.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NoteResult {
    /// Newly stored as items.
    pub accepted: Vec<Uuid>,
    /// Already held (a retry).
    pub duplicates: Vec<Uuid>,
    /// Refused, with the reason.
    pub rejected: Vec<NoteRejected>,
}

impl NoteResult {
    /// What the kiosk may mark as sent: accepted and duplicates.
    pub fn held(&self) -> Vec<Uuid> {
        self.accepted.iter().chain(&self.duplicates).copied().collect()
    }
}

/// One refused note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NoteRejected {
    /// Its id.
    pub id: Uuid,
    /// Why, in words.
    pub error: String,
}

/// `GET /api/v1/feedback/{code}`: what anyone holding the receipt code may know (as on the
/// public follow-up page): when it was received, where it is, and the published answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FollowUp {
    /// The receipt code.
    #[schema(value_type = String)]
    pub code: ReceiptCode,
    /// The day it was received (the facility's calendar).
    pub received_on: NaiveDate,
    /// Where it is: `new`, `classified`, `assigned`, `in_progress`, `answered`, `closed`,
    /// `forwarded`, `declined` or `reopened`.
    #[schema(value_type = String)]
    pub state: State,
    /// The answer a leader published, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
}

/// Whether `phone` reads as a phone number: digits with spaces, `+`, `-`, `.` or brackets, at
/// least 8 digits.
pub fn valid_phone(phone: &str) -> bool {
    phone.chars().all(|c| c.is_ascii_digit() || " +-.()".contains(c))
        && phone.chars().filter(char::is_ascii_digit).count() >= 8
}

/// Whether `email` reads as an e-mail address: one `@`, a dot in the domain, no spaces.
pub fn valid_email(email: &str) -> bool {
    let mut parts = email.split('@');
    let (user, domain) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    !user.is_empty() && domain.contains('.') && parts.next().is_none() && !email.contains(char::is_whitespace)
}

/// The contact a person typed into one field: a phone number or an e-mail address (`None`
/// when it is neither, or too long).
pub fn contact_of(typed: &str) -> Option<Contact> {
    let typed = typed.trim();
    if typed.is_empty() || typed.chars().count() > MAX_CONTACT || typed.chars().any(char::is_control) {
        return None;
    }
    if typed.contains('@') {
        valid_email(typed).then(|| Contact {
            phone: None,
            email: Some(typed.to_string()),
        })
    } else {
        valid_phone(typed).then(|| Contact {
            phone: Some(typed.to_string()),
            email: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note() -> Note {
        Note::new(
            Kind::Suggestion,
            Some("Khoa Nhi".into()),
            "Phòng chờ thiếu ghế".into(),
            Contact::default(),
            "2026-11-30T02:00:00Z".parse().unwrap(),
        )
    }

    #[test]
    fn a_stored_note_reads_back_and_its_hash_holds_until_it_is_edited() {
        let n = note();
        let mut stored = StoredNote {
            seq: 1,
            kiosk_id: "k1".into(),
            hash: link(super::super::GENESIS, 1, "k1", &n),
            note: n,
            prev_hash: super::super::GENESIS.into(),
        };
        let json = serde_json::to_string(&stored).unwrap();
        assert_eq!(serde_json::from_str::<StoredNote>(&json).unwrap(), stored);
        assert!(stored.hash_holds());
        stored.note.text.push('!');
        assert!(!stored.hash_holds());
    }

    #[test]
    fn a_typed_contact_is_a_phone_or_an_email_or_nothing() {
        assert_eq!(
            contact_of(" 0912 345 678 ").unwrap().phone.as_deref(),
            Some("0912 345 678")
        );
        assert_eq!(
            contact_of("an@example.vn").unwrap().email.as_deref(),
            Some("an@example.vn")
        );
        for bad in ["", "12345", "an@", "an@example", "a b@example.vn", "09123x45678"] {
            assert_eq!(contact_of(bad), None, "{bad:?}");
        }
    }
}
