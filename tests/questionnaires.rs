//! Built-in questionnaires are complete; malformed files are refused with file, line and field.

use hailong::survey::load::{Catalog, LoadError, parse};
use hailong::survey::{ItemKind, Locale};

#[test]
fn the_four_built_in_questionnaires_have_the_ministry_item_counts() {
    let catalog = Catalog::built_in();
    for (id, scale_items) in [
        ("byt-ngoai-tru", 31),
        ("byt-noi-tru", 36),
        ("kiosk-nhanh", 5),
        ("sipas-mot-cua", 19),
    ] {
        let q = catalog.latest(id).unwrap();
        assert_eq!(q.scale_items().count(), scale_items, "{id}");
    }
    let outpatient = catalog.latest("byt-ngoai-tru").unwrap();
    assert_eq!(
        outpatient.item("B7").unwrap().text.get(Locale::Vi),
        "Đánh giá thời gian chờ tới lượt bác sỹ khám"
    );
    assert!(matches!(
        outpatient.item("G1").unwrap().kind,
        ItemKind::Percent {
            over_100: true,
            max: 150
        }
    ));
    assert!(outpatient.item("A1").unwrap().follow_up().is_some());
    assert!(!outpatient.demographics.is_empty());
    assert!(catalog.latest("kiosk-nhanh").unwrap().demographics.is_empty());
}

#[test]
fn every_built_in_text_has_vietnamese_and_english() {
    for q in Catalog::built_in().all() {
        let mut texts = vec![&q.title];
        for s in &q.sections {
            texts.push(&s.title);
        }
        for item in q.items() {
            texts.push(&item.text);
            if let ItemKind::Choice { options } = &item.kind {
                texts.extend(options.iter().map(|o| &o.text));
            }
            if let Some(f) = item.follow_up() {
                texts.push(&f.prompt);
                texts.extend(f.reasons.iter().map(|o| &o.text));
            }
        }
        for t in texts {
            assert!(!t.vi.trim().is_empty(), "{}: empty Vietnamese text", q.id);
            assert!(
                t.en.as_deref().is_some_and(|e| !e.trim().is_empty()),
                "{}: no English for {}",
                q.id,
                t.vi
            );
        }
    }
}

const GOOD: &str = r#"id = "thu-nghiem"
version = 1
title = { vi = "Thử nghiệm", en = "Test" }

[[sections]]
code = "A"
title = { vi = "Phần A", en = "Part A" }

[[sections.items]]
code = "A1"
kind = "scale5"
text = { vi = "Câu một", en = "One" }

[[sections.items]]
code = "A2"
kind = "scale5"
text = { vi = "Câu hai", en = "Two" }
"#;

fn invalid(source: &str) -> (usize, String, String) {
    match parse("thu-nghiem.toml", source).unwrap_err() {
        LoadError::Invalid {
            file,
            line,
            field,
            message,
        } => {
            assert_eq!(file, "thu-nghiem.toml");
            (line, field, message)
        }
        other => panic!("expected a positioned error, got {other}"),
    }
}

#[test]
fn a_valid_facility_file_loads() {
    let q = parse("thu-nghiem.toml", GOOD).unwrap();
    assert_eq!(q.scale_items().count(), 2);
}

#[test]
fn a_duplicate_code_names_its_line_and_the_first_use() {
    let (line, field, message) = invalid(&GOOD.replace("code = \"A2\"", "code = \"A1\""));
    assert_eq!(line, 15);
    assert_eq!(field, "sections[0].items[1].code");
    assert!(
        message.contains("duplicate code `A1`") && message.contains("line 10"),
        "{message}"
    );
}

#[test]
fn an_unknown_kind_names_the_field() {
    let (line, field, message) = invalid(&GOOD.replace(
        "kind = \"scale5\"\ntext = { vi = \"Câu hai\"",
        "kind = \"scale7\"\ntext = { vi = \"Câu hai\"",
    ));
    assert_eq!(line, 16);
    assert_eq!(field, "sections[0].items[1].kind");
    assert!(message.contains("scale7"), "{message}");
}

