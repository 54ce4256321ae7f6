//! What the centre keeps, behind one trait so SQLite (embedded) and PostgreSQL backends can
//! share the HTTP layer and one test suite.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;

use crate::store::StoredResponse;
use crate::survey::{Catalog, Channel, Tally};
use crate::sync::{Audit, AuditResult, BatchResult};

/// A centre storage error.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database failed.
    #[error("database: {0}")]
    Database(String),
    /// A name or id that does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The database holds something that does not parse.
    #[error("corrupt record: {0}")]
    Corrupt(String),
    /// The request conflicts with what the centre holds (a kiosk enrolled twice).
    #[error("{0}")]
    Conflict(String),
    /// Input the database cannot hold (text with a NUL character): the sender's mistake.
    #[error("{0}")]
    Invalid(String),
    /// A new facility name whose web address (slug) is already another facility's: a typo
    /// without diacritics must never take over a facility's pages and feedback form.
    #[error(
        "“{name}” has the same web address (/facility/{slug}) as the facility “{existing}”: use that name, or a name that differs in more than accents, case and punctuation"
    )]
    FacilityTaken {
        /// The name asked for.
        name: String,
        /// Its slug.
        slug: String,
        /// The facility that has it.
        existing: String,
    },
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Database(e.to_string())
    }
}

/// A feedback log entry as both backends store it (JSON).
pub fn entry_json(entry: &crate::feedback::Entry) -> String {
    serde_json::to_string(entry).expect("an entry always serialises")
}

/// A stored feedback log entry, or [`Error::Corrupt`].
pub fn parse_entry(text: &str) -> Result<crate::feedback::Entry, Error> {
    serde_json::from_str(text).map_err(|e| Error::Corrupt(format!("feedback log entry: {e}")))
}

/// The entry that moves an item of facility `from` to `to`, after its `last` entry (a rename or
/// a merge, `centre facility`).
pub fn move_entry(
    item: &str,
    last: &str,
    from: &str,
    to: &str,
    by: &str,
    at: DateTime<Utc>,
) -> Result<crate::feedback::Entry, Error> {
    let id = uuid::Uuid::parse_str(item).map_err(|e| Error::Corrupt(format!("feedback item id {item}: {e}")))?;
    let last = parse_entry(last)?;
    Ok(crate::feedback::Entry::new(
        id,
        Some(&last),
        at,
        by,
        crate::feedback::Action::Move {
            from: from.to_string(),
            to: to.to_string(),
        },
    ))
}

/// A facility the centre knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacilityInfo {
    /// Its name.
    pub name: String,
    /// Its web address part (`/facility/<slug>`, `/public/<slug>`), unique.
    pub slug: String,
    /// Kiosks enrolled there (revoked ones included).
    pub kiosks: u64,
}

/// The slug a new facility `name` gets, or why it cannot have one: none at all (no letter or
/// digit), or one that `existing` (the facility holding that slug, if any, other than `name`
/// itself) has.
pub fn new_facility_slug(name: &str, existing: Option<String>) -> Result<String, Error> {
    let slug = crate::text::slug(name);
    if slug.is_empty() {
        return Err(Error::Invalid(format!(
            "“{name}”: a facility name needs letters or digits"
        )));
    }
    match existing {
        Some(other) if other != name => Err(Error::FacilityTaken {
            name: name.to_string(),
            slug,
            existing: other,
        }),
        _ => Ok(slug),
    }
}

/// An enrolled kiosk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KioskInfo {
    /// The centre's id for the enrolment (used by `kiosk revoke`).
    pub id: String,
    /// Its facility.
    pub facility: String,
    /// Its name.
    pub name: String,
    /// The kiosk's own id, bound at its first sync.
    pub kiosk_id: Option<String>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Highest sequence number received.
    pub last_seq: u64,
    /// When it last sent a batch the centre stored.
    pub last_sync_at: Option<DateTime<Utc>>,
    /// How many responses it said it still held unsynced after that batch (`None`: it did
    /// not say, as kiosks older than the field do not).
    pub waiting: Option<u64>,
}

