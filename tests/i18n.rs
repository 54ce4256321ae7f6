//! Every message exists in Vietnamese and English, and the ids the code may use (the list
//! `build.rs` made, which `id!` checks at compile time) are exactly the messages of both files.

use hailong::i18n::{IDS, has, ids, tr};
use hailong::id;
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
fn the_compile_time_id_list_is_exactly_the_messages_of_both_languages() {
    let built: Vec<String> = IDS.iter().map(|id| id.to_string()).collect();
    for locale in [Locale::Vi, Locale::En] {
        let mut in_files = ids(locale);
        in_files.sort();
        assert_eq!(built, in_files, "build.rs's list differs from i18n/{locale}");
    }
    // Sorted, without repeats: what the macro's binary search relies on.
    assert!(IDS.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn vietnamese_is_the_default_and_keeps_its_diacritics() {
    assert_eq!(tr(Locale::Vi, id!("verdict-not-met")), "Chưa đạt mục tiêu");
    assert_eq!(tr(Locale::En, id!("verdict-not-met")), "Target not met");
}
