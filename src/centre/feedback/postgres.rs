//! [`FeedbackStore`] on the centre's PostgreSQL database.

use chrono::{DateTime, NaiveDate, Utc};
use deadpool_postgres::Pool;
use tokio_postgres::types::ToSql;
use uuid::Uuid;

use super::sqlite::group;
use super::{Added, FeedbackStore, ItemFilter, Opening, Origin};
use crate::centre::postgres::{PostgresCentre, db};
use crate::centre::store::{Error, entry_json, parse_entry};
use crate::feedback::{Entry, Item, ReceiptCode};

impl FeedbackStore for PostgresCentre {
    fn add_item(&self, item: &Item, origin: Option<&Origin>) -> Result<Added, Error> {
        let s = &item.submission;
        let first = item
            .log
            .first()
            .ok_or_else(|| Error::Corrupt("an item without a log".into()))?;
        self.run(async |pool: &Pool| {
            let mut client = pool.get().await.map_err(db)?;
            let tx = client.transaction().await.map_err(db)?;
            let id = s.id.to_string();
            let inserted = tx
                .execute(
                    "INSERT INTO feedback_items (id, code, facility, department, state, kind, channel, received_at, published, origin, last_seq, device) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING",
                    &[
                        &id,
                        &s.code.as_str(),
                        &s.facility,
                        &item.department,
                        &item.state.as_str(),
                        &item.kind.as_str(),
                        &s.channel.as_str(),
                        &s.received_at,
                        &item.published.is_some(),
                        &origin.map(|o| &o.address),
                        &(item.log.len() as i32),
                        &origin.and_then(|o| o.device.as_ref()),
                    ],
                )
                .await
                .map_err(db)?;
            if inserted == 0 {
                let stored = tx
                    .query_opt("SELECT entry FROM feedback_log WHERE item_id = $1 AND seq = 1", &[&id])
                    .await
                    .map_err(db)?;
                return match stored {
                    Some(row) if parse_entry(row.get(0))?.hash == first.hash => Ok(Added::Duplicate),
                    Some(_) => Err(Error::Conflict(format!("feedback item {id} exists with other content"))),
                    None => Err(Error::Conflict(format!("receipt code {} is taken", s.code))),
                };
            }
            for entry in &item.log {
                tx.execute(
                    "INSERT INTO feedback_log (item_id, seq, entry) VALUES ($1, $2, $3)",
                    &[&id, &(entry.seq as i32), &entry_json(entry)],
                )
                .await
                .map_err(db)?;
            }
            tx.commit().await.map_err(db)?;
            Ok(Added::New)
        })
    }

    fn append(&self, item: &Item) -> Result<(), Error> {
        let entry = item
            .log
            .last()
            .ok_or_else(|| Error::Corrupt("an item without a log".into()))?;
        self.run(async |pool: &Pool| {
            let mut client = pool.get().await.map_err(db)?;
            let tx = client.transaction().await.map_err(db)?;
            let id = item.submission.id.to_string();
            let changed = tx
                .execute(
                    "UPDATE feedback_items SET department = $2, state = $3, kind = $4, published = $5, last_seq = $6 \
                     WHERE id = $1 AND last_seq = $7",
                    &[
                        &id,
                        &item.department,
                        &item.state.as_str(),
                        &item.kind.as_str(),
                        &item.published.is_some(),
                        &(entry.seq as i32),
                        &(entry.seq as i32 - 1),
                    ],
                )
                .await
                .map_err(db)?;
            if changed == 0 {
                return Err(Error::Conflict(format!(
                    "feedback item {} was changed by someone else; reload it",
                    item.submission.code
                )));
            }
            tx.execute(
                "INSERT INTO feedback_log (item_id, seq, entry) VALUES ($1, $2, $3)",
                &[&id, &(entry.seq as i32), &entry_json(entry)],
            )
            .await
            .map_err(db)?;
            tx.commit().await.map_err(db)
        })
    }