impl KioskInfo {
    /// A new enrolment, not yet bound to a kiosk.
    pub fn enrolled(id: String, facility: &str, name: &str) -> KioskInfo {
        KioskInfo {
            id,
            facility: facility.to_string(),
            name: name.to_string(),
            kiosk_id: None,
            revoked_at: None,
            last_seq: 0,
            last_sync_at: None,
            waiting: None,
        }
    }
}

/// An API read token (the token itself is never stored, only its hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReadToken {
    /// The centre's id for it (used by `token revoke`).
    pub id: i64,
    /// Who it is for.
    pub name: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// What [`super::ingest::append`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Appended {
    /// Stored now, at this place in the chain.
    Stored(u64),
    /// The chain holds a response with this id already (a retry, or another process stored it
    /// first): nothing changed.
    Held,
    /// Refused: the response does not fit its questionnaire or its channel (the refusal's
    /// words, as a kiosk would read them).
    Refused(String),
}

/// A response the centre takes itself, to store at the end of a chain it keeps.
#[derive(Debug)]
pub struct Own<'a> {
    /// The chain's enrolment (see [`CentreStore::chains`]).
    pub chain: &'a KioskInfo,
    /// The response (its id decides whether the chain holds it already).
    pub response: crate::survey::Response,
    /// The channels the chain may take.
    pub channels: &'a [crate::survey::Channel],
    /// The centre's clock.
    pub now: DateTime<Utc>,
    /// The facility's time zone.
    pub tz: chrono_tz::Tz,
}

/// The name a chain the centre keeps goes by in listings: its channel and point.
pub fn chain_name(channel: crate::survey::Channel, point: &str) -> String {
    format!("{channel} · {point}")
}

/// Why a fresh enrolment's first batch is refused: it names kiosk `kiosk_id`, which the centre
/// already knows under `existing` (e.g. "enrolment 01…").
pub fn enrolled_elsewhere(kiosk_id: &str, existing: &str) -> Error {
    Error::Conflict(format!(
        "kiosk {kiosk_id} is already enrolled at this centre ({existing}); to give it a new token and \
         keep its history, run `hailong centre kiosk renew {kiosk_id}` on the centre and put the printed \
         [centre] block in the kiosk's hailong.toml (then revoke the unused enrolment)"
    ))
}

/// A tamper, gap or clock event found on ingest or audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Event {
    /// `tamper`, `gap` or `clock`.
    pub kind: String,
    /// The kiosk.
    pub kiosk_id: String,
    /// The sequence number concerned.
    pub seq: Option<u64>,
    /// What was found.
    pub detail: String,
}

/// An event as recorded, with its id (for paging) and time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RecordedEvent {
    /// Its id, increasing with time.
    pub id: i64,
    /// When it was recorded.
    pub at: DateTime<Utc>,
    /// What was found.
    #[serde(flatten)]
    pub event: Event,
}

/// A response as the centre stores it, read back for `centre verify`.
#[derive(Debug, Clone)]
pub struct ChainRow {
    /// Sequence number.
    pub seq: u64,
    /// The hash column.
    pub hash: String,
    /// The stored JSON.
    pub body: String,
    /// Stored with times the centre could not believe (counted in no figure).
    pub clock_suspect: bool,
}

/// Events recorded for one kiosk, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct EventCounts {
    /// Gap events (responses missing or removed).
    pub gaps: u64,
    /// Tamper events (responses altered, chains broken).
    pub tampers: u64,
    /// Clock events (batches holding responses stamped with unbelievable times).
    pub clock: u64,
}

/// A patient's comment, as a facility's page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comment {
    /// When the response was submitted.
    pub at: DateTime<Utc>,
    /// The department the kiosk was set to, if any.
    pub department: Option<String>,
    /// The kiosk's own id.
    pub kiosk: String,
    /// What the patient wrote (free text, to be escaped by whatever shows it).
    pub text: String,
    /// The response it is part of.
    pub response: crate::survey::ResponseId,
    /// The lowest score (1–5) the patient gave in that response, if any ("not used" aside):
    /// staff may turn a comment from a patient who was not satisfied into a feedback case.
    pub lowest: Option<u8>,
}

