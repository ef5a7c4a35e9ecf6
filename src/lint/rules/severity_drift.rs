//! What it does: finds a severity level defined with a different response time in two
//! runbooks, or against `[facts.severity]` in `book.toml`. Levels are matched by number
//! across naming schemes (`P2`, `SEV2` and `S2` are the same level), word levels
//! (`Critical`) by name. Response times are compared in seconds when they parse
//! ("30 minutes", "1h"), else as text ("Next business day").
//!
//! Why it matters: if the index says a P2 needs an answer within an hour and the rollback
//! runbook says 30 minutes, the on-call engineer cannot know which promise the team made.
//!
//! Example:
//! ```markdown
//! | Level     | Response Time |
//! |-----------|---------------|
//! | P2 - High | 30 minutes    |   <!-- the index says 1 hour -->
//! ```
//!
//! Use instead: the same response time everywhere, ideally defined once (in the index, or in
//! `[facts.severity]` as `P2 = "1 hour"`) and linked from the other runbooks.
//!
//! Known limits: tables without a response-time column (decision matrices) define nothing
//! and are not compared.

use super::super::drift::{judge, where_stated};
use super::super::{BookContext, Sink};
use super::drift_diag;
use crate::facts::severity_group;
use crate::parse::severity::parse_duration;

pub fn check(cx: &BookContext<'_>, sink: &mut Sink) {
    for (group, stmts) in &cx.facts.severities {
        let declared = cx.config.facts.severity.iter().find(|(name, _)| {
            let rank: u32 = name
                .trim_start_matches(|c: char| c.is_ascii_alphabetic())
                .parse()
                .unwrap_or(u32::MAX);
            severity_group(name, rank) == *group
        });
        let canonical = declared.and_then(|(name, response)| {
            let rank: u32 = name
                .trim_start_matches(|c: char| c.is_ascii_alphabetic())
                .parse()
                .unwrap_or(u32::MAX);
            (severity_group(name, rank) == *group)
                .then(|| crate::facts::response_key(parse_duration(response), response))
        });
        let Some(verdict) = judge(stmts, |d| d.key.clone(), canonical) else {
            continue;
        };
        for stmt in &verdict.minority {
            // Compare with the same level name when the majority has it (P2 with P2, not SEV2).
            let witness = stmts
                .iter()
                .find(|s| s.value.key == verdict.key && s.value.name == stmt.value.name)
                .or(verdict.witness);
            let shown = match (declared, witness) {
                (Some((_, text)), _) => text.clone(),
                (None, Some(w)) => w.value.response.clone(),
                (None, None) => verdict.key.clone(),
            };
            let message = format!(
                "{} response time `{}` differs from `{shown}` {}",
                stmt.value.name,
                stmt.value.response,
                where_stated(&verdict)
            );
            let help = "define each severity level once (or in [facts.severity] of book.toml) and make every table agree".to_owned();
            let mut diag = drift_diag(cx, "RB105", &verdict, stmt, message, help);
            if let (false, Some(rel), Some(w)) =
                (verdict.canonical, diag.related.first_mut(), witness)
            {
                *rel = cx.related(w.runbook, w.span, String::new());
                rel.message = format!("{} is `{}` here", w.value.name, w.value.response);
            }
            sink.push(diag);
        }
    }
}
