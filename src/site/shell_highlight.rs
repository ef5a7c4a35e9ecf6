//! A small, fast highlighter for shell and console code, the bulk of every runbook. syntect's
//! bash grammar on its pure-Rust regex engine spent 85% of a site build on these blocks; this
//! single pass emits the same CSS classes the syntect themes style (`hl-comment`,
//! `hl-string`, ...), so one stylesheet serves both.

use super::escape::{push_html, push_span as span};

const KEYWORDS: &[&str] = &[
    "if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac",
    "in", "function", "select", "time", "!",
];

/// Highlighted HTML for shell code. Stripping the tags and unescaping gives back `code`.
pub fn highlight(code: &str) -> String {
    let mut out = String::with_capacity(code.len() * 2);
    let bytes = code.as_bytes();
    let mut i = 0;
    // At the start of a simple command (the next word is the program).
    let mut command_position = true;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\n' => {
                out.push('\n');
                // A line ending in `\` continues the command.
                command_position = !code[..i].ends_with('\\');
                i += 1;
            }
            b' ' | b'\t' | b'\r' => {
                out.push(c as char);
                i += 1;
            }
            b'#' if i == 0 || bytes[i - 1].is_ascii_whitespace() => {
                let end = code[i..].find('\n').map_or(code.len(), |n| i + n);
                span(&mut out, "hl-comment", &code[i..end]);
                i = end;
            }
            b'\'' => {
                let end = code[i + 1..].find('\'').map_or(code.len(), |n| i + n + 2);
                span(&mut out, "hl-string", &code[i..end]);
                i = end;
                command_position = false;
            }
            b'"' => {
                i = double_quoted(code, i, &mut out);
                command_position = false;
            }
            b'$' => {
                i = dollar(code, i, &mut out);
                command_position = false;
            }
            b'|' | b'&' | b';' | b'<' | b'>' | b'(' | b')' => {
                let start = i;
                while i < bytes.len()
                    && matches!(bytes[i], b'|' | b'&' | b';' | b'<' | b'>' | b'(' | b')')
                {
                    i += 1;
                }
                // `2>&1`: the descriptor digit after `&` belongs to the operator.
                while i < bytes.len() && bytes[i].is_ascii_digit() && code[start..i].ends_with('&')
                {
                    i += 1;
                }
                let op = &code[start..i];
                span(&mut out, "hl-keyword hl-operator", op);
                command_position = !op.contains(['<', '>']);
            }
            _ => {
                let start = i;
                while i < bytes.len() && !is_break(bytes[i]) {
                    i += 1;
                }
                if i == start {
                    // A character no rule above claims (a lone `\` before a newline, say).
                    let ch = code[i..].chars().next().map_or(1, char::len_utf8);
                    push_html(&mut out, &code[i..i + ch]);
                    i += ch;
                    continue;
                }
                let word = &code[start..i];
                // The cheap test first: only a word in command position can be a keyword.
                let class = if command_position && KEYWORDS.contains(&word) {
                    Some("hl-keyword")
                } else if command_position && is_assignment(word) {
                    None
                } else if command_position {
                    command_position = matches!(
                        word,
                        "sudo" | "env" | "nohup" | "exec" | "xargs" | "watch" | "timeout"
                    );
                    Some("hl-support hl-function")
                } else if word.starts_with('-') {
                    Some("hl-variable hl-parameter")
                } else if word.bytes().all(|b| b.is_ascii_digit()) {
                    Some("hl-constant hl-numeric")
                } else {
                    None
                };
                match class {
                    Some(class) => span(&mut out, class, word),
                    None => push_html(&mut out, word),
                }
            }
        }
    }
    out
}

fn is_break(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t'
            | b'\r'
            | b'\n'
            | b'\''
            | b'"'
            | b'$'
            | b'|'
            | b'&'
            | b';'
            | b'<'
            | b'>'
            | b'('
            | b')'
    )
}

fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    })
}

/// `"..."` with the variables inside marked; returns the index after the closing quote.
fn double_quoted(code: &str, start: usize, out: &mut String) -> usize {
    let bytes = code.as_bytes();
    out.push_str("<span class=\"hl-string\">\"");
    let mut i = start + 1;
    let mut plain = i;
    while i < bytes.len() && bytes[i] != b'"' {
        match bytes[i] {
            // Skip the escaped character whole (it may be several bytes long).
            b'\\' => i += 1 + code[i + 1..].chars().next().map_or(0, char::len_utf8),
            b'$' => {
                push_html(out, &code[plain..i]);
                i = dollar(code, i, out);
                plain = i;
            }
            _ => i += 1,
        }
    }
    push_html(out, &code[plain..i]);
    if i < bytes.len() {
        out.push('"');
        i += 1;
    }
    out.push_str("</span>");
    i
}

/// `$NAME`, `${...}` or a lone `$` / `$(`; returns the index after it.
fn dollar(code: &str, start: usize, out: &mut String) -> usize {
    let bytes = code.as_bytes();
    let mut i = start + 1;
    if bytes.get(i) == Some(&b'{') {
        i = code[i..].find('}').map_or(code.len(), |n| i + n + 1);
    } else {
        while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
            i += 1;
        }
        if i == start + 1
            && bytes
                .get(i)
                .is_some_and(|b| matches!(b, b'?' | b'@' | b'*' | b'#' | b'!' | b'$' | b'-'))
        {
            i += 1;
        }
    }
    if i == start + 1 {
        push_html(out, "$");
    } else {
        span(out, "hl-variable", &code[start..i]);
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::escape::text_of;

    #[test]
    fn random_shell_text_never_panics_and_keeps_its_text() {
        let pieces = [
            "a", " ", "\n", "'", "\"", "$", "{", "}", "(", ")", "|", "&", ";", "<", ">", "#", "\\",
            "-n", "é", "日", "2", "=", "\t",
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..5000 {
            let mut code = String::new();
            for _ in 0..24 {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1);
                code.push_str(pieces[(state >> 33) as usize % pieces.len()]);
            }
            assert_eq!(text_of(&highlight(&code)), code);
        }
    }

    #[test]
    fn classes_for_the_parts_of_a_command() {
        let html = highlight("kubectl get pods -n \"$NS\" | grep -c Running # count\n");
        assert!(
            html.starts_with("<span class=\"hl-support hl-function\">kubectl</span>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-variable hl-parameter\">-n</span>"),
            "{html}"
        );
        assert!(
            html.contains(
                "<span class=\"hl-string\">\"<span class=\"hl-variable\">$NS</span>\"</span>"
            ),
            "{html}"
        );
        assert!(html.contains("<span class=\"hl-keyword hl-operator\">|</span> <span class=\"hl-support hl-function\">grep</span>"), "{html}");
        assert!(
            html.contains("<span class=\"hl-comment\"># count</span>"),
            "{html}"
        );
    }

    #[test]
    fn text_is_preserved_exactly_and_escaped() {
        let cases = [
            "echo '<b>' \"a & b\" > /tmp/x 2>&1",
            "for p in $(kubectl get pods -o name); do\n  kubectl delete \"$p\" --force\ndone",
            "curl -d '{\n  \"a\": 1\n}' \\\n  https://x/api?a=1&b=2",
            "X=1 ${Y:-2} $? $ é # ü <tag>",
            "cat <<'EOF'\nliteral $HOME\nEOF",
            "unclosed \"quote $A",
            "unclosed 'single",
            "echo \"\\é \\\" done\"",
            "echo \"ends with backslash \\",
        ];
        for code in cases {
            let html = highlight(code);
            assert_eq!(text_of(&html), code, "{html}");
            assert!(!html.contains("<b>") && !html.contains("<tag>"), "{html}");
        }
    }
}
