//! The patient kiosk, driven headless by tapping the texts a patient sees.

mod feedback;
mod harness;
mod patient;
#[path = "../support/server.rs"]
mod server;
mod staff;
mod typing;

use std::collections::BTreeMap;

use hailong::kiosk::app::{Effect, Message, Screen};
use hailong::kiosk::problem::StoreProblem;
use hailong::kiosk::saver::SaveOutcome;
use hailong::report;
use hailong::report::period::Period;
use hailong::survey::{Answer, Locale, ScoringOptions, Status};
use harness::{Harness, LANDSCAPE, PORTRAIT};

const G2_VI_5: &str = "Chắc chắn sẽ quay lại hoặc giới thiệu cho người khác";
const G2_EN_4: &str = "I may come back";

fn scale(v: u8) -> Answer {
    Answer::Scale(v)
}

fn choice(code: &str) -> Answer {
    Answer::Choice {
        option: code.into(),
        other: None,
    }
}

fn answers(pairs: &[(&str, Answer)]) -> BTreeMap<String, Answer> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

/// Types on the on-screen keys: capitals through the shift key, spaces on the space bar.
fn type_on_keys(h: &mut Harness, shift: &str, space: &str, keys: &str) {
    for c in keys.chars() {
        if c == ' ' {
            h.tap(space);
        } else if c.is_uppercase() {
            h.tap(shift);
            h.tap(&c.to_string());
        } else {
            h.tap(&c.to_string());
        }
    }
}

#[test]
fn a_patient_completes_the_quick_form_in_vietnamese_and_exactly_that_response_is_stored() {
    let mut h = Harness::new();
    h.tap("Bắt đầu đánh giá");
    assert!(h.shows("Câu 1/7"));
    h.taps(&["Hài lòng", "Bình thường"]);
    // Back changes the answer to B7.
    h.tap("Quay lại");
    assert!(h.shows("Câu 2/7"));
    h.taps(&["Rất hài lòng", "Không sử dụng", "Rất hài lòng", "Hài lòng", G2_VI_5]);
    assert!(h.shows("Câu 7/7"));
    type_on_keys(&mut h, "Chữ hoa", "Dấu cách", "Camr own bacs six");
    assert!(h.shows("Cảm ơn bác sĩ"));
    h.tap("Gửi");
    assert!(h.shows("Xin chân thành cảm ơn Ông/Bà!"));

    let stored = h.stored();
    assert_eq!(stored.len(), 1, "exactly one response");
    let r = &stored[0].response;
    assert_eq!(r.status, Status::Complete);
    // How it came and where: the kiosk, at its point (its name, none being set), chained.
    assert_eq!(r.channel, Some(hailong::survey::Channel::Kiosk));
    assert_eq!(r.point.as_deref(), Some(h.kiosk.setup().config.kiosk_name.as_str()));
    assert_eq!(r.locale, Locale::Vi);
    assert!(!r.rapid_repeat);
    assert_eq!(
        r.answers,
        answers(&[
            ("A2", scale(4)),
            ("B7", scale(5)),
            ("C6", scale(0)),
            ("D1", scale(5)),
            ("E1", scale(4)),
            ("G2", choice("5")),
            ("H2", Answer::Text("Cảm ơn bác sĩ".into())),
        ])
    );
    assert!(h.kiosk.pending().is_empty());
}

#[test]
fn a_patient_completes_the_quick_form_in_english_and_skips_the_comment() {
    let mut h = Harness::new();
    h.tap("English");
    h.tap("Start");
    assert!(h.shows("Question 1/7"));
    h.taps(&[
        "Very satisfied",
        "Satisfied",
        "Neutral",
        "Satisfied",
        "Very satisfied",
        G2_EN_4,
    ]);
    h.tap("Skip");
    assert!(h.shows("Thank you very much!"));
    let stored = h.stored();
    assert_eq!(stored.len(), 1);
    let r = &stored[0].response;
    assert_eq!(r.locale, Locale::En);
    assert_eq!(
        r.answers,
        answers(&[
            ("A2", scale(5)),
            ("B7", scale(4)),
            ("C6", scale(3)),
            ("D1", scale(4)),
            ("E1", scale(5)),
            ("G2", choice("4")),
        ])
    );
    // The next patient starts in Vietnamese again.
    h.tap("Done");
    assert!(h.shows("Bắt đầu đánh giá"));
}

