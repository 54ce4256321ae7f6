//! The centre against real kiosks' stores over real HTTP on 127.0.0.1: sync end to end,
//! idempotency, hostile requests, tampering, and a centre killed in the middle of a sync.

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command};
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use hailong::centre::sqlite::SqliteCentre;
use hailong::centre::{self, Backend, Centre, CentreStore, Scope};
use hailong::feedback::note::{FollowUp, Note, NoteBatch, NoteRejected, NoteResult, StoredNote};
use hailong::feedback::{Kind, ReceiptCode};
use hailong::report::period::Period;
use hailong::store::{Filter, Store};
use hailong::survey::demo::{DemoOptions, generate};
use hailong::survey::{Catalog, Channel, Locale, ScoringOptions};
use hailong::sync::client::{self, Target};
use hailong::sync::{Batch, BatchResult};

const TZ: chrono_tz::Tz = chrono_tz::Asia::Ho_Chi_Minh;

#[path = "support/server.rs"]
mod server;
use server::Server;

#[path = "support/process.rs"]
mod process;
use process::{free_port, spawn_centre_with};

fn kiosk_store(dir: &Path, responses: usize, seed: u64) -> Arc<Mutex<Store>> {
    kiosk_store_with(dir, responses, seed, |_, _| {})
}

/// [`kiosk_store`] with each generated response passed through `edit` (with its index) first.
fn kiosk_store_with(
    dir: &Path,
    responses: usize,
    seed: u64,
    mut edit: impl FnMut(usize, &mut hailong::survey::Response),
) -> Arc<Mutex<Store>> {
    let mut store = Store::open(&dir.join("hailong.sqlite3"), TZ).unwrap();
    let catalog = Catalog::built_in();
    let q = catalog.latest("kiosk-nhanh").unwrap().clone();
    let opts = DemoOptions {
        responses,
        seed,
        end: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        departments: vec!["Khoa Khám bệnh".into(), "Khoa Nhi".into()],
        tz: TZ,
    };
    let mut all = Vec::new();
    generate(&q, &opts, |mut r| {
        edit(all.len(), &mut r);
        all.push(r);
    });
    for chunk in all.chunks(1000) {
        let pairs: Vec<_> = chunk.iter().map(|r| (&q, r)).collect();
        store.save_all(&pairs).unwrap();
    }
    Arc::new(Mutex::new(store))
}

/// Every response the kiosk store holds, in sequence order.
fn stored(store: &Arc<Mutex<Store>>) -> Vec<hailong::store::StoredResponse> {
    let mut out = Vec::new();
    store
        .lock()
        .unwrap()
        .for_each_response(&Filter::default(), |r| {
            out.push(r);
            Ok(())
        })
        .unwrap();
    out
}

/// Runs a test case once per storage backend, each in a directory of its own.
fn on_every_backend(case: fn(&Path, Server)) {
    let dir = tempfile::tempdir().unwrap();
    for (name, store) in server::backends(dir.path()) {
        eprintln!("backend: {name}");
        let sub = dir.path().join(name);
        std::fs::create_dir_all(&sub).unwrap();
        case(&sub, Server::start_with(store));
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().unwrap()
}

fn centre_summary(centre: &Centre) -> hailong::survey::Summary {
    centre::report(centre, &Scope::default().into(), &Period::all(), Locale::Vi)
        .unwrap()
        .summary
}

fn kiosk_summary(store: &Arc<Mutex<Store>>) -> hailong::survey::Summary {
    let store = store.lock().unwrap();
    hailong::report::summary(&*store, &Filter::default(), &ScoringOptions::default()).unwrap()
}

#[test]
fn a_kiosk_syncs_everything_and_the_centre_reports_the_same_figures() {
    on_every_backend(case_a_kiosk_syncs_everything_and_the_centre_reports_the_same_figures);
}

fn case_a_kiosk_syncs_everything_and_the_centre_reports_the_same_figures(dir: &Path, server: Server) {
    let token = server.enrol("TTYT Ba Vì");
    let store = kiosk_store(dir, 2500, 3);
    let target = Target {
        url: server.url(),
        token,
        ca_cert: None,
    };
    let http = client::http_client(&target).unwrap();
    let sent = rt().block_on(client::sync_once(&store, &http, &target)).unwrap();
    assert_eq!(sent, 2500);
    assert_eq!(store.lock().unwrap().outbox_status().unwrap().queued, 0);
    assert_eq!(centre_summary(&server.centre), kiosk_summary(&store));
    // Nothing left to send; and a replayed batch is all duplicates, counted once.
    assert_eq!(rt().block_on(client::sync_once(&store, &http, &target)).unwrap(), 0);
    let mut first = stored(&store);
    first.truncate(100);
    let kiosk_id = first[0].kiosk_id.clone();
    let (status, body) = post_batch(&server, &target.token, &kiosk_id, first);
    assert_eq!(status, 200);
    let result: BatchResult = serde_json::from_value(body).unwrap();
    assert_eq!(
        (result.accepted.len(), result.duplicates.len(), result.rejected.len()),
        (0, 100, 0)
    );
    assert_eq!(centre_summary(&server.centre), kiosk_summary(&store));
    // The report over HTTP, with a read token, says the same.
    let read = centre::new_token();
    server
        .centre
        .store
        .add_read_token("Sở Y tế", &centre::token_hash(&read))
        .unwrap();
    let report: serde_json::Value = rt().block_on(async {
        http.get(format!(
            "{}/api/v1/report?facility=TTYT%20Ba%20V%C3%AC&period=all",
            server.url()
        ))
        .bearer_auth(&read)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
    });
    assert_eq!(report["responses"].as_u64(), Some(kiosk_summary(&store).responses));
}

#[test]
fn a_response_the_centre_refuses_stays_queued_while_the_rest_get_through() {
    on_every_backend(case_a_response_the_centre_refuses_stays_queued_while_the_rest_get_through);
}

fn case_a_response_the_centre_refuses_stays_queued_while_the_rest_get_through(dir: &Path, server: Server) {
    let token = server.enrol("TTYT Mê Linh");
    // The kiosk stores response 601 with a department name the centre refuses (a control
    // character), in the middle of the second batch.
    let store = kiosk_store_with(dir, 1200, 5, |i, r| {
        if i == 600 {
            r.department = Some("Khoa\u{7}Nhi".into());
        }
    });
    let target = Target {
        url: server.url(),
        token,
        ca_cert: None,
    };
    let http = client::http_client(&target).unwrap();
    // The pass sends the rest, then says why the centre refuses that one, which stays queued.
    let refusal = |store: &Arc<Mutex<Store>>| {
        let refused = rt().block_on(client::sync_once(store, &http, &target)).unwrap_err();
        assert!(
            matches!(&refused, client::Error::Rejected(why) if why.contains("department name holds a control character")),
            "{refused:?}"
        );
        assert_eq!(store.lock().unwrap().outbox_status().unwrap().queued, 1);
    };
    refusal(&store);
    let kiosk_id = stored(&store)[0].kiosk_id.clone();
    let held: Vec<u64> = server
        .centre
        .store
        .held_chain(&kiosk_id, 1, u64::MAX)
        .unwrap()
        .into_iter()
        .map(|(seq, ..)| seq)
        .collect();
    assert_eq!(held, (1..=1200).filter(|&s| s != 601).collect::<Vec<u64>>());
    // The next pass sends it again, alone, and is refused the same way.
    refusal(&store);
    // The centre shows the hole it leaves in the kiosk's chain.
    let events = server.centre.store.events().unwrap();
    assert!(
        events.iter().any(|e| e.kind == "gap" && e.seq == Some(601)),
        "{events:?}"
    );
}

fn post(server: &Server, token: Option<&str>, body: &[u8]) -> (u16, serde_json::Value) {
    let http = reqwest::Client::new();
    rt().block_on(async {
        let mut req = http
            .post(format!("{}/api/v1/responses", server.url()))
            .header("content-type", "application/json")
            .body(body.to_vec());
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}")),
        )
    })
}

/// Posts a batch of `responses` from kiosk `kiosk_id` with `token`.
fn post_batch(
    server: &Server,
    token: &str,
    kiosk_id: &str,
    responses: Vec<hailong::store::StoredResponse>,
) -> (u16, serde_json::Value) {
    let batch = Batch {
        kiosk_id: kiosk_id.into(),
        responses,
        waiting: None,
    };
    post(server, Some(token), &serde_json::to_vec(&batch).unwrap())
}

#[test]
fn hostile_requests_get_a_4xx_with_a_json_error_naming_the_problem() {
    on_every_backend(case_hostile_requests_get_a_4xx_with_a_json_error_naming_the_problem);
}

fn case_hostile_requests_get_a_4xx_with_a_json_error_naming_the_problem(dir: &Path, server: Server) {
    let token = server.enrol("TTYT Mê Linh");
    let store = kiosk_store(dir, 20, 5);
    let responses = stored(&store);
    let kiosk_id = responses[0].kiosk_id.clone();
    let good = serde_json::to_value(Batch {
        kiosk_id: kiosk_id.clone(),
        responses: responses.clone(),
        waiting: None,
    })
    .unwrap();

    /// (what, token, body, expected status, words the error must contain)
    type Case<'a> = (&'a str, Option<&'a str>, Vec<u8>, u16, &'a str);
    let cases: Vec<Case> = vec![
        (
            "no token",
            None,
            serde_json::to_vec(&good).unwrap(),
            401,
            "missing bearer token",
        ),
        (
            "unknown token",
            Some("abc"),
            serde_json::to_vec(&good).unwrap(),
            401,
            "unknown token",
        ),
        ("malformed JSON", Some(&token), b"{\"kiosk_id\": ".to_vec(), 400, "EOF"),
        (
            "wrong type",
            Some(&token),
            br#"{"kiosk_id": 5, "responses": []}"#.to_vec(),
            400,
            "kiosk_id",
        ),
        (
            "unknown field",
            Some(&token),
            br#"{"kiosk_id": "k", "responses": [], "admin": true}"#.to_vec(),
            400,
            "admin",
        ),
        (
            "invalid UTF-8",
            Some(&token),
            b"{\"kiosk_id\": \"\xff\xfe\", \"responses\": []}".to_vec(),
            400,
            "not valid UTF-8",
        ),
        (
            "oversize body",
            Some(&token),
            vec![b' '; 5 * 1024 * 1024],
            413,
            "larger than",
        ),
    ];
    for (what, tok, body, status, needle) in cases {
        let (got, json) = post(&server, tok, &body);
        assert_eq!(got, status, "{what}: {json}");
        let error = json["error"]
            .as_str()
            .unwrap_or_else(|| panic!("{what}: no error field in {json}"));
        assert!(error.contains(needle), "{what}: {error}");
    }

    // 1,001 responses in one batch: one over the limit.
    let mut many = responses.clone();
    while many.len() < 1001 {
        many.extend(responses.iter().cloned());
    }
    let big = serde_json::to_vec(&Batch {
        kiosk_id: kiosk_id.clone(),
        responses: many[..1001].to_vec(),
        waiting: None,
    })
    .unwrap();
    let (got, json) = post(&server, Some(&token), &big);
    assert_eq!(got, 413, "{json}");

    // Out-of-range values are rejected one by one, the rest of the batch stands.
    let mut bad = responses.clone();
    bad[0]
        .response
        .answers
        .insert("A2".into(), hailong::survey::Answer::Scale(9));
    let (got, json) = post_batch(&server, &token, &kiosk_id, bad);
    assert_eq!(got, 200);
    let result: BatchResult = serde_json::from_value(json).unwrap();
    assert_eq!(result.rejected.len(), 1);
    assert_eq!(result.accepted.len(), 19);

    // A stolen token cannot move the chain's end out of the real kiosk's reach: a sequence
    // number far past the kiosk's last is refused, and recorded.
    let last_seq = |server: &Server| {
        server
            .centre
            .store
            .kiosk_by_token(&hailong::centre::token_hash(&token))
            .unwrap()
            .unwrap()
            .last_seq
    };
    let before = last_seq(&server);
    let mut far = responses[19..].to_vec();
    far[0].response.id = hailong::survey::ResponseId(uuid::Uuid::now_v7());
    far[0].seq = i64::MAX as u64;
    far[0].hash = hailong::store::link(&far[0].prev_hash, far[0].seq, &far[0].kiosk_id, &far[0].response);
    let (got, json) = post_batch(&server, &token, &kiosk_id, far);
    assert_eq!(got, 200, "{json}");
    let result: BatchResult = serde_json::from_value(json).unwrap();
    assert_eq!(result.rejected.len(), 1, "{result:?}");
    assert!(result.rejected[0].error.contains("more than 100000 past"), "{result:?}");
    assert_eq!(last_seq(&server), before);

    // Control characters (NUL, which PostgreSQL text cannot hold, among them) in a department
    // name are refused for that response, even under a valid hash.
    let mut nul = responses.clone();
    let last = nul.last_mut().unwrap();
    last.response.department = Some("Khoa\u{0}Nội".into());
    last.hash = hailong::store::link(&last.prev_hash, last.seq, &last.kiosk_id, &last.response);
    let (got, json) = post_batch(&server, &token, &kiosk_id, nul);
    assert_eq!(got, 200, "{json}");
    let result: BatchResult = serde_json::from_value(json).unwrap();
    assert_eq!(result.rejected.len(), 1, "{result:?}");
    assert!(result.rejected[0].error.contains("control character"), "{result:?}");

    // The token is now bound to this kiosk: another kiosk id is refused.
    let (got, json) = post_batch(&server, &token, "someone-else", vec![]);
    assert_eq!(got, 403, "{json}");
    assert!(json["error"].as_str().unwrap().contains("kiosk_id"));

    // A kiosk id with a NUL in it, from a token not bound yet.
    let fresh = server.enrol("TTYT Mê Linh");
    let (got, json) = post_batch(&server, &fresh, "k\u{0}", vec![]);
    assert_eq!(got, 400, "{json}");
    assert!(json["error"].as_str().unwrap().contains("control characters"), "{json}");

    // A revoked token stops working.
    let enrolment = server
        .centre
        .store
        .kiosks()
        .unwrap()
        .into_iter()
        .find(|k| k.kiosk_id.as_deref() == Some(kiosk_id.as_str()))
        .unwrap();
    server.centre.store.revoke_kiosk(&enrolment.id).unwrap();
    let (got, json) = post(&server, Some(&token), &serde_json::to_vec(&good).unwrap());
    assert_eq!(got, 401);
    assert!(json["error"].as_str().unwrap().contains("revoked"));
}

