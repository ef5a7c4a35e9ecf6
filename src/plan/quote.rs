//! The one quoting function of generated scripts, and the two filters that prepare document
//! text for a terminal or for a comment line. Every piece of document text that a script
//! prints or runs goes through [`quote`]: it becomes one single-quoted bash word, so nothing
//! in it (`$(...)`, backquotes, `%`, `\`, a leading `-e`) is ever interpreted.

/// Quotes `text` as one bash word that expands to exactly `text`.
///
/// Single quotes suspend every expansion in bash; the only character that cannot appear
/// inside them is `'` itself, written as `'\''` (close, escaped quote, reopen). A NUL byte
/// cannot be part of a bash string at all, so it becomes U+FFFD.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    quote_into(&mut out, text);
    out
}

/// [`quote`], appended to `out`. Works on bytes: `'` and NUL are ASCII, so they never occur
/// inside a multi-byte character, and the runs between them are copied whole instead of
/// one character at a time (plans quote about 12 KB of text per runbook).
pub fn quote_into(out: &mut String, text: &str) {
    out.push('\'');
    // One pass that does not stop early (so it vectorises) finds which of the two occur.
    let (quotes, nul) = text.bytes().fold((false, false), |(quotes, nul), b| {
        (quotes | (b == b'\''), nul | (b == 0))
    });
    if !quotes && !nul {
        out.push_str(text);
        out.push('\'');
        return;
    }
    if !nul {
        // Commands often hold quotes; `split` finds them with a fast byte search.
        for (i, part) in text.split('\'').enumerate() {
            if i > 0 {
                out.push_str("'\\''");
            }
            out.push_str(part);
        }
        out.push('\'');
        return;
    }
    let mut last = 0;
    for (i, &b) in text.as_bytes().iter().enumerate() {
        let replacement = match b {
            b'\'' => "'\\''",
            0 => "\u{fffd}",
            _ => continue,
        };
        out.push_str(&text[last..i]);
        out.push_str(replacement);
        last = i + 1;
    }
    out.push_str(&text[last..]);
    out.push('\'');
}

/// True when `text` holds no byte that [`one_line`] or [`multi_line`] would change: no ASCII
/// control character (tab and line breaks included) and no C1 control (U+0080 to U+009F,
/// encoded as 0xC2 0x80..=0x9F; 0xC2 never occurs inside another character's encoding).
fn plain(text: &str) -> bool {
    let bytes = text.as_bytes();
    // First a pass that does not stop early and so vectorises; it also turns away every
    // 0xC2 (U+0080..U+00BF), which the exact test below then looks at.
    if bytes
        .iter()
        .fold(true, |ok, &b| ok & (b >= 0x20) & (b != 0x7f) & (b != 0xc2))
    {
        return true;
    }
    bytes.iter().enumerate().all(|(i, &b)| {
        b >= 0x20
            && b != 0x7f
            && (b != 0xc2
                || bytes
                    .get(i + 1)
                    .is_none_or(|&next| !(0x80..=0x9f).contains(&next)))
    })
}

/// Document text for one line of terminal output: control characters (which could move the
/// cursor or retitle the terminal) become U+FFFD, line breaks and tabs become spaces.
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    one_line_into(&mut out, text);
    out
}

/// [`one_line`], appended to `out`; most text has nothing to replace and is copied whole.
pub fn one_line_into(out: &mut String, text: &str) {
    let text = text.trim();
    if plain(text) {
        out.push_str(text);
        return;
    }
    out.extend(text.chars().map(|ch| match ch {
        '\n' | '\r' | '\t' => ' ',
        c if c.is_control() => char::REPLACEMENT_CHARACTER,
        c => c,
    }));
}

/// Document text for several lines of terminal output: like [`one_line`] but line breaks stay.
///
/// What `text.lines()` joined by `\n` gives: one final line break dropped, every `\r` dropped
/// (`\r\n` endings and stray ones alike), tabs as spaces, other controls as U+FFFD.
pub fn multi_line(text: &str) -> String {
    let text = text.strip_suffix('\n').unwrap_or(text);
    if plain_lines(text) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '\r' => {}
            '\n' => out.push('\n'),
            '\t' => out.push(' '),
            c if c.is_control() => out.push(char::REPLACEMENT_CHARACTER),
            c => out.push(c),
        }
    }
    out
}

/// [`plain`], except that line feeds are allowed.
fn plain_lines(text: &str) -> bool {
    text.split('\n').all(plain)
}

/// Document text as comment lines of a script: every line starts with `#   | `, so no line of
/// the text can end the comment, and none can read as a `# shellcheck` directive.
pub fn comment_block(text: &str) -> String {
    let mut out = String::new();
    comment_block_into(&mut out, text);
    out
}