#[test]
fn a_low_rating_asks_why_and_stores_the_reasons_under_their_own_code() {
    let mut h = Harness::new();
    h.tap("Bắt đầu đánh giá");
    h.tap("Rất không hài lòng");
    assert!(h.shows("Vì sao Ông/Bà chưa hài lòng?"));
    h.taps(&["Thời gian chờ đợi", "Chi phí", "Vệ sinh, sạch sẽ", "Vệ sinh, sạch sẽ"]);
    h.tap("Tiếp tục");
    assert!(h.shows("Câu 2/7"));
    // A good rating does not ask.
    h.tap("Rất hài lòng");
    assert!(h.shows("Câu 3/7"));
    h.taps(&["Hài lòng", "Hài lòng", "Hài lòng", G2_VI_5, "Bỏ qua"]);
    let r = &h.stored()[0].response;
    assert_eq!(r.answers["A2"], scale(1));
    assert_eq!(r.answers["A2.why"], Answer::Reasons(vec!["cost".into(), "wait".into()]));
    assert!(!r.answers.contains_key("B7.why"));
}

#[test]
fn a_double_tap_on_a_face_answers_one_question_not_two() {
    use std::time::Duration;
    let mut h = Harness::new();
    h.tap("Bắt đầu đánh giá");
    h.tap("Hài lòng");
    assert!(h.shows("Câu 2/7"));
    assert!(
        h.shows("Đã ghi nhận, xin cảm ơn"),
        "the neutral confirmation still shows"
    );
    // The finger comes down again on the same spot 150 ms later: the next question appeared
    // under it, and it stays unanswered.
    h.tap_after(Duration::from_millis(150), "Hài lòng");
    assert!(
        h.shows("Câu 2/7"),
        "the second tap of a double tap answered the next question"
    );
    // A tap that lands as the question appears (40 ms) is not an answer either.
    h.tap_after(Duration::from_millis(40), "Rất không hài lòng");
    assert!(h.shows("Câu 2/7"));
    assert!(!h.shows("Vì sao Ông/Bà chưa hài lòng?"));
    // Once the question has been up for the guard time, a tap answers it.
    h.tap_after(Duration::from_millis(400), "Rất hài lòng");
    assert!(h.shows("Câu 3/7"));
    h.taps(&["Hài lòng", "Hài lòng", "Hài lòng", G2_VI_5, "Bỏ qua"]);
    let r = &h.stored()[0].response;
    assert_eq!(r.answers["A2"], scale(4));
    assert_eq!(
        r.answers["B7"],
        scale(5),
        "B7 is the deliberate tap, not the double tap"
    );
}

#[test]
fn a_double_tap_on_start_does_not_answer_the_first_question() {
    let mut h = Harness::new();
    h.tap("Bắt đầu đánh giá");
    h.tap_after(std::time::Duration::from_millis(120), "Hài lòng");
    assert!(h.shows("Câu 1/7"));
    h.tap("Hài lòng");
    assert!(h.shows("Câu 2/7"));
}

#[test]
fn nothing_on_screen_shows_which_face_was_tapped() {
    let mut h = Harness::new();
    h.tap("Bắt đầu đánh giá");
    h.tap("Rất hài lòng");
    h.idle_for(2); // the neutral "noted" confirmation has faded
    h.tap("Quay lại");
    // Back on the first question: the same screen as before any tap.
    let mut fresh = Harness::new();
    fresh.tap("Bắt đầu đánh giá");
    fresh.idle_for(2);
    assert!(h.shows("Câu 1/7") && fresh.shows("Câu 1/7"));
    h.snapshot("a2-after-back");
    fresh.snapshot("a2-after-back");
}

