//! What it does: finds credentials written into a runbook: provider-prefixed tokens (AWS
//! access key ids `AKIA...`, GitHub `ghp_...`/`github_pat_...`, GitLab `glpat-...`, Slack
//! `xox?-...`, Stripe `sk_live_...`, Google `AIza...`), private key blocks, and
//! high-entropy values after `password=`, `token=`, `secret=`, `api_key=` or `Bearer`, and
//! in `scheme://user:password@host` URLs. The value is redacted in every output format: the
//! message never contains it and source excerpts show `*` instead.
//!
//! Why it matters: runbooks are copied into wikis, tickets and chat. A token in a runbook is a
//! token in every one of those places, for as long as it is valid.
//!
//! Example:
//! ```bash
//! curl -H "Authorization: Bearer 8fK2mQ9xLr4vT7wZ3pN6sB1yH5cJ0dGe" https://api.example.com/
//! ```
//!
//! Use instead:
//! ```bash
//! curl -H "Authorization: Bearer $API_TOKEN" https://api.example.com/
//! ```
//!
//! Known limits: values that look like placeholders (`<token>`, `$VAR`, `YOUR_...`,
//! `changeme`, `xxxx`, `EXAMPLE`) and short or low-entropy values are not reported, so a weak
//! real password such as `admin123` goes unnoticed.

use super::super::{Context, Sink};
use crate::model::Runbook;
use crate::source::SourceFile;
use regex::Regex;
use std::sync::LazyLock;

/// (what, pattern): the whole match is the secret.
static PREFIXED: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    [
        ("AWS access key id", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
        ("GitHub token", r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
        ("GitHub token", r"\bgithub_pat_[A-Za-z0-9_]{40,}\b"),
        ("GitLab token", r"\bglpat-[A-Za-z0-9_-]{20,}"),
        ("Slack token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
        ("Stripe secret key", r"\b[sr]k_live_[A-Za-z0-9]{20,}\b"),
        ("Google API key", r"\bAIza[0-9A-Za-z_-]{35}\b"),
    ]
    .into_iter()
    .map(|(what, re)| (what, Regex::new(re).expect("valid regex")))
    .collect()
});

/// A literal that each of [`PREFIXED`] and [`PRIVATE_KEY`] needs: one scan for any of them
/// spares most runbooks eight scans, one per pattern.
static ANY_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"AKIA|ASIA|gh[pousr]_|github_pat_|glpat-|xox[abposr]-|[sr]k_live_|AIza|PRIVATE KEY")
        .expect("valid regex")
});

static PRIVATE_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"-----BEGIN ([A-Z]+ )*PRIVATE KEY( BLOCK)?-----").expect("valid regex")
});

/// Group 1 names what, group 2 is the value.
static ASSIGNED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)\b(password|passwd|pwd|secret|client_secret|token|access_token|auth_token|api_key|apikey|api-key|access_key|secret_key)["']?\s*[:=]\s*["']?([^\s"'&;,)<>]+)"#,
    )
    .expect("valid regex")
});

static BEARER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(Bearer|token)\s+([A-Za-z0-9._~+/-]{20,}=*)").expect("valid regex")
});

static URL_PASSWORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b[a-z][a-z0-9+.-]*://[^:/\s@]+:([^@\s/]+)@").expect("valid regex")
});

/// How every name `ASSIGNED` accepts ends (`client_secret` in `secret`...); the scan uses
/// them grouped by last letter (see [`endings_in`]), and tests check the groups against this.
#[cfg(test)]
const ASSIGNED_ENDINGS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "secret",
    "token",
    "api_key",
    "apikey",
    "api-key",
    "access_key",
    "secret_key",
];

