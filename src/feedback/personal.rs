//! Whether a text meant for the public names the person who sent an item: their stored name,
//! phone number, e-mail address or receipt code, however it is written — with or without
//! diacritics, in any case, the phone with spaces, dots or a +84 prefix, the code with or
//! without its dash. A published answer must never contain one (DESIGN §9).

use super::Submission;

/// Personal data found in a text, naming what it matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// (Part of) the name and address the person gave.
    Name(String),
    /// Their phone number.
    Phone(String),
    /// Their e-mail address.
    Email(String),
    /// The item's receipt code.
    Code(String),
}

impl std::fmt::Display for Found {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Found::Name(s) => write!(f, "the sender's name or address ({s})"),
            Found::Phone(s) => write!(f, "the sender's phone number ({s})"),
            Found::Email(s) => write!(f, "the sender's e-mail address ({s})"),
            Found::Code(s) => write!(f, "the item's receipt code ({s})"),
        }
    }
}

/// Lower case, diacritics dropped (đ → d), every run of other characters one space, padded with
/// a space each side so that whole words can be found with `contains(" word ")`.
pub fn folded(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut out = String::from(" ");
    for c in text.nfd() {
        let c = match c {
            'đ' | 'Đ' => 'd',
            c if unicode_normalization::char::is_combining_mark(c) => continue,
            c => c,
        };
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    if !out.ends_with(' ') {
        out.push(' ');
    }
    out
}

/// The digits of a phone number as a subscriber's (a leading 84 country code read as 0).
fn phone_digits(phone: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    match digits.strip_prefix("84") {
        Some(rest) if digits.len() >= 11 => format!("0{rest}"),
        _ => digits,
    }
}

/// The runs of digits in `text`, joined across the spaces, dots and dashes people write
/// numbers with.
fn digit_runs(text: &str) -> Vec<String> {
    let separator = |c: char| matches!(c, ' ' | '.' | '-' | '(' | ')' | '+' | '\u{a0}');
    let chars: Vec<char> = text.chars().collect();
    let mut runs = vec![String::new()];
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_digit() {
            runs.last_mut().expect("one run").push(c);
            continue;
        }
        // Separators between digits keep the run going; anything else ends it.
        let next = chars[i..].iter().find(|c| !separator(**c));
        if separator(c) && next.is_some_and(char::is_ascii_digit) {
            continue;
        }
        if !runs.last().expect("one run").is_empty() {
            runs.push(String::new());
        }
    }
    runs.retain(|r| !r.is_empty());
    runs
}

/// The parts of a stored name and address worth looking for: each comma-, semicolon- or
/// line-separated part, and of a part of three or more words (a Vietnamese full name), its last
/// two (the name a greeting uses: "bà Thị Hoa").
fn name_parts(identity: &str) -> Vec<String> {
    let mut parts = Vec::new();
    for part in identity.split([',', ';', '\n', '(', ')', '-']) {
        let f = folded(part);
        let words: Vec<&str> = f.split_whitespace().collect();
        if words.is_empty() || (words.len() == 1 && words[0].chars().count() < 4) {
            continue;
        }
        parts.push(words.join(" "));
        if words.len() >= 3 {
            parts.push(words[words.len() - 2..].join(" "));
        }
    }
    parts
}

