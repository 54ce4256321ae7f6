//! The centre's PostgreSQL backend (tokio-postgres with a deadpool pool), for a province that
//! outgrows one SQLite file. The trait is synchronous (the server calls it on blocking threads),
//! so each call runs on this backend's own small runtime.

use chrono::{DateTime, Utc};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::NoTls;

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::store::{self, CentreStore, Error, Event, KioskInfo, Known, Scope, TallyKey};
use crate::store::{GENESIS, StoredResponse};
use crate::survey::{Catalog, Tally};
use crate::sync::BatchResult;

const MIGRATIONS: &[&str] = &["
CREATE TABLE facilities (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at TIMESTAMPTZ NOT NULL DEFAULT now());
CREATE TABLE kiosks (
    id TEXT PRIMARY KEY,
    facility_id BIGINT NOT NULL REFERENCES facilities(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    kiosk_id TEXT UNIQUE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_at TIMESTAMPTZ,
    last_seq BIGINT NOT NULL DEFAULT 0,
    last_hash TEXT NOT NULL
);
CREATE TABLE read_tokens (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, created_at TIMESTAMPTZ NOT NULL DEFAULT now());
CREATE TABLE responses (
    id TEXT PRIMARY KEY,
    kiosk_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    facility_id BIGINT NOT NULL REFERENCES facilities(id),
    department TEXT,
    local_day DATE NOT NULL,
    hash TEXT NOT NULL,
    body TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (kiosk_id, seq)
);
CREATE INDEX responses_by_day ON responses (local_day);
CREATE TABLE events (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    kiosk_id TEXT NOT NULL,
    seq BIGINT,
    detail TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL DEFAULT now()
);
", "
CREATE TABLE tallies (
    local_day DATE NOT NULL,
    kiosk_id TEXT NOT NULL,
    facility_id BIGINT NOT NULL REFERENCES facilities(id),
    department TEXT NOT NULL,
    questionnaire_id TEXT NOT NULL,
    questionnaire_version INT NOT NULL,
    rapid_repeat BOOLEAN NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (local_day, kiosk_id, department, questionnaire_id, questionnaire_version, rapid_repeat)
);
CREATE TABLE tallies_month (LIKE tallies INCLUDING ALL);
ALTER TABLE tallies_month ADD FOREIGN KEY (facility_id) REFERENCES facilities(id);
"];

/// The migration that added `tallies`: responses stored before it are tallied when it runs.
const TALLIES_MIGRATION: usize = 1;

fn db(e: impl std::fmt::Display) -> Error {
    Error::Database(e.to_string())
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
        let config: tokio_postgres::Config = url.parse().map_err(|e| db(format!("database URL: {e}")))?;
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
                return Err(db(format!(
                    "the database was written by a newer hailong (schema {version})"
                )));
            }
            for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
                tx.batch_execute(sql).await.map_err(db)?;
                if i == TALLIES_MIGRATION {
                    backfill_tallies(&tx, tz).await?;
                }
                tx.execute("UPDATE hailong_schema SET version = $1", &[&((i + 1) as i32)])
                    .await
                    .map_err(db)?;
            }
            tx.commit().await.map_err(db)
        })?;
        Ok(centre)
    }

    fn run<T>(&self, f: impl AsyncFnOnce(&Pool) -> Result<T, Error>) -> Result<T, Error> {
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
    let mut current: Option<(String, i64)> = None;
    let mut adds = BTreeMap::new();
    loop {
        let rows = tx.query_portal(&portal, 1000).await.map_err(db)?;
        if rows.is_empty() {
            break;
        }
        for row in rows {
            let owner: (String, i64) = (row.get(0), row.get(1));
            if current.as_ref().is_some_and(|c| *c != owner) {
                let (kiosk_id, facility_id) = current.take().expect("checked");
                merge_tallies(tx, &kiosk_id, facility_id, std::mem::take(&mut adds)).await?;
            }
            current = Some(owner);
            let r: StoredResponse =
                serde_json::from_str(row.get::<_, &str>(2)).map_err(|e| Error::Corrupt(e.to_string()))?;
            store::add_to_tallies(&mut adds, &r, tz);
        }
    }
    if let Some((kiosk_id, facility_id)) = current {
        merge_tallies(tx, &kiosk_id, facility_id, adds).await?;
    }
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
    let days: Vec<NaiveDate> = adds.keys().map(|k| k.day).collect();
    for row in tx
        .query(
            &format!(
                "SELECT local_day, department, questionnaire_id, questionnaire_version, rapid_repeat, data \
                 FROM {table} WHERE kiosk_id = $1 AND local_day = ANY($2)"
            ),
            &[&kiosk_id, &days],
        )
        .await
        .map_err(db)?
    {
        let key = tally_key(&row);
        if let Some(add) = adds.get_mut(&key) {
            add.merge(&store::parse_tally(row.get(5))?);
        }
    }
    let mut days = Vec::with_capacity(adds.len());
    let mut departments = Vec::with_capacity(adds.len());
    let mut ids = Vec::with_capacity(adds.len());
    let mut versions = Vec::with_capacity(adds.len());
    let mut rapid = Vec::with_capacity(adds.len());
    let mut data = Vec::with_capacity(adds.len());
    for (key, tally) in &adds {
        days.push(key.day);
        departments.push(key.department.as_str());
        ids.push(key.questionnaire_id.as_str());
        versions.push(key.questionnaire_version as i32);
        rapid.push(key.rapid_repeat);
        data.push(store::tally_json(tally));
    }
    tx.execute(
        &format!(
            "INSERT INTO {table} (local_day, kiosk_id, facility_id, department, questionnaire_id, \
             questionnaire_version, rapid_repeat, data) \
             SELECT d, $2, $3, dep, q, v, rr, data \
             FROM UNNEST($1::date[], $4::text[], $5::text[], $6::int[], $7::bool[], $8::text[]) AS t(d, dep, q, v, rr, data) \
             ON CONFLICT (local_day, kiosk_id, department, questionnaire_id, questionnaire_version, rapid_repeat) \
             DO UPDATE SET data = EXCLUDED.data"
        ),
        &[&days, &kiosk_id, &facility_id, &departments, &ids, &versions, &rapid, &data],
    )
    .await
    .map_err(db)?;
    Ok(())
}

