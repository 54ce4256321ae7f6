//! The centre's pages in headless Chromium (Debian's `chromium` and `chromium-driver`), driven
//! over WebDriver with `fantoccini`: logging in through the form, the overview's figures against
//! the report API, a hostile comment that must stay text, a CSV downloaded from the facility page, the public page on a phone, and an
//! axe-core accessibility check of every page (no serious or critical violation).
//!
//! Without `/usr/bin/chromedriver` the test says so and passes, unless
//! `HAILONG_REQUIRE_BROWSER=1` (set by `.ci/run`, which installs it) makes that a failure.
//! axe-core comes from npm (`.ci/run` installs it under `target/npm`; `HAILONG_AXE_JS` names
//! another copy). `HAILONG_SCREENSHOTS=DIR` saves a PNG of each page there.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};

#[path = "support/server.rs"]
mod server;

#[path = "support/web_data.rs"]
mod web_data;
use web_data::*;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn required() -> bool {
    std::env::var("HAILONG_REQUIRE_BROWSER").is_ok_and(|v| v == "1")
}

/// Starts chromedriver on a free port; `None` (with a notice) when it is not installed.
fn chromedriver() -> Option<(Driver, u16)> {
    if !std::path::Path::new(CHROMEDRIVER).exists() {
        assert!(
            !required(),
            "{CHROMEDRIVER} is missing (apt-get install chromium chromium-driver)"
        );
        eprintln!(
            "NOTICE: {CHROMEDRIVER} is not installed; the browser tests did NOT run \
             (apt-get install chromium chromium-driver, or run .ci/run)"
        );
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(std::time::Instant::now() < deadline, "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    Some((Driver(child), port))
}

async fn browser(port: u16, width: u32, height: u32) -> Client {
    session(
        port,
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     format!("--window-size={width},{height}"), "--lang=vi"],
        }),
    )
    .await
}

/// A Chromium session through the chromedriver on `port`, with these `goog:chromeOptions`.
async fn session(port: u16, chrome_options: serde_json::Value) -> Client {
    let mut caps = serde_json::map::Map::new();
    caps.insert("goog:chromeOptions".into(), chrome_options);
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a Chromium session")
}

/// A phone-sized Chromium: a 390×844 viewport by mobile emulation (headless Chromium does not
/// make a window narrower than 500 pixels), `height` pixels tall for a screenshot of a whole page.
async fn phone_browser(port: u16, height: u32) -> Client {
    session(port, serde_json::json!({
        "binary": "/usr/bin/chromium",
        "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--lang=vi"],
        "mobileEmulation": { "deviceMetrics": { "width": 390, "height": height, "pixelRatio": 1.0, "touch": true } },
    }))
    .await
}

/// axe-core's source, if it is installed.
fn axe_source() -> Option<String> {
    let path = std::env::var("HAILONG_AXE_JS").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/target/npm/node_modules/axe-core/axe.min.js"
        )
        .to_string()
    });
    match std::fs::read_to_string(&path) {
        Ok(s) => Some(s),
        Err(_) => {
            assert!(
                !required(),
                "axe-core is missing at {path} (npm install --prefix target/npm axe-core)"
            );
            eprintln!("NOTICE: axe-core is not installed at {path}; the accessibility check did NOT run");
            None
        }
    }
}

/// Runs axe-core on the current page; panics listing serious and critical violations.
async fn check_accessibility(c: &Client, axe: &Option<String>, page: &str) {
    let Some(axe) = axe else { return };
    c.execute(axe, vec![]).await.expect("axe-core loads");
    let result = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] })
                .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                    .map(v => v.id + ': ' + v.help + ' (' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', ') + ')')))
                .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .unwrap();
    let violations: Vec<String> = serde_json::from_value(result).unwrap();
    assert!(violations.is_empty(), "{page}: {violations:#?}");
}

async fn screenshot(c: &Client, name: &str) {
    if let Ok(dir) = std::env::var("HAILONG_SCREENSHOTS") {
        let png = c.screenshot().await.unwrap();
        std::fs::write(std::path::Path::new(&dir).join(format!("{name}.png")), png).unwrap();
    }
}

