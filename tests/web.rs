//! The centre's web pages over real HTTP on 127.0.0.1, on both backends: logging in, who sees
//! what, CSRF, the login throttle, sessions shared by two centre processes, escaping, and the
//! public page's small-number rules.

use std::sync::Arc;

use hailong::centre::Backend;
use hailong::survey::Locale;

#[path = "support/server.rs"]
mod server;
use server::Server;

#[path = "support/web_data.rs"]
mod web_data;
use web_data::*;

#[test]
fn pages_need_a_login_and_refusals_do_not_say_whether_the_account_exists() {
    on_every_backend(|_, server| {
        let mut b = Browser::new(&server);
        for path in [
            "/",
            "/overview",
            "/facility/trung-tam-y-te-huyen-ba-vi",
            "/account/password",
        ] {
            let r = b.get(path);
            assert_eq!(r.status, 303, "{path}");
            assert!(r.location().starts_with("/login?next="), "{path}: {}", r.location());
        }
        let wrong = b.login("so-y-te", "not the password");
        let unknown = b.login("nobody", "not the password");
        assert_eq!((wrong.status, unknown.status), (401, 401));
        assert!(wrong.body.contains("Tên đăng nhập hoặc mật khẩu không đúng."));
        assert!(unknown.body.contains("Tên đăng nhập hoặc mật khẩu không đúng."));
        // A login form posted without its cookie (a cross-site forgery) is refused.
        let mut other = Browser::new(&server);
        let forged = other.post("/login", &[("csrf", "x"), ("name", "so-y-te"), ("password", PASSWORD)]);
        assert_eq!(forged.status, 403);
        assert!(other.cookies.iter().all(|(k, _)| k != "hl_session"));
    });
}

#[test]
fn a_session_cookie_is_private_and_logout_needs_the_forms_token() {
    on_every_backend(|_, server| {
        let mut b = Browser::new(&server);
        let r = b.login("so-y-te", PASSWORD);
        assert_eq!(r.status, 303, "{}", r.body);
        let line = r.cookie_line("hl_session");
        for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
            assert!(line.contains(attribute), "{line}");
        }
        assert_eq!(r.cookie("hl_session").unwrap().len(), 64);
        let page = b.get("/overview");
        assert_eq!(page.status, 200);
        assert_eq!(page.headers["content-type"], "text/html; charset=utf-8");
        assert!(page.headers["content-security-policy"].contains("default-src 'none'"));
        let refused = b.post("/logout", &[("csrf", "wrong")]);
        assert_eq!(refused.status, 403);
        assert_eq!(b.get("/overview").status, 200, "still logged in");
        let csrf = page.hidden("csrf");
        let out = b.post("/logout", &[("csrf", &csrf)]);
        assert_eq!((out.status, out.location()), (303, "/login"));
        // The old cookie no longer works even if a browser kept it.
        let mut replay = Browser::new(&server);
        replay
            .cookies
            .push(("hl_session".into(), r.cookie("hl_session").unwrap()));
        assert_eq!(replay.get("/overview").status, 303);
    });
}

#[test]
fn the_province_sees_every_facility_worst_first_with_the_apis_figures() {
    on_every_backend(|_, server| {
        let mut b = Browser::new(&server);
        b.login("so-y-te", PASSWORD);
        let page = b.get("/overview");
        assert_eq!(page.status, 200);
        for facility in [BA_VI, MY_DUC] {
            assert!(page.body.contains(facility), "{facility}");
            let rate = api_rate(&server, facility);
            assert!(page.body.contains(&rate), "{facility} {rate}");
        }
        // Worst first, and the verdict in words.
        let (a, m) = (api_rate(&server, BA_VI), api_rate(&server, MY_DUC));
        let (first, second) = if a <= m { (BA_VI, MY_DUC) } else { (MY_DUC, BA_VI) };
        let table = &page.body[page.body.find("<tbody>").unwrap()..];
        assert!(table.find(first).unwrap() < table.find(second).unwrap());
        assert!(
            [
                "Đạt mục tiêu",
                "Chưa đạt mục tiêu",
                "Chưa đủ câu trả lời để kết luận",
                "Sát mục tiêu"
            ]
            .iter()
            .any(|v| page.body.contains(v))
        );
        assert!(page.body.contains("Quý "), "the period is named");
        let facility = b.get("/facility/trung-tam-y-te-huyen-my-duc");
        std::fs::write("/tmp/facility.html", &facility.body).unwrap();
        assert_eq!(facility.status, 200);
        assert!(facility.body.contains("Khoa Nội") && facility.body.contains("Khoa Đông y"));
        assert!(facility.body.contains("Tình trạng ki-ốt"));
        // English on request.
        b.get("/lang/en");
        assert!(b.get("/overview").body.contains("Facilities overview"));
    });
}

#[test]
fn facility_and_department_accounts_see_only_their_own() {
    on_every_backend(|_, server| {
        let mut b = Browser::new(&server);
        b.login("bavi", PASSWORD);
        let home = b.get("/");
        assert_eq!(home.location(), "/facility/trung-tam-y-te-huyen-ba-vi");
        let own = b.get("/facility/trung-tam-y-te-huyen-ba-vi");
        assert_eq!(own.status, 200);
        assert!(own.body.contains("Khoa Nhi") && own.body.contains("Khoa Khám bệnh"));
        assert_eq!(b.get("/facility/trung-tam-y-te-huyen-my-duc").status, 403);
        let overview = b.get("/overview");
        assert_eq!(overview.status, 200);
        assert!(
            !overview.body.contains(MY_DUC),
            "a facility account's overview is its departments"
        );

        let mut d = Browser::new(&server);
        d.login("bavi-nhi", PASSWORD);
        let page = d.get("/facility/trung-tam-y-te-huyen-ba-vi");
        assert_eq!(page.status, 200);
        let departments =
            &page.body[page.body.find("Theo khoa/phòng").unwrap()..page.body.find("Theo phần A–E").unwrap()];
        assert!(departments.contains("Khoa Nhi"));
        assert!(!departments.contains("Khoa Khám bệnh"), "another department's figures");
        // Every block is the department's own and says so; the facility's rate is there only to
        // compare, labelled as such.
        let own = api_report(&server, BA_VI, Some("Khoa Nhi"));
        let whole = api_report(&server, BA_VI, None);
        let headline = &page.body[page.body.find("<dl class=\"headline\">").unwrap()..];
        let headline = &headline[..headline.find("</dl>").unwrap()];
        let pct = |r: &serde_json::Value| hailong::report::text::percent(Locale::Vi, r["satisfied_pct"].as_f64());
        let count = |r: &serde_json::Value| hailong::report::text::count(Locale::Vi, r["answers"].as_u64().unwrap());
        assert!(
            headline.contains(&pct(&own)) && headline.contains(&count(&own)),
            "{headline}"
        );
        assert!(!headline.contains(&count(&whole)), "{headline}");
        assert!(page.body.contains(&format!(
            "Để so sánh, toàn cơ sở: {} (n = {}",
            pct(&whole),
            count(&whole)
        )));
        for block in [
            "Theo phần A–E · Khoa Nhi",
            "câu có tỷ lệ hài lòng thấp nhất · Khoa Nhi",
            "Xu hướng theo tháng · Khoa Nhi",
        ] {
            assert!(page.body.contains(block), "{block}");
        }
        let sections = &page.body[page.body.find("Theo phần A–E").unwrap()..];
        let sections = &sections[..sections.find("</table>").unwrap()];
        for (code, f) in own["sections"].as_object().unwrap() {
            assert!(
                sections.contains(&hailong::report::text::count(
                    Locale::Vi,
                    f["answers"].as_u64().unwrap()
                )),
                "{code}"
            );
        }
        assert!(
            !page.body.contains("Tình trạng ki-ốt"),
            "kiosk health is the facility's"
        );
        assert_eq!(d.get("/facility/trung-tam-y-te-huyen-my-duc").status, 403);
        assert_eq!(d.get("/overview").location(), "/facility/trung-tam-y-te-huyen-ba-vi");
    });
}

