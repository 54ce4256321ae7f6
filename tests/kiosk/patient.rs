//! The patient screens' rough edges (issue 13 §3): a way back from the first question, faces
//! that stay put, the follow-up naming its question, time to scan the thank-you QR code, and a
//! progress bar.

use hailong::kiosk::app::{Message, Screen};
use hailong::kiosk::screen::{PROGRESS_BAR, PROGRESS_DONE};
use hailong::kiosk::sync_worker::SyncEvent;
use iced::Size;

use super::harness::{Harness, LANDSCAPE, PORTRAIT};

const A2_VI: &str = "Các sơ đồ, biển báo chỉ dẫn đường đến các khoa, phòng trong bệnh viện rõ ràng, dễ hiểu, dễ tìm";
const B7_VI: &str = "Đánh giá thời gian chờ tới lượt bác sỹ khám";
const WHY_VI: &str = "Vì sao Ông/Bà chưa hài lòng?";
const G2_VI_5: &str = "Chắc chắn sẽ quay lại hoặc giới thiệu cho người khác";

#[test]
fn back_on_the_first_question_returns_to_welcome_where_the_language_can_be_changed() {
    let mut h = Harness::new();
    h.tap("Bắt đầu đánh giá");
    assert!(h.shows("Câu 1/7"));
    h.tap("Quay lại");
    assert!(
        h.shows("Bắt đầu đánh giá"),
        "Back on the first question leads to Welcome"
    );
    h.tap("English");
    h.tap("Start");
    assert!(h.shows("Question 1/7"));
    // An answer given and gone back over is not kept, and nothing is saved.
    h.tap("Satisfied");
    h.tap("Back");
    h.tap("Back");
    assert!(h.shows("Start"), "the language chosen stays on Welcome");
    h.tap("Start");
    let Screen::Survey(session) = h.kiosk.screen() else {
        panic!("survey expected")
    };
    assert!(session.response().answers.is_empty());
    assert!(h.stored().is_empty());
}

#[test]
fn back_on_the_department_question_returns_to_welcome() {
    let mut h = Harness::with("departments = [\"Khoa Khám bệnh\", \"Khoa Nhi\"]\n", &[]);
    h.tap("Bắt đầu đánh giá");
    assert!(h.shows("Ông/Bà vừa sử dụng dịch vụ ở khoa/phòng nào?"));
    h.tap("Quay lại");
    assert!(h.shows("Bắt đầu đánh giá"));
}

/// The y of the face row, read from where the words under the faces are.
fn faces_y(h: &Harness) -> f32 {
    h.bounds("Hài lòng").y
}

#[test]
fn the_faces_stay_in_the_same_place_on_every_question() {
    for size in [LANDSCAPE, PORTRAIT, Size::new(1280.0, 800.0)] {
        let mut h = Harness::new();
        h.resize(size);
        h.tap("Bắt đầu đánh giá");
        // A2: a two-line question, the first one (no answer yet, nothing "noted").
        assert!(h.shows(A2_VI));
        let first = faces_y(&h);
        h.tap("Rất hài lòng");
        // B7: one line, just after an answer ("Đã ghi nhận" shows in the header).
        assert!(h.shows(B7_VI) && h.shows("Đã ghi nhận, xin cảm ơn"));
        assert_eq!(faces_y(&h), first, "{size:?}: the faces moved from A2 to B7");
        h.idle_for(2);
        assert_eq!(faces_y(&h), first, "{size:?}: the faces moved when “noted” went");
        h.tap("Rất hài lòng");
        // C6: with "Không sử dụng" in the footer.
        assert!(h.shows("Không sử dụng"));
        assert_eq!(faces_y(&h), first, "{size:?}: the faces moved on C6");
        h.tap("Rất hài lòng");
        assert!(h.shows("Câu 4/7"));
        assert_eq!(faces_y(&h), first, "{size:?}: the faces moved on D1");
    }
}

