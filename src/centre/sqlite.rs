//! The centre's embedded SQLite backend (rusqlite, the same library as the kiosk's store).

use std::path::Path;
use std::sync::Mutex;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use std::collections::BTreeMap;

use super::store::{self, CentreStore, Error, Event, KioskInfo, Known, Scope, TallyKey};
use crate::store::{GENESIS, StoredResponse};
use crate::survey::{Catalog, Tally};
use crate::sync::BatchResult;

const MIGRATIONS: &[&str] = &["
CREATE TABLE facilities (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);
CREATE TABLE kiosks (
    id TEXT PRIMARY KEY,
    facility_id INTEGER NOT NULL REFERENCES facilities(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    kiosk_id TEXT UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    last_seq INTEGER NOT NULL DEFAULT 0,
    last_hash TEXT NOT NULL
);
CREATE TABLE read_tokens (id INTEGER PRIMARY KEY, name TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);
CREATE TABLE responses (
    id TEXT PRIMARY KEY,
    kiosk_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    facility_id INTEGER NOT NULL REFERENCES facilities(id),
    department TEXT,
    local_day TEXT NOT NULL,
    hash TEXT NOT NULL,
    body TEXT NOT NULL,
    received_at TEXT NOT NULL,
    UNIQUE (kiosk_id, seq)
);
CREATE INDEX responses_by_day ON responses (local_day);
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    kiosk_id TEXT NOT NULL,
    seq INTEGER,
    detail TEXT NOT NULL,
    at TEXT NOT NULL
);
", "
CREATE TABLE tallies (
    local_day TEXT NOT NULL,
    kiosk_id TEXT NOT NULL,
    facility_id INTEGER NOT NULL REFERENCES facilities(id),
    department TEXT NOT NULL,
    questionnaire_id TEXT NOT NULL,
    questionnaire_version INTEGER NOT NULL,
    rapid_repeat INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (local_day, kiosk_id, department, questionnaire_id, questionnaire_version, rapid_repeat)
) WITHOUT ROWID;
CREATE TABLE tallies_month (
    local_day TEXT NOT NULL,
    kiosk_id TEXT NOT NULL,
    facility_id INTEGER NOT NULL REFERENCES facilities(id),
    department TEXT NOT NULL,
    questionnaire_id TEXT NOT NULL,
    questionnaire_version INTEGER NOT NULL,
    rapid_repeat INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (local_day, kiosk_id, department, questionnaire_id, questionnaire_version, rapid_repeat)
) WITHOUT ROWID;
", "
-- Read tokens can be revoked; events are looked up by kiosk (audits, lists); /api/v1/health
-- writes a probe row. The tallies are recomputed (see TALLIES_MIGRATIONS).
DELETE FROM tallies;
DELETE FROM tallies_month;
ALTER TABLE read_tokens ADD COLUMN revoked_at TEXT;
CREATE INDEX events_by_kiosk ON events (kiosk_id, seq);
CREATE TABLE health (id INTEGER PRIMARY KEY CHECK (id = 1), at TEXT NOT NULL);
-- Responses stamped with times the centre cannot believe: kept, counted in no figure.
ALTER TABLE responses ADD COLUMN clock_suspect INTEGER NOT NULL DEFAULT 0;
", "
-- Accounts, sessions and the login throttle (centre::accounts). IF NOT EXISTS: tests rebuild
-- older schemas by moving the version back.
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    facility TEXT,
    department TEXT,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    disabled_at TEXT
);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (user_id);
CREATE TABLE IF NOT EXISTS login_failures (key TEXT NOT NULL, at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS login_failures_by_key ON login_failures (key, at);
-- When each enrolment last sent a batch (the facility page's kiosk health).
CREATE TABLE IF NOT EXISTS kiosk_sync (id TEXT PRIMARY KEY REFERENCES kiosks(id), at TEXT NOT NULL);
-- Section IV of the quarterly reports, as the facilities wrote it.
CREATE TABLE IF NOT EXISTS report_texts (
    facility TEXT NOT NULL,
    period TEXT NOT NULL,
    actions TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (facility, period)
);
", "
-- The feedback box (centre::feedback): an item is its hash-chained log; the item row holds
-- what lists filter on, kept in step with the log's last entry (last_seq).
CREATE TABLE IF NOT EXISTS feedback_items (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    facility TEXT NOT NULL,
    department TEXT,
    state TEXT NOT NULL,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    received_at TEXT NOT NULL,
    published INTEGER NOT NULL DEFAULT 0,
    origin TEXT,
    last_seq INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_items_by_facility ON feedback_items (facility, received_at);
CREATE INDEX IF NOT EXISTS feedback_items_by_origin ON feedback_items (origin, received_at);
CREATE TABLE IF NOT EXISTS feedback_log (
    item_id TEXT NOT NULL REFERENCES feedback_items(id),
    seq INTEGER NOT NULL,
    entry TEXT NOT NULL,
    PRIMARY KEY (item_id, seq)
);
-- Openings of the physical box: when, which box, who was there, how many letters.
CREATE TABLE IF NOT EXISTS feedback_openings (
    id INTEGER PRIMARY KEY,
    facility TEXT NOT NULL,
    opened_on TEXT NOT NULL,
    box TEXT NOT NULL,
    attendees TEXT NOT NULL,
    letters INTEGER NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
-- Alerts waiting to be sent, sent, or retried (centre::alerts): one row per key.
CREATE TABLE IF NOT EXISTS alert_queue (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    event TEXT NOT NULL,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at TEXT NOT NULL,
    claimed_until TEXT,
    sent_at TEXT,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS alert_queue_due ON alert_queue (sent_at, next_at);
", "
-- The facility roll-up of the monthly tallies: what all of a facility's kiosks added in a
-- month, per key, for the figures that add up whole facilities (the overview, the public page,
-- the quarterly report). Rebuilt from tallies_month (see FACILITY_TALLIES_MIGRATION).
CREATE TABLE IF NOT EXISTS tallies_facility (
    local_day TEXT NOT NULL,
    facility_id INTEGER NOT NULL REFERENCES facilities(id),
    department TEXT NOT NULL,
    questionnaire_id TEXT NOT NULL,
    questionnaire_version INTEGER NOT NULL,
    rapid_repeat INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (local_day, facility_id, department, questionnaire_id, questionnaire_version, rapid_repeat)
) WITHOUT ROWID;
-- One facility's rows without reading every facility's (its page, public page, report).
CREATE INDEX IF NOT EXISTS tallies_facility_by_facility ON tallies_facility (facility_id, local_day);
CREATE INDEX IF NOT EXISTS tallies_month_by_facility ON tallies_month (facility_id, local_day);
CREATE INDEX IF NOT EXISTS tallies_by_facility ON tallies (facility_id, local_day);
CREATE INDEX IF NOT EXISTS responses_by_facility ON responses (facility_id, local_day);
", "
-- The version of each facility-month's tallies, drawn afresh at random in the transaction that
-- changes any of them (the kiosks' daily and monthly rows and the roll-up alike): a server
-- process that keeps figures in memory (centre::cache) uses them while their month's version
-- stands. Random rather than counted, so a database restored from a backup under a running
-- server never comes back to a version that server has seen with other figures.
CREATE TABLE IF NOT EXISTS tally_stamps (
    month TEXT NOT NULL,
    facility_id INTEGER NOT NULL REFERENCES facilities(id),
    version INTEGER NOT NULL,
    PRIMARY KEY (month, facility_id)
) WITHOUT ROWID;
INSERT OR IGNORE INTO tally_stamps (month, facility_id, version)
    SELECT local_day, facility_id, random() FROM (SELECT DISTINCT local_day, facility_id FROM tallies_facility);
", "
-- The login throttle (centre::accounts::throttle): one row per key — an account at an address,
-- or an address — keyed by a hash, never by the name or address typed; rows a day old go, and
-- never more than 50,000 are kept. It replaces a table that kept every failed try, raw name
-- included.
DROP TABLE IF EXISTS login_failures;
CREATE TABLE IF NOT EXISTS login_throttle (
    key TEXT PRIMARY KEY,
    account TEXT,
    address TEXT NOT NULL,
    failures INTEGER NOT NULL,
    since TEXT NOT NULL,
    last TEXT NOT NULL,
    blocked_until TEXT
);
CREATE INDEX IF NOT EXISTS login_throttle_by_last ON login_throttle (last);
CREATE INDEX IF NOT EXISTS login_throttle_by_account ON login_throttle (account);
CREATE INDEX IF NOT EXISTS login_throttle_by_address ON login_throttle (address);
", "
-- The web form's limits count each device (a hash of a random cookie) and each address (a
-- hash) apart: a ward's patients share one address.
CREATE INDEX IF NOT EXISTS feedback_items_by_device ON feedback_items (device, received_at);
", "
-- The public page's snapshots (centre::published): what a facility's period showed the public
-- when last taken — at most once a day, figures to the end of the day before, final once the
-- period has closed — and which department cells were withheld, so they stay withheld.
CREATE TABLE IF NOT EXISTS public_snapshots (
    facility TEXT NOT NULL,
    period TEXT NOT NULL,
    taken_on TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (facility, period)
);
", "
-- Each facility's web address part (its slug), unique: filled from the names and indexed by
-- SLUGS_MIGRATION's step (a second facility with the slug of an earlier one gets -<id>).
SELECT 1;
"];

/// The migration that adds `tally_stamps`: merges in earlier migrations have no table to bump.
const STAMPS_MIGRATION: usize = 6;

/// The migration that gives facilities their stored, unique slugs (see [`fill_slugs`]).
const SLUGS_MIGRATION: usize = 10;

/// Gives every facility its slug — a later facility whose name has an earlier one's slug gets
/// `-<id>` after it (`centre facility merge` joins them) — and makes slugs unique.
fn fill_slugs(tx: &rusqlite::Transaction) -> Result<(), Error> {
    let facilities: Vec<(i64, String)> = {
        let mut stmt = tx.prepare("SELECT id, name FROM facilities ORDER BY id")?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?
    };
    let mut taken = std::collections::BTreeSet::new();
    for (id, name) in facilities {
        let mut slug = crate::text::slug(&name);
        if slug.is_empty() || taken.contains(&slug) {
            slug = if slug.is_empty() {
                format!("co-so-{id}")
            } else {
                format!("{slug}-{id}")
            };
            tracing::warn!(facility = ?name, slug = %slug, "two facilities had one web address; `centre facility merge` joins them");
        }
        tx.execute("UPDATE facilities SET slug = ?2 WHERE id = ?1", params![id, slug])?;
        taken.insert(slug);
    }
    tx.execute_batch("CREATE UNIQUE INDEX IF NOT EXISTS facilities_by_slug ON facilities (slug)")?;
    Ok(())
}

/// The condition on `{alias}.facility_id` for a scope's facility, bound as `?3`: one index range
/// when there is one (the row's facility compared by name after the join would read every
/// facility's rows in the days asked for), nothing when there is none.
fn facility_filter(alias: &str, facility: Option<&str>) -> String {
    match facility {
        Some(_) => format!("{alias}.facility_id = (SELECT id FROM facilities WHERE name = ?3)"),
        None => "?3 IS NULL".into(),
    }
}

/// The migration that adds the facility roll-up (`tallies_facility`). It and every later
/// migration that recomputes the tallies rebuild it from the kiosks' monthly rows.
const FACILITY_TALLIES_MIGRATION: usize = 5;

/// Columns later migrations add (migration index, table, column, declaration): added only when
/// missing, because SQLite has no `ADD COLUMN IF NOT EXISTS` and tests re-run migrations.
const ADDED_COLUMNS: &[(usize, &str, &str, &str)] = &[
    // Leaders (director, deputies) approve replies and see a denunciation's identity.
    (4, "users", "leader", "INTEGER NOT NULL DEFAULT 0"),
    // How many responses each kiosk said it still held unsynced after its last batch.
    (4, "kiosk_sync", "waiting", "INTEGER"),
    // The device a web-form item came from (a hash of its cookie), for the per-device limit.
    (8, "feedback_items", "device", "TEXT"),
    // Each facility's unique web address part.
    (10, "facilities", "slug", "TEXT"),
];

fn add_missing_columns(tx: &rusqlite::Transaction, migration: usize) -> rusqlite::Result<()> {
    for (_, table, column, declaration) in ADDED_COLUMNS.iter().filter(|c| c.0 == migration) {
        let exists: bool = tx.query_row(
            &format!("SELECT count(*) > 0 FROM pragma_table_info('{table}') WHERE name = ?1"),
            [column],
            |r| r.get(0),
        )?;
        if !exists {
            tx.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {declaration}"))?;
        }
    }
    Ok(())
}

/// The migrations after which the tallies are (re)computed from the stored responses: the one
/// that added them, and the one after which a tally also counts complete responses apart
/// (comprehensive satisfaction is over complete responses only; older rows could not say).
const TALLIES_MIGRATIONS: &[usize] = &[1, 2];

/// A centre database in one SQLite file.
pub struct SqliteCentre {
    conn: Mutex<Connection>,
    tz: chrono_tz::Tz,
    /// Dropped with the centre, which stops the checkpointer thread.
    _checkpointer: std::sync::mpsc::Sender<()>,
}

/// How often the checkpointer copies the write-ahead log into the database.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(500);
/// A log this many pages long (64 MiB) is checkpointed even if writers must wait for it.
const CHECKPOINT_FORCE_PAGES: i64 = 16_384;

/// Copies the write-ahead log into the database from a thread of its own, so the thread that
/// stores a batch only appends to the log (SQLite would otherwise checkpoint in whichever
/// commit crosses 1,000 pages, stalling that batch and every batch queued behind it). Under
/// sustained load a passive checkpoint may never catch up with the writers, so a long log is
/// checkpointed in full, making writers wait that once.
fn checkpointer(path: &Path) -> Result<std::sync::mpsc::Sender<()>, Error> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    let (stop, stopped) = std::sync::mpsc::channel::<()>();
    std::thread::Builder::new()
        .name("centre-checkpoint".into())
        .spawn(move || {
            while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(CHECKPOINT_EVERY) {
                let pages: rusqlite::Result<i64> = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get(1));
                let result = match pages {
                    Ok(n) if n >= CHECKPOINT_FORCE_PAGES => {
                        conn.query_row("PRAGMA wal_checkpoint(RESTART)", [], |r| r.get::<_, i64>(0))
                    }
                    other => other,
                };
                if let Err(e) = result {
                    tracing::warn!(error = %e, "checkpoint of the centre database failed; retrying");
                }
            }
        })
        .map_err(|e| Error::Database(format!("cannot start the checkpointer: {e}")))?;
    Ok(stop)
}

pub(in crate::centre) fn now_text() -> String {
    Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl SqliteCentre {
    /// Opens (creating and migrating) the database at `path`; days are counted in `tz`.
    pub fn open(path: &Path, tz: chrono_tz::Tz) -> Result<SqliteCentre, Error> {
        // Patients' comments: readable by the centre's user only (its -wal and -shm follow).
        crate::fsutil::prepare_private_database(path)
            .map_err(|e| Error::Database(format!("{}: {e}", path.display())))?;
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let version: usize = conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize;
        if version > MIGRATIONS.len() {
            return Err(Error::Database(format!(
                "{} was written by a newer hailong (schema {version})",
                path.display()
            )));
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
            let tx = conn.transaction()?;
            // Columns first: a migration's statements may index them.
            add_missing_columns(&tx, i)?;
            tx.execute_batch(sql)?;
            if TALLIES_MIGRATIONS.contains(&i) {
                backfill_tallies(&tx, tz)?;
            }
            if i == FACILITY_TALLIES_MIGRATION || (i > FACILITY_TALLIES_MIGRATION && TALLIES_MIGRATIONS.contains(&i)) {
                rebuild_facility_tallies(&tx, i >= STAMPS_MIGRATION)?;
            }
            if i == SLUGS_MIGRATION {
                fill_slugs(&tx)?;
            }
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
            tx.commit()?;
        }
        // Checkpoints run on their own thread (see `checkpointer`); a log it has fully copied is
        // cut back to 64 MiB when writers start over at its beginning.
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
        let checkpointer = checkpointer(path)?;
        Ok(SqliteCentre {
            conn: Mutex::new(conn),
            tz,
            _checkpointer: checkpointer,
        })
    }

    pub(in crate::centre) fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The id of the facility named `name`, or [`Error::NotFound`].
fn facility_id(tx: &rusqlite::Transaction, name: &str) -> Result<i64, Error> {
    tx.query_row("SELECT id FROM facilities WHERE name = ?1", [name], |r| r.get(0))
        .optional()?
        .ok_or_else(|| Error::NotFound(format!("no facility “{name}”")))
}

/// Moves every feedback item of facility `from` to `to`, appending a
/// [`crate::feedback::Action::Move`] entry by `by` to each one's log (inside the caller's
/// transaction: a rename or a merge).
fn move_items(tx: &rusqlite::Transaction, from: &str, to: &str, by: &str, at: DateTime<Utc>) -> Result<(), Error> {
    let items: Vec<(String, String)> = {
        let mut stmt = tx.prepare(
            "SELECT i.id, l.entry FROM feedback_items i JOIN feedback_log l ON l.item_id = i.id AND l.seq = i.last_seq \
             WHERE i.facility = ?1",
        )?;
        stmt.query_map([from], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?
    };
    for (id, last) in items {
        let moved = store::move_entry(&id, &last, from, to, by, at)?;
        tx.execute(
            "INSERT INTO feedback_log (item_id, seq, entry) VALUES (?1, ?2, ?3)",
            params![id, moved.seq, store::entry_json(&moved)],
        )?;
        tx.execute(
            "UPDATE feedback_items SET facility = ?2, last_seq = ?3 WHERE id = ?1",
            params![id, to, moved.seq],
        )?;
    }
    Ok(())
}

/// Records a change to a facility (rename, merge) among the events, which `centre events` lists.
fn record_facility_event(tx: &rusqlite::Transaction, detail: &str, at: DateTime<Utc>) -> Result<(), Error> {
    tx.execute(
        "INSERT INTO events (kind, kiosk_id, seq, detail, at) VALUES ('facility', '', NULL, ?1, ?2)",
        params![detail, at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)],
    )?;
    Ok(())
}

/// Tallies every stored response (run once, by the migration that added the table).
fn backfill_tallies(tx: &rusqlite::Transaction, tz: chrono_tz::Tz) -> Result<(), Error> {
    let mut stmt = tx.prepare("SELECT kiosk_id, facility_id, body FROM responses ORDER BY kiosk_id, seq")?;
    let mut rows = stmt.query([])?;
    let mut backfill = store::Backfill::default();
    while let Some(row) = rows.next()? {
        let body: String = row.get(2)?;
        if let Some((kiosk_id, facility_id, adds)) = backfill.add(row.get(0)?, row.get(1)?, &body, tz)? {
            merge_tallies(tx, &kiosk_id, facility_id, adds)?;
        }
    }
    if let Some((kiosk_id, facility_id, adds)) = backfill.finish() {
        merge_tallies(tx, &kiosk_id, facility_id, adds)?;
    }
    Ok(())
}

/// Recomputes the facility roll-up from the kiosks' monthly tallies (bumping every stamp when
/// the migration running it comes after `tally_stamps`).
fn rebuild_facility_tallies(tx: &rusqlite::Transaction, stamps: bool) -> Result<(), Error> {
    tx.execute_batch("DELETE FROM tallies_facility")?;
    if stamps {
        tx.execute_batch("UPDATE tally_stamps SET version = random()")?;
    }
    let mut stmt = tx.prepare(
        "SELECT local_day, department, questionnaire_id, questionnaire_version, rapid_repeat, data, facility_id \
         FROM tallies_month ORDER BY facility_id",
    )?;
    let mut rows = stmt.query([])?;
    let mut current: Option<i64> = None;
    let mut adds: BTreeMap<TallyKey, Tally> = BTreeMap::new();
    while let Some(row) = rows.next()? {
        let (key, json) = tally_row(row)?;
        let facility_id: i64 = row.get(6)?;
        if current.is_some_and(|c| c != facility_id) {
            merge_facility_tallies(tx, current.unwrap_or_default(), std::mem::take(&mut adds), stamps)?;
        }
        current = Some(facility_id);
        adds.entry(key).or_default().merge(&store::parse_tally(&json)?);
    }
    if let Some(facility_id) = current {
        merge_facility_tallies(tx, facility_id, adds, stamps)?;
    }
    Ok(())
}

/// Adds a kiosk's monthly tallies (`monthly`, keyed by the month's first day) to its facility's
/// roll-up and bumps the stamp of each month they touch (with `stamps`; inside the caller's
/// transaction, which also changes the kiosk's rows of those months).
fn merge_facility_tallies(
    tx: &rusqlite::Transaction,
    facility_id: i64,
    monthly: BTreeMap<TallyKey, Tally>,
    stamps: bool,
) -> Result<(), Error> {
    if stamps {
        let mut bump = tx.prepare_cached(
            "INSERT INTO tally_stamps (month, facility_id, version) VALUES (?1, ?2, random()) \
             ON CONFLICT (month, facility_id) DO UPDATE SET version = excluded.version",
        )?;
        let months: std::collections::BTreeSet<NaiveDate> = monthly.keys().map(|k| k.day).collect();
        for month in months {
            bump.execute(params![month.to_string(), facility_id])?;
        }
    }
    merge_into(tx, "tallies_facility", Owner::Facility(facility_id), monthly)
}

/// Adds `adds` to the kiosk's stored daily tallies and their monthly roll-up (inside the
/// caller's transaction).
fn merge_tallies(
    tx: &rusqlite::Transaction,
    kiosk_id: &str,
    facility_id: i64,
    adds: BTreeMap<TallyKey, Tally>,
) -> Result<(), Error> {
    let monthly = store::by_month(&adds);
    merge_into(tx, "tallies", Owner::Kiosk(kiosk_id, facility_id), adds)?;
    merge_into(tx, "tallies_month", Owner::Kiosk(kiosk_id, facility_id), monthly)
}

/// Whose tally rows a merge adds to: a kiosk's (its daily or monthly rows, which also name its
/// facility) or a facility's roll-up.
enum Owner<'a> {
    Kiosk(&'a str, i64),
    Facility(i64),
}

/// Adds `adds` to the rows of `table` that `owner` holds (inside the caller's transaction).
fn merge_into(
    tx: &rusqlite::Transaction,
    table: &str,
    owner: Owner,
    adds: BTreeMap<TallyKey, Tally>,
) -> Result<(), Error> {
    let (column, extra_column, extra_mark) = match owner {
        Owner::Kiosk(..) => ("kiosk_id", ", facility_id", ", ?8"),
        Owner::Facility(_) => ("facility_id", "", ""),
    };
    let (owner, facility): (&dyn rusqlite::ToSql, Option<i64>) = match &owner {
        Owner::Kiosk(kiosk_id, facility_id) => (kiosk_id, Some(*facility_id)),
        Owner::Facility(facility_id) => (facility_id, None),
    };
    let mut read = tx.prepare_cached(&format!(
        "SELECT data FROM {table} WHERE local_day = ?1 AND {column} = ?2 AND department = ?3 \
         AND questionnaire_id = ?4 AND questionnaire_version = ?5 AND rapid_repeat = ?6"
    ))?;
    let mut write = tx.prepare_cached(&format!(
        "INSERT OR REPLACE INTO {table} (local_day, {column}, department, questionnaire_id, \
         questionnaire_version, rapid_repeat, data{extra_column}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7{extra_mark})"
    ))?;
    for (key, add) in adds {
        let day = key.day.to_string();
        let mut tally = match read
            .query_row(
                params![
                    day,
                    owner,
                    key.department,
                    key.questionnaire_id,
                    key.questionnaire_version,
                    key.rapid_repeat
                ],
                |r| r.get::<_, String>(0),
            )
            .optional()?
        {
            Some(json) => store::parse_tally(&json)?,
            None => Tally::default(),
        };
        tally.merge(&add);
        let json = store::tally_json(&tally);
        let mut values: Vec<&dyn rusqlite::ToSql> = vec![
            &day,
            owner,
            &key.department,
            &key.questionnaire_id,
            &key.questionnaire_version,
            &key.rapid_repeat,
            &json,
        ];
        if let Some(facility_id) = &facility {
            values.push(facility_id);
        }
        write.execute(values.as_slice())?;
    }
    Ok(())
}

/// Which of a batch's response ids (a JSON array) are held, with their hashes.
const HELD_IDS: &str = "SELECT id, hash FROM responses WHERE id IN (SELECT value FROM json_each(?1))";
/// Which of a batch's sequence numbers (a JSON array) kiosk `?1` has used, with their ids.
const HELD_SEQS: &str =
    "SELECT seq, id FROM responses WHERE kiosk_id = ?1 AND seq IN (SELECT value FROM json_each(?2))";

/// Whether an event is recorded already.
const EVENT_SEEN: &str = "SELECT 1 FROM events WHERE kiosk_id = ?2 AND seq IS ?3 AND kind = ?1 AND detail = ?4";

/// A sequence number as SQL sees it (they are positive and below 2^63 in practice).
fn clamp(seq: u64) -> i64 {
    seq.min(i64::MAX as u64) as i64
}

const KIOSK_COLUMNS: &str = "k.id, f.name, k.name, k.kiosk_id, k.revoked_at, k.last_seq, s.at, s.waiting";

pub(in crate::centre) fn time(text: Option<String>) -> Option<DateTime<Utc>> {
    text.and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
        .map(|t| t.with_timezone(&Utc))
}

fn kiosk_row(row: &rusqlite::Row) -> rusqlite::Result<KioskInfo> {
    Ok(KioskInfo {
        id: row.get(0)?,
        facility: row.get(1)?,
        name: row.get(2)?,
        kiosk_id: row.get(3)?,
        revoked_at: time(row.get(4)?),
        last_seq: row.get::<_, i64>(5)? as u64,
        last_sync_at: time(row.get(6)?),
        waiting: row.get::<_, Option<i64>>(7)?.map(|n| n.max(0) as u64),
    })
}

/// A tally row read as (day, department, questionnaire id, version, rapid repeat, data).
/// A text column borrowed from its row.
fn text_ref(v: rusqlite::types::ValueRef<'_>) -> Result<&str, Error> {
    v.as_str().map_err(|e| Error::Corrupt(e.to_string()))
}

fn tally_row(row: &rusqlite::Row) -> Result<(TallyKey, String), Error> {
    let day: String = row.get(0)?;
    let key = TallyKey {
        day: day
            .parse()
            .map_err(|_| Error::Corrupt(format!("a stored tally has the day {day:?}")))?,
        department: row.get(1)?,
        questionnaire_id: row.get(2)?,
        questionnaire_version: row.get(3)?,
        rapid_repeat: row.get(4)?,
    };
    Ok((key, row.get(5)?))
}

fn event(
    tx: &rusqlite::Transaction,
    kind: &str,
    kiosk_id: &str,
    seq: Option<u64>,
    detail: &str,
) -> rusqlite::Result<()> {
    tx.prepare_cached("INSERT INTO events (kind, kiosk_id, seq, detail, at) VALUES (?1, ?2, ?3, ?4, ?5)")?
        .execute(params![kind, kiosk_id, seq.map(|s| s as i64), detail, now_text()])?;
    Ok(())
}

impl CentreStore for SqliteCentre {
    fn add_kiosk(&self, facility: &str, name: &str, token_hash: &str) -> Result<KioskInfo, Error> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let holder: Option<String> = tx
            .query_row(
                "SELECT name FROM facilities WHERE slug = ?1",
                [crate::text::slug(facility)],
                |r| r.get(0),
            )
            .optional()?;
        let slug = store::new_facility_slug(facility, holder)?;
        tx.execute(
            "INSERT INTO facilities (name, slug, created_at) VALUES (?1, ?2, ?3) ON CONFLICT (name) DO NOTHING",
            params![facility, slug, now_text()],
        )?;
        let facility_id: i64 = tx.query_row("SELECT id FROM facilities WHERE name = ?1", [facility], |r| r.get(0))?;
        let id = uuid::Uuid::now_v7().to_string();
        tx.execute(
            "INSERT INTO kiosks (id, facility_id, name, token_hash, created_at, last_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, facility_id, name, token_hash, now_text(), GENESIS],
        )?;
        tx.commit()?;
        Ok(KioskInfo::enrolled(id, facility, name))
    }

    fn kiosks(&self) -> Result<Vec<KioskInfo>, Error> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT {KIOSK_COLUMNS} FROM kiosks k JOIN facilities f ON f.id = k.facility_id LEFT JOIN kiosk_sync s ON s.id = k.id ORDER BY f.name, k.name"
        ))?;
        let rows = stmt.query_map([], kiosk_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    fn facility_by_slug(&self, slug: &str) -> Result<Option<String>, Error> {
        Ok(self
            .conn()
            .query_row("SELECT name FROM facilities WHERE slug = ?1", [slug], |r| r.get(0))
            .optional()?)
    }

    fn facility_list(&self) -> Result<Vec<store::FacilityInfo>, Error> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT f.name, f.slug, (SELECT count(*) FROM kiosks k WHERE k.facility_id = f.id) FROM facilities f ORDER BY f.name",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(store::FacilityInfo {
                    name: r.get(0)?,
                    slug: r.get(1)?,
                    kiosks: r.get::<_, i64>(2)? as u64,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    fn rename_facility(&self, from: &str, to: &str, by: &str, at: DateTime<Utc>) -> Result<(), Error> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let id = facility_id(&tx, from)?;
        let holder: Option<String> = tx
            .query_row(
                "SELECT name FROM facilities WHERE slug = ?1 AND id <> ?2",
                params![crate::text::slug(to), id],
                |r| r.get(0),
            )
            .optional()?;
        let slug = store::new_facility_slug(to, holder)?;
        tx.execute(
            "UPDATE facilities SET name = ?2, slug = ?3 WHERE id = ?1",
            params![id, to, slug],
        )?;
        for table in ["users", "report_texts", "public_snapshots"] {
            tx.execute(
                &format!("UPDATE {table} SET facility = ?2 WHERE facility = ?1"),
                params![from, to],
            )?;
        }
        move_items(&tx, from, to, by, at)?;
        record_facility_event(&tx, &format!("facility “{from}” renamed “{to}” by {by}"), at)?;
        tx.commit()?;
        Ok(())
    }

    fn merge_facility(&self, from: &str, into: &str, by: &str, at: DateTime<Utc>) -> Result<(), Error> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let (from_id, into_id) = (facility_id(&tx, from)?, facility_id(&tx, into)?);
        if from_id == into_id {
            return Err(Error::Invalid(format!("“{from}” and “{into}” are one facility")));
        }
        for table in ["kiosks", "responses", "tallies", "tallies_month"] {
            tx.execute(
                &format!("UPDATE {table} SET facility_id = ?2 WHERE facility_id = ?1"),
                params![from_id, into_id],
            )?;
        }
        tx.execute("DELETE FROM tally_stamps WHERE facility_id = ?1", [from_id])?;
        // The roll-up is made again from the kiosks' monthly rows, now all under `into`.
        rebuild_facility_tallies(&tx, true)?;
        tx.execute(
            "UPDATE users SET facility = ?2 WHERE facility = ?1",
            params![from, into],
        )?;
        // Section IV written for both in one period: both texts are kept, `into`'s first.
        tx.execute(
            "UPDATE report_texts SET actions = actions || char(10) || char(10) || \
             (SELECT o.actions FROM report_texts o WHERE o.facility = ?1 AND o.period = report_texts.period) \
             WHERE facility = ?2 AND period IN (SELECT period FROM report_texts WHERE facility = ?1)",
            params![from, into],
        )?;
        tx.execute(
            "DELETE FROM report_texts WHERE facility = ?1 AND period IN (SELECT period FROM report_texts WHERE facility = ?2)",
            params![from, into],
        )?;
        tx.execute(
            "UPDATE report_texts SET facility = ?2 WHERE facility = ?1",
            params![from, into],
        )?;
        // The merged facility's public figures are taken afresh.
        tx.execute(
            "DELETE FROM public_snapshots WHERE facility IN (?1, ?2)",
            params![from, into],
        )?;
        move_items(&tx, from, into, by, at)?;
        tx.execute("DELETE FROM facilities WHERE id = ?1", [from_id])?;
        record_facility_event(&tx, &format!("facility “{from}” merged into “{into}” by {by}"), at)?;
        tx.commit()?;
        Ok(())
    }

    fn facility_names(&self) -> Result<Vec<String>, Error> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached("SELECT name FROM facilities f WHERE f.id IN (SELECT DISTINCT facility_id FROM kiosks)")?;
        let mut names = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        names.sort();
        Ok(names)
    }

    fn kiosks_of(&self, facility: &str) -> Result<Vec<KioskInfo>, Error> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {KIOSK_COLUMNS} FROM kiosks k JOIN facilities f ON f.id = k.facility_id LEFT JOIN kiosk_sync s ON s.id = k.id \
             WHERE f.name = ?1 ORDER BY f.name, k.name"
        ))?;
        let rows = stmt
            .query_map([facility], kiosk_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    fn revoke_kiosk(&self, id: &str) -> Result<(), Error> {
        let n = self.conn().execute(
            "UPDATE kiosks SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
            params![id, now_text()],
        )?;
        if n == 0 {
            return Err(Error::NotFound(format!("no active kiosk enrolment with id {id}")));
        }
        Ok(())
    }

    fn renew_kiosk(&self, id: &str, token_hash: &str) -> Result<KioskInfo, Error> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        // An enrolment id first; a kiosk id (which a kiosk chooses) only when no enrolment has it.
        let mut n = tx.execute(
            "UPDATE kiosks SET token_hash = ?2, revoked_at = NULL WHERE id = ?1",
            params![id, token_hash],
        )?;
        if n == 0 {
            n = tx.execute(
                "UPDATE kiosks SET token_hash = ?2, revoked_at = NULL WHERE kiosk_id = ?1",
                params![id, token_hash],
            )?;
        }
        if n != 1 {
            return Err(Error::NotFound(format!("no kiosk enrolment or kiosk with id {id}")));
        }
        let info = tx.query_row(
            &format!(
                "SELECT {KIOSK_COLUMNS} FROM kiosks k JOIN facilities f ON f.id = k.facility_id LEFT JOIN kiosk_sync s ON s.id = k.id WHERE k.token_hash = ?1"
            ),
            [token_hash],
            kiosk_row,
        )?;
        tx.commit()?;
        Ok(info)
    }

    fn kiosk_by_token(&self, token_hash: &str) -> Result<Option<KioskInfo>, Error> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {KIOSK_COLUMNS} FROM kiosks k JOIN facilities f ON f.id = k.facility_id LEFT JOIN kiosk_sync s ON s.id = k.id WHERE k.token_hash = ?1"),
                [token_hash],
                kiosk_row,
            )
            .optional()?)
    }

    fn add_read_token(&self, name: &str, token_hash: &str) -> Result<(), Error> {
        self.conn().execute(
            "INSERT INTO read_tokens (name, token_hash, created_at) VALUES (?1, ?2, ?3)",
            params![name, token_hash, now_text()],
        )?;
        Ok(())
    }

    fn read_token_exists(&self, token_hash: &str) -> Result<bool, Error> {
        Ok(self
            .conn()
            .query_row(
                "SELECT 1 FROM read_tokens WHERE token_hash = ?1 AND revoked_at IS NULL",
                [token_hash],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    fn read_tokens(&self) -> Result<Vec<store::ReadToken>, Error> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT id, name, created_at, revoked_at FROM read_tokens ORDER BY id")?;
        let rows = stmt
            .query_map([], |r| {
                Ok(store::ReadToken {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    created_at: time(r.get(2)?).unwrap_or_default(),
                    revoked_at: time(r.get(3)?),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    fn revoke_read_token(&self, id: i64) -> Result<(), Error> {
        let n = self.conn().execute(
            "UPDATE read_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
            params![id, now_text()],
        )?;
        if n == 0 {
            return Err(Error::NotFound(format!("no active read token with id {id}")));
        }
        Ok(())
    }

    fn check_writable(&self) -> Result<(), Error> {
        self.conn().execute(
            "INSERT INTO health (id, at) VALUES (1, ?1) ON CONFLICT (id) DO UPDATE SET at = excluded.at",
            [now_text()],
        )?;
        Ok(())
    }

    fn ingest(
        &self,
        enrolment: &KioskInfo,
        kiosk_id: &str,
        responses: &[StoredResponse],
        waiting: Option<u64>,
        catalog: &Catalog,
    ) -> Result<BatchResult, Error> {
        // The CPU work first, outside the connection's lock.
        let mut prepared = store::prepare(responses, kiosk_id, catalog, Utc::now(), self.tz);
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // An enrolment is bound to the kiosk whose batch first stores something (below); any
        // other kiosk is refused after.
        let (bound, facility_id, last_seq, last_hash): (Option<String>, i64, i64, String) = tx.query_row(
            "SELECT kiosk_id, facility_id, last_seq, last_hash FROM kiosks WHERE id = ?1",
            [&enrolment.id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        match &bound {
            Some(b) if b != kiosk_id => return Ok(store::wrong_kiosk(responses, b)),
            Some(_) => {}
            None => {
                let elsewhere: Option<String> = tx
                    .query_row("SELECT id FROM kiosks WHERE kiosk_id = ?1", [kiosk_id], |r| r.get(0))
                    .optional()?;
                if let Some(existing) = elsewhere {
                    return Err(store::enrolled_elsewhere(kiosk_id, &format!("enrolment {existing}")));
                }
            }
        }
        let mut known = Known {
            last: (last_seq as u64, last_hash),
            ..Known::default()
        };
        {
            // What is held of the batch's ids and sequence numbers: one query each, the lists
            // passed as JSON arrays (two lookups per response cost more than the inserts).
            let ids: Vec<String> = responses.iter().map(|r| r.response.id.to_string()).collect();
            let seqs: Vec<i64> = responses.iter().map(|r| clamp(r.seq)).collect();
            let mut existing = tx.prepare_cached(HELD_IDS)?;
            let mut rows = existing.query([serde_json::to_string(&ids).expect("strings serialise")])?;
            while let Some(row) = rows.next()? {
                known.hashes.insert(row.get(0)?, row.get(1)?);
            }
            let mut at_seq = tx.prepare_cached(HELD_SEQS)?;
            let mut rows = at_seq.query(params![
                kiosk_id,
                serde_json::to_string(&seqs).expect("numbers serialise")
            ])?;
            while let Some(row) = rows.next()? {
                known.seqs.insert(row.get::<_, i64>(0)? as u64, row.get(1)?);
            }
        }
        let plan = store::plan(responses, kiosk_id, known, &prepared);
        if bound.is_none() && !plan.inserts.is_empty() {
            tx.execute(
                "UPDATE kiosks SET kiosk_id = ?2 WHERE id = ?1",
                params![enrolment.id, kiosk_id],
            )?;
        }
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO responses (id, kiosk_id, seq, facility_id, department, local_day, hash, body, received_at, \
                 clock_suspect) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?;
            let received = now_text();
            for &(i, r) in &plan.inserts {
                let day = r.response.submitted_at.with_timezone(&self.tz).date_naive().to_string();
                let body = prepared.body(i);
                insert.execute(params![
                    r.response.id.to_string(),
                    kiosk_id,
                    r.seq as i64,
                    facility_id,
                    r.response.department,
                    day,
                    r.hash,
                    body,
                    received,
                    prepared.suspect[i]
                ])?;
            }
            for e in &plan.events {
                event(&tx, &e.kind, kiosk_id, e.seq, &e.detail)?;
            }
        }
        let tallies = prepared.tallies_of(&plan, self.tz);
        let monthly = store::by_month(&tallies);
        merge_tallies(&tx, kiosk_id, facility_id, tallies)?;
        merge_facility_tallies(&tx, facility_id, monthly, true)?;
        let (last_seq, last_hash) = (plan.last.0 as i64, plan.last.1.clone());
        let result = plan.result;
        tx.execute(
            "UPDATE kiosks SET last_seq = ?2, last_hash = ?3 WHERE id = ?1",
            params![enrolment.id, last_seq, last_hash],
        )?;
        tx.execute(
            "INSERT INTO kiosk_sync (id, at, waiting) VALUES (?1, ?2, ?3) \
             ON CONFLICT (id) DO UPDATE SET at = excluded.at, waiting = excluded.waiting",
            params![enrolment.id, now_text(), waiting.map(clamp)],
        )?;
        tx.commit()?;
        Ok(result)
    }

    fn walk_responses(
        &self,
        scope: &Scope,
        f: &mut dyn FnMut(StoredResponse) -> std::ops::ControlFlow<()>,
    ) -> Result<(), Error> {
        let from = scope.from.map_or_else(|| "0000-00-00".to_string(), |d| d.to_string());
        let to = scope.to.map_or_else(|| "9999-99-99".to_string(), |d| d.to_string());
        // Keyset pages: after the last (kiosk, seq) read, so the lock is let go between pages.
        let mut after = (String::new(), 0i64);
        loop {
            let page: Vec<(String, i64, String)> = {
                let conn = self.conn();
                let mut stmt = conn.prepare_cached(
                    "SELECT r.kiosk_id, r.seq, r.body FROM responses r JOIN facilities f ON f.id = r.facility_id \
                     WHERE r.local_day >= ?1 AND r.local_day <= ?2 AND NOT r.clock_suspect \
                     AND (?3 IS NULL OR f.name = ?3) AND (?4 IS NULL OR r.kiosk_id = ?4) AND (?5 IS NULL OR r.department = ?5) \
                     AND (r.kiosk_id, r.seq) > (?6, ?7) \
                     ORDER BY r.kiosk_id, r.seq LIMIT ?8",
                )?;
                let rows = stmt.query_map(
                    params![
                        from,
                        to,
                        scope.facility,
                        scope.kiosk,
                        scope.department,
                        after.0,
                        after.1,
                        store::RESPONSE_PAGE as i64
                    ],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )?;
                rows.collect::<Result<_, _>>()?
            };
            let full = page.len() == store::RESPONSE_PAGE;
            for (kiosk, seq, body) in page {
                let r: StoredResponse = serde_json::from_str(&body).map_err(|e| Error::Corrupt(e.to_string()))?;
                if f(r).is_break() {
                    return Ok(());
                }
                after = (kiosk, seq);
            }
            if !full {
                return Ok(());
            }
        }
    }

    fn report_actions(&self, facility: &str, period: &str) -> Result<Option<(String, String, DateTime<Utc>)>, Error> {
        Ok(self
            .conn()
            .query_row(
                "SELECT actions, updated_by, updated_at FROM report_texts WHERE facility = ?1 AND period = ?2",
                params![facility, period],
                |r| Ok((r.get(0)?, r.get(1)?, time(r.get(2)?).unwrap_or_default())),
            )
            .optional()?)
    }

    fn set_report_actions(&self, facility: &str, period: &str, text: &str, by: &str) -> Result<(), Error> {
        self.conn().execute(
            "INSERT INTO report_texts (facility, period, actions, updated_by, updated_at) VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT (facility, period) DO UPDATE SET actions = excluded.actions, \
             updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            params![facility, period, text, by, now_text()],
        )?;
        Ok(())
    }

    fn public_snapshot(&self, facility: &str, period: &str) -> Result<Option<(NaiveDate, String)>, Error> {
        self.conn()
            .query_row(
                "SELECT taken_on, data FROM public_snapshots WHERE facility = ?1 AND period = ?2",
                params![facility, period],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
            )
            .optional()?
            .map(|(day, data)| {
                let day = day
                    .parse::<NaiveDate>()
                    .map_err(|e| Error::Corrupt(format!("public snapshot day {day:?}: {e}")))?;
                Ok((day, data))
            })
            .transpose()
    }

    fn save_public_snapshot(
        &self,
        facility: &str,
        period: &str,
        taken_on: NaiveDate,
        data: &str,
    ) -> Result<String, Error> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO public_snapshots (facility, period, taken_on, data) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (facility, period) DO UPDATE SET taken_on = excluded.taken_on, data = excluded.data \
             WHERE public_snapshots.taken_on < excluded.taken_on",
            params![facility, period, taken_on.to_string(), data],
        )?;
        let stored: String = tx.query_row(
            "SELECT data FROM public_snapshots WHERE facility = ?1 AND period = ?2",
            params![facility, period],
            |r| r.get(0),
        )?;
        tx.commit()?;
        Ok(stored)
    }

    fn latest_comments(&self, scope: &Scope, limit: usize) -> Result<Vec<store::Comment>, Error> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT r.body FROM responses r \
             WHERE r.local_day >= ?1 AND r.local_day <= ?2 AND NOT r.clock_suspect \
             AND {} AND (?4 IS NULL OR r.kiosk_id = ?4) AND (?5 IS NULL OR r.department = ?5) \
             AND (r.body LIKE '%\"text\"%' OR r.body LIKE '%\"other\"%') \
             ORDER BY r.local_day DESC, r.received_at DESC LIMIT ?6",
            facility_filter("r", scope.facility.as_deref())
        ))?;
        let from = scope.from.map_or_else(|| "0000-00-00".to_string(), |d| d.to_string());
        let to = scope.to.map_or_else(|| "9999-99-99".to_string(), |d| d.to_string());
        let mut rows = stmt.query(params![
            from,
            to,
            scope.facility,
            scope.kiosk,
            scope.department,
            store::COMMENT_SCAN as i64
        ])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let body: String = row.get(0)?;
            if let Some(c) = store::comment_of(&body)? {
                out.push(c);
            }
        }
        out.sort_by_key(|c| std::cmp::Reverse(c.at));
        out.truncate(limit);
        Ok(out)
    }

    fn for_each_tally_row(
        &self,
        scope: &Scope,
        f: &mut dyn FnMut(&store::TallyOrigin, TallyKey, Tally),
    ) -> Result<(), Error> {
        let ranges = store::tally_ranges(scope.from, scope.to);
        let conn = self.conn();
        let parts = ranges.tables();
        for (table, (from, to)) in parts {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT t.local_day, t.department, t.questionnaire_id, t.questionnaire_version, t.rapid_repeat, t.data, \
                 f.name, t.kiosk_id FROM {table} t JOIN facilities f ON f.id = t.facility_id \
                 WHERE t.local_day >= ?1 AND t.local_day <= ?2 \
                 AND {} AND (?4 IS NULL OR t.kiosk_id = ?4) AND (?5 IS NULL OR t.department = ?5)",
                facility_filter("t", scope.facility.as_deref())
            ))?;
            let from = from.map_or_else(|| "0000-00-00".to_string(), |d| d.to_string());
            let to = to.map_or_else(|| "9999-99-99".to_string(), |d| d.to_string());
            let mut rows = stmt.query(params![from, to, scope.facility, scope.kiosk, scope.department])?;
            let mut origin = store::TallyOrigin::default();
            while let Some(row) = rows.next()? {
                let (key, json) = tally_row(row)?;
                let (facility, kiosk) = (row.get_ref(6)?, row.get_ref(7)?);
                let (facility, kiosk) = (text_ref(facility)?, text_ref(kiosk)?);
                if origin.facility != facility || origin.kiosk != kiosk {
                    origin = store::TallyOrigin {
                        facility: facility.to_string(),
                        kiosk: kiosk.to_string(),
                    };
                }
                f(&origin, key, store::parse_tally(&json)?);
            }
        }
        Ok(())
    }

    fn for_each_facility_tally(&self, scope: &Scope, f: &mut dyn FnMut(&str, TallyKey, Tally)) -> Result<(), Error> {
        if scope.kiosk.is_some() {
            return self.for_each_tally_row(scope, &mut |origin, key, tally| f(&origin.facility, key, tally));
        }
        let ranges = store::tally_ranges(scope.from, scope.to);
        let conn = self.conn();
        for (table, (from, to)) in ranges.tables() {
            // Whole months from the facility roll-up, the days around them from the kiosks' rows.
            let table = if table == "tallies_month" {
                "tallies_facility"
            } else {
                table
            };
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT t.local_day, t.department, t.questionnaire_id, t.questionnaire_version, t.rapid_repeat, t.data, \
                 f.name FROM {table} t JOIN facilities f ON f.id = t.facility_id \
                 WHERE t.local_day >= ?1 AND t.local_day <= ?2 \
                 AND {} AND (?4 IS NULL OR t.department = ?4)",
                facility_filter("t", scope.facility.as_deref())
            ))?;
            let from = from.map_or_else(|| "0000-00-00".to_string(), |d| d.to_string());
            let to = to.map_or_else(|| "9999-99-99".to_string(), |d| d.to_string());
            let mut rows = stmt.query(params![from, to, scope.facility, scope.department])?;
            while let Some(row) = rows.next()? {
                let (key, json) = tally_row(row)?;
                f(text_ref(row.get_ref(6)?)?, key, store::parse_tally(&json)?);
            }
        }
        Ok(())
    }

    fn tally_stamps(
        &self,
        facility: Option<&str>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<store::TallyStamp>, Error> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT f.name, s.month, s.version FROM tally_stamps s JOIN facilities f ON f.id = s.facility_id \
             WHERE s.month >= ?1 AND s.month <= ?2 AND {}",
            facility_filter("s", facility)
        ))?;
        let mut rows = stmt.query(params![from.to_string(), to.to_string(), facility])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let month: String = row.get(1)?;
            out.push(store::TallyStamp {
                facility: row.get(0)?,
                month: month
                    .parse()
                    .map_err(|_| Error::Corrupt(format!("a tally stamp has the month {month:?}")))?,
                version: row.get(2)?,
            });
        }
        Ok(out)
    }

    fn held_chain(&self, kiosk_id: &str, from: u64, to: u64) -> Result<Vec<(u64, String, String)>, Error> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT seq, id, hash FROM responses WHERE kiosk_id = ?1 AND seq >= ?2 AND seq <= ?3 ORDER BY seq",
        )?;
        let rows = stmt
            .query_map(params![kiosk_id, clamp(from), clamp(to)], |r| {
                Ok((r.get::<_, i64>(0)? as u64, r.get(1)?, r.get(2)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    fn record_events(&self, events: &[Event]) -> Result<(), Error> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        {
            // `events_by_kiosk` makes each look-up one index probe: an audit's cost grows with
            // its size, not with the square of it.
            let mut seen = tx.prepare_cached(EVENT_SEEN)?;
            for e in events {
                let known = seen
                    .query_row(params![e.kind, e.kiosk_id, e.seq.map(clamp), e.detail], |_| Ok(()))
                    .optional()?
                    .is_some();
                if !known {
                    event(&tx, &e.kind, &e.kiosk_id, e.seq, &e.detail)?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn events_page(
        &self,
        kiosk: Option<&str>,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<store::RecordedEvent>, Error> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT id, at, kind, kiosk_id, seq, detail FROM events \
             WHERE (?1 IS NULL OR kiosk_id = ?1) AND (?2 IS NULL OR id < ?2) ORDER BY id DESC LIMIT ?3",
        )?;
        let rows = stmt
            .query_map(params![kiosk, before, limit], |r| {
                Ok(store::RecordedEvent {
                    id: r.get(0)?,
                    at: time(r.get(1)?).unwrap_or_default(),
                    event: Event {
                        kind: r.get(2)?,
                        kiosk_id: r.get(3)?,
                        seq: r.get::<_, Option<i64>>(4)?.map(|s| s as u64),
                        detail: r.get(5)?,
                    },
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    fn departments(&self) -> Result<Vec<String>, Error> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT DISTINCT department FROM tallies_month WHERE department <> '' ORDER BY department")?;
        let rows = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(rows)
    }

    fn event_counts(
        &self,
        facility: Option<&str>,
    ) -> Result<std::collections::HashMap<String, store::EventCounts>, Error> {
        let conn = self.conn();
        let counts =
            "SELECT e.kiosk_id, sum(e.kind = 'gap'), sum(e.kind = 'tamper'), sum(e.kind = 'clock') FROM events e";
        let mut stmt = conn.prepare_cached(&match facility {
            // The kiosks first, then each one's events through the index (as a join, the planner
            // walked every event and looked its kiosk up: 95 ms at 200,000 events).
            Some(_) => format!(
                "{counts} WHERE e.kiosk_id IN (SELECT k.kiosk_id FROM kiosks k JOIN facilities f \
                 ON f.id = k.facility_id WHERE f.name = ?1) GROUP BY e.kiosk_id"
            ),
            None => format!("{counts} GROUP BY e.kiosk_id"),
        })?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(facility), |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    store::EventCounts {
                        gaps: r.get::<_, i64>(1)? as u64,
                        tampers: r.get::<_, i64>(2)? as u64,
                        clock: r.get::<_, i64>(3)? as u64,
                    },
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    fn for_each_chain_row(&self, kiosk_id: &str, f: &mut dyn FnMut(store::ChainRow)) -> Result<(), Error> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT seq, hash, body, clock_suspect FROM responses WHERE kiosk_id = ?1 ORDER BY seq")?;
        let mut rows = stmt.query([kiosk_id])?;
        while let Some(row) = rows.next()? {
            f(store::ChainRow {
                seq: row.get::<_, i64>(0)? as u64,
                hash: row.get(1)?,
                body: row.get(2)?,
                clock_suspect: row.get(3)?,
            });
        }
        Ok(())
    }

    fn stored_tallies(&self, kiosk_id: &str, monthly: bool, f: &mut dyn FnMut(TallyKey, Tally)) -> Result<(), Error> {
        let table = if monthly { "tallies_month" } else { "tallies" };
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT local_day, department, questionnaire_id, questionnaire_version, rapid_repeat, data \
             FROM {table} WHERE kiosk_id = ?1"
        ))?;
        let mut rows = stmt.query([kiosk_id])?;
        while let Some(row) = rows.next()? {
            let (key, json) = tally_row(row)?;
            f(key, store::parse_tally(&json)?);
        }
        Ok(())
    }

    fn events(&self) -> Result<Vec<Event>, Error> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT kind, kiosk_id, seq, detail FROM events ORDER BY id DESC")?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Event {
                    kind: r.get(0)?,
                    kiosk_id: r.get(1)?,
                    seq: r.get::<_, Option<i64>>(2)?.map(|s| s as u64),
                    detail: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The batch lookups search the indexes once per listed value; written as joins, SQLite
    /// scanned every response of the kiosk for each batch instead.
    #[test]
    fn batch_lookups_use_the_indexes() {
        let dir = tempfile::tempdir().unwrap();
        let centre = SqliteCentre::open(&dir.path().join("c.sqlite3"), chrono_tz::Asia::Ho_Chi_Minh).unwrap();
        let conn = centre.conn();
        for sql in [HELD_IDS, HELD_SEQS] {
            let plan: Vec<String> = conn
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .unwrap()
                .query_map(params!["[]", "[]"].get(..sql.matches('?').count()).unwrap(), |r| {
                    r.get(3)
                })
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            assert!(plan[0].starts_with("SEARCH responses USING INDEX"), "{sql}: {plan:?}");
        }
    }

    /// An audit records an event per response it finds removed; each is first looked up among
    /// those recorded. Without an index that look-up read the whole table (an audit of 65,000
    /// responses held the lock for minutes).
    #[test]
    fn the_recorded_event_lookup_uses_the_kiosk_index() {
        let dir = tempfile::tempdir().unwrap();
        let centre = SqliteCentre::open(&dir.path().join("c.sqlite3"), chrono_tz::Asia::Ho_Chi_Minh).unwrap();
        let conn = centre.conn();
        let plan: String = conn
            .query_row(
                &format!("EXPLAIN QUERY PLAN {EVENT_SEEN}"),
                params!["gap", "k", 1, "d"],
                |r| r.get(3),
            )
            .unwrap();
        assert!(
            plan.starts_with("SEARCH events USING INDEX events_by_kiosk (kiosk_id=? AND seq=?)"),
            "{plan}"
        );
    }
}
