//! Receipt codes: what a person is given to follow an item (`7KQ4-MX2P`), short enough to read
//! out on the phone and type on a kiosk, without the letters and digits people confuse (0/O,
//! 1/I/L, U/V).

use std::fmt;

use rand::Rng;
use serde::{Deserialize, Serialize};

const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTWXYZ";
const LEN: usize = 8;

/// A receipt code: 8 symbols of a 29-letter alphabet (about 39 bits), shown as two groups of four.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReceiptCode(String);

impl ReceiptCode {
    /// A new random code.
    pub fn new() -> ReceiptCode {
        let mut rng = rand::rng();
        ReceiptCode(
            (0..LEN)
                .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
                .collect(),
        )
    }

    /// Reads a code as a person types it: any case, with or without the dash or spaces, the
    /// confusable letters read as the digits they look like (O → 0 is not in the alphabet, so
    /// such a code is simply not found).
    pub fn parse(text: &str) -> Option<ReceiptCode> {
        let symbols: String = text
            .chars()
            .filter(|c| !matches!(c, '-' | ' ' | '\u{a0}'))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        (symbols.len() == LEN && symbols.bytes().all(|b| ALPHABET.contains(&b))).then_some(ReceiptCode(symbols))
    }

    /// The code without its dash, as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for ReceiptCode {
    fn default() -> Self {
        ReceiptCode::new()
    }
}

impl fmt::Display for ReceiptCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", &self.0[..4], &self.0[4..])
    }
}

impl TryFrom<String> for ReceiptCode {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        ReceiptCode::parse(&s).ok_or_else(|| format!("{s:?} is not a receipt code"))
    }
}

impl From<ReceiptCode> for String {
    fn from(c: ReceiptCode) -> String {
        c.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back_as_typed() {
        for _ in 0..100 {
            let code = ReceiptCode::new();
            let shown = code.to_string();
            assert_eq!(shown.len(), 9);
            assert_eq!(ReceiptCode::parse(&shown), Some(code.clone()));
            assert_eq!(ReceiptCode::parse(&shown.to_lowercase()), Some(code.clone()));
            assert_eq!(ReceiptCode::parse(&shown.replace('-', " ")), Some(code));
        }
        assert_eq!(ReceiptCode::parse("ABCD-EFG"), None);
        assert_eq!(ReceiptCode::parse("ABCD-EFG0"), None);
        assert_eq!(ReceiptCode::parse("<script>"), None);
    }
}
