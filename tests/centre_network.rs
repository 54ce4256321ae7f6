//! The centre against a hostile or broken network, over real sockets on 127.0.0.1: clients that
//! connect and send nothing, send half a request, stall in a body, keep idle connections, flood
//! the ingest, or announce a body over the limit; and a shutdown none of them can hold up.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use hailong::centre::{self, Timeouts};
use hailong::store::Store;
use hailong::survey::Catalog;
use hailong::survey::demo::{DemoOptions, generate};
use hailong::sync::client::{self, Target};

#[path = "support/server.rs"]
mod server;
use server::Server;

const TZ: chrono_tz::Tz = chrono_tz::Asia::Ho_Chi_Minh;

fn short() -> Timeouts {
    Timeouts {
        headers: Duration::from_secs(1),
        body_stall: Duration::from_secs(1),
        shutdown: Duration::from_secs(1),
        queue: Duration::from_millis(500),
    }
}

fn start(dir: &std::path::Path, timeouts: Timeouts) -> Server {
    let store = hailong::centre::sqlite::SqliteCentre::open(&dir.join("centre.sqlite3"), TZ).unwrap();
    Server::start_timed(Arc::new(store), timeouts)
}

fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s
}

/// Waits for the centre's "100 Continue": the request it answers is being read.
fn continued(s: &mut TcpStream) {
    let mut head = [0u8; 25];
    s.read_exact(&mut head).unwrap();
    assert!(
        head.starts_with(b"HTTP/1.1 100 Continue\r\n\r\n"),
        "{}",
        String::from_utf8_lossy(&head)
    );
}

/// Reads until the server closes the connection; returns what it sent and how long it took.
fn until_closed(mut s: TcpStream) -> (String, Duration) {
    let start = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e) => panic!("the server kept the connection open: {e} after {:?}", start.elapsed()),
        }
    }
    (String::from_utf8_lossy(&got).into_owned(), start.elapsed())
}

#[test]
fn silent_half_sent_stalled_and_idle_connections_are_closed_within_the_set_times() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), short());
    let token = server.enrol("TTYT Ba Vì");

    // Connects and sends nothing.
    let (_, took) = until_closed(connect(server.addr));
    assert!(took < Duration::from_secs(4), "silent connection held {took:?}");

    // Half the headers, then nothing.
    let mut s = connect(server.addr);
    s.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: centre\r\n").unwrap();
    let (_, took) = until_closed(s);
    assert!(took < Duration::from_secs(4), "half-sent headers held {took:?}");

    // A batch whose body stops after 10 of its 1000 bytes.
    let mut s = connect(server.addr);
    write!(
        s,
        "POST /api/v1/responses HTTP/1.1\r\nHost: centre\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"kiosk_id\""
    )
    .unwrap();
    let (said, took) = until_closed(s);
    assert!(took < Duration::from_secs(4), "stalled body held {took:?}");
    assert!(!said.starts_with("HTTP/1.1 5"), "{said}");

    // A finished request on a keep-alive connection, then silence: closed after the idle time.
    let mut s = connect(server.addr);
    s.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: centre\r\n\r\n")
        .unwrap();
    let (said, took) = until_closed(s);
    assert!(said.starts_with("HTTP/1.1 200"), "{said}");
    assert!(
        took < Duration::from_secs(4),
        "idle keep-alive connection held {took:?}"
    );
}

#[test]
fn idle_sockets_beyond_the_open_files_limit_do_not_lock_kiosks_out_for_good() {
    // Many silent connections at once: each is dropped after the header time, and a real
    // request made after that is answered.
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), short());
    let start = Instant::now();
    let idle: Vec<TcpStream> = (0..200).map(|_| connect(server.addr)).collect();
    for s in idle {
        until_closed(s);
    }
    assert!(
        start.elapsed() < Duration::from_secs(4),
        "200 idle sockets held {:?}",
        start.elapsed()
    );
    let mut s = connect(server.addr);
    s.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: centre\r\nConnection: close\r\n\r\n")
        .unwrap();
    let (said, _) = until_closed(s);
    assert!(said.starts_with("HTTP/1.1 200"), "{said}");
}

#[test]
fn a_declared_body_over_the_limit_is_refused_before_it_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), Timeouts::default());
    let token = server.enrol("TTYT Ba Vì");
    for path in ["/api/v1/responses", "/api/v1/audit"] {
        let mut s = connect(server.addr);
        write!(
            s,
            "POST {path} HTTP/1.1\r\nHost: centre\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nContent-Length: 5000000\r\nExpect: 100-continue\r\n\r\n"
        )
        .unwrap();
        let (said, took) = until_closed(s);
        assert!(said.starts_with("HTTP/1.1 413"), "{path}: {said}");
        assert!(!said.contains("100 Continue"), "{path}: told to send the body: {said}");
        assert!(took < Duration::from_secs(2), "{path}: {took:?}");
    }
}

