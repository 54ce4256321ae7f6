//! The kiosk's SQLite database (DESIGN §6): append-only, hash-chained responses, the outbox the
//! sync task drains, and the daily tallies reports are computed from.
//!
//! Every call is synchronous; the GUI runs them in `spawn_blocking`. WAL with
//! `synchronous=FULL`: when [`Store::save`] returns, the response is on disk.

mod chain;
mod notes;
mod schema;

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};

pub use chain::{GENESIS, canonical_bytes, link, link_canonical, stored_json};

use crate::survey::{Channel, InvalidResponse, Locale, Questionnaire, Response, ResponseId, Status, Tally};

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file exists but is not a hailong database. It was not modified.
    #[error("{path}: not a hailong database ({reason}); the file was left untouched")]
    NotADatabase {
        /// The file.
        path: PathBuf,
        /// What gave it away.
        reason: String,
    },
    /// SQLite reports damage.
    #[error("{path}: the database is damaged ({detail}); restore it from a backup (the file was left untouched)")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// SQLite's words.
        detail: String,
    },
    /// Written by a newer hailong.
    #[error(
        "{path}: written by a newer hailong (schema version {found}, this program knows up to {known}); upgrade hailong"
    )]
    TooNew {
        /// The file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
        /// Ours.
        known: i64,
    },
    /// The response does not fit its questionnaire.
    #[error("response {id} was not saved: {source}")]
    Invalid {
        /// The response.
        id: ResponseId,
        /// What is wrong.
        source: InvalidResponse,
    },
    /// A questionnaire id and version already used in this database with a different meaning.
    #[error(
        "questionnaire {key} differs from the one this database already holds answers for; give the changed questionnaire a new version"
    )]
    QuestionnaireChanged {
        /// `id@version`.
        key: String,
    },
    /// A stored row could not be read back.
    #[error("response seq {seq} cannot be read: {detail}")]
    BadRow {
        /// Its sequence number.
        seq: u64,
        /// What is wrong.
        detail: String,
    },
    /// Any other SQLite error.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// File-system error.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

/// Shorthand.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The store, shared between the kiosk's UI (which never locks it), its save tasks and sync.
pub type SharedStore = std::sync::Arc<std::sync::Mutex<Store>>;

/// One response as the kiosk holds it now, for the chain audit (`sync::Audit`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditEntry {
    /// Sequence number.
    pub seq: u64,
    /// Response id.
    pub id: ResponseId,
    /// SHA-256 of the previous hash and the response's current content (as in the chain).
    pub hash: String,
}

/// A response as stored: numbered and chained. This is also what the sync task sends.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StoredResponse {
    /// Position in this kiosk's chain, from 1.
    #[schema(minimum = 1)]
    pub seq: u64,
    /// The kiosk that took it.
    pub kiosk_id: String,
    /// The response.
    #[serde(flatten)]
    pub response: Response,
    /// Hash of the previous response ([`GENESIS`] for the first).
    pub prev_hash: String,
    /// `SHA-256(prev_hash ‖ canonical bytes)`.
    pub hash: String,
}

/// Read field by field rather than through `#[serde(flatten)]`, which buffers every field of
/// the response (answers included) before reading it again: the centre parses hundreds of
/// thousands of these, and flattening made that the largest cost of ingest. The fields are
/// those of [`Response`] plus the chain's; `stored_json_is_what_serde_writes_and_reads_back` checks the two
/// stay in step.
impl<'de> Deserialize<'de> for StoredResponse {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Wire {
            seq: u64,
            kiosk_id: String,
            id: ResponseId,
            questionnaire_id: String,
            questionnaire_version: u32,
            department: Option<String>,
            locale: Locale,
            started_at: DateTime<Utc>,
            submitted_at: DateTime<Utc>,
            status: Status,
            #[serde(default)]
            rapid_repeat: bool,
            #[serde(deserialize_with = "answers_in_order")]
            answers: BTreeMap<String, crate::survey::Answer>,
            #[serde(default)]
            channel: Option<crate::survey::Channel>,
            #[serde(default)]
            point: Option<String>,
            #[serde(default)]
            repeat_device: bool,
            prev_hash: String,
            hash: String,
        }
        let w = Wire::deserialize(deserializer)?;
        Ok(StoredResponse {
            seq: w.seq,
            kiosk_id: w.kiosk_id,
            response: Response {
                id: w.id,
                questionnaire_id: w.questionnaire_id,
                questionnaire_version: w.questionnaire_version,
                department: w.department,
                locale: w.locale,
                started_at: w.started_at,
                submitted_at: w.submitted_at,
                status: w.status,
                rapid_repeat: w.rapid_repeat,
                answers: w.answers,
                channel: w.channel,
                point: w.point,
                repeat_device: w.repeat_device,
            },
            prev_hash: w.prev_hash,
            hash: w.hash,
        })
    }
}

