//! Small text helpers shared by the command line and the centre.

/// Up to `n` of `known` that look like `typed` (ignoring case), closest first: what a command
/// suggests when a name it was given matches nothing.
pub fn close_matches<'a>(typed: &str, known: impl IntoIterator<Item = &'a str>, n: usize) -> Vec<String> {
    let typed = typed.to_lowercase();
    let mut scored: Vec<(f64, &str)> = known
        .into_iter()
        .map(|k| (strsim::normalized_damerau_levenshtein(&typed, &k.to_lowercase()), k))
        .filter(|(score, k)| *score >= 0.5 || k.to_lowercase().contains(&typed))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(n).map(|(_, k)| k.to_string()).collect()
}

/// A name as a web address part: lower case ASCII letters and digits joined by `-`, with
/// Vietnamese diacritics dropped (`Trung tâm Y tế huyện Ba Vì` → `trung-tam-y-te-huyen-ba-vi`).
pub fn slug(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut out = String::new();
    let mut gap = false;
    for c in name.nfd() {
        let c = match c {
            'đ' | 'Đ' => 'd',
            c if unicode_normalization::char::is_combining_mark(c) => continue,
            c => c.to_ascii_lowercase(),
        };
        if c.is_ascii_alphanumeric() {
            if gap && !out.is_empty() {
                out.push('-');
            }
            gap = false;
            out.push(c);
        } else {
            gap = true;
        }
    }
    out
}

/// A text as a CSV cell that a spreadsheet will not run: one beginning with `=`, `+`, `-`, `@`,
/// a tab or a carriage return gets a leading `'` (OWASP's advice on CSV injection), so a
/// comment such as `=HYPERLINK(…)` shows as the text it is. Every CSV the project writes puts
/// its text cells through this; numbers are written by the program and need not.
pub fn csv_cell(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn csv_cells_cannot_be_formulas() {
        for (text, cell) in [
            ("=1+1", "'=1+1"),
            ("+84 987", "'+84 987"),
            ("-2", "'-2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=cmd", "'\t=cmd"),
            ("\r=cmd", "'\r=cmd"),
            ("Bác sĩ = tốt", "Bác sĩ = tốt"),
            ("", ""),
        ] {
            assert_eq!(super::csv_cell(text), cell);
        }
    }

    use super::*;

    #[test]
    fn slugs_drop_diacritics_and_punctuation() {
        assert_eq!(slug("Trung tâm Y tế huyện Ba Vì"), "trung-tam-y-te-huyen-ba-vi");
        assert_eq!(slug("TTYT Đan Phượng (cơ sở 2)"), "ttyt-dan-phuong-co-so-2");
        assert_eq!(slug("  Mỹ Đức  "), "my-duc");
        assert_eq!(slug("<script>"), "script");
    }

    #[test]
    fn a_typo_finds_the_name_it_was_meant_to_be() {
        let known = ["TTYT Ba Vì", "TTYT Mỹ Đức", "TTYT Ba Vì", "Bệnh viện Nhi"];
        assert_eq!(close_matches("TTYT Ba Vi", known, 3)[0], "TTYT Ba Vì");
        assert_eq!(close_matches("ttyt my duc", known, 3)[0], "TTYT Mỹ Đức");
        assert!(close_matches("Sở Y tế Hà Nội", known, 3).is_empty());
        // Each name once.
        assert_eq!(
            close_matches("TTYT Ba", known, 3)
                .iter()
                .filter(|k| *k == "TTYT Ba Vì")
                .count(),
            1
        );
    }
}
