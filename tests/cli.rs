//! End to end through the `hailong` binary: demo data, report, export.

use std::path::Path;
use std::process::Command;

use calamine::{Data, Reader, Xlsx, open_workbook};
use hailong::store::{Filter, Store};
use hailong::survey::{Catalog, ScoringOptions, Tally, summarize};

/// Runs hailong on the data dir `dir`.
fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_hailong"))
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .output()
        .unwrap()
}

fn hailong(dir: &Path, args: &[&str]) -> std::process::Output {
    let out = run(dir, args);
    assert!(
        out.status.success(),
        "hailong {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Recomputes the figures from the raw responses, bypassing the store's daily tallies.
fn rescan(dir: &Path, filter: &Filter) -> hailong::survey::Summary {
    let store = Store::open(&dir.join("hailong.sqlite3"), chrono_tz::Asia::Ho_Chi_Minh).unwrap();
    let catalog = Catalog::built_in();
    let q = catalog.latest("kiosk-nhanh").unwrap();
    let (mut counted, mut rapid) = (Tally::default(), 0);
    store
        .for_each_response(filter, |s| {
            if s.response.rapid_repeat {
                rapid += 1;
            } else {
                counted.add(&s.response);
            }
            Ok(())
        })
        .unwrap();
    summarize(&[(q, &counted)], rapid, &ScoringOptions::default())
}

#[test]
fn demo_data_then_report_json_gives_the_figures_of_the_raw_answers() {
    let dir = tempfile::tempdir().unwrap();
    hailong(
        dir.path(),
        &["demo-data", "--responses", "2000", "--seed", "3", "--end", "2026-11-20"],
    );
    let out = hailong(dir.path(), &["report", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let expected = serde_json::to_value(rescan(dir.path(), &Filter::default())).unwrap();
    for key in [
        "responses",
        "answers",
        "satisfied_pct",
        "mean_score",
        "comprehensive_pct",
        "expectation_mean",
        "return_pct",
        "target_pct",
        "meets_target",
        "ci_low_pct",
        "ci_high_pct",
        "sections",
        "items",
    ] {
        assert_eq!(json[key], expected[key], "{key}");
    }
    assert_eq!(
        json["responses"].as_u64().unwrap() + json["rapid_repeat_responses"].as_u64().unwrap(),
        2000
    );
    let pct = json["satisfied_pct"].as_f64().unwrap();
    assert!((85.0..99.0).contains(&pct), "demo data is mostly satisfied: {pct}");
    assert!(json["partial_responses"].as_u64().unwrap() > 10);

    // A quarter covers only its own days.
    let out = hailong(dir.path(), &["report", "--json", "--period", "2026-Q3"]);
    let q3: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let p = hailong::report::Period::parse("2026-Q3", hailong::report::Calendar::Quarters).unwrap();
    let expected = rescan(
        dir.path(),
        &Filter {
            from: p.from,
            to: p.to,
            ..Filter::default()
        },
    );
    assert_eq!(q3["responses"], expected.responses);
    assert_eq!(
        q3["satisfied_pct"],
        serde_json::to_value(&expected).unwrap()["satisfied_pct"]
    );
    assert!(
        expected.responses > 300 && expected.responses < 700,
        "{}",
        expected.responses
    );

    // The text table is in Vietnamese by default and English on request.
    let text = String::from_utf8(hailong(dir.path(), &["report"]).stdout).unwrap();
    assert!(
        text.contains("Tỷ lệ hài lòng chung") && text.contains("So với mục tiêu 95 %"),
        "{text}"
    );
    let text = String::from_utf8(hailong(dir.path(), &["report", "--lang", "en"]).stdout).unwrap();
    assert!(text.contains("Overall satisfaction rate"), "{text}");
}

#[test]
fn demo_data_is_deterministic_for_a_seed() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    for d in [&a, &b] {
        hailong(
            d.path(),
            &["demo-data", "--responses", "300", "--seed", "9", "--end", "2026-06-30"],
        );
    }
    let ids = |d: &Path| {
        let store = Store::open(&d.join("hailong.sqlite3"), chrono_tz::Asia::Ho_Chi_Minh).unwrap();
        let mut v = Vec::new();
        store
            .for_each_response(&Filter::default(), |s| {
                v.push((s.response.id, s.response.answers));
                Ok(())
            })
            .unwrap();
        v
    };
    assert_eq!(ids(a.path()), ids(b.path()));
}

#[test]
fn exports_hold_one_row_per_response_with_vietnamese_intact() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("hailong.toml"),
        "facility_name = \"Trung tâm Y tế huyện Đông Anh\"\ndepartments = [\"Khoa Khám bệnh\", \"Khoa Nhi\"]\n",
    )
    .unwrap();
    hailong(
        dir.path(),
        &["demo-data", "--responses", "400", "--seed", "5", "--end", "2026-11-20"],
    );
    let csv_path = dir.path().join("bao-cao.csv");
    let xlsx_path = dir.path().join("bao-cao.xlsx");
    hailong(
        dir.path(),
        &["export", "--format", "csv", "--out", csv_path.to_str().unwrap()],
    );
    hailong(
        dir.path(),
        &["export", "--format", "xlsx", "--out", xlsx_path.to_str().unwrap()],
    );

    let bytes = std::fs::read(&csv_path).unwrap();
    assert!(bytes.starts_with("\u{feff}".as_bytes()), "a BOM so Excel reads UTF-8");
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    // The code header scripts read: as it has always been, how each response came and where
    // added after the comment (every earlier column keeps its place).
    assert_eq!(
        header,
        [
            "Mã phiếu",
            "Số thứ tự",
            "Mã kiosk",
            "Khoa/phòng",
            "Mẫu phiếu",
            "Phiên bản mẫu",
            "Ngôn ngữ",
            "Trạng thái",
            "Gửi lặp nhanh",
            "Bắt đầu (giờ địa phương)",
            "Gửi lúc (giờ địa phương)",
            "A2",
            "A2.why",
            "B7",
            "B7.why",
            "C6",
            "C6.why",
            "D1",
            "D1.why",
            "E1",
            "E1.why",
            "G2",
            "G2.other",
            "Ý kiến",
            "Kênh",
            "Điểm khảo sát",
            "Cùng điện thoại trong 7 ngày (không tính)",
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 400);
    let dept = header.iter().position(|h| h == "Khoa/phòng").unwrap();
    assert!(
        rows.iter()
            .all(|r| r[dept] == *"Khoa Khám bệnh" || r[dept] == *"Khoa Nhi")
    );
    let comment = header.iter().position(|h| h == "Ý kiến").unwrap();
    assert!(
        rows.iter().any(|r| r[comment].chars().any(|c| "ảơưđệ".contains(c))),
        "Vietnamese comments survive"
    );

    // Same content in both files, row by row.
    let mut book: Xlsx<_> = open_workbook(&xlsx_path).unwrap();
    let names = book.sheet_names();
    assert_eq!(names, ["Phiếu", "Tổng hợp"]);
    let sheet = book.worksheet_range("Phiếu").unwrap();
    let xrows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::Float(f) => format!("{f}"),
                    Data::Int(i) => format!("{i}"),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect();
    // The XLSX's header is for people: the fixed columns as in the CSV, each answer column by
    // its question and the reasons and "other" columns in words.
    for (x, h) in xrows[0].iter().zip(&header) {
        match h.split_once('.') {
            Some((code, "why")) => assert_eq!(x, &format!("{code} – lý do chưa hài lòng")),
            Some((code, "other")) => assert_eq!(x, &format!("{code} – ý kiến khác (ghi rõ)")),
            _ if h.len() == 2 && h.as_bytes()[1].is_ascii_digit() => {
                assert!(x.starts_with(&format!("{h}. ")) && x.chars().count() > 8, "{x}")
            }
            _ => assert_eq!(x, h),
        }
    }
    assert_eq!(xrows[0].len(), header.len());
    assert_eq!(xrows.len(), 401);
    // The CSV keeps codes and text times, for scripts.
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (status, rapid, started, submitted) = (
        col("Trạng thái"),
        col("Gửi lặp nhanh"),
        col("Bắt đầu (giờ địa phương)"),
        col("Gửi lúc (giờ địa phương)"),
    );
    assert!(rows.iter().all(|r| r[status] == *"complete" || r[status] == *"partial"));
    assert!(
        rows.iter().any(|r| r[status] == *"partial"),
        "the demo has partial responses"
    );
    assert!(rows.iter().all(|r| r[rapid] == *"0" || r[rapid] == *"1"));
    let reasons: Vec<usize> = header
        .iter()
        .enumerate()
        .filter(|(_, h)| h.ends_with(".why"))
        .map(|(i, _)| i)
        .collect();
    assert!(
        rows.iter().any(|r| reasons.iter().any(|&i| r[i].contains("wait"))),
        "reasons as codes in the CSV"
    );
    // The XLSX says the same in words, with real date-time cells.
    let words = |code: &str| match code {
        "complete" => "Hoàn thành",
        "partial" => "Chưa hoàn thành",
        "0" => "Không",
        "1" => "Có",
        "wait" => "Thời gian chờ đợi",
        "attitude" => "Thái độ của nhân viên",
        "cleanliness" => "Vệ sinh, sạch sẽ",
        "cost" => "Chi phí",
        "information" => "Thông tin, hướng dẫn",
        "other" => "Lý do khác",
        other => panic!("no words for {other}"),
    };
    let g2 = |code: &str| match code {
        "1" => "Chắc chắn không bao giờ quay lại",
        "2" => "Không muốn quay lại nhưng có ít lựa chọn khác",
        "3" => "Muốn chuyển sang bệnh viện khác",
        "4" => "Có thể sẽ quay lại",
        "5" => "Chắc chắn sẽ quay lại hoặc giới thiệu cho người khác",
        "6" => "Khác (ghi rõ)",
        other => panic!("no G2 option {other}"),
    };
    let data: Vec<&[Data]> = sheet.rows().skip(1).collect();
    let mut reasons_seen = 0;
    for ((x, c), cells) in xrows[1..].iter().zip(&rows).zip(&data) {
        for (i, h) in header.iter().enumerate() {
            let (x, c) = (x.get(i).map_or("", String::as_str), &c[i]);
            if i == status || i == rapid || h == "Cùng điện thoại trong 7 ngày (không tính)" {
                assert_eq!(x, words(c), "{h}");
            } else if i == started || i == submitted {
                let Data::DateTime(t) = &cells[i] else {
                    panic!("{h} is not a date-time cell: {:?}", cells[i]);
                };
                assert!(t.is_datetime());
                let (y, mo, d, hh, mi, ss, _) = t.to_ymd_hms_milli();
                assert_eq!(format!("{y:04}-{mo:02}-{d:02} {hh:02}:{mi:02}:{ss:02}"), *c, "{h}");
            } else if h.ends_with(".why") {
                let expected: Vec<&str> = c.split(';').filter(|s| !s.is_empty()).map(words).collect();
                assert_eq!(x, expected.join("; "), "{h}");
                reasons_seen += usize::from(!c.is_empty());
            } else if h == "G2" && !c.is_empty() {
                assert_eq!(x, g2(c), "{h}");
            } else if h == "Kênh" {
                // The channel in words for people, as data for scripts.
                let channel = hailong::survey::Channel::parse(c).expect("a channel's name");
                assert_eq!(
                    x,
                    hailong::report::text::channel_name(hailong::survey::Locale::Vi, channel),
                    "{h}"
                );
            } else if c == "0" && ["A2", "B7", "C6", "D1", "E1"].contains(&h.as_str()) {
                assert_eq!(x, "Không sử dụng", "{h}: not used, in words");
            } else {
                assert_eq!(x, c, "{h}");
            }
        }
    }
    assert!(reasons_seen > 0);
    let summary = book.worksheet_range("Tổng hợp").unwrap();
    let cell = |label: &str| {
        summary
            .rows()
            .find(|r| r[0] == *label)
            .map(|r| r[1].clone())
            .unwrap_or_else(|| panic!("no row {label}"))
    };
    assert_eq!(cell("Cơ sở").to_string(), "Trung tâm Y tế huyện Đông Anh");
    assert_eq!(cell("Mục tiêu (%)"), Data::Float(95.0));
    // The period in words, never the label "all".
    assert_eq!(cell("Kỳ báo cáo").to_string(), "toàn bộ dữ liệu");
    // Counted and excluded responses are said apart.
    let report: serde_json::Value = serde_json::from_slice(&hailong(dir.path(), &["report", "--json"]).stdout).unwrap();
    assert_eq!(
        cell("Số phiếu được tính"),
        Data::Float(report["responses"].as_f64().unwrap())
    );
    assert_eq!(
        cell("Phiếu gửi lặp nhanh (không tính)"),
        Data::Float(report["rapid_repeat_responses"].as_f64().unwrap())
    );
    let judged: hailong::survey::Summary = serde_json::from_value(report.clone()).unwrap();
    let verdict = hailong::report::text::verdict_words(hailong::survey::Locale::Vi, judged.judgement());
    assert_eq!(cell("Kết luận so với mục tiêu").to_string(), verdict);
    assert_eq!(
        cell("Tỷ lệ hài lòng chung (%)"),
        Data::Float(report["satisfied_pct"].as_f64().unwrap())
    );

    // No temporary file is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".part"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn an_export_to_an_unwritable_place_fails_clearly_and_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    hailong(dir.path(), &["demo-data", "--responses", "20", "--seed", "1"]);
    let target = dir.path().join("no-such-dir").join("out.csv");
    let out = Command::new(env!("CARGO_BIN_EXE_hailong"))
        .args([
            "export",
            "--format",
            "csv",
            "--out",
            target.to_str().unwrap(),
            "--data-dir",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("out.csv") && stderr.contains("cannot write"),
        "{stderr}"
    );
    assert!(!target.exists());
}

#[test]
fn set_pin_asks_twice_and_stores_only_an_argon2id_hash() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("hailong.toml"),
        "# our kiosk\nfacility_name = \"TTYT Mê Linh\"\n",
    )
    .unwrap();
    let run = |input: &str| {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_hailong"))
            .args(["kiosk", "set-pin", "--data-dir"])
            .arg(dir.path())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    };
    let mismatch = run("123456\n654321\n");
    assert_eq!(mismatch.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&mismatch.stderr).contains("hai lần nhập mã PIN không giống nhau"));
    assert!(
        !std::fs::read_to_string(dir.path().join("hailong.toml"))
            .unwrap()
            .contains("staff_pin_hash")
    );

    let ok = run("258013\n258013\n");
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let text = std::fs::read_to_string(dir.path().join("hailong.toml")).unwrap();
    assert!(
        text.starts_with("# our kiosk\nfacility_name = \"TTYT Mê Linh\"\n"),
        "the rest is kept: {text}"
    );
    assert!(!text.contains("258013"), "the PIN itself is never written");
    let config = hailong::config::Config::load(&dir.path().join("hailong.toml")).unwrap();
    assert!(config.staff_pin_hash.starts_with("$argon2id$"));
    assert!(hailong::kiosk::staff::pin::verify_pin(&config.staff_pin_hash, "258013"));
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

/// Runs `hailong kiosk set-pin` on `dir`, typing `pin` twice.
fn set_pin(dir: &Path, pin: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_hailong"))
        .args(["kiosk", "set-pin", "--data-dir"])
        .arg(dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{pin}\n{pin}\n").as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn a_new_pin_needs_six_to_eight_digits() {
    let dir = tempfile::tempdir().unwrap();
    for short in ["2580", "25801"] {
        let out = set_pin(dir.path(), short);
        assert_eq!(out.status.code(), Some(2), "{short} is refused");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("mã PIN phải gồm 6–8 chữ số"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!dir.path().join("hailong.toml").exists(), "nothing is written");
    }
    let out = set_pin(dir.path(), "123456789");
    assert_eq!(out.status.code(), Some(2), "nine digits are refused");
    let out = set_pin(dir.path(), "25801379");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// The settings file (centre token, PIN hash), the database (patients' comments) and the data
/// directory are private to the kiosk's user from the first start on, and set-pin keeps them so.
#[test]
fn the_data_directory_its_settings_and_its_database_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let root = tempfile::tempdir().unwrap();
    // set-pin on a machine where nothing exists yet creates the directory and the file.
    let dir = root.path().join("hailong").join("data");
    let out = set_pin(&dir, "258013");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(mode(&dir), 0o700, "the data directory");
    assert_eq!(
        mode(&root.path().join("hailong")),
        0o700,
        "the directory created above it"
    );
    assert_eq!(mode(&dir.join("hailong.toml")), 0o600, "hailong.toml after set-pin");
    // Setting it again keeps a private file private.
    let out = set_pin(&dir, "135790");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        mode(&dir.join("hailong.toml")),
        0o600,
        "hailong.toml after a second set-pin"
    );

    // The database, created by the first command that writes (and its WAL files).
    hailong(&dir, &["demo-data", "--responses", "20", "--end", "2026-11-20"]);
    for name in ["hailong.sqlite3", "hailong.sqlite3-wal", "hailong.sqlite3-shm"] {
        let path = dir.join(name);
        if name == "hailong.sqlite3" || path.exists() {
            assert_eq!(mode(&path), 0o600, "{name}");
        }
    }
    // A database left world-readable (an older hailong, a restored backup) is made private
    // when it is opened.
    let db = dir.join("hailong.sqlite3");
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    hailong(&dir, &["demo-data", "--responses", "1", "--end", "2026-11-20"]);
    assert_eq!(mode(&db), 0o600, "an existing database after it was opened");
}

#[test]
fn the_kiosk_without_a_screen_says_so_instead_of_crashing() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hailong"))
        .arg("--data-dir")
        .arg(dir.path())
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("không có màn hình để mở kiosk"), "{stderr}");
    assert!(!stderr.contains("panicked"));
}

