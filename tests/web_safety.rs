//! The centre's web face as a hospital must be able to put it online (issue 28): every route
//! refuses those it must, the login throttle slows a guesser without locking anyone out and
//! cannot fill the disk, a proxy's header is believed only from the proxy, and no input —
//! NUL, control characters, any bytes — gets a 5xx on either backend.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use hailong::centre::accounts::{Role, Unlock, throttle};
use hailong::centre::http::web::{Access, route_list};
use hailong::centre::{self, Backend, Centre, CentreStore, Clock};
use hailong::survey::{Catalog, ScoringOptions};

#[path = "support/server.rs"]
mod server;
use server::Server;

#[path = "support/web_data.rs"]
mod web_data;
use web_data::*;

/// The accounts of `centre_with_data`, plus a Mỹ Đức facility account.
fn add_my_duc(server: &Server) {
    add_user(server, "myduc", Role::Facility, Some(MY_DUC), None);
}

/// A logged-in browser and its session's CSRF token.
fn logged_in(server: &Server, name: &str) -> (Browser, String) {
    let mut b = Browser::new(server);
    assert_eq!(b.login(name, PASSWORD).status, 303, "{name} logs in");
    let csrf = b.get("/account/password").hidden("csrf");
    (b, csrf)
}

/// A feedback item at Ba Vì, by its receipt code.
fn an_item(server: &Server) -> String {
    use hailong::feedback::{Channel, Contact, Item, Kind, ReceiptCode, Submission};
    let submission = Submission {
        id: uuid::Uuid::now_v7(),
        code: ReceiptCode::new(),
        facility: BA_VI.into(),
        channel: Channel::Web,
        kind: Kind::Reflection,
        department: Some("Khoa Nhi".into()),
        text: "Phòng chờ thiếu ghế".into(),
        contact: Contact::default(),
        identity: None,
        received_at: Utc::now(),
        opening: None,
        due: None,
        forward_by: None,
    };
    let item = Item::received(submission, "web").unwrap();
    server.centre.feedback.add_item(&item, None).unwrap();
    item.submission.code.as_str().to_string()
}

/// `path` with its parameters filled with things the centre holds.
fn concrete(server: &Server, path: &str, code: &str) -> String {
    let kiosk = server
        .centre
        .store
        .kiosks()
        .unwrap()
        .into_iter()
        .find(|k| k.facility == BA_VI)
        .unwrap()
        .id;
    let user = server
        .centre
        .accounts
        .users()
        .unwrap()
        .into_iter()
        .find(|u| u.name == "bavi-nhi")
        .unwrap()
        .id;
    let id = if path.starts_with("/admin/users") {
        user.to_string()
    } else {
        kiosk
    };
    path.replace("{slug}", &hailong::text::slug(BA_VI))
        .replace("{code}", code)
        .replace("{id}", &id)
        .replace("{lang}", "en")
}

/// Accounts a route of this access must refuse (403, or 404 where even the thing's existence is
/// not confirmed), and one it must let through.
fn refused_and_allowed(access: Access) -> (&'static [&'static str], &'static str) {
    match access {
        Access::Public | Access::Session => (&[], "bavi"),
        Access::Admin => (&["so-y-te", "bavi", "bavi-nhi"], "quantri"),
        Access::FacilityReader => (&["myduc"], "bavi"),
        Access::WholeFacility => (&["myduc", "bavi-nhi"], "bavi"),
        Access::FacilityStaff => (&["myduc", "bavi-nhi", "so-y-te", "quantri"], "bavi"),
        Access::ReportEditor => (&["myduc", "bavi-nhi", "so-y-te"], "bavi"),
        Access::Item => (&["myduc"], "bavi"),
    }
}