/// The first piece of `submission`'s personal data that `text` contains, if any.
pub fn find(text: &str, submission: &Submission) -> Option<Found> {
    let f = folded(text);
    if let Some(identity) = &submission.identity {
        for part in name_parts(identity) {
            if f.contains(&format!(" {part} ")) {
                return Some(Found::Name(part));
            }
        }
    }
    if let Some(phone) = &submission.contact.phone {
        let digits = phone_digits(phone);
        // The last nine digits: the number without its 0 or +84.
        let tail = &digits[digits.len().saturating_sub(9)..];
        if tail.len() >= 6 && digit_runs(text).iter().any(|run| phone_digits(run).contains(tail)) {
            return Some(Found::Phone(phone.clone()));
        }
    }
    if let Some(email) = &submission.contact.email {
        let lower = text.to_lowercase();
        let email_lower = email.to_lowercase();
        let local = email_lower.split('@').next().unwrap_or_default();
        if lower.contains(&email_lower) || (local.chars().count() >= 4 && lower.contains(&format!("{local}@"))) {
            return Some(Found::Email(email.clone()));
        }
    }
    let code = submission.code.as_str().to_ascii_lowercase();
    let squeezed: String = text
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if squeezed.contains(&code) {
        return Some(Found::Code(submission.code.to_string()));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feedback::{Channel, Contact, Kind, ReceiptCode};

    fn sent(identity: Option<&str>, phone: Option<&str>, email: Option<&str>) -> Submission {
        Submission {
            id: uuid::Uuid::now_v7(),
            code: ReceiptCode::parse("7KQ4MX2P").unwrap(),
            facility: "TTYT A".into(),
            channel: Channel::Web,
            kind: Kind::Reflection,
            department: None,
            text: "x".into(),
            contact: Contact {
                phone: phone.map(Into::into),
                email: email.map(Into::into),
            },
            identity: identity.map(Into::into),
            received_at: chrono::Utc::now(),
            opening: None,
            due: None,
            forward_by: None,
        }
    }

    #[test]
    fn the_greeting_that_was_published_is_caught() {
        let s = sent(Some("Trần Thị Hoa, 12 Lê Lợi"), Some("0987654321"), None);
        let reply = "Kính gửi bà Trần Thị Hoa (0987654321), bệnh viện xin cảm ơn… cháu Minh";
        assert_eq!(find(reply, &s), Some(Found::Name("tran thi hoa".into())));
        assert_eq!(
            find("Kinh gui ba TRAN THI HOA", &s),
            Some(Found::Name("tran thi hoa".into()))
        );
        assert_eq!(
            find("Cảm ơn bà Thị Hoa đã góp ý", &s),
            Some(Found::Name("thi hoa".into()))
        );
        assert_eq!(find("gửi tới số 12 Lê Lợi", &s), Some(Found::Name("12 le loi".into())));
    }

    #[test]
    fn a_phone_number_is_found_however_it_is_written() {
        let s = sent(None, Some("0987 654 321"), None);
        for text in [
            "gọi 0987654321",
            "gọi 0987.654.321",
            "gọi +84 987 654 321",
            "gọi 84-987-654-321",
            "(0987) 654-321",
        ] {
            assert_eq!(find(text, &s), Some(Found::Phone("0987 654 321".into())), "{text}");
        }
        assert_eq!(find("Phòng khám mở cửa 7 giờ, 120 lượt khám", &s), None);
    }

    #[test]
    fn an_email_and_the_receipt_code_are_found() {
        let s = sent(None, None, Some("Hoa.Tran@Example.vn"));
        assert!(matches!(
            find("trả lời qua hoa.tran@example.vn", &s),
            Some(Found::Email(_))
        ));
        assert!(matches!(find("xem mã 7kq4-mx2p", &s), Some(Found::Code(_))));
        assert!(matches!(find("xem mã 7KQ4 MX2P", &s), Some(Found::Code(_))));
    }

    #[test]
    fn a_neutral_answer_passes() {
        let s = sent(Some("Trần Thị Hoa"), Some("0987654321"), Some("hoa@example.vn"));
        let answer =
            "Người bệnh phản ánh thời gian chờ lấy thuốc lâu. Bệnh viện đã mở thêm một quầy phát thuốc từ tháng 11.";
        assert_eq!(find(answer, &s), None);
        // Words that merely contain a name part are not the name.
        let s = sent(Some("Hoa"), None, None);
        assert_eq!(find("Khoa hoá sinh", &s), None);
    }
}
