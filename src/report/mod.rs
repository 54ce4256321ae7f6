//! Reports: periods and the reporting calendar, the summary of DESIGN §5 over a filtered set of
//! responses read from a [`ResponseSource`], the one verdict rule, the presentation-neutral
//! [`model::Model`] every surface renders, and CSV/XLSX exports. The CLI, staff mode and the
//! centre all call this, so their numbers agree.

pub mod docx;
pub mod export;
pub mod model;
pub mod period;
pub mod quarterly;
pub mod source;
pub mod text;

use std::collections::HashMap;

use serde::Serialize;

/// The one verdict rule every surface uses (its table and reasons: `survey::scoring::verdict`).
pub use crate::survey::scoring::verdict;
pub use period::{Calendar, Period, PeriodError};

pub use source::ResponseSource;

use crate::store::Filter;
use crate::survey::{Questionnaire, ScoringOptions, Summary, summarize};

/// A report as `hailong report --json` prints it: what it covers, then the figures.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Report {
    /// The facility's name.
    pub facility: String,
    /// The period label (`2026-Q1`, `all`…).
    pub period: String,
    /// First day covered.
    pub from: Option<chrono::NaiveDate>,
    /// Last day covered.
    pub to: Option<chrono::NaiveDate>,
    /// The department filter, if any.
    pub department: Option<String>,
    /// The questionnaire filter, if any.
    pub questionnaire: Option<String>,
    /// The channel filter, if any (the centre's reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<crate::survey::Channel>,
    /// The point filter, if any (the centre's reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub point: Option<String>,
    /// The figures.
    #[serde(flatten)]
    pub summary: Summary,
}

/// The filter of a period, optionally narrowed to a department or questionnaire.
pub fn filter(period: &Period, department: Option<String>, questionnaire: Option<String>) -> Filter {
    Filter {
        from: period.from,
        to: period.to,
        department,
        questionnaire,
    }
}

/// Computes the figures for `filter` from the source's tallies: the rapid repeats are counted
/// apart, everything else goes through `survey::summarize` with the definitions the answers
/// were given with.
pub fn summary<S: ResponseSource + ?Sized>(
    source: &S,
    filter: &S::Filter,
    opts: &ScoringOptions,
) -> Result<Summary, S::Error> {
    let groups = source.tallies(filter)?;
    let mut questionnaires: HashMap<(String, u32), Questionnaire> = HashMap::new();
    for g in &groups {
        let key = (g.questionnaire_id.clone(), g.questionnaire_version);
        if let std::collections::hash_map::Entry::Vacant(slot) = questionnaires.entry(key) {
            let (id, version) = slot.key();
            let q = source.questionnaire(id, *version)?;
            slot.insert(q);
        }
    }
    let counted: Vec<(&Questionnaire, &crate::survey::Tally)> = groups
        .iter()
        .filter(|g| !g.rapid_repeat)
        .map(|g| {
            (
                &questionnaires[&(g.questionnaire_id.clone(), g.questionnaire_version)],
                &g.tally,
            )
        })
        .collect();
    let rapid: u64 = groups
        .iter()
        .filter(|g| g.rapid_repeat)
        .map(|g| g.tally.responses)
        .sum();
    Ok(summarize(&counted, rapid, opts))
}

/// The full report for a period.
pub fn build<S: ResponseSource<Filter = Filter> + ?Sized>(
    source: &S,
    facility: &str,
    period: &Period,
    department: Option<String>,
    questionnaire: Option<String>,
    opts: &ScoringOptions,
) -> Result<Report, S::Error> {
    let filter = filter(period, department, questionnaire);
    let summary = summary(source, &filter, opts)?;
    Ok(Report {
        facility: facility.to_string(),
        period: period.label.clone(),
        from: period.from,
        to: period.to,
        department: filter.department,
        questionnaire: filter.questionnaire,
        channel: None,
        point: None,
        summary,
    })
}
