//! The keyboards (issue 13 §3): the mode keys show the mode on, caps lock, and a USB keyboard
//! on the PIN pad and the comment screen.

use hailong::kiosk::app::Screen;
use hailong::kiosk::screen::MODE_ON;
use hailong::kiosk::staff::pin;
use iced::keyboard::key::Named;

use super::harness::Harness;

const G2_VI_5: &str = "Chắc chắn sẽ quay lại hoặc giới thiệu cho người khác";

/// A kiosk on its comment screen (H2 of kiosk-nhanh).
fn at_comment() -> Harness {
    let mut h = Harness::new();
    h.tap("Bắt đầu đánh giá");
    h.taps(&["Hài lòng", "Hài lòng", "Hài lòng", "Hài lòng", "Hài lòng", G2_VI_5]);
    assert!(h.shows("Câu 7/7"));
    h
}

/// Whether the highlighted mode key is the one labelled `label`.
fn mode_on_is(h: &Harness, label: &str) -> bool {
    let on = h.bounds_of_id(MODE_ON).expect("one mode key is highlighted");
    let key = h.bounds(label);
    on.contains(key.center())
}

/// An English-speaking patient's keyboard starts without accents (it started in Telex, so "see"
/// came out as "sê"); a Vietnamese one's with Telex (above).
#[test]
fn an_english_speaking_patient_types_without_accents_first() {
    let mut h = Harness::new();
    h.tap("English");
    h.tap("Start");
    h.taps(&[
        "Satisfied",
        "Satisfied",
        "Satisfied",
        "Satisfied",
        "Satisfied",
        "I may come back",
    ]);
    assert!(mode_on_is(&h, "No accents"));
    assert!(!mode_on_is(&h, "Vietnamese accents"));
    assert!(h.shows("Typing without accents"));
    for key in ["s", "e", "e"] {
        h.tap_key(key);
    }
    assert!(h.shows("see"), "typed without accents");
    h.tap("Vietnamese accents");
    assert!(mode_on_is(&h, "Vietnamese accents"));
}

#[test]
fn the_mode_keys_show_which_mode_is_on() {
    let mut h = at_comment();
    // Both modes are named; the one on is highlighted and the hint line says it too.
    assert!(mode_on_is(&h, "Gõ có dấu"));
    assert!(!mode_on_is(&h, "Gõ không dấu"));
    h.tap_key("a");
    h.tap_key("a");
    assert!(h.shows("â"), "Telex is on");
    h.tap("Gõ không dấu");
    assert!(mode_on_is(&h, "Gõ không dấu") && !mode_on_is(&h, "Gõ có dấu"));
    assert!(h.shows("Đang gõ không dấu"));
    // The hint line is clear of the keys, at every size.
    for size in [
        super::harness::LANDSCAPE,
        super::harness::PORTRAIT,
        iced::Size::new(1280.0, 800.0),
    ] {
        h.resize(size);
        let hint = h.bounds("Đang gõ không dấu");
        let keys = h.bounds("1");
        assert!(
            hint.y + hint.height <= keys.y,
            "{size:?}: the hint line is under the keys"
        );
    }
    h.resize(super::harness::LANDSCAPE);
    // A second tap on the mode that is on keeps it (it is not a toggle that flips back).
    h.tap("Gõ không dấu");
    assert!(mode_on_is(&h, "Gõ không dấu"));
    h.tap_key("a");
    h.tap_key("a");
    assert!(h.shows("âaa"), "plain letters after the switch");
}

#[test]
fn caps_lock_types_ttyt_in_five_presses() {
    let mut h = at_comment();
    h.tap("Giữ chữ hoa");
    for k in ["T", "T", "Y", "T"] {
        h.tap_key(k);
    }
    assert!(h.shows("TTYT"), "one caps-lock press and four letters");
    // Off again: small letters.
    h.tap("Giữ chữ hoa");
    h.tap("Dấu cách");
    h.tap_key("b");
    h.tap_key("a");
    assert!(h.shows("TTYT ba"));
    // Shift still capitalises one letter.
    h.tap("Dấu cách");
    h.tap("Chữ hoa");
    for k in ["V", "i", "f"] {
        h.tap_key(k);
    }
    assert!(h.shows("TTYT ba Vì"));
}

#[test]
fn a_usb_keyboard_types_a_comment_and_enter_sends_it() {
    let mut h = at_comment();
    h.type_usb("Camr own bacs six!");
    h.press_named(Named::Backspace);
    assert!(h.shows("Cảm ơn bác sĩ"));
    h.press_named(Named::Enter);
    assert!(matches!(h.kiosk.screen(), Screen::Thanks(_)));
    assert_eq!(
        h.stored()[0].response.answers["H2"],
        hailong::survey::Answer::Text("Cảm ơn bác sĩ".into())
    );
}

