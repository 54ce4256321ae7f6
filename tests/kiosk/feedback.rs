//! The feedback box on the kiosk ("Góp ý / Phản ánh"): a patient sends a concern on the
//! on-screen keyboard, leaves a phone number with their consent, gets a receipt code; the note
//! is stored on the kiosk, synced to a real centre on 127.0.0.1 as an item of the facility's
//! feedback box, and followed by its code on the kiosk once the centre has answered.

use hailong::feedback::note::StoredNote;
use hailong::feedback::{Action, Channel, Kind, ReceiptCode, State};
use hailong::kiosk::app::Screen;
use hailong::kiosk::screen::feedback::Step;

use super::harness::Harness;
use super::type_on_keys;

const FACILITY: &str = "TTYT Đan Phượng";

fn receipt_code(h: &Harness) -> ReceiptCode {
    match h.kiosk.screen() {
        Screen::Feedback(f) => match f.step() {
            Step::Receipt { code, .. } => code.clone(),
            other => panic!("not the receipt: {other:?}"),
        },
        _ => panic!("not the feedback box"),
    }
}

fn stored_note(h: &Harness, code: &ReceiptCode) -> Option<(StoredNote, bool)> {
    h.kiosk.store().lock().unwrap().note_by_code(code).unwrap()
}

fn sync(h: &Harness) {
    let setup = h.kiosk.setup().clone();
    let target = hailong::sync::client::Target::from_config(&setup.config.centre);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let http = hailong::sync::client::http_client(&target).unwrap();
    rt.block_on(hailong::sync::client::sync_once(&setup.store, &http, &target))
        .unwrap();
}

/// Opens the follow-up screen from the welcome screen and looks `code` up.
fn follow(h: &mut Harness, code: &str) {
    h.tap("Góp ý / Phản ánh");
    h.tap("Tra cứu góp ý đã gửi");
    h.type_usb(code);
    h.tap("Tra cứu");
}

#[test]
fn a_patient_sends_a_concern_from_the_kiosk_and_follows_it_to_the_centres_answer() {
    let dir = tempfile::tempdir().unwrap();
    let centre = super::server::Server::start(&dir.path().join("centre.sqlite3"));
    let token = centre.enrol(FACILITY);
    let mut h = Harness::with(
        &format!(
            "departments = [\"Khoa Khám bệnh\", \"Khoa Nhi\"]\n[centre]\nurl = \"{}\"\ntoken = \"{token}\"\n",
            centre.url()
        ),
        &[],
    );
    h.tap("Góp ý / Phản ánh");
    assert!(h.shows("Ông/Bà muốn gửi điều gì?"));
    h.snapshot("feedback-kind-vi-landscape");
    h.tap("Phản ánh, kiến nghị");
    assert!(h.shows("Ý kiến về khoa/phòng nào?"));
    h.tap("Khoa Nhi");
    // Nothing typed: no way on but Back.
    assert!(!h.shows("Tiếp tục"));
    type_on_keys(&mut h, "Chữ hoa", "Dấu cách", "Phongf chowf thieeus ghees");
    assert!(h.shows("Phòng chờ thiếu ghế"));
    h.tap("Tiếp tục");
    h.tap("Có, để lại số điện thoại hoặc e-mail");
    for digit in "0912345678".chars() {
        h.tap_key(&digit.to_string());
    }
    // A valid number is not enough: the patient must agree to be contacted.
    assert!(!h.shows("Gửi") && h.shows("Chạm để đồng ý"));
    h.tap("Tôi đồng ý để trung tâm liên lạc với tôi qua số điện thoại hoặc e-mail này về ý kiến này");
    assert!(h.shows("Đã đồng ý"), "the consent says it is given, in words");
    h.snapshot("feedback-contact-vi-landscape");
    h.tap("Gửi");
    assert!(h.shows("Cảm ơn Ông/Bà đã gửi ý kiến"));
    let code = receipt_code(&h);
    assert!(h.shows(&code.to_string()), "the code is on screen in large type");
    h.screenshot("kiosk-feedback-receipt-vi");
    assert!(h.kiosk.pending_notes().is_empty(), "saved at once");

    // On the kiosk's disk before anything else, chained, waiting for the centre.
    let (stored, synced) = stored_note(&h, &code).expect("the note is stored");
    assert!(!synced);
    assert_eq!(stored.seq, 1);
    assert!(stored.hash_holds());
    let note = &stored.note;
    assert_eq!(note.kind, Kind::Reflection);
    assert_eq!(note.department.as_deref(), Some("Khoa Nhi"));
    assert_eq!(note.text, "Phòng chờ thiếu ghế");
    assert_eq!(note.contact.phone.as_deref(), Some("0912345678"));
    h.tap("Hoàn tất");
    assert!(h.shows("Bắt đầu đánh giá"));

    // Followed before the kiosk has sent it: the kiosk says it is waiting to be sent.
    follow(&mut h, &code.to_string());
    assert!(h.shows("Ý kiến này đã được lưu trên máy và sẽ được gửi về trung tâm khi có kết nối."));
    h.tap("Hoàn tất");

    // The sync round ships it; the centre holds it as an item of the kiosk's facility.
    sync(&h);
    assert!(stored_note(&h, &code).unwrap().1, "marked as sent");
    let id = centre
        .centre
        .feedback
        .item_by_code(&code)
        .unwrap()
        .expect("the centre holds it");
    assert_eq!(id, note.id, "the kiosk's id: sending again is a duplicate");
    let mut item = hailong::centre::feedback::load(centre.centre.feedback.as_ref(), id)
        .unwrap()
        .unwrap();
    assert_eq!(item.submission.channel, Channel::Kiosk);
    assert_eq!(item.submission.facility, FACILITY);
    assert_eq!(item.submission.text, "Phòng chờ thiếu ghế");
    assert_eq!(item.department.as_deref(), Some("Khoa Nhi"));
    assert_eq!(item.submission.contact.phone.as_deref(), Some("0912345678"));
    assert!(item.due.is_some(), "a reflection has a deadline");
    assert_eq!(item.state, State::New);

    // Followed now: the centre's state.
    follow(&mut h, &code.as_str().to_lowercase());
    assert!(h.shows("Tình trạng: Mới"), "the centre's state is shown");
    h.tap("Hoàn tất");

    // The centre answers and publishes; the kiosk shows the published answer.
    let now = chrono::Utc::now();
    let published = "Khoa Nhi đã bổ sung 10 ghế ở phòng chờ.";
    for (who, action) in [
        (
            "qlcl",
            Action::Classify {
                kind: Kind::Reflection,
                urgent: false,
                due: item.due,
            },
        ),
        (
            "qlcl",
            Action::Assign {
                department: "Khoa Nhi".into(),
                assignee: None,
                due: None,
            },
        ),
        (
            "nhi",
            Action::Draft {
                reply: "Khoa đã bổ sung ghế.".into(),
            },
        ),
        ("giamdoc", Action::Approve),
        ("giamdoc", Action::Publish { text: published.into() }),
    ] {
        item.act(now, who, action).unwrap();
        centre.centre.feedback.append(&item).unwrap();
    }
    follow(&mut h, &code.to_string());
    assert!(h.shows("Tình trạng: Đã trả lời"));
    assert!(h.shows(published));
    assert!(
        !h.shows("Phòng chờ thiếu ghế"),
        "the patient's own words are not shown back"
    );

    // A code nobody holds.
    h.tap("Tra mã khác");
    h.type_usb("2345-6789");
    h.tap("Tra cứu");
    assert!(h.shows("Không tìm thấy mã này. Xin kiểm tra lại các chữ và số."));

    // A second round sends nothing again; the centre holds one item.
    sync(&h);
    let all = centre
        .centre
        .feedback
        .item_logs(&hailong::centre::feedback::ItemFilter::default())
        .unwrap();
    assert_eq!(all.len(), 1);
}

