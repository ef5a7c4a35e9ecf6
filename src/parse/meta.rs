//! Metadata: YAML/TOML front matter, `**Key:** value` lines, and dates in the forms runbooks use.

use super::lines::lines_inclusive;
use crate::diag::{Diagnostic, Severity, codes};
use crate::model::{FrontMatterFormat, MetaEntry, MetaOrigin, Metadata};
use crate::source::{SourceFile, Span};
use chrono::{Datelike, NaiveDate};
use regex::Regex;
use std::sync::LazyLock;

/// Normalises a key: `Last Updated` → `last_updated`.
pub fn normalize_key(key: &str) -> String {
    // Written into one string: this runs for every metadata line.
    let mut name = String::with_capacity(key.len());
    for word in key
        .trim()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !name.is_empty() {
            name.push('_');
        }
        if word.is_ascii() {
            name.extend(word.bytes().map(|b| char::from(b.to_ascii_lowercase())));
        } else {
            name.push_str(&word.to_lowercase());
        }
    }
    name
}

/// Keys recognised as metadata anywhere in a document (elsewhere only before the first `##`).
pub fn is_well_known(name: &str) -> bool {
    matches!(
        name,
        "version"
            | "last_updated"
            | "updated"
            | "last_reviewed"
            | "next_review"
            | "review_by"
            | "estimated_time"
            | "risk_level"
            | "risk"
            | "owner"
            | "team"
            | "maintainer"
            | "port"
            | "namespace"
            | "service"
            | "database"
            | "image"
            | "host"
            | "severity"
    )
}

/// `YYYY-MM-DD` read directly, the form nearly every runbook uses: what the first format
/// below gives for it, without parsing a format string. Anything else, or a date the first
/// format would turn away, is left to the general path.
fn iso_date(t: &str) -> Option<NaiveDate> {
    let b = t.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = i32::try_from(digits(0..4)?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, digits(5..7)?, digits(8..10)?)?;
    (year >= 1900).then_some(date)
}

/// Parses a date in the forms runbooks use; `None` when it is not one.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim().trim_end_matches('.');
    let t = t.split(" (").next().unwrap_or(t).trim();
    // Every form below needs the digits of a year: most values that are not dates ("High",
    // "@dba-oncall") are turned away before eleven format strings are tried on them.
    if !t.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    if let Some(date) = iso_date(t) {
        return Some(date);
    }
    if !may_be_date(t) {
        return None;
    }
    parse_date_forms(t)
}

/// False when none of the forms of [`parse_date_forms`] can read `t`: each needs a month
/// name (chrono reads `%b` and `%B` from its first three letters) or two of its `-`, `/`
/// or `.` separators, except year-month (`2024-12`), which is only digits, signs and
/// spaces around one `-`. Values such as "20-45 minutes" or "1.4" skip ten chrono attempts.
fn may_be_date(t: &str) -> bool {
    const MONTHS: [&[u8; 3]; 12] = [
        b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov",
        b"dec",
    ];
    let bytes = t.as_bytes();
    let count = |sep: u8| bytes.iter().filter(|&&b| b == sep).count();
    let dashes = count(b'-');
    dashes >= 2
        || count(b'/') >= 2
        || count(b'.') >= 2
        || bytes
            .windows(3)
            .any(|w| MONTHS.iter().any(|m| w.eq_ignore_ascii_case(m.as_slice())))
        || (dashes == 1
            && t.chars()
                .all(|c| c.is_ascii_digit() || c == '-' || c == '+' || c.is_whitespace()))
}

/// The forms of [`parse_date`] other than a plain ISO date, tried with chrono.
fn parse_date_forms(t: &str) -> Option<NaiveDate> {
    for fmt in [
        "%Y-%m-%d",
        "%Y/%m/%d",
        "%d.%m.%Y",
        "%B %d, %Y",
        "%b %d, %Y",
        "%d %B %Y",
        "%d %b %Y",
        "%B %d %Y",
    ] {
        // chrono reads "December 2024" as day 20 of year 24 with `%B %d %Y`: insist on
        // a plausible year.
        if let Ok(date) = NaiveDate::parse_from_str(t, fmt)
            && date.year() >= 1900
        {
            return Some(date);
        }
    }
    // `2025-11-29T10:00:00Z` and `December 2024` / `Dec 2024` / `2024-12`.
    if t.len() > 10
        && t.is_char_boundary(10)
        && let Ok(date) = NaiveDate::parse_from_str(&t[..10], "%Y-%m-%d")
    {
        return Some(date);
    }
    for fmt in ["%d %B %Y", "%d %b %Y"] {
        if let Ok(date) = NaiveDate::parse_from_str(&format!("1 {t}"), fmt) {
            return Some(date);
        }
    }
    NaiveDate::parse_from_str(&format!("{t}-01"), "%Y-%m-%d").ok()
}

