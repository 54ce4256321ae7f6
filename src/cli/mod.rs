//! Command-line interface (DESIGN §2). Each command loads the configuration and the store,
//! calls the library, and prints in the staff member's language.

mod commands;

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};

use hailong::report::export::Format;
use hailong::survey::Locale;

/// hailong: patient-satisfaction kiosk and reports for Vietnamese health centres.
#[derive(Debug, Parser)]
#[command(name = "hailong", version, arg_required_else_help = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
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
}

fn parse_locale(s: &str) -> Result<Locale, String> {
    Locale::from_tag(s).ok_or_else(|| format!("unknown language `{s}` (use vi or en)"))
}

/// Parses the command line and runs it.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let lang = match &cli.command {
        Command::Report { common, .. }
        | Command::Export { common, .. }
        | Command::DemoData { common, .. }
        | Command::Verify { common } => common.lang,
    };
    let result = match cli.command {
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
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            let locale = lang.unwrap_or_default();
            eprintln!(
                "{}",
                hailong::i18n::tr_args(locale, "cli-error", &[("message", format!("{e:#}").into())])
            );
            ExitCode::from(2)
        }
    }
}
