//! The kiosk's feedback box on disk: notes patients left ([`Note`]), numbered and hash-chained in
//! their own chain (table `notes`, append-only like `responses`), until the centre holds them.

use rusqlite::{OptionalExtension, params};

use super::{Error, Result, Store, time_text};
use crate::feedback::note::{Note, StoredNote, link};
use crate::feedback::{GENESIS, ReceiptCode};

const COLUMNS: &str = "seq, kiosk_id, body, prev_hash, hash";

fn read(row: &rusqlite::Row) -> Result<StoredNote> {
    let seq = row.get::<_, i64>(0)? as u64;
    let body: String = row.get(2)?;
    let note: Note = serde_json::from_str(&body).map_err(|e| Error::BadRow {
        seq,
        detail: format!("feedback note: {e}"),
    })?;
    Ok(StoredNote {
        seq,
        kiosk_id: row.get(1)?,
        note,
        prev_hash: row.get(3)?,
        hash: row.get(4)?,
    })
}

impl Store {
    /// Saves a note at the end of the kiosk's feedback chain; its position there.
    pub fn save_note(&mut self, note: &Note) -> Result<u64> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let (seq, prev_hash): (u64, String) = tx
            .query_row("SELECT seq, hash FROM notes ORDER BY seq DESC LIMIT 1", [], |r| {
                Ok((r.get::<_, i64>(0)? as u64 + 1, r.get(1)?))
            })
            .optional()?
            .unwrap_or((1, GENESIS.to_string()));
        let hash = link(&prev_hash, seq, &self.kiosk_id, note);
        tx.execute(
            "INSERT INTO notes (seq, id, kiosk_id, code, body, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                seq as i64,
                note.id.to_string(),
                self.kiosk_id,
                note.code.as_str(),
                serde_json::to_string(note).expect("a note serialises"),
                prev_hash,
                hash,
            ],
        )?;
        tx.commit()?;
        Ok(seq)
    }

    /// Up to `limit` notes the centre does not hold yet, oldest first.
    pub fn notes_outbox(&self, limit: usize) -> Result<Vec<StoredNote>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM notes WHERE synced_at IS NULL ORDER BY seq LIMIT ?1"
        ))?;
        let mut rows = stmt.query(params![limit as i64])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(read(row)?);
        }
        Ok(out)
    }

    /// Marks notes as held by the centre. Returns how many were newly marked.
    pub fn mark_notes_synced(&mut self, ids: &[uuid::Uuid]) -> Result<usize> {
        let now = time_text(&chrono::Utc::now());
        let tx = self.conn.transaction()?;
        let mut n = 0;
        {
            let mut stmt = tx.prepare_cached("UPDATE notes SET synced_at = ?1 WHERE id = ?2 AND synced_at IS NULL")?;
            for id in ids {
                n += stmt.execute(params![now, id.to_string()])?;
            }
        }
        tx.commit()?;
        Ok(n)
    }

    /// The note with receipt code `code`, and whether the centre holds it yet.
    pub fn note_by_code(&self, code: &ReceiptCode) -> Result<Option<(StoredNote, bool)>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS}, synced_at IS NOT NULL FROM notes WHERE code = ?1"
        ))?;
        let mut rows = stmt.query(params![code.as_str()])?;
        match rows.next()? {
            Some(row) => Ok(Some((read(row)?, row.get(5)?))),
            None => Ok(None),
        }
    }

    /// How many notes wait for the centre.
    pub fn notes_waiting(&self) -> Result<u64> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM notes WHERE synced_at IS NULL", [], |r| r.get(0))?;
        Ok(n as u64)
    }

    /// Walks the feedback chain from the first note: the sequence number of the first note
    /// whose number, link or hash does not hold (edited in the file, or one removed), if any.
    pub fn verify_notes(&self) -> Result<Option<u64>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM notes ORDER BY seq"))?;
        let mut rows = stmt.query([])?;
        let mut prev = GENESIS.to_string();
        let mut expected = 1;
        while let Some(row) = rows.next()? {
            let seq = row.get::<_, i64>(0)? as u64;
            let holds = match read(row) {
                Ok(n) => n.seq == expected && n.prev_hash == prev && n.hash_holds(),
                Err(_) => false,
            };
            if !holds {
                return Ok(Some(seq));
            }
            prev = row.get(4)?;
            expected += 1;
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use crate::feedback::{Contact, Kind};

    use super::*;

    fn note(text: &str) -> Note {
        Note::new(
            Kind::Reflection,
            None,
            text.into(),
            Contact::default(),
            chrono::Utc::now(),
        )
    }

    #[test]
    fn notes_are_chained_kept_until_the_centre_holds_them_and_never_edited() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("kiosk.sqlite3"), chrono_tz::Asia::Ho_Chi_Minh).unwrap();
        let (a, b) = (note("Phòng chờ nóng"), note("Cảm ơn bác sĩ"));
        assert_eq!(store.save_note(&a).unwrap(), 1);
        assert_eq!(store.save_note(&b).unwrap(), 2);
        let waiting = store.notes_outbox(10).unwrap();
        assert_eq!(waiting.len(), 2);
        assert_eq!(waiting[1].prev_hash, waiting[0].hash);
        assert!(waiting.iter().all(StoredNote::hash_holds));
        assert_eq!(store.verify_notes().unwrap(), None);
        assert_eq!(store.outbox_status().unwrap().notes, 2, "the Sync page counts them");
        assert!(!store.note_by_code(&a.code).unwrap().unwrap().1);

        assert_eq!(store.mark_notes_synced(&[a.id]).unwrap(), 1);
        assert_eq!(store.notes_waiting().unwrap(), 1);
        assert!(store.note_by_code(&a.code).unwrap().unwrap().1);
        assert_eq!(store.notes_outbox(10).unwrap()[0].note.id, b.id);

        let edit = store.conn.execute("UPDATE notes SET body = '{}' WHERE seq = 1", []);
        assert!(edit.unwrap_err().to_string().contains("append-only"));
        assert!(store.conn.execute("DELETE FROM notes", []).is_err());
        // Edited behind the triggers' back: the chain names the note.
        store
            .conn
            .execute_batch("DROP TRIGGER notes_append_only_update")
            .unwrap();
        store
            .conn
            .execute("UPDATE notes SET body = replace(body, 'nóng', 'mát') WHERE seq = 1", [])
            .unwrap();
        assert_eq!(store.verify_notes().unwrap(), Some(1));
    }
}
