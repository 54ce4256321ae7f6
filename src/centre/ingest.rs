//! One way into the centre's store. Every response the centre keeps comes through [`run`]: a
//! kiosk's batch (`POST /api/v1/responses`), the simulated kiosks of `centre demo-data`, and the
//! responses the centre takes itself. The work is split three ways:
//!
//! 1. [`prepare`]: the CPU work that needs nothing from the database (each response checked, its
//!    stored JSON and its tallies), done before a backend takes its lock;
//! 2. [`plan`]: what the batch does, response by response, from what the database already holds
//!    ([`Known`]) — typed [`Decision`]s, the same for both backends, tested case by case;
//! 3. [`run`]: the driver, which calls a backend's small [`Steps`] (lock, known ids, bind,
//!    insert, tallies, events, finish) in one order inside one transaction.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::store::{Error, Event, KioskInfo, MAX_NAME, TallyKey, add_to_tallies, by_month, tallies};
use crate::store::StoredResponse;
use crate::survey::{Catalog, Channel, InvalidResponse, Tally};
use crate::sync::{BatchResult, Rejected};

/// Whether a response's times can be believed at `now` (the centre's clock): started no
/// earlier than 2020 and submitted no later than a day ahead. A kiosk whose clock is wrong
/// stamps every response it takes wrongly; refusing them made the kiosk resend them for ever
/// and, once the clock was set right, left a false "responses missing" gap. So they are stored
/// (the chain stays whole and the kiosk stops resending), recorded as one `clock` event per
/// batch, and counted in no figure, since the period they belong to is unknown.
pub fn clock_plausible(r: &crate::survey::Response, now: DateTime<Utc>) -> bool {
    let earliest = DateTime::parse_from_rfc3339("2020-01-01T00:00:00Z")
        .expect("valid")
        .with_timezone(&Utc);
    r.started_at >= earliest && r.submitted_at <= now + chrono::Duration::days(1)
}

/// The furthest a response's sequence number may lie past the last one the centre holds of its
/// kiosk (the gap between them is reported as missing responses): a kiosk offline for a year
/// at a busy desk takes far fewer.
pub const MAX_SEQ_JUMP: u64 = 100_000;

/// Why a response is refused. The words are the kiosk's (`rejected[].error`) and the events'.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The response names another kiosk than its batch.
    #[error("names kiosk {named} in a batch from kiosk {batch}")]
    OtherKiosk {
        /// The kiosk the response names.
        named: String,
        /// The batch's kiosk.
        batch: String,
    },
    /// The batch came with a token bound to another kiosk.
    #[error("this token belongs to kiosk {0}")]
    TokenOfOtherKiosk(String),
    /// No questionnaire of that id and version.
    #[error("unknown questionnaire {id}@{version}")]
    UnknownQuestionnaire {
        /// Its id.
        id: String,
        /// Its version.
        version: u32,
    },
    /// The answers do not fit the questionnaire.
    #[error(transparent)]
    Invalid(#[from] InvalidResponse),
    /// A time no clock gives (the stored form is RFC 3339).
    #[error("timestamp {0} outside the years 1900–9999")]
    Timestamp(String),
    /// Sequence numbers start at 1.
    #[error("seq must start at 1")]
    SeqZero,
    /// Both databases store the sequence number as a signed 64-bit integer.
    #[error("seq out of range")]
    SeqRange,
    /// A department name longer than [`MAX_NAME`].
    #[error("department name too long")]
    DepartmentTooLong,
    /// A department name with a control character (PostgreSQL text cannot hold NUL).
    #[error("department name holds a control character")]
    DepartmentControl,
    /// A channel this enrolment may not send (a kiosk cannot send phone answers).
    #[error("channel {0} cannot come from a kiosk")]
    Channel(Channel),
    /// A point name longer than [`MAX_NAME`], empty, or with a control character.
    #[error("point: at most 200 characters, not empty, without control characters")]
    PointName,
    /// The response's hash is not the hash of its content: edited after it was chained.
    #[error("hash does not match the response's content")]
    HashMismatch,
    /// The id is held with another hash.
    #[error("a response with this id is already held with different content")]
    DifferentContent,
    /// Another response holds the sequence number.
    #[error("sequence number {seq} already holds response {held}")]
    SeqTaken {
        /// The number.
        seq: u64,
        /// The id held there.
        held: String,
    },
    /// Further past the chain's end than any kiosk goes between two syncs.
    #[error(
        "sequence number {seq} is more than {MAX_SEQ_JUMP} past this kiosk's last ({last}); no kiosk takes that many responses between two syncs"
    )]
    TooFarAhead {
        /// The number.
        seq: u64,
        /// The chain's end as held.
        last: u64,
    },
}