/// Issue 23 §1: for one data set and one scope, the facility page, the report API, the
/// quarterly page, its Word file and the kiosk's staff dashboard give the same rate, n and
/// verdict, in the same words.
#[test]
fn every_surface_gives_the_same_rate_n_and_verdict_for_one_scope() {
    on_every_backend(|dir, server| {
        let calendar = hailong::report::period::Calendar::default();
        let quarter = hailong::report::period::Period::quarter_of(today(), calendar).label;
        let api = api_report(&server, BA_VI, None);
        let vi = Locale::Vi;
        let summary: hailong::survey::Summary = serde_json::from_value(api.clone()).unwrap();
        let rate = hailong::report::text::percent(vi, summary.satisfied_pct);
        let n = hailong::report::text::count(vi, summary.answers);
        let words = hailong::report::text::verdict_words(vi, summary.judgement());
        assert_eq!(
            api["verdict"],
            serde_json::to_value(summary.judgement().verdict).unwrap()
        );

        let mut b = Browser::new(&server);
        b.login("bavi", PASSWORD);
        let slug = "/facility/trung-tam-y-te-huyen-ba-vi";
        let page = b.get(&format!("{slug}?period={quarter}"));
        let headline = &page.body[page.body.find("<dl class=\"headline\">").unwrap()..];
        let headline = &headline[..headline.find("</dl>").unwrap()];
        for (what, v) in [("rate", &rate), ("n", &n), ("verdict", &words)] {
            assert!(headline.contains(v.as_str()), "facility page {what} {v}: {headline}");
        }
        let report = b.get(&format!("{slug}/report?period={quarter}"));
        let part2 = &report.body[report.body.find("II. KẾT QUẢ").unwrap()..];
        for (what, v) in [("rate", &rate), ("n", &n), ("verdict", &words)] {
            assert!(part2.contains(v.as_str()), "quarterly page {what} {v}");
        }
        let (status, _, bytes) = b.bytes(&format!("{slug}/report.docx?period={quarter}"));
        assert_eq!(status, 200);
        let json = docx_rs::read_docx(&bytes).expect("a Word document").json();
        for (what, v) in [("rate", &rate), ("n", &n), ("verdict", &words)] {
            assert!(json.contains(&format!("\"{v}\"")), "docx {what} {v}");
        }

        // The kiosk that sent these answers shows the same on its staff dashboard.
        let store = hailong::store::Store::open(&dir.join("bavi").join("hailong.sqlite3"), TZ).unwrap();
        let dash = hailong::kiosk::staff::dashboard::load(
            &store,
            hailong::kiosk::staff::dashboard::PeriodChoice::ThisQuarter,
            today(),
            &hailong::survey::ScoringOptions::default(),
            calendar,
        )
        .unwrap();
        let k = &dash.summary;
        assert_eq!(
            (k.satisfied, k.answers, k.verdict),
            (summary.satisfied, summary.answers, summary.verdict)
        );
        assert_eq!(hailong::report::text::verdict_words(vi, k.judgement()), words);
    });
}

/// Issue 23 §2: the quarterly `.docx`, converted to PDF by LibreOffice as a centre would
/// print it: A4 portrait, a few pages, every table column wide enough that a question reads
/// along a line (it took one word per line with no grid), counts with thousands grouped, forms
/// named in words, and the configured Sở, place and signer in the letterhead and signature.
#[test]
fn the_quarterly_word_file_prints_on_a4_with_its_columns_and_letterhead() {
    let Some(soffice) = ["/usr/bin/soffice", "/usr/bin/libreoffice"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
    else {
        assert!(
            std::env::var("HAILONG_REQUIRE_LIBREOFFICE").is_err(),
            "HAILONG_REQUIRE_LIBREOFFICE is set but LibreOffice is not installed (apt-get install libreoffice-writer-nogui)"
        );
        eprintln!("NOTICE: LibreOffice is not installed: the .docx layout test did NOT run");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut centre = hailong::centre::Centre::new(
        Arc::new(hailong::centre::sqlite::SqliteCentre::open(&dir.path().join("c.sqlite3"), TZ).unwrap()),
        Arc::new(hailong::survey::Catalog::built_in()),
        hailong::survey::ScoringOptions::default(),
    );
    centre.clock = hailong::centre::Clock::fixed(now());
    let mut letterhead = hailong::config::ReportConfig {
        authority: "Sở Y tế Hà Nội".into(),
        ..Default::default()
    };
    letterhead.facilities.insert(
        BA_VI.into(),
        hailong::report::quarterly::Signatory {
            place: "Ba Vì".into(),
            title: "Giám đốc".into(),
            name: "Nguyễn Văn Bình".into(),
        },
    );
    centre.letterhead = Arc::new(letterhead);
    let server = server::Server::start_centre(centre, hailong::centre::Timeouts::default());
    kiosk(
        &dir.path().join("bavi"),
        &server,
        BA_VI,
        1500,
        &["Khoa Khám bệnh", "Khoa Nhi"],
        1,
        |_, _| {},
    );
    add_user(
        &server,
        "bavi",
        hailong::centre::accounts::Role::Facility,
        Some(BA_VI),
        None,
    );
    let mut b = Browser::new(&server);
    b.login("bavi", PASSWORD);
    let quarter =
        hailong::report::period::Period::quarter_of(today(), hailong::report::period::Calendar::default()).label;
    let (status, _, bytes) = b.bytes(&format!(
        "/facility/trung-tam-y-te-huyen-ba-vi/report.docx?period={quarter}"
    ));
    assert_eq!(status, 200);
    let docx = dir.path().join("bao-cao.docx");
    std::fs::write(&docx, &bytes).unwrap();
    let out = std::process::Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}/lo-profile",
            dir.path().display()
        ))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir.path())
        .arg(&docx)
        .output()
        .unwrap();
    let pdf = dir.path().join("bao-cao.pdf");
    assert!(
        pdf.exists(),
        "LibreOffice made no PDF: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    if let Ok(keep) = std::env::var("HAILONG_SCREENSHOTS") {
        std::fs::copy(&pdf, std::path::Path::new(&keep).join("bao-cao.pdf")).unwrap();
    }
    let info = String::from_utf8(std::process::Command::new("pdfinfo").arg(&pdf).output().unwrap().stdout).unwrap();
    let field = |name: &str| {
        info.lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{name} in {info}"))
            .to_string()
    };
    let pages: u32 = field("Pages:").split_whitespace().last().unwrap().parse().unwrap();
    assert!((1..=3).contains(&pages), "{pages} pages");
    assert!(field("Page size:").contains("(A4)"), "A4 portrait: {info}");
    let text = String::from_utf8(
        std::process::Command::new("pdftotext")
            .args(["-layout"])
            .arg(&pdf)
            .arg("-")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    // The question column is wide: a question's first words stand on one line.
    assert!(
        text.lines()
            .any(|l| l.contains("A2") && l.contains("Các sơ đồ, biển báo")),
        "{text}"
    );
    // The letterhead and the signature carry the configured names; the motto is on one line.
    for expected in [
        "SỞ Y TẾ HÀ NỘI",
        "Độc lập – Tự do – Hạnh phúc",
        "Ba Vì, ngày 15 tháng 11 năm 2026",
        "Kính gửi: Sở Y tế Hà Nội",
        "GIÁM ĐỐC",
        "Nguyễn Văn Bình",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    // Counts grouped; forms in words, never their file ids; no row for a figure not asked.
    let responses = api_report(&server, BA_VI, None)["responses"].as_u64().unwrap();
    assert!(responses > 1000);
    assert!(
        text.contains(&hailong::report::text::count(Locale::Vi, responses)),
        "{text}"
    );
    assert!(!text.contains("kiosk-nhanh") && !text.contains("v1"), "{text}");
    assert!(!text.contains("mong đợi"), "kiosk-nhanh has no G1: {text}");
    // The previous quarter and the same quarter last year stand beside this one.
    assert!(text.contains("Quý 3/2026") && text.contains("Quý 4/2025"), "{text}");
    // Every column of every table is at least a centimetre wide (567 twips).
    let json: serde_json::Value =
        serde_json::from_str(&docx_rs::read_docx(&bytes).expect("a Word document").json()).unwrap();
    fn grids(v: &serde_json::Value, out: &mut Vec<u64>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    match (k.as_str(), v) {
                        ("grid", serde_json::Value::Array(cols)) => out.extend(cols.iter().filter_map(|c| c.as_u64())),
                        _ => grids(v, out),
                    }
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| grids(v, out)),
            _ => {}
        }
    }
    let mut cols = Vec::new();
    grids(&json, &mut cols);
    assert!(cols.len() > 20, "{cols:?}");
    assert!(cols.iter().all(|&w| w >= 567), "{cols:?}");
}