#[test]
fn tampered_and_missing_responses_are_recorded_as_events() {
    on_every_backend(case_tampered_and_missing_responses_are_recorded_as_events);
}

fn case_tampered_and_missing_responses_are_recorded_as_events(dir: &Path, server: Server) {
    let token = server.enrol("TTYT Sóc Sơn");
    let store = kiosk_store(dir, 30, 9);
    let rs = stored(&store);
    let kiosk_id = rs[0].kiosk_id.clone();
    let send = |responses: Vec<hailong::store::StoredResponse>| -> BatchResult {
        let (status, json) = post_batch(&server, &token, &kiosk_id, responses);
        assert_eq!(status, 200, "{json}");
        serde_json::from_value(json).unwrap()
    };
    // 1–10 arrive; 11–14 never do (deleted on the kiosk); 15–20 arrive.
    send(rs[..10].to_vec());
    send(rs[14..20].to_vec());
    // Response 3 edited after it was synced, re-hashed to look consistent: same id, new content.
    let flip = |r: &mut hailong::store::StoredResponse| {
        let new = match r.response.answers.get("A2") {
            Some(hailong::survey::Answer::Scale(5)) => 1,
            _ => 5,
        };
        r.response
            .answers
            .insert("A2".into(), hailong::survey::Answer::Scale(new));
    };
    let mut edited = rs[2].clone();
    flip(&mut edited);
    edited.hash = hailong::store::link(&edited.prev_hash, edited.seq, &edited.kiosk_id, &edited.response);
    // Response 21 edited without fixing its hash.
    let mut forged = rs[20].clone();
    flip(&mut forged);
    let result = send(vec![edited, forged]);
    assert_eq!(result.rejected.len(), 2);
    let events = server.centre.store.events().unwrap();
    let kinds: Vec<(String, Option<u64>)> = events.iter().map(|e| (e.kind.clone(), e.seq)).collect();
    assert!(kinds.contains(&("gap".into(), Some(11))), "{events:?}");
    assert!(kinds.contains(&("tamper".into(), Some(3))), "{events:?}");
    assert!(kinds.contains(&("tamper".into(), Some(21))), "{events:?}");
    assert!(events.iter().any(|e| e.detail.contains("11–14 missing")), "{events:?}");
}

#[test]
fn responses_altered_or_removed_on_the_kiosk_after_sync_show_up_in_the_centres_audit() {
    on_every_backend(case_responses_altered_or_removed_on_the_kiosk_after_sync_show_up_in_the_centres_audit);
}

fn case_responses_altered_or_removed_on_the_kiosk_after_sync_show_up_in_the_centres_audit(dir: &Path, server: Server) {
    let token = server.enrol("TTYT Quốc Oai");
    // More than one audit page (5,000 entries each).
    let store = kiosk_store(dir, 7000, 21);
    let target = Target {
        url: server.url(),
        token,
        ca_cert: None,
    };
    let http = client::http_client(&target).unwrap();
    let runtime = rt();
    runtime.block_on(client::sync_once(&store, &http, &target)).unwrap();
    // Untouched: the centre checks everything and finds nothing.
    let clean = runtime.block_on(client::audit(&store, &http, &target)).unwrap();
    assert_eq!((clean.checked, clean.altered.len(), clean.removed.len()), (7000, 0, 0));
    assert!(server.centre.store.events().unwrap().is_empty());
    let summary_before = centre_summary(&server.centre);

    // Someone with the kiosk's disk drops the append-only triggers, edits one answer of seq 42
    // and of seq 6001 (re-hashing the latter), deletes seq 100 and the newest response.
    let path = store.lock().unwrap().path().to_path_buf();
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("DROP TRIGGER responses_append_only_update; DROP TRIGGER responses_append_only_delete;")
            .unwrap();
        for seq in [42, 6001] {
            let json: String = conn
                .query_row("SELECT answers FROM responses WHERE seq = ?1", [seq], |r| r.get(0))
                .unwrap();
            let mut answers: std::collections::BTreeMap<String, hailong::survey::Answer> =
                serde_json::from_str(&json).unwrap();
            let rating = answers
                .values_mut()
                .find_map(|a| match a {
                    hailong::survey::Answer::Scale(v @ 1..=5) => Some(v),
                    _ => None,
                })
                .unwrap();
            *rating = if *rating == 1 { 5 } else { 1 };
            let edited = serde_json::to_string(&answers).unwrap();
            assert_ne!(edited, json, "{json}");
            conn.execute(
                "UPDATE responses SET answers = ?2 WHERE seq = ?1",
                rusqlite::params![seq, edited],
            )
            .unwrap();
            if seq == 6001 {
                // Re-hashed to look consistent on the kiosk itself.
                let hash = store.lock().unwrap().audit_page(seq - 1, 1).unwrap().remove(0).hash;
                conn.execute(
                    "UPDATE responses SET hash = ?2 WHERE seq = ?1",
                    rusqlite::params![seq, hash],
                )
                .unwrap();
            }
        }
        conn.execute("DELETE FROM responses WHERE seq IN (100, 7000)", [])
            .unwrap();
    }
    let store = Arc::new(Mutex::new(Store::open(&path, TZ).unwrap()));
    let found = runtime.block_on(client::audit(&store, &http, &target)).unwrap();
    assert_eq!(found.checked, 7000);
    assert_eq!(found.altered, [42, 6001]);
    assert_eq!(found.removed, [100, 7000]);
    let events = server.centre.store.events().unwrap();
    let mut seen: Vec<(String, Option<u64>)> = events.iter().map(|e| (e.kind.clone(), e.seq)).collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            ("gap".to_string(), Some(100)),
            ("gap".to_string(), Some(7000)),
            ("tamper".to_string(), Some(42)),
            ("tamper".to_string(), Some(6001)),
        ]
    );
    assert!(events.iter().any(|e| {
        e.detail
            .contains("seq 42) was altered on the kiosk after it was synced")
    }));
    assert!(
        events
            .iter()
            .any(|e| e.detail.contains("seq 100) was removed from the kiosk"))
    );
    // The centre keeps what it received: its figures do not move. A repeated audit finds the
    // same and records nothing twice.
    assert_eq!(centre_summary(&server.centre), summary_before);
    runtime.block_on(client::audit(&store, &http, &target)).unwrap();
    assert_eq!(server.centre.store.events().unwrap().len(), 4);
}

#[test]
fn hostile_audits_get_a_4xx_naming_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("centre.sqlite3"));
    let token = server.enrol("TTYT Ứng Hòa");
    let store = kiosk_store(dir.path(), 10, 2);
    let target = Target {
        url: server.url(),
        token: token.clone(),
        ca_cert: None,
    };
    rt().block_on(client::sync_once(
        &store,
        &client::http_client(&target).unwrap(),
        &target,
    ))
    .unwrap();
    let kiosk = store.lock().unwrap().kiosk_id().to_string();
    let id = uuid::Uuid::now_v7();
    let entry = |seq: u64, hash: &str| serde_json::json!({"seq": seq, "id": id, "hash": hash});
    let good = "a".repeat(64);
    let cases = [
        (
            serde_json::json!({"kiosk_id": kiosk, "from": 0, "to": 5, "entries": []}),
            "from",
        ),
        (
            serde_json::json!({"kiosk_id": kiosk, "from": 5, "to": 2, "entries": []}),
            "from",
        ),
        (
            serde_json::json!({"kiosk_id": kiosk, "from": 1, "to": 5, "entries": [entry(9, &good)]}),
            "entries[0].seq",
        ),
        (
            serde_json::json!({"kiosk_id": kiosk, "from": 1, "to": 5, "entries": [entry(2, &good), entry(2, &good)]}),
            "entries[1].seq",
        ),
        (
            serde_json::json!({"kiosk_id": kiosk, "from": 1, "to": 5, "entries": [entry(2, "zz")]}),
            "entries[0].hash",
        ),
        (
            serde_json::json!({"kiosk_id": "another", "from": 1, "to": 5, "entries": []}),
            "kiosk_id",
        ),
        (
            serde_json::json!({"kiosk_id": kiosk, "from": 1, "entries": [], "extra": 1}),
            "extra",
        ),
        (
            serde_json::json!({"kiosk_id": kiosk, "from": "1", "entries": []}),
            "from",
        ),
    ];
    let http = reqwest::Client::new();
    for (body, named) in cases {
        let (status, text) = rt().block_on(async {
            let resp = http
                .post(format!("{}/api/v1/audit", server.url()))
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await
                .unwrap();
            (resp.status().as_u16(), resp.text().await.unwrap())
        });
        assert!((400..500).contains(&status), "{body}: {status} {text}");
        let error: hailong::sync::ErrorBody = serde_json::from_str(&text).unwrap();
        assert!(error.error.contains(named), "{body}: {}", error.error);
    }
    assert!(server.centre.store.events().unwrap().is_empty());
}

/// `hailong centre serve` as a separate process on a fixed port, so it can be killed.
fn spawn_centre(data: &Path, port: u16) -> Child {
    spawn_centre_with(data, port, &[])
}

/// A centre directory with one enrolled kiosk; returns its token.
fn centre_with_kiosk(centre_dir: &Path, facility: &str) -> String {
    std::fs::create_dir_all(centre_dir).unwrap();
    let store = SqliteCentre::open(&centre_dir.join("centre.sqlite3"), TZ).unwrap();
    let token = centre::new_token();
    store
        .add_kiosk(facility, "Quầy 1", &centre::token_hash(&token))
        .unwrap();
    token
}

fn held_responses(centre_dir: &Path) -> u64 {
    let store = SqliteCentre::open(&centre_dir.join("centre.sqlite3"), TZ).unwrap();
    let mut n = 0u64;
    store.for_each_response(&Scope::default(), &mut |_| n += 1).unwrap();
    n
}

