//! The centre server (DESIGN §8): axum on tokio, kiosks post their responses, reports come
//! out as the same DESIGN §5 JSON as the kiosk's `hailong report`.

pub mod accounts;
pub mod alerts;
pub mod cache;
pub mod demo;
pub mod export;
pub mod feedback;
pub mod figures;
pub mod http;
pub mod ingest;
pub mod migrations;
pub mod phone;
pub mod postgres;
pub mod published;
pub mod sqlite;
pub mod store;
pub mod verify;

use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::config::ScoringConfig;
use crate::report::{Report, period::Period};
use crate::survey::{Catalog, Locale, ScoringOptions};
pub use accounts::AccountStore;
pub use alerts::AlertStore;
pub use feedback::FeedbackStore;
pub use http::api;
pub use phone::PhoneStore;
pub use store::{CentreStore, Scope};

/// A storage backend: responses and tallies ([`CentreStore`]), accounts and sessions
/// ([`AccountStore`]), the feedback box ([`FeedbackStore`]), the alert queue ([`AlertStore`])
/// and the phone channel's sessions ([`PhoneStore`]) on one database.
pub trait Backend: CentreStore + AccountStore + FeedbackStore + AlertStore + PhoneStore {}
impl<T: CentreStore + AccountStore + FeedbackStore + AlertStore + PhoneStore + ?Sized> Backend for T {}

/// What every request handler shares.
#[derive(Clone)]
pub struct Centre {
    /// Responses, tallies, kiosks, tokens, events.
    pub store: Arc<dyn CentreStore>,
    /// Accounts, sessions, the login throttle (the same database).
    pub accounts: Arc<dyn AccountStore>,
    /// The feedback box (the same database).
    pub feedback: Arc<dyn FeedbackStore>,
    /// The alert queue (the same database).
    pub alerts: Arc<dyn AlertStore>,
    /// The phone channel's codes and answer sessions (the same database).
    pub phone: Arc<dyn PhoneStore>,
    /// The feedback box's deadlines, holidays and web-form limit.
    pub feedback_options: feedback::FeedbackOptions,
    /// The questionnaires responses are checked against.
    pub catalog: Arc<Catalog>,
    /// Target and G1/G2 settings for reports.
    pub scoring: ScoringOptions,
    /// How the web pages behave behind the server.
    pub web: WebOptions,
    /// The reporting calendar (`[report] cutoff_day`): what `2026-Q1` means on every surface.
    pub calendar: crate::report::period::Calendar,
    /// The quarterly report's letterhead and signers (`[report]`).
    pub letterhead: Arc<crate::config::ReportConfig>,
    /// Tallies the pages read, kept while their stamps stand (see [`cache`]).
    pub tallies: Arc<cache::TallyCache>,
    /// What time it is: the system's clock, or one a test sets (see [`Clock`]).
    pub clock: Clock,
}

impl Centre {
    /// A centre on `backend` with these questionnaires and scoring settings, and the default
    /// [`WebOptions`].
    pub fn new(backend: Arc<dyn Backend>, catalog: Arc<Catalog>, scoring: ScoringOptions) -> Centre {
        Centre {
            store: backend.clone(),
            accounts: backend.clone(),
            feedback: backend.clone(),
            alerts: backend.clone(),
            phone: backend,
            feedback_options: feedback::FeedbackOptions::default(),
            catalog,
            scoring,
            web: WebOptions::default(),
            calendar: crate::report::period::Calendar::default(),
            letterhead: Arc::default(),
            tallies: Arc::default(),
            clock: Clock::default(),
        }
    }

    /// Now, by the centre's [`Clock`].
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// Today in the facilities' time zone, by the centre's [`Clock`]: what the current quarter,
    /// deadlines and "overdue" are counted from.
    pub fn today(&self) -> chrono::NaiveDate {
        self.clock.now().with_timezone(&self.web.tz).date_naive()
    }
}