#[test]
fn every_state_changing_route_refuses_a_missing_token_and_a_wrong_role() {
    on_every_backend(|_, server| {
        add_my_duc(&server);
        let code = an_item(&server);
        let routes = route_list();
        assert!(routes.iter().filter(|r| r.method == "POST").count() >= 14, "{routes:?}");
        for route in &routes {
            let path = concrete(&server, route.path, &code);
            if route.method != "POST" {
                // Every page but the public ones asks for a login first.
                if route.access != Access::Public {
                    let r = Browser::new(&server).get(&path);
                    assert_eq!(r.status, 303, "GET {path} without a session");
                    assert!(r.location().starts_with("/login"), "GET {path}: {}", r.location());
                }
                continue;
            }
            let (refused, allowed) = refused_and_allowed(route.access);
            // No session: the public forms want their cookie's token, the rest a login.
            let r = Browser::new(&server).post(&path, &[("csrf", "x")]);
            if route.access == Access::Public {
                assert_eq!(r.status, 403, "POST {path} without the form's cookie");
            } else {
                assert_eq!(r.status, 303, "POST {path} without a session");
            }
            if route.access != Access::Public {
                // The right account without the session's token, or with another's.
                let (mut b, _) = logged_in(&server, allowed);
                for sent in [&[][..], &[("csrf", "0".repeat(64).as_str())][..]] {
                    let r = b.post(&path, sent);
                    assert_eq!(r.status, 403, "POST {path} as {allowed} with {sent:?}: {}", r.body);
                    assert!(r.body.contains("Biểu mẫu đã hết hạn"), "POST {path}: {}", r.body);
                }
            }
            // A wrong account, with its own valid token.
            for name in refused {
                let (mut b, csrf) = logged_in(&server, name);
                let r = b.post(&path, &[("csrf", &csrf)]);
                assert!(
                    r.status == 403 || r.status == 404,
                    "POST {path} as {name}: {} {}",
                    r.status,
                    r.body
                );
            }
        }
    });
}

/// A centre on `store` whose clock reads `at` (and moves only when the test moves it), with the
/// four accounts of the web tests.
fn centre_at(store: Arc<dyn Backend>, at: DateTime<Utc>) -> Server {
    let mut centre = Centre::new(store, Arc::new(Catalog::built_in()), ScoringOptions::default());
    centre.clock = Clock::fixed(at);
    let server = Server::start_centre(centre, centre::Timeouts::default());
    add_user(&server, "so-y-te", Role::Province, None, None);
    add_user(&server, "bavi", Role::Facility, Some(BA_VI), None);
    server
}

fn noon() -> DateTime<Utc> {
    "2026-11-16T05:00:00Z".parse().unwrap()
}

#[test]
fn a_guesser_waits_longer_each_time_and_cannot_lock_the_owner_out() {
    let dir = tempfile::tempdir().unwrap();
    for (name, store) in server::backends(dir.path()) {
        eprintln!("backend: {name}");
        let server = centre_at(store, noon());
        let mut guesser = Browser::from_address(&server, "127.0.0.2");
        for i in 1..=throttle::FREE_FAILURES + 1 {
            let r = guesser.login("bavi", "not the password");
            assert_eq!(r.status, 401, "try {i}");
            assert!(r.body.contains("Tên đăng nhập hoặc mật khẩu không đúng."), "try {i}");
        }
        // The sixth failure costs 30 s: even the right password waits.
        let r = guesser.login("bavi", PASSWORD);
        assert_eq!(r.status, 401);
        assert!(r.body.contains("thử lại sau 1 phút"), "{}", r.body);
        // The owner, at another address, is not held back.
        assert_eq!(Browser::new(&server).login("bavi", PASSWORD).status, 303);
        // After the wait, one more try; its failure costs twice as long.
        server.centre.clock.advance(chrono::Duration::seconds(31));
        assert!(guesser.login("bavi", "still not it").body.contains("không đúng"));
        server.centre.clock.advance(chrono::Duration::seconds(31));
        assert!(guesser.login("bavi", "again").body.contains("thử lại sau 1 phút"));
        server.centre.clock.advance(chrono::Duration::seconds(30));
        assert!(guesser.login("bavi", "again").body.contains("không đúng"));
        assert!(guesser.login("bavi", PASSWORD).body.contains("thử lại sau 2 phút"));
        // `centre user unlock bavi` lets it try at once.
        let n = server
            .centre
            .accounts
            .unlock(&Unlock::Account(throttle::account_key("bavi")))
            .unwrap();
        assert_eq!(n, 1);
        assert_eq!(guesser.login("bavi", PASSWORD).status, 303);
    }
}

