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

use super::super::{Context, Sink};
use super::broken_link::resolve;
use crate::facts::locate;
use crate::model::{LinkKind, Runbook};
use crate::source::SourceFile;
use rayon::prelude::*;
use regex::Regex;
use std::collections::BTreeSet;
use std::sync::LazyLock;

static HTML_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"<[a-zA-Z][^>]*\s(?:id|name)\s*=\s*["']([^"']+)["']"#).expect("valid regex")
});

pub fn check(cx: &Context<'_>, sink: &mut Sink) {
    let anchors: Vec<BTreeSet<String>> = cx
        .book
        .runbooks
        .par_iter()
        .zip(cx.sources)
        .map(|(r, s)| anchors(r, s))
        .collect();
    let index = cx.book.positions();
    cx.each_runbook(sink, |idx, runbook, source, sink| {
        for link in &runbook.links {
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
                    let rel = resolve(&runbook.path, &link.path);
                    let rel = rel.to_string_lossy().replace('\\', "/");
                    index.get(rel.as_str()).copied()
                }
                _ => None,
            };
            let Some(target) = target else { continue };
            let fragment = crate::parse::percent::decode_lossy(fragment);
            let set = &anchors[target];
            if set.contains(&fragment) || set.contains(&fragment.to_lowercase()) {
                continue;
            }
            let span = locate(
                source,
                link.span,
                &[format!("#{}", link.fragment.as_deref().unwrap_or(""))],
                link.fragment.as_deref().unwrap_or(""),
            )
            .unwrap_or(link.span);
            let in_file = if target == idx {
                "this page".to_owned()
            } else {
                format!("`{}`", cx.book.runbooks[target].path)
            };
            let mut diag = cx.diag(
                "RB112",
                idx,
                span,
                format!("no heading or step `#{fragment}` in {in_file}"),
            );
            if let Some(near) = closest(&fragment, set) {
                diag = diag.with_help(format!("did you mean `#{near}`?"));
            } else {
                diag = diag.with_help(
                    "link to an existing heading slug, or add `{#id}` to the heading you mean",
                );
            }
            sink.push(diag);
        }
    });
}

/// Every anchor a runbook offers.
fn anchors(runbook: &Runbook, source: &SourceFile) -> BTreeSet<String> {
    let mut set: BTreeSet<String> = runbook.sections.iter().map(|s| s.slug.clone()).collect();
    set.extend(runbook.steps.iter().map(|s| s.id.clone()));
    set.extend(HTML_ID.captures_iter(&source.text).map(|c| c[1].to_owned()));
    let lower: Vec<String> = set.iter().map(|s| s.to_lowercase()).collect();
    set.extend(lower);
    set
}

/// The anchor closest to `wanted` by edit distance, when it is close.
fn closest<'a>(wanted: &str, set: &'a BTreeSet<String>) -> Option<&'a str> {
    set.iter()
        .filter(|s| !s.starts_with("step-"))
        .map(|s| (edit_distance(wanted, s), s))
        .filter(|(d, s)| *d <= 2.max(s.len() / 5))
        .min()
        .map(|(_, s)| s.as_str())
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

    #[test]
    fn distance_and_decode() {
        assert_eq!(edit_distance("severity-level", "severity-levels"), 1);
        assert_eq!(crate::parse::percent::decode_lossy("caf%C3%A9"), "café");
    }
}