/// Issue 23 §3 and §5: a period a page cannot read is named by the picker's own label, in the
/// page's language (never the command line's advice), and the picker lists each year's quarters
/// in order before its cumulative reports.
#[test]
fn a_bad_period_is_named_by_its_label_and_the_period_list_reads_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(hailong::centre::sqlite::SqliteCentre::open(&dir.path().join("c.sqlite3"), TZ).unwrap());
    let server = centre_with_data(dir.path(), store);
    let mut b = Browser::new(&server);
    b.login("bavi", PASSWORD);
    let page = "/facility/trung-tam-y-te-huyen-ba-vi";
    let bad = b.get(&format!("{page}?period=2026-Q7"));
    assert_eq!(bad.status, 400);
    assert!(
        bad.body.contains("Ô “Kỳ báo cáo” không có kỳ “2026-Q7”"),
        "{}",
        bad.body
    );
    assert!(!bad.body.contains("--from") && !bad.body.contains("is not understood"));
    let bad = b.get(&format!("{page}?from=2026-13-01"));
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("“Từ ngày”"), "{}", bad.body);
    let good = b.get(page);
    let at = |value: &str| {
        good.body
            .find(&format!("value=\"{value}\""))
            .unwrap_or_else(|| panic!("{value}"))
    };
    let order: Vec<usize> = [
        "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4", "2026-H1", "2026-9M", "2026", "2025-Q1",
    ]
    .iter()
    .map(|v| at(v))
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
}

#[test]
fn a_patients_comment_is_shown_as_text() {
    on_every_backend(|_, server| {
        let mut b = Browser::new(&server);
        b.login("bavi", PASSWORD);
        let page = b.get("/facility/trung-tam-y-te-huyen-ba-vi");
        assert!(
            page.body
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;")
        );
        assert!(!page.body.contains("<script>"));
        assert!(!page.body.contains("<img src=x"));
    });
}

