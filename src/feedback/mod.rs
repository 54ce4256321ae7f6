//! The feedback box (hòm thư góp ý điện tử, DESIGN §9): what patients and families send — praise,
//! suggestions, reflections, complaints, denunciations — from the kiosk, the centre's web form,
//! letters from the physical box and hotline calls, and what the centre does with each.
//!
//! An item is its log: the first entry is what was received, every later one an action (classify,
//! assign, reply, approve, publish, reopen …) with who and when. The entries are hash-chained like
//! responses, so an edited history is detected; the item's current state is the log replayed
//! ([`Item::replay`]). This module is pure: who may act is the centre's question, deadlines are
//! computed by the caller ([`Deadlines`]) and written into the entries, so replaying a log never
//! depends on today's settings.

pub mod code;
pub mod note;
pub mod personal;
pub mod words;
pub mod workdays;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

pub use code::ReceiptCode;
pub use workdays::Holidays;

/// The `prev_hash` of an item's first entry (as a kiosk's first response's).
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The longest text a person may send (characters).
pub const MAX_TEXT: usize = 4000;

/// What an item is about (the person's choice when sending, then the staff's classification).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Khen ngợi.
    Praise,
    /// Góp ý.
    Suggestion,
    /// Phản ánh / kiến nghị.
    Reflection,
    /// Khiếu nại (needs the person's identity; Luật Khiếu nại 2011).
    Complaint,
    /// Tố cáo (needs the person's identity, which only the director sees; Luật Tố cáo 2018).
    Denunciation,
    /// Không hợp lệ: spam or nothing to act on. Kept and hidden, never deleted.
    Invalid,
}

impl Kind {
    /// Every kind, in the order forms list them.
    pub const ALL: [Kind; 6] = [
        Kind::Praise,
        Kind::Suggestion,
        Kind::Reflection,
        Kind::Complaint,
        Kind::Denunciation,
        Kind::Invalid,
    ];
    /// What a person may choose when sending (the rest is the staff's classification).
    pub const SENDER: [Kind; 3] = [Kind::Praise, Kind::Suggestion, Kind::Reflection];

    /// Its name in URLs, forms and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Praise => "praise",
            Kind::Suggestion => "suggestion",
            Kind::Reflection => "reflection",
            Kind::Complaint => "complaint",
            Kind::Denunciation => "denunciation",
            Kind::Invalid => "invalid",
        }
    }

    /// Parses [`Kind::as_str`].
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether the kind needs the person's identity (a complaint or denunciation without it is
    /// handled as a reflection).
    pub fn needs_identity(self) -> bool {
        matches!(self, Kind::Complaint | Kind::Denunciation)
    }
}

/// How an item came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The kiosk's "Góp ý / Phản ánh" flow.
    Kiosk,
    /// The centre's web form `/gop-y/<facility>`.
    Web,
    /// A letter from the physical box, entered by staff at an opening.
    Letter,
    /// A hotline call (the facility's line, or 1900-9095 forwarded), entered by staff.
    Hotline,
    /// Given in person and written down by staff.
    InPerson,
}

impl Channel {
    /// Every channel.
    pub const ALL: [Channel; 5] = [
        Channel::Kiosk,
        Channel::Web,
        Channel::Letter,
        Channel::Hotline,
        Channel::InPerson,
    ];
    /// What staff enter by hand.
    pub const STAFF: [Channel; 3] = [Channel::Letter, Channel::Hotline, Channel::InPerson];

    /// Its name in URLs, forms and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Kiosk => "kiosk",
            Channel::Web => "web",
            Channel::Letter => "letter",
            Channel::Hotline => "hotline",
            Channel::InPerson => "in_person",
        }
    }

    /// Parses [`Channel::as_str`].
    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Where an item is in its handling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Mới: received, nobody has looked at it.
    New,
    /// Đã phân loại.
    Classified,
    /// Đã giao: a department (and perhaps a person) answers it by a date.
    Assigned,
    /// Đang xử lý.
    InProgress,
    /// Đã trả lời: a leader approved the reply.
    Answered,
    /// Đóng.
    Closed,
    /// Chuyển cơ quan khác: not this centre's to settle.
    Forwarded,
    /// Không xử lý, with the reason.
    Declined,
    /// Mở lại: the person disagreed with the answer.
    Reopened,
}