#[test]
fn one_address_guessing_many_accounts_is_bounded_and_an_unlock_clears_it() {
    let dir = tempfile::tempdir().unwrap();
    for (name, store) in server::backends(dir.path()) {
        eprintln!("backend: {name}");
        let server = centre_at(store, noon());
        let mut guesser = Browser::from_address(&server, "127.0.0.3");
        for i in 0..throttle::ADDRESS_FAILURES {
            assert_eq!(guesser.login(&format!("user{i}"), "x").status, 401);
        }
        let r = guesser.login("so-y-te", PASSWORD);
        assert!(r.body.contains("thử lại sau 15 phút"), "{}", r.body);
        // Another address is not.
        assert_eq!(
            Browser::from_address(&server, "127.0.0.4")
                .login("so-y-te", PASSWORD)
                .status,
            303
        );
        server
            .centre
            .accounts
            .unlock(&Unlock::Address(throttle::address_key("127.0.0.3")))
            .unwrap();
        assert_eq!(guesser.login("so-y-te", PASSWORD).status, 303);
    }
}

#[test]
fn three_thousand_anonymous_failed_logins_leave_at_most_a_few_rows() {
    let dir = tempfile::tempdir().unwrap();
    for (name, store) in server::backends(dir.path()) {
        eprintln!("backend: {name}");
        let server = centre_at(store, noon());
        let mut b = Browser::from_address(&server, "127.0.0.5");
        let page = b.get("/login");
        let csrf = page.hidden("csrf");
        let huge = "x".repeat(16 * 1024 - 200);
        for i in 0..3000 {
            // Names no account can have (16 KiB), then plausible names until the address waits.
            let name = if i % 2 == 0 { huge.clone() } else { format!("user{i}") };
            let r = b.post("/login", &[("csrf", &csrf), ("name", &name), ("password", "x")]);
            assert_eq!(r.status, 401, "try {i}");
        }
        let rows = server.centre.accounts.throttle_rows().unwrap();
        eprintln!("{name}: {rows} throttle rows after 3,000 failed logins");
        assert!(rows <= u64::from(throttle::ADDRESS_FAILURES) + 1, "{rows} rows");
    }
}

#[test]
fn a_wrong_current_password_counts_like_a_failed_login() {
    let dir = tempfile::tempdir().unwrap();
    let (_, store) = server::backends(dir.path()).remove(0);
    let server = centre_at(store, noon());
    let (mut b, csrf) = logged_in(&server, "bavi");
    let change = |b: &mut Browser, current: &str| {
        b.post(
            "/account/password",
            &[
                ("csrf", &csrf),
                ("current", current),
                ("new", "một mật khẩu mới đủ dài"),
                ("again", "một mật khẩu mới đủ dài"),
            ],
        )
    };
    for i in 0..12 {
        let r = change(&mut b, "wrong");
        assert!(r.status == 400 || r.status == 429, "try {i}: {}", r.status);
    }
    let r = change(&mut b, PASSWORD);
    assert_eq!(
        r.status, 429,
        "the right password after 12 wrong ones waits: {}",
        r.body
    );
    assert!(r.body.contains("thử lại sau"));
}

