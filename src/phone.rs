//! The kiosk's rotating phone code (DESIGN §12): a link that changes every [`WINDOW_SECS`],
//! which a patient scans to answer on their own phone.
//!
//! Both ends compute it offline from the kiosk's token: the kiosk holds the token, the centre
//! holds its SHA-256 (`centre::token_hash`), and the code's key is derived from
//! that hash, so a new token (`kiosk renew`) gives a new key and a revoked kiosk's codes stop
//! working with it. The code is `HMAC-SHA256(key, kiosk id ‖ form ‖ window)`, cut to 80 bits:
//! `<window>-<20 hex digits>` in `/p/<kiosk id>/<form>/<code>`.
//!
//! The centre accepts a code whose window lies within [`ACCEPT_SECS`] of its own clock, either
//! way: a kiosk whose clock is up to a minute off still gives codes that work, and a code read
//! off the screen stays good for at least half a minute after the screen moves on.
//!
//! Codes printed on paper (a ticket, a poster) are random instead, [`PAPER_LEN`] letters the
//! centre keeps ([`paper_code`]), short enough to type from a ticket: `ABCD-EFGH`.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How long one code is shown before the next.
pub const WINDOW_SECS: i64 = 30;

/// How far (seconds, either way) a code's window may lie from the centre's clock: the clock
/// skew allowed between a kiosk and its centre is this less one window (60 s).
pub const ACCEPT_SECS: i64 = 90;

/// The key of a kiosk's codes, from the SHA-256 (hex) of its token.
pub fn key_of(token_hash: &str) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(token_hash.as_bytes()).expect("any key length");
    mac.update(b"hailong phone code v1");
    mac.finalize().into_bytes().into()
}

/// The key of the codes of the kiosk holding `token` (what the kiosk computes them with).
pub fn key_of_token(token: &str) -> [u8; 32] {
    use sha2::Digest;
    key_of(&hex::encode(Sha256::digest(token.trim().as_bytes())))
}

/// The window `at` falls in.
pub fn window_of(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(WINDOW_SECS)
}

fn hmac(key: &[u8; 32], kiosk_id: &str, form: &str, window: i64) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    mac.update(kiosk_id.as_bytes());
    mac.update(&[0]);
    mac.update(form.as_bytes());
    mac.update(&[0]);
    mac.update(&window.to_be_bytes());
    mac
}

fn mac(key: &[u8; 32], kiosk_id: &str, form: &str, window: i64) -> String {
    hex::encode(&hmac(key, kiosk_id, form, window).finalize().into_bytes()[..10])
}

/// The code of `kiosk_id`'s `form` for the window `at` falls in.
pub fn code(key: &[u8; 32], kiosk_id: &str, form: &str, at: DateTime<Utc>) -> String {
    let window = window_of(at);
    format!("{window}-{}", mac(key, kiosk_id, form, window))
}

/// The link a phone opens: `<base>/p/<kiosk id>/<form>/<code>`.
pub fn link(base: &str, key: &[u8; 32], kiosk_id: &str, form: &str, at: DateTime<Utc>) -> String {
    format!(
        "{}/p/{kiosk_id}/{form}/{}",
        base.trim_end_matches('/'),
        code(key, kiosk_id, form, at)
    )
}

/// Why the centre does not take a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeError {
    /// Not a code this centre gives (malformed, or signed with another key).
    Invalid,
    /// A real code, but its window is too far from the centre's clock.
    Expired,
}

/// Checks `code` for `kiosk_id`'s `form` at the centre's `now`; the window it names on success.
pub fn check(key: &[u8; 32], kiosk_id: &str, form: &str, code: &str, now: DateTime<Utc>) -> Result<i64, CodeError> {
    let (window, sent) = code.split_once('-').ok_or(CodeError::Invalid)?;
    let window: i64 = window.parse().map_err(|_| CodeError::Invalid)?;
    if sent.len() != 20 || window.checked_mul(WINDOW_SECS).is_none() {
        // Not a window any clock reaches (and no product that overflows below).
        return Err(CodeError::Invalid);
    }
    let sent = hex::decode(sent).map_err(|_| CodeError::Invalid)?;
    // Compared in constant time.
    hmac(key, kiosk_id, form, window)
        .verify_truncated_left(&sent)
        .map_err(|_| CodeError::Invalid)?;
    // The window [start, start + 30 s) must come within ACCEPT_SECS of now.
    let start = window * WINDOW_SECS;
    let now = now.timestamp();
    if start.saturating_add(WINDOW_SECS) <= now - ACCEPT_SECS || start > now + ACCEPT_SECS {
        return Err(CodeError::Expired);
    }
    Ok(window)
}