impl State {
    /// Every state, in handling order.
    pub const ALL: [State; 9] = [
        State::New,
        State::Classified,
        State::Assigned,
        State::InProgress,
        State::Answered,
        State::Closed,
        State::Forwarded,
        State::Declined,
        State::Reopened,
    ];

    /// Its name in URLs, forms and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            State::New => "new",
            State::Classified => "classified",
            State::Assigned => "assigned",
            State::InProgress => "in_progress",
            State::Answered => "answered",
            State::Closed => "closed",
            State::Forwarded => "forwarded",
            State::Declined => "declined",
            State::Reopened => "reopened",
        }
    }

    /// Parses [`State::as_str`].
    pub fn parse(s: &str) -> Option<State> {
        State::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether the centre still owes the person something (the item counts as pending and can
    /// be overdue).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            State::New | State::Classified | State::Assigned | State::InProgress | State::Reopened
        )
    }
}

/// How the person may be contacted, given with their consent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// A phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// An e-mail address (the reply is sent there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

impl Contact {
    /// Whether neither is given.
    pub fn is_empty(&self) -> bool {
        self.phone.is_none() && self.email.is_none()
    }
}

/// What was received: the first entry of an item's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submission {
    /// Its id (the kiosk's, for items synced from a kiosk: re-sending is a duplicate).
    pub id: Uuid,
    /// The receipt code the person follows it by.
    pub code: ReceiptCode,
    /// The facility it is for.
    pub facility: String,
    /// How it came in.
    pub channel: Channel,
    /// What the person said it is.
    pub kind: Kind,
    /// The department it concerns, if the person named one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// What they wrote or said.
    pub text: String,
    /// How they may be contacted (only with their consent; otherwise empty).
    #[serde(default, skip_serializing_if = "Contact::is_empty")]
    pub contact: Contact,
    /// Who they are (name, address), as a complaint or denunciation needs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// When it was received (the letter's date for letters).
    pub received_at: DateTime<Utc>,
    /// The box opening a letter came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opening: Option<i64>,
    /// By when it must be answered ([`Deadlines`]; none for praise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<NaiveDate>,
    /// By when it must be sent on if it is another body's to settle ([`Deadlines::forward`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forward_by: Option<NaiveDate>,
}

/// Something done to an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// The item arrived.
    Received(Submission),
    /// Its kind is set (again); the deadline follows the kind.
    Classify {
        /// The kind.
        kind: Kind,
        /// Needs attention today (alerts say so).
        urgent: bool,
        /// The deadline for this kind, counted from receipt.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        due: Option<NaiveDate>,
    },
    /// A department (and perhaps a person) is to answer it by `due`.
    Assign {
        /// The department.
        department: String,
        /// The person, if one is named.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        assignee: Option<String>,
        /// By when (at most the kind's deadline).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        due: Option<NaiveDate>,
    },
    /// Someone works on it.
    Start,
    /// The reply, written (a leader approves it before it goes out).
    Draft {
        /// The reply's text.
        reply: String,
    },
    /// A leader approved the reply: it is the centre's answer.
    Approve,
    /// A leader published an anonymised version on the public page.
    Publish {
        /// What the public page shows (no names, no contact).
        text: String,
    },
    /// Taken off the public page.
    Unpublish,
    /// Done.
    Close,
    /// Sent on to the body that settles it.
    Forward {
        /// That body.
        to: String,
    },
    /// Not handled, and why.
    Decline {
        /// The reason.
        reason: String,
    },
    /// The person disagreed; handling starts again.
    Reopen {
        /// What they said.
        reason: String,
        /// The new deadline.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        due: Option<NaiveDate>,
    },
    /// The centre apologised for answering late.
    Apologise {
        /// The apology.
        text: String,
    },
    /// A note for the log.
    Note {
        /// The note.
        text: String,
    },
    /// Someone looked at who sent it (name, phone, e-mail): every such look is in the log.
    ViewContact,
    /// The centre marked it for a second look (many items from one address in a few minutes);
    /// the staff judge it, nothing is refused.
    Flag {
        /// Why: `burst`.
        reason: String,
    },
    /// Its facility was renamed, or merged into another (`centre facility rename|merge`): it
    /// belongs to `to` from now on.
    Move {
        /// The facility it belonged to.
        from: String,
        /// The facility it belongs to now.
        to: String,
    },
}

