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
    responses_of(store, Channel::Phone)
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
        // Staff see it: the facility's export marks it.
        add_user(
            &server,
            "bavi",
            hailong::centre::accounts::Role::Facility,
            Some(BA_VI),
            None,
        );
        let mut staff = Browser::new(&server);
        staff.login("bavi", PASSWORD);
        let (status, _, bytes) = staff.bytes("/facility/trung-tam-y-te-huyen-ba-vi/export.csv?channel=phone");
        assert_eq!(status, 200);
        let mut csv = csv::Reader::from_reader(bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&bytes));
        let column = csv
            .headers()
            .unwrap()
            .iter()
            .position(|h| h == "Cùng điện thoại trong 7 ngày (không tính)")
            .expect("the repeat-device column");
        let marks: Vec<String> = csv.records().map(|r| r.unwrap()[column].to_string()).collect();
        assert_eq!(marks.iter().filter(|m| *m == "1").count(), 1, "{marks:?}");
        assert_eq!(marks.len(), 2);

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

/// Runs `hailong --data-dir <dir> centre --database <database> <args>`; its output.
fn centre_cli(dir: &std::path::Path, database: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_hailong"))
        .arg("--data-dir")
        .arg(dir)
        .args(["centre", "--database", database])
        .args(args)
        .output()
        .unwrap()
}