fn tally_key(row: &tokio_postgres::Row) -> TallyKey {
    TallyKey {
        day: row.get(0),
        department: row.get(1),
        questionnaire_id: row.get(2),
        questionnaire_version: row.get::<_, i32>(3) as u32,
        rapid_repeat: row.get(4),
    }
}

/// A sequence number as SQL sees it (they are positive and below 2^63 in practice).
fn clamp(seq: u64) -> i64 {
    seq.min(i64::MAX as u64) as i64
}

const KIOSK_SELECT: &str = "SELECT k.id, f.name, k.name, k.kiosk_id, k.revoked_at, k.last_seq \
                            FROM kiosks k JOIN facilities f ON f.id = k.facility_id";

fn kiosk_row(row: &tokio_postgres::Row) -> KioskInfo {
    KioskInfo {
        id: row.get(0),
        facility: row.get(1),
        name: row.get(2),
        kiosk_id: row.get(3),
        revoked_at: row.get::<_, Option<DateTime<Utc>>>(4),
        last_seq: row.get::<_, i64>(5) as u64,
    }
}

impl CentreStore for PostgresCentre {
    fn add_kiosk(&self, facility: &str, name: &str, token_hash: &str) -> Result<KioskInfo, Error> {
        self.run(async |pool: &Pool| {
            let mut client = pool.get().await.map_err(db)?;
            let tx = client.transaction().await.map_err(db)?;
            tx.execute(
                "INSERT INTO facilities (name) VALUES ($1) ON CONFLICT (name) DO NOTHING",
                &[&facility],
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
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let rows = client
                .query(&format!("{KIOSK_SELECT} ORDER BY f.name, k.name"), &[])
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
                    "UPDATE kiosks SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL",
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
                .query_opt("SELECT 1 FROM read_tokens WHERE token_hash = $1", &[&token_hash])
                .await
                .map_err(db)?
                .is_some())
        })
    }

