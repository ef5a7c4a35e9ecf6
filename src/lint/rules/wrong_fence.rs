//! What it does: finds lines in a shell fence (`bash`, `sh`, `shell`, `console`) that are not
//! shell: bare SQL, JSON or YAML documents, Redis commands, prose. The parser recognises them
//! and this rule suggests the fence they belong in.
//!
//! Why it matters: whoever copies the block into a terminal, and every tool that runs the
//! runbook (`runbook plan`), executes `SELECT * FROM ...` as a shell command. Syntax
//! highlighting is wrong too, which hides real mistakes.
//!
//! Example:
//! ````markdown
//! ```bash
//! # Check connections
//! SELECT count(*) FROM pg_stat_activity;
//! ```
//! ````
//!
//! Use instead:
//! ````markdown
//! ```sql
//! SELECT count(*) FROM pg_stat_activity;
//! ```
//! ````
//!
//! Known limits: input typed into an interactive client started just above in the same
//! fence (`psql` then SQL, `redis-cli` then `INFO`) is accepted: that is how a session is
//! shown. Output after a `# Expected` comment is output, not a wrong fence.

use super::super::{Context, Sink};
use crate::model::{Runbook, StepKind};
use crate::source::SourceFile;

/// Interactive clients and the language of what is typed into them.
const CLIENTS: &[(&str, &str)] = &[
    ("psql", "sql"),
    ("mysql", "sql"),
    ("sqlite3", "sql"),
    ("redis-cli", "redis"),
    ("mongosh", "text"),
    ("mongo", "text"),
];

pub fn check(
    cx: &Context<'_>,
    idx: usize,
    runbook: &Runbook,
    source: &SourceFile,
    sink: &mut Sink,
) {
    for (pos, step) in runbook.steps.iter().enumerate() {
        let StepKind::Snippet {
            lang,
            in_shell_fence: true,
            ..
        } = &step.kind
        else {
            continue;
        };
        if is_client_input(runbook, pos, lang, &source.text) {
            continue;
        }
        let (what, fence) = match lang.as_str() {
            "sql" => ("SQL", "sql"),
            "json" => ("JSON", "json"),
            "yaml" => ("YAML", "yaml"),
            "redis" => ("Redis commands", "text"),
            _ => ("text that is not a shell command", "text"),
        };
        sink.push(
            cx.diag(
                "RB114",
                idx,
                step.span,
                format!("{what} in a shell fence would run as a shell command"),
            )
            .with_help(format!(
                "move these lines into their own ```{fence} fence (or into the command that reads them)"
            )),
        );
    }
}

/// True when the snippet follows, in the same fence, an interactive client of its language.
fn is_client_input(runbook: &crate::model::Runbook, pos: usize, lang: &str, text: &str) -> bool {
    let here = &runbook.steps[pos];
    for prev in runbook.steps[..pos].iter().rev() {
        let between = text
            .get(prev.span.end.min(here.span.start)..here.span.start)
            .unwrap_or("");
        if between.contains("```") || between.contains("~~~") {
            return false;
        }
        match &prev.kind {
            StepKind::Command(cmd) => {
                return cmd.interactive
                    && CLIENTS.iter().any(|(client, client_lang)| {
                        *client_lang == lang
                            && (cmd.programs.iter().any(|p| p == client)
                                || cmd.argv.iter().any(|w| w == client))
                    });
            }
            StepKind::Snippet { .. } => {}
            _ => return false,
        }
    }
    false
}
