//! Small single-pass highlighters for the SQL, YAML and JSON snippets runbooks carry (a
//! query to run in psql, a manifest to apply, a response to expect). syntect's grammars for
//! these cost about 20 µs a line, 15% of a 10,000-runbook build for 6% of its lines; these
//! emit the classes the syntect themes already style (`hl-keyword`, `hl-string`,
//! `hl-comment`, `hl-constant`, `hl-entity`...), so the one stylesheet serves them too.
//! Like `shell_highlight`, stripping the tags and unescaping gives back the code.

use super::escape::{push_html, push_span as span};

/// Which of these highlighters handles `lang` (lower-case fence language), if any.
pub fn for_lang(lang: &str) -> Option<fn(&str) -> String> {
    match lang {
        "sql" | "psql" | "postgres" | "postgresql" | "mysql" | "pgsql" | "plpgsql" => Some(sql),
        "yaml" | "yml" => Some(yaml),
        "json" | "jsonc" | "json5" => Some(json),
        _ => None,
    }
}

const SQL_KEYWORDS: &[&str] = &[
    "add",
    "all",
    "alter",
    "analyze",
    "and",
    "as",
    "asc",
    "begin",
    "between",
    "by",
    "cascade",
    "case",
    "check",
    "column",
    "commit",
    "constraint",
    "create",
    "database",
    "default",
    "delete",
    "desc",
    "distinct",
    "drop",
    "else",
    "end",
    "exists",
    "explain",
    "from",
    "full",
    "grant",
    "group",
    "having",
    "if",
    "in",
    "index",
    "inner",
    "insert",
    "into",
    "is",
    "join",
    "key",
    "left",
    "like",
    "limit",
    "not",
    "null",
    "offset",
    "on",
    "or",
    "order",
    "outer",
    "primary",
    "references",
    "returning",
    "revoke",
    "right",
    "rollback",
    "schema",
    "select",
    "set",
    "table",
    "then",
    "to",
    "transaction",
    "truncate",
    "union",
    "unique",
    "update",
    "using",
    "vacuum",
    "values",
    "view",
    "when",
    "where",
    "with",
];

/// Longest word of `SQL_KEYWORDS`.
const SQL_KEYWORD_MAX: usize = 11;

/// True when `word`, lower-cased, is one of `SQL_KEYWORDS`: lower-cased into a buffer on the
/// stack and searched for in the sorted list, where a lower-cased copy of every word of a
/// query was allocated and compared with each keyword in turn. (The test of `sql` checks
/// the list is sorted and no word is longer than `SQL_KEYWORD_MAX`.)
fn is_sql_keyword(word: &str) -> bool {
    if word.len() > SQL_KEYWORD_MAX {
        return false;
    }
    let mut buffer = [0u8; SQL_KEYWORD_MAX];
    let lower = &mut buffer[..word.len()];
    lower.copy_from_slice(word.as_bytes());
    lower.make_ascii_lowercase();
    SQL_KEYWORDS
        .binary_search_by(|k| k.as_bytes().cmp(lower))
        .is_ok()
}

/// Highlighted HTML for SQL (and psql `\` meta-commands).
pub fn sql(code: &str) -> String {
    let mut out = String::with_capacity(code.len() * 2);
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'-' && bytes.get(i + 1) == Some(&b'-') {
            i = span_to_line_end(code, i, "hl-comment", &mut out);
        } else if c == b'\'' || c == b'"' {
            let class = if c == b'\'' {
                "hl-string"
            } else {
                "hl-variable"
            };
            i = quoted(code, i, c, class, &mut out);
        } else if c == b'\\' && (i == 0 || bytes[i - 1] == b'\n') {
            // A psql meta-command (`\dt`, `\c parcels`) runs to the end of its line.
            i = span_to_line_end(code, i, "hl-keyword", &mut out);
        } else if c.is_ascii_digit() && (i == 0 || !is_word(bytes[i - 1])) {
            let end = scan(bytes, i, |b| b.is_ascii_digit() || b == b'.');
            i = word_span(code, i, end, "hl-constant hl-numeric", &mut out);
        } else if is_word(c) {
            let end = scan(bytes, i, is_word);
            let word = &code[i..end];
            let class = if is_sql_keyword(word) {
                "hl-keyword"
            } else if bytes.get(end) == Some(&b'(') {
                "hl-support hl-function"
            } else {
                ""
            };
            i = word_span(code, i, end, class, &mut out);
        } else {
            i = push_char(code, i, &mut out);
        }
    }
    out
}

/// Highlighted HTML for YAML: keys, scalars, comments, anchors and document markers.
pub fn yaml(code: &str) -> String {
    let mut out = String::with_capacity(code.len() * 2);
    for line in code.split_inclusive('\n') {
        yaml_line(line, &mut out);
    }
    out
}

