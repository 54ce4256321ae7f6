//! The login throttle: what failed logins (and wrong "current password" tries) cost, and what
//! the database keeps of them.
//!
//! - **Per account and address** ([`Keys::pair`]): the first [`FREE_FAILURES`] are free; each
//!   one after that makes that address wait before trying that account again, twice as long
//!   each time from [`FIRST_DELAY`] up to [`MAX_DELAY`]. The account's owner at another address
//!   (the ward next door, home) is not held back at all: a guesser cannot lock anyone out.
//! - **Per address** ([`Keys::address`]): [`ADDRESS_FAILURES`] failures within [`WINDOW`] make
//!   that address wait out the window, whatever account it tries — a bound on one laptop trying
//!   many accounts. A hospital's NAT address counts every mistyped password behind it, so the
//!   bound is set well above what a building of staff mistypes.
//! - A try that comes while its address must wait is answered at once (no password hash is
//!   computed) and not recorded: a flood of refused tries writes nothing.
//! - Keys are SHA-256 hashes of the name and address, never the raw text, and a name longer
//!   than an account name can be is refused before it is counted; the table keeps one row per
//!   key, forgets rows a day old, and never holds more than [`MAX_ROWS`].
//! - `hailong centre user unlock NAME` forgets an account's counters, `--address` an address's.

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

/// Failures per account and address that cost nothing.
pub const FREE_FAILURES: u32 = 5;
/// The wait after the first failure past [`FREE_FAILURES`].
pub const FIRST_DELAY: Duration = Duration::seconds(30);
/// The longest wait.
pub const MAX_DELAY: Duration = Duration::minutes(15);
/// Failures from one address within [`WINDOW`] after which that address waits the window out.
pub const ADDRESS_FAILURES: u32 = 50;
/// The window the per-address failures are counted in.
pub const WINDOW: Duration = Duration::minutes(15);
/// How long a counter is kept after its last failure.
pub const KEEP: Duration = Duration::days(1);
/// Most rows the throttle table holds (the oldest go first).
pub const MAX_ROWS: u64 = 50_000;

/// The keys one try is counted under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    /// This account name at this address.
    pub pair: String,
    /// This account name, anywhere (for `user unlock NAME`).
    pub account: String,
    /// This address, whatever the name.
    pub address: String,
}

fn hash(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    hex::encode(h.finalize())
}

impl Keys {
    /// The keys of a try at account `name` from `address` (names compare without case).
    pub fn new(name: &str, address: &str) -> Keys {
        let name = name.to_lowercase();
        Keys {
            pair: hash(&["pair", &name, address]),
            account: account_key(&name),
            address: address_key(address),
        }
    }
}

/// The key of account `name` (for `user unlock NAME`).
pub fn account_key(name: &str) -> String {
    hash(&["account", &name.to_lowercase()])
}

/// The key of `address` (for `user unlock --address`).
pub fn address_key(address: &str) -> String {
    hash(&["address", address])
}

/// What is kept of one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counter {
    /// Failures counted.
    pub failures: u32,
    /// When counting began (the per-address window).
    pub since: DateTime<Utc>,
    /// The last failure.
    pub last: DateTime<Utc>,
    /// No try is taken before this.
    pub blocked_until: Option<DateTime<Utc>>,
}

/// The wait after the `failures`-th failure of one account at one address.
pub fn pair_delay(failures: u32) -> Option<Duration> {
    let past = failures.checked_sub(FREE_FAILURES + 1)?;
    let doubled = FIRST_DELAY.num_seconds().saturating_mul(1i64 << past.min(20));
    Some(Duration::seconds(doubled.min(MAX_DELAY.num_seconds())))
}

/// The account-and-address counter after one more failure at `now`.
pub fn pair_after_failure(prev: Option<Counter>, now: DateTime<Utc>) -> Counter {
    let failures = match prev {
        Some(c) if now - c.last < KEEP => c.failures.saturating_add(1),
        _ => 1,
    };
    Counter {
        failures,
        since: prev.filter(|c| now - c.last < KEEP).map_or(now, |c| c.since),
        last: now,
        blocked_until: pair_delay(failures).map(|d| now + d),
    }
}

/// The address counter after one more failure at `now`.
pub fn address_after_failure(prev: Option<Counter>, now: DateTime<Utc>) -> Counter {
    let (failures, since) = match prev {
        Some(c) if now - c.since < WINDOW => (c.failures.saturating_add(1), c.since),
        _ => (1, now),
    };
    Counter {
        failures,
        since,
        last: now,
        blocked_until: (failures >= ADDRESS_FAILURES).then(|| since + WINDOW),
    }
}

/// Until when a try with these counters must wait, if it must at `now`.
pub fn blocked(counters: &[Option<Counter>], now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    counters
        .iter()
        .flatten()
        .filter_map(|c| c.blocked_until)
        .filter(|until| *until > now)
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_780_000_000 + seconds, 0).unwrap()
    }

    #[test]
    fn five_failures_are_free_then_the_wait_doubles_up_to_a_quarter_hour() {
        let waits: Vec<Option<i64>> = (1..=12).map(|n| pair_delay(n).map(|d| d.num_seconds())).collect();
        assert_eq!(
            waits,
            vec![
                None,
                None,
                None,
                None,
                None,
                Some(30),
                Some(60),
                Some(120),
                Some(240),
                Some(480),
                Some(900),
                Some(900)
            ]
        );
        assert_eq!(pair_delay(u32::MAX), Some(MAX_DELAY));
    }

    #[test]
    fn a_pair_forgets_a_day_after_its_last_failure() {
        let mut c = None;
        for i in 0..7 {
            c = Some(pair_after_failure(c, at(i)));
        }
        let c = c.unwrap();
        assert_eq!(c.failures, 7);
        assert_eq!(c.blocked_until, Some(at(6 + 60)));
        let fresh = pair_after_failure(Some(c), at(6) + KEEP);
        assert_eq!((fresh.failures, fresh.blocked_until), (1, None));
    }

    #[test]
    fn an_address_waits_out_its_window_after_too_many_failures() {
        let mut c = None;
        for i in 0..ADDRESS_FAILURES {
            c = Some(address_after_failure(c, at(i64::from(i))));
        }
        let c = c.unwrap();
        assert_eq!(c.blocked_until, Some(at(0) + WINDOW));
        assert_eq!(blocked(&[Some(c)], at(60)), Some(at(0) + WINDOW));
        assert_eq!(blocked(&[Some(c)], at(0) + WINDOW), None);
        // A new window starts afresh.
        let next = address_after_failure(Some(c), at(0) + WINDOW);
        assert_eq!((next.failures, next.blocked_until), (1, None));
    }

    #[test]
    fn keys_hide_the_name_and_ignore_its_case() {
        let k = Keys::new("QuanTri", "10.0.0.1");
        assert_eq!(k, Keys::new("quantri", "10.0.0.1"));
        assert_ne!(k.pair, Keys::new("quantri", "10.0.0.2").pair);
        assert!(!k.pair.contains("quantri") && k.pair.len() == 64);
        assert_eq!(k.account, account_key("QUANTRI"));
        assert_eq!(k.address, address_key("10.0.0.1"));
    }
}