#[test]
fn a_forwarded_address_is_believed_only_from_a_trusted_proxy() {
    let dir = tempfile::tempdir().unwrap();
    let (_, store) = server::backends(dir.path()).remove(0);
    let mut centre = Centre::new(store, Arc::new(Catalog::built_in()), ScoringOptions::default());
    centre.clock = Clock::fixed(noon());
    centre.web.trust_forwarded_for = true;
    centre.web.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    let server = Server::start_centre(centre, centre::Timeouts::default());
    add_user(&server, "bavi", Role::Facility, Some(BA_VI), None);
    let fail = |from: &str, forwarded: &str| {
        let mut b = Browser::from_address(&server, from);
        let csrf = b.get("/login").hidden("csrf");
        let req = reqwest::Client::builder()
            .local_address(from.parse::<std::net::IpAddr>().unwrap())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .post(format!("{}/login", server.url()))
            .header("x-forwarded-for", forwarded)
            .form(&[("csrf", csrf.as_str()), ("name", "bavi"), ("password", "wrong")]);
        b.send(req)
    };
    // A direct client inventing a new address per request is counted as itself.
    for i in 0..=throttle::FREE_FAILURES {
        fail("127.0.0.6", &format!("10.9.9.{i}"));
    }
    assert!(fail("127.0.0.6", "10.9.9.200").body.contains("thử lại sau"));
    // Behind the trusted proxy, each client is its own.
    for i in 0..=throttle::FREE_FAILURES {
        fail("127.0.0.1", "10.0.0.1");
        assert!(fail("127.0.0.1", &format!("10.0.1.{i}")).body.contains("không đúng"));
    }
    assert!(fail("127.0.0.1", "10.0.0.1").body.contains("thử lại sau"));
    assert!(fail("127.0.0.1", "10.0.0.2").body.contains("không đúng"));
}

/// Field names the pages' forms use, for posting random values into every one of them.
const FIELDS: &[&str] = &[
    "name",
    "password",
    "next",
    "current",
    "new",
    "again",
    "facility",
    "role",
    "department",
    "leader",
    "period",
    "actions",
    "action",
    "seq",
    "kind",
    "urgent",
    "assignee",
    "due",
    "text",
    "confirm",
    "channel",
    "received_on",
    "opening",
    "identity",
    "phone",
    "email",
    "consent",
    "response",
    "opened_on",
    "box",
    "attendees",
    "letters",
];

#[test]
fn no_input_to_any_form_or_page_gets_a_server_error_on_either_backend() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};
    on_every_backend(|_, server| {
        let code = an_item(&server);
        let (mut staff, csrf) = logged_in(&server, "bavi");
        let (mut admin, admin_csrf) = logged_in(&server, "quantri");
        let value = prop_oneof![
            Just("\0".to_string()),
            Just("a\0b".to_string()),
            Just("%00".to_string()),
            Just("\u{7f}\u{1b}[31m".to_string()),
            Just("2026-13-45".to_string()),
            Just("-1".to_string()),
            Just("9".repeat(40)),
            "\\PC{0,40}",
            any::<Vec<u8>>().prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        ];
        let form = proptest::collection::vec((proptest::sample::select(FIELDS), value.clone()), 0..6);
        let mut runner = TestRunner::new(Config {
            cases: 24,
            failure_persistence: None,
            ..Config::default()
        });
        // Not logging out: the later routes would only see the login page.
        for route in route_list().into_iter().filter(|r| r.path != "/logout") {
            let path = concrete(&server, route.path, &code);
            let (b, token) = if route.access == Access::Admin {
                (&mut admin, &admin_csrf)
            } else {
                (&mut staff, &csrf)
            };
            let b = std::cell::RefCell::new(b);
            runner
                .run(&(form.clone(), value.clone()), |(fields, query)| {
                    let mut b = b.borrow_mut();
                    let r = if route.method == "POST" {
                        // A public form's token comes with the form, in its cookie.
                        let token = if route.access == Access::Public {
                            b.get(&path).hidden("csrf")
                        } else {
                            token.to_string()
                        };
                        let mut sent: Vec<(&str, &str)> = vec![("csrf", token.as_str())];
                        sent.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
                        b.post(&path, &sent)
                    } else {
                        let q: String = form_urlencoded::Serializer::new(String::new())
                            .append_pair("period", &query)
                            .append_pair("show", &query)
                            .append_pair("code", &query)
                            .finish();
                        b.get(&format!("{path}?{q}"))
                    };
                    prop_assert!(r.status < 500, "{} {path}: {} {}", route.method, r.status, r.body);
                    Ok(())
                })
                .unwrap();
        }
        // NUL in the path and in the query, logged in or not.
        for path in [
            "/facility/%00",
            "/facility/trung-tam-y-te-huyen-ba-vi?period=%00",
            "/public/ba%00vi",
            "/gop-y/%00",
            "/theo-doi?code=%00",
            "/feedback/item/%00",
            "/login?next=%00",
        ] {
            assert_eq!(staff.get(path).status, 400, "{path}");
            assert_eq!(Browser::new(&server).get(path).status, 400, "{path}");
        }
    });
}

