//! Issue 5 target: 200 kiosks syncing to one centre at the same time, p99 request latency
//! ≤ 250 ms and no errors. Each simulated kiosk has its own enrolment and chain and posts
//! `kiosk-nhanh` responses over loopback HTTP to an in-process centre on the SQLite backend (or
//! PostgreSQL when `HAILONG_BENCH_POSTGRES_URL` is set), in two scenarios:
//!
//! - steady: every kiosk sends a batch of 10 every 2 s for 30 s (1,000 responses/s offered,
//!   far above a province's real rate of a few responses per second);
//! - backlog: every kiosk sends 10 batches of 50 back to back, all 200 at once (a province
//!   coming back after a centre outage) — throughput-bound, so latency is queueing.
//!
//! Run: `cargo bench --bench centre_concurrency`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use hailong::centre::sqlite::SqliteCentre;
use hailong::centre::{self, Backend, Centre};
use hailong::store::{GENESIS, StoredResponse, link};
use hailong::survey::demo::{DemoOptions, generate};
use hailong::survey::{Catalog, ScoringOptions};
use hailong::sync::{Batch, BatchResult};

/// The allocator the `hailong` binary runs with.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

const TZ: chrono_tz::Tz = chrono_tz::Asia::Ho_Chi_Minh;
const KIOSKS: usize = 200;

/// How a scenario's kiosks send.
struct Scenario {
    name: &'static str,
    batches: usize,
    per_batch: usize,
    /// Time between a kiosk's batches (`None`: back to back).
    pace: Option<Duration>,
}

fn kiosk_batches(kiosk: &str, seed: u64, batches: usize, per_batch: usize) -> Vec<Batch> {
    let catalog = Catalog::built_in();
    let q = catalog.latest("kiosk-nhanh").unwrap();
    let opts = DemoOptions {
        responses: batches * per_batch,
        seed,
        end: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        departments: vec!["Khoa Khám bệnh".into(), "Khoa Nhi".into()],
        tz: TZ,
    };
    let (mut seq, mut prev) = (0u64, GENESIS.to_string());
    let mut all = Vec::new();
    generate(q, &opts, |r| {
        seq += 1;
        let hash = link(&prev, seq, kiosk, &r);
        all.push(StoredResponse {
            seq,
            kiosk_id: kiosk.into(),
            response: r,
            prev_hash: std::mem::replace(&mut prev, hash.clone()),
            hash,
        });
    });
    all.chunks(per_batch)
        .map(|c| Batch {
            kiosk_id: kiosk.into(),
            responses: c.to_vec(),
            waiting: None,
        })
        .collect()
}

fn main() {
    // `cargo test --benches` runs this with `--bench` absent: keep that quick.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let scenarios = [
        Scenario {
            name: "steady: a batch of 10 every 2 s per kiosk",
            batches: 15,
            per_batch: 10,
            pace: Some(Duration::from_secs(2)),
        },
        Scenario {
            name: "backlog: 10 batches of 50 back to back per kiosk",
            batches: 10,
            per_batch: 50,
            pace: None,
        },
    ];
    for scenario in &scenarios {
        run(scenario);
    }
}

fn run(scenario: &Scenario) {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let (store, backend): (Arc<dyn Backend>, &str) = match std::env::var("HAILONG_BENCH_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => (
            Arc::new(hailong::centre::postgres::PostgresCentre::open(&url, TZ).unwrap()),
            "PostgreSQL",
        ),
        _ => (
            Arc::new(SqliteCentre::open(&dir.path().join("centre.sqlite3"), TZ).unwrap()),
            "SQLite",
        ),
    };
    let run = uuid::Uuid::now_v7().simple().to_string();
    let mut kiosks = Vec::new();
    for k in 0..KIOSKS {
        let token = centre::new_token();
        store
            .add_kiosk(
                &format!("TTYT {}", k % 20),
                &format!("Kiosk {k}"),
                &centre::token_hash(&token),
            )
            .unwrap();
        let id = format!("bench-{run}-{k}");
        kiosks.push((
            token,
            kiosk_batches(&id, k as u64, scenario.batches, scenario.per_batch),
        ));
    }
    let state = Centre::new(store, Arc::new(Catalog::built_in()), ScoringOptions::default());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let url = format!("http://{}/api/v1/responses", listener.local_addr().unwrap());
    runtime.spawn(centre::serve(listener, state, std::future::pending()));

    let per_batch = scenario.per_batch;
    let pace = scenario.pace;
    let start = Instant::now();
    let results = runtime.block_on(async {
        let mut tasks = Vec::new();
        for (k, (token, batches)) in kiosks.into_iter().enumerate() {
            let url = url.clone();
            tasks.push(tokio::spawn(async move {
                // One client per kiosk: its own connection, as on a real kiosk.
                let http = reqwest::Client::new();
                let mut latencies = Vec::new();
                let mut errors = 0;
                let mut next = tokio::time::Instant::now();
                if let Some(pace) = pace {
                    // Kiosks are not in step: spread their first batch over one period.
                    next += pace * k as u32 / KIOSKS as u32;
                }
                for batch in batches {
                    if let Some(pace) = pace {
                        tokio::time::sleep_until(next).await;
                        next += pace;
                    }
                    let sent = Instant::now();
                    let answer = http.post(&url).bearer_auth(&token).json(&batch).send().await;
                    let ok = match answer {
                        Ok(resp) if resp.status().is_success() => resp
                            .json::<BatchResult>()
                            .await
                            .is_ok_and(|r| r.accepted.len() == per_batch),
                        _ => false,
                    };
                    latencies.push(sent.elapsed());
                    if !ok {
                        errors += 1;
                    }
                }
                (latencies, errors)
            }));
        }
        let mut all = Vec::new();
        let mut errors = 0;
        for t in tasks {
            let (l, e) = t.await.unwrap();
            all.extend(l);
            errors += e;
        }
        (all, errors)
    });
    let wall = start.elapsed();
    let (mut latencies, errors) = results;
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p).ceil() as usize).saturating_sub(1)];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{KIOSKS} kiosks, {} ({backend}): {} requests in {:.2} s, {} errors; \
         latency p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms; {:.0} responses/s",
        scenario.name,
        latencies.len(),
        wall.as_secs_f64(),
        errors,
        ms(pct(0.50)),
        ms(pct(0.90)),
        ms(pct(0.99)),
        ms(pct(1.0)),
        (KIOSKS * scenario.batches * scenario.per_batch) as f64 / wall.as_secs_f64()
    );
}