async fn text_of(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css)).await.unwrap().text().await.unwrap()
}

#[test]
fn the_pages_work_in_chromium_and_pass_an_accessibility_check() {
    let Some((_driver, port)) = chromedriver() else { return };
    let axe = axe_source();
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn hailong::centre::Backend> =
        Arc::new(hailong::centre::sqlite::SqliteCentre::open(&dir.path().join("centre.sqlite3"), TZ).unwrap());
    let server = centre_with_data(dir.path(), store);
    let base = server.url();
    let rates = [(BA_VI, api_rate(&server, BA_VI)), (MY_DUC, api_rate(&server, MY_DUC))];
    rt().block_on(async {
        let c = browser(port, 1280, 900).await;
        // Logging in through the form lands on the overview.
        c.goto(&format!("{base}/overview")).await.unwrap();
        assert!(c.current_url().await.unwrap().path().starts_with("/login"));
        check_accessibility(&c, &axe, "login").await;
        screenshot(&c, "web-login").await;
        submit_login(&c, "so-y-te").await;
        assert_eq!(c.current_url().await.unwrap().path(), "/overview");
        let table = text_of(&c, "main table").await;
        for (facility, rate) in &rates {
            let row = table
                .lines()
                .find(|l| l.contains(facility))
                .unwrap_or_else(|| panic!("{facility} in {table}"));
            assert!(row.contains(rate.as_str()), "{facility}: {rate} in {row}");
        }
        check_accessibility(&c, &axe, "overview").await;
        screenshot(&c, "web-overview").await;

        // The facility page: the hostile comment is text, nothing of it runs or renders.
        c.goto(&format!("{base}/facility/trung-tam-y-te-huyen-ba-vi"))
            .await
            .unwrap();
        let comments = text_of(&c, "ul.comments").await;
        assert!(comments.contains(HOSTILE), "{comments}");
        let injected: bool = serde_json::from_value(
            c.execute(
                "return document.scripts.length > 0 || document.querySelector('img[src=\"x\"]') !== null",
                vec![],
            )
            .await
            .unwrap(),
        )
        .unwrap();
        assert!(!injected, "the comment became markup");
        check_accessibility(&c, &axe, "facility").await;
        screenshot(&c, "web-facility").await;
        // Export a CSV: the page's link, fetched with the browser's session.
        let link = c
            .find(Locator::Css("a[href$='/export.csv']"))
            .await
            .unwrap()
            .prop("href")
            .await
            .unwrap()
            .expect("the CSV link's address");
        let session = c.get_named_cookie("hl_session").await.unwrap();
        let csv = reqwest::Client::new()
            .get(&link)
            .header("cookie", format!("hl_session={}", session.value()))
            .send()
            .await
            .unwrap();
        assert_eq!(csv.status(), 200);
        assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
        let text = csv.text().await.unwrap();
        let rows = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes())
            .records()
            .count();
        assert_eq!(rows, 150, "every response of the facility's view");
        c.goto(&format!("{base}/facility/trung-tam-y-te-huyen-ba-vi/report"))
            .await
            .unwrap();
        let report = text_of(&c, "article.report").await;
        assert!(report.contains("BÁO CÁO") && report.contains(&rates[0].1), "{report}");
        check_accessibility(&c, &axe, "quarterly report").await;
        screenshot(&c, "web-report").await;
        c.goto(&format!("{base}/account/password")).await.unwrap();
        check_accessibility(&c, &axe, "password").await;
        c.close().await.unwrap();

        // The admin page.
        let admin = browser(port, 1280, 900).await;
        log_in(&admin, &base, "quantri").await;
        admin.goto(&format!("{base}/admin")).await.unwrap();
        assert!(text_of(&admin, "h1").await.contains("Quản trị"));
        check_accessibility(&admin, &axe, "admin").await;
        admin.close().await.unwrap();

        // The public page on a phone: readable without sideways scrolling.
        let phone = phone_browser(port, 844).await;
        phone
            .goto(&format!("{base}/public/trung-tam-y-te-huyen-ba-vi"))
            .await
            .unwrap();
        let h1 = text_of(&phone, "h1").await;
        assert!(h1.contains(BA_VI), "{h1}");
        let fits: bool = serde_json::from_value(
            phone
                .execute(
                    "return document.documentElement.scrollWidth <= window.innerWidth + 1",
                    vec![],
                )
                .await
                .unwrap(),
        )
        .unwrap();
        assert!(fits, "the public page scrolls sideways on a phone");
        assert!(
            !phone.source().await.unwrap().contains("alert("),
            "no comment on the public page"
        );
        check_accessibility(&phone, &axe, "public (phone)").await;
        screenshot(&phone, "web-public-phone").await;
        phone.close().await.unwrap();

        // Issue 23 §3: the pages a director opens from an alert e-mail, on a phone: nothing
        // scrolls sideways, no cell is crushed, chart text is readable, axe is clean.
        let phone = phone_browser(port, 844).await;
        log_in(&phone, &base, "so-y-te").await;
        let width: i64 = serde_json::from_value(phone.execute("return window.innerWidth", vec![]).await.unwrap()).unwrap();
        assert_eq!(width, 390, "a phone's viewport");
        for (name, path) in [
            ("web-overview-phone", "/overview".to_string()),
            ("web-facility-phone", "/facility/trung-tam-y-te-huyen-ba-vi".to_string()),
            ("web-report-phone", "/facility/trung-tam-y-te-huyen-ba-vi/report".to_string()),
            ("web-inbox-phone", "/feedback/trung-tam-y-te-huyen-ba-vi".to_string()),
        ] {
            phone.goto(&format!("{base}{path}")).await.unwrap();
            assert_eq!(phone.current_url().await.unwrap().path(), path);
            let fit: serde_json::Value = phone
                .execute(
                    "const shown = e => e.getClientRects().length > 0;
                     const cells = [...document.querySelectorAll('main th, main td')]
                        .filter(e => shown(e) && !e.closest('table.cards thead'));
                     return {
                        overflow: document.documentElement.scrollWidth - window.innerWidth,
                        narrow: cells.filter(e => e.getBoundingClientRect().width < 44)
                            .map(e => e.tagName + ' ' + Math.round(e.getBoundingClientRect().width) + ' ' + e.textContent.trim().slice(0, 30)),
                        tall: [...cells, ...document.querySelectorAll('main caption')]
                            .filter(e => shown(e) && e.getBoundingClientRect().height > 120)
                            .map(e => e.tagName + ' ' + Math.round(e.getBoundingClientRect().height) + ' ' + e.textContent.trim().slice(0, 30)),
                        tiny_text: [...document.querySelectorAll('svg.chart text')]
                            .filter(t => shown(t) && t.getBoundingClientRect().height < 10)
                            .map(t => t.textContent),
                     };",
                    vec![],
                )
                .await
                .unwrap();
            assert!(fit["overflow"].as_i64().unwrap() <= 1, "{path} scrolls sideways: {fit}");
            assert_eq!(fit["narrow"], serde_json::json!([]), "{path}: cells crushed on a phone");
            assert_eq!(fit["tall"], serde_json::json!([]), "{path}: cells a word per line");
            assert_eq!(fit["tiny_text"], serde_json::json!([]), "{path}: chart text too small");
            check_accessibility(&phone, &axe, name).await;
        }
        phone.close().await.unwrap();
        if std::env::var("HAILONG_SCREENSHOTS").is_ok() {
            // The same pages whole, for README: 390 pixels wide, tall enough for every block.
            let tall = phone_browser(port, 4200).await;
            log_in(&tall, &base, "so-y-te").await;
            for (name, path) in [
                ("web-overview-phone", "/overview"),
                ("web-facility-phone", "/facility/trung-tam-y-te-huyen-ba-vi"),
            ] {
                tall.goto(&format!("{base}{path}")).await.unwrap();
                screenshot(&tall, name).await;
            }
            tall.close().await.unwrap();
        }

        let desktop = browser(port, 1280, 900).await;
        desktop
            .goto(&format!("{base}/public/trung-tam-y-te-huyen-my-duc"))
            .await
            .unwrap();
        check_accessibility(&desktop, &axe, "public").await;
        screenshot(&desktop, "web-public").await;
        desktop.close().await.unwrap();
    });
}

