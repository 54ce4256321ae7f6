//! The centre's PostgreSQL backend (tokio-postgres with a deadpool pool), for a province that
//! outgrows one SQLite file. The trait is synchronous (the server calls it on blocking threads),
//! so each call runs on this backend's own small runtime.

use chrono::{DateTime, Utc};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::NoTls;

use super::store::{self, CentreStore, Error, Event, KioskInfo, Known, Scope};
use crate::store::{GENESIS, StoredResponse};
use crate::survey::Catalog;
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
"];

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
            Ok(KioskInfo {
                id,
                facility: facility.to_string(),
                name: name.to_string(),
                kiosk_id: None,
                revoked_at: None,
                last_seq: 0,
            })
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
                Some(b) if b != kiosk_id => {
                    let mut result = BatchResult::default();
                    for r in responses {
                        result
                            .rejected
                            .push(store::rejected(r, format!("this token belongs to kiosk {b}")));
                    }
                    return Ok(result);
                }
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
            let plan = store::plan(responses, kiosk_id, known, catalog, Utc::now());
            if !plan.inserts.is_empty() {
                let insert = tx
                    .prepare(
                        "INSERT INTO responses (id, kiosk_id, seq, facility_id, department, local_day, hash, body) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .await
                    .map_err(db)?;
                for r in &plan.inserts {
                    let day = r.response.submitted_at.with_timezone(&tz).date_naive();
                    let body = serde_json::to_string(r).map_err(db)?;
                    tx.execute(
                        &insert,
                        &[
                            &r.response.id.to_string(),
                            &kiosk_id,
                            &(r.seq as i64),
                            &facility_id,
                            &r.response.department,
                            &day,
                            &r.hash,
                            &body,
                        ],
                    )
                    .await
                    .map_err(db)?;
                }
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
