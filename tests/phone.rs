//! The phone channel (issue 27 §2–§3, DESIGN §12) over real HTTP on 127.0.0.1, on both
//! backends, with a browser that runs no JavaScript: a patient scans a kiosk's rotating code,
//! answers a questionnaire one screen at a time, and the response counts under `phone`.

use std::collections::BTreeMap;
use std::sync::Arc;

use hailong::centre::Backend;
use hailong::survey::{Catalog, Channel, ItemKind, Questionnaire};

#[path = "support/server.rs"]
mod server;
use server::Server;

#[path = "support/web_data.rs"]
mod web_data;
use web_data::*;

/// A kiosk of `facility` with `n` responses synced: its token and its own id.
fn synced_kiosk(dir: &std::path::Path, server: &Server, facility: &str, n: usize) -> (String, String) {
    let store = kiosk_store(dir, n, &["Khoa Khám bệnh"], 5, |_, r| {
        r.channel = Some(Channel::Kiosk);
        r.point = Some("Quầy tiếp đón".into());
    });
    let token = server.enrol(facility);
    let target = hailong::sync::client::Target {
        url: server.url(),
        token: token.clone(),
        ca_cert: None,
    };
    let http = hailong::sync::client::http_client(&target).unwrap();
    rt().block_on(hailong::sync::client::sync_once(&store, &http, &target))
        .unwrap();
    let kiosk_id = store.lock().unwrap().kiosk_id().to_string();
    (token, kiosk_id)
}

/// The path of the kiosk's phone link for `form` at `at`.
fn link(token: &str, kiosk_id: &str, form: &str, at: chrono::DateTime<chrono::Utc>) -> String {
    let key = hailong::phone::key_of(&hailong::centre::token_hash(token));
    hailong::phone::link("", &key, kiosk_id, form, at)
}

/// Every screen's answers as a patient would tap them: the best face, the first option, 100 %,
/// a few words.
fn screens(q: &Questionnaire) -> Vec<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut groups: Vec<&[hailong::survey::Item]> = Vec::new();
    if !q.demographics.is_empty() {
        groups.push(&q.demographics);
    }
    groups.extend(q.sections.iter().map(|s| s.items.as_slice()));
    for items in groups {
        let mut fields = Vec::new();
        for item in items {
            let value = match &item.kind {
                ItemKind::Scale5 { .. } => "5".to_string(),
                ItemKind::Percent { .. } => "100".to_string(),
                ItemKind::Choice { options } => options[0].code.clone(),
                ItemKind::Text { .. } => "Bác sĩ tận tình".to_string(),
            };
            fields.push((item.code.clone(), value));
        }
        out.push(fields);
    }
    out
}

/// Answers the whole form in `browser`, after the start button; the last page.
fn answer_all(browser: &mut Browser, q: &Questionnaire) -> Reply {
    let mut page = browser.get("/phone");
    let all = screens(q);
    for (i, fields) in all.iter().enumerate() {
        assert_eq!(page.status, 200, "screen {i}: {}", page.body);
        assert!(
            page.body.contains(&format!("Phần {}/{}", i + 1, all.len())),
            "screen {i} shows its progress: {}",
            page.body
        );
        let csrf = page.hidden("csrf");
        let screen = i.to_string();
        let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf), ("screen", &screen), ("go", "next")];
        form.extend(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        page = browser.post("/phone", &form);
    }
    page
}

fn count(server: &Server, query: &[(&str, &str)]) -> serde_json::Value {
    api_report_with(server, query)
}

fn phone_responses(store: &dyn Backend) -> Vec<hailong::store::StoredResponse> {
    let mut out = Vec::new();
    let scope = hailong::centre::Scope::default();
    store.for_each_response(&scope, &mut |r| out.push(r)).unwrap();
    out.retain(|r| r.response.channel == Some(Channel::Phone));
    out
}