#[test]
fn a_name_typed_without_diacritics_cannot_take_over_a_facility() {
    on_every_backend(|_, server| {
        let typo = "Trung tam Y te huyen Ba Vi";
        let refused = server
            .centre
            .store
            .add_kiosk(typo, "Quầy 2", "hash-of-a-token")
            .unwrap_err();
        match refused {
            hailong::centre::store::Error::FacilityTaken { existing, slug, .. } => {
                assert_eq!(
                    (existing.as_str(), slug.as_str()),
                    (BA_VI, "trung-tam-y-te-huyen-ba-vi")
                );
            }
            e => panic!("{e:?}"),
        }
        // From the admin page too, in words, naming the facility it would have taken over.
        let (mut admin, csrf) = logged_in(&server, "quantri");
        let r = admin.post(
            "/admin/kiosks",
            &[("csrf", &csrf), ("facility", typo), ("name", "Quầy 2")],
        );
        assert_eq!(r.status, 400);
        assert!(
            r.body.contains("có cùng địa chỉ trang") && r.body.contains(BA_VI),
            "{}",
            r.body
        );
        // And an account for the typo is refused the same way.
        let r = admin.post(
            "/admin/users",
            &[
                ("csrf", &csrf),
                ("name", "bavi2"),
                ("role", "facility"),
                ("facility", typo),
                ("password", PASSWORD),
            ],
        );
        assert_eq!(r.status, 400);
        assert!(r.body.contains(BA_VI), "{}", r.body);
        // The facility's staff still see their own pages; the public page is still theirs.
        let (mut staff, _) = logged_in(&server, "bavi");
        assert_eq!(staff.get("/facility/trung-tam-y-te-huyen-ba-vi").status, 200);
        assert!(
            Browser::new(&server)
                .get("/public/trung-tam-y-te-huyen-ba-vi")
                .body
                .contains(BA_VI)
        );
    });
}

