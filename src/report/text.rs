//! The plain-text report `hailong report` prints for staff, in their language.

use std::fmt::Write as _;

use fluent_bundle::FluentValue;

use super::Report;
use super::model::{Level, Model, Row};
use crate::i18n::{tr, tr_args};
use crate::survey::{Locale, Questionnaire, Verdict};

/// A number with one decimal, using the locale's decimal mark (`93,4` in Vietnamese).
pub fn decimal(locale: Locale, v: f64, places: usize) -> String {
    let s = format!("{v:.places$}");
    match locale {
        Locale::Vi => s.replace('.', ","),
        Locale::En => s,
    }
}

/// A percentage such as `93,4 %`, or `—` when there is no data.
pub fn percent(locale: Locale, v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |v| format!("{} %", decimal(locale, v, 1)))
}

/// A day as staff write it: `dd/mm/yyyy`.
pub fn date(d: chrono::NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// The verdict in words (`ĐẠT`, `chưa đủ số phiếu để kết luận`…).
pub fn verdict_words(locale: Locale, verdict: Verdict) -> String {
    tr(
        locale,
        match verdict {
            Verdict::Met => id!("report-verdict-met"),
            Verdict::NotMet => id!("report-verdict-not-met"),
            Verdict::Inconclusive => id!("report-verdict-inconclusive"),
            Verdict::NoData => id!("report-verdict-no-data"),
        },
    )
}

/// The verdict in a table cell (`Đạt`, `Chưa đủ phiếu`…).
pub fn verdict_short(locale: Locale, verdict: Verdict) -> String {
    tr(
        locale,
        match verdict {
            Verdict::Met => id!("report-verdict-short-met"),
            Verdict::NotMet => id!("report-verdict-short-not-met"),
            Verdict::Inconclusive => id!("report-verdict-short-inconclusive"),
            Verdict::NoData => id!("report-verdict-short-no-data"),
        },
    )
}

/// The 95 % interval as `92,7–93,6 %`, or `—`.
pub fn interval(locale: Locale, low: Option<f64>, high: Option<f64>) -> String {
    match (low, high) {
        (Some(l), Some(h)) => format!("{}–{}", decimal(locale, l, 1), percent(locale, Some(h))),
        _ => "—".into(),
    }
}

fn mean(locale: Locale, v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |v| decimal(locale, v, 2))
}

fn clip(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        format!("{text:<width$}")
    } else {
        let mut s: String = text.chars().take(width - 1).collect();
        s.push('…');
        s
    }
}

const LABEL: usize = 50;

fn line(out: &mut String, label: &str, n: &str, rate: &str, ci: &str, mean: &str, verdict: &str) {
    let _ = writeln!(
        out,
        "{} {n:>7} {rate:>11} {ci:>14} {mean:>7}  {verdict}",
        clip(label, LABEL)
    );
}

fn table_row(out: &mut String, locale: Locale, row: &Row) {
    let code = row.code.as_deref().unwrap_or("");
    let label = match row.level {
        Level::Total => row.label.clone(),
        Level::Section => format!("{code}. {}", row.label),
        Level::Item => format!("  {code} {}", row.label),
    };
    let f = &row.figures;
    line(
        out,
        &label,
        &f.n.to_string(),
        &percent(locale, f.rate_pct),
        &interval(locale, f.ci_low_pct, f.ci_high_pct),
        &mean(locale, f.mean_score),
        &verdict_short(locale, row.verdict),
    );
}

/// Renders the report as an aligned table. `questionnaires` supply section and item titles.
pub fn render(report: &Report, questionnaires: &[Questionnaire], locale: Locale) -> String {
    render_model(&Model::new(report, questionnaires, locale))
}

/// Renders a [`Model`] in its language: the heading, the counts, the headline figures, then one
/// line per row.
pub fn render_model(model: &Model) -> String {
    let locale = model.locale;
    let mut out = String::new();
    let period = match (model.from, model.to) {
        (None, None) => tr(locale, id!("report-period-all")),
        (from, to) => format!(
            "{} ({} → {})",
            model.period,
            from.map_or_else(|| "…".into(), date),
            to.map_or_else(|| "…".into(), date)
        ),
    };
    let mut say = |text: String| {
        let _ = writeln!(out, "{text}");
    };
    say(tr_args(
        locale,
        id!("report-title"),
        &[("facility", model.facility.as_str().into())],
    ));
    say(tr_args(locale, id!("report-period"), &[("period", period.into())]));
    if let Some(d) = &model.department {
        say(tr_args(
            locale,
            id!("report-department"),
            &[("department", d.as_str().into())],
        ));
    }
    let c = &model.counts;
    say(tr_args(
        locale,
        id!("report-responses"),
        &[
            ("count", FluentValue::from(c.counted)),
            ("partial", FluentValue::from(c.counted_partial)),
            ("rapid", FluentValue::from(c.excluded_rapid_repeats)),
        ],
    ));
    say(String::new());
    let total = model.total();
    let f = &total.figures;
    say(tr_args(
        locale,
        id!("report-satisfied"),
        &[
            ("pct", percent(locale, f.rate_pct).into()),
            ("n", FluentValue::from(f.n)),
            ("ci", interval(locale, f.ci_low_pct, f.ci_high_pct).into()),
        ],
    ));
    say(tr_args(
        locale,
        id!("report-target"),
        &[
            ("target", decimal(locale, model.target_pct, 0).into()),
            ("verdict", verdict_words(locale, total.verdict).into()),
        ],
    ));
    say(tr_args(
        locale,
        id!("report-mean"),
        &[("mean", mean(locale, f.mean_score).into())],
    ));
    for (id, indicator) in [
        (id!("report-comprehensive"), &model.comprehensive),
        (id!("report-expectation"), &model.expectation),
        (id!("report-return"), &model.return_rate),
    ] {
        say(tr_args(
            locale,
            id,
            &[
                ("pct", percent(locale, indicator.value).into()),
                ("n", FluentValue::from(indicator.n)),
            ],
        ));
    }
    say(String::new());
    line(
        &mut out,
        &tr(locale, id!("report-col-part")),
        "n",
        &tr(locale, id!("report-col-satisfied")),
        &tr(locale, id!("report-col-interval")),
        &tr(locale, id!("report-col-mean")),
        &tr(locale, id!("report-col-verdict")),
    );
    let _ = writeln!(out, "{}", "-".repeat(LABEL + 60));
    for row in &model.rows {
        table_row(&mut out, locale, row);
    }
    out
}