#[test]
fn a_centre_given_unusable_tls_files_names_the_file_and_does_not_start() {
    let dir = tempfile::tempdir().unwrap();
    let tls = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tls");
    let (cert, key, ca) = (tls.join("cert.pem"), tls.join("key.pem"), tls.join("ca.pem"));
    let readme = tls.join("README.md");
    for (cert, key, named) in [
        (&readme, &key, "README.md"),                      // no certificate in it
        (&cert, &readme, "README.md"),                     // no key in it
        (&ca, &key, "key.pem"),                            // a key that is not the certificate's
        (&cert, &dir.path().join("nope.pem"), "nope.pem"), // missing
    ] {
        let out = fails(
            dir.path(),
            &[
                "centre",
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--tls-cert",
                cert.to_str().unwrap(),
                "--tls-key",
                key.to_str().unwrap(),
            ],
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(named), "{named}: {err}");
    }
    // --tls-cert alone is refused by the argument parser.
    let out = fails(dir.path(), &["centre", "serve", "--tls-cert", cert.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("--tls-key"));
}

/// Runs hailong, expecting it to fail.
fn fails(dir: &Path, args: &[&str]) -> std::process::Output {
    let out = run(dir, args);
    assert!(!out.status.success(), "hailong {args:?} succeeded");
    out
}

#[test]
fn centre_report_names_its_scope_and_prints_a_table_or_json() {
    let dir = tempfile::tempdir().unwrap();
    hailong(
        dir.path(),
        &[
            "centre",
            "demo-data",
            "--facilities",
            "2",
            "--kiosks-per-facility",
            "1",
            "--responses",
            "300",
            "--end",
            "2026-09-30",
        ],
    );
    let json = |args: &[&str]| -> serde_json::Value {
        serde_json::from_slice(&hailong(dir.path(), &[&["centre", "report", "--json"], args].concat()).stdout).unwrap()
    };
    let all = json(&[]);
    assert_eq!(all["facility"], "Tất cả cơ sở");
    assert!(all["responses"].as_u64().unwrap() > 550, "{all}");
    assert_eq!(json(&["--lang", "en"])["facility"], "All facilities");
    let kiosks = String::from_utf8(hailong(dir.path(), &["centre", "kiosk", "list"]).stdout).unwrap();
    let mut sum = 0;
    for line in kiosks.lines() {
        let facility = line.split('\t').nth(1).unwrap();
        let one = json(&["--facility", facility]);
        assert_eq!(one["facility"], facility);
        sum += one["responses"].as_u64().unwrap();
    }
    assert_eq!(sum, all["responses"].as_u64().unwrap(), "the facilities add up to all");

    // Without --json: the same table as the kiosk's `hailong report`, titled with the scope.
    let text = String::from_utf8(hailong(dir.path(), &["centre", "report", "--period", "2026-Q3"]).stdout).unwrap();
    assert!(text.starts_with("Tất cả cơ sở — Báo cáo"), "{text}");
    assert!(text.contains("2026-Q3") || text.contains("01/07/2026"), "{text}");
    let text = String::from_utf8(hailong(dir.path(), &["centre", "report", "--lang", "en"]).stdout).unwrap();
    assert!(text.starts_with("All facilities"), "{text}");
}

#[path = "support/process.rs"]
mod process;

/// The README's "see it work on one machine": enrol, paste the block, sync, list, revoke.
#[test]
fn a_kiosk_enrolled_with_the_printed_block_syncs_and_the_centre_lists_it_in_either_language() {
    let dir = tempfile::tempdir().unwrap();
    let (centre_dir, kiosk_dir) = (dir.path().join("centre"), dir.path().join("kiosk"));
    std::fs::create_dir_all(&kiosk_dir).unwrap();
    let port = process::free_port();
    let mut centre = process::spawn_centre_with(&centre_dir, port, &[]);
    let url = format!("http://127.0.0.1:{port}");
    let add = hailong(
        &centre_dir,
        &[
            "centre",
            "kiosk",
            "add",
            "--facility",
            "TTYT Ba Vì",
            "--name",
            "Quầy 1",
            "--url",
            &url,
        ],
    );
    let block = String::from_utf8(add.stdout).unwrap();
    assert!(block.starts_with("# TTYT Ba Vì — Quầy 1 (mã đăng ký "), "{block}");
    assert!(block.contains("chỉ hiện một lần"), "{block}");
    std::fs::write(kiosk_dir.join("hailong.toml"), &block).unwrap();
    let list = |lang: &str| {
        String::from_utf8(hailong(&centre_dir, &["centre", "kiosk", "list", "--lang", lang]).stdout).unwrap()
    };
    let before = list("vi");
    assert!(
        before.ends_with(
            "\tTTYT Ba Vì\tQuầy 1\t(chưa đồng bộ lần nào)\tđang hoạt động\tsố thứ tự cuối 0\tthiếu 0, bị sửa 0\n"
        ),
        "{before}"
    );
    assert!(list("en").contains("\t(not synced yet)\tactive\tlast seq 0\tgaps 0, tampered 0\n"));

    hailong(&kiosk_dir, &["demo-data", "--responses", "300"]);
    let sync = hailong(&kiosk_dir, &["sync", "--once"]);
    let said = String::from_utf8(sync.stderr).unwrap();
    assert!(
        said.contains("Đã gửi 300 phiếu; không còn phiếu nào chờ gửi."),
        "{said}"
    );
    assert!(
        said.contains("đã kiểm tra 300 phiếu; không phiếu nào bị sửa hoặc xoá"),
        "{said}"
    );
    let after = list("vi");
    let fields: Vec<&str> = after.trim_end().split('\t').collect();
    assert_eq!(fields.len(), 7, "{after}");
    assert!(
        !fields[3].is_empty() && !fields[3].starts_with('('),
        "bound to the kiosk's id: {after}"
    );
    assert_eq!(
        fields[4..],
        ["đang hoạt động", "số thứ tự cuối 300", "thiếu 0, bị sửa 0"],
        "{after}"
    );

    // Revoked: the list says so, and the kiosk's next sync fails in words staff can act on.
    hailong(&centre_dir, &["centre", "kiosk", "revoke", fields[0]]);
    assert!(list("en").ends_with("\trevoked\tlast seq 300\tgaps 0, tampered 0\n"));
    hailong(&kiosk_dir, &["demo-data", "--responses", "10"]);
    let refused = fails(&kiosk_dir, &["sync", "--once"]);
    let said = String::from_utf8(refused.stderr).unwrap();
    assert!(said.contains("đã thu hồi mã của kiosk này"), "{said}");
    let renew = format!("hailong centre kiosk renew {}", fields[3]);
    assert!(said.contains(&renew), "names the command that fixes it: {said}");

    // What it says works: re-enrolled by its kiosk id, the kiosk goes on where it stopped.
    let renewed = hailong(&centre_dir, &["centre", "kiosk", "renew", fields[3], "--url", &url]);
    let block = String::from_utf8(renewed.stdout).unwrap();
    assert!(block.contains("tiếp tục từ số thứ tự 300"), "{block}");
    std::fs::write(kiosk_dir.join("hailong.toml"), &block).unwrap();
    let sync = hailong(&kiosk_dir, &["sync", "--once"]);
    let said = String::from_utf8(sync.stderr).unwrap();
    assert!(said.contains("Đã gửi 10 phiếu"), "{said}");
    assert!(
        said.contains("đã kiểm tra 310 phiếu; không phiếu nào bị sửa hoặc xoá"),
        "{said}"
    );
    assert!(list("vi").ends_with("\tđang hoạt động\tsố thứ tự cuối 310\tthiếu 0, bị sửa 0\n"));

    // A second `kiosk add` pasted in by mistake is refused with words naming the fix (no 500).
    let add = hailong(
        &centre_dir,
        &[
            "centre",
            "kiosk",
            "add",
            "--facility",
            "TTYT Ba Vì",
            "--name",
            "Quầy 1 (lại)",
            "--url",
            &url,
        ],
    );
    std::fs::write(kiosk_dir.join("hailong.toml"), add.stdout).unwrap();
    hailong(&kiosk_dir, &["demo-data", "--responses", "5"]);
    let refused = fails(&kiosk_dir, &["sync", "--once", "--lang", "en"]);
    let said = String::from_utf8(refused.stderr).unwrap();
    assert!(said.contains("already knows this kiosk"), "{said}");
    assert!(said.contains(&renew), "{said}");
    centre.kill().unwrap();
    centre.wait().unwrap();
}

#[test]
fn read_only_centre_commands_never_create_a_database_and_name_unknown_facilities() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-dir");
    for args in [
        &["centre", "kiosk", "list"][..],
        &["centre", "report"],
        &["centre", "token", "list"],
    ] {
        let out = fails(&missing, args);
        let said = String::from_utf8(out.stderr).unwrap();
        assert!(
            said.contains("Không có cơ sở dữ liệu trung tâm tại"),
            "{args:?}: {said}"
        );
    }
    assert!(!missing.exists(), "a read-only command created {}", missing.display());
    // The kiosk's own read-only commands too.
    let out_file = dir.path().join("x.csv");
    for args in [
        &["report"][..],
        &["verify"],
        &["export", "--format", "csv", "--out", out_file.to_str().unwrap()],
    ] {
        let out = fails(&missing, args);
        let said = String::from_utf8(out.stderr).unwrap();
        assert!(said.contains("Không có cơ sở dữ liệu kiosk tại"), "{args:?}: {said}");
    }
    assert!(
        !missing.exists(),
        "a read-only kiosk command created {}",
        missing.display()
    );

    let centre_dir = dir.path().join("centre");
    hailong(
        &centre_dir,
        &[
            "centre",
            "demo-data",
            "--facilities",
            "2",
            "--kiosks-per-facility",
            "1",
            "--responses",
            "20",
        ],
    );
    let kiosks = String::from_utf8(hailong(&centre_dir, &["centre", "kiosk", "list"]).stdout).unwrap();
    let facility = kiosks.lines().next().unwrap().split('\t').nth(1).unwrap().to_string();
    let typo: String = facility.chars().take(facility.chars().count() - 1).collect();
    let out = fails(&centre_dir, &["centre", "report", "--facility", &typo, "--lang", "en"]);
    let said = String::from_utf8(out.stderr).unwrap();
    assert!(said.contains(&format!("no facility named “{typo}”")), "{said}");
    assert!(said.contains(&format!("Did you mean: {facility}")), "{said}");
    let out = fails(&centre_dir, &["centre", "report", "--kiosk", "nope"]);
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("không có kiosk nào mã “nope”")
    );
    let out = fails(&centre_dir, &["centre", "report", "--department", "Khoa Khám benh"]);
    let said = String::from_utf8(out.stderr).unwrap();
    assert!(
        said.contains("“Khoa Khám benh”") && said.contains("Có phải: Khoa Khám bệnh"),
        "{said}"
    );
    hailong(&centre_dir, &["centre", "report", "--department", "Khoa Khám bệnh"]);
    // Read tokens: listed by name, never by value, and revocable.
    let token =
        String::from_utf8(hailong(&centre_dir, &["centre", "token", "add", "--name", "Sở Y tế"]).stdout).unwrap();
    let listed = String::from_utf8(hailong(&centre_dir, &["centre", "token", "list", "--lang", "en"]).stdout).unwrap();
    assert!(
        listed.starts_with("1\tSở Y tế\t") && listed.ends_with("\tactive\n"),
        "{listed}"
    );
    assert!(!listed.contains(token.trim()), "{listed}");
    hailong(&centre_dir, &["centre", "token", "revoke", "1"]);
    let listed = String::from_utf8(hailong(&centre_dir, &["centre", "token", "list", "--lang", "en"]).stdout).unwrap();
    assert!(listed.contains("\trevoked "), "{listed}");
}

