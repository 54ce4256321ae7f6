//! The centre's PostgreSQL backend (tokio-postgres with a deadpool pool), for a province that
//! outgrows one SQLite file. The trait is synchronous (the server calls it on blocking threads),
//! so each call runs on this backend's own small runtime.

use chrono::{DateTime, Utc};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::NoTls;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::Type;

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::ingest::{self, Known};
use super::store::{self, CentreStore, Error, Event, KioskInfo, Scope, TallyKey};
use crate::store::{GENESIS, StoredResponse};
use crate::survey::{Catalog, Channel, Tally};
use crate::sync::BatchResult;

use super::migrations::POSTGRES as MIGRATIONS;

/// Where the work SQL cannot do falls in the migrations (see [`super::migrations::CodeSteps`]).
const STEPS: super::migrations::CodeSteps = super::migrations::CodeSteps {
    tallies: &[1, 3, 12],
    facility_tallies: 6,
    stamps: 7,
    slugs: 11,
};

/// Gives every facility its slug — a later facility whose name has an earlier one's slug gets
/// `-<id>` after it (`centre facility merge` joins them) — and makes slugs unique.
async fn fill_slugs(tx: &tokio_postgres::Transaction<'_>) -> Result<(), Error> {
    let rows = tx
        .query("SELECT id, name FROM facilities ORDER BY id", &[])
        .await
        .map_err(db)?;
    let mut taken = std::collections::BTreeSet::new();
    for row in rows {
        let (id, name): (i64, String) = (row.get(0), row.get(1));
        let mut slug = crate::text::slug(&name);
        if slug.is_empty() || taken.contains(&slug) {
            slug = if slug.is_empty() {
                format!("co-so-{id}")
            } else {
                format!("{slug}-{id}")
            };
            tracing::warn!(facility = ?name, slug = %slug, "two facilities had one web address; `centre facility merge` joins them");
        }
        tx.execute("UPDATE facilities SET slug = $2 WHERE id = $1", &[&id, &slug])
            .await
            .map_err(db)?;
        taken.insert(slug);
    }
    tx.batch_execute("CREATE UNIQUE INDEX IF NOT EXISTS facilities_by_slug ON facilities (slug)")
        .await
        .map_err(db)
}

/// The id of the facility named `name`, or [`Error::NotFound`].
pub(in crate::centre) async fn facility_id(tx: &tokio_postgres::Transaction<'_>, name: &str) -> Result<i64, Error> {
    tx.query_opt("SELECT id FROM facilities WHERE name = $1", &[&name])
        .await
        .map_err(db)?
        .map(|r| r.get(0))
        .ok_or_else(|| Error::NotFound(format!("no facility “{name}”")))
}

/// Moves every feedback item of facility `from` to `to`, appending a
/// [`crate::feedback::Action::Move`] entry by `by` to each one's log (inside the caller's
/// transaction: a rename or a merge).
async fn move_items(
    tx: &tokio_postgres::Transaction<'_>,
    from: &str,
    to: &str,
    by: &str,
    at: DateTime<Utc>,
) -> Result<(), Error> {
    let rows = tx
        .query(
            "SELECT i.id, l.entry FROM feedback_items i JOIN feedback_log l ON l.item_id = i.id AND l.seq = i.last_seq \
             WHERE i.facility = $1",
            &[&from],
        )
        .await
        .map_err(db)?;
    for row in rows {
        let id: String = row.get(0);
        let moved = store::move_entry(&id, row.get(1), from, to, by, at)?;
        tx.execute(
            "INSERT INTO feedback_log (item_id, seq, entry) VALUES ($1, $2, $3)",
            &[&id, &(moved.seq as i32), &store::entry_json(&moved)],
        )
        .await
        .map_err(db)?;
        tx.execute(
            "UPDATE feedback_items SET facility = $2, last_seq = $3 WHERE id = $1",
            &[&id, &to, &(moved.seq as i32)],
        )
        .await
        .map_err(db)?;
    }
    Ok(())
}

/// Records a change to a facility (rename, merge) among the events, which `centre events` lists.
async fn record_facility_event(
    tx: &tokio_postgres::Transaction<'_>,
    detail: &str,
    at: DateTime<Utc>,
) -> Result<(), Error> {
    tx.execute(
        "INSERT INTO events (kind, kiosk_id, seq, detail, at) VALUES ('facility', '', NULL, $1, $2)",
        &[&detail, &at],
    )
    .await
    .map_err(db)?;
    Ok(())
}

/// A new tally stamp: random, up to 2⁵³ (what `random()`'s double carries), as the migration
/// adding `tally_stamps` seeds them.
const NEW_STAMP: &str = "(random() * 9007199254740991)::bigint";

/// The batch's responses already held: id and hash.
const HELD_IDS: &str = "SELECT id, hash FROM responses WHERE id = ANY($1)";
/// The highest sequence number held from a kiosk.
const HELD_MAX_SEQ: &str = "SELECT max(seq) FROM responses WHERE kiosk_id = $1";
/// The responses held at some of a kiosk's sequence numbers (`$4`, between `$2` and `$3`).
/// The range keeps the index scan to the batch's numbers with or without statistics: without
/// them the planner takes `seq = ANY` alone for unselective and reads every response of the
/// kiosk, batch after batch.
const HELD_SEQS: &str = "SELECT seq, id FROM responses WHERE kiosk_id = $1 AND seq BETWEEN $2 AND $3 AND seq = ANY($4)";

/// Records events with sequence numbers (arrays of kind, kiosk, seq, detail), each unless it is
/// recorded already.
const EVENTS_WITH_SEQ: &str = "INSERT INTO events (kind, kiosk_id, seq, detail) \
    SELECT t.kind, t.kiosk_id, t.seq, t.detail FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[]) \
    AS t(kind, kiosk_id, seq, detail) WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.kiosk_id = t.kiosk_id \
    AND e.seq = t.seq AND e.kind = t.kind AND e.detail = t.detail)";
/// Records an event without a sequence number unless it is recorded already.
const EVENT_WITHOUT_SEQ: &str = "INSERT INTO events (kind, kiosk_id, detail) SELECT $1, $2, $3 \
    WHERE NOT EXISTS (SELECT 1 FROM events WHERE kiosk_id = $2 AND seq IS NULL AND kind = $1 AND detail = $3)";

/// A database error with what the server said: PostgreSQL's own message, SQLSTATE code, detail
/// and hint (tokio-postgres shows only "db error" for them). Connection strings are never part
/// of these errors.
pub(in crate::centre) fn db<E: std::error::Error + 'static>(e: E) -> Error {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(cause) = source {
        if let Some(server) = cause.downcast_ref::<tokio_postgres::error::DbError>() {
            use tokio_postgres::error::SqlState;
            // Text PostgreSQL cannot hold (a NUL character) is the input's fault, not the
            // database's: the caller answers 400 naming it, never 500.
            if [
                SqlState::CHARACTER_NOT_IN_REPERTOIRE,
                SqlState::UNTRANSLATABLE_CHARACTER,
            ]
            .contains(server.code())
            {
                return Error::Invalid(format!("text the database cannot store ({})", server.message()));
            }
            return Error::Database(describe(server));
        }
        source = cause.source();
    }
    // Other errors (connection, pool): the whole chain, since the top line alone is often vague.
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let more = cause.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = cause.source();
    }
    Error::Database(text)
}

/// "ERROR 53100: could not extend file …: No space left on device (detail: …; hint: …)".
fn describe(e: &tokio_postgres::error::DbError) -> String {
    let mut text = format!("PostgreSQL {} {}: {}", e.severity(), e.code().code(), e.message());
    for (label, part) in [("detail", e.detail()), ("hint", e.hint())] {
        if let Some(part) = part {
            text.push_str(&format!("; {label}: {part}"));
        }
    }
    text
}

/// A centre database on a PostgreSQL server.
pub struct PostgresCentre {
    pool: Pool,
    runtime: Option<tokio::runtime::Runtime>,
    tz: chrono_tz::Tz,
}

