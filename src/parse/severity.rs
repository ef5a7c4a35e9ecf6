//! Recognises severity tables ("P1 - Critical | 15 minutes") and turns rows into levels.

use super::regex_ascii::{is_space, is_word};
use crate::model::{SeverityLevel, SeverityTable};
use crate::source::Span;
use regex::Regex;
use std::sync::LazyLock;

/// A table as cells of text, with the span of each body row.
pub struct RawTable<'a> {
    /// Header cells.
    pub header: &'a [String],
    /// Body rows with their spans.
    pub rows: &'a [(Vec<String>, Span)],
}

static CODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(P|SEV|SEV-|SEV |S|Severity |Sev )([0-5])\b[\s:\-–—/()]*(.*)$").unwrap()
});

const WORDS: &[(&str, u32)] = &[
    ("critical", 1),
    ("urgent", 1),
    ("emergency", 1),
    ("blocker", 1),
    ("high", 2),
    ("major", 2),
    ("medium", 3),
    ("moderate", 3),
    ("normal", 3),
    ("low", 4),
    ("minor", 4),
    ("info", 5),
    ("informational", 5),
    ("trivial", 5),
];

/// False when `CODE` cannot match the trimmed `cell`: every code starts with P or S (`ſ`
/// folds to `s` without case) and has its digit within its first 11 bytes (after
/// `ſeverity `, the longest prefix), so other cells ("High", "parcel-api") skip the regex.
fn may_be_code(cell: &str) -> bool {
    cell.starts_with(['p', 'P', 's', 'S', 'ſ'])
        && cell.bytes().take(11).any(|b| (b'0'..=b'5').contains(&b))
}

/// What `CODE` captures in `cell`: the prefix, the digit and the rest. ASCII cells without a
/// line break (nearly all) are read by hand, since resolving the regex's captures is slow;
/// the regex stays the definition, and the reader for any other cell.
fn find_code(cell: &str) -> Option<(&str, &str, &str)> {
    if cell.is_ascii() && !cell.contains('\n') {
        return find_ascii_code(cell);
    }
    let caps = CODE.captures(cell)?;
    Some((
        caps.get(1)?.as_str(),
        caps.get(2)?.as_str(),
        caps.get(3)?.as_str(),
    ))
}

/// `find_code` on ASCII `cell` without `\n`: `CODE`'s prefixes are tried in its order (the
/// first followed by a digit 0-5 and a word boundary wins, as the regex backtracks into the
/// next alternative); the separators are skipped greedily, and the rest runs to the end.
fn find_ascii_code(cell: &str) -> Option<(&str, &str, &str)> {
    const PREFIXES: &[&str] = &["P", "SEV", "SEV-", "SEV ", "S", "Severity ", "Sev "];
    let bytes = cell.as_bytes();
    let start = bytes
        .iter()
        .position(|&b| !is_space(b))
        .unwrap_or(bytes.len());
    let digit_at = PREFIXES.iter().find_map(|prefix| {
        let end = start + prefix.len();
        let at = end + 1;
        let candidate = bytes.get(start..end)?;
        let digit = *bytes.get(end)?;
        (candidate.eq_ignore_ascii_case(prefix.as_bytes())
            && (b'0'..=b'5').contains(&digit)
            && bytes.get(at).is_none_or(|&b| !is_word(b)))
        .then_some(end)
    })?;
    let rest = digit_at
        + 1
        + bytes[digit_at + 1..]
            .iter()
            .take_while(|&&b| is_space(b) || matches!(b, b':' | b'-' | b'/' | b'(' | b')'))
            .count();
    Some((
        &cell[start..digit_at],
        &cell[digit_at..digit_at + 1],
        &cell[rest..],
    ))
}