impl Comment {
    /// Whether the patient gave some item a score under "satisfied" (4): such a comment can be
    /// turned into a feedback case.
    pub fn from_unsatisfied(&self) -> bool {
        self.lowest.is_some_and(|v| v < 4)
    }
}

/// How many responses [`CentreStore::walk_responses`] reads per query.
pub const RESPONSE_PAGE: usize = 2000;

/// How many stored rows [`CentreStore::latest_comments`] reads at most to find its comments.
pub const COMMENT_SCAN: usize = 2000;

/// The comment a stored response body holds, if any (for [`CentreStore::latest_comments`]).
pub fn comment_of(body: &str) -> Result<Option<Comment>, Error> {
    let r: StoredResponse = serde_json::from_str(body).map_err(|e| Error::Corrupt(e.to_string()))?;
    Ok(r.response.comment().map(|text| Comment {
        at: r.response.submitted_at,
        department: r.response.department.clone(),
        kiosk: r.kiosk_id.clone(),
        text,
        response: r.response.id,
        lowest: r
            .response
            .answers
            .values()
            .filter_map(|a| match a {
                crate::survey::Answer::Scale(v) if (1..=5).contains(v) => Some(*v),
                _ => None,
            })
            .min(),
    }))
}

/// Where a stored tally row comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TallyOrigin {
    /// The facility's name.
    pub facility: String,
    /// The kiosk's own id.
    pub kiosk: String,
}

/// The version of one facility-month's tallies (see [`CentreStore::tally_stamps`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TallyStamp {
    /// The facility's name.
    pub facility: String,
    /// The month's first day.
    pub month: NaiveDate,
    /// Drawn afresh (at random, never counted up) by every change to the facility's tallies of
    /// that month.
    pub version: i64,
}

/// Which responses a centre report covers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Scope {
    /// Facility name.
    pub facility: Option<String>,
    /// Kiosk (its own id).
    pub kiosk: Option<String>,
    /// Department.
    pub department: Option<String>,
    /// How the responses came.
    pub channel: Option<Channel>,
    /// Where (a point of the facility).
    pub point: Option<String>,
    /// First local day.
    pub from: Option<NaiveDate>,
    /// Last local day.
    pub to: Option<NaiveDate>,
}

/// Longest facility, kiosk or department name a filter may hold.
pub const MAX_NAME: usize = 200;

impl Scope {
    /// Checks the names a scope filters on, the same for every backend and surface: each at
    /// most [`MAX_NAME`] characters, none of them control characters (PostgreSQL cannot even
    /// compare a text holding NUL). The error names the field.
    pub fn check(&self) -> Result<(), String> {
        for (field, value) in [
            ("facility", &self.facility),
            ("kiosk", &self.kiosk),
            ("department", &self.department),
            ("point", &self.point),
        ] {
            if let Some(v) = value {
                check_name(field, v)?;
            }
        }
        Ok(())
    }
}

/// Checks one name (see [`Scope::check`]).
pub fn check_name(field: &str, value: &str) -> Result<(), String> {
    if value.chars().count() > MAX_NAME {
        return Err(format!("{field}: at most {MAX_NAME} characters"));
    }
    if value.chars().any(char::is_control) {
        return Err(format!("{field}: must not hold control characters"));
    }
    Ok(())
}