impl Action {
    /// Its name in the log and forms.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Received(_) => "received",
            Action::Classify { .. } => "classify",
            Action::Assign { .. } => "assign",
            Action::Start => "start",
            Action::Draft { .. } => "draft",
            Action::Approve => "approve",
            Action::Publish { .. } => "publish",
            Action::Unpublish => "unpublish",
            Action::Close => "close",
            Action::Forward { .. } => "forward",
            Action::Decline { .. } => "decline",
            Action::Reopen { .. } => "reopen",
            Action::Apologise { .. } => "apologise",
            Action::Note { .. } => "note",
            Action::ViewContact => "view_contact",
            Action::Flag { .. } => "flag",
            Action::Move { .. } => "move",
        }
    }

    /// Whether only a leader (director or deputy) may do it: approving the centre's answer and
    /// publishing.
    pub fn needs_leader(&self) -> bool {
        matches!(self, Action::Approve | Action::Publish { .. } | Action::Unpublish)
    }
}

/// One entry of an item's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Its position, from 1.
    pub seq: u32,
    /// When.
    pub at: DateTime<Utc>,
    /// Who (an account's name; "kiosk", "web" for what arrived by itself).
    pub actor: String,
    /// What.
    pub action: Action,
    /// The previous entry's hash ([`GENESIS`] for the first).
    pub prev_hash: String,
    /// `SHA-256(prev_hash ‖ canonical bytes)`.
    pub hash: String,
}

#[derive(Serialize)]
struct Canonical<'a> {
    item: Uuid,
    seq: u32,
    at: &'a DateTime<Utc>,
    actor: &'a str,
    action: &'a Action,
}

impl Entry {
    /// The entry after `prev` (or the first one of item `item`), linked into the chain.
    pub fn new(item: Uuid, prev: Option<&Entry>, at: DateTime<Utc>, actor: &str, action: Action) -> Entry {
        let seq = prev.map_or(1, |p| p.seq + 1);
        let prev_hash = prev.map_or_else(|| GENESIS.to_string(), |p| p.hash.clone());
        let hash = link(item, seq, &prev_hash, at, actor, &action);
        Entry {
            seq,
            at,
            actor: actor.to_string(),
            action,
            prev_hash,
            hash,
        }
    }

    /// Whether the hash is what the entry's content gives.
    pub fn hash_holds(&self, item: Uuid) -> bool {
        link(item, self.seq, &self.prev_hash, self.at, &self.actor, &self.action) == self.hash
    }
}

fn link(item: Uuid, seq: u32, prev_hash: &str, at: DateTime<Utc>, actor: &str, action: &Action) -> String {
    let canonical = serde_json::to_vec(&Canonical {
        item,
        seq,
        at: &at,
        actor,
        action,
    })
    .expect("an entry always serialises");
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(&canonical);
    hex::encode(hasher.finalize())
}

/// Why an action cannot be taken, or a log does not replay.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// Not from this state.
    #[error("{action} is not possible when the item is {state:?}")]
    NotNow {
        /// The action's name.
        action: &'static str,
        /// The state it is in.
        state: State,
    },
    /// Approving before a reply is written.
    #[error("there is no reply to approve")]
    NoReply,
    /// A complaint or denunciation without the person's identity.
    #[error("a {0:?} needs the person's name and address; without them handle it as a reflection")]
    NeedsIdentity(Kind),
    /// A text that is empty or too long.
    #[error("the text is empty or longer than {MAX_TEXT} characters")]
    BadText,
    /// The log does not start with what was received, or has it twice.
    #[error("entry {0} does not fit: an item's log starts with what was received, once")]
    BadLog(u32),
    /// An entry whose hash or link is wrong: the history was edited.
    #[error("entry {0}'s hash does not match its content or the entry before it")]
    Broken(u32),
    /// A text for the public page that names the person who sent the item.
    #[error("the text for the public holds {0}")]
    Personal(personal::Found),
}

