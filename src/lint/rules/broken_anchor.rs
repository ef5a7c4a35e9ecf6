//! What it does: finds links whose `#fragment` matches no heading slug (GitHub slug rules:
//! lower case, punctuation dropped, spaces to `-`, `-1` for repeats), no explicit `{#id}`,
//! no step id and no HTML `id`/`name` in the target runbook. Same-page links (`#x`) and
//! links into other runbooks of the book (`index.md#severity-levels`) are both checked.
//!
//! Why it matters: a link to a section that was renamed still "works", it just drops the
//! reader at the top of a long page instead of at the procedure they need.
//!
//! Example:
//! ```markdown
//! See the [severity levels](index.md#severity-level).
//! ```
//!
//! Use instead:
//! ```markdown
//! See the [severity levels](index.md#severity-levels).
//! ```
//!
//! Known limits: fragments into files that are not runbooks of the book (HTML, other
//! folders) are not checked; a broken file is reported by `broken-link` instead.

use super::super::{BookContext, Context, Sink};
use super::broken_link::resolve_shown;
use crate::facts::locate;
use crate::model::{LinkKind, Runbook};
use crate::source::{SourceFile, Span};
use regex::Regex;
use std::sync::LazyLock;

static HTML_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"<[a-zA-Z][^>]*\s(?:id|name)\s*=\s*["']([^"']+)["']"#).expect("valid regex")
});

/// What this rule needs of one runbook, taken while its model is in memory: the anchors it
/// offers (to the links of every other runbook) and its own links to anchors.
#[derive(Debug, Default)]
pub struct Anchors {
    /// Every anchor, also in lower case; sorted, each once.
    offered: Sorted,
    /// Links with a `#fragment` into a runbook of the book, in document order; empty for a
    /// runbook that is not linted.
    links: Vec<AnchorLink>,
}

/// A link to an anchor of a runbook of the book.
#[derive(Debug)]
struct AnchorLink {
    /// Position of the target runbook in book order.
    target: usize,
    /// The fragment, percent-decoded.
    fragment: String,
    /// Where the fragment is written.
    span: Span,
}

/// Sorted, distinct strings in one buffer. A runbook offers dozens of anchors and all of them
/// are kept until every runbook has been read: one allocation each would be hundreds of
/// thousands of small blocks for a large book.
#[derive(Debug, Default)]
struct Sorted {
    text: String,
    /// Where each string ends in `text`.
    ends: Vec<usize>,
}

impl Sorted {
    fn new(list: Vec<&str>) -> Self {
        // Sorted by the first 8 bytes as a number first: most anchors differ there (step
        // ids differ in the hex digits after `step-`), so most comparisons are of two
        // numbers instead of a call to `memcmp`. The order is that of the strings (see
        // [`prefix_key`]).
        let mut keyed: Vec<(u64, &str)> = list.into_iter().map(|s| (prefix_key(s), s)).collect();
        keyed.sort_unstable();
        keyed.dedup_by(|a, b| a.1 == b.1);
        let mut out = Sorted {
            text: String::with_capacity(keyed.iter().map(|(_, s)| s.len()).sum()),
            ends: Vec::with_capacity(keyed.len()),
        };
        for (_, one) in keyed {
            out.text.push_str(one);
            out.ends.push(out.text.len());
        }
        out
    }

    fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.ends.len()).map(|i| self.get(i))
    }

    fn contains(&self, wanted: &str) -> bool {
        let (mut low, mut high) = (0, self.ends.len());
        while low < high {
            let mid = low + (high - low) / 2;
            match self.get(mid).cmp(wanted) {
                std::cmp::Ordering::Less => low = mid + 1,
                std::cmp::Ordering::Greater => high = mid,
                std::cmp::Ordering::Equal => return true,
            }
        }
        false
    }
}

/// The first 8 bytes of `text`, zeros after its end, as a big-endian number. A smaller key
/// means a smaller string: at the first byte where two keys differ, either both strings
/// have that byte, or the one without it (a zero) is a prefix of the other. Equal keys say
/// nothing, and the strings decide (a property test checks the order is that of `str`).
fn prefix_key(text: &str) -> u64 {
    // Most anchors have 8 bytes or more: one load of them, where a copy into a buffer is a
    // call to `memcpy`.
    match text.as_bytes().first_chunk::<8>() {
        Some(first) => u64::from_be_bytes(*first),
        None => {
            let mut key = [0u8; 8];
            key[..text.len()].copy_from_slice(text.as_bytes());
            u64::from_be_bytes(key)
        }
    }
}

