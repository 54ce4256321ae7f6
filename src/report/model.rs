//! The report as every surface shows it: a heading, the counts, the headline indicators and a
//! table of rows (the total, each section, each item), each row with its figures and its
//! verdict. The plain-text report (`text::render`), the XLSX summary sheet (`export`) and later
//! the centre's web pages render this one model; none of them walks sections and items itself.
//!
//! The model holds numbers and words from the questionnaire, never formatted text: a renderer
//! chooses `93,4 %` or `93.4 %`, and the JSON of a [`Model`] is what a web page can be given.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Report;
use crate::survey::{Figures, Judgement, Locale, Questionnaire, Unsettled, Verdict};

/// What a row stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Every scale answer of the report (the overall satisfaction rate).
    Total,
    /// One section (A–E).
    Section,
    /// One scale item, listed under its section.
    Item,
}

/// The figures of one row. Percentages are 0–100, unrounded; `None` where there are no answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowFigures {
    /// Answers on the 1–5 scale.
    pub n: u64,
    /// Of those, answers of 4 or 5.
    pub satisfied: u64,
    /// `satisfied / n`, percent.
    pub rate_pct: Option<f64>,
    /// Lower end of the 95 % Wilson interval of the rate.
    pub ci_low_pct: Option<f64>,
    /// Upper end of that interval.
    pub ci_high_pct: Option<f64>,
    /// Mean of the answers (1–5).
    pub mean_score: Option<f64>,
    /// Answers of "not used" (in no figure).
    pub not_used: u64,
    /// Items only: the share of answers of 1, 2, 3, 4 and 5, percent of `n`.
    pub score_shares_pct: Option<[f64; 5]>,
}

impl RowFigures {
    fn of(f: &Figures, shares: bool) -> RowFigures {
        RowFigures {
            n: f.answers,
            satisfied: f.satisfied,
            rate_pct: f.satisfied_pct,
            ci_low_pct: f.ci_low_pct,
            ci_high_pct: f.ci_high_pct,
            mean_score: f.mean_score,
            not_used: f.not_used,
            score_shares_pct: (shares && f.answers > 0).then(|| f.counts.map(|c| c as f64 * 100.0 / f.answers as f64)),
        }
    }
}

/// One line of the table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// Total, section or item.
    pub level: Level,
    /// The section or item code (`B`, `B7`); none for the total.
    pub code: Option<String>,
    /// The section title or item text in the report's language (for the total, the words of
    /// `report-row-total`).
    pub label: String,
    /// Its figures.
    pub figures: RowFigures,
    /// How its rate stands against the target (`report::verdict`).
    pub verdict: Verdict,
    /// Why an inconclusive verdict is inconclusive (`survey::judge`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unsettled: Option<Unsettled>,
}

impl Row {
    /// The verdict with its reason, for [`super::text::verdict_words`].
    pub fn judgement(&self) -> Judgement {
        Judgement {
            verdict: self.verdict,
            unsettled: self.unsettled,
        }
    }
}

/// A figure with its n.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    /// The value (percent, or the mean of G1, which may exceed 100); `None` without answers.
    pub value: Option<f64>,
    /// How many answers or respondents it is over.
    pub n: u64,
}

/// Which responses the figures count, and which they leave out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Responses counted in the figures: complete and partial ones.
    pub counted: u64,
    /// Of the counted ones, those the patient did not finish.
    pub counted_partial: u64,
    /// Rapid repeats: stored, but not counted.
    pub excluded_rapid_repeats: u64,
}

/// The whole report, ready to render.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// The facility (or "all facilities" at the centre).
    pub facility: String,
    /// The period label (`2026-Q1`, `all`, `2026-01-05..2026-02-01`).
    pub period: String,
    /// First day covered (`None` = from the beginning).
    pub from: Option<NaiveDate>,
    /// Last day covered (`None` = up to now).
    pub to: Option<NaiveDate>,
    /// The department filter, if any.
    pub department: Option<String>,
    /// The channel filter, if any.
    pub channel: Option<crate::survey::Channel>,
    /// The point filter, if any.
    pub point: Option<String>,
    /// The questionnaire filter, if any.
    pub questionnaire: Option<String>,
    /// The language the labels are in.
    pub locale: Locale,
    /// Counted and excluded responses.
    pub counts: Counts,
    /// The target, percent.
    pub target_pct: f64,
    /// Tỷ lệ hài lòng toàn diện, over complete respondents.
    pub comprehensive: Indicator,
    /// Mức đáp ứng so với mong đợi (mean of G1).
    pub expectation: Indicator,
    /// Tỷ lệ quay lại / giới thiệu.
    pub return_rate: Indicator,
    /// The total first, then each section followed by its items, in questionnaire order.
    pub rows: Vec<Row>,
}

impl Model {
    /// The model of `report`, with section titles and item texts from `questionnaires` in
    /// `locale`. Sections and items are listed in questionnaire order, each code once (under
    /// the first questionnaire that has it); a code no questionnaire names is left out of the
    /// table, though its answers are in the total.
    pub fn new(report: &Report, questionnaires: &[Questionnaire], locale: Locale) -> Model {
        let s = &report.summary;
        let target = s.target_pct;
        let row = |level: Level, code: Option<String>, label: String, f: &Figures| Row {
            level,
            code,
            label,
            figures: RowFigures::of(f, level == Level::Item),
            verdict: f.judge(target).verdict,
            unsettled: f.judge(target).unsettled,
        };
        let total = Figures {
            answers: s.answers,
            satisfied: s.satisfied,
            satisfied_pct: s.satisfied_pct,
            mean_score: s.mean_score,
            ci_low_pct: s.ci_low_pct,
            ci_high_pct: s.ci_high_pct,
            not_used: s.not_used,
            counts: [0; 5],
        };
        let mut rows = vec![row(
            Level::Total,
            None,
            crate::i18n::tr(locale, id!("report-row-total")),
            &total,
        )];
        let mut seen = std::collections::HashSet::new();
        for q in questionnaires {
            for section in &q.sections {
                let Some(f) = s.sections.get(&section.code) else {
                    continue;
                };
                if !seen.insert(("section", section.code.as_str())) {
                    continue;
                }
                rows.push(row(
                    Level::Section,
                    Some(section.code.clone()),
                    section.title.get(locale).to_string(),
                    f,
                ));
                for item in &section.items {
                    let Some(f) = s.items.get(&item.code) else {
                        continue;
                    };
                    if seen.insert(("item", item.code.as_str())) {
                        rows.push(row(
                            Level::Item,
                            Some(item.code.clone()),
                            item.text.get(locale).to_string(),
                            &f.figures,
                        ));
                    }
                }
            }
        }
        Model {
            facility: report.facility.clone(),
            period: report.period.clone(),
            from: report.from,
            to: report.to,
            department: report.department.clone(),
            channel: report.channel,
            point: report.point.clone(),
            questionnaire: report.questionnaire.clone(),
            locale,
            counts: Counts {
                counted: s.responses,
                counted_partial: s.partial_responses,
                excluded_rapid_repeats: s.rapid_repeat_responses,
            },
            target_pct: target,
            comprehensive: Indicator {
                value: s.comprehensive_pct,
                n: s.comprehensive_respondents,
            },
            expectation: Indicator {
                value: s.expectation_mean,
                n: s.expectation_n,
            },
            return_rate: Indicator {
                value: s.return_pct,
                n: s.return_n,
            },
            rows,
        }
    }

    /// The total row (always the first).
    pub fn total(&self) -> &Row {
        &self.rows[0]
    }
}
