//! What the `regex` crate's `\w` and `\s` match on ASCII text, for the places that read a
//! regex's matches by hand on ASCII input (property-tested against the regex each mirrors).

/// `\w` on an ASCII byte: a letter, a digit or `_`.
pub(crate) fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// `\s` on an ASCII byte. Unlike `u8::is_ascii_whitespace`, it includes the vertical tab.
pub(crate) fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_are_the_regex_classes_on_ascii() {
        let word = regex::Regex::new(r"^\w$").unwrap();
        let space = regex::Regex::new(r"^\s$").unwrap();
        for b in 0..0x80u8 {
            let text = char::from(b).to_string();
            assert_eq!(is_word(b), word.is_match(&text), "{b:#x}");
            assert_eq!(is_space(b), space.is_match(&text), "{b:#x}");
        }
    }
}