/// The codes a printed page carries (`data-code` of each ticket or poster).
fn printed_codes(html: &str) -> Vec<String> {
    html.split("data-code=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_string())
        .collect()
}

/// The responses of `channel`.
fn responses_of(store: &dyn Backend, channel: Channel) -> Vec<hailong::store::StoredResponse> {
    let mut out = Vec::new();
    store
        .for_each_response(&hailong::centre::Scope::default(), &mut |r| out.push(r))
        .unwrap();
    out.retain(|r| r.response.channel == Some(channel));
    out
}

/// Answers `q` on a new phone from the poster with `code`, to its thanks.
fn answer_poster(server: &Server, code: &str, q: &Questionnaire) {
    let mut phone = Browser::new(server);
    let path = format!("/q/{code}");
    let start = phone.get(&path);
    assert_eq!(start.status, 200, "{}", start.body);
    assert_eq!(phone.post(&path, &[("csrf", &start.hidden("csrf"))]).status, 303);
    assert!(answer_all(&mut phone, q).body.contains("Xin cảm ơn Ông/Bà"));
}

/// Issue 27 §3.2–3.3: `centre codes issue` prints single-use tickets (a sheet of A4 pages, QR
/// and typed code); each opens one response, counted as `ticket` at its point. A poster's
/// standing code opens as many as come, counted as `poster`, until it is replaced.
#[test]
fn a_printed_ticket_opens_one_response_and_a_poster_counts_apart_until_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let mut databases = vec![("sqlite", dir.path().join("centre.sqlite3").display().to_string())];
    if let Some(url) = server::postgres_url() {
        databases.push(("postgres", server::postgres_schema(&url)));
    }
    for (name, database) in databases {
        eprintln!("backend: {name}");
        let store: Arc<dyn Backend> = match name {
            "sqlite" => {
                Arc::new(hailong::centre::sqlite::SqliteCentre::open(std::path::Path::new(&database), TZ).unwrap())
            }
            _ => Arc::new(hailong::centre::postgres::PostgresCentre::open(&database, TZ).unwrap()),
        };
        let server = start_at_now(store.clone());
        server.enrol(BA_VI);
        let sub = dir.path().join(name);
        std::fs::create_dir_all(&sub).unwrap();
        let catalog = Catalog::built_in();

        // Thirteen tickets for the ward's discharge papers: two A4 pages.
        let sheet = sub.join("phieu.html");
        let out = centre_cli(
            &sub,
            &database,
            &[
                "codes",
                "issue",
                "--facility",
                BA_VI,
                "--point",
                "Khoa Nội",
                "--count",
                "13",
                "--valid-days",
                "3",
                "--form",
                "byt-noi-tru",
                "--url",
                "https://ttyt.example.vn",
                "--output",
                sheet.to_str().unwrap(),
            ],
        );
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).contains("13 mã phiếu (2 trang A4)"));
        let html = std::fs::read_to_string(&sheet).unwrap();
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&sheet).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "single-use codes are kept private");
        }
        let codes = printed_codes(&html);
        assert_eq!(codes.len(), 13);
        assert_eq!(html.matches("<section class=\"page\"").count(), 2);
        assert!(
            html.contains("https://ttyt.example.vn/t"),
            "the address to type a code at"
        );
        assert!(html.contains(&hailong::phone::paper_shown(&codes[0])), "the code typed");
        assert_eq!(html.matches("<svg").count(), 13, "a QR code each");

        // A facility the centre does not know is refused, naming the close one.
        let out = centre_cli(
            &sub,
            &database,
            &[
                "codes",
                "issue",
                "--facility",
                "Trung tâm Y tế huyện Ba Vi",
                "--point",
                "Khoa Nội",
                "--count",
                "1",
                "--url",
                "https://ttyt.example.vn",
                "--output",
                sub.join("x.html").to_str().unwrap(),
            ],
        );
        assert!(!out.status.success());
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(BA_VI),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!sub.join("x.html").exists());

        // The code typed by hand, as a patient would: it goes on to the ticket.
        let mut phone = Browser::new(&server);
        let shown = hailong::phone::paper_shown(&codes[0]).to_lowercase();
        let typed = phone.get(&format!("/t?code={}", shown.replace('-', "+")));
        assert_eq!(typed.status, 303, "{}", typed.body);
        let path = format!("/t/{}", codes[0]);
        assert_eq!(typed.location(), path);
        let start = phone.get(&path);
        assert_eq!(start.status, 200, "{}", start.body);
        assert!(start.body.contains("Mỗi phiếu dùng được một lần"));
        assert!(
            responses_of(store.as_ref(), Channel::Ticket).is_empty(),
            "nothing on a GET"
        );
        let redeemed = phone.post(&path, &[("csrf", &start.hidden("csrf"))]);
        assert_eq!(redeemed.status, 303, "{}", redeemed.body);
        let end = answer_all(&mut phone, catalog.latest("byt-noi-tru").unwrap());
        assert!(end.body.contains("Xin cảm ơn Ông/Bà"), "{}", end.body);
        let tickets = responses_of(store.as_ref(), Channel::Ticket);
        assert_eq!(tickets.len(), 1);
        assert_eq!(tickets[0].response.point.as_deref(), Some("Khoa Nội"));
        assert_eq!(tickets[0].response.questionnaire_id, "byt-noi-tru");

        // The same ticket again, from another phone: refused, saying what to do.
        let mut other = Browser::new(&server);
        let again = other.get(&path);
        assert_eq!(again.status, 409, "{}", again.body);
        assert!(again.body.contains("Phiếu này đã được dùng"));
        // A code nobody issued, and one that cannot be a code.
        let unknown = other.get("/t/ZZZZZZZZ");
        assert_eq!(unknown.status, 404);
        assert!(unknown.body.contains("Không tìm thấy mã phiếu"));
        assert!(unknown.body.contains("name=\"code\""), "a box to type it again");
        assert_eq!(other.get("/t?code=abc").status, 400);
        // A ticket past its day.
        let old = hailong::phone::paper_code();
        store
            .add_tickets(&hailong::centre::phone::NewTickets {
                facility: BA_VI,
                point: "Khoa Nội",
                questionnaire_id: "byt-noi-tru",
                hashes: &[hailong::centre::phone::printed_hash(&old)],
                issued_at: now() - chrono::Duration::days(40),
                valid_until: now() - chrono::Duration::days(10),
            })
            .unwrap();
        let expired = other.get(&format!("/t/{old}"));
        assert_eq!(expired.status, 410, "{}", expired.body);
        // A ticket's code is not a poster's.
        assert_eq!(other.get(&format!("/q/{}", codes[1])).status, 404);

        // The waiting room's poster: the same code each time it is printed.
        let poster_at = sub.join("ap-phich.html");
        let poster = |replace: bool| {
            let mut args = vec![
                "codes",
                "poster",
                "--facility",
                BA_VI,
                "--point",
                "Sảnh chờ",
                "--url",
                "https://ttyt.example.vn",
                "--output",
                poster_at.to_str().unwrap(),
            ];
            if replace {
                args.push("--replace");
            }
            let out = centre_cli(&sub, &database, &args);
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            let codes = printed_codes(&std::fs::read_to_string(&poster_at).unwrap());
            assert_eq!(codes.len(), 1);
            codes[0].clone()
        };
        let code = poster(false);
        assert_eq!(poster(false), code, "a poster prints again with its code");
        let page = std::fs::read_to_string(&poster_at).unwrap();
        assert!(page.contains(&format!("https://ttyt.example.vn/q/{code}")));
        let q = catalog.latest("byt-ngoai-tru").unwrap();
        for _ in 0..2 {
            answer_poster(&server, &code, q);
        }
        let posters = responses_of(store.as_ref(), Channel::Poster);
        assert_eq!(posters.len(), 2, "a poster stands: each phone answers");
        assert!(posters.iter().all(|r| r.response.point.as_deref() == Some("Sảnh chờ")));
        // Counted apart, each under its own channel.
        let report = count(&server, &[("facility", BA_VI), ("channel", "poster")]);
        assert_eq!(report["responses"], 2, "{report}");
        let report = count(&server, &[("facility", BA_VI), ("channel", "ticket")]);
        assert_eq!(report["responses"], 1, "{report}");

        // Replaced: the old posters stop working, the new one works.
        let new = poster(true);
        assert_ne!(new, code);
        let mut phone = Browser::new(&server);
        let retired = phone.get(&format!("/q/{code}"));
        assert_eq!(retired.status, 410, "{}", retired.body);
        assert!(retired.body.contains("đã được thay"));
        assert_eq!(phone.get(&format!("/q/{new}")).status, 200);

        // A facility entered twice (a typo) with its own poster at the same point merges into
        // the real one: its answers stay, its poster is set aside, every chain still verifies.
        let typo = "TTYT Ba Vì";
        server.enrol(typo);
        let typo_code = store
            .poster(
                typo,
                "Sảnh chờ",
                "byt-ngoai-tru",
                &hailong::phone::paper_code(),
                false,
                now(),
            )
            .unwrap();
        answer_poster(&server, &typo_code, q);
        store.merge_facility(typo, BA_VI, "test", now()).unwrap();
        let posters = responses_of(store.as_ref(), Channel::Poster);
        assert_eq!(posters.len(), 3, "the typo's answer is kept");
        assert_eq!(
            Browser::new(&server).get(&format!("/q/{typo_code}")).status,
            410,
            "its poster is set aside"
        );
        answer_poster(&server, &new, q);
        assert_eq!(responses_of(store.as_ref(), Channel::Poster).len(), 4);

        let verified = hailong::centre::verify::verify(store.as_ref(), TZ).unwrap();
        assert!(verified.findings.is_empty(), "{:?}", verified.findings);
    }
}