/// The centre's storage.
pub trait CentreStore: Send + Sync {
    /// Creates a kiosk enrolment (and its facility on first mention) holding `token_hash`.
    fn add_kiosk(&self, facility: &str, name: &str, token_hash: &str) -> Result<KioskInfo, Error>;
    /// Every enrolment.
    fn kiosks(&self) -> Result<Vec<KioskInfo>, Error>;
    /// The names of the facilities [`CentreStore::kiosks`] names, sorted (byte order) and once
    /// each, without reading every enrolment (8,000 of them in a province).
    fn facility_names(&self) -> Result<Vec<String>, Error> {
        let mut names: Vec<String> = self.kiosks()?.into_iter().map(|k| k.facility).collect();
        names.sort();
        names.dedup();
        Ok(names)
    }
    /// The enrolments of one facility, as [`CentreStore::kiosks`] lists them.
    fn kiosks_of(&self, facility: &str) -> Result<Vec<KioskInfo>, Error> {
        Ok(self.kiosks()?.into_iter().filter(|k| k.facility == facility).collect())
    }
    /// Revokes an enrolment: its token stops working.
    fn revoke_kiosk(&self, id: &str) -> Result<(), Error>;
    /// Re-enrols a kiosk the centre knows (by enrolment id or its own kiosk id): its token is
    /// replaced by the one hashed as `token_hash` (the old one stops working at once), a
    /// revocation is lifted, and its history and chain position stay.
    fn renew_kiosk(&self, id: &str, token_hash: &str) -> Result<KioskInfo, Error>;
    /// The enrolment holding this token hash, if any (revoked ones included).
    fn kiosk_by_token(&self, token_hash: &str) -> Result<Option<KioskInfo>, Error>;
    /// Adds an API read token.
    fn add_read_token(&self, name: &str, token_hash: &str) -> Result<(), Error>;
    /// Whether a read token hash exists and is not revoked.
    fn read_token_exists(&self, token_hash: &str) -> Result<bool, Error>;
    /// Every read token, oldest first.
    fn read_tokens(&self) -> Result<Vec<ReadToken>, Error>;
    /// Revokes a read token: it stops working at once.
    fn revoke_read_token(&self, id: i64) -> Result<(), Error>;
    /// Writes a probe row and commits, so `/api/v1/health` can say whether the store takes
    /// writes (a full disk, a read-only or unreachable database) and not only that it answers.
    fn check_writable(&self) -> Result<(), Error>;
    /// Stores a batch from the kiosk enrolled as `enrolment` (one transaction): skips what it
    /// holds already, checks each response and the chain, and records tamper and gap events.
    /// An enrolment not yet bound to a kiosk is bound to the batch's kiosk id in the same
    /// transaction, and only when the batch stores a response; a kiosk id another enrolment
    /// holds is refused with [`Error::Conflict`] (see [`enrolled_elsewhere`]). The time of the
    /// batch and `waiting` (how many responses the kiosk said it still holds unsynced) are
    /// kept as its last sync.
    fn ingest(
        &self,
        enrolment: &KioskInfo,
        kiosk_id: &str,
        responses: &[StoredResponse],
        waiting: Option<u64>,
        catalog: &Catalog,
    ) -> Result<BatchResult, Error>;
    /// The chains the centre keeps itself (see [`CentreStore::chain`]), by facility.
    fn chains(&self) -> Result<Vec<KioskInfo>, Error>;
    /// The chain the centre keeps for `facility`'s answers by `channel` at `point`, made on
    /// first use (one per facility, channel and point, however many processes ask at once).
    /// Its enrolment is bound from the start to the chain id `centre-<enrolment id>`; no token
    /// opens it, and it is not listed among the kiosks.
    fn chain(&self, facility: &str, channel: crate::survey::Channel, point: &str) -> Result<KioskInfo, Error>;
    /// Stores a response the centre took itself at the end of its chain (see
    /// [`super::ingest::append`]): the same steps, checks and tallies as a kiosk's batch.
    fn append(&self, own: Own<'_>, catalog: &Catalog) -> Result<Appended, Error>;
    /// Calls `f` with every stored response in `scope`.
    fn for_each_response(&self, scope: &Scope, f: &mut dyn FnMut(StoredResponse)) -> Result<(), Error> {
        self.walk_responses(scope, &mut |r| {
            f(r);
            std::ops::ControlFlow::Continue(())
        })
    }
    /// Calls `f` with every stored response in `scope` (but those stored with a clock the
    /// centre could not believe, which no figure counts), in kiosk and sequence order, until
    /// `f` answers [`std::ops::ControlFlow::Break`]. The responses are read
    /// [`RESPONSE_PAGE`] at a time and the database is free between pages, so an export of
    /// millions of responses holds neither them all in memory nor the database for its length.
    fn walk_responses(
        &self,
        scope: &Scope,
        f: &mut dyn FnMut(StoredResponse) -> std::ops::ControlFlow<()>,
    ) -> Result<(), Error>;
    /// Calls `f` with every stored daily tally in `scope` (what reports add up instead of
    /// rereading responses).
    fn for_each_tally(&self, scope: &Scope, f: &mut dyn FnMut(TallyKey, Tally)) -> Result<(), Error> {
        self.for_each_tally_row(scope, &mut |_, key, tally| f(key, tally))
    }
    /// [`CentreStore::for_each_tally`], with the facility and kiosk each tally row belongs to
    /// (an overview of every facility is one pass, not one query per facility).
    fn for_each_tally_row(&self, scope: &Scope, f: &mut dyn FnMut(&TallyOrigin, TallyKey, Tally)) -> Result<(), Error>;
    /// [`CentreStore::for_each_tally`] with the facility each tally belongs to, for figures that
    /// add up whole facilities (never kiosks): the same sums, but whole months come from the
    /// facility roll-up (one row per facility, month and key instead of one per kiosk), so an
    /// overview of 200 facilities of 40 kiosks reads a few thousand rows instead of a hundred
    /// thousand. `f` may be called more than once for one facility and key.
    fn for_each_facility_tally(&self, scope: &Scope, f: &mut dyn FnMut(&str, TallyKey, Tally)) -> Result<(), Error> {
        self.for_each_tally_row(scope, &mut |origin, key, tally| f(&origin.facility, key, tally))
    }
    /// The newest `limit` patients' comments in `scope`, newest first (by the day and time the
    /// kiosk stamped).
    fn latest_comments(&self, scope: &Scope, limit: usize) -> Result<Vec<Comment>, Error>;
    /// Section IV (problems and actions) of a facility's quarterly report for a period, as
    /// its staff last saved it: the text, who saved it and when.
    fn report_actions(&self, facility: &str, period: &str) -> Result<Option<(String, String, DateTime<Utc>)>, Error>;
    /// Saves section IV of a facility's quarterly report for a period.
    fn set_report_actions(&self, facility: &str, period: &str, text: &str, by: &str) -> Result<(), Error>;
    /// The facility whose slug is `slug`.
    fn facility_by_slug(&self, slug: &str) -> Result<Option<String>, Error>;
    /// Every facility, by name, with its slug and how many kiosks are enrolled there.
    fn facility_list(&self) -> Result<Vec<FacilityInfo>, Error>;
    /// Renames a facility (its slug follows): its accounts, feedback items (each with a
    /// [`crate::feedback::Action::Move`] entry in its log), reports and snapshots go with it.
    fn rename_facility(&self, from: &str, to: &str, by: &str, at: DateTime<Utc>) -> Result<(), Error>;
    /// Merges facility `from` into `into`: its kiosks, responses, tallies, accounts, feedback
    /// items (logged as above) and report texts become `into`'s, and `from` is gone. The
    /// responses and their chains are untouched, so `centre verify` holds.
    fn merge_facility(&self, from: &str, into: &str, by: &str, at: DateTime<Utc>) -> Result<(), Error>;
    /// The public page's last snapshot of a facility's period (see [`crate::centre::published`]):
    /// the day it was taken and its JSON.
    fn public_snapshot(&self, facility: &str, period: &str) -> Result<Option<(NaiveDate, String)>, Error>;
    /// Stores a snapshot taken on `taken_on`, unless one taken that day or later is stored
    /// already (by another process: the first of a day stands); returns the one stored now.
    fn save_public_snapshot(
        &self,
        facility: &str,
        period: &str,
        taken_on: NaiveDate,
        data: &str,
    ) -> Result<String, Error>;
    /// The tamper and gap events, newest first.
    fn events(&self) -> Result<Vec<Event>, Error>;
    /// Recorded events, newest first: at most `limit`, only those with an id below `before`
    /// when given (the next page), only kiosk `kiosk`'s when given.
    fn events_page(&self, kiosk: Option<&str>, before: Option<i64>, limit: u32) -> Result<Vec<RecordedEvent>, Error>;
    /// The department names responses were tallied under (every facility's), sorted.
    fn departments(&self) -> Result<Vec<String>, Error>;
    /// How many events each kiosk has, by its kiosk id: the kiosks enrolled at `facility`
    /// (through the events' index by kiosk; the facility page asks on every load, and a
    /// province's events grow for years), or every kiosk's when `None`.
    fn event_counts(&self, facility: Option<&str>) -> Result<std::collections::HashMap<String, EventCounts>, Error>;
    /// Calls `f` with every response held from kiosk `kiosk_id`, in sequence order, as stored
    /// (for `centre verify`).
    fn for_each_chain_row(&self, kiosk_id: &str, f: &mut dyn FnMut(ChainRow)) -> Result<(), Error>;
    /// Calls `f` with every stored tally row of kiosk `kiosk_id`: the daily rows, or the monthly
    /// roll-up (keyed by the month's first day).
    fn stored_tallies(&self, kiosk_id: &str, monthly: bool, f: &mut dyn FnMut(TallyKey, Tally)) -> Result<(), Error>;
    /// What the centre holds of a kiosk's chain for `from..=to`: (seq, response id, hash), in order.
    fn held_chain(&self, kiosk_id: &str, from: u64, to: u64) -> Result<Vec<(u64, String, String)>, Error>;
    /// The stamps of the facility-months with tallies, for `facility` (every facility when
    /// `None`) and the months whose first days lie from `from` to `to`. Every change to a
    /// facility's tallies (its kiosks' daily and monthly rows and its roll-up) draws new stamps
    /// for the months it touches in the same transaction, whichever process makes it (random,
    /// so no version comes back after a restore); a month without tallies has no stamp.
    fn tally_stamps(&self, facility: Option<&str>, from: NaiveDate, to: NaiveDate) -> Result<Vec<TallyStamp>, Error>;
    /// Records events, skipping any already recorded (an audit repeated finds the same).
    fn record_events(&self, events: &[Event]) -> Result<(), Error>;
}

/// Compares a kiosk's audit page with what the centre holds of its chain in that range.
pub fn compare_audit(audit: &Audit, held: &[(u64, String, String)]) -> (AuditResult, Vec<Event>) {
    let now: std::collections::HashMap<u64, &crate::sync::AuditEntry> =
        audit.entries.iter().map(|e| (e.seq, e)).collect();
    let mut result = AuditResult::default();
    let mut events = Vec::new();
    for (seq, id, hash) in held {
        result.checked += 1;
        match now.get(seq) {
            None => {
                result.removed.push(*seq);
                events.push(Event {
                    kind: "gap".into(),
                    kiosk_id: audit.kiosk_id.clone(),
                    seq: Some(*seq),
                    detail: format!("response {id} (seq {seq}) was removed from the kiosk after it was synced"),
                });
            }
            Some(e) if e.id.to_string() != *id || e.hash != *hash => {
                result.altered.push(*seq);
                events.push(Event {
                    kind: "tamper".into(),
                    kiosk_id: audit.kiosk_id.clone(),
                    seq: Some(*seq),
                    detail: format!("response {id} (seq {seq}) was altered on the kiosk after it was synced"),
                });
            }
            Some(_) => {}
        }
    }
    (result, events)
}

/// What a daily tally row is kept per, besides the kiosk (and so its facility): the
/// facility-local day, department (empty when none), questionnaire and whether the response was
/// a rapid repeat (kept apart, not counted in the figures).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TallyKey {
    /// Facility-local day of submission.
    pub day: NaiveDate,
    /// Department, or `""`.
    pub department: String,
    /// Questionnaire id.
    pub questionnaire_id: String,
    /// Questionnaire version.
    pub questionnaire_version: u32,
    /// Whether these are rapid repeats.
    pub rapid_repeat: bool,
    /// How the responses came.
    pub channel: Channel,
    /// Where, or `""` (responses from before channels named no point).
    pub point: String,
}

