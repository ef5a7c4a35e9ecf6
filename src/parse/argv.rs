//! A command's words as `shell_words` splits them (`Command::argv`), on bytes.

use std::borrow::Cow;

/// The words of a command as `shell_words::split` gives them, comment lines left out; empty
/// when a quote is left open. A line with no quote, backslash, `#`, line break or carriage
/// return is only words between spaces and tabs, which is how most commands are written.
pub fn argv_of(head: &str) -> Vec<String> {
    if !head
        .bytes()
        .any(|b| matches!(b, b'\'' | b'"' | b'\\' | b'#' | b'\n' | b'\r'))
    {
        return split_at_blanks(head);
    }
    split_words(&without_comment_lines(head)).unwrap_or_default()
}

/// [`strip_comment_lines`], without its copy when there is nothing to strip: no `#`, no
/// carriage return and no line break at the end (which `lines` would drop) leave the text
/// as it is.
fn without_comment_lines(head: &str) -> Cow<'_, str> {
    let bytes = head.as_bytes();
    if memchr::memchr2(b'#', b'\r', bytes).is_none() && bytes.last() != Some(&b'\n') {
        return Cow::Borrowed(head);
    }
    Cow::Owned(strip_comment_lines(head))
}

/// The words of `text` between spaces and tabs, on bytes (both are ASCII, so every cut is
/// on a character boundary).
fn split_at_blanks(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut start = None;
    for (i, &b) in text.as_bytes().iter().enumerate() {
        if b == b' ' || b == b'\t' {
            if let Some(s) = start.take() {
                words.push(text[s..i].to_owned());
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        words.push(text[s..].to_owned());
    }
    words
}

fn strip_comment_lines(head: &str) -> String {
    head.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What `shell_words::split` gives (`None` for its error, an open quote), copying runs of
/// ordinary bytes at once where it pushes one character at a time. Every byte it treats
/// specially is ASCII, so runs end on character boundaries.
fn split_words(text: &str) -> Option<Vec<String>> {
    let bytes = text.as_bytes();
    let mut words = Vec::new();
    let mut word = String::new();
    // A word has begun (even an empty one, `''`).
    let mut in_word = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'\t' | b'\n' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
                i += 1;
            }
            // `#` starts a comment only where a word could start.
            b'#' if !in_word => {
                i = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |k| i + k + 1);
            }
            b'\\' => match bytes.get(i + 1) {
                None => {
                    word.push('\\');
                    words.push(word);
                    return Some(words);
                }
                // A line continuation joins, and starts no word.
                Some(b'\n') => i += 2,
                Some(_) => {
                    let c = text[i + 1..].chars().next()?;
                    word.push(c);
                    in_word = true;
                    i += 1 + c.len_utf8();
                }
            },
            b'\'' => {
                let close = i + 1 + memchr::memchr(b'\'', &bytes[i + 1..])?;
                word.push_str(&text[i + 1..close]);
                in_word = true;
                i = close + 1;
            }
            b'"' => {
                i = double_quoted(text, i + 1, &mut word)?;
                in_word = true;
            }
            _ => {
                let end = bytes[i..]
                    .iter()
                    .position(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\\' | b'\'' | b'"'))
                    .map_or(bytes.len(), |k| i + k);
                word.push_str(&text[i..end]);
                in_word = true;
                i = end;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Some(words)
}

/// Reads a double-quoted string from byte `i` (after the opening quote) into `word`;
/// returns the index after the closing quote, `None` when there is none.
fn double_quoted(text: &str, mut i: usize, word: &mut String) -> Option<usize> {
    let bytes = text.as_bytes();
    loop {
        let stop = i + memchr::memchr2(b'"', b'\\', &bytes[i..])?;
        word.push_str(&text[i..stop]);
        if bytes[stop] == b'"' {
            return Some(stop + 1);
        }
        // Only `$`, `` ` ``, `"`, `\` and a line break are escaped in double quotes.
        match *bytes.get(stop + 1)? {
            b'\n' => {}
            b @ (b'$' | b'`' | b'"' | b'\\') => word.push(char::from(b)),
            _ => {
                word.push('\\');
                i = stop + 1;
                continue;
            }
        }
        i = stop + 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        #[test]
        fn split_words_is_shell_words(
            text in "([a-z0-9=./-]{1,5}|[ \t]{1,2}|é|\u{a0}|\\$|`|[|&;<>(){}*]|'|\"|\\\\|#|\n|\r){0,16}"
        ) {
            proptest::prop_assert_eq!(split_words(&text), shell_words::split(&text).ok());
        }

        #[test]
        fn argv_is_what_shell_words_gives(
            head in "([a-z0-9=./-]{1,5}|[ \t]{1,2}|é|\u{a0}|\\$|[|&;<>(){}*]|'|\"|\\\\|#|\n|\r){0,12}"
        ) {
            let want = shell_words::split(&strip_comment_lines(&head)).unwrap_or_default();
            proptest::prop_assert_eq!(argv_of(&head), want);
        }
    }

    proptest::proptest! {
        #[test]
        fn comment_lines_are_stripped_only_when_there_are_some(
            head in "([a-z ]{1,3}|#|\n|\r|\r\n|'|\"|é){0,10}"
        ) {
            proptest::prop_assert_eq!(without_comment_lines(&head), strip_comment_lines(&head));
        }
    }

    #[test]
    fn quotes_escapes_and_comments() {
        let split = |t: &str| split_words(t).unwrap();
        assert_eq!(
            split(r#"psql -c "SELECT \"x\" \$1 \n""#),
            ["psql", "-c", r#"SELECT "x" $1 \n"#]
        );
        assert_eq!(split("a 'b c'd \\ e #f\ng"), ["a", "b cd", " e", "g"]);
        assert_eq!(split("a\\\nb ''"), ["ab", ""]);
        assert_eq!(split_words("'open"), None);
        assert_eq!(split_words("\"open\\"), None);
    }
}