/// The centre's clock: the system's, or a fixed time that a test sets and moves on, so pages,
/// deadlines and throttles can be tested on a chosen day (mid-quarter, or on a boundary named
/// by the test) instead of whatever day the tests happen to run.
#[derive(Clone, Default)]
pub struct Clock(Option<Arc<std::sync::Mutex<chrono::DateTime<chrono::Utc>>>>);

impl Clock {
    /// A clock that reads `at` until it is set or moved.
    pub fn fixed(at: chrono::DateTime<chrono::Utc>) -> Clock {
        Clock(Some(Arc::new(std::sync::Mutex::new(at))))
    }

    /// The time.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        match &self.0 {
            None => chrono::Utc::now(),
            Some(t) => *t.lock().unwrap_or_else(std::sync::PoisonError::into_inner),
        }
    }

    /// Moves a fixed clock on by `by` (a system clock is not moved).
    pub fn advance(&self, by: chrono::Duration) {
        if let Some(t) = &self.0 {
            *t.lock().unwrap_or_else(std::sync::PoisonError::into_inner) += by;
        }
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            None => f.write_str("Clock::System"),
            Some(_) => write!(f, "Clock::Fixed({})", self.now()),
        }
    }
}

/// Settings of the web pages.
#[derive(Debug, Clone)]
pub struct WebOptions {
    /// The facilities' time zone: what "today" and the current quarter are.
    pub tz: chrono_tz::Tz,
    /// Mark session cookies `Secure`: set when the centre serves HTTPS itself, or when it runs
    /// behind a proxy that terminates HTTPS (`centre serve --behind-https-proxy`).
    pub secure_cookies: bool,
    /// Read the client's address from `X-Forwarded-For` (for the login throttle and the
    /// feedback form's limits) — only on connections from [`WebOptions::trusted_proxies`]; any
    /// other client could write its own header and pick a new address per request.
    pub trust_forwarded_for: bool,
    /// The proxies whose `X-Forwarded-For` is believed (loopback by default: a proxy on the same
    /// machine). They are also spared the per-address connection cap, since they carry everyone.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// How many connections the centre holds per client address and in all.
    pub connections: http::limits::ConnectionLimits,
    /// How long a page's form body may take to arrive, however slowly it is sent
    /// ([`http::web::guard::FORM_DEADLINE`] by default).
    pub form_deadline: Duration,
    /// The public page's small-number rules.
    pub public: published::Suppression,
    /// The address the public reaches the centre at (`https://hailong.soyte.example.vn`, no
    /// trailing slash): links in e-mails, QR codes and the embed snippet use it. `None`: the
    /// address each request came in at.
    pub public_url: Option<String>,
}

/// Loopback, IPv4 and IPv6: the default trusted proxy.
pub fn loopback() -> Vec<ipnet::IpNet> {
    ["127.0.0.0/8", "::1/128"]
        .iter()
        .map(|n| n.parse().expect("loopback parses"))
        .collect()
}

impl Default for WebOptions {
    fn default() -> Self {
        WebOptions {
            tz: chrono_tz::Asia::Ho_Chi_Minh,
            secure_cookies: false,
            trust_forwarded_for: false,
            trusted_proxies: loopback(),
            connections: http::limits::ConnectionLimits::default(),
            form_deadline: http::web::guard::FORM_DEADLINE,
            public: published::Suppression::default(),
            public_url: None,
        }
    }
}

/// A new random 256-bit token, as 64 hex digits.
pub fn new_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// What the centre stores of a token: its SHA-256 (a 256-bit random token needs no slow hash).
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The default scoring options, from `[scoring]` and the target.
pub fn scoring(target_pct: f64, s: &ScoringConfig) -> ScoringOptions {
    ScoringOptions {
        target_pct,
        expectation_item: s.expectation_item.clone(),
        return_item: s.return_item.clone(),
        return_options: s.return_options.clone(),
    }
}

