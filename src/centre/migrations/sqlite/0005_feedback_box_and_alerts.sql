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
    received_at TEXT NOT NULL,
    published INTEGER NOT NULL DEFAULT 0,
    origin TEXT,
    last_seq INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_items_by_facility ON feedback_items (facility, received_at);
CREATE INDEX IF NOT EXISTS feedback_items_by_origin ON feedback_items (origin, received_at);
CREATE TABLE IF NOT EXISTS feedback_log (
    item_id TEXT NOT NULL REFERENCES feedback_items(id),
    seq INTEGER NOT NULL,
    entry TEXT NOT NULL,
    PRIMARY KEY (item_id, seq)
);
-- Openings of the physical box: when, which box, who was there, how many letters.
CREATE TABLE IF NOT EXISTS feedback_openings (
    id INTEGER PRIMARY KEY,
    facility TEXT NOT NULL,
    opened_on TEXT NOT NULL,
    box TEXT NOT NULL,
    attendees TEXT NOT NULL,
    letters INTEGER NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
-- Alerts waiting to be sent, sent, or retried (centre::alerts): one row per key.
CREATE TABLE IF NOT EXISTS alert_queue (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    event TEXT NOT NULL,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at TEXT NOT NULL,
    claimed_until TEXT,
    sent_at TEXT,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS alert_queue_due ON alert_queue (sent_at, next_at);
