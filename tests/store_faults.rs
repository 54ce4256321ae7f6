//! Fault injection against the kiosk database: processes killed with SIGKILL mid-save, rows
//! edited or deleted behind hailong's back, and files that are not (or no longer) a healthy
//! hailong database.
//!
//! The SIGKILL tests start `hailong-fault-child` (`tests/support/fault_child.rs`), a separate
//! process saving through the library, with no shell in between, and kill it mid-save.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use hailong::store::{ChainProblem, Filter, Store};
use hailong::survey::demo::{self, DemoOptions};
use hailong::survey::{Answer, Catalog};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tempfile::TempDir;

const TZ: chrono_tz::Tz = chrono_tz::Asia::Ho_Chi_Minh;
/// Set for a child: the database it saves into.
const CHILD_DB: &str = "HAILONG_KILL_CHILD_DB";
// (tests/support/fault_child.rs reads these two.)
/// Set for a child: its demo seed, so every child saves different responses.
const CHILD_SEED: &str = "HAILONG_KILL_CHILD_SEED";
/// What a child prints after each `save` that returned `Ok`.
const COMMITTED: &str = "committed ";
/// What a child prints when the library refused to work (a test failure, never expected).
const FAILED: &str = "failed ";
const SIGKILL: i32 = 9;

fn end_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 20).expect("valid date")
}

fn db_in(dir: &Path) -> PathBuf {
    dir.join("hailong.sqlite3")
}

/// Kills the child if a test fails before it does.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// What one child reported before it was killed.
struct Killed {
    /// Ids it said were committed.
    committed: Vec<String>,
    /// Whether it had started opening the database.
    opening: bool,
    /// Whether `Store::open` had returned.
    opened: bool,
}

/// Starts a child saving into `db`, kills it with SIGKILL `after` its start (or `after` the
/// moment it announces it is opening the database, with `after_opening`), and returns what it
/// reported. Only complete lines count: a line cut off by the kill promises nothing.
fn run_child_and_kill(db: &Path, seed: u64, after: Duration, after_opening: bool) -> Killed {
    let start = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_hailong-fault-child"))
        .env(CHILD_DB, db)
        .env(CHILD_SEED, seed.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start hailong-fault-child");
    let mut child = Child(child);
    let stdout = child.0.stdout.take().expect("piped stdout");
    let (opening_tx, opening_rx) = std::sync::mpsc::channel::<()>();
    let reader = std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut lines = Vec::new();
        let mut line = String::new();
        loop {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) if line.ends_with('\n') => {
                    if line.trim_end() == "opening" {
                        let _ = opening_tx.send(());
                    }
                    lines.push(line.trim_end().to_string());
                }
                Ok(_) => break, // cut off by the kill
            }
        }
        lines
    });
    if after_opening {
        // Wait (bounded) for the child to reach `Store::open`, then give it `after`.
        let _ = opening_rx.recv_timeout(Duration::from_secs(10));
        std::thread::sleep(after);
    } else {
        std::thread::sleep(after.saturating_sub(start.elapsed()));
    }
    child.0.kill().expect("SIGKILL the child");
    let status = child.0.wait().expect("reap the child");
    let lines = reader.join().expect("reader thread");
    if let Some(failure) = lines.iter().find(|l| l.starts_with(FAILED)) {
        panic!("child {seed} reported a failure: {failure}");
    }
    assert_eq!(
        status.signal(),
        Some(SIGKILL),
        "child {seed} should have been killed by SIGKILL, but ended with {status}; its output: {lines:?}"
    );
    Killed {
        committed: lines
            .iter()
            .filter_map(|l| l.strip_prefix(COMMITTED))
            .map(str::to_string)
            .collect(),
        opening: lines.iter().any(|l| l == "opening"),
        opened: lines.iter().any(|l| l == "opened"),
    }
}