#[test]
fn walking_away_saves_a_partial_response_and_leaves_no_trace_on_screen() {
    let mut h = Harness::new();
    h.tap("Bắt đầu đánh giá");
    h.taps(&["Hài lòng", "Rất không hài lòng"]);
    assert!(h.shows("Vì sao Ông/Bà chưa hài lòng?"));
    h.idle_for(30);
    assert!(!h.shows("Ông/Bà còn đó không?"), "not before the 45 s timeout");
    h.idle_for(46);
    assert!(h.shows("Ông/Bà còn đó không?"));
    assert!(
        !h.shows("Vì sao Ông/Bà chưa hài lòng?"),
        "the question is hidden while asking"
    );
    h.idle_for(50);
    assert!(h.stored().is_empty(), "still waiting for an answer");
    h.idle_for(57);
    assert!(h.shows("Bắt đầu đánh giá"));
    let stored = h.stored();
    assert_eq!(stored.len(), 1);
    let r = &stored[0].response;
    assert_eq!(r.status, Status::Partial);
    assert_eq!(r.answers, answers(&[("A2", scale(4)), ("B7", scale(1))]));
    // The next patient starts from nothing.
    h.tap("Bắt đầu đánh giá");
    assert!(h.shows("Câu 1/7"));
    let Screen::Survey(session) = h.kiosk.screen() else {
        panic!("survey expected")
    };
    assert!(session.response().answers.is_empty());
}

#[test]
fn a_touch_while_asking_keeps_the_session_and_an_untouched_start_saves_nothing() {
    let mut h = Harness::new();
    h.tap("Bắt đầu đánh giá");
    h.tap("Hài lòng");
    h.idle_for(46);
    h.tap("Tôi vẫn ở đây");
    assert!(h.shows("Câu 2/7"));
    h.idle_for(44);
    assert!(h.shows("Câu 2/7"), "the timeout counts from the last touch");

    let mut idle = Harness::new();
    idle.tap("Bắt đầu đánh giá");
    idle.idle_for(46);
    idle.idle_for(57);
    assert!(idle.shows("Bắt đầu đánh giá"));
    assert!(idle.stored().is_empty(), "no answer, nothing to save");
}

#[test]
fn the_thank_you_screen_returns_to_welcome_by_itself() {
    let mut h = Harness::new();
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
    // `thank_you_secs`, 20 s by default (it was 8 s, too short to scan the QR code).
    h.idle_for(21);
    assert!(matches!(h.kiosk.screen(), Screen::Welcome(_)));
}

#[test]
fn an_identical_response_seconds_later_is_stored_but_flagged_and_left_out_of_the_figures() {
    let mut h = Harness::new();
    let run = |h: &mut Harness| {
        h.tap("Bắt đầu đánh giá");
        h.taps(&[
            "Hài lòng",
            "Hài lòng",
            "Hài lòng",
            "Hài lòng",
            "Hài lòng",
            G2_VI_5,
            "Bỏ qua",
            "Hoàn tất",
        ]);
    };
    run(&mut h);
    run(&mut h);
    // A different response is not a repeat.
    h.tap("Bắt đầu đánh giá");
    h.taps(&[
        "Rất hài lòng",
        "Hài lòng",
        "Hài lòng",
        "Hài lòng",
        "Hài lòng",
        G2_VI_5,
        "Bỏ qua",
    ]);
    let stored = h.stored();
    let flags: Vec<bool> = stored.iter().map(|r| r.response.rapid_repeat).collect();
    assert_eq!(flags, [false, true, false]);

    let store = h.kiosk.store().lock().unwrap();
    let filter = report::filter(&Period::all(), None, None);
    let summary = report::summary(&*store, &filter, &ScoringOptions::default()).unwrap();
    assert_eq!(summary.responses, 2);
    assert_eq!(summary.rapid_repeat_responses, 1);
}

#[test]
fn a_failed_save_shows_a_staff_banner_thanks_the_patient_and_is_retried() {
    let mut h = Harness::new();
    h.hold_saves = true;
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
    assert_eq!(
        h.held.len(),
        1,
        "the finished response is handed to a save task at once"
    );
    h.held.clear();
    // The disk refused it: SQLite's SQLITE_FULL, "database or disk is full".
    let full = hailong::store::Error::Sqlite(rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
        Some("database or disk is full".into()),
    ));
    h.send(Message::Saved(SaveOutcome {
        saved: vec![],
        error: Some(StoreProblem::of(&full)),
    }));
    assert!(h.shows("Xin chân thành cảm ơn Ông/Bà!"), "the patient is still thanked");
    // In the staff's language, not SQLite's English.
    assert!(h.shows("Chưa lưu được 1 phiếu, đang thử lại: ổ đĩa đã đầy"));
    assert_eq!(h.kiosk.pending().len(), 1);
    // Five seconds later it is tried again, and this time the disk takes it.
    h.hold_saves = false;
    h.idle_for(6);
    assert!(h.kiosk.pending().is_empty());
    assert_eq!(h.stored().len(), 1);
    assert!(!h.shows("Chưa lưu được 1 phiếu, đang thử lại: ổ đĩa đã đầy"));
}