/// Issue 27 §3.5: a dozen answers from one poster in one minute are all kept and counted, and
/// the facility page lists the burst for staff to review.
#[test]
fn a_burst_from_one_point_is_counted_and_shown_for_review_not_blocked() {
    let dir = tempfile::tempdir().unwrap();
    for (name, store) in server::backends(dir.path()) {
        eprintln!("backend: {name}");
        let server = start_at_now(store.clone());
        server.enrol(BA_VI);
        add_user(
            &server,
            "bavi",
            hailong::centre::accounts::Role::Facility,
            Some(BA_VI),
            None,
        );
        let code = store
            .poster(
                BA_VI,
                "Sảnh chờ",
                "kiosk-nhanh",
                &hailong::phone::paper_code(),
                false,
                now(),
            )
            .unwrap();
        let q = Catalog::built_in().latest("kiosk-nhanh").unwrap().clone();
        let mut staff = Browser::new(&server);
        staff.login("bavi", PASSWORD);
        let before = staff.get("/facility/trung-tam-y-te-huyen-ba-vi");
        assert!(!before.body.contains("Đợt trả lời dồn dập"));
        for _ in 0..12 {
            answer_poster(&server, &code, &q);
        }
        let report = count(&server, &[("facility", BA_VI), ("channel", "poster")]);
        assert_eq!(report["responses"], 12, "never blocked: {report}");
        let page = staff.get("/facility/trung-tam-y-te-huyen-ba-vi");
        assert_eq!(page.status, 200);
        let section = page.body.split("id=\"bursts\"").nth(1).expect("the bursts to review");
        assert!(section.contains("Sảnh chờ"), "{section}");
        assert!(section.contains("Hơn 10 phiếu trong một phút"), "{section}");
        assert!(section.contains(">12<"), "{section}");
    }
}

