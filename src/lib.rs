//! hailong: the patient-satisfaction kiosk and centre server of Vietnamese health centres.
//!
//! See `DESIGN.md` (shared) for the module map: [`survey`] (questionnaires and scoring),
//! [`store`] (the kiosk's SQLite), [`report`] (periods, summaries, exports), [`config`] and
//! [`i18n`].

pub mod config;
pub mod i18n;
pub mod report;
pub mod store;
pub mod survey;
