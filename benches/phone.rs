//! Issue 27 §4: 200 phones answering the outpatient form (Mẫu 2, `byt-ngoai-tru`) at once
//! against one centre, over loopback HTTP, as the phone form's own pages: each phone opens a
//! single-use ticket's start page (GET), redeems it (POST), then sends each screen (POST) with
//! no pause, the way a hurried patient taps — far above a ward's real pace.
//!
//! Reports completed responses per second, p50/p99 server round trip per screen, and the
//! process's peak memory (VmHWM: the centre and the 200 clients share the process, so this is an
//! upper bound for the centre). The centre runs in-process on SQLite, and also on PostgreSQL
//! when `HAILONG_BENCH_POSTGRES_URL` names a database (a fresh schema is made in it).
//!
//! Run: `cargo bench --bench phone` (`HAILONG_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test`
//! for both backends).

use std::sync::Arc;
use std::time::{Duration, Instant};

use hailong::centre::phone::{NewTickets, printed_hash};
use hailong::centre::{self, Backend, Centre};
use hailong::survey::{Catalog, ItemKind, Questionnaire, ScoringOptions};

/// The allocator the `hailong` binary runs with.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

const TZ: chrono_tz::Tz = chrono_tz::Asia::Ho_Chi_Minh;
const PHONES: usize = 200;
/// Phones answering alone first, one after another.
const ALONE: usize = 20;
const FACILITY: &str = "Trung tâm Y tế huyện Ba Vì";
const FORM: &str = "byt-ngoai-tru";

fn main() {
    // `cargo test --benches` runs this with `--bench` absent: keep that quick.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let mut backends: Vec<(&str, Arc<dyn Backend>)> = vec![(
        "SQLite",
        Arc::new(centre::sqlite::SqliteCentre::open(&dir.path().join("centre.sqlite3"), TZ).unwrap()),
    )];
    if let Ok(url) = std::env::var("HAILONG_BENCH_POSTGRES_URL")
        && !url.is_empty()
    {
        backends.push((
            "PostgreSQL",
            Arc::new(centre::postgres::PostgresCentre::open(&schema(&url), TZ).unwrap()),
        ));
    }
    for (name, store) in backends {
        run(name, store);
    }
}

/// A fresh schema in the database at `url`: the URL that works in it.
fn schema(url: &str) -> String {
    let schema = format!("hl_bench_{}", uuid::Uuid::now_v7().simple());
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(connection);
        client.batch_execute(&format!("CREATE SCHEMA {schema}")).await.unwrap();
    });
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}options=-csearch_path%3D{schema}")
}

/// Each screen's fields as a patient taps them: the best face, the first option, 100 %, words.
fn screens(q: &Questionnaire) -> Vec<Vec<(String, String)>> {
    let mut groups: Vec<&[hailong::survey::Item]> = Vec::new();
    if !q.demographics.is_empty() {
        groups.push(&q.demographics);
    }
    groups.extend(q.sections.iter().map(|s| s.items.as_slice()));
    groups
        .into_iter()
        .map(|items| {
            items
                .iter()
                .map(|item| {
                    let value = match &item.kind {
                        ItemKind::Scale5 { .. } => "5".to_string(),
                        ItemKind::Percent { .. } => "100".to_string(),
                        ItemKind::Choice { options } => options[0].code.clone(),
                        ItemKind::Text { .. } => "Bác sĩ tận tình, chu đáo".to_string(),
                    };
                    (item.code.clone(), value)
                })
                .collect()
        })
        .collect()
}

/// The value of cookie `name` among a reply's `Set-Cookie` headers.
fn cookie(reply: &reqwest::Response, name: &str) -> Option<String> {
    reply
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .find_map(|v| {
            let v = v.to_str().ok()?;
            let (pair, _) = v.split_once(';').unwrap_or((v, ""));
            let (k, value) = pair.split_once('=')?;
            (k == name).then(|| value.to_string())
        })
}

/// What one phone measured: each step's round trip (start, redeem, screens…) and whether it
/// reached the thanks.
type Phone = (Vec<Duration>, bool);