/// Every response id the store holds, after checking there are no duplicates.
fn stored_ids(store: &Store) -> HashSet<String> {
    let mut ids = HashSet::new();
    store
        .for_each_response(&Filter::default(), |s| {
            let id = s.response.id.to_string();
            assert!(ids.insert(id.clone()), "response {id} is stored twice");
            Ok(())
        })
        .expect("read every response back");
    ids
}

/// Reopens `db` the way the next start of the kiosk would and checks that nothing promised is
/// lost and nothing is damaged. Returns the ids now stored.
fn check_after_kill(db: &Path, promised: &HashSet<String>, context: &str) -> HashSet<String> {
    let store = Store::open(db, TZ).unwrap_or_else(|e| panic!("{context}: reopening failed: {e}"));
    if let Err(e) = store.integrity_check() {
        panic!("{context}: SQLite integrity check failed: {e}");
    }
    let report = store
        .verify()
        .unwrap_or_else(|e| panic!("{context}: verify failed: {e}"));
    assert_eq!(report.problem, None, "{context}: the hash chain has a problem");
    let ids = stored_ids(&store);
    assert_eq!(
        report.checked,
        ids.len() as u64,
        "{context}: verify checked a different number of responses than are stored"
    );
    let lost: Vec<&String> = promised.difference(&ids).collect();
    assert!(
        lost.is_empty(),
        "{context}: {} response(s) reported committed (or seen stored earlier) are gone, e.g. {:?}",
        lost.len(),
        lost.iter().take(5).collect::<Vec<_>>()
    );
    ids
}

/// The quick check after each kill: `db` reopens, holds at least `before` responses, and holds
/// every id in `committed`. Returns how many responses it holds.
fn check_committed_present(db: &Path, committed: &[String], before: u64, context: &str) -> u64 {
    let store = Store::open(db, TZ).unwrap_or_else(|e| panic!("{context}: reopening failed: {e}"));
    let stored = store
        .count(&Filter::default())
        .unwrap_or_else(|e| panic!("{context}: counting failed: {e}"));
    drop(store);
    assert!(
        stored >= before,
        "{context}: {before} responses were stored before this kill, now only {stored}"
    );
    let conn = rusqlite::Connection::open(db).unwrap_or_else(|e| panic!("{context}: {e}"));
    let mut find = conn
        .prepare("SELECT count(*) FROM responses WHERE id = ?1")
        .expect("prepare");
    for id in committed {
        let n: i64 = find.query_row([id], |r| r.get(0)).expect("look up id");
        assert_eq!(
            n, 1,
            "{context}: response {id} was reported committed but is not stored"
        );
    }
    stored
}

