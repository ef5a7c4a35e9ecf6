//! What it does: finds runbooks whose `Next Review` date has passed, and, when
//! `[lint] max_age` is set (`180d`, `26w`, `6m`, `1y`), runbooks whose `Last Updated` date is
//! older than that. "Today" is the system date, or `--today YYYY-MM-DD` for reproducible runs.
//!
//! Why it matters: a runbook nobody has read since the last re-architecture is worse than no
//! runbook: it is trusted. Review dates only help if something notices when they pass.
//!
//! Example:
//! ```markdown
//! **Next Review:** 2025-06-01
//! ```
//!
//! Use instead: review the runbook against the running system, then move the date forward
//! (`**Next Review:** 2026-12-01`) and update `Last Updated`.

use super::super::{Context, Sink};
use crate::facts::locate;
use crate::model::{MetaEntry, Runbook};
use crate::source::SourceFile;

pub fn check(
    cx: &Context<'_>,
    idx: usize,
    runbook: &Runbook,
    source: &SourceFile,
    sink: &mut Sink,
) {
    let entry_of = |date, names: &[&str]| -> Option<&MetaEntry> {
        runbook
            .meta
            .entries
            .iter()
            .find(|e| e.date == Some(date) && names.contains(&e.name.as_str()))
            .or_else(|| runbook.meta.entries.iter().find(|e| e.date == Some(date)))
    };
    let value_span = |entry: &MetaEntry| {
        locate(
            source,
            entry.span,
            std::slice::from_ref(&entry.value),
            &entry.value,
        )
        .unwrap_or(entry.span)
    };
    if let Some(next) = runbook.meta.next_review
        && next < cx.today
    {
        let days = (cx.today - next).num_days();
        if let Some(entry) = entry_of(next, &["next_review", "review_by"]) {
            sink.push(
                    cx.diag(
                        "RB113",
                        idx,
                        value_span(entry),
                        format!("review was due on {next}, {days} days ago"),
                    )
                    .with_help("review the runbook against the running system, then move `Next Review` forward"),
                );
        }
    }
    let (Some(updated), Some(max)) = (runbook.meta.last_updated, cx.max_age_days) else {
        return;
    };
    let age = (cx.today - updated).num_days();
    if age > max
        && let Some(entry) = entry_of(updated, &["last_updated", "updated", "last_reviewed"])
    {
        sink.push(
            cx.diag(
                "RB113",
                idx,
                value_span(entry),
                format!("last updated on {updated}, {age} days ago (max_age is {max} days)"),
            )
            .with_help("review the runbook and update `Last Updated`, or raise [lint] max_age"),
        );
    }
}