/// The tallies a batch's new responses add, per key (days counted in `tz`). A backend merges
/// them into its stored rows in the batch's transaction.
pub fn tallies<'a>(
    responses: impl IntoIterator<Item = &'a StoredResponse>,
    tz: chrono_tz::Tz,
) -> BTreeMap<TallyKey, Tally> {
    let mut out = BTreeMap::new();
    for s in responses {
        add_to_tallies(&mut out, s, tz);
    }
    out
}

/// Adds one response to `tallies`.
pub fn add_to_tallies(tallies: &mut BTreeMap<TallyKey, Tally>, s: &StoredResponse, tz: chrono_tz::Tz) {
    let r = &s.response;
    let key = TallyKey {
        day: r.submitted_at.with_timezone(&tz).date_naive(),
        department: r.department.clone().unwrap_or_default(),
        questionnaire_id: r.questionnaire_id.clone(),
        questionnaire_version: r.questionnaire_version,
        // A repeat device's response is left out of the figures as a rapid repeat is.
        rapid_repeat: r.rapid_repeat || r.repeat_device,
        channel: r.channel.unwrap_or_default(),
        point: r.point.clone().unwrap_or_default(),
    };
    tallies.entry(key).or_default().add(r);
}

/// The tallies of stored responses read back in kiosk order (by the migration that added the
/// tallies), one kiosk at a time, so memory stays small however many responses there are.
#[derive(Debug, Default)]
pub struct Backfill {
    current: Option<(String, i64)>,
    adds: BTreeMap<TallyKey, Tally>,
}

