//! Alerts against a real SMTP server on 127.0.0.1 (Python's aiosmtpd, as `.ci/run` installs
//! it) and a webhook receiver, on both backends: an overdue item gives exactly one e-mail to
//! each who should hear of it, with the right text; while SMTP is down the alert waits in the
//! queue and goes out once the server is back; two centre processes on one PostgreSQL send
//! each alert once.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use hailong::centre::alerts::{self, send::Sender};
use hailong::centre::{Backend, Centre};
use hailong::config::{AlertEvent, AlertsConfig, Recipient, SmtpSecurity};
use hailong::feedback::{Channel, Contact, Deadlines, Holidays, Item, Kind, ReceiptCode, Submission};
use hailong::survey::{Catalog, Locale, ScoringOptions};

#[path = "support/server.rs"]
mod server;

const TZ: chrono_tz::Tz = chrono_tz::Asia::Ho_Chi_Minh;
const FACILITY: &str = "Trung tâm Y tế huyện Ba Vì";

/// An SMTP server on 127.0.0.1:`port` that stores every message in the maildir `dir`; stopped
/// on drop.
struct Smtp(Child);

impl Smtp {
    fn start(port: u16, dir: &Path) -> Option<Smtp> {
        let child = Command::new("python3")
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let smtp = Smtp(child);
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(smtp);
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        None
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn have_aiosmtpd() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var("HAILONG_REQUIRE_SMTP").is_err(),
            "HAILONG_REQUIRE_SMTP is set but python3 cannot import aiosmtpd (pip install aiosmtpd)"
        );
        eprintln!("NOTICE: python3 has no aiosmtpd (pip install aiosmtpd): the SMTP alert tests are NOT run here");
    }
    ok
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Every message in the maildir, as (recipient, decoded subject, decoded body).
fn mails(dir: &Path) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for sub in ["new", "cur"] {
        let Ok(entries) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        for e in entries {
            let path = e.unwrap().path();
            let decoded = Command::new("python3")
                .args([
                    "-c",
                    "import email, email.header, sys\n\
                     m = email.message_from_binary_file(open(sys.argv[1], 'rb'))\n\
                     s = str(email.header.make_header(email.header.decode_header(m['Subject'])))\n\
                     print(m['To']); print(s); print(m.get_payload(decode=True).decode('utf-8'))",
                ])
                .arg(&path)
                .output()
                .unwrap();
            let text = String::from_utf8(decoded.stdout).unwrap();
            let mut lines = text.lines();
            let to = lines.next().unwrap_or("").to_string();
            let subject = lines.next().unwrap_or("").to_string();
            out.push((to, subject, lines.collect::<Vec<_>>().join("\n")));
        }
    }
    out.sort();
    out
}

fn centre(backend: Arc<dyn Backend>) -> Centre {
    Centre::new(backend, Arc::new(Catalog::built_in()), ScoringOptions::default())
}

fn item(received_at: DateTime<Utc>, kind: Kind, urgent: bool) -> Item {
    let on = received_at.with_timezone(&TZ).date_naive();
    let mut item = Item::received(
        Submission {
            id: uuid::Uuid::now_v7(),
            code: ReceiptCode::new(),
            facility: FACILITY.into(),
            channel: Channel::Web,
            kind,
            department: Some("Khoa Nội".into()),
            text: "Bí mật của người gửi: không được vào thư".into(),
            contact: Contact::default(),
            identity: Some("Nguyễn Văn A".into()),
            received_at,
            opening: None,
            due: Deadlines::default().due(kind, on, &Holidays::built_in()),
            forward_by: None,
        },
        "web",
    )
    .unwrap();
    if urgent {
        item.act(
            received_at,
            "qlcl",
            hailong::feedback::Action::Classify {
                kind,
                urgent: true,
                due: item.due,
            },
        )
        .unwrap();
    }
    item
}