#[test]
fn every_committed_response_survives_two_hundred_sigkills() {
    const KILLS: u64 = 200;
    let dir = TempDir::new().expect("temp dir");
    let db = db_in(dir.path());
    let mut rng = ChaCha8Rng::seed_from_u64(0x4841_4C4F_4E47);
    // Everything any child said was committed, plus everything seen stored after a kill: a
    // response once on disk must never disappear later either.
    let mut promised: HashSet<String> = HashSet::new();
    let mut committed_total = 0usize;
    let started = Instant::now();
    let mut stored = 0u64;
    for kill in 0..KILLS {
        let after = Duration::from_millis(rng.random_range(5..=60));
        let killed = run_child_and_kill(&db, 1 + kill, after, false);
        committed_total += killed.committed.len();
        let context = format!(
            "after kill {} of {KILLS} ({} ms after start)",
            kill + 1,
            after.as_millis()
        );
        // After every kill: the next start opens it, nothing was lost, this child's commits are
        // there. Every tenth kill and after the last: the full check of every row.
        stored = check_committed_present(&db, &killed.committed, stored, &context);
        for id in killed.committed {
            let fresh = promised.insert(id.clone());
            assert!(fresh, "response {id} was reported committed twice");
        }
        if kill % 10 == 9 || kill + 1 == KILLS {
            promised = check_after_kill(&db, &promised, &context);
            assert_eq!(promised.len() as u64, stored, "{context}");
        }
    }
    assert!(
        committed_total > 0,
        "no child ever committed a response before being killed: the test exercised nothing"
    );

    // The CLI agrees the chain is intact.
    let out = hailong(&["verify", "--lang", "en", "--data-dir", path_str(dir.path())]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "hailong verify after {KILLS} kills: {}",
        describe(&out)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&promised.len().to_string()),
        "hailong verify should say it checked {} responses: {stdout}",
        promised.len()
    );
    eprintln!(
        "{KILLS} kills, {committed_total} commits reported, {} responses stored, {:.1} s",
        promised.len(),
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn a_kill_while_the_database_is_being_created_leaves_it_usable() {
    const KILLS: u64 = 40;
    let dir = TempDir::new().expect("temp dir");
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut reached_open = 0;
    let mut killed_in_open = 0;
    for kill in 0..KILLS {
        // A fresh database each time, killed 0–12 ms after the child starts opening it: during
        // the header, WAL switch, migration or kiosk-id commits, or its first saves.
        let db = dir.path().join(format!("fresh-{kill}.sqlite3"));
        let after = Duration::from_micros(rng.random_range(0..=12_000));
        let killed = run_child_and_kill(&db, 10_000 + kill, after, true);
        reached_open += usize::from(killed.opening);
        killed_in_open += usize::from(killed.opening && !killed.opened);
        let promised: HashSet<String> = killed.committed.into_iter().collect();
        let context = format!("fresh database {kill} killed {} µs into opening", after.as_micros());
        check_after_kill(&db, &promised, &context);
        // And the kiosk can carry on saving into it.
        let q = Catalog::built_in().latest("byt-ngoai-tru").expect("built in").clone();
        let mut store = Store::open(&db, TZ).expect("reopen");
        let before = store.verify().expect("verify").checked;
        let mut one = None;
        demo::generate(
            &q,
            &DemoOptions {
                responses: 1,
                seed: 99_000 + kill,
                end: end_day(),
                departments: vec![],
                tz: TZ,
            },
            |r| one = Some(r),
        );
        let saved = store
            .save(&q, &one.expect("one response"))
            .unwrap_or_else(|e| panic!("{context}: save: {e}"));
        assert_eq!(saved.seq, before + 1, "{context}: the next save continues the chain");
        let report = store.verify().expect("verify");
        assert_eq!(report.problem, None, "{context}");
        assert_eq!(report.checked, before + 1, "{context}");
    }
    assert!(
        reached_open > KILLS as usize / 2,
        "only {reached_open} of {KILLS} children reached Store::open before the kill"
    );
    assert!(
        killed_in_open >= 3,
        "only {killed_in_open} of {KILLS} children were killed inside Store::open"
    );
    eprintln!("{killed_in_open} of {KILLS} children killed inside Store::open of a new database");
}

// ---------------------------------------------------------------------------------------------
// The CLI.
// ---------------------------------------------------------------------------------------------

fn hailong(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_hailong"))
        .args(args)
        .env_remove("HAILONG_DATA_DIR")
        .stdin(Stdio::null())
        .output()
        .expect("run hailong");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked"),
        "hailong {} panicked: {}",
        args.join(" "),
        describe(&out)
    );
    out
}

fn describe(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("temp paths are UTF-8")
}

/// A data dir filled by `hailong demo-data`.
fn demo_dir(responses: usize, seed: u64) -> TempDir {
    let dir = TempDir::new().expect("temp dir");
    let n = responses.to_string();
    let seed = seed.to_string();
    let out = hailong(&[
        "demo-data",
        "--data-dir",
        path_str(dir.path()),
        "--responses",
        &n,
        "--seed",
        &seed,
        "--end",
        "2026-11-20",
    ]);
    assert_eq!(out.status.code(), Some(0), "demo-data: {}", describe(&out));
    dir
}

