//! The centre's embedded SQLite backend (rusqlite, the same library as the kiosk's store).

use std::path::Path;
use std::sync::Mutex;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use std::collections::BTreeMap;

use super::ingest::{self, Known};
use super::store::{self, CentreStore, Error, Event, KioskInfo, Scope, TallyKey};
use crate::store::{GENESIS, StoredResponse};
use crate::survey::{Catalog, Channel, Tally};
use crate::sync::BatchResult;

use super::migrations::SQLITE as MIGRATIONS;

/// Where the work SQL cannot do falls in the migrations (see [`super::migrations::CodeSteps`]).
const STEPS: super::migrations::CodeSteps = super::migrations::CodeSteps {
    tallies: &[1, 2, 11],
    facility_tallies: 5,
    stamps: 6,
    slugs: 10,
};

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
    // How each response came (the only channel before was the kiosk) and where.
    (11, "responses", "channel", "TEXT NOT NULL DEFAULT 'kiosk'"),
    (11, "responses", "point", "TEXT"),
    // The channel and point of a chain the centre keeps itself (none for a kiosk).
    (12, "kiosks", "chain_channel", "TEXT"),
    (12, "kiosks", "chain_point", "TEXT"),
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
        for (i, migration) in MIGRATIONS.iter().enumerate().skip(version) {
            let tx = conn.transaction()?;
            // Columns first: a migration's statements may index them.
            add_missing_columns(&tx, i)?;
            tx.execute_batch(migration.sql)
                .map_err(|e| Error::Database(format!("schema migration {}: {e}", migration.name)))?;
            let after = STEPS.after(i, version);
            if after.backfill {
                backfill_tallies(&tx, tz)?;
            }
            if let Some(stamps) = after.rebuild_facility {
                rebuild_facility_tallies(&tx, stamps)?;
            }
            if after.slugs {
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
pub(in crate::centre) fn facility_id(tx: &rusqlite::Transaction, name: &str) -> Result<i64, Error> {
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
        "SELECT local_day, department, questionnaire_id, questionnaire_version, rapid_repeat, channel, point, data, \
         facility_id \
         FROM tallies_month ORDER BY facility_id",
    )?;
    let mut rows = stmt.query([])?;
    let mut current: Option<i64> = None;
    let mut adds: BTreeMap<TallyKey, Tally> = BTreeMap::new();
    while let Some(row) = rows.next()? {
        let (key, json) = tally_row(row)?;
        let facility_id: i64 = row.get(8)?;
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
        Owner::Kiosk(..) => ("kiosk_id", ", facility_id", ", ?10"),
        Owner::Facility(_) => ("facility_id", "", ""),
    };
    let (owner, facility): (&dyn rusqlite::ToSql, Option<i64>) = match &owner {
        Owner::Kiosk(kiosk_id, facility_id) => (kiosk_id, Some(*facility_id)),
        Owner::Facility(facility_id) => (facility_id, None),
    };
    let mut read = tx.prepare_cached(&format!(
        "SELECT data FROM {table} WHERE local_day = ?1 AND {column} = ?2 AND department = ?3 \
         AND questionnaire_id = ?4 AND questionnaire_version = ?5 AND rapid_repeat = ?6 AND channel = ?7 AND point = ?8"
    ))?;
    let mut write = tx.prepare_cached(&format!(
        "INSERT OR REPLACE INTO {table} (local_day, {column}, department, questionnaire_id, \
         questionnaire_version, rapid_repeat, channel, point, data{extra_column}) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9{extra_mark})"
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
                    key.rapid_repeat,
                    key.channel.as_str(),
                    key.point
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
        let channel = key.channel.as_str();
        let mut values: Vec<&dyn rusqlite::ToSql> = vec![
            &day,
            owner,
            &key.department,
            &key.questionnaire_id,
            &key.questionnaire_version,
            &key.rapid_repeat,
            &channel,
            &key.point,
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

/// A stored channel name.
fn channel_of(v: rusqlite::types::ValueRef<'_>) -> Result<Channel, Error> {
    let name = text_ref(v)?;
    Channel::parse(name).ok_or_else(|| Error::Corrupt(format!("a stored tally has the channel {name:?}")))
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
        channel: channel_of(row.get_ref(5)?)?,
        point: row.get(6)?,
    };
    Ok((key, row.get(7)?))
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

/// This backend's steps of [`ingest::run`], inside one immediate transaction.
struct Steps<'c> {
    tx: rusqlite::Transaction<'c>,
}

impl ingest::Steps for Steps<'_> {
    async fn lock(&mut self, enrolment: &str) -> Result<ingest::Locked, Error> {
        let (bound, facility_id, last_seq, last_hash): (Option<String>, i64, i64, String) = self.tx.query_row(
            "SELECT kiosk_id, facility_id, last_seq, last_hash FROM kiosks WHERE id = ?1",
            [enrolment],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        Ok(ingest::Locked {
            bound,
            facility_id,
            last: (last_seq as u64, last_hash),
        })
    }

    async fn enrolment_of(&mut self, kiosk_id: &str) -> Result<Option<String>, Error> {
        Ok(self
            .tx
            .query_row("SELECT id FROM kiosks WHERE kiosk_id = ?1", [kiosk_id], |r| r.get(0))
            .optional()?)
    }

    async fn known(&mut self, kiosk_id: &str, ids: &[String], seqs: &[i64], known: &mut Known) -> Result<(), Error> {
        // One query each, the lists passed as JSON arrays (two lookups per response cost more
        // than the inserts).
        let mut existing = self.tx.prepare_cached(HELD_IDS)?;
        let mut rows = existing.query([serde_json::to_string(ids).expect("strings serialise")])?;
        while let Some(row) = rows.next()? {
            known.hashes.insert(row.get(0)?, row.get(1)?);
        }
        let mut at_seq = self.tx.prepare_cached(HELD_SEQS)?;
        let mut rows = at_seq.query(params![
            kiosk_id,
            serde_json::to_string(seqs).expect("numbers serialise")
        ])?;
        while let Some(row) = rows.next()? {
            known.seqs.insert(row.get::<_, i64>(0)? as u64, row.get(1)?);
        }
        Ok(())
    }

    async fn bind(&mut self, enrolment: &str, kiosk_id: &str) -> Result<(), Error> {
        self.tx.execute(
            "UPDATE kiosks SET kiosk_id = ?2 WHERE id = ?1",
            params![enrolment, kiosk_id],
        )?;
        Ok(())
    }

    async fn insert(&mut self, kiosk_id: &str, facility_id: i64, rows: &[ingest::Row<'_>]) -> Result<(), Error> {
        let mut insert = self.tx.prepare_cached(
            "INSERT INTO responses (id, kiosk_id, seq, facility_id, department, local_day, hash, body, received_at, \
             clock_suspect, channel, point) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )?;
        let received = now_text();
        for row in rows {
            insert.execute(params![
                row.id,
                kiosk_id,
                row.seq,
                facility_id,
                row.department,
                row.day.to_string(),
                row.hash,
                row.body,
                received,
                row.clock_suspect,
                row.channel.as_str(),
                row.point
            ])?;
        }
        Ok(())
    }

    async fn tallies(
        &mut self,
        kiosk_id: &str,
        facility_id: i64,
        daily: BTreeMap<TallyKey, Tally>,
        monthly: BTreeMap<TallyKey, Tally>,
    ) -> Result<(), Error> {
        merge_tallies(&self.tx, kiosk_id, facility_id, daily)?;
        merge_facility_tallies(&self.tx, facility_id, monthly, true)
    }

    async fn events(&mut self, kiosk_id: &str, events: &[Event]) -> Result<(), Error> {
        for e in events {
            event(&self.tx, &e.kind, kiosk_id, e.seq, &e.detail)?;
        }
        Ok(())
    }

    async fn finish(self, enrolment: &str, last: &(u64, String), waiting: Option<u64>) -> Result<(), Error> {
        self.tx.execute(
            "UPDATE kiosks SET last_seq = ?2, last_hash = ?3 WHERE id = ?1",
            params![enrolment, clamp(last.0), last.1],
        )?;
        self.tx.execute(
            "INSERT INTO kiosk_sync (id, at, waiting) VALUES (?1, ?2, ?3) \
             ON CONFLICT (id) DO UPDATE SET at = excluded.at, waiting = excluded.waiting",
            params![enrolment, now_text(), waiting.map(clamp)],
        )?;
        self.tx.commit()?;
        Ok(())
    }
}

impl SqliteCentre {
    /// The enrolments (kiosks', or the chains the centre keeps) that `condition` picks, by
    /// facility and name.
    fn enrolments(&self, condition: &str) -> Result<Vec<KioskInfo>, Error> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT {KIOSK_COLUMNS} FROM kiosks k JOIN facilities f ON f.id = k.facility_id LEFT JOIN kiosk_sync s ON s.id = k.id \
             WHERE {condition} ORDER BY f.name, k.name"
        ))?;
        let rows = stmt.query_map([], kiosk_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
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
        self.enrolments("k.chain_channel IS NULL")
    }

    fn chains(&self) -> Result<Vec<KioskInfo>, Error> {
        self.enrolments("k.chain_channel IS NOT NULL")
    }

    fn chain(&self, facility: &str, channel: crate::survey::Channel, point: &str) -> Result<KioskInfo, Error> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let facility_id: i64 = tx
            .query_row("SELECT id FROM facilities WHERE name = ?1", [facility], |r| r.get(0))
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("no facility named {facility:?}")))?;
        let id = uuid::Uuid::now_v7().to_string();
        tx.execute(
            "INSERT INTO kiosks (id, facility_id, name, token_hash, kiosk_id, created_at, last_hash, chain_channel, chain_point) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
             ON CONFLICT (facility_id, chain_channel, chain_point) WHERE chain_channel IS NOT NULL DO NOTHING",
            params![
                id,
                facility_id,
                store::chain_name(channel, point),
                format!("chain:{id}"),
                format!("centre-{id}"),
                now_text(),
                GENESIS,
                channel.as_str(),
                point
            ],
        )?;
        let info = tx.query_row(
            &format!(
                "SELECT {KIOSK_COLUMNS} FROM kiosks k JOIN facilities f ON f.id = k.facility_id LEFT JOIN kiosk_sync s ON s.id = k.id \
                 WHERE k.facility_id = ?1 AND k.chain_channel = ?2 AND k.chain_point = ?3"
            ),
            params![facility_id, channel.as_str(), point],
            kiosk_row,
        )?;
        tx.commit()?;
        Ok(info)
    }

    fn append(&self, own: ingest::Own<'_>, catalog: &Catalog) -> Result<ingest::Appended, Error> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        futures::executor::block_on(ingest::append(Steps { tx }, own, catalog))
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
        // A chain the centre keeps, or a standing poster, that `into` has for the same channel (or
        // form) and point: the one that goes keeps its responses and is set aside, so that new
        // answers have one place to go (the chain under a marked point, the poster retired).
        tx.execute(
            "UPDATE kiosks SET chain_point = chain_point || ' ← ' || ?3 \
             WHERE facility_id = ?1 AND chain_channel IS NOT NULL AND EXISTS (SELECT 1 FROM kiosks o \
             WHERE o.facility_id = ?2 AND o.chain_channel = kiosks.chain_channel AND o.chain_point = kiosks.chain_point)",
            params![from_id, into_id, from],
        )?;
        tx.execute(
            "UPDATE printed_codes SET retired_at = ?3 \
             WHERE facility_id = ?1 AND kind = 'poster' AND retired_at IS NULL AND EXISTS (SELECT 1 FROM printed_codes o \
             WHERE o.facility_id = ?2 AND o.kind = 'poster' AND o.retired_at IS NULL \
             AND o.point = printed_codes.point AND o.questionnaire_id = printed_codes.questionnaire_id)",
            params![from_id, into_id, at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)],
        )?;
        for table in [
            "kiosks",
            "responses",
            "tallies",
            "tallies_month",
            "printed_codes",
            "phone_sessions",
        ] {
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
             WHERE f.name = ?1 AND k.chain_channel IS NULL ORDER BY f.name, k.name"
        ))?;
        let rows = stmt
            .query_map([facility], kiosk_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    fn revoke_kiosk(&self, id: &str) -> Result<(), Error> {
        let n = self.conn().execute(
            "UPDATE kiosks SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL AND chain_channel IS NULL",
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
            "UPDATE kiosks SET token_hash = ?2, revoked_at = NULL WHERE id = ?1 AND chain_channel IS NULL",
            params![id, token_hash],
        )?;
        if n == 0 {
            n = tx.execute(
                "UPDATE kiosks SET token_hash = ?2, revoked_at = NULL WHERE kiosk_id = ?1 AND chain_channel IS NULL",
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
        let prepared = ingest::prepare(
            responses,
            kiosk_id,
            catalog,
            ingest::KIOSK_CHANNELS,
            Utc::now(),
            self.tz,
        );
        let mut conn = self.conn();
        // Immediate: the write lock from the start, so the enrolment's row read below cannot
        // change before the batch is stored.
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let batch = ingest::Batch {
            enrolment,
            kiosk_id,
            responses,
            waiting,
            tz: self.tz,
        };
        // Every step is synchronous here: the driver's future is ready at its first poll.
        futures::executor::block_on(ingest::run(Steps { tx }, batch, prepared))
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
                     AND (r.kiosk_id, r.seq) > (?6, ?7) AND (?9 IS NULL OR r.channel = ?9) \
                     AND (?10 IS NULL OR r.point = ?10) \
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
                        store::RESPONSE_PAGE as i64,
                        scope.channel.map(Channel::as_str),
                        scope.point
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
             AND (?7 IS NULL OR r.channel = ?7) AND (?8 IS NULL OR r.point = ?8) \
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
            store::COMMENT_SCAN as i64,
            scope.channel.map(Channel::as_str),
            scope.point
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
                "SELECT t.local_day, t.department, t.questionnaire_id, t.questionnaire_version, t.rapid_repeat, t.channel, \
                 t.point, t.data, \
                 f.name, t.kiosk_id FROM {table} t JOIN facilities f ON f.id = t.facility_id \
                 WHERE t.local_day >= ?1 AND t.local_day <= ?2 \
                 AND {} AND (?4 IS NULL OR t.kiosk_id = ?4) AND (?5 IS NULL OR t.department = ?5) \
                 AND (?6 IS NULL OR t.channel = ?6) AND (?7 IS NULL OR t.point = ?7)",
                facility_filter("t", scope.facility.as_deref())
            ))?;
            let from = from.map_or_else(|| "0000-00-00".to_string(), |d| d.to_string());
            let to = to.map_or_else(|| "9999-99-99".to_string(), |d| d.to_string());
            let mut rows = stmt.query(params![
                from,
                to,
                scope.facility,
                scope.kiosk,
                scope.department,
                scope.channel.map(Channel::as_str),
                scope.point
            ])?;
            let mut origin = store::TallyOrigin::default();
            while let Some(row) = rows.next()? {
                let (key, json) = tally_row(row)?;
                let (facility, kiosk) = (row.get_ref(8)?, row.get_ref(9)?);
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
                "SELECT t.local_day, t.department, t.questionnaire_id, t.questionnaire_version, t.rapid_repeat, t.channel, \
                 t.point, t.data, \
                 f.name FROM {table} t JOIN facilities f ON f.id = t.facility_id \
                 WHERE t.local_day >= ?1 AND t.local_day <= ?2 \
                 AND {} AND (?4 IS NULL OR t.department = ?4) AND (?5 IS NULL OR t.channel = ?5) \
                 AND (?6 IS NULL OR t.point = ?6)",
                facility_filter("t", scope.facility.as_deref())
            ))?;
            let from = from.map_or_else(|| "0000-00-00".to_string(), |d| d.to_string());
            let to = to.map_or_else(|| "9999-99-99".to_string(), |d| d.to_string());
            let mut rows = stmt.query(params![
                from,
                to,
                scope.facility,
                scope.department,
                scope.channel.map(Channel::as_str),
                scope.point
            ])?;
            while let Some(row) = rows.next()? {
                let (key, json) = tally_row(row)?;
                f(text_ref(row.get_ref(8)?)?, key, store::parse_tally(&json)?);
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
            "SELECT local_day, department, questionnaire_id, questionnaire_version, rapid_repeat, channel, point, \
             data FROM {table} WHERE kiosk_id = ?1"
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
