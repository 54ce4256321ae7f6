//! The survey core: questionnaires as data, responses, and the scoring formulas.
//!
//! Nothing here touches SQLite, HTTP or the GUI.

pub mod demo;
pub mod load;
pub mod model;
pub mod response;
pub mod scoring;

pub use load::{Catalog, LoadError};
pub use model::{ChoiceOption, FollowUp, Item, ItemKind, LocalText, Locale, Questionnaire, Section, follow_up_code_of};
pub use response::{Answer, Channel, InvalidResponse, Response, ResponseId, Status};
pub use scoring::{Figures, Judgement, ScoringOptions, Summary, Tally, Unsettled, Verdict, judge, summarize};