/// Reads a map of answers by collecting the entries first and building the map in one go:
/// they arrive sorted (serde writes a `BTreeMap` in order), and building from a sorted list
/// costs a fraction of inserting them one by one. A repeated code keeps its last answer, as
/// inserting does.
fn answers_in_order<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<BTreeMap<String, crate::survey::Answer>, D::Error> {
    struct Entries;
    impl<'de> serde::de::Visitor<'de> for Entries {
        type Value = BTreeMap<String, crate::survey::Answer>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a map of answers by item code")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(256));
            while let Some(entry) = map.next_entry()? {
                entries.push(entry);
            }
            Ok(entries.into_iter().collect())
        }
    }
    deserializer.deserialize_map(Entries)
}

/// What [`Store::save`] reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    /// The response's id.
    pub id: ResponseId,
    /// Its sequence number.
    pub seq: u64,
    /// Its hash.
    pub hash: String,
}

/// Which responses a report or export covers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// First facility-local day, inclusive.
    pub from: Option<NaiveDate>,
    /// Last facility-local day, inclusive.
    pub to: Option<NaiveDate>,
    /// Only this department.
    pub department: Option<String>,
    /// Only this questionnaire id.
    pub questionnaire: Option<String>,
}

impl Filter {
    /// The day bounds as stored keys; open ends become keys beyond any real day.
    fn day_keys(&self) -> (String, String) {
        (
            self.from.map_or_else(|| "0000-00-00".into(), day_key),
            self.to.map_or_else(|| "9999-99-99".into(), day_key),
        )
    }
}

/// The merged tally of one questionnaire version and class within a [`Filter`].
#[derive(Debug, Clone, PartialEq)]
pub struct TallyGroup {
    /// Questionnaire id.
    pub questionnaire_id: String,
    /// Questionnaire version.
    pub questionnaire_version: u32,
    /// Whether these are rapid repeats (excluded from figures).
    pub rapid_repeat: bool,
    /// The counts.
    pub tally: Tally,
}

/// The outcome of [`Store::verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainProblem {
    /// A sequence number is missing (a response was deleted).
    Missing {
        /// The first missing sequence number.
        seq: u64,
    },
    /// A response's content no longer matches its hash (it was edited).
    Altered {
        /// Its sequence number.
        seq: u64,
    },
    /// A response's `prev_hash` does not match its predecessor.
    Broken {
        /// Its sequence number.
        seq: u64,
    },
    /// SQLite's own check found damaged pages (disk or file-system fault, or a hand edit).
    Damaged {
        /// SQLite's first complaint.
        detail: String,
    },
    /// A row cannot be read at all.
    Unreadable {
        /// Its sequence number.
        seq: u64,
        /// Why.
        detail: String,
    },
}

impl std::fmt::Display for ChainProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainProblem::Missing { seq } => write!(f, "response seq {seq} is missing (deleted?)"),
            ChainProblem::Altered { seq } => write!(f, "response seq {seq} was altered after it was saved"),
            ChainProblem::Broken { seq } => write!(f, "the chain is broken at seq {seq} (prev_hash does not match)"),
            ChainProblem::Unreadable { seq, detail } => write!(f, "response seq {seq} cannot be read: {detail}"),
            ChainProblem::Damaged { detail } => write!(f, "the database file is damaged: {detail}"),
        }
    }
}

/// A summary of the chain check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Responses checked.
    pub checked: u64,
    /// The first problem found, if any.
    pub problem: Option<ChainProblem>,
    /// Daily tally cells that differ from the tallies recomputed from the chained responses
    /// (reports add up the tallies, so an edited cell changes every figure unseen).
    pub tallies: Vec<TallyMismatch>,
    /// Tally cells compared.
    pub tally_cells: u64,
}

/// A daily tally cell that is not what the responses add up to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TallyMismatch {
    /// Facility-local day.
    pub day: String,
    /// Questionnaire id and version (`id@version`).
    pub questionnaire: String,
    /// Department, or empty.
    pub department: String,
    /// Whether the cell holds rapid repeats.
    pub rapid_repeat: bool,
    /// Responses and satisfied (4–5) answers the stored cell says.
    pub stored: (u64, u64),
    /// The same, recomputed from the responses.
    pub recomputed: (u64, u64),
}

/// The sync queue's state, for staff mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxStatus {
    /// Responses not yet accepted by the centre.
    pub queued: u64,
    /// When the oldest of them was submitted.
    pub oldest: Option<DateTime<Utc>>,
    /// Feedback notes not yet held by the centre.
    pub notes: u64,
}