#[test]
fn the_department_is_asked_only_when_several_are_configured() {
    let mut h = Harness::with("departments = [\"Khoa Khám bệnh\", \"Khoa Nhi\"]\n", &[]);
    h.tap("Bắt đầu đánh giá");
    assert!(h.shows("Ông/Bà vừa sử dụng dịch vụ ở khoa/phòng nào?"));
    h.tap("Khoa Nhi");
    assert!(h.shows("Câu 1/7"));
    h.tap("Quay lại");
    h.tap("Khoa Khám bệnh");
    h.taps(&[
        "Hài lòng",
        "Hài lòng",
        "Hài lòng",
        "Hài lòng",
        "Hài lòng",
        G2_VI_5,
        "Bỏ qua",
    ]);
    assert_eq!(h.stored()[0].response.department.as_deref(), Some("Khoa Khám bệnh"));

    let mut one = Harness::with("departments = [\"Khoa Nhi\"]\n", &[]);
    one.tap("Bắt đầu đánh giá");
    assert!(one.shows("Câu 1/7"));
    one.taps(&[
        "Hài lòng",
        "Hài lòng",
        "Hài lòng",
        "Hài lòng",
        "Hài lòng",
        G2_VI_5,
        "Bỏ qua",
    ]);
    assert_eq!(one.stored()[0].response.department.as_deref(), Some("Khoa Nhi"));
}

const TEST_FORM: &str = r#"
id = "thu-nghiem"
version = 1
title = { vi = "Phiếu thử", en = "Test form" }

[[sections]]
code = "G"
title = { vi = "Đánh giá chung", en = "Overall" }

[[sections.items]]
code = "G1"
kind = "percent"
over_100 = true
text = { vi = "Đánh giá mức độ đáp ứng so với mong đợi", en = "How far did we meet your expectations?" }

[[sections.items]]
code = "G2"
kind = "choice"
text = { vi = "Ông/Bà có quay lại không?", en = "Would you come back?" }
options = [
  { code = "5", vi = "Có", en = "Yes" },
  { code = "6", vi = "Khác (ghi rõ)", en = "Other (please specify)", other = true },
]
"#;

#[test]
fn percent_buttons_and_an_other_option_with_typed_words() {
    let mut h = Harness::with("questionnaire = \"thu-nghiem\"\n", &[("thu-nghiem.toml", TEST_FORM)]);
    h.tap("Bắt đầu đánh giá");
    h.tap("Trên 100 %");
    h.tap("Quay lại");
    h.tap("80 %");
    h.tap("Khác (ghi rõ)");
    assert!(h.shows("Xin ghi rõ (không bắt buộc)"));
    type_on_keys(&mut h, "Chữ hoa", "Dấu cách", "gaanf nhaf");
    h.tap("Gửi");
    let r = &h.stored()[0].response;
    assert_eq!(r.answers["G1"], Answer::Percent(80));
    assert_eq!(
        r.answers["G2"],
        Answer::Choice {
            option: "6".into(),
            other: Some("gần nhà".into())
        }
    );
}

#[test]
fn a_broken_questionnaire_stops_the_kiosk_with_a_message_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("hailong.toml"), "idle_timeout_secs = 0\n").unwrap();
    let options = hailong::kiosk::Options {
        data_dir: Some(dir.path().to_path_buf()),
        ..Default::default()
    };
    let problem = hailong::kiosk::load(&options).err().expect("refused").to_string();
    assert!(
        problem.contains("hailong.toml, line 1") && problem.contains("idle_timeout_secs"),
        "{problem}"
    );
}