/// [`comment_block`], appended to `out`.
pub fn comment_block_into(out: &mut String, text: &str) {
    for line in multi_line(text).lines() {
        out.push_str("#   | ");
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_as_one_literal_word() {
        assert_eq!(quote(""), "''");
        assert_eq!(quote("plain"), "'plain'");
        assert_eq!(quote("it's"), "'it'\\''s'");
        assert_eq!(quote("$(touch /tmp/pwned)"), "'$(touch /tmp/pwned)'");
        assert_eq!(quote("a\nb"), "'a\nb'");
        assert_eq!(quote("nul\0"), "'nul\u{fffd}'");
    }

    #[test]
    fn display_filters_remove_control_characters() {
        assert_eq!(
            one_line(" a\tb\nc\u{1b}]0;x\u{7} "),
            "a b c\u{fffd}]0;x\u{fffd}"
        );
        assert_eq!(multi_line("a\u{1b}[2J\nb\r"), "a\u{fffd}[2J\nb");
    }

    #[test]
    fn comment_lines_cannot_escape_or_become_directives() {
        assert_eq!(
            comment_block("shellcheck disable=SC2086\n$(rm -rf /)\n"),
            "#   | shellcheck disable=SC2086\n#   | $(rm -rf /)\n"
        );
        assert_eq!(comment_block(""), "");
    }

    /// Runs `script` with bash, the extra arguments as `$1`...; returns stdout.
    fn bash(script: &str, args: &[&str]) -> String {
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(script)
            .arg("bash")
            .args(args)
            .output()
            .expect("run bash");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    }

    /// Arbitrary strings, and strings made only of characters that mean something to bash.
    fn shellish() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let special = vec![
            '$', '`', '\'', '"', '\\', '\n', '%', '-', 'e', '(', ')', ';', '|', '&', '<', '>', '*',
            '?', '[', ']', '{', '}', '~', '#', '!', ' ', '\t', '\r', 'é', '\u{1b}', '=',
        ];
        prop_oneof![
            any::<String>(),
            proptest::collection::vec(proptest::sample::select(special), 0..40)
                .prop_map(|chars| chars.into_iter().collect::<String>()),
        ]
    }

    /// The first, character-by-character versions of the filters: the byte-wise ones above
    /// must give exactly what these gave, since every plan's bytes depend on them.
    fn reference_quote(text: &str) -> String {
        let mut out = String::from('\'');
        for ch in text.chars() {
            match ch {
                '\'' => out.push_str("'\\''"),
                '\0' => out.push(char::REPLACEMENT_CHARACTER),
                _ => out.push(ch),
            }
        }
        out.push('\'');
        out
    }

    fn reference_one_line(text: &str) -> String {
        text.trim()
            .chars()
            .map(|ch| match ch {
                '\n' | '\r' | '\t' => ' ',
                c if c.is_control() => char::REPLACEMENT_CHARACTER,
                c => c,
            })
            .collect()
    }

    fn reference_multi_line(text: &str) -> String {
        text.lines()
            .map(|line| {
                line.chars()
                    .filter(|&ch| ch != '\r')
                    .map(|ch| match ch {
                        '\t' => ' ',
                        c if c.is_control() => char::REPLACEMENT_CHARACTER,
                        c => c,
                    })
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn filters_match_the_reference_at_the_edges() {
        for text in [
            "",
            "\n",
            "\n\n",
            "a\n",
            "a\n\n",
            "a\r",
            "a\r\n",
            "\r\n\r\n",
            "a\rb\n",
            " \u{85} ",
            "\u{80}\u{9f}\u{a0}",
            "é\u{7f}x",
            "'\0'",
            "\t lead",
            "trail \t",
        ] {
            assert_eq!(quote(text), reference_quote(text), "{text:?}");
            assert_eq!(one_line(text), reference_one_line(text), "{text:?}");
            assert_eq!(multi_line(text), reference_multi_line(text), "{text:?}");
        }
    }

    /// Arbitrary strings, and strings made of the characters the filters treat specially.
    fn filter_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let special = vec![
            'a', ' ', '\t', '\n', '\r', '\0', '\'', '\u{1b}', '\u{7f}', '\u{80}', '\u{85}',
            '\u{9f}', '\u{a0}', '\u{2028}', 'é', '\u{c2}', '\u{3000}',
        ];
        prop_oneof![
            any::<String>(),
            proptest::collection::vec(proptest::sample::select(special), 0..40)
                .prop_map(|chars| chars.into_iter().collect::<String>()),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// Any string (bash strings cannot hold NUL) comes back unchanged through `eval`,
        /// both as an assignment and as a command argument, and runs nothing.
        /// The byte-wise filters give what the character-wise ones gave.
        #[test]
        fn filters_match_the_reference(text in filter_text()) {
            proptest::prop_assert_eq!(quote(&text), reference_quote(&text));
            proptest::prop_assert_eq!(one_line(&text), reference_one_line(&text));
            proptest::prop_assert_eq!(multi_line(&text), reference_multi_line(&text));
        }

        #[test]
        fn eval_round_trip(text in shellish()) {
            let text = text.replace('\0', "");
            let quoted = quote(&text);
            let script = r#"eval "x=$1"; printf '%s|' "$x"; eval "printf '%s' $1""#;
            let out = bash(script, &[&quoted]);
            proptest::prop_assert_eq!(out, format!("{text}|{text}"));
        }
    }
}