/// The DESIGN §5 report of `filter` over `period` (blocking): the one report function of the
/// centre, behind `/api/v1/report`, `centre report` and the XLSX export's summary sheet, added
/// up through [`export::Source`] by `report::summary` like the kiosk's. Its `facility` is the
/// scope's, or "all facilities" in `locale` when the scope names none.
pub fn report(
    centre: &Centre,
    filter: &export::Filter,
    period: &Period,
    locale: Locale,
) -> Result<Report, store::Error> {
    let summary = crate::report::summary(&export::Source::of(centre), filter, &centre.scoring)?;
    Ok(Report {
        facility: filter
            .scope
            .facility
            .clone()
            .unwrap_or_else(|| crate::i18n::tr(locale, id!("report-all-facilities"))),
        period: period.label.clone(),
        from: filter.scope.from,
        to: filter.scope.to,
        department: filter.scope.department.clone(),
        questionnaire: filter.questionnaire.clone(),
        channel: filter.scope.channel,
        point: filter.scope.point.clone(),
        summary,
    })
}

/// Opens the storage a `--database` value names: `postgres://…` (or `postgresql://…`) for
/// PostgreSQL, `sqlite:PATH` or a plain path for SQLite.
pub fn open_store(database: &str, tz: chrono_tz::Tz) -> Result<Arc<dyn Backend>, store::Error> {
    if database.starts_with("postgres://") || database.starts_with("postgresql://") {
        Ok(Arc::new(postgres::PostgresCentre::open(database, tz)?))
    } else {
        let path = std::path::Path::new(database.strip_prefix("sqlite:").unwrap_or(database));
        Ok(Arc::new(sqlite::SqliteCentre::open(path, tz)?))
    }
}

/// A TLS certificate or key that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {problem}")]
pub struct TlsError {
    /// The file concerned.
    pub path: String,
    /// What is wrong with it.
    pub problem: String,
}

/// The rustls server settings for `--tls-cert` (PEM, the server certificate first, then any
/// intermediates) and `--tls-key` (PEM, PKCS#8, PKCS#1 or SEC1).
pub fn tls_config(cert: &std::path::Path, key: &std::path::Path) -> Result<rustls::ServerConfig, TlsError> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let fail = |path: &std::path::Path, problem: String| TlsError {
        path: path.display().to_string(),
        problem,
    };
    let certs = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| fail(cert, e.to_string()))?;
    if certs.is_empty() {
        return Err(fail(cert, "no PEM certificate in the file".into()));
    }
    let private = PrivateKeyDer::from_pem_file(key).map_err(|e| fail(key, e.to_string()))?;
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| fail(cert, e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, private)
        .map_err(|e| fail(key, format!("does not go with the certificate: {e}")))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// How long the centre waits on a client before it gives up on it. A client that opens
/// connections and sends nothing, sends headers or a body a byte at a time, or keeps an idle
/// connection open, is cut off within these times, so a few hundred such sockets cannot take
/// the open-files limit and leave real kiosks unanswered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// From accepting a connection (after the TLS handshake, itself bounded to 10 s) to its
    /// first request's headers, and from one request's end to the next one's headers: an idle
    /// keep-alive connection is closed after this long.
    pub headers: Duration,
    /// Longest pause between two pieces of a request body.
    pub body_stall: Duration,
    /// After a shutdown signal, how long requests in flight get to finish before every
    /// connection is closed.
    pub shutdown: Duration,
    /// How long a batch or audit waits for a free slot before the centre answers 503 busy (see
    /// [`api::MAX_INGEST_IN_FLIGHT`]).
    pub queue: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            headers: Duration::from_secs(10),
            body_stall: Duration::from_secs(10),
            shutdown: Duration::from_secs(30),
            queue: api::QUEUE_WAIT,
        }
    }
}