/// Every screen, in both languages, landscape 1920×1080 and portrait 1080×1920.
#[test]
fn snapshots_of_every_screen() {
    for (lang, start) in [("vi", "Bắt đầu đánh giá"), ("en", "Start")] {
        for (orientation, size) in [("landscape", LANDSCAPE), ("portrait", PORTRAIT)] {
            let shot = |h: &Harness, screen: &str| h.snapshot(&format!("{screen}-{lang}-{orientation}"));
            let mut h = Harness::with(
                "facility_name = \"Trung tâm Y tế huyện Hoài Đức\"\n\
                 departments = [\"Khoa Khám bệnh\", \"Khoa Nội\", \"Khoa Nhi\"]\n\
                 thank_you_url = \"https://ttyt.example.vn/gop-y\"\n",
                &[],
            );
            h.resize(size);
            if lang == "en" {
                h.tap("English");
            }
            shot(&h, "welcome");
            h.tap(start);
            shot(&h, "department");
            h.tap("Khoa Nội");
            h.idle_for(2);
            shot(&h, "question");
            h.tap(if lang == "vi" {
                "Không hài lòng"
            } else {
                "Dissatisfied"
            });
            h.tap(if lang == "vi" {
                "Thời gian chờ đợi"
            } else {
                "Waiting time"
            });
            shot(&h, "follow-up");
            h.tap(if lang == "vi" { "Tiếp tục" } else { "Continue" });
            let good = if lang == "vi" { "Hài lòng" } else { "Satisfied" };
            h.tap(good);
            h.idle_for(4);
            shot(&h, "question-not-used");
            h.taps(&[good, good, good]);
            h.idle_for(6);
            shot(&h, "choice");
            h.tap(if lang == "vi" { G2_VI_5 } else { G2_EN_4 });
            h.idle_for(8);
            shot(&h, "comment-empty");
            if lang == "en" {
                // English speakers start without accents; this scene types Telex.
                h.tap("Vietnamese accents");
            }
            let (shift, space) = if lang == "vi" {
                ("Chữ hoa", "Dấu cách")
            } else {
                ("Capitals", "Space")
            };
            type_on_keys(&mut h, shift, space, "Nhaan vieen raats nhieetj tinhf");
            shot(&h, "comment");
            h.idle_for(60);
            shot(&h, "still-there");
            h.tap(if lang == "vi" {
                "Tôi vẫn ở đây"
            } else {
                "I am still here"
            });
            h.tap(if lang == "vi" { "Gửi" } else { "Send" });
            shot(&h, "thanks");
        }
    }
    let mut percent = Harness::with("questionnaire = \"thu-nghiem\"\n", &[("thu-nghiem.toml", TEST_FORM)]);
    percent.tap("Bắt đầu đánh giá");
    percent.snapshot("percent-vi-landscape");
}

#[test]
fn save_effects_carry_every_unsaved_response() {
    let mut h = Harness::new();
    h.hold_saves = true;
    for _ in 0..2 {
        h.tap("Bắt đầu đánh giá");
        h.taps(&[
            "Hài lòng",
            "Hài lòng",
            "Hài lòng",
            "Hài lòng",
            "Hài lòng",
            G2_VI_5,
            "Bỏ qua",
            "Hoàn tất",
        ]);
    }
    // The second finished while the first save was still running: it waits for it.
    assert_eq!(h.held.len(), 1);
    let Effect::Save(first) = h.held.remove(0) else {
        unreachable!()
    };
    assert_eq!(first.len(), 1);
    h.hold_saves = false;
    let outcome = hailong::kiosk::saver::save_blocking(h.kiosk.store(), &first);
    h.send(Message::Saved(outcome));
    assert_eq!(h.stored().len(), 2);
    assert!(h.kiosk.pending().is_empty());
}

