//! Staff mode: the hidden gesture and the PIN, the dashboard against `hailong report`, export to
//! a USB-like folder against `hailong export`, settings that survive a restart.

use hailong::id;
use std::path::Path;
use std::process::Command;

use hailong::i18n::tr_args;
use hailong::kiosk::app::{Message, Screen};
use hailong::kiosk::staff::{self, pin, settings::Field};
use hailong::kiosk::{Options, load};
use hailong::report::text::percent;
use hailong::survey::Locale;

use super::harness::Harness;

const PIN: &str = "246813";

fn with_pin(extra: &str) -> Harness {
    let hash = pin::hash_pin(PIN).unwrap();
    Harness::with(&format!("staff_pin_hash = \"{hash}\"\n{extra}"), &[])
}

fn open_pad(h: &mut Harness) {
    for _ in 0..5 {
        h.send(Message::Welcome(hailong::kiosk::screen::welcome::Message::CornerTap));
    }
}

fn enter(h: &mut Harness, pin: &str) {
    for d in pin.chars() {
        h.tap(&d.to_string());
    }
    h.tap("Vào");
}

fn open_staff(h: &mut Harness) {
    open_pad(h);
    enter(h, PIN);
    assert!(matches!(h.kiosk.screen(), Screen::Staff(_)), "staff mode did not open");
}