/// A backend's name and two opens of one database.
type TwoOpens = (&'static str, Arc<dyn Backend>, Arc<dyn Backend>);

/// Each backend opened twice on one database (as two centre processes would): SQLite in `dir`,
/// and PostgreSQL in a schema of its own when `HAILONG_TEST_POSTGRES_URL` names a server.
fn two_opens(dir: &std::path::Path) -> Vec<TwoOpens> {
    let path = dir.join("centre.sqlite3");
    let mut pairs: Vec<TwoOpens> = vec![(
        "sqlite",
        Arc::new(hailong::centre::sqlite::SqliteCentre::open(&path, TZ).unwrap()),
        Arc::new(hailong::centre::sqlite::SqliteCentre::open(&path, TZ).unwrap()),
    )];
    if let Some(url) = server::postgres_url() {
        let scoped = server::postgres_schema(&url);
        pairs.push((
            "postgres",
            Arc::new(hailong::centre::postgres::PostgresCentre::open(&scoped, TZ).unwrap()),
            Arc::new(hailong::centre::postgres::PostgresCentre::open(&scoped, TZ).unwrap()),
        ));
    }
    pairs
}

#[test]
fn a_login_through_one_centre_process_works_on_another_on_the_same_database() {
    let dir = tempfile::tempdir().unwrap();
    for (name, one, two) in two_opens(dir.path()) {
        eprintln!("backend: {name}");
        let first = centre_with_data(&dir.path().join(name), one);
        let second = start_at_now(two);
        let mut b = Browser::new(&first);
        assert_eq!(b.login("so-y-te", PASSWORD).status, 303);
        let mut elsewhere = b.on(&second);
        let page = elsewhere.get("/overview");
        assert_eq!(page.status, 200, "{name}: the session is in the database");
        assert!(page.body.contains(BA_VI));
        // And throttling counts on both.
        for _ in 0..3 {
            Browser::new(&first).login("bavi", "wrong password");
            Browser::new(&second).login("bavi", "wrong password");
        }
        assert!(
            Browser::new(&second)
                .login("bavi", PASSWORD)
                .body
                .contains("Có quá nhiều lần đăng nhập sai")
        );
    }
}

#[test]
fn the_public_page_shows_aggregates_only_and_withholds_small_numbers() {
    on_every_backend(|_, server| {
        let mut anyone = Browser::new(&server);
        let page = anyone.get("/public/trung-tam-y-te-huyen-my-duc");
        std::fs::write("/tmp/public.html", &page.body).unwrap();
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Kết quả khảo sát hài lòng người bệnh"));
        assert!(page.body.contains(&api_rate(&server, MY_DUC)), "the quarter's rate");
        // 6 responses in Khoa Đông y: not shown, and Khoa Nội (the only other) with it.
        assert!(!page.body.contains("Khoa Đông y"));
        assert!(!page.body.contains("Khoa Nội"));
        assert!(page.body.contains("không được công bố"));
        // The embed snippet is pasted on the hospital's website: absolute, like the QR code.
        let host = server.url().trim_start_matches("http://").to_string();
        assert!(
            page.body.contains(&format!(
                "&lt;iframe src=&quot;http://{host}/public/trung-tam-y-te-huyen-my-duc?embed=1&quot;"
            )),
            "{}",
            &page.body[page.body.find("iframe").unwrap_or(0)..][..200]
        );
        // No kiosk ids, no comments.
        for kiosk in server.centre.store.kiosks().unwrap() {
            if let Some(id) = kiosk.kiosk_id {
                assert!(!page.body.contains(&id));
            }
        }
        let ba_vi = anyone.get("/public/trung-tam-y-te-huyen-ba-vi");
        assert!(!ba_vi.body.contains("alert("), "no comment text");
        let data = anyone.get("/public/trung-tam-y-te-huyen-ba-vi/open-data.csv");
        assert_eq!(data.status, 200);
        assert!(data.headers["content-type"].starts_with("text/csv"));
        // UTF-8 with a byte-order mark (Excel shows Vietnamese), one header.
        assert!(
            data.body
                .starts_with("\u{feff}facility,quarter,from,to,through,questionnaire,department,section,item,score_1"),
            "{}",
            &data.body[..100]
        );
        assert!(!data.body.contains("alert("));
        // Every published percentage can be recomputed from the counts: the facility's from
        // its items, each department shown from its own row.
        let quarter =
            hailong::report::period::Period::quarter_of(today(), hailong::report::period::Calendar::default()).label;
        let rate_of = |department: &str| {
            let (mut satisfied, mut answered) = (0u64, 0u64);
            for line in data.body.lines().skip(1).filter(|l| l.contains(&quarter)) {
                let f: Vec<&str> = line.split(',').collect();
                if f[6] != department {
                    continue;
                }
                let counts: Vec<u64> = f[9..14].iter().map(|c| c.parse().unwrap()).collect();
                satisfied += counts[3] + counts[4];
                answered += counts.iter().sum::<u64>();
            }
            format!("{:.1} %", 100.0 * satisfied as f64 / answered as f64).replace('.', ",")
        };
        assert_eq!(rate_of(""), api_rate(&server, BA_VI));
        let ba_vi_page = ba_vi.body.clone();
        for department in ["Khoa Khám bệnh", "Khoa Nhi"] {
            let published = rate_of(department);
            assert!(
                ba_vi_page.contains(&published),
                "{department}: {published} is on the page"
            );
            let api = api_report(&server, BA_VI, Some(department));
            let api = format!("{:.1} %", api["satisfied_pct"].as_f64().unwrap()).replace('.', ",");
            assert_eq!(published, api, "{department}");
        }
        let qr = anyone.get("/public/trung-tam-y-te-huyen-ba-vi/qr.svg");
        assert_eq!(qr.status, 200);
        assert!(qr.body.contains("<svg"));
        let embed = anyone.get("/public/trung-tam-y-te-huyen-ba-vi?embed=1");
        assert!(embed.headers["content-security-policy"].contains("frame-ancestors *"));
        assert!(!embed.body.contains("<nav"));
        assert_eq!(anyone.get("/public/khong-co").status, 404);
    });
}

#[test]
fn the_public_figures_change_once_a_day_and_a_withheld_department_stays_withheld() {
    on_every_backend(|dir, server| {
        let mut anyone = Browser::new(&server);
        let url = "/public/trung-tam-y-te-huyen-my-duc/open-data.csv";
        let first = anyone.get(url).body;
        // Khoa Đông y's 6 responses are withheld, and Khoa Nội with them.
        assert!(!first.contains("Khoa Đông y") && !first.contains("Khoa Nội"));
        // Six more from Khoa Đông y arrive; a minute later the download is the same.
        kiosk(&dir.join("myduc3"), &server, MY_DUC, 6, &["Khoa Đông y"], 11, |_, _| {});
        server.centre.clock.advance(chrono::Duration::minutes(1));
        assert_eq!(anyone.get(url).body, first, "two downloads a minute apart");
        // Forty more; the next day the figures are new, and Khoa Đông y is still withheld for
        // the rest of the quarter (its count at most, never its rate or its answers).
        kiosk(
            &dir.join("myduc4"),
            &server,
            MY_DUC,
            40,
            &["Khoa Đông y"],
            12,
            |_, _| {},
        );
        server.centre.clock.advance(chrono::Duration::days(1));
        let later = anyone.get(url).body;
        assert_ne!(later, first, "a new day, new figures");
        assert!(!later.contains("Khoa Đông y") && !later.contains("Khoa Nội"), "{later}");
        let page = anyone.get("/public/trung-tam-y-te-huyen-my-duc").body;
        let api = api_report(&server, MY_DUC, Some("Khoa Đông y"));
        assert_eq!(api["responses"], 52);
        let rate = format!("{:.1} %", api["satisfied_pct"].as_f64().unwrap()).replace('.', ",");
        assert!(!page.contains(&rate), "Khoa Đông y's rate {rate} is not published");
        assert!(page.contains("Không công bố trong quý này"), "and says why");
    });
}

#[test]
fn no_csv_the_centre_writes_carries_a_live_formula() {
    let dir = tempfile::tempdir().unwrap();
    let (_, store) = server::backends(dir.path()).remove(0);
    let server = start_at_now(store);
    let hostile = [
        "=HYPERLINK(\"http://x.example\",\"Bấm\")",
        "+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(1+1)",
        "\t=1",
        "\r=1",
    ];
    kiosk(&dir.path().join("k"), &server, BA_VI, 40, &["@Khoa Nhi"], 3, |i, r| {
        if let Some(text) = hostile.get(i) {
            r.answers
                .insert("H2".into(), hailong::survey::Answer::Text((*text).into()));
        }
    });
    add_user(
        &server,
        "so-y-te",
        hailong::centre::accounts::Role::Province,
        None,
        None,
    );
    let mut b = Browser::new(&server);
    b.login("so-y-te", PASSWORD);
    for path in [
        "/facility/trung-tam-y-te-huyen-ba-vi/export.csv",
        "/overview/export.csv",
        "/public/trung-tam-y-te-huyen-ba-vi/open-data.csv",
    ] {
        let (status, _, body) = b.bytes(path);
        assert_eq!(status, 200, "{path}");
        let mut read = csv::ReaderBuilder::new().has_headers(false).from_reader(&body[..]);
        let mut cells = 0;
        for record in read.records() {
            for cell in record.unwrap().iter() {
                cells += 1;
                let live = cell.starts_with(['=', '+', '@', '\t', '\r'])
                    || (cell.starts_with('-') && cell.parse::<f64>().is_err());
                assert!(!live, "{path}: a cell a spreadsheet would run: {cell:?}");
            }
        }
        assert!(cells > 0, "{path}");
        if !path.starts_with("/public") {
            let text = String::from_utf8_lossy(&body);
            assert!(
                text.contains("'=HYPERLINK") && text.contains("'@Khoa Nhi"),
                "{path}: kept as text"
            );
        }
    }
}

#[test]
fn a_facility_below_thirty_responses_shows_its_count_not_a_rate() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_at_now(Arc::new(
        hailong::centre::sqlite::SqliteCentre::open(&dir.path().join("c.sqlite3"), TZ).unwrap(),
    ));
    kiosk(
        &dir.path().join("k"),
        &server,
        "Trạm Y tế xã An Phú",
        12,
        &["Khám"],
        5,
        |_, _| {},
    );
    let page = Browser::new(&server).get("/public/tram-y-te-xa-an-phu");
    assert!(page.body.contains("Chưa đủ số phiếu (n = 12)"), "{}", page.body);
    let data = Browser::new(&server).get("/public/tram-y-te-xa-an-phu/open-data.csv");
    assert_eq!(data.body.lines().count(), 1, "only the header: the cell is withheld");
}

#[test]
fn the_quarterly_report_is_a_page_and_a_word_file_with_the_facilitys_own_part_iv() {
    on_every_backend(|_, server| {
        let quarter =
            hailong::report::period::Period::quarter_of(today(), hailong::report::period::Calendar::default()).label;
        let path = format!("/facility/trung-tam-y-te-huyen-ba-vi/report?period={quarter}");
        let mut b = Browser::new(&server);
        b.login("bavi", PASSWORD);
        let page = b.get(&path);
        assert_eq!(page.status, 200);
        for part in [
            "BÁO CÁO",
            "I. TRIỂN KHAI THỰC HIỆN",
            "II. KẾT QUẢ KHẢO SÁT",
            "III. NHẬN XÉT",
            "IV. TỒN TẠI",
            "GIÁM ĐỐC",
        ] {
            assert!(page.body.contains(part), "{part}");
        }
        assert!(page.body.contains(&api_rate(&server, BA_VI)));
        let csrf = page.hidden("csrf");
        let text = "Thời gian chờ khám dài: mở thêm bàn tiếp đón <b>buổi sáng</b>.";
        let saved = b.post(&path, &[("csrf", &csrf), ("period", &quarter), ("actions", text)]);
        assert_eq!(saved.status, 303, "{}", saved.body);
        let page = b.get(&path);
        assert!(page.body.contains("mở thêm bàn tiếp đón &lt;b&gt;buổi sáng&lt;/b&gt;."));
        assert_eq!(
            b.post(&path, &[("csrf", "forged"), ("period", &quarter), ("actions", "x")])
                .status,
            403
        );

        let docx = b.get(&format!(
            "/facility/trung-tam-y-te-huyen-ba-vi/report.docx?period={quarter}"
        ));
        assert_eq!(docx.status, 200);
        assert!(docx.headers["content-type"].contains("wordprocessingml"));
        let bytes = b.rt.block_on(async {
            reqwest::Client::new()
                .get(format!(
                    "{}/facility/trung-tam-y-te-huyen-ba-vi/report.docx?period={quarter}",
                    server.url()
                ))
                .header(
                    "cookie",
                    b.cookies
                        .iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect::<Vec<_>>()
                        .join("; "),
                )
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap()
        });
        let doc = docx_rs::read_docx(&bytes).expect("a Word document");
        let json = doc.json();
        assert!(
            json.contains("mở thêm bàn tiếp đón <b>buổi sáng</b>."),
            "part IV in the docx"
        );
        assert!(json.contains("TRUNG TÂM Y TẾ HUYỆN BA VÌ"));

        // The province reads it but cannot change it; another facility cannot read it.
        let mut province = Browser::new(&server);
        province.login("so-y-te", PASSWORD);
        let p = province.get(&path);
        assert_eq!(p.status, 200);
        assert!(!p.body.contains("name=\"actions\""), "no edit form for the province");
        let csrf = p.hidden("csrf");
        assert_eq!(
            province
                .post(&path, &[("csrf", &csrf), ("period", &quarter), ("actions", "x")])
                .status,
            403
        );
        let mut dept = Browser::new(&server);
        dept.login("bavi-nhi", PASSWORD);
        assert_eq!(dept.get(&path).status, 403);
    });
}