#[test]
fn missing_vietnamese_text_is_refused() {
    let (line, field, message) =
        invalid(&GOOD.replace("text = { vi = \"Câu hai\", en = \"Two\" }", "text = { en = \"Two\" }"));
    assert_eq!(line, 17);
    assert_eq!(field, "sections[0].items[1].text");
    assert!(message.contains("vi"), "{message}");
}

#[test]
fn an_empty_section_is_refused() {
    let source = format!("{GOOD}\n[[sections]]\ncode = \"B\"\ntitle = {{ vi = \"Phần B\" }}\n");
    let (line, field, message) = invalid(&source);
    assert_eq!(line, 20);
    assert_eq!(field, "sections[1].items");
    assert!(message.contains("no items"), "{message}");
}

#[test]
fn a_syntax_error_names_its_line() {
    let (line, field, _) = invalid(&GOOD.replace("version = 1", "version = = 1"));
    assert_eq!(line, 2);
    assert_eq!(field, "(syntax)");
}

#[test]
fn an_unknown_field_is_refused_rather_than_ignored() {
    let (line, field, message) = invalid(&GOOD.replace(
        "kind = \"scale5\"\ntext = { vi = \"Câu một\"",
        "kind = \"scale5\"\nnot_usd = true\ntext = { vi = \"Câu một\"",
    ));
    assert_eq!(line, 12);
    assert_eq!(field, "sections[0].items[0].not_usd");
    assert!(message.contains("not_usd"), "{message}");
}

#[test]
fn a_facility_file_may_not_change_a_built_in_questionnaire_without_a_new_version() {
    let dir = tempfile::tempdir().unwrap();
    let built_in = hailong::survey::load::BUILT_IN[0].1;
    let changed = built_in.replace("Khảo sát nhanh sự hài lòng", "Khảo sát nhanh (đã sửa)");
    std::fs::write(dir.path().join("kiosk-nhanh.toml"), &changed).unwrap();
    let err = Catalog::load(dir.path()).unwrap_err();
    assert!(matches!(err, LoadError::Conflict { .. }), "{err}");
    assert!(
        err.to_string().contains("kiosk-nhanh@1") && err.to_string().contains("new version"),
        "{err}"
    );

    std::fs::write(
        dir.path().join("kiosk-nhanh.toml"),
        changed.replace("version = 1", "version = 2"),
    )
    .unwrap();
    let catalog = Catalog::load(dir.path()).unwrap();
    assert_eq!(catalog.latest("kiosk-nhanh").unwrap().version, 2);
    assert_eq!(
        catalog.get("kiosk-nhanh", 1).unwrap().title.vi,
        "Khảo sát nhanh sự hài lòng"
    );
}

#[test]
fn a_percent_answer_is_bounded_by_its_items_own_maximum() {
    use hailong::survey::{Answer, Response};
    let catalog = Catalog::built_in();
    let q = catalog.latest("byt-ngoai-tru").unwrap();
    let answer = |v: u16| {
        let now = chrono::Utc::now();
        let r = Response {
            id: hailong::survey::ResponseId::new(),
            questionnaire_id: q.id.clone(),
            questionnaire_version: q.version,
            department: None,
            locale: Locale::Vi,
            started_at: now,
            submitted_at: now,
            status: hailong::survey::Status::Complete,
            rapid_repeat: false,
            answers: [("G1".to_string(), Answer::Percent(v))].into(),
            channel: None,
            point: None,
            repeat_device: false,
        };
        r.validate(q)
    };
    assert!(answer(110).is_ok(), "the kiosk's \"over 100 %\"");
    assert!(answer(150).is_ok(), "G1's own maximum");
    let refused = answer(200).unwrap_err().to_string();
    assert!(refused.contains("between 0 and 150"), "{refused}");
}
