//! A patient's response: the answers by item code plus when, where and how it was given.

use std::collections::BTreeMap;

use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::model::{ItemKind, Locale, Questionnaire};

/// A response id: a UUID v7, so ids sort by creation time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(transparent)]
pub struct ResponseId(pub Uuid);

impl ResponseId {
    /// A fresh UUID v7.
    pub fn new() -> ResponseId {
        ResponseId(Uuid::now_v7())
    }
}

impl Default for ResponseId {
    fn default() -> Self {
        ResponseId::new()
    }
}

impl std::fmt::Display for ResponseId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// One answer. Serialised as `{"scale":4}`, `{"percent":90}`, `{"choice":{"option":"5"}}`,
/// `{"reasons":["wait"]}` or `{"text":"…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Answer {
    /// 1–5 on the scale, or 0 for "not used".
    Scale(u8),
    /// 0–100, or up to the item's own maximum where it allows more.
    Percent(u16),
    /// The code of the chosen option, with the patient's words for an "other" option.
    Choice {
        /// Option code.
        option: String,
        /// Free text for an option marked `other`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        other: Option<String>,
    },
    /// Follow-up reason codes (several may be picked).
    Reasons(Vec<String>),
    /// Free text.
    Text(String),
}

/// Whether the patient finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The patient reached the end.
    Complete,
    /// The patient walked away after answering at least one item.
    Partial,
}

impl Status {
    /// `complete` / `partial`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Complete => "complete",
            Status::Partial => "partial",
        }
    }

    /// Parses `complete` / `partial`.
    pub fn parse(s: &str) -> Option<Status> {
        match s {
            "complete" => Some(Status::Complete),
            "partial" => Some(Status::Partial),
            _ => None,
        }
    }
}

/// How a response came (DESIGN §12), in the order reports list them (self-survey first, then
/// independent). Responses stored before channels existed carry none and count as `kiosk`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The patient, at a kiosk.
    #[default]
    Kiosk,
    /// The patient filled a paper form; staff keyed it.
    Paper,
    /// Staff or a relative read the form to the patient and ticked.
    Interview,
    /// The patient, on their phone, from a kiosk's rotating QR code.
    Phone,
    /// The patient, on their phone, from a single-use code on a queue ticket or discharge paper.
    Ticket,
    /// Anyone, from a static printed code at a point (lower trust, shown apart).
    Poster,
}

impl Channel {
    /// Every channel, in the order reports list them (and `Ord` sorts them): self-survey first,
    /// then independent.
    pub const ALL: [Channel; 6] = [
        Channel::Kiosk,
        Channel::Paper,
        Channel::Interview,
        Channel::Phone,
        Channel::Ticket,
        Channel::Poster,
    ];

    /// Its name in data (`kiosk`, `phone`…): exports, filters, the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Kiosk => "kiosk",
            Channel::Phone => "phone",
            Channel::Ticket => "ticket",
            Channel::Poster => "poster",
            Channel::Paper => "paper",
            Channel::Interview => "interview",
        }
    }

    /// The channel named `name` (as [`Channel::as_str`] writes it).
    pub fn parse(name: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == name)
    }

    /// Whether the facility's own staff or kiosk took the answer (the Sở's "tự khảo sát"), as
    /// opposed to the patient answering on their own phone (independent).
    pub fn is_self_survey(self) -> bool {
        matches!(self, Channel::Kiosk | Channel::Paper | Channel::Interview)
    }
}

impl std::fmt::Display for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A response as the kiosk produces it, before the store numbers and chains it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Response {
    /// UUID v7.
    pub id: ResponseId,
    /// Questionnaire id.
    pub questionnaire_id: String,
    /// Questionnaire version.
    pub questionnaire_version: u32,
    /// Department chosen on the kiosk, if it asks.
    pub department: Option<String>,
    /// Language the patient used.
    pub locale: Locale,
    /// First answer given (UTC, millisecond precision).
    pub started_at: DateTime<Utc>,
    /// Finished or abandoned (UTC, millisecond precision).
    pub submitted_at: DateTime<Utc>,
    /// Complete or partial.
    pub status: Status,
    /// Identical to the previous complete response and given within seconds of it: stored,
    /// but left out of the figures by default.
    #[serde(default)]
    pub rapid_repeat: bool,
    /// Answers by item code (`A1`, `A1.why`, `G2`…).
    pub answers: BTreeMap<String, Answer>,
    /// How the response came. Part of the chained bytes when present; responses stored before
    /// channels have none (and so hash as they always did) and count as [`Channel::Kiosk`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    /// Where: a named place of the facility (reception, a ward, the vaccination room). Chained
    /// like the channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub point: Option<String>,
    /// Sent from a device that gave a complete response for the same facility within the last
    /// week (the phone channel, DESIGN §12): stored and shown, but left out of the figures like
    /// a rapid repeat. Chained when set; absent (false) in every response before it existed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub repeat_device: bool,
}

/// Why a response does not fit its questionnaire.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidResponse {
    /// The questionnaire id/version does not match.
    #[error("response is for {found}, not {expected}")]
    WrongQuestionnaire {
        /// `id@version` of the questionnaire checked against.
        expected: String,
        /// `id@version` the response names.
        found: String,
    },
    /// An answer under a code the questionnaire does not have.
    #[error("unknown item code `{0}`")]
    UnknownItem(String),
    /// An answer of the wrong kind or out of range.
    #[error("item `{code}`: {problem}")]
    BadAnswer {
        /// Item code.
        code: String,
        /// What is wrong.
        problem: String,
    },
    /// Timestamps in the wrong order.
    #[error("submitted_at is before started_at")]
    TimesOutOfOrder,
    /// A complete response with no answer, or a partial one with none.
    #[error("a response needs at least one answer")]
    Empty,
}

