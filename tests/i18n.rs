//! Every message exists in Vietnamese and English, and every id the code uses exists.

use hailong::i18n::{has, ids, tr};
use hailong::survey::Locale;

#[test]
fn every_vietnamese_message_has_an_english_twin_and_back() {
    let vi = ids(Locale::Vi);
    let en = ids(Locale::En);
    assert!(vi.len() > 50);
    for id in &vi {
        assert!(has(Locale::En, id), "{id} is missing in i18n/en");
    }
    for id in &en {
        assert!(has(Locale::Vi, id), "{id} is missing in i18n/vi");
    }
}

#[test]
fn every_message_id_in_the_source_exists() {
    let mut missing = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for piece in text.split('"').skip(1).step_by(2) {
            let looks_like_id = ["report-", "export-", "cli-", "verify-"]
                .iter()
                .any(|p| piece.starts_with(p))
                && piece.chars().all(|c| c.is_ascii_lowercase() || c == '-');
            if looks_like_id && !has(Locale::Vi, piece) {
                missing.push(format!("{}: {piece}", path.display()));
            }
        }
    }
    assert!(missing.is_empty(), "{missing:?}");
}

#[test]
fn vietnamese_is_the_default_and_keeps_its_diacritics() {
    assert_eq!(tr(Locale::Vi, "report-verdict-not-met"), "CHƯA ĐẠT");
    assert_eq!(tr(Locale::En, "report-verdict-not-met"), "NOT MET");
}