/// False only when `ASSIGNED` cannot match `text`: it needs a name, an optional quote, white
/// space and `:` or `=`, so some `:` or `=` must follow one of [`ASSIGNED_ENDINGS`] that way.
fn may_assign(text: &str) -> bool {
    // `(?i)` also lets `ſ` match `s` and the Kelvin sign match `k`; leave those to the regex.
    // (Two searches for one character each: a search for either of two characters decodes
    // every character of the text.)
    if !text.is_ascii() && (text.contains('\u{17F}') || text.contains('\u{212A}')) {
        return true;
    }
    let bytes = text.as_bytes();
    // A runbook has hundreds of `:` and `=` (YAML, times, flags) in thousands of bytes:
    // memchr's vectorised search finds them, and the byte before each turns most away
    // before the comparisons.
    memchr::memchr2_iter(b':', b'=', bytes)
        .any(|at| may_end_name(bytes, at) && name_ends_before(text, at))
}

/// False when [`name_ends_before`] is sure to be false because of the byte right before `at`
/// alone: a letter or digit there is the end of the name (neither white space nor a quote
/// is trimmed), and no name ends in it unless it is `d`, `t`, `n` or `y`. Most `:` and `=`
/// follow such a byte (`Port:`, `--tail=`, `http:`), and this spares them the call and the
/// trimming of Unicode white space (a property test checks the two agree).
fn may_end_name(bytes: &[u8], at: usize) -> bool {
    match at.checked_sub(1).map(|i| bytes[i]) {
        Some(b) if b.is_ascii_alphanumeric() => {
            matches!(b.to_ascii_lowercase(), b'd' | b't' | b'n' | b'y')
        }
        _ => true,
    }
}

/// True when one of [`ASSIGNED_ENDINGS`], then an optional quote and white space, ends right
/// before byte `at` of `text`.
fn name_ends_before(text: &str, at: usize) -> bool {
    // The name ends before the quote, if any, and the white space (`\s` is Unicode white
    // space, as `trim_end` is).
    let before = text[..at].trim_end();
    let before = before.strip_suffix(['"', '\'']).unwrap_or(before);
    // Every ending ends in one of these letters: most `:` and `=` stop here, and the rest
    // are compared with the endings of their letter only.
    let Some(last) = before.as_bytes().last() else {
        return false;
    };
    endings_in(*last).iter().any(|end| {
        before.len() >= end.len()
            && before.as_bytes()[before.len() - end.len()..].eq_ignore_ascii_case(end.as_bytes())
    })
}

/// The [`ASSIGNED_ENDINGS`] whose last letter is `last`, in either case (a test checks these
/// lists are the endings, each once).
fn endings_in(last: u8) -> &'static [&'static str] {
    match last.to_ascii_lowercase() {
        b'd' => &["password", "passwd", "pwd"],
        b't' => &["secret"],
        b'n' => &["token"],
        b'y' => &["api_key", "apikey", "api-key", "access_key", "secret_key"],
        _ => &[],
    }
}

/// `BEARER` starts with one of these words.
const BEARER_WORDS: &[&str] = &["Bearer", "token"];

/// memchr's searchers for [`BEARER_WORDS`], built once: each runbook's search built them
/// anew, and setting one up costs hundreds of instructions.
static BEARER_FINDERS: LazyLock<Vec<memchr::memmem::Finder<'static>>> =
    LazyLock::new(|| super::word_finders(BEARER_WORDS));

/// memchr's searcher for `://`, built once (see [`BEARER_FINDERS`]).
static SCHEME_SEPARATOR: LazyLock<memchr::memmem::Finder<'static>> =
    LazyLock::new(|| memchr::memmem::Finder::new(b"://"));

/// False only when `URL_PASSWORD` cannot match `text`: it needs a `://` followed by an `@`
/// with neither white space nor `/` in between.
fn may_have_url_password(text: &str) -> bool {
    // `match_indices` runs the generic substring searcher over the whole text, byte by
    // byte; memchr's finder is vectorised. `://` cannot overlap itself, so both find the
    // same occurrences.
    SCHEME_SEPARATOR.find_iter(text.as_bytes()).any(|at| {
        text[at + 3..]
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '/')
            .any(|c| c == '@')
    })
}