/// Two kiosks writing one data directory would interleave two hash chains' worth of saves and
/// two sync workers: the second refuses, naming the directory. Staff's read-only commands
/// still work beside the running kiosk.
#[test]
fn a_second_kiosk_on_the_same_data_directory_refuses_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    hailong(dir.path(), &["demo-data", "--responses", "30", "--end", "2026-11-20"]);
    // The running kiosk holds an exclusive lock on the data directory's lock file.
    let first = std::fs::File::create(dir.path().join("hailong.lock")).unwrap();
    first.try_lock().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hailong"))
        .args(["kiosk", "--windowed", "--data-dir"])
        .arg(dir.path())
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("đang được một kiosk hailong khác sử dụng")
            && stderr.contains(&dir.path().display().to_string()),
        "{stderr}"
    );
    let xlsx = dir.path().join("bao-cao.xlsx");
    for args in [
        vec!["report"],
        vec!["report", "--json"],
        vec!["verify"],
        vec!["export", "--format", "xlsx", "--out", xlsx.to_str().unwrap()],
    ] {
        hailong(dir.path(), &args);
    }
    assert!(xlsx.exists());
    drop(first);
}

/// A report adds up the daily tallies, so a hand-edited tally cell moves every figure while the
/// chain of responses stays intact: `verify` recomputes the tallies and names the cell.
#[test]
fn verify_names_a_tally_cell_inflated_by_hand_though_the_chain_is_intact() {
    let dir = tempfile::tempdir().unwrap();
    hailong(dir.path(), &["demo-data", "--responses", "400", "--end", "2026-11-20"]);
    let ok = String::from_utf8(hailong(dir.path(), &["verify", "--lang", "en"]).stdout).unwrap();
    assert!(
        ok.contains("400 responses checked") && ok.contains("tally cells match"),
        "{ok}"
    );
    let before: serde_json::Value = serde_json::from_slice(&hailong(dir.path(), &["report", "--json"]).stdout).unwrap();

    // 1,000 "very satisfied" answers added to one cell of one item.
    let conn = rusqlite::Connection::open(dir.path().join("hailong.sqlite3")).unwrap();
    let (day, data): (String, String) = conn
        .query_row("SELECT day, data FROM tally WHERE rapid_repeat = 0 LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    let mut tally: serde_json::Value = serde_json::from_str(&data).unwrap();
    let item = tally["scale"].as_object().unwrap().keys().next().unwrap().clone();
    let very = tally["scale"][&item][5].as_u64().unwrap();
    tally["scale"][&item][5] = (very + 1000).into();
    conn.execute(
        "UPDATE tally SET data = ?1 WHERE day = ?2 AND rapid_repeat = 0 AND data = ?3",
        rusqlite::params![tally.to_string(), day, data],
    )
    .unwrap();
    drop(conn);
    let after: serde_json::Value = serde_json::from_slice(&hailong(dir.path(), &["report", "--json"]).stdout).unwrap();
    assert_ne!(
        before["satisfied_pct"], after["satisfied_pct"],
        "the edit moves the figure"
    );

    let out = fails(dir.path(), &["verify", "--lang", "en"]);
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8(out.stdout).unwrap();
    assert!(said.contains(&format!("tally of {day}")), "{said}");
    assert!(
        said.contains("TALLIES ALTERED: 1 daily tally cells differ from the 400 intact responses"),
        "{said}"
    );
}

/// A response changed on the kiosk after it was sent: `hailong sync --once` says so and exits 3,
/// so a script or a systemd timer running it sees the tampering.
#[test]
fn sync_once_exits_non_zero_when_the_audit_finds_a_response_altered_after_it_was_sent() {
    let dir = tempfile::tempdir().unwrap();
    let (centre_dir, kiosk_dir) = (dir.path().join("centre"), dir.path().join("kiosk"));
    std::fs::create_dir_all(&kiosk_dir).unwrap();
    let port = process::free_port();
    let mut centre = process::spawn_centre_with(&centre_dir, port, &[]);
    let url = format!("http://127.0.0.1:{port}");
    let add = hailong(
        &centre_dir,
        &[
            "centre",
            "kiosk",
            "add",
            "--facility",
            "TTYT Ba Vì",
            "--name",
            "Quầy 1",
            "--url",
            &url,
        ],
    );
    std::fs::write(kiosk_dir.join("hailong.toml"), add.stdout).unwrap();
    hailong(&kiosk_dir, &["demo-data", "--responses", "50"]);
    hailong(&kiosk_dir, &["sync", "--once"]);
    // Someone with the kiosk's disk drops the append-only triggers and raises one answer.
    let conn = rusqlite::Connection::open(kiosk_dir.join("hailong.sqlite3")).unwrap();
    conn.execute_batch("DROP TRIGGER responses_append_only_update;")
        .unwrap();
    let changed = conn
        .execute(
            "UPDATE responses SET answers = replace(answers, '\"A2\":{\"scale\":4}', '\"A2\":{\"scale\":5}') \
             WHERE seq = (SELECT min(seq) FROM responses WHERE answers LIKE '%\"A2\":{\"scale\":4}%')",
            [],
        )
        .unwrap();
    assert_eq!(changed, 1);
    drop(conn);
    let out = run(&kiosk_dir, &["sync", "--once", "--lang", "en"]);
    let said = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(3), "{said}");
    assert!(said.contains("altered"), "{said}");
    centre.kill().unwrap();
    centre.wait().unwrap();
}

