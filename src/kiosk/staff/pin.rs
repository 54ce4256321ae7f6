//! The staff PIN: stored in `hailong.toml` only as an argon2id hash, checked off the UI thread,
//! and locked for five minutes after five wrong tries.

use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// Wrong PINs in a row before the pad locks.
pub const MAX_FAILURES: u32 = 5;
/// How long the pad stays locked.
pub const LOCKOUT: Duration = Duration::from_secs(5 * 60);
/// Shortest and longest PIN.
pub const PIN_LEN: std::ops::RangeInclusive<usize> = 4..=8;

/// Hashes a PIN as an argon2id PHC string (`$argon2id$v=19$…`) with a random salt.
pub fn hash_pin(pin: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(pin.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Whether `hash` is an argon2id hash this kiosk can check a PIN against.
pub fn is_pin_hash(hash: &str) -> bool {
    hash.starts_with("$argon2id$") && PasswordHash::new(hash).is_ok()
}

/// Whether `pin` matches `hash` (slow on purpose: run it off the UI thread).
pub fn verify_pin(hash: &str, pin: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(pin.as_bytes(), &h).is_ok())
}

/// Whether a typed PIN has an acceptable shape: 4–8 digits.
pub fn is_valid_pin(pin: &str) -> bool {
    PIN_LEN.contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit())
}

/// Wrong tries and the lock; kept by the kiosk across openings of the pad.
#[derive(Debug, Clone, Default)]
pub struct Guard {
    failures: u32,
    locked_until: Option<Instant>,
}

impl Guard {
    /// Seconds left while locked at `now`.
    pub fn locked_for(&self, now: Instant) -> Option<u64> {
        let until = self.locked_until?;
        let left = until.saturating_duration_since(now);
        (!left.is_zero()).then(|| left.as_secs() + u64::from(left.subsec_nanos() > 0))
    }

    /// Records a check. Returns whether this failure locked the pad.
    pub fn record(&mut self, ok: bool, now: Instant) -> bool {
        if ok {
            *self = Guard::default();
            return false;
        }
        self.failures += 1;
        if self.failures >= MAX_FAILURES {
            self.failures = 0;
            self.locked_until = Some(now + LOCKOUT);
            return true;
        }
        false
    }

    /// Wrong tries since the last success or lock.
    pub fn failures(&self) -> u32 {
        self.failures
    }
}