fn hailong(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_hailong"))
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn seed(h: &Harness, responses: &str) {
    hailong(
        h.dir(),
        &[
            "demo-data",
            "--responses",
            responses,
            "--seed",
            "7",
            "--end",
            "2026-11-20",
        ],
    );
}

#[test]
fn five_corner_taps_and_the_right_pin_open_the_dashboard() {
    let mut h = with_pin("");
    for _ in 0..4 {
        h.send(Message::Welcome(hailong::kiosk::screen::welcome::Message::CornerTap));
    }
    assert!(h.shows("Bắt đầu đánh giá"), "four taps are not enough");
    h.send(Message::Welcome(hailong::kiosk::screen::welcome::Message::CornerTap));
    assert!(h.shows("Chế độ nhân viên"));
    enter(&mut h, PIN);
    assert!(h.shows("Tổng quan"));
    assert!(h.shows("Tỷ lệ hài lòng chung"));
}

#[test]
fn a_wrong_pin_does_not_open_staff_mode() {
    let mut h = with_pin("");
    open_pad(&mut h);
    enter(&mut h, "1111");
    assert!(h.shows("Mã PIN không đúng. Hãy thử lại."));
    assert!(matches!(h.kiosk.screen(), Screen::Pin(_)));
    h.tap("Huỷ");
    assert!(h.shows("Bắt đầu đánh giá"));
}

#[test]
fn five_wrong_pins_lock_the_pad_for_five_minutes() {
    let mut h = with_pin("");
    open_pad(&mut h);
    for _ in 0..5 {
        enter(&mut h, "9999");
    }
    assert!(h.shows("Nhập sai quá 5 lần. Thử lại sau 5:00."));
    assert!(!h.shows("Vào"), "no keys while locked");
    // Leaving and coming back does not reset the lock, and the right PIN cannot get in.
    h.tap("Huỷ");
    open_pad(&mut h);
    assert!(h.shows("Nhập sai quá 5 lần. Thử lại sau 5:00."));
    for d in PIN.chars() {
        h.send(Message::Pin(hailong::kiosk::app::PinKey::Digit(d)));
    }
    h.send(Message::Pin(hailong::kiosk::app::PinKey::Submit));
    assert!(matches!(h.kiosk.screen(), Screen::Pin(_)));
}

#[test]
fn without_a_pin_the_pad_says_how_to_set_one() {
    let mut h = Harness::new();
    open_pad(&mut h);
    assert!(h.shows("Chưa đặt mã PIN cho kiosk này. Trên máy kiosk, chạy lệnh: hailong kiosk set-pin"));
    assert!(!h.shows("Vào"));
}

#[test]
fn staff_mode_closes_itself_after_two_idle_minutes() {
    let mut h = with_pin("");
    open_staff(&mut h);
    h.idle_for(100);
    assert!(h.shows("Tổng quan"));
    h.idle_for(121);
    assert!(h.shows("Bắt đầu đánh giá"));
}

#[test]
fn the_dashboard_shows_the_figures_of_hailong_report() {
    let mut h = with_pin("");
    seed(&h, "3000");
    open_staff(&mut h);
    h.tap("Năm nay");
    let json: serde_json::Value =
        serde_json::from_str(&hailong(h.dir(), &["report", "--period", "2026", "--json"])).unwrap();
    let pct = |key: &str| json[key].as_f64();
    let vi = Locale::Vi;
    assert!(h.shows(&percent(vi, pct("satisfied_pct"))), "the big figure");
    let interval = format!(
        "{} – {}",
        percent(vi, pct("ci_low_pct")),
        percent(vi, pct("ci_high_pct"))
    );
    assert!(h.shows(&tr_args(
        vi,
        id!("dash-n"),
        &[("n", count(&json["answers"]).into()), ("interval", interval.into())]
    )));
    assert!(h.shows(&tr_args(
        vi,
        id!("dash-counts"),
        &[
            ("responses", count(&json["responses"]).into()),
            ("partial", count(&json["partial_responses"]).into()),
            ("rapid", count(&json["rapid_repeat_responses"]).into()),
        ]
    )));
    let judged: hailong::survey::Summary = serde_json::from_value(json.clone()).unwrap();
    assert!(h.shows(&hailong::report::text::verdict_words(vi, judged.judgement())));
    // The section bars are drawn from the same figures.
    let Screen::Staff(s) = h.kiosk.screen() else {
        unreachable!()
    };
    let data = s.dashboard.data.as_ref().expect("loaded");
    for (code, f) in &data.summary.sections {
        let expected = json["sections"][code]["satisfied_pct"].as_f64();
        let shown = f.satisfied_pct.map(|p| (p * 100.0).round() / 100.0);
        assert_eq!(shown, expected, "section {code}");
    }
}

fn usb(h: &Harness) -> std::path::PathBuf {
    let usb = h.dir().join("media/y-ta/USB-KHOA");
    std::fs::create_dir_all(&usb).unwrap();
    usb
}

#[test]
fn export_to_a_usb_drive_matches_hailong_export() {
    let mut h = with_pin("");
    seed(&h, "500");
    let usb = usb(&h);
    open_staff(&mut h);
    h.tap("Xuất dữ liệu");
    assert!(h.shows("USB: USB-KHOA"));
    h.tap("Năm nay");
    h.tap("CSV");
    h.tap("Xuất");
    let file = usb.join("hailong-2026.csv");
    let cli = h.dir().join("cli.csv");
    hailong(
        h.dir(),
        &[
            "export",
            "--period",
            "2026",
            "--format",
            "csv",
            "--out",
            cli.to_str().unwrap(),
        ],
    );
    let rows = csv::Reader::from_path(&cli).unwrap().records().count();
    assert!(rows > 100);
    assert!(h.shows(&format!("Đã xuất {rows} phiếu vào USB-KHOA/hailong-2026.csv")));
    assert_eq!(std::fs::read(&file).unwrap(), std::fs::read(&cli).unwrap());

    h.tap("Excel (XLSX)");
    h.tap("Xuất");
    let cli = h.dir().join("cli.xlsx");
    hailong(
        h.dir(),
        &[
            "export",
            "--period",
            "2026",
            "--format",
            "xlsx",
            "--out",
            cli.to_str().unwrap(),
        ],
    );
    assert_eq!(sheets(&usb.join("hailong-2026.xlsx")), sheets(&cli));
}

fn sheets(path: &Path) -> Vec<Vec<Vec<String>>> {
    use calamine::{Reader, Xlsx, open_workbook};
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    let names = book.sheet_names().to_vec();
    names
        .iter()
        .map(|n| {
            let range = book.worksheet_range(n).unwrap();
            range
                .rows()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect()
        })
        .collect()
}

#[test]
fn an_unwritable_drive_gives_a_clear_message_and_leaves_no_file() {
    let mut h = with_pin("");
    seed(&h, "50");
    let users = h.dir().join("media/y-ta");
    std::fs::create_dir_all(&users).unwrap();
    // A "drive" the kiosk may not write to, as a read-only stick would be.
    std::os::unix::fs::symlink("/sys/kernel", users.join("USB-CHI-DOC")).unwrap();
    open_staff(&mut h);
    h.tap("Xuất dữ liệu");
    h.tap("CSV");
    h.tap("Xuất");
    assert!(h.shows("Không xuất được: ổ đĩa chỉ đọc hoặc không cho phép ghi."));
    let left: Vec<_> = std::fs::read_dir("/sys/kernel")
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("hailong"))
        .collect();
    assert!(left.is_empty());
}