/// `hailong sync` without `--once` on a kiosk with no `[centre]`: the settings are read once, so
/// retrying cannot help; it says so and exits 2 instead of retrying every five minutes forever.
#[test]
fn sync_without_a_centre_configured_stops_at_once_saying_so() {
    let dir = tempfile::tempdir().unwrap();
    hailong(dir.path(), &["demo-data", "--responses", "3"]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_hailong"))
        .args(["sync", "--lang", "en", "--data-dir"])
        .arg(dir.path())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            let out = child.wait_with_output().unwrap();
            panic!("still running after 20 s: {}", String::from_utf8_lossy(&out.stderr));
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let out = child.wait_with_output().unwrap();
    let said = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains("sync not configured"), "{said}");
    assert!(!said.contains("Retrying"), "{said}");
}

#[test]
fn a_bad_setting_in_hailong_toml_is_said_in_the_staff_language_with_its_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("hailong.toml"),
        "kiosk_name = \"Quầy 1\"\nidle_timeout_secs = 5\n",
    )
    .unwrap();
    let vi = run(dir.path(), &["report"]);
    assert_eq!(vi.status.code(), Some(2));
    let vi = String::from_utf8_lossy(&vi.stderr);
    assert!(
        vi.contains("hailong.toml, dòng 2: idle_timeout_secs phải từ 10 đến 600 (đang là 5)."),
        "{vi}"
    );
    let en = run(dir.path(), &["report", "--lang", "en"]);
    let en = String::from_utf8_lossy(&en.stderr);
    assert!(
        en.contains("hailong.toml, line 2: idle_timeout_secs must be between 10 and 600 (found 5)."),
        "{en}"
    );
}