#[test]
fn a_centre_serving_https_takes_a_sync_from_a_kiosk_that_trusts_its_ca() {
    let dir = tempfile::tempdir().unwrap();
    let centre_dir = dir.path().join("centre");
    let token = centre_with_kiosk(&centre_dir, "TTYT Sơn Tây");
    let tls = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tls");
    let (cert, key) = (tls.join("cert.pem"), tls.join("key.pem"));
    let port = free_port();
    let mut centre = spawn_centre_with(
        &centre_dir,
        port,
        &["--tls-cert", cert.to_str().unwrap(), "--tls-key", key.to_str().unwrap()],
    );
    let store = kiosk_store(dir.path(), 1200, 5);
    let runtime = rt();
    // Without the CA the kiosk refuses the centre's certificate, and keeps everything queued.
    let untrusting = Target {
        url: format!("https://localhost:{port}"),
        token: token.clone(),
        ca_cert: None,
    };
    let err = runtime
        .block_on(client::sync_once(
            &store,
            &client::http_client(&untrusting).unwrap(),
            &untrusting,
        ))
        .unwrap_err();
    assert!(matches!(err, client::Error::Offline(_)), "{err}");
    assert_eq!(store.lock().unwrap().outbox_status().unwrap().queued, 1200);
    // Plain HTTP to the HTTPS port gets nowhere either.
    let plain = Target {
        url: format!("http://127.0.0.1:{port}"),
        ..untrusting.clone()
    };
    assert!(
        runtime
            .block_on(client::sync_once(&store, &client::http_client(&plain).unwrap(), &plain))
            .is_err()
    );
    // With `[centre] ca_cert`, by name and by address.
    for host in ["localhost", "127.0.0.1"] {
        let target = Target {
            url: format!("https://{host}:{port}"),
            token: token.clone(),
            ca_cert: Some(tls.join("ca.pem")),
        };
        runtime
            .block_on(client::sync_once(
                &store,
                &client::http_client(&target).unwrap(),
                &target,
            ))
            .unwrap();
    }
    assert_eq!(store.lock().unwrap().outbox_status().unwrap().queued, 0);
    centre.kill().unwrap();
    centre.wait().unwrap();
    assert_eq!(held_responses(&centre_dir), 1200);
    // A CA file that is not PEM is named in the error.
    let bad = Target {
        ca_cert: Some(tls.join("README.md")),
        ..untrusting
    };
    let err = client::http_client(&bad).unwrap_err().to_string();
    assert!(err.contains("README.md") && err.contains("ca_cert"), "{err}");
}

#[test]
fn sigterm_lets_a_batch_in_flight_finish_before_the_centre_stops() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let centre_dir = dir.path().join("centre");
    let token = centre_with_kiosk(&centre_dir, "TTYT Mỹ Đức");
    let port = free_port();
    let centre = spawn_centre(&centre_dir, port);
    let store = kiosk_store(dir.path(), 500, 8);
    let responses = stored(&store);
    let body = serde_json::to_vec(&Batch {
        kiosk_id: responses[0].kiosk_id.clone(),
        responses,
        waiting: None,
    })
    .unwrap();
    // Half the batch is on the wire when SIGTERM arrives; the rest follows after it. The
    // centre's "100 Continue" says the request is being read.
    let mut conn = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        conn,
        "POST /api/v1/responses HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    let mut head = [0u8; 25];
    conn.read_exact(&mut head).unwrap();
    assert!(
        head.starts_with(b"HTTP/1.1 100 Continue\r\n\r\n"),
        "{}",
        String::from_utf8_lossy(&head)
    );
    let (first, rest) = body.split_at(body.len() / 2);
    conn.write_all(first).unwrap();
    let killed = Command::new("kill")
        .args(["-TERM", &centre.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    // No new connections are taken once it is stopping (polled: the signal takes a moment).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
        assert!(
            std::time::Instant::now() < deadline,
            "the stopping centre still takes connections"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    conn.write_all(rest).unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let json = &answer[answer.find("\r\n\r\n").unwrap() + 4..];
    let result: BatchResult = serde_json::from_str(json).unwrap();
    assert_eq!(result.accepted.len(), 500);
    let status = wait_with_timeout(centre, std::time::Duration::from_secs(10));
    assert!(status.success(), "the centre exits cleanly: {status}");
    assert_eq!(held_responses(&centre_dir), 500);
}

fn wait_with_timeout(mut child: Child, limit: std::time::Duration) -> std::process::ExitStatus {
    let deadline = std::time::Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("the centre did not stop within {limit:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn killing_the_centre_during_a_sync_loses_and_doubles_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let centre_dir = dir.path().join("centre");
    let token = centre_with_kiosk(&centre_dir, "TTYT Thạch Thất");
    let port = free_port();
    let store = kiosk_store(dir.path(), 20_000, 11);
    let target = Target {
        url: format!("http://127.0.0.1:{port}"),
        token,
        ca_cert: None,
    };
    let http = client::http_client(&target).unwrap();
    let runtime = rt();
    for round in 0..3u64 {
        let mut centre = spawn_centre(&centre_dir, port);
        let sync = runtime.spawn({
            let (store, http, target) = (store.clone(), http.clone(), target.clone());
            async move { client::sync_once(&store, &http, &target).await }
        });
        std::thread::sleep(std::time::Duration::from_millis(150 + 120 * round));
        centre.kill().unwrap(); // SIGKILL, mid-request
        centre.wait().unwrap();
        let _ = runtime.block_on(sync).unwrap();
    }
    let mut centre = spawn_centre(&centre_dir, port);
    let result = runtime.block_on(client::sync_once(&store, &http, &target));
    centre.kill().unwrap();
    centre.wait().unwrap();
    result.unwrap();
    assert_eq!(store.lock().unwrap().outbox_status().unwrap().queued, 0);
    let held = Centre::new(
        Arc::new(SqliteCentre::open(&centre_dir.join("centre.sqlite3"), TZ).unwrap()),
        Arc::new(Catalog::built_in()),
        ScoringOptions::default(),
    );
    let mut n = 0u64;
    held.store
        .for_each_response(&Scope::default(), &mut |_| n += 1)
        .unwrap();
    assert_eq!(n, 20_000, "none missing, none twice");
    assert_eq!(centre_summary(&held), kiosk_summary(&store));
}

/// The property names a schema gives its objects, through `$ref` and `allOf` (a flattened
/// field is an `allOf` of its type and the rest).
fn property_names(doc: &serde_json::Value, schema: &serde_json::Value) -> std::collections::BTreeSet<String> {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.strip_prefix("#/components/schemas/").expect("a local schema");
        return property_names(doc, &doc["components"]["schemas"][name]);
    }
    let mut names: std::collections::BTreeSet<String> = schema["properties"]
        .as_object()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    for part in schema["allOf"].as_array().into_iter().flatten() {
        names.extend(property_names(doc, part));
    }
    names
}

/// Every `$ref` in `value`.
fn refs(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v.as_str()) {
                    ("$ref", Some(r)) => out.push(r.to_string()),
                    _ => refs(v, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

/// A feedback note as a kiosk stores and sends it, every optional field filled.
fn sample_note() -> StoredNote {
    let note = Note::new(
        Kind::Suggestion,
        Some("Khoa Nhi".into()),
        "Phòng chờ thiếu ghế".into(),
        hailong::feedback::Contact {
            phone: Some("0912345678".into()),
            email: Some("an@example.vn".into()),
        },
        chrono::Utc::now() - chrono::Duration::minutes(5),
    );
    StoredNote {
        seq: 1,
        kiosk_id: "k".into(),
        hash: hailong::feedback::note::link(hailong::feedback::GENESIS, 1, "k", &note),
        note,
        prev_hash: hailong::feedback::GENESIS.into(),
    }
}

/// Posts `notes` from kiosk `kiosk_id` to `/api/v1/feedback`.
fn post_notes(server: &Server, token: &str, kiosk_id: &str, notes: Vec<StoredNote>) -> (u16, serde_json::Value) {
    let http = reqwest::Client::new();
    let body = NoteBatch {
        kiosk_id: kiosk_id.into(),
        notes,
    };
    rt().block_on(async {
        let resp = http
            .post(format!("{}/api/v1/feedback", server.url()))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        (resp.status().as_u16(), resp.json().await.unwrap())
    })
}

#[test]
fn kiosk_feedback_notes_become_items_once_and_bad_ones_are_refused_by_name() {
    on_every_backend(case_kiosk_feedback_notes_become_items_once_and_bad_ones_are_refused_by_name);
}

fn case_kiosk_feedback_notes_become_items_once_and_bad_ones_are_refused_by_name(_: &Path, server: Server) {
    let token = server.enrol("TTYT Ba Vì");
    let good = sample_note();
    let id = good.note.id;
    let (status, body) = post_notes(&server, &token, "k", vec![good.clone()]);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["accepted"], serde_json::json!([id]));
    // Sent again (a reply lost on the way): a duplicate, one item.
    let (status, body) = post_notes(&server, &token, "k", vec![good.clone()]);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["duplicates"], serde_json::json!([id]));
    let item = centre::feedback::load(server.centre.feedback.as_ref(), id)
        .unwrap()
        .unwrap();
    assert_eq!(item.submission.facility, "TTYT Ba Vì");
    assert_eq!(item.submission.channel, hailong::feedback::Channel::Kiosk);
    assert_eq!(item.submission.code, good.note.code);

    // Each bad note is refused by name; the good one beside them is stored.
    let mut edited = sample_note();
    edited.note.text = "đã sửa".into();
    let mut complaint = sample_note();
    complaint.note.kind = Kind::Denunciation;
    complaint.hash = hailong::feedback::note::link(&complaint.prev_hash, 1, "k", &complaint.note);
    let mut empty = sample_note();
    empty.note.text = "   ".into();
    empty.hash = hailong::feedback::note::link(&empty.prev_hash, 1, "k", &empty.note);
    let fine = sample_note();
    let (status, body) = post_notes(&server, &token, "k", vec![edited, complaint, empty, fine.clone()]);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["accepted"], serde_json::json!([fine.note.id]));
    let reasons: Vec<String> = body["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["error"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    assert!(reasons[0].contains("hash"), "{reasons:?}");

    // Too many in one request; no token; a follow-up by a code nobody holds, or no code at all.
    let (status, body) = post_notes(&server, &token, "k", vec![sample_note(); 101]);
    assert_eq!(status, 413, "{body}");
    let (status, _) = post_notes(&server, "nope", "k", vec![sample_note()]);
    assert_eq!(status, 401);
    let http = reqwest::Client::new();
    let get = |path: String| {
        rt().block_on(async {
            let resp = http
                .get(format!("{}{path}", server.url()))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            let status = resp.status().as_u16();
            (status, resp.json::<serde_json::Value>().await.unwrap())
        })
    };
    let (status, body) = get(format!("/api/v1/feedback/{}", good.note.code.as_str().to_lowercase()));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "new");
    assert!(body.get("answer").is_none(), "nothing published yet: {body}");
    assert_eq!(get("/api/v1/feedback/2345-6789".into()).0, 404);
    let (status, body) = get("/api/v1/feedback/%3Cscript%3E".into());
    assert_eq!(status, 400);
    assert!(body["error"].as_str().unwrap().contains("receipt code"), "{body}");
}

#[test]
fn the_openapi_document_describes_every_route_and_the_fields_serde_reads_and_writes() {
    let doc = serde_json::to_value(centre::api::openapi_document()).unwrap();
    // Every route the router is built from, with its method, and nothing else.
    let mut routed: Vec<(String, String)> = centre::api::routes()
        .iter()
        .map(|(path, method, _)| (path.to_string(), method.as_str().to_ascii_lowercase()))
        .collect();
    let mut documented: Vec<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .filter(|m| ["get", "post", "put", "patch", "delete"].contains(&m.as_str()))
                .map(move |m| (path.clone(), m.clone()))
        })
        .collect();
    routed.sort();
    documented.sort();
    assert_eq!(documented, routed);
    assert!(routed.len() >= 6 && routed.iter().all(|(p, _)| p.starts_with("/api/v1/")));
    // Every schema referred to is there.
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(all.iter().any(|r| r.ends_with("/Batch")), "{all:?}");
    for r in &all {
        let name = r.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("{r}"));
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "{r} is referred to but missing"
        );
    }
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");

    // The field names are serde's: a value of each type, every optional field filled, has
    // exactly the properties its schema lists.
    let q = Catalog::built_in().latest("kiosk-nhanh").unwrap().clone();
    let mut sample = None;
    generate(
        &q,
        &DemoOptions {
            responses: 1,
            seed: 1,
            end: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            departments: vec!["Khoa Nhi".into(), "Khoa Nội".into()],
            tz: TZ,
        },
        |mut r| {
            r.department = Some("Khoa Nhi".into());
            r.channel = Some(Channel::Interview);
            r.point = Some("Khoa Nhi".into());
            r.repeat_device = true;
            sample = Some(r);
        },
    );
    let response = sample.unwrap();
    let id = response.id;
    let stored = hailong::store::StoredResponse {
        seq: 1,
        kiosk_id: "k".into(),
        response,
        prev_hash: "0".repeat(64),
        hash: "1".repeat(64),
    };
    // A report with every optional field filled, as `GET /api/v1/report` answers.
    let mut tally = hailong::survey::Tally::default();
    tally.add(&stored.response);
    let report = hailong::report::Report {
        facility: "TTYT".into(),
        period: "2026-Q1".into(),
        from: NaiveDate::from_ymd_opt(2026, 1, 1),
        to: NaiveDate::from_ymd_opt(2026, 3, 31),
        department: Some("Khoa Nhi".into()),
        questionnaire: Some("kiosk-nhanh".into()),
        channel: Some(Channel::Interview),
        point: Some("Khoa Nhi".into()),
        summary: hailong::survey::summarize(&[(&q, &tally)], 0, &ScoringOptions::default()),
    };
    assert!(!report.summary.items.is_empty() && !report.summary.sections.is_empty());
    let samples = [
        (
            "Batch",
            serde_json::to_value(Batch {
                kiosk_id: "k".into(),
                responses: vec![stored.clone()],
                waiting: Some(3),
            })
            .unwrap(),
        ),
        ("StoredResponse", serde_json::to_value(&stored).unwrap()),
        (
            "BatchResult",
            serde_json::to_value(BatchResult {
                accepted: vec![id],
                duplicates: vec![],
                rejected: vec![hailong::sync::Rejected { id, error: "x".into() }],
                clock_suspect: vec![id],
            })
            .unwrap(),
        ),
        (
            "ErrorBody",
            serde_json::to_value(hailong::sync::ErrorBody {
                error: "x".into(),
                code: Some("busy".into()),
                retry_after: Some(5),
            })
            .unwrap(),
        ),
        (
            "Audit",
            serde_json::json!({ "kiosk_id": "k", "from": 1, "to": 2, "entries": [] }),
        ),
        (
            "AuditResult",
            serde_json::to_value(hailong::sync::AuditResult::default()).unwrap(),
        ),
        ("StoredNote", serde_json::to_value(sample_note()).unwrap()),
        ("Report", serde_json::to_value(&report).unwrap()),
        (
            "NoteBatch",
            serde_json::to_value(NoteBatch {
                kiosk_id: "k".into(),
                notes: vec![sample_note()],
            })
            .unwrap(),
        ),
        (
            "NoteResult",
            serde_json::to_value(NoteResult {
                accepted: vec![sample_note().note.id],
                duplicates: vec![],
                rejected: vec![NoteRejected {
                    id: sample_note().note.id,
                    error: "x".into(),
                }],
            })
            .unwrap(),
        ),
        (
            "FollowUp",
            serde_json::to_value(FollowUp {
                code: ReceiptCode::new(),
                received_on: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
                state: hailong::feedback::State::Answered,
                answer: Some("x".into()),
            })
            .unwrap(),
        ),
    ];
    for (name, value) in samples {
        let keys: std::collections::BTreeSet<String> = value.as_object().unwrap().keys().cloned().collect();
        let schema = &doc["components"]["schemas"][name];
        assert_eq!(property_names(&doc, schema), keys, "{name}");
    }
    // Nested figures too: an item's and a section's fields are the schema's.
    let item = report.summary.items.values().next().unwrap();
    let item_keys: std::collections::BTreeSet<String> = serde_json::to_value(item)
        .unwrap()
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    let mut item_schema = property_names(&doc, &doc["components"]["schemas"]["ItemFigures"]);
    if item.reasons.is_empty() {
        item_schema.remove("reasons");
    }
    assert_eq!(item_schema, item_keys, "ItemFigures");
    assert!(property_names(&doc, &doc["components"]["schemas"]["Figures"]).contains("satisfied_pct"));
    assert!(
        serde_json::to_string(&doc["paths"]["/api/v1/report"])
            .unwrap()
            .contains("#/components/schemas/Report"),
        "the report's answer is described"
    );
    // An answer is one of its five shapes; the hand-written document's `answers` said so too.
    let answer = serde_json::to_string(&doc["components"]["schemas"]["Answer"]).unwrap();
    for shape in ["scale", "percent", "choice", "reasons", "text"] {
        assert!(answer.contains(&format!("\"{shape}\"")), "{shape} in {answer}");
    }

    // Served as generated, and every documented path is routed.
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("centre.sqlite3"));
    let http = reqwest::Client::new();
    let served: serde_json::Value = rt().block_on(async {
        http.get(format!("{}/api/v1/openapi.json", server.url()))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    assert_eq!(served, doc);
    for (path, _) in &documented {
        let status = rt().block_on(async {
            http.get(format!("{}{path}", server.url()))
                .send()
                .await
                .unwrap()
                .status()
        });
        assert_ne!(status.as_u16(), 404, "{path} is documented but not routed");
    }
}

/// A TCP proxy between kiosk and centre that misbehaves on purpose, one way per connection:
/// passes, closes at once, resets, cuts the response half-way (after the centre has stored the
/// batch), delays, or answers 500/503 itself.
fn faulty_proxy(upstream: SocketAddr, seed: u64) -> SocketAddr {
    use rand::{Rng, SeedableRng};
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        for client in listener.incoming() {
            let Ok(mut client) = client else { continue };
            let roll: u32 = rng.random_range(0..100);
            std::thread::spawn(move || {
                let canned = |client: &mut std::net::TcpStream, status: &str| {
                    // Read the whole request first, so the client sees this answer, not a reset.
                    let mut request = Vec::new();
                    let mut buf = [0u8; 64 * 1024];
                    loop {
                        let Ok(n) = client.read(&mut buf) else { return };
                        if n == 0 {
                            return;
                        }
                        request.extend_from_slice(&buf[..n]);
                        let text = String::from_utf8_lossy(&request);
                        if let Some(end) = text.find("\r\n\r\n") {
                            let length = text[..end]
                                .lines()
                                .find_map(|l| {
                                    l.to_ascii_lowercase()
                                        .strip_prefix("content-length:")
                                        .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                                })
                                .unwrap_or(0);
                            if request.len() >= end + 4 + length {
                                break;
                            }
                        }
                    }
                    let body = format!("{{\"error\":\"proxy says {status}\"}}");
                    let _ = write!(
                        client,
                        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                };
                match roll {
                    0..25 => {}
                    25..35 => return, // closed before anything
                    35..45 => {
                        // Reset: close with the request unread.
                        std::thread::sleep(std::time::Duration::from_millis(20));
                        return;
                    }
                    45..55 => std::thread::sleep(std::time::Duration::from_millis(300)),
                    55..68 => return canned(&mut client, "503 Service Unavailable"),
                    68..75 => return canned(&mut client, "500 Internal Server Error"),
                    _ => {
                        // Forward the request, then cut the response after a few bytes.
                        let Ok(mut server) = std::net::TcpStream::connect(upstream) else {
                            return;
                        };
                        let mut c2 = client.try_clone().unwrap();
                        let mut s2 = server.try_clone().unwrap();
                        std::thread::spawn(move || {
                            let _ = std::io::copy(&mut c2, &mut s2);
                        });
                        let mut first = [0u8; 40];
                        if let Ok(n) = server.read(&mut first) {
                            let _ = client.write_all(&first[..n]);
                        }
                        let _ = client.shutdown(std::net::Shutdown::Both);
                        return;
                    }
                }
                let Ok(server) = std::net::TcpStream::connect(upstream) else {
                    return;
                };
                let (mut c1, mut s1) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                let (mut c2, mut s2) = (client, server);
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut c1, &mut s1);
                    let _ = s1.shutdown(std::net::Shutdown::Write);
                });
                let _ = std::io::copy(&mut s2, &mut c2);
                let _ = c2.shutdown(std::net::Shutdown::Write);
            });
        }
    });
    addr
}

