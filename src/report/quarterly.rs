//! The quarterly report a facility sends to the Department of Health (Sở Y tế), as data: its
//! header, I. what was deployed, II. the results, III. remarks by the five groups A–E, IV.
//! problems and actions (the facility's own text), recipients and the signature block. The
//! centre's web page renders it as HTML for printing, `report::docx::quarterly` as a Word file
//! the facility edits and signs.

use chrono::NaiveDate;
use serde::Serialize;

use crate::i18n::{tr, tr_args};
use crate::survey::{Figures, Locale, Summary, Verdict};

/// One questionnaire used in the period.
#[derive(Debug, Clone, Serialize)]
pub struct Form {
    /// Its title.
    pub title: String,
    /// Its id and version (`kiosk-nhanh` v1).
    pub id: String,
    /// Its version.
    pub version: u32,
    /// The decision it follows (`QĐ 3869/QĐ-BYT …`), when the file says.
    pub source: Option<String>,
    /// Responses on it in the period.
    pub responses: u64,
}

/// One question of the item table: the share of each score and of "not used".
#[derive(Debug, Clone, Serialize)]
pub struct ItemLine {
    /// Its code.
    pub code: String,
    /// The question.
    pub text: String,
    /// Its figures.
    pub figures: Figures,
}

/// One line of the feedback box's table: what was received in the period and how it stands.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FeedbackLine {
    /// A kind, a channel, or the total.
    pub label: String,
    /// Received.
    pub received: u32,
    /// Settled by the deadline.
    pub on_time: u32,
    /// Settled after it.
    pub late: u32,
    /// Open, within the deadline.
    pub pending: u32,
    /// Open, past it.
    pub overdue: u32,
}

/// Everything the report says, in the reader's language.
#[derive(Debug, Clone, Serialize)]
pub struct QuarterlyReport {
    /// The facility.
    pub facility: String,
    /// The period's name (`Quý 1/2026`).
    pub period_name: String,
    /// Its first and last day.
    pub from: Option<NaiveDate>,
    /// Last day.
    pub to: Option<NaiveDate>,
    /// The day it was made.
    pub date: NaiveDate,
    /// Kiosks enrolled at the facility.
    pub kiosks: usize,
    /// Forms used, with their responses.
    pub forms: Vec<Form>,
    /// The whole facility.
    pub total: Summary,
    /// Section codes and titles, in order.
    pub sections: Vec<(String, String)>,
    /// Each department (name, summary).
    pub departments: Vec<(String, Summary)>,
    /// Every scale question.
    pub items: Vec<ItemLine>,
    /// The feedback box: by kind, by channel, then the total (empty when nothing was received).
    pub feedback: Vec<FeedbackLine>,
    /// Section IV: the facility's own text (problems and actions).
    pub actions: String,
    /// The target, %.
    pub target: f64,
}

/// A labelled figure of section II.
pub struct Line {
    /// What it is.
    pub label: String,
    /// The value, formatted.
    pub value: String,
    /// Its n, formatted (`3.711`).
    pub n: String,
}

fn pct(locale: Locale, v: Option<f64>) -> String {
    super::text::percent(locale, v)
}

fn share(locale: Locale, k: u64, n: u64) -> String {
    if n == 0 {
        "—".into()
    } else {
        pct(locale, Some(100.0 * k as f64 / n as f64))
    }
}

impl QuarterlyReport {
    /// The overall figures of section II.2, each with its n (grouped as the reader writes
    /// numbers): the rate, its verdict against the target (`report::verdict`, worded as on every
    /// other surface), the mean, and those of the other indicators the forms used asked (a form
    /// without G1 has no expectation row).
    pub fn headline(&self, locale: Locale) -> Vec<Line> {
        let s = &self.total;
        let count = |n| super::text::count(locale, n);
        let mut lines = vec![
            Line {
                label: tr(locale, id!("quarterly-rate")),
                value: pct(locale, s.satisfied_pct),
                n: count(s.answers),
            },
            Line {
                label: crate::i18n::tr_args(
                    locale,
                    id!("quarterly-verdict"),
                    &[("target", pct(locale, Some(self.target)).into())],
                ),
                value: super::text::verdict_words(locale, s.judgement()),
                n: count(s.answers),
            },
            Line {
                label: tr(locale, id!("quarterly-mean")),
                value: s
                    .mean_score
                    .map_or_else(|| "—".into(), |m| super::text::decimal(locale, m, 2)),
                n: count(s.answers),
            },
        ];
        for (label, value, n) in [
            (
                id!("quarterly-comprehensive"),
                s.comprehensive_pct,
                s.comprehensive_respondents,
            ),
            (id!("quarterly-expectation"), s.expectation_mean, s.expectation_n),
            (id!("quarterly-return"), s.return_pct, s.return_n),
        ] {
            if n > 0 {
                lines.push(Line {
                    label: tr(locale, label),
                    value: pct(locale, value),
                    n: count(n),
                });
            }
        }
        lines
    }