#[test]
fn settings_are_checked_saved_and_still_there_after_a_restart() {
    let mut h = with_pin("facility_name = \"TTYT Ba Vì\"\n");
    open_staff(&mut h);
    h.tap("Cài đặt");
    // A bad value is refused with the reason, and nothing is written.
    let before = std::fs::read_to_string(h.dir().join("hailong.toml")).unwrap();
    h.send(Message::Staff(settings_field(Field::IdleTimeout, "0".into())));
    h.tap("Lưu cài đặt");
    assert!(h.shows("Chưa lưu: “Tự kết thúc sau (giây không thao tác)” phải từ 10 đến 600 (đang là 0)."));
    assert_eq!(std::fs::read_to_string(h.dir().join("hailong.toml")).unwrap(), before);

    h.send(Message::Staff(settings_field(Field::IdleTimeout, "90".into())));
    h.send(Message::Staff(settings_field(Field::Point, " Khoa Nội ".into())));
    h.tap("byt-ngoai-tru");
    // The facility name, typed on the screen's own keyboard.
    h.tap("Sửa");
    assert!(h.shows("TTYT Ba Vì"));
    h.taps(&["Dấu cách", "2", "Xong"]);
    h.tap("Lưu cài đặt");
    assert!(h.shows("Đã lưu. Cài đặt mới có hiệu lực ngay."));

    // Restarted from the file: the changes are there, the rest (facility, PIN) kept.
    let options = Options {
        data_dir: Some(h.dir().to_path_buf()),
        ..Options::default()
    };
    let reloaded = load(&options).unwrap();
    assert_eq!(reloaded.config.questionnaire, "byt-ngoai-tru");
    assert_eq!(reloaded.config.idle_timeout_secs.0, 90);
    assert_eq!(reloaded.config.facility_name, "TTYT Ba Vì 2");
    assert_eq!(reloaded.config.point, "Khoa Nội", "where the kiosk stands, trimmed");
    assert!(pin::verify_pin(&reloaded.config.staff_pin_hash, PIN));
    // And the running kiosk asks the new questionnaire at once.
    h.tap("Về màn hình khảo sát");
    h.tap("Bắt đầu đánh giá");
    let Screen::Survey(session) = h.kiosk.screen() else {
        unreachable!()
    };
    assert_eq!(session.questionnaire().id, "byt-ngoai-tru");
}

#[test]
fn the_pin_can_be_changed_from_settings() {
    let mut h = with_pin("");
    open_staff(&mut h);
    h.tap("Cài đặt");
    h.tap("Đổi mã PIN");
    for d in "135790".chars() {
        h.tap(&d.to_string());
    }
    h.tap("Vào");
    assert!(h.shows("Nhập lại mã PIN mới"));
    for d in "135790".chars() {
        h.tap(&d.to_string());
    }
    h.tap("Vào");
    assert!(h.shows("Đã lưu. Cài đặt mới có hiệu lực ngay."));
    h.tap("Về màn hình khảo sát");
    open_pad(&mut h);
    enter(&mut h, PIN);
    assert!(
        h.shows("Mã PIN không đúng. Hãy thử lại."),
        "the old PIN no longer works"
    );
    enter(&mut h, "135790");
    assert!(matches!(h.kiosk.screen(), Screen::Staff(_)));
}

#[test]
fn quitting_asks_first() {
    let mut h = with_pin("");
    open_staff(&mut h);
    h.tap("Thoát ứng dụng");
    assert!(h.shows("Thoát ứng dụng?"));
    h.tap("Không thoát");
    assert!(h.shows("Tổng quan") && !h.shows("Thoát ứng dụng?"));
    assert!(!h.effects.iter().any(|e| e.contains("Quit")));
    h.tap("Thoát ứng dụng");
    h.tap("Thoát");
    assert!(h.effects.iter().any(|e| e.contains("Quit")), "{:?}", h.effects);
}

