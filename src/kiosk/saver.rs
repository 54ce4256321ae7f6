//! Saving finished responses (DESIGN §6); the app runs this on tokio's blocking pool, off the
//! UI thread. The kiosk keeps every response in memory until the store has committed it, so a
//! failed save is retried, never dropped.

use std::sync::Arc;

use crate::feedback::note::Note;
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

/// Something the kiosk holds until the store has it: a response, or a feedback note.
pub trait Pending: Clone {
    /// What tells it apart from the others.
    type Key: PartialEq + Clone + std::fmt::Debug;
    /// Its key.
    fn key(&self) -> Self::Key;
}

impl Pending for Queued {
    type Key = ResponseId;
    fn key(&self) -> ResponseId {
        self.response.id
    }
}

impl Pending for Note {
    type Key = uuid::Uuid;
    fn key(&self) -> uuid::Uuid {
        self.id
    }
}

/// What a save attempt did.
#[derive(Debug, Clone, PartialEq)]
pub struct SaveOutcome<K = ResponseId> {
    /// Responses (or notes) now on disk.
    pub saved: Vec<K>,
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
        Err(e) => failed(&store, e, Vec::new()),
    }
}

/// Saves feedback notes, each in its own transaction, blocking; stops at the first failure
/// (the rest are retried with it).
pub fn save_notes_blocking(store: &SharedStore, notes: &[Note]) -> SaveOutcome<uuid::Uuid> {
    let mut store = store.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut saved = Vec::new();
    for note in notes {
        if let Err(e) = store.save_note(note) {
            return failed(&store, e, saved);
        }
        saved.push(note.id);
    }
    SaveOutcome { saved, error: None }
}

fn failed<K>(store: &crate::store::Store, e: crate::store::Error, saved: Vec<K>) -> SaveOutcome<K> {
    let e = store.explain(e);
    eprintln!("hailong: saving failed, will retry: {e}");
    SaveOutcome {
        saved,
        error: Some(StoreProblem::of(&e)),
    }
}

/// Pause between attempts to save responses that failed to save.
pub const RETRY: std::time::Duration = std::time::Duration::from_secs(5);

/// The responses the kiosk holds until the store has them: one save at a time, retried every
/// [`RETRY`] after a failure. Pure state: a save to run comes back as the batch to save.
#[derive(Debug)]
pub struct Outbox<T = Queued> {
    pending: Vec<T>,
    saving: bool,
    last_attempt: Option<std::time::Instant>,
    error: Option<StoreProblem>,
}

impl<T> Default for Outbox<T> {
    fn default() -> Self {
        Outbox {
            pending: Vec::new(),
            saving: false,
            last_attempt: None,
            error: None,
        }
    }
}

impl<T: Pending> Outbox<T> {
    /// Queues a finished response; the batch to save now, unless a save is running.
    pub fn push(&mut self, queued: T, now: std::time::Instant) -> Option<Vec<T>> {
        self.pending.push(queued);
        self.save_now(now)
    }

    /// Everything waiting, to save now, unless a save is running or nothing waits.
    pub fn save_now(&mut self, now: std::time::Instant) -> Option<Vec<T>> {
        if self.saving || self.pending.is_empty() {
            return None;
        }
        self.saving = true;
        self.last_attempt = Some(now);
        Some(self.pending.clone())
    }

    /// A save finished at `now`: what it saved leaves the queue. After a success, responses
    /// finished while it ran go out at once (the batch returned).
    pub fn saved(&mut self, outcome: SaveOutcome<T::Key>, now: std::time::Instant) -> Option<Vec<T>> {
        self.saving = false;
        self.pending.retain(|q| !outcome.saved.contains(&q.key()));
        self.error = outcome.error;
        if self.error.is_none() { self.save_now(now) } else { None }
    }

    /// The clock at `now`: a retry, when one is due.
    pub fn tick(&mut self, now: std::time::Instant) -> Option<Vec<T>> {
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
    pub fn pending(&self) -> &[T] {
        &self.pending
    }

    /// Why the last save failed, until one succeeds.
    pub fn error(&self) -> Option<&StoreProblem> {
        self.error.as_ref()
    }
}