impl Refusal {
    /// Whether the refusal is evidence of tampering (recorded as a `tamper` event), and the
    /// event's words: the response's id leads where the refusal does not name a sequence number.
    fn tamper_detail(&self, id: &str) -> Option<String> {
        match self {
            Refusal::HashMismatch | Refusal::DifferentContent => Some(format!("response {id}: {self}")),
            Refusal::SeqTaken { .. } | Refusal::TooFarAhead { .. } => Some(self.to_string()),
            _ => None,
        }
    }
}

/// Checks one response against the batch and the questionnaires; `Ok` holds its JSON as the
/// centre stores it.
pub fn check(r: &StoredResponse, kiosk_id: &str, catalog: &Catalog, channels: &[Channel]) -> Result<String, Refusal> {
    if r.kiosk_id != kiosk_id {
        return Err(Refusal::OtherKiosk {
            named: r.kiosk_id.clone(),
            batch: kiosk_id.into(),
        });
    }
    let resp = &r.response;
    let q = catalog
        .get(&resp.questionnaire_id, resp.questionnaire_version)
        .ok_or_else(|| Refusal::UnknownQuestionnaire {
            id: resp.questionnaire_id.clone(),
            version: resp.questionnaire_version,
        })?;
    resp.validate(q)?;
    // A wrong clock is judged by `clock_plausible` (kept, not counted); a time no clock gives
    // (chrono takes years from −262,143 on, PostgreSQL dates end at 4713 BC) is refused.
    for t in [resp.started_at, resp.submitted_at] {
        if !(1900..=9999).contains(&t.year()) {
            return Err(Refusal::Timestamp(t.to_rfc3339()));
        }
    }
    if r.seq == 0 {
        return Err(Refusal::SeqZero);
    }
    if r.seq > i64::MAX as u64 {
        return Err(Refusal::SeqRange);
    }
    if let Some(d) = &resp.department {
        if d.chars().count() > MAX_NAME {
            return Err(Refusal::DepartmentTooLong);
        }
        if d.chars().any(char::is_control) {
            return Err(Refusal::DepartmentControl);
        }
    }
    let channel = resp.channel.unwrap_or_default();
    if !channels.contains(&channel) {
        return Err(Refusal::Channel(channel));
    }
    if let Some(p) = &resp.point
        && (p.trim().is_empty() || p.chars().count() > MAX_NAME || p.chars().any(char::is_control))
    {
        return Err(Refusal::PointName);
    }
    // The canonical bytes serve twice: for the hash, then (with the hashes) as the stored JSON.
    let canonical = crate::store::canonical_bytes(r.seq, &r.kiosk_id, resp);
    if crate::store::link_canonical(&r.prev_hash, &canonical) != r.hash {
        return Err(Refusal::HashMismatch);
    }
    Ok(crate::store::stored_json(canonical, &r.prev_hash, &r.hash))
}

/// A rejection entry.
fn rejected(r: &StoredResponse, why: &Refusal) -> Rejected {
    Rejected {
        id: r.response.id,
        error: why.to_string(),
    }
}

/// Why a request naming kiosk `claimed` is refused when its token is bound to kiosk `bound`.
pub fn other_kiosk(bound: &str, claimed: &str) -> String {
    format!("kiosk_id: this token belongs to kiosk {bound}, not {claimed}")
}

