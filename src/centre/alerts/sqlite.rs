//! [`AlertStore`] on the centre's SQLite database (one writer: a claim is one transaction).

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{Alert, AlertStore, Channel, NewAlert};
use crate::centre::sqlite::{SqliteCentre, time};
use crate::centre::store::Error;

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

const COLUMNS: &str =
    "id, key, event, channel, recipient, subject, body, created_at, attempts, next_at, sent_at, last_error";

fn row(r: &rusqlite::Row) -> rusqlite::Result<Alert> {
    let channel: String = r.get(3)?;
    Ok(Alert {
        id: r.get(0)?,
        key: r.get(1)?,
        event: r.get(2)?,
        channel: Channel::parse(&channel).unwrap_or(Channel::Email),
        recipient: r.get(4)?,
        subject: r.get(5)?,
        body: r.get(6)?,
        created_at: time(r.get(7)?).unwrap_or_default(),
        attempts: r.get(8)?,
        next_at: time(r.get(9)?).unwrap_or_default(),
        sent_at: time(r.get(10)?),
        last_error: r.get(11)?,
    })
}

impl AlertStore for SqliteCentre {
    fn enqueue(&self, a: &NewAlert, now: DateTime<Utc>) -> Result<bool, Error> {
        let n = self.conn().execute(
            "INSERT INTO alert_queue (key, event, channel, recipient, subject, body, created_at, next_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) ON CONFLICT (key) DO NOTHING",
            params![
                a.key,
                a.event.as_str(),
                a.channel.as_str(),
                a.recipient,
                a.subject,
                a.body,
                stamp(now)
            ],
        )?;
        Ok(n == 1)
    }

    fn claim(&self, now: DateTime<Utc>, lease_until: DateTime<Utc>) -> Result<Option<Alert>, Error> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let claimed = tx
            .query_row(
                &format!(
                    "UPDATE alert_queue SET claimed_until = ?2, attempts = attempts + 1 WHERE id = (\
                     SELECT id FROM alert_queue WHERE sent_at IS NULL AND next_at <= ?1 \
                     AND (claimed_until IS NULL OR claimed_until < ?1) ORDER BY id LIMIT 1) RETURNING {COLUMNS}"
                ),
                params![stamp(now), stamp(lease_until)],
                row,
            )
            .optional()?;
        tx.commit()?;
        Ok(claimed)
    }

    fn mark_sent(&self, id: i64, at: DateTime<Utc>) -> Result<(), Error> {
        self.conn().execute(
            "UPDATE alert_queue SET sent_at = ?2, claimed_until = NULL, last_error = NULL WHERE id = ?1",
            params![id, stamp(at)],
        )?;
        Ok(())
    }

    fn mark_failed(&self, id: i64, error: &str, next_at: DateTime<Utc>) -> Result<(), Error> {
        self.conn().execute(
            "UPDATE alert_queue SET last_error = ?2, next_at = ?3, claimed_until = NULL WHERE id = ?1",
            params![id, error, stamp(next_at)],
        )?;
        Ok(())
    }

    fn recent_alerts(&self, limit: u32) -> Result<Vec<Alert>, Error> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM alert_queue ORDER BY id DESC LIMIT ?1"))?;
        let rows = stmt.query_map([limit], row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}