#[test]
fn a_bad_setting_opens_an_error_screen_for_staff_instead_of_the_kiosk() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("hailong.toml"), "questionnaire = \"khong-co\"\n").unwrap();
    let options = hailong::kiosk::Options {
        data_dir: Some(dir.path().to_path_buf()),
        ..Default::default()
    };
    let app = hailong::kiosk::App::boot(&options, LANDSCAPE);
    let hailong::kiosk::App::Failed(failure) = &app else {
        panic!("the kiosk started with an unknown questionnaire")
    };
    let problem = failure.problem().describe(Locale::Vi);
    assert!(problem.contains("khong-co"), "{problem}");
    let mut sim = iced_test::Simulator::with_size(hailong::kiosk::settings(), LANDSCAPE, app.view());
    assert!(sim.find("Kiosk chưa thể khởi động").is_ok());
    assert!(sim.find(problem).is_ok(), "the problem is shown");
}

/// Under README's systemd unit (`Restart=on-failure`) staff's "Thoát ứng dụng" must stop the
/// kiosk for good (status 0), while a kiosk that cannot start ends with a failure status.
#[test]
fn a_staff_quit_exits_with_status_zero_and_a_kiosk_that_cannot_start_with_a_failure() {
    use hailong::kiosk::{App, Exit};
    use std::process::ExitCode;
    let good = tempfile::tempdir().unwrap();
    let options = |dir: &std::path::Path| hailong::kiosk::Options {
        data_dir: Some(dir.to_path_buf()),
        ..Default::default()
    };
    let app = App::boot(&options(good.path()), LANDSCAPE);
    assert_eq!(app.exit(), Exit::Quit);
    assert_eq!(app.exit().code(), ExitCode::SUCCESS);

    let bad = tempfile::tempdir().unwrap();
    std::fs::write(bad.path().join("hailong.toml"), "questionnaire = \"khong-co\"\n").unwrap();
    let app = App::boot(&options(bad.path()), LANDSCAPE);
    assert!(matches!(&app.exit(), Exit::Failed(problem) if problem.contains("khong-co")));
    assert_ne!(app.exit().code(), ExitCode::SUCCESS);
}

/// A second kiosk on the data directory of a running one is refused, naming the directory;
/// once the first has stopped, it starts.
#[test]
fn a_second_kiosk_on_one_data_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let options = hailong::kiosk::Options {
        data_dir: Some(dir.path().to_path_buf()),
        ..Default::default()
    };
    let first = hailong::kiosk::lock_data_dir(&options).expect("the first kiosk starts");
    match hailong::kiosk::lock_data_dir(&options) {
        Err(hailong::kiosk::RunError::InUse(d)) => assert_eq!(d, dir.path()),
        other => panic!("the second kiosk was not refused: {other:?}"),
    }
    drop(first);
    hailong::kiosk::lock_data_dir(&options).expect("free once the first kiosk stopped");
}

/// The first start creates the data directory 0700 and the database 0600.
#[test]
fn the_first_start_makes_the_data_directory_and_database_private() {
    use std::os::unix::fs::PermissionsExt;
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("hailong");
    let options = hailong::kiosk::Options {
        data_dir: Some(dir.clone()),
        ..Default::default()
    };
    let _setup = hailong::kiosk::load(&options).expect("starts on an empty machine");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join("hailong.sqlite3")), 0o600);
}

/// A kiosk that cannot start, with `config` as its hailong.toml.
fn failed(config: &str) -> (tempfile::TempDir, Box<hailong::kiosk::failure::Failure>) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("hailong.toml"), config).unwrap();
    let options = hailong::kiosk::Options {
        data_dir: Some(dir.path().to_path_buf()),
        ..Default::default()
    };
    match hailong::kiosk::App::boot(&options, LANDSCAPE) {
        hailong::kiosk::App::Failed(failure) => (dir, failure),
        _ => panic!("the kiosk started"),
    }
}

/// Sends `message` to the failure screen, runs a PIN check it asks for, and says whether it
/// asked to quit.
fn drive(failure: &mut hailong::kiosk::failure::Failure, message: Message) -> bool {
    use hailong::kiosk::failure::Action;
    match failure.update(message) {
        Action::None => false,
        Action::Quit => true,
        Action::CheckPin { hash, pin } => {
            let ok = hailong::kiosk::staff::pin::verify_pin(&hash, &pin);
            drive(failure, Message::PinChecked(ok))
        }
    }
}

