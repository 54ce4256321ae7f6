//! Command-line interface (DESIGN §2). Each command loads the configuration and the store,
//! calls the library, and prints in the staff member's language.

mod centre;
mod commands;

use hailong::id;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};

use hailong::report::export::Format;
use hailong::survey::Locale;

/// hailong: patient-satisfaction kiosk and reports for Vietnamese health centres.
#[derive(Debug, Parser)]
#[command(name = "hailong", version)]
pub struct Cli {
    /// With no command, hailong runs the kiosk.
    #[command(flatten)]
    kiosk: KioskArgs,
    #[command(subcommand)]
    command: Option<Command>,
}

/// Options of the kiosk GUI.
#[derive(Debug, Args, Clone)]
pub struct KioskArgs {
    /// Data directory (database, hailong.toml, questionnaires/).
    #[arg(long, env = "HAILONG_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Configuration file (default: <data-dir>/hailong.toml).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Open a 1280×800 window (for development) instead of the locked fullscreen kiosk.
    #[arg(long)]
    windowed: bool,
}

/// Options every command takes.
#[derive(Debug, Args, Clone)]
pub struct Common {
    /// Data directory (database, hailong.toml, questionnaires/).
    #[arg(long, env = "HAILONG_DATA_DIR", global = true)]
    data_dir: Option<PathBuf>,
    /// Configuration file (default: <data-dir>/hailong.toml).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Language of the output (default: the configured default_locale).
    #[arg(long, global = true, value_parser = parse_locale)]
    lang: Option<Locale>,
}

impl Common {
    /// The configuration file given with `--config`, if any.
    pub(crate) fn config_path(&self) -> Option<&std::path::Path> {
        self.config.as_deref()
    }
}

