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
    out.push('\'');
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

/// Document text for one line of terminal output: control characters (which could move the
/// cursor or retitle the terminal) become U+FFFD, line breaks and tabs become spaces.
pub fn one_line(text: &str) -> String {
    text.trim()
        .chars()
        .map(|ch| match ch {
            '\n' | '\r' | '\t' => ' ',
            c if c.is_control() => char::REPLACEMENT_CHARACTER,
            c => c,
        })
        .collect()
}

/// Document text for several lines of terminal output: like [`one_line`] but line breaks stay.
pub fn multi_line(text: &str) -> String {
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

/// Document text as comment lines of a script: every line starts with `#   | `, so no line of
/// the text can end the comment, and none can read as a `# shellcheck` directive.
pub fn comment_block(text: &str) -> String {
    let mut out = String::new();
    for line in multi_line(text).lines() {
        out.push_str("#   | ");
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
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

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// Any string (bash strings cannot hold NUL) comes back unchanged through `eval`,
        /// both as an assignment and as a command argument, and runs nothing.
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