/// The kiosk database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    kiosk_id: String,
    tz: chrono_tz::Tz,
    registered: HashMap<(String, u32), Questionnaire>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .field("kiosk_id", &self.kiosk_id)
            .finish()
    }
}

const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

fn check_header(path: &Path) -> Result<()> {
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(Error::Io {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let mut header = [0u8; 16];
    let mut read = 0;
    while read < header.len() {
        match file.read(&mut header[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(source) => {
                return Err(Error::Io {
                    path: path.to_path_buf(),
                    source,
                });
            }
        }
    }
    if read == 0 {
        return Ok(()); // an empty file is a new database
    }
    if read < header.len() || &header != SQLITE_HEADER {
        return Err(Error::NotADatabase {
            path: path.to_path_buf(),
            reason: "it is not an SQLite file".into(),
        });
    }
    Ok(())
}

fn classify(path: &Path, e: rusqlite::Error) -> Error {
    use rusqlite::ErrorCode;
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => Error::NotADatabase {
            path: path.to_path_buf(),
            reason: e.to_string(),
        },
        Some(ErrorCode::DatabaseCorrupt) => Error::Corrupt {
            path: path.to_path_buf(),
            detail: e.to_string(),
        },
        _ => Error::Sqlite(e),
    }
}

fn day_key(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

fn time_text(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl Store {
    /// Opens (or creates) the database at `path`. Days are counted in `tz`.
    ///
    /// A file that is not an SQLite database, or an SQLite database that is not hailong's, is
    /// refused without being written to. The file is created (or narrowed to) mode 0600.
    pub fn open(path: &Path, tz: chrono_tz::Tz) -> Result<Store> {
        check_header(path)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::fsutil::create_private_dir_all(dir).map_err(|source| Error::Io {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        // Patients' comments: the file (and so SQLite's -wal and -shm beside it, which take its
        // mode) is its owner's only, also when an older hailong left it world-readable.
        crate::fsutil::prepare_private_database(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| classify(path, e))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            kiosk_id: String::new(),
            tz,
            registered: HashMap::new(),
        };
        store.prepare().map_err(|e| match e {
            Error::Sqlite(e) => classify(path, e),
            other => other,
        })?;
        Ok(store)
    }

    fn prepare(&mut self) -> Result<()> {
        let path = self.path.clone();
        let (app_id, version, tables): (i32, i64, i64) = self.conn.query_row(
            "SELECT (SELECT application_id FROM pragma_application_id), \
                    (SELECT user_version FROM pragma_user_version), \
                    (SELECT count(*) FROM sqlite_master)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        if tables > 0 && app_id != schema::APPLICATION_ID {
            return Err(Error::NotADatabase {
                path,
                reason: "it is an SQLite database of another program".into(),
            });
        }
        let known = schema::MIGRATIONS.len() as i64;
        if version > known {
            return Err(Error::TooNew {
                path,
                found: version,
                known,
            });
        }
        self.conn.pragma_update(None, "journal_mode", "WAL")?;
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        // Checkpoint less often (16 MB of WAL instead of 4 MB): each checkpoint costs extra
        // fsyncs, and a kiosk's save latency is dominated by fsyncs.
        self.conn.pragma_update(None, "wal_autocheckpoint", 4000)?;
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        for (i, migration) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = self.conn.transaction()?;
            tx.execute_batch(migration)?;
            if i == schema::RETALLY_MIGRATION {
                retally(&tx)?;
            }
            tx.pragma_update(None, "application_id", schema::APPLICATION_ID)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
            tx.commit()?;
        }
        let kiosk_id: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'kiosk_id'", [], |r| r.get(0))
            .optional()?;
        self.kiosk_id = match kiosk_id {
            Some(id) => id,
            None => {
                let id = uuid::Uuid::now_v7().to_string();
                self.conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('kiosk_id', ?1), ('head_seq', '0') \
                     ON CONFLICT (key) DO NOTHING",
                    [&id],
                )?;
                self.conn
                    .query_row("SELECT value FROM meta WHERE key = 'kiosk_id'", [], |r| r.get(0))?
            }
        };
        Ok(())
    }

    /// This kiosk's id, created with the database.
    pub fn kiosk_id(&self) -> &str {
        &self.kiosk_id
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The time zone days are counted in.
    pub fn timezone(&self) -> chrono_tz::Tz {
        self.tz
    }

    /// The facility-local day of an instant.
    pub fn local_day(&self, t: &DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.tz).date_naive()
    }

    /// Saves one response durably: validated against `q`, numbered, chained and tallied in one
    /// transaction. When this returns `Ok`, the response survives a power cut.
    pub fn save(&mut self, q: &Questionnaire, response: &Response) -> Result<Saved> {
        Ok(self.save_all(&[(q, response)])?.remove(0))
    }

    /// Saves several responses in one transaction (all or none).
    pub fn save_all(&mut self, batch: &[(&Questionnaire, &Response)]) -> Result<Vec<Saved>> {
        for (q, r) in batch {
            r.validate(q).map_err(|source| Error::Invalid { id: r.id, source })?;
        }
        let tz = self.tz;
        let kiosk_id = self.kiosk_id.clone();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // Questionnaires this transaction registers are remembered only once it commits: a
        // rolled-back save (a full disk) must leave the next attempt to register them again.
        let mut newly_registered: Vec<&Questionnaire> = Vec::new();
        for (q, _) in batch {
            if register(&tx, &self.registered, &newly_registered, q)? {
                newly_registered.push(*q);
            }
        }
        let (mut seq, mut prev_hash): (u64, String) = tx
            .query_row("SELECT seq, hash FROM responses ORDER BY seq DESC LIMIT 1", [], |r| {
                Ok((r.get::<_, i64>(0)? as u64, r.get(1)?))
            })
            .optional()?
            .unwrap_or((0, GENESIS.to_string()));
        let mut saved = Vec::with_capacity(batch.len());
        let mut tallies: BTreeMap<TallyKey, Tally> = BTreeMap::new();
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO responses (seq, id, kiosk_id, questionnaire_id, questionnaire_version, department, \
                 locale, started_at, submitted_at, local_day, status, rapid_repeat, answers, prev_hash, hash, \
                 channel, point) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
            )?;
            for (_, r) in batch {
                seq += 1;
                let hash = link(&prev_hash, seq, &kiosk_id, r);
                let day = day_key(r.submitted_at.with_timezone(&tz).date_naive());
                insert.execute(params![
                    seq as i64,
                    r.id.to_string(),
                    kiosk_id,
                    r.questionnaire_id,
                    r.questionnaire_version,
                    r.department,
                    r.locale.tag(),
                    time_text(&r.started_at),
                    time_text(&r.submitted_at),
                    day,
                    r.status.as_str(),
                    r.rapid_repeat,
                    serde_json::to_string(&r.answers).expect("answers serialise"),
                    prev_hash,
                    hash,
                    r.channel.map(|c| c.as_str()),
                    r.point,
                ])?;
                tallies.entry(tally_key(day, r)).or_default().add(r);
                saved.push(Saved {
                    id: r.id,
                    seq,
                    hash: hash.clone(),
                });
                prev_hash = hash;
            }
        }
        {
            let mut read = tx.prepare_cached(
                "SELECT data FROM tally WHERE day = ?1 AND questionnaire_id = ?2 AND questionnaire_version = ?3 \
                 AND department = ?4 AND rapid_repeat = ?5",
            )?;
            let mut write = tx.prepare_cached(
                "INSERT OR REPLACE INTO tally (day, questionnaire_id, questionnaire_version, department, rapid_repeat, data) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for ((day, qid, qver, dept, rapid), add) in tallies {
                let existing: Option<String> = read
                    .query_row(params![day, qid, qver, dept, rapid], |r| r.get(0))
                    .optional()?;
                let mut tally = match existing {
                    Some(json) => serde_json::from_str::<Tally>(&json).map_err(|e| Error::Corrupt {
                        path: self.path.clone(),
                        detail: format!("tally of {day}: {e}"),
                    })?,
                    None => Tally::default(),
                };
                tally.merge(&add);
                write.execute(params![
                    day,
                    qid,
                    qver,
                    dept,
                    rapid,
                    serde_json::to_string(&tally).expect("tally serialises")
                ])?;
            }
        }
        tx.execute("UPDATE meta SET value = ?1 WHERE key = 'head_seq'", [seq.to_string()])?;
        tx.commit()?;
        for q in newly_registered {
            self.registered.insert((q.id.clone(), q.version), q.clone());
        }
        Ok(saved)
    }

    /// The tallies within `filter`, merged per questionnaire version and class.
    pub fn tallies(&self, filter: &Filter) -> Result<Vec<TallyGroup>> {
        let (from, to) = filter.day_keys();
        let mut stmt = self.conn.prepare_cached(
            "SELECT questionnaire_id, questionnaire_version, rapid_repeat, data FROM tally \
             WHERE day >= ?1 AND day <= ?2 AND (?3 IS NULL OR department = ?3) \
             AND (?4 IS NULL OR questionnaire_id = ?4)",
        )?;
        let mut rows = stmt.query(params![from, to, filter.department, filter.questionnaire])?;
        let mut groups: BTreeMap<(String, u32, bool), Tally> = BTreeMap::new();
        while let Some(row) = rows.next()? {
            let key = (row.get::<_, String>(0)?, row.get::<_, u32>(1)?, row.get::<_, bool>(2)?);
            let json: String = row.get(3)?;
            let tally: Tally = serde_json::from_str(&json).map_err(|e| Error::Corrupt {
                path: self.path.clone(),
                detail: format!("a daily tally cannot be read: {e}"),
            })?;
            groups.entry(key).or_default().merge(&tally);
        }
        Ok(groups
            .into_iter()
            .map(
                |((questionnaire_id, questionnaire_version, rapid_repeat), tally)| TallyGroup {
                    questionnaire_id,
                    questionnaire_version,
                    rapid_repeat,
                    tally,
                },
            )
            .collect())
    }

    /// The definition of a questionnaire as it was when responses to it were first saved.
    pub fn questionnaire(&self, id: &str, version: u32) -> Result<Option<Questionnaire>> {
        let json: Option<String> = self
            .conn
            .query_row(
                "SELECT definition FROM questionnaires WHERE id = ?1 AND version = ?2",
                params![id, version],
                |r| r.get(0),
            )
            .optional()?;
        json.map(|j| {
            serde_json::from_str(&j).map_err(|e| Error::Corrupt {
                path: self.path.clone(),
                detail: format!("questionnaire {id}@{version}: {e}"),
            })
        })
        .transpose()
    }

    /// Every questionnaire this database holds answers for, in order of first use.
    pub fn questionnaires(&self) -> Result<Vec<Questionnaire>> {
        let mut stmt = self
            .conn
            .prepare("SELECT definition FROM questionnaires ORDER BY first_used, id, version")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for json in rows {
            out.push(serde_json::from_str(&json?).map_err(|e| Error::Corrupt {
                path: self.path.clone(),
                detail: format!("a stored questionnaire cannot be read: {e}"),
            })?);
        }
        Ok(out)
    }

    /// Checks that `q` may be used with this database: an id and version already holding answers
    /// must not have changed meaning.
    pub fn check_questionnaire(&mut self, q: &Questionnaire) -> Result<()> {
        match stored_fingerprint(&self.conn, q)? {
            Some(f) if f != q.fingerprint() => Err(Error::QuestionnaireChanged { key: q.key() }),
            _ => Ok(()),
        }
    }

    /// Number of responses within `filter` (all classes).
    pub fn count(&self, filter: &Filter) -> Result<u64> {
        let mut n = 0;
        self.for_each_row(filter, "count(*)", |row| {
            n = row.get::<_, i64>(0)? as u64;
            Ok(())
        })?;
        Ok(n)
    }

    fn for_each_row(&self, filter: &Filter, columns: &str, mut f: impl FnMut(&Row) -> Result<()>) -> Result<()> {
        let (from, to) = filter.day_keys();
        // With day bounds, walk the day index (it ends in seq, so no sort is needed); without,
        // walk the table in seq order.
        let bounded = filter.from.is_some() || filter.to.is_some();
        let order = match (columns.starts_with("count"), bounded) {
            (true, _) => "",
            (false, true) => "ORDER BY local_day, seq",
            (false, false) => "ORDER BY seq",
        };
        let days = if bounded {
            "local_day >= ?1 AND local_day <= ?2"
        } else {
            "?1 IS NOT NULL AND ?2 IS NOT NULL"
        };
        let sql = format!(
            "SELECT {columns} FROM responses WHERE {days} \
             AND (?3 IS NULL OR department = ?3) AND (?4 IS NULL OR questionnaire_id = ?4) {order}"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query(params![from, to, filter.department, filter.questionnaire])?;
        while let Some(row) = rows.next()? {
            f(row)?;
        }
        Ok(())
    }

    /// Calls `f` with every response within `filter`, in sequence order, without loading them
    /// all into memory.
    pub fn for_each_response(&self, filter: &Filter, mut f: impl FnMut(StoredResponse) -> Result<()>) -> Result<()> {
        self.for_each_row(filter, ROW_COLUMNS, |row| f(read_row(row)?))
    }

    /// The newest free-text comments (newest first: by local day, then sequence, which walks
    /// the day index backwards and stops at `limit` instead of sorting the whole period), with
    /// when they were written.
    pub fn latest_comments(&self, filter: &Filter, limit: usize) -> Result<Vec<(DateTime<Utc>, String)>> {
        let (from, to) = filter.day_keys();
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {ROW_COLUMNS} FROM responses WHERE local_day >= ?1 AND local_day <= ?2 \
             AND (?3 IS NULL OR department = ?3) AND (?4 IS NULL OR questionnaire_id = ?4) \
             AND (answers LIKE '%\"text\"%' OR answers LIKE '%\"other\"%') \
             ORDER BY local_day DESC, seq DESC"
        ))?;
        let mut rows = stmt.query(params![from, to, filter.department, filter.questionnaire])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let stored = read_row(row)?;
            if let Some(comment) = stored.response.comment() {
                out.push((stored.response.submitted_at, comment));
                if out.len() >= limit {
                    break;
                }
            }
        }
        Ok(out)
    }

    /// Up to `limit` unsynced responses after sequence number `after`, oldest first: what the
    /// sync task sends next (`after` = 0 for the oldest unsynced of all).
    pub fn outbox(&self, after: u64, limit: usize) -> Result<Vec<StoredResponse>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ROW_COLUMNS} FROM responses WHERE synced_at IS NULL AND seq > ?1 ORDER BY seq LIMIT ?2"
        ))?;
        let mut rows = stmt.query(params![after as i64, limit as i64])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(read_row(row)?);
        }
        Ok(out)
    }

    /// How many unsynced responses come after sequence number `after` (what a batch ending
    /// at `after` leaves waiting).
    pub fn unsynced_after(&self, after: u64) -> Result<u64> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM responses WHERE synced_at IS NULL AND seq > ?1",
            params![after as i64],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// Up to `limit` responses after sequence number `after`, in order, each with its hash
    /// recomputed from its current content: what the sync task's chain audit sends.
    pub fn audit_page(&self, after: u64, limit: usize) -> Result<Vec<AuditEntry>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ROW_COLUMNS} FROM responses WHERE seq > ?1 ORDER BY seq LIMIT ?2"
        ))?;
        let mut rows = stmt.query(params![after as i64, limit as i64])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let r = read_row(row)?;
            out.push(AuditEntry {
                seq: r.seq,
                id: r.response.id,
                hash: link(&r.prev_hash, r.seq, &r.kiosk_id, &r.response),
            });
        }
        Ok(out)
    }

    /// Whether the centre has received a response of this kiosk (it knows the kiosk's id from
    /// its first batch: only then can it check the kiosk's phone code).
    pub fn has_synced(&self) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM responses WHERE synced_at IS NOT NULL)",
            [],
            |r| r.get(0),
        )?)
    }

    /// Marks responses as received by the centre. Returns how many were newly marked.
    pub fn mark_synced(&mut self, ids: &[ResponseId]) -> Result<usize> {
        let now = time_text(&Utc::now());
        let tx = self.conn.transaction()?;
        let mut n = 0;
        {
            let mut stmt =
                tx.prepare_cached("UPDATE responses SET synced_at = ?1 WHERE id = ?2 AND synced_at IS NULL")?;
            for id in ids {
                n += stmt.execute(params![now, id.to_string()])?;
            }
        }
        tx.commit()?;
        Ok(n)
    }

    /// The size and age of the sync queue.
    pub fn outbox_status(&self) -> Result<OutboxStatus> {
        let (queued, oldest): (i64, Option<String>) = self.conn.query_row(
            "SELECT count(*), min(submitted_at) FROM responses WHERE synced_at IS NULL",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(OutboxStatus {
            notes: self.notes_waiting()?,
            queued: queued as u64,
            oldest: oldest
                .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
                .map(|t| t.with_timezone(&Utc)),
        })
    }

    /// Walks the hash chain from the first response and names the first problem.
    pub fn verify(&self) -> Result<VerifyReport> {
        // Damage outside the responses table (an index, a tally) would not break the chain but
        // still makes reports wrong: let SQLite check every page first.
        let quick: rusqlite::Result<String> = self.conn.query_row("PRAGMA quick_check(1)", [], |r| r.get(0));
        match quick {
            Ok(ok) if ok == "ok" => {}
            Ok(detail) => {
                return Ok(VerifyReport {
                    checked: 0,
                    problem: Some(ChainProblem::Damaged { detail }),
                    tallies: Vec::new(),
                    tally_cells: 0,
                });
            }
            Err(e) => {
                return Ok(VerifyReport {
                    checked: 0,
                    problem: Some(ChainProblem::Damaged { detail: e.to_string() }),
                    tallies: Vec::new(),
                    tally_cells: 0,
                });
            }
        }
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {ROW_COLUMNS} FROM responses ORDER BY seq"))?;
        let mut rows = stmt.query([])?;
        let mut expected_seq = 1u64;
        let mut prev_hash = GENESIS.to_string();
        let mut checked = 0;
        let mut recomputed: BTreeMap<TallyKey, Tally> = BTreeMap::new();
        let problem = loop {
            let Some(row) = rows.next()? else {
                let head: Option<String> = self
                    .conn
                    .query_row("SELECT value FROM meta WHERE key = 'head_seq'", [], |r| r.get(0))
                    .optional()?;
                let head = head.and_then(|h| h.parse::<u64>().ok()).unwrap_or(0);
                break (head >= expected_seq).then_some(ChainProblem::Missing { seq: expected_seq });
            };
            let seq = row.get::<_, i64>(0)? as u64;
            if seq != expected_seq {
                break Some(ChainProblem::Missing { seq: expected_seq });
            }
            let stored = match read_row(row) {
                Ok(s) => s,
                Err(e) => {
                    break Some(ChainProblem::Unreadable {
                        seq,
                        detail: e.to_string(),
                    });
                }
            };
            if stored.prev_hash != prev_hash {
                break Some(ChainProblem::Broken { seq });
            }
            if link(&stored.prev_hash, seq, &stored.kiosk_id, &stored.response) != stored.hash {
                break Some(ChainProblem::Altered { seq });
            }
            let r = &stored.response;
            recomputed
                .entry(tally_key(
                    r.submitted_at.with_timezone(&self.tz).date_naive().to_string(),
                    r,
                ))
                .or_default()
                .add(r);
            checked += 1;
            expected_seq += 1;
            prev_hash = stored.hash;
        };
        drop(rows);
        drop(stmt);
        // The tallies are checked against a whole chain only: with a response missing or
        // altered, the chain problem is the finding.
        let (tallies, tally_cells) = if problem.is_none() {
            self.compare_tallies(recomputed)?
        } else {
            (Vec::new(), 0)
        };
        Ok(VerifyReport {
            checked,
            problem,
            tallies,
            tally_cells,
        })
    }

    /// Compares every stored daily tally cell with `recomputed` (keyed as the `tally` table).
    fn compare_tallies(&self, mut recomputed: BTreeMap<TallyKey, Tally>) -> Result<(Vec<TallyMismatch>, u64)> {
        let mut stmt = self.conn.prepare(
            "SELECT day, questionnaire_id, questionnaire_version, department, rapid_repeat, data FROM tally",
        )?;
        let mut rows = stmt.query([])?;
        let mut stored = BTreeMap::new();
        while let Some(row) = rows.next()? {
            let key: TallyKey = (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?);
            let json: String = row.get(5)?;
            let tally: Tally = serde_json::from_str(&json).map_err(|e| Error::Corrupt {
                path: self.path.clone(),
                detail: format!("a daily tally cannot be read: {e}"),
            })?;
            stored.insert(key, tally);
        }
        let keys: std::collections::BTreeSet<_> = stored.keys().chain(recomputed.keys()).cloned().collect();
        let cells = keys.len() as u64;
        let satisfied = |t: &Tally| t.scale.values().map(|c| c[4] + c[5]).sum::<u64>();
        let mut mismatches = Vec::new();
        for key in keys {
            let s = stored.remove(&key).unwrap_or_default();
            let r = recomputed.remove(&key).unwrap_or_default();
            if s != r {
                let (day, qid, qver, department, rapid_repeat) = key;
                mismatches.push(TallyMismatch {
                    day,
                    questionnaire: format!("{qid}@{qver}"),
                    department,
                    rapid_repeat,
                    stored: (s.responses, satisfied(&s)),
                    recomputed: (r.responses, satisfied(&r)),
                });
            }
        }
        Ok((mismatches, cells))
    }

    /// Turns an SQLite "malformed" or "not a database" error met after opening into the
    /// message that names this file and says what to do.
    pub fn explain(&self, e: Error) -> Error {
        match e {
            Error::Sqlite(e) => classify(&self.path, e),
            other => other,
        }
    }

    /// Runs SQLite's own consistency check; `Ok(())` when it says "ok".
    pub fn integrity_check(&self) -> Result<(), String> {
        let result: rusqlite::Result<String> = self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0));
        match result {
            Ok(s) if s == "ok" => Ok(()),
            Ok(s) => Err(s),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// Recomputes every daily tally from the stored responses, inside the migration's transaction:
/// tallies of an older version lack the counts of complete responses, and would leave
/// comprehensive satisfaction unknown. A response that cannot be read leaves the old tallies as
/// they were (every figure but that one stays right; `hailong verify` names the row).
fn retally(tx: &rusqlite::Transaction) -> Result<()> {
    let mut tallies: BTreeMap<TallyKey, Tally> = BTreeMap::new();
    {
        // Run by migration 2, before the channel columns exist.
        let mut stmt = tx.prepare(&format!(
            "SELECT {ROW_COLUMNS_BEFORE_CHANNELS}, local_day FROM responses ORDER BY seq"
        ))?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let stored = match read_row(row) {
                Ok(stored) => stored,
                Err(Error::BadRow { seq, detail }) => {
                    eprintln!("hailong: tallies not recomputed, response {seq} cannot be read: {detail}");
                    return Ok(());
                }
                Err(e) => return Err(e),
            };
            let r = &stored.response;
            let key = tally_key(row.get::<_, String>(16)?, r);
            tallies.entry(key).or_default().add(r);
        }
    }
    tx.execute("DELETE FROM tally", [])?;
    let mut write = tx.prepare(
        "INSERT INTO tally (day, questionnaire_id, questionnaire_version, department, rapid_repeat, data) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for ((day, qid, qver, dept, rapid), tally) in tallies {
        write.execute(params![
            day,
            qid,
            qver,
            dept,
            rapid,
            serde_json::to_string(&tally).expect("tally serialises")
        ])?;
    }
    Ok(())
}

