//! A centre serving on 127.0.0.1 inside the test process, shared by the test binaries.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use hailong::centre::sqlite::SqliteCentre;
use hailong::centre::{self, Backend, Centre};
use hailong::survey::{Catalog, ScoringOptions};

const TZ: chrono_tz::Tz = chrono_tz::Asia::Ho_Chi_Minh;

/// A centre serving on 127.0.0.1 in this process; stopped (gracefully) on drop.
pub struct Server {
    pub addr: SocketAddr,
    pub centre: Centre,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

#[allow(dead_code)]
impl Server {
    pub fn start(db: &Path) -> Server {
        Server::start_with(Arc::new(SqliteCentre::open(db, TZ).unwrap()))
    }

    /// A centre on the given storage backend.
    pub fn start_with(store: Arc<dyn Backend>) -> Server {
        Server::start_timed(store, centre::Timeouts::default())
    }

    /// A centre on the given storage backend, with these time limits.
    pub fn start_timed(store: Arc<dyn Backend>, timeouts: centre::Timeouts) -> Server {
        let centre = Centre::new(store, Arc::new(Catalog::built_in()), ScoringOptions::default());
        Server::start_centre(centre, timeouts)
    }

    /// This centre (its settings as the caller made them), with these time limits.
    pub fn start_centre(centre: Centre, timeouts: centre::Timeouts) -> Server {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let c = centre.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Runtime::new().unwrap();
            rt.block_on(async move {
                let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
                addr_tx.send(listener.local_addr().unwrap()).unwrap();
                centre::serve_with(listener, c, None, timeouts, async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
            });
        });
        Server {
            addr: addr_rx.recv().unwrap(),
            centre,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn enrol(&self, facility: &str) -> String {
        let token = centre::new_token();
        self.centre
            .store
            .add_kiosk(facility, "Quầy 1", &centre::token_hash(&token))
            .unwrap();
        token
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The storage backends the centre tests run against: SQLite always, and PostgreSQL when
/// `HAILONG_TEST_POSTGRES_URL` names a server (each call gets a schema of its own).
#[allow(dead_code)]
pub fn backends(dir: &Path) -> Vec<(&'static str, Arc<dyn Backend>)> {
    let mut out: Vec<(&'static str, Arc<dyn Backend>)> = vec![(
        "sqlite",
        Arc::new(SqliteCentre::open(&dir.join("centre.sqlite3"), TZ).unwrap()),
    )];
    if let Some(url) = postgres_url() {
        out.push(("postgres", postgres_store(&url)));
    }
    out
}

/// The PostgreSQL server `HAILONG_TEST_POSTGRES_URL` names. Without one the test runs on SQLite
/// only and says so on the terminal (not in the output the test harness captures); with
/// `HAILONG_REQUIRE_POSTGRES=1` (as `.ci/run` sets) it fails instead, so a "both backends" test
/// cannot pass having tested one.
#[allow(dead_code)]
pub fn postgres_url() -> Option<String> {
    let url = std::env::var("HAILONG_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty());
    if url.is_none() {
        let required = std::env::var("HAILONG_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "HAILONG_REQUIRE_POSTGRES=1 but HAILONG_TEST_POSTGRES_URL is not set: the PostgreSQL backend would go untested"
        );
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: HAILONG_TEST_POSTGRES_URL is not set; the PostgreSQL backend is NOT tested by {}",
            std::thread::current().name().unwrap_or("this test")
        );
    }
    url
}

/// A PostgreSQL centre in a fresh schema of the database at `url`.
#[allow(dead_code)]
pub fn postgres_store(url: &str) -> Arc<dyn Backend> {
    Arc::new(hailong::centre::postgres::PostgresCentre::open(&postgres_schema(url), TZ).unwrap())
}

/// Creates a fresh schema in the database at `url`; returns the URL that works in it.
#[allow(dead_code)]
pub fn postgres_schema(url: &str) -> String {
    let schema = format!("hl_test_{}", uuid::Uuid::now_v7().simple());
    postgres_execute(url, &format!("CREATE SCHEMA {schema}"));
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}options=-csearch_path%3D{schema}")
}

/// Runs `sql` on the database at `url`.
#[allow(dead_code)]
pub fn postgres_execute(url: &str, sql: &str) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(connection);
        client.batch_execute(sql).await.unwrap();
    });
}
