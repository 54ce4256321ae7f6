//! The staff PIN: stored in `hailong.toml` only as an argon2id hash, checked off the UI thread,
//! and locked for five minutes after five wrong tries.

use std::time::{Duration, Instant};

// The hashing lives in `crate::pin` (the settings check hashes too); staff mode uses it from here.
pub use crate::pin::{
    NEW_PIN_LEN, PIN_LEN, hash_pin, is_pin_hash, is_short, is_valid_new_pin, is_valid_pin, verify_pin,
};

/// Wrong PINs in a row before the pad locks.
pub const MAX_FAILURES: u32 = 5;
/// How long the pad stays locked.
pub const LOCKOUT: Duration = Duration::from_secs(5 * 60);

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