/// The reply the centre gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reply {
    /// Its text.
    pub text: String,
    /// Who wrote it.
    pub by: String,
    /// When it was written.
    pub at: DateTime<Utc>,
    /// The leader who approved it, and when (then it is the answer).
    pub approved: Option<(String, DateTime<Utc>)>,
}

/// An item as its log leaves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    /// What was received.
    pub submission: Submission,
    /// Where it is.
    pub state: State,
    /// Its kind now (the staff's classification, or the person's choice until then).
    pub kind: Kind,
    /// Marked urgent at classification.
    pub urgent: bool,
    /// The department handling it (or the one the person named, until assigned).
    pub department: Option<String>,
    /// The person handling it.
    pub assignee: Option<String>,
    /// By when it must be answered.
    pub due: Option<NaiveDate>,
    /// The reply written or approved last.
    pub reply: Option<Reply>,
    /// When the current answer was approved.
    pub answered_at: Option<DateTime<Utc>>,
    /// What the public page shows, and when it was published.
    pub published: Option<(String, DateTime<Utc>)>,
    /// The body it was forwarded to.
    pub forwarded_to: Option<String>,
    /// Why it is not handled.
    pub declined: Option<String>,
    /// Whether the centre apologised for lateness.
    pub apologised: bool,
    /// How often the person reopened it.
    pub reopened: u32,
    /// Why the centre marked it for a second look, if it did ([`Action::Flag`]).
    pub flagged: Option<String>,
    /// The log.
    pub log: Vec<Entry>,
}

impl Item {
    /// A new item from what was received.
    pub fn received(submission: Submission, actor: &str) -> Result<Item, Refused> {
        check_text(&submission.text)?;
        let at = submission.received_at;
        let entry = Entry::new(submission.id, None, at, actor, Action::Received(submission));
        Item::replay(vec![entry])
    }

    /// The item its log gives, checking every hash and link.
    pub fn replay(log: Vec<Entry>) -> Result<Item, Refused> {
        let mut entries = log.into_iter();
        let first = entries.next().ok_or(Refused::BadLog(1))?;
        let Action::Received(submission) = &first.action else {
            return Err(Refused::BadLog(first.seq));
        };
        if first.seq != 1 || first.prev_hash != GENESIS || !first.hash_holds(submission.id) {
            return Err(Refused::Broken(first.seq));
        }
        let mut item = Item {
            state: State::New,
            kind: submission.kind,
            urgent: false,
            department: submission.department.clone(),
            assignee: None,
            due: submission.due,
            reply: None,
            answered_at: None,
            published: None,
            forwarded_to: None,
            declined: None,
            apologised: false,
            reopened: 0,
            flagged: None,
            submission: submission.clone(),
            log: vec![first],
        };
        for entry in entries {
            let last = item.log.last().expect("the log has its first entry");
            if entry.seq != last.seq + 1 || entry.prev_hash != last.hash || !entry.hash_holds(item.submission.id) {
                return Err(Refused::Broken(entry.seq));
            }
            item.apply(&entry)?;
            item.log.push(entry);
        }
        Ok(item)
    }

    /// Checks that `action` may be taken now (state, texts, identity), without taking it.
    pub fn check(&self, action: &Action) -> Result<(), Refused> {
        // Checked on new actions only, never on replay: what was published before this rule
        // stays in the log as it was.
        if let Action::Publish { text } = action
            && let Some(found) = personal::find(text, &self.submission)
        {
            return Err(Refused::Personal(found));
        }
        let mut probe = self.clone();
        let entry = Entry {
            seq: 0,
            at: Utc::now(),
            actor: String::new(),
            action: action.clone(),
            prev_hash: String::new(),
            hash: String::new(),
        };
        probe.apply(&entry)
    }

    /// Takes `action` by `actor` at `at`: checks it, appends it to the log and updates the item.
    pub fn act(&mut self, at: DateTime<Utc>, actor: &str, action: Action) -> Result<&Entry, Refused> {
        self.check(&action)?;
        let entry = Entry::new(self.submission.id, self.log.last(), at, actor, action);
        self.apply(&entry)?;
        self.log.push(entry);
        Ok(self.log.last().expect("just pushed"))
    }

