//! `hailong centre user …` through the binary, and `centre serve` telling the operator how to
//! create the first account.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

#[path = "support/process.rs"]
#[allow(dead_code)]
mod process;

/// Runs `hailong centre …ARGS --data-dir DIR` with `stdin` as its standard input.
fn centre(dir: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hailong"))
        .arg("centre")
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn accounts_are_added_listed_disabled_and_refused_with_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let facility = "Trung tâm Y tế huyện Ba Vì";
    assert!(
        centre(d, &["kiosk", "add", "--facility", facility, "--name", "Quầy 1"], "")
            .status
            .success()
    );

    let ok = centre(
        d,
        &[
            "user",
            "add",
            "--name",
            "giamdoc",
            "--role",
            "facility",
            "--facility",
            facility,
            "--password-stdin",
        ],
        "một mật khẩu dài\n",
    );
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).contains("giamdoc"));

    let again = centre(
        d,
        &[
            "user",
            "add",
            "--name",
            "giamdoc",
            "--role",
            "province",
            "--password-stdin",
        ],
        "một mật khẩu dài\n",
    );
    assert!(!again.status.success());
    assert!(text(&again).contains("giamdoc"), "{}", text(&again));

    let typo = centre(
        d,
        &[
            "user",
            "add",
            "--name",
            "qlcl",
            "--role",
            "facility",
            "--facility",
            "Trung tâm Y tế huyện Ba Vi",
            "--password-stdin",
        ],
        "một mật khẩu dài\n",
    );
    assert!(!typo.status.success());
    assert!(text(&typo).contains(facility), "close match named: {}", text(&typo));

    let short = centre(
        d,
        &["user", "add", "--name", "so", "--role", "province", "--password-stdin"],
        "ngắn\n",
    );
    assert!(!short.status.success());
    assert!(
        text(&short).contains("Mật khẩu phải có ít nhất 10 ký tự."),
        "in Vietnamese, whole: {}",
        text(&short)
    );

    let role = centre(
        d,
        &["user", "add", "--name", "x", "--role", "boss", "--password-stdin"],
        "một mật khẩu dài\n",
    );
    assert!(!role.status.success());
    assert!(text(&role).contains("boss"));

    let missing = centre(
        d,
        &[
            "user",
            "add",
            "--name",
            "khoa",
            "--role",
            "department",
            "--facility",
            facility,
            "--password-stdin",
        ],
        "một mật khẩu dài\n",
    );
    assert!(!missing.status.success());
    assert!(text(&missing).contains("--department"));

    let list = centre(d, &["user", "list"], "");
    let listed = String::from_utf8_lossy(&list.stdout).to_string();
    assert!(
        listed.contains("giamdoc\tfacility\tTrung tâm Y tế huyện Ba Vì"),
        "{listed}"
    );
    assert!(!listed.contains("qlcl"));

    assert!(centre(d, &["user", "disable", "giamdoc"], "").status.success());
    let json: serde_json::Value = serde_json::from_slice(&centre(d, &["user", "list", "--json"], "").stdout).unwrap();
    assert!(json[0]["disabled_at"].is_string(), "{json}");
    assert!(json[0].get("password_hash").is_none(), "no hash in the listing");
    assert!(!centre(d, &["user", "disable", "nobody"], "").status.success());

    assert!(
        centre(
            d,
            &["user", "passwd", "giamdoc", "--password-stdin"],
            "mật khẩu mới dài lắm\n"
        )
        .status
        .success()
    );
    assert!(
        !centre(
            d,
            &["user", "passwd", "nobody", "--password-stdin"],
            "mật khẩu mới dài lắm\n"
        )
        .status
        .success()
    );
}

#[test]
fn serve_without_an_account_says_how_to_create_the_first_admin() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log");
    let port = process::free_port();
    let mut child = process::spawn_centre_logged(dir.path(), port, &[], std::fs::File::create(&log).unwrap());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut said = String::new();
    while std::time::Instant::now() < deadline {
        said = std::fs::read_to_string(&log).unwrap();
        if said.contains("user add") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    // The command names this centre's data directory, so copying it creates the account where
    // this server looks for it.
    let start = said.find("hailong --data-dir").unwrap_or_else(|| panic!("{said}"));
    let command: Vec<&str> = said[start..].lines().next().unwrap().split_whitespace().collect();
    let data_dir = std::path::absolute(dir.path()).unwrap().display().to_string();
    assert_eq!(
        command,
        [
            "hailong",
            "--data-dir",
            data_dir.as_str(),
            "centre",
            "user",
            "add",
            "--name",
            "admin",
            "--role",
            "admin"
        ],
        "{said}"
    );
    let mut run = Command::new(env!("CARGO_BIN_EXE_hailong"))
        .args(&command[1..])
        .arg("--password-stdin")
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    run.stdin
        .take()
        .unwrap()
        .write_all("mật khẩu quản trị\n".as_bytes())
        .unwrap();
    let added = run.wait_with_output().unwrap();
    assert!(added.status.success(), "{}", text(&added));
    let users = centre(dir.path(), &["user", "list"], "");
    assert!(text(&users).contains("admin"), "{}", text(&users));
}

/// The rows of a CSV export, header first.
fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let text = text.strip_prefix('\u{feff}').expect("a byte-order mark");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// `centre report --json` for these filters: how many responses an export of them holds.
fn reported(dir: &Path, filters: &[&str]) -> usize {
    let out = centre(dir, &[&["report", "--json"], filters].concat(), "");
    assert!(out.status.success(), "{}", text(&out));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    (r["responses"].as_u64().unwrap() + r["rapid_repeat_responses"].as_u64().unwrap()) as usize
}