#[path = "support/process.rs"]
#[allow(dead_code)]
mod process;

/// A phone talking to a centre at `base` by hand (cookies kept here), so it outlives the centre
/// process it started with.
struct Phone {
    http: reqwest::Client,
    base: String,
    cookies: String,
    csrf: String,
}

impl Phone {
    /// Opens `path` (a code's start page), taps the start button: a phone with its session.
    async fn open(base: &str, path: &str) -> Phone {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let start = http.get(format!("{base}{path}")).send().await.unwrap();
        let set = |reply: &reqwest::Response, name: &str| {
            reply.headers().get_all("set-cookie").iter().find_map(|v| {
                let v = v.to_str().ok()?;
                let pair = v.split(';').next()?;
                pair.starts_with(&format!("{name}=")).then(|| pair.to_string())
            })
        };
        let form = set(&start, "hl_pform").unwrap();
        let csrf = form.split_once('=').unwrap().1.to_string();
        let mut cookies = form;
        if let Some(device) = set(&start, "hl_device") {
            cookies = format!("{cookies}; {device}");
        }
        let redeemed = http
            .post(format!("{base}{path}"))
            .header("cookie", &cookies)
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(redeemed.status(), 303);
        let session = set(&redeemed, "hl_phone").unwrap();
        Phone {
            http,
            base: base.to_string(),
            cookies: format!("{cookies}; {session}"),
            csrf,
        }
    }

    /// Sends screen `at` with `fields`: the reply's status and text, or the connection's error.
    async fn send(&self, at: usize, fields: &[(String, String)]) -> Result<(u16, String), reqwest::Error> {
        let mut form: Vec<(String, String)> = vec![
            ("csrf".into(), self.csrf.clone()),
            ("screen".into(), at.to_string()),
            ("go".into(), "next".into()),
        ];
        form.extend(fields.iter().cloned());
        let reply = self
            .http
            .post(format!("{}/phone", self.base))
            .header("cookie", &self.cookies)
            .form(&form)
            .send()
            .await?;
        let status = reply.status().as_u16();
        Ok((status, reply.text().await?))
    }
}

/// Issue 27 §4, on both backends: `kill -9` of the centre while phones send their last screen. Every answer the
/// centre acknowledged is kept, and none counts twice: each phone that sends its last screen
/// again after the restart (a patient reloading) is thanked, and stored once.
#[test]
fn killing_the_centre_during_phone_submissions_loses_and_doubles_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut databases = vec![("sqlite", dir.path().join("centre.sqlite3").display().to_string())];
    if let Some(url) = server::postgres_url() {
        databases.push(("postgres", server::postgres_schema(&url)));
    }
    for (name, database) in databases {
        eprintln!("backend: {name}");
        kill_during_submissions(&dir.path().join(name), &database);
    }
}

