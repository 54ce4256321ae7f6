//! [`PhoneStore`] on the centre's SQLite database.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use rusqlite::{OptionalExtension, params};

use super::{KioskKey, NewSession, NewTickets, PhoneStore, Printed, REPEAT_DAYS, Session, ticket_redemption};
use crate::centre::sqlite::{SqliteCentre, facility_id, time};
use crate::centre::store::Error;
use crate::survey::{Answer, Channel, ResponseId};

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

const SESSION_COLUMNS: &str = "s.token_hash, s.chain, f.name, s.questionnaire_id, s.questionnaire_version, s.response_id, \
     s.device, s.started_at, s.expires_at, s.section, s.answers, s.answered_at, s.stored_at, s.channel, s.point, s.complete";

fn session_row(row: &rusqlite::Row) -> rusqlite::Result<Session> {
    let bad =
        |i: usize, what: String| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, what.into());
    let id: String = row.get(5)?;
    let answers: String = row.get(10)?;
    let channel: String = row.get(13)?;
    Ok(Session {
        opened: NewSession {
            token_hash: row.get(0)?,
            chain: row.get(1)?,
            channel: Channel::parse(&channel).ok_or_else(|| bad(13, format!("channel {channel:?}")))?,
            point: row.get(14)?,
            facility: row.get(2)?,
            questionnaire_id: row.get(3)?,
            questionnaire_version: row.get(4)?,
            response_id: ResponseId(uuid::Uuid::parse_str(&id).map_err(|e| bad(5, e.to_string()))?),
            device: row.get(6)?,
            started_at: time(row.get(7)?).unwrap_or_default(),
        },
        expires_at: time(row.get(8)?).unwrap_or_default(),
        section: row.get(9)?,
        answers: serde_json::from_str::<BTreeMap<String, Answer>>(&answers).map_err(|e| bad(10, e.to_string()))?,
        answered_at: time(row.get(11)?),
        stored_at: time(row.get(12)?),
        complete: row.get(15)?,
    })
}

impl PhoneStore for SqliteCentre {
    fn kiosk_key(&self, kiosk_id: &str) -> Result<Option<KioskKey>, Error> {
        let conn = self.conn();
        let found = conn
            .query_row(
                "SELECT k.token_hash, f.name, k.name, k.revoked_at IS NOT NULL, \
                 (SELECT r.point FROM responses r WHERE r.kiosk_id = k.kiosk_id ORDER BY r.seq DESC LIMIT 1) \
                 FROM kiosks k JOIN facilities f ON f.id = k.facility_id \
                 WHERE k.kiosk_id = ?1 AND k.chain_channel IS NULL",
                [kiosk_id],
                |r| {
                    Ok(KioskKey {
                        token_hash: r.get(0)?,
                        facility: r.get(1)?,
                        name: r.get(2)?,
                        revoked: r.get(3)?,
                        point: r.get(4)?,
                    })
                },
            )
            .optional()?;
        Ok(found)
    }