#[test]
fn through_a_faulty_network_the_centre_ends_up_with_exactly_the_kiosks_responses() {
    on_every_backend(case_through_a_faulty_network_the_centre_ends_up_with_exactly_the_kiosks_responses);
}

fn case_through_a_faulty_network_the_centre_ends_up_with_exactly_the_kiosks_responses(dir: &Path, server: Server) {
    let token = server.enrol("TTYT Phúc Thọ");
    let store = kiosk_store(dir, 6000, 17);
    let proxy = faulty_proxy(server.addr, 23);
    let target = Target {
        url: format!("http://{proxy}"),
        token,
        ca_cert: None,
    };
    // A new connection per request, so every request meets the proxy's dice.
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(std::time::Duration::from_secs(5))
        .build()
        .unwrap();
    let runtime = rt();
    let mut failures = Vec::new();
    let mut done = false;
    for _ in 0..200 {
        match runtime.block_on(client::sync_once(&store, &http, &target)) {
            Ok(_) => {
                done = true;
                break;
            }
            Err(e) => failures.push(e.to_string()),
        }
    }
    assert!(done, "never got through: {failures:?}");
    assert!(
        failures.len() >= 5,
        "the proxy should have caused failures: {failures:?}"
    );
    assert!(
        failures.iter().any(|f| f.contains("503") || f.contains("500")),
        "{failures:?}"
    );
    assert!(failures.iter().any(|f| f.contains("cannot reach")), "{failures:?}");
    assert_eq!(store.lock().unwrap().outbox_status().unwrap().queued, 0);
    let mut n = 0u64;
    server
        .centre
        .store
        .for_each_response(&Scope::default(), &mut |_| n += 1)
        .unwrap();
    assert_eq!(n, 6000, "none missing, none twice");
    assert_eq!(centre_summary(&server.centre), kiosk_summary(&store));
}

#[test]
fn demo_data_fills_facilities_through_ingest_with_valid_chains_and_different_levels() {
    let dir = tempfile::tempdir().unwrap();
    for (name, store) in server::backends(dir.path()) {
        eprintln!("backend: {name}");
        demo_data_case(store);
    }
}

fn demo_data_case(store: Arc<dyn Backend>) {
    let catalog = Catalog::built_in();
    let opts = hailong::centre::demo::Options {
        facilities: 3,
        kiosks_per_facility: 2,
        responses: 1200,
        seed: 4,
        end: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        tz: TZ,
        questionnaire: "kiosk-nhanh".into(),
    };
    let n = hailong::centre::demo::fill(store.as_ref(), &catalog, &opts, &mut |_| {}).unwrap();
    assert_eq!(n, 3 * 2 * 1200);
    assert!(store.events().unwrap().is_empty(), "chains are valid");
    assert_eq!(store.kiosks().unwrap().len(), 6);
    let centre = Centre::new(store, Arc::new(catalog), ScoringOptions::default());
    let mut rates = Vec::new();
    for district in ["Ba Vì", "Đan Phượng", "Hoài Đức"] {
        let scope = Scope {
            facility: Some(format!("Trung tâm Y tế huyện {district}")),
            ..Scope::default()
        };
        rates.push(
            centre::report(&centre, &scope.clone().into(), &Period::all(), Locale::Vi)
                .unwrap()
                .summary
                .satisfied_pct
                .unwrap(),
        );
    }
    assert!(rates[0] >= 95.0 && rates[2] < 95.0, "{rates:?}");
    // Reports add up daily tallies kept at ingest; they equal a rescan of the responses for
    // any scope: a facility, a kiosk, a department, a quarter, and all of these at once.
    let q3 = Period::parse("2026-Q3", hailong::report::Calendar::Quarters).unwrap();
    let facility = Some("Trung tâm Y tế huyện Đan Phượng".to_string());
    let kiosks = centre.store.kiosks().unwrap();
    let kiosk = kiosks
        .iter()
        .find(|k| Some(&k.facility) == facility.as_ref())
        .unwrap()
        .kiosk_id
        .clone();
    let scopes = [
        (Scope::default(), Period::all()),
        (
            Scope {
                facility: facility.clone(),
                ..Scope::default()
            },
            Period::all(),
        ),
        (
            Scope {
                kiosk: kiosk.clone(),
                ..Scope::default()
            },
            Period::all(),
        ),
        (
            Scope {
                department: Some("Khoa Nhi".into()),
                ..Scope::default()
            },
            Period::all(),
        ),
        (
            Scope {
                from: q3.from,
                to: q3.to,
                ..Scope::default()
            },
            q3.clone(),
        ),
        (
            Scope {
                facility,
                kiosk,
                department: Some("Khoa Nhi".into()),
                from: q3.from,
                to: q3.to,
                ..Scope::default()
            },
            q3,
        ),
    ];
    // Days around whole months: partly from daily rows, partly from the monthly roll-up.
    let odd = Period::parse("2026-Q1", hailong::report::Calendar::Quarters).unwrap();
    let odd_scope = Scope {
        from: NaiveDate::from_ymd_opt(2026, 2, 15),
        to: NaiveDate::from_ymd_opt(2026, 8, 10),
        ..Scope::default()
    };
    let scopes = scopes.into_iter().chain([(odd_scope, odd)]);
    for (scope, period) in scopes {
        let from_tallies = centre::report(&centre, &scope.clone().into(), &period, Locale::Vi)
            .unwrap()
            .summary;
        assert!(from_tallies.responses > 0, "{scope:?} holds responses");
        assert_eq!(from_tallies, rescan(&centre, &scope), "{scope:?}");
    }
}