#[test]
fn a_facility_is_renamed_and_merged_without_losing_history_and_verify_holds() {
    on_every_backend(|dir, server| {
        let station = "Trạm Y tế xã Tản Lĩnh";
        kiosk(&dir.join("tanlinh"), &server, station, 30, &["Khám"], 21, |_, _| {});
        add_user(&server, "tanlinh", Role::Facility, Some(station), None);
        let code = {
            use hailong::feedback::{Channel, Contact, Item, Kind, ReceiptCode, Submission};
            let item = Item::received(
                Submission {
                    id: uuid::Uuid::now_v7(),
                    code: ReceiptCode::new(),
                    facility: station.into(),
                    channel: Channel::Web,
                    kind: Kind::Suggestion,
                    department: None,
                    text: "Cần thêm ghế".into(),
                    contact: Contact::default(),
                    identity: None,
                    received_at: now(),
                    opening: None,
                    due: None,
                    forward_by: None,
                },
                "web",
            )
            .unwrap();
            server.centre.feedback.add_item(&item, None).unwrap();
            item.submission.code.as_str().to_string()
        };
        let before = api_report(&server, BA_VI, None)["responses"].as_u64().unwrap();

        // A rename: its address follows, its account and item go with it, logged.
        let renamed = "Trạm Y tế xã Tản Lĩnh (cơ sở 1)";
        server
            .centre
            .store
            .rename_facility(station, renamed, "cli:test", now())
            .unwrap();
        let (mut staff, _) = logged_in(&server, "tanlinh");
        assert_eq!(staff.get("/facility/tram-y-te-xa-tan-linh-co-so-1").status, 200);
        assert_eq!(staff.get("/facility/tram-y-te-xa-tan-linh").status, 404);
        let item = staff.get(&format!("/feedback/item/{code}"));
        assert_eq!(item.status, 200);
        assert!(
            item.body.contains("Chuyển sang cơ sở</th>"),
            "the move is in the item's log"
        );
        // Renaming it to another facility's address is refused.
        assert!(matches!(
            server
                .centre
                .store
                .rename_facility(renamed, "TRUNG TAM Y TE HUYEN BA VI", "cli:test", now()),
            Err(hailong::centre::store::Error::FacilityTaken { .. })
        ));

        // A merge into Ba Vì: kiosks, responses, figures, accounts and items become Ba Vì's.
        server
            .centre
            .store
            .merge_facility(renamed, BA_VI, "cli:test", now())
            .unwrap();
        let after = api_report(&server, BA_VI, None)["responses"].as_u64().unwrap();
        assert_eq!(after, before + 30, "the station's responses count for Ba Vì");
        assert!(
            server
                .centre
                .store
                .facility_list()
                .unwrap()
                .iter()
                .all(|f| f.name != renamed)
        );
        let (mut staff, _) = logged_in(&server, "tanlinh");
        assert_eq!(
            staff.get("/facility/trung-tam-y-te-huyen-ba-vi").status,
            200,
            "its account is Ba Vì's"
        );
        let (mut bavi, _) = logged_in(&server, "bavi");
        assert_eq!(
            bavi.get(&format!("/feedback/item/{code}")).status,
            200,
            "its item is Ba Vì's"
        );
        // Nothing was rewritten: every chain, tally, roll-up and item log still verifies.
        let mut verified = hailong::centre::verify::verify(server.centre.store.as_ref(), TZ).unwrap();
        hailong::centre::feedback::verify(server.centre.feedback.as_ref(), &mut verified).unwrap();
        assert!(verified.findings.is_empty(), "{:?}", verified.findings);
        assert_eq!(verified.feedback_items, 1);
        // Both changes are listed among the events.
        let events = server.centre.store.events().unwrap();
        assert!(
            events
                .iter()
                .any(|e| e.kind == "facility" && e.detail.contains("renamed"))
        );
        assert!(
            events
                .iter()
                .any(|e| e.kind == "facility" && e.detail.contains("merged into"))
        );
    });
}

#[test]
fn a_database_holding_a_typo_twin_upgrades_with_the_real_facility_keeping_its_address() {
    let typo = "Trung tam Y te huyen Ba Vi";
    let check = |store: Arc<dyn Backend>| {
        assert_eq!(
            store.facility_by_slug("trung-tam-y-te-huyen-ba-vi").unwrap().as_deref(),
            Some(BA_VI),
            "the first facility keeps its address"
        );
        let twin = store
            .facility_list()
            .unwrap()
            .into_iter()
            .find(|f| f.name == typo)
            .unwrap();
        assert!(twin.slug.starts_with("trung-tam-y-te-huyen-ba-vi-"), "{}", twin.slug);
    };
    // An older database: slugs not stored yet, the typo's facility made after the real one.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite3");
    hailong::centre::sqlite::SqliteCentre::open(&path, TZ)
        .unwrap()
        .add_kiosk(BA_VI, "Quầy 1", "h1")
        .unwrap();
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(&format!(
            "DROP INDEX facilities_by_slug; UPDATE facilities SET slug = NULL; \
             INSERT INTO facilities (name, created_at) VALUES ('{typo}', '2026-11-01T00:00:00Z'); PRAGMA user_version = 10;"
        ))
        .unwrap();
    check(Arc::new(
        hailong::centre::sqlite::SqliteCentre::open(&path, TZ).unwrap(),
    ));
    if let Some(url) = server::postgres_url() {
        let scoped = server::postgres_schema(&url);
        hailong::centre::postgres::PostgresCentre::open(&scoped, TZ)
            .unwrap()
            .add_kiosk(BA_VI, "Quầy 1", "h1")
            .unwrap();
        server::postgres_execute(
            &scoped,
            &format!(
                "DROP INDEX facilities_by_slug; UPDATE facilities SET slug = NULL; \
                 INSERT INTO facilities (name) VALUES ('{typo}'); UPDATE hailong_schema SET version = 11;"
            ),
        );
        check(Arc::new(
            hailong::centre::postgres::PostgresCentre::open(&scoped, TZ).unwrap(),
        ));
    }
}