/// Fills in and sends the login form on the page `c` shows.
/// Clicks `target`, which leaves the page (a link or a form's submit button), and waits until
/// the next page has loaded: WebDriver's click returns as soon as the click is dispatched, so a
/// lookup right after it can find the old page's element, which then goes stale.
async fn click_to_leave(c: &Client, target: fantoccini::elements::Element) {
    let old = c.find(Locator::Css("html")).await.unwrap();
    target.click().await.unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let gone = old.tag_name().await.is_err();
        let ready = gone
            && c.execute("return document.readyState", vec![])
                .await
                .is_ok_and(|s| s == "complete");
        if ready {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the click did not lead to a new page"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn submit_login(c: &Client, name: &str) {
    c.find(Locator::Css("#name"))
        .await
        .unwrap()
        .send_keys(name)
        .await
        .unwrap();
    c.find(Locator::Css("#password"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    click_to_leave(c, c.find(Locator::Css("form button[type=submit]")).await.unwrap()).await;
}

async fn log_in(c: &Client, base: &str, name: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    submit_login(c, name).await;
}

/// Submits the item page's form for `action`, after `fill` typed into it.
async fn take(c: &Client, action: &str, fields: &[(&str, &str)]) {
    let form = format!("form.action:has(input[name=action][value={action}])");
    for (css, text) in fields {
        let field = c.find(Locator::Css(&format!("{form} {css}"))).await.unwrap();
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }
    let button = c
        .find(Locator::Css(&format!("{form} button[type=submit]")))
        .await
        .unwrap();
    click_to_leave(c, button).await;
}

async fn no_injected_markup(c: &Client) -> bool {
    serde_json::from_value(
        c.execute(
            "return document.scripts.length === 0 && document.querySelector('img[src=\"x\"]') === null",
            vec![],
        )
        .await
        .unwrap(),
    )
    .unwrap()
}

#[test]
fn the_feedback_box_works_in_chromium_from_the_form_to_the_published_answer() {
    let Some((_driver, port)) = chromedriver() else { return };
    let axe = axe_source();
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn hailong::centre::Backend> =
        Arc::new(hailong::centre::sqlite::SqliteCentre::open(&dir.path().join("centre.sqlite3"), TZ).unwrap());
    let server = centre_with_data(dir.path(), store);
    add_leader(&server, "giamdoc", BA_VI);
    let base = server.url();
    let slug = "trung-tam-y-te-huyen-ba-vi";
    rt().block_on(async {
        // A patient's relative sends a concern from a phone.
        let phone = browser(port, 390, 844).await;
        phone.goto(&format!("{base}/gop-y/{slug}")).await.unwrap();
        check_accessibility(&phone, &axe, "feedback form (phone)").await;
        screenshot(&phone, "web-feedback-form-phone").await;
        phone
            .find(Locator::Css("input[name=kind][value=reflection]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        phone
            .find(Locator::Css("#fb-department"))
            .await
            .unwrap()
            .send_keys("Khoa Nhi")
            .await
            .unwrap();
        let said = format!("Phòng chờ khoa Nhi thiếu ghế. {HOSTILE}");
        phone
            .find(Locator::Css("#fb-text"))
            .await
            .unwrap()
            .send_keys(&said)
            .await
            .unwrap();
        phone
            .find(Locator::Css("#fb-email"))
            .await
            .unwrap()
            .send_keys("an@example.vn")
            .await
            .unwrap();
        phone
            .find(Locator::Css("#fb-consent"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        click_to_leave(
            &phone,
            phone
                .find(Locator::Css("form.stack button[type=submit]"))
                .await
                .unwrap(),
        )
        .await;
        let code = text_of(&phone, "p.code").await;
        assert_eq!(code.len(), 9, "{code}");
        check_accessibility(&phone, &axe, "receipt (phone)").await;
        screenshot(&phone, "web-feedback-receipt-phone").await;
        let fits: bool = serde_json::from_value(
            phone
                .execute(
                    "return document.documentElement.scrollWidth <= window.innerWidth + 1",
                    vec![],
                )
                .await
                .unwrap(),
        )
        .unwrap();
        assert!(fits, "the receipt scrolls sideways on a phone");

        // The quality office classifies, assigns and writes the reply.
        let staff = browser(port, 1280, 900).await;
        log_in(&staff, &base, "bavi").await;
        staff.goto(&format!("{base}/feedback/{slug}")).await.unwrap();
        let inbox = text_of(&staff, "main table.items").await;
        assert!(inbox.contains(&code) && inbox.contains("<script>"), "{inbox}");
        assert!(
            no_injected_markup(&staff).await,
            "the message became markup in the inbox"
        );
        check_accessibility(&staff, &axe, "inbox").await;
        screenshot(&staff, "web-feedback-inbox").await;
        click_to_leave(&staff, staff.find(Locator::LinkText(&code)).await.unwrap()).await;
        take(&staff, "classify", &[]).await;
        take(
            &staff,
            "assign",
            &[("#department", "Khoa Nhi"), ("#assignee", "ĐD trưởng Hoa")],
        )
        .await;
        take(&staff, "start", &[]).await;
        let reply = "Khoa đã bổ sung 10 ghế ở phòng chờ. Cảm ơn ông/bà đã góp ý.";
        take(&staff, "draft", &[("#reply", reply)]).await;
        assert!(text_of(&staff, "main").await.contains("chưa được lãnh đạo duyệt"));
        assert!(
            no_injected_markup(&staff).await,
            "the message became markup on the item page"
        );
        check_accessibility(&staff, &axe, "item").await;
        staff.close().await.unwrap();

        // The director approves and publishes an anonymised version.
        let director = browser(port, 1280, 1100).await;
        log_in(&director, &base, "giamdoc").await;
        director
            .goto(&format!("{base}/feedback/item/{}", code.replace('-', "")))
            .await
            .unwrap();
        take(&director, "approve", &[]).await;
        let published = "Người nhà người bệnh phản ánh phòng chờ khoa Nhi thiếu ghế; khoa đã bổ sung 10 ghế.";
        // The box starts empty; the text is shown as the public will see it, then confirmed.
        take(&director, "publish", &[("#published", published)]).await;
        assert!(text_of(&director, "section.preview").await.contains(published));
        check_accessibility(&director, &axe, "publish preview").await;
        take(&director, "publish", &[]).await;
        let page = text_of(&director, "main").await;
        assert!(page.contains("Đã trả lời") && page.contains(published), "{page}");
        assert!(!page.contains("an@example.vn"), "the contact is shown only on request");
        take(&director, "view_contact", &[]).await;
        let page = text_of(&director, "main").await;
        assert!(page.contains("an@example.vn"), "the leader sees the consented contact");
        screenshot(&director, "web-feedback-item").await;
        director.close().await.unwrap();

        // The public page shows the answer; the follow-up page the state.
        let public = browser(port, 1280, 900).await;
        public.goto(&format!("{base}/public/{slug}")).await.unwrap();
        let block = text_of(&public, "section.said-did").await;
        assert!(
            block.contains("Ý kiến người bệnh – Việc chúng tôi đã làm") && block.contains(published),
            "{block}"
        );
        assert!(!public.source().await.unwrap().contains("an@example.vn"));
        check_accessibility(&public, &axe, "public with answers").await;
        public
            .find(Locator::Css("section.said-did"))
            .await
            .unwrap()
            .screenshot()
            .await
            .map(|png| {
                if let Ok(dir) = std::env::var("HAILONG_SCREENSHOTS") {
                    std::fs::write(std::path::Path::new(&dir).join("web-public-said-did.png"), png).unwrap();
                }
            })
            .unwrap();
        public.goto(&format!("{base}/theo-doi")).await.unwrap();
        public
            .find(Locator::Css("#code"))
            .await
            .unwrap()
            .send_keys(&code.to_lowercase())
            .await
            .unwrap();
        click_to_leave(
            &public,
            public.find(Locator::Css("form button[type=submit]")).await.unwrap(),
        )
        .await;
        let follow = text_of(&public, "main").await;
        assert!(follow.contains("Đã trả lời") && follow.contains(published), "{follow}");
        assert!(
            !follow.contains("thiếu ghế. <script>"),
            "the person's own words are not shown"
        );
        check_accessibility(&public, &axe, "follow-up").await;
        public.close().await.unwrap();
    });
}

/// Answers a phone form in Chromium from its start page `url`, tapping as a patient would: the
/// best face, the first option, 100 %, a few words — and, when `low`, the first face of the first
/// rated question, then the first reason. Checks that no page sends a script, and that the
/// pages pass the accessibility check; the last page's text.
async fn answer_on_phone(
    c: &Client,
    axe: &Option<String>,
    url: &str,
    q: &hailong::survey::Questionnaire,
    low: bool,
) -> String {
    use hailong::survey::ItemKind;
    c.goto(url).await.unwrap();
    check_accessibility(c, axe, "phone start").await;
    click_to_leave(c, c.find(Locator::Css("form button.primary")).await.unwrap()).await;
    let mut groups: Vec<&[hailong::survey::Item]> = Vec::new();
    if !q.demographics.is_empty() {
        groups.push(&q.demographics);
    }
    groups.extend(q.sections.iter().map(|s| s.items.as_slice()));
    let mut low_left = low;
    for (i, items) in groups.iter().enumerate() {
        let progress = text_of(c, ".progress label").await;
        assert_eq!(progress, format!("Phần {}/{}", i + 1, groups.len()));
        let scripts: serde_json::Value = c.execute("return document.scripts.length", vec![]).await.unwrap();
        assert_eq!(scripts, 0, "the phone form sends no script");
        if i == 1 {
            check_accessibility(c, axe, "phone section").await;
        }
        let mut reasons = false;
        for item in *items {
            let css = match &item.kind {
                ItemKind::Scale5 { .. } if low_left => {
                    low_left = false;
                    reasons = item.follow_up().is_some();
                    format!("input[name='{}'][value='1']", item.code)
                }
                ItemKind::Scale5 { .. } => format!("input[name='{}'][value='5']", item.code),
                ItemKind::Choice { options } => format!("input[name='{}'][value='{}']", item.code, options[0].code),
                ItemKind::Percent { .. } | ItemKind::Text { .. } => {
                    let field = c.find(Locator::Css(&format!("[name='{}']", item.code))).await.unwrap();
                    let typed = if matches!(item.kind, ItemKind::Percent { .. }) {
                        "100"
                    } else {
                        "Bác sĩ tận tình"
                    };
                    field.send_keys(typed).await.unwrap();
                    continue;
                }
            };
            // A tap on the face or the option's words (the label), as a finger does.
            let input = c.find(Locator::Css(&css)).await.unwrap();
            input.click().await.unwrap();
        }
        click_to_leave(c, c.find(Locator::Css("button[name=go][value=next]")).await.unwrap()).await;
        if reasons {
            let why = text_of(c, "main").await;
            assert!(why.contains("Vì sao Ông/Bà chưa hài lòng?"), "{why}");
            c.find(Locator::Css("input[type=checkbox]"))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
            click_to_leave(c, c.find(Locator::Css("button[name=go][value=next]")).await.unwrap()).await;
        }
    }
    text_of(c, "main").await
}

/// Issue 27 §4: a Mẫu 2 and a Mẫu 1 answered in a 390×844 Chromium from a kiosk's rotating link,
/// on both backends; the responses show on the facility page under `phone`. With JavaScript off
/// the form works the same because no page of it carries a script (checked on every screen
/// here; `tests/phone.rs` answers it with an HTTP client that runs none). Chromium's own
/// "JavaScript blocked" setting cannot be driven: it stops chromedriver's scripts too.
#[test]
fn patients_answer_on_phone_sized_chromium_from_the_kiosks_link() {
    let Some((_driver, port)) = chromedriver() else { return };
    let axe = axe_source();
    let dir = tempfile::tempdir().unwrap();
    let catalog = hailong::survey::Catalog::built_in();
    for (name, store) in server::backends(dir.path()) {
        eprintln!("backend: {name}");
        let server = start_at_now(store.clone());
        let (token, kiosk_id) = synced_kiosk(&dir.path().join(name), &server, BA_VI, 5);
        add_user(
            &server,
            "bavi",
            hailong::centre::accounts::Role::Facility,
            Some(BA_VI),
            None,
        );
        let key = hailong::phone::key_of_token(&token);
        let base = server.url();
        rt().block_on(async {
            for (form, low) in [("byt-ngoai-tru", false), ("byt-noi-tru", true)] {
                let c = phone_browser(port, 844).await;
                // A new window of the kiosk's code for each phone (a code opens one session).
                server.centre.clock.advance(chrono::Duration::seconds(30));
                let link = hailong::phone::link(&base, &key, &kiosk_id, form, server.centre.now());
                let q = catalog.latest(form).unwrap();
                let end = answer_on_phone(&c, &axe, &link, q, low).await;
                assert!(end.contains("Xin cảm ơn Ông/Bà"), "{form}: {end}");
                c.close().await.unwrap();
            }
            // The two show on the facility page, under the phone channel.
            let c = browser(port, 1280, 900).await;
            log_in(&c, &base, "bavi").await;
            c.goto(&format!("{base}/facility/trung-tam-y-te-huyen-ba-vi?channel=phone"))
                .await
                .unwrap();
            let page = text_of(&c, "main").await;
            assert!(page.contains("Điện thoại (mã QR trên ki-ốt): 2 phiếu"), "{page}");
            c.close().await.unwrap();
        });
        let report = api_report_with(&server, &[("facility", BA_VI), ("channel", "phone")]);
        assert_eq!(report["responses"], 2, "{report}");
    }
}

/// Prints `html` as Chromium does (to PDF); `pdfinfo`'s lines.
fn printed(html: &str, dir: &std::path::Path, name: &str) -> String {
    let page = dir.join(format!("{name}.html"));
    let pdf = dir.join(format!("{name}.pdf"));
    std::fs::write(&page, html).unwrap();
    let out = Command::new("/usr/bin/chromium")
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        pdf.exists(),
        "Chromium printed nothing: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let info = Command::new("pdfinfo")
        .arg(&pdf)
        .output()
        .expect("pdfinfo (poppler-utils)");
    String::from_utf8_lossy(&info.stdout).into_owned()
}

/// Issue 27 §3.2–3.3: the ticket sheet prints twelve tickets to an A4 page and the poster on
/// one A4 page, as a browser prints them.
#[test]
fn the_ticket_sheet_and_the_poster_print_on_a4() {
    if chromedriver().is_none() {
        return;
    }
    use hailong::centre::http::web::sheet;
    let dir = tempfile::tempdir().unwrap();
    let printed_for = sheet::Printed {
        facility: BA_VI,
        point: "Khoa Nội",
        form: "Phiếu khảo sát ý kiến người bệnh nội trú",
        base: "https://hailong.ttyt.example.vn",
    };
    for (count, pages) in [(12, 1), (13, 2), (36, 3)] {
        let codes: Vec<String> = (0..count).map(|_| hailong::phone::paper_code()).collect();
        let html = sheet::tickets(hailong::survey::Locale::Vi, printed_for, &codes, today());
        let info = printed(&html, dir.path(), &format!("tickets-{count}"));
        assert!(
            info.contains(&format!("Pages:           {pages}\n")),
            "{count} tickets: {info}"
        );
        assert!(info.contains("(A4)"), "A4: {info}");
    }
    let html = sheet::poster(hailong::survey::Locale::Vi, printed_for, &hailong::phone::paper_code());
    let info = printed(&html, dir.path(), "poster");
    assert!(info.contains("Pages:           1\n"), "{info}");
}

/// Lighthouse's command, if it is installed (`.ci/run` puts it under `target/npm`).
fn lighthouse() -> Option<String> {
    let path = std::env::var("HAILONG_LIGHTHOUSE").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/target/npm/node_modules/.bin/lighthouse").to_string()
    });
    if std::path::Path::new(&path).exists() {
        return Some(path);
    }
    assert!(
        !required(),
        "Lighthouse is missing at {path} (npm install --prefix target/npm lighthouse@12)"
    );
    eprintln!("NOTICE: Lighthouse is not installed; the phone form's budget was NOT checked");
    None
}

/// Lighthouse's report of `url` (its mobile profile, the default), sending `cookie`.
fn lighthouse_report(lighthouse: &str, url: &str, cookie: &str, out: &std::path::Path) -> serde_json::Value {
    let status = Command::new(lighthouse)
        .arg(url)
        .arg(format!("--extra-headers={}", serde_json::json!({ "Cookie": cookie })))
        .args([
            "--only-categories=performance,accessibility",
            "--chrome-flags=--headless=new --no-sandbox --disable-dev-shm-usage",
            "--output=json",
            "--quiet",
        ])
        .arg(format!("--output-path={}", out.display()))
        .env("CHROME_PATH", "/usr/bin/chromium")
        .status()
        .unwrap();
    assert!(status.success(), "lighthouse {url}");
    serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap()
}

/// Issue 27 §2's budget: the phone form's start page and first screen, under Lighthouse's
/// mobile profile against Debian's Chromium: performance and accessibility ≥ 0.95, ≤ 50 kB
/// transferred with the stylesheet, and no request to anyone but the centre.
#[test]
fn the_phone_form_keeps_its_lighthouse_budget() {
    if chromedriver().is_none() {
        return;
    }
    let Some(lighthouse) = lighthouse() else { return };
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn hailong::centre::Backend> =
        Arc::new(hailong::centre::sqlite::SqliteCentre::open(&dir.path().join("centre.sqlite3"), TZ).unwrap());
    let server = start_at_now(store.clone());
    server.enrol(BA_VI);
    let code = store
        .poster(
            BA_VI,
            "Sảnh chờ",
            "byt-ngoai-tru",
            &hailong::phone::paper_code(),
            false,
            now(),
        )
        .unwrap();
    // A session on the first screen, for the second page.
    let mut phone = Browser::new(&server);
    let path = format!("/q/{code}");
    let start = phone.get(&path);
    let redeemed = phone.post(&path, &[("csrf", &start.hidden("csrf"))]);
    assert_eq!(redeemed.status, 303);
    let cookie = ["hl_pform", "hl_device", "hl_phone"]
        .iter()
        .filter_map(|name| {
            Some(format!(
                "{name}={}",
                redeemed.cookie(name).or_else(|| start.cookie(name))?
            ))
        })
        .collect::<Vec<_>>()
        .join("; ");
    let base = server.url();
    for (name, url, cookie) in [
        ("start", format!("{base}{path}"), String::new()),
        ("first screen", format!("{base}/phone"), cookie),
    ] {
        let report = lighthouse_report(&lighthouse, &url, &cookie, &dir.path().join("lighthouse.json"));
        assert_eq!(report["finalDisplayedUrl"], url.as_str(), "{name}");
        for category in ["performance", "accessibility"] {
            let score = report["categories"][category]["score"].as_f64().unwrap_or(0.0);
            assert!(score >= 0.95, "{name}: {category} {score}");
        }
        let bytes = report["audits"]["total-byte-weight"]["numericValue"].as_f64().unwrap();
        assert!(bytes <= 50_000.0, "{name}: {bytes} bytes");
        let requests = report["audits"]["network-requests"]["details"]["items"]
            .as_array()
            .unwrap();
        for r in requests {
            let url = r["url"].as_str().unwrap();
            assert!(url.starts_with(&base), "{name}: a request to {url}");
        }
        eprintln!("{name}: {bytes} bytes, {} requests", requests.len());
    }
}