#[test]
fn a_patient_answers_on_a_phone_from_the_kiosks_code_and_it_counts_once_under_phone() {
    let dir = tempfile::tempdir().unwrap();
    for (name, store) in server::backends(dir.path()) {
        eprintln!("backend: {name}");
        let sub = dir.path().join(name);
        let server = start_at_now(store.clone());
        let (token, kiosk_id) = synced_kiosk(&sub.join("kiosk"), &server, BA_VI, 12);
        let catalog = Catalog::built_in();
        let q = catalog.latest("byt-ngoai-tru").unwrap();
        let path = link(&token, &kiosk_id, "byt-ngoai-tru", now());

        // Opening the link (a link previewer, a mail client, the patient) records nothing.
        let mut phone = Browser::new(&server);
        let start = phone.get(&path);
        assert_eq!(start.status, 200, "{}", start.body);
        assert!(start.body.contains("Bắt đầu trả lời"), "{}", start.body);
        assert!(start.body.contains("không ghi tên, số điện thoại hay địa chỉ IP"));
        assert!(!start.body.contains("<script"), "no script on the phone form");
        // A GET carrying answers stores nothing either.
        let sneaky = phone.get("/phone?A1=5&B1=5&screen=0&go=next");
        assert_eq!(sneaky.status, 410, "no session yet: {}", sneaky.body);
        assert!(phone_responses(store.as_ref()).is_empty());

        // The start button redeems the code into an answer session.
        let csrf = start.hidden("csrf");
        let redeemed = phone.post(&path, &[("csrf", &csrf)]);
        assert_eq!(redeemed.status, 303, "{}", redeemed.body);
        assert_eq!(redeemed.location(), "/phone");
        assert!(redeemed.cookie("hl_phone").is_some());
        assert!(
            phone_responses(store.as_ref()).is_empty(),
            "nothing stored before the last screen"
        );

        // A screen sent with a question left out is shown again, saying which.
        let first = phone.get("/phone");
        let csrf = first.hidden("csrf");
        let missing = phone.post("/phone", &[("csrf", &csrf), ("screen", "0"), ("go", "next")]);
        assert_eq!(missing.status, 400);
        assert!(
            missing.body.contains("Xin Ông/Bà trả lời các câu sau"),
            "{}",
            missing.body
        );

        let end = answer_all(&mut phone, q);
        assert_eq!(end.status, 200, "{}", end.body);
        assert!(end.body.contains("Xin cảm ơn Ông/Bà"), "{}", end.body);
        assert!(
            end.body.contains("/gop-y/"),
            "the end links to the feedback box: {}",
            end.body
        );

        // Stored once, under phone at the kiosk's point, chained and verified.
        let stored = phone_responses(store.as_ref());
        assert_eq!(stored.len(), 1);
        let r = &stored[0].response;
        assert_eq!(r.point.as_deref(), Some("Quầy tiếp đón"));
        assert_eq!(r.status, hailong::survey::Status::Complete);
        assert!(!r.repeat_device);
        assert_eq!(r.answers.len(), screens(q).iter().map(Vec::len).sum::<usize>());
        let report = count(&server, &[("facility", BA_VI), ("channel", "phone")]);
        assert_eq!(report["responses"], 1, "{report}");
        let verified = hailong::centre::verify::verify(store.as_ref(), TZ).unwrap();
        assert!(verified.findings.is_empty(), "{:?}", verified.findings);

        // Sending the last screen again (a double tap, a reload) counts nothing more.
        let again = phone.get("/phone");
        assert!(again.body.contains("Xin cảm ơn Ông/Bà"));
        assert_eq!(phone_responses(store.as_ref()).len(), 1);

        // The same code a second time, from another phone: refused, saying what to do.
        let mut other = Browser::new(&server);
        let start = other.get(&path);
        let reused = other.post(&path, &[("csrf", &start.hidden("csrf"))]);
        assert_eq!(reused.status, 409, "{}", reused.body);
        assert!(reused.body.contains("quét lại mã trên ki-ốt"), "{}", reused.body);

        // A code from five minutes ago: expired.
        let old = link(&token, &kiosk_id, "byt-ngoai-tru", now() - chrono::Duration::minutes(5));
        let expired = other.get(&old);
        assert_eq!(expired.status, 410, "{}", expired.body);
        assert!(expired.body.contains("hết hạn"));
        // A code signed with another key: not recognised.
        let forged = link("another token", &kiosk_id, "byt-ngoai-tru", now());
        assert_eq!(other.get(&forged).status, 404);

        // The same phone (its device cookie) answers again two days later from a new code:
        // kept, flagged, and left out of the rate.
        server.centre.clock.advance(chrono::Duration::days(2));
        let later = link(&token, &kiosk_id, "byt-ngoai-tru", now() + chrono::Duration::days(2));
        let start = phone.get(&later);
        let redeemed = phone.post(&later, &[("csrf", &start.hidden("csrf"))]);
        assert_eq!(redeemed.status, 303, "{}", redeemed.body);
        let end = answer_all(&mut phone, q);
        assert!(end.body.contains("Xin cảm ơn Ông/Bà"));
        let stored = phone_responses(store.as_ref());
        assert_eq!(stored.len(), 2);
        assert!(stored.iter().any(|s| s.response.repeat_device), "the second is flagged");
        let report = count(&server, &[("facility", BA_VI), ("channel", "phone")]);
        assert_eq!(report["responses"], 1, "the repeat is not counted: {report}");

        // A patient who stops after the first screen: kept as partial once the session runs out.
        let mut leaver = Browser::new(&server);
        let code = link(
            &token,
            &kiosk_id,
            "byt-ngoai-tru",
            now() + chrono::Duration::days(2) + chrono::Duration::seconds(30),
        );
        let start = leaver.get(&code);
        assert_eq!(leaver.post(&code, &[("csrf", &start.hidden("csrf"))]).status, 303);
        let first = leaver.get("/phone");
        let csrf = first.hidden("csrf");
        let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf), ("screen", "0"), ("go", "next")];
        let fields = &screens(q)[0];
        form.extend(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        assert_eq!(leaver.post("/phone", &form).status, 200);
        server.centre.clock.advance(chrono::Duration::minutes(31));
        let ctx = hailong::centre::phone::Ctx {
            store: store.as_ref(),
            phone: store.as_ref(),
            catalog: &catalog,
            tz: TZ,
        };
        // (The server's own sweep, every minute, may have stored it first: once either way.)
        let swept = hailong::centre::phone::store_abandoned(ctx, server.centre.now()).unwrap();
        assert!(swept <= 1);
        assert_eq!(
            hailong::centre::phone::store_abandoned(ctx, server.centre.now()).unwrap(),
            0
        );
        let stored = phone_responses(store.as_ref());
        let partial: Vec<_> = stored
            .iter()
            .filter(|s| s.response.status == hailong::survey::Status::Partial)
            .collect();
        assert_eq!(partial.len(), 1);
        assert_eq!(partial[0].response.answers.len(), fields.len());
        assert_eq!(leaver.get("/phone").status, 410, "the session is over");
        let verified = hailong::centre::verify::verify(store.as_ref(), TZ).unwrap();
        assert!(verified.findings.is_empty(), "{:?}", verified.findings);
    }
}

