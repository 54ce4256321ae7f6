use super::*;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

const TZ: chrono_tz::Tz = chrono_tz::Asia::Ho_Chi_Minh;

fn submission(kind: Kind, identity: Option<&str>, received: &str) -> Submission {
    let received_at = at(received);
    let holidays = Holidays::built_in();
    let on = received_at.with_timezone(&TZ).date_naive();
    let deadlines = Deadlines::default();
    Submission {
        id: Uuid::now_v7(),
        code: ReceiptCode::new(),
        facility: "TTYT Ba Đình".into(),
        channel: Channel::Web,
        kind,
        department: Some("Khoa Nội".into()),
        text: "Chờ khám quá lâu".into(),
        contact: Contact::default(),
        identity: identity.map(Into::into),
        received_at,
        opening: None,
        due: deadlines.due(kind, on, &holidays),
        forward_by: Some(holidays.add_working_days(on, deadlines.forward)),
    }
}

#[test]
fn the_whole_road_is_logged_and_replays() {
    let mut item = Item::received(submission(Kind::Suggestion, None, "2026-03-02T02:00:00Z"), "web").unwrap();
    assert_eq!(item.state, State::New);
    // 15 working days after Monday 2 March 2026.
    assert_eq!(item.due, Some(day("2026-03-23")));
    let t = at("2026-03-03T02:00:00Z");
    item.act(
        t,
        "qlcl",
        Action::Classify {
            kind: Kind::Reflection,
            urgent: false,
            due: Some(day("2026-03-23")),
        },
    )
    .unwrap();
    item.act(
        t,
        "qlcl",
        Action::Assign {
            department: "Khoa Khám bệnh".into(),
            assignee: Some("BS. Lan".into()),
            due: Some(day("2026-03-13")),
        },
    )
    .unwrap();
    item.act(t, "khambenh", Action::Start).unwrap();
    assert_eq!(item.check(&Action::Approve), Err(Refused::NoReply));
    item.act(
        t,
        "khambenh",
        Action::Draft {
            reply: "Khoa đã bố trí thêm bàn khám.".into(),
        },
    )
    .unwrap();
    item.act(at("2026-03-10T02:00:00Z"), "giamdoc", Action::Approve)
        .unwrap();
    assert_eq!(item.state, State::Answered);
    assert_eq!(item.concluded_on_time(TZ), Some(true));
    item.act(
        t,
        "giamdoc",
        Action::Publish {
            text: "Người bệnh phản ánh chờ khám lâu; khoa đã thêm bàn khám.".into(),
        },
    )
    .unwrap();
    item.act(t, "qlcl", Action::Close).unwrap();
    assert_eq!(item.state, State::Closed);
    assert_eq!(item.log.len(), 8);

    let replayed = Item::replay(item.log.clone()).unwrap();
    assert_eq!(replayed, item);
}

#[test]
fn actions_out_of_order_are_refused() {
    let mut item = Item::received(submission(Kind::Suggestion, None, "2026-03-02T02:00:00Z"), "web").unwrap();
    let t = at("2026-03-03T02:00:00Z");
    for action in [
        Action::Start,
        Action::Approve,
        Action::Close,
        Action::Draft { reply: "x".into() },
    ] {
        let name = action.name();
        assert_eq!(
            item.act(t, "a", action),
            Err(Refused::NotNow {
                action: name,
                state: State::New
            })
        );
    }
    assert_eq!(
        item.act(t, "a", Action::Publish { text: "x".into() }).unwrap_err(),
        Refused::NotNow {
            action: "publish",
            state: State::New
        }
    );
    // Nothing refused reached the log.
    assert_eq!(item.log.len(), 1);
    assert_eq!(
        item.act(t, "a", Action::Note { text: "  ".into() }),
        Err(Refused::BadText)
    );
}