/// Which responses a report or export covers.
#[derive(Debug, Args, Clone)]
pub struct Scope {
    /// 2026-Q1 … 2026-Q4, 2026-H1, 2026-H2, 2026-9M, 2026, 2026-03 or all (default: all).
    #[arg(long, conflicts_with_all = ["from", "to"])]
    period: Option<String>,
    /// First day (YYYY-MM-DD, facility time).
    #[arg(long)]
    from: Option<NaiveDate>,
    /// Last day (YYYY-MM-DD, facility time).
    #[arg(long)]
    to: Option<NaiveDate>,
    /// Only this department.
    #[arg(long)]
    department: Option<String>,
    /// Only this questionnaire id.
    #[arg(long)]
    questionnaire: Option<String>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the patient kiosk (the default when no command is given).
    Kiosk {
        #[command(flatten)]
        args: KioskArgs,
        #[command(subcommand)]
        action: Option<KioskAction>,
    },
    /// Print the satisfaction report (DESIGN §5).
    Report {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        scope: Scope,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Export responses to CSV or XLSX.
    Export {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        scope: Scope,
        /// csv or xlsx.
        #[arg(long, value_enum)]
        format: Format,
        /// Destination file.
        #[arg(long)]
        out: PathBuf,
    },
    /// Add realistic, deterministic demo responses.
    DemoData {
        #[command(flatten)]
        common: Common,
        /// How many responses.
        #[arg(long)]
        responses: usize,
        /// Seed (the same seed gives the same responses).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Last day covered (default: today); responses spread over the year before it.
        #[arg(long)]
        end: Option<NaiveDate>,
    },
    /// Check the tamper-evident hash chain of stored responses.
    Verify {
        #[command(flatten)]
        common: Common,
    },
    /// Send stored responses to the centre ([centre] url and token in hailong.toml).
    Sync {
        #[command(flatten)]
        common: Common,
        /// Send what is waiting and stop, instead of syncing forever.
        #[arg(long)]
        once: bool,
    },
    /// Print the kiosk's current phone link: what its QR code holds now (for testing, and for a
    /// queue display). Needs [centre] url and token in hailong.toml and one sync done.
    PhoneLink {
        #[command(flatten)]
        common: Common,
        /// The questionnaire to answer (default: the kiosk's own).
        #[arg(long)]
        form: Option<String>,
        /// The time to compute the link for (RFC 3339; default: now).
        #[arg(long)]
        at: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// The centre server and its administration.
    Centre {
        #[command(flatten)]
        common: Common,
        /// sqlite:PATH (default: <data-dir>/centre.sqlite3) or postgres://…
        #[arg(long, global = true, env = "HAILONG_CENTRE_DATABASE")]
        database: Option<String>,
        #[command(subcommand)]
        command: centre::Command,
    },
}

#[derive(Debug, Subcommand)]
enum KioskAction {
    /// Set the staff PIN (asked twice; 6–8 digits); hailong.toml keeps only its argon2id hash.
    SetPin {
        /// Data directory (database, hailong.toml, questionnaires/).
        #[arg(long, env = "HAILONG_DATA_DIR")]
        data_dir: Option<PathBuf>,
        /// Configuration file (default: <data-dir>/hailong.toml).
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

fn parse_locale(s: &str) -> Result<Locale, String> {
    Locale::from_tag(s).ok_or_else(|| format!("unknown language `{s}` (use vi or en)"))
}

/// Parses the command line and runs it.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let command = match cli.command {
        None => return kiosk(cli.kiosk),
        Some(Command::Kiosk { args, action: None }) => return kiosk(args),
        Some(Command::Kiosk {
            action: Some(KioskAction::SetPin { data_dir, config }),
            ..
        }) => return finish(commands::set_pin(data_dir, config), None),
        Some(command) => command,
    };
    let lang = match &command {
        Command::Kiosk { .. } => None,
        Command::Report { common, .. }
        | Command::Export { common, .. }
        | Command::DemoData { common, .. }
        | Command::Verify { common }
        | Command::Sync { common, .. }
        | Command::PhoneLink { common, .. }
        | Command::Centre { common, .. } => common.lang,
    };
    let result = match command {
        Command::Kiosk { .. } => Ok(ExitCode::SUCCESS),
        Command::Report { common, scope, json } => commands::report(&common, &scope, json),
        Command::Export {
            common,
            scope,
            format,
            out,
        } => commands::export(&common, &scope, format, &out),
        Command::DemoData {
            common,
            responses,
            seed,
            end,
        } => commands::demo_data(&common, responses, seed, end),
        Command::Verify { common } => commands::verify(&common),
        Command::Sync { common, once } => centre::sync(&common, once),
        Command::PhoneLink { common, form, at } => commands::phone_link(&common, form.as_deref(), at),
        Command::Centre {
            common,
            database,
            command,
        } => centre::run(&common, database.as_deref(), command),
    };
    finish(result, lang)
}

fn finish(result: anyhow::Result<ExitCode>, lang: Option<Locale>) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(e) => {
            let locale = lang.unwrap_or_default();
            eprintln!(
                "{}",
                hailong::i18n::tr_args(locale, id!("cli-error"), &[("message", format!("{e:#}").into())])
            );
            ExitCode::from(2)
        }
    }
}

fn kiosk(args: KioskArgs) -> ExitCode {
    let locale = Locale::default();
    let fail = |message: String| {
        eprintln!(
            "{}",
            hailong::i18n::tr_args(locale, id!("cli-error"), &[("message", message.into())])
        );
        ExitCode::from(2)
    };
    let options = hailong::kiosk::Options {
        data_dir: args.data_dir,
        config: args.config,
        windowed: args.windowed,
    };
    // Another kiosk on this data directory is said first: it is why this one must not run.
    let lock = match hailong::kiosk::lock_data_dir(&options) {
        Ok(lock) => lock,
        Err(hailong::kiosk::RunError::InUse(dir)) => {
            return fail(hailong::i18n::tr_args(
                locale,
                id!("cli-kiosk-in-use"),
                &[("dir", dir.display().to_string().into())],
            ));
        }
        Err(e) => return fail(e.to_string()),
    };
    if !hailong::kiosk::display_available() {
        return fail(hailong::i18n::tr(locale, id!("cli-no-display")));
    }
    match hailong::kiosk::run(options, lock) {
        // Staff quit: 0, so systemd (Restart=on-failure) leaves it stopped; a kiosk that could
        // not start: 2.
        Ok(exit) => exit.code(),
        Err(e) => fail(e.to_string()),
    }
}