impl Drop for PostgresCentre {
    fn drop(&mut self) {
        // Dropping a runtime may happen inside the server's own runtime: do it without waiting.
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

impl PostgresCentre {
    /// Connects to `url` (`postgres://user@host:port/db`) and migrates the schema; days are
    /// counted in `tz`. The schema lives in the `search_path`'s first schema.
    pub fn open(url: &str, tz: chrono_tz::Tz) -> Result<PostgresCentre, Error> {
        let config: tokio_postgres::Config = url.parse().map_err(|e| Error::Database(format!("database URL: {e}")))?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(db)?;
        let pool = runtime
            .block_on(async {
                Pool::builder(manager)
                    .max_size(16)
                    .runtime(deadpool_postgres::Runtime::Tokio1)
                    .build()
            })
            .map_err(db)?;
        let centre = PostgresCentre {
            pool,
            runtime: Some(runtime),
            tz,
        };
        centre.run(async |pool: &Pool| {
            let mut client = pool.get().await.map_err(db)?;
            let tx = client.transaction().await.map_err(db)?;
            tx.batch_execute(
                "CREATE TABLE IF NOT EXISTS hailong_schema (version INT NOT NULL); LOCK TABLE hailong_schema",
            )
            .await
            .map_err(db)?;
            let version: i32 = match tx
                .query_opt("SELECT version FROM hailong_schema", &[])
                .await
                .map_err(db)?
            {
                Some(row) => row.get(0),
                None => {
                    tx.execute("INSERT INTO hailong_schema VALUES (0)", &[])
                        .await
                        .map_err(db)?;
                    0
                }
            };
            if version as usize > MIGRATIONS.len() {
                return Err(Error::Database(format!(
                    "the database was written by a newer hailong (schema {version})"
                )));
            }
            for (i, migration) in MIGRATIONS.iter().enumerate().skip(version as usize) {
                tx.batch_execute(migration.sql).await.map_err(|e| match db(e) {
                    Error::Database(why) => Error::Database(format!("schema migration {}: {why}", migration.name)),
                    other => other,
                })?;
                let after = STEPS.after(i, version as usize);
                if after.backfill {
                    backfill_tallies(&tx, tz).await?;
                }
                if let Some(stamps) = after.rebuild_facility {
                    rebuild_facility_tallies(&tx, stamps).await?;
                }
                if after.slugs {
                    fill_slugs(&tx).await?;
                }
                tx.execute("UPDATE hailong_schema SET version = $1", &[&((i + 1) as i32)])
                    .await
                    .map_err(db)?;
            }
            tx.commit().await.map_err(db)
        })?;
        Ok(centre)
    }

    pub(in crate::centre) fn run<T>(&self, f: impl AsyncFnOnce(&Pool) -> Result<T, Error>) -> Result<T, Error> {
        let runtime = self.runtime.as_ref().expect("the runtime lives as long as the backend");
        runtime.block_on(f(&self.pool))
    }
}

/// Tallies every stored response (run once, by the migration that added the table), reading
/// the responses a thousand at a time through a cursor.
async fn backfill_tallies(tx: &tokio_postgres::Transaction<'_>, tz: chrono_tz::Tz) -> Result<(), Error> {
    let portal = tx
        .bind(
            "SELECT kiosk_id, facility_id, body FROM responses ORDER BY kiosk_id, seq",
            &[],
        )
        .await
        .map_err(db)?;
    let mut backfill = store::Backfill::default();
    loop {
        let rows = tx.query_portal(&portal, 1000).await.map_err(db)?;
        if rows.is_empty() {
            break;
        }
        for row in rows {
            if let Some((kiosk_id, facility_id, adds)) = backfill.add(row.get(0), row.get(1), row.get(2), tz)? {
                merge_tallies(tx, &kiosk_id, facility_id, adds).await?;
            }
        }
    }
    if let Some((kiosk_id, facility_id, adds)) = backfill.finish() {
        merge_tallies(tx, &kiosk_id, facility_id, adds).await?;
    }
    Ok(())
}

/// Recomputes the facility roll-up from the kiosks' monthly tallies, a facility at a time
/// (bumping every stamp when the migration running it comes after `tally_stamps`).
async fn rebuild_facility_tallies(tx: &tokio_postgres::Transaction<'_>, stamps: bool) -> Result<(), Error> {
    tx.batch_execute("DELETE FROM tallies_facility").await.map_err(db)?;
    if stamps {
        tx.batch_execute(&format!("UPDATE tally_stamps SET version = {NEW_STAMP}"))
            .await
            .map_err(db)?;
    }
    let portal = tx
        .bind(
            "SELECT local_day, department, questionnaire_id, questionnaire_version, rapid_repeat, data, facility_id, \
             channel, point FROM tallies_month ORDER BY facility_id",
            &[],
        )
        .await
        .map_err(db)?;
    let mut current: Option<i64> = None;
    let mut adds: BTreeMap<TallyKey, Tally> = BTreeMap::new();
    loop {
        let rows = tx.query_portal(&portal, 1000).await.map_err(db)?;
        if rows.is_empty() {
            break;
        }
        for row in rows {
            let facility_id: i64 = row.get(6);
            if let Some(c) = current.filter(|c| *c != facility_id) {
                merge_facility_tallies(tx, c, std::mem::take(&mut adds), stamps).await?;
            }
            current = Some(facility_id);
            adds.entry(tally_key(&row, 7)?)
                .or_default()
                .merge(&store::parse_tally(row.get(5))?);
        }
    }
    if let Some(c) = current {
        merge_facility_tallies(tx, c, adds, stamps).await?;
    }
    Ok(())
}

/// Adds a kiosk's monthly tallies (`monthly`, keyed by the month's first day) to its facility's
/// roll-up (inside the caller's transaction). The facility's row is locked first (`FOR NO KEY
/// UPDATE`, which the foreign keys' share locks do not wait for): the kiosks of one facility add
/// to the same rows, and two batches reading a row before either wrote it would lose one's
/// addition. With `stamps`, the stamp of each month they touch is bumped too.
async fn merge_facility_tallies(
    tx: &tokio_postgres::Transaction<'_>,
    facility_id: i64,
    mut monthly: BTreeMap<TallyKey, Tally>,
    stamps: bool,
) -> Result<(), Error> {
    if monthly.is_empty() {
        return Ok(());
    }
    tx.execute(
        "SELECT id FROM facilities WHERE id = $1 FOR NO KEY UPDATE",
        &[&facility_id],
    )
    .await
    .map_err(db)?;
    if stamps {
        let mut months: Vec<NaiveDate> = monthly.keys().map(|k| k.day).collect();
        months.dedup(); // the keys are sorted by day first
        tx.execute(
            format!(
                "INSERT INTO tally_stamps (month, facility_id, version) \
                 SELECT m, $2, {NEW_STAMP} FROM UNNEST($1::date[]) AS m \
                 ON CONFLICT (month, facility_id) DO UPDATE SET version = excluded.version"
            )
            .as_str(),
            &[&months, &facility_id],
        )
        .await
        .map_err(db)?;
    }
    add_stored(tx, "tallies_facility", "facility_id", &facility_id, &mut monthly).await?;
    let TallyColumns {
        days,
        departments,
        ids,
        versions,
        rapid,
        channels,
        points,
        data,
    } = TallyColumns::of(&monthly);
    tx.execute(
        "INSERT INTO tallies_facility (local_day, facility_id, department, questionnaire_id, \
         questionnaire_version, rapid_repeat, channel, point, data) \
         SELECT d, $2, dep, q, v, rr, ch, pt, data \
         FROM UNNEST($1::date[], $3::text[], $4::text[], $5::int[], $6::bool[], $7::text[], $8::text[], $9::text[]) \
         AS t(d, dep, q, v, rr, data, ch, pt) \
         ON CONFLICT (local_day, facility_id, department, questionnaire_id, questionnaire_version, rapid_repeat, channel, point) \
         DO UPDATE SET data = EXCLUDED.data",
        &[&days, &facility_id, &departments, &ids, &versions, &rapid, &data, &channels, &points],
    )
    .await
    .map_err(db)?;
    Ok(())
}

/// Adds `adds` to the kiosk's stored daily tallies and their monthly roll-up (inside the
/// caller's transaction, which holds the kiosk's row lock, so no other batch changes these
/// rows meanwhile).
async fn merge_tallies(
    tx: &tokio_postgres::Transaction<'_>,
    kiosk_id: &str,
    facility_id: i64,
    adds: BTreeMap<TallyKey, Tally>,
) -> Result<(), Error> {
    let monthly = store::by_month(&adds);
    merge_into(tx, "tallies", kiosk_id, facility_id, adds).await?;
    merge_into(tx, "tallies_month", kiosk_id, facility_id, monthly).await
}

async fn merge_into(
    tx: &tokio_postgres::Transaction<'_>,
    table: &str,
    kiosk_id: &str,
    facility_id: i64,
    mut adds: BTreeMap<TallyKey, Tally>,
) -> Result<(), Error> {
    if adds.is_empty() {
        return Ok(());
    }
    add_stored(tx, table, "kiosk_id", &kiosk_id, &mut adds).await?;
    let TallyColumns {
        days,
        departments,
        ids,
        versions,
        rapid,
        channels,
        points,
        data,
    } = TallyColumns::of(&adds);
    tx.execute(
        &format!(
            "INSERT INTO {table} (local_day, kiosk_id, facility_id, department, questionnaire_id, \
             questionnaire_version, rapid_repeat, channel, point, data) \
             SELECT d, $2, $3, dep, q, v, rr, ch, pt, data \
             FROM UNNEST($1::date[], $4::text[], $5::text[], $6::int[], $7::bool[], $8::text[], $9::text[], $10::text[]) \
             AS t(d, dep, q, v, rr, data, ch, pt) \
             ON CONFLICT (local_day, kiosk_id, department, questionnaire_id, questionnaire_version, rapid_repeat, channel, point) \
             DO UPDATE SET data = EXCLUDED.data"
        ),
        &[&days, &kiosk_id, &facility_id, &departments, &ids, &versions, &rapid, &data, &channels, &points],
    )
    .await
    .map_err(db)?;
    Ok(())
}

/// Adds to `adds` what `table` already holds for the same keys of the owner whose `column` is
/// `owner` (a kiosk's rows, or a facility's roll-up), so writing `adds` back replaces each row
/// with the sum.
async fn add_stored(
    tx: &tokio_postgres::Transaction<'_>,
    table: &str,
    column: &str,
    owner: &(dyn tokio_postgres::types::ToSql + Sync),
    adds: &mut BTreeMap<TallyKey, Tally>,
) -> Result<(), Error> {
    let days: Vec<NaiveDate> = adds.keys().map(|k| k.day).collect();
    for row in tx
        .query(
            &format!(
                "SELECT local_day, department, questionnaire_id, questionnaire_version, rapid_repeat, data, channel, \
                 point FROM {table} WHERE {column} = $1 AND local_day = ANY($2)"
            ),
            &[owner, &days],
        )
        .await
        .map_err(db)?
    {
        if let Some(add) = adds.get_mut(&tally_key(&row, 6)?) {
            add.merge(&store::parse_tally(row.get(5))?);
        }
    }
    Ok(())
}

/// Tallies as the column arrays of an `UNNEST` insert.
struct TallyColumns<'a> {
    days: Vec<NaiveDate>,
    departments: Vec<&'a str>,
    ids: Vec<&'a str>,
    versions: Vec<i32>,
    rapid: Vec<bool>,
    channels: Vec<&'static str>,
    points: Vec<&'a str>,
    data: Vec<String>,
}

impl<'a> TallyColumns<'a> {
    fn of(tallies: &'a BTreeMap<TallyKey, Tally>) -> TallyColumns<'a> {
        let mut c = TallyColumns {
            days: Vec::with_capacity(tallies.len()),
            departments: Vec::with_capacity(tallies.len()),
            ids: Vec::with_capacity(tallies.len()),
            versions: Vec::with_capacity(tallies.len()),
            rapid: Vec::with_capacity(tallies.len()),
            channels: Vec::with_capacity(tallies.len()),
            points: Vec::with_capacity(tallies.len()),
            data: Vec::with_capacity(tallies.len()),
        };
        for (key, tally) in tallies {
            c.days.push(key.day);
            c.departments.push(key.department.as_str());
            c.ids.push(key.questionnaire_id.as_str());
            c.versions.push(key.questionnaire_version as i32);
            c.rapid.push(key.rapid_repeat);
            c.channels.push(key.channel.as_str());
            c.points.push(key.point.as_str());
            c.data.push(store::tally_json(tally));
        }
        c
    }
}

/// A tally row's key: its first five columns, and its channel and point at `at` and `at + 1`.
fn tally_key(row: &tokio_postgres::Row, at: usize) -> Result<TallyKey, Error> {
    let channel: &str = row.get(at);
    Ok(TallyKey {
        day: row.get(0),
        department: row.get(1),
        questionnaire_id: row.get(2),
        questionnaire_version: row.get::<_, i32>(3) as u32,
        rapid_repeat: row.get(4),
        channel: Channel::parse(channel)
            .ok_or_else(|| Error::Corrupt(format!("a stored tally has the channel {channel:?}")))?,
        point: row.get(at + 1),
    })
}

/// A sequence number as SQL sees it (they are positive and below 2^63 in practice).
fn clamp(seq: u64) -> i64 {
    seq.min(i64::MAX as u64) as i64
}

const KIOSK_SELECT: &str = "SELECT k.id, f.name, k.name, k.kiosk_id, k.revoked_at, k.last_seq, s.at, s.waiting \
                            FROM kiosks k JOIN facilities f ON f.id = k.facility_id \
                            LEFT JOIN kiosk_sync s ON s.id = k.id";

fn kiosk_row(row: &tokio_postgres::Row) -> KioskInfo {
    KioskInfo {
        id: row.get(0),
        facility: row.get(1),
        name: row.get(2),
        kiosk_id: row.get(3),
        revoked_at: row.get::<_, Option<DateTime<Utc>>>(4),
        last_seq: row.get::<_, i64>(5) as u64,
        last_sync_at: row.get::<_, Option<DateTime<Utc>>>(6),
        waiting: row.get::<_, Option<i64>>(7).map(|n| n.max(0) as u64),
    }
}

/// This backend's steps of [`ingest::run`], inside one transaction.
struct Steps<'c> {
    tx: deadpool_postgres::Transaction<'c>,
}

impl ingest::Steps for Steps<'_> {
    async fn lock(&mut self, enrolment: &str) -> Result<ingest::Locked, Error> {
        let row = self
            .tx
            .query_one(
                "SELECT kiosk_id, facility_id, last_seq, last_hash FROM kiosks WHERE id = $1 FOR UPDATE",
                &[&enrolment],
            )
            .await
            .map_err(db)?;
        Ok(ingest::Locked {
            bound: row.get(0),
            facility_id: row.get(1),
            last: (row.get::<_, i64>(2) as u64, row.get(3)),
        })
    }