pub fn check(
    cx: &Context<'_>,
    idx: usize,
    runbook: &Runbook,
    source: &SourceFile,
    sink: &mut Sink,
) {
    let text = &source.text;
    let mut found: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    let prefixed = ANY_PREFIX.is_match(text);
    for (what, re) in PREFIXED.iter().filter(|_| prefixed) {
        for m in re.find_iter(text) {
            if !m.as_str().contains("EXAMPLE") {
                found.push((m.range(), format!("hard-coded {what}")));
            }
        }
    }
    for m in prefixed
        .then(|| PRIVATE_KEY.find_iter(text))
        .into_iter()
        .flatten()
    {
        let end = text[m.end()..]
            .find("-----END")
            .map_or(m.end(), |i| m.end() + i);
        // The BEGIN line stays visible so the reader sees what it is; the body is masked.
        let body_start = text[m.end()..]
            .find('\n')
            .map_or(m.end(), |i| m.end() + i + 1);
        sink.redactions
            .push((runbook.path.clone(), body_start..end.max(body_start)));
        let span = source.span(m.start(), m.end());
        sink.push(secret_diag(
            cx,
            idx,
            span,
            "private key block in the runbook".to_owned(),
        ));
    }
    // Most runbooks hold none of these; each precheck below is a necessary condition for its
    // regex to match (property-tested), and much cheaper than a scan of the whole text.
    for caps in may_assign(text)
        .then(|| ASSIGNED.captures_iter(text))
        .into_iter()
        .flatten()
    {
        let value = caps.get(2).expect("group 2");
        if looks_secret(value.as_str()) {
            found.push((
                value.range(),
                format!("hard-coded {} value", caps[1].to_lowercase()),
            ));
        }
    }
    // memchr's vectorised search: the standard one sets up a Two-Way searcher and walks
    // the whole file for each word.
    for caps in BEARER_FINDERS
        .iter()
        .any(|word| word.find(text.as_bytes()).is_some())
        .then(|| BEARER.captures_iter(text))
        .into_iter()
        .flatten()
    {
        let value = caps.get(2).expect("group 2");
        if looks_secret(value.as_str()) {
            found.push((value.range(), "hard-coded bearer token".to_owned()));
        }
    }
    for caps in may_have_url_password(text)
        .then(|| URL_PASSWORD.captures_iter(text))
        .into_iter()
        .flatten()
    {
        let value = caps.get(1).expect("group 1");
        if looks_secret(value.as_str()) {
            found.push((value.range(), "hard-coded password in a URL".to_owned()));
        }
    }
    found.sort_by_key(|(r, _)| (r.start, std::cmp::Reverse(r.end)));
    let mut last_end = 0;
    for (range, message) in found {
        if range.start < last_end {
            continue;
        }
        last_end = range.end;
        sink.redactions.push((runbook.path.clone(), range.clone()));
        let span = source.span(range.start, range.end);
        sink.push(secret_diag(cx, idx, span, message));
    }
}

fn secret_diag(
    cx: &Context<'_>,
    idx: usize,
    span: crate::source::Span,
    message: String,
) -> crate::diag::Diagnostic {
    cx.diag("RB117", idx, span, message).with_help(
        "revoke the credential now, then read it from the environment or a secret store (`$API_TOKEN`, `vault kv get ...`)",
    )
}

