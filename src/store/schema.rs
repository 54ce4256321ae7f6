//! Versioned schema migrations of the kiosk database.
//!
//! `PRAGMA user_version` records how many migrations have run. Each migration runs in its own
//! transaction, so a crash part-way leaves the database at the previous version.

/// Marks a file as a hailong kiosk database (`HLNG`).
pub const APPLICATION_ID: i32 = 0x484C_4E47;

/// The migration after whose SQL every daily tally is recomputed from the stored responses.
pub const RETALLY_MIGRATION: usize = 1;

/// The migrations, in order. Never edit one that has shipped; append a new one.
pub const MIGRATIONS: &[&str] = &[
    // 1: responses (append-only, hash-chained), the questionnaires they refer to, daily tallies.
    r#"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE questionnaires (
    id          TEXT NOT NULL,
    version     INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    definition  TEXT NOT NULL,
    first_used  TEXT NOT NULL,
    PRIMARY KEY (id, version)
) WITHOUT ROWID;

CREATE TABLE responses (
    seq                   INTEGER PRIMARY KEY,
    id                    TEXT NOT NULL UNIQUE,
    kiosk_id              TEXT NOT NULL,
    questionnaire_id      TEXT NOT NULL,
    questionnaire_version INTEGER NOT NULL,
    department            TEXT,
    locale                TEXT NOT NULL,
    started_at            TEXT NOT NULL,
    submitted_at          TEXT NOT NULL,
    local_day             TEXT NOT NULL,
    status                TEXT NOT NULL,
    rapid_repeat          INTEGER NOT NULL,
    answers               TEXT NOT NULL,
    prev_hash             TEXT NOT NULL,
    hash                  TEXT NOT NULL,
    synced_at             TEXT
);
CREATE INDEX responses_by_day ON responses (local_day);
CREATE INDEX responses_unsynced ON responses (seq) WHERE synced_at IS NULL;

-- Answers are append-only: only the sync bookkeeping may change.
CREATE TRIGGER responses_append_only_delete BEFORE DELETE ON responses
BEGIN SELECT RAISE(ABORT, 'responses are append-only'); END;
CREATE TRIGGER responses_append_only_update
BEFORE UPDATE OF seq, id, kiosk_id, questionnaire_id, questionnaire_version, department, locale,
                 started_at, submitted_at, local_day, status, rapid_repeat, answers, prev_hash, hash
ON responses
BEGIN SELECT RAISE(ABORT, 'responses are append-only'); END;

-- One tally per facility-local day, questionnaire, department and class, kept up to date in the
-- transaction that saves each response, so reports add up a few hundred rows instead of
-- rescanning every answer.
CREATE TABLE tally (
    day                   TEXT NOT NULL,
    questionnaire_id      TEXT NOT NULL,
    questionnaire_version INTEGER NOT NULL,
    department            TEXT NOT NULL,
    rapid_repeat          INTEGER NOT NULL,
    data                  TEXT NOT NULL,
    PRIMARY KEY (day, questionnaire_id, questionnaire_version, department, rapid_repeat)
) WITHOUT ROWID;
"#,
    // 2: the daily tallies are recomputed from the responses (in Rust, `RETALLY_MIGRATION`):
    // they gained the counts of complete responses that comprehensive satisfaction is over.
    r#"
-- Nothing in SQL: see store::retally.
"#,
    // 3: what patients leave in the kiosk's feedback box (append-only, hash-chained on their own).
    r#"
CREATE TABLE notes (
    seq       INTEGER PRIMARY KEY,
    id        TEXT NOT NULL UNIQUE,
    kiosk_id  TEXT NOT NULL,
    code      TEXT NOT NULL UNIQUE,
    body      TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL,
    synced_at TEXT
);
CREATE INDEX notes_unsynced ON notes (seq) WHERE synced_at IS NULL;

CREATE TRIGGER notes_append_only_delete BEFORE DELETE ON notes
BEGIN SELECT RAISE(ABORT, 'notes are append-only'); END;
CREATE TRIGGER notes_append_only_update
BEFORE UPDATE OF seq, id, kiosk_id, code, body, prev_hash, hash ON notes
BEGIN SELECT RAISE(ABORT, 'notes are append-only'); END;
"#,
    // 4: how each response came and where (DESIGN §12): chained with it, so append-only too.
    r#"
ALTER TABLE responses ADD COLUMN channel TEXT;
ALTER TABLE responses ADD COLUMN point TEXT;
CREATE TRIGGER responses_append_only_channel
BEFORE UPDATE OF channel, point ON responses
BEGIN SELECT RAISE(ABORT, 'responses are append-only'); END;
"#,
];