#[test]
fn a_usb_keyboard_types_the_staff_pin() {
    let hash = pin::hash_pin("246813").unwrap();
    let mut h = Harness::with(&format!("staff_pin_hash = \"{hash}\"\n"), &[]);
    for _ in 0..5 {
        h.send(hailong::kiosk::app::Message::Welcome(
            hailong::kiosk::screen::welcome::Message::CornerTap,
        ));
    }
    assert!(h.shows("Chế độ nhân viên"));
    h.type_usb("2468139");
    assert!(h.shows("●  ●  ●  ●  ●  ●  ●"));
    h.press_named(Named::Backspace);
    h.press_named(Named::Enter);
    assert!(
        matches!(h.kiosk.screen(), Screen::Staff(_)),
        "the PIN typed on the keyboard opens staff mode"
    );

    // Escape leaves the pad.
    let mut h = Harness::with(
        &format!("staff_pin_hash = \"{}\"\n", pin::hash_pin("246813").unwrap()),
        &[],
    );
    for _ in 0..5 {
        h.send(hailong::kiosk::app::Message::Welcome(
            hailong::kiosk::screen::welcome::Message::CornerTap,
        ));
    }
    h.type_usb("12");
    h.press_named(Named::Escape);
    assert!(h.shows("Bắt đầu đánh giá"));
}

#[test]
fn keys_held_with_ctrl_or_taken_by_a_text_field_are_not_typed() {
    use iced::keyboard::{Event, Key, Location, Modifiers, key};
    let press = |modifiers| {
        iced::Event::Keyboard(Event::KeyPressed {
            key: Key::Character("c".into()),
            modified_key: Key::Character("c".into()),
            physical_key: key::Physical::Code(key::Code::KeyC),
            location: Location::Standard,
            modifiers,
            text: Some("c".into()),
            repeat: false,
        })
    };
    let id = iced::window::Id::unique();
    use iced::event::Status;
    assert!(hailong::kiosk::hard_key(press(Modifiers::empty()), Status::Ignored, id).is_some());
    assert!(hailong::kiosk::hard_key(press(Modifiers::CTRL), Status::Ignored, id).is_none());
    assert!(hailong::kiosk::hard_key(press(Modifiers::empty()), Status::Captured, id).is_none());
}

#[test]
fn caps_lock_keeps_telex_composing_and_shift_under_it_gives_one_small_letter() {
    use hailong::kiosk::typing::Composer;
    let mut c = Composer::new(100);
    c.toggle_caps();
    for k in "khoa khams beenhj".chars() {
        if k == ' ' { c.space() } else { c.key(k) }
    }
    assert_eq!(c.text(), "KHOA KHÁM BỆNH");
    c.space();
    c.toggle_shift();
    c.key('x');
    c.key('y');
    assert_eq!(c.text(), "KHOA KHÁM BỆNH xY");
}

/// The Settings page's new-PIN pad takes a USB keyboard like the other PIN pads: digits,
/// Backspace, Enter for "next", Escape to cancel.
#[test]
fn a_usb_keyboard_types_the_new_pin_in_settings() {
    let hash = pin::hash_pin("246813").unwrap();
    let mut h = Harness::with(&format!("staff_pin_hash = \"{hash}\"\n"), &[]);
    for _ in 0..5 {
        h.send(hailong::kiosk::app::Message::Welcome(
            hailong::kiosk::screen::welcome::Message::CornerTap,
        ));
    }
    h.type_usb("246813");
    h.press_named(Named::Enter);
    assert!(matches!(h.kiosk.screen(), Screen::Staff(_)));
    h.tap("Cài đặt");
    h.tap("Đổi mã PIN");
    h.type_usb("1357900");
    h.press_named(Named::Backspace);
    assert!(h.shows("●  ●  ●  ●  ●  ●  "));
    h.press_named(Named::Enter);
    assert!(h.shows("Nhập lại mã PIN mới"));
    h.type_usb("135790");
    h.press_named(Named::Enter);
    assert!(h.shows("Đã lưu. Cài đặt mới có hiệu lực ngay."));
    let config = hailong::config::Config::load(&h.dir().join("hailong.toml")).unwrap();
    assert!(pin::verify_pin(&config.staff_pin_hash, "135790"));
    // Escape leaves the pad without a change.
    h.tap("Đổi mã PIN");
    h.type_usb("12");
    h.press_named(Named::Escape);
    assert!(h.shows("Lưu cài đặt"));
}