/// What the centre already holds that a batch touches: read by a backend inside its
/// transaction ([`Steps::known`]), then handed to [`plan`].
#[derive(Debug, Default, Clone)]
pub struct Known {
    /// The hash stored under each response id of the batch that is already held.
    pub hashes: HashMap<String, String>,
    /// The response id stored at each sequence number of the batch already taken (this kiosk).
    pub seqs: HashMap<u64, String>,
    /// Highest sequence number and its hash so far.
    pub last: (u64, String),
}

/// The work on a batch that needs nothing from the database: each response checked, the
/// stored JSON of those that pass, and their tallies. Done before a backend takes its lock or
/// opens its transaction, so concurrent batches share the CPU cores and the lock is held only
/// for the database work.
#[derive(Debug)]
pub struct Prepared {
    /// Per response: its JSON as stored when it passed, else why it is refused.
    pub checked: Vec<Result<String, Refusal>>,
    /// The tallies of every response that passed (but those whose clock is suspect).
    pub tallies: BTreeMap<TallyKey, Tally>,
    /// How many passed.
    pub passed: usize,
    /// Per response: its times cannot be believed (see [`clock_plausible`]); stored, not counted.
    pub suspect: Vec<bool>,
}

/// The channels a kiosk's batch may carry: its own, and `interview` (staff or a relative
/// filling the form for a patient at the kiosk).
pub const KIOSK_CHANNELS: &[Channel] = &[Channel::Kiosk, Channel::Interview];

/// Prepares a batch (see [`Prepared`]) of responses that may come by `channels`; days are
/// counted in `tz`.
pub fn prepare(
    responses: &[StoredResponse],
    kiosk_id: &str,
    catalog: &Catalog,
    channels: &[Channel],
    now: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> Prepared {
    let mut tallies = BTreeMap::new();
    let suspect: Vec<bool> = responses.iter().map(|r| !clock_plausible(&r.response, now)).collect();
    let checked: Vec<Result<String, Refusal>> = responses
        .iter()
        .zip(&suspect)
        .map(|(r, &suspect)| {
            let body = check(r, kiosk_id, catalog, channels)?;
            if !suspect {
                add_to_tallies(&mut tallies, r, tz);
            }
            Ok(body)
        })
        .collect();
    let passed = checked.iter().filter(|c| c.is_ok()).count();
    Prepared {
        checked,
        tallies,
        passed,
        suspect,
    }
}

impl Prepared {
    /// The stored JSON of the `i`th response (one that passed its checks).
    pub fn body(&self, i: usize) -> &str {
        self.checked[i].as_deref().unwrap_or_default()
    }

    /// The tallies of what `plan` inserts: the prepared ones when it inserts every response
    /// that passed (the usual case), else recounted (a retry holding duplicates).
    pub fn tallies_of(&mut self, plan: &Plan, tz: chrono_tz::Tz) -> BTreeMap<TallyKey, Tally> {
        if plan.inserts.len() == self.passed {
            std::mem::take(&mut self.tallies)
        } else {
            tallies(
                plan.inserts.iter().filter(|&&(i, _)| !self.suspect[i]).map(|&i| i.1),
                tz,
            )
        }
    }
}

/// What happens to one response of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Stored now.
    Insert,
    /// Already held with the same content (a retry): answered as held, stored once.
    Duplicate,
    /// Refused, with why.
    Refuse(Refusal),
}

/// What to do with a batch: decided without touching the database, so both backends behave
/// the same and the decisions can be tested case by case.
#[derive(Debug, Default)]
pub struct Plan<'a> {
    /// Per response of the batch, in order.
    pub decisions: Vec<Decision>,
    /// The answer to the kiosk.
    pub result: BatchResult,
    /// Responses to insert, with their position in the batch.
    pub inserts: Vec<(usize, &'a StoredResponse)>,
    /// Tamper, gap and clock events to record.
    pub events: Vec<Event>,
    /// The kiosk's highest sequence number and hash afterwards.
    pub last: (u64, String),
}

