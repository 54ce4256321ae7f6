//! [`PhoneStore`] on PostgreSQL: what one `centre serve` redeems, every other on the database
//! sees at once.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use deadpool_postgres::Pool;

use super::{KioskKey, NewSession, NewTickets, PhoneStore, Printed, REPEAT_DAYS, Session, ticket_redemption};
use crate::centre::postgres::{PostgresCentre, db, facility_id};
use crate::centre::store::Error;
use crate::survey::{Answer, Channel, ResponseId};

const SESSION_SELECT: &str = "SELECT s.token_hash, s.chain, f.name, s.questionnaire_id, s.questionnaire_version, s.response_id, \
     s.device, s.started_at, s.expires_at, s.section, s.answers, s.answered_at, s.stored_at, s.channel, s.point, s.complete \
     FROM phone_sessions s JOIN facilities f ON f.id = s.facility_id";

fn session_row(row: &tokio_postgres::Row) -> Result<Session, Error> {
    let id: String = row.get(5);
    let answers: String = row.get(10);
    let channel: String = row.get(13);
    Ok(Session {
        opened: NewSession {
            token_hash: row.get(0),
            chain: row.get(1),
            channel: Channel::parse(&channel)
                .ok_or_else(|| Error::Corrupt(format!("phone session channel {channel:?}")))?,
            point: row.get(14),
            facility: row.get(2),
            questionnaire_id: row.get(3),
            questionnaire_version: row.get::<_, i32>(4) as u32,
            response_id: ResponseId(
                uuid::Uuid::parse_str(&id).map_err(|e| Error::Corrupt(format!("phone session response id: {e}")))?,
            ),
            device: row.get(6),
            started_at: row.get(7),
        },
        expires_at: row.get(8),
        section: row.get::<_, i32>(9).max(0) as u32,
        answers: serde_json::from_str::<BTreeMap<String, Answer>>(&answers)
            .map_err(|e| Error::Corrupt(format!("phone session answers: {e}")))?,
        answered_at: row.get(11),
        stored_at: row.get(12),
        complete: row.get(15),
    })
}

