//! `hailong centre …` and `hailong sync`.

use hailong::id;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Subcommand;

use hailong::centre::{self as server, Centre, CentreStore, Scope};
use hailong::i18n::{tr, tr_args};
use hailong::report::Period;
use hailong::survey::{Catalog, Channel, Locale};
use hailong::sync::client::{self, Target};
use hailong::sync::schedule::{self, Audited, Done, Next};

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
        /// The centre runs behind a reverse proxy that serves HTTPS and sets X-Forwarded-For:
        /// session cookies are marked Secure and the login throttle counts the address the
        /// proxy reports — on connections from a --trusted-proxy only.
        #[arg(long)]
        behind_https_proxy: bool,
        /// A proxy whose X-Forwarded-For is believed (an address or a network such as
        /// 10.0.0.0/24; repeat for several). Default: loopback, a proxy on this machine.
        #[arg(long = "trusted-proxy", value_name = "ADDRESS", requires = "behind_https_proxy", value_parser = parse_net)]
        trusted_proxies: Vec<ipnet::IpNet>,
        /// Most connections held open from one client address at once.
        #[arg(long, default_value_t = 64, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
        max_connections_per_address: u32,
        /// Most connections held open at once in all (lowered to fit the open-files limit).
        #[arg(long, default_value_t = 4096, value_name = "N", value_parser = clap::value_parser!(u32).range(16..=1_000_000))]
        max_connections: u32,
        /// Public page: fewer responses than this show the count, not a rate.
        #[arg(long, default_value_t = 30, value_name = "N")]
        public_min_n: u64,
        /// Public page: fewer responses than this carry "use with caution".
        #[arg(long, default_value_t = 100, value_name = "N")]
        public_caution_n: u64,
        /// Public page: departments with fewer responses than this are not shown.
        #[arg(long, default_value_t = 10, value_name = "N")]
        public_department_n: u64,
        /// The address the public and staff reach this centre at (https://… or http://…, no
        /// path), for links in e-mails, QR codes and the embed snippet. Default: the address
        /// each request came in at (e-mails then link to nothing absolute).
        #[arg(long, value_name = "URL", value_parser = parse_public_url)]
        public_url: Option<String>,
    },
    /// Accounts for the web pages.
    User {
        #[command(subcommand)]
        command: UserCommand,
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
    /// Codes printed on paper for patients' phones: single-use tickets and posters.
    Codes {
        #[command(subcommand)]
        command: CodesCommand,
    },
    /// List, rename and merge facilities (a typo fixed without losing history).
    Facility {
        #[command(subcommand)]
        command: FacilityCommand,
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
    /// Check every kiosk's chain as stored at the centre and recompute every tally from the
    /// responses; exit 1 naming each cell or response the centre's copy no longer matches.
    Verify {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// The tamper and gap events, newest first.
    Events {
        /// Only this kiosk (its own id).
        #[arg(long)]
        kiosk: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Export one facility's responses for a period as CSV or XLSX (the same files as the
    /// kiosk's `hailong export` and the facility page's download links).
    Export {
        /// The facility (its name, or the slug in its page's address).
        #[arg(long)]
        facility: String,
        /// 2026-Q1, 2026-6M, 2026-9M, 2026, 2026-03, all…
        #[arg(long)]
        period: String,
        /// Only this department.
        #[arg(long)]
        department: Option<String>,
        /// Only this questionnaire id.
        #[arg(long)]
        questionnaire: Option<String>,
        /// Only responses that came this way: kiosk, phone, ticket, poster, paper, interview.
        #[arg(long, value_parser = parse_channel)]
        channel: Option<Channel>,
        /// Only responses from this point (a named place of the facility).
        #[arg(long)]
        point: Option<String>,
        /// File format.
        #[arg(long, value_enum, default_value = "csv")]
        format: hailong::report::export::Format,
        /// Destination file.
        #[arg(long)]
        output: PathBuf,
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
        /// Only responses that came this way: kiosk, phone, ticket, poster, paper, interview.
        #[arg(long, value_parser = parse_channel)]
        channel: Option<Channel>,
        /// Only responses from this point (a named place of the facility).
        #[arg(long)]
        point: Option<String>,
        /// 2026-Q1 … 2026, all (default).
        #[arg(long)]
        period: Option<String>,
        /// Print the DESIGN §5 JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum CodesCommand {
    /// Issue single-use ticket codes as a printable A4 sheet (HTML: print it from a browser),
    /// twelve to a page, each a QR code and the same code typed; each opens one response,
    /// counted as `ticket` at the point.
    Issue {
        /// The facility (its name, or the slug in its page's address).
        #[arg(long)]
        facility: String,
        /// Where the tickets are handed out (a named place: "Khoa Nội", "Quầy tiếp đón").
        #[arg(long)]
        point: String,
        /// How many (up to 1,000 a sheet, 84 pages: run it again for more).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000))]
        count: u32,
        /// Days each stays good, today included.
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=366))]
        valid_days: u32,
        /// The questionnaire they open (byt-noi-tru for discharge papers).
        #[arg(long, default_value = "byt-ngoai-tru")]
        form: String,
        /// The centre's address as patients' phones reach it (https://…, no path).
        #[arg(long, value_name = "URL", value_parser = parse_public_url)]
        url: String,
        /// The sheet to write (HTML, private to you: the codes are single-use keys).
        #[arg(long)]
        output: PathBuf,
    },
    /// Print a point's poster: its standing code on an A4 page (HTML). Answers from it count
    /// as `poster`, shown apart from the kiosk's and tickets'. The same code prints again until
    /// --replace retires it.
    Poster {
        /// The facility (its name, or the slug in its page's address).
        #[arg(long)]
        facility: String,
        /// Where the poster hangs.
        #[arg(long)]
        point: String,
        /// The questionnaire it opens.
        #[arg(long, default_value = "byt-ngoai-tru")]
        form: String,
        /// The centre's address as patients' phones reach it (https://…, no path).
        #[arg(long, value_name = "URL", value_parser = parse_public_url)]
        url: String,
        /// The page to write (HTML).
        #[arg(long)]
        output: PathBuf,
        /// Retire the point's current poster code (its posters stop working) and make a new one.
        #[arg(long)]
        replace: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum FacilityCommand {
    /// Every facility: its name, its web address (slug) and its kiosks.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Rename a facility: its web address follows; accounts, feedback items (each logged),
    /// reports and published figures go with it.
    Rename {
        /// The facility's name now.
        from: String,
        /// Its new name.
        to: String,
    },
    /// Merge a facility into another (a duplicate made by a typo): its kiosks, responses,
    /// figures, accounts, feedback items (each logged) and report texts become the other's.
    Merge {
        /// The facility that goes.
        from: String,
        /// The facility that stays.
        into: String,
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
    /// Re-enrol a kiosk the centre knows (after a revoke, or when the kiosk lost its
    /// hailong.toml): prints a new token as a [centre] block; the old token stops working, and
    /// the kiosk's history and chain position stay.
    Renew {
        /// The enrolment id or the kiosk's own id (both in `kiosk list`).
        id: String,
        /// The centre's URL as kiosks reach it, put in the block.
        #[arg(long)]
        url: Option<String>,
        /// Print JSON instead of the block.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account (the password is asked twice; --password-stdin reads one line).
    Add {
        /// Login name.
        #[arg(long)]
        name: String,
        /// admin (everything, manages kiosks and users), province (every facility, read-only),
        /// facility (one facility), department (one department of one facility).
        #[arg(long)]
        role: String,
        /// The facility of a facility or department account.
        #[arg(long)]
        facility: Option<String>,
        /// The department of a department account.
        #[arg(long)]
        department: Option<String>,
        /// A facility account of a leader (director or deputy): approves and publishes the
        /// feedback box's replies and sees a denunciation's identity.
        #[arg(long)]
        leader: bool,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List accounts.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Disable an account: it can no longer log in, and its sessions end.
    Disable {
        /// Login name.
        name: String,
    },
    /// Set an account's password (its sessions end).
    Passwd {
        /// Login name.
        name: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Let an account try logging in again at once, from every address (failed logins made it
    /// wait); or, with --address, let an address try every account again.
    Unlock {
        /// Login name.
        #[arg(required_unless_present = "address", conflicts_with = "address")]
        name: Option<String>,
        /// A client address (as the centre's log names it) instead of an account.
        #[arg(long, value_name = "IP")]
        address: Option<std::net::IpAddr>,
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
    /// List read tokens (never the tokens themselves).
    List,
    /// Revoke a read token: it stops working at once.
    Revoke {
        /// The token's id (from `token list`).
        id: i64,
    },
}

/// `--trusted-proxy`: an address (`10.0.0.5`, a network of one) or a network (`10.0.0.0/24`).
fn parse_net(s: &str) -> Result<ipnet::IpNet, String> {
    s.parse::<ipnet::IpNet>()
        .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("`{s}` is not an IP address or network (10.0.0.5, 10.0.0.0/24, ::1)"))
}

/// Opens the centre's database. Only commands that write (`serve`, `kiosk add`, `token add`,
/// `demo-data`) create one; the others refuse a SQLite file that is not there, so a mistyped
/// `--data-dir` is named instead of answered from a new, empty database.
fn open_centre(env: &Env, database: Option<&str>, create: bool) -> Result<Arc<dyn server::Backend>> {
    let database = match database {
        Some(d) => d.to_string(),
        None => {
            if create {
                hailong::fsutil::create_private_dir_all(&env.data.0)
                    .with_context(|| env.data.0.display().to_string())?;
            }
            env.data.0.join("centre.sqlite3").display().to_string()
        }
    };
    let is_postgres = database.starts_with("postgres://") || database.starts_with("postgresql://");
    let file = database.strip_prefix("sqlite:").unwrap_or(&database);
    if !create && !is_postgres && !std::path::Path::new(file).exists() {
        bail!(tr_args(
            env.locale,
            id!("cli-centre-no-database"),
            &[("path", file.into())]
        ));
    }
    // The message names the database without a password that may be in its URL.
    let shown = database
        .split_once('@')
        .map_or(database.clone(), |(_, host)| format!("…@{host}"));
    server::open_store(&database, env.config.timezone.0).with_context(|| shown)
}

/// `--public-url`: an http(s) address with a host and no path, query or credentials; kept
/// without a trailing slash.
fn parse_public_url(value: &str) -> Result<String, String> {
    let url = reqwest::Url::parse(value).map_err(|e| format!("{value}: {e}"))?;
    if !matches!(url.scheme(), "http" | "https")
        || url.host_str().is_none()
        || !url.username().is_empty()
        || url.password().is_some()
        || url.path() != "/"
        || url.query().is_some()
        || url.fragment().is_some()
    {
        return Err(format!(
            "{value}: an address such as https://hailong.soyte.example.vn (http or https, no path)"
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

/// `value` as one shell word: as is when it holds only plain characters, else single-quoted.
fn shell_word(value: &str) -> String {
    if !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-:=@,+%".contains(c))
    {
        value.to_string()
    } else {
        format!("'{}'", value.replace('\'', "'\\''"))
    }
}

/// The command that adds the first admin to the centre this `centre serve` runs on, exactly as
/// it must be typed: the same data directory, configuration and database (a PostgreSQL
/// password is left for the reader to fill in, never printed).
fn first_admin_command(env: &Env, common: &Common, database: Option<&str>) -> String {
    let mut words = vec![
        "hailong".to_string(),
        "--data-dir".into(),
        shell_word(
            &std::path::absolute(&env.data.0)
                .unwrap_or_else(|_| env.data.0.clone())
                .display()
                .to_string(),
        ),
    ];
    if let Some(config) = common.config_path() {
        words.push("--config".into());
        words.push(shell_word(
            &std::path::absolute(config)
                .unwrap_or_else(|_| config.to_path_buf())
                .display()
                .to_string(),
        ));
    }
    words.push("centre".into());
    if let Some(db) = database {
        let shown = match db.split_once("://").and_then(|(scheme, rest)| {
            let (userinfo, host) = rest.split_once('@')?;
            let (user, _) = userinfo.split_once(':')?;
            Some(format!("{scheme}://{user}:PASSWORD@{host}"))
        }) {
            Some(masked) => masked,
            None => db.to_string(),
        };
        words.push("--database".into());
        words.push(shell_word(&shown));
    }
    words.extend(["user", "add", "--name", "admin", "--role", "admin"].map(String::from));
    words.join(" ")
}

pub fn run(common: &Common, database: Option<&str>, command: Command) -> Result<ExitCode> {
    let env = env(common)?;
    let first_admin = first_admin_command(&env, common, database);
    let creates = matches!(
        command,
        Command::Serve { .. }
            | Command::DemoData { .. }
            | Command::Kiosk {
                command: KioskCommand::Add { .. }
            }
            | Command::Token {
                command: TokenCommand::Add { .. }
            }
            | Command::User {
                command: UserCommand::Add { .. }
            }
    );
    let store = open_centre(&env, database, creates)?;
    match command {
        Command::Serve {
            listen,
            tls_cert,
            tls_key,
            behind_https_proxy,
            trusted_proxies,
            max_connections_per_address,
            max_connections,
            public_min_n,
            public_caution_n,
            public_department_n,
            public_url,
        } => {
            let tls = match (tls_cert, tls_key) {
                (Some(cert), Some(key)) => Some(server::tls_config(&cert, &key)?),
                _ => None,
            };
            if !(public_department_n <= public_min_n && public_min_n <= public_caution_n) {
                bail!(tr(env.locale, id!("cli-centre-public-thresholds")));
            }
            let web = server::WebOptions {
                tz: env.config.timezone.0,
                secure_cookies: tls.is_some() || behind_https_proxy,
                trust_forwarded_for: behind_https_proxy,
                trusted_proxies: if trusted_proxies.is_empty() {
                    server::loopback()
                } else {
                    trusted_proxies
                },
                connections: server::http::limits::ConnectionLimits {
                    per_address: max_connections_per_address as usize,
                    total: max_connections as usize,
                },
                form_deadline: server::http::web::guard::FORM_DEADLINE,
                public: server::http::web::Suppression {
                    rate_n: public_min_n,
                    caution_n: public_caution_n,
                    department_n: public_department_n,
                },
                public_url,
            };
            serve(&env, store, web, listen, tls, &first_admin)
        }
        Command::User { command } => user(store.as_ref(), command, env.locale),
        Command::Kiosk { command } => kiosk(store.as_ref(), command, env.locale),
        Command::Token { command } => token(store.as_ref(), command, env.locale),
        Command::Facility { command } => facility(store.as_ref(), command, env.locale),
        Command::Codes { command } => codes(&env, store.as_ref(), command),
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
                    id!("cli-centre-demo-done"),
                    &[
                        ("count", n.into()),
                        ("kiosks", (facilities * kiosks_per_facility).into()),
                        ("facilities", facilities.into()),
                    ],
                )
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify { json } => {
            let started = std::time::Instant::now();
            let mut verified = server::verify::verify(store.as_ref(), env.config.timezone.0)?;
            server::feedback::verify(store.as_ref(), &mut verified)?;
            if json {
                say(&format!("{}\n", serde_json::to_string_pretty(&verified)?))?;
            } else {
                for f in &verified.findings {
                    let side = tr(
                        env.locale,
                        match f.side {
                            server::verify::Side::Centre => id!("cli-verify-side-centre"),
                            server::verify::Side::Kiosk => id!("cli-verify-side-kiosk"),
                        },
                    );
                    say(&format!("{}\t{side}\t{}\n", f.kiosk_id, f.what))?;
                }
                let id = if verified.centre_altered() {
                    id!("cli-centre-verify-altered")
                } else {
                    id!("cli-centre-verify-intact")
                };
                eprintln!(
                    "{}",
                    tr_args(
                        env.locale,
                        id,
                        &[
                            ("kiosks", verified.kiosks.into()),
                            ("responses", verified.responses.into()),
                            ("cells", verified.tally_cells.into()),
                            ("items", verified.feedback_items.into()),
                            ("findings", verified.findings.len().into()),
                            ("seconds", format!("{:.1}", started.elapsed().as_secs_f64()).into()),
                        ],
                    )
                );
            }
            Ok(if verified.centre_altered() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Events { kiosk, limit, json } => {
            if let Some(k) = &kiosk {
                server::store::check_name("kiosk", k).map_err(anyhow::Error::msg)?;
            }
            let page = store.events_page(kiosk.as_deref(), None, limit.clamp(1, 100_000))?;
            if json {
                say(&format!("{}\n", serde_json::to_string_pretty(&page)?))?;
            } else {
                for e in page {
                    let seq = e.event.seq.map_or_else(|| "—".to_string(), |s| s.to_string());
                    say(&format!(
                        "{}\t{}\t{}\t{seq}\t{}\n",
                        e.at.with_timezone(&env.config.timezone.0).format("%d/%m/%Y %H:%M"),
                        e.event.kind,
                        e.event.kiosk_id,
                        e.event.detail
                    ))?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Export {
            facility,
            period,
            department,
            questionnaire,
            channel,
            point,
            format,
            output,
        } => {
            let period = Period::parse(&period, env.config.calendar()).map_err(|e| anyhow::anyhow!(e.0))?;
            let centre = centre(&env, store)?;
            // A facility by its name, or by the slug of its page's address.
            let facility = centre
                .store
                .kiosks()?
                .into_iter()
                .map(|k| k.facility)
                .find(|f| *f == facility || hailong::text::slug(f) == facility)
                .unwrap_or(facility);
            let filter = server::export::Filter {
                scope: Scope {
                    facility: Some(facility),
                    department,
                    channel,
                    point,
                    from: period.from,
                    to: period.to,
                    ..Scope::default()
                },
                questionnaire,
            };
            filter.scope.check().map_err(anyhow::Error::msg)?;
            known_names(centre.store.as_ref(), &filter.scope, env.locale)?;
            let bar = super::commands::progress_bar(0, tr(env.locale, id!("cli-export-progress")));
            let n = server::export::write(
                &centre,
                &filter,
                &period,
                format,
                env.locale,
                &output,
                &mut |done, total| {
                    bar.set_length(total);
                    bar.set_position(done);
                },
            )?;
            bar.finish_and_clear();
            eprintln!(
                "{}",
                tr_args(
                    env.locale,
                    id!("cli-export-done"),
                    &[("count", n.into()), ("path", output.display().to_string().into())]
                )
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Report {
            facility,
            kiosk,
            department,
            channel,
            point,
            period,
            json,
        } => {
            let period = Period::parse(period.as_deref().unwrap_or("all"), env.config.calendar())
                .map_err(|e| anyhow::anyhow!(e.0))?;
            let centre = centre(&env, store)?;
            let scope = Scope {
                facility,
                kiosk,
                department,
                channel,
                point,
                from: period.from,
                to: period.to,
            };
            scope.check().map_err(anyhow::Error::msg)?;
            known_names(centre.store.as_ref(), &scope, env.locale)?;
            let report = server::report(&centre, &scope.into(), &period, env.locale)?;
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

/// A channel as `--channel` names it.
fn parse_channel(name: &str) -> Result<Channel, String> {
    Channel::parse(name).ok_or_else(|| {
        let names: Vec<&str> = Channel::ALL.iter().map(|c| c.as_str()).collect();
        format!("one of {}", names.join(", "))
    })
}

fn centre(env: &Env, store: Arc<dyn server::Backend>) -> Result<Centre> {
    let mut centre = Centre::new(
        store,
        Arc::new(Catalog::load(&env.data.questionnaires())?),
        env.config.scoring_options(),
    );
    centre.web.tz = env.config.timezone.0;
    centre.calendar = env.config.calendar();
    centre.letterhead = Arc::new(env.config.report.clone());
    centre.feedback_options = feedback_options(&env.config.feedback, env.locale)?;
    Ok(centre)
}

/// The feedback box's settings from `[feedback]`: the holiday file, when one is named, must
/// read; a year of today's without holidays is warned about (deadlines then skip only weekends).
fn feedback_options(c: &hailong::config::FeedbackConfig, locale: Locale) -> Result<server::feedback::FeedbackOptions> {
    use hailong::feedback::Holidays;
    let holidays = if c.holidays.is_empty() {
        Holidays::built_in()
    } else {
        let text =
            std::fs::read_to_string(&c.holidays).with_context(|| format!("[feedback] holidays = {:?}", c.holidays))?;
        Holidays::parse(&text).with_context(|| format!("[feedback] holidays = {:?}", c.holidays))?
    };
    let year = chrono::Datelike::year(&chrono::Utc::now());
    for y in [year, year + 1] {
        if !holidays.covers(y) {
            tracing::warn!(
                "{}",
                tr_args(locale, id!("cli-feedback-no-holidays"), &[("year", y.into())])
            );
        }
    }
    Ok(server::feedback::FeedbackOptions {
        deadlines: c.deadlines,
        holidays,
        web_per_hour: c.web_per_hour,
        web_per_address_per_hour: c.web_per_address_per_hour,
        web_burst: c.web_burst,
        reply_by_email: false,
    })
}

/// Asks for a new password twice on a terminal (hidden), or reads one line from standard input.
fn new_password(locale: Locale, from_stdin: bool) -> Result<String> {
    use std::io::{BufRead, IsTerminal};
    let password = if from_stdin || !std::io::stdin().is_terminal() {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_string()
    } else {
        let first = rpassword::prompt_password(format!("{}: ", tr(locale, id!("cli-user-password"))))?;
        let again = rpassword::prompt_password(format!("{}: ", tr(locale, id!("cli-user-password-again"))))?;
        if first != again {
            bail!(tr(locale, id!("cli-user-password-mismatch")));
        }
        first
    };
    server::accounts::check_password(&password).map_err(|e| anyhow::anyhow!(e.message(locale)))?;
    Ok(password)
}

fn user(store: &dyn server::Backend, command: UserCommand, locale: Locale) -> Result<ExitCode> {
    use server::accounts::{NewUser, Role, hash_password};
    match command {
        UserCommand::Add {
            name,
            role,
            facility,
            department,
            leader,
            password_stdin,
        } => {
            let Some(role) = Role::parse(&role) else {
                bail!(tr_args(locale, id!("cli-user-unknown-role"), &[("role", role.into())]));
            };
            let new = NewUser {
                name,
                role,
                facility,
                department,
                leader,
            };
            new.check().map_err(|e| anyhow::anyhow!(e.message(locale)))?;
            if let Some(f) = &new.facility {
                let known: Vec<String> = store.facility_list()?.into_iter().map(|k| k.name).collect();
                if !known.iter().any(|k| k == f) {
                    let slug = hailong::text::slug(f);
                    if let Some(existing) = store.facility_by_slug(&slug)? {
                        return Err(facility_refusal(
                            locale,
                            server::store::Error::FacilityTaken {
                                name: f.clone(),
                                slug,
                                existing,
                            },
                        ));
                    }
                    let close = hailong::text::close_matches(f, known.iter().map(String::as_str), 3);
                    if close.is_empty() {
                        bail!(tr_args(
                            locale,
                            id!("cli-user-no-facility"),
                            &[("facility", f.clone().into())]
                        ));
                    }
                    bail!(tr_args(
                        locale,
                        id!("cli-user-unknown-facility"),
                        &[("facility", f.clone().into()), ("close", close.join(", ").into())]
                    ));
                }
            }
            let password = new_password(locale, password_stdin)?;
            let user = store.add_user(&new, &hash_password(&password)?)?;
            eprintln!(
                "{}",
                tr_args(
                    locale,
                    id!("cli-user-added"),
                    &[("name", user.name.into()), ("role", user.role.as_str().into())]
                )
            );
        }
        UserCommand::List { json } => {
            let users = store.users()?;
            if json {
                say(&format!("{}\n", serde_json::to_string_pretty(&users)?))?;
            } else {
                for u in users {
                    let state = match u.disabled_at {
                        Some(at) => tr_args(
                            locale,
                            id!("cli-user-disabled"),
                            &[("date", at.format("%d/%m/%Y").to_string().into())],
                        ),
                        None => tr(locale, id!("cli-user-active")),
                    };
                    let leader = if u.leader {
                        format!(" ({})", tr(locale, id!("cli-user-leader")))
                    } else {
                        String::new()
                    };
                    say(&format!(
                        "{}\t{}{leader}\t{}\t{}\t{state}\n",
                        u.name,
                        u.role.as_str(),
                        u.facility.as_deref().unwrap_or("—"),
                        u.department.as_deref().unwrap_or("—"),
                    ))?;
                }
            }
        }
        UserCommand::Disable { name } => store.disable_user(&name)?,
        UserCommand::Passwd { name, password_stdin } => {
            if store.user_by_name(&name)?.is_none() {
                bail!(tr_args(locale, id!("cli-user-unknown"), &[("name", name.into())]));
            }
            let password = new_password(locale, password_stdin)?;
            store.set_password(&name, &hash_password(&password)?)?;
        }
        UserCommand::Unlock { name, address } => {
            use server::accounts::{Unlock, throttle};
            let (what, shown) = match (name, address) {
                (Some(name), _) => {
                    if store.user_by_name(&name)?.is_none() {
                        bail!(tr_args(locale, id!("cli-user-unknown"), &[("name", name.into())]));
                    }
                    (Unlock::Account(throttle::account_key(&name)), name)
                }
                (None, Some(address)) => (
                    Unlock::Address(throttle::address_key(&address.to_string())),
                    address.to_string(),
                ),
                (None, None) => unreachable!("clap requires a name or --address"),
            };
            let n = store.unlock(&what)?;
            say(&format!(
                "{}\n",
                tr_args(
                    locale,
                    id!("cli-user-unlocked"),
                    &[("who", shown.into()), ("count", n.into())]
                )
            ))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A store error in the reader's words where it concerns a facility's name.
fn facility_refusal(locale: Locale, e: server::store::Error) -> anyhow::Error {
    match e {
        server::store::Error::FacilityTaken { name, slug, existing } => anyhow::Error::msg(tr_args(
            locale,
            id!("web-facility-taken"),
            &[
                ("name", name.into()),
                ("slug", slug.into()),
                ("existing", existing.into()),
            ],
        )),
        server::store::Error::NotFound(_) => anyhow::Error::msg(tr(locale, id!("cli-facility-unknown"))),
        e => e.into(),
    }
}

/// `hailong centre facility …`.
fn facility(store: &dyn server::Backend, command: FacilityCommand, locale: Locale) -> Result<ExitCode> {
    let by = std::env::var("USER").unwrap_or_else(|_| "cli".into());
    let now = chrono::Utc::now();
    match command {
        FacilityCommand::List { json } => {
            let list = store.facility_list()?;
            if json {
                say(&format!("{}\n", serde_json::to_string_pretty(&list)?))?;
            } else if list.is_empty() {
                say(&format!("{}\n", tr(locale, id!("cli-facility-none"))))?;
            } else {
                for f in list {
                    say(&format!("{}\t/facility/{}\t{}\n", f.name, f.slug, f.kiosks))?;
                }
            }
        }
        FacilityCommand::Rename { from, to } => {
            server::store::check_name("facility", &to).map_err(anyhow::Error::msg)?;
            store
                .rename_facility(&from, to.trim(), &format!("cli:{by}"), now)
                .map_err(|e| facility_refusal(locale, e))?;
            say(&format!(
                "{}\n",
                tr_args(
                    locale,
                    id!("cli-facility-renamed"),
                    &[("from", from.into()), ("to", to.into())]
                )
            ))?;
        }
        FacilityCommand::Merge { from, into } => {
            store
                .merge_facility(&from, &into, &format!("cli:{by}"), now)
                .map_err(|e| facility_refusal(locale, e))?;
            say(&format!(
                "{}\n",
                tr_args(
                    locale,
                    id!("cli-facility-merged"),
                    &[("from", from.into()), ("into", into.into())]
                )
            ))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `centre codes …`: tickets and posters for patients' phones, written as printable pages.
fn codes(env: &Env, store: &dyn server::Backend, command: CodesCommand) -> Result<ExitCode> {
    use server::http::web::sheet;
    let locale = env.locale;
    let catalog = Catalog::load(&env.data.questionnaires())?;
    let (facility, point, form) = match &command {
        CodesCommand::Issue {
            facility, point, form, ..
        }
        | CodesCommand::Poster {
            facility, point, form, ..
        } => (facility.clone(), point.trim().to_string(), form.clone()),
    };
    let point = point.as_str();
    // A facility by its name, or by the slug of its page's address; one the centre knows.
    let facility = store
        .facility_list()?
        .into_iter()
        .map(|f| f.name)
        .find(|f| *f == facility || hailong::text::slug(f) == facility)
        .unwrap_or(facility);
    known_names(
        store,
        &Scope {
            facility: Some(facility.clone()),
            ..Scope::default()
        },
        locale,
    )?;
    // The point goes into every response: it must pass the check responses get.
    if point.is_empty() || point.chars().count() > 100 || server::store::check_name("point", point).is_err() {
        bail!(tr(locale, id!("cli-codes-point")));
    }
    let Ok(q) = catalog.latest(&form) else {
        let known = catalog.ids();
        bail!(tr_args(
            locale,
            id!("cli-codes-unknown-form"),
            &[("form", form.as_str().into()), ("known", known.join(", ").into())]
        ));
    };
    let title = q.title.get(locale).to_string();
    let now = chrono::Utc::now();
    match command {
        CodesCommand::Issue {
            count,
            valid_days,
            url,
            output,
            ..
        } => {
            let tz = env.config.timezone.0;
            // Good through the last day's end, in the facility's time zone.
            let last_day = now.with_timezone(&tz).date_naive() + chrono::Days::new(u64::from(valid_days) - 1);
            let until = last_day
                .succ_opt()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .and_then(|t| t.and_local_timezone(tz).earliest())
                .map(|t| t.with_timezone(&chrono::Utc))
                .or_else(|| {
                    // A day that starts in a clock change's gap: its end an hour on.
                    last_day
                        .succ_opt()?
                        .and_hms_opt(1, 0, 0)?
                        .and_local_timezone(tz)
                        .earliest()
                        .map(|t| t.with_timezone(&chrono::Utc))
                })
                .unwrap_or_else(|| now + chrono::Duration::days(i64::from(valid_days)));
            let codes: Vec<String> = (0..count).map(|_| hailong::phone::paper_code()).collect();
            let hashes: Vec<String> = codes.iter().map(|c| server::phone::printed_hash(c)).collect();
            let printed = sheet::Printed {
                facility: &facility,
                point,
                form: &title,
                base: &url,
            };
            let page = sheet::tickets(locale, printed, &codes, last_day);
            // The codes kept first: tickets the centre keeps but nobody holds are harmless; a
            // sheet whose codes the centre never kept is not.
            store.add_tickets(&server::phone::NewTickets {
                facility: &facility,
                point,
                questionnaire_id: &q.id,
                hashes: &hashes,
                issued_at: now,
                valid_until: until,
            })?;
            hailong::fsutil::write_private_atomically(&output, page.as_bytes())
                .with_context(|| output.display().to_string())?;
            say(&format!(
                "{}\n",
                tr_args(
                    locale,
                    id!("cli-codes-issued"),
                    &[
                        ("count", count.into()),
                        ("path", output.display().to_string().into()),
                        ("day", last_day.format("%d/%m/%Y").to_string().into()),
                        ("pages", count.div_ceil(sheet::TICKETS_PER_PAGE as u32).into()),
                    ]
                )
            ))?;
        }
        CodesCommand::Poster {
            url, output, replace, ..
        } => {
            let code = store.poster(&facility, point, &q.id, &hailong::phone::paper_code(), replace, now)?;
            let printed = sheet::Printed {
                facility: &facility,
                point,
                form: &title,
                base: &url,
            };
            std::fs::write(&output, sheet::poster(locale, printed, &code))
                .with_context(|| output.display().to_string())?;
            say(&format!(
                "{}\n",
                tr_args(
                    locale,
                    id!("cli-codes-poster"),
                    &[
                        ("path", output.display().to_string().into()),
                        ("link", format!("{url}/q/{code}").into()),
                    ]
                )
            ))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Refuses a report filter naming a facility, kiosk or department the centre does not know, naming the
/// close matches, instead of printing an empty report titled with the typo.
fn known_names(store: &dyn CentreStore, scope: &Scope, locale: Locale) -> Result<()> {
    let mut kiosks = store.kiosks()?;
    kiosks.extend(store.chains()?);
    let facilities: Vec<&str> = kiosks.iter().map(|k| k.facility.as_str()).collect();
    let ids: Vec<&str> = kiosks.iter().filter_map(|k| k.kiosk_id.as_deref()).collect();
    let departments = if scope.department.is_some() {
        store.departments()?
    } else {
        Vec::new()
    };
    let departments: Vec<&str> = departments.iter().map(String::as_str).collect();
    for (value, known, id) in [
        (&scope.facility, &facilities, id!("cli-centre-unknown-facility")),
        (&scope.kiosk, &ids, id!("cli-centre-unknown-kiosk")),
        (&scope.department, &departments, id!("cli-centre-unknown-department")),
    ] {
        if let Some(value) = value
            && !known.contains(&value.as_str())
        {
            let close = hailong::text::close_matches(value, known.iter().copied(), 3);
            let close = if close.is_empty() {
                tr(locale, id!("cli-centre-no-close-match"))
            } else {
                close.join(", ")
            };
            bail!(tr_args(
                locale,
                id,
                &[("name", value.as_str().into()), ("close", close.into())]
            ));
        }
    }
    Ok(())
}

fn token(store: &dyn CentreStore, command: TokenCommand, locale: Locale) -> Result<ExitCode> {
    match command {
        TokenCommand::Add { name } => {
            let token = server::new_token();
            store.add_read_token(&name, &server::token_hash(&token))?;
            say(&format!("{token}\n"))?;
        }
        TokenCommand::List => {
            for t in store.read_tokens()? {
                let state = match t.revoked_at {
                    Some(at) => tr_args(
                        locale,
                        id!("cli-token-revoked"),
                        &[("date", at.format("%d/%m/%Y").to_string().into())],
                    ),
                    None => tr(locale, id!("cli-kiosk-active")),
                };
                say(&format!(
                    "{}\t{}\t{}\t{state}\n",
                    t.id,
                    t.name,
                    t.created_at.format("%d/%m/%Y")
                ))?;
            }
        }
        TokenCommand::Revoke { id } => store.revoke_read_token(id)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints a kiosk's new token as the `[centre]` block for its `hailong.toml` (or JSON).
fn print_enrolment(
    info: &server::store::KioskInfo,
    token: &str,
    url: Option<String>,
    json: bool,
    comment: &str,
) -> Result<()> {
    let url = url.unwrap_or_default();
    if json {
        let v = serde_json::json!({
            "id": info.id, "facility": info.facility, "name": info.name, "kiosk_id": info.kiosk_id,
            "url": url, "token": token
        });
        say(&format!("{}\n", serde_json::to_string_pretty(&v)?))
    } else {
        say(&format!(
            "# {comment}\n[centre]\nurl = \"{url}\"\ntoken = \"{token}\"\n"
        ))
    }
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
            let info = store
                .add_kiosk(&facility, &name, &server::token_hash(&token))
                .map_err(|e| facility_refusal(locale, e))?;
            let comment = tr_args(
                locale,
                id!("cli-kiosk-added"),
                &[
                    ("facility", facility.as_str().into()),
                    ("name", name.as_str().into()),
                    ("id", info.id.as_str().into()),
                ],
            );
            print_enrolment(&info, &token, url, json, &comment)?;
        }
        KioskCommand::Renew { id, url, json } => {
            let token = server::new_token();
            let info = store.renew_kiosk(&id, &server::token_hash(&token))?;
            let comment = tr_args(
                locale,
                id!("cli-kiosk-renewed"),
                &[
                    ("facility", info.facility.as_str().into()),
                    ("name", info.name.as_str().into()),
                    ("id", info.id.as_str().into()),
                    ("seq", info.last_seq.to_string().into()),
                ],
            );
            print_enrolment(&info, &token, url, json, &comment)?;
        }
        KioskCommand::List => {
            let counts = store.event_counts(None)?;
            for k in store.kiosks()? {
                let c = k
                    .kiosk_id
                    .as_ref()
                    .and_then(|id| counts.get(id))
                    .copied()
                    .unwrap_or_default();
                let events = tr_args(
                    locale,
                    id!("cli-kiosk-events"),
                    &[("gaps", c.gaps.into()), ("tampers", c.tampers.into())],
                );
                let state = tr(
                    locale,
                    if k.revoked_at.is_some() {
                        id!("cli-kiosk-revoked")
                    } else {
                        id!("cli-kiosk-active")
                    },
                );
                let bound = k
                    .kiosk_id
                    .clone()
                    .unwrap_or_else(|| tr(locale, id!("cli-kiosk-not-synced")));
                let last = tr_args(
                    locale,
                    id!("cli-kiosk-last-seq"),
                    &[("seq", k.last_seq.to_string().into())],
                );
                say(&format!(
                    "{}\t{}\t{}\t{bound}\t{state}\t{last}\t{events}\n",
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
    store: Arc<dyn server::Backend>,
    web: server::WebOptions,
    listen: SocketAddr,
    tls: Option<rustls::ServerConfig>,
    first_admin: &str,
) -> Result<ExitCode> {
    // Structured logs on stderr; RUST_LOG=debug for more, RUST_LOG=warn for less.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    if store.user_count()? == 0 {
        // Nobody can log in to the pages yet: say how to make the first account.
        tracing::warn!(
            "{}",
            tr_args(
                env.locale,
                id!("cli-centre-no-accounts"),
                &[("command", first_admin.to_string().into())]
            )
        );
    }
    let mut centre = centre(env, store)?;
    centre.web = web;
    let alerts = &env.config.alerts;
    if !alerts.recipients.is_empty() && centre.web.public_url.is_none() {
        // E-mails are read elsewhere: without the public address their links have no host.
        tracing::warn!("{}", tr(env.locale, id!("cli-centre-alerts-no-url")));
    }
    centre.feedback_options.reply_by_email = !alerts.smtp_host.is_empty();
    let sender = if alerts.recipients.is_empty() && alerts.smtp_host.is_empty() {
        None
    } else {
        server::alerts::check(alerts).map_err(anyhow::Error::msg)?;
        Some(server::alerts::send::Sender::new(alerts).map_err(anyhow::Error::msg)?)
    };
    let runtime = server::runtime()?;
    runtime.block_on(async move {
        let listener = std::net::TcpListener::bind(listen).with_context(|| format!("listening on {listen}"))?;
        let address = listener.local_addr()?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        tracing::info!(%address, scheme, "listening");
        let (stop_alerts, stopped) = tokio::sync::oneshot::channel::<()>();
        if let Some(sender) = sender {
            let recipients = alerts.recipients.len();
            tracing::info!(recipients, "alerts on: the triggers are evaluated every minute");
            tokio::spawn(server::alerts::run(centre.clone(), alerts.clone(), sender, async {
                let _ = stopped.await;
            }));
        }
        server::serve_with(listener, centre, tls, server::Timeouts::default(), shutdown_signal()).await?;
        let _ = stop_alerts.send(());
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

/// `hailong sync [--once]`: runs the steps `sync::schedule` names, as the kiosk's worker does,
/// and says each on stderr in the staff's language.
pub fn sync(common: &Common, once: bool) -> Result<ExitCode> {
    let env = env(common)?;
    let locale = env.locale;
    let store = Arc::new(Mutex::new(open_store(&env)?));
    let target = Target::from_config(&env.config.centre);
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let mut http = None;
        let mut state = schedule::State::new(once);
        loop {
            let next = schedule::next(&state, Instant::now(), &mut rand::rng());
            let done = match next {
                Next::Round => {
                    let sent = async {
                        let http = client::cached_http_client(&mut http, &target)?;
                        client::sync_once(&store, &http, &target).await
                    }
                    .await;
                    if let Ok(n) = sent {
                        eprintln!("{}", tr_args(locale, id!("cli-sync-sent"), &[("count", n.into())]));
                    }
                    Done::Round(sent)
                }
                Next::CheckClock => {
                    let offset = async {
                        let http = client::cached_http_client(&mut http, &target)?;
                        client::clock_offset(&http, &target).await
                    }
                    .await;
                    if let Ok(Some(offset)) = offset
                        && let Some(warning) = client::explain_clock(offset, locale)
                    {
                        eprintln!("{warning}");
                    }
                    Done::Clock {
                        answered: offset.is_ok(),
                    }
                }
                Next::Audit => {
                    let audit = async {
                        let http = client::cached_http_client(&mut http, &target)?;
                        client::audit(&store, &http, &target).await
                    }
                    .await;
                    eprintln!("{}", explain_audit(&audit, locale));
                    Done::Audit(Audited::of(&audit))
                }
                Next::Wait(pause) => {
                    if let Some(e) = state.failure() {
                        eprintln!(
                            "{}",
                            tr_args(
                                locale,
                                id!("cli-sync-retry"),
                                &[
                                    ("error", e.explain(locale).into()),
                                    ("seconds", schedule::whole_seconds(pause).into())
                                ],
                            )
                        );
                    }
                    tokio::time::sleep(pause).await;
                    Done::Waited { woken: false }
                }
                Next::Stop(code) => return Ok(ExitCode::from(code)),
                Next::GiveUp(e) => bail!(e.explain(locale)),
            };
            state.record(done, Instant::now());
        }
    })
}

/// What the chain audit found (or why it failed), in words.
fn explain_audit(audit: &Result<hailong::sync::AuditResult, client::Error>, locale: Locale) -> String {
    match audit {
        Ok(a) if a.altered.is_empty() && a.removed.is_empty() => {
            tr_args(locale, id!("cli-sync-audit-ok"), &[("checked", a.checked.into())])
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
            tr_args(
                locale,
                id!("cli-sync-audit-tampered"),
                &[
                    ("checked", a.checked.into()),
                    ("altered", seqs(&a.altered).into()),
                    ("removed", seqs(&a.removed).into()),
                ],
            )
        }
        Err(e) => tr_args(
            locale,
            id!("cli-sync-audit-failed"),
            &[("detail", e.explain(locale).into())],
        ),
    }
}