#[test]
fn snapshots_of_every_staff_screen() {
    let mut h = with_pin("facility_name = \"Trung tâm Y tế huyện Hoài Đức\"\n");
    seed(&h, "3000");
    usb(&h);
    open_pad(&mut h);
    h.tap("2");
    h.snapshot("staff-pin-vi-landscape");
    h.tap("4");
    h.tap("6");
    h.tap("8");
    h.tap("1");
    h.tap("3");
    h.tap("Vào");
    h.tap("Năm nay");
    h.snapshot("staff-dashboard-vi-landscape");
    h.resize(super::harness::PORTRAIT);
    h.snapshot("staff-dashboard-vi-portrait");
    h.resize(super::harness::LANDSCAPE);
    h.tap("Xuất dữ liệu");
    h.tap("Quý này");
    h.tap("Xuất");
    h.snapshot("staff-export-vi-landscape");
    h.tap("Đồng bộ");
    h.snapshot("staff-sync-vi-landscape");
    h.tap("Cài đặt");
    h.snapshot("staff-settings-vi-landscape");
    h.tap("Sửa");
    h.snapshot("staff-settings-keyboard-vi-landscape");
    h.tap("Huỷ");
    h.tap("Thoát ứng dụng");
    h.snapshot("staff-quit-vi-landscape");
}

#[test]
fn the_sync_page_sends_the_queue_now_and_explains_a_refused_token() {
    let dir = tempfile::tempdir().unwrap();
    let centre = super::server::Server::start(&dir.path().join("centre.sqlite3"));
    let token = centre.enrol("TTYT Đan Phượng");
    let mut h = with_pin(&format!("[centre]\nurl = \"{}\"\ntoken = \"{token}\"\n", centre.url()));
    seed(&h, "300");
    open_staff(&mut h);
    h.tap("Đồng bộ");
    assert!(h.shows(&centre.url()));
    assert!(h.shows("chưa lần nào"));
    let waiting = |h: &Harness| match h.kiosk.screen() {
        Screen::Staff(s) => s.sync.outbox.clone().unwrap().unwrap().queued,
        _ => unreachable!(),
    };
    assert_eq!(waiting(&h), 300);
    // The button wakes the background worker and says so until the worker reports.
    h.tap("Đồng bộ ngay");
    assert!(h.shows("Đang đồng bộ…") && !h.shows("Đồng bộ ngay"));
    h.run_woken_worker();
    assert!(h.shows("Đồng bộ ngay"));
    assert_eq!(waiting(&h), 0);
    assert!(h.shows("0 phiếu (cũ nhất: —)"));
    assert!(!h.shows("chưa lần nào"), "the last success is shown");
    let mut held = 0;
    centre
        .centre
        .store
        .for_each_response(&hailong::centre::Scope::default(), &mut |_| held += 1)
        .unwrap();
    assert_eq!(held, 300);

    // The centre revokes the kiosk: staff are told, in words, that it was revoked and which
    // command on the centre gives it a new token.
    seed(&h, "5");
    let enrolment = centre.centre.store.kiosks().unwrap().remove(0);
    centre.centre.store.revoke_kiosk(&enrolment.id).unwrap();
    h.tap("Đồng bộ ngay");
    h.run_woken_worker();
    let kiosk_id = enrolment.kiosk_id.clone().unwrap();
    let said = hailong::i18n::tr_args(
        Locale::Vi,
        id!("sync-error-token-revoked"),
        &[("kiosk", kiosk_id.into())],
    );
    assert!(said.contains("hailong centre kiosk renew"), "{said}");
    assert!(h.shows(&said));
    assert_eq!(waiting(&h), 5, "nothing is marked synced");
}

/// Runs `hailong kiosk set-pin` on the data directory, as the IT person would beside the
/// running kiosk.
fn set_pin(dir: &Path, pin: &str) {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_hailong"))
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
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_pin_set_while_the_kiosk_runs_applies_without_a_restart() {
    // No PIN when the kiosk started.
    let mut h = Harness::new();
    set_pin(h.dir(), "480357");
    open_pad(&mut h);
    enter(&mut h, "480357");
    assert!(
        matches!(h.kiosk.screen(), Screen::Staff(_)),
        "the new PIN opens staff mode"
    );
    h.tap("Về màn hình khảo sát");

    // And changed again while it runs: the old one stops working, the new one works.
    set_pin(h.dir(), "913572");
    open_pad(&mut h);
    enter(&mut h, "480357");
    assert!(
        h.shows("Mã PIN không đúng. Hãy thử lại."),
        "the replaced PIN no longer works"
    );
    enter(&mut h, "913572");
    assert!(
        matches!(h.kiosk.screen(), Screen::Staff(_)),
        "the newest PIN opens staff mode"
    );
}

/// A hash written by an older hailong: argon2id with that version's (cheaper) parameters, of a
/// 4-digit PIN.
fn legacy_hash(pin: &str) -> String {
    use argon2::password_hash::PasswordHasher;
    argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(19 * 1024, 2, 1, None).unwrap(),
    )
    .hash_password(pin.as_bytes())
    .unwrap()
    .to_string()
}

