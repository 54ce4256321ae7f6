//! The feedback box over real HTTP on 127.0.0.1, on both backends: the public form (receipt
//! code, follow-up, flood limit, forgery, escaping), the staff's handling from entry to
//! publication with who may do what, and the storage rules (idempotent ids, no forked
//! histories, edited logs found by `centre verify`).

use std::sync::Arc;

use chrono::Utc;
use hailong::centre::Backend;
use hailong::centre::accounts::Role;
use hailong::centre::feedback::{self, Added, FeedbackStore, ItemFilter};
use hailong::feedback::{Action, Channel, Contact, Item, Kind, ReceiptCode, Submission};

#[path = "support/server.rs"]
mod server;

#[path = "support/web_data.rs"]
mod web_data;
use web_data::*;

const SLUG: &str = "trung-tam-y-te-huyen-ba-vi";
const PHUC_THO: &str = "Trung tâm Y tế huyện Phúc Thọ";

/// The receipt code a receipt page shows.
fn code_on(page: &Reply) -> String {
    let at = page.body.find("class=\"code\"").expect("a receipt code");
    let rest = &page.body[at..];
    let start = rest.find('>').unwrap() + 1;
    rest[start..start + 9].to_string()
}

fn send(b: &mut Browser, csrf: &str, extra: &[(&str, &str)]) -> Reply {
    let mut form = vec![("csrf", csrf)];
    form.extend_from_slice(extra);
    b.post(&format!("/gop-y/{SLUG}"), &form)
}