/// The summary of `scope` computed the slow way, from every stored response.
fn rescan(centre: &Centre, scope: &Scope) -> hailong::survey::Summary {
    use std::collections::BTreeMap;
    let mut tallies: BTreeMap<(String, u32), hailong::survey::Tally> = BTreeMap::new();
    let mut rapid = 0;
    centre
        .store
        .for_each_response(scope, &mut |s| {
            let r = &s.response;
            if r.rapid_repeat {
                rapid += 1;
            } else {
                tallies
                    .entry((r.questionnaire_id.clone(), r.questionnaire_version))
                    .or_default()
                    .add(r);
            }
        })
        .unwrap();
    let counted: Vec<_> = tallies
        .iter()
        .map(|((id, v), t)| (centre.catalog.get(id, *v).unwrap(), t))
        .collect();
    hailong::survey::summarize(&counted, rapid, &centre.scoring)
}

/// Undoes the migration that added revocable read tokens, the events index, the health row and
/// `clock_suspect` (the same SQL on both backends), to make a database of the version before.
const UNDO_EVENTS_MIGRATION: &str = "ALTER TABLE read_tokens DROP COLUMN revoked_at; DROP INDEX events_by_kiosk; \
    DROP TABLE health; ALTER TABLE responses DROP COLUMN clock_suspect; ALTER TABLE kiosk_sync DROP COLUMN waiting;";

#[test]
fn a_centre_database_from_before_daily_tallies_gets_them_when_it_is_opened() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("centre.sqlite3");
    let sqlite = |path: &Path| -> Arc<dyn Backend> { Arc::new(SqliteCentre::open(path, TZ).unwrap()) };
    from_before_daily_tallies(
        || sqlite(&path),
        || {
            // The file as one written before the tallies existed (schema 1).
            let conn = rusqlite::Connection::open(&path).unwrap();
            conn.execute_batch(&format!(
                "DROP TABLE tallies; DROP TABLE tallies_month; PRAGMA user_version = 1; {UNDO_EVENTS_MIGRATION}"
            ))
            .unwrap();
        },
    );
    if let Some(url) = server::postgres_url() {
        let url = server::postgres_schema(&url);
        let postgres =
            || -> Arc<dyn Backend> { Arc::new(hailong::centre::postgres::PostgresCentre::open(&url, TZ).unwrap()) };
        from_before_daily_tallies(postgres, || {
            server::postgres_execute(
                &url,
                &format!(
                    "DROP TABLE tallies, tallies_month; UPDATE hailong_schema SET version = 1; {UNDO_EVENTS_MIGRATION}"
                ),
            )
        });
    }
}

/// Fills a centre opened by `open`, makes its database one from before the tallies with
/// `downgrade`, opens it again, and checks the tallies were rebuilt from the responses.
fn from_before_daily_tallies(open: impl Fn() -> Arc<dyn Backend>, downgrade: impl FnOnce()) {
    let catalog = Catalog::built_in();
    let opts = hailong::centre::demo::Options {
        facilities: 2,
        kiosks_per_facility: 2,
        responses: 300,
        seed: 9,
        end: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        tz: TZ,
        questionnaire: "byt-ngoai-tru".into(),
    };
    let centre = |store| Centre::new(store, Arc::new(Catalog::built_in()), ScoringOptions::default());
    let first = centre(open());
    hailong::centre::demo::fill(first.store.as_ref(), &catalog, &opts, &mut |_| {}).unwrap();
    let before = centre_summary(&first);
    assert!(before.responses > 1000, "{}", before.responses);
    drop(first);
    downgrade();
    let reopened = centre(open());
    assert_eq!(centre_summary(&reopened), before);
    assert_eq!(centre_summary(&reopened), rescan(&reopened, &Scope::default()));
}

/// Saves `n` more demo responses in a kiosk's store (they continue its chain).
fn add_responses(store: &Arc<Mutex<Store>>, n: usize, seed: u64) {
    let catalog = Catalog::built_in();
    let q = catalog.latest("kiosk-nhanh").unwrap().clone();
    let opts = DemoOptions {
        responses: n,
        seed,
        end: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
        departments: vec!["Khoa Khám bệnh".into()],
        tz: TZ,
    };
    let mut all = Vec::new();
    generate(&q, &opts, |r| all.push(r));
    let pairs: Vec<_> = all.iter().map(|r| (&q, r)).collect();
    store.lock().unwrap().save_all(&pairs).unwrap();
}

fn target(server: &Server, token: &str) -> Target {
    Target {
        url: server.url(),
        token: token.into(),
        ca_cert: None,
    }
}

fn sync(store: &Arc<Mutex<Store>>, target: &Target) -> Result<u64, client::Error> {
    let http = client::http_client(target).unwrap();
    rt().block_on(client::sync_once(store, &http, target))
}

#[test]
fn a_revoked_kiosk_re_enrolled_goes_on_from_its_last_sequence_number_and_its_old_token_is_dead() {
    on_every_backend(case_a_revoked_kiosk_re_enrolled_goes_on_from_its_last_sequence_number);
}

fn case_a_revoked_kiosk_re_enrolled_goes_on_from_its_last_sequence_number(dir: &Path, server: Server) {
    let old = server.enrol("TTYT Ba Vì");
    let store = kiosk_store(dir, 300, 21);
    let kiosk_id = stored(&store)[0].kiosk_id.clone();
    assert_eq!(sync(&store, &target(&server, &old)).unwrap(), 300);
    let enrolment = server.centre.store.kiosks().unwrap()[0].id.clone();
    server.centre.store.revoke_kiosk(&enrolment).unwrap();
    add_responses(&store, 40, 22);

    // Revoked: the kiosk is told so, in words naming the command that fixes it.
    let err = sync(&store, &target(&server, &old)).unwrap_err();
    assert!(
        matches!(
            &err,
            client::Error::Refused {
                reason: client::Refusal::Revoked,
                ..
            }
        ),
        "{err:?}"
    );
    let said = err.explain(Locale::Vi);
    assert!(said.contains("đã thu hồi"), "{said}");
    assert!(
        said.contains(&format!("hailong centre kiosk renew {kiosk_id}")),
        "{said}"
    );

    // A fresh enrolment for the same kiosk (what an operator may try first) is refused with a
    // clear 409 naming the fix, and stores nothing.
    let fresh = server.enrol("TTYT Ba Vì");
    let (status, body) = post_batch(&server, &fresh, &kiosk_id, stored(&store)[300..].to_vec());
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["code"], "kiosk_enrolled_elsewhere", "{body}");
    assert!(body["error"].as_str().unwrap().contains("kiosk renew"), "{body}");
    let err = sync(&store, &target(&server, &fresh)).unwrap_err();
    assert!(
        matches!(
            &err,
            client::Error::Refused {
                reason: client::Refusal::EnrolledElsewhere,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.explain(Locale::En).contains("already knows this kiosk"),
        "{}",
        err.explain(Locale::En)
    );

    // Re-enrolled by its own kiosk id: a new token, the same chain; the next sync goes on from
    // seq 301 with no false gap and nothing counted twice.
    let new = centre::new_token();
    let info = server
        .centre
        .store
        .renew_kiosk(&kiosk_id, &centre::token_hash(&new))
        .unwrap();
    assert_eq!(
        (info.id.as_str(), info.last_seq, info.revoked_at),
        (enrolment.as_str(), 300, None)
    );
    assert_eq!(sync(&store, &target(&server, &new)).unwrap(), 40);
    assert_eq!(centre_summary(&server.centre), kiosk_summary(&store));
    assert_eq!(server.centre.store.events().unwrap(), vec![]);
    assert_eq!(
        server
            .centre
            .store
            .kiosks()
            .unwrap()
            .iter()
            .find(|k| k.id == enrolment)
            .unwrap()
            .last_seq,
        340
    );
    // The old token is dead, and says so.
    add_responses(&store, 1, 23);
    let err = sync(&store, &target(&server, &old)).unwrap_err();
    assert!(
        matches!(
            &err,
            client::Error::Refused {
                reason: client::Refusal::Unknown,
                ..
            }
        ),
        "{err:?}"
    );
    // Renewing something the centre does not know names it.
    let missing = server
        .centre
        .store
        .renew_kiosk("no-such-kiosk", &centre::token_hash("x"));
    assert!(
        matches!(missing, Err(hailong::centre::store::Error::NotFound(_))),
        "{missing:?}"
    );
}

#[test]
fn a_token_is_bound_only_by_a_batch_that_stores_something() {
    on_every_backend(case_a_token_is_bound_only_by_a_batch_that_stores_something);
}

fn case_a_token_is_bound_only_by_a_batch_that_stores_something(dir: &Path, server: Server) {
    let token = server.enrol("TTYT Thạch Thất");
    let store = kiosk_store(dir, 20, 31);
    let rs = stored(&store);
    // An empty batch naming a typo, and a batch whose every response is refused: both answered,
    // neither binds the token.
    let (status, body) = post(&server, Some(&token), br#"{"kiosk_id":"typo","responses":[]}"#);
    assert_eq!(status, 200, "{body}");
    let mut forged = rs[0].clone();
    forged.kiosk_id = "typo-2".into();
    forged.hash = "0".repeat(64);
    let (status, body) = post_batch(&server, &token, "typo-2", vec![forged]);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["rejected"].as_array().unwrap().len(), 1, "{body}");
    assert_eq!(server.centre.store.kiosks().unwrap()[0].kiosk_id, None);
    // The real kiosk then syncs, and binds it.
    assert_eq!(sync(&store, &target(&server, &token)).unwrap(), 20);
    assert_eq!(
        server.centre.store.kiosks().unwrap()[0].kiosk_id.as_deref(),
        Some(rs[0].kiosk_id.as_str())
    );
    // From then on another kiosk id is refused with a reason a kiosk can name.
    let (status, body) = post(&server, Some(&token), br#"{"kiosk_id":"typo","responses":[]}"#);
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("token_other_kiosk")),
        "{body}"
    );
}

#[test]
fn read_tokens_can_be_listed_and_revoked() {
    on_every_backend(case_read_tokens_can_be_listed_and_revoked);
}

fn case_read_tokens_can_be_listed_and_revoked(_dir: &Path, server: Server) {
    let store = &server.centre.store;
    let (a, b) = (centre::new_token(), centre::new_token());
    store.add_read_token("Sở Y tế", &centre::token_hash(&a)).unwrap();
    store.add_read_token("Phòng KHTH", &centre::token_hash(&b)).unwrap();
    let get = |token: &str| {
        rt().block_on(async {
            reqwest::Client::new()
                .get(format!("{}/api/v1/report", server.url()))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        })
    };
    assert_eq!((get(&a), get(&b)), (200, 200));
    let tokens = store.read_tokens().unwrap();
    let names: Vec<(&str, bool)> = tokens
        .iter()
        .map(|t| (t.name.as_str(), t.revoked_at.is_some()))
        .collect();
    assert_eq!(names, [("Sở Y tế", false), ("Phòng KHTH", false)]);
    store.revoke_read_token(tokens[0].id).unwrap();
    assert_eq!((get(&a), get(&b)), (401, 200));
    assert!(store.read_tokens().unwrap()[0].revoked_at.is_some());
    assert!(
        store.revoke_read_token(tokens[0].id).is_err(),
        "revoking twice names the problem"
    );
}