/// The letters of a printed code: no 0/O, 1/I/L or U/V to misread or mistype.
const PAPER_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTWXYZ";

/// How many letters a printed code has (about 39 bits: guessing one of a thousand live
/// tickets takes hundreds of thousands of tries per hit).
pub const PAPER_LEN: usize = 8;

/// A new code for paper (a ticket, a poster): [`PAPER_LEN`] random letters of an alphabet
/// without look-alikes.
pub fn paper_code() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..PAPER_LEN)
        .map(|_| PAPER_ALPHABET[rng.random_range(0..PAPER_ALPHABET.len())] as char)
        .collect()
}

/// A printed code as typed (`abcd efgh`, `ABCD-EFGH`), in its one form (`ABCDEFGH`); `None`
/// when it cannot be one.
pub fn paper_normal(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == PAPER_LEN && code.bytes().all(|b| PAPER_ALPHABET.contains(&b))).then_some(code)
}

/// A printed code as people read it: `ABCD-EFGH`.
pub fn paper_shown(code: &str) -> String {
    let (a, b) = code.split_at(code.len().min(PAPER_LEN / 2));
    format!("{a}-{b}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The SHA-256 of a token, as the centre keeps it.
    fn token_hash(token: &str) -> String {
        use sha2::Digest;
        hex::encode(Sha256::digest(token.as_bytes()))
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_code_is_good_for_ninety_seconds_either_way_and_for_its_kiosk_and_form_only() {
        let key = key_of(&token_hash("token"));
        let shown = at("2026-12-07T10:00:05Z");
        let code = code(&key, "k1", "byt-ngoai-tru", shown);
        for secs in [-90, -60, 0, 29, 60, 90, 114] {
            let now = shown + chrono::Duration::seconds(secs);
            assert!(check(&key, "k1", "byt-ngoai-tru", &code, now).is_ok(), "{secs} s");
        }
        for secs in [-126, 120, 600] {
            let now = shown + chrono::Duration::seconds(secs);
            assert_eq!(
                check(&key, "k1", "byt-ngoai-tru", &code, now),
                Err(CodeError::Expired),
                "{secs} s"
            );
        }
        assert_eq!(
            check(&key, "k2", "byt-ngoai-tru", &code, shown),
            Err(CodeError::Invalid)
        );
        assert_eq!(check(&key, "k1", "byt-noi-tru", &code, shown), Err(CodeError::Invalid));
        let other = key_of(&token_hash("renewed"));
        assert_eq!(
            check(&other, "k1", "byt-ngoai-tru", &code, shown),
            Err(CodeError::Invalid)
        );
        for bad in [
            "",
            "x",
            "1-2",
            "99999999999999999999-00000000000000000000",
            &code[..code.len() - 1],
        ] {
            assert_eq!(
                check(&key, "k1", "byt-ngoai-tru", bad, shown),
                Err(CodeError::Invalid),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_printed_code_reads_back_however_it_is_typed() {
        for _ in 0..200 {
            let code = paper_code();
            assert_eq!(code.len(), PAPER_LEN);
            assert_eq!(paper_normal(&code).as_deref(), Some(code.as_str()));
            let shown = paper_shown(&code);
            assert_eq!(paper_normal(&shown).as_deref(), Some(code.as_str()));
            let typed = format!(" {} ", shown.to_lowercase().replace('-', " "));
            assert_eq!(paper_normal(&typed).as_deref(), Some(code.as_str()));
        }
        for bad in ["", "ABCD", "ABCD-EFGH-J", "ABCD-EFG0", "ABCD-EFGI", "<script>x"] {
            assert_eq!(paper_normal(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_kiosk_a_minute_off_gives_codes_the_centre_takes() {
        let key = key_of(&token_hash("token"));
        let centre_now = at("2026-12-07T10:00:00Z");
        for off in [-60, 60] {
            let kiosk_now = centre_now + chrono::Duration::seconds(off);
            let code = code(&key, "k1", "f", kiosk_now);
            assert!(check(&key, "k1", "f", &code, centre_now).is_ok(), "{off} s off");
        }
    }
}