/// One kiosk's backfilled tallies: kiosk id, facility id, tallies.
pub type KioskTallies = (String, i64, BTreeMap<TallyKey, Tally>);

impl Backfill {
    /// Adds a stored response (`body`, its JSON) of kiosk `kiosk_id` in facility
    /// `facility_id`; when it is another kiosk's than the one before, returns the one before's
    /// finished tallies.
    pub fn add(
        &mut self,
        kiosk_id: String,
        facility_id: i64,
        body: &str,
        tz: chrono_tz::Tz,
    ) -> Result<Option<KioskTallies>, Error> {
        let owner = (kiosk_id, facility_id);
        let done = match self.current.take() {
            Some(previous) if previous != owner => Some((previous.0, previous.1, std::mem::take(&mut self.adds))),
            _ => None,
        };
        self.current = Some(owner);
        let r: StoredResponse = serde_json::from_str(body).map_err(|e| Error::Corrupt(e.to_string()))?;
        add_to_tallies(&mut self.adds, &r, tz);
        Ok(done)
    }

    /// The last kiosk's tallies, if any response was added.
    pub fn finish(self) -> Option<KioskTallies> {
        self.current
            .map(|(kiosk_id, facility_id)| (kiosk_id, facility_id, self.adds))
    }
}

/// Which stored tallies cover a scope's days: whole months come from the monthly roll-up
/// (keyed by the month's first day), the days before the first and after the last whole month
/// from the daily rows. A quarter over two million responses then adds up a few hundred rows
/// instead of tens of thousands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TallyRanges {
    /// Month starts (inclusive bounds; `None` = open) to read from the monthly table, if any.
    pub months: Option<DayRange>,
    /// Day ranges (inclusive) to read from the daily table.
    pub days: Vec<DayRange>,
}