#[test]
fn the_web_form_gives_a_receipt_code_and_refuses_forgeries_floods_and_bad_fields() {
    on_every_backend(|_, server| {
        let mut p = Browser::new(&server);
        let form = p.get(&format!("/gop-y/{SLUG}"));
        assert_eq!(form.status, 200);
        assert!(form.body.contains(&format!("Góp ý, phản ánh gửi {BA_VI}")));
        // The departments the centre knows are offered.
        assert!(form.body.contains("<option value=\"Khoa Nhi\">"));
        let csrf = form.hidden("csrf");
        assert_eq!(p.get("/gop-y/khong-co").status, 404);

        // Posted without the form's cookie (from another site): refused, nothing stored.
        let mut forger = Browser::new(&server);
        let forged = send(&mut forger, &csrf, &[("kind", "suggestion"), ("text", "giả mạo")]);
        assert_eq!(forged.status, 403);

        // A contact without consent is refused, and the text comes back escaped.
        let refused = send(
            &mut p,
            &csrf,
            &[("kind", "reflection"), ("text", HOSTILE), ("phone", "0912 345 678")],
        );
        assert_eq!(refused.status, 400);
        assert!(refused.body.contains("đánh dấu đồng ý"), "{}", refused.body);
        assert!(!refused.body.contains("<script>") && refused.body.contains("&lt;script&gt;"));
        for (field, value, message) in [
            ("email", "not-an-address", "thư điện tử không hợp lệ"),
            ("phone", "12ab", "Số điện thoại không hợp lệ"),
        ] {
            let r = send(
                &mut p,
                &csrf,
                &[("kind", "suggestion"), ("text", "x"), (field, value), ("consent", "1")],
            );
            assert_eq!(r.status, 400, "{field}");
            assert!(r.body.contains(message), "{field}: {}", r.body);
        }
        let empty = send(&mut p, &csrf, &[("kind", "suggestion"), ("text", "   ")]);
        assert_eq!(empty.status, 400);
        // Only what a person may choose: a "denunciation" is the staff's classification.
        let kind = send(&mut p, &csrf, &[("kind", "denunciation"), ("text", "x")]);
        assert_eq!(kind.status, 400);
        let huge = "x".repeat(20_000);
        let big = send(&mut p, &csrf, &[("kind", "suggestion"), ("text", &huge)]);
        assert!(matches!(big.status, 400 | 413), "{}", big.status);

        let sent = send(
            &mut p,
            &csrf,
            &[
                ("kind", "reflection"),
                ("department", "Khoa Nhi"),
                ("text", HOSTILE),
                ("email", "an@example.vn"),
                ("consent", "1"),
            ],
        );
        assert_eq!(sent.status, 200, "{}", sent.body);
        let code = code_on(&sent);
        assert!(ReceiptCode::parse(&code).is_some(), "{code}");
        assert!(sent.body.contains("<svg"), "a QR code to follow it");
        // The receipt says when the answer is due, in working days, and where to read it.
        assert!(sent.body.contains("Trung tâm trả lời chậm nhất ngày"), "{}", sent.body);
        assert!(
            sent.body.contains("15 ngày làm việc"),
            "a reflection has 15: {}",
            sent.body
        );
        assert!(sent.body.contains("kể cả khi ông/bà không để lại thư điện tử"));

        // Following it shows its state and nothing else.
        let follow = p.get(&format!("/theo-doi?code={}", code.to_lowercase()));
        assert_eq!(follow.status, 200);
        assert!(follow.body.contains(&code) && follow.body.contains("Mới"));
        assert!(follow.body.contains("chậm nhất ngày"), "the due date: {}", follow.body);
        assert!(!follow.body.contains("&lt;script") && !follow.body.contains("an@example.vn"));
        let unknown = p.get("/theo-doi?code=2222-2222");
        assert!(unknown.body.contains("Không có ý kiến nào với mã này"));
        let junk = p.get("/theo-doi?code=%3Cscript%3E");
        assert_eq!(junk.status, 200);
        assert!(!junk.body.contains("<script>"));

        // Five an hour from one device (its cookie); the refused posts above did not count.
        assert!(p.cookies.iter().any(|(k, v)| k == "hl_device" && v.len() == 32));
        for i in 0..4 {
            let r = send(&mut p, &csrf, &[("kind", "praise"), ("text", &format!("Cảm ơn {i}"))]);
            assert_eq!(r.status, 200, "{i}");
        }
        let flood = send(&mut p, &csrf, &[("kind", "praise"), ("text", "một lần nữa")]);
        assert_eq!(flood.status, 429);
        assert!(flood.body.contains("Đã gửi quá nhiều lần"));
        // Other patients on the same ward Wi-Fi (one address) are not turned away; from the
        // tenth item in ten minutes, each is flagged for the staff, and kept.
        let patient = |i: usize| {
            let mut b = Browser::new(&server);
            let csrf = b.get(&format!("/gop-y/{SLUG}")).hidden("csrf");
            send(
                &mut b,
                &csrf,
                &[("kind", "suggestion"), ("text", &format!("Bệnh nhân {i}"))],
            )
        };
        for i in 0..5 {
            let r = patient(i);
            assert_eq!(r.status, 200, "patient {i} on the ward's address");
        }
        let flagged = server
            .centre
            .feedback
            .item_logs(&ItemFilter::default())
            .unwrap()
            .into_iter()
            .map(|log| Item::replay(log).unwrap())
            .filter(|i| i.flagged.as_deref() == Some("burst"))
            .count();
        assert_eq!(flagged, 1, "the tenth from one address in ten minutes is flagged");
        // A hundred an hour from one address, however many devices.
        for i in 5..95 {
            assert_eq!(patient(i).status, 200, "patient {i}");
        }
        assert_eq!(patient(95).status, 429);

        // The facility's staff see it in their inbox, as text.
        let mut s = Browser::new(&server);
        s.login("bavi", PASSWORD);
        let inbox = s.get(&format!("/feedback/{SLUG}"));
        assert_eq!(inbox.status, 200);
        assert!(inbox.body.contains(&code));
        assert!(inbox.body.contains("Gắn cờ kiểm tra"), "flagged items are marked");
        assert!(inbox.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(!inbox.body.contains("<script>") && !inbox.body.contains("<img src=x"));
        // Another facility's account does not.
        let items = server
            .centre
            .feedback
            .item_logs(&ItemFilter {
                facility: Some(MY_DUC.into()),
                ..ItemFilter::default()
            })
            .unwrap();
        assert!(items.is_empty());
    });
}

/// Posts `action` on the item page at `url` with the page's own token and log length.
fn act(b: &mut Browser, url: &str, action: &str, extra: &[(&str, &str)]) -> Reply {
    let page = b.get(url);
    assert_eq!(page.status, 200, "{url}: {}", page.status);
    let csrf = page.hidden("csrf");
    let seq = page.hidden("seq");
    let mut form = vec![("csrf", csrf.as_str()), ("action", action), ("seq", seq.as_str())];
    form.extend_from_slice(extra);
    b.post(url, &form)
}

fn enter(b: &mut Browser, fields: &[(&str, &str)]) -> String {
    let page = b.get(&format!("/feedback/{SLUG}/new"));
    assert_eq!(page.status, 200);
    let csrf = page.hidden("csrf");
    let today = today().to_string();
    let mut form = vec![("csrf", csrf.as_str()), ("received_on", today.as_str())];
    form.extend_from_slice(fields);
    let r = b.post(&format!("/feedback/{SLUG}/new"), &form);
    assert_eq!(r.status, 303, "{}", r.body);
    r.location().rsplit('/').next().unwrap().to_string()
}

#[test]
fn staff_handle_an_item_from_the_letter_to_the_published_answer() {
    on_every_backend(|_, server| {
        add_leader(&server, "giamdoc", BA_VI);
        add_user(
            &server,
            "bavi-kham",
            Role::Department,
            Some(BA_VI),
            Some("Khoa Khám bệnh"),
        );
        let mut q = Browser::new(&server);
        q.login("bavi", PASSWORD);

        // The box is opened, and its letter entered.
        let page = q.get(&format!("/feedback/{SLUG}/openings"));
        let csrf = page.hidden("csrf");
        let today = today().to_string();
        let opened = q.post(
            &format!("/feedback/{SLUG}/openings"),
            &[
                ("csrf", &csrf),
                ("opened_on", &today),
                ("box", "Sảnh khoa Khám bệnh"),
                ("attendees", "Bà Hoa (QLCL), ông Nam (Công đoàn)"),
                ("letters", "1"),
            ],
        );
        assert_eq!(opened.status, 303, "{}", opened.body);
        let opening = server.centre.feedback.openings(BA_VI).unwrap()[0].id.to_string();
        let code = enter(
            &mut q,
            &[
                ("channel", "letter"),
                ("opening", &opening),
                ("kind", "suggestion"),
                ("department", "Khoa Nhi"),
                ("text", "Phòng chờ khoa Nhi thiếu ghế cho người nhà."),
                ("identity", "Nguyễn Văn A, thôn Đông"),
            ],
        );
        let url = format!("/feedback/item/{code}");
        let page = q.get(&url);
        assert!(page.body.contains("Mới") && page.body.contains("Thư (hòm thư góp ý)"));
        // A letter is known by its day: no invented "12:00" between the day and its channel.
        let day = web_data::today().format("%d/%m/%Y").to_string();
        assert!(page.body.contains(&format!("{day} · Thư")), "{}", page.body);
        // Who sent it is shown on request, and each look is logged.
        assert!(!page.body.contains("Nguyễn Văn A"));
        let looked = act(&mut q, &url, "view_contact", &[]);
        assert_eq!(looked.status, 200, "{}", looked.body);
        assert!(looked.body.contains("Nguyễn Văn A"));
        assert!(
            looked.body.contains("Xem thông tin người gửi</th>"),
            "the look is in the log"
        );

        // The Nhi department sees what names it, until it is given to another department.
        let mut nhi = Browser::new(&server);
        nhi.login("bavi-nhi", PASSWORD);
        assert_eq!(nhi.get(&url).status, 200);
        assert_eq!(act(&mut q, &url, "classify", &[("kind", "reflection")]).status, 303);
        let assigned = act(
            &mut q,
            &url,
            "assign",
            &[("department", "Khoa Khám bệnh"), ("assignee", "BS. Lan")],
        );
        assert_eq!(assigned.status, 303, "{}", assigned.body);
        assert_eq!(nhi.get(&url).status, 404);
        assert!(!nhi.get(&format!("/feedback/{SLUG}")).body.contains(&code));

        // The department works on it and writes the reply; it cannot approve it.
        let mut kham = Browser::new(&server);
        kham.login("bavi-kham", PASSWORD);
        assert!(kham.get(&format!("/feedback/{SLUG}")).body.contains(&code));
        assert_eq!(act(&mut kham, &url, "start", &[]).status, 303);
        let reply = "Khoa đã bổ sung 10 ghế ở phòng chờ.";
        assert_eq!(act(&mut kham, &url, "draft", &[("text", reply)]).status, 303);
        assert!(!kham.get(&url).body.contains("Duyệt trả lời"), "no approve button");
        assert_eq!(act(&mut kham, &url, "approve", &[]).status, 403);
        // Nor can the quality office: approving is a leader's.
        assert_eq!(act(&mut q, &url, "approve", &[]).status, 403);
        let mut director = Browser::new(&server);
        director.login("giamdoc", PASSWORD);
        assert_eq!(act(&mut director, &url, "approve", &[]).status, 303);
        let published = "Người bệnh góp ý phòng chờ khoa Khám bệnh thiếu ghế; khoa đã bổ sung 10 ghế.";
        // The publish box starts empty, not with the reply; the text is previewed first.
        let page = director.get(&url);
        assert!(page.body.contains(
            "name=\"text\" required maxlength=\"4000\" rows=\"4\" aria-describedby=\"published-note\"></textarea>"
        ));
        let preview = act(&mut director, &url, "publish", &[("text", published)]);
        assert_eq!(preview.status, 200, "{}", preview.body);
        assert!(preview.body.contains("Công chúng sẽ thấy") && preview.body.contains(published));
        assert!(
            server
                .centre
                .feedback
                .item_logs(&ItemFilter::default())
                .unwrap()
                .iter()
                .all(|log| { log.iter().all(|e| !matches!(e.action, Action::Publish { .. })) })
        );
        assert_eq!(
            act(&mut director, &url, "publish", &[("text", published), ("confirm", "1")]).status,
            303
        );

        // A form shown before someone else acted is a conflict, not an overwrite.
        let page = q.get(&url);
        let csrf = page.hidden("csrf");
        let stale = q.post(&url, &[("csrf", &csrf), ("action", "close"), ("seq", "2")]);
        assert_eq!(stale.status, 409);
        assert!(stale.body.contains("Người khác vừa thay đổi"));
        // Without the session's token: refused.
        assert_eq!(
            q.post(&url, &[("csrf", "x"), ("action", "close"), ("seq", "7")]).status,
            403
        );

        // The log says who did what.
        let page = q.get(&url);
        assert!(page.body.contains("Đã trả lời"));
        for who in ["bavi", "bavi-kham", "giamdoc"] {
            assert!(page.body.contains(&format!("<td>{who}</td>")), "{who}");
        }

        // The public sees the anonymised answer and the quarter's figures; no name.
        let public = Browser::new(&server).get(&format!("/public/{SLUG}"));
        assert!(public.body.contains("Ý kiến người bệnh – Việc chúng tôi đã làm"));
        assert!(public.body.contains(published));
        assert!(!public.body.contains("Nguyễn Văn A") && !public.body.contains(reply));
        // The person follows it by its code.
        let follow = Browser::new(&server).get(&format!("/theo-doi?code={code}"));
        assert!(follow.body.contains("Đã trả lời") && follow.body.contains(published));
        // The person who left no e-mail reads the centre's actual answer by the code.
        assert!(
            follow.body.contains("Trả lời của trung tâm") && follow.body.contains(reply),
            "{}",
            follow.body
        );
        assert!(!follow.body.contains("Nguyễn Văn A"));

        // The province reads without the sender, and cannot act.
        let mut province = Browser::new(&server);
        province.login("so-y-te", PASSWORD);
        let read = province.get(&url);
        assert_eq!(read.status, 200);
        assert!(!read.body.contains("Nguyễn Văn A"));
        let csrf = read.hidden("csrf");
        let note = province.post(
            &url,
            &[("csrf", &csrf), ("action", "note"), ("seq", "7"), ("text", "x")],
        );
        assert_eq!(note.status, 403);

        // A denunciation's sender: the leader only.
        let code = enter(
            &mut q,
            &[
                ("channel", "hotline"),
                ("kind", "reflection"),
                ("text", "Tố cáo nhận tiền của người bệnh."),
                ("identity", "Trần Thị B, 5 Kim Mã"),
            ],
        );
        let url = format!("/feedback/item/{code}");
        assert_eq!(act(&mut q, &url, "classify", &[("kind", "denunciation")]).status, 303);
        assert!(!q.get(&url).body.contains("Trần Thị B"));
        assert!(q.get(&url).body.contains("chỉ lãnh đạo cơ sở được xem"));
        assert!(!director.get(&url).body.contains("Trần Thị B"));
        assert!(
            act(&mut director, &url, "view_contact", &[])
                .body
                .contains("Trần Thị B")
        );
        assert_eq!(act(&mut q, &url, "view_contact", &[]).status, 403);
        // An anonymous item cannot be made a complaint.
        let code = enter(
            &mut q,
            &[("channel", "hotline"), ("kind", "reflection"), ("text", "Ẩn danh")],
        );
        let refused = act(
            &mut q,
            &format!("/feedback/item/{code}"),
            "classify",
            &[("kind", "complaint")],
        );
        assert_eq!(refused.status, 400);
        assert!(refused.body.contains("cần họ tên và địa chỉ"));

        // The register.
        let register = q.get(&format!("/feedback/{SLUG}/register.xlsx"));
        assert_eq!(register.status, 200);
        assert_eq!(
            register.headers["content-type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        assert_eq!(Browser::new(&server).get(&format!("/feedback/{SLUG}")).status, 303);
    });
}

#[test]
fn a_published_answer_never_names_the_sender_and_a_department_never_sees_who_complained() {
    on_every_backend(|_, server| {
        add_leader(&server, "giamdoc", BA_VI);
        let mut q = Browser::new(&server);
        q.login("bavi", PASSWORD);
        let code = enter(
            &mut q,
            &[
                ("channel", "hotline"),
                ("kind", "reflection"),
                ("department", "Khoa Nhi"),
                ("text", "Bác sĩ khoa Nhi quát cháu Minh."),
                ("identity", "Trần Thị Hoa, 12 Lê Lợi"),
                ("phone", "0987654321"),
                ("email", "hoa.tran@example.vn"),
                ("consent", "1"),
            ],
        );
        let url = format!("/feedback/item/{code}");
        assert_eq!(act(&mut q, &url, "classify", &[("kind", "complaint")]).status, 303);
        assert_eq!(act(&mut q, &url, "assign", &[("department", "Khoa Nhi")]).status, 303);

        // The department complained about sees what was said, never who said it.
        let mut nhi = Browser::new(&server);
        nhi.login("bavi-nhi", PASSWORD);
        let page = nhi.get(&url);
        assert_eq!(page.status, 200);
        assert!(page.body.contains("quát cháu Minh"));
        for secret in ["Trần Thị Hoa", "0987654321", "hoa.tran@example.vn", "Lê Lợi"] {
            assert!(!page.body.contains(secret), "{secret}");
        }
        assert_eq!(act(&mut nhi, &url, "view_contact", &[]).status, 403);

        // The department drafts a reply that greets the person; the leader approves it.
        assert_eq!(act(&mut nhi, &url, "start", &[]).status, 303);
        let reply = "Kính gửi bà Trần Thị Hoa (0987654321), khoa Nhi xin lỗi cháu Minh và gia đình.";
        assert_eq!(act(&mut nhi, &url, "draft", &[("text", reply)]).status, 303);
        let mut director = Browser::new(&server);
        director.login("giamdoc", PASSWORD);
        assert_eq!(act(&mut director, &url, "approve", &[]).status, 303);
        // The publish box does not offer the reply.
        assert!(!director.get(&url).body.contains("published-note\">Kính gửi"));

        // Publishing it, or anything naming the sender however it is written, is refused.
        let code_text = format!("Ý kiến mã {}", code.to_lowercase());
        for (text, named) in [
            (reply, "tran thi hoa"),
            ("Cảm ơn bà TRAN THI HOA đã góp ý", "tran thi hoa"),
            ("Đã gọi lại số 0987 654 321", "0987654321"),
            ("Trả lời qua HOA.TRAN@example.vn", "hoa.tran@example.vn"),
            (code_text.as_str(), code.as_str()),
        ] {
            for confirm in [None, Some("1")] {
                let mut form = vec![("text", text)];
                form.extend(confirm.map(|c| ("confirm", c)));
                let r = act(&mut director, &url, "publish", &form);
                assert_eq!(r.status, 400, "{text}: {}", r.status);
                assert!(r.body.contains("Không thể công khai"), "{text}");
                assert!(
                    r.body.contains(named) || r.body.contains(&named.to_uppercase()),
                    "{text} names {named}"
                );
            }
        }
        let published = |server: &server::Server| {
            server
                .centre
                .feedback
                .item_logs(&ItemFilter::default())
                .unwrap()
                .iter()
                .flatten()
                .any(|e| matches!(e.action, Action::Publish { .. }))
        };
        assert!(!published(&server));
        let fine = "Khoa Nhi đã nhắc nhở nhân viên về thái độ với người bệnh nhi.";
        assert_eq!(act(&mut director, &url, "publish", &[("text", fine)]).status, 200);
        assert_eq!(
            act(&mut director, &url, "publish", &[("text", fine), ("confirm", "1")]).status,
            303
        );
        assert!(published(&server));
        let public = Browser::new(&server).get(&format!("/public/{SLUG}"));
        assert!(public.body.contains(fine) && !public.body.contains("Trần Thị Hoa"));

        // Each look at the contact is in the item's log, with who looked.
        assert!(act(&mut q, &url, "view_contact", &[]).body.contains("0987654321"));
        let log = q.get(&url).body;
        assert!(log.contains("Xem thông tin người gửi</th>"));
        let looks = server
            .centre
            .feedback
            .item_logs(&ItemFilter::default())
            .unwrap()
            .into_iter()
            .flatten()
            .filter(|e| e.action == Action::ViewContact && e.actor == "bavi")
            .count();
        assert_eq!(looks, 1);
    });
}

fn submission(facility: &str, department: &str) -> Submission {
    Submission {
        id: uuid::Uuid::now_v7(),
        code: ReceiptCode::new(),
        facility: facility.into(),
        channel: Channel::Kiosk,
        kind: Kind::Suggestion,
        department: Some(department.into()),
        text: "Nhà vệ sinh cần sạch hơn".into(),
        contact: Contact::default(),
        identity: None,
        received_at: Utc::now(),
        opening: None,
        due: None,
        forward_by: None,
    }
}

fn storage_rules(store: &dyn FeedbackStore, tamper: &dyn Fn(&str)) {
    let item = Item::received(submission("TTYT A", "Khoa Nội"), "kiosk").unwrap();
    let origin = feedback::Origin {
        address: "origin-1".into(),
        device: Some("device-1".into()),
    };
    assert_eq!(store.add_item(&item, Some(&origin)).unwrap(), Added::New);
    // The same item again (a kiosk re-sending): a duplicate, nothing changes.
    assert_eq!(store.add_item(&item, Some(&origin)).unwrap(), Added::Duplicate);
    // The same id with other content: a conflict.
    let mut other = item.submission.clone();
    other.text = "khác".into();
    let other = Item::received(other, "kiosk").unwrap();
    assert!(matches!(
        store.add_item(&other, None),
        Err(hailong::centre::store::Error::Conflict(_))
    ));
    assert_eq!(
        store
            .submissions_from(&origin, Utc::now() - chrono::Duration::hours(1))
            .unwrap(),
        (1, 1)
    );

    // Two people act on the same version: the second is refused, the history does not fork.
    let mut first = feedback::load(store, item.submission.id).unwrap().unwrap();
    let mut second = first.clone();
    first.act(Utc::now(), "a", Action::Note { text: "một".into() }).unwrap();
    second
        .act(Utc::now(), "b", Action::Note { text: "hai".into() })
        .unwrap();
    store.append(&first).unwrap();
    assert!(matches!(
        store.append(&second),
        Err(hailong::centre::store::Error::Conflict(_))
    ));
    let stored = feedback::load(store, item.submission.id).unwrap().unwrap();
    assert_eq!(stored, first);
    assert_eq!(
        store.item_by_code(&item.submission.code).unwrap(),
        Some(item.submission.id)
    );

    // Lists filter by facility and department.
    store
        .add_item(
            &Item::received(submission("TTYT A", "Khoa Nhi"), "kiosk").unwrap(),
            None,
        )
        .unwrap();
    store
        .add_item(
            &Item::received(submission("TTYT B", "Khoa Nội"), "kiosk").unwrap(),
            None,
        )
        .unwrap();
    let count = |facility: Option<&str>, department: Option<&str>| {
        store
            .item_logs(&ItemFilter {
                facility: facility.map(Into::into),
                department: department.map(Into::into),
                ..ItemFilter::default()
            })
            .unwrap()
            .len()
    };
    assert_eq!(count(None, None), 3);
    assert_eq!(count(Some("TTYT A"), None), 2);
    assert_eq!(count(Some("TTYT A"), Some("Khoa Nội")), 1);

    // Verify finds nothing, then an edited note.
    let mut verified = hailong::centre::verify::Verified::default();
    feedback::verify(store, &mut verified).unwrap();
    assert_eq!((verified.feedback_items, verified.findings.len()), (3, 0));
    tamper(&item.submission.id.to_string());
    let mut verified = hailong::centre::verify::Verified::default();
    feedback::verify(store, &mut verified).unwrap();
    assert_eq!(verified.findings.len(), 1, "{:?}", verified.findings);
    assert_eq!(verified.findings[0].seq, Some(2));
    assert!(
        verified.findings[0]
            .kiosk_id
            .contains(&item.submission.code.to_string())
    );
    assert!(
        feedback::load(store, item.submission.id).is_err(),
        "an edited item is not shown as true"
    );
}

const TAMPER: &str =
    "UPDATE feedback_log SET entry = replace(entry, 'một', 'không') WHERE item_id = '{id}' AND seq = 2";

#[test]
fn storage_keeps_one_history_per_item_and_verify_finds_an_edited_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("centre.sqlite3");
    let sqlite: Arc<dyn Backend> = Arc::new(hailong::centre::sqlite::SqliteCentre::open(&path, TZ).unwrap());
    storage_rules(sqlite.as_ref(), &|id| {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(&TAMPER.replace("{id}", id)).unwrap();
    });
    if let Some(url) = server::postgres_url() {
        let scoped = server::postgres_schema(&url);
        let pg: Arc<dyn Backend> = Arc::new(hailong::centre::postgres::PostgresCentre::open(&scoped, TZ).unwrap());
        storage_rules(pg.as_ref(), &|id| {
            server::postgres_execute(&scoped, &TAMPER.replace("{id}", id))
        });
    }
}

#[test]
fn staff_turn_an_unsatisfied_patients_comment_into_one_case_with_one_action() {
    on_every_backend(|dir, server| {
        use hailong::survey::Answer;
        kiosk(&dir.join("k"), &server, PHUC_THO, 8, &["Khoa Nhi"], 7, |i, r| {
            // Only two comments: one from a patient who rated an item "dissatisfied", one
            // from a patient satisfied with everything.
            r.answers.retain(|_, a| !matches!(a, Answer::Text(_)));
            for a in r.answers.values_mut() {
                match a {
                    Answer::Choice { other, .. } => *other = None,
                    Answer::Scale(v) if i == 4 && *v > 0 => *v = 5,
                    _ => {}
                }
            }
            if i == 2 {
                r.answers.insert("A2".into(), Answer::Scale(2));
                r.answers.insert("H2".into(), Answer::Text("Chờ khám quá lâu".into()));
            }
            if i == 4 {
                r.answers.insert("H2".into(), Answer::Text("Rất hài lòng".into()));
            }
        });
        // A facility of its own: the shared demo data has comments of its own.
        add_user(&server, "phuctho", Role::Facility, Some(PHUC_THO), None);
        let slug = "trung-tam-y-te-huyen-phuc-tho";
        let mut b = Browser::new(&server);
        b.login("phuctho", PASSWORD);
        let page = b.get(&format!("/facility/{slug}"));
        assert_eq!(page.status, 200);
        assert_eq!(
            page.body.matches("Tạo hồ sơ phản ánh từ ý kiến này").count(),
            1,
            "only the unsatisfied patient's comment offers a case"
        );
        let csrf = page.hidden("csrf");
        let response = page.hidden("response");
        let path = format!("/feedback/{slug}/from-comment");
        let forged = b.post(&path, &[("csrf", "forged"), ("response", &response)]);
        assert!((400..500).contains(&forged.status), "{}", forged.status);
        assert!(
            server
                .centre
                .feedback
                .item_logs(&ItemFilter::default())
                .unwrap()
                .is_empty()
        );

        let opened = b.post(&path, &[("csrf", &csrf), ("response", &response)]);
        assert_eq!(opened.status, 303, "{}", opened.body);
        let again = b.post(&path, &[("csrf", &csrf), ("response", &response)]);
        assert_eq!(again.location(), opened.location(), "the same comment is one case");
        let code = opened.location().rsplit('/').next().unwrap().to_string();
        let id = server
            .centre
            .feedback
            .item_by_code(&ReceiptCode::parse(&code).unwrap())
            .unwrap()
            .unwrap();
        let item = feedback::load(server.centre.feedback.as_ref(), id).unwrap().unwrap();
        assert_eq!(item.submission.text, "Chờ khám quá lâu");
        assert_eq!(item.kind, Kind::Reflection);
        assert_eq!(item.submission.channel, Channel::Kiosk);
        assert_eq!(item.department.as_deref(), Some("Khoa Nhi"));
        assert!(item.due.is_some());
        assert_eq!(
            server.centre.feedback.item_logs(&ItemFilter::default()).unwrap().len(),
            1
        );

        // The province reads the facility but does not handle its feedback; a made-up response
        // id is refused by name.
        let mut province = Browser::new(&server);
        province.login("so-y-te", PASSWORD);
        let p_csrf = province.get(&format!("/facility/{slug}")).hidden("csrf");
        let refused = province.post(&path, &[("csrf", &p_csrf), ("response", &response)]);
        assert_eq!(refused.status, 403);
        let unknown = b.post(
            &path,
            &[("csrf", &csrf), ("response", &uuid::Uuid::now_v7().to_string())],
        );
        assert_eq!(unknown.status, 400);
        assert!(unknown.body.contains("không còn trong danh sách"), "{}", unknown.body);
    });
}
