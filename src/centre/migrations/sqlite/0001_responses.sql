CREATE TABLE facilities (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);
CREATE TABLE kiosks (
    id TEXT PRIMARY KEY,
    facility_id INTEGER NOT NULL REFERENCES facilities(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    kiosk_id TEXT UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    last_seq INTEGER NOT NULL DEFAULT 0,
    last_hash TEXT NOT NULL
);
CREATE TABLE read_tokens (id INTEGER PRIMARY KEY, name TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);
CREATE TABLE responses (
    id TEXT PRIMARY KEY,
    kiosk_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    facility_id INTEGER NOT NULL REFERENCES facilities(id),
    department TEXT,
    local_day TEXT NOT NULL,
    hash TEXT NOT NULL,
    body TEXT NOT NULL,
    received_at TEXT NOT NULL,
    UNIQUE (kiosk_id, seq)
);
CREATE INDEX responses_by_day ON responses (local_day);
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    kiosk_id TEXT NOT NULL,
    seq INTEGER,
    detail TEXT NOT NULL,
    at TEXT NOT NULL
);