#[test]
fn request_text_cannot_forge_a_log_line_or_colour_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let centre_dir = dir.path().join("centre");
    let kiosk_token = centre_with_kiosk(&centre_dir, "TTYT Ba Vì");
    let read = centre::new_token();
    SqliteCentre::open(&centre_dir.join("centre.sqlite3"), TZ)
        .unwrap()
        .add_read_token("Sở Y tế", &centre::token_hash(&read))
        .unwrap();
    let log_path = dir.path().join("centre.log");
    let port = free_port();
    let child = process::spawn_centre_logged(&centre_dir, port, &[], std::fs::File::create(&log_path).unwrap());
    let base = format!("http://127.0.0.1:{port}");
    let forged = "x\r\n2026-12-01T00:00:00Z  INFO hailong: FORGED kiosk revoked\u{1b}[31m red";
    rt().block_on(async {
        let http = reqwest::Client::new();
        // A period that does not parse, logged as refused.
        let status = http
            .get(format!("{base}/api/v1/report"))
            .query(&[("period", forged)])
            .bearer_auth(&read)
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 400);
        // A response naming a questionnaire that does not exist: its rejection reason quotes it.
        let mut responses = stored(&kiosk_store(dir.path(), 1, 3));
        responses[0].response.questionnaire_id = forged.into();
        let batch = Batch {
            kiosk_id: responses[0].kiosk_id.clone(),
            responses,
            waiting: None,
        };
        let result: BatchResult = http
            .post(format!("{base}/api/v1/responses"))
            .bearer_auth(&kiosk_token)
            .json(&batch)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(result.rejected.len(), 1);
    });
    terminate(child);
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(log.contains("FORGED"), "the values are logged: {log}");
    assert!(
        !log.lines().any(|l| l.contains("FORGED") && !l.contains("x\\r\\n")),
        "a request made a line of its own: {log}"
    );
    assert!(!log.contains('\u{1b}'), "an escape sequence reached the log: {log:?}");
}

/// Stops a child centre with SIGTERM (so it flushes its log) and waits for it.
fn terminate(child: Child) {
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    wait_with_timeout(child, std::time::Duration::from_secs(10));
}

fn health(server: &Server) -> (u16, serde_json::Value) {
    rt().block_on(async {
        let resp = reqwest::get(format!("{}/api/v1/health", server.url())).await.unwrap();
        (resp.status().as_u16(), resp.json().await.unwrap())
    })
}

#[test]
fn health_says_when_the_store_cannot_write_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("centre.sqlite3");
    let server = Server::start(&db);
    assert_eq!(
        health(&server),
        (200, serde_json::json!({"status": "ok", "store": "writable"}))
    );
    // What a full disk does to every write, made to happen on this one table.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "CREATE TRIGGER full BEFORE UPDATE ON health BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;",
    )
    .unwrap();
    std::thread::sleep(hailong::centre::api::HEALTH_CACHE);
    let (status, body) = health(&server);
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "failing");
    assert!(body["store"].as_str().unwrap().starts_with("cannot write"), "{body}");
    // The database's own words are for the log, not for anyone who asks.
    assert!(!body.to_string().contains("disk is full"), "{body}");
    let said = server.centre.store.check_writable().unwrap_err().to_string();
    assert!(said.contains("disk is full"), "{said}");
}

#[test]
fn health_says_when_the_store_cannot_write_on_postgres_with_the_servers_own_message() {
    let Some(url) = server::postgres_url() else { return };
    let url = server::postgres_schema(&url);
    let store: Arc<dyn Backend> = Arc::new(hailong::centre::postgres::PostgresCentre::open(&url, TZ).unwrap());
    let server = Server::start_with(store);
    assert_eq!(health(&server).0, 200);
    server::postgres_execute(
        &url,
        "CREATE FUNCTION full_disk() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
         RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full', \
         HINT = 'Check free disk space.'; END $$; \
         CREATE TRIGGER disk_full BEFORE INSERT OR UPDATE ON health FOR EACH ROW EXECUTE FUNCTION full_disk();",
    );
    std::thread::sleep(hailong::centre::api::HEALTH_CACHE);
    let (status, body) = health(&server);
    assert_eq!(status, 503, "{body}");
    assert!(!body.to_string().contains("53100"), "{body}");
    let said = server.centre.store.check_writable().unwrap_err().to_string();
    let said = said.as_str();
    // PostgreSQL's own words and code, not tokio-postgres's bare "db error".
    assert!(
        said.contains("53100") && said.contains("No space left on device"),
        "{body}"
    );
    assert!(said.contains("Check free disk space"), "{body}");
}

#[test]
fn centre_verify_names_what_was_changed_in_the_centres_copy_and_which_side_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("centre.sqlite3");
    let sqlite: Arc<dyn Backend> = Arc::new(SqliteCentre::open(&db, TZ).unwrap());
    verify_case(dir.path(), sqlite, &|sql| {
        rusqlite::Connection::open(&db).unwrap().execute_batch(sql).unwrap()
    });
    if let Some(url) = server::postgres_url() {
        let url = server::postgres_schema(&url);
        let pg: Arc<dyn Backend> = Arc::new(hailong::centre::postgres::PostgresCentre::open(&url, TZ).unwrap());
        let sub = dir.path().join("pg");
        std::fs::create_dir_all(&sub).unwrap();
        verify_case(&sub, pg, &|sql| server::postgres_execute(&url, sql));
    }
}

fn verify_case(dir: &Path, store: Arc<dyn Backend>, exec: &dyn Fn(&str)) {
    use hailong::centre::verify::{Side, verify};
    let server = Server::start_with(store.clone());
    let token = server.enrol("TTYT Ba Vì");
    let kiosk = kiosk_store(dir, 120, 41);
    // Responses 31–35 never reach the centre (removed on the kiosk before the sync).
    let rs = stored(&kiosk);
    let k = rs[0].kiosk_id.clone();
    for part in [&rs[..30], &rs[35..]] {
        let (status, body) = post_batch(&server, &token, &k, part.to_vec());
        assert_eq!(status, 200, "{body}");
    }
    let clean = verify(store.as_ref(), TZ).unwrap();
    assert!(!clean.centre_altered(), "{clean:?}");
    assert_eq!((clean.kiosks, clean.responses), (1, 115));
    assert_eq!(clean.findings.len(), 1, "{clean:?}");
    assert_eq!((clean.findings[0].seq, clean.findings[0].side), (Some(31), Side::Kiosk));

    // A tally cell inflated by 1,000 "very satisfied" answers, a response's content edited, a
    // response deleted, a hash column edited: each named, each blamed on the centre.
    let mut cells = Vec::new();
    store
        .stored_tallies(&k, false, &mut |key, tally| cells.push((key, tally)))
        .unwrap();
    let (key, mut tally) = cells.into_iter().next().unwrap();
    tally.scale.get_mut("A2").unwrap()[5] += 1000;
    exec(&format!(
        "UPDATE tallies SET data = '{}' WHERE kiosk_id = '{k}' AND local_day = '{}' AND department = '{}' \
         AND questionnaire_id = '{}' AND NOT rapid_repeat",
        serde_json::to_string(&tally).unwrap(),
        key.day,
        key.department,
        key.questionnaire_id
    ));
    let edited = rs
        .iter()
        .find(|r| r.seq > 40 && r.response.status == hailong::survey::Status::Complete)
        .unwrap()
        .seq;
    exec(&format!(
        "UPDATE responses SET body = replace(body, '\"status\":\"complete\"', '\"status\":\"partial\"') \
         WHERE kiosk_id = '{k}' AND seq = {edited}"
    ));
    exec(&format!("DELETE FROM responses WHERE kiosk_id = '{k}' AND seq = 60"));
    // The first byte is flipped to a value it cannot already have (a hash starting "00" by chance,
    // one run in 256, would otherwise stay untouched).
    exec(&format!(
        "UPDATE responses SET hash = CASE WHEN substr(hash, 1, 2) = '00' THEN 'ff' ELSE '00' END \
         || substr(hash, 3) WHERE kiosk_id = '{k}' AND seq = 90"
    ));
    let found = verify(store.as_ref(), TZ).unwrap();
    assert!(found.centre_altered());
    let on = |seq: Option<u64>, words: &str| {
        found
            .findings
            .iter()
            .any(|f| f.seq == seq && f.side == Side::Centre && f.what.contains(words))
    };
    assert!(on(Some(edited), "content was changed at the centre"), "{found:#?}");
    assert!(on(Some(60), "60–60 are missing at the centre"), "{found:#?}");
    assert!(on(Some(90), "hash column was changed"), "{found:#?}");
    assert!(on(None, &format!("daily tally {}", key.day)), "{found:#?}");
    assert!(on(None, "monthly tally"), "{found:#?}");
    // The facility's roll-up no longer adds up to what its responses say either.
    assert!(on(None, "facility roll-up tally"), "{found:#?}");
    // The intact kiosk is not blamed for any of it: its only finding is still the gap it made.
    let kiosk_side: Vec<_> = found.findings.iter().filter(|f| f.side == Side::Kiosk).collect();
    assert_eq!(kiosk_side.len(), 1, "{found:#?}");
}

#[test]
fn responses_from_a_kiosk_with_a_wrong_clock_are_kept_counted_in_no_figure_and_not_resent() {
    on_every_backend(case_responses_from_a_kiosk_with_a_wrong_clock);
}

fn case_responses_from_a_kiosk_with_a_wrong_clock(dir: &Path, server: Server) {
    let token = server.enrol("TTYT Ba Vì");
    // The kiosk's clock is five years ahead: every response it takes is stamped 2031.
    let mut store = Store::open(&dir.join("hailong.sqlite3"), TZ).unwrap();
    let catalog = Catalog::built_in();
    let q = catalog.latest("kiosk-nhanh").unwrap().clone();
    let future = chrono::Utc::now().date_naive() + chrono::Duration::days(5 * 365);
    let opts = DemoOptions {
        responses: 50,
        seed: 51,
        end: future,
        departments: vec![],
        tz: TZ,
    };
    let mut all = Vec::new();
    generate(&q, &opts, |r| all.push(r));
    let pairs: Vec<_> = all.iter().map(|r| (&q, r)).collect();
    store.save_all(&pairs).unwrap();
    let store = Arc::new(Mutex::new(store));
    let t = target(&server, &token);

    // Held (so not sent again), but counted nowhere, and said once.
    assert_eq!(sync(&store, &t).unwrap(), 50);
    assert_eq!(store.lock().unwrap().outbox_status().unwrap().queued, 0);
    assert_eq!(sync(&store, &t).unwrap(), 0, "nothing is resent");
    assert_eq!(centre_summary(&server.centre).responses, 0);
    let events = server.centre.store.events().unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].kind, "clock");
    assert!(
        events[0]
            .detail
            .starts_with("50 responses stamped with times the centre cannot believe"),
        "{events:?}"
    );

    // The clock set right: the next responses count, and no false gap appears.
    add_responses(&store, 30, 52);
    assert_eq!(sync(&store, &t).unwrap(), 30);
    assert_eq!(centre_summary(&server.centre).responses, 30);
    let kinds: Vec<String> = server
        .centre
        .store
        .events()
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, ["clock"]);
    let counts = server.centre.store.event_counts(None).unwrap();
    assert_eq!(
        counts
            .values()
            .map(|c| (c.gaps, c.tampers, c.clock))
            .collect::<Vec<_>>(),
        [(0, 0, 1)]
    );
    // The centre's own check agrees: nothing wrong with its copy, tallies without the 50.
    let verified = hailong::centre::verify::verify(server.centre.store.as_ref(), TZ).unwrap();
    assert!(verified.findings.is_empty(), "{verified:#?}");
    assert_eq!(verified.responses, 80);
}

#[test]
fn a_facilitys_event_counts_are_its_own_kiosks_only() {
    on_every_backend(case_event_counts_by_facility);
}