/// Inclusive day bounds; `None` = open.
pub type DayRange = (Option<NaiveDate>, Option<NaiveDate>);

impl TallyRanges {
    /// Each range with the table both backends keep it in: `tallies_month` or `tallies`.
    pub fn tables(self) -> Vec<(&'static str, DayRange)> {
        self.months
            .map(|m| ("tallies_month", m))
            .into_iter()
            .chain(self.days.into_iter().map(|d| ("tallies", d)))
            .collect()
    }
}

/// The first day of `day`'s month.
pub fn month_start(day: NaiveDate) -> NaiveDate {
    day.with_day(1).expect("every month has a first day")
}

fn next_month(day: NaiveDate) -> NaiveDate {
    month_start(day)
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(NaiveDate::MAX)
}

/// Splits `from..=to` into whole months and the days around them.
pub fn tally_ranges(from: Option<NaiveDate>, to: Option<NaiveDate>) -> TallyRanges {
    // The first whole month starts at `from` if that is a month's first day, else the month after.
    let first = from.map(|f| if f.day() == 1 { f } else { next_month(f) });
    // The last whole month is `to`'s if `to` is its last day, else the month before.
    let last = to.map(|t| {
        let start = month_start(t);
        if next_month(t).pred_opt() == Some(t) {
            start
        } else {
            start
                .checked_sub_months(chrono::Months::new(1))
                .unwrap_or(NaiveDate::MIN)
        }
    });
    if let (Some(f), Some(l)) = (first, last)
        && f > l
    {
        return TallyRanges {
            months: None,
            days: vec![(from, to)],
        };
    }
    let mut days = Vec::new();
    if let (Some(f), Some(first)) = (from, first)
        && f < first
    {
        days.push((Some(f), first.pred_opt()));
    }
    if let (Some(t), Some(last)) = (to, last) {
        let after = next_month(last);
        if after <= t {
            days.push((Some(after), Some(t)));
        }
    }
    TallyRanges {
        months: Some((first, last)),
        days,
    }
}

