//! Where reports and exports read from. The kiosk's [`Store`] is one source; the centre's
//! backends are to be another, so the centre can export what it holds with the same code.

use std::ops::ControlFlow;

use crate::store::{self, Filter, Store, StoredResponse, TallyGroup};
use crate::survey::Questionnaire;

/// A set of stored responses that reports and exports can read, selected by a filter of the
/// source's own kind (the kiosk's days, department and questionnaire; the centre's scope).
///
/// Reports add up [`tallies`](ResponseSource::tallies) (a year is a few hundred rows) and never
/// reread responses; exports walk [`for_each_response`](ResponseSource::for_each_response).
pub trait ResponseSource {
    /// What selects responses.
    type Filter;
    /// Why reading failed.
    type Error: std::error::Error + Send + Sync + 'static;

    /// The facility's time zone: days are counted and times shown in it.
    fn timezone(&self) -> chrono_tz::Tz;

    /// Every questionnaire definition responses here were given with, in a stable order (the
    /// order of the export's columns and of the report's sections).
    fn questionnaires(&self) -> Result<Vec<Questionnaire>, Self::Error>;

    /// The definition of questionnaire `id` version `version`. One that responses refer to but
    /// the source does not hold is an error: the source is inconsistent.
    fn questionnaire(&self, id: &str, version: u32) -> Result<Questionnaire, Self::Error>;

    /// The tallies within `filter`, merged per questionnaire version and rapid-repeat class.
    fn tallies(&self, filter: &Self::Filter) -> Result<Vec<TallyGroup>, Self::Error>;

    /// How many responses `filter` selects, rapid repeats included (what an export writes).
    fn count(&self, filter: &Self::Filter) -> Result<u64, Self::Error>;

    /// Calls `f` with every response within `filter`, in a stable order, without holding them
    /// all in memory. When `f` answers [`ControlFlow::Break`] the walk stops and returns `Ok`.
    fn for_each_response(
        &self,
        filter: &Self::Filter,
        f: &mut dyn FnMut(StoredResponse) -> ControlFlow<()>,
    ) -> Result<(), Self::Error>;
}

impl ResponseSource for Store {
    type Filter = Filter;
    type Error = store::Error;

    fn timezone(&self) -> chrono_tz::Tz {
        Store::timezone(self)
    }

    fn questionnaires(&self) -> store::Result<Vec<Questionnaire>> {
        Store::questionnaires(self)
    }

    fn questionnaire(&self, id: &str, version: u32) -> store::Result<Questionnaire> {
        Store::questionnaire(self, id, version)?.ok_or_else(|| store::Error::Corrupt {
            path: self.path().to_path_buf(),
            detail: format!("answers refer to questionnaire {id}@{version} which is not recorded"),
        })
    }

    fn tallies(&self, filter: &Filter) -> store::Result<Vec<TallyGroup>> {
        Store::tallies(self, filter)
    }

    fn count(&self, filter: &Filter) -> store::Result<u64> {
        Store::count(self, filter)
    }

    fn for_each_response(
        &self,
        filter: &Filter,
        f: &mut dyn FnMut(StoredResponse) -> ControlFlow<()>,
    ) -> store::Result<()> {
        let mut stopped = false;
        let walked = Store::for_each_response(self, filter, |s| {
            let seq = s.seq;
            match f(s) {
                ControlFlow::Continue(()) => Ok(()),
                ControlFlow::Break(()) => {
                    stopped = true;
                    // The store's walk stops on an error; this one is never returned.
                    Err(store::Error::BadRow {
                        seq,
                        detail: "stopped by the reader".into(),
                    })
                }
            }
        });
        if stopped { Ok(()) } else { walked }
    }
}