    async fn enrolment_of(&mut self, kiosk_id: &str) -> Result<Option<String>, Error> {
        let row = self
            .tx
            .query_opt("SELECT id FROM kiosks WHERE kiosk_id = $1", &[&kiosk_id])
            .await
            .map_err(db)?;
        Ok(row.map(|r| r.get(0)))
    }

    async fn known(&mut self, kiosk_id: &str, ids: &[String], seqs: &[i64], known: &mut Known) -> Result<(), Error> {
        for row in self.tx.query(HELD_IDS, &[&ids]).await.map_err(db)? {
            known.hashes.insert(row.get(0), row.get(1));
        }
        // Only sequence numbers up to the highest held can be taken; a batch of new responses
        // (the usual case) has none, and needs no second lookup.
        let held: Option<i64> = self.tx.query_one(HELD_MAX_SEQ, &[&kiosk_id]).await.map_err(db)?.get(0);
        let seqs: Vec<i64> = seqs.iter().copied().filter(|&s| held.is_some_and(|h| s <= h)).collect();
        if let (Some(&low), Some(&high)) = (seqs.iter().min(), seqs.iter().max()) {
            for row in self
                .tx
                .query(HELD_SEQS, &[&kiosk_id, &low, &high, &seqs])
                .await
                .map_err(db)?
            {
                known.seqs.insert(row.get::<_, i64>(0) as u64, row.get(1));
            }
        }
        Ok(())
    }

