//! Reports: periods, the summary of DESIGN §5 over a filtered set of responses, and CSV/XLSX
//! exports. The CLI, staff mode and the centre all call this, so their numbers agree.

pub mod docx;
pub mod export;
pub mod period;
pub mod quarterly;
pub mod text;

use std::collections::HashMap;

use serde::Serialize;

pub use period::{Period, PeriodError};

use crate::store::{self, Filter, Store};
use crate::survey::{Questionnaire, ScoringOptions, Summary, summarize};

/// A report as `hailong report --json` prints it: what it covers, then the figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
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

/// Computes the figures for `filter` from the store's daily tallies.
pub fn summary(store: &Store, filter: &Filter, opts: &ScoringOptions) -> store::Result<Summary> {
    let groups = store.tallies(filter)?;
    let mut questionnaires: HashMap<(String, u32), Questionnaire> = HashMap::new();
    for g in &groups {
        let key = (g.questionnaire_id.clone(), g.questionnaire_version);
        if let std::collections::hash_map::Entry::Vacant(slot) = questionnaires.entry(key) {
            let (id, version) = slot.key();
            let q = store
                .questionnaire(id, *version)?
                .ok_or_else(|| store::Error::Corrupt {
                    path: store.path().to_path_buf(),
                    detail: format!("answers refer to questionnaire {id}@{version} which is not recorded"),
                })?;
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
pub fn build(
    store: &Store,
    facility: &str,
    period: &Period,
    department: Option<String>,
    questionnaire: Option<String>,
    opts: &ScoringOptions,
) -> store::Result<Report> {
    let filter = filter(period, department, questionnaire);
    let summary = summary(store, &filter, opts)?;
    Ok(Report {
        facility: facility.to_string(),
        period: period.label.clone(),
        from: period.from,
        to: period.to,
        department: filter.department,
        questionnaire: filter.questionnaire,
        summary,
    })
}
