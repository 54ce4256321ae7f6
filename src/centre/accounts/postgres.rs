//! [`AccountStore`] on the centre's PostgreSQL database: sessions and the throttle live there,
//! so every `centre serve` process on the same database shares them.

use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;

use super::throttle::{self, Counter, Keys};
use super::{AccountStore, NewUser, Role, Session, Unlock, User};
use crate::centre::postgres::{PostgresCentre, db};
use crate::centre::store::Error;

const USER_COLUMNS: &str = "u.id, u.name, u.role, u.facility, u.department, u.disabled_at, u.created_at, u.leader";

fn user_row(row: &tokio_postgres::Row) -> Result<User, Error> {
    let role: String = row.get(2);
    Ok(User {
        id: row.get(0),
        name: row.get(1),
        role: Role::parse(&role).ok_or_else(|| Error::Corrupt(format!("account role {role:?}")))?,
        facility: row.get(3),
        department: row.get(4),
        disabled_at: row.get(5),
        created_at: row.get(6),
        leader: row.get(7),
    })
}

/// Ends every session of the account `name` (inside the caller's transaction).
async fn end_sessions_of(tx: &tokio_postgres::Transaction<'_>, name: &str) -> Result<(), Error> {
    tx.execute(
        "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE name = $1)",
        &[&name],
    )
    .await
    .map_err(db)?;
    Ok(())
}

