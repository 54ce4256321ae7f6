//! The kiosk's background sync (DESIGN §7, STYLE 5): a subscription that sends the outbox to the
//! centre whenever there is something to send, backs off on failure, and reports how it went.
//! It is keyed by the centre settings, so changing them restarts it.

use std::hash::{Hash, Hasher};
use std::time::Duration;

use chrono::{DateTime, Utc};
use iced::Subscription;
use iced::futures::SinkExt;

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
}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.target.url.hash(state);
        self.target.token.hash(state);
        self.target.ca_cert.hash(state);
    }
}

/// The worker, when `target` names a centre.
pub fn subscription(target: Target, store: SharedStore) -> Subscription<Message> {
    if target.url.is_empty() || target.token.is_empty() {
        return Subscription::none();
    }
    Subscription::run_with(Key { target, store }, |key| {
        let (target, store) = (key.target.clone(), key.store.clone());
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
                            tokio::time::sleep(pause).await;
                        }
                    }
                };
                let mut attempt = 0u32;
                let mut last_audit: Option<std::time::Instant> = None;
                loop {
                    let pause = match client::sync_once(&store, &http, &target).await {
                        Ok(_) => {
                            attempt = 0;
                            let _ = output.send(Message::Sync(SyncEvent::Synced(Utc::now()))).await;
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
                        Err(e) => {
                            // A refused token needs staff; keep trying, slowly, in case it comes back.
                            let pause = client::backoff(if e.is_permanent() { 9 } else { attempt }, &mut rand::rng());
                            attempt = attempt.saturating_add(1);
                            let _ = output.send(Message::Sync(SyncEvent::Failed(e))).await;
                            pause
                        }
                    };
                    tokio::time::sleep(pause).await;
                }
            },
        )
    })
}