#[test]
fn an_old_short_pin_still_unlocks_and_staff_mode_suggests_a_longer_one() {
    let notice = "Mã PIN này chỉ có 4 chữ số, dễ bị dò ra. Hãy đổi sang mã PIN 6–8 chữ số: Cài đặt → Đổi mã PIN.";
    let mut h = Harness::with(&format!("staff_pin_hash = \"{}\"\n", legacy_hash("2468")), &[]);
    open_pad(&mut h);
    enter(&mut h, "2468");
    assert!(
        matches!(h.kiosk.screen(), Screen::Staff(_)),
        "the old PIN still opens staff mode"
    );
    assert!(h.shows(notice), "staff are told to choose a longer PIN");
    h.tap("Cài đặt");
    assert!(h.shows(notice), "on every page");

    // Changed to a long PIN: the notice goes, and does not come back with it.
    h.tap("Đổi mã PIN");
    for _ in 0..2 {
        for d in "502468".chars() {
            h.tap(&d.to_string());
        }
        h.tap("Vào");
    }
    assert!(h.shows("Đã lưu. Cài đặt mới có hiệu lực ngay."));
    assert!(!h.shows(notice));
    h.tap("Về màn hình khảo sát");
    open_pad(&mut h);
    enter(&mut h, "502468");
    assert!(matches!(h.kiosk.screen(), Screen::Staff(_)));
    assert!(!h.shows(notice), "a 6-digit PIN needs no notice");
}

#[test]
fn a_new_pin_chosen_in_settings_needs_six_to_eight_digits() {
    let mut h = with_pin("");
    open_staff(&mut h);
    h.tap("Cài đặt");
    h.tap("Đổi mã PIN");
    assert!(h.shows("Nhập mã PIN mới (6–8 chữ số)"));
    for d in "13579".chars() {
        h.tap(&d.to_string());
    }
    h.tap("Vào");
    assert!(h.shows("Mã PIN phải gồm 6–8 chữ số và hai lần nhập phải giống nhau."));
    assert!(!h.shows("Nhập lại mã PIN mới"), "five digits are not taken");
}

#[test]
fn responses_waiting_after_a_failed_save_are_saved_after_the_questionnaire_changes() {
    let mut h = with_pin("");
    h.hold_saves = true;
    h.tap("Bắt đầu đánh giá");
    h.taps(&["Hài lòng", "Hài lòng", "Hài lòng", "Hài lòng", "Hài lòng"]);
    h.tap("Chắc chắn sẽ quay lại hoặc giới thiệu cho người khác");
    h.tap("Bỏ qua");
    assert_eq!(h.held.len(), 1);
    h.held.clear();
    h.send(Message::Saved(hailong::kiosk::saver::SaveOutcome {
        saved: vec![],
        error: Some(hailong::kiosk::problem::StoreProblem::Full),
    }));
    assert_eq!(h.kiosk.pending().len(), 1);
    // Meanwhile staff switch the kiosk to another questionnaire.
    h.hold_saves = false;
    h.send(Message::Thanks(hailong::kiosk::screen::thanks::Message::Done));
    open_staff(&mut h);
    h.tap("Cài đặt");
    h.tap("byt-ngoai-tru");
    h.tap("Lưu cài đặt");
    assert!(h.shows("Đã lưu. Cài đặt mới có hiệu lực ngay."));
    // The disk has room again: the waiting response goes in, on the form it was answered on.
    h.idle_for(6);
    assert!(
        h.kiosk.pending().is_empty(),
        "the queue is empty: {:?}",
        h.kiosk.save_error()
    );
    assert_eq!(h.kiosk.save_error(), None);
    let stored = h.stored();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].response.questionnaire_id, "kiosk-nhanh");
}

