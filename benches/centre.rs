//! Centre ingest throughput (issue 5 target: ≥ 20,000 responses/s over loopback HTTP in
//! batches of 500 `byt-ngoai-tru` responses), with the same batches stored straight through
//! the storage backend in the same run as the ceiling.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
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
const BATCH: usize = 500;

/// `n` batches of one kiosk's chained responses, continuing its chain from `state`. They are
/// timed as a busy outpatient kiosk's are, one every three minutes from the chain's start (so a
/// batch of 500 spans a day or two, three departments), not thinly over a year.
fn batches(n: usize, kiosk: &str, state: &mut (u64, String), seed: u64) -> Vec<Vec<StoredResponse>> {
    let catalog = Catalog::built_in();
    let q = catalog.latest("byt-ngoai-tru").unwrap();
    let opts = DemoOptions {
        responses: n * BATCH,
        seed,
        end: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        departments: vec!["Khoa Khám bệnh".into(), "Khoa Nội".into(), "Khoa Nhi".into()],
        tz: TZ,
    };
    let start = chrono::DateTime::parse_from_rfc3339("2026-01-05T00:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let mut all = Vec::with_capacity(n * BATCH);
    generate(q, &opts, |mut r| {
        r.id = hailong::survey::ResponseId::new();
        state.0 += 1;
        let took = r.submitted_at - r.started_at;
        // Every 100,000 responses (208 days) the clock starts over, so a long run never
        // reaches the future, which the centre refuses.
        r.submitted_at = start + chrono::Duration::minutes(3 * (state.0 % 100_000) as i64);
        r.started_at = r.submitted_at - took;
        let hash = link(&state.1, state.0, kiosk, &r);
        all.push(StoredResponse {
            seq: state.0,
            kiosk_id: kiosk.into(),
            response: r,
            prev_hash: std::mem::replace(&mut state.1, hash.clone()),
            hash,
        });
    });
    all.chunks(BATCH).map(<[StoredResponse]>::to_vec).collect()
}

fn ingest(c: &mut Criterion) {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let sqlite: Arc<dyn Backend> = Arc::new(SqliteCentre::open(&dir.path().join("centre.sqlite3"), TZ).unwrap());
    ingest_into(c, "SQLite", sqlite);
    // PostgreSQL when a server is named, e.g.
    // HAILONG_BENCH_POSTGRES_URL='postgres://postgres@127.0.0.1/test?options=-csearch_path%3Dhl_bench'
    // (the schema must exist; kiosk ids are fresh on every run).
    if let Ok(url) = std::env::var("HAILONG_BENCH_POSTGRES_URL") {
        let pg: Arc<dyn Backend> = Arc::new(hailong::centre::postgres::PostgresCentre::open(&url, TZ).unwrap());
        ingest_into(c, "PostgreSQL", pg);
    }
}

fn ingest_into(c: &mut Criterion, backend: &str, store: Arc<dyn Backend>) {
    let run = uuid::Uuid::now_v7().simple().to_string();
    let (http_kiosk, raw_kiosk) = (format!("kiosk-http-{run}"), format!("kiosk-raw-{run}"));
    let token = centre::new_token();
    store
        .add_kiosk("TTYT", "Kiosk HTTP", &centre::token_hash(&token))
        .unwrap();
    let raw_token = centre::new_token();
    let raw_enrolment = store
        .add_kiosk("TTYT", "Kiosk raw", &centre::token_hash(&raw_token))
        .unwrap();
    let catalog = Arc::new(Catalog::built_in());
    let state = Centre::new(store.clone(), catalog.clone(), ScoringOptions::default());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let url = format!("http://{}/api/v1/responses", listener.local_addr().unwrap());
    runtime.spawn(centre::serve(listener, state, std::future::pending()));
    let http = reqwest::Client::new();

    let mut group = c.benchmark_group(format!(
        "centre ingest, batches of 500 byt-ngoai-tru responses ({backend})"
    ));
    group.throughput(Throughput::Elements(BATCH as u64));
    group.sample_size(20).measurement_time(Duration::from_secs(10));
    let mut http_chain = (0, GENESIS.to_string());
    let mut seed = 0;
    group.bench_function("POST /api/v1/responses over loopback", |b| {
        b.iter_custom(|iters| {
            seed += 1;
            let work = batches(iters as usize, &http_kiosk, &mut http_chain, seed);
            let start = Instant::now();
            for responses in work {
                let body = Batch {
                    kiosk_id: http_kiosk.clone(),
                    responses,
                    waiting: None,
                };
                let result: BatchResult = runtime
                    .block_on(async {
                        http.post(&url)
                            .bearer_auth(&token)
                            .json(&body)
                            .send()
                            .await?
                            .json()
                            .await
                    })
                    .unwrap();
                assert_eq!(result.accepted.len(), BATCH);
            }
            start.elapsed()
        })
    });
    // Several kiosks at once, as a centre meets them: the parsing and checking of one batch
    // overlaps the database work of another.
    const SENDERS: usize = 4;
    let mut senders: Vec<(String, String, (u64, String))> = (0..SENDERS)
        .map(|k| {
            let token = centre::new_token();
            store
                .add_kiosk("TTYT", &format!("Kiosk {k}"), &centre::token_hash(&token))
                .unwrap();
            (format!("kiosk-{k}-{run}"), token, (0, GENESIS.to_string()))
        })
        .collect();
    group.bench_function(
        format!("POST /api/v1/responses over loopback, {SENDERS} kiosks at once"),
        |b| {
            b.iter_custom(|iters| {
                seed += 1;
                // `iters` batches in all, shared out among the kiosks.
                let work: Vec<(String, String, Vec<Vec<StoredResponse>>)> = senders
                    .iter_mut()
                    .enumerate()
                    .map(|(k, (kiosk, token, chain))| {
                        let n = (iters as usize + SENDERS - 1 - k) / SENDERS;
                        (
                            kiosk.clone(),
                            token.clone(),
                            batches(n, kiosk, chain, seed * 100 + k as u64),
                        )
                    })
                    .collect();
                let start = Instant::now();
                runtime.block_on(async {
                    let mut tasks = Vec::new();
                    for (kiosk, token, batches) in work {
                        let (http, url) = (http.clone(), url.clone());
                        tasks.push(tokio::spawn(async move {
                            for responses in batches {
                                let body = Batch {
                                    kiosk_id: kiosk.clone(),
                                    responses,
                                    waiting: None,
                                };
                                let result: BatchResult = http
                                    .post(&url)
                                    .bearer_auth(&token)
                                    .json(&body)
                                    .send()
                                    .await
                                    .unwrap()
                                    .json()
                                    .await
                                    .unwrap();
                                assert_eq!(result.accepted.len(), BATCH);
                            }
                        }));
                    }
                    for t in tasks {
                        t.await.unwrap();
                    }
                });
                start.elapsed()
            })
        },
    );
    let mut raw_chain = (0, GENESIS.to_string());
    group.bench_function("straight into the backend (ceiling)", |b| {
        b.iter_custom(|iters| {
            seed += 1;
            let work = batches(iters as usize, &raw_kiosk, &mut raw_chain, seed);
            let start = Instant::now();
            for responses in work {
                let result = store
                    .ingest(&raw_enrolment, &raw_kiosk, &responses, None, &catalog)
                    .unwrap();
                assert_eq!(result.accepted.len(), BATCH);
            }
            start.elapsed()
        })
    });
    group.finish();
}

/// Where a batch's CPU time goes, outside the database: the kiosk serialising it, the centre
/// parsing the request and preparing the batch (checks and hashes, stored JSON, tallies).
fn stages(c: &mut Criterion) {
    let catalog = Catalog::built_in();
    let kiosk = "kiosk-stages";
    let responses = batches(1, kiosk, &mut (0, GENESIS.to_string()), 1).remove(0);
    let batch = Batch {
        kiosk_id: kiosk.into(),
        responses: responses.clone(),
        waiting: None,
    };
    let body = serde_json::to_vec(&batch).unwrap();
    let mut group = c.benchmark_group("centre ingest stages, one batch of 500 byt-ngoai-tru responses");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function("kiosk: serialise the request body", |b| {
        b.iter(|| serde_json::to_vec(&batch).unwrap())
    });
    group.bench_function("centre: parse the request body", |b| {
        b.iter(|| centre::api::parse_json::<Batch>(&body).unwrap())
    });
    group.bench_function("centre: check, hash, stored JSON and tallies", |b| {
        b.iter(|| {
            centre::ingest::prepare(
                &responses,
                kiosk,
                &catalog,
                centre::ingest::KIOSK_CHANNELS,
                chrono::Utc::now(),
                TZ,
            )
        })
    });
    group.finish();
    println!("request body: {} bytes for {BATCH} responses", body.len());
}

criterion_group!(benches, stages, ingest);
criterion_main!(benches);