    /// Whether the item is still owed an answer after its deadline on `today`.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.state.is_open() && self.due.is_some_and(|due| today > due)
    }

    /// Whether it was answered (approved, forwarded or declined) by its deadline; `None` while
    /// nothing was concluded or when it has no deadline.
    pub fn concluded_on_time(&self, tz: chrono_tz::Tz) -> Option<bool> {
        let due = if self.state == State::Forwarded {
            self.submission.forward_by.or(self.due)?
        } else {
            self.due?
        };
        let concluded = self.concluded_at()?;
        Some(concluded.with_timezone(&tz).date_naive() <= due)
    }

    /// When the centre concluded it: the approved answer, the forwarding or the decline (the
    /// last such entry).
    pub fn concluded_at(&self) -> Option<DateTime<Utc>> {
        if self.state.is_open() {
            return None;
        }
        self.log
            .iter()
            .rev()
            .find(|e| {
                matches!(
                    e.action,
                    Action::Approve | Action::Forward { .. } | Action::Decline { .. }
                )
            })
            .map(|e| e.at)
    }

    /// The day it was received, in `tz`.
    pub fn received_on(&self, tz: chrono_tz::Tz) -> NaiveDate {
        self.submission.received_at.with_timezone(&tz).date_naive()
    }

    fn apply(&mut self, entry: &Entry) -> Result<(), Refused> {
        use State::*;
        let state = self.state;
        let not_now = || Refused::NotNow {
            action: entry.action.name(),
            state,
        };
        match &entry.action {
            Action::Received(_) => return Err(Refused::BadLog(entry.seq)),
            Action::Classify { kind, urgent, due } => {
                if !matches!(state, New | Classified | Reopened) {
                    return Err(not_now());
                }
                if kind.needs_identity() && self.submission.identity.as_deref().is_none_or(|s| s.trim().is_empty()) {
                    return Err(Refused::NeedsIdentity(*kind));
                }
                self.kind = *kind;
                self.urgent = *urgent;
                self.due = *due;
                self.state = if *kind == Kind::Invalid { Declined } else { Classified };
                if *kind == Kind::Invalid {
                    self.declined = Some(String::new());
                }
            }
            Action::Assign {
                department,
                assignee,
                due,
            } => {
                if !matches!(state, Classified | Assigned | InProgress | Reopened) {
                    return Err(not_now());
                }
                check_text(department)?;
                self.department = Some(department.clone());
                self.assignee = assignee.clone();
                if due.is_some() {
                    self.due = *due;
                }
                self.state = Assigned;
            }
            Action::Start => {
                if state != Assigned {
                    return Err(not_now());
                }
                self.state = InProgress;
            }
            Action::Draft { reply } => {
                if !matches!(state, Assigned | InProgress) {
                    return Err(not_now());
                }
                check_text(reply)?;
                self.reply = Some(Reply {
                    text: reply.clone(),
                    by: entry.actor.clone(),
                    at: entry.at,
                    approved: None,
                });
            }
            Action::Approve => {
                if !matches!(state, Assigned | InProgress) {
                    return Err(not_now());
                }
                let reply = self.reply.as_mut().ok_or(Refused::NoReply)?;
                if reply.approved.is_some() {
                    return Err(Refused::NoReply);
                }
                reply.approved = Some((entry.actor.clone(), entry.at));
                self.answered_at = Some(entry.at);
                self.state = Answered;
            }
            Action::Publish { text } => {
                if !matches!(state, Answered | Closed) || self.kind == Kind::Denunciation {
                    return Err(not_now());
                }
                check_text(text)?;
                self.published = Some((text.clone(), entry.at));
            }
            Action::Unpublish => {
                if self.published.is_none() {
                    return Err(not_now());
                }
                self.published = None;
            }
            Action::Close => {
                if state != Answered {
                    return Err(not_now());
                }
                self.state = Closed;
            }
            Action::Forward { to } => {
                if !state.is_open() {
                    return Err(not_now());
                }
                check_text(to)?;
                self.forwarded_to = Some(to.clone());
                self.state = Forwarded;
            }
            Action::Decline { reason } => {
                if !state.is_open() {
                    return Err(not_now());
                }
                check_text(reason)?;
                self.declined = Some(reason.clone());
                self.state = Declined;
            }
            Action::Reopen { reason, due } => {
                if !matches!(state, Answered | Closed) {
                    return Err(not_now());
                }
                check_text(reason)?;
                self.reopened += 1;
                self.reply = None;
                self.answered_at = None;
                if due.is_some() {
                    self.due = *due;
                }
                self.state = Reopened;
            }
            Action::Apologise { text } => {
                check_text(text)?;
                self.apologised = true;
            }
            Action::Note { text } => check_text(text)?,
            Action::ViewContact => {}
            Action::Flag { reason } => {
                check_text(reason)?;
                self.flagged = Some(reason.clone());
            }
            Action::Move { to, .. } => {
                check_text(to)?;
                self.submission.facility = to.clone();
            }
        }
        Ok(())
    }
}

