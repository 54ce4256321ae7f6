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

/// Pause between attempts to save responses that failed to save.
pub const RETRY: std::time::Duration = std::time::Duration::from_secs(5);

/// The responses the kiosk holds until the store has them: one save at a time, retried every
/// [`RETRY`] after a failure. Pure state: a save to run comes back as the batch to save.
#[derive(Debug, Default)]
pub struct Outbox {
    pending: Vec<Queued>,
    saving: bool,
    last_attempt: Option<std::time::Instant>,
    error: Option<StoreProblem>,
}

impl Outbox {
    /// Queues a finished response; the batch to save now, unless a save is running.
    pub fn push(&mut self, queued: Queued, now: std::time::Instant) -> Option<Vec<Queued>> {
        self.pending.push(queued);
        self.save_now(now)
    }

    /// Everything waiting, to save now, unless a save is running or nothing waits.
    pub fn save_now(&mut self, now: std::time::Instant) -> Option<Vec<Queued>> {
        if self.saving || self.pending.is_empty() {
            return None;
        }
        self.saving = true;
        self.last_attempt = Some(now);
        Some(self.pending.clone())
    }

    /// A save finished at `now`: what it saved leaves the queue. After a success, responses
    /// finished while it ran go out at once (the batch returned).
    pub fn saved(&mut self, outcome: SaveOutcome, now: std::time::Instant) -> Option<Vec<Queued>> {
        self.saving = false;
        self.pending.retain(|q| !outcome.saved.contains(&q.response.id));
        self.error = outcome.error;
        if self.error.is_none() { self.save_now(now) } else { None }
    }

    /// The clock at `now`: a retry, when one is due.
    pub fn tick(&mut self, now: std::time::Instant) -> Option<Vec<Queued>> {
        if !self.saving
            && self
                .last_attempt
                .is_none_or(|t| now.saturating_duration_since(t) >= RETRY)
        {
            return self.save_now(now);
        }
        None
    }

    /// Responses not yet on disk, each with its questionnaire.
    pub fn pending(&self) -> &[Queued] {
        &self.pending
    }

    /// Why the last save failed, until one succeeds.
    pub fn error(&self) -> Option<&StoreProblem> {
        self.error.as_ref()
    }
}