    /// Section III: one remark per group A–E, judged by `report::verdict` like every other
    /// surface, naming the group's weakest item (`Summary::weakest`).
    pub fn remarks(&self, locale: Locale) -> Vec<String> {
        self.sections
            .iter()
            .map(|(code, title)| {
                let Some(f) = self.total.sections.get(code) else {
                    return tr_args(
                        locale,
                        id!("quarterly-remark-none"),
                        &[("section", format!("{code}. {title}").into())],
                    );
                };
                let weakest = self
                    .total
                    .weakest(usize::MAX)
                    .into_iter()
                    .find(|(_, i)| &i.section == code)
                    .map(|(c, i)| format!("{c} ({})", pct(locale, i.figures.satisfied_pct)))
                    .unwrap_or_default();
                let judgement = f.judge(self.target);
                let id = match judgement.verdict {
                    Verdict::Met => id!("quarterly-remark-met"),
                    Verdict::NotMet => id!("quarterly-remark-not-met"),
                    Verdict::Inconclusive | Verdict::NoData => id!("quarterly-remark-unsettled"),
                };
                tr_args(
                    locale,
                    id,
                    &[
                        ("section", format!("{code}. {title}").into()),
                        ("rate", pct(locale, f.satisfied_pct).into()),
                        ("n", super::text::count(locale, f.answers).into()),
                        ("target", pct(locale, Some(self.target)).into()),
                        ("verdict", super::text::verdict_words(locale, judgement).into()),
                        ("weakest", weakest.into()),
                    ],
                )
            })
            .collect()
    }

    /// The item table's cells: code, question, the share of each score 1–5, of "not used", n.
    pub fn item_cells(&self, locale: Locale) -> Vec<Vec<String>> {
        self.items
            .iter()
            .map(|i| {
                let f = &i.figures;
                let all = f.answers + f.not_used;
                let mut row = vec![i.code.clone(), i.text.clone()];
                row.extend(f.counts.iter().map(|&k| share(locale, k, all)));
                row.push(share(locale, f.not_used, all));
                row.push(all.to_string());
                row
            })
            .collect()
    }

    /// The department table's cells: department, responses, then each section's rate.
    pub fn department_cells(&self, locale: Locale) -> Vec<Vec<String>> {
        self.departments
            .iter()
            .map(|(name, s)| {
                let mut row = vec![
                    if name.is_empty() {
                        tr(locale, id!("web-no-department"))
                    } else {
                        name.clone()
                    },
                    s.responses.to_string(),
                    pct(locale, s.satisfied_pct),
                ];
                row.extend(
                    self.sections
                        .iter()
                        .map(|(code, _)| pct(locale, s.sections.get(code).and_then(|f| f.satisfied_pct))),
                );
                row
            })
            .collect()
    }

    /// The feedback table's column headings.
    pub fn feedback_head(locale: Locale) -> Vec<String> {
        [
            id!("quarterly-fb-col-what"),
            id!("fb-fig-received"),
            id!("fb-fig-on-time"),
            id!("fb-fig-late"),
            id!("fb-fig-pending"),
            id!("fb-fig-overdue"),
        ]
        .iter()
        .map(|k| tr(locale, *k))
        .collect()
    }

    /// The feedback table's cells: what, received, on time and late with their share of what
    /// was settled, pending within time, overdue.
    pub fn feedback_cells(&self, locale: Locale) -> Vec<Vec<String>> {
        self.feedback
            .iter()
            .map(|l| {
                let settled = u64::from(l.on_time + l.late);
                vec![
                    l.label.clone(),
                    l.received.to_string(),
                    format!("{} ({})", l.on_time, share(locale, l.on_time.into(), settled)),
                    format!("{} ({})", l.late, share(locale, l.late.into(), settled)),
                    l.pending.to_string(),
                    l.overdue.to_string(),
                ]
            })
            .collect()
    }
}
