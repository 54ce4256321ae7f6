//! The plain-text report `hailong report` prints for staff, in their language.

use std::fmt::Write as _;

use fluent_bundle::FluentValue;

use super::Report;
use crate::i18n::{tr, tr_args};
use crate::survey::{Figures, Locale, Questionnaire, Verdict};

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

fn row(out: &mut String, locale: Locale, label: &str, f: &Figures) {
    let _ = writeln!(
        out,
        "{} {:>7} {:>10} {:>7}",
        clip(label, 58),
        f.answers,
        percent(locale, f.satisfied_pct),
        mean(locale, f.mean_score)
    );
}

/// Renders the report as an aligned table. `questionnaires` supply section and item titles.
pub fn render(report: &Report, questionnaires: &[Questionnaire], locale: Locale) -> String {
    let s = &report.summary;
    let mut out = String::new();
    let period = match (report.from, report.to) {
        (None, None) => tr(locale, "report-period-all"),
        (from, to) => format!(
            "{} ({} → {})",
            report.period,
            from.map_or_else(|| "…".into(), |d| d.to_string()),
            to.map_or_else(|| "…".into(), |d| d.to_string())
        ),
    };
    let _ = writeln!(
        out,
        "{}",
        tr_args(locale, "report-title", &[("facility", report.facility.as_str().into())])
    );
    let _ = writeln!(
        out,
        "{}",
        tr_args(locale, "report-period", &[("period", period.into())])
    );
    if let Some(d) = &report.department {
        let _ = writeln!(
            out,
            "{}",
            tr_args(locale, "report-department", &[("department", d.as_str().into())])
        );
    }
    let _ = writeln!(
        out,
        "{}",
        tr_args(
            locale,
            "report-responses",
            &[
                ("count", FluentValue::from(s.responses)),
                ("partial", FluentValue::from(s.partial_responses)),
                ("rapid", FluentValue::from(s.rapid_repeat_responses)),
            ]
        )
    );
    let _ = writeln!(out);
    let ci = match (s.ci_low_pct, s.ci_high_pct) {
        (Some(l), Some(h)) => format!("{}–{}", decimal(locale, l, 1), percent(locale, Some(h))),
        _ => "—".into(),
    };
    let _ = writeln!(
        out,
        "{}",
        tr_args(
            locale,
            "report-satisfied",
            &[
                ("pct", percent(locale, s.satisfied_pct).into()),
                ("n", FluentValue::from(s.answers)),
                ("ci", ci.into()),
            ]
        )
    );
    let verdict_id = match s.verdict {
        Verdict::Met => "report-verdict-met",
        Verdict::NotMet => "report-verdict-not-met",
        Verdict::Inconclusive => "report-verdict-inconclusive",
        Verdict::NoData => "report-verdict-no-data",
    };
    let target = decimal(locale, s.target_pct, 0);
    let _ = writeln!(
        out,
        "{}",
        tr_args(
            locale,
            "report-target",
            &[("target", target.into()), ("verdict", tr(locale, verdict_id).into())]
        )
    );
    let _ = writeln!(
        out,
        "{}",
        tr_args(locale, "report-mean", &[("mean", mean(locale, s.mean_score).into())])
    );
    let _ = writeln!(
        out,
        "{}",
        tr_args(
            locale,
            "report-comprehensive",
            &[
                ("pct", percent(locale, s.comprehensive_pct).into()),
                ("n", FluentValue::from(s.comprehensive_respondents))
            ]
        )
    );
    let _ = writeln!(
        out,
        "{}",
        tr_args(
            locale,
            "report-expectation",
            &[
                ("pct", percent(locale, s.expectation_mean).into()),
                ("n", FluentValue::from(s.expectation_n))
            ]
        )
    );
    let _ = writeln!(
        out,
        "{}",
        tr_args(
            locale,
            "report-return",
            &[
                ("pct", percent(locale, s.return_pct).into()),
                ("n", FluentValue::from(s.return_n))
            ]
        )
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{} {:>7} {:>10} {:>7}",
        clip(&tr(locale, "report-col-part"), 58),
        "n",
        tr(locale, "report-col-satisfied"),
        tr(locale, "report-col-mean")
    );
    let _ = writeln!(out, "{}", "-".repeat(85));
    let mut shown = std::collections::HashSet::new();
    for q in questionnaires {
        for section in &q.sections {
            let Some(f) = s.sections.get(&section.code) else {
                continue;
            };
            if !shown.insert(section.code.clone()) {
                continue;
            }
            row(
                &mut out,
                locale,
                &format!("{}. {}", section.code, section.title.get(locale)),
                f,
            );
            for item in &section.items {
                // Items are listed under the first questionnaire that has them.
                if let Some(figures) = s
                    .items
                    .get(&item.code)
                    .filter(|_| shown.insert(format!("item:{}", item.code)))
                {
                    row(
                        &mut out,
                        locale,
                        &format!("  {} {}", item.code, item.text.get(locale)),
                        &figures.figures,
                    );
                }
            }
        }
    }
    out
}
