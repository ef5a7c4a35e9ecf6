//! One runbook's pass of a streamed lint: while its model is in memory, the per-runbook rules
//! check it, and what the book-wide rules will need is taken out of it in compact form (its
//! facts, its anchors and links to anchors, its loader problems, its inline suppressions).
//! Then the model can be dropped. [`Gathered`] joins the passes in book order.

use super::registry::RunbookCheck;
use super::rules::broken_anchor::{self, Anchors};
use super::suppress::Suppressions;
use super::{Context, Sink};
use crate::diag::Diagnostic;
use crate::facts::{self, Facts, RunbookFacts};
use crate::model::Runbook;

/// What the lint keeps of one runbook.
#[derive(Debug)]
pub struct Pass {
    /// Findings of the per-runbook rules (and the secrets to mask), rule after rule.
    sink: Sink,
    /// What the runbook states; nothing for an ignored runbook.
    facts: RunbookFacts,
    /// The anchors it offers (ignored or not) and its links to anchors (linted only).
    anchors: Anchors,
    /// Problems the parser met in it.
    problems: Vec<Diagnostic>,
    /// Its `runbook-lint allow` comments.
    suppressions: Suppressions,
}

impl Pass {
    /// Checks runbook `idx` with `checks` (the enabled per-runbook rules, in registry order)
    /// and keeps what the rest of the lint needs.
    pub fn run(cx: &Context<'_>, idx: usize, runbook: &Runbook, checks: &[RunbookCheck]) -> Self {
        let source = &cx.sources[idx];
        let linted = cx.is_linted(idx);
        let mut sink = Sink::default();
        if linted {
            for check in checks {
                check(cx, idx, runbook, source, &mut sink);
            }
        }
        Self {
            sink,
            facts: if linted {
                facts::of_runbook(idx, runbook, source)
            } else {
                RunbookFacts::default()
            },
            anchors: broken_anchor::gather(cx, idx, runbook, source),
            problems: runbook.diagnostics.clone(),
            suppressions: Suppressions::parse(&source.text),
        }
    }
}

/// Every pass joined, in book order.
pub struct Gathered {
    /// The loader's problems: the book's own, then each runbook's.
    pub problems: Vec<Diagnostic>,
    /// Findings of the per-runbook rules, one sink per runbook in book order (the report
    /// moves them once, into its own list).
    pub sinks: Vec<Sink>,
    /// The facts index of the book.
    pub facts: Facts,
    /// Per runbook: anchors and links to anchors.
    pub anchors: Vec<Anchors>,
    /// Per runbook: inline suppressions.
    pub suppressions: Vec<Suppressions>,
}

impl Gathered {
    /// Joins `passes` (one per runbook, in book order); `book_problems` are the loader's
    /// problems not tied to one runbook.
    pub fn from_passes(book_problems: &[Diagnostic], passes: Vec<Pass>) -> Self {
        // Sized up front: the lists are long, and growing them copies everything again.
        let mut problems = Vec::with_capacity(
            book_problems.len() + passes.iter().map(|p| p.problems.len()).sum::<usize>(),
        );
        problems.extend_from_slice(book_problems);
        let mut sinks = Vec::with_capacity(passes.len());
        let mut facts = Vec::with_capacity(passes.len());
        let mut anchors = Vec::with_capacity(passes.len());
        let mut suppressions = Vec::with_capacity(passes.len());
        for pass in passes {
            problems.extend(pass.problems);
            sinks.push(pass.sink);
            facts.push(pass.facts);
            anchors.push(pass.anchors);
            suppressions.push(pass.suppressions);
        }
        Self {
            problems,
            sinks,
            facts: facts::merge(facts),
            anchors,
            suppressions,
        }
    }
}
