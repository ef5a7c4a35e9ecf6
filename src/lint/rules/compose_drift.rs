//! What it does: finds Docker Compose commands spelled differently from the rest of the
//! book: `docker-compose` (the standalone v1 binary) in some runbooks, `docker compose` (the
//! v2 plugin) in others. The spelling most runbooks use wins, unless `[facts] compose`
//! declares it.
//!
//! Why it matters: Compose v1 is end-of-life and often not installed on new hosts, so
//! `docker-compose restart` fails with "command not found" on a machine where the rest of the
//! book works; mixed spellings also make copy-paste between runbooks unreliable.
//!
//! Example:
//! ```bash
//! docker-compose restart notify-worker   # every other runbook: docker compose
//! ```
//!
//! Use instead:
//! ```bash
//! docker compose restart notify-worker
//! ```

use super::super::drift::{judge, where_stated};
use super::super::{BookContext, Sink};
use super::drift_diag;
use crate::facts::{ComposeFlavour, Stated};

pub fn check(cx: &BookContext<'_>, sink: &mut Sink) {
    let canonical = cx.config.facts.compose.as_ref().map(|c| {
        if c.contains('-') {
            "docker-compose".to_owned()
        } else {
            "docker compose".to_owned()
        }
    });
    let Some(verdict) = judge(&cx.facts.compose, |f| f.as_str().to_owned(), canonical) else {
        return;
    };
    // One finding per runbook: the spelling is a habit of the file, not of one line.
    let mut by_file: Vec<Vec<&Stated<ComposeFlavour>>> = Vec::new();
    for stmt in &verdict.minority {
        match by_file.last_mut() {
            Some(group) if group[0].runbook == stmt.runbook => group.push(stmt),
            _ => by_file.push(vec![stmt]),
        }
    }
    for group in by_file {
        let stmt = group[0];
        let more = match group.len() {
            1 => String::new(),
            n => format!(" ({n} commands in this runbook)"),
        };
        let message = format!(
            "`{}`{more} differs from `{}` {}",
            stmt.value.as_str(),
            verdict.key,
            where_stated(&verdict)
        );
        let help = format!(
            "write `{}` in every command of this runbook, or set [facts] compose in book.toml to the spelling your hosts have",
            verdict.key
        );
        sink.push(drift_diag(cx, "RB104", &verdict, stmt, message, help));
    }
}