impl Response {
    /// A new, empty response started now.
    pub fn start(questionnaire: &Questionnaire, locale: Locale, department: Option<String>) -> Response {
        let now = Utc::now().trunc_subsecs(3);
        Response {
            id: ResponseId::new(),
            questionnaire_id: questionnaire.id.clone(),
            questionnaire_version: questionnaire.version,
            department,
            locale,
            started_at: now,
            submitted_at: now,
            status: Status::Partial,
            rapid_repeat: false,
            answers: BTreeMap::new(),
            channel: None,
            point: None,
            repeat_device: false,
        }
    }

    /// Number of answered scale items (1–5).
    pub fn scale_answers(&self) -> impl Iterator<Item = (&str, u8)> {
        self.answers.iter().filter_map(|(code, a)| match a {
            Answer::Scale(v) if (1..=5).contains(v) => Some((code.as_str(), *v)),
            _ => None,
        })
    }

    /// All free-text answers, joined: what staff read as "the comment".
    pub fn comment(&self) -> Option<String> {
        let texts: Vec<&str> = self
            .answers
            .values()
            .filter_map(|a| match a {
                Answer::Text(t) if !t.trim().is_empty() => Some(t.trim()),
                Answer::Choice { other: Some(t), .. } if !t.trim().is_empty() => Some(t.trim()),
                _ => None,
            })
            .collect();
        (!texts.is_empty()).then(|| texts.join("\n"))
    }

    /// Whether two responses carry the same answers (for rapid-repeat detection).
    pub fn same_answers(&self, other: &Response) -> bool {
        self.questionnaire_id == other.questionnaire_id
            && self.questionnaire_version == other.questionnaire_version
            && self.department == other.department
            && self.answers == other.answers
    }

    /// Whether this complete response repeats `previous` (same answers, also complete) within
    /// `window` of it: someone tapping through again to push the figures, or a second tap
    /// of an impatient patient. A zero window turns the check off.
    pub fn is_rapid_repeat_of(&self, previous: &Response, window: chrono::Duration) -> bool {
        let gap = self.submitted_at - previous.submitted_at;
        self.status == Status::Complete
            && previous.status == Status::Complete
            && window > chrono::Duration::zero()
            && gap >= chrono::Duration::zero()
            && gap <= window
            && self.same_answers(previous)
    }

    /// Checks every answer against the questionnaire: known codes, right kinds, values in
    /// range, text within its length limit.
    pub fn validate(&self, q: &Questionnaire) -> Result<(), InvalidResponse> {
        if self.questionnaire_id != q.id || self.questionnaire_version != q.version {
            return Err(InvalidResponse::WrongQuestionnaire {
                expected: q.key(),
                found: format!("{}@{}", self.questionnaire_id, self.questionnaire_version),
            });
        }
        if self.submitted_at < self.started_at {
            return Err(InvalidResponse::TimesOutOfOrder);
        }
        if self.answers.is_empty() {
            return Err(InvalidResponse::Empty);
        }
        for (code, answer) in &self.answers {
            check_answer(q, code, answer)?;
        }
        Ok(())
    }
}

fn check_answer(q: &Questionnaire, code: &str, answer: &Answer) -> Result<(), InvalidResponse> {
    let bad = |problem: String| InvalidResponse::BadAnswer {
        code: code.to_string(),
        problem,
    };
    if let Some(item_code) = code.strip_suffix(".why") {
        let item = q
            .item(item_code)
            .ok_or_else(|| InvalidResponse::UnknownItem(code.to_string()))?;
        let follow_up = item
            .follow_up()
            .ok_or_else(|| bad("this item has no follow-up".into()))?;
        let Answer::Reasons(reasons) = answer else {
            return Err(bad("expected a list of reasons".into()));
        };
        if reasons.len() > follow_up.reasons.len() {
            return Err(bad("more reasons than offered".into()));
        }
        for r in reasons {
            if !follow_up.reasons.iter().any(|o| &o.code == r) {
                return Err(bad(format!("unknown reason `{r}`")));
            }
        }
        return Ok(());
    }
    let item = q
        .item(code)
        .ok_or_else(|| InvalidResponse::UnknownItem(code.to_string()))?;
    match (&item.kind, answer) {
        (ItemKind::Scale5 { not_used, .. }, Answer::Scale(v)) => match v {
            1..=5 => Ok(()),
            0 if *not_used => Ok(()),
            0 => Err(bad("\"not used\" is not offered for this item".into())),
            _ => Err(bad(format!("scale answers are 1–5 (found {v})"))),
        },
        (ItemKind::Percent { max, .. }, Answer::Percent(v)) => {
            let max = *max;
            if *v <= max {
                Ok(())
            } else {
                Err(bad(format!("must be between 0 and {max} (found {v})")))
            }
        }
        (ItemKind::Choice { options }, Answer::Choice { option, other }) => {
            let chosen = options
                .iter()
                .find(|o| &o.code == option)
                .ok_or_else(|| bad(format!("unknown option `{option}`")))?;
            match other {
                Some(_) if !chosen.other => Err(bad(format!("option `{option}` takes no free text"))),
                Some(t) if t.chars().count() > super::load::DEFAULT_TEXT_MAX_LEN => {
                    Err(bad("free text is too long".into()))
                }
                _ => Ok(()),
            }
        }
        (ItemKind::Text { max_len }, Answer::Text(t)) => {
            let len = t.chars().count();
            if len <= *max_len {
                Ok(())
            } else {
                Err(bad(format!("text is {len} characters, at most {max_len} allowed")))
            }
        }
        _ => Err(bad("answer of the wrong kind for this item".into())),
    }
}