/// Decides, response by response, what a batch does to the centre.
pub fn plan<'a>(responses: &'a [StoredResponse], kiosk_id: &str, mut known: Known, prepared: &Prepared) -> Plan<'a> {
    let mut plan = Plan::default();
    let event = |kind: &str, seq: u64, detail: String| Event {
        kind: kind.into(),
        kiosk_id: kiosk_id.into(),
        seq: Some(seq),
        detail,
    };
    for (i, r) in responses.iter().enumerate() {
        let id = r.response.id.to_string();
        let decision = match &prepared.checked[i] {
            Err(why) => Decision::Refuse(why.clone()),
            Ok(_) => decide(r, &id, &known),
        };
        match &decision {
            Decision::Refuse(why) => {
                if let Some(detail) = why.tamper_detail(&id) {
                    plan.events.push(event("tamper", r.seq, detail));
                }
                plan.result.rejected.push(rejected(r, why));
            }
            Decision::Duplicate => plan.result.duplicates.push(r.response.id),
            Decision::Insert => {
                let (last_seq, last_hash) = &known.last;
                if r.seq == last_seq + 1 && r.prev_hash != *last_hash {
                    plan.events.push(event(
                        "tamper",
                        r.seq,
                        "chain broken: prev_hash does not match the response before".into(),
                    ));
                } else if r.seq > last_seq + 1 {
                    plan.events.push(event(
                        "gap",
                        last_seq + 1,
                        format!("responses {}–{} missing", last_seq + 1, r.seq - 1),
                    ));
                }
                if r.seq > *last_seq {
                    known.last = (r.seq, r.hash.clone());
                }
                known.hashes.insert(id.clone(), r.hash.clone());
                known.seqs.insert(r.seq, id);
                plan.inserts.push((i, r));
                plan.result.accepted.push(r.response.id);
            }
        }
        plan.decisions.push(decision);
    }
    let stamped: Vec<&StoredResponse> = plan
        .inserts
        .iter()
        .filter(|&&(i, _)| prepared.suspect[i])
        .map(|&(_, r)| r)
        .collect();
    if let Some(first) = stamped.first() {
        plan.result.clock_suspect = stamped.iter().map(|r| r.response.id).collect();
        plan.events.push(event(
            "clock",
            first.seq,
            format!(
                "{} responses stamped with times the centre cannot believe (the first, seq {}, submitted {}): the kiosk's clock is wrong; stored, counted in no figure",
                stamped.len(),
                first.seq,
                first.response.submitted_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
        ));
    }
    plan.last = known.last;
    plan
}

/// What to do with one response that passed its checks, given what is held (including what
/// this batch has decided to insert before it).
fn decide(r: &StoredResponse, id: &str, known: &Known) -> Decision {
    if let Some(hash) = known.hashes.get(id) {
        return if *hash == r.hash {
            Decision::Duplicate
        } else {
            Decision::Refuse(Refusal::DifferentContent)
        };
    }
    if let Some(held) = known.seqs.get(&r.seq) {
        return Decision::Refuse(Refusal::SeqTaken {
            seq: r.seq,
            held: held.clone(),
        });
    }
    let last = known.last.0;
    if r.seq > last.saturating_add(MAX_SEQ_JUMP) {
        // A stolen token must not move the chain's end out of reach of the real kiosk.
        return Decision::Refuse(Refusal::TooFarAhead { seq: r.seq, last });
    }
    Decision::Insert
}

/// An enrolment's row, read and locked for the batch ([`Steps::lock`]).
#[derive(Debug)]
pub struct Locked {
    /// The kiosk the enrolment is bound to, once a batch of it stored something.
    pub bound: Option<String>,
    /// Its facility's row id.
    pub facility_id: i64,
    /// The chain's end as held: highest sequence number and its hash.
    pub last: (u64, String),
}