/// Name, rank and label of a level cell, when it is one.
fn parse_level(cell: &str) -> Option<(String, u32, Option<String>)> {
    let cell = cell.trim();
    if let Some((prefix, digit, rest)) = may_be_code(cell).then(|| find_code(cell)).flatten() {
        let prefix = prefix.trim().trim_end_matches('-').to_ascii_uppercase();
        let prefix = match prefix.as_str() {
            "SEVERITY" | "SEV" => "SEV",
            other => {
                if other == "S" {
                    "S"
                } else {
                    other
                }
            }
        };
        let rank: u32 = digit.parse().ok()?;
        let label = rest
            .trim()
            .trim_matches(|c: char| c == '(' || c == ')')
            .trim();
        let label = (!label.is_empty()).then(|| label.to_owned());
        return Some((format!("{prefix}{rank}"), rank, label));
    }
    // Every first column of every table comes here: compared without a lowercase copy.
    let first = cell
        .split(|c: char| !c.is_alphanumeric())
        .find(|w| !w.is_empty())?;
    let rank = WORDS
        .iter()
        .find(|(w, _)| w.eq_ignore_ascii_case(first))
        .map(|(_, r)| *r)?;
    // "High" is a level; "High error rate in checkout" is not.
    if cell.split_whitespace().count() > 3 {
        return None;
    }
    Some((cell.to_owned(), rank, Some(cell.to_owned())))
}

fn header_is_level(cell: &str) -> bool {
    let lower = cell.trim().to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "level"
            | "severity"
            | "priority"
            | "sev"
            | "severity level"
            | "sev level"
            | "priority level"
            | "incident level"
            | "impact level"
    )
}

/// Index of the column matching any of `words`, skipping `except`.
fn column(header: &[String], words: &[&str], except: &[usize]) -> Option<usize> {
    header.iter().enumerate().position(|(i, h)| {
        let lower = h.to_ascii_lowercase();
        !except.contains(&i) && words.iter().any(|w| lower.contains(w))
    })
}

static DURATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(\d+(?:\.\d+)?)\s*(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w)\b").unwrap()
});

/// Parses "15 minutes", "1 hour", "4h", "24 hrs", "2 days", "Immediate" into seconds.
pub fn parse_duration(text: &str) -> Option<u64> {
    let lower = text.to_ascii_lowercase();
    if lower.trim() == "immediate" || lower.trim() == "immediately" {
        return Some(0);
    }
    // ASCII cells (nearly all) are read without the regex, which resolves its captures
    // on a slow path; it stays the definition, and the reader for any other text.
    let (number, unit) = if text.is_ascii() {
        find_duration(text)?
    } else {
        let caps = DURATION.captures(text)?;
        let unit = caps.get(2)?.as_str().bytes().next()?.to_ascii_lowercase();
        (caps.get(1)?.as_str(), unit)
    };
    let n: f64 = number.parse().ok()?;
    let secs = match char::from(unit) {
        's' => 1.0,
        'm' => 60.0,
        'h' => 3600.0,
        'd' => 86400.0,
        'w' => 604800.0,
        _ => return None,
    };
    Some((n * secs).round() as u64)
}

/// The severity table, if this table defines severity levels: the first column is headed
/// Level/Severity/Priority/SEV, or at least two of its cells and most rows are levels.
pub fn recognise(table: &RawTable<'_>) -> Option<SeverityTable> {
    if table.rows.is_empty() || table.header.is_empty() {
        return None;
    }
    // Each first cell is read once: the count decides, the same answers make the levels.
    let first_levels: Vec<_> = table
        .rows
        .iter()
        .map(|(cells, _)| cells.first().and_then(|c| parse_level(c)))
        .collect();
    let levels_in_first = first_levels.iter().filter(|l| l.is_some()).count();
    let headed = header_is_level(&table.header[0]);
    let mostly_levels = levels_in_first >= 2 && levels_in_first * 2 > table.rows.len();
    if !(mostly_levels || headed && levels_in_first > 0) {
        return None;
    }
    let header = table.header;
    let time_col = column(header, &["response", "sla", "time to", "ack", "time"], &[0]);
    let desc_col = column(
        header,
        &[
            "description",
            "meaning",
            "definition",
            "impact",
            "symptom",
            "criteria",
            "examples",
        ],
        &[0],
    );
    let action_col = column(header, &["action", "escalat", "who", "notify"], &[0]);
    let levels = table
        .rows
        .iter()
        .zip(first_levels)
        .filter_map(|((cells, span), level)| {
            let (name, rank, label) = level?;
            let cell = |col: Option<usize>| {
                col.and_then(|c| cells.get(c))
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
            };
            let response_time = cell(time_col);
            Some(SeverityLevel {
                name,
                rank,
                label,
                response_secs: response_time.as_deref().and_then(parse_duration),
                response_time,
                description: cell(desc_col),
                action: cell(action_col),
                cells: header.iter().cloned().zip(cells.iter().cloned()).collect(),
                span: *span,
            })
        })
        .collect();
    Some(SeverityTable {
        header: header.to_vec(),
        levels,
    })
}