async fn phone(http: reqwest::Client, base: String, code: String, screens: Arc<Vec<Vec<(String, String)>>>) -> Phone {
    let mut times = Vec::new();
    let path = format!("{base}/t/{code}");
    let sent = Instant::now();
    let Ok(start) = http.get(&path).send().await else {
        return (times, false);
    };
    let (Some(csrf), device) = (cookie(&start, "hl_pform"), cookie(&start, "hl_device")) else {
        return (times, false);
    };
    let _ = start.bytes().await;
    times.push(sent.elapsed());
    let mut cookies = format!("hl_pform={csrf}");
    if let Some(d) = device {
        cookies.push_str(&format!("; hl_device={d}"));
    }
    let sent = Instant::now();
    let Ok(redeemed) = http
        .post(&path)
        .header(reqwest::header::COOKIE, &cookies)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
    else {
        return (times, false);
    };
    let Some(session) = cookie(&redeemed, "hl_phone") else {
        return (times, false);
    };
    times.push(sent.elapsed());
    cookies.push_str(&format!("; hl_phone={session}"));
    let mut last = String::new();
    for (i, fields) in screens.iter().enumerate() {
        let mut form: Vec<(String, String)> = vec![
            ("csrf".into(), csrf.clone()),
            ("screen".into(), i.to_string()),
            ("go".into(), "next".into()),
        ];
        form.extend(fields.iter().cloned());
        let sent = Instant::now();
        let Ok(reply) = http
            .post(format!("{base}/phone"))
            .header(reqwest::header::COOKIE, &cookies)
            .form(&form)
            .send()
            .await
        else {
            return (times, false);
        };
        last = reply.text().await.unwrap_or_default();
        times.push(sent.elapsed());
    }
    (times, last.contains("Xin cảm ơn"))
}

fn peak_memory_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn run(backend: &str, store: Arc<dyn Backend>) {
    let catalog = Arc::new(Catalog::built_in());
    let q = catalog.latest(FORM).unwrap().clone();
    // A facility to answer for, and a single-use ticket for each phone.
    store
        .add_kiosk(FACILITY, "Ki-ốt tiếp đón", &centre::token_hash(&centre::new_token()))
        .unwrap();
    let codes: Vec<String> = (0..ALONE + PHONES).map(|_| hailong::phone::paper_code()).collect();
    let now = chrono::Utc::now();
    store
        .add_tickets(&NewTickets {
            facility: FACILITY,
            point: "Khoa Khám bệnh",
            questionnaire_id: FORM,
            hashes: &codes.iter().map(|c| printed_hash(c)).collect::<Vec<_>>(),
            issued_at: now,
            valid_until: now + chrono::Duration::days(1),
        })
        .unwrap();
    let mut state = Centre::new(store, catalog, ScoringOptions::default());
    // All 200 phones come from 127.0.0.1 here; in a ward they share one NAT address too.
    state.web.connections.per_address = 1000;
    // The runtime `centre serve` runs on (its bounded pool of blocking threads).
    let runtime = centre::runtime().unwrap();
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    runtime.spawn(centre::serve(listener, state, std::future::pending()));
    let screens = Arc::new(screens(&q));
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(PHONES)
        .build()
        .unwrap();
    let mut codes = codes.into_iter();

    // Alone: what one phone's screens cost the server.
    let alone: Vec<Phone> = runtime.block_on(async {
        let mut out = Vec::new();
        for code in codes.by_ref().take(ALONE) {
            out.push(phone(http.clone(), base.clone(), code, screens.clone()).await);
        }
        out
    });
    println!("{ALONE} phones one after another ({backend}), each step's time:");
    report(&alone, screens.len());
    let before = peak_memory_mb();

    // At once.
    let start = Instant::now();
    let phones: Vec<Phone> = runtime.block_on(async {
        let tasks: Vec<_> = codes
            .map(|code| tokio::spawn(phone(http.clone(), base.clone(), code, screens.clone())))
            .collect();
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.unwrap());
        }
        out
    });
    let wall = start.elapsed();
    let completed = phones.iter().filter(|(_, done)| *done).count();
    println!(
        "{PHONES} phones answering {FORM} at once ({backend}): {completed} completed in {:.2} s, {:.1} responses/s; \
         peak memory {before:.0} MB before, {:.0} MB after (centre and clients together)",
        wall.as_secs_f64(),
        completed as f64 / wall.as_secs_f64(),
        peak_memory_mb()
    );
    report(&phones, screens.len());
    assert_eq!(completed, PHONES, "every phone reaches the thanks");
    assert!(alone.iter().all(|(_, done)| *done), "every phone reaches the thanks");
}

/// Prints p50 and p99 of each step.
fn report(phones: &[Phone], screens: usize) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let steps = 2 + screens;
    for step in 0..steps {
        let mut times: Vec<Duration> = phones.iter().filter_map(|(t, _)| t.get(step).copied()).collect();
        if times.is_empty() {
            continue;
        }
        times.sort();
        let pct = |p: f64| times[((times.len() as f64 * p).ceil() as usize).saturating_sub(1)];
        let name = match step {
            0 => "start (GET)".to_string(),
            1 => "redeem (POST)".to_string(),
            s if s + 1 == steps => format!("screen {}/{} (POST, stores the response)", s - 1, steps - 2),
            s => format!("screen {}/{} (POST)", s - 1, steps - 2),
        };
        println!(
            "  {name:<45} p50 {:>7.1} ms  p99 {:>7.1} ms",
            ms(pct(0.50)),
            ms(pct(0.99))
        );
    }
}
