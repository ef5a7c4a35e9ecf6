//! The lint rules, one per file. Each file opens with the rule's documentation (What it does /
//! Why it matters / Example / Use instead) and has a `check` function; `registry.rs` gives
//! each its code, name and default level.

pub mod broken_anchor;
pub mod broken_link;
pub mod compose_drift;
pub mod database_drift;
pub mod hardcoded_secret;
pub mod host_drift;
pub mod image_drift;
pub mod namespace_drift;
pub mod port_drift;
pub mod severity_drift;
pub mod shell_syntax;
pub mod stale_review;
pub mod undeclared_placeholder;
pub mod unguarded_destructive;
pub mod wrong_fence;

use super::Context;
use super::drift::Verdict;
use crate::diag::Diagnostic;
use crate::facts::Stated;

/// memchr's searchers for `words`, for a rule to build once (in a `LazyLock`): setting one
/// up costs hundreds of instructions, and `str::contains` sets one up at every call.
fn word_finders(words: &[&str]) -> Vec<memchr::memmem::Finder<'static>> {
    words
        .iter()
        .map(|word| memchr::memmem::Finder::new(word.as_bytes()).into_owned())
        .collect()
}

/// The drift diagnostic for one minority statement: primary at the statement, related label
/// at the first statement of the winning value.
fn drift_diag<T>(
    cx: &Context<'_>,
    code: &'static str,
    verdict: &Verdict<'_, T>,
    stmt: &Stated<T>,
    message: String,
    help: String,
) -> Diagnostic {
    let mut diag = cx
        .diag(code, stmt.runbook, stmt.span, message)
        .with_help(help);
    match verdict.witness {
        Some(w) if !verdict.canonical => diag.related.push(cx.related(
            w.runbook,
            w.span,
            format!("{} is stated here", verdict.key),
        )),
        _ if verdict.canonical => {
            diag = diag.with_related(
                "book.toml",
                0,
                0,
                format!("{} is declared here", verdict.key),
            );
        }
        _ => {}
    }
    diag
}
