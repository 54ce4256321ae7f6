//! `hailong centre …` and `hailong sync`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, bail};
use clap::Subcommand;

use hailong::centre::{self as server, Centre, CentreStore, Scope};
use hailong::i18n::{tr, tr_args};
use hailong::report::Period;
use hailong::survey::{Catalog, Locale};
use hailong::sync::client::{self, Target};

use super::Common;
use super::commands::{Env, env, open_store, say};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the centre server.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Serve HTTPS with this certificate chain (PEM); needs --tls-key. Without it the
        /// centre speaks plain HTTP, for a reverse proxy (nginx, Caddy) in front.
        #[arg(long, requires = "tls_key", value_name = "PEM")]
        tls_cert: Option<PathBuf>,
        /// The certificate's private key (PEM).
        #[arg(long, requires = "tls_cert", value_name = "PEM")]
        tls_key: Option<PathBuf>,
    },
    /// Enrol, list and revoke kiosks.
    Kiosk {
        #[command(subcommand)]
        command: KioskCommand,
    },
    /// API read tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Fill the centre with simulated kiosks' responses (through the ingest code).
    DemoData {
        /// Facilities.
        #[arg(long, default_value_t = 3)]
        facilities: usize,
        /// Kiosks per facility.
        #[arg(long, default_value_t = 2)]
        kiosks_per_facility: usize,
        /// Responses per kiosk.
        #[arg(long)]
        responses: usize,
        /// Seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Last day covered (default today).
        #[arg(long)]
        end: Option<chrono::NaiveDate>,
        /// The questionnaire the simulated kiosks ask.
        #[arg(long, default_value = "kiosk-nhanh")]
        questionnaire: String,
    },
    /// The DESIGN §5 report over everything the centre holds.
    Report {
        /// Only this facility.
        #[arg(long)]
        facility: Option<String>,
        /// Only this kiosk (its own id).
        #[arg(long)]
        kiosk: Option<String>,
        /// Only this department.
        #[arg(long)]
        department: Option<String>,
        /// 2026-Q1 … 2026, all (default).
        #[arg(long)]
        period: Option<String>,
        /// Print the DESIGN §5 JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum KioskCommand {
    /// Enrol a kiosk: prints its token once, as a [centre] block for its hailong.toml.
    Add {
        /// Facility (created on first mention).
        #[arg(long)]
        facility: String,
        /// Kiosk name.
        #[arg(long)]
        name: String,
        /// The centre's URL as kiosks reach it, put in the block.
        #[arg(long)]
        url: Option<String>,
        /// Print JSON instead of the block.
        #[arg(long)]
        json: bool,
    },
    /// List enrolled kiosks.
    List,
    /// Revoke a kiosk's token.
    Revoke {
        /// The enrolment id (from `kiosk list`).
        id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API read token (printed once).
    Add {
        /// Who it is for.
        #[arg(long)]
        name: String,
    },
}

fn open_centre(env: &Env, database: Option<&str>) -> Result<Arc<dyn CentreStore>> {
    let database = match database {
        Some(d) => d.to_string(),
        None => {
            std::fs::create_dir_all(&env.data.0).with_context(|| env.data.0.display().to_string())?;
            env.data.0.join("centre.sqlite3").display().to_string()
        }
    };
    // The message names the database without a password that may be in its URL.
    let shown = database
        .split_once('@')
        .map_or(database.clone(), |(_, host)| format!("…@{host}"));
    server::open_store(&database, env.config.timezone.0).with_context(|| shown)
}

pub fn run(common: &Common, database: Option<&str>, command: Command) -> Result<ExitCode> {
    let env = env(common)?;
    let store = open_centre(&env, database)?;
    match command {
        Command::Serve {
            listen,
            tls_cert,
            tls_key,
        } => {
            let tls = match (tls_cert, tls_key) {
                (Some(cert), Some(key)) => Some(server::tls_config(&cert, &key)?),
                _ => None,
            };
            serve(&env, store, listen, tls)
        }
        Command::Kiosk { command } => kiosk(store.as_ref(), command, env.locale),
        Command::Token {
            command: TokenCommand::Add { name },
        } => {
            let token = server::new_token();
            store.add_read_token(&name, &server::token_hash(&token))?;
            say(&format!("{token}\n"))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::DemoData {
            facilities,
            kiosks_per_facility,
            responses,
            seed,
            end,
            questionnaire,
        } => {
            let tz = env.config.timezone.0;
            let opts = server::demo::Options {
                facilities,
                kiosks_per_facility,
                responses,
                seed,
                end: end.unwrap_or_else(|| chrono::Utc::now().with_timezone(&tz).date_naive()),
                tz,
                questionnaire,
            };
            let catalog = Catalog::load(&env.data.questionnaires())?;
            let total = (facilities * kiosks_per_facility * responses) as u64;
            let bar = indicatif::ProgressBar::new(total);
            let n = server::demo::fill(store.as_ref(), &catalog, &opts, &mut |done| bar.set_position(done))?;
            bar.finish_and_clear();
            eprintln!(
                "{}",
                tr_args(
                    env.locale,
                    "cli-centre-demo-done",
                    &[
                        ("count", n.into()),
                        ("kiosks", (facilities * kiosks_per_facility).into()),
                        ("facilities", facilities.into()),
                    ],
                )
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Report {
            facility,
            kiosk,
            department,
            period,
            json,
        } => {
            let period = Period::parse(period.as_deref().unwrap_or("all")).map_err(|e| anyhow::anyhow!(e.0))?;
            let centre = centre(&env, store)?;
            let scope = Scope {
                facility,
                kiosk,
                department,
                from: period.from,
                to: period.to,
            };
            let report = server::report(&centre, &scope, &period, env.locale)?;
            if json {
                say(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
            } else {
                let questionnaires: Vec<_> = centre.catalog.all().cloned().collect();
                say(&hailong::report::text::render(&report, &questionnaires, env.locale))?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn centre(env: &Env, store: Arc<dyn CentreStore>) -> Result<Centre> {
    Ok(Centre {
        store,
        catalog: Arc::new(Catalog::load(&env.data.questionnaires())?),
        scoring: env.config.scoring_options(),
    })
}

fn kiosk(store: &dyn CentreStore, command: KioskCommand, locale: Locale) -> Result<ExitCode> {
    match command {
        KioskCommand::Add {
            facility,
            name,
            url,
            json,
        } => {
            let token = server::new_token();
            let info = store.add_kiosk(&facility, &name, &server::token_hash(&token))?;
            let url = url.unwrap_or_default();
            if json {
                let v = serde_json::json!({ "id": info.id, "facility": facility, "name": name, "url": url, "token": token });
                say(&format!("{}\n", serde_json::to_string_pretty(&v)?))?;
            } else {
                let comment = tr_args(
                    locale,
                    "cli-kiosk-added",
                    &[
                        ("facility", facility.as_str().into()),
                        ("name", name.as_str().into()),
                        ("id", info.id.as_str().into()),
                    ],
                );
                say(&format!(
                    "# {comment}\n[centre]\nurl = \"{url}\"\ntoken = \"{token}\"\n"
                ))?;
            }
        }
        KioskCommand::List => {
            for k in store.kiosks()? {
                let state = tr(
                    locale,
                    if k.revoked_at.is_some() {
                        "cli-kiosk-revoked"
                    } else {
                        "cli-kiosk-active"
                    },
                );
                let bound = k.kiosk_id.clone().unwrap_or_else(|| tr(locale, "cli-kiosk-not-synced"));
                let last = tr_args(locale, "cli-kiosk-last-seq", &[("seq", k.last_seq.to_string().into())]);
                say(&format!(
                    "{}\t{}\t{}\t{bound}\t{state}\t{last}\n",
                    k.id, k.facility, k.name
                ))?;
            }
        }
        KioskCommand::Revoke { id } => store.revoke_kiosk(&id)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn serve(
    env: &Env,
    store: Arc<dyn CentreStore>,
    listen: SocketAddr,
    tls: Option<rustls::ServerConfig>,
) -> Result<ExitCode> {
    // Structured logs on stderr; RUST_LOG=debug for more, RUST_LOG=warn for less.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let centre = centre(env, store)?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("listening on {listen}"))?;
        let address = listener.local_addr()?;
        match tls {
            Some(tls) => {
                tracing::info!(%address, scheme = "https", "listening");
                server::serve_tls(listener.into_std()?, centre, tls, shutdown_signal()).await?;
            }
            None => {
                tracing::info!(%address, scheme = "http", "listening");
                server::serve(listener, centre, shutdown_signal()).await?;
            }
        }
        tracing::info!("stopped; requests in flight were finished");
        Ok(ExitCode::SUCCESS)
    })
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = ctrl_c => {}
        _ = term.recv() => {}
    }
}

pub fn sync(common: &Common, once: bool) -> Result<ExitCode> {
    let env = env(common)?;
    let locale = env.locale;
    let store = Arc::new(Mutex::new(open_store(&env)?));
    let target = Target::from_config(&env.config.centre);
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let http = client::http_client(&target)?;
        let mut attempt = 0u32;
        let mut last_audit: Option<std::time::Instant> = None;
        loop {
            match client::sync_once(&store, &http, &target).await {
                Ok(n) => {
                    eprintln!("{}", tr_args(locale, "cli-sync-sent", &[("count", n.into())]));
                    attempt = 0;
                    if last_audit.is_none_or(|t| t.elapsed() >= hailong::sync::AUDIT_EVERY) {
                        let audit = client::audit(&store, &http, &target).await;
                        match &audit {
                            Ok(a) if a.altered.is_empty() && a.removed.is_empty() => {
                                eprintln!(
                                    "{}",
                                    tr_args(locale, "cli-sync-audit-ok", &[("checked", a.checked.into())])
                                )
                            }
                            Ok(a) => {
                                let seqs = |list: &[u64]| {
                                    let list: Vec<String> = list.iter().map(u64::to_string).collect();
                                    if list.is_empty() {
                                        "—".to_string()
                                    } else {
                                        list.join(", ")
                                    }
                                };
                                eprintln!(
                                    "{}",
                                    tr_args(
                                        locale,
                                        "cli-sync-audit-tampered",
                                        &[
                                            ("checked", a.checked.into()),
                                            ("altered", seqs(&a.altered).into()),
                                            ("removed", seqs(&a.removed).into()),
                                        ],
                                    )
                                )
                            }
                            Err(e) => eprintln!(
                                "{}",
                                tr_args(locale, "cli-sync-audit-failed", &[("detail", e.explain(locale).into())])
                            ),
                        }
                        match audit {
                            Ok(_) => last_audit = Some(std::time::Instant::now()),
                            Err(e) if once => bail!(e.explain(locale)),
                            Err(_) => {}
                        }
                    }
                    if once {
                        return Ok(ExitCode::SUCCESS);
                    }
                    tokio::time::sleep(std::time::Duration::from_secs(30)).await;
                }
                Err(e) => {
                    if once {
                        bail!(e.explain(locale));
                    }
                    let pause = client::backoff(if e.is_permanent() { 9 } else { attempt }, &mut rand::rng());
                    eprintln!(
                        "{}",
                        tr_args(
                            locale,
                            "cli-sync-retry",
                            &[("error", e.explain(locale).into()), ("seconds", pause.as_secs().into())],
                        )
                    );
                    attempt += 1;
                    tokio::time::sleep(pause).await;
                }
            }
        }
    })
}