/// What `DURATION` captures in ASCII `text`: the leftmost number followed (after optional
/// white space) by a unit that ends at a word boundary, as the number's text and the unit's
/// first letter in lower case.
fn find_duration(text: &str) -> Option<(&str, u8)> {
    // The regex's alternatives, in its order (`seconds?` tries `seconds` first).
    const UNITS: &[&str] = &[
        "seconds", "second", "secs", "sec", "s", "minutes", "minute", "mins", "min", "m", "hours",
        "hour", "hrs", "hr", "h", "days", "day", "d", "weeks", "week", "w",
    ];
    let bytes = text.as_bytes();
    let digits_from = |i: usize| {
        bytes[i..]
            .iter()
            .position(|b| !b.is_ascii_digit())
            .map_or(bytes.len(), |k| i + k)
    };
    let is_word_at = |i: usize| bytes.get(i).copied().is_some_and(is_word);
    for start in 0..bytes.len() {
        if !bytes[start].is_ascii_digit() {
            continue;
        }
        let mut end = digits_from(start);
        if bytes.get(end) == Some(&b'.') && bytes.get(end + 1).is_some_and(u8::is_ascii_digit) {
            end = digits_from(end + 1);
        }
        let unit_start = end + bytes[end..].iter().take_while(|&&b| is_space(b)).count();
        let rest = &bytes[unit_start..];
        let unit = UNITS.iter().find(|u| {
            rest.len() >= u.len()
                && rest[..u.len()].eq_ignore_ascii_case(u.as_bytes())
                && !is_word_at(unit_start + u.len())
        });
        if let Some(unit) = unit {
            return Some((&text[start..end], unit.as_bytes()[0]));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn the_code_precheck_never_hides_a_match(
            cell in "[ \t\u{a0}]{0,2}[pPsSſKkeé1 ]?([eE][vV]|ſev|ſeverity |everity |ev-|EV )?[0-6]?[ :(-]{0,2}[a-zA-Z ]{0,6}"
        ) {
            let cell = cell.trim();
            if CODE.is_match(cell) {
                proptest::prop_assert!(may_be_code(cell), "{:?}", cell);
            }
        }
    }

    /// The level word of a cell as it was found before, through a lowercase copy.
    fn level_word_by_lowercase(cell: &str) -> Option<u32> {
        let lower = cell.trim().to_ascii_lowercase();
        let first = lower
            .split(|c: char| !c.is_alphanumeric())
            .find(|w| !w.is_empty())?;
        WORDS
            .iter()
            .find(|(w, _)| w.eq_ignore_ascii_case(first))
            .map(|(_, r)| *r)
    }

    proptest::proptest! {
        #[test]
        fn level_words_are_found_as_through_a_lowercase_copy(
            cell in "[ (]{0,2}(HIGH|High|high|hIgH|Low|lowest|minor|MAJOR|Info|infoRmational|crıtical|ſ|x)[ -]?[a-zA-Z]{0,3}( [a-z]{1,3}){0,4}"
        ) {
            let expected = level_word_by_lowercase(&cell);
            let found = if may_be_code(cell.trim()) && CODE.is_match(cell.trim()) {
                None
            } else {
                parse_level(&cell).map(|(_, rank, _)| rank)
            };
            let expected = expected.filter(|_| cell.split_whitespace().count() <= 3);
            proptest::prop_assert_eq!(found, expected, "{:?}", cell);
        }
    }

    #[test]
    fn level_cells() {
        assert_eq!(
            parse_level("P1 - Critical"),
            Some(("P1".into(), 1, Some("Critical".into())))
        );
        assert_eq!(parse_level("SEV2"), Some(("SEV2".into(), 2, None)));
        assert_eq!(
            parse_level("Sev 3 (Minor)"),
            Some(("SEV3".into(), 3, Some("Minor".into())))
        );
        assert_eq!(
            parse_level("Critical"),
            Some(("Critical".into(), 1, Some("Critical".into())))
        );
        assert_eq!(parse_level("Container keeps restarting"), None);
        assert_eq!(parse_level("Pool utilization"), None);
    }

    /// `find_code` gives what the `CODE` regex captures in `text`.
    fn code_is_read_as_the_regex_reads_it(
        text: &str,
    ) -> Result<(), proptest::test_runner::TestCaseError> {
        let by_regex = CODE
            .captures(text)
            .map(|caps| (caps[1].to_owned(), caps[2].to_owned(), caps[3].to_owned()));
        let found = find_code(text).map(|(p, d, r)| (p.to_owned(), d.to_owned(), r.to_owned()));
        proptest::prop_assert_eq!(found, by_regex, "{:?}", text);
        Ok(())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        #[test]
        fn codes_are_found_as_the_regex_finds_them(
            pieces in proptest::collection::vec(
                "[0-9]|[pPsS]|sev|SEV|Sev|severity|Severity|SEVERITY|-| |\t|\u{b}|\n|:|/|\\(|\\)|_|x|é|–|ſ|Critical",
                0..8,
            )
        ) {
            code_is_read_as_the_regex_reads_it(&pieces.concat())?;
        }

        #[test]
        fn code_shaped_cells_are_read_as_the_regex_reads_them(
            text in "[ \t]?(p|P|s|S|sev|SEV|Sev|sev-|SEV |Sev |severity |Severity |SEVERITY |ſ|x)?[0-9]?[0-9a-z_-]?([-:/() \t\u{b}–]|\n){0,3}(Critical|é|x| |\n|\\(|\\)){0,3}"
        ) {
            code_is_read_as_the_regex_reads_it(&text)?;
        }

        #[test]
        fn durations_are_found_as_the_regex_finds_them(
            pieces in proptest::collection::vec(
                "[0-9]{1,3}|\\.|\\.5| |\t|\u{b}|_|-|x|[sSmMhHdDwW]|sec|Secs|mins|MINUTE|minutes|hr|hrs|Hours|day|days|week|weeks|within|Next|é",
                0..8,
            )
        ) {
            let text = pieces.concat();
            let by_regex = DURATION.captures(&text).map(|caps| {
                (caps[1].to_owned(), caps[2].as_bytes()[0].to_ascii_lowercase())
            });
            let found = find_duration(&text).map(|(n, u)| (n.to_owned(), u));
            if text.is_ascii() {
                proptest::prop_assert_eq!(found, by_regex, "{:?}", text);
            }
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("15 minutes"), Some(900));
        assert_eq!(parse_duration("1 hour"), Some(3600));
        assert_eq!(parse_duration("4h"), Some(14400));
        assert_eq!(parse_duration("Within 30 min"), Some(1800));
        assert_eq!(parse_duration("Next business day"), None);
    }

    fn table(header: &[&str], rows: &[&[&str]]) -> Option<SeverityTable> {
        let header: Vec<String> = header.iter().map(|s| s.to_string()).collect();
        let rows: Vec<(Vec<String>, Span)> = rows
            .iter()
            .map(|r| (r.iter().map(|s| s.to_string()).collect(), Span::default()))
            .collect();
        recognise(&RawTable {
            header: &header,
            rows: &rows,
        })
    }

    #[test]
    fn recognises_severity_tables_only() {
        let t = table(
            &["Level", "Response Time", "Examples"],
            &[
                &["P1 - Critical", "15 minutes", "Down"],
                &["P2 - High", "1 hour", "Slow"],
            ],
        )
        .unwrap();
        assert_eq!(t.levels[1].response_secs, Some(3600));
        assert_eq!(t.levels[0].description.as_deref(), Some("Down"));
        let t = table(
            &["Severity", "Symptoms", "Action"],
            &[&["P1 Critical", "All failing", "Rollback"]],
        )
        .unwrap();
        assert_eq!(t.levels[0].action.as_deref(), Some("Rollback"));
        assert!(
            table(
                &["Metric", "Warning", "Critical"],
                &[&["Error rate", "> 1%", "> 5%"]]
            )
            .is_none()
        );
        assert!(
            table(
                &["Sign", "Severity", "Action"],
                &[&["Container keeps restarting", "High", "Check logs"]]
            )
            .is_none()
        );
    }
}
