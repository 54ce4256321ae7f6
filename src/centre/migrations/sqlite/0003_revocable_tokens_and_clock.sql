-- Read tokens can be revoked; events are looked up by kiosk (audits, lists); /api/v1/health
-- writes a probe row. The tallies are recomputed (see TALLIES_MIGRATIONS).
DELETE FROM tallies;
DELETE FROM tallies_month;
ALTER TABLE read_tokens ADD COLUMN revoked_at TEXT;
CREATE INDEX events_by_kiosk ON events (kiosk_id, seq);
CREATE TABLE health (id INTEGER PRIMARY KEY CHECK (id = 1), at TEXT NOT NULL);
-- Responses stamped with times the centre cannot believe: kept, counted in no figure.
ALTER TABLE responses ADD COLUMN clock_suspect INTEGER NOT NULL DEFAULT 0;