fn yaml_line(line: &str, out: &mut String) {
    let body = line.trim_end_matches(['\n', '\r']);
    let ending = &line[body.len()..];
    let indent = body.len() - body.trim_start().len();
    out.push_str(&body[..indent]);
    let mut rest = &body[indent..];
    if rest == "---" || rest == "..." {
        span(out, "hl-punctuation hl-definition", rest);
        out.push_str(ending);
        return;
    }
    // List markers, then an optional `key:`.
    while let Some(after) = rest
        .strip_prefix("- ")
        .or_else(|| (rest == "-").then_some(""))
    {
        span(out, "hl-punctuation hl-definition", "-");
        if !after.is_empty() || rest.len() > 1 {
            out.push(' ');
        }
        rest = after;
    }
    if let Some(colon) = yaml_key_end(rest) {
        span(out, "hl-entity hl-name hl-tag", &rest[..colon]);
        span(out, "hl-punctuation hl-separator", ":");
        rest = &rest[colon + 1..];
    }
    yaml_value(rest, out);
    out.push_str(ending);
}

/// Where the `:` of a plain `key:` is (followed by a space or the end of the line).
fn yaml_key_end(text: &str) -> Option<usize> {
    if text.starts_with(['#', '"', '\'', '{', '[', '|', '>', '&', '*', '!']) {
        return None;
    }
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b':' if i > 0 && matches!(bytes.get(i + 1), None | Some(b' ' | b'\t')) => {
                return Some(i);
            }
            b' ' if bytes.get(i + 1) == Some(&b'#') => return None,
            _ => i += 1,
        }
    }
    None
}

fn yaml_value(text: &str, out: &mut String) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'#' && (i == 0 || bytes[i - 1] == b' ' || bytes[i - 1] == b'\t') {
            span(out, "hl-comment", &text[i..]);
            return;
        }
        if c == b'"' || c == b'\'' {
            i = quoted(text, i, c, "hl-string", out);
            continue;
        }
        if c == b'&' || c == b'*' {
            let end = scan(bytes, i + 1, |b| !b.is_ascii_whitespace() && b != b',');
            i = word_span(text, i, end, "hl-entity hl-name", out);
            continue;
        }
        if c == b' ' || c == b'\t' || matches!(c, b'[' | b']' | b'{' | b'}' | b',') {
            i = push_char(text, i, out);
            continue;
        }
        // A plain scalar: up to ` #`, a flow indicator or the end.
        let mut end = i;
        while end < bytes.len()
            && !matches!(bytes[end], b',' | b']' | b'}')
            && !(bytes[end] == b' ' && bytes.get(end + 1) == Some(&b'#'))
        {
            end += 1;
        }
        let scalar = text[i..end].trim_end();
        let end = i + scalar.len().max(1);
        let class = if is_yaml_constant(scalar) {
            "hl-constant hl-language"
        } else if scalar.parse::<f64>().is_ok() {
            "hl-constant hl-numeric"
        } else {
            "hl-string"
        };
        i = word_span(text, i, end, class, out);
    }
}

fn is_yaml_constant(s: &str) -> bool {
    matches!(
        s,
        "true"
            | "false"
            | "True"
            | "False"
            | "TRUE"
            | "FALSE"
            | "null"
            | "Null"
            | "NULL"
            | "~"
            | "yes"
            | "no"
    )
}

/// Highlighted HTML for JSON: keys, strings, numbers and `true`/`false`/`null`.
pub fn json(code: &str) -> String {
    let mut out = String::with_capacity(code.len() * 2);
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'"' {
            let end = string_end(bytes, i, b'"');
            let rest = code[end..].trim_start_matches([' ', '\t']);
            let class = if rest.starts_with(':') {
                "hl-support hl-type hl-property-name"
            } else {
                "hl-string"
            };
            i = word_span(code, i, end, class, &mut out);
        } else if c == b'-' || c.is_ascii_digit() {
            let end = scan(bytes, i + 1, |b| {
                b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-')
            });
            i = word_span(code, i, end, "hl-constant hl-numeric", &mut out);
        } else if c.is_ascii_alphabetic() {
            let end = scan(bytes, i, |b| b.is_ascii_alphabetic());
            let class = match &code[i..end] {
                "true" | "false" | "null" => "hl-constant hl-language",
                _ => "",
            };
            i = word_span(code, i, end, class, &mut out);
        } else {
            i = push_char(code, i, &mut out);
        }
    }
    out
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn scan(bytes: &[u8], from: usize, keep: impl Fn(u8) -> bool) -> usize {
    let mut i = from;
    while i < bytes.len() && keep(bytes[i]) {
        i += 1;
    }
    i
}

/// End (exclusive) of a string opened by `quote` at `start`: after the closing quote, or at
/// the end of the line when it is not closed; `\` escapes in double quotes, `''` in single.
fn string_end(bytes: &[u8], start: usize, quote: u8) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b'\n' => return i,
            b if b == quote => {
                if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            _ => i += 1,
        }
    }
    bytes.len()
}