fn config(port: u16, webhook: Option<String>) -> AlertsConfig {
    let recipient = |email: &str, director: bool, events: Vec<AlertEvent>| Recipient {
        email: email.into(),
        webhook: false,
        facility: FACILITY.into(),
        director,
        events,
        locale: Locale::Vi,
    };
    let mut recipients = vec![
        recipient(
            "qlcl@ttyt-bavi.test",
            false,
            vec![AlertEvent::Overdue, AlertEvent::Urgent],
        ),
        // The director chose only the daily digest; overdue items escalate to them anyway.
        recipient("giamdoc@ttyt-bavi.test", true, vec![AlertEvent::Daily]),
        // Another facility's staff hear nothing of Ba Vì.
        Recipient {
            facility: "Trung tâm Y tế huyện Mỹ Đức".into(),
            ..recipient(
                "qlcl@ttyt-myduc.test",
                true,
                vec![
                    AlertEvent::Overdue,
                    AlertEvent::Urgent,
                    AlertEvent::DueSoon,
                    AlertEvent::BelowTarget,
                ],
            )
        },
    ];
    if webhook.is_some() {
        recipients.push(Recipient {
            email: String::new(),
            webhook: true,
            ..recipient("", false, vec![AlertEvent::Overdue])
        });
    }
    AlertsConfig {
        smtp_host: "127.0.0.1".into(),
        smtp_port: port,
        smtp_security: SmtpSecurity::None,
        from: "hailong@ttyt-bavi.test".into(),
        webhook_url: webhook.unwrap_or_default(),
        webhook_secret: "khóa bí mật dài hơn mười sáu".into(),
        digest_hour: 0,
        recipients,
        ..AlertsConfig::default()
    }
}

type Hooks = Arc<Mutex<Vec<(String, Vec<u8>)>>>;

/// A webhook receiver on 127.0.0.1 that keeps each POST's signature header and body.
fn webhook_receiver(rt: &tokio::runtime::Runtime) -> (String, Hooks) {
    let hooks: Hooks = Arc::default();
    let h = hooks.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
            let h = h.clone();
            async move {
                let sig = headers
                    .get(alerts::send::SIGNATURE_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string();
                h.lock().unwrap().push((sig, body.to_vec()));
                "ok"
            }
        }),
    );
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    rt.spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, hooks)
}