fn check_text(text: &str) -> Result<(), Refused> {
    if text.trim().is_empty() || text.chars().count() > MAX_TEXT {
        Err(Refused::BadText)
    } else {
        Ok(())
    }
}

/// How many working days each kind has to be answered in, counted from the day of receipt
/// (`[feedback.deadlines]` in hailong.toml). Defaults:
/// - complaint 30: Luật Khiếu nại 2011, Điều 28 (first-instance settlement within 30 days of
///   acceptance; acceptance itself within 10 days, Điều 27 — `accept_complaint`);
/// - denunciation 30: Luật Tố cáo 2018, Điều 30 (30 days from acceptance, extendable; acceptance
///   checked within 7 working days, Điều 24 — `accept_denunciation`);
/// - forwarding to another body 5: Luật Tố cáo 2018, Điều 24 (`forward`);
/// - suggestion and reflection 15: a centre's own rule (no law sets one);
/// - praise: none (thanked, never overdue).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Deadlines {
    /// Suggestions.
    pub suggestion: u32,
    /// Reflections and recommendations.
    pub reflection: u32,
    /// Complaints, settled.
    pub complaint: u32,
    /// Complaints, accepted.
    pub accept_complaint: u32,
    /// Denunciations, settled.
    pub denunciation: u32,
    /// Denunciations, accepted.
    pub accept_denunciation: u32,
    /// Sending on what is another body's to settle.
    pub forward: u32,
    /// An item classified urgent: answered within this many working days, or its kind's
    /// deadline if that is sooner.
    pub urgent: u32,
}

impl Default for Deadlines {
    fn default() -> Self {
        Deadlines {
            suggestion: 15,
            reflection: 15,
            complaint: 30,
            accept_complaint: 10,
            denunciation: 30,
            accept_denunciation: 7,
            forward: 5,
            urgent: 5,
        }
    }
}

impl Deadlines {
    /// The working days `kind` has, if it has a deadline.
    pub fn days(&self, kind: Kind) -> Option<u32> {
        match kind {
            Kind::Praise | Kind::Invalid => None,
            Kind::Suggestion => Some(self.suggestion),
            Kind::Reflection => Some(self.reflection),
            // Settled within n days of acceptance, which comes within m days of receipt: the
            // register counts from receipt, so the deadline is the sum.
            Kind::Complaint => Some(self.accept_complaint + self.complaint),
            Kind::Denunciation => Some(self.accept_denunciation + self.denunciation),
        }
    }

    /// The date by which an item of `kind` received on `received` must be answered.
    pub fn due(&self, kind: Kind, received: NaiveDate, holidays: &Holidays) -> Option<NaiveDate> {
        self.days(kind).map(|n| holidays.add_working_days(received, n))
    }

    /// [`Deadlines::due`], shortened to [`Deadlines::urgent`] working days when the item is
    /// urgent (a praise marked urgent gets that deadline too: someone must look at it).
    pub fn due_for(&self, kind: Kind, urgent: bool, received: NaiveDate, holidays: &Holidays) -> Option<NaiveDate> {
        let normal = self.due(kind, received, holidays);
        if !urgent {
            return normal;
        }
        let short = holidays.add_working_days(received, self.urgent);
        Some(normal.map_or(short, |d| d.min(short)))
    }
}

/// A hex SHA-256 of `text` (addresses the web form's rate limit counts, never stored in clear).
pub fn fingerprint(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests;