    async fn bind(&mut self, enrolment: &str, kiosk_id: &str) -> Result<(), Error> {
        // Two new enrolments naming one kiosk at the same moment: the second finds the kiosk id
        // taken (unique) and gets the same answer as if it had come later.
        match self
            .tx
            .execute(
                "UPDATE kiosks SET kiosk_id = $2 WHERE id = $1",
                &[&enrolment, &kiosk_id],
            )
            .await
        {
            Err(e) if e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION) => Err(
                store::enrolled_elsewhere(kiosk_id, "another enrolment, made at the same time"),
            ),
            other => other.map(|_| ()).map_err(db),
        }
    }

    async fn insert(&mut self, kiosk_id: &str, facility_id: i64, rows: &[ingest::Row<'_>]) -> Result<(), Error> {
        // One binary COPY for the whole batch: PostgreSQL writes the rows in bulk.
        let sink = self
            .tx
            .copy_in(
                "COPY responses (id, kiosk_id, seq, facility_id, department, local_day, hash, body, \
                 clock_suspect, channel, point) FROM STDIN (FORMAT binary)",
            )
            .await
            .map_err(db)?;
        let types = [
            Type::TEXT,
            Type::TEXT,
            Type::INT8,
            Type::INT8,
            Type::TEXT,
            Type::DATE,
            Type::TEXT,
            Type::TEXT,
            Type::BOOL,
            Type::TEXT,
            Type::TEXT,
        ];
        let mut writer = std::pin::pin!(BinaryCopyInWriter::new(sink, &types));
        for row in rows {
            writer
                .as_mut()
                .write(&[
                    &row.id,
                    &kiosk_id,
                    &row.seq,
                    &facility_id,
                    &row.department,
                    &row.day,
                    &row.hash,
                    &row.body,
                    &row.clock_suspect,
                    &row.channel.as_str(),
                    &row.point,
                ])
                .await
                .map_err(db)?;
        }
        writer.finish().await.map_err(db)?;
        Ok(())
    }

    async fn tallies(
        &mut self,
        kiosk_id: &str,
        facility_id: i64,
        daily: BTreeMap<TallyKey, Tally>,
        monthly: BTreeMap<TallyKey, Tally>,
    ) -> Result<(), Error> {
        merge_tallies(&self.tx, kiosk_id, facility_id, daily).await?;
        merge_facility_tallies(&self.tx, facility_id, monthly, true).await
    }

    async fn events(&mut self, kiosk_id: &str, events: &[Event]) -> Result<(), Error> {
        for e in events {
            self.tx
                .execute(
                    "INSERT INTO events (kind, kiosk_id, seq, detail) VALUES ($1, $2, $3, $4)",
                    &[&e.kind, &kiosk_id, &e.seq.map(clamp), &e.detail],
                )
                .await
                .map_err(db)?;
        }
        Ok(())
    }

    async fn finish(self, enrolment: &str, last: &(u64, String), waiting: Option<u64>) -> Result<(), Error> {
        self.tx
            .execute(
                "UPDATE kiosks SET last_seq = $2, last_hash = $3 WHERE id = $1",
                &[&enrolment, &clamp(last.0), &last.1],
            )
            .await
            .map_err(db)?;
        self.tx
            .execute(
                "INSERT INTO kiosk_sync (id, at, waiting) VALUES ($1, now(), $2) \
                 ON CONFLICT (id) DO UPDATE SET at = excluded.at, waiting = excluded.waiting",
                &[&enrolment, &waiting.map(clamp)],
            )
            .await
            .map_err(db)?;
        self.tx.commit().await.map_err(db)
    }
}

impl PostgresCentre {
    /// The enrolments (kiosks', or the chains the centre keeps) that `condition` picks, by
    /// facility and name.
    fn enrolments(&self, condition: &str) -> Result<Vec<KioskInfo>, Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let rows = client
                .query(
                    &format!("{KIOSK_SELECT} WHERE {condition} ORDER BY f.name, k.name"),
                    &[],
                )
                .await
                .map_err(db)?;
            Ok(rows.iter().map(kiosk_row).collect())
        })
    }
}

impl CentreStore for PostgresCentre {
    fn add_kiosk(&self, facility: &str, name: &str, token_hash: &str) -> Result<KioskInfo, Error> {
        self.run(async |pool: &Pool| {
            let mut client = pool.get().await.map_err(db)?;
            let tx = client.transaction().await.map_err(db)?;
            let holder: Option<String> = tx
                .query_opt(
                    "SELECT name FROM facilities WHERE slug = $1",
                    &[&crate::text::slug(facility)],
                )
                .await
                .map_err(db)?
                .map(|r| r.get(0));
            let slug = store::new_facility_slug(facility, holder)?;
            tx.execute(
                "INSERT INTO facilities (name, slug) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
                &[&facility, &slug],
            )
            .await
            .map_err(db)?;
            let facility_id: i64 = tx
                .query_one("SELECT id FROM facilities WHERE name = $1", &[&facility])
                .await
                .map_err(db)?
                .get(0);
            let id = uuid::Uuid::now_v7().to_string();
            tx.execute(
                "INSERT INTO kiosks (id, facility_id, name, token_hash, last_hash) VALUES ($1, $2, $3, $4, $5)",
                &[&id, &facility_id, &name, &token_hash, &GENESIS],
            )
            .await
            .map_err(db)?;
            tx.commit().await.map_err(db)?;
            Ok(KioskInfo::enrolled(id, facility, name))
        })
    }

    fn kiosks(&self) -> Result<Vec<KioskInfo>, Error> {
        self.enrolments("k.chain_channel IS NULL")
    }