#[test]
fn complaints_need_an_identity_and_denunciations_are_never_published() {
    let mut anonymous = Item::received(submission(Kind::Reflection, None, "2026-03-02T02:00:00Z"), "web").unwrap();
    let t = at("2026-03-03T02:00:00Z");
    assert_eq!(
        anonymous.act(
            t,
            "a",
            Action::Classify {
                kind: Kind::Complaint,
                urgent: false,
                due: None
            }
        ),
        Err(Refused::NeedsIdentity(Kind::Complaint))
    );
    let mut named = Item::received(
        submission(
            Kind::Reflection,
            Some("Nguyễn Văn A, 12 Kim Mã"),
            "2026-03-02T02:00:00Z",
        ),
        "web",
    )
    .unwrap();
    named
        .act(
            t,
            "a",
            Action::Classify {
                kind: Kind::Denunciation,
                urgent: true,
                due: None,
            },
        )
        .unwrap();
    named
        .act(
            t,
            "a",
            Action::Assign {
                department: "Ban giám đốc".into(),
                assignee: None,
                due: None,
            },
        )
        .unwrap();
    named
        .act(
            t,
            "a",
            Action::Draft {
                reply: "Đã xác minh.".into(),
            },
        )
        .unwrap();
    named.act(t, "gd", Action::Approve).unwrap();
    assert!(matches!(
        named.act(t, "gd", Action::Publish { text: "x".into() }),
        Err(Refused::NotNow { .. })
    ));
}

#[test]
fn invalid_items_are_kept_but_closed() {
    let mut spam = Item::received(submission(Kind::Suggestion, None, "2026-03-02T02:00:00Z"), "web").unwrap();
    spam.act(
        at("2026-03-03T02:00:00Z"),
        "a",
        Action::Classify {
            kind: Kind::Invalid,
            urgent: false,
            due: None,
        },
    )
    .unwrap();
    assert_eq!(spam.state, State::Declined);
    assert!(!spam.overdue(day("2027-01-01")));
}

#[test]
fn overdue_across_tet_and_a_weekend() {
    // Received Wednesday 11 February 2026, three days before Tết Bính Ngọ (14–22 February off).
    let s = submission(Kind::Suggestion, None, "2026-02-11T03:00:00Z");
    // 15 working days: 12, 13, 23–27 February, 2–6, 9, 10, 11 March.
    assert_eq!(s.due, Some(day("2026-03-11")));
    let item = Item::received(s, "web").unwrap();
    assert!(!item.overdue(day("2026-03-11")));
    assert!(item.overdue(day("2026-03-12")));
    // A complaint: 10 days to accept + 30 to settle = 40 working days.
    let c = submission(Kind::Complaint, Some("Trần Thị B"), "2026-02-11T03:00:00Z");
    assert_eq!(
        c.due,
        Some(Holidays::built_in().add_working_days(day("2026-02-11"), 40))
    );
    assert_eq!(c.due, Some(day("2026-04-15")));
    // Praise is never overdue.
    let praise = Item::received(submission(Kind::Praise, None, "2026-02-11T03:00:00Z"), "web").unwrap();
    assert_eq!(praise.due, None);
    assert!(!praise.overdue(day("2027-01-01")));
}

#[test]
fn a_forwarded_item_is_judged_by_the_forwarding_deadline() {
    // Received Friday 24 April 2026; forwarding has 5 working days: 28, 29 April (27 April,
    // 30 April, 1 May off), 4, 5, 6 May.
    let s = submission(Kind::Reflection, None, "2026-04-24T03:00:00Z");
    assert_eq!(s.forward_by, Some(day("2026-05-06")));
    let mut item = Item::received(s.clone(), "web").unwrap();
    item.act(
        at("2026-05-06T09:00:00Z"),
        "qlcl",
        Action::Forward {
            to: "Bảo hiểm xã hội quận".into(),
        },
    )
    .unwrap();
    assert_eq!(item.state, State::Forwarded);
    assert!(!item.overdue(day("2026-12-31")));
    assert_eq!(item.concluded_on_time(TZ), Some(true));
    let mut late = Item::received(s, "web").unwrap();
    late.act(
        at("2026-05-07T09:00:00Z"),
        "qlcl",
        Action::Forward {
            to: "Bảo hiểm xã hội quận".into(),
        },
    )
    .unwrap();
    assert_eq!(late.concluded_on_time(TZ), Some(false));
}