#[test]
fn report_warns_on_stderr_when_the_configured_questionnaire_does_not_exist() {
    let dir = tempfile::tempdir().unwrap();
    hailong(dir.path(), &["demo-data", "--responses", "20", "--seed", "3"]);
    std::fs::write(dir.path().join("hailong.toml"), "questionnaire = \"kiosk-nhan\"\n").unwrap();
    let out = hailong(dir.path(), &["report", "--lang", "en"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("questionnaire “kiosk-nhan”") && stderr.contains("kiosk-nhanh, sipas-mot-cua"),
        "{stderr}"
    );
    assert!(!out.stdout.is_empty(), "the report is still printed");
}

/// `[report] cutoff_day = 14`: every period the CLI names is on that calendar ("Q1" is
/// 15/12 of the year before to 14/03), and the text report says so with Vietnamese dates.
#[test]
fn a_cut_off_day_in_hailong_toml_moves_every_named_period() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("hailong.toml"),
        "facility_name = \"TTYT Gia Lâm\"\n\n[report]\ncutoff_day = 14\n",
    )
    .unwrap();
    hailong(
        dir.path(),
        &["demo-data", "--responses", "1500", "--seed", "9", "--end", "2026-05-20"],
    );
    let q1: serde_json::Value =
        serde_json::from_slice(&hailong(dir.path(), &["report", "--json", "--period", "2026-Q1"]).stdout).unwrap();
    assert_eq!(
        (q1["from"].as_str(), q1["to"].as_str()),
        (Some("2025-12-15"), Some("2026-03-14"))
    );
    let expected = rescan(
        dir.path(),
        &Filter {
            from: chrono::NaiveDate::from_ymd_opt(2025, 12, 15),
            to: chrono::NaiveDate::from_ymd_opt(2026, 3, 14),
            ..Filter::default()
        },
    );
    assert_eq!(q1["responses"], expected.responses);
    assert!(expected.responses > 100, "{}", expected.responses);
    let text = String::from_utf8(hailong(dir.path(), &["report", "--period", "2026-Q1"]).stdout).unwrap();
    assert!(text.contains("2026-Q1 (15/12/2025 → 14/03/2026)"), "{text}");
    // The counted responses and the excluded ones are said apart.
    assert!(
        text.contains(&format!(
            "Số phiếu được tính: {} (trong đó chưa hoàn thành: {}). Không tính: {} phiếu gửi lặp nhanh.",
            vi_count(&q1["responses"]),
            vi_count(&q1["partial_responses"]),
            vi_count(&q1["rapid_repeat_responses"])
        )),
        "{text}"
    );
    // Every row of the table carries its verdict.
    let total = text
        .lines()
        .find(|l| l.starts_with("Chung (mọi phần)"))
        .expect("a total row");
    let judged: hailong::survey::Summary = serde_json::from_value(q1.clone()).unwrap();
    let verdict = hailong::report::text::verdict_short(hailong::survey::Locale::Vi, judged.judgement());
    assert!(total.trim_end().ends_with(&verdict), "{total}");
    // A month is closed on the 14th too.
    let march: serde_json::Value =
        serde_json::from_slice(&hailong(dir.path(), &["report", "--json", "--period", "2026-03"]).stdout).unwrap();
    assert_eq!(
        (march["from"].as_str(), march["to"].as_str()),
        (Some("2026-02-15"), Some("2026-03-14"))
    );

    // A cut-off day that not every month has is refused, naming the line and the key.
    std::fs::write(dir.path().join("hailong.toml"), "[report]\ncutoff_day = 31\n").unwrap();
    let out = run(dir.path(), &["report"]);
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("hailong.toml, dòng 2: report.cutoff_day phải từ 1 đến 28 (đang là 31)."),
        "{said}"
    );
}

/// A count from the JSON as the Vietnamese text writes it (`1.989`).
fn vi_count(v: &serde_json::Value) -> String {
    hailong::report::text::count(hailong::survey::Locale::Vi, v.as_u64().unwrap())
}
