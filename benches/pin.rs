//! How long one staff-PIN hash takes (`hailong kiosk set-pin`, the Settings PIN change) and one
//! check (every unlock, and every guess of an attacker holding `hailong.toml`).
//!
//! Target (issue 12, §1.5): about 0.5 s per hash on the kiosk's class of machine (a 2-core
//! mini PC), so an offline search of the 10^6 six-digit PINs takes days of CPU instead of the
//! minutes a 4-digit PIN under the old parameters took. `cargo bench --bench pin` prints the
//! median of a few runs.

use std::time::{Duration, Instant};

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let runs = 7;
    let mut hashes = Vec::new();
    let mut hash_times = Vec::new();
    for i in 0..runs {
        let start = Instant::now();
        hashes.push(hailong::pin::hash_pin(&format!("{:06}", 246_813 + i)).expect("hash"));
        hash_times.push(start.elapsed());
    }
    let mut verify_times = Vec::new();
    for (i, hash) in hashes.iter().enumerate() {
        let start = Instant::now();
        assert!(hailong::pin::verify_pin(hash, &format!("{:06}", 246_813 + i)));
        verify_times.push(start.elapsed());
    }
    println!(
        "argon2id m={} KiB t={} p=1: hash median {:.0} ms, verify median {:.0} ms ({runs} runs)",
        hailong::pin::M_COST_KIB,
        hailong::pin::T_COST,
        median(hash_times).as_secs_f64() * 1000.0,
        median(verify_times).as_secs_f64() * 1000.0,
    );
}