    fn facility_by_slug(&self, slug: &str) -> Result<Option<String>, Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let row = client
                .query_opt("SELECT name FROM facilities WHERE slug = $1", &[&slug])
                .await
                .map_err(db)?;
            Ok(row.map(|r| r.get(0)))
        })
    }

    fn facility_list(&self) -> Result<Vec<store::FacilityInfo>, Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let rows = client
                .query(
                    "SELECT f.name, f.slug, (SELECT count(*) FROM kiosks k WHERE k.facility_id = f.id) FROM facilities f ORDER BY f.name",
                    &[],
                )
                .await
                .map_err(db)?;
            Ok(rows
                .iter()
                .map(|r| store::FacilityInfo {
                    name: r.get(0),
                    slug: r.get(1),
                    kiosks: r.get::<_, i64>(2) as u64,
                })
                .collect())
        })
    }

    fn rename_facility(&self, from: &str, to: &str, by: &str, at: DateTime<Utc>) -> Result<(), Error> {
        self.run(async |pool: &Pool| {
            let mut client = pool.get().await.map_err(db)?;
            let tx = client.transaction().await.map_err(db)?;
            let id = facility_id(&tx, from).await?;
            let holder: Option<String> = tx
                .query_opt(
                    "SELECT name FROM facilities WHERE slug = $1 AND id <> $2",
                    &[&crate::text::slug(to), &id],
                )
                .await
                .map_err(db)?
                .map(|r| r.get(0));
            let slug = store::new_facility_slug(to, holder)?;
            tx.execute(
                "UPDATE facilities SET name = $2, slug = $3 WHERE id = $1",
                &[&id, &to, &slug],
            )
            .await
            .map_err(db)?;
            for table in ["users", "report_texts", "public_snapshots"] {
                tx.execute(
                    &format!("UPDATE {table} SET facility = $2 WHERE facility = $1"),
                    &[&from, &to],
                )
                .await
                .map_err(db)?;
            }
            move_items(&tx, from, to, by, at).await?;
            record_facility_event(&tx, &format!("facility “{from}” renamed “{to}” by {by}"), at).await?;
            tx.commit().await.map_err(db)
        })
    }

    fn merge_facility(&self, from: &str, into: &str, by: &str, at: DateTime<Utc>) -> Result<(), Error> {
        self.run(async |pool: &Pool| {
            let mut client = pool.get().await.map_err(db)?;
            let tx = client.transaction().await.map_err(db)?;
            let (from_id, into_id) = (facility_id(&tx, from).await?, facility_id(&tx, into).await?);
            if from_id == into_id {
                return Err(Error::Invalid(format!("“{from}” and “{into}” are one facility")));
            }
            // One merge at a time, and no batch in between: the roll-up is made again below.
            tx.batch_execute("LOCK TABLE tallies_facility IN EXCLUSIVE MODE")
                .await
                .map_err(db)?;
            // A chain the centre keeps, or a standing poster, that `into` has for the same channel
            // (or form) and point: the one that goes keeps its responses and is set aside, so that
            // new answers have one place to go (the chain under a marked point, the poster retired).
            tx.execute(
                "UPDATE kiosks k SET chain_point = k.chain_point || ' ← ' || $3 \
                 WHERE k.facility_id = $1 AND k.chain_channel IS NOT NULL AND EXISTS (SELECT 1 FROM kiosks o \
                 WHERE o.facility_id = $2 AND o.chain_channel = k.chain_channel AND o.chain_point = k.chain_point)",
                &[&from_id, &into_id, &from],
            )
            .await
            .map_err(db)?;
            tx.execute(
                "UPDATE printed_codes c SET retired_at = $3 \
                 WHERE c.facility_id = $1 AND c.kind = 'poster' AND c.retired_at IS NULL AND EXISTS (SELECT 1 FROM printed_codes o \
                 WHERE o.facility_id = $2 AND o.kind = 'poster' AND o.retired_at IS NULL \
                 AND o.point = c.point AND o.questionnaire_id = c.questionnaire_id)",
                &[&from_id, &into_id, &at],
            )
            .await
            .map_err(db)?;
            for table in [
                "kiosks",
                "responses",
                "tallies",
                "tallies_month",
                "printed_codes",
                "phone_sessions",
            ] {
                tx.execute(
                    &format!("UPDATE {table} SET facility_id = $2 WHERE facility_id = $1"),
                    &[&from_id, &into_id],
                )
                .await
                .map_err(db)?;
            }
            tx.execute("DELETE FROM tally_stamps WHERE facility_id = $1", &[&from_id])
                .await
                .map_err(db)?;
            rebuild_facility_tallies(&tx, true).await?;
            tx.execute("UPDATE users SET facility = $2 WHERE facility = $1", &[&from, &into])
                .await
                .map_err(db)?;
            tx.execute(
                "UPDATE report_texts r SET actions = r.actions || E'\\n\\n' || o.actions \
                 FROM report_texts o WHERE o.facility = $1 AND r.facility = $2 AND o.period = r.period",
                &[&from, &into],
            )
            .await
            .map_err(db)?;
            tx.execute(
                "DELETE FROM report_texts WHERE facility = $1 AND period IN (SELECT period FROM report_texts WHERE facility = $2)",
                &[&from, &into],
            )
            .await
            .map_err(db)?;
            tx.execute("UPDATE report_texts SET facility = $2 WHERE facility = $1", &[&from, &into])
                .await
                .map_err(db)?;
            tx.execute("DELETE FROM public_snapshots WHERE facility IN ($1, $2)", &[&from, &into])
                .await
                .map_err(db)?;
            move_items(&tx, from, into, by, at).await?;
            tx.execute("DELETE FROM facilities WHERE id = $1", &[&from_id])
                .await
                .map_err(db)?;
            record_facility_event(&tx, &format!("facility “{from}” merged into “{into}” by {by}"), at).await?;
            tx.commit().await.map_err(db)
        })
    }

    fn facility_names(&self) -> Result<Vec<String>, Error> {
        let mut names: Vec<String> = self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let rows = client
                .query(
                    "SELECT name FROM facilities f WHERE f.id IN (SELECT DISTINCT facility_id FROM kiosks)",
                    &[],
                )
                .await
                .map_err(db)?;
            Ok(rows.iter().map(|r| r.get(0)).collect())
        })?;
        names.sort();
        Ok(names)
    }

    fn kiosks_of(&self, facility: &str) -> Result<Vec<KioskInfo>, Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let rows = client
                .query(
                    &format!("{KIOSK_SELECT} WHERE f.name = $1 AND k.chain_channel IS NULL ORDER BY f.name, k.name"),
                    &[&facility],
                )
                .await
                .map_err(db)?;
            Ok(rows.iter().map(kiosk_row).collect())
        })
    }

    fn revoke_kiosk(&self, id: &str) -> Result<(), Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let n = client
                .execute(
                    "UPDATE kiosks SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL AND chain_channel IS NULL",
                    &[&id],
                )
                .await
                .map_err(db)?;
            if n == 0 {
                return Err(Error::NotFound(format!("no active kiosk enrolment with id {id}")));
            }
            Ok(())
        })
    }

    fn renew_kiosk(&self, id: &str, token_hash: &str) -> Result<KioskInfo, Error> {
        self.run(async |pool: &Pool| {
            let mut client = pool.get().await.map_err(db)?;
            let tx = client.transaction().await.map_err(db)?;
            // An enrolment id first; a kiosk id (which a kiosk chooses) only when no enrolment
            // has it.
            let mut n = tx
                .execute(
                    "UPDATE kiosks SET token_hash = $2, revoked_at = NULL WHERE id = $1 AND chain_channel IS NULL",
                    &[&id, &token_hash],
                )
                .await
                .map_err(db)?;
            if n == 0 {
                n = tx
                    .execute(
                        "UPDATE kiosks SET token_hash = $2, revoked_at = NULL WHERE kiosk_id = $1 AND chain_channel IS NULL",
                        &[&id, &token_hash],
                    )
                    .await
                    .map_err(db)?;
            }
            if n != 1 {
                return Err(Error::NotFound(format!("no kiosk enrolment or kiosk with id {id}")));
            }
            let row = tx
                .query_one(&format!("{KIOSK_SELECT} WHERE k.token_hash = $1"), &[&token_hash])
                .await
                .map_err(db)?;
            tx.commit().await.map_err(db)?;
            Ok(kiosk_row(&row))
        })
    }

    fn kiosk_by_token(&self, token_hash: &str) -> Result<Option<KioskInfo>, Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let row = client
                .query_opt(&format!("{KIOSK_SELECT} WHERE k.token_hash = $1"), &[&token_hash])
                .await
                .map_err(db)?;
            Ok(row.as_ref().map(kiosk_row))
        })
    }

    fn add_read_token(&self, name: &str, token_hash: &str) -> Result<(), Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            client
                .execute(
                    "INSERT INTO read_tokens (name, token_hash) VALUES ($1, $2)",
                    &[&name, &token_hash],
                )
                .await
                .map_err(db)?;
            Ok(())
        })
    }

    fn read_token_exists(&self, token_hash: &str) -> Result<bool, Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            Ok(client
                .query_opt(
                    "SELECT 1 FROM read_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
                    &[&token_hash],
                )
                .await
                .map_err(db)?
                .is_some())
        })
    }

    fn read_tokens(&self) -> Result<Vec<store::ReadToken>, Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let rows = client
                .query(
                    "SELECT id, name, created_at, revoked_at FROM read_tokens ORDER BY id",
                    &[],
                )
                .await
                .map_err(db)?;
            Ok(rows
                .iter()
                .map(|r| store::ReadToken {
                    id: r.get(0),
                    name: r.get(1),
                    created_at: r.get(2),
                    revoked_at: r.get(3),
                })
                .collect())
        })
    }

    fn revoke_read_token(&self, id: i64) -> Result<(), Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let n = client
                .execute(
                    "UPDATE read_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL",
                    &[&id],
                )
                .await
                .map_err(db)?;
            if n == 0 {
                return Err(Error::NotFound(format!("no active read token with id {id}")));
            }
            Ok(())
        })
    }

    fn check_writable(&self) -> Result<(), Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            client
                .execute(
                    "INSERT INTO health (id, at) VALUES (1, now()) ON CONFLICT (id) DO UPDATE SET at = excluded.at",
                    &[],
                )
                .await
                .map_err(db)?;
            Ok(())
        })
    }

    fn ingest(
        &self,
        enrolment: &KioskInfo,
        kiosk_id: &str,
        responses: &[StoredResponse],
        waiting: Option<u64>,
        catalog: &Catalog,
    ) -> Result<BatchResult, Error> {
        // The CPU work first, before a connection and the enrolment's row lock are taken.
        let prepared = ingest::prepare(
            responses,
            kiosk_id,
            catalog,
            ingest::KIOSK_CHANNELS,
            Utc::now(),
            self.tz,
        );
        let batch = ingest::Batch {
            enrolment,
            kiosk_id,
            responses,
            waiting,
            tz: self.tz,
        };
        self.run(async |pool: &Pool| {
            let mut client = pool.get().await.map_err(db)?;
            let tx = client.transaction().await.map_err(db)?;
            ingest::run(Steps { tx }, batch, prepared).await
        })
    }

    fn chains(&self) -> Result<Vec<KioskInfo>, Error> {
        self.enrolments("k.chain_channel IS NOT NULL")
    }

    fn chain(&self, facility: &str, channel: crate::survey::Channel, point: &str) -> Result<KioskInfo, Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let facility_id: i64 = client
                .query_opt("SELECT id FROM facilities WHERE name = $1", &[&facility])
                .await
                .map_err(db)?
                .ok_or_else(|| Error::NotFound(format!("no facility named {facility:?}")))?
                .get(0);
            let id = uuid::Uuid::now_v7().to_string();
            client
                .execute(
                    "INSERT INTO kiosks (id, facility_id, name, token_hash, kiosk_id, last_hash, chain_channel, chain_point) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                     ON CONFLICT (facility_id, chain_channel, chain_point) WHERE chain_channel IS NOT NULL DO NOTHING",
                    &[
                        &id,
                        &facility_id,
                        &store::chain_name(channel, point),
                        &format!("chain:{id}"),
                        &format!("centre-{id}"),
                        &GENESIS,
                        &channel.as_str(),
                        &point,
                    ],
                )
                .await
                .map_err(db)?;
            let row = client
                .query_one(
                    &format!("{KIOSK_SELECT} WHERE k.facility_id = $1 AND k.chain_channel = $2 AND k.chain_point = $3"),
                    &[&facility_id, &channel.as_str(), &point],
                )
                .await
                .map_err(db)?;
            Ok(kiosk_row(&row))
        })
    }

    fn append(&self, own: ingest::Own<'_>, catalog: &Catalog) -> Result<ingest::Appended, Error> {
        self.run(async |pool: &Pool| {
            let mut client = pool.get().await.map_err(db)?;
            let tx = client.transaction().await.map_err(db)?;
            ingest::append(Steps { tx }, own, catalog).await
        })
    }

    fn walk_responses(
        &self,
        scope: &Scope,
        f: &mut dyn FnMut(StoredResponse) -> std::ops::ControlFlow<()>,
    ) -> Result<(), Error> {
        // Keyset pages: after the last (kiosk, seq) read, so no page holds a connection long.
        let mut after = (String::new(), 0i64);
        loop {
            let page = self.run(async |pool: &Pool| {
                let client = pool.get().await.map_err(db)?;
                client
                    .query(
                        "SELECT r.kiosk_id, r.seq, r.body FROM responses r JOIN facilities f ON f.id = r.facility_id \
                         WHERE ($1::date IS NULL OR r.local_day >= $1) AND ($2::date IS NULL OR r.local_day <= $2) \
                         AND NOT r.clock_suspect \
                         AND ($3::text IS NULL OR f.name = $3) AND ($4::text IS NULL OR r.kiosk_id = $4) \
                         AND ($5::text IS NULL OR r.department = $5) AND (r.kiosk_id, r.seq) > ($6, $7) \
                         AND ($9::text IS NULL OR r.channel = $9) AND ($10::text IS NULL OR r.point = $10) \
                         ORDER BY r.kiosk_id, r.seq LIMIT $8",
                        &[
                            &scope.from,
                            &scope.to,
                            &scope.facility,
                            &scope.kiosk,
                            &scope.department,
                            &after.0,
                            &after.1,
                            &(store::RESPONSE_PAGE as i64),
                            &scope.channel.map(Channel::as_str),
                            &scope.point,
                        ],
                    )
                    .await
                    .map_err(db)
            })?;
            let full = page.len() == store::RESPONSE_PAGE;
            for row in page {
                let body: String = row.get(2);
                let r: StoredResponse = serde_json::from_str(&body).map_err(|e| Error::Corrupt(e.to_string()))?;
                if f(r).is_break() {
                    return Ok(());
                }
                after = (row.get(0), row.get(1));
            }
            if !full {
                return Ok(());
            }
        }
    }

    fn report_actions(&self, facility: &str, period: &str) -> Result<Option<(String, String, DateTime<Utc>)>, Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let row = client
                .query_opt(
                    "SELECT actions, updated_by, updated_at FROM report_texts WHERE facility = $1 AND period = $2",
                    &[&facility, &period],
                )
                .await
                .map_err(db)?;
            Ok(row.map(|r| (r.get(0), r.get(1), r.get(2))))
        })
    }

    fn set_report_actions(&self, facility: &str, period: &str, text: &str, by: &str) -> Result<(), Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            client
                .execute(
                    "INSERT INTO report_texts (facility, period, actions, updated_by) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (facility, period) DO UPDATE SET actions = excluded.actions, \
                     updated_by = excluded.updated_by, updated_at = now()",
                    &[&facility, &period, &text, &by],
                )
                .await
                .map_err(db)?;
            Ok(())
        })
    }

    fn public_snapshot(&self, facility: &str, period: &str) -> Result<Option<(NaiveDate, String)>, Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let row = client
                .query_opt(
                    "SELECT taken_on, data FROM public_snapshots WHERE facility = $1 AND period = $2",
                    &[&facility, &period],
                )
                .await
                .map_err(db)?;
            Ok(row.map(|r| (r.get(0), r.get(1))))
        })
    }

    fn save_public_snapshot(
        &self,
        facility: &str,
        period: &str,
        taken_on: NaiveDate,
        data: &str,
    ) -> Result<String, Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            client
                .execute(
                    "INSERT INTO public_snapshots (facility, period, taken_on, data) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (facility, period) DO UPDATE SET taken_on = excluded.taken_on, data = excluded.data \
                     WHERE public_snapshots.taken_on < excluded.taken_on",
                    &[&facility, &period, &taken_on, &data],
                )
                .await
                .map_err(db)?;
            let row = client
                .query_one(
                    "SELECT data FROM public_snapshots WHERE facility = $1 AND period = $2",
                    &[&facility, &period],
                )
                .await
                .map_err(db)?;
            Ok(row.get(0))
        })
    }

    fn latest_comments(&self, scope: &Scope, limit: usize) -> Result<Vec<store::Comment>, Error> {
        let rows = self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            client
                .query(
                    "SELECT r.body FROM responses r JOIN facilities f ON f.id = r.facility_id \
                     WHERE ($1::date IS NULL OR r.local_day >= $1) AND ($2::date IS NULL OR r.local_day <= $2) \
                     AND NOT r.clock_suspect \
                     AND ($3::text IS NULL OR f.name = $3) AND ($4::text IS NULL OR r.kiosk_id = $4) \
                     AND ($5::text IS NULL OR r.department = $5) \
                     AND (r.body LIKE '%\"text\"%' OR r.body LIKE '%\"other\"%') \
                     AND ($7::text IS NULL OR r.channel = $7) AND ($8::text IS NULL OR r.point = $8) \
                     ORDER BY r.local_day DESC, r.received_at DESC LIMIT $6",
                    &[
                        &scope.from,
                        &scope.to,
                        &scope.facility,
                        &scope.kiosk,
                        &scope.department,
                        &(store::COMMENT_SCAN as i64),
                        &scope.channel.map(Channel::as_str),
                        &scope.point,
                    ],
                )
                .await
                .map_err(db)
        })?;
        let mut out = Vec::new();
        for row in rows {
            if let Some(c) = store::comment_of(row.get(0))? {
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
        let parts = ranges.tables();
        let channel = scope.channel.map(Channel::as_str);
        let rows = self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let mut all = Vec::new();
            for (table, (from, to)) in &parts {
                all.extend(
                    client
                        .query(
                            &format!(
                                "SELECT t.local_day, t.department, t.questionnaire_id, t.questionnaire_version, \
                                 t.rapid_repeat, t.data, f.name, t.kiosk_id, t.channel, t.point FROM {table} t \
                                 JOIN facilities f ON f.id = t.facility_id \
                                 WHERE ($1::date IS NULL OR t.local_day >= $1) AND ($2::date IS NULL OR t.local_day <= $2) \
                                 AND ($3::text IS NULL OR f.name = $3) AND ($4::text IS NULL OR t.kiosk_id = $4) \
                                 AND ($5::text IS NULL OR t.department = $5) AND ($6::text IS NULL OR t.channel = $6) \
                                 AND ($7::text IS NULL OR t.point = $7)"
                            ),
                            &[from, to, &scope.facility, &scope.kiosk, &scope.department, &channel, &scope.point],
                        )
                        .await
                        .map_err(db)?,
                );
            }
            Ok(all)
        })?;
        let mut origin = store::TallyOrigin::default();
        for row in rows {
            let (facility, kiosk): (&str, &str) = (row.get(6), row.get(7));
            if origin.facility != facility || origin.kiosk != kiosk {
                origin = store::TallyOrigin {
                    facility: facility.to_string(),
                    kiosk: kiosk.to_string(),
                };
            }
            f(&origin, tally_key(&row, 8)?, store::parse_tally(row.get(5))?);
        }
        Ok(())
    }

    fn for_each_facility_tally(&self, scope: &Scope, f: &mut dyn FnMut(&str, TallyKey, Tally)) -> Result<(), Error> {
        if scope.kiosk.is_some() {
            return self.for_each_tally_row(scope, &mut |origin, key, tally| f(&origin.facility, key, tally));
        }
        let ranges = store::tally_ranges(scope.from, scope.to);
        let parts = ranges.tables();
        let channel = scope.channel.map(Channel::as_str);
        let rows = self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let mut all = Vec::new();
            for (table, (from, to)) in &parts {
                // Whole months from the facility roll-up, the days around them from the kiosks' rows.
                let table = if *table == "tallies_month" { "tallies_facility" } else { table };
                all.extend(
                    client
                        .query(
                            &format!(
                                "SELECT t.local_day, t.department, t.questionnaire_id, t.questionnaire_version, \
                                 t.rapid_repeat, t.data, f.name, t.channel, t.point FROM {table} t \
                                 JOIN facilities f ON f.id = t.facility_id \
                                 WHERE ($1::date IS NULL OR t.local_day >= $1) AND ($2::date IS NULL OR t.local_day <= $2) \
                                 AND ($3::text IS NULL OR f.name = $3) AND ($4::text IS NULL OR t.department = $4) \
                                 AND ($5::text IS NULL OR t.channel = $5) AND ($6::text IS NULL OR t.point = $6)"
                            ),
                            &[from, to, &scope.facility, &scope.department, &channel, &scope.point],
                        )
                        .await
                        .map_err(db)?,
                );
            }
            Ok(all)
        })?;
        for row in rows {
            f(row.get(6), tally_key(&row, 7)?, store::parse_tally(row.get(5))?);
        }
        Ok(())
    }

    fn tally_stamps(
        &self,
        facility: Option<&str>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<store::TallyStamp>, Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let rows = client
                .query(
                    "SELECT f.name, s.month, s.version FROM tally_stamps s JOIN facilities f ON f.id = s.facility_id \
                     WHERE s.month >= $1 AND s.month <= $2 AND ($3::text IS NULL OR f.name = $3)",
                    &[&from, &to, &facility],
                )
                .await
                .map_err(db)?;
            Ok(rows
                .iter()
                .map(|r| store::TallyStamp {
                    facility: r.get(0),
                    month: r.get(1),
                    version: r.get(2),
                })
                .collect())
        })
    }

    fn held_chain(&self, kiosk_id: &str, from: u64, to: u64) -> Result<Vec<(u64, String, String)>, Error> {
        let (from, to) = (clamp(from), clamp(to));
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let rows = client
                .query(
                    "SELECT seq, id, hash FROM responses WHERE kiosk_id = $1 AND seq >= $2 AND seq <= $3 ORDER BY seq",
                    &[&kiosk_id, &from, &to],
                )
                .await
                .map_err(db)?;
            Ok(rows
                .iter()
                .map(|r| (r.get::<_, i64>(0) as u64, r.get(1), r.get(2)))
                .collect())
        })
    }

    fn record_events(&self, events: &[Event]) -> Result<(), Error> {
        self.run(async |pool: &Pool| {
            let mut client = pool.get().await.map_err(db)?;
            let tx = client.transaction().await.map_err(db)?;
            // Events with a sequence number (an audit's, thousands at once) go in one statement
            // per call, each matched against those recorded by one index probe on
            // `events_by_kiosk`; the rare ones without a number one by one (`seq IS NOT
            // DISTINCT FROM` could use no index).
            let (numbered, unnumbered): (Vec<&Event>, Vec<&Event>) = events.iter().partition(|e| e.seq.is_some());
            if !numbered.is_empty() {
                let kinds: Vec<&str> = numbered.iter().map(|e| e.kind.as_str()).collect();
                let kiosks: Vec<&str> = numbered.iter().map(|e| e.kiosk_id.as_str()).collect();
                let seqs: Vec<i64> = numbered.iter().map(|e| e.seq.map_or(0, clamp)).collect();
                let details: Vec<&str> = numbered.iter().map(|e| e.detail.as_str()).collect();
                tx.execute(EVENTS_WITH_SEQ, &[&kinds, &kiosks, &seqs, &details])
                    .await
                    .map_err(db)?;
            }
            let without_seq = tx.prepare(EVENT_WITHOUT_SEQ).await.map_err(db)?;
            for e in unnumbered {
                tx.execute(&without_seq, &[&e.kind, &e.kiosk_id, &e.detail])
                    .await
                    .map_err(db)?;
            }
            tx.commit().await.map_err(db)
        })
    }

    fn events_page(
        &self,
        kiosk: Option<&str>,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<store::RecordedEvent>, Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let rows = client
                .query(
                    "SELECT id, at, kind, kiosk_id, seq, detail FROM events \
                     WHERE ($1::text IS NULL OR kiosk_id = $1) AND ($2::bigint IS NULL OR id < $2) \
                     ORDER BY id DESC LIMIT $3",
                    &[&kiosk, &before, &i64::from(limit)],
                )
                .await
                .map_err(db)?;
            Ok(rows
                .iter()
                .map(|r| store::RecordedEvent {
                    id: r.get(0),
                    at: r.get(1),
                    event: Event {
                        kind: r.get(2),
                        kiosk_id: r.get(3),
                        seq: r.get::<_, Option<i64>>(4).map(|s| s as u64),
                        detail: r.get(5),
                    },
                })
                .collect())
        })
    }

    fn departments(&self) -> Result<Vec<String>, Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let rows = client
                .query(
                    "SELECT DISTINCT department FROM tallies_month WHERE department <> '' ORDER BY department",
                    &[],
                )
                .await
                .map_err(db)?;
            Ok(rows.iter().map(|r| r.get(0)).collect())
        })
    }

    fn event_counts(
        &self,
        facility: Option<&str>,
    ) -> Result<std::collections::HashMap<String, store::EventCounts>, Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let counts = "SELECT e.kiosk_id, count(*) FILTER (WHERE e.kind = 'gap'), \
                          count(*) FILTER (WHERE e.kind = 'tamper'), count(*) FILTER (WHERE e.kind = 'clock') FROM events e";
            let rows = match facility {
                Some(facility) => {
                    client
                        .query(
                            &format!(
                                "{counts} WHERE e.kiosk_id IN (SELECT k.kiosk_id FROM kiosks k \
                                 JOIN facilities f ON f.id = k.facility_id WHERE f.name = $1) GROUP BY e.kiosk_id"
                            ),
                            &[&facility],
                        )
                        .await
                }
                None => client.query(&format!("{counts} GROUP BY e.kiosk_id"), &[]).await,
            }
            .map_err(db)?;
            Ok(rows
                .iter()
                .map(|r| {
                    (
                        r.get::<_, String>(0),
                        store::EventCounts {
                            gaps: r.get::<_, i64>(1) as u64,
                            tampers: r.get::<_, i64>(2) as u64,
                            clock: r.get::<_, i64>(3) as u64,
                        },
                    )
                })
                .collect())
        })
    }

    fn for_each_chain_row(&self, kiosk_id: &str, f: &mut dyn FnMut(store::ChainRow)) -> Result<(), Error> {
        self.run(async |pool: &Pool| {
            let mut client = pool.get().await.map_err(db)?;
            let tx = client.transaction().await.map_err(db)?;
            // Through a cursor, a thousand at a time: a kiosk may hold millions.
            let portal = tx
                .bind(
                    "SELECT seq, hash, body, clock_suspect FROM responses WHERE kiosk_id = $1 ORDER BY seq",
                    &[&kiosk_id],
                )
                .await
                .map_err(db)?;
            loop {
                let rows = tx.query_portal(&portal, 1000).await.map_err(db)?;
                if rows.is_empty() {
                    break;
                }
                for row in rows {
                    f(store::ChainRow {
                        seq: row.get::<_, i64>(0) as u64,
                        hash: row.get(1),
                        body: row.get(2),
                        clock_suspect: row.get(3),
                    });
                }
            }
            tx.commit().await.map_err(db)
        })
    }

    fn stored_tallies(&self, kiosk_id: &str, monthly: bool, f: &mut dyn FnMut(TallyKey, Tally)) -> Result<(), Error> {
        let table = if monthly { "tallies_month" } else { "tallies" };
        let rows = self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            client
                .query(
                    &format!(
                        "SELECT local_day, department, questionnaire_id, questionnaire_version, rapid_repeat, data, \
                         channel, point FROM {table} WHERE kiosk_id = $1"
                    ),
                    &[&kiosk_id],
                )
                .await
                .map_err(db)
        })?;
        for row in rows {
            f(tally_key(&row, 6)?, store::parse_tally(row.get(5))?);
        }
        Ok(())
    }

    fn events(&self) -> Result<Vec<Event>, Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let rows = client
                .query("SELECT kind, kiosk_id, seq, detail FROM events ORDER BY id DESC", &[])
                .await
                .map_err(db)?;
            Ok(rows
                .iter()
                .map(|r| Event {
                    kind: r.get(0),
                    kiosk_id: r.get(1),
                    seq: r.get::<_, Option<i64>>(2).map(|s| s as u64),
                    detail: r.get(3),
                })
                .collect())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The largest "Rows Removed by Filter" in an `EXPLAIN (ANALYZE, FORMAT JSON)` plan node.
    fn most_removed(plan: &serde_json::Value) -> u64 {
        let here = plan["Rows Removed by Filter"].as_u64().unwrap_or(0);
        let below = plan["Plans"]
            .as_array()
            .map_or(0, |plans| plans.iter().map(most_removed).max().unwrap_or(0));
        here.max(below)
    }

    /// The batch lookups read the batch's rows, not every row of the kiosk, on a table the
    /// planner has no statistics for (a new centre, or autovacuum off). The rows are as large
    /// as real ones (a stored response is about 1.3 kB), which the planner weighs.
    #[test]
    fn batch_lookups_read_only_the_batchs_rows_without_statistics() {
        let Some(url) = std::env::var("HAILONG_TEST_POSTGRES_URL")
            .ok()
            .filter(|u| !u.is_empty())
        else {
            assert!(
                std::env::var("HAILONG_REQUIRE_POSTGRES").is_err(),
                "HAILONG_REQUIRE_POSTGRES is set but HAILONG_TEST_POSTGRES_URL is not"
            );
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED: HAILONG_TEST_POSTGRES_URL is not set; the PostgreSQL plans are NOT checked"
            );
            return;
        };
        let schema = format!("hl_plan_{}", uuid::Uuid::now_v7().simple());
        let sep = if url.contains('?') { '&' } else { '?' };
        let scoped = format!("{url}{sep}options=-csearch_path%3D{schema}");
        let rt = tokio::runtime::Runtime::new().unwrap();
        let client = rt.block_on(async {
            let (client, connection) = tokio_postgres::connect(&scoped, NoTls).await.unwrap();
            tokio::spawn(connection);
            client.batch_execute(&format!("CREATE SCHEMA {schema}")).await.unwrap();
            client
        });
        let centre = PostgresCentre::open(&scoped, chrono_tz::Asia::Ho_Chi_Minh).unwrap();
        centre.add_kiosk("TTYT", "Quầy 1", "hash").unwrap();
        let plans = rt.block_on(async {
            client
                .batch_execute(
                    "INSERT INTO responses (id, kiosk_id, seq, facility_id, local_day, hash, body) \
                     SELECT gen_random_uuid()::text, 'k1', g, (SELECT min(id) FROM facilities), \
                     DATE '2026-01-01', 'h', repeat('x', 1300) FROM generate_series(1, 20000) g",
                )
                .await
                .unwrap();
            let seqs: Vec<i64> = (19_001..=19_500).collect();
            let ids: Vec<String> = client
                .query("SELECT id FROM responses WHERE seq > 19500", &[])
                .await
                .unwrap()
                .iter()
                .map(|r| r.get(0))
                .collect();
            let mut plans = Vec::new();
            let kiosk = "k1";
            let cases: [(&str, Vec<&(dyn tokio_postgres::types::ToSql + Sync)>); 3] = [
                (HELD_IDS, vec![&ids]),
                (HELD_MAX_SEQ, vec![&kiosk]),
                (HELD_SEQS, vec![&kiosk, &19_001i64, &19_500i64, &seqs]),
            ];
            for (sql, params) in cases {
                let row = client
                    .query_one(&format!("EXPLAIN (ANALYZE, FORMAT JSON) {sql}"), &params)
                    .await
                    .unwrap();
                let plan: serde_json::Value = row.get(0);
                plans.push((sql, plan));
            }
            client
                .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
                .await
                .unwrap();
            plans
        });
        for (sql, plan) in plans {
            assert!(
                most_removed(&plan[0]["Plan"]) <= 500,
                "{sql} reads rows outside the batch: {plan:#}"
            );
            assert!(!plan.to_string().contains("Seq Scan"), "{sql}: {plan:#}");
        }
    }
}