#[test]
fn saving_settings_in_staff_mode_keeps_the_settings_file_private() {
    use std::os::unix::fs::PermissionsExt;
    let mut h = with_pin("[centre]\nurl = \"http://127.0.0.1:9\"\ntoken = \"secret\"\n");
    let file = h.dir().join("hailong.toml");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    open_staff(&mut h);
    h.tap("Cài đặt");
    h.send(Message::Staff(settings_field(Field::IdleTimeout, "90".into())));
    h.tap("Lưu cài đặt");
    assert!(h.shows("Đã lưu. Cài đặt mới có hiệu lực ngay."));
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(
        mode, 0o600,
        "hailong.toml (with the centre token) after staff saved the settings"
    );
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .contains("idle_timeout_secs = 90")
    );
}

#[test]
fn a_bad_setting_is_named_by_its_label_in_vietnamese() {
    let mut h = with_pin("");
    open_staff(&mut h);
    h.tap("Cài đặt");
    h.send(Message::Staff(settings_field(Field::IdleTimeout, "5".into())));
    h.tap("Lưu cài đặt");
    assert!(
        h.shows("Chưa lưu: “Tự kết thúc sau (giây không thao tác)” phải từ 10 đến 600 (đang là 5)."),
        "the rule in Vietnamese, naming the field as the page labels it"
    );
    assert!(!h.shows("idle_timeout_secs must be between 10 and 600 (found 5)"));
    h.send(Message::Staff(settings_field(Field::IdleTimeout, "năm".into())));
    h.tap("Lưu cài đặt");
    assert!(h.shows("Chưa lưu: “Tự kết thúc sau (giây không thao tác)”: “năm” không phải là số."));
    h.send(Message::Staff(settings_field(Field::IdleTimeout, "45".into())));
    h.send(Message::Staff(settings_field(
        Field::ThankYouUrl,
        "ttyt.example.vn".into(),
    )));
    h.tap("Lưu cài đặt");
    assert!(h.shows("Chưa lưu: “Địa chỉ mã QR trang cảm ơn” phải bắt đầu bằng https:// hoặc http://."));
    h.send(Message::Staff(settings_field(Field::ThankYouUrl, String::new())));
    h.send(Message::Staff(settings_field(Field::Facility, "  ".into())));
    h.tap("Lưu cài đặt");
    assert!(h.shows("Chưa lưu: “Tên cơ sở” không được để trống."));
}

#[test]
fn a_bad_setting_is_named_by_its_label_in_english() {
    let mut h = with_pin("default_locale = \"en\"\n");
    open_pad(&mut h);
    for d in PIN.chars() {
        h.tap(&d.to_string());
    }
    h.tap("Enter");
    h.tap("Settings");
    h.send(Message::Staff(settings_field(Field::Target, "101".into())));
    h.tap("Save settings");
    assert!(
        h.shows("Not saved: “Satisfaction target (%)” must be between 50 and 100 (found 101)."),
        "the rule in English, naming the field as the page labels it"
    );
    assert!(!h.shows("target_pct must be between 50 and 100 (found 101)"));
}

#[test]
fn the_sync_page_shows_the_last_chain_audit_after_a_round() {
    let dir = tempfile::tempdir().unwrap();
    let centre = super::server::Server::start(&dir.path().join("centre.sqlite3"));
    let token = centre.enrol("TTYT Đan Phượng");
    let mut h = with_pin(&format!("[centre]\nurl = \"{}\"\ntoken = \"{token}\"\n", centre.url()));
    seed(&h, "30");
    open_staff(&mut h);
    h.tap("Đồng bộ");
    assert!(h.shows("Kiểm tra chuỗi gần nhất"));
    assert!(h.shows("chưa kiểm tra lần nào"));
    h.tap("Đồng bộ ngay");
    h.run_woken_worker();
    // The round sent the 30 responses, and the centre compared all of them with what it holds.
    assert!(
        h.shows("30 phiếu đã được đối chiếu: không phiếu nào bị sửa hay bị xoá."),
        "the audit's result is on the page"
    );
    assert!(!h.shows("chưa kiểm tra lần nào"));
}