impl AccountStore for PostgresCentre {
    fn add_user(&self, user: &NewUser, password_hash: &str) -> Result<User, Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let row = client
                .query_opt(
                    &format!(
                        "INSERT INTO users AS u (name, role, facility, department, password_hash, leader) \
                         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name) DO NOTHING RETURNING {USER_COLUMNS}"
                    ),
                    &[
                        &user.name,
                        &user.role.as_str(),
                        &user.facility,
                        &user.department,
                        &password_hash,
                        &user.leader,
                    ],
                )
                .await
                .map_err(db)?;
            match row {
                Some(row) => user_row(&row),
                None => Err(Error::Conflict(format!(
                    "an account named {:?} exists already",
                    user.name
                ))),
            }
        })
    }

    fn users(&self) -> Result<Vec<User>, Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let rows = client
                .query(&format!("SELECT {USER_COLUMNS} FROM users u ORDER BY u.name"), &[])
                .await
                .map_err(db)?;
            rows.iter().map(user_row).collect()
        })
    }

    fn user_by_name(&self, name: &str) -> Result<Option<(User, String)>, Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let row = client
                .query_opt(
                    &format!("SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE u.name = $1"),
                    &[&name],
                )
                .await
                .map_err(db)?;
            row.map(|row| Ok((user_row(&row)?, row.get(8)))).transpose()
        })
    }

    fn disable_user(&self, name: &str) -> Result<(), Error> {
        self.run(async |pool: &Pool| {
            let mut client = pool.get().await.map_err(db)?;
            let tx = client.transaction().await.map_err(db)?;
            let n = tx
                .execute(
                    "UPDATE users SET disabled_at = now() WHERE name = $1 AND disabled_at IS NULL",
                    &[&name],
                )
                .await
                .map_err(db)?;
            if n == 0 {
                return Err(Error::NotFound(format!("no active account named {name:?}")));
            }
            end_sessions_of(&tx, name).await?;
            tx.commit().await.map_err(db)
        })
    }

    fn set_password(&self, name: &str, password_hash: &str) -> Result<(), Error> {
        self.run(async |pool: &Pool| {
            let mut client = pool.get().await.map_err(db)?;
            let tx = client.transaction().await.map_err(db)?;
            let n = tx
                .execute(
                    "UPDATE users SET password_hash = $2 WHERE name = $1",
                    &[&name, &password_hash],
                )
                .await
                .map_err(db)?;
            if n == 0 {
                return Err(Error::NotFound(format!("no account named {name:?}")));
            }
            end_sessions_of(&tx, name).await?;
            tx.commit().await.map_err(db)
        })
    }

    fn user_count(&self) -> Result<u64, Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let row = client.query_one("SELECT count(*) FROM users", &[]).await.map_err(db)?;
            Ok(row.get::<_, i64>(0) as u64)
        })
    }

    fn create_session(&self, token_hash: &str, user_id: i64, csrf: &str, now: DateTime<Utc>) -> Result<(), Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            client
                .execute(
                    "INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen) VALUES ($1, $2, $3, $4, $4)",
                    &[&token_hash, &user_id, &csrf, &now],
                )
                .await
                .map_err(db)?;
            Ok(())
        })
    }

    fn session(&self, token_hash: &str) -> Result<Option<Session>, Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let row = client
                .query_opt(
                    &format!(
                        "SELECT {USER_COLUMNS}, s.csrf, s.created_at, s.last_seen \
                         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1"
                    ),
                    &[&token_hash],
                )
                .await
                .map_err(db)?;
            row.map(|row| {
                Ok(Session {
                    user: user_row(&row)?,
                    csrf: row.get(8),
                    created_at: row.get(9),
                    last_seen: row.get(10),
                })
            })
            .transpose()
        })
    }

    fn touch_session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<(), Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            client
                .execute(
                    "UPDATE sessions SET last_seen = $2 WHERE token_hash = $1",
                    &[&token_hash, &now],
                )
                .await
                .map_err(db)?;
            Ok(())
        })
    }

    fn end_session(&self, token_hash: &str) -> Result<(), Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            client
                .execute("DELETE FROM sessions WHERE token_hash = $1", &[&token_hash])
                .await
                .map_err(db)?;
            Ok(())
        })
    }

    fn throttle_counters(&self, keys: &[&str]) -> Result<Vec<Option<Counter>>, Error> {
        let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let rows = client
                .query(
                    "SELECT key, failures, since, last, blocked_until FROM login_throttle WHERE key = ANY($1)",
                    &[&keys],
                )
                .await
                .map_err(db)?;
            Ok(keys
                .iter()
                .map(|k| rows.iter().find(|r| r.get::<_, String>(0) == *k).map(counter_row))
                .collect())
        })
    }

    fn record_failure(&self, keys: &Keys, now: DateTime<Utc>) -> Result<(), Error> {
        self.run(async |pool: &Pool| {
            let mut client = pool.get().await.map_err(db)?;
            let tx = client.transaction().await.map_err(db)?;
            for (key, account, pair) in [(&keys.pair, Some(&keys.account), true), (&keys.address, None, false)] {
                // The row is made first so that two processes counting one key wait for each
                // other on its lock instead of both reading the old count.
                tx.execute(
                    "INSERT INTO login_throttle (key, account, address, failures, since, last) \
                     VALUES ($1, $2, $3, 0, $4, $4) ON CONFLICT (key) DO NOTHING",
                    &[key, &account, &keys.address, &now],
                )
                .await
                .map_err(db)?;
                let row = tx
                    .query_one(
                        "SELECT key, failures, since, last, blocked_until FROM login_throttle WHERE key = $1 FOR UPDATE",
                        &[key],
                    )
                    .await
                    .map_err(db)?;
                let prev = Some(counter_row(&row)).filter(|c| c.failures > 0);
                let next = if pair {
                    throttle::pair_after_failure(prev, now)
                } else {
                    throttle::address_after_failure(prev, now)
                };
                tx.execute(
                    "UPDATE login_throttle SET failures = $2, since = $3, last = $4, blocked_until = $5 WHERE key = $1",
                    &[key, &(next.failures as i32), &next.since, &next.last, &next.blocked_until],
                )
                .await
                .map_err(db)?;
            }
            tx.execute(
                "DELETE FROM login_throttle WHERE last < $1",
                &[&(now - throttle::KEEP)],
            )
            .await
            .map_err(db)?;
            tx.execute(
                "DELETE FROM login_throttle WHERE key IN (SELECT key FROM login_throttle ORDER BY last DESC OFFSET $1)",
                &[&(throttle::MAX_ROWS as i64)],
            )
            .await
            .map_err(db)?;
            let expired = now - super::SESSION_ABSOLUTE;
            tx.execute("DELETE FROM sessions WHERE created_at < $1", &[&expired])
                .await
                .map_err(db)?;
            tx.commit().await.map_err(db)
        })
    }

    fn clear_throttle(&self, key: &str) -> Result<(), Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            client
                .execute("DELETE FROM login_throttle WHERE key = $1", &[&key])
                .await
                .map_err(db)?;
            Ok(())
        })
    }

    fn unlock(&self, what: &Unlock) -> Result<u64, Error> {
        let (sql, key) = match what {
            Unlock::Account(key) => ("DELETE FROM login_throttle WHERE account = $1", key),
            Unlock::Address(key) => ("DELETE FROM login_throttle WHERE address = $1", key),
        };
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            client.execute(sql, &[key]).await.map_err(db)
        })
    }

    fn throttle_rows(&self) -> Result<u64, Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let row = client
                .query_one("SELECT count(*) FROM login_throttle", &[])
                .await
                .map_err(db)?;
            Ok(row.get::<_, i64>(0) as u64)
        })
    }
}

fn counter_row(row: &tokio_postgres::Row) -> Counter {
    Counter {
        failures: row.get::<_, i32>(1).max(0) as u32,
        since: row.get(2),
        last: row.get(3),
        blocked_until: row.get(4),
    }
}
