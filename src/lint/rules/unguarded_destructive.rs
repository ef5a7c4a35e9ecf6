//! What it does: finds destructive commands (delete, `--force`, `kill -9`, `rm -rf`, scale to
//! zero, `DROP`/`DELETE`/`TRUNCATE`; the classifier's `destructive` risk) with no warning
//! nearby: no "warning", "caution", "danger", "⚠", "irreversible", "data loss" or
//! "cannot be undone" in the text of their section (from the enclosing `##` heading down to
//! the next heading after the command), and no confirmation prompt (`read -p`, "are you sure").
//!
//! Why it matters: runbooks are followed under stress, by people who copy the next block.
//! A command that loses data should say so where it is, not three sections earlier.
//!
//! Example:
//! ````markdown
//! ### Single pod restart
//! ```bash
//! kubectl delete pod api-xxxxx -n production --grace-period=0 --force
//! ```
//! ````
//!
//! Use instead:
//! ````markdown
//! ### Single pod restart
//! > **Warning:** force deletion drops in-flight requests. Use it only for a stuck pod.
//! ```bash
//! kubectl delete pod api-xxxxx -n production --grace-period=0 --force
//! ```
//! ````

use super::super::{Context, Sink};
use crate::facts::locate;
use crate::model::{Risk, Runbook};
use crate::source::SourceFile;
use std::sync::LazyLock;

const WORDS: &[&str] = &[
    "warning",
    "caution",
    "danger",
    "⚠",
    "careful",
    "irreversible",
    "cannot be undone",
    "can't be undone",
    "data loss",
    "lose data",
    "loses data",
    "destructive",
    "are you sure",
    "read -p",
    "read -r -p",
];

/// memchr's searchers for [`WORDS`], built once: `str::contains` sets up a substring
/// searcher for each word, for each destructive command; the search finds the same.
static WORD_FINDERS: LazyLock<Vec<memchr::memmem::Finder<'static>>> =
    LazyLock::new(|| super::word_finders(WORDS));

pub fn check(
    cx: &Context<'_>,
    idx: usize,
    runbook: &Runbook,
    source: &SourceFile,
    sink: &mut Sink,
) {
    for (step, cmd) in runbook.commands() {
        if cmd.risk != Risk::Destructive || cmd.text.contains("--dry-run") {
            continue;
        }
        let region = region(runbook, source, step.section, step.span.start).to_lowercase();
        if WORD_FINDERS
            .iter()
            .any(|w| w.find(region.as_bytes()).is_some())
        {
            continue;
        }
        let program = cmd
            .program
            .split_whitespace()
            .next()
            .unwrap_or(&cmd.program);
        let span = locate(source, step.span, &[program.to_owned()], program).unwrap_or(step.span);
        let why = if cmd.risk_reason.is_empty() {
            String::new()
        } else {
            format!(" ({})", cmd.risk_reason)
        };
        sink.push(
            cx.diag(
                "RB115",
                idx,
                span,
                format!("destructive command{why} with no warning in its section"),
            )
            .with_help("say what it destroys next to it, e.g. `> **Warning:** this drops in-flight requests`, or ask for confirmation"),
        );
    }
}

/// The text from the outermost enclosing heading below level 1 to the next heading after
/// the command (or the end of the file).
fn region(runbook: &Runbook, source: &SourceFile, section: Option<usize>, at: usize) -> String {
    let mut start = section.map_or(0, |s| runbook.sections[s].span.start);
    let mut current = section;
    while let Some(s) = current {
        let sec = &runbook.sections[s];
        if sec.level < 2 {
            break;
        }
        start = sec.span.start;
        current = sec.parent;
    }
    let end = runbook
        .sections
        .iter()
        .map(|s| s.span.start)
        .find(|&s| s > at)
        .unwrap_or(source.text.len());
    source.text.get(start..end).unwrap_or("").to_owned()
}

#[cfg(test)]
mod tests {
    use proptest::strategy::Strategy as _;

    proptest::proptest! {
        /// The prebuilt searchers find a warning word where `contains` found one.
        #[test]
        fn word_finders_find_what_contains_finds(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::sample::select(super::WORDS).prop_map(str::to_owned),
                    "[a-z ⚠'-]{0,4}",
                ],
                0..4,
            ),
        ) {
            let region = parts.concat();
            proptest::prop_assert_eq!(
                super::WORD_FINDERS.iter().any(|w| w.find(region.as_bytes()).is_some()),
                super::WORDS.iter().any(|w| region.contains(w)),
                "{:?}", region
            );
        }
    }
}
