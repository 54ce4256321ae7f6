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

#[test]
fn every_literal_id_passed_to_tr_exists_in_both_languages() {
    let mut checked = 0;
    let mut missing = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for call in ["tr(", "tr_args("] {
            for (at, _) in text.match_indices(call) {
                let before = text[..at].chars().next_back().unwrap_or(' ');
                if before.is_alphanumeric() || before == '_' {
                    continue; // attr(, str(…
                }
                // The id is the literal after the first comma: tr(locale, "welcome-start").
                let rest = &text[at + call.len()..];
                let Some((_, after)) = rest.split_once(',') else {
                    continue;
                };
                let Some(literal) = after.trim_start().strip_prefix('"') else {
                    continue;
                };
                let Some((id, _)) = literal.split_once('"') else {
                    continue;
                };
                if !id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                {
                    continue;
                }
                checked += 1;
                for locale in [Locale::Vi, Locale::En] {
                    if !has(locale, id) {
                        missing.push(format!("{}: {id} ({locale})", path.display()));
                    }
                }
            }
        }
    }
    // The face words are looked up as scale-1 … scale-5.
    for v in 1..=5 {
        assert!(has(Locale::Vi, &format!("scale-{v}")) && has(Locale::En, &format!("scale-{v}")));
    }
    assert!(checked > 40, "only {checked} ids found: the scan is broken");
    assert!(missing.is_empty(), "{missing:?}");
}