/// `hailong centre serve` on `database`, once it takes connections.
fn serve_on(data: &std::path::Path, database: &str, port: u16) -> std::process::Child {
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_hailong"))
        .arg("--data-dir")
        .arg(data)
        .args([
            "centre",
            "--database",
            database,
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(std::time::Instant::now() < deadline, "the centre did not start");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child
}

fn kill_during_submissions(data: &std::path::Path, database: &str) {
    let data = data.to_path_buf();
    std::fs::create_dir_all(&data).unwrap();
    let database = database.to_string();
    let out = centre_cli(
        &data,
        &database,
        &["kiosk", "add", "--facility", BA_VI, "--name", "Quầy 1"],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = centre_cli(
        &data,
        &database,
        &[
            "codes",
            "poster",
            "--facility",
            BA_VI,
            "--point",
            "Sảnh chờ",
            "--form",
            "kiosk-nhanh",
            "--url",
            "https://ttyt.example.vn",
            "--output",
            data.join("poster.html").to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let code = printed_codes(&std::fs::read_to_string(data.join("poster.html")).unwrap()).remove(0);
    let q = Catalog::built_in().latest("kiosk-nhanh").unwrap().clone();
    let all = screens(&q);
    let last = all.len() - 1;
    let port = process::free_port();
    let base = format!("http://127.0.0.1:{port}");
    let runtime = rt();
    let (mut phones, mut acknowledged) = (0usize, 0usize);
    for round in 0..4u64 {
        let mut centre = serve_on(&data, &database, port);
        // Ten phones answer every screen but the last…
        let ready: Vec<Phone> = runtime.block_on(async {
            let mut ready = Vec::new();
            for _ in 0..10 {
                let phone = Phone::open(&base, &format!("/q/{code}")).await;
                for (at, fields) in all[..last].iter().enumerate() {
                    assert_eq!(phone.send(at, fields).await.unwrap().0, 200);
                }
                ready.push(phone);
            }
            ready
        });
        phones += ready.len();
        // …then all send it at once, and the centre is killed among them.
        let ready = Arc::new(ready);
        let sends: Vec<_> = (0..ready.len())
            .map(|i| {
                let (ready, fields) = (ready.clone(), all[last].clone());
                runtime.spawn(async move { ready[i].send(last, &fields).await })
            })
            .collect();
        std::thread::sleep(std::time::Duration::from_millis(2 + 4 * round));
        centre.kill().unwrap(); // SIGKILL
        centre.wait().unwrap();
        for s in sends {
            if let Ok((200, text)) = runtime.block_on(s).unwrap() {
                assert!(text.contains("Xin cảm ơn"), "{text}");
                acknowledged += 1;
            }
        }
        // Back up: each phone sends its last screen again, and is thanked.
        let mut centre = serve_on(&data, &database, port);
        runtime.block_on(async {
            for phone in ready.iter() {
                let (status, text) = phone.send(last, &all[last]).await.unwrap();
                assert_eq!(status, 200, "{text}");
                assert!(text.contains("Xin cảm ơn"), "{text}");
            }
        });
        centre.kill().unwrap();
        centre.wait().unwrap();
    }
    eprintln!("{phones} phones, {acknowledged} thanked before the kill");
    let store: Arc<dyn Backend> = if database.starts_with("postgres") {
        Arc::new(hailong::centre::postgres::PostgresCentre::open(&database, TZ).unwrap())
    } else {
        Arc::new(hailong::centre::sqlite::SqliteCentre::open(std::path::Path::new(&database), TZ).unwrap())
    };
    let posters = responses_of(store.as_ref(), Channel::Poster);
    let ids: std::collections::BTreeSet<_> = posters.iter().map(|r| r.response.id).collect();
    assert_eq!(posters.len(), phones, "each phone's answer once: none lost, none twice");
    assert_eq!(ids.len(), phones);
    assert!(
        posters
            .iter()
            .all(|r| r.response.status == hailong::survey::Status::Complete)
    );
    let verified = hailong::centre::verify::verify(store.as_ref(), TZ).unwrap();
    assert!(verified.findings.is_empty(), "{:?}", verified.findings);
}