/// Taps `label` on the failure screen; whether that asked to quit.
fn tap_failure(failure: &mut hailong::kiosk::failure::Failure, label: &str) -> bool {
    let messages: Vec<Message> = {
        let mut sim = iced_test::Simulator::with_size(hailong::kiosk::settings(), LANDSCAPE, failure.view());
        sim.click(label).unwrap_or_else(|e| panic!("cannot tap {label:?}: {e}"));
        sim.into_messages().collect()
    };
    assert!(!messages.is_empty(), "tapping {label:?} did nothing");
    let mut quit = false;
    for m in messages {
        quit |= drive(failure, m);
    }
    quit
}

fn failure_shows(failure: &hailong::kiosk::failure::Failure, label: &str) -> bool {
    iced_test::Simulator::with_size(hailong::kiosk::settings(), LANDSCAPE, failure.view())
        .find(label)
        .is_ok()
}

/// A kiosk set to English that cannot start says so in English (it used to speak Vietnamese
/// whatever `default_locale` said); one without the setting speaks Vietnamese.
#[test]
fn a_failure_screen_speaks_the_language_the_settings_name() {
    let (_dir, failure) = failed("default_locale = \"en\"\nidle_timeout_secs = 5\n");
    assert!(failure_shows(&failure, "The kiosk cannot start"));
    assert!(!failure_shows(&failure, "Kiosk chưa thể khởi động"));
    let (_dir, failure) = failed("idle_timeout_secs = 5\n");
    assert!(failure_shows(&failure, "Kiosk chưa thể khởi động"));
}

#[test]
fn staff_leave_a_failure_screen_with_the_corner_gesture_and_the_pin() {
    let hash = hailong::kiosk::staff::pin::hash_pin("246813").unwrap();
    // The file fails to load (a bad value), but its PIN hash can still be read.
    let (_dir, mut failure) = failed(&format!("staff_pin_hash = \"{hash}\"\nidle_timeout_secs = 5\n"));
    assert!(failure_shows(&failure, "Kiosk chưa thể khởi động"));
    assert!(failure_shows(
        &failure,
        "Để thoát: chạm 5 lần vào góc trên bên trái, rồi nhập mã PIN."
    ));
    // The documented key does nothing when a PIN guards the way out.
    assert!(!drive(&mut failure, Message::QuitKey));
    for _ in 0..5 {
        assert!(!drive(&mut failure, Message::CornerTap));
    }
    assert!(failure_shows(&failure, "Chế độ nhân viên"));
    // A wrong PIN does not lead out.
    for d in "111111".chars() {
        tap_failure(&mut failure, &d.to_string());
    }
    assert!(!tap_failure(&mut failure, "Vào"));
    assert!(failure_shows(&failure, "Mã PIN không đúng. Hãy thử lại."));
    assert!(!failure_shows(&failure, "Thoát ứng dụng"));
    for d in "246813".chars() {
        tap_failure(&mut failure, &d.to_string());
    }
    assert!(!tap_failure(&mut failure, "Vào"));
    assert!(tap_failure(&mut failure, "Thoát ứng dụng"), "quit is asked for");
    // It ends as a failure (it never ran), but with the status README's unit does not restart,
    // so the machine is free for the fix.
    let app = hailong::kiosk::App::Failed(failure);
    assert_eq!(app.exit().code(), std::process::ExitCode::from(3));
}

#[test]
fn without_a_readable_pin_ctrl_alt_q_leaves_a_failure_screen() {
    // Not TOML at all: no PIN hash to read.
    let (_dir, mut failure) = failed("facility_name = \"TTYT\n");
    assert!(failure_shows(&failure, "Để thoát: nhấn Ctrl+Alt+Q trên bàn phím USB."));
    use iced::keyboard::{Event, Key, Location, Modifiers, key};
    let press = |c: &str, modifiers| {
        iced::Event::Keyboard(Event::KeyPressed {
            key: Key::Character(c.into()),
            modified_key: Key::Character(c.into()),
            physical_key: key::Physical::Code(key::Code::KeyQ),
            location: Location::Standard,
            modifiers,
            text: None,
            repeat: false,
        })
    };
    let key = |e| hailong::kiosk::failure::key(e, iced::event::Status::Ignored, iced::window::Id::unique());
    assert!(
        key(press("q", Modifiers::empty())).is_none(),
        "a plain q is not the way out"
    );
    assert!(key(press("q", Modifiers::CTRL)).is_none());
    let message = key(press("q", Modifiers::CTRL | Modifiers::ALT)).expect("Ctrl+Alt+Q is the way out");
    assert!(drive(&mut failure, message));
}