#[test]
fn a_low_rating_asks_why_on_its_own_screen_and_the_reasons_stay_with_the_score() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Backend> = server::backends(dir.path()).remove(0).1;
    let server = start_at_now(store.clone());
    let (token, kiosk_id) = synced_kiosk(&dir.path().join("kiosk"), &server, BA_VI, 3);
    let catalog = Catalog::built_in();
    let q = catalog.latest("byt-noi-tru").unwrap();
    let path = link(&token, &kiosk_id, "byt-noi-tru", now());
    let mut phone = Browser::new(&server);
    let start = phone.get(&path);
    assert_eq!(phone.post(&path, &[("csrf", &start.hidden("csrf"))]).status, 303);
    let mut all = screens(q);
    // The first screen with a scale item gets a 1 on it.
    let (at, low) = all
        .iter()
        .enumerate()
        .find_map(|(i, fields)| {
            fields
                .iter()
                .position(|(code, _)| q.item(code).is_some_and(|it| it.follow_up().is_some()))
                .map(|j| (i, j))
        })
        .unwrap();
    all[at][low].1 = "1".into();
    let low_code = all[at][low].0.clone();
    let mut page = phone.get("/phone");
    for (i, fields) in all.iter().enumerate() {
        let csrf = page.hidden("csrf");
        let screen = i.to_string();
        let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf), ("screen", &screen), ("go", "next")];
        form.extend(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        page = phone.post("/phone", &form);
        if i == at {
            assert!(page.body.contains("Vì sao Ông/Bà chưa hài lòng?"), "{}", page.body);
            let csrf = page.hidden("csrf");
            let why = format!("{low_code}.why");
            page = phone.post(
                "/phone",
                &[
                    ("csrf", &csrf),
                    ("screen", &screen),
                    ("step", "reasons"),
                    ("go", "next"),
                    (&why, "wait"),
                ],
            );
        }
    }
    assert!(page.body.contains("Xin cảm ơn Ông/Bà"), "{}", page.body);
    let stored = phone_responses(store.as_ref());
    assert_eq!(stored.len(), 1);
    let answers: &BTreeMap<String, hailong::survey::Answer> = &stored[0].response.answers;
    assert_eq!(answers[&low_code], hailong::survey::Answer::Scale(1));
    assert_eq!(
        answers[&format!("{low_code}.why")],
        hailong::survey::Answer::Reasons(vec!["wait".into()])
    );
}