    fn item_log(&self, id: Uuid) -> Result<Option<Vec<Entry>>, Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let rows = client
                .query(
                    "SELECT entry FROM feedback_log WHERE item_id = $1 ORDER BY seq",
                    &[&id.to_string()],
                )
                .await
                .map_err(db)?;
            if rows.is_empty() {
                return Ok(None);
            }
            rows.iter()
                .map(|r| parse_entry(r.get(0)))
                .collect::<Result<Vec<_>, _>>()
                .map(Some)
        })
    }

    fn item_by_code(&self, code: &ReceiptCode) -> Result<Option<Uuid>, Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let row = client
                .query_opt("SELECT id FROM feedback_items WHERE code = $1", &[&code.as_str()])
                .await
                .map_err(db)?;
            row.map(|r| {
                let id: String = r.get(0);
                Uuid::parse_str(&id).map_err(|e| Error::Corrupt(format!("feedback item id {id:?}: {e}")))
            })
            .transpose()
        })
    }

    fn item_logs(&self, filter: &ItemFilter) -> Result<Vec<Vec<Entry>>, Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let mut sql = String::from(
                "SELECT l.item_id, l.entry FROM feedback_items i JOIN feedback_log l ON l.item_id = i.id WHERE true",
            );
            let mut args: Vec<Box<dyn ToSql + Sync + Send>> = Vec::new();
            if let Some(f) = &filter.facility {
                args.push(Box::new(f.clone()));
                sql.push_str(&format!(" AND i.facility = ${}", args.len()));
            }
            if let Some(d) = &filter.department {
                args.push(Box::new(d.clone()));
                sql.push_str(&format!(" AND i.department = ${}", args.len()));
            }
            if let Some(t) = filter.from {
                args.push(Box::new(t));
                sql.push_str(&format!(" AND i.received_at >= ${}", args.len()));
            }
            if let Some(t) = filter.to {
                args.push(Box::new(t));
                sql.push_str(&format!(" AND i.received_at < ${}", args.len()));
            }
            if filter.published_only {
                sql.push_str(" AND i.published");
            }
            sql.push_str(" ORDER BY i.received_at DESC, i.id, l.seq");
            let params: Vec<&(dyn ToSql + Sync)> = args.iter().map(|a| a.as_ref() as &(dyn ToSql + Sync)).collect();
            let rows = client.query(&sql, &params).await.map_err(db)?;
            group(rows.iter().map(|r| (r.get::<_, String>(0), r.get::<_, String>(1))))
        })
    }

    fn submissions_from(&self, origin: &Origin, since: DateTime<Utc>) -> Result<(u32, u32), Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let row = client
                .query_one(
                    "SELECT (SELECT count(*) FROM feedback_items WHERE device = $1 AND received_at >= $3), \
                            (SELECT count(*) FROM feedback_items WHERE origin = $2 AND received_at >= $3)",
                    &[&origin.device, &origin.address, &since],
                )
                .await
                .map_err(db)?;
            Ok((row.get::<_, i64>(0) as u32, row.get::<_, i64>(1) as u32))
        })
    }

    fn add_opening(&self, o: &Opening) -> Result<i64, Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let row = client
                .query_one(
                    "INSERT INTO feedback_openings (facility, opened_on, box, attendees, letters, recorded_by, recorded_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                    &[
                        &o.facility,
                        &o.opened_on,
                        &o.box_name,
                        &o.attendees,
                        &(o.letters as i32),
                        &o.recorded_by,
                        &o.recorded_at,
                    ],
                )
                .await
                .map_err(db)?;
            Ok(row.get(0))
        })
    }

    fn openings(&self, facility: &str) -> Result<Vec<Opening>, Error> {
        self.run(async |pool: &Pool| {
            let client = pool.get().await.map_err(db)?;
            let rows = client
                .query(
                    "SELECT id, facility, opened_on, box, attendees, letters, recorded_by, recorded_at \
                     FROM feedback_openings WHERE facility = $1 ORDER BY opened_on DESC, id DESC",
                    &[&facility],
                )
                .await
                .map_err(db)?;
            Ok(rows
                .iter()
                .map(|r| Opening {
                    id: r.get(0),
                    facility: r.get(1),
                    opened_on: r.get::<_, NaiveDate>(2),
                    box_name: r.get(3),
                    attendees: r.get(4),
                    letters: r.get::<_, i32>(5) as u32,
                    recorded_by: r.get(6),
                    recorded_at: r.get(7),
                })
                .collect())
        })
    }
}