#[test]
fn a_reopened_item_needs_a_new_answer() {
    let mut item = Item::received(submission(Kind::Suggestion, None, "2026-03-02T02:00:00Z"), "web").unwrap();
    let t = at("2026-03-03T02:00:00Z");
    item.act(
        t,
        "a",
        Action::Classify {
            kind: Kind::Suggestion,
            urgent: false,
            due: item.due,
        },
    )
    .unwrap();
    item.act(
        t,
        "a",
        Action::Assign {
            department: "Khoa Nội".into(),
            assignee: None,
            due: None,
        },
    )
    .unwrap();
    item.act(
        t,
        "a",
        Action::Draft {
            reply: "Đã sửa.".into(),
        },
    )
    .unwrap();
    item.act(t, "gd", Action::Approve).unwrap();
    item.act(
        at("2026-03-20T02:00:00Z"),
        "qlcl",
        Action::Reopen {
            reason: "Người bệnh gọi lại: vẫn chưa sửa.".into(),
            due: Some(day("2026-03-27")),
        },
    )
    .unwrap();
    assert_eq!(item.state, State::Reopened);
    assert_eq!(item.reply, None);
    assert_eq!(item.reopened, 1);
    assert!(item.overdue(day("2026-03-30")));
    assert_eq!(item.concluded_on_time(TZ), None);
    // Handling starts again from assignment.
    item.act(
        t,
        "a",
        Action::Assign {
            department: "Khoa Nội".into(),
            assignee: None,
            due: None,
        },
    )
    .unwrap();
    assert_eq!(item.due, Some(day("2026-03-27")));
}

#[test]
fn an_edited_history_is_detected() {
    let mut item = Item::received(submission(Kind::Suggestion, None, "2026-03-02T02:00:00Z"), "web").unwrap();
    let t = at("2026-03-03T02:00:00Z");
    item.act(
        t,
        "a",
        Action::Note {
            text: "Đã gọi lại".into(),
        },
    )
    .unwrap();
    item.act(
        t,
        "a",
        Action::Note {
            text: "Lần hai".into()
        },
    )
    .unwrap();
    // Someone rewrites a note.
    let mut edited = item.log.clone();
    edited[1].action = Action::Note {
        text: "Không gọi".into(),
    };
    assert_eq!(Item::replay(edited), Err(Refused::Broken(2)));
    // Someone removes an entry.
    let mut cut = item.log.clone();
    cut.remove(1);
    assert_eq!(Item::replay(cut), Err(Refused::Broken(3)));
    // Someone changes what was received.
    let mut received = item.log.clone();
    if let Action::Received(s) = &mut received[0].action {
        s.text = "Không có gì".into();
    }
    assert_eq!(Item::replay(received), Err(Refused::Broken(1)));
}

#[test]
fn an_urgent_item_is_due_within_the_urgent_working_days() {
    let h = Holidays::built_in();
    let d = Deadlines::default();
    let on = day("2026-03-02");
    // A complaint has 40 working days; marked urgent, 5.
    assert_eq!(
        d.due_for(Kind::Complaint, true, on, &h),
        Some(h.add_working_days(on, 5))
    );
    assert_eq!(
        d.due_for(Kind::Complaint, false, on, &h),
        d.due(Kind::Complaint, on, &h)
    );
    // A shorter deadline of its own stays.
    let quick = Deadlines {
        urgent: 20,
        forward: 5,
        suggestion: 3,
        ..Deadlines::default()
    };
    assert_eq!(
        quick.due_for(Kind::Suggestion, true, on, &h),
        Some(h.add_working_days(on, 3))
    );
    // Even a praise marked urgent gets a date.
    assert_eq!(d.due_for(Kind::Praise, true, on, &h), Some(h.add_working_days(on, 5)));
}