#[test]
fn an_admin_enrols_revokes_and_renews_kiosks_and_manages_accounts_from_the_web() {
    on_every_backend(|_, server| {
        let mut province = Browser::new(&server);
        province.login("so-y-te", PASSWORD);
        assert_eq!(province.get("/admin").status, 403);
        let csrf = province.get("/overview").hidden("csrf");
        assert_eq!(
            province
                .post("/admin/kiosks", &[("csrf", &csrf), ("facility", "X"), ("name", "Y")])
                .status,
            403
        );

        let mut admin = Browser::new(&server);
        admin.login("quantri", PASSWORD);
        let page = admin.get("/admin");
        assert_eq!(page.status, 200);
        let csrf = page.hidden("csrf");
        assert_eq!(
            admin
                .post("/admin/kiosks", &[("csrf", "forged"), ("facility", "X"), ("name", "Y")])
                .status,
            403
        );
        let enrolled = admin.post(
            "/admin/kiosks",
            &[
                ("csrf", &csrf),
                ("facility", "Trạm Y tế xã Tản Lĩnh"),
                ("name", "Quầy <1>"),
            ],
        );
        assert_eq!(enrolled.status, 200);
        let at = enrolled.body.find("token = &quot;").expect("the [centre] block") + "token = &quot;".len();
        let token = &enrolled.body[at..at + 64];
        assert!(token.chars().all(|c| c.is_ascii_hexdigit()), "{token}");
        assert!(enrolled.body.contains("Quầy &lt;1&gt;"));
        let kiosk = server
            .centre
            .store
            .kiosk_by_token(&hailong::centre::token_hash(token))
            .unwrap()
            .unwrap();
        assert_eq!(kiosk.facility, "Trạm Y tế xã Tản Lĩnh");
        assert_eq!(
            admin
                .post(&format!("/admin/kiosks/{}/revoke", kiosk.id), &[("csrf", &csrf)])
                .status,
            303
        );
        assert!(
            server
                .centre
                .store
                .kiosk_by_token(&hailong::centre::token_hash(token))
                .unwrap()
                .is_none_or(|k| k.revoked_at.is_some())
        );
        let renewed = admin.post(&format!("/admin/kiosks/{}/renew", kiosk.id), &[("csrf", &csrf)]);
        assert_eq!(renewed.status, 200);
        assert!(renewed.body.contains("[centre]"));

        let added = admin.post(
            "/admin/users",
            &[
                ("csrf", &csrf),
                ("name", "qlcl-bavi"),
                ("role", "facility"),
                ("facility", BA_VI),
                ("department", ""),
                ("password", PASSWORD),
            ],
        );
        assert_eq!(added.status, 303, "{}", added.body);
        let mut qlcl = Browser::new(&server);
        assert_eq!(qlcl.login("qlcl-bavi", PASSWORD).status, 303);
        let short = admin.post(
            "/admin/users",
            &[
                ("csrf", &csrf),
                ("name", "x"),
                ("role", "province"),
                ("password", "short"),
            ],
        );
        assert_eq!(short.status, 400);
        let id = server.centre.accounts.user_by_name("qlcl-bavi").unwrap().unwrap().0.id;
        assert_eq!(
            admin
                .post(&format!("/admin/users/{id}/disable"), &[("csrf", &csrf)])
                .status,
            303
        );
        assert_eq!(qlcl.get("/overview").status, 303, "a disabled account's session ends");
        assert_eq!(Browser::new(&server).login("qlcl-bavi", PASSWORD).status, 401);
    });
}

/// The records of a CSV export (its byte-order mark dropped), header first.
fn csv_records(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes).expect("UTF-8");
    let text = text.strip_prefix('\u{feff}').expect("a byte-order mark for Excel");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect::<Vec<_>>()
        .into_iter()
        .collect()
}

/// How many responses an export of this report holds: those counted and the rapid repeats.
fn exported(report: &serde_json::Value) -> usize {
    (report["responses"].as_u64().unwrap() + report["rapid_repeat_responses"].as_u64().unwrap()) as usize
}

#[test]
fn the_provinces_overview_downloads_every_facilitys_responses_and_only_the_province_may() {
    on_every_backend(|_, server| {
        let mut province = Browser::new(&server);
        province.login("so-y-te", PASSWORD);
        let page = province.get("/overview");
        assert!(
            page.body.contains("href=\"/overview/export.csv\""),
            "the overview links its export"
        );
        let (status, headers, bytes) = province.bytes("/overview/export.csv");
        assert_eq!(status, 200);
        assert!(headers["content-disposition"].starts_with("attachment; filename=\"hai-long-tat-ca-"));
        let records = csv_records(&bytes);
        let all = exported(&api_report(&server, BA_VI, None)) + exported(&api_report(&server, MY_DUC, None));
        assert_eq!(records.len() - 1, all, "every facility's responses, once");
        let (status, _, _) = province.bytes("/overview/export.xlsx");
        assert_eq!(status, 200);
        // A facility's account exports its own facility from its own pages, never everyone's.
        let mut facility = Browser::new(&server);
        facility.login("bavi", PASSWORD);
        assert!(
            facility
                .get("/overview")
                .body
                .contains("href=\"/facility/trung-tam-y-te-huyen-ba-vi/export.csv\"")
        );
        assert_eq!(facility.bytes("/overview/export.csv").0, 403);
        assert_eq!(
            Browser::new(&server).bytes("/overview/export.csv").0,
            303,
            "logged out: to the login page"
        );
    });
}

