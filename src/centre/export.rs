//! The centre as a [`ResponseSource`]: whatever backend holds the responses (SQLite or
//! PostgreSQL), [`crate::report::export`] writes the centre's CSV and XLSX with the same code
//! as the kiosk's `hailong export`, and [`crate::report::summary`] adds up the same figures.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::path::Path;

use crate::report::export::{self, ExportError, Format};
use crate::report::{Period, ResponseSource};
use crate::store::{StoredResponse, TallyGroup};
use crate::survey::{Catalog, Locale, Questionnaire, Tally};

use super::Centre;
use super::store::{CentreStore, Error, Scope};

/// Which of the centre's responses an export or report covers: the scope (facility, kiosk,
/// department, days) and, optionally, one questionnaire id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Facility, kiosk, department and days.
    pub scope: Scope,
    /// Only this questionnaire id.
    pub questionnaire: Option<String>,
}

impl From<Scope> for Filter {
    fn from(scope: Scope) -> Filter {
        Filter {
            scope,
            questionnaire: None,
        }
    }
}

impl Filter {
    fn wants(&self, questionnaire_id: &str) -> bool {
        self.questionnaire.as_deref().is_none_or(|q| q == questionnaire_id)
    }
}

/// A centre backend read as a [`ResponseSource`], with the questionnaires its responses were
/// checked against and the facilities' time zone.
pub struct Source<'a> {
    store: &'a dyn CentreStore,
    catalog: &'a Catalog,
    tz: chrono_tz::Tz,
}

impl<'a> Source<'a> {
    /// The responses `store` holds, read with `catalog`, days and times in `tz`.
    pub fn new(store: &'a dyn CentreStore, catalog: &'a Catalog, tz: chrono_tz::Tz) -> Source<'a> {
        Source { store, catalog, tz }
    }

    /// The centre's own store, catalogue and time zone.
    pub fn of(centre: &'a Centre) -> Source<'a> {
        Source::new(centre.store.as_ref(), &centre.catalog, centre.web.tz)
    }
}

impl ResponseSource for Source<'_> {
    type Filter = Filter;
    type Error = Error;

    fn timezone(&self) -> chrono_tz::Tz {
        self.tz
    }

    fn questionnaires(&self) -> Result<Vec<Questionnaire>, Error> {
        let mut all: Vec<Questionnaire> = self.catalog.all().cloned().collect();
        all.sort_by_key(Questionnaire::key);
        Ok(all)
    }

    fn questionnaire(&self, id: &str, version: u32) -> Result<Questionnaire, Error> {
        self.catalog
            .get(id, version)
            .cloned()
            .ok_or_else(|| Error::Corrupt(format!("responses refer to unknown questionnaire {id}@{version}")))
    }

    fn tallies(&self, filter: &Filter) -> Result<Vec<TallyGroup>, Error> {
        let mut merged: BTreeMap<(String, u32, bool), Tally> = BTreeMap::new();
        self.store.for_each_tally(&filter.scope, &mut |key, tally| {
            if filter.wants(&key.questionnaire_id) {
                merged
                    .entry((key.questionnaire_id, key.questionnaire_version, key.rapid_repeat))
                    .or_default()
                    .merge(&tally);
            }
        })?;
        Ok(merged
            .into_iter()
            .map(
                |((questionnaire_id, questionnaire_version, rapid_repeat), tally)| TallyGroup {
                    questionnaire_id,
                    questionnaire_version,
                    rapid_repeat,
                    tally,
                },
            )
            .collect())
    }

    fn count(&self, filter: &Filter) -> Result<u64, Error> {
        // Every counted response is in one tally row, rapid repeats included (in rows of
        // their own), and the responses a clock made unbelievable are in neither.
        Ok(self.tallies(filter)?.iter().map(|g| g.tally.responses).sum())
    }

    fn for_each_response(
        &self,
        filter: &Filter,
        f: &mut dyn FnMut(StoredResponse) -> ControlFlow<()>,
    ) -> Result<(), Error> {
        self.store.walk_responses(&filter.scope, &mut |r| {
            if filter.wants(&r.response.questionnaire_id) {
                f(r)
            } else {
                ControlFlow::Continue(())
            }
        })
    }
}

/// Writes the responses `filter` selects to `out` as CSV or XLSX (headers and words in
/// `locale`), through the same exporter as the kiosk's, and returns how many it wrote. The
/// file appears under its name only once complete.
pub fn write(
    centre: &Centre,
    filter: &Filter,
    period: &Period,
    format: Format,
    locale: Locale,
    out: &Path,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<u64, ExportError<Error>> {
    let report = super::report(centre, filter, period, locale).map_err(ExportError::Source)?;
    let req = export::Request {
        filter,
        locale,
        out,
        report: &report,
    };
    export::export(&Source::of(centre), format, &req, progress)
}
