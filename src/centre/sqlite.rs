//! The centre's embedded SQLite backend (rusqlite, the same library as the kiosk's store).

use std::path::Path;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::store::{self, CentreStore, Error, Event, KioskInfo, Known, Scope};
use crate::store::{GENESIS, StoredResponse};
use crate::survey::Catalog;
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
"];

/// A centre database in one SQLite file.
pub struct SqliteCentre {
    conn: Mutex<Connection>,
    tz: chrono_tz::Tz,
}

fn now_text() -> String {
    Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl SqliteCentre {
    /// Opens (creating and migrating) the database at `path`; days are counted in `tz`.
    pub fn open(path: &Path, tz: chrono_tz::Tz) -> Result<SqliteCentre, Error> {
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
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
            tx.commit()?;
        }
        Ok(SqliteCentre {
            conn: Mutex::new(conn),
            tz,
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

const KIOSK_COLUMNS: &str = "k.id, f.name, k.name, k.kiosk_id, k.revoked_at, k.last_seq";

fn kiosk_row(row: &rusqlite::Row) -> rusqlite::Result<KioskInfo> {
    let revoked: Option<String> = row.get(4)?;
    Ok(KioskInfo {
        id: row.get(0)?,
        facility: row.get(1)?,
        name: row.get(2)?,
        kiosk_id: row.get(3)?,
        revoked_at: revoked
            .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
            .map(|t| t.with_timezone(&Utc)),
        last_seq: row.get::<_, i64>(5)? as u64,
    })
}

fn event(
    tx: &rusqlite::Transaction,
    kind: &str,
    kiosk_id: &str,
    seq: Option<u64>,
    detail: &str,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO events (kind, kiosk_id, seq, detail, at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![kind, kiosk_id, seq.map(|s| s as i64), detail, now_text()],
    )?;
    Ok(())
}

impl CentreStore for SqliteCentre {
    fn add_kiosk(&self, facility: &str, name: &str, token_hash: &str) -> Result<KioskInfo, Error> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO facilities (name, created_at) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING",
            params![facility, now_text()],
        )?;
        let facility_id: i64 = tx.query_row("SELECT id FROM facilities WHERE name = ?1", [facility], |r| r.get(0))?;
        let id = uuid::Uuid::now_v7().to_string();
        tx.execute(
            "INSERT INTO kiosks (id, facility_id, name, token_hash, created_at, last_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, facility_id, name, token_hash, now_text(), GENESIS],
        )?;
        tx.commit()?;
        Ok(KioskInfo {
            id,
            facility: facility.to_string(),
            name: name.to_string(),
            kiosk_id: None,
            revoked_at: None,
            last_seq: 0,
        })
    }

    fn kiosks(&self) -> Result<Vec<KioskInfo>, Error> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT {KIOSK_COLUMNS} FROM kiosks k JOIN facilities f ON f.id = k.facility_id ORDER BY f.name, k.name"
        ))?;
        let rows = stmt.query_map([], kiosk_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
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

    fn kiosk_by_token(&self, token_hash: &str) -> Result<Option<KioskInfo>, Error> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {KIOSK_COLUMNS} FROM kiosks k JOIN facilities f ON f.id = k.facility_id WHERE k.token_hash = ?1"),
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
            .query_row("SELECT 1 FROM read_tokens WHERE token_hash = ?1", [token_hash], |_| {
                Ok(())
            })
            .optional()?
            .is_some())
    }

    fn ingest(
        &self,
        enrolment: &KioskInfo,
        kiosk_id: &str,
        responses: &[StoredResponse],
        catalog: &Catalog,
    ) -> Result<BatchResult, Error> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // Bind the enrolment to the kiosk that uses it first; refuse any other kiosk after.
        let (bound, facility_id, last_seq, last_hash): (Option<String>, i64, i64, String) = tx.query_row(
            "SELECT kiosk_id, facility_id, last_seq, last_hash FROM kiosks WHERE id = ?1",
            [&enrolment.id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
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
                    "UPDATE kiosks SET kiosk_id = ?2 WHERE id = ?1",
                    params![enrolment.id, kiosk_id],
                )?;
            }
        }
        let mut known = Known {
            last: (last_seq as u64, last_hash),
            ..Known::default()
        };
        {
            let mut existing = tx.prepare_cached("SELECT hash FROM responses WHERE id = ?1")?;
            let mut at_seq = tx.prepare_cached("SELECT id FROM responses WHERE kiosk_id = ?1 AND seq = ?2")?;
            for r in responses {
                let id = r.response.id.to_string();
                if let Some(hash) = existing.query_row([&id], |row| row.get::<_, String>(0)).optional()? {
                    known.hashes.insert(id, hash);
                }
                if let Some(other) = at_seq
                    .query_row(params![kiosk_id, r.seq as i64], |row| row.get::<_, String>(0))
                    .optional()?
                {
                    known.seqs.insert(r.seq, other);
                }
            }
        }
        let plan = store::plan(responses, kiosk_id, known, catalog, Utc::now());
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO responses (id, kiosk_id, seq, facility_id, department, local_day, hash, body, received_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            let received = now_text();
            for r in &plan.inserts {
                let day = r.response.submitted_at.with_timezone(&self.tz).date_naive().to_string();
                let body = serde_json::to_string(r).map_err(|e| Error::Database(e.to_string()))?;
                insert.execute(params![
                    r.response.id.to_string(),
                    kiosk_id,
                    r.seq as i64,
                    facility_id,
                    r.response.department,
                    day,
                    r.hash,
                    body,
                    received
                ])?;
            }
            for e in &plan.events {
                event(&tx, &e.kind, kiosk_id, e.seq, &e.detail)?;
            }
        }
        let (last_seq, last_hash) = (plan.last.0 as i64, plan.last.1.clone());
        let result = plan.result;
        tx.execute(
            "UPDATE kiosks SET last_seq = ?2, last_hash = ?3 WHERE id = ?1",
            params![enrolment.id, last_seq, last_hash],
        )?;
        tx.commit()?;
        Ok(result)
    }

    fn for_each_response(&self, scope: &Scope, f: &mut dyn FnMut(StoredResponse)) -> Result<(), Error> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT r.body FROM responses r JOIN facilities f ON f.id = r.facility_id \
             WHERE r.local_day >= ?1 AND r.local_day <= ?2 \
             AND (?3 IS NULL OR f.name = ?3) AND (?4 IS NULL OR r.kiosk_id = ?4) AND (?5 IS NULL OR r.department = ?5) \
             ORDER BY r.kiosk_id, r.seq",
        )?;
        let from = scope.from.map_or_else(|| "0000-00-00".to_string(), |d| d.to_string());
        let to = scope.to.map_or_else(|| "9999-99-99".to_string(), |d| d.to_string());
        let mut rows = stmt.query(params![from, to, scope.facility, scope.kiosk, scope.department])?;
        while let Some(row) = rows.next()? {
            let body: String = row.get(0)?;
            let r: StoredResponse = serde_json::from_str(&body).map_err(|e| Error::Corrupt(e.to_string()))?;
            f(r);
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
