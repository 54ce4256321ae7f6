//! The plain-text report `hailong report` prints for staff, in their language.

use std::fmt::Write as _;

use super::Report;
use super::model::{Level, Model, Row};
use crate::i18n::{tr, tr_args};
use crate::survey::{Judgement, Locale, Questionnaire, Unsettled, Verdict};

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

/// A count with thousands grouped (`2.000.000` in Vietnamese, `2,000,000` in English).
pub fn count(locale: Locale, n: u64) -> String {
    let digits = n.to_string();
    let sep = match locale {
        Locale::Vi => '.',
        Locale::En => ',',
    };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// The name of a named period (`2026-Q3` → `Quý 3/2026`, `2026-9M` → `9 tháng đầu năm
/// 2026`); `None` for `all` and date spans.
pub fn period_name(locale: Locale, label: &str) -> Option<String> {
    let (year, rest) = label.split_once('-').map_or((label, None), |(y, r)| (y, Some(r)));
    let year: i32 = year.parse().ok()?;
    let arg = |id: crate::i18n::Id, n: Option<u32>| {
        let mut args: Vec<(&str, fluent_bundle::FluentValue)> = vec![("year", year.to_string().into())];
        if let Some(n) = n {
            args.push(("n", n.into()));
        }
        tr_args(locale, id, &args)
    };
    Some(match rest {
        None => arg(id!("web-period-year"), None),
        Some("H1") => arg(id!("web-period-h1"), None),
        Some("H2") => arg(id!("web-period-h2"), None),
        Some("9M") => arg(id!("web-period-9m"), None),
        Some(q) if q.len() == 2 && q.starts_with('Q') => arg(id!("web-period-quarter"), q[1..].parse().ok()),
        Some(m) if m.len() == 2 => arg(id!("web-period-month"), m.parse().ok()),
        _ => return None,
    })
}

/// A period in words for a document: its name, "all data", or its first and last day.
pub fn period_words(
    locale: Locale,
    label: &str,
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
) -> String {
    if let Some(name) = period_name(locale, label) {
        return name;
    }
    match (from, to) {
        (None, None) => tr(locale, id!("report-period-all")),
        (from, to) => format!(
            "{} – {}",
            from.map_or_else(|| "…".into(), date),
            to.map_or_else(|| "…".into(), date)
        ),
    }
}

/// The verdict in words, the same on every surface: met, not met, too few answers to
/// conclude, or close to the target with how many more answers would settle it.
pub fn verdict_words(locale: Locale, j: Judgement) -> String {
    match (j.verdict, j.unsettled) {
        (Verdict::Met, _) => tr(locale, id!("verdict-met")),
        (Verdict::NotMet, _) => tr(locale, id!("verdict-not-met")),
        (Verdict::NoData, _) => tr(locale, id!("verdict-no-data")),
        (Verdict::Inconclusive, Some(Unsettled::Close { more: Some(more) })) => tr_args(
            locale,
            id!("verdict-close-more"),
            &[("more", count(locale, more).into())],
        ),
        (Verdict::Inconclusive, Some(Unsettled::Close { more: None })) => tr(locale, id!("verdict-close")),
        (Verdict::Inconclusive, _) => tr(locale, id!("verdict-too-few")),
    }
}

/// A channel's name in `locale` (`Ki-ốt`, `Điện thoại (mã QR trên ki-ốt)`…).
pub fn channel_name(locale: Locale, channel: crate::survey::Channel) -> String {
    use crate::survey::Channel;
    let id = match channel {
        Channel::Kiosk => id!("channel-kiosk"),
        Channel::Phone => id!("channel-phone"),
        Channel::Ticket => id!("channel-ticket"),
        Channel::Poster => id!("channel-poster"),
        Channel::Paper => id!("channel-paper"),
        Channel::Interview => id!("channel-interview"),
    };
    tr(locale, id)
}

/// Counted responses by channel in words, each with its share, joined by ` · `
/// (`Ki-ốt: 145 phiếu (91,8 %) · Phỏng vấn, hỗ trợ điền: 13 phiếu (8,2 %)`): the pages' channel
/// mix and the quarterly report's section I say it alike.
pub fn channel_mix(locale: Locale, counts: &[(crate::survey::Channel, u64)]) -> String {
    let total: u64 = counts.iter().map(|(_, n)| n).sum();
    counts
        .iter()
        .map(|&(channel, n)| {
            tr_args(
                locale,
                id!("web-mix-item"),
                &[
                    ("channel", channel_name(locale, channel).into()),
                    ("count", count(locale, n).into()),
                    (
                        "pct",
                        percent(locale, Some(100.0 * n as f64 / total.max(1) as f64)).into(),
                    ),
                ],
            )
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The verdict in a table cell (`Đạt`, `Sát mục tiêu`…).
pub fn verdict_short(locale: Locale, j: Judgement) -> String {
    tr(
        locale,
        match (j.verdict, j.unsettled) {
            (Verdict::Met, _) => id!("verdict-short-met"),
            (Verdict::NotMet, _) => id!("verdict-short-not-met"),
            (Verdict::NoData, _) => id!("verdict-short-no-data"),
            (Verdict::Inconclusive, Some(Unsettled::Close { .. })) => id!("verdict-short-close"),
            (Verdict::Inconclusive, _) => id!("verdict-short-too-few"),
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
        &count(locale, f.n),
        &percent(locale, f.rate_pct),
        &interval(locale, f.ci_low_pct, f.ci_high_pct),
        &mean(locale, f.mean_score),
        &verdict_short(locale, row.judgement()),
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
    if let Some(channel) = model.channel {
        say(tr_args(
            locale,
            id!("report-channel"),
            &[("channel", channel_name(locale, channel).into())],
        ));
    }
    if let Some(p) = &model.point {
        say(tr_args(locale, id!("report-point"), &[("point", p.as_str().into())]));
    }
    let c = &model.counts;
    say(tr_args(
        locale,
        id!("report-responses"),
        &[
            ("count", count(locale, c.counted).into()),
            ("partial", count(locale, c.counted_partial).into()),
            ("rapid", count(locale, c.excluded_rapid_repeats).into()),
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
            ("n", count(locale, f.n).into()),
            ("ci", interval(locale, f.ci_low_pct, f.ci_high_pct).into()),
        ],
    ));
    say(tr_args(
        locale,
        id!("report-target"),
        &[
            ("target", decimal(locale, model.target_pct, 0).into()),
            ("verdict", verdict_words(locale, total.judgement()).into()),
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
                ("n", count(locale, indicator.n).into()),
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
