-- The feedback box (centre::feedback): an item is its hash-chained log; the item row holds
-- what lists filter on, kept in step with the log's last entry (last_seq).
CREATE TABLE IF NOT EXISTS feedback_items (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    facility TEXT NOT NULL,
    department TEXT,
    state TEXT NOT NULL,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    published BOOLEAN NOT NULL DEFAULT false,
    origin TEXT,
    last_seq INT NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_items_by_facility ON feedback_items (facility, received_at);
CREATE INDEX IF NOT EXISTS feedback_items_by_origin ON feedback_items (origin, received_at);
CREATE TABLE IF NOT EXISTS feedback_log (
    item_id TEXT NOT NULL REFERENCES feedback_items(id),
    seq INT NOT NULL,
    entry TEXT NOT NULL,
    PRIMARY KEY (item_id, seq)
);
-- Openings of the physical box: when, which box, who was there, how many letters.
CREATE TABLE IF NOT EXISTS feedback_openings (
    id BIGSERIAL PRIMARY KEY,
    facility TEXT NOT NULL,
    opened_on DATE NOT NULL,
    box TEXT NOT NULL,
    attendees TEXT NOT NULL,
    letters INT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL
);
-- Alerts waiting to be sent, sent, or retried (centre::alerts): one row per key.
CREATE TABLE IF NOT EXISTS alert_queue (
    id BIGSERIAL PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    event TEXT NOT NULL,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    attempts INT NOT NULL DEFAULT 0,
    next_at TIMESTAMPTZ NOT NULL,
    claimed_until TIMESTAMPTZ,
    sent_at TIMESTAMPTZ,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS alert_queue_due ON alert_queue (sent_at, next_at);
-- Leaders (director, deputies) approve replies and see a denunciation's identity.
ALTER TABLE users ADD COLUMN IF NOT EXISTS leader BOOLEAN NOT NULL DEFAULT false;
-- How many responses each kiosk said it still held unsynced after its last batch.
ALTER TABLE kiosk_sync ADD COLUMN IF NOT EXISTS waiting BIGINT;
