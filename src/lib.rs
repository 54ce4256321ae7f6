//! hailong: the patient-satisfaction kiosk and centre server of Vietnamese health centres.
//!
//! See `DESIGN.md` (shared) for the module map: [`survey`] (questionnaires and scoring),
//! [`store`] (the kiosk's SQLite), [`kiosk`] (the iced GUI), [`report`] (periods, summaries, exports), [`config`] and
//! [`i18n`], [`sync`] (the kiosk → centre protocol and client) and [`centre`] (the server).

pub mod centre;
pub mod config;
pub mod i18n;
pub mod kiosk;
pub mod report;
pub mod store;
pub mod survey;
pub mod sync;
pub mod text;