/// Most threads the centre's runtime runs blocking work on (batches, audits, reports, token
/// look-ups). The work is bounded by the ingest slots and the database anyway; the bound here
/// is on memory: each thread keeps the memory of the largest batch it parsed for reuse, so a
/// flood of requests must not leave hundreds of such threads behind.
pub const BLOCKING_THREADS: usize = 8;

/// The tokio runtime `centre serve` runs on (see [`BLOCKING_THREADS`]).
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(BLOCKING_THREADS)
        .build()
}

/// The TLS handshake's time limit.
pub const TLS_HANDSHAKE: Duration = Duration::from_secs(10);

/// Serves `centre` on `listener` until `shutdown` resolves, with the default [`Timeouts`]; then
/// requests in flight finish (within [`Timeouts::shutdown`]) and it returns.
pub async fn serve(
    listener: tokio::net::TcpListener,
    centre: Centre,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener.into_std()?, centre, None, Timeouts::default(), shutdown).await
}

/// Serves `centre` on `listener`, over TLS when `tls` is given, until `shutdown` resolves.
///
/// HTTP/1.1 only: kiosks send one request at a time, and every time limit above applies to it
/// (an idle HTTP/2 connection answering pings could be held open for ever).
pub async fn serve_with(
    listener: std::net::TcpListener,
    centre: Centre,
    tls: Option<rustls::ServerConfig>,
    timeouts: Timeouts,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let open_files = http::limits::raise_open_files_limit();
    let limits = centre.web.connections.fitted(open_files);
    let exempt = if centre.web.trust_forwarded_for {
        centre.web.trusted_proxies.clone()
    } else {
        Vec::new()
    };
    tracing::info!(
        per_address = limits.per_address,
        total = limits.total,
        open_files,
        "connection limits"
    );
    let counter = http::limits::Counter::new(limits, exempt);
    let limited = http::limits::Limited::new(axum_server::accept::DefaultAcceptor, counter);
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        stopper.graceful_shutdown(Some(timeouts.shutdown));
    });
    // Phone sessions that ran out after a screen or more are stored as partial responses.
    let sweeper = tokio::spawn(phone::sweep(centre.clone()));
    let app = http::app_with(centre, timeouts.queue)
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(timeouts.body_stall))
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    let configure = |http: &mut hyper_util::server::conn::auto::Builder<hyper_util::rt::TokioExecutor>| {
        http.http1()
            .timer(hyper_util::rt::TokioTimer::new())
            .header_read_timeout(timeouts.headers)
            .keep_alive(true);
    };
    let accept_failed = |_: Option<&std::net::SocketAddr>, e: &std::io::Error| {
        // Over a connection limit: closed, and counted (said now and then, not per connection).
        if e.get_ref().is_some_and(|inner| inner.is::<http::limits::OverLimit>()) {
            return;
        }
        // EMFILE and the like: the server backs off and keeps accepting.
        tracing::warn!(error = %e, "cannot accept a connection");
    };
    let served = match tls {
        Some(mut tls) => {
            tls.alpn_protocols = vec![b"http/1.1".to_vec()];
            let config = axum_server::tls_rustls::RustlsConfig::from_config(Arc::new(tls));
            let mut server = axum_server::from_tcp_rustls(listener, config)?
                .map(|acceptor| acceptor.handshake_timeout(TLS_HANDSHAKE).acceptor(limited))
                .http1_only()
                .first_request_timeout(timeouts.headers)
                .accept_error_handler(accept_failed)
                .handle(handle);
            configure(server.http_builder());
            server.serve(app).await
        }
        None => {
            let mut server = axum_server::from_tcp(listener)?
                .acceptor(limited)
                .http1_only()
                .first_request_timeout(timeouts.headers)
                .accept_error_handler(accept_failed)
                .handle(handle);
            configure(server.http_builder());
            server.serve(app).await
        }
    };
    sweeper.abort();
    served
}