#[test]
fn an_unknown_questionnaire_id_lists_the_ones_there_are() {
    let (_dir, failure) = failed("questionnaire = \"kiosk-nhan\"\n");
    let problem = failure.problem().describe(Locale::Vi);
    assert!(problem.contains("kiosk-nhan"), "{problem}");
    for id in ["byt-ngoai-tru", "byt-noi-tru", "kiosk-nhanh", "sipas-mot-cua"] {
        assert!(problem.contains(id), "{id} is not offered: {problem}");
    }
}

/// A database file that is not hailong's: the failure screen says so in Vietnamese, with what
/// staff can do, and none of the store's English reaches the screen.
#[test]
fn a_start_failure_is_told_in_the_kiosk_language_with_what_staff_can_do() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("hailong.sqlite3"), b"not a database at all, just text").unwrap();
    let options = hailong::kiosk::Options {
        data_dir: Some(dir.path().to_path_buf()),
        ..Default::default()
    };
    let app = hailong::kiosk::App::boot(&options, LANDSCAPE);
    let hailong::kiosk::App::Failed(failure) = &app else {
        panic!("the kiosk started on a file that is not its database")
    };
    assert!(matches!(
        failure.problem(),
        hailong::kiosk::StartError::Store(StoreProblem::NotADatabase { .. })
    ));
    let said = failure.problem().describe(Locale::Vi);
    assert!(said.contains("không phải cơ sở dữ liệu của hailong"), "{said}");
    assert!(failure_shows(failure, &said));
    assert!(failure_shows(
        failure,
        "Cách xử lý: chuyển tệp này ra khỏi thư mục dữ liệu (kiosk sẽ tạo cơ sở dữ liệu mới), hoặc chọn đúng thư mục dữ liệu."
    ));
    // The journal keeps an English line.
    assert!(failure.problem().to_string().contains("is not a hailong database"));
}

#[test]
fn an_unknown_questionnaire_is_told_in_vietnamese_with_the_setting_to_change() {
    let (_dir, failure) = failed("questionnaire = \"khong-co\"\n");
    assert!(failure_shows(
        &failure,
        "Không có mẫu phiếu “khong-co”. Các mẫu có sẵn: byt-ngoai-tru, byt-noi-tru, kiosk-nhanh, sipas-mot-cua."
    ));
    assert!(failure_shows(
        &failure,
        "Cách xử lý: ghi một mẫu phiếu có sẵn vào mục questionnaire của hailong.toml, rồi khởi động lại kiosk."
    ));
}

/// The window opens at once on "Đang khởi động…"; the settings, questionnaires and database
/// load off the UI thread and the kiosk (or the failure screen) follows.
#[test]
fn the_kiosk_starts_loading_and_then_shows_the_welcome_or_the_failure() {
    use hailong::kiosk::{App, Exit, Started, load};
    use std::sync::{Arc, Mutex};
    for (config, ready) in [("", true), ("questionnaire = \"khong-co\"\n", false)] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("hailong.toml"), config).unwrap();
        let options = hailong::kiosk::Options {
            data_dir: Some(dir.path().to_path_buf()),
            ..Default::default()
        };
        let exit = Arc::new(Mutex::new(Exit::Quit));
        let (mut app, _load) = App::start(options.clone(), LANDSCAPE, exit.clone());
        assert!(matches!(app, App::Loading(_)));
        assert!(
            iced_test::Simulator::with_size(hailong::kiosk::settings(), LANDSCAPE, app.view())
                .find("Đang khởi động…")
                .is_ok()
        );
        let _ = app.update(Message::Started(Box::new(Started(load(&options)))));
        if ready {
            assert!(matches!(app, App::Ready(_)));
            assert_eq!(*exit.lock().unwrap(), Exit::Quit);
        } else {
            assert!(matches!(app, App::Failed(_)));
            assert!(matches!(&*exit.lock().unwrap(), Exit::Failed(p) if p.contains("khong-co")));
        }
    }
}
