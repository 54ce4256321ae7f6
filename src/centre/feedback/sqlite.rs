//! [`FeedbackStore`] on the centre's SQLite database.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{OptionalExtension, params, params_from_iter};
use uuid::Uuid;

use super::{Added, FeedbackStore, ItemFilter, Opening, Origin};
use crate::centre::sqlite::{SqliteCentre, time};
use crate::centre::store::{Error, entry_json, parse_entry};
use crate::feedback::{Entry, Item, ReceiptCode};

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Groups `(item id, entry)` rows, in item order, into logs.
pub(super) fn group(rows: impl IntoIterator<Item = (String, String)>) -> Result<Vec<Vec<Entry>>, Error> {
    let mut logs: Vec<Vec<Entry>> = Vec::new();
    let mut current: Option<String> = None;
    for (id, text) in rows {
        if current.as_deref() != Some(id.as_str()) {
            logs.push(Vec::new());
            current = Some(id);
        }
        logs.last_mut().expect("pushed").push(parse_entry(&text)?);
    }
    Ok(logs)
}

impl FeedbackStore for SqliteCentre {
    fn add_item(&self, item: &Item, origin: Option<&Origin>) -> Result<Added, Error> {
        let s = &item.submission;
        let first = item
            .log
            .first()
            .ok_or_else(|| Error::Corrupt("an item without a log".into()))?;
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let stored: Option<String> = tx
            .query_row(
                "SELECT entry FROM feedback_log WHERE item_id = ?1 AND seq = 1",
                [s.id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(stored) = stored {
            return if parse_entry(&stored)?.hash == first.hash {
                Ok(Added::Duplicate)
            } else {
                Err(Error::Conflict(format!(
                    "feedback item {} exists with other content",
                    s.id
                )))
            };
        }
        let taken = tx
            .query_row(
                "SELECT 1 FROM feedback_items WHERE code = ?1",
                [s.code.as_str()],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        if taken {
            return Err(Error::Conflict(format!("receipt code {} is taken", s.code)));
        }
        tx.execute(
            "INSERT INTO feedback_items (id, code, facility, department, state, kind, channel, received_at, published, origin, last_seq, device) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                s.id.to_string(),
                s.code.as_str(),
                s.facility,
                item.department,
                item.state.as_str(),
                item.kind.as_str(),
                s.channel.as_str(),
                stamp(s.received_at),
                item.published.is_some(),
                origin.map(|o| &o.address),
                item.log.len() as i64,
                origin.and_then(|o| o.device.as_ref()),
            ],
        )?;
        for entry in &item.log {
            tx.execute(
                "INSERT INTO feedback_log (item_id, seq, entry) VALUES (?1, ?2, ?3)",
                params![s.id.to_string(), entry.seq, entry_json(entry)],
            )?;
        }
        tx.commit()?;
        Ok(Added::New)
    }

    fn append(&self, item: &Item) -> Result<(), Error> {
        let entry = item
            .log
            .last()
            .ok_or_else(|| Error::Corrupt("an item without a log".into()))?;
        let id = item.submission.id.to_string();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let changed = tx.execute(
            "UPDATE feedback_items SET department = ?2, state = ?3, kind = ?4, published = ?5, last_seq = ?6 \
             WHERE id = ?1 AND last_seq = ?7",
            params![
                id,
                item.department,
                item.state.as_str(),
                item.kind.as_str(),
                item.published.is_some(),
                entry.seq,
                entry.seq - 1,
            ],
        )?;
        if changed == 0 {
            return Err(Error::Conflict(format!(
                "feedback item {} was changed by someone else; reload it",
                item.submission.code
            )));
        }
        tx.execute(
            "INSERT INTO feedback_log (item_id, seq, entry) VALUES (?1, ?2, ?3)",
            params![id, entry.seq, entry_json(entry)],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn item_log(&self, id: Uuid) -> Result<Option<Vec<Entry>>, Error> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached("SELECT entry FROM feedback_log WHERE item_id = ?1 ORDER BY seq")?;
        let rows = stmt
            .query_map([id.to_string()], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        if rows.is_empty() {
            return Ok(None);
        }
        rows.iter()
            .map(|t| parse_entry(t))
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    fn item_by_code(&self, code: &ReceiptCode) -> Result<Option<Uuid>, Error> {
        let id: Option<String> = self
            .conn()
            .query_row("SELECT id FROM feedback_items WHERE code = ?1", [code.as_str()], |r| {
                r.get(0)
            })
            .optional()?;
        id.map(|id| Uuid::parse_str(&id).map_err(|e| Error::Corrupt(format!("feedback item id {id:?}: {e}"))))
            .transpose()
    }

    fn item_logs(&self, filter: &ItemFilter) -> Result<Vec<Vec<Entry>>, Error> {
        let mut sql = String::from(
            "SELECT l.item_id, l.entry FROM feedback_items i JOIN feedback_log l ON l.item_id = i.id WHERE 1 = 1",
        );
        let mut args: Vec<String> = Vec::new();
        let mut arg = |sql: &mut String, clause: &str, value: String| {
            args.push(value);
            sql.push_str(&clause.replace('?', &format!("?{}", args.len())));
        };
        if let Some(f) = &filter.facility {
            arg(&mut sql, " AND i.facility = ?", f.clone());
        }
        if let Some(d) = &filter.department {
            arg(&mut sql, " AND i.department = ?", d.clone());
        }
        if let Some(t) = filter.from {
            arg(&mut sql, " AND i.received_at >= ?", stamp(t));
        }
        if let Some(t) = filter.to {
            arg(&mut sql, " AND i.received_at < ?", stamp(t));
        }
        if filter.published_only {
            sql.push_str(" AND i.published = 1");
        }
        sql.push_str(" ORDER BY i.received_at DESC, i.id, l.seq");
        let conn = self.conn();
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt
            .query_map(params_from_iter(args.iter()), |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<Vec<(String, String)>>>()?;
        group(rows)
    }

    fn submissions_from(&self, origin: &Origin, since: DateTime<Utc>) -> Result<(u32, u32), Error> {
        let conn = self.conn();
        let count = |column: &str, value: Option<&String>| -> Result<u32, Error> {
            Ok(conn.query_row(
                &format!("SELECT count(*) FROM feedback_items WHERE {column} = ?1 AND received_at >= ?2"),
                params![value, stamp(since)],
                |r| r.get(0),
            )?)
        };
        Ok((
            count("device", origin.device.as_ref())?,
            count("origin", Some(&origin.address))?,
        ))
    }

    fn add_opening(&self, o: &Opening) -> Result<i64, Error> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO feedback_openings (facility, opened_on, box, attendees, letters, recorded_by, recorded_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                o.facility,
                o.opened_on.to_string(),
                o.box_name,
                o.attendees,
                o.letters,
                o.recorded_by,
                stamp(o.recorded_at)
            ],
        )?;
        Ok(conn.last_insert_rowid())
    }

    fn openings(&self, facility: &str) -> Result<Vec<Opening>, Error> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, facility, opened_on, box, attendees, letters, recorded_by, recorded_at \
             FROM feedback_openings WHERE facility = ?1 ORDER BY opened_on DESC, id DESC",
        )?;
        let rows = stmt
            .query_map([facility], |r| {
                let day: String = r.get(2)?;
                Ok(Opening {
                    id: r.get(0)?,
                    facility: r.get(1)?,
                    opened_on: day.parse::<NaiveDate>().unwrap_or_default(),
                    box_name: r.get(3)?,
                    attendees: r.get(4)?,
                    letters: r.get(5)?,
                    recorded_by: r.get(6)?,
                    recorded_at: time(r.get(7)?).unwrap_or_default(),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}
