//! The staff PIN's hash: argon2id, stored in `hailong.toml` as a PHC string. Used by the
//! settings (to check a stored hash), `hailong kiosk set-pin` and the kiosk's staff mode (which
//! keeps the lockout after wrong tries in `kiosk::staff::pin`).

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

/// Length of a PIN that unlocks: hashes set by older versions may be of 4 or 5 digits.
pub const PIN_LEN: std::ops::RangeInclusive<usize> = 4..=8;
/// Length of a PIN that may be set now. A 4-digit PIN fell to an offline search of its hash in
/// minutes; 6 digits take a hundred times longer.
pub const NEW_PIN_LEN: std::ops::RangeInclusive<usize> = 6..=8;

/// Memory per hash, KiB (64 MiB).
pub const M_COST_KIB: u32 = 64 * 1024;
/// Passes over that memory: with 64 MiB, one hash took a median of 0.5 s on a 2-core machine
/// like the kiosk's (release build; `cargo bench --bench pin`). The previous parameters
/// (19 MiB, 2 passes) took 40 ms, which let a 4-digit PIN's hash be searched in minutes; 10^6
/// six-digit PINs at 0.5 s each take days of CPU.
pub const T_COST: u32 = 8;

fn hasher() -> Argon2<'static> {
    Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(M_COST_KIB, T_COST, 1, None).expect("valid argon2 parameters"),
    )
}

/// Hashes a PIN as an argon2id PHC string (`$argon2id$v=19$m=65536,t=8,p=1$…`) with a random
/// salt. Slow on purpose (about 0.5 s): run it off the UI thread.
pub fn hash_pin(pin: &str) -> Result<String, String> {
    hasher()
        .hash_password(pin.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Whether `hash` is an argon2id hash a PIN can be checked against.
pub fn is_pin_hash(hash: &str) -> bool {
    hash.starts_with("$argon2id$") && PasswordHash::new(hash).is_ok()
}

/// Whether `pin` matches `hash`. The cost is read from the hash itself, so hashes written with
/// older, cheaper parameters still verify. Slow on purpose: run it off the UI thread.
pub fn verify_pin(hash: &str, pin: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(pin.as_bytes(), &h).is_ok())
}

/// Whether a typed PIN has a shape that may unlock: 4–8 digits.
pub fn is_valid_pin(pin: &str) -> bool {
    digits_in(pin, &PIN_LEN)
}

/// Whether a PIN may be set as the new PIN: 6–8 digits.
pub fn is_valid_new_pin(pin: &str) -> bool {
    digits_in(pin, &NEW_PIN_LEN)
}

/// Whether a PIN that unlocked is shorter than a new PIN may be (staff are asked to change it).
pub fn is_short(pin: &str) -> bool {
    pin.len() < *NEW_PIN_LEN.start()
}

fn digits_in(pin: &str, len: &std::ops::RangeInclusive<usize>) -> bool {
    len.contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_hashes_carry_the_raised_cost_and_old_ones_still_verify() {
        let hash = hash_pin("246813").unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=65536,t=8,p=1$"), "{hash}");
        assert!(is_pin_hash(&hash) && verify_pin(&hash, "246813") && !verify_pin(&hash, "246814"));
        // The parameters of the previous version (argon2's defaults then).
        let old = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(19 * 1024, 2, 1, None).unwrap(),
        )
        .hash_password(b"2468")
        .unwrap()
        .to_string();
        assert!(verify_pin(&old, "2468") && !verify_pin(&old, "2469"));
    }

    #[test]
    fn new_pins_need_six_to_eight_digits_but_four_still_unlock() {
        for pin in ["2468", "24681"] {
            assert!(is_valid_pin(pin) && !is_valid_new_pin(pin) && is_short(pin), "{pin}");
        }
        for pin in ["246813", "24681357"] {
            assert!(is_valid_pin(pin) && is_valid_new_pin(pin) && !is_short(pin), "{pin}");
        }
        for pin in ["123", "123456789", "12345a", ""] {
            assert!(!is_valid_new_pin(pin), "{pin}");
        }
    }
}
