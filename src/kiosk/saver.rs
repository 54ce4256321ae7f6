//! Saving finished responses (DESIGN §6); the app runs this on tokio's blocking pool, off the
//! UI thread. The kiosk keeps every response in memory until the store has committed it, so a
//! failed save is retried, never dropped.

use std::sync::Arc;

use crate::kiosk::problem::StoreProblem;
use crate::survey::{Questionnaire, Response, ResponseId};

pub use crate::store::SharedStore;

/// A finished response waiting to be saved, with the questionnaire it was answered on: staff
/// may switch the kiosk to another questionnaire before a failed save succeeds, and the
/// response is still checked and stored against its own.
#[derive(Debug, Clone)]
pub struct Queued {
    /// The questionnaire the patient answered.
    pub questionnaire: Arc<Questionnaire>,
    /// The answers.
    pub response: Response,
}

/// What a save attempt did.
#[derive(Debug, Clone, PartialEq)]
pub struct SaveOutcome {
    /// Responses now on disk.
    pub saved: Vec<ResponseId>,
    /// Why the rest were not saved (put into words for staff by the banner).
    pub error: Option<StoreProblem>,
}

/// Saves `batch` in one transaction, each response against its own questionnaire, blocking;
/// the save task runs this on a blocking thread.
pub fn save_blocking(store: &SharedStore, batch: &[Queued]) -> SaveOutcome {
    // A panic elsewhere while holding the lock leaves the connection usable: SQLite rolled back.
    let mut store = store.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let pairs: Vec<(&Questionnaire, &Response)> = batch.iter().map(|q| (&*q.questionnaire, &q.response)).collect();
    match store.save_all(&pairs) {
        Ok(_) => SaveOutcome {
            saved: batch.iter().map(|q| q.response.id).collect(),
            error: None,
        },
        Err(e) => {
            let e = store.explain(e);
            log_failure(&e.to_string());
            SaveOutcome {
                saved: Vec::new(),
                error: Some(StoreProblem::of(&e)),
            }
        }
    }
}

fn log_failure(message: &str) {
    eprintln!("hailong: saving a response failed, will retry: {message}");
}