#[test]
fn a_shutdown_ends_within_its_bound_while_a_client_stalls_in_a_request() {
    let dir = tempfile::tempdir().unwrap();
    let timeouts = Timeouts {
        headers: Duration::from_secs(60),
        body_stall: Duration::from_secs(60),
        shutdown: Duration::from_secs(1),
        queue: Duration::from_secs(10),
    };
    let server = start(dir.path(), timeouts);
    let token = server.enrol("TTYT Ba Vì");
    let mut stalled = connect(server.addr);
    write!(
        stalled,
        "POST /api/v1/responses HTTP/1.1\r\nHost: centre\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n"
    )
    .unwrap();
    continued(&mut stalled);
    stalled.write_all(b"{").unwrap();
    let _idle = connect(server.addr);
    let start = Instant::now();
    drop(server); // signals shutdown and waits for the server to return
    assert!(
        start.elapsed() < Duration::from_secs(4),
        "shutdown took {:?}",
        start.elapsed()
    );
}

fn kiosk_store(dir: &std::path::Path, n: usize) -> Arc<Mutex<Store>> {
    let mut store = Store::open(&dir.join("hailong.sqlite3"), TZ).unwrap();
    let catalog = Catalog::built_in();
    let q = catalog.latest("kiosk-nhanh").unwrap().clone();
    let opts = DemoOptions {
        responses: n,
        seed: 5,
        end: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        departments: vec![],
        tz: TZ,
    };
    let mut all = Vec::new();
    generate(&q, &opts, |r| all.push(r));
    let pairs: Vec<_> = all.iter().map(|r| (&q, r)).collect();
    store.save_all(&pairs).unwrap();
    Arc::new(Mutex::new(store))
}

#[test]
fn a_flood_of_batches_gets_503_with_retry_after_which_the_kiosk_honours() {
    let dir = tempfile::tempdir().unwrap();
    let timeouts = Timeouts {
        body_stall: Duration::from_secs(30),
        ..short()
    };
    let server = start(dir.path(), timeouts);
    let token = server.enrol("TTYT Ba Vì");
    // One kiosk (its token stolen, or broken) cannot hold more than its share of the slots: a
    // third request at once is refused at once.
    // A batch that holds its slot: the centre's "100 Continue" says it is being read.
    let stall = |token: &str| {
        let mut s = connect(server.addr);
        write!(
            s,
            "POST /api/v1/responses HTTP/1.1\r\nHost: centre\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nContent-Length: 100000\r\nExpect: 100-continue\r\n\r\n"
        )
        .unwrap();
        continued(&mut s);
        s.write_all(b"{\"kiosk_id\":").unwrap();
        s
    };
    let greedy = server.enrol("TTYT Ba Vì");
    let own: Vec<TcpStream> = (0..centre::api::MAX_IN_FLIGHT_PER_KIOSK)
        .map(|_| stall(&greedy))
        .collect();
    let (said, took) = until_closed({
        let mut s = connect(server.addr);
        write!(
            s,
            "POST /api/v1/responses HTTP/1.1\r\nHost: centre\r\nAuthorization: Bearer {greedy}\r\n\
             Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{{\"kiosk_id\":"
        )
        .unwrap();
        s.shutdown(std::net::Shutdown::Write).ok();
        s
    });
    assert!(
        said.starts_with("HTTP/1.1 429") && said.contains("retry-after: 5"),
        "{said}"
    );
    assert!(took < Duration::from_secs(2), "{took:?}");
    drop(own);
    // Every slot taken by batches of other kiosks, still arriving.
    let hogs: Vec<TcpStream> = (0..centre::api::MAX_INGEST_IN_FLIGHT)
        .map(|_| stall(&server.enrol("TTYT Ba Vì")))
        .collect();
    let store = kiosk_store(dir.path(), 50);
    let target = Target {
        url: server.url(),
        token: token.clone(),
        ca_cert: None,
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let http = client::http_client(&target).unwrap();
    let err = rt.block_on(client::sync_once(&store, &http, &target)).unwrap_err();
    assert_eq!(err, client::Error::Busy(centre::api::RETRY_AFTER_SECS), "{err:?}");
    assert!(!err.is_permanent());
    // The kiosk waits at least what it was asked, whatever its back-off says.
    let pause = client::pause_after(&err, 0, &mut rand::rng());
    assert!(pause >= Duration::from_secs(centre::api::RETRY_AFTER_SECS), "{pause:?}");
    // The reason reaches staff in their words.
    assert!(err.explain(hailong::survey::Locale::Vi).contains("đang bận"));
    // The health check and reports are not queued behind the flood.
    let health = rt.block_on(async {
        reqwest::get(format!("{}/api/v1/health", server.url()))
            .await
            .unwrap()
            .status()
    });
    assert_eq!(health, 200);
    // Once the slots are free (as soon as the centre sees the connections close), the sync
    // goes through.
    drop(hogs);
    let deadline = Instant::now() + Duration::from_secs(5);
    let sent = loop {
        match rt.block_on(client::sync_once(&store, &http, &target)) {
            Ok(n) => break n,
            Err(client::Error::Busy(_)) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => panic!("{e:?}"),
        }
    };
    assert_eq!(sent, 50);
}

/// A centre on SQLite in `dir` whose page forms must arrive within `deadline`.
fn start_with_form_deadline(dir: &std::path::Path, deadline: Duration) -> Server {
    let store = hailong::centre::sqlite::SqliteCentre::open(&dir.join("centre.sqlite3"), TZ).unwrap();
    let mut centre = centre::Centre::new(
        Arc::new(store),
        Arc::new(Catalog::built_in()),
        hailong::survey::ScoringOptions::default(),
    );
    centre.web.form_deadline = deadline;
    Server::start_centre(centre, Timeouts::default())
}

#[test]
fn a_form_dripped_a_byte_at_a_time_is_cut_off_at_its_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_with_form_deadline(dir.path(), Duration::from_secs(1));
    server.enrol("TTYT Ba Vì");
    for path in ["/login", "/gop-y/ttyt-ba-vi"] {
        let mut s = connect(server.addr);
        write!(
            s,
            "POST {path} HTTP/1.1\r\nHost: centre\r\nContent-Type: application/x-www-form-urlencoded\r\n\
             Content-Length: 1000\r\n\r\n"
        )
        .unwrap();
        // A byte every 200 ms: never a stall the server's per-piece timeout would cut.
        let mut drip = s.try_clone().unwrap();
        let dripping = std::thread::spawn(move || {
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(15) && drip.write_all(b"a").is_ok() {
                std::thread::sleep(Duration::from_millis(200));
            }
        });
        let (said, took) = until_closed(s);
        assert!(said.starts_with("HTTP/1.1 408"), "{path}: {said}");
        assert!(took < Duration::from_secs(5), "{path}: held {took:?}");
        dripping.join().unwrap();
    }
}

