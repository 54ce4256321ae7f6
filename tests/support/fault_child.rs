//! `hailong-fault-child`: the process `tests/store_faults.rs` starts and kills with SIGKILL
//! mid-save. It saves demo responses into the kiosk database `HAILONG_KILL_CHILD_DB` forever,
//! printing `committed <id>` after each save that returned, until it is killed (or 30 s pass).
//! A test helper, not a tool: run on its own it says so and does nothing.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use hailong::store::Store;
use hailong::survey::demo::{self, DemoOptions};
use hailong::survey::{Catalog, Response};

const TZ: chrono_tz::Tz = chrono_tz::Asia::Ho_Chi_Minh;

fn main() {
    let Some(db) = std::env::var_os("HAILONG_KILL_CHILD_DB") else {
        eprintln!("hailong-fault-child: started by tests/store_faults.rs only (HAILONG_KILL_CHILD_DB is not set)");
        std::process::exit(2);
    };
    let seed: u64 = std::env::var("HAILONG_KILL_CHILD_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let deadline = Instant::now() + Duration::from_secs(30); // in case the parent never kills us
    let mut out = std::io::stdout().lock();
    let mut say = |line: String| {
        if writeln!(out, "{line}").and_then(|()| out.flush()).is_err() {
            std::process::exit(0); // the parent is gone
        }
    };
    let q = Catalog::built_in()
        .latest("byt-ngoai-tru")
        .expect("byt-ngoai-tru is built in")
        .clone();
    say("opening".into());
    let mut store = match Store::open(Path::new(&db), TZ) {
        Ok(store) => store,
        Err(e) => {
            say(format!("failed to open: {e}"));
            std::process::exit(3);
        }
    };
    say("opened".into());
    for chunk in 0u64.. {
        let mut batch: Vec<Response> = Vec::with_capacity(20);
        let opts = DemoOptions {
            responses: 20,
            seed: seed.wrapping_mul(1_000_003).wrapping_add(chunk),
            end: NaiveDate::from_ymd_opt(2026, 11, 20).expect("valid date"),
            departments: vec![],
            tz: TZ,
        };
        demo::generate(&q, &opts, |r| batch.push(r));
        for response in &batch {
            match store.save(&q, response) {
                Ok(saved) if saved.id == response.id => say(format!("committed {}", saved.id)),
                Ok(saved) => {
                    say(format!("failed to save {}: stored as {}", response.id, saved.id));
                    std::process::exit(3);
                }
                Err(e) => {
                    say(format!("failed to save {}: {e}", response.id));
                    std::process::exit(3);
                }
            }
            if Instant::now() > deadline {
                std::process::exit(0);
            }
        }
    }
}