static PLAIN_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*(?:[-*+]\s+)?_?(last updated|last reviewed|next review|owner)_?\s*:\s*(.+?)\s*$",
    )
    .unwrap()
});

/// Scans the lines of a paragraph or list item for `**Key:** value` entries.
/// `preamble` is true before the first level-2 heading, where any key counts.
pub fn scan_lines(
    file: &SourceFile,
    start: usize,
    end: usize,
    preamble: bool,
    meta: &mut Metadata,
) {
    let text = &file.text[start..end];
    let mut offset = start;
    for line in lines_inclusive(text) {
        // Cheap tests first: this runs on every line of every paragraph.
        let entry = if !line.contains(':') {
            None
        } else if has_double_star(line) {
            bold_entry(line)
        } else if may_be_plain_entry(line) {
            PLAIN_LINE.captures(line).map(|caps| {
                (
                    caps.get(1).map_or("", |m| m.as_str()),
                    caps.get(2).map_or("", |m| m.as_str()),
                )
            })
        } else {
            None
        };
        if let Some((key, value)) = entry {
            let key = key.trim().to_owned();
            let name = normalize_key(&key);
            if (preamble || is_well_known(&name)) && !name.is_empty() {
                let value = strip_inline_markup(value);
                // Both forms match the whole line: the entry runs from its first non-space
                // character to the end of the line.
                let span = file.span(offset + leading_ws(line), offset + line.len());
                push_entry(meta, key, name, value, MetaOrigin::Line, span);
            }
        }
        offset += line.len();
    }
}

/// `line.contains("**")`, without setting up a substring searcher for every line.
fn has_double_star(line: &str) -> bool {
    let bytes = line.as_bytes();
    memchr::memchr_iter(b'*', bytes).any(|i| bytes.get(i + 1) == Some(&b'*'))
}

/// The line without leading space, and without leading space and an optional list marker
/// (`- `, `* `, `+ `): where a bold entry and `PLAIN_LINE` look for their key.
fn after_marker(line: &str) -> [&str; 2] {
    let line = line.trim_start();
    let mut chars = line.chars();
    let marked = match chars.next() {
        Some('-' | '*' | '+') => {
            let rest = chars.as_str();
            let trimmed = rest.trim_start();
            if trimmed.len() < rest.len() {
                trimmed
            } else {
                line
            }
        }
        _ => line,
    };
    [line, marked]
}

/// A `**Key:** value` or `**Key**: value` line, optionally a list item: its key and value.
/// This is the regex
/// `^\s*(?:[-*+]\s+)?\*\*([^*:\n]{1,40}?)\s*(?::\*\*|\*\*\s*:)\s*(.+?)\s*$`, written out
/// because it runs on every metadata line and capturing with the regex cost ten thousand
/// instructions a line; a property test holds the two to the same answers. The key keeps the
/// spaces before it, the value has none around it (a value of only spaces is empty).
fn bold_entry(line: &str) -> Option<(&str, &str)> {
    let [_, marked] = after_marker(line);
    let rest = marked.strip_prefix("**")?;
    // The key runs to the first `*` or `:`, less the spaces before that.
    let stop = rest.find(['*', ':', '\n'])?;
    let region = &rest[..stop];
    let key = match region.trim_end() {
        "" => &region[..region.chars().next()?.len_utf8()],
        trimmed => trimmed,
    };
    if key.chars().count() > 40 {
        return None;
    }
    let after = &rest[stop..];
    let after = match after.strip_prefix(":**") {
        Some(after) => after,
        None => after.strip_prefix("**")?.trim_start().strip_prefix(':')?,
    };
    // `(.+?)` needs a character other than a newline; spaces around the value are not part of it.
    if !after.contains(|c| c != '\n') {
        return None;
    }
    Some((key, after.trim()))
}

