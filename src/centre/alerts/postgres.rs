//! [`AlertStore`] on the centre's PostgreSQL database: a claim takes the row with
//! `FOR UPDATE SKIP LOCKED`, so several `centre serve` processes never hold the same alert.

use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;

use super::{Alert, AlertStore, Channel, NewAlert};
use crate::centre::postgres::{PostgresCentre, db};
use crate::centre::store::Error;

const COLUMNS: &str =
    "id, key, event, channel, recipient, subject, body, created_at, attempts, next_at, sent_at, last_error";

fn row(r: &tokio_postgres::Row) -> Alert {
    let channel: String = r.get(3);
    Alert {
        id: r.get(0),
        key: r.get(1),
        event: r.get(2),
        channel: Channel::parse(&channel).unwrap_or(Channel::Email),
        recipient: r.get(4),
        subject: r.get(5),
        body: r.get(6),
        created_at: r.get(7),
        attempts: r.get::<_, i32>(8) as u32,
        next_at: r.get(9),
        sent_at: r.get(10),
        last_error: r.get(11),
    }
}

impl AlertStore for PostgresCentre {
    fn enqueue(&self, a: &NewAlert, now: DateTime<Utc>) -> Result<bool, Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let n = client
                .execute(
                    "INSERT INTO alert_queue (key, event, channel, recipient, subject, body, created_at, next_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT (key) DO NOTHING",
                    &[
                        &a.key,
                        &a.event.as_str(),
                        &a.channel.as_str(),
                        &a.recipient,
                        &a.subject,
                        &a.body,
                        &now,
                    ],
                )
                .await
                .map_err(db)?;
            Ok(n == 1)
        })
    }

    fn claim(&self, now: DateTime<Utc>, lease_until: DateTime<Utc>) -> Result<Option<Alert>, Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let r = client
                .query_opt(
                    &format!(
                        "UPDATE alert_queue SET claimed_until = $2, attempts = attempts + 1 WHERE id = (\
                         SELECT id FROM alert_queue WHERE sent_at IS NULL AND next_at <= $1 \
                         AND (claimed_until IS NULL OR claimed_until < $1) ORDER BY id LIMIT 1 \
                         FOR UPDATE SKIP LOCKED) RETURNING {COLUMNS}"
                    ),
                    &[&now, &lease_until],
                )
                .await
                .map_err(db)?;
            Ok(r.as_ref().map(row))
        })
    }

    fn mark_sent(&self, id: i64, at: DateTime<Utc>) -> Result<(), Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            client
                .execute(
                    "UPDATE alert_queue SET sent_at = $2, claimed_until = NULL, last_error = NULL WHERE id = $1",
                    &[&id, &at],
                )
                .await
                .map_err(db)?;
            Ok(())
        })
    }

    fn mark_failed(&self, id: i64, error: &str, next_at: DateTime<Utc>) -> Result<(), Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            client
                .execute(
                    "UPDATE alert_queue SET last_error = $2, next_at = $3, claimed_until = NULL WHERE id = $1",
                    &[&id, &error, &next_at],
                )
                .await
                .map_err(db)?;
            Ok(())
        })
    }

    fn recent_alerts(&self, limit: u32) -> Result<Vec<Alert>, Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let rows = client
                .query(
                    &format!("SELECT {COLUMNS} FROM alert_queue ORDER BY id DESC LIMIT $1"),
                    &[&i64::from(limit)],
                )
                .await
                .map_err(db)?;
            Ok(rows.iter().map(row).collect())
        })
    }
}