fn local_noon_today() -> DateTime<Utc> {
    let today = Utc::now().with_timezone(&TZ).date_naive();
    today
        .and_hms_opt(12, 0, 0)
        .unwrap()
        .and_local_timezone(TZ)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

fn run_case(name: &str, backend: Arc<dyn Backend>, dir: &Path) {
    eprintln!("backend: {name}");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let maildir: PathBuf = dir.join(format!("mail-{name}"));
    let port = free_port();
    let (hook_url, hooks) = webhook_receiver(&rt);
    let config = config(port, Some(hook_url));
    alerts::check(&config).unwrap();
    let sender = Sender::new(&config).unwrap();
    let c = centre(backend);
    // Today at noon, local time: the later rounds (up to eleven minutes on) stay on the same
    // local day, so no second day's digest falls due mid-test whatever the hour it runs.
    let now = local_noon_today();
    // Received 40 days ago, a suggestion has 15 working days: overdue.
    let overdue = item(now - chrono::Duration::days(40), Kind::Suggestion, false);
    c.feedback.add_item(&overdue, None).unwrap();
    // Received today: neither due soon nor overdue.
    c.feedback.add_item(&item(now, Kind::Suggestion, false), None).unwrap();
    let code = overdue.submission.code.to_string();

    // SMTP is down: everything is queued, nothing lost.
    let first = rt.block_on(alerts::round(&c, &config, &sender, now)).unwrap();
    assert_eq!(
        first.queued, 4,
        "overdue to quality and the director, the webhook, the daily digest: {first:?}"
    );
    assert_eq!(
        (first.sent, first.failed),
        (1, 3),
        "only the webhook went out: {first:?}"
    );
    let queued = c.alerts.recent_alerts(10).unwrap();
    assert!(
        queued
            .iter()
            .filter(|a| a.sent_at.is_none())
            .all(|a| a.attempts == 1 && a.last_error.is_some())
    );
    assert!(
        queued
            .iter()
            .all(|a| !a.last_error.as_deref().unwrap_or("").contains("khóa bí mật")),
        "no secret in errors"
    );
    // Evaluated again at once: nothing new, nothing due yet.
    let again = rt.block_on(alerts::round(&c, &config, &sender, now)).unwrap();
    assert_eq!((again.queued, again.sent, again.failed), (0, 0, 0));

    // The server is back; after the back-off everything waiting goes out, once.
    let _smtp = Smtp::start(port, &maildir).expect("aiosmtpd starts");
    let later = rt
        .block_on(alerts::round(&c, &config, &sender, now + chrono::Duration::minutes(2)))
        .unwrap();
    assert_eq!((later.queued, later.sent, later.failed), (0, 3, 0), "{later:?}");
    let after = rt
        .block_on(alerts::round(&c, &config, &sender, now + chrono::Duration::minutes(10)))
        .unwrap();
    assert_eq!((after.queued, after.sent), (0, 0));

    let got = mails(&maildir);
    assert_eq!(got.len(), 3, "{got:#?}");
    let overdue_mails: Vec<_> = got.iter().filter(|(_, s, _)| s.contains("QUÁ HẠN")).collect();
    assert_eq!(overdue_mails.len(), 2);
    let to: Vec<&str> = overdue_mails.iter().map(|(t, _, _)| t.as_str()).collect();
    assert_eq!(to, ["giamdoc@ttyt-bavi.test", "qlcl@ttyt-bavi.test"]);
    for (_, subject, body) in &overdue_mails {
        assert_eq!(subject, &format!("[hailong] QUÁ HẠN: ý kiến {code} – {FACILITY}"));
        assert!(
            body.contains(&format!("Ý kiến {code} (Góp ý, khoa/phòng Khoa Nội)")),
            "{body}"
        );
        assert!(body.contains("đã quá hạn xử lý ngày"), "{body}");
        assert!(
            !body.contains("Bí mật") && !body.contains("Nguyễn Văn A"),
            "no sender's words or name"
        );
    }
    let digest = got
        .iter()
        .find(|(_, s, _)| s.contains("Bản tin ngày"))
        .expect("a daily digest");
    assert_eq!(digest.0, "giamdoc@ttyt-bavi.test");
    assert!(digest.2.contains("1 ý kiến quá hạn"), "{}", digest.2);

    // An approved answer goes to the person who consented to e-mail, once.
    let mut answered = item(now, Kind::Suggestion, false);
    answered.submission.contact.email = Some("nguoibenh@example.vn".into());
    let mut answered = Item::received(answered.submission.clone(), "web").unwrap();
    use hailong::feedback::Action;
    for (who, action) in [
        (
            "qlcl",
            Action::Classify {
                kind: Kind::Suggestion,
                urgent: false,
                due: answered.due,
            },
        ),
        (
            "qlcl",
            Action::Assign {
                department: "Khoa Nội".into(),
                assignee: None,
                due: None,
            },
        ),
        (
            "noi",
            Action::Draft {
                reply: "Khoa đã thay vòi nước ở nhà vệ sinh tầng 2.".into(),
            },
        ),
        ("giamdoc", Action::Approve),
    ] {
        answered.act(now, who, action).unwrap();
    }
    c.feedback.add_item(&answered, None).unwrap();
    let mail = alerts::reply_to_sender(&answered, "http://127.0.0.1:8080").expect("a reply e-mail");
    assert!(c.alerts.enqueue(&mail, now).unwrap());
    assert!(!c.alerts.enqueue(&mail, now).unwrap(), "queued once");
    let replied = rt
        .block_on(alerts::round(&c, &config, &sender, now + chrono::Duration::minutes(11)))
        .unwrap();
    assert_eq!(replied.sent, 1, "{replied:?}");
    let got = mails(&maildir);
    let reply = got
        .iter()
        .find(|(to, _, _)| to == "nguoibenh@example.vn")
        .expect("the reply");
    let answered_code = answered.submission.code.to_string();
    assert_eq!(reply.1, format!("Trả lời ý kiến {answered_code} – {FACILITY}"));
    assert!(
        reply.2.contains("Khoa đã thay vòi nước ở nhà vệ sinh tầng 2."),
        "{}",
        reply.2
    );
    assert!(reply.2.contains(&format!(
        "http://127.0.0.1:8080/theo-doi?code={}",
        answered.submission.code.as_str()
    )));
    // Someone who gave no e-mail gets none.
    assert!(alerts::reply_to_sender(&overdue, "http://x").is_none());

    // The webhook got one POST, signed.
    let hooks = hooks.lock().unwrap();
    assert_eq!(hooks.len(), 1);
    let (sig, body) = &hooks[0];
    assert_eq!(
        sig,
        &format!(
            "sha256={}",
            alerts::send::signature(config.webhook_secret.as_bytes(), body)
        )
    );
    let json: serde_json::Value = serde_json::from_slice(body).unwrap();
    assert_eq!(json["event"], "overdue");
    assert!(json["subject"].as_str().unwrap().contains(&code));
}

#[test]
fn an_overdue_item_is_mailed_once_even_when_smtp_was_down() {
    if !have_aiosmtpd() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (name, backend) in server::backends(dir.path()) {
        run_case(name, backend, dir.path());
    }
}

#[test]
fn two_centre_processes_on_one_postgresql_send_each_alert_once() {
    if !have_aiosmtpd() {
        return;
    }
    let Some(url) = server::postgres_url() else { return };
    let dir = tempfile::tempdir().unwrap();
    let scoped = server::postgres_schema(&url);
    let open =
        || -> Arc<dyn Backend> { Arc::new(hailong::centre::postgres::PostgresCentre::open(&scoped, TZ).unwrap()) };
    let (one, two) = (centre(open()), centre(open()));
    let port = free_port();
    let maildir = dir.path().join("mail");
    let _smtp = Smtp::start(port, &maildir).expect("aiosmtpd starts");
    let mut config = config(port, None);
    config.recipients.truncate(1);
    let sender = Sender::new(&config).unwrap();
    let now = Utc::now();
    for _ in 0..5 {
        one.feedback
            .add_item(&item(now - chrono::Duration::days(40), Kind::Reflection, true), None)
            .unwrap();
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (a, b) = rt.block_on(async {
        tokio::join!(
            alerts::round(&one, &config, &sender, now),
            alerts::round(&two, &config, &sender, now)
        )
    });
    let (a, b) = (a.unwrap(), b.unwrap());
    // Five items, each urgent and overdue, to one recipient: ten alerts, each sent once.
    assert_eq!(a.queued + b.queued, 10, "{a:?} {b:?}");
    assert_eq!(a.sent + b.sent, 10, "{a:?} {b:?}");
    assert_eq!(mails(&maildir).len(), 10);
}

/// Issue 23 §4: what is below the target reaches each recipient as one message per round (not
/// one per facility and department), every alert links absolutely to its page from the
/// configured public address, each e-mail has a Message-ID, the admin list names events in
/// words, and an urgent item nobody took up goes to the facility's directors.
#[test]
fn a_round_gives_each_recipient_one_message_of_what_is_below_target_with_links() {
    if !have_aiosmtpd() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let backend: Arc<dyn Backend> =
        Arc::new(hailong::centre::sqlite::SqliteCentre::open(&dir.path().join("c.sqlite3"), TZ).unwrap());
    let mut c = centre(backend);
    c.web.public_url = Some("https://hailong.soyte.test".into());
    let now = local_noon_today();
    let today = now.with_timezone(&TZ).date_naive();
    let catalog = Catalog::built_in();
    hailong::centre::demo::fill(
        c.store.as_ref(),
        &catalog,
        &hailong::centre::demo::Options {
            facilities: 3,
            kiosks_per_facility: 1,
            responses: 3000,
            seed: 7,
            end: today,
            tz: TZ,
            questionnaire: "kiosk-nhanh".into(),
        },
        &mut |_| {},
    )
    .unwrap();
    // Urgent since five hours ago and untouched; another urgent one already given to a
    // department.
    let untouched = item(now - chrono::Duration::hours(5), Kind::Reflection, true);
    c.feedback.add_item(&untouched, None).unwrap();
    let mut taken = item(now - chrono::Duration::hours(5), Kind::Reflection, true);
    taken
        .act(
            now - chrono::Duration::hours(4),
            "qlcl",
            hailong::feedback::Action::Assign {
                department: "Khoa Nội".into(),
                assignee: None,
                due: None,
            },
        )
        .unwrap();
    c.feedback.add_item(&taken, None).unwrap();

    let port = free_port();
    let maildir = dir.path().join("mail");
    let _smtp = Smtp::start(port, &maildir).expect("aiosmtpd starts");
    let mut config = config(port, None);
    config.recipients.push(Recipient {
        email: "soyte@hanoi.test".into(),
        webhook: false,
        facility: String::new(),
        director: false,
        events: vec![AlertEvent::BelowTarget],
        locale: Locale::Vi,
    });
    let sender = Sender::new(&config).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let first = rt.block_on(alerts::round(&c, &config, &sender, now)).unwrap();
    assert_eq!(first.failed, 0, "{first:?}");

    let got = mails(&maildir);
    let province: Vec<_> = got.iter().filter(|(to, _, _)| to == "soyte@hanoi.test").collect();
    assert_eq!(province.len(), 1, "one message for every group below target: {got:#?}");
    let (_, subject, body) = province[0];
    let lines: Vec<&str> = body.lines().filter(|l| l.starts_with("- ")).collect();
    assert!(lines.len() >= 2, "several groups in the one message: {body}");
    assert!(
        subject.contains(&format!("{} đơn vị dưới mục tiêu", lines.len())),
        "{subject}"
    );
    for line in &lines {
        assert!(
            line.contains(" https://hailong.soyte.test/facility/trung-tam-y-te-huyen-"),
            "{line}"
        );
        assert!(line.contains("câu trả lời"), "{line}");
    }
    // A count of thousands is written the Vietnamese way.
    let big = lines
        .iter()
        .find(|l| l.contains("toàn cơ sở"))
        .expect("a whole facility");
    let n: String = big
        .split(" trên ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .to_string();
    assert!(n.contains('.') || n.len() <= 3, "{n} in {big}");

    // The director hears of the urgent item nobody took, with its link; not of the taken one.
    let escalated: Vec<_> = got.iter().filter(|(_, s, _)| s.contains("CHƯA AI NHẬN")).collect();
    assert_eq!(escalated.len(), 1, "{got:#?}");
    assert_eq!(escalated[0].0, "giamdoc@ttyt-bavi.test");
    assert!(escalated[0].1.contains(&untouched.submission.code.to_string()));
    assert!(
        escalated[0].2.contains(&format!(
            "https://hailong.soyte.test/feedback/item/{}",
            untouched.submission.code.as_str()
        )),
        "{}",
        escalated[0].2
    );
    // Every e-mail, urgent ones included, links to its page.
    for (to, subject, body) in &got {
        assert!(body.contains("https://hailong.soyte.test/"), "{to} {subject}: {body}");
    }
    // Each message has its own Message-ID at the sender's domain.
    let mut ids = Vec::new();
    for sub in ["new", "cur"] {
        for e in std::fs::read_dir(maildir.join(sub)).into_iter().flatten() {
            let raw = std::fs::read_to_string(e.unwrap().path()).unwrap();
            let id = raw
                .lines()
                .find(|l| l.to_ascii_lowercase().starts_with("message-id:"))
                .unwrap_or_else(|| panic!("no Message-ID: {raw}"))
                .to_string();
            assert!(id.contains("@ttyt-bavi.test>"), "{id}");
            ids.push(id);
        }
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), got.len());

    // The same state a minute later: nothing new (the list did not change).
    let again = rt
        .block_on(alerts::round(&c, &config, &sender, now + chrono::Duration::minutes(1)))
        .unwrap();
    assert_eq!(again.queued, 0, "{again:?}");
    // The admin list says what each alert is about in words.
    assert_eq!(alerts::event_words(Locale::Vi, "below_target"), "Dưới mục tiêu");
    assert!(
        c.alerts
            .recent_alerts(50)
            .unwrap()
            .iter()
            .all(|a| alerts::event_words(Locale::Vi, &a.event) != a.event)
    );
}
