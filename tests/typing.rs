//! The on-screen keyboard's Vietnamese: Telex keys in, the words a patient means out.

use hailong::kiosk::typing::{Composer, Mode, type_keys};

/// Telex keys → the word, covering every tone (s f r x j), z, every modified vowel
/// (â ă ê ô ơ ư), đ, and the modern tone placement (hoà, khoẻ, thuý).
const WORDS: &[(&str, &str)] = &[
    ("Camr own bacs six", "Cảm ơn bác sĩ"),
    ("vieetj", "việt"),
    ("dduwowcj", "được"),
    ("nguwowif", "người"),
    ("beenhj", "bệnh"),
    ("vieenj", "viện"),
    ("ddaauf", "đầu"),
    ("khoer", "khoẻ"),
    ("hoaf", "hoà"),
    ("thuys", "thuý"),
    ("quas", "quá"),
    ("giaf", "già"),
    ("tieens", "tiến"),
    ("chowf", "chờ"),
    ("ddowij", "đợi"),
    ("laau", "lâu"),
    ("sachj", "sạch"),
    ("sex", "sẽ"),
    ("toots", "tốt"),
    ("thais", "thái"),
    ("ddooj", "độ"),
    ("nhaan", "nhân"),
    ("tuyeetj", "tuyệt"),
    ("vowif", "vời"),
    ("phongf", "phòng"),
    ("khams", "khám"),
    ("thuoocs", "thuốc"),
    ("huwowngs", "hướng"),
    ("daanx", "dẫn"),
    ("raats", "rất"),
    ("haif", "hài"),
    ("longf", "lòng"),
    ("thuaanj", "thuận"),
    ("awn", "ăn"),
    ("uoongs", "uống"),
    ("nuwowcs", "nước"),
    ("giuwowngf", "giường"),
    ("chaof", "chào"),
    ("bacsz", "bac"),
    ("Vieetj Nam", "Việt Nam"),
];

#[test]
fn telex_types_real_words_with_every_tone_and_vowel() {
    let mut wrong = Vec::new();
    for (keys, word) in WORDS {
        let typed = type_keys(keys, 500);
        if typed != *word {
            wrong.push(format!("{keys:?} gave {typed:?}, expected {word:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(WORDS.len() > 30);
}

#[test]
fn delete_removes_the_last_letter_shown_not_the_last_key() {
    // "bacs" shows "bác"; Delete leaves "bá", and typing goes on from there.
    assert_eq!(type_keys("bacs<", 100), "bá");
    assert_eq!(type_keys("bacs<c", 100), "bác");
    assert_eq!(type_keys("ab <<<", 100), "");
}

#[test]
fn plain_mode_types_letters_as_they_are() {
    let mut c = Composer::new(100);
    c.set_mode(Mode::Plain);
    for ch in "bacs six".chars() {
        c.key(ch);
    }
    assert_eq!(c.text(), "bacs six");
    // Switching back keeps what is shown and types Telex again.
    c.set_mode(Mode::Telex);
    c.space();
    for ch in "toots".chars() {
        c.key(ch);
    }
    assert_eq!(c.text(), "bacs six tốt");
}

#[test]
fn the_length_limit_is_never_passed() {
    let typed = type_keys(&"a".repeat(50), 10);
    assert_eq!(typed.chars().count(), 10);
    // A tone key on a full text still applies (it adds no character).
    assert_eq!(type_keys("xin chaof", 8), "xin chào");
}
