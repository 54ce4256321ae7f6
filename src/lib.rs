//! hailong: the patient-satisfaction kiosk and centre server of Vietnamese health centres.
//!
//! See `DESIGN.md` (shared) for the module map: [`survey`] (questionnaires and scoring),
//! [`store`] (the kiosk's SQLite), [`kiosk`] (the iced GUI), [`report`] (periods, summaries,
//! exports), [`config`] and [`i18n`], [`sync`] (the kiosk → centre protocol and client) and
//! [`centre`] (the server); [`fsutil`] (private files, the data directory's lock) and [`pin`]
//! (the staff PIN's hash) serve several of them.

// First, so that its `id!` macro is in scope in every module after it.
#[macro_use]
pub mod i18n;
pub mod centre;
pub mod config;
pub mod feedback;
pub mod fsutil;
pub mod kiosk;
pub mod phone;
pub mod pin;
pub mod report;
pub mod store;
pub mod survey;
pub mod sync;
pub mod text;
