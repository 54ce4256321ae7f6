//! [`AccountStore`] on the centre's SQLite database.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::throttle::{self, Counter, Keys};
use super::{AccountStore, NewUser, Role, Session, Unlock, User};
use crate::centre::sqlite::{SqliteCentre, now_text, time};
use crate::centre::store::Error;

const USER_COLUMNS: &str = "u.id, u.name, u.role, u.facility, u.department, u.disabled_at, u.created_at, u.leader";

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn user_row(row: &rusqlite::Row) -> rusqlite::Result<User> {
    let role: String = row.get(2)?;
    Ok(User {
        id: row.get(0)?,
        name: row.get(1)?,
        role: Role::parse(&role).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, format!("role {role:?}").into())
        })?,
        facility: row.get(3)?,
        department: row.get(4)?,
        disabled_at: time(row.get(5)?),
        created_at: time(row.get(6)?).unwrap_or_default(),
        leader: row.get(7)?,
    })
}

impl AccountStore for SqliteCentre {
    fn add_user(&self, user: &NewUser, password_hash: &str) -> Result<User, Error> {
        let conn = self.conn();
        let taken = conn
            .query_row("SELECT 1 FROM users WHERE name = ?1", [&user.name], |_| Ok(()))
            .optional()?
            .is_some();
        if taken {
            return Err(Error::Conflict(format!(
                "an account named {:?} exists already",
                user.name
            )));
        }
        conn.execute(
            "INSERT INTO users (name, role, facility, department, password_hash, created_at, leader) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                user.name,
                user.role.as_str(),
                user.facility,
                user.department,
                password_hash,
                now_text(),
                user.leader
            ],
        )?;
        Ok(conn.query_row(
            &format!("SELECT {USER_COLUMNS} FROM users u WHERE u.name = ?1"),
            [&user.name],
            user_row,
        )?)
    }

    fn users(&self) -> Result<Vec<User>, Error> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!("SELECT {USER_COLUMNS} FROM users u ORDER BY u.name"))?;
        let users = stmt.query_map([], user_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(users)
    }

    fn user_by_name(&self, name: &str) -> Result<Option<(User, String)>, Error> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE u.name = ?1"),
                [name],
                |row| Ok((user_row(row)?, row.get(8)?)),
            )
            .optional()?)
    }

    fn disable_user(&self, name: &str) -> Result<(), Error> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let n = tx.execute(
            "UPDATE users SET disabled_at = ?2 WHERE name = ?1 AND disabled_at IS NULL",
            params![name, now_text()],
        )?;
        if n == 0 {
            return Err(Error::NotFound(format!("no active account named {name:?}")));
        }
        tx.execute(
            "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE name = ?1)",
            [name],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn set_password(&self, name: &str, password_hash: &str) -> Result<(), Error> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let n = tx.execute(
            "UPDATE users SET password_hash = ?2 WHERE name = ?1",
            params![name, password_hash],
        )?;
        if n == 0 {
            return Err(Error::NotFound(format!("no account named {name:?}")));
        }
        tx.execute(
            "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE name = ?1)",
            [name],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn user_count(&self) -> Result<u64, Error> {
        Ok(self
            .conn()
            .query_row("SELECT count(*) FROM users", [], |r| r.get::<_, i64>(0))? as u64)
    }

    fn create_session(&self, token_hash: &str, user_id: i64, csrf: &str, now: DateTime<Utc>) -> Result<(), Error> {
        self.conn().execute(
            "INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen) VALUES (?1, ?2, ?3, ?4, ?4)",
            params![token_hash, user_id, csrf, stamp(now)],
        )?;
        Ok(())
    }

    fn session(&self, token_hash: &str) -> Result<Option<Session>, Error> {
        Ok(self
            .conn()
            .query_row(
                &format!(
                    "SELECT {USER_COLUMNS}, s.csrf, s.created_at, s.last_seen \
                     FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?1"
                ),
                [token_hash],
                |row| {
                    Ok(Session {
                        user: user_row(row)?,
                        csrf: row.get(8)?,
                        created_at: time(row.get(9)?).unwrap_or_default(),
                        last_seen: time(row.get(10)?).unwrap_or_default(),
                    })
                },
            )
            .optional()?)
    }

    fn touch_session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<(), Error> {
        self.conn().execute(
            "UPDATE sessions SET last_seen = ?2 WHERE token_hash = ?1",
            params![token_hash, stamp(now)],
        )?;
        Ok(())
    }

    fn end_session(&self, token_hash: &str) -> Result<(), Error> {
        self.conn()
            .execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])?;
        Ok(())
    }

    fn throttle_counters(&self, keys: &[&str]) -> Result<Vec<Option<Counter>>, Error> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare_cached("SELECT failures, since, last, blocked_until FROM login_throttle WHERE key = ?1")?;
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            out.push(stmt.query_row([key], counter_row).optional()?);
        }
        Ok(out)
    }

    fn record_failure(&self, keys: &Keys, now: DateTime<Utc>) -> Result<(), Error> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        for (key, account, pair) in [(&keys.pair, Some(&keys.account), true), (&keys.address, None, false)] {
            let prev = tx
                .query_row(
                    "SELECT failures, since, last, blocked_until FROM login_throttle WHERE key = ?1",
                    [key],
                    counter_row,
                )
                .optional()?;
            let next = if pair {
                throttle::pair_after_failure(prev, now)
            } else {
                throttle::address_after_failure(prev, now)
            };
            tx.execute(
                "INSERT INTO login_throttle (key, account, address, failures, since, last, blocked_until) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, \
                 since = excluded.since, last = excluded.last, blocked_until = excluded.blocked_until",
                params![
                    key,
                    account,
                    keys.address,
                    next.failures,
                    stamp(next.since),
                    stamp(next.last),
                    next.blocked_until.map(stamp)
                ],
            )?;
        }
        tx.execute(
            "DELETE FROM login_throttle WHERE last < ?1",
            [stamp(now - throttle::KEEP)],
        )?;
        let rows: i64 = tx.query_row("SELECT count(*) FROM login_throttle", [], |r| r.get(0))?;
        let excess = rows - throttle::MAX_ROWS as i64;
        if excess > 0 {
            tx.execute(
                "DELETE FROM login_throttle WHERE key IN (SELECT key FROM login_throttle ORDER BY last LIMIT ?1)",
                [excess],
            )?;
        }
        // Sessions that can no longer be used.
        tx.execute(
            "DELETE FROM sessions WHERE created_at < ?1",
            [stamp(now - super::SESSION_ABSOLUTE)],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn clear_throttle(&self, key: &str) -> Result<(), Error> {
        self.conn()
            .execute("DELETE FROM login_throttle WHERE key = ?1", [key])?;
        Ok(())
    }

    fn unlock(&self, what: &Unlock) -> Result<u64, Error> {
        let n = match what {
            Unlock::Account(key) => self
                .conn()
                .execute("DELETE FROM login_throttle WHERE account = ?1", [key])?,
            Unlock::Address(key) => self
                .conn()
                .execute("DELETE FROM login_throttle WHERE address = ?1", [key])?,
        };
        Ok(n as u64)
    }

    fn throttle_rows(&self) -> Result<u64, Error> {
        Ok(self
            .conn()
            .query_row("SELECT count(*) FROM login_throttle", [], |r| r.get::<_, i64>(0))? as u64)
    }
}

fn counter_row(row: &rusqlite::Row) -> rusqlite::Result<Counter> {
    Ok(Counter {
        failures: row.get(0)?,
        since: time(row.get(1)?).unwrap_or_default(),
        last: time(row.get(2)?).unwrap_or_default(),
        blocked_until: time(row.get(3)?),
    })
}