/// The key of the `tally` row a response of local day `day` is counted in: day, questionnaire
/// id and version, department (empty when none), rapid repeat.
type TallyKey = (String, String, u32, String, bool);

fn tally_key(day: String, r: &crate::survey::Response) -> TallyKey {
    (
        day,
        r.questionnaire_id.clone(),
        r.questionnaire_version,
        r.department.clone().unwrap_or_default(),
        r.rapid_repeat,
    )
}

/// Checks `q` against the database inside `tx`, inserting its row when it is new. Returns
/// whether it was not yet known to `registered` (committed registrations) or `pending` (those
/// of this transaction), so the caller remembers it once the transaction commits.
fn register(
    tx: &rusqlite::Transaction,
    registered: &HashMap<(String, u32), Questionnaire>,
    pending: &[&Questionnaire],
    q: &Questionnaire,
) -> Result<bool> {
    let key = (q.id.clone(), q.version);
    // Comparing with the definition already checked is far cheaper than hashing it again,
    // and this runs on every save.
    let known = registered
        .get(&key)
        .or_else(|| pending.iter().copied().find(|p| p.id == q.id && p.version == q.version));
    if let Some(known) = known {
        return if known == q {
            Ok(false)
        } else {
            Err(Error::QuestionnaireChanged { key: q.key() })
        };
    }
    let fingerprint = q.fingerprint();
    match stored_fingerprint(tx, q)? {
        Some(f) if f != fingerprint => return Err(Error::QuestionnaireChanged { key: q.key() }),
        Some(_) => {}
        None => {
            tx.execute(
                "INSERT INTO questionnaires (id, version, fingerprint, definition, first_used) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![q.id, q.version, fingerprint, serde_json::to_string(q).expect("serialises"), time_text(&Utc::now())],
            )?;
        }
    }
    Ok(true)
}

