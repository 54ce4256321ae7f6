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

#[cfg(test)]
mod tests {
    use super::*;

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
