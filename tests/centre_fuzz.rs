//! Property tests of the ingest path: whatever bytes arrive, the centre answers 2xx or 4xx with a
//! JSON error, never 5xx and never a crash; and a mutated response is either valid or rejected
//! with a reason, never stored broken.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use hailong::centre::sqlite::SqliteCentre;
use hailong::centre::{self, Centre, CentreStore};
use hailong::store::{GENESIS, StoredResponse, link};
use hailong::survey::{Answer, Catalog, Locale, Response, ScoringOptions, Status};
use proptest::prelude::*;
use tower::ServiceExt;

fn centre() -> (Centre, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteCentre::open(&dir.path().join("c.sqlite3"), chrono_tz::Asia::Ho_Chi_Minh).unwrap();
    let token = centre::new_token();
    store.add_kiosk("TTYT", "Quầy", &centre::token_hash(&token)).unwrap();
    let c = Centre::new(
        Arc::new(store),
        Arc::new(Catalog::built_in()),
        ScoringOptions::default(),
    );
    (c, token, dir)
}

fn answer() -> impl Strategy<Value = Answer> {
    prop_oneof![
        (0u8..=9).prop_map(Answer::Scale),
        (0u16..=300).prop_map(Answer::Percent),
        "[0-9a-z]{0,3}".prop_map(|o| Answer::Choice { option: o, other: None }),
        proptest::collection::vec("[a-z]{1,12}", 0..4).prop_map(Answer::Reasons),
        ".{0,600}".prop_map(Answer::Text),
    ]
}

fn response(answers: Vec<(String, Answer)>, seq: u64) -> StoredResponse {
    let q = Catalog::built_in().latest("kiosk-nhanh").unwrap().clone();
    let mut r = Response::start(&q, Locale::Vi, None);
    r.status = Status::Complete;
    r.answers = answers.into_iter().collect();
    let hash = link(GENESIS, seq, "kiosk-fuzz", &r);
    StoredResponse {
        seq,
        kiosk_id: "kiosk-fuzz".into(),
        response: r,
        prev_hash: GENESIS.into(),
        hash,
    }
}

fn post(c: &Centre, token: &str, body: Vec<u8>) -> (StatusCode, serde_json::Value) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let req = Request::post("/api/v1/responses")
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {token}"))
            .body(Body::from(body))
            .unwrap();
        let resp = centre::api::app(c.clone()).oneshot(req).await.unwrap();
        let status = resp.status();
        let bytes = axum::body::to_bytes(resp.into_body(), 8 << 20).await.unwrap();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_get_a_server_error(body in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let (c, token, _dir) = centre();
        let (status, json) = post(&c, &token, body);
        prop_assert!(status.is_client_error() || status.is_success(), "{status}");
        if status.is_client_error() {
            prop_assert!(json["error"].is_string(), "{json}");
        }
    }

    #[test]
    fn arbitrary_answers_are_stored_only_when_valid(
        answers in proptest::collection::vec(("(A2|B7|C6|D1|E1|G2|H2|X9|A2\\.why)", answer()), 0..8)
    ) {
        let (c, token, _dir) = centre();
        let r = response(answers, 1);
        let q = Catalog::built_in().latest("kiosk-nhanh").unwrap().clone();
        let valid = r.response.validate(&q).is_ok();
        let body = serde_json::to_vec(&serde_json::json!({ "kiosk_id": "kiosk-fuzz", "responses": [r] })).unwrap();
        let (status, json) = post(&c, &token, body);
        prop_assert_eq!(status, StatusCode::OK, "{}", json);
        let accepted = json["accepted"].as_array().unwrap().len();
        let rejected = json["rejected"].as_array().unwrap().len();
        prop_assert_eq!((accepted, rejected), if valid { (1, 0) } else { (0, 1) }, "{}", json);
    }
}

#[test]
fn a_structured_batch_with_wrong_types_names_the_field() {
    let (c, token, _dir) = centre();
    let mut r = serde_json::to_value(response(vec![("A2".into(), Answer::Scale(4))], 1)).unwrap();
    r["seq"] = serde_json::json!("one");
    let (status, json) = post(
        &c,
        &token,
        serde_json::to_vec(&serde_json::json!({"kiosk_id": "kiosk-fuzz", "responses": [r]})).unwrap(),
    );
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        json["error"].as_str().unwrap().contains("responses[0]") || json["error"].as_str().unwrap().contains("seq"),
        "{json}"
    );
}

#[path = "support/server.rs"]
mod server;

/// One centre per backend for the query property test, made once.
fn report_centres() -> &'static Vec<(&'static str, Centre, String)> {
    static CENTRES: std::sync::OnceLock<Vec<(&'static str, Centre, String)>> = std::sync::OnceLock::new();
    CENTRES.get_or_init(|| {
        let dir = Box::leak(Box::new(tempfile::tempdir().unwrap()));
        server::backends(dir.path())
            .into_iter()
            .map(|(name, store)| {
                let read = centre::new_token();
                store.add_read_token("fuzz", &centre::token_hash(&read)).unwrap();
                let c = Centre::new(store, Arc::new(Catalog::built_in()), ScoringOptions::default());
                (name, c, read)
            })
            .collect()
    })
}

fn get(c: &Centre, token: &str, uri: &str) -> (StatusCode, serde_json::Value) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let req = Request::get(uri)
            .header("authorization", format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap();
        let resp = centre::api::app(c.clone()).oneshot(req).await.unwrap();
        let status = resp.status();
        let bytes = axum::body::to_bytes(resp.into_body(), 8 << 20).await.unwrap();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
        )
    })
}

/// Any text, control characters (NUL) and long runs included, percent-encoded into a query.
fn param() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,40}",
        "[\\x00-\\x1f]{1,4}",
        "\\PC{190,210}",
        Just("\u{0}".to_string()),
        Just("TTYT Ba Vì".to_string()),
    ]
}

fn encode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 150, .. ProptestConfig::default() })]

    /// Every query parameter goes through the same checks on both backends: never a 5xx.
    #[test]
    fn any_report_or_events_query_gets_an_answer_or_a_4xx_on_every_backend(
        facility in param(), kiosk in param(), department in param(), period in param(),
        route in 0usize..2,
    ) {
        for (backend, c, read) in report_centres() {
            let uri = if route == 0 {
                format!(
                    "/api/v1/report?facility={}&kiosk={}&department={}&period={}",
                    encode(&facility), encode(&kiosk), encode(&department), encode(&period)
                )
            } else {
                format!("/api/v1/events?kiosk={}", encode(&kiosk))
            };
            let (status, json) = get(c, read, &uri);
            prop_assert!(status.is_success() || status.is_client_error(), "{backend} {uri}: {status} {json}");
            if status.is_client_error() {
                prop_assert!(json["error"].is_string(), "{backend}: {json}");
            }
        }
    }
}

#[test]
fn a_nul_byte_in_any_report_filter_is_a_400_naming_it_on_every_backend() {
    for (backend, c, read) in report_centres() {
        for field in ["facility", "kiosk", "department"] {
            let (status, json) = get(c, read, &format!("/api/v1/report?{field}=%00"));
            assert_eq!(status, StatusCode::BAD_REQUEST, "{backend} {field}: {json}");
            assert!(json["error"].as_str().unwrap().starts_with(field), "{backend}: {json}");
        }
    }
}