fn case_event_counts_by_facility(dir: &Path, server: Server) {
    // Three kiosks, two of them at Ba Vì, each sending a batch without its first responses:
    // one gap each.
    let mut kiosks = Vec::new();
    for (i, (facility, from)) in [("TTYT Ba Vì", 5), ("TTYT Ba Vì", 3), ("TTYT Sơn Tây", 8)]
        .into_iter()
        .enumerate()
    {
        let sub = dir.join(format!("kiosk-{i}"));
        std::fs::create_dir_all(&sub).unwrap();
        let rs = stored(&kiosk_store(&sub, 10, 70 + i as u64));
        let token = server.enrol(facility);
        let (status, body) = post_batch(&server, &token, &rs[0].kiosk_id, rs[from..].to_vec());
        assert_eq!(status, 200, "{body}");
        kiosks.push((facility, rs[0].kiosk_id.clone()));
    }
    let gaps = |facility: Option<&str>| {
        let mut counts: Vec<_> = server
            .centre
            .store
            .event_counts(facility)
            .unwrap()
            .into_iter()
            .map(|(kiosk, c)| (kiosk, c.gaps, c.tampers, c.clock))
            .collect();
        counts.sort();
        counts
    };
    let of = |wanted: &str| {
        let mut v: Vec<_> = kiosks
            .iter()
            .filter(|(f, _)| wanted.is_empty() || *f == wanted)
            .map(|(_, k)| (k.clone(), 1, 0, 0))
            .collect();
        v.sort();
        v
    };
    assert_eq!(gaps(Some("TTYT Ba Vì")), of("TTYT Ba Vì"));
    assert_eq!(gaps(Some("TTYT Sơn Tây")), of("TTYT Sơn Tây"));
    assert_eq!(gaps(Some("TTYT Mỹ Đức")), []);
    assert_eq!(gaps(None), of(""));
}

#[test]
fn the_kiosk_learns_how_far_its_clock_is_off_from_the_centres_answer() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("centre.sqlite3"));
    let t = target(&server, "");
    let http = client::http_client(&t).unwrap();
    let offset = rt().block_on(client::clock_offset(&http, &t)).unwrap().unwrap();
    assert!(offset.abs() < chrono::TimeDelta::seconds(3), "{offset:?}");
    assert_eq!(client::explain_clock(offset, Locale::Vi), None);
    // A kiosk whose clock reads 3 days 4 h 30 min later than the centre's `Date`.
    let date = "Tue, 01 Dec 2026 08:00:00 GMT";
    let local: chrono::DateTime<chrono::Utc> = "2026-12-04T12:30:00Z".parse().unwrap();
    let offset = client::clock_offset_from(local, Some(date)).unwrap();
    let said = client::explain_clock(offset, Locale::Vi).unwrap();
    assert!(
        said.contains("NHANH hơn máy chủ trung tâm 3 ngày 4 giờ 30 phút"),
        "{said}"
    );
    let said = client::explain_clock(-offset, Locale::En).unwrap();
    assert!(said.contains("3 days 4 h 30 min BEHIND"), "{said}");
    assert_eq!(client::clock_offset_from(local, Some("yesterday")), None);
}

/// Tallies stored before complete responses were counted apart cannot give comprehensive
/// satisfaction (over complete responses only); the upgrade recomputes them from the responses.
#[test]
fn a_centre_upgraded_from_tallies_without_complete_counts_recomputes_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("centre.sqlite3");
    let undo = UNDO_EVENTS_MIGRATION;
    let sqlite = |path: &Path| -> Arc<dyn Backend> { Arc::new(SqliteCentre::open(path, TZ).unwrap()) };
    from_before_daily_tallies(
        || sqlite(&path),
        || {
            let conn = rusqlite::Connection::open(&path).unwrap();
            conn.execute_batch(&format!(
                "{undo} PRAGMA user_version = 2; \
                 UPDATE tallies SET data = json_remove(data, '$.complete_respondents', '$.complete_comprehensive'); \
                 UPDATE tallies_month SET data = json_remove(data, '$.complete_respondents', '$.complete_comprehensive');"
            ))
            .unwrap();
        },
    );
    assert!(
        centre_summary(&Centre::new(
            sqlite(&path),
            Arc::new(Catalog::built_in()),
            ScoringOptions::default()
        ))
        .comprehensive_pct
        .is_some()
    );
    if let Some(url) = server::postgres_url() {
        let url = server::postgres_schema(&url);
        let postgres =
            || -> Arc<dyn Backend> { Arc::new(hailong::centre::postgres::PostgresCentre::open(&url, TZ).unwrap()) };
        from_before_daily_tallies(postgres, || {
            server::postgres_execute(
                &url,
                &format!(
                    "{undo} UPDATE hailong_schema SET version = 3; \
                     UPDATE tallies SET data = (data::jsonb - 'complete_respondents' - 'complete_comprehensive')::text; \
                     UPDATE tallies_month SET data = (data::jsonb - 'complete_respondents' - 'complete_comprehensive')::text;"
                ),
            )
        });
    }
}

#[test]
fn a_time_no_clock_gives_is_refused_not_a_server_error() {
    on_every_backend(case_a_time_no_clock_gives_is_refused);
}

fn case_a_time_no_clock_gives_is_refused(dir: &Path, server: Server) {
    let token = server.enrol("TTYT Ba Vì");
    let mut rs = stored(&kiosk_store(dir, 2, 61));
    let ancient: chrono::DateTime<chrono::Utc> = "-5000-01-01T00:00:00Z".parse().unwrap();
    rs[0].response.started_at = ancient;
    rs[0].response.submitted_at = ancient;
    let k = rs[0].kiosk_id.clone();
    let (status, body) = post_batch(&server, &token, &k, rs);
    assert_eq!(status, 200, "{body}");
    assert!(
        body["rejected"][0]["error"]
            .as_str()
            .unwrap()
            .contains("outside the years 1900–9999"),
        "{body}"
    );
    assert_eq!(body["accepted"].as_array().unwrap().len(), 1, "{body}");
}

/// The facility roll-up the overview, public page and quarterly report read adds up to the same
/// tallies as the kiosks' own rows, for whole months, the days around them, a facility and a
/// department, on both backends; and a database from before it gets it when opened.
#[test]
fn the_facility_roll_up_adds_up_the_kiosks_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("centre.sqlite3");
    let sqlite = |path: &Path| -> Arc<dyn Backend> { Arc::new(SqliteCentre::open(path, TZ).unwrap()) };
    roll_up_adds_up(
        || sqlite(&path),
        || {
            rusqlite::Connection::open(&path)
                .unwrap()
                .execute_batch("DELETE FROM tallies_facility; PRAGMA user_version = 5;")
                .unwrap()
        },
    );
    if let Some(url) = server::postgres_url() {
        let url = server::postgres_schema(&url);
        let postgres =
            || -> Arc<dyn Backend> { Arc::new(hailong::centre::postgres::PostgresCentre::open(&url, TZ).unwrap()) };
        roll_up_adds_up(postgres, || {
            server::postgres_execute(
                &url,
                "DELETE FROM tallies_facility; UPDATE hailong_schema SET version = 6;",
            )
        });
    }
}

fn roll_up_adds_up(open: impl Fn() -> Arc<dyn Backend>, downgrade: impl FnOnce()) {
    use hailong::centre::store::TallyKey;
    use hailong::survey::Tally;
    use std::collections::BTreeMap;
    let catalog = Catalog::built_in();
    let opts = hailong::centre::demo::Options {
        facilities: 3,
        kiosks_per_facility: 2,
        responses: 300,
        seed: 5,
        end: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        tz: TZ,
        questionnaire: "byt-ngoai-tru".into(),
    };
    let store = open();
    hailong::centre::demo::fill(store.as_ref(), &catalog, &opts, &mut |_| {}).unwrap();
    let day = |s: &str| Some(s.parse::<NaiveDate>().unwrap());
    let facility = hailong::centre::demo::facility_name(1);
    let scopes = [
        Scope::default(),
        Scope {
            from: day("2026-07-01"),
            to: day("2026-09-30"),
            ..Scope::default()
        },
        Scope {
            from: day("2026-02-11"),
            to: day("2026-05-20"),
            ..Scope::default()
        },
        Scope {
            facility: Some(facility.clone()),
            from: day("2026-01-15"),
            to: day("2026-10-31"),
            ..Scope::default()
        },
        Scope {
            facility: Some(facility),
            department: Some("Khoa Nội".into()),
            ..Scope::default()
        },
    ];
    let check = |store: &dyn Backend| {
        for scope in &scopes {
            let mut by_kiosk: BTreeMap<(String, TallyKey), Tally> = BTreeMap::new();
            store
                .for_each_tally_row(scope, &mut |origin, key, tally| {
                    by_kiosk
                        .entry((origin.facility.clone(), key))
                        .or_default()
                        .merge(&tally)
                })
                .unwrap();
            let mut by_facility: BTreeMap<(String, TallyKey), Tally> = BTreeMap::new();
            store
                .for_each_facility_tally(scope, &mut |facility, key, tally| {
                    by_facility
                        .entry((facility.to_string(), key))
                        .or_default()
                        .merge(&tally)
                })
                .unwrap();
            assert!(!by_kiosk.is_empty(), "{scope:?}");
            assert_eq!(by_facility, by_kiosk, "{scope:?}");
        }
    };
    check(store.as_ref());
    drop(store);
    // A database from before the roll-up: opening it builds the roll-up from the monthly rows.
    downgrade();
    check(open().as_ref());
}

/// The pages' tally cache gives the store's own rows (whole months, the days around them, a
/// facility, a department, each kiosk), reads nothing again while the stamps stand, and after a
/// batch stored through another process (another open of the same database) reads again just
/// the facility-months that batch touched, on both backends.
#[test]
fn the_pages_tally_cache_gives_the_stores_rows_and_follows_batches_from_another_process() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("centre.sqlite3");
    cache_follows_the_store(|| -> Arc<dyn Backend> { Arc::new(SqliteCentre::open(&path, TZ).unwrap()) });
    if let Some(url) = server::postgres_url() {
        let url = server::postgres_schema(&url);
        cache_follows_the_store(|| -> Arc<dyn Backend> {
            Arc::new(hailong::centre::postgres::PostgresCentre::open(&url, TZ).unwrap())
        });
    }
}

#[test]
fn a_database_restored_under_a_running_centre_never_shows_the_figures_it_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let (first, restored) = (dir.path().join("centre.sqlite3"), dir.path().join("restored.sqlite3"));
    cache_survives_a_restore(
        Arc::new(SqliteCentre::open(&first, TZ).unwrap()),
        Arc::new(SqliteCentre::open(&restored, TZ).unwrap()),
    );
    if let Some(url) = server::postgres_url() {
        let open = |url: &str| -> Arc<dyn Backend> {
            Arc::new(hailong::centre::postgres::PostgresCentre::open(url, TZ).unwrap())
        };
        cache_survives_a_restore(
            open(&server::postgres_schema(&url)),
            open(&server::postgres_schema(&url)),
        );
    }
}

/// `live` and `restored` start alike (the backup and the database it was taken from); then
/// each takes a different batch over the same months, as when a backup is restored under a
/// running server and kiosks go on sending. The server's cache must give `restored`'s figures.
fn cache_survives_a_restore(live: Arc<dyn Backend>, restored: Arc<dyn Backend>) {
    use hailong::centre::cache::TallyCache;
    use hailong::centre::demo::{Options, fill};
    use hailong::centre::store::TallyKey;
    use hailong::survey::Tally;
    use std::collections::BTreeMap;
    let catalog = Catalog::built_in();
    let opts = Options {
        facilities: 2,
        kiosks_per_facility: 1,
        responses: 60,
        seed: 5,
        end: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        tz: TZ,
        questionnaire: "byt-ngoai-tru".into(),
    };
    for store in [&live, &restored] {
        fill(store.as_ref(), &catalog, &opts, &mut |_| {}).unwrap();
    }
    let scope = Scope {
        from: Some(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()),
        to: Some(NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()),
        ..Scope::default()
    };
    let cache = TallyCache::default();
    let totals_through = |cache: &TallyCache, store: &dyn Backend| {
        let mut sums: BTreeMap<(String, TallyKey), Tally> = BTreeMap::new();
        cache
            .facility_totals(store, &scope, true, &mut |f, key, tally| {
                sums.entry((f.to_string(), key.clone())).or_default().merge(tally)
            })
            .unwrap();
        sums
    };
    let totals = |store: &dyn Backend| totals_through(&cache, store);
    let before = totals(live.as_ref());
    assert!(!before.is_empty());
    assert_eq!(totals(restored.as_ref()), before, "the backup holds the same figures");
    // The same days drawn (the same seed and count), answered on different forms.
    let late = |questionnaire: &str| Options {
        facilities: 1,
        responses: 5,
        seed: 9,
        questionnaire: questionnaire.into(),
        ..opts.clone()
    };
    fill(live.as_ref(), &catalog, &late("byt-ngoai-tru"), &mut |_| {}).unwrap();
    let live_now = totals(live.as_ref());
    assert_ne!(live_now, before);
    fill(restored.as_ref(), &catalog, &late("kiosk-nhanh"), &mut |_| {}).unwrap();
    let restored_now = totals(restored.as_ref());
    assert_ne!(
        restored_now, live_now,
        "the restored database's own figures, not the live one's"
    );
    assert!(restored_now.keys().any(|(_, k)| k.questionnaire_id == "kiosk-nhanh"));
    // What a server started afresh on the restored database reads.
    assert_eq!(restored_now, totals_through(&TallyCache::default(), restored.as_ref()));
}

