-- Accounts, sessions and the login throttle (centre::accounts). IF NOT EXISTS: tests rebuild
-- older schemas by moving the version back.
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    facility TEXT,
    department TEXT,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    disabled_at TEXT
);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (user_id);
CREATE TABLE IF NOT EXISTS login_failures (key TEXT NOT NULL, at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS login_failures_by_key ON login_failures (key, at);
-- When each enrolment last sent a batch (the facility page's kiosk health).
CREATE TABLE IF NOT EXISTS kiosk_sync (id TEXT PRIMARY KEY REFERENCES kiosks(id), at TEXT NOT NULL);
-- Section IV of the quarterly reports, as the facilities wrote it.
CREATE TABLE IF NOT EXISTS report_texts (
    facility TEXT NOT NULL,
    period TEXT NOT NULL,
    actions TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (facility, period)
);