#[test]
fn centre_export_writes_a_facilitys_responses_as_the_report_counts_them() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let demo = centre(
        d,
        &[
            "demo-data",
            "--facilities",
            "2",
            "--kiosks-per-facility",
            "2",
            "--responses",
            "300",
            "--end",
            "2026-06-30",
        ],
        "",
    );
    assert!(demo.status.success(), "{}", text(&demo));
    let ba_vi = "Trung tâm Y tế huyện Ba Vì";

    // By the slug of the facility's page, the whole history.
    let all = d.join("ba-vi.csv");
    let out = centre(
        d,
        &[
            "export",
            "--facility",
            "trung-tam-y-te-huyen-ba-vi",
            "--period",
            "all",
            "--format",
            "csv",
            "--output",
            all.to_str().unwrap(),
        ],
        "",
    );
    assert!(out.status.success(), "{}", text(&out));
    let rows = csv_rows(&all);
    assert_eq!(rows.len() - 1, 600, "two kiosks of 300");
    assert_eq!(rows.len() - 1, reported(d, &["--facility", ba_vi, "--period", "all"]));
    assert!(text(&out).contains("600"), "{}", text(&out));

    // By name, one quarter and one department.
    let nhi = d.join("nhi.csv");
    let out = centre(
        d,
        &[
            "export",
            "--facility",
            ba_vi,
            "--period",
            "2026-Q2",
            "--department",
            "Khoa Nhi",
            "--output",
            nhi.to_str().unwrap(),
        ],
        "",
    );
    assert!(out.status.success(), "{}", text(&out));
    let rows = csv_rows(&nhi);
    let column = rows[0].iter().position(|h| h == "Khoa/phòng").unwrap();
    assert!(rows.len() > 1);
    assert!(rows[1..].iter().all(|r| r[column] == "Khoa Nhi"));
    assert_eq!(
        rows.len() - 1,
        reported(
            d,
            &["--facility", ba_vi, "--period", "2026-Q2", "--department", "Khoa Nhi"]
        )
    );

    // XLSX: the same rows, and the summary sheet.
    use calamine::Reader;
    let book = d.join("ba-vi.xlsx");
    let out = centre(
        d,
        &[
            "export",
            "--facility",
            ba_vi,
            "--period",
            "all",
            "--format",
            "xlsx",
            "--output",
            book.to_str().unwrap(),
        ],
        "",
    );
    assert!(out.status.success(), "{}", text(&out));
    let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(&book).unwrap();
    let sheets = workbook.sheet_names();
    assert_eq!(sheets.len(), 2);
    assert_eq!(workbook.worksheet_range(&sheets[0]).unwrap().height() - 1, 600);

    // A facility the centre does not know is named, and nothing is written.
    let none = d.join("none.csv");
    let out = centre(
        d,
        &[
            "export",
            "--facility",
            "Trung tâm Y tế huyện Ba Vi",
            "--period",
            "all",
            "--output",
            none.to_str().unwrap(),
        ],
        "",
    );
    assert!(!out.status.success());
    assert!(text(&out).contains("Trung tâm Y tế huyện Ba Vi"), "{}", text(&out));
    assert!(!none.exists());
}

#[test]
fn facilities_are_listed_renamed_merged_and_a_typo_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let real = "Trung tâm Y tế huyện Ba Vì";
    let add = |facility: &str| centre(d, &["kiosk", "add", "--facility", facility, "--name", "Quầy 1"], "");
    assert!(add(real).status.success());
    let typo = add("Trung tam Y te huyen Ba Vi");
    assert!(!typo.status.success());
    assert!(
        text(&typo).contains("có cùng địa chỉ trang (/facility/trung-tam-y-te-huyen-ba-vi)")
            && text(&typo).contains(real),
        "{}",
        text(&typo)
    );
    let user = centre(
        d,
        &[
            "user",
            "add",
            "--name",
            "x",
            "--role",
            "facility",
            "--facility",
            "TRUNG TAM Y TE HUYEN BA VI",
            "--password-stdin",
        ],
        "một mật khẩu dài\n",
    );
    assert!(!user.status.success() && text(&user).contains(real), "{}", text(&user));
    assert!(add("Trạm Y tế xã Tản Lĩnh").status.success());
    let list = centre(d, &["facility", "list"], "");
    assert!(
        text(&list).contains(&format!("{real}\t/facility/trung-tam-y-te-huyen-ba-vi\t1")),
        "{}",
        text(&list)
    );
    let renamed = centre(
        d,
        &["facility", "rename", "Trạm Y tế xã Tản Lĩnh", "Trạm Y tế Tản Lĩnh"],
        "",
    );
    assert!(renamed.status.success(), "{}", text(&renamed));
    let merged = centre(d, &["facility", "merge", "Trạm Y tế Tản Lĩnh", real], "");
    assert!(merged.status.success(), "{}", text(&merged));
    assert!(text(&merged).contains("Đã gộp"));
    let list = text(&centre(d, &["facility", "list"], ""));
    assert!(
        list.contains(&format!("{real}\t/facility/trung-tam-y-te-huyen-ba-vi\t2")) && !list.contains("Tản Lĩnh"),
        "{list}"
    );
    let unknown = centre(d, &["facility", "rename", "Không có", "Mới"], "");
    assert!(
        !unknown.status.success() && text(&unknown).contains("Không có cơ sở"),
        "{}",
        text(&unknown)
    );
    let events = text(&centre(d, &["events"], ""));
    assert!(events.contains("merged into"), "{events}");
}
