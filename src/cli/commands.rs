//! The body of each command.

use hailong::id;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use chrono::Utc;
use fluent_bundle::FluentValue;
use indicatif::{ProgressBar, ProgressStyle};

use hailong::config::{Config, DataDir};
use hailong::i18n::{tr, tr_args};
use hailong::report::export::{self, Format};
use hailong::report::{self, Calendar, Period};
use hailong::store::{ChainProblem, Store};
use hailong::survey::demo::{self, DemoOptions};
use hailong::survey::{Catalog, Locale};

use super::{Common, Scope};

/// Writes to stdout; a closed pipe (`hailong report | head`) ends quietly instead of panicking.
pub(super) fn say(text: &str) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

pub(super) struct Env {
    pub(super) data: DataDir,
    pub(super) config: Config,
    pub(super) locale: Locale,
}

pub(super) fn env(common: &Common) -> Result<Env> {
    let data = DataDir::resolve(common.data_dir.clone());
    let config_path = common.config.clone().unwrap_or_else(|| data.config_file());
    // The file is broken, so its default_locale is unknown: --lang, else Vietnamese.
    let config =
        Config::load(&config_path).map_err(|e| anyhow::anyhow!(e.describe(common.lang.unwrap_or_default())))?;
    let locale = common.lang.unwrap_or(config.default_locale);
    Ok(Env { data, config, locale })
}

pub(super) fn open_store(env: &Env) -> Result<Store> {
    Ok(Store::open(&env.data.database(), env.config.timezone.0)?)
}

/// [`open_store`] for commands that only read (`report`, `export`, `verify`): a database that is
/// not there is named, never created empty (a mistyped `--data-dir` would report nothing).
fn open_existing_store(env: &Env) -> Result<Store> {
    let path = env.data.database();
    if !path.exists() {
        anyhow::bail!(tr_args(
            env.locale,
            id!("cli-no-database"),
            &[("path", path.display().to_string().into())]
        ));
    }
    open_store(env)
}

/// The period `--period` or `--from`/`--to` name, on the reporting calendar of hailong.toml.
fn period(scope: &Scope, calendar: Calendar) -> Result<Period> {
    Ok(match (&scope.period, scope.from, scope.to) {
        (Some(p), _, _) => Period::parse(p, calendar)?,
        (None, None, None) => Period::all(),
        (None, from, to) => {
            if let (Some(f), Some(t)) = (from, to) {
                anyhow::ensure!(f <= t, "--from {f} is after --to {t}");
            }
            Period::between(from, to)
        }
    })
}

pub fn progress_bar(len: u64, message: String) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_message(message);
    bar
}

/// A `questionnaire` in hailong.toml that no questionnaire has keeps the kiosk from starting;
/// the report still covers what is stored, but says so on stderr.
fn warn_unknown_questionnaire(env: &Env) {
    let Ok(catalog) = Catalog::load(&env.data.questionnaires()) else {
        return;
    };
    if catalog.latest(&env.config.questionnaire).is_err() {
        eprintln!(
            "{}",
            hailong::i18n::tr_args(
                env.locale,
                id!("cli-unknown-questionnaire"),
                &[
                    ("id", env.config.questionnaire.clone().into()),
                    ("available", catalog.ids().join(", ").into()),
                ],
            )
        );
    }
}

fn build_report(env: &Env, store: &Store, scope: &Scope, period: &Period) -> Result<report::Report> {
    let report = report::build(
        store,
        &env.config.facility_name,
        period,
        scope.department.clone(),
        scope.questionnaire.clone(),
        &env.config.scoring_options(),
    );
    Ok(report.map_err(|e| store.explain(e))?)
}

