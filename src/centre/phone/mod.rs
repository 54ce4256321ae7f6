//! Answers from patients' phones (DESIGN §12): the sessions a redeemed code opens, what they
//! hold until the last section is sent, and how they become responses in the centre's own
//! chains through [`crate::centre::ingest::append`].
//!
//! - A kiosk's rotating code ([`crate::phone`]) is checked offline and redeemed **once**, in
//!   the database ([`PhoneStore::open_session`]), so a second redemption through any `centre
//!   serve` on the same database is refused.
//! - A session lasts [`SESSION_MINUTES`]; its answers live in its row, never in a URL. The last
//!   section stores a complete response; a session that runs out after at least one section is
//!   stored as `partial` by [`store_abandoned`].
//! - A browser's random id (a first-party cookie) is stored only as SHA-256(id ‖ the month's
//!   salt): a second complete response from one device for one facility within
//!   [`REPEAT_DAYS`] is flagged `repeat_device`, kept, and left out of the rate.

pub mod burst;
mod postgres;
mod sqlite;

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, Utc};
use sha2::{Digest, Sha256};

use super::ingest::{Appended, Own};
use super::store::Error;
use crate::survey::{Answer, Catalog, Channel, Questionnaire, Response, ResponseId, Status};

/// How long an answer session lasts after its code is redeemed.
pub const SESSION_MINUTES: i64 = 30;

/// A second complete response from one device for one facility within this many days is
/// flagged `repeat_device`.
pub const REPEAT_DAYS: i64 = 7;

/// A session about to be opened.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// SHA-256 of the session's token (the cookie holds the token).
    pub token_hash: String,
    /// The enrolment id of the chain its response goes to.
    pub chain: String,
    /// That chain's channel.
    pub channel: Channel,
    /// And point.
    pub point: String,
    /// Its facility.
    pub facility: String,
    /// The questionnaire's id.
    pub questionnaire_id: String,
    /// And version.
    pub questionnaire_version: u32,
    /// The id its response will have, fixed now so that storing it twice stores it once.
    pub response_id: ResponseId,
    /// The device's hash, if the browser keeps cookies.
    pub device: Option<String>,
    /// Opened at.
    pub started_at: DateTime<Utc>,
}

impl NewSession {
    /// When it runs out.
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.started_at + Duration::minutes(SESSION_MINUTES)
    }
}

/// A session as stored.
#[derive(Debug, Clone)]
pub struct Session {
    /// What it was opened with.
    pub opened: NewSession,
    /// When it runs out.
    pub expires_at: DateTime<Utc>,
    /// The section to show next (the number of sections sent).
    pub section: u32,
    /// The answers so far.
    pub answers: BTreeMap<String, Answer>,
    /// When the last section was sent.
    pub answered_at: Option<DateTime<Utc>>,
    /// When its response was stored (complete, or partial once it ran out).
    pub stored_at: Option<DateTime<Utc>>,
    /// Whether the stored response is complete (the patient reached the end).
    pub complete: bool,
}

impl Session {
    /// Whether it can still take answers at `now`.
    pub fn open_at(&self, now: DateTime<Utc>) -> bool {
        self.stored_at.is_none() && now < self.expires_at
    }
}

/// A kiosk as the phone channel needs it: the key of its codes and where its answers go.
#[derive(Debug, Clone)]
pub struct KioskKey {
    /// SHA-256 of its token (see [`crate::phone::key_of`]).
    pub token_hash: String,
    /// Its facility.
    pub facility: String,
    /// Its name.
    pub name: String,
    /// Revoked: its codes no longer work.
    pub revoked: bool,
    /// The point its latest response named, if any.
    pub point: Option<String>,
}

/// A code printed on paper, as the centre keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Printed {
    /// [`Channel::Ticket`] (single use) or [`Channel::Poster`] (standing).
    pub channel: Channel,
    /// Its facility.
    pub facility: String,
    /// The point it was printed for.
    pub point: String,
    /// The questionnaire it opens (its latest version is asked).
    pub questionnaire_id: String,
    /// A ticket's last moment.
    pub valid_until: Option<DateTime<Utc>>,
    /// A poster replaced by a new one.
    pub retired: bool,
    /// A ticket already redeemed.
    pub used: bool,
}

/// Tickets about to be kept.
#[derive(Debug, Clone)]
pub struct NewTickets<'a> {
    /// The facility (known to the centre).
    pub facility: &'a str,
    /// The point they are handed out at.
    pub point: &'a str,
    /// The questionnaire they open.
    pub questionnaire_id: &'a str,
    /// The SHA-256 of each code ([`printed_hash`]).
    pub hashes: &'a [String],
    /// Issued at.
    pub issued_at: DateTime<Utc>,
    /// Good until.
    pub valid_until: DateTime<Utc>,
}

/// What the centre keeps of a printed code: the SHA-256 of its one form
/// ([`crate::phone::paper_normal`]).
pub fn printed_hash(code: &str) -> String {
    hex::encode(Sha256::digest(code.as_bytes()))
}

