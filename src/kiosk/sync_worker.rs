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

/// What the worker reports after each round.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncEvent {
    /// Everything was sent.
    Synced(DateTime<Utc>),
    /// The round stopped on this error.
    Failed(Error),
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
                let mut last_audit: Option<std::time::Instant> = None;
                loop {
                    let event = round(&store, &http, &target).await;
                    let pause = match event {
                        SyncEvent::Synced(at) => {
                            attempt = 0;
                            let _ = output.send(Message::Sync(SyncEvent::Synced(at))).await;
                            // Once a day (and once after start), the centre compares the whole
                            // chain with what it received and records anything altered here.
                            if last_audit.is_none_or(|t| t.elapsed() >= crate::sync::AUDIT_EVERY) {
                                match client::audit(&store, &http, &target).await {
                                    Ok(_) => last_audit = Some(std::time::Instant::now()),
                                    Err(e) => {
                                        let _ = output.send(Message::Sync(SyncEvent::Failed(e))).await;
                                    }
                                }
                            }
                            IDLE_PAUSE
                        }
                        SyncEvent::Failed(e) => {
                            // A refused token needs staff; keep trying, slowly, in case it comes back.
                            let pause = client::pause_after(&e, attempt, &mut rand::rng());
                            attempt = attempt.saturating_add(1);
                            let _ = output.send(Message::Sync(SyncEvent::Failed(e))).await;
                            pause
                        }
                    };
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