/// One response row as a backend inserts it.
#[derive(Debug)]
pub struct Row<'a> {
    /// The response's id.
    pub id: &'a str,
    /// Its sequence number in its chain.
    pub seq: i64,
    /// The department it is about.
    pub department: Option<&'a str>,
    /// The facility's local day it was submitted on.
    pub day: NaiveDate,
    /// Its hash.
    pub hash: &'a str,
    /// Its JSON as stored.
    pub body: &'a str,
    /// Its times cannot be believed: stored, counted in no figure.
    pub clock_suspect: bool,
    /// How it came (a response from before channels: a kiosk's).
    pub channel: Channel,
    /// Where, if it says.
    pub point: Option<&'a str>,
}

/// A backend's part of storing a batch, each step inside the transaction [`run`] is given.
/// Dropping the steps without [`Steps::finish`] rolls everything back.
#[allow(async_fn_in_trait)]
pub trait Steps {
    /// Reads the enrolment's row and locks it: one enrolment's batches are stored one at a time.
    async fn lock(&mut self, enrolment: &str) -> Result<Locked, Error>;
    /// The enrolment already bound to `kiosk_id`, if any.
    async fn enrolment_of(&mut self, kiosk_id: &str) -> Result<Option<String>, Error>;
    /// Adds to `known` what is held of the batch's ids and of its sequence numbers in the chain.
    async fn known(&mut self, kiosk_id: &str, ids: &[String], seqs: &[i64], known: &mut Known) -> Result<(), Error>;
    /// Binds the enrolment to the kiosk whose batch first stores something.
    async fn bind(&mut self, enrolment: &str, kiosk_id: &str) -> Result<(), Error>;
    /// Inserts the responses.
    async fn insert(&mut self, kiosk_id: &str, facility_id: i64, rows: &[Row<'_>]) -> Result<(), Error>;
    /// Adds the inserted responses' tallies: per day and month for the kiosk, per month to the
    /// facility's roll-up.
    async fn tallies(
        &mut self,
        kiosk_id: &str,
        facility_id: i64,
        daily: BTreeMap<TallyKey, Tally>,
        monthly: BTreeMap<TallyKey, Tally>,
    ) -> Result<(), Error>;
    /// Records tamper, gap and clock events.
    async fn events(&mut self, kiosk_id: &str, events: &[Event]) -> Result<(), Error>;
    /// Moves the chain's end, notes the sync (and how many responses the kiosk still holds)
    /// and commits.
    async fn finish(self, enrolment: &str, last: &(u64, String), waiting: Option<u64>) -> Result<(), Error>
    where
        Self: Sized;
}

/// A batch to store.
#[derive(Debug, Clone, Copy)]
pub struct Batch<'a> {
    /// The enrolment the request came with (a kiosk's token, or a chain the centre keeps).
    pub enrolment: &'a KioskInfo,
    /// The kiosk (chain) the batch says it is from.
    pub kiosk_id: &'a str,
    /// Its responses, in chain order.
    pub responses: &'a [StoredResponse],
    /// How many responses the kiosk says it still holds unsent.
    pub waiting: Option<u64>,
    /// The facility's time zone: days are counted in it.
    pub tz: chrono_tz::Tz,
}

/// Stores a batch through a backend's steps: the one ingest of every backend.
pub async fn run<S: Steps>(mut steps: S, batch: Batch<'_>, prepared: Prepared) -> Result<BatchResult, Error> {
    let locked = steps.lock(&batch.enrolment.id).await?;
    run_locked(steps, locked, batch, prepared).await
}

pub use super::store::{Appended, Own};

/// Stores a response the centre took itself (a phone's, a ticket's …) at the end of the chain
/// it keeps for its facility, channel and point, through the same steps as a kiosk's batch:
/// numbered and linked under the chain's lock, so that concurrent requests, and several
/// processes on one PostgreSQL, extend the chain one at a time. Storing a response id the
/// chain holds already changes nothing: a retry after a lost answer counts once.
pub async fn append<S: Steps>(mut steps: S, own: Own<'_>, catalog: &Catalog) -> Result<Appended, Error> {
    let kiosk_id = own
        .chain
        .kiosk_id
        .as_deref()
        .ok_or_else(|| Error::NotFound(format!("enrolment {} is not a chain the centre keeps", own.chain.id)))?;
    let locked = steps.lock(&own.chain.id).await?;
    let id = own.response.id.to_string();
    let mut known = Known::default();
    steps
        .known(kiosk_id, std::slice::from_ref(&id), &[], &mut known)
        .await?;
    if known.hashes.contains_key(&id) {
        return Ok(Appended::Held);
    }
    let seq = locked.last.0 + 1;
    let hash = crate::store::link(&locked.last.1, seq, kiosk_id, &own.response);
    let stored = [StoredResponse {
        seq,
        kiosk_id: kiosk_id.to_string(),
        prev_hash: locked.last.1.clone(),
        hash,
        response: own.response,
    }];
    let prepared = prepare(&stored, kiosk_id, catalog, own.channels, own.now, own.tz);
    if let Some(Err(refusal)) = prepared.checked.first() {
        return Ok(Appended::Refused(refusal.to_string()));
    }
    let batch = Batch {
        enrolment: own.chain,
        kiosk_id,
        responses: &stored,
        waiting: None,
        tz: own.tz,
    };
    let result = run_locked(steps, locked, batch, prepared).await?;
    match result.rejected.first() {
        // Under the lock the chain's end was read: a refusal here is a defect, not a patient's.
        Some(r) => Err(Error::Conflict(format!(
            "the centre's own chain {kiosk_id} refused a response: {}",
            r.error
        ))),
        None => Ok(Appended::Stored(seq)),
    }
}

/// [`run`] once the enrolment's row is locked.
async fn run_locked<S: Steps>(
    mut steps: S,
    locked: Locked,
    batch: Batch<'_>,
    mut prepared: Prepared,
) -> Result<BatchResult, Error> {
    let Batch {
        enrolment,
        kiosk_id,
        responses,
        waiting,
        tz,
    } = batch;
    match &locked.bound {
        Some(bound) if bound != kiosk_id => {
            let why = Refusal::TokenOfOtherKiosk(bound.clone());
            return Ok(BatchResult {
                rejected: responses.iter().map(|r| rejected(r, &why)).collect(),
                ..BatchResult::default()
            });
        }
        Some(_) => {}
        None => {
            if let Some(existing) = steps.enrolment_of(kiosk_id).await? {
                return Err(super::store::enrolled_elsewhere(
                    kiosk_id,
                    &format!("enrolment {existing}"),
                ));
            }
        }
    }
    let mut known = Known {
        last: locked.last,
        ..Known::default()
    };
    let ids: Vec<String> = responses.iter().map(|r| r.response.id.to_string()).collect();
    let seqs: Vec<i64> = responses.iter().map(|r| r.seq.min(i64::MAX as u64) as i64).collect();
    steps.known(kiosk_id, &ids, &seqs, &mut known).await?;
    let plan = plan(responses, kiosk_id, known, &prepared);
    if !plan.inserts.is_empty() {
        if locked.bound.is_none() {
            steps.bind(&enrolment.id, kiosk_id).await?;
        }
        let daily = prepared.tallies_of(&plan, tz);
        let monthly = by_month(&daily);
        let rows: Vec<Row> = plan
            .inserts
            .iter()
            .map(|&(i, r)| Row {
                id: &ids[i],
                seq: seqs[i],
                department: r.response.department.as_deref(),
                day: r.response.submitted_at.with_timezone(&tz).date_naive(),
                hash: &r.hash,
                body: prepared.body(i),
                clock_suspect: prepared.suspect[i],
                channel: r.response.channel.unwrap_or_default(),
                point: r.response.point.as_deref(),
            })
            .collect();
        steps.insert(kiosk_id, locked.facility_id, &rows).await?;
        steps.tallies(kiosk_id, locked.facility_id, daily, monthly).await?;
    }
    steps.events(kiosk_id, &plan.events).await?;
    steps.finish(&enrolment.id, &plan.last, waiting).await?;
    Ok(plan.result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{GENESIS, link};
    use crate::survey::demo::{DemoOptions, generate};

    const KIOSK: &str = "k1";

    /// `n` responses of kiosk `k1`, chained from the start.
    fn chain(n: usize) -> Vec<StoredResponse> {
        let catalog = Catalog::built_in();
        let q = catalog.latest("kiosk-nhanh").unwrap();
        let opts = DemoOptions {
            responses: n,
            seed: 3,
            end: chrono::Utc::now().date_naive(),
            departments: vec![],
            tz: chrono_tz::Asia::Ho_Chi_Minh,
        };
        let mut out: Vec<StoredResponse> = Vec::new();
        generate(q, &opts, |r| {
            let seq = out.len() as u64 + 1;
            let prev = out.last().map_or(GENESIS.to_string(), |p| p.hash.clone());
            let hash = link(&prev, seq, KIOSK, &r);
            out.push(StoredResponse {
                seq,
                kiosk_id: KIOSK.into(),
                response: r,
                prev_hash: prev,
                hash,
            });
        });
        out
    }

    /// Re-chains `r` (after an edit) from `prev` at `seq`.
    fn rechain(mut r: StoredResponse, seq: u64, prev: &str) -> StoredResponse {
        r.seq = seq;
        r.prev_hash = prev.into();
        r.hash = link(prev, seq, &r.kiosk_id, &r.response);
        r
    }

    fn held(responses: &[StoredResponse]) -> Known {
        let mut known = Known {
            last: (0, GENESIS.into()),
            ..Known::default()
        };
        for r in responses {
            known.hashes.insert(r.response.id.to_string(), r.hash.clone());
            known.seqs.insert(r.seq, r.response.id.to_string());
            known.last = (r.seq, r.hash.clone());
        }
        known
    }

    /// What `plan` decided: each response, each event (kind, seq), the chain's end after.
    type Planned = (Vec<Decision>, Vec<(String, Option<u64>)>, u64);

    fn run_plan(batch: &[StoredResponse], known: Known) -> Planned {
        let prepared = prepare(
            batch,
            KIOSK,
            &Catalog::built_in(),
            KIOSK_CHANNELS,
            Utc::now(),
            chrono_tz::Asia::Ho_Chi_Minh,
        );
        let plan = plan(batch, KIOSK, known, &prepared);
        let events = plan.events.iter().map(|e| (e.kind.clone(), e.seq)).collect();
        (plan.decisions, events, plan.last.0)
    }

    #[test]
    fn each_case_of_a_batch_is_decided_the_same_way_by_every_backend() {
        let all = chain(8);
        let mut edited = all[2].clone();
        edited.response.department = Some("Khoa khác".into());
        let mut wrong_hash = all[3].clone();
        wrong_hash.hash = "0".repeat(64);
        let mut other_kiosk = all[3].clone();
        other_kiosk.kiosk_id = "k2".into();
        let mut seq_zero = all[0].clone();
        seq_zero.seq = 0;
        let mut unknown = all[3].clone();
        unknown.response.questionnaire_id = "khong-co".into();
        let unknown = rechain(unknown, 4, &all[2].hash);
        let far = rechain(all[5].clone(), 3 + MAX_SEQ_JUMP + 1, &all[4].hash);
        let taken = rechain(all[6].clone(), 2, &all[0].hash);
        use Decision::{Duplicate, Insert, Refuse};
        // (name, held before, batch, decisions, events (kind, seq), chain end after)
        #[allow(clippy::type_complexity)]
        let cases: Vec<(
            &str,
            Vec<StoredResponse>,
            Vec<StoredResponse>,
            Vec<Decision>,
            Vec<(&str, u64)>,
            u64,
        )> = vec![
            (
                "new responses",
                vec![],
                all[..3].to_vec(),
                vec![Insert, Insert, Insert],
                vec![],
                3,
            ),
            (
                "a retry",
                all[..3].to_vec(),
                all[..3].to_vec(),
                vec![Duplicate; 3],
                vec![],
                3,
            ),
            (
                "a retry and more",
                all[..2].to_vec(),
                all[..4].to_vec(),
                vec![Duplicate, Duplicate, Insert, Insert],
                vec![],
                4,
            ),
            (
                "an id held with other content",
                all[..3].to_vec(),
                vec![rechain(edited, 3, &all[1].hash)],
                vec![Refuse(Refusal::DifferentContent)],
                vec![("tamper", 3)],
                3,
            ),
            (
                "content that does not match its hash",
                all[..3].to_vec(),
                vec![wrong_hash],
                vec![Refuse(Refusal::HashMismatch)],
                vec![("tamper", 4)],
                3,
            ),
            (
                "a number another response holds",
                all[..3].to_vec(),
                vec![taken.clone()],
                vec![Refuse(Refusal::SeqTaken {
                    seq: 2,
                    held: all[1].response.id.to_string(),
                })],
                vec![("tamper", 2)],
                3,
            ),
            (
                "a number out of reach",
                all[..3].to_vec(),
                vec![far.clone()],
                vec![Refuse(Refusal::TooFarAhead { seq: far.seq, last: 3 })],
                vec![("tamper", far.seq)],
                3,
            ),
            (
                "a gap",
                all[..2].to_vec(),
                all[4..6].to_vec(),
                vec![Insert, Insert],
                vec![("gap", 3)],
                6,
            ),
            (
                "a broken link",
                all[..2].to_vec(),
                vec![rechain(all[2].clone(), 3, &"f".repeat(64))],
                vec![Insert],
                vec![("tamper", 3)],
                3,
            ),
            (
                "the missing ones, late",
                vec![all[0].clone(), all[3].clone()],
                all[1..3].to_vec(),
                vec![Insert, Insert],
                vec![],
                4,
            ),
            (
                "another kiosk's response",
                vec![],
                vec![other_kiosk],
                vec![Refuse(Refusal::OtherKiosk {
                    named: "k2".into(),
                    batch: KIOSK.into(),
                })],
                vec![],
                0,
            ),
            (
                "seq 0",
                vec![],
                vec![seq_zero],
                vec![Refuse(Refusal::SeqZero)],
                vec![],
                0,
            ),
            (
                "an unknown form",
                all[..3].to_vec(),
                vec![unknown],
                vec![Refuse(Refusal::UnknownQuestionnaire {
                    id: "khong-co".into(),
                    version: all[3].response.questionnaire_version,
                })],
                vec![],
                3,
            ),
            (
                "one response twice in a batch",
                vec![],
                vec![all[0].clone(), all[0].clone()],
                vec![Insert, Duplicate],
                vec![],
                1,
            ),
        ];
        for (name, before, batch, decisions, events, last) in cases {
            let mut known = held(&before);
            // What is held before: the id and number lookups see only the batch's.
            known
                .hashes
                .retain(|id, _| batch.iter().any(|r| r.response.id.to_string() == *id));
            known.seqs.retain(|seq, _| batch.iter().any(|r| r.seq == *seq));
            let (got, got_events, got_last) = run_plan(&batch, known);
            assert_eq!(got, decisions, "{name}: decisions");
            let events: Vec<(String, Option<u64>)> =
                events.into_iter().map(|(k, s)| (k.to_string(), Some(s))).collect();
            assert_eq!(got_events, events, "{name}: events");
            assert_eq!(got_last, last, "{name}: the chain's end");
        }
    }

    #[test]
    fn a_refusal_tells_the_kiosk_what_is_wrong_in_the_words_it_always_had() {
        let all = chain(1);
        let mut wrong = all[0].clone();
        wrong.hash = "0".repeat(64);
        let prepared = prepare(
            std::slice::from_ref(&wrong),
            KIOSK,
            &Catalog::built_in(),
            KIOSK_CHANNELS,
            Utc::now(),
            chrono_tz::UTC,
        );
        let plan = plan(std::slice::from_ref(&wrong), KIOSK, held(&[]), &prepared);
        assert_eq!(
            plan.result.rejected[0].error,
            "hash does not match the response's content"
        );
        assert_eq!(
            plan.events[0].detail,
            format!(
                "response {}: hash does not match the response's content",
                wrong.response.id
            )
        );
    }
}