#[test]
fn the_reasons_screen_says_which_question_it_is_about() {
    let mut h = Harness::new();
    h.tap("Bắt đầu đánh giá");
    h.tap("Không hài lòng");
    assert!(h.shows(WHY_VI));
    assert!(h.shows(A2_VI), "the reasons screen names A2");
    h.tap("Tiếp tục");
    h.tap("Rất không hài lòng");
    assert!(h.shows(WHY_VI));
    assert!(h.shows(B7_VI), "the reasons screen names B7");
    assert!(!h.shows(A2_VI));
}

fn finish(h: &mut Harness) {
    h.tap("Bắt đầu đánh giá");
    h.taps(&[
        "Hài lòng",
        "Hài lòng",
        "Hài lòng",
        "Hài lòng",
        "Hài lòng",
        G2_VI_5,
        "Bỏ qua",
    ]);
    assert!(matches!(h.kiosk.screen(), Screen::Thanks(_)));
}

#[test]
fn the_thank_you_screen_stays_long_enough_to_scan_its_code() {
    let mut h = Harness::new();
    finish(&mut h);
    h.idle_for(15);
    assert!(
        matches!(h.kiosk.screen(), Screen::Thanks(_)),
        "gone before 15 s: too short to scan the QR code"
    );
    h.idle_for(20);
    assert!(matches!(h.kiosk.screen(), Screen::Welcome(_)), "20 s by default");

    // Configurable.
    let mut h = Harness::with(
        "thank_you_url = \"https://ttyt.example.vn/gop-y\"\nthank_you_secs = 45\n",
        &[],
    );
    finish(&mut h);
    h.idle_for(40);
    assert!(matches!(h.kiosk.screen(), Screen::Thanks(_)));
    h.idle_for(45);
    assert!(matches!(h.kiosk.screen(), Screen::Welcome(_)));
}

#[test]
fn a_tap_anywhere_on_the_thank_you_screen_returns_at_once() {
    let mut h = Harness::new();
    finish(&mut h);
    // Not the button: the words above it.
    h.tap("Xin chân thành cảm ơn Ông/Bà!");
    assert!(matches!(h.kiosk.screen(), Screen::Welcome(_)));
}

#[test]
fn a_too_short_or_long_thank_you_time_is_refused_naming_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("hailong.toml"), "thank_you_secs = 2\n").unwrap();
    let error = hailong::config::Config::load(&dir.path().join("hailong.toml")).unwrap_err();
    let said = error.describe(hailong::survey::Locale::Vi);
    assert!(
        said.contains("thank_you_secs") && said.contains("từ 5 đến 300"),
        "{said}"
    );
}

/// The filled share of the progress bar.
fn filled(h: &Harness) -> f32 {
    let bar = h.bounds_of_id(PROGRESS_BAR).expect("a progress bar");
    let done = h.bounds_of_id(PROGRESS_DONE).map_or(0.0, |b| b.width);
    done / bar.width
}

#[test]
fn the_progress_bar_fills_question_by_question() {
    let mut h = Harness::new();
    h.tap("Bắt đầu đánh giá");
    let close = |a: f32, b: f32| (a - b).abs() < 0.01;
    assert!(close(filled(&h), 1.0 / 7.0), "{}", filled(&h));
    h.tap("Hài lòng");
    assert!(close(filled(&h), 2.0 / 7.0), "{}", filled(&h));
    // The reasons belong to their question: the bar does not move.
    h.tap("Rất không hài lòng");
    assert!(h.shows(WHY_VI));
    assert!(close(filled(&h), 2.0 / 7.0), "{}", filled(&h));
    h.taps(&["Tiếp tục", "Hài lòng", "Hài lòng", "Hài lòng", G2_VI_5]);
    assert!(h.shows("Câu 7/7"));
    assert!(close(filled(&h), 1.0), "{}", filled(&h));
}

const PHONE_VI: &str = "Trả lời trên điện thoại";

