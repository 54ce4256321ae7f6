//! The kiosk's background sync (DESIGN §7, STYLE 5): a subscription that sends the outbox to the
//! centre whenever there is something to send, backs off on failure, and reports how it went.
//! It is keyed by the centre settings, so changing them restarts it.

use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use iced::Subscription;
use iced::futures::SinkExt;
use tokio::sync::Notify;

use crate::kiosk::app::Message;
use crate::kiosk::saver::SharedStore;
use crate::sync::client::{self, Error, Target};

/// How often the worker looks for new responses when all went well.
pub const IDLE_PAUSE: Duration = Duration::from_secs(20);

/// How often the worker compares the kiosk's clock with the centre's.
pub const CLOCK_EVERY: Duration = Duration::from_secs(3600);

/// What the worker reports after each round.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncEvent {
    /// Everything was sent.
    Synced(DateTime<Utc>),
    /// The round stopped on this error.
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

/// When the worker last ran its slower checks.
#[derive(Debug, Clone, Default)]
pub struct Checks {
    last_audit: Option<std::time::Instant>,
    last_clock: Option<std::time::Instant>,
}

/// One round and what is due after it: sends everything queued; after a successful round,
/// the chain audit (once after start, then every [`AUDIT_EVERY`](crate::sync::AUDIT_EVERY))
/// and the clock comparison (once after start, then every [`CLOCK_EVERY`]). The first event
/// is the round's own ([`SyncEvent::Synced`] or [`SyncEvent::Failed`]).
pub async fn full_round(
    store: &SharedStore,
    http: &reqwest::Client,
    target: &Target,
    checks: &mut Checks,
) -> Vec<SyncEvent> {
    let first = round(store, http, target).await;
    let synced = matches!(first, SyncEvent::Synced(_));
    let mut events = vec![first];
    if !synced {
        return events;
    }
    // The centre compares the whole chain with what it received and records anything altered
    // or removed here.
    if checks
        .last_audit
        .is_none_or(|t| t.elapsed() >= crate::sync::AUDIT_EVERY)
    {
        match client::audit(store, http, target).await {
            Ok(result) => {
                checks.last_audit = Some(std::time::Instant::now());
                events.push(SyncEvent::Audited { at: Utc::now(), result });
            }
            Err(e) => events.push(SyncEvent::Failed(e)),
        }
    }
    if checks.last_clock.is_none_or(|t| t.elapsed() >= CLOCK_EVERY) {
        // A failed comparison says nothing about the clock; it is tried again next round.
        if let Ok(offset) = client::clock_offset(http, target).await {
            checks.last_clock = Some(std::time::Instant::now());
            events.push(SyncEvent::Clock(offset));
        }
    }
    events
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
                let http = loop {
                    match client::http_client(&target) {
                        Ok(http) => break http,
                        Err(e) => {
                            // Staff must fix the file or setting; look again now and then.
                            let pause = client::backoff(9, &mut rand::rng());
                            let _ = output.send(Message::Sync(SyncEvent::Failed(e))).await;
                            tokio::select! {
                                () = tokio::time::sleep(pause) => {}
                                () = wake.notified() => {}
                            }
                        }
                    }
                };
                let mut attempt = 0u32;
                let mut checks = Checks::default();
                loop {
                    let events = full_round(&store, &http, &target, &mut checks).await;
                    let pause = match &events[0] {
                        SyncEvent::Failed(e) => {
                            // A refused token needs staff; keep trying, slowly, in case it comes back.
                            let pause = client::pause_after(e, attempt, &mut rand::rng());
                            attempt = attempt.saturating_add(1);
                            pause
                        }
                        _ => {
                            attempt = 0;
                            IDLE_PAUSE
                        }
                    };
                    for event in events {
                        let _ = output.send(Message::Sync(event)).await;
                    }
                    tokio::select! {
                        () = tokio::time::sleep(pause) => {}
                        // Staff asked for a round: run it now, and back off from the start again.
                        () = wake.notified() => attempt = 0,
                    }
                }
            },
        )
    })
}

/// One round of the worker: sends everything queued, in batches, and says how it went.
pub async fn round(store: &SharedStore, http: &reqwest::Client, target: &Target) -> SyncEvent {
    match client::sync_once(store, http, target).await {
        Ok(_) => SyncEvent::Synced(Utc::now()),
        Err(e) => SyncEvent::Failed(e),
    }
}