#[test]
fn kiosks_sync_while_a_thousand_slow_clients_hold_the_login_form() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), Timeouts::default());
    let token = server.enrol("TTYT Ba Vì");
    let rt = tokio::runtime::Runtime::new().unwrap();
    // One laptop (127.0.0.2) opens a thousand connections, each posting the login form a byte
    // at a time.
    let attacker: std::net::IpAddr = "127.0.0.2".parse().unwrap();
    let addr = server.addr;
    let slow: Vec<tokio::net::TcpStream> = rt.block_on(async {
        let mut held = Vec::new();
        for _ in 0..1000 {
            let socket = tokio::net::TcpSocket::new_v4().unwrap();
            socket.bind(std::net::SocketAddr::new(attacker, 0)).unwrap();
            let Ok(mut s) = socket.connect(addr).await else {
                continue;
            };
            use tokio::io::AsyncWriteExt;
            let _ = s
                .write_all(
                    b"POST /login HTTP/1.1\r\nHost: centre\r\nContent-Type: application/x-www-form-urlencoded\r\n\
                      Content-Length: 16000\r\n\r\nn",
                )
                .await;
            held.push(s);
        }
        held
    });
    // Those over the per-address cap are closed at once.
    let open = rt.block_on(async {
        let mut open = 0;
        for s in &slow {
            let mut byte = [0u8; 1];
            match tokio::time::timeout(Duration::from_millis(20), s.peek(&mut byte)).await {
                Ok(Ok(0)) | Ok(Err(_)) => {}
                _ => open += 1,
            }
        }
        open
    });
    assert!(
        open <= hailong::centre::http::limits::ConnectionLimits::default().per_address,
        "{open} of the laptop's connections are held"
    );
    // A kiosk syncs 500 responses meanwhile.
    let store = kiosk_store(dir.path(), 500);
    let target = Target {
        url: server.url(),
        token,
        ca_cert: None,
    };
    let http = client::http_client(&target).unwrap();
    let start = Instant::now();
    let sent = rt.block_on(client::sync_once(&store, &http, &target)).unwrap();
    let took = start.elapsed();
    eprintln!("a kiosk synced {sent} responses in {took:?} while {open} of 1,000 slow connections were held");
    assert_eq!(sent, 500);
    assert_eq!(store.lock().unwrap().outbox_status().unwrap().queued, 0);
    drop(slow);
}