/// Issue 27 §3.1: with `phone_code`, the welcome screen shows "Trả lời trên điện thoại" and a
/// QR code holding the kiosk's link for this 30 s window — the one the centre checks — beside
/// the start button (below it on a tall screen), and a new one when the window turns.
#[test]
fn the_welcome_screen_shows_the_phone_code_and_it_changes_every_thirty_seconds() {
    let config = "[centre]\nurl = \"https://ttyt.example.vn\"\ntoken = \"kiosk-token\"\nphone_code = true\n";
    let mut h = Harness::with(config, &[]);
    // Not before the centre knows the kiosk (its first response received): until then a
    // scanned code would only be "not recognised".
    assert!(!h.shows(PHONE_VI));
    finish(&mut h);
    let ids: Vec<_> = h.stored().iter().map(|r| r.response.id).collect();
    h.kiosk.store().lock().unwrap().mark_synced(&ids).unwrap();
    let synced = h.kiosk.setup().clock.utc();
    h.send(Message::Sync(SyncEvent::Synced(synced)));
    h.idle_for(25);
    assert!(matches!(h.kiosk.screen(), Screen::Welcome(_)));
    assert!(h.shows(PHONE_VI));
    let kiosk_id = h.kiosk.store().lock().unwrap().kiosk_id().to_string();
    let key = hailong::phone::key_of_token("kiosk-token");
    let at = h.kiosk.setup().clock.utc();
    let link = h.kiosk.phone_link().expect("a link").to_string();
    assert_eq!(
        link,
        hailong::phone::link("https://ttyt.example.vn", &key, &kiosk_id, "kiosk-nhanh", at)
    );
    let code = link.rsplit('/').next().unwrap();
    assert!(hailong::phone::check(&key, &kiosk_id, "kiosk-nhanh", code, at).is_ok());
    assert!(h.kiosk.phone_qr().is_some());
    assert!(
        h.kiosk.shows_phone_code() && !h.kiosk.needs_ticks(),
        "the code must change while the welcome screen waits (on the slow tick)"
    );

    // Half a minute on, the code is another.
    h.kiosk.setup().clock.advance(std::time::Duration::from_secs(30));
    let tick = h.now();
    h.send(Message::Tick(tick));
    let later = h.kiosk.phone_link().unwrap().to_string();
    assert_ne!(later, link);
    assert_eq!(
        later,
        hailong::phone::link(
            "https://ttyt.example.vn",
            &key,
            &kiosk_id,
            "kiosk-nhanh",
            h.kiosk.setup().clock.utc()
        )
    );

    // Beside the start button on a wide screen, below it on a tall one; never over it.
    for (size, beside) in [(LANDSCAPE, true), (PORTRAIT, false), (Size::new(1280.0, 800.0), true)] {
        h.resize(size);
        let phone = h.bounds(PHONE_VI);
        let start = h.bounds("Bắt đầu đánh giá");
        let english = h.bounds("English");
        assert!(!phone.intersects(&start) && !phone.intersects(&english), "{size:?}");
        if beside {
            assert!(phone.x > start.x + start.width, "{size:?}: {phone:?} {start:?}");
        } else {
            assert!(phone.y > english.y, "{size:?}: {phone:?} {english:?}");
        }
        let how = h.bounds("Quét mã bằng máy ảnh điện thoại. Mã đổi sau mỗi 30 giây.");
        assert!(
            how.y + how.height <= size.height && english.y + english.height <= size.height,
            "{size:?}"
        );
    }

    // Without the setting (or without a centre), nothing shows and the screen sleeps.
    for config in [
        "[centre]\nurl = \"https://ttyt.example.vn\"\ntoken = \"t\"\n",
        "[centre]\nphone_code = true\n",
    ] {
        let mut h = Harness::with(config, &[]);
        finish(&mut h);
        let ids: Vec<_> = h.stored().iter().map(|r| r.response.id).collect();
        h.kiosk.store().lock().unwrap().mark_synced(&ids).unwrap();
        h.send(Message::Sync(SyncEvent::Synced(synced)));
        h.idle_for(25);
        assert!(matches!(h.kiosk.screen(), Screen::Welcome(_)));
        assert!(!h.shows(PHONE_VI), "{config}");
        assert!(h.kiosk.phone_link().is_none());
        assert!(!h.kiosk.shows_phone_code() && !h.kiosk.needs_ticks());
    }
}
