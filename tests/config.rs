//! `hailong.toml`: defaults when missing, errors naming line and field when malformed.

use hailong::config::{Config, ConfigError};

fn invalid(text: &str) -> (usize, String, String) {
    match Config::parse("hailong.toml", text).unwrap_err() {
        ConfigError::Invalid {
            line, field, message, ..
        } => (line, field, message),
        other => panic!("{other}"),
    }
}

#[test]
fn a_missing_file_gives_the_embedded_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let c = Config::load(&dir.path().join("hailong.toml")).unwrap();
    assert_eq!(c, Config::default());
    assert_eq!(c.questionnaire, "kiosk-nhanh");
    assert_eq!(c.idle_timeout_secs.0, 45);
    assert_eq!(c.target_pct.0, 95.0);
}

#[test]
fn a_full_file_is_read() {
    let c = Config::parse(
        "hailong.toml",
        r#"facility_name = "Trung tâm Y tế huyện Mỹ Đức"
kiosk_name = "Quầy tiếp đón"
questionnaire = "byt-ngoai-tru"
departments = ["Khoa Khám bệnh", "Khoa Nhi"]
default_locale = "en"
idle_timeout_secs = 60
target_pct = 90
[scoring]
return_options = ["3", "4"]
[centre]
url = "https://centre.example.vn"
token = "secret-token"
"#,
    )
    .unwrap();
    assert_eq!(c.facility_name, "Trung tâm Y tế huyện Mỹ Đức");
    assert_eq!(c.departments.len(), 2);
    assert_eq!(c.idle_timeout_secs.0, 60);
    assert_eq!(c.scoring_options().target_pct, 90.0);
    assert_eq!(c.scoring_options().return_options, ["3", "4"]);
    assert!(
        !format!("{c:?}").contains("secret-token"),
        "the token never reaches a log"
    );
}

#[test]
fn an_out_of_range_idle_timeout_names_line_and_limits() {
    let (line, field, message) = invalid("facility_name = \"TTYT\"\n\nidle_timeout_secs = 0\n");
    assert_eq!(line, 3);
    assert_eq!(field, "idle_timeout_secs");
    assert_eq!(message, "idle_timeout_secs must be between 10 and 600 (found 0)");
}

#[test]
fn a_misspelt_setting_is_an_error_not_a_silent_default() {
    let (line, field, message) = invalid("facility_name = \"TTYT\"\nidle_timout_secs = 30\n");
    assert_eq!(line, 2);
    assert!(message.contains("idle_timout_secs"), "{field}: {message}");
}

#[test]
fn bad_values_are_named() {
    let (line, _, message) = invalid("timezone = \"Asia/Hanoi_City\"\n");
    assert_eq!(line, 1);
    assert!(message.contains("Asia/Hanoi_City"), "{message}");
    let (line, _, message) = invalid("\ndefault_locale = \"fr\"\n");
    assert_eq!(line, 2);
    assert!(message.contains("fr"), "{message}");
    let (line, field, _) = invalid("a = [\n");
    assert_eq!((line, field.as_str()), (1, "(syntax)"));
    let (line, field, message) = invalid("[centre]\nurl = \"ftp://x\"\n");
    assert_eq!((line, field.as_str()), (2, "centre.url"));
    assert!(message.contains("https://"), "{message}");
}

#[test]
fn the_cli_refuses_a_malformed_config_with_the_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("hailong.toml"),
        "facility_name = \"TTYT\"\ntarget_pct = 120\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hailong"))
        .args(["report", "--lang", "en", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("hailong.toml, line 2: target_pct"), "{stderr}");
    assert!(
        !dir.path().join("hailong.sqlite3").exists(),
        "nothing is created on a config error"
    );
}

#[test]
fn saving_settings_keeps_the_files_comments_and_changes_only_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hailong.toml");
    let written = r#"# Quầy tiếp đón, tầng 1 — liên hệ anh Nam (IT) khi cần đổi
facility_name = "Trung tâm Y tế huyện Ba Vì"
kiosk_name = "Quầy 1"   # tên hiện trên màn hình chào
departments = [
    "Khoa Khám bệnh",
    "Khoa Nhi",
]

# TTYT Ba Vì — Quầy 1 (mã đăng ký 7): mã bí mật chỉ hiện một lần
[centre]
url = "http://127.0.0.1:8080"
token = "secret-token"
"#;
    std::fs::write(&path, written).unwrap();
    let mut c = Config::load(&path).unwrap();
    // What staff change on the Settings page.
    c.kiosk_name = "Quầy tiếp đón".into();
    c.idle_timeout_secs = Config::parse("x", "idle_timeout_secs = 90").unwrap().idle_timeout_secs;
    c.save(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(Config::load(&path).unwrap(), c);
    for kept in [
        "# Quầy tiếp đón, tầng 1 — liên hệ anh Nam (IT) khi cần đổi\n",
        "kiosk_name = \"Quầy tiếp đón\"   # tên hiện trên màn hình chào\n",
        "departments = [\n    \"Khoa Khám bệnh\",\n    \"Khoa Nhi\",\n]\n",
        "# TTYT Ba Vì — Quầy 1 (mã đăng ký 7): mã bí mật chỉ hiện một lần\n[centre]\n",
    ] {
        assert!(text.contains(kept), "lost {kept:?} in:\n{text}");
    }
    assert!(text.contains("idle_timeout_secs = 90\n"), "{text}");
    // Settings left at their defaults are not spelt out.
    assert!(!text.contains("target_pct") && !text.contains("[scoring]"), "{text}");

    // Saved again unchanged, the file stays byte for byte the same.
    c.save(&path).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);

    // A file that is not TOML at all is replaced by the settings.
    std::fs::write(&path, "this is [not toml").unwrap();
    c.save(&path).unwrap();
    assert_eq!(Config::load(&path).unwrap(), c);
}

fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// `hailong.toml` holds the centre token and the PIN hash: only its owner may read it, however
/// it was written before and however often it is saved.
#[test]
fn saving_settings_leaves_the_file_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hailong.toml");
    let mut c = Config::default();
    c.centre.token = "secret-token".into();
    // A new file.
    c.save(&path).unwrap();
    assert_eq!(mode(&path), 0o600, "a new settings file");
    // A file the owner already made private stays private on every save.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    for name in ["Quầy 1", "Quầy 2"] {
        c.kiosk_name = name.into();
        c.save(&path).unwrap();
        assert_eq!(mode(&path), 0o600, "after saving {name}");
    }
    // A world-readable file written by hand is made private when hailong rewrites it.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    Config::store_pin_hash(&path, "").unwrap();
    assert_eq!(mode(&path), 0o600, "after storing a PIN hash");
    assert_eq!(Config::load(&path).unwrap().centre.token, "secret-token");
    // No temporary file is left beside it.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("hailong.toml")]);
}

#[test]
fn a_point_or_kiosk_name_the_centre_would_refuse_is_named_with_its_line() {
    let long = "x".repeat(201);
    let (line, field, message) = invalid(&format!("facility_name = \"TTYT\"\npoint = \"{long}\"\n"));
    assert_eq!((line, field.as_str()), (2, "point"));
    assert_eq!(message, "at most 200 characters, without control characters");
    let (line, field, _) = invalid("facility_name = \"TTYT\"\n\nkiosk_name = \"Quầy\\u0007\"\n");
    assert_eq!((line, field.as_str()), (3, "kiosk_name"));
}