/// A copy of a data dir's database (and WAL, if any) in a new data dir.
fn copy_of(dir: &TempDir) -> TempDir {
    let copy = TempDir::new().expect("temp dir");
    for suffix in ["", "-wal", "-shm"] {
        let from = dir.path().join(format!("hailong.sqlite3{suffix}"));
        if from.exists() {
            std::fs::copy(&from, copy.path().join(format!("hailong.sqlite3{suffix}"))).expect("copy database");
        }
    }
    copy
}

fn verify_en(dir: &Path) -> Output {
    hailong(&["verify", "--lang", "en", "--data-dir", path_str(dir)])
}

// ---------------------------------------------------------------------------------------------
// Tampering.
// ---------------------------------------------------------------------------------------------

fn drop_append_only_triggers(conn: &rusqlite::Connection) {
    conn.execute_batch("DROP TRIGGER responses_append_only_update; DROP TRIGGER responses_append_only_delete;")
        .expect("drop the append-only triggers");
}

/// The answers of `seq` with the first 1–5 rating changed to another value.
fn with_one_rating_changed(conn: &rusqlite::Connection, seq: i64) -> String {
    let json: String = conn
        .query_row("SELECT answers FROM responses WHERE seq = ?1", [seq], |r| r.get(0))
        .expect("read answers");
    let mut answers: std::collections::BTreeMap<String, Answer> =
        serde_json::from_str(&json).expect("answers are JSON");
    let rating = answers
        .values_mut()
        .find_map(|a| match a {
            Answer::Scale(v @ 1..=5) => Some(v),
            _ => None,
        })
        .expect("seq has at least one 1–5 rating");
    *rating = if *rating == 1 { 5 } else { 1 };
    let edited = serde_json::to_string(&answers).expect("serialise");
    assert_ne!(edited, json);
    edited
}

#[test]
fn the_database_itself_refuses_to_edit_or_delete_a_saved_response() {
    let dir = demo_dir(50, 11);
    let db = db_in(dir.path());
    {
        let conn = rusqlite::Connection::open(&db).expect("open with rusqlite");
        let edited = with_one_rating_changed(&conn, 17);
        for (what, sql, param) in [
            (
                "edit answers",
                "UPDATE responses SET answers = ?1 WHERE seq = 17",
                edited.as_str(),
            ),
            (
                "change department",
                "UPDATE responses SET department = ?1 WHERE seq = 17",
                "Khoa khác",
            ),
            (
                "renumber",
                "UPDATE responses SET seq = 1000 WHERE seq = 17 AND ?1 IS NOT NULL",
                "x",
            ),
        ] {
            let err = conn
                .execute(sql, [param])
                .expect_err(&format!("SQLite should refuse to {what}"));
            assert!(
                err.to_string().contains("append-only"),
                "refusing to {what} should say responses are append-only: {err}"
            );
        }
        for sql in [
            "DELETE FROM responses WHERE seq = 23",
            "DELETE FROM responses WHERE seq = (SELECT max(seq) FROM responses)",
            "DELETE FROM responses",
        ] {
            let err = conn.execute(sql, []).expect_err("SQLite should refuse a delete");
            assert!(err.to_string().contains("append-only"), "{sql}: {err}");
        }
        let n: i64 = conn
            .query_row("SELECT count(*) FROM responses", [], |r| r.get(0))
            .expect("count");
        assert_eq!(n, 50);
    }
    let out = verify_en(dir.path());
    assert_eq!(out.status.code(), Some(0), "nothing was changed: {}", describe(&out));
}