/// False when `PLAIN_LINE` cannot match: its key is one of four words, compared without
/// case. A key region with non-ASCII letters is left to the regex (Unicode case folding
/// has surprises such as `ſ` for `s`).
fn may_be_plain_entry(line: &str) -> bool {
    const KEYS: [&str; 4] = ["last updated", "last reviewed", "next review", "owner"];
    after_marker(line).iter().any(|t| {
        let t = t.strip_prefix('_').unwrap_or(t);
        let head = &t.as_bytes()[..t.len().min(16)];
        !head.is_ascii()
            || KEYS.iter().any(|k| {
                head.len() >= k.len() && head[..k.len()].eq_ignore_ascii_case(k.as_bytes())
            })
    })
}

fn leading_ws(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// Removes backticks, emphasis and link brackets from a short value.
pub fn strip_inline_markup(value: &str) -> String {
    value
        .trim()
        .trim_matches('`')
        .replace("**", "")
        .trim()
        .to_owned()
}

fn push_entry(
    meta: &mut Metadata,
    key: String,
    name: String,
    value: String,
    origin: MetaOrigin,
    span: Span,
) {
    let date = parse_date(&value);
    meta.entries.push(MetaEntry {
        key,
        name,
        value,
        date,
        origin,
        span,
    });
}

/// Fills the typed fields from the entries (the first entry of a key wins).
pub fn fill_known(meta: &mut Metadata) {
    let first = |names: &[&str]| {
        meta.entries
            .iter()
            .find(|e| names.contains(&e.name.as_str()))
    };
    meta.version = first(&["version"]).map(|e| e.value.clone());
    meta.owner = first(&["owner", "team", "maintainer"]).map(|e| e.value.clone());
    meta.risk_level = first(&["risk_level", "risk"]).map(|e| e.value.clone());
    meta.estimated_time = first(&["estimated_time", "duration", "time"]).map(|e| e.value.clone());
    meta.last_updated = first(&["last_updated", "updated", "last_reviewed"]).and_then(|e| e.date);
    meta.next_review = first(&["next_review", "review_by"]).and_then(|e| e.date);
}

/// Problems with well-known date entries that do not parse as dates.
pub fn date_problems(path: &str, meta: &Metadata) -> Vec<Diagnostic> {
    meta.entries
        .iter()
        .filter(|e| {
            matches!(
                e.name.as_str(),
                "last_updated" | "next_review" | "last_reviewed" | "review_by"
            )
        })
        .filter(|e| e.date.is_none())
        .map(|e| {
            Diagnostic::new(
                codes::BAD_DATE.0,
                codes::BAD_DATE.1,
                Severity::Warning,
                path,
                e.span.line,
                e.span.column,
                format!("`{}` is not a date: `{}`", e.key, e.value),
            )
            .with_help("write dates as YYYY-MM-DD, e.g. 2026-01-31, so review reminders work")
        })
        .collect()
}

/// Parses front matter text (between the fences) into entries.
pub fn parse_front_matter(
    file: &SourceFile,
    format: FrontMatterFormat,
    body: &str,
    body_start: usize,
    meta: &mut Metadata,
) -> Result<(), Diagnostic> {
    meta.front_matter = Some(format);
    let table: Vec<(String, serde_json::Value)> = match format {
        FrontMatterFormat::Yaml => {
            if body.trim().is_empty() {
                return Ok(());
            }
            let value = match super::simple_yaml::parse(body) {
                Some(value) => value,
                None => serde_norway::from_str(body).map_err(|err| {
                    let (line, column) = err
                        .location()
                        .map(|l| (l.line(), l.column()))
                        .unwrap_or((1, 1));
                    bad_front_matter(file, body_start, line, column, &err.to_string())
                })?,
            };
            object_entries(value)
        }
        FrontMatterFormat::Toml => {
            let value: toml::Table = toml::from_str(body).map_err(|err| {
                let (line, column) = err
                    .span()
                    .map(|s| line_col_in(body, s.start))
                    .unwrap_or((1, 1));
                bad_front_matter(file, body_start, line, column, err.message())
            })?;
            value
                .into_iter()
                .map(|(k, v)| (k, toml_to_json(v)))
                .collect()
        }
    };
    let first_new = meta.entries.len();
    for (key, value) in table {
        let name = normalize_key(&key);
        let text = value_text(&value);
        if name == "tags" {
            if let serde_json::Value::Array(items) = &value {
                meta.tags = items.iter().map(value_text).collect();
            } else {
                meta.tags = text
                    .split(',')
                    .map(|t| t.trim().to_owned())
                    .filter(|t| !t.is_empty())
                    .collect();
            }
        }
        let span = key_span(file, body_start, &key);
        push_entry(meta, key, name, text, MetaOrigin::FrontMatter, span);
    }
    // Keep the order of the file, not of the parsed map.
    meta.entries[first_new..].sort_by_key(|e| e.span.start);
    Ok(())
}

/// TOML values as JSON, with dates as their text (serde would wrap them in an object).
fn toml_to_json(value: toml::Value) -> serde_json::Value {
    match value {
        toml::Value::String(s) => serde_json::Value::String(s),
        toml::Value::Integer(i) => serde_json::Value::from(i),
        toml::Value::Float(f) => serde_json::Value::from(f),
        toml::Value::Boolean(b) => serde_json::Value::Bool(b),
        toml::Value::Datetime(d) => serde_json::Value::String(d.to_string()),
        toml::Value::Array(items) => {
            serde_json::Value::Array(items.into_iter().map(toml_to_json).collect())
        }
        toml::Value::Table(t) => {
            serde_json::Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

fn object_entries(value: serde_json::Value) -> Vec<(String, serde_json::Value)> {
    match value {
        serde_json::Value::Object(map) => map.into_iter().collect(),
        _ => Vec::new(),
    }
}

fn value_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        serde_json::Value::Array(items) => {
            items.iter().map(value_text).collect::<Vec<_>>().join(", ")
        }
        other => other.to_string(),
    }
}

fn line_col_in(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map_or(1, |l| l.chars().count() + 1);
    (line, column)
}

/// Where `key` is written in the front matter: searched in the source itself (not in the
/// parser's copy of the body, whose line endings may differ), up to the closing fence.
fn key_span(file: &SourceFile, body_start: usize, key: &str) -> Span {
    let mut offset = body_start;
    for line in lines_inclusive(&file.text[body_start.min(file.text.len())..]) {
        let t = line.trim_start();
        if t.starts_with("---") || t.starts_with("+++") {
            break;
        }
        if t.trim_start_matches(['"', '\'']).starts_with(key) {
            let start = offset + (line.len() - t.len());
            return file.span(start, start + t.trim_end().len());
        }
        offset += line.len();
    }
    file.span(body_start, body_start)
}

/// The parser's message without its own position (relative to the front matter body, so it
/// would contradict the file line we report).
fn short_message(message: &str) -> &str {
    let first = message.lines().next().unwrap_or(message);
    first
        .split(" at line ")
        .next()
        .unwrap_or(first)
        .trim_end_matches(',')
}

fn bad_front_matter(
    file: &SourceFile,
    body_start: usize,
    line: usize,
    column: usize,
    message: &str,
) -> Diagnostic {
    let (first_line, _) = file.line_col(body_start);
    Diagnostic::new(
        codes::BAD_FRONT_MATTER.0,
        codes::BAD_FRONT_MATTER.1,
        Severity::Warning,
        &file.path,
        first_line + line.saturating_sub(1),
        column,
        format!("front matter does not parse: {}", short_message(message)),
    )
    .with_help("fix the YAML (between `---` lines) or TOML (between `+++` lines); the rest of the file was still read")
}

#[cfg(test)]
mod tests {
    proptest::proptest! {
        #[test]
        fn prechecks_never_hide_a_match(line in "[ \t*+_:aA-]{0,4}(\\*\\*|_)?(Owner|owner|OWNER|laſt updated|Last Reviewed|next review|Key|K)?[ *:_]{0,3}(value)?[ \n]{0,2}") {
            if super::PLAIN_LINE.is_match(&line) {
                proptest::prop_assert!(super::may_be_plain_entry(&line), "{line:?}");
            }
        }
    }

    use super::*;

    /// The regex `bold_entry` stands for.
    static BOLD_LINE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"^\s*(?:[-*+]\s+)?\*\*([^*:\n]{1,40}?)\s*(?::\*\*|\*\*\s*:)\s*(.+?)\s*$")
            .unwrap()
    });

    /// What the regex captures, as `scan_lines` uses it: the key and the value with spaces
    /// trimmed.
    fn bold_by_regex(line: &str) -> Option<(String, String)> {
        BOLD_LINE
            .captures(line)
            .map(|caps| (caps[1].to_owned(), caps[2].trim().to_owned()))
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// `bold_entry` matches the lines the regex matches, with the same key and value, on
        /// lines built like entries and on lines of the same characters in any order.
        #[test]
        fn bold_entry_is_the_regex(
            line in proptest::prop_oneof![
                "[ \t\u{a0}]{0,2}([-*+][ \t]{0,2})?\\*{0,3}[ \u{a0}]{0,2}(Key|K|é ü|[a-z ]{39,41})?[ \t]{0,2}(:\\*\\*|\\*\\*[ ]?:|:|\\*\\*|\\*:)[ \t\u{a0}\r]{0,2}(value|`v`|\\*\\*x\\*\\*|:)?[ \t\r]{0,2}\n?",
                "[ *:\t\n\r\u{a0}a+-]{0,16}",
            ]
        ) {
            let ours = bold_entry(&line).map(|(k, v)| (k.to_owned(), v.to_owned()));
            proptest::prop_assert_eq!(ours, bold_by_regex(&line), "{:?}", line);
        }
    }

    proptest::proptest! {
        #[test]
        fn keys_normalise_as_defined(key in "[ A-Za-zÉé_:.0-9-]{0,16}") {
            let defined = key
                .trim()
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
                .join("_");
            proptest::prop_assert_eq!(normalize_key(&key), defined);
        }

        /// The direct reading of `YYYY-MM-DD` agrees with chrono's `%Y-%m-%d` wherever it
        /// answers.
        #[test]
        fn iso_dates_read_as_chrono_reads_them(
            t in "[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9+ -]{8,11}|1[89][0-9]{2}-[01][0-9]-[0-3][0-9]"
        ) {
            if let Some(date) = iso_date(&t) {
                let chrono = NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok();
                proptest::prop_assert_eq!(Some(date), chrono, "{:?}", t);
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn double_star_is_contains(line in "[a* :]{0,12}") {
            proptest::prop_assert_eq!(has_double_star(&line), line.contains("**"));
        }
    }

    /// `parse_date` without its precheck.
    fn parse_date_unchecked(text: &str) -> Option<NaiveDate> {
        let t = text.trim().trim_end_matches('.');
        let t = t.split(" (").next().unwrap_or(t).trim();
        iso_date(t).or_else(|| parse_date_forms(t))
    }

    /// Dates in the digit forms, values near them, and text mixing month names, digits
    /// and separators.
    fn date_like_values() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::strategy::Strategy;
        const N: &str = "(20[0-9]{2}|0?[1-9]|1[0-2]|[12][0-9]|3[01])";
        let digit_forms = format!("{N}/{N}/{N}|{N}\\.{N}\\.{N}|{N}-{N}(-{N})?");
        let near = format!("[ +]?{N}( ?[-/.] ?{N}){{0,2}}( ?(May|dec|Sept|minutes|T10:00Z|h))?");
        let pieces = proptest::collection::vec(
            "[0-9]{1,4}|-|\\+|/|\\.|,| |  |\u{a0}|T|Z|:|May|may|DEC|December|Sept|ju|n|minutes|h|é|1 ",
            0..7,
        )
        .prop_map(|pieces| pieces.concat());
        proptest::prop_oneof![
            proptest::string::string_regex(&digit_forms).unwrap(),
            proptest::string::string_regex(&near).unwrap(),
            pieces,
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        #[test]
        fn the_date_precheck_changes_no_date(text in date_like_values()) {
            proptest::prop_assert_eq!(parse_date(&text), parse_date_unchecked(&text), "{:?}", text);
        }
    }

    #[test]
    fn dates_in_common_forms() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day);
        assert_eq!(parse_date("2025-11-29"), d(2025, 11, 29));
        assert_eq!(parse_date("December 2024"), d(2024, 12, 1));
        assert_eq!(parse_date("Dec 3, 2024"), d(2024, 12, 3));
        assert_eq!(parse_date("2025-11-29T10:00:00Z"), d(2025, 11, 29));
        assert_eq!(parse_date("2024-12"), d(2024, 12, 1));
        assert_eq!(parse_date("soon"), None);
    }

    #[test]
    fn bold_lines_become_entries() {
        let text = "**Version:** 1.0\n**Last Updated:** 2025-11-29\n- **Port**: `3002`\n**When to use:** later\n";
        let file = SourceFile::new("a.md", text);
        let mut meta = Metadata::default();
        scan_lines(&file, 0, text.len(), false, &mut meta);
        let names: Vec<_> = meta
            .entries
            .iter()
            .map(|e| (e.name.as_str(), e.value.as_str(), e.span.line))
            .collect();
        assert_eq!(
            names,
            vec![
                ("version", "1.0", 1),
                ("last_updated", "2025-11-29", 2),
                ("port", "3002", 3)
            ]
        );
        scan_lines(&file, 0, text.len(), true, &mut meta);
        assert_eq!(meta.entries.len(), 7);
    }
}