fn stored_fingerprint(conn: &Connection, q: &Questionnaire) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT fingerprint FROM questionnaires WHERE id = ?1 AND version = ?2",
            params![q.id, q.version],
            |r| r.get(0),
        )
        .optional()?)
}

const ROW_COLUMNS: &str = "seq, id, kiosk_id, questionnaire_id, questionnaire_version, department, locale, \
                           started_at, submitted_at, status, rapid_repeat, answers, prev_hash, hash, \
                           channel, point";

/// [`ROW_COLUMNS`] as a database from before migration 4 (channel and point) can give them.
const ROW_COLUMNS_BEFORE_CHANNELS: &str = "seq, id, kiosk_id, questionnaire_id, questionnaire_version, department, \
                           locale, started_at, submitted_at, status, rapid_repeat, answers, prev_hash, hash, \
                           NULL, NULL";

fn read_row(row: &Row) -> Result<StoredResponse> {
    let seq = row.get::<_, i64>(0)? as u64;
    let bad = |detail: String| Error::BadRow { seq, detail };
    let time = |i: usize| -> Result<DateTime<Utc>> {
        let text: String = row.get(i)?;
        DateTime::parse_from_rfc3339(&text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| bad(format!("bad time `{text}`: {e}")))
    };
    let id: String = row.get(1)?;
    let locale: String = row.get(6)?;
    let status: String = row.get(9)?;
    let answers: String = row.get(11)?;
    let channel: Option<String> = row.get(14)?;
    let channel = match channel {
        None => None,
        Some(name) => Some(Channel::parse(&name).ok_or_else(|| bad(format!("bad channel `{name}`")))?),
    };
    Ok(StoredResponse {
        seq,
        kiosk_id: row.get(2)?,
        response: Response {
            id: ResponseId(uuid::Uuid::parse_str(&id).map_err(|e| bad(format!("bad id: {e}")))?),
            questionnaire_id: row.get(3)?,
            questionnaire_version: row.get(4)?,
            department: row.get(5)?,
            locale: Locale::from_tag(&locale).ok_or_else(|| bad(format!("bad locale `{locale}`")))?,
            started_at: time(7)?,
            submitted_at: time(8)?,
            status: Status::parse(&status).ok_or_else(|| bad(format!("bad status `{status}`")))?,
            rapid_repeat: row.get(10)?,
            answers: serde_json::from_str(&answers).map_err(|e| bad(format!("bad answers: {e}")))?,
            channel,
            point: row.get(15)?,
            repeat_device: false,
        },
        prev_hash: row.get(12)?,
        hash: row.get(13)?,
    })
}