/// Several `centre serve` behind a load balancer share one PostgreSQL: a code redeemed through
/// one is refused by the other.
#[test]
fn a_code_redeemed_through_one_centre_process_is_refused_by_another_on_the_same_postgres() {
    let Some(url) = server::postgres_url() else {
        return;
    };
    let schema = server::postgres_schema(&url);
    let open =
        || -> Arc<dyn Backend> { Arc::new(hailong::centre::postgres::PostgresCentre::open(&schema, TZ).unwrap()) };
    let one = start_at_now(open());
    let two = start_at_now(open());
    let dir = tempfile::tempdir().unwrap();
    let (token, kiosk_id) = synced_kiosk(dir.path(), &one, BA_VI, 3);
    let path = link(&token, &kiosk_id, "kiosk-nhanh", now());
    let mut a = Browser::new(&one);
    let start = a.get(&path);
    assert_eq!(a.post(&path, &[("csrf", &start.hidden("csrf"))]).status, 303);
    let mut b = Browser::new(&two);
    let start = b.get(&path);
    assert_eq!(start.status, 200, "the code itself is good: {}", start.body);
    let again = b.post(&path, &[("csrf", &start.hidden("csrf"))]);
    assert_eq!(again.status, 409, "{}", again.body);
    // The session opened through one goes on through the other.
    let mut moved = a.on(&two);
    assert_eq!(moved.get("/phone").status, 200);
}

/// The kiosk computes its code offline; with its clock a minute off, the centre still takes it.
#[test]
fn the_kiosks_phone_link_and_the_centre_agree_with_the_kiosks_clock_a_minute_off() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Backend> = server::backends(dir.path()).remove(0).1;
    let server = start_at_now(store);
    let (token, kiosk_id) = synced_kiosk(&dir.path().join("kiosk"), &server, BA_VI, 3);
    let data = dir.path().join("kiosk");
    std::fs::write(
        data.join("hailong.toml"),
        format!("[centre]\nurl = \"{}\"\ntoken = \"{token}\"\n", server.url()),
    )
    .unwrap();
    for off in [-60i64, 0, 60] {
        let at = now() + chrono::Duration::seconds(off);
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_hailong"))
            .args(["phone-link", "--data-dir"])
            .arg(&data)
            .args(["--form", "kiosk-nhanh", "--at", &at.to_rfc3339()])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let printed = String::from_utf8(out.stdout).unwrap();
        let printed = printed.trim();
        assert!(
            printed.starts_with(&format!("{}/p/{kiosk_id}/kiosk-nhanh/", server.url())),
            "{printed}"
        );
        assert_eq!(
            printed.strip_prefix(&server.url()).unwrap(),
            link(&token, &kiosk_id, "kiosk-nhanh", at)
        );
        let mut phone = Browser::new(&server);
        let start = phone.get(printed.strip_prefix(&server.url()).unwrap());
        assert_eq!(start.status, 200, "{off} s off: {}", start.body);
    }
}