fn quoted(code: &str, start: usize, quote: u8, class: &str, out: &mut String) -> usize {
    let end = string_end(code.as_bytes(), start, quote).min(code.len());
    // `\` may have skipped past the end; keep the cut on a character boundary.
    let end = (end..=code.len())
        .find(|&e| code.is_char_boundary(e))
        .unwrap_or(code.len());
    word_span(code, start, end, class, out)
}

fn span_to_line_end(code: &str, start: usize, class: &str, out: &mut String) -> usize {
    let end = code[start..].find('\n').map_or(code.len(), |n| start + n);
    word_span(code, start, end, class, out)
}

/// Writes `code[start..end]` in a span of `class` (plain when `class` is empty); returns `end`.
fn word_span(code: &str, start: usize, end: usize, class: &str, out: &mut String) -> usize {
    if class.is_empty() {
        push_html(out, &code[start..end]);
    } else {
        span(out, class, &code[start..end]);
    }
    end
}

fn push_char(code: &str, i: usize, out: &mut String) -> usize {
    let len = code[i..].chars().next().map_or(1, char::len_utf8);
    push_html(out, &code[i..i + len]);
    i + len
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::escape::text_of;

    #[test]
    fn sql_keywords_are_sorted_lower_case_and_short() {
        assert!(SQL_KEYWORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(SQL_KEYWORDS.iter().all(|k| k.len() <= SQL_KEYWORD_MAX));
        assert!(SQL_KEYWORDS.iter().any(|k| k.len() == SQL_KEYWORD_MAX));
        assert!(
            SQL_KEYWORDS
                .iter()
                .all(|k| k.bytes().all(|b| b.is_ascii_lowercase()))
        );
    }

    proptest::proptest! {
        /// The search on the stack finds what comparing a lower-cased copy with each keyword
        /// found.
        #[test]
        fn sql_keywords_are_found_as_by_lower_casing(
            word in "(SeLeCt|select|TRANSACTION|transactions|in|IN|ab|é|x_y)|[a-zA-Z_0-9é]{0,13}",
        ) {
            proptest::prop_assert_eq!(
                is_sql_keyword(&word),
                SQL_KEYWORDS.contains(&word.to_ascii_lowercase().as_str())
            );
        }
    }

    #[test]
    fn sql_keywords_strings_comments_and_meta_commands() {
        let code = "\\c parcels\nSELECT count(*) FROM pg_stat_activity WHERE datname = 'parcels' -- live\n  AND state <> 'idle';\n";
        let html = sql(code);
        assert!(
            html.starts_with("<span class=\"hl-keyword\">\\c parcels</span>\n"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-keyword\">SELECT</span>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-support hl-function\">count</span>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-string\">&#39;parcels&#39;</span>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-comment\">-- live</span>"),
            "{html}"
        );
        assert!(html.contains("&lt;&gt;"), "{html}");
        assert_eq!(text_of(&html), code);
    }

    #[test]
    fn yaml_keys_scalars_and_comments() {
        let code = "---\nspec:\n  replicas: 3 # two is not enough\n  image: \"registry.example/api:1.2\"\n  - name: api\n    enabled: true\n";
        let html = yaml(code);
        assert!(
            html.contains("<span class=\"hl-entity hl-name hl-tag\">replicas</span>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-constant hl-numeric\">3</span>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-comment\"># two is not enough</span>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-string\">&quot;registry.example/api:1.2&quot;</span>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-constant hl-language\">true</span>"),
            "{html}"
        );
        assert_eq!(text_of(&html), code);
    }

    #[test]
    fn json_keys_differ_from_values() {
        let code = "{\"status\": \"ok\", \"replicas\": -3.5e2, \"ready\": null}\n";
        let html = json(code);
        assert!(
            html.contains(
                "<span class=\"hl-support hl-type hl-property-name\">&quot;status&quot;</span>"
            ),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-string\">&quot;ok&quot;</span>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-constant hl-numeric\">-3.5e2</span>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-constant hl-language\">null</span>"),
            "{html}"
        );
        assert_eq!(text_of(&html), code);
    }

    proptest::proptest! {
        #[test]
        fn highlighting_keeps_every_character(code in "[ -~\\n\\té<>&'\"]{0,80}") {
            for f in [sql, yaml, json] {
                let html = f(&code);
                proptest::prop_assert_eq!(text_of(&html), code.clone());
            }
        }
    }

    #[test]
    fn text_survives_any_input() {
        // Unclosed quotes, a trailing backslash, markup and non-ASCII text.
        let samples = [
            "SELECT 'unclosed\n<script>é\\",
            "key: \"unclosed \\\n- - x: 'a''b'\n  # c\n: odd\n&a *b ~",
            "{\"a\\\"\": [1, -, tru, \"é\\",
            "",
            "\\",
        ];
        for code in samples {
            for f in [sql, yaml, json] {
                let html = f(code);
                assert!(!html.contains("<script>"), "{html}");
                assert_eq!(text_of(&html), code, "{html}");
            }
        }
    }
}