/// The monthly roll-up of daily tallies: the same keys with the day set to its month's first.
pub fn by_month(daily: &BTreeMap<TallyKey, Tally>) -> BTreeMap<TallyKey, Tally> {
    let mut out: BTreeMap<TallyKey, Tally> = BTreeMap::new();
    for (key, tally) in daily {
        let key = TallyKey {
            day: month_start(key.day),
            ..key.clone()
        };
        out.entry(key).or_default().merge(tally);
    }
    out
}

/// Parses a stored tally.
pub fn parse_tally(json: &str) -> Result<Tally, Error> {
    serde_json::from_str(json).map_err(|e| Error::Corrupt(format!("a daily tally cannot be read: {e}")))
}

/// Serialises a tally for storage.
pub fn tally_json(tally: &Tally) -> String {
    serde_json::to_string(tally).expect("a tally serialises")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_quarter_is_three_whole_months() {
        let r = tally_ranges(Some(d("2026-07-01")), Some(d("2026-09-30")));
        assert_eq!(r.months, Some((Some(d("2026-07-01")), Some(d("2026-09-01")))));
        assert!(r.days.is_empty());
    }

    #[test]
    fn odd_days_around_whole_months_come_from_the_daily_rows() {
        let r = tally_ranges(Some(d("2026-01-15")), Some(d("2026-04-10")));
        assert_eq!(r.months, Some((Some(d("2026-02-01")), Some(d("2026-03-01")))));
        assert_eq!(
            r.days,
            [
                (Some(d("2026-01-15")), Some(d("2026-01-31"))),
                (Some(d("2026-04-01")), Some(d("2026-04-10")))
            ]
        );
        // Within one month, or across two without a whole one: days only.
        for (f, t) in [
            ("2026-02-03", "2026-02-20"),
            ("2026-02-03", "2026-03-20"),
            ("2024-02-02", "2024-02-29"),
        ] {
            let r = tally_ranges(Some(d(f)), Some(d(t)));
            assert_eq!((r.months, r.days), (None, vec![(Some(d(f)), Some(d(t)))]));
        }
        // A leap February is whole.
        let r = tally_ranges(Some(d("2024-02-01")), Some(d("2024-02-29")));
        assert_eq!(r.months, Some((Some(d("2024-02-01")), Some(d("2024-02-01")))));
    }

    #[test]
    fn open_ends_stay_open() {
        assert_eq!(
            tally_ranges(None, None),
            TallyRanges {
                months: Some((None, None)),
                days: vec![]
            }
        );
        let r = tally_ranges(None, Some(d("2026-05-20")));
        assert_eq!(r.months, Some((None, Some(d("2026-04-01")))));
        assert_eq!(r.days, [(Some(d("2026-05-01")), Some(d("2026-05-20")))]);
        let r = tally_ranges(Some(d("2026-05-20")), None);
        assert_eq!(r.months, Some((Some(d("2026-06-01")), None)));
        assert_eq!(r.days, [(Some(d("2026-05-20")), Some(d("2026-05-31")))]);
    }
}