#[test]
fn a_facilitys_view_downloads_as_csv_and_xlsx_with_the_apis_figures() {
    use calamine::Reader;
    on_every_backend(|_, server| {
        let mut b = Browser::new(&server);
        b.login("bavi", PASSWORD);
        let page = b.get("/facility/trung-tam-y-te-huyen-ba-vi");
        assert!(
            page.body
                .contains("href=\"/facility/trung-tam-y-te-huyen-ba-vi/export.csv\"")
        );
        assert!(
            page.body
                .contains("href=\"/facility/trung-tam-y-te-huyen-ba-vi/export.xlsx\"")
        );

        let (status, headers, bytes) = b.bytes("/facility/trung-tam-y-te-huyen-ba-vi/export.csv");
        assert_eq!(status, 200);
        assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
        assert!(
            headers["content-disposition"].starts_with("attachment; filename=\"hai-long-trung-tam-y-te-huyen-ba-vi-")
        );
        let records = csv_records(&bytes);
        let report = api_report(&server, BA_VI, None);
        assert_eq!(records.len() - 1, exported(&report), "one row per response");
        assert_eq!(records.len() - 1, 150);
        assert_eq!(records[0][0], "Mã phiếu", "headers in the reader's language");
        // Columns only for the form the responses were given on (kiosk-nhanh), not the
        // centre's whole catalogue.
        assert!(
            !records[0]
                .iter()
                .any(|h| h == "respondent" || h == "gender" || h == "A1"),
            "{:?}",
            records[0]
        );
        assert_eq!(records[0].len(), 11 + 12 + 1 + 3, "{:?}", records[0]);
        // The patient's words as written (a CSV is not HTML).
        let comment = records[0].iter().position(|h| h == "Ý kiến").unwrap();
        assert!(records.iter().any(|r| r[comment].contains(HOSTILE)));

        // A department chosen: only its responses.
        let (status, _, bytes) = b.bytes("/facility/trung-tam-y-te-huyen-ba-vi/export.csv?department=Khoa%20Nhi");
        assert_eq!(status, 200);
        let records = csv_records(&bytes);
        let column = records[0].iter().position(|h| h == "Khoa/phòng").unwrap();
        assert!(records[1..].iter().all(|r| r[column] == "Khoa Nhi"));
        assert_eq!(
            records.len() - 1,
            exported(&api_report(&server, BA_VI, Some("Khoa Nhi")))
        );
        assert!(records.len() > 1);

        // The XLSX: the same rows, and the summary sheet.
        let (status, headers, bytes) = b.bytes("/facility/trung-tam-y-te-huyen-ba-vi/export.xlsx");
        assert_eq!(status, 200);
        assert!(headers["content-type"].contains("spreadsheetml"));
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).expect("a workbook");
        let sheets = book.sheet_names();
        assert_eq!(sheets.len(), 2, "{sheets:?}");
        let rows = book.worksheet_range(&sheets[0]).unwrap();
        assert_eq!(rows.height() - 1, 150);

        // Another facility, or no such facility: refused as the page is.
        assert_eq!(b.bytes("/facility/trung-tam-y-te-huyen-my-duc/export.csv").0, 403);
        assert_eq!(b.bytes("/facility/trung-tam-y-te-huyen-my-duc/export.xlsx").0, 403);
        assert_eq!(b.bytes("/facility/no-such-place/export.csv").0, 404);
        assert_eq!(
            b.bytes("/facility/trung-tam-y-te-huyen-ba-vi/export.csv?period=2026-Q9")
                .0,
            400
        );
        // Logged out: the login page.
        let (status, headers, _) = Browser::new(&server).bytes("/facility/trung-tam-y-te-huyen-ba-vi/export.csv");
        assert_eq!(status, 303);
        assert!(headers["location"].starts_with("/login?next="));

        // A department account: its own department only, whatever it asks for.
        let mut d = Browser::new(&server);
        d.login("bavi-nhi", PASSWORD);
        let (status, _, bytes) = d.bytes("/facility/trung-tam-y-te-huyen-ba-vi/export.csv");
        assert_eq!(status, 200);
        let own = csv_records(&bytes);
        assert!(own[1..].iter().all(|r| r[column] == "Khoa Nhi"));
        assert_eq!(own.len() - 1, exported(&api_report(&server, BA_VI, Some("Khoa Nhi"))));
        assert_eq!(
            d.bytes("/facility/trung-tam-y-te-huyen-ba-vi/export.csv?department=Khoa%20Kh%C3%A1m%20b%E1%BB%87nh")
                .0,
            403
        );
        assert_eq!(d.bytes("/facility/trung-tam-y-te-huyen-my-duc/export.csv").0, 403);

        // The province: any facility.
        let mut p = Browser::new(&server);
        p.login("so-y-te", PASSWORD);
        let (status, _, bytes) = p.bytes("/facility/trung-tam-y-te-huyen-my-duc/export.csv");
        assert_eq!(status, 200);
        assert_eq!(
            csv_records(&bytes).len() - 1,
            exported(&api_report(&server, MY_DUC, None))
        );
        assert_eq!(csv_records(&bytes).len() - 1, 126);
    });
}

/// `path` with `Accept-Encoding: gzip` (`gzip` true) or none: status, headers, raw body.
fn fetch_encoded(server: &Server, path: &str, gzip: bool) -> (u16, std::collections::HashMap<String, String>, Vec<u8>) {
    rt().block_on(async {
        let mut req = reqwest::Client::new().get(format!("{}{path}", server.url()));
        if gzip {
            req = req.header("accept-encoding", "gzip");
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        (status, headers, resp.bytes().await.unwrap().to_vec())
    })
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("a gzip body");
    out
}

#[test]
fn answers_are_gzipped_for_clients_that_ask_and_the_public_page_stays_under_30_kb() {
    let dir = tempfile::tempdir().unwrap();
    for (name, store) in server::backends(dir.path()) {
        eprintln!("backend: {name}");
        let server = start_at_now(store);
        // Two years of demo data: every one of the nine quarters the public page shows is full.
        for (seed, end) in [(1, today()), (2, today() - chrono::Duration::days(365))] {
            let opts = hailong::centre::demo::Options {
                facilities: 2,
                kiosks_per_facility: 2,
                responses: 1500,
                seed,
                end,
                tz: TZ,
                questionnaire: "kiosk-nhanh".into(),
            };
            hailong::centre::demo::fill(server.centre.store.as_ref(), &server.centre.catalog, &opts, &mut |_| {})
                .unwrap();
        }
        for path in [
            "/public/trung-tam-y-te-huyen-ba-vi",
            "/public/trung-tam-y-te-huyen-ba-vi/open-data.csv",
            "/api/v1/openapi.json",
            "/assets/hailong.css",
        ] {
            let (status, headers, plain) = fetch_encoded(&server, path, false);
            assert_eq!(status, 200, "{path}");
            assert!(!headers.contains_key("content-encoding"), "{path}: not asked for");
            let (status, headers, packed) = fetch_encoded(&server, path, true);
            assert_eq!(status, 200, "{path}");
            assert_eq!(
                headers.get("content-encoding").map(String::as_str),
                Some("gzip"),
                "{path}"
            );
            assert_eq!(gunzip(&packed), plain, "{path}: the same answer");
            assert!(packed.len() < plain.len(), "{path}");
            if path == "/public/trung-tam-y-te-huyen-ba-vi" {
                eprintln!("public page: {} bytes, {} gzipped", plain.len(), packed.len());
                assert!(String::from_utf8_lossy(&plain).contains("Quý"), "a page with figures");
                assert!(packed.len() <= 30_000, "{} bytes gzipped", packed.len());
            }
        }
    }
}

/// A proxy to `upstream` on 127.0.0.1 that passes the first `pass` batches kiosks post on and
/// answers every later one 503, like a link that breaks in the middle of a sync.
fn breaking_proxy(upstream: String, pass: usize) -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        rt().block_on(async move {
            let batches = Arc::new(AtomicUsize::new(0));
            let http = reqwest::Client::new();
            let app = axum::Router::new().fallback(move |req: axum::extract::Request| {
                let (batches, http, upstream) = (batches.clone(), http.clone(), upstream.clone());
                async move {
                    use axum::response::IntoResponse;
                    let (parts, body) = req.into_parts();
                    if parts.uri.path() == hailong::sync::RESPONSES_PATH
                        && batches.fetch_add(1, Ordering::SeqCst) >= pass
                    {
                        return axum::http::StatusCode::SERVICE_UNAVAILABLE.into_response();
                    }
                    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
                    let mut forward = http.request(parts.method, format!("{upstream}{}", parts.uri));
                    for (k, v) in &parts.headers {
                        if k != "host" {
                            forward = forward.header(k, v);
                        }
                    }
                    let answer = forward.body(body).send().await.unwrap();
                    let status = answer.status();
                    let content_type = answer.headers().get("content-type").cloned();
                    let bytes = answer.bytes().await.unwrap();
                    let mut response = (status, bytes).into_response();
                    if let Some(t) = content_type {
                        response.headers_mut().insert("content-type", t);
                    }
                    response
                }
            });
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, app).await.unwrap();
        })
    });
    format!("http://{addr}")
}