#[test]
fn feedback_sent_anonymously_without_a_centre_is_kept_and_the_flow_never_stalls() {
    let mut h = Harness::with("", &[]);
    h.tap("Góp ý / Phản ánh");
    // No departments configured: straight to the text.
    h.tap("Khen ngợi");
    assert!(h.shows("Xin mời Ông/Bà viết ý kiến"));
    h.type_usb("Bac si tan tinh");
    h.press_named(iced::keyboard::key::Named::Enter);
    h.tap("Không, gửi không để lại liên lạc");
    let code = receipt_code(&h);
    let (stored, _) = stored_note(&h, &code).unwrap();
    assert_eq!(stored.note.kind, Kind::Praise);
    assert!(stored.note.contact.is_empty());
    assert_eq!(stored.note.department, None);
    // The receipt goes by itself after a while; a kiosk without a centre says it cannot ask.
    h.idle_for(hailong::kiosk::screen::feedback::RECEIPT_SHOWN.as_secs());
    assert!(h.shows("Bắt đầu đánh giá"));
    follow(&mut h, "2345-6789");
    assert!(h.shows("Chưa liên lạc được với trung tâm. Xin thử lại sau, hoặc quét mã QR trên phiếu bằng điện thoại."));
    // A patient who walks away half-way leaves nothing behind.
    h.tap("Hoàn tất");
    h.tap("Góp ý / Phản ánh");
    h.tap("Góp ý");
    h.type_usb("Nha ve sinh");
    h.idle_for(u64::from(h.kiosk.config().idle_timeout_secs.0));
    assert!(h.shows("Bắt đầu đánh giá"));
    assert_eq!(h.kiosk.store().lock().unwrap().notes_waiting().unwrap(), 1);
}

#[test]
fn the_feedback_box_speaks_english() {
    let mut h = Harness::with("", &[]);
    h.tap("English");
    h.tap("Feedback / Concerns");
    assert!(h.shows("What would you like to send?"));
    h.tap("Suggestion");
    assert!(h.shows("Please write what you would like to say"));
    h.snapshot("feedback-text-en-landscape");
}