/// The key a ticket's redemption is kept under in the redemptions (beside kiosks' codes).
pub fn ticket_redemption(hash: &str) -> String {
    format!("ticket/{hash}")
}

/// The phone channel's part of the centre's database.
pub trait PhoneStore: Send + Sync {
    /// The kiosk bound to `kiosk_id` (a kiosk's own id, not an enrolment's), if any.
    fn kiosk_key(&self, kiosk_id: &str) -> Result<Option<KioskKey>, Error>;
    /// Opens a session. With a single-use `code`, only if the code was never redeemed: it is
    /// then kept as redeemed until `until` and `Ok(false)` answers every later attempt, from
    /// any process on the database.
    fn open_session(&self, code: Option<(&str, DateTime<Utc>)>, session: &NewSession) -> Result<bool, Error>;
    /// The session whose token hashes to `token_hash`.
    fn phone_session(&self, token_hash: &str) -> Result<Option<Session>, Error>;
    /// Keeps the answers after a section is sent, if the session is still open.
    fn save_answers(
        &self,
        token_hash: &str,
        section: u32,
        answers: &BTreeMap<String, Answer>,
        at: DateTime<Utc>,
    ) -> Result<(), Error>;
    /// Notes that the session's response is stored (complete or not).
    fn session_stored(&self, token_hash: &str, complete: bool, at: DateTime<Utc>) -> Result<(), Error>;
    /// Sessions that ran out by `now` with answers and no stored response, oldest first.
    fn abandoned_sessions(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<Session>, Error>;
    /// Forgets what is no longer needed at `now`: redemptions past their time, sessions stored
    /// more than [`REPEAT_DAYS`] ago (and their device hashes), salts older than last month's.
    fn forget_old(&self, now: DateTime<Utc>) -> Result<(), Error>;
    /// The salt of `month` (`2026-12`), made on first use.
    fn device_salt(&self, month: &str) -> Result<String, Error>;
    /// Whether one of `devices` sent a complete response for `facility` since `since`.
    fn device_seen(&self, facility: &str, devices: &[String], since: DateTime<Utc>) -> Result<bool, Error>;
    /// Keeps new tickets, all or none; [`Error::NotFound`] when the facility is not known.
    fn add_tickets(&self, tickets: &NewTickets<'_>) -> Result<(), Error>;
    /// The poster code of `facility`'s `point` for `questionnaire_id`: the standing one, or
    /// `fresh` kept as it when there is none or `replace` retires it (its posters stop
    /// working). [`Error::NotFound`] when the facility is not known.
    fn poster(
        &self,
        facility: &str,
        point: &str,
        questionnaire_id: &str,
        fresh: &str,
        replace: bool,
        now: DateTime<Utc>,
    ) -> Result<String, Error>;
    /// The printed code whose one form hashes to `hash`, if the centre gave it.
    fn printed(&self, hash: &str) -> Result<Option<Printed>, Error>;
    /// The completed responses of `facility` that came by [`PHONE_CHANNELS`] on the days
    /// `from..=to` (either open), counted per point, channel and minute (for
    /// [`burst::bursts`]).
    fn minute_counts(
        &self,
        facility: &str,
        from: Option<chrono::NaiveDate>,
        to: Option<chrono::NaiveDate>,
    ) -> Result<Vec<burst::MinuteCount>, Error>;
}

/// A minute as the minute counts name it (`2026-11-15T03:01`, UTC), read back.
fn minute_of(text: &str) -> Option<DateTime<Utc>> {
    chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
        .ok()
        .map(|t| t.and_utc())
}

/// The channels' names as the responses' `channel` column holds them, for an SQL `IN (…)`.
fn phone_channels_sql() -> String {
    PHONE_CHANNELS
        .iter()
        .map(|c| format!("'{}'", c.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn month(at: DateTime<Utc>) -> String {
    format!("{:04}-{:02}", at.year(), at.month())
}

fn device_hash(device: &str, salt: &str) -> String {
    hex::encode(Sha256::digest(format!("{device}\u{0}{salt}").as_bytes()))
}

/// The hash stored of a browser's device id this month.
pub fn device_of(store: &dyn PhoneStore, device: &str, now: DateTime<Utc>) -> Result<String, Error> {
    Ok(device_hash(device, &store.device_salt(&month(now))?))
}

/// Whether `device` sent a complete response for `facility` within [`REPEAT_DAYS`] of `now`:
/// its hash under this month's salt and last month's are both looked for.
fn repeat_device(store: &dyn PhoneStore, facility: &str, device: &str, now: DateTime<Utc>) -> Result<bool, Error> {
    let last_month = now - Duration::days(now.day() as i64);
    let hashes = vec![
        device_hash(device, &store.device_salt(&month(now))?),
        device_hash(device, &store.device_salt(&month(last_month))?),
    ];
    store.device_seen(facility, &hashes, now - Duration::days(REPEAT_DAYS))
}

/// What the phone channel works with.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    /// The responses' store.
    pub store: &'a dyn super::CentreStore,
    /// The sessions' store (the same database).
    pub phone: &'a dyn PhoneStore,
    /// The questionnaires.
    pub catalog: &'a Catalog,
    /// The facilities' time zone.
    pub tz: chrono_tz::Tz,
}

/// The response a session's answers make, `status` complete or partial.
fn response_of(
    session: &Session,
    q: &Questionnaire,
    status: Status,
    locale: crate::survey::Locale,
    repeat: bool,
    at: DateTime<Utc>,
) -> Response {
    use chrono::SubsecRound;
    Response {
        id: session.opened.response_id,
        questionnaire_id: q.id.clone(),
        questionnaire_version: q.version,
        department: None,
        locale,
        started_at: session.opened.started_at.trunc_subsecs(3),
        submitted_at: at.trunc_subsecs(3).max(session.opened.started_at.trunc_subsecs(3)),
        status,
        rapid_repeat: false,
        repeat_device: repeat,
        answers: session.answers.clone(),
        channel: Some(session.opened.channel),
        point: Some(session.opened.point.clone()),
    }
}

/// The channels a phone session's chain takes.
pub const PHONE_CHANNELS: &[Channel] = &[Channel::Phone, Channel::Ticket, Channel::Poster];

/// Stores a session's answers as its response (complete, or partial when it ran out) in the
/// chain it was opened for, then marks the session stored. Storing it again stores nothing
/// more: the response id was fixed when the session opened.
pub fn store_session(
    ctx: Ctx<'_>,
    session: &Session,
    status: Status,
    locale: crate::survey::Locale,
    device: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Appended, Error> {
    // The session's chain, by its unique key (one indexed row, not every chain of the province).
    let chain = ctx
        .store
        .chain(&session.opened.facility, session.opened.channel, &session.opened.point)?;
    let q = ctx
        .catalog
        .get(&session.opened.questionnaire_id, session.opened.questionnaire_version)
        .ok_or_else(|| {
            Error::NotFound(format!(
                "questionnaire {}@{}",
                session.opened.questionnaire_id, session.opened.questionnaire_version
            ))
        })?;
    let repeat = match (status, device) {
        (Status::Complete, Some(d)) => repeat_device(ctx.phone, &session.opened.facility, d, now)?,
        _ => false,
    };
    let at = if status == Status::Partial {
        session.answered_at.unwrap_or(session.opened.started_at)
    } else {
        now
    };
    let response = response_of(session, q, status, locale, repeat, at);
    let appended = ctx.store.append(
        Own {
            chain: &chain,
            response,
            channels: PHONE_CHANNELS,
            now,
            tz: ctx.tz,
        },
        ctx.catalog,
    )?;
    if !matches!(appended, Appended::Refused(_)) {
        ctx.phone
            .session_stored(&session.opened.token_hash, status == Status::Complete, now)?;
    }
    Ok(appended)
}

/// Stores, as partial responses, the sessions that ran out after at least one section, and
/// forgets what is no longer needed. `centre serve` calls it every minute; several processes
/// may at once (a response id is stored once).
pub fn store_abandoned(ctx: Ctx<'_>, now: DateTime<Utc>) -> Result<usize, Error> {
    let mut stored = 0;
    for session in ctx.phone.abandoned_sessions(now, 500)? {
        // A session whose every screen was sent, cut off before it was stored (the centre
        // stopped), is complete.
        let screens = ctx
            .catalog
            .get(&session.opened.questionnaire_id, session.opened.questionnaire_version)
            .map_or(usize::MAX, |q| {
                usize::from(!q.demographics.is_empty()) + q.sections.len()
            });
        let status = if session.section as usize >= screens {
            Status::Complete
        } else {
            Status::Partial
        };
        match store_session(ctx, &session, status, crate::survey::Locale::Vi, None, now) {
            Ok(Appended::Stored(_)) => stored += 1,
            Ok(Appended::Held) => {}
            Ok(Appended::Refused(why)) => {
                tracing::warn!(session = %session.opened.response_id, %why, "an abandoned phone session's answers were refused");
                ctx.phone.session_stored(&session.opened.token_hash, false, now)?;
            }
            Err(e) => return Err(e),
        }
    }
    ctx.phone.forget_old(now)?;
    Ok(stored)
}

/// How often `centre serve` looks for phone sessions that ran out.
pub const SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// Runs [`store_abandoned`] every [`SWEEP_EVERY`] for as long as the server runs.
pub async fn sweep(centre: super::Centre) {
    let mut every = tokio::time::interval(SWEEP_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let c = centre.clone();
        let done = tokio::task::spawn_blocking(move || {
            let ctx = Ctx {
                store: c.store.as_ref(),
                phone: c.phone.as_ref(),
                catalog: &c.catalog,
                tz: c.web.tz,
            };
            store_abandoned(ctx, c.now())
        })
        .await;
        match done {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => tracing::info!(responses = n, "abandoned phone sessions stored as partial responses"),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "abandoned phone sessions could not be stored; trying again in a minute")
            }
            Err(e) => tracing::warn!(error = %e, "the phone sessions' sweep failed"),
        }
    }
}