    fn ingest(
        &self,
        enrolment: &KioskInfo,
        kiosk_id: &str,
        responses: &[StoredResponse],
        catalog: &Catalog,
    ) -> Result<BatchResult, Error> {
        let tz = self.tz;
        // The CPU work first, before a connection and the kiosk's row lock are taken.
        let mut prepared = store::prepare(responses, kiosk_id, catalog, Utc::now(), tz);
        self.run(async |pool: &Pool| {
            let mut client = pool.get().await.map_err(db)?;
            let tx = client.transaction().await.map_err(db)?;
            // The kiosk row is locked for the batch: one kiosk's batches are stored one at a time.
            let row = tx
                .query_one(
                    "SELECT kiosk_id, facility_id, last_seq, last_hash FROM kiosks WHERE id = $1 FOR UPDATE",
                    &[&enrolment.id],
                )
                .await
                .map_err(db)?;
            let bound: Option<String> = row.get(0);
            let facility_id: i64 = row.get(1);
            match bound {
                Some(b) if b != kiosk_id => return Ok(store::wrong_kiosk(responses, &b)),
                Some(_) => {}
                None => {
                    tx.execute(
                        "UPDATE kiosks SET kiosk_id = $2 WHERE id = $1",
                        &[&enrolment.id, &kiosk_id],
                    )
                    .await
                    .map_err(db)?;
                }
            }
            let mut known = Known {
                last: (row.get::<_, i64>(2) as u64, row.get(3)),
                ..Known::default()
            };
            let ids: Vec<String> = responses.iter().map(|r| r.response.id.to_string()).collect();
            for row in tx
                .query("SELECT id, hash FROM responses WHERE id = ANY($1)", &[&ids])
                .await
                .map_err(db)?
            {
                known.hashes.insert(row.get(0), row.get(1));
            }
            let seqs: Vec<i64> = responses.iter().map(|r| r.seq as i64).collect();
            for row in tx
                .query(
                    "SELECT seq, id FROM responses WHERE kiosk_id = $1 AND seq = ANY($2)",
                    &[&kiosk_id, &seqs],
                )
                .await
                .map_err(db)?
            {
                known.seqs.insert(row.get::<_, i64>(0) as u64, row.get(1));
            }
            let plan = store::plan(responses, kiosk_id, known, &prepared);
            if !plan.inserts.is_empty() {
                // One statement for the whole batch: arrays unnested server-side.
                let n = plan.inserts.len();
                let (mut ids, mut seqs, mut departments) =
                    (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
                let (mut days, mut hashes, mut bodies) =
                    (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
                for &(i, r) in &plan.inserts {
                    ids.push(r.response.id.to_string());
                    seqs.push(r.seq as i64);
                    departments.push(r.response.department.as_deref());
                    days.push(r.response.submitted_at.with_timezone(&tz).date_naive());
                    hashes.push(r.hash.as_str());
                    bodies.push(prepared.body(i));
                }
                tx.execute(
                    "INSERT INTO responses (id, kiosk_id, seq, facility_id, department, local_day, hash, body) \
                     SELECT id, $2, seq, $3, dep, day, hash, body \
                     FROM UNNEST($1::text[], $4::bigint[], $5::text[], $6::date[], $7::text[], $8::text[]) \
                     AS t(id, seq, dep, day, hash, body)",
                    &[
                        &ids,
                        &kiosk_id,
                        &facility_id,
                        &seqs,
                        &departments,
                        &days,
                        &hashes,
                        &bodies,
                    ],
                )
                .await
                .map_err(db)?;
                let tallies = prepared.tallies_of(&plan, tz);
                merge_tallies(&tx, kiosk_id, facility_id, tallies).await?;
            }
            for e in &plan.events {
                tx.execute(
                    "INSERT INTO events (kind, kiosk_id, seq, detail) VALUES ($1, $2, $3, $4)",
                    &[&e.kind, &kiosk_id, &e.seq.map(|s| s as i64), &e.detail],
                )
                .await
                .map_err(db)?;
            }
            tx.execute(
                "UPDATE kiosks SET last_seq = $2, last_hash = $3 WHERE id = $1",
                &[&enrolment.id, &(plan.last.0 as i64), &plan.last.1],
            )
            .await
            .map_err(db)?;
            tx.commit().await.map_err(db)?;
            Ok(plan.result)
        })
    }

    fn for_each_response(&self, scope: &Scope, f: &mut dyn FnMut(StoredResponse)) -> Result<(), Error> {
        let rows = self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            client
                .query(
                    "SELECT r.body FROM responses r JOIN facilities f ON f.id = r.facility_id \
                     WHERE ($1::date IS NULL OR r.local_day >= $1) AND ($2::date IS NULL OR r.local_day <= $2) \
                     AND ($3::text IS NULL OR f.name = $3) AND ($4::text IS NULL OR r.kiosk_id = $4) \
                     AND ($5::text IS NULL OR r.department = $5) ORDER BY r.kiosk_id, r.seq",
                    &[&scope.from, &scope.to, &scope.facility, &scope.kiosk, &scope.department],
                )
                .await
                .map_err(db)
        })?;
        for row in rows {
            let body: String = row.get(0);
            f(serde_json::from_str(&body).map_err(|e| Error::Corrupt(e.to_string()))?);
        }
        Ok(())
    }

    fn for_each_tally(&self, scope: &Scope, f: &mut dyn FnMut(TallyKey, Tally)) -> Result<(), Error> {
        let ranges = store::tally_ranges(scope.from, scope.to);
        let parts = ranges.tables();
        let rows = self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let mut all = Vec::new();
            for (table, (from, to)) in &parts {
                all.extend(
                    client
                        .query(
                            &format!(
                                "SELECT t.local_day, t.department, t.questionnaire_id, t.questionnaire_version, \
                                 t.rapid_repeat, t.data FROM {table} t JOIN facilities f ON f.id = t.facility_id \
                                 WHERE ($1::date IS NULL OR t.local_day >= $1) AND ($2::date IS NULL OR t.local_day <= $2) \
                                 AND ($3::text IS NULL OR f.name = $3) AND ($4::text IS NULL OR t.kiosk_id = $4) \
                                 AND ($5::text IS NULL OR t.department = $5)"
                            ),
                            &[from, to, &scope.facility, &scope.kiosk, &scope.department],
                        )
                        .await
                        .map_err(db)?,
                );
            }
            Ok(all)
        })?;
        for row in rows {
            f(tally_key(&row), store::parse_tally(row.get(5))?);
        }
        Ok(())
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
            for e in events {
                let seq = e.seq.map(clamp);
                tx.execute(
                    "INSERT INTO events (kind, kiosk_id, seq, detail) SELECT $1, $2, $3, $4 \
                     WHERE NOT EXISTS (SELECT 1 FROM events WHERE kind = $1 AND kiosk_id = $2 \
                     AND seq IS NOT DISTINCT FROM $3 AND detail = $4)",
                    &[&e.kind, &e.kiosk_id, &seq, &e.detail],
                )
                .await
                .map_err(db)?;
            }
            tx.commit().await.map_err(db)
        })
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