/// Long enough, varied enough, and not a placeholder.
fn looks_secret(value: &str) -> bool {
    let lower = value.to_lowercase();
    const PLACEHOLDERS: &[&str] = &[
        "$",
        "<",
        "{",
        "*",
        "%",
        "xxx",
        "your",
        "example",
        "changeme",
        "change_me",
        "redacted",
        "placeholder",
        "dummy",
        "secret",
        "password",
        "token",
        "...",
        "replace",
        "insert",
    ];
    if value.len() < 12 || PLACEHOLDERS.iter().any(|p| lower.contains(p)) {
        return false;
    }
    let classes = [
        value.chars().any(|c| c.is_ascii_lowercase()),
        value.chars().any(|c| c.is_ascii_uppercase()),
        value.chars().any(|c| c.is_ascii_digit()),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    classes >= 2 && entropy(value) >= 3.0
}

/// Shannon entropy in bits per character.
fn entropy(text: &str) -> f64 {
    let mut counts = std::collections::HashMap::new();
    for c in text.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
    }
    #[allow(clippy::cast_precision_loss)]
    let len = text.chars().count() as f64;
    counts
        .values()
        .map(|&n| {
            #[allow(clippy::cast_precision_loss)]
            let p = n as f64 / len;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    proptest::proptest! {
        /// Every provider token and private key block holds one of the literals that
        /// `ANY_PREFIX` looks for.
        #[test]
        fn token_patterns_need_a_listed_literal(
            parts in proptest::collection::vec(proptest::prop_oneof![
                "(AKIA|ASIA)[0-9A-Z]{16}",
                "gh[pousr]_[A-Za-z0-9]{36}",
                "github_pat_[A-Za-z0-9_]{40}",
                "glpat-[A-Za-z0-9_-]{20}",
                "xox[abposr]-[A-Za-z0-9-]{10}",
                "[sr]k_live_[A-Za-z0-9]{20}",
                "AIza[0-9A-Za-z_-]{35}",
                "-----BEGIN ([A-Z]+ )?PRIVATE KEY( BLOCK)?-----",
                "[ \n=:]|[a-z0-9_-]{1,8}",
            ], 0..4)
        ) {
            let text = parts.concat();
            let any = super::ANY_PREFIX.is_match(&text);
            for (_, re) in super::PREFIXED.iter() {
                proptest::prop_assert!(any || !re.is_match(&text), "{:?}", text);
            }
            proptest::prop_assert!(any || !super::PRIVATE_KEY.is_match(&text), "{:?}", text);
        }
        #[test]
        fn prechecks_never_hide_a_match(text in "([pP]ass(word|wd)?|[pP]wd|[sS]ecret|client_secret|[tT]oken|access_token|api[-_]?[kK]ey|access_key|secret_key|ſecret|to\u{212A}en|Bearer| |\n|\t|[\"'=:@/]|://|a|A|7|x){0,10}[A-Za-z0-9._~+/-]{0,24}") {
            if super::ASSIGNED.is_match(&text) {
                proptest::prop_assert!(super::may_assign(&text), "{:?}", text);
            }
            if super::BEARER.is_match(&text) {
                proptest::prop_assert!(super::BEARER_WORDS.iter().any(|w| text.contains(w)), "{:?}", text);
            }
            if super::URL_PASSWORD.is_match(&text) {
                proptest::prop_assert!(super::may_have_url_password(&text), "{:?}", text);
            }
        }
    }

    /// The endings by last letter are the endings, each once.
    #[test]
    fn endings_by_letter_are_the_endings() {
        let mut by_letter: Vec<&str> = (0..=u8::MAX)
            .filter(|b| !b.is_ascii_uppercase())
            .flat_map(super::endings_in)
            .copied()
            .collect();
        let mut all = super::ASSIGNED_ENDINGS.to_vec();
        by_letter.sort_unstable();
        all.sort_unstable();
        assert_eq!(by_letter, all);
        for end in super::ASSIGNED_ENDINGS {
            let last = *end.as_bytes().last().unwrap();
            assert!(super::endings_in(last).contains(end), "{end}");
            assert!(
                super::endings_in(last.to_ascii_uppercase()).contains(end),
                "{end}"
            );
        }
    }

    /// `may_assign` as it was written before: each `:` and `=` found by a scan of 16 bytes
    /// at a time, each tested against every ending.
    fn may_assign_oracle(text: &str) -> bool {
        if !text.is_ascii() && (text.contains('\u{17F}') || text.contains('\u{212A}')) {
            return true;
        }
        let name_ends_before = |at: usize| {
            let before = text[..at].trim_end();
            let before = before.strip_suffix(['"', '\'']).unwrap_or(before);
            super::ASSIGNED_ENDINGS.iter().any(|end| {
                before.len() >= end.len()
                    && before.as_bytes()[before.len() - end.len()..]
                        .eq_ignore_ascii_case(end.as_bytes())
            })
        };
        text.bytes()
            .enumerate()
            .any(|(at, b)| (b == b':' || b == b'=') && name_ends_before(at))
    }

    proptest::proptest! {
        /// `may_assign` finds a name before a sign where it found one before.
        #[test]
        fn may_assign_is_the_scan_it_replaces(
            text in "(([pP]ass(word|wd)?|[pP]wd|[sS]ecret|client_secret|[tT]oken|TOKEN|access_token|api[-_]?[kK]ey|access_KEY|secret_key|ſecret|to\u{212A}en|[a-z0-9]{1,3}|é)[ \t\u{a0}\"']{0,2}[=:]?){0,5}",
        ) {
            proptest::prop_assert_eq!(super::may_assign(&text), may_assign_oracle(&text), "{:?}", text);
        }

        /// `may_end_name` only turns away positions `name_ends_before` turns away.
        #[test]
        fn may_end_name_keeps_every_name_end(
            text in "([pP]ass(word|wd)?|[tT]oken|api[-_]?[kK]ey|secret|[a-z0-9]{1,3}|[ \t\u{a0}\"'=:é]){0,6}",
            cut in 0usize..40,
        ) {
            let at = (0..=cut.min(text.len())).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
            if !super::may_end_name(text.as_bytes(), at) {
                proptest::prop_assert!(!super::name_ends_before(&text, at), "{:?} {}", text, at);
            }
        }
    }

    proptest::proptest! {
        /// The prebuilt searchers find what `str`'s searches found.
        #[test]
        fn prebuilt_finders_find_what_str_finds(text in "(Bearer|bearer|token|Token|://|:/|//|[a-z :/]{0,3}){0,5}") {
            for (finder, word) in super::BEARER_FINDERS.iter().zip(super::BEARER_WORDS) {
                proptest::prop_assert_eq!(finder.find(text.as_bytes()).is_some(), text.contains(word));
            }
            proptest::prop_assert_eq!(
                super::SCHEME_SEPARATOR.find_iter(text.as_bytes()).collect::<Vec<_>>(),
                text.match_indices("://").map(|(at, _)| at).collect::<Vec<_>>()
            );
        }
    }

    /// `may_assign` leaves texts with `ſ` or the Kelvin sign to the regex because those are
    /// the only characters outside ASCII that `(?i)` matches with an ASCII letter.
    #[test]
    fn only_two_non_ascii_characters_fold_to_ascii_letters() {
        let letter = Regex::new("(?i)^[a-z]$").unwrap();
        let folding: Vec<char> = ('\u{80}'..=char::MAX)
            .filter(|c| letter.is_match(c.encode_utf8(&mut [0; 4])))
            .collect();
        assert_eq!(folding, ['\u{17F}', '\u{212A}']);
    }

    use super::*;

    #[test]
    fn secrets_and_placeholders() {
        assert!(looks_secret("8fK2mQ9xLr4vT7wZ3pN6sB1yH5cJ0dGe"));
        assert!(!looks_secret("YOUR_API_TOKEN_HERE"));
        assert!(!looks_secret("${DB_PASSWORD}"));
        assert!(!looks_secret("aaaaaaaaaaaaaaaa"));
        assert!(!looks_secret("short1A"));
        assert!(!looks_secret("application/json"));
    }
}