/// The texts of the kiosk health table's cells, in order.
fn health_cells(page: &str) -> Vec<String> {
    let at = page.find("Tình trạng ki-ốt").expect("the kiosk health table");
    let table = &page[at..];
    let table = &table[table.find("<tbody>").unwrap()..table.find("</tbody>").unwrap()];
    table
        .split('<')
        .filter_map(|piece| piece.split_once('>').map(|(_, text)| text.trim().to_string()))
        .filter(|t| !t.is_empty())
        .collect()
}

#[test]
fn the_facility_page_shows_how_many_responses_each_kiosk_said_were_still_waiting() {
    use hailong::sync::client::{self, Target};
    let dir = tempfile::tempdir().unwrap();
    for (name, store) in server::backends(dir.path()) {
        eprintln!("backend: {name}");
        let server = start_at_now(store);
        add_user(
            &server,
            "bavi",
            hailong::centre::accounts::Role::Facility,
            Some(BA_VI),
            None,
        );
        // 1,200 responses: three batches of at most 500.
        let kiosk = kiosk_store(&dir.path().join(name).join("kiosk"), 1200, &["Khoa Nhi"], 7, |_, _| {});
        let token = server.enrol(BA_VI);
        let broken = Target {
            url: breaking_proxy(server.url(), 1),
            token: token.clone(),
            ca_cert: None,
        };
        let http = client::http_client(&broken).unwrap();
        assert!(rt().block_on(client::sync_once(&kiosk, &http, &broken)).is_err());

        let mut b = Browser::new(&server);
        b.login("bavi", PASSWORD);
        let page = b.get("/facility/trung-tam-y-te-huyen-ba-vi");
        assert!(page.body.contains("Phiếu chờ gửi (theo ki-ốt báo lần gần nhất)"));
        let cells = health_cells(&page.body);
        // Received 500, and 700 still waiting on the kiosk when it sent them.
        assert!(cells.windows(2).any(|w| w == ["500", "700"]), "{cells:?}");

        // The link back: the rest is sent, and the kiosk says nothing waits.
        let direct = Target {
            url: server.url(),
            token,
            ca_cert: None,
        };
        assert_eq!(rt().block_on(client::sync_once(&kiosk, &http, &direct)).unwrap(), 700);
        let cells = health_cells(&b.get("/facility/trung-tam-y-te-huyen-ba-vi").body);
        assert!(cells.windows(2).any(|w| w == ["1.200", "0"]), "{cells:?}");
    }
}

#[test]
fn a_batch_from_a_kiosk_that_does_not_report_its_queue_is_taken_and_shown_as_not_reported() {
    let dir = tempfile::tempdir().unwrap();
    for (name, store) in server::backends(dir.path()) {
        eprintln!("backend: {name}");
        let server = start_at_now(store);
        add_user(
            &server,
            "bavi",
            hailong::centre::accounts::Role::Facility,
            Some(BA_VI),
            None,
        );
        let kiosk = kiosk_store(&dir.path().join(name).join("kiosk"), 3, &["Khoa Nhi"], 8, |_, _| {});
        let responses = kiosk.lock().unwrap().outbox(0, 10).unwrap();
        // The body an older kiosk sends: no `waiting`.
        let body = serde_json::json!({ "kiosk_id": responses[0].kiosk_id, "responses": responses });
        let token = server.enrol(BA_VI);
        let status = rt().block_on(async {
            reqwest::Client::new()
                .post(format!("{}{}", server.url(), hailong::sync::RESPONSES_PATH))
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        });
        assert_eq!(status, 200);
        let mut b = Browser::new(&server);
        b.login("bavi", PASSWORD);
        let cells = health_cells(&b.get("/facility/trung-tam-y-te-huyen-ba-vi").body);
        assert!(cells.windows(2).any(|w| w == ["3", "không báo"]), "{cells:?}");
    }
}

/// The pages keep the tallies they read in memory (`centre::cache`); a batch that another centre
/// process stores on the same database shows on this process's overview, facility page (its
/// figures and its latest comments) and public page at their next load, on both backends.
#[test]
fn a_batch_stored_through_another_centre_process_shows_on_this_ones_pages_at_once() {
    let dir = tempfile::tempdir().unwrap();
    for (name, one, two) in two_opens(dir.path()) {
        eprintln!("backend: {name}");
        let first = centre_with_data(&dir.path().join(name), one);
        let second = start_at_now(two);
        let mut b = Browser::new(&first);
        b.login("so-y-te", PASSWORD);
        let mut anyone = Browser::new(&first);
        let responses = |server: &Server| format!(">{}<", api_report(server, BA_VI, None)["responses"]);
        let rate = api_rate(&first, BA_VI);
        let overview = b.get("/overview").body;
        assert!(
            overview.contains(&rate) && overview.contains(&responses(&first)),
            "{name}: {rate}"
        );
        let facility = b.get("/facility/trung-tam-y-te-huyen-ba-vi").body;
        assert!(facility.contains(&rate) && !facility.contains("Chờ lâu quá"));
        assert!(anyone.get("/public/trung-tam-y-te-huyen-ba-vi").body.contains(&rate));
        // 60 responses with every scale answer at 1 reach Ba Vì through the other process.
        kiosk(
            &dir.path().join(name).join("bavi-late"),
            &second,
            BA_VI,
            60,
            &["Khoa Nhi"],
            9,
            |i, r| {
                for a in r.answers.values_mut() {
                    if let hailong::survey::Answer::Scale(v @ 1..=5) = a {
                        *v = 1;
                    }
                }
                if i == 0 {
                    r.answers.insert(
                        "H2".into(),
                        hailong::survey::Answer::Text("Chờ lâu quá ở quầy thuốc".into()),
                    );
                }
            },
        );
        let lower = api_rate(&first, BA_VI);
        assert_ne!(lower, rate, "{name}");
        let more = responses(&first);
        let overview = b.get("/overview").body;
        assert!(
            overview.contains(&lower) && overview.contains(&more),
            "{name}: {lower} {more}"
        );
        let facility = b.get("/facility/trung-tam-y-te-huyen-ba-vi").body;
        assert!(
            facility.contains(&lower) && facility.contains(&more),
            "{name}: {lower} {more}"
        );
        assert!(
            facility.contains("Chờ lâu quá ở quầy thuốc"),
            "{name}: the new comment is listed"
        );
        // The public page is a snapshot taken once a day: the same all day (two downloads a
        // minute apart must not tell what was answered in between), the new figures tomorrow.
        let public = anyone.get("/public/trung-tam-y-te-huyen-ba-vi").body;
        assert!(
            public.contains(&rate) && !public.contains(&lower),
            "{name}: {rate}, not yet {lower}"
        );
        first.centre.clock.advance(chrono::Duration::days(1));
        assert!(
            anyone.get("/public/trung-tam-y-te-huyen-ba-vi").body.contains(&lower),
            "{name}: {lower}"
        );
    }
}