#[test]
fn verify_names_a_response_whose_answers_were_edited() {
    let original = demo_dir(50, 12);
    let dir = copy_of(&original);
    {
        let conn = rusqlite::Connection::open(db_in(dir.path())).expect("open with rusqlite");
        drop_append_only_triggers(&conn);
        let edited = with_one_rating_changed(&conn, 17);
        let n = conn
            .execute("UPDATE responses SET answers = ?1 WHERE seq = 17", [&edited])
            .expect("edit answers once the triggers are gone");
        assert_eq!(n, 1);
    }
    let out = verify_en(dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("response seq 17 was altered"),
        "verify should name seq 17 as altered: {}",
        describe(&out)
    );
    let store = Store::open(&db_in(dir.path()), TZ).expect("open");
    assert_eq!(
        store.verify().expect("verify").problem,
        Some(ChainProblem::Altered { seq: 17 })
    );

    // Moving a response to another department is an edit too.
    let dir = copy_of(&original);
    {
        let conn = rusqlite::Connection::open(db_in(dir.path())).expect("open with rusqlite");
        drop_append_only_triggers(&conn);
        conn.execute("UPDATE responses SET department = 'Khoa khác' WHERE seq = 17", [])
            .expect("change department");
    }
    let out = verify_en(dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("response seq 17 was altered"),
        "{}",
        describe(&out)
    );

    // The untouched original is still intact, in the default language too.
    let out = hailong(&["verify", "--data-dir", path_str(original.path())]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
}

#[test]
fn verify_names_a_deleted_response_as_missing() {
    let original = demo_dir(50, 13);
    let dir = copy_of(&original);
    {
        let conn = rusqlite::Connection::open(db_in(dir.path())).expect("open with rusqlite");
        drop_append_only_triggers(&conn);
        assert_eq!(
            conn.execute("DELETE FROM responses WHERE seq = 23", [])
                .expect("delete"),
            1
        );
    }
    let out = verify_en(dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("response seq 23 is missing"),
        "verify should name seq 23 as missing: {}",
        describe(&out)
    );
    // The Vietnamese default names it too.
    let out = hailong(&["verify", "--data-dir", path_str(dir.path())]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("phiếu số 23"),
        "{}",
        describe(&out)
    );
}

#[test]
fn verify_notices_when_the_last_response_is_deleted() {
    let dir = demo_dir(50, 14);
    {
        let conn = rusqlite::Connection::open(db_in(dir.path())).expect("open with rusqlite");
        drop_append_only_triggers(&conn);
        assert_eq!(
            conn.execute("DELETE FROM responses WHERE seq = (SELECT max(seq) FROM responses)", [])
                .expect("delete the newest"),
            1
        );
    }
    let out = verify_en(dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("response seq 50 is missing"),
        "verify should name seq 50 as missing: {}",
        describe(&out)
    );
}

// ---------------------------------------------------------------------------------------------
// Files that are not a hailong database.
// ---------------------------------------------------------------------------------------------

/// Runs `hailong report` on a data dir whose database file is `bytes` and checks it is refused
/// as "not a hailong database", naming the file, without touching it.
fn assert_refused_untouched(dir: &Path, why: &str) {
    let db = db_in(dir);
    let before = std::fs::read(&db).expect("read file");
    let out = hailong(&["report", "--data-dir", path_str(dir)]);
    assert_eq!(out.status.code(), Some(2), "{why}: {}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&db.display().to_string()),
        "{why}: the error should name the file: {stderr}"
    );
    assert!(
        stderr.contains("not a hailong database"),
        "{why}: the error should say it is not a hailong database: {stderr}"
    );
    assert!(out.stdout.is_empty(), "{why}: no report is printed: {}", describe(&out));
    assert_eq!(
        std::fs::read(&db).expect("read file"),
        before,
        "{why}: the file was modified"
    );
    for suffix in ["-wal", "-shm", "-journal"] {
        let side = dir.join(format!("hailong.sqlite3{suffix}"));
        assert!(!side.exists(), "{why}: {} was created", side.display());
    }
    // The library refuses it the same way.
    let err = Store::open(&db, TZ).expect_err(why);
    assert!(err.to_string().contains("not a hailong database"), "{why}: {err}");
    assert_eq!(
        std::fs::read(&db).expect("read file"),
        before,
        "{why}: Store::open modified the file"
    );
}

#[test]
fn a_file_of_random_bytes_is_refused_and_left_untouched() {
    let dir = TempDir::new().expect("temp dir");
    let mut bytes = vec![0u8; 64 * 1024];
    ChaCha8Rng::seed_from_u64(3).fill(&mut bytes[..]);
    std::fs::write(db_in(dir.path()), &bytes).expect("write");
    assert_refused_untouched(dir.path(), "random bytes");
}

#[test]
fn a_text_file_is_refused_and_left_untouched() {
    let dir = TempDir::new().expect("temp dir");
    std::fs::write(db_in(dir.path()), "Danh sách bệnh nhân\nNguyễn Văn A, 1980\n").expect("write");
    assert_refused_untouched(dir.path(), "a text file");
    // Even one shorter than an SQLite header.
    std::fs::write(db_in(dir.path()), "hi\n").expect("write");
    assert_refused_untouched(dir.path(), "a three-byte text file");
}

#[test]
fn a_file_with_an_sqlite_header_but_garbage_after_it_is_refused_and_left_untouched() {
    let dir = TempDir::new().expect("temp dir");
    let mut bytes = vec![0u8; 32 * 1024];
    ChaCha8Rng::seed_from_u64(4).fill(&mut bytes[..]);
    bytes[..16].copy_from_slice(b"SQLite format 3\0");
    std::fs::write(db_in(dir.path()), &bytes).expect("write");
    assert_refused_untouched(dir.path(), "an SQLite header followed by garbage");
}

#[test]
fn an_sqlite_database_of_another_program_is_refused_and_left_untouched() {
    let dir = TempDir::new().expect("temp dir");
    {
        let conn = rusqlite::Connection::open(db_in(dir.path())).expect("create with rusqlite");
        conn.execute_batch(
            "CREATE TABLE contacts (name TEXT NOT NULL, phone TEXT);
             INSERT INTO contacts VALUES ('Trần Thị B', '0901 234 567');",
        )
        .expect("create another program's table");
    }
    assert_refused_untouched(dir.path(), "another program's SQLite database");
}

// ---------------------------------------------------------------------------------------------
// A damaged hailong database.
// ---------------------------------------------------------------------------------------------

const PAGE: usize = 4096;

/// A copy of `original` with page `index` (0-based) overwritten with 0xAA.
fn with_damaged_page(original: &TempDir, index: usize) -> TempDir {
    let copy = copy_of(original);
    let db = db_in(copy.path());
    let mut bytes = std::fs::read(&db).expect("read");
    assert!(bytes.len() >= (index + 1) * PAGE, "database too small for page {index}");
    bytes[index * PAGE..(index + 1) * PAGE].fill(0xAA);
    std::fs::write(&db, &bytes).expect("write");
    copy
}

fn page_count(dir: &TempDir) -> usize {
    let len = std::fs::metadata(db_in(dir.path())).expect("stat").len() as usize;
    assert_eq!(len % PAGE, 0, "pages are {PAGE} bytes");
    len / PAGE
}

fn mentions_damage(out: &Output) -> bool {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
    .to_lowercase();
    ["malformed", "damaged", "corrupt"].iter().any(|w| text.contains(w))
}

#[test]
fn a_damaged_page_never_makes_report_or_verify_panic() {
    let original = demo_dir(2000, 15);
    let pages = page_count(&original);
    assert!(pages > 20, "2000 responses fill more than 20 pages, got {pages}");
    let mut failures = 0;
    // The page the issue names (bytes 4096*5..4096*6), and pages spread over the file.
    let mut indexes: Vec<usize> = vec![5];
    indexes.extend((1..8).map(|k| k * pages / 8));
    for index in indexes {
        let dir = with_damaged_page(&original, index);
        for command in ["verify", "report"] {
            let out = hailong(&[command, "--lang", "en", "--data-dir", path_str(dir.path())]);
            let what = format!("hailong {command} with page {} overwritten", index + 1);
            match out.status.code() {
                Some(0) => {}
                Some(1 | 2) => {
                    failures += 1;
                    assert!(
                        mentions_damage(&out),
                        "{what} should say the database is damaged: {}",
                        describe(&out)
                    );
                }
                other => panic!("{what} ended with {other:?}: {}", describe(&out)),
            }
        }
    }
    assert!(failures > 0, "no command noticed any of the damaged pages");
}

#[test]
fn verify_reports_a_damaged_page_instead_of_calling_the_chain_intact() {
    let original = demo_dir(2000, 16);
    let pages = page_count(&original);
    for index in [5, pages / 2] {
        let dir = with_damaged_page(&original, index);
        {
            let store = Store::open(&db_in(dir.path()), TZ).expect("the header page is intact");
            assert!(
                store.integrity_check().is_err(),
                "SQLite's own check sees page {} is damaged",
                index + 1
            );
        }
        let out = verify_en(dir.path());
        assert_ne!(
            out.status.code(),
            Some(0),
            "hailong verify must not call a database with page {} overwritten intact: {}",
            index + 1,
            describe(&out)
        );
        assert!(
            mentions_damage(&out),
            "hailong verify should say the database is damaged (page {} overwritten): {}",
            index + 1,
            describe(&out)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// A first save that fails part-way.
// ---------------------------------------------------------------------------------------------

/// Makes every insert of a response fail from now on, the way a full disk fails the save
/// after the questionnaire's row went in (another connection adds a trigger; the store's own
/// connection sees it at its next statement).
fn fail_saves(db: &Path, fail: bool) {
    let conn = rusqlite::Connection::open(db).expect("open a second connection");
    if fail {
        conn.execute_batch(
            "CREATE TRIGGER simulated_disk_full BEFORE INSERT ON responses \
             BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;",
        )
        .expect("add the failing trigger");
    } else {
        conn.execute_batch("DROP TRIGGER simulated_disk_full;")
            .expect("drop the failing trigger");
    }
}

#[test]
fn a_first_save_that_fails_is_retried_with_its_questionnaire_and_the_database_stays_healthy() {
    let dir = TempDir::new().expect("temp dir");
    let db = db_in(dir.path());
    let q = Catalog::built_in()
        .latest("kiosk-nhanh")
        .expect("kiosk-nhanh is built in")
        .clone();
    let mut responses = Vec::new();
    let opts = DemoOptions {
        responses: 2,
        seed: 3,
        end: end_day(),
        departments: vec![],
        tz: TZ,
    };
    demo::generate(&q, &opts, |r| responses.push(r));
    let mut store = Store::open(&db, TZ).expect("open a new database");
    fail_saves(&db, true);
    let first = store.save(&q, &responses[0]);
    assert!(first.is_err(), "the simulated full disk refuses the first save");
    assert_eq!(store.count(&Filter::default()).expect("count"), 0, "nothing was stored");
    // The disk has room again: the kiosk retries, and then saves the next patient's answers.
    fail_saves(&db, false);
    store.save(&q, &responses[0]).expect("the retry is stored");
    store.save(&q, &responses[1]).expect("the next response is stored");
    assert!(
        store.questionnaire(&q.id, q.version).expect("read").is_some(),
        "the questionnaire the responses were answered on is stored with them"
    );
    drop(store);
    for command in ["report", "verify"] {
        let out = hailong(&[command, "--lang", "en", "--data-dir", path_str(dir.path())]);
        assert_eq!(out.status.code(), Some(0), "hailong {command}: {}", describe(&out));
        assert!(
            !mentions_damage(&out),
            "hailong {command} calls it damaged: {}",
            describe(&out)
        );
    }
    let out = hailong(&["report", "--json", "--data-dir", path_str(dir.path())]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("report --json is JSON");
    assert_eq!(json["responses"], 2, "{}", describe(&out));
}