fn cache_follows_the_store(open: impl Fn() -> Arc<dyn Backend>) {
    use chrono::Datelike;
    use hailong::centre::cache::{Reads, TallyCache};
    use hailong::centre::store::TallyKey;
    use hailong::survey::Tally;
    use std::collections::BTreeMap;
    type Sums = BTreeMap<(String, String, TallyKey), Tally>;
    let catalog = Catalog::built_in();
    let opts = hailong::centre::demo::Options {
        facilities: 3,
        kiosks_per_facility: 2,
        responses: 200,
        seed: 7,
        end: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        tz: TZ,
        questionnaire: "byt-ngoai-tru".into(),
    };
    let one = open();
    hailong::centre::demo::fill(one.as_ref(), &catalog, &opts, &mut |_| {}).unwrap();
    let day = |s: &str| Some(s.parse::<NaiveDate>().unwrap());
    let facility = hailong::centre::demo::facility_name(1);
    let scope = |from: &str, to: &str, facility: Option<&String>, department: Option<&str>| Scope {
        facility: facility.cloned(),
        department: department.map(str::to_string),
        from: day(from),
        to: day(to),
        ..Scope::default()
    };
    let scopes = [
        scope("2026-07-01", "2026-09-30", None, None),
        scope("2026-02-11", "2026-05-20", None, None),
        scope("2026-01-15", "2026-10-31", Some(&facility), None),
        scope("2026-06-01", "2026-11-20", Some(&facility), Some("Khoa Nội")),
        scope("2017-01-01", "2026-12-31", None, None),
    ];
    // Rows added up by facility, kiosk, month and key: the cache dates a row by its part of a
    // month, the store by its day.
    fn add(sums: &mut Sums, facility: &str, kiosk: &str, key: &TallyKey, tally: &Tally, departments: bool) {
        let mut key = TallyKey {
            day: key.day.with_day(1).unwrap(),
            ..key.clone()
        };
        if !departments {
            // Added up over departments and points, as the cache's forms are.
            key.department.clear();
            key.point.clear();
        }
        sums.entry((facility.into(), kiosk.into(), key))
            .or_default()
            .merge(tally);
    }
    // The same sums with every row dated `day` (a period's totals are dated by its first day).
    fn rekey(sums: &Sums, day: NaiveDate) -> Sums {
        let mut out = Sums::new();
        for ((f, k, key), t) in sums {
            let key = TallyKey { day, ..key.clone() };
            out.entry((f.clone(), k.clone(), key)).or_default().merge(t);
        }
        out
    }
    let cache = TallyCache::default();
    // Compares every view of every scope (month parts and period totals, at the facility and
    // kiosk level); the parts read.
    let check = |store: &dyn Backend| -> Reads {
        let mut reads = Reads::default();
        for s in &scopes {
            for departments in [true, false] {
                let mut stored = Sums::new();
                store
                    .for_each_facility_tally(s, &mut |f, key, tally| {
                        add(&mut stored, f, "", &key, &tally, departments || s.department.is_some())
                    })
                    .unwrap();
                let mut cached = Sums::new();
                let r = cache
                    .facility_rows(store, s, departments, &mut |f, key, tally| {
                        add(&mut cached, f, "", key, tally, true)
                    })
                    .unwrap();
                assert!(!stored.is_empty(), "{s:?}");
                assert_eq!(cached, stored, "{s:?}, by department: {departments}");
                let mut totals = Sums::new();
                let t = cache
                    .facility_totals(store, s, departments, &mut |f, key, tally| {
                        add(&mut totals, f, "", key, tally, true)
                    })
                    .unwrap();
                let first = s.from.unwrap().with_day(1).unwrap();
                assert_eq!(
                    totals,
                    rekey(&stored, first),
                    "{s:?} totals, by department: {departments}"
                );
                reads.kept += t.kept;
                reads.read += t.read;
                if departments {
                    reads.kept += r.kept;
                    reads.read += r.read;
                }
            }
            let mut stored = Sums::new();
            store
                .for_each_tally_row(s, &mut |o, key, tally| {
                    add(&mut stored, &o.facility, &o.kiosk, &key, &tally, true)
                })
                .unwrap();
            let mut cached = Sums::new();
            let r = cache
                .kiosk_rows(store, s, &mut |f, k, key, tally| {
                    add(&mut cached, f, k, key, tally, true)
                })
                .unwrap();
            assert_eq!(cached, stored, "{s:?}, by kiosk");
            let mut totals = Sums::new();
            let t = cache
                .kiosk_totals(store, s, &mut |f, k, key, tally| {
                    add(&mut totals, f, k, key, tally, true)
                })
                .unwrap();
            let first = s.from.unwrap().with_day(1).unwrap();
            assert_eq!(totals, rekey(&stored, first), "{s:?} totals, by kiosk");
            reads.kept += r.kept + t.kept;
            reads.read += r.read + t.read;
        }
        reads
    };
    let cold = check(one.as_ref());
    assert!(cold.read > 0, "{cold:?}");
    let warm = check(one.as_ref());
    assert_eq!(warm.read, 0, "nothing is read again while the stamps stand: {warm:?}");

    // Another process stores a batch at the first facility.
    let two = open();
    let all = |store: &dyn Backend| {
        let from = NaiveDate::from_ymd_opt(2017, 1, 1).unwrap();
        let to = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let mut stamps = store.tally_stamps(None, from, to).unwrap();
        stamps.sort_by(|a, b| (&a.facility, a.month).cmp(&(&b.facility, b.month)));
        stamps
    };
    let before = all(one.as_ref());
    let late = hailong::centre::demo::Options {
        facilities: 1,
        kiosks_per_facility: 1,
        responses: 5,
        seed: 8,
        ..opts.clone()
    };
    hailong::centre::demo::fill(two.as_ref(), &catalog, &late, &mut |_| {}).unwrap();
    let after = all(one.as_ref());
    let changed: Vec<_> = after.iter().filter(|s| !before.contains(s)).collect();
    assert!(!changed.is_empty());
    assert!(
        changed
            .iter()
            .all(|s| s.facility == hailong::centre::demo::facility_name(0))
    );
    // The whole-range scope at the facility level reads exactly the changed facility-months.
    let everything = &scopes[4];
    let mut stored = Sums::new();
    one.for_each_facility_tally(everything, &mut |f, key, tally| {
        add(&mut stored, f, "", &key, &tally, true)
    })
    .unwrap();
    let mut cached = Sums::new();
    let r = cache
        .facility_rows(one.as_ref(), everything, true, &mut |f, key, tally| {
            add(&mut cached, f, "", key, tally, true)
        })
        .unwrap();
    assert_eq!(cached, stored, "the new batch is in the cached figures");
    assert_eq!(r.read, changed.len(), "{r:?} {changed:?}");
    // And every other view follows too.
    check(one.as_ref());
}

/// A centre database made by the `main` before channels (tests/fixtures/upgrade, both backends)
/// opens with today's code: migrated in place, every response, tally, chain and account kept,
/// `centre verify` intact, the same report as that hailong wrote; and it takes new responses
/// with their channel and point, which the filters then find.
#[test]
fn a_centre_database_from_before_channels_upgrades_in_place_with_nothing_lost() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/upgrade");
    let dir = tempfile::tempdir().unwrap();
    let mut stores: Vec<(&str, Arc<dyn Backend>)> = Vec::new();
    let db = dir.path().join("centre.sqlite3");
    std::fs::copy(fixtures.join("centre-2a274f2.sqlite3"), &db).unwrap();
    stores.push(("sqlite", Arc::new(SqliteCentre::open(&db, TZ).unwrap())));
    if let Some(url) = server::postgres_url() {
        let url = server::postgres_schema(&url);
        server::postgres_execute(
            &url,
            &std::fs::read_to_string(fixtures.join("centre-2a274f2.postgres.sql")).unwrap(),
        );
        stores.push((
            "postgres",
            Arc::new(hailong::centre::postgres::PostgresCentre::open(&url, TZ).unwrap()),
        ));
    }
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures.join("centre-2a274f2.report.json")).unwrap()).unwrap();
    for (backend, store) in stores {
        let verified = hailong::centre::verify::verify(store.as_ref(), TZ).unwrap();
        assert!(verified.findings.is_empty(), "{backend}: {:?}", verified.findings);
        assert_eq!((verified.kiosks, verified.responses), (4, 60), "{backend}");
        assert!(verified.tally_cells >= 156, "{backend}: {verified:?}");
        let (user, hash) = store.user_by_name("quantri").unwrap().expect("the account is kept");
        assert_eq!(user.role, hailong::centre::accounts::Role::Admin, "{backend}");
        assert!(
            hailong::centre::accounts::verify_password(&hash, "mat-khau-cu-2026"),
            "{backend}: the password still signs in"
        );
        let centre = Centre::new(store.clone(), Arc::new(Catalog::built_in()), ScoringOptions::default());
        let all = Period::parse("all", hailong::report::Calendar::Quarters).unwrap();
        let report = centre::report(&centre, &Scope::default().into(), &all, Locale::Vi).unwrap();
        assert_eq!(
            serde_json::to_value(&report).unwrap(),
            expected,
            "{backend}: the same report"
        );
        // Every response from before is a kiosk's, at no point.
        let mut channels = std::collections::BTreeMap::new();
        store
            .for_each_tally(&Scope::default(), &mut |key, tally| {
                *channels.entry((key.channel, key.point)).or_insert(0) += tally.responses;
            })
            .unwrap();
        assert_eq!(
            channels.into_iter().collect::<Vec<_>>(),
            [((Channel::Kiosk, String::new()), 60)],
            "{backend}"
        );
        // A kiosk goes on with its chain: the next response carries its channel and point.
        let kiosk = store
            .kiosks()
            .unwrap()
            .into_iter()
            .find(|k| k.facility == "Trung tâm Y tế huyện Ba Vì" && k.last_seq == 20)
            .unwrap();
        let kiosk_id = kiosk.kiosk_id.clone().unwrap();
        let last = store.held_chain(&kiosk_id, 20, 20).unwrap();
        let q = Catalog::built_in().latest("kiosk-nhanh").unwrap().clone();
        let mut response = None;
        generate(
            &q,
            &DemoOptions {
                responses: 1,
                seed: 99,
                end: chrono::Utc::now().date_naive(),
                departments: vec![],
                tz: TZ,
            },
            |r| response = Some(r),
        );
        let mut response = response.unwrap();
        response.channel = Some(Channel::Kiosk);
        response.point = Some("Khoa Nội".into());
        let hash = hailong::store::link(&last[0].2, 21, &kiosk_id, &response);
        let stored = hailong::store::StoredResponse {
            seq: 21,
            kiosk_id: kiosk_id.clone(),
            response,
            prev_hash: last[0].2.clone(),
            hash,
        };
        let result = store
            .ingest(&kiosk, &kiosk_id, &[stored], None, &Catalog::built_in())
            .unwrap();
        assert_eq!(result.accepted.len(), 1, "{backend}: {result:?}");
        let verified = hailong::centre::verify::verify(store.as_ref(), TZ).unwrap();
        assert!(verified.findings.is_empty(), "{backend}: {:?}", verified.findings);
        assert_eq!(verified.responses, 61, "{backend}");
        let at_point = Scope {
            channel: Some(Channel::Kiosk),
            point: Some("Khoa Nội".into()),
            ..Scope::default()
        };
        let report = centre::report(&centre, &at_point.into(), &all, Locale::Vi).unwrap();
        assert_eq!(
            report.summary.responses, 1,
            "{backend}: only the new response is at that point"
        );
        let phone = Scope {
            channel: Some(Channel::Phone),
            ..Scope::default()
        };
        let report = centre::report(&centre, &phone.into(), &all, Locale::Vi).unwrap();
        assert_eq!(report.summary.responses, 0, "{backend}: nothing came by phone");
    }
}