/// With a cut-off day (the 14th: quarters start on 15 March, June, September and December) the
/// public page and its open data count the responses of the 20th in the quarter that day is in,
/// not in the one its month starts in.
#[test]
fn with_a_cut_off_day_the_public_page_counts_each_day_in_its_own_quarter() {
    use chrono::Datelike;
    use hailong::report::period::{Calendar, CutOffDay, Period};
    let calendar = Calendar::CutOff(CutOffDay::new(14).unwrap());
    // The 20th of the latest of those months before today's quarter.
    let mut day = today().with_day(20).unwrap();
    while day >= Period::quarter_of(today(), calendar).from.unwrap() || !day.month().is_multiple_of(3) {
        day = day.checked_sub_months(chrono::Months::new(1)).unwrap();
    }
    let quarter = Period::quarter_of(day, calendar).label;
    assert_ne!(quarter, Period::quarter_of(day.with_day(1).unwrap(), calendar).label);
    let dir = tempfile::tempdir().unwrap();
    for (name, store) in server::backends(dir.path()) {
        eprintln!("backend: {name}");
        let mut centre = hailong::centre::Centre::new(
            store,
            Arc::new(hailong::survey::Catalog::built_in()),
            hailong::survey::ScoringOptions::default(),
        );
        centre.calendar = calendar;
        let server = Server::start_centre(centre, hailong::centre::Timeouts::default());
        let noon = day.and_hms_opt(5, 0, 0).unwrap().and_utc();
        kiosk(&dir.path().join(name), &server, BA_VI, 40, &["Khoa Nhi"], 4, |i, r| {
            r.submitted_at = noon + chrono::Duration::minutes(i as i64);
            r.started_at = r.submitted_at - chrono::Duration::minutes(3);
        });
        let data = Browser::new(&server)
            .get("/public/trung-tam-y-te-huyen-ba-vi/open-data.csv")
            .body;
        let quarters: std::collections::BTreeSet<&str> =
            data.lines().skip(1).filter_map(|l| l.split(',').nth(1)).collect();
        assert_eq!(
            quarters.into_iter().collect::<Vec<_>>(),
            [quarter.as_str()],
            "{name}: {data}"
        );
    }
}

/// Issue 27 §1: every response carries its channel and point; the pages, the API and the
/// exports filter by them, every page shows the channel mix of what it counts and warns when
/// it moved more than 20 points, and the quarterly report sets the facility's own survey beside
/// the independent one.
#[test]
fn pages_filter_by_channel_and_point_and_show_the_mix_with_its_shift() {
    on_every_backend(|dir, server| {
        use hailong::survey::Channel;
        const WARD: &str = "Khoa Nhi – buồng bệnh";
        // A ward's kiosk where helpers filled 60 forms for patients this quarter…
        kiosk(&dir.join("ward"), &server, BA_VI, 60, &["Khoa Nhi"], 9, |_, r| {
            r.channel = Some(Channel::Interview);
            r.point = Some(WARD.into());
        });
        // …and the quarter before, only the reception kiosk's 40.
        kiosk(&dir.join("before"), &server, BA_VI, 40, &["Khoa Nhi"], 11, |_, r| {
            r.channel = Some(Channel::Kiosk);
            r.point = Some("Quầy tiếp đón".into());
            r.submitted_at -= chrono::Duration::days(92);
            r.started_at -= chrono::Duration::days(92);
        });
        let count = |v: serde_json::Value| v["responses"].as_u64().unwrap();
        let all = count(api_report_with(&server, &[("facility", BA_VI)]));
        let interviews = count(api_report_with(
            &server,
            &[("facility", BA_VI), ("channel", "interview")],
        ));
        // Responses from before channels count as the kiosks', at no point.
        let kiosks = count(api_report_with(&server, &[("facility", BA_VI), ("channel", "kiosk")]));
        assert!(interviews >= 55 && kiosks >= 140, "{interviews} {kiosks}");
        assert_eq!(all, kiosks + interviews);
        assert_eq!(
            count(api_report_with(&server, &[("facility", BA_VI), ("point", WARD)])),
            interviews
        );
        assert_eq!(
            count(api_report_with(&server, &[("facility", BA_VI), ("channel", "phone")])),
            0
        );
        let vi = Locale::Vi;
        let share = |n: u64| hailong::report::text::percent(vi, Some(100.0 * n as f64 / all as f64));

        let mut b = Browser::new(&server);
        b.login("bavi", PASSWORD);
        let slug = "/facility/trung-tam-y-te-huyen-ba-vi";
        let page = b.get(slug);
        assert_eq!(page.status, 200);
        let mix = &page.body[page.body.find("<p class=\"mix\">").expect("the channel mix")..];
        let mix = &mix[..mix.find("</p>").unwrap()];
        assert!(
            mix.contains(&format!("Ki-ốt: {kiosks} phiếu ({})", share(kiosks))),
            "{mix}"
        );
        assert!(
            mix.contains(&format!(
                "Phỏng vấn, hỗ trợ điền: {interviews} phiếu ({})",
                share(interviews)
            )),
            "{mix}"
        );
        assert!(
            page.body
                .contains("Cơ cấu kênh trả lời đã đổi hơn 20 điểm so với kỳ trước"),
            "the mix moved from all kiosk to over a quarter interviews"
        );
        // Narrowed to the interviews: the headline counts them alone, the picker says so.
        let page = b.get(&format!("{slug}?channel=interview"));
        let headline = &page.body[page.body.find("<dl class=\"headline\">").unwrap()..];
        let headline = &headline[..headline.find("</dl>").unwrap()];
        assert!(headline.contains(&format!("<dd>{interviews}</dd>")), "{headline}");
        assert!(page.body.contains("<option value=\"interview\" selected>"));
        assert!(
            page.body.contains("export.csv?channel=interview"),
            "downloads keep the filter"
        );
        let page = b.get(&format!("{slug}?point={}", urlencode(WARD)));
        assert!(
            page.body.contains("Chỉ tính các phiếu tại điểm khảo sát"),
            "the point is named"
        );
        // A channel that does not exist is named, not a 5xx.
        let bad = b.get(&format!("{slug}?channel=fax"));
        assert_eq!(bad.status, 400);
        assert!(bad.body.contains("không có kênh “fax”"), "{}", bad.body);
        // The export carries channel and point, and narrows like the page.
        let (status, _, bytes) = b.bytes(&format!("{slug}/export.csv?channel=interview"));
        assert_eq!(status, 200);
        let records = csv_records(&bytes);
        assert!(
            records.len() > interviews as usize,
            "a header and the interviews (with any rapid repeats)"
        );
        let (channel, point) = (
            records[0].iter().position(|h| h == "Kênh").unwrap(),
            records[0].iter().position(|h| h == "Điểm khảo sát").unwrap(),
        );
        assert!(
            records[1..]
                .iter()
                .all(|r| r[channel] == "interview" && r[point] == WARD)
        );
        // The quarterly report: the own survey beside the independent one, per form.
        let report = b.get(&format!("{slug}/report"));
        assert!(report.body.contains("Tự khảo sát: số phiếu"));
        assert!(
            report.body.contains(&format!(
                "Số phiếu theo kênh trả lời: Ki-ốt: {kiosks} phiếu ({}) · Phỏng vấn, hỗ trợ điền: {interviews} phiếu ({}).",
                share(kiosks),
                share(interviews)
            )),
            "section I says how the responses came"
        );
        let row = &report.body[report
            .body
            .find("<th scope=\"row\">Khảo sát nhanh sự hài lòng")
            .unwrap()..];
        let row = &row[..row.find("</tr>").unwrap()];
        let all = format!(">{}<", hailong::report::text::count(vi, all));
        assert!(
            row.contains(&all) && row.contains(">—<"),
            "every response self-survey, none independent: {row}"
        );
        // Narrowed to a channel, the report says so, on the page and in the Word file.
        let narrowed = b.get(&format!("{slug}/report?channel=interview"));
        assert!(
            narrowed
                .body
                .contains("Chỉ tính các phiếu qua kênh: Phỏng vấn, hỗ trợ điền.")
        );
        let row = &narrowed.body[narrowed
            .body
            .find("<th scope=\"row\">Khảo sát nhanh sự hài lòng")
            .unwrap()..];
        let row = &row[..row.find("</tr>").unwrap()];
        assert!(row.contains(&format!(">{interviews}<")), "{row}");
        let (status, _, bytes) = b.bytes(&format!("{slug}/report.docx?channel=interview"));
        assert_eq!(status, 200);
        let json = docx_rs::read_docx(&bytes).expect("a Word document").json();
        assert!(json.contains("Chỉ tính các phiếu qua kênh: Phỏng vấn, hỗ trợ điền."));
        // The province's overview shows the mix of every facility.
        let mut province = Browser::new(&server);
        province.login("so-y-te", PASSWORD);
        let overview = province.get("/overview");
        assert!(overview.body.contains("<p class=\"mix\">"), "the overview's mix");
    });
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