/// The anchors runbook `idx` offers and, when it is linted, its links to anchors.
pub fn gather(cx: &Context<'_>, idx: usize, runbook: &Runbook, source: &SourceFile) -> Anchors {
    let mut links = Vec::new();
    for link in runbook.links.iter().filter(|_| cx.is_linted(idx)) {
        // An image's `#fragment` names a part of the image, not a heading.
        if link.image {
            continue;
        }
        let Some(fragment) = link.fragment.as_deref().filter(|f| !f.is_empty()) else {
            continue;
        };
        let target = match link.kind {
            LinkKind::Anchor => Some(idx),
            LinkKind::Relative if !link.path.is_empty() => {
                cx.position(&resolve_shown(&runbook.path, &link.path))
            }
            _ => None,
        };
        let Some(target) = target else { continue };
        let span =
            locate(source, link.span, &[format!("#{fragment}")], fragment).unwrap_or(link.span);
        links.push(AnchorLink {
            target,
            fragment: crate::parse::percent::decode_lossy(fragment),
            span,
        });
    }
    Anchors {
        offered: offered(runbook, source),
        links,
    }
}

pub fn check(cx: &BookContext<'_>, sink: &mut Sink) {
    for (idx, own) in cx.anchors.iter().enumerate() {
        for link in &own.links {
            let fragment = &link.fragment;
            let Some(anchors) = cx.anchors.get(link.target) else {
                continue;
            };
            if anchors.offered.contains(fragment)
                || anchors.offered.contains(&fragment.to_lowercase())
            {
                continue;
            }
            let in_file = if link.target == idx {
                "this page".to_owned()
            } else {
                format!("`{}`", cx.sources[link.target].path)
            };
            let mut diag = cx.diag(
                "RB112",
                idx,
                link.span,
                format!("no heading or step `#{fragment}` in {in_file}"),
            );
            if let Some(near) = closest(fragment, &anchors.offered) {
                diag = diag.with_help(format!("did you mean `#{near}`?"));
            } else {
                diag = diag.with_help(
                    "link to an existing heading slug, or add `{#id}` to the heading you mean",
                );
            }
            sink.push(diag);
        }
    }
}

/// Every anchor a runbook offers, also in lower case.
fn offered(runbook: &Runbook, source: &SourceFile) -> Sorted {
    // Borrowed from the runbook: `Sorted` copies each into its buffer once, so a string of
    // its own for each (dozens a runbook) would only be made to be dropped.
    let mut all: Vec<&str> = Vec::with_capacity(runbook.sections.len() + runbook.steps.len());
    all.extend(runbook.sections.iter().map(|s| s.slug.as_str()));
    all.extend(runbook.steps.iter().map(|s| s.id.as_str()));
    all.extend(
        HTML_ID
            .captures_iter(&source.text)
            .filter_map(|c| c.get(1).map(|m| m.as_str())),
    );
    let lower: Vec<String> = all
        .iter()
        // Only these can differ in lower case; the rest would be dropped as duplicates.
        // (One pass: `!s.is_ascii() || s.bytes().any(|b| b.is_ascii_uppercase())`.)
        .filter(|s| s.bytes().any(|b| !b.is_ascii() || b.is_ascii_uppercase()))
        .map(|s| s.to_lowercase())
        .collect();
    all.extend(lower.iter().map(String::as_str));
    Sorted::new(all)
}

/// The anchor closest to `wanted` by edit distance, when it is close.
fn closest<'a>(wanted: &str, set: &'a Sorted) -> Option<&'a str> {
    set.iter()
        .filter(|s| !s.starts_with("step-"))
        .map(|s| (edit_distance(wanted, s), s))
        .filter(|(d, s)| *d <= 2.max(s.len() / 5))
        .min()
        .map(|(_, s)| s)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The strings of `Sorted` are those sorting and dedup of `String`s gave.
        #[test]
        fn sorted_is_the_sorted_distinct_strings(
            list in proptest::collection::vec("(step-|[a\\x00é])[0-9a\\x00]{0,9}", 0..12),
        ) {
            let mut want = list.clone();
            want.sort_unstable();
            want.dedup();
            let sorted = Sorted::new(list.iter().map(String::as_str).collect());
            proptest::prop_assert_eq!(sorted.iter().collect::<Vec<_>>(), want.iter().map(String::as_str).collect::<Vec<_>>());
            for one in &list {
                proptest::prop_assert!(sorted.contains(one));
            }
        }
    }

    #[test]
    fn distance_and_decode() {
        assert_eq!(edit_distance("severity-level", "severity-levels"), 1);
        assert_eq!(crate::parse::percent::decode_lossy("caf%C3%A9"), "café");
    }
}