#[test]
fn the_sync_page_names_responses_the_audit_found_altered_or_removed() {
    use hailong::kiosk::sync_worker::SyncEvent;
    let mut h = with_pin("[centre]\nurl = \"http://127.0.0.1:9\"\ntoken = \"t\"\n");
    open_staff(&mut h);
    h.tap("Đồng bộ");
    h.send(Message::Sync(SyncEvent::Audited {
        at: chrono::Utc::now(),
        result: hailong::sync::AuditResult {
            checked: 120,
            altered: vec![3, 7],
            removed: vec![12],
        },
    }));
    assert!(h.shows(
        "120 phiếu đã được đối chiếu: phiếu số 3, 7 đã bị sửa trên kiosk sau khi gửi; phiếu số 12 đã bị xoá khỏi kiosk. Trung tâm giữ bản đã nhận và đã ghi lại sự việc."
    ));
}

#[test]
fn the_sync_page_warns_when_the_kiosk_clock_is_off_the_centre() {
    use hailong::kiosk::sync_worker::SyncEvent;
    let mut h = with_pin("[centre]\nurl = \"http://127.0.0.1:9\"\ntoken = \"t\"\n");
    open_staff(&mut h);
    h.tap("Đồng bộ");
    // Within five minutes: nothing to say.
    h.send(Message::Sync(SyncEvent::Clock(Some(chrono::TimeDelta::minutes(4)))));
    let ahead = |d| hailong::sync::client::explain_clock(d, Locale::Vi);
    assert!(ahead(chrono::TimeDelta::minutes(4)).is_none());
    assert!(!h.shows("Đồng hồ"));
    let off = chrono::TimeDelta::hours(3) + chrono::TimeDelta::minutes(12);
    h.send(Message::Sync(SyncEvent::Clock(Some(off))));
    let said = ahead(off).unwrap();
    assert!(
        said.contains("NHANH hơn máy chủ trung tâm 0 ngày 3 giờ 12 phút"),
        "{said}"
    );
    assert!(h.shows(&said), "the clock warning is on the page");
    // Once the clock is right, the warning goes.
    h.send(Message::Sync(SyncEvent::Clock(Some(chrono::TimeDelta::seconds(2)))));
    assert!(!h.shows(&said));
}

#[test]
fn settings_list_the_questionnaires_by_their_titles() {
    let mut h = with_pin("");
    open_staff(&mut h);
    h.tap("Cài đặt");
    for title in [
        "Khảo sát nhanh sự hài lòng",
        "Phiếu khảo sát ý kiến người bệnh ngoại trú",
        "Phiếu khảo sát ý kiến người bệnh nội trú",
        "Khảo sát sự hài lòng về bộ phận một cửa",
    ] {
        assert!(h.shows(title), "{title} is not listed");
    }
    h.tap("Phiếu khảo sát ý kiến người bệnh nội trú");
    h.tap("Lưu cài đặt");
    assert!(h.shows("Đã lưu. Cài đặt mới có hiệu lực ngay."));
    let reloaded = load(&Options {
        data_dir: Some(h.dir().to_path_buf()),
        ..Options::default()
    })
    .unwrap();
    assert_eq!(reloaded.config.questionnaire, "byt-noi-tru");
}

/// At 1280×800 and 1920×1080 the whole dashboard is on screen: nothing to scroll to.
#[test]
fn the_dashboard_fits_the_common_screens_without_scrolling() {
    let mut h = with_pin("facility_name = \"Trung tâm Y tế huyện Hoài Đức\"\n");
    seed(&h, "3000");
    open_staff(&mut h);
    h.tap("Năm nay");
    // (1920×1080 is `staff-dashboard-vi-landscape` of the snapshot test.)
    for size in [iced::Size::new(1280.0, 800.0), super::harness::LANDSCAPE] {
        h.resize(size);
        let overflow = h.scroll_overflow(hailong::kiosk::screen::DASHBOARD_SCROLL);
        assert!(overflow <= 0.0, "{size:?}: {overflow} px to scroll");
    }
    h.resize(iced::Size::new(1280.0, 800.0));
    h.snapshot("staff-dashboard-vi-1280x800");
}

/// A settings text field typed into (as a USB keyboard types into the field).
fn settings_field(field: Field, value: String) -> staff::Message {
    staff::Message::Settings(staff::settings::Message::Field(field, value))
}

/// A count from the JSON as the Vietnamese dashboard writes it (`1.989`).
fn count(v: &serde_json::Value) -> String {
    hailong::report::text::count(hailong::survey::Locale::Vi, v.as_u64().unwrap())
}