    fn open_session(&self, code: Option<(&str, DateTime<Utc>)>, s: &NewSession) -> Result<bool, Error> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if let Some((code, until)) = code {
            let taken = tx.execute(
                "INSERT INTO phone_redemptions (code, until) VALUES (?1, ?2) ON CONFLICT (code) DO NOTHING",
                params![code, stamp(until)],
            )? == 0;
            if taken {
                return Ok(false);
            }
        }
        tx.execute(
            "INSERT INTO phone_sessions (token_hash, chain, facility_id, questionnaire_id, questionnaire_version, channel, point, \
             response_id, device, started_at, expires_at) \
             SELECT ?1, ?2, f.id, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11 FROM facilities f WHERE f.name = ?3",
            params![
                s.token_hash,
                s.chain,
                s.facility,
                s.questionnaire_id,
                s.questionnaire_version,
                s.channel.as_str(),
                s.point,
                s.response_id.to_string(),
                s.device,
                stamp(s.started_at),
                stamp(s.expires_at()),
            ],
        )?;
        tx.commit()?;
        Ok(true)
    }

    fn phone_session(&self, token_hash: &str) -> Result<Option<Session>, Error> {
        Ok(self
            .conn()
            .query_row(
                &format!(
                    "SELECT {SESSION_COLUMNS} FROM phone_sessions s JOIN facilities f ON f.id = s.facility_id WHERE s.token_hash = ?1"
                ),
                [token_hash],
                session_row,
            )
            .optional()?)
    }

    fn save_answers(
        &self,
        token_hash: &str,
        section: u32,
        answers: &BTreeMap<String, Answer>,
        at: DateTime<Utc>,
    ) -> Result<(), Error> {
        self.conn().execute(
            "UPDATE phone_sessions SET section = ?2, answers = ?3, answered_at = ?4 \
             WHERE token_hash = ?1 AND stored_at IS NULL",
            params![
                token_hash,
                section,
                serde_json::to_string(answers).expect("answers serialise"),
                stamp(at)
            ],
        )?;
        Ok(())
    }

    fn session_stored(&self, token_hash: &str, complete: bool, at: DateTime<Utc>) -> Result<(), Error> {
        // The answers are in the stored response now; the row keeps the device for the
        // repeat check.
        self.conn().execute(
            "UPDATE phone_sessions SET stored_at = ?2, complete = ?3, answers = '{}' WHERE token_hash = ?1 AND stored_at IS NULL",
            params![token_hash, stamp(at), complete],
        )?;
        Ok(())
    }

    fn abandoned_sessions(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<Session>, Error> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT {SESSION_COLUMNS} FROM phone_sessions s JOIN facilities f ON f.id = s.facility_id \
             WHERE s.stored_at IS NULL AND s.expires_at <= ?1 AND s.answers <> '{{}}' ORDER BY s.expires_at LIMIT ?2"
        ))?;
        let rows = stmt
            .query_map(params![stamp(now), limit as i64], session_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    fn forget_old(&self, now: DateTime<Utc>) -> Result<(), Error> {
        let conn = self.conn();
        conn.execute("DELETE FROM phone_redemptions WHERE until < ?1", [stamp(now)])?;
        // Tickets a season past their date: "not found" instead of "expired" is no loss then.
        conn.execute(
            "DELETE FROM printed_codes WHERE kind = 'ticket' AND valid_until < ?1",
            [stamp(now - Duration::days(90))],
        )?;
        let old = stamp(now - Duration::days(REPEAT_DAYS + 1));
        conn.execute(
            "DELETE FROM phone_sessions WHERE (stored_at IS NOT NULL AND stored_at < ?1) \
             OR (stored_at IS NULL AND expires_at < ?1 AND answers = '{}')",
            [&old],
        )?;
        let before = super::month(now - Duration::days(62));
        conn.execute("DELETE FROM phone_salts WHERE month < ?1", [before])?;
        Ok(())
    }

    fn device_salt(&self, month: &str) -> Result<String, Error> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO phone_salts (month, salt) VALUES (?1, ?2) ON CONFLICT (month) DO NOTHING",
            params![month, crate::centre::new_token()],
        )?;
        Ok(conn.query_row("SELECT salt FROM phone_salts WHERE month = ?1", [month], |r| r.get(0))?)
    }

    fn device_seen(&self, facility: &str, devices: &[String], since: DateTime<Utc>) -> Result<bool, Error> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT count(*) > 0 FROM phone_sessions s JOIN facilities f ON f.id = s.facility_id \
             WHERE s.device = ?1 AND f.name = ?2 AND s.complete AND s.stored_at >= ?3",
        )?;
        for device in devices {
            if stmt.query_row(params![device, facility, stamp(since)], |r| r.get::<_, bool>(0))? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn add_tickets(&self, t: &NewTickets<'_>) -> Result<(), Error> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let facility = facility_id(&tx, t.facility)?;
        {
            let mut insert = tx.prepare(
                "INSERT INTO printed_codes (code_hash, kind, facility_id, point, questionnaire_id, issued_at, valid_until) \
                 VALUES (?1, 'ticket', ?2, ?3, ?4, ?5, ?6)",
            )?;
            for hash in t.hashes {
                insert.execute(params![
                    hash,
                    facility,
                    t.point,
                    t.questionnaire_id,
                    stamp(t.issued_at),
                    stamp(t.valid_until)
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
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
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let facility = facility_id(&tx, facility)?;
        let standing =
            "facility_id = ?1 AND point = ?2 AND questionnaire_id = ?3 AND kind = 'poster' AND retired_at IS NULL";
        if replace {
            tx.execute(
                &format!("UPDATE printed_codes SET retired_at = ?4 WHERE {standing}"),
                params![facility, point, questionnaire_id, stamp(now)],
            )?;
        }
        let current: Option<String> = tx
            .query_row(
                &format!("SELECT code FROM printed_codes WHERE {standing}"),
                params![facility, point, questionnaire_id],
                |r| r.get(0),
            )
            .optional()?;
        let code = match current {
            Some(code) => code,
            None => {
                tx.execute(
                    "INSERT INTO printed_codes (code_hash, kind, facility_id, point, questionnaire_id, issued_at, code) \
                     VALUES (?1, 'poster', ?2, ?3, ?4, ?5, ?6)",
                    params![super::printed_hash(fresh), facility, point, questionnaire_id, stamp(now), fresh],
                )?;
                fresh.to_string()
            }
        };
        tx.commit()?;
        Ok(code)
    }

    fn printed(&self, hash: &str) -> Result<Option<Printed>, Error> {
        let conn = self.conn();
        let found = conn
            .query_row(
                "SELECT c.kind, f.name, c.point, c.questionnaire_id, c.valid_until, c.retired_at IS NOT NULL, \
                 EXISTS (SELECT 1 FROM phone_redemptions r WHERE r.code = ?2) \
                 FROM printed_codes c JOIN facilities f ON f.id = c.facility_id WHERE c.code_hash = ?1",
                params![hash, ticket_redemption(hash)],
                |r| {
                    let kind: String = r.get(0)?;
                    Ok(Printed {
                        // The kinds are the channels' names (`ticket`, `poster`).
                        channel: Channel::parse(&kind).unwrap_or(Channel::Ticket),
                        facility: r.get(1)?,
                        point: r.get(2)?,
                        questionnaire_id: r.get(3)?,
                        valid_until: time(r.get(4)?),
                        retired: r.get(5)?,
                        used: r.get(6)?,
                    })
                },
            )
            .optional()?;
        Ok(found)
    }

    fn minute_counts(
        &self,
        facility: &str,
        from: Option<chrono::NaiveDate>,
        to: Option<chrono::NaiveDate>,
    ) -> Result<Vec<super::burst::MinuteCount>, Error> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT coalesce(r.point, ''), r.channel, substr(json_extract(r.body, '$.submitted_at'), 1, 16), count(*) \
             FROM responses r JOIN facilities f ON f.id = r.facility_id \
             WHERE f.name = ?1 AND r.channel IN ({}) \
             AND (?2 IS NULL OR r.local_day >= ?2) AND (?3 IS NULL OR r.local_day <= ?3) \
             AND json_extract(r.body, '$.status') = 'complete' \
             GROUP BY 1, 2, 3",
            super::phone_channels_sql()
        ))?;
        let rows = stmt
            .query_map(
                params![facility, from.map(|d| d.to_string()), to.map(|d| d.to_string())],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, i64>(3)?,
                    ))
                },
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows
            .into_iter()
            .filter_map(|(point, channel, minute, n)| {
                Some(super::burst::MinuteCount {
                    point,
                    channel: Channel::parse(&channel)?,
                    minute: super::minute_of(&minute?)?,
                    n: n.max(0) as u64,
                })
            })
            .collect())
    }
}