pub fn report(common: &Common, scope: &Scope, json: bool) -> Result<ExitCode> {
    let env = env(common)?;
    warn_unknown_questionnaire(&env);
    let store = open_existing_store(&env)?;
    let period = period(scope, env.config.calendar())?;
    let report = build_report(&env, &store, scope, &period)?;
    if json {
        say(&(serde_json::to_string_pretty(&report)? + "\n"))?;
    } else {
        let questionnaires = store.questionnaires().map_err(|e| store.explain(e))?;
        say(&report::text::render(&report, &questionnaires, env.locale))?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn export(common: &Common, scope: &Scope, format: Format, out: &Path) -> Result<ExitCode> {
    let env = env(common)?;
    let store = open_existing_store(&env)?;
    let period = period(scope, env.config.calendar())?;
    let report = build_report(&env, &store, scope, &period)?;
    let filter = report::filter(&period, scope.department.clone(), scope.questionnaire.clone());
    let bar = progress_bar(0, tr(env.locale, id!("cli-export-progress")));
    let request = export::Request {
        filter: &filter,
        locale: env.locale,
        out,
        report: &report,
    };
    let n = export::export(&store, format, &request, &mut |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .map_err(|e| match e {
        export::ExportError::Source(e) => export::ExportError::Source(store.explain(e)),
        other => other,
    })?;
    bar.finish_and_clear();
    eprintln!(
        "{}",
        tr_args(
            env.locale,
            id!("cli-export-done"),
            &[
                ("count", FluentValue::from(n)),
                ("path", out.display().to_string().into())
            ]
        )
    );
    Ok(ExitCode::SUCCESS)
}

pub fn demo_data(common: &Common, responses: usize, seed: u64, end: Option<chrono::NaiveDate>) -> Result<ExitCode> {
    let env = env(common)?;
    let catalog = Catalog::load(&env.data.questionnaires())?;
    let q = catalog.latest(&env.config.questionnaire)?.clone();
    let mut store = open_store(&env)?;
    store.check_questionnaire(&q)?;
    let tz = env.config.timezone.0;
    let opts = DemoOptions {
        responses,
        seed,
        end: end.unwrap_or_else(|| Utc::now().with_timezone(&tz).date_naive()),
        departments: env.config.departments.clone(),
        tz,
    };
    let bar = progress_bar(responses as u64, tr(env.locale, id!("cli-demo-progress")));
    let mut batch = Vec::with_capacity(1000);
    let mut failure = None;
    let flush = |batch: &mut Vec<hailong::survey::Response>, store: &mut Store| -> Result<()> {
        let pairs: Vec<_> = batch.iter().map(|r| (&q, r)).collect();
        store.save_all(&pairs).context("saving demo responses")?;
        bar.inc(batch.len() as u64);
        batch.clear();
        Ok(())
    };
    demo::generate(&q, &opts, |r| {
        if failure.is_some() {
            return;
        }
        batch.push(r);
        if batch.len() == 1000
            && let Err(e) = flush(&mut batch, &mut store)
        {
            failure = Some(e);
        }
    });
    if let Some(e) = failure {
        return Err(e);
    }
    flush(&mut batch, &mut store)?;
    bar.finish_and_clear();
    eprintln!(
        "{}",
        tr_args(
            env.locale,
            id!("cli-demo-done"),
            &[
                ("count", FluentValue::from(responses)),
                ("questionnaire", q.key().into()),
                ("path", store.path().display().to_string().into()),
            ]
        )
    );
    Ok(ExitCode::SUCCESS)
}

pub fn verify(common: &Common) -> Result<ExitCode> {
    let env = env(common)?;
    let store = open_existing_store(&env)?;
    let result = store.verify().map_err(|e| store.explain(e))?;
    // The feedback box's notes have their own chain.
    let broken_note = store.verify_notes().map_err(|e| store.explain(e))?;
    if let Some(seq) = broken_note {
        say(&(tr_args(env.locale, id!("verify-note-broken"), &[("seq", seq.into())]) + "\n"))?;
    }
    let count = FluentValue::from(result.checked);
    let Some(problem) = result.problem else {
        if result.tallies.is_empty() {
            if broken_note.is_some() {
                return Ok(ExitCode::from(1));
            }
            say(&(tr_args(
                env.locale,
                id!("cli-verify-ok"),
                &[("count", count), ("cells", result.tally_cells.into())],
            ) + "\n"))?;
            return Ok(ExitCode::SUCCESS);
        }
        // The responses are intact but what reports add up is not: name every cell.
        for m in &result.tallies {
            let department = if m.department.is_empty() { "—" } else { &m.department };
            say(&(tr_args(
                env.locale,
                id!("verify-tally"),
                &[
                    ("day", m.day.clone().into()),
                    ("questionnaire", m.questionnaire.clone().into()),
                    ("department", department.to_string().into()),
                    ("stored", m.stored.0.into()),
                    ("stored_satisfied", m.stored.1.into()),
                    ("recomputed", m.recomputed.0.into()),
                    ("recomputed_satisfied", m.recomputed.1.into()),
                ],
            ) + "\n"))?;
        }
        say(&(tr_args(
            env.locale,
            id!("cli-verify-tallies-failed"),
            &[("cells", result.tallies.len().into()), ("count", count)],
        ) + "\n"))?;
        return Ok(ExitCode::from(1));
    };
    if let ChainProblem::Damaged { detail } = &problem {
        // Damage is not tampering: say what it is and what to do.
        say(&(tr_args(env.locale, id!("verify-damaged"), &[("detail", detail.clone().into())]) + "\n"))?;
        return Ok(ExitCode::from(1));
    }
    let problem = match problem {
        ChainProblem::Missing { seq } => tr_args(env.locale, id!("verify-missing"), &[("seq", seq.into())]),
        ChainProblem::Altered { seq } => tr_args(env.locale, id!("verify-altered"), &[("seq", seq.into())]),
        ChainProblem::Broken { seq } => tr_args(env.locale, id!("verify-broken"), &[("seq", seq.into())]),
        ChainProblem::Damaged { detail } => tr_args(env.locale, id!("verify-damaged"), &[("detail", detail.into())]),
        ChainProblem::Unreadable { seq, detail } => tr_args(
            env.locale,
            id!("verify-unreadable"),
            &[("seq", seq.into()), ("detail", detail.into())],
        ),
    };
    let line = tr_args(
        env.locale,
        id!("cli-verify-failed"),
        &[("problem", problem.into()), ("count", count)],
    );
    say(&(line + "\n"))?;
    Ok(ExitCode::from(1))
}

/// `hailong kiosk set-pin`: asks for the PIN twice (hidden on a terminal; one line each on a
/// pipe) and stores its argon2id hash in hailong.toml.
pub fn set_pin(data_dir: Option<std::path::PathBuf>, config: Option<std::path::PathBuf>) -> Result<ExitCode> {
    use hailong::pin;
    use std::io::{BufRead, IsTerminal};
    let data = DataDir::resolve(data_dir);
    hailong::fsutil::create_private_dir_all(&data.0).with_context(|| data.0.display().to_string())?;
    let path = config.unwrap_or_else(|| data.config_file());
    let locale = Config::load(&path).map(|c| c.default_locale).unwrap_or_default();
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let mut ask = |id: hailong::i18n::Id| -> Result<String> {
        let prompt = format!("{}: ", tr(locale, id));
        if std::io::stdin().is_terminal() {
            Ok(rpassword::prompt_password(prompt)?)
        } else {
            eprint!("{prompt}");
            let line = lines.next().transpose()?.unwrap_or_default();
            eprintln!();
            Ok(line)
        }
    };
    let first = ask(id!("cli-pin-first"))?;
    if !pin::is_valid_new_pin(first.trim()) {
        anyhow::bail!(tr(locale, id!("cli-pin-invalid")));
    }
    let again = ask(id!("cli-pin-again"))?;
    if first.trim() != again.trim() {
        anyhow::bail!(tr(locale, id!("cli-pin-mismatch")));
    }
    let hash = pin::hash_pin(first.trim()).map_err(anyhow::Error::msg)?;
    Config::store_pin_hash(&path, &hash)?;
    eprintln!(
        "{}",
        tr_args(
            locale,
            id!("cli-pin-done"),
            &[("path", path.display().to_string().into())]
        )
    );
    Ok(ExitCode::SUCCESS)
}

/// `hailong phone-link`: the link the kiosk's QR code holds now (or `--at`), computed as the
/// kiosk computes it, offline, from its token (DESIGN §12).
pub fn phone_link(common: &Common, form: Option<&str>, at: Option<chrono::DateTime<chrono::Utc>>) -> Result<ExitCode> {
    let env = env(common)?;
    let centre = &env.config.centre;
    if centre.url.trim().is_empty() || centre.token.trim().is_empty() {
        anyhow::bail!(tr(env.locale, id!("cli-phone-link-no-centre")));
    }
    let store = open_existing_store(&env)?;
    let form = form.unwrap_or(&env.config.questionnaire);
    let key = hailong::phone::key_of_token(&centre.token);
    let base = centre.phone_base();
    let link = hailong::phone::link(base, &key, store.kiosk_id(), form, at.unwrap_or_else(chrono::Utc::now));
    say(&format!("{link}\n"))?;
    Ok(ExitCode::SUCCESS)
}