impl PhoneStore for PostgresCentre {
    fn kiosk_key(&self, kiosk_id: &str) -> Result<Option<KioskKey>, Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let row = client
                .query_opt(
                    "SELECT k.token_hash, f.name, k.name, k.revoked_at IS NOT NULL, \
                     (SELECT r.point FROM responses r WHERE r.kiosk_id = k.kiosk_id ORDER BY r.seq DESC LIMIT 1) \
                     FROM kiosks k JOIN facilities f ON f.id = k.facility_id \
                     WHERE k.kiosk_id = $1 AND k.chain_channel IS NULL",
                    &[&kiosk_id],
                )
                .await
                .map_err(db)?;
            Ok(row.map(|r| KioskKey {
                token_hash: r.get(0),
                facility: r.get(1),
                name: r.get(2),
                revoked: r.get(3),
                point: r.get(4),
            }))
        })
    }

    fn open_session(&self, code: Option<(&str, DateTime<Utc>)>, s: &NewSession) -> Result<bool, Error> {
        self.run(async |pool: &Pool| {
            let mut client = pool.get().await.map_err(db)?;
            let tx = client.transaction().await.map_err(db)?;
            if let Some((code, until)) = code {
                let n = tx
                    .execute(
                        "INSERT INTO phone_redemptions (code, until) VALUES ($1, $2) ON CONFLICT (code) DO NOTHING",
                        &[&code, &until],
                    )
                    .await
                    .map_err(db)?;
                if n == 0 {
                    return Ok(false);
                }
            }
            tx.execute(
                "INSERT INTO phone_sessions (token_hash, chain, facility_id, questionnaire_id, questionnaire_version, channel, point, \
                 response_id, device, started_at, expires_at) \
                 SELECT $1, $2, f.id, $4, $5, $6, $7, $8, $9, $10, $11 FROM facilities f WHERE f.name = $3",
                &[
                    &s.token_hash,
                    &s.chain,
                    &s.facility,
                    &s.questionnaire_id,
                    &(s.questionnaire_version as i32),
                    &s.channel.as_str(),
                    &s.point,
                    &s.response_id.to_string(),
                    &s.device,
                    &s.started_at,
                    &s.expires_at(),
                ],
            )
            .await
            .map_err(db)?;
            tx.commit().await.map_err(db)?;
            Ok(true)
        })
    }

    fn phone_session(&self, token_hash: &str) -> Result<Option<Session>, Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let row = client
                .query_opt(&format!("{SESSION_SELECT} WHERE s.token_hash = $1"), &[&token_hash])
                .await
                .map_err(db)?;
            row.as_ref().map(session_row).transpose()
        })
    }

    fn save_answers(
        &self,
        token_hash: &str,
        section: u32,
        answers: &BTreeMap<String, Answer>,
        at: DateTime<Utc>,
    ) -> Result<(), Error> {
        let answers = serde_json::to_string(answers).expect("answers serialise");
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            client
                .execute(
                    "UPDATE phone_sessions SET section = $2, answers = $3, answered_at = $4 \
                     WHERE token_hash = $1 AND stored_at IS NULL",
                    &[&token_hash, &(section as i32), &answers, &at],
                )
                .await
                .map_err(db)?;
            Ok(())
        })
    }

    fn session_stored(&self, token_hash: &str, complete: bool, at: DateTime<Utc>) -> Result<(), Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            client
                .execute(
                    "UPDATE phone_sessions SET stored_at = $2, complete = $3, answers = '{}' \
                     WHERE token_hash = $1 AND stored_at IS NULL",
                    &[&token_hash, &at, &complete],
                )
                .await
                .map_err(db)?;
            Ok(())
        })
    }

    fn abandoned_sessions(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<Session>, Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let rows = client
                .query(
                    &format!(
                        "{SESSION_SELECT} WHERE s.stored_at IS NULL AND s.expires_at <= $1 AND s.answers <> '{{}}' \
                         ORDER BY s.expires_at LIMIT $2"
                    ),
                    &[&now, &(limit as i64)],
                )
                .await
                .map_err(db)?;
            rows.iter().map(session_row).collect()
        })
    }

    fn forget_old(&self, now: DateTime<Utc>) -> Result<(), Error> {
        let old = now - Duration::days(REPEAT_DAYS + 1);
        let before = super::month(now - Duration::days(62));
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            client
                .execute("DELETE FROM phone_redemptions WHERE until < $1", &[&now])
                .await
                .map_err(db)?;
            // Tickets a season past their date: "not found" instead of "expired" is no loss then.
            client
                .execute(
                    "DELETE FROM printed_codes WHERE kind = 'ticket' AND valid_until < $1",
                    &[&(now - Duration::days(90))],
                )
                .await
                .map_err(db)?;
            client
                .execute(
                    "DELETE FROM phone_sessions WHERE (stored_at IS NOT NULL AND stored_at < $1) \
                     OR (stored_at IS NULL AND expires_at < $1 AND answers = '{}')",
                    &[&old],
                )
                .await
                .map_err(db)?;
            client
                .execute("DELETE FROM phone_salts WHERE month < $1", &[&before])
                .await
                .map_err(db)?;
            Ok(())
        })
    }

    fn device_salt(&self, month: &str) -> Result<String, Error> {
        let fresh = crate::centre::new_token();
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            client
                .execute(
                    "INSERT INTO phone_salts (month, salt) VALUES ($1, $2) ON CONFLICT (month) DO NOTHING",
                    &[&month, &fresh],
                )
                .await
                .map_err(db)?;
            Ok(client
                .query_one("SELECT salt FROM phone_salts WHERE month = $1", &[&month])
                .await
                .map_err(db)?
                .get(0))
        })
    }

    fn device_seen(&self, facility: &str, devices: &[String], since: DateTime<Utc>) -> Result<bool, Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            Ok(client
                .query_one(
                    "SELECT count(*) > 0 FROM phone_sessions s JOIN facilities f ON f.id = s.facility_id \
                     WHERE s.device = ANY($1) AND f.name = $2 AND s.complete AND s.stored_at >= $3",
                    &[&devices, &facility, &since],
                )
                .await
                .map_err(db)?
                .get(0))
        })
    }

    fn add_tickets(&self, t: &NewTickets<'_>) -> Result<(), Error> {
        self.run(async |pool: &Pool| {
            let mut client = pool.get().await.map_err(db)?;
            let tx = client.transaction().await.map_err(db)?;
            let facility = facility_id(&tx, t.facility).await?;
            tx.execute(
                "INSERT INTO printed_codes (code_hash, kind, facility_id, point, questionnaire_id, issued_at, valid_until) \
                 SELECT h, 'ticket', $2, $3, $4, $5, $6 FROM unnest($1::text[]) AS h",
                &[&t.hashes, &facility, &t.point, &t.questionnaire_id, &t.issued_at, &t.valid_until],
            )
            .await
            .map_err(db)?;
            tx.commit().await.map_err(db)?;
            Ok(())
        })
    }

    fn poster(
        &self,
        facility: &str,
        point: &str,
        questionnaire_id: &str,
        fresh: &str,
        replace: bool,
        now: DateTime<Utc>,
    ) -> Result<String, Error> {
        let hash = super::printed_hash(fresh);
        self.run(async |pool: &Pool| {
            let mut client = pool.get().await.map_err(db)?;
            let tx = client.transaction().await.map_err(db)?;
            // One writer at a time per facility: the row lock on the facility.
            let facility: i64 = tx
                .query_opt("SELECT id FROM facilities WHERE name = $1 FOR UPDATE", &[&facility])
                .await
                .map_err(db)?
                .ok_or_else(|| Error::NotFound(format!("facility {facility}")))?
                .get(0);
            let standing =
                "facility_id = $1 AND point = $2 AND questionnaire_id = $3 AND kind = 'poster' AND retired_at IS NULL";
            if replace {
                tx.execute(
                    &format!("UPDATE printed_codes SET retired_at = $4 WHERE {standing}"),
                    &[&facility, &point, &questionnaire_id, &now],
                )
                .await
                .map_err(db)?;
            }
            let current = tx
                .query_opt(
                    &format!("SELECT code FROM printed_codes WHERE {standing}"),
                    &[&facility, &point, &questionnaire_id],
                )
                .await
                .map_err(db)?;
            let code = match current {
                Some(row) => row.get(0),
                None => {
                    tx.execute(
                        "INSERT INTO printed_codes (code_hash, kind, facility_id, point, questionnaire_id, issued_at, code) \
                         VALUES ($1, 'poster', $2, $3, $4, $5, $6)",
                        &[&hash, &facility, &point, &questionnaire_id, &now, &fresh],
                    )
                    .await
                    .map_err(db)?;
                    fresh.to_string()
                }
            };
            tx.commit().await.map_err(db)?;
            Ok(code)
        })
    }

    fn printed(&self, hash: &str) -> Result<Option<Printed>, Error> {
        let redemption = ticket_redemption(hash);
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let row = client
                .query_opt(
                    "SELECT c.kind, f.name, c.point, c.questionnaire_id, c.valid_until, c.retired_at IS NOT NULL, \
                     EXISTS (SELECT 1 FROM phone_redemptions r WHERE r.code = $2) \
                     FROM printed_codes c JOIN facilities f ON f.id = c.facility_id WHERE c.code_hash = $1",
                    &[&hash, &redemption],
                )
                .await
                .map_err(db)?;
            Ok(row.map(|r| Printed {
                // The kinds are the channels' names (`ticket`, `poster`).
                channel: Channel::parse(r.get::<_, &str>(0)).unwrap_or(Channel::Ticket),
                facility: r.get(1),
                point: r.get(2),
                questionnaire_id: r.get(3),
                valid_until: r.get(4),
                retired: r.get(5),
                used: r.get(6),
            }))
        })
    }

    fn minute_counts(
        &self,
        facility: &str,
        from: Option<chrono::NaiveDate>,
        to: Option<chrono::NaiveDate>,
    ) -> Result<Vec<super::burst::MinuteCount>, Error> {
        let sql = format!(
            "SELECT coalesce(r.point, ''), r.channel, substr(r.body::jsonb ->> 'submitted_at', 1, 16), count(*) \
             FROM responses r JOIN facilities f ON f.id = r.facility_id \
             WHERE f.name = $1 AND r.channel IN ({}) \
             AND ($2::date IS NULL OR r.local_day >= $2) AND ($3::date IS NULL OR r.local_day <= $3) \
             AND r.body::jsonb ->> 'status' = 'complete' \
             GROUP BY 1, 2, 3",
            super::phone_channels_sql()
        );
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let rows = client.query(&sql, &[&facility, &from, &to]).await.map_err(db)?;
            Ok(rows
                .iter()
                .filter_map(|r| {
                    Some(super::burst::MinuteCount {
                        point: r.get(0),
                        channel: Channel::parse(r.get::<_, &str>(1))?,
                        minute: super::minute_of(r.get::<_, Option<&str>>(2)?)?,
                        n: r.get::<_, i64>(3).max(0) as u64,
                    })
                })
                .collect())
        })
    }
}
