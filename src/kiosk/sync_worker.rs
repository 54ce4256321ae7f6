//! The kiosk's background sync (DESIGN §7, STYLE 5): a subscription that runs the steps
//! `sync::schedule` names (send the outbox, compare clocks, audit the chain, pause), reports how
//! each went, and ends a pause early when staff ask for a round. It is keyed by the centre
//! settings, so changing them restarts it.

use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use iced::Subscription;
use iced::futures::SinkExt;
use tokio::sync::Notify;

use crate::kiosk::app::Message;
use crate::kiosk::saver::SharedStore;
use crate::sync::client::{self, Error, Target};
use crate::sync::schedule::{self, Audited, Done, Next};

/// What the worker reports after each step.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncEvent {
    /// Everything was sent.
    Synced(DateTime<Utc>),
    /// The round (or the chain audit) stopped on this error.
    Failed(Error),
    /// The centre compared the kiosk's whole chain with what it received (the chain audit).
    Audited {
        /// When.
        at: DateTime<Utc>,
        /// What it found.
        result: crate::sync::AuditResult,
    },
    /// The kiosk's clock minus the centre's (`None`: the centre sent no usable `Date`).
    Clock(Option<chrono::TimeDelta>),
}

/// The worker between its steps: the schedule's state and the HTTP client.
#[derive(Debug)]
pub struct Worker {
    schedule: schedule::State,
    http: Option<reqwest::Client>,
}

impl Default for Worker {
    /// A worker that has just started: a round is due, then the clock comparison and the audit.
    fn default() -> Worker {
        Worker {
            schedule: schedule::State::new(false),
            http: None,
        }
    }
}

impl Worker {
    /// Runs the steps [`schedule::next`] names until it names a pause: a round and, after a
    /// successful one, the clock comparison and the chain audit when they are due. Returns what
    /// happened, the round's own event first, and the pause (`None`: sync cannot go on).
    pub async fn until_pause(&mut self, store: &SharedStore, target: &Target) -> (Vec<SyncEvent>, Option<Duration>) {
        let mut events = Vec::new();
        loop {
            // The rng is a temporary of its own statement: it must not live across an await.
            let next = schedule::next(&self.schedule, Instant::now(), &mut rand::rng());
            let done = match next {
                Next::Wait(pause) => return (events, Some(pause)),
                Next::Stop(_) | Next::GiveUp(_) => return (events, None),
                Next::Round => {
                    let sent = async {
                        let http = client::cached_http_client(&mut self.http, target)?;
                        client::sync_once(store, &http, target).await
                    }
                    .await;
                    events.push(match &sent {
                        Ok(_) => SyncEvent::Synced(Utc::now()),
                        Err(e) => SyncEvent::Failed(e.clone()),
                    });
                    Done::Round(sent)
                }
                Next::CheckClock => {
                    let offset = async {
                        let http = client::cached_http_client(&mut self.http, target)?;
                        client::clock_offset(&http, target).await
                    }
                    .await;
                    if let Ok(offset) = offset {
                        events.push(SyncEvent::Clock(offset));
                    }
                    Done::Clock {
                        answered: offset.is_ok(),
                    }
                }
                Next::Audit => {
                    let result = async {
                        let http = client::cached_http_client(&mut self.http, target)?;
                        client::audit(store, &http, target).await
                    }
                    .await;
                    let audited = Audited::of(&result);
                    events.push(match result {
                        Ok(result) => SyncEvent::Audited { at: Utc::now(), result },
                        Err(e) => SyncEvent::Failed(e),
                    });
                    Done::Audit(audited)
                }
            };
            self.schedule.record(done, Instant::now());
        }
    }

    /// Takes in that the pause ended: its time ran out, or staff asked for a round (`woken`).
    pub fn waited(&mut self, woken: bool) {
        self.schedule.record(Done::Waited { woken }, Instant::now());
    }
}

struct Key {
    target: Target,
    store: SharedStore,
    wake: Arc<Notify>,
}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.target.url.hash(state);
        self.target.token.hash(state);
        self.target.ca_cert.hash(state);
    }
}

/// The worker, when `target` names a centre; `wake` starts a round at once.
pub fn subscription(target: Target, store: SharedStore, wake: Arc<Notify>) -> Subscription<Message> {
    if target.url.is_empty() || target.token.is_empty() {
        return Subscription::none();
    }
    Subscription::run_with(Key { target, store, wake }, |key| {
        let (target, store, wake) = (key.target.clone(), key.store.clone(), key.wake.clone());
        iced::stream::channel(
            4,
            async move |mut output: iced::futures::channel::mpsc::Sender<Message>| {
                let mut worker = Worker::default();
                loop {
                    let (events, pause) = worker.until_pause(&store, &target).await;
                    for event in events {
                        let _ = output.send(Message::Sync(event)).await;
                    }
                    // `None`: sync is not configured; changed settings start a new worker.
                    let Some(pause) = pause else { return };
                    let woken = tokio::select! {
                        () = tokio::time::sleep(pause) => false,
                        () = wake.notified() => true,
                    };
                    worker.waited(woken);
                }
            },
        )
    })
}
