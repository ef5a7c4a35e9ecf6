//! `runbook inspect`: prints the parsed model, as JSON or as one line per step.

use super::{InspectFormat, exit, output};
use crate::diag::Severity;
use crate::model::{Book, StepKind};
use std::fmt::Write as _;
use std::path::Path;

pub fn run(path: &Path, format: InspectFormat) -> u8 {
    let loaded = match crate::load(path) {
        Ok(loaded) => loaded,
        Err(diag) => {
            output::diagnostics(None, std::iter::once(&diag));
            return exit::ERROR;
        }
    };
    output::diagnostics(Some(&loaded), loaded.book.all_diagnostics());
    let text = match format {
        InspectFormat::Json => match serde_json::to_string_pretty(&loaded.book) {
            Ok(json) => json + "\n",
            Err(err) => {
                output::error_line(&format!("cannot serialize the model: {err}"));
                return exit::ERROR;
            }
        },
        InspectFormat::Summary => summary(&loaded.book),
    };
    if let Err(err) = output::stdout(&text) {
        output::error_line(&format!("cannot write output: {err}"));
        return exit::ERROR;
    }
    if loaded
        .book
        .all_diagnostics()
        .any(|d| d.severity == Severity::Error)
    {
        exit::ERROR
    } else {
        exit::OK
    }
}

/// One line per step: `file:line:col kind details`.
pub fn summary(book: &Book) -> String {
    let mut out = String::new();
    for runbook in &book.runbooks {
        let _ = writeln!(
            out,
            "{}: {} ({} sections, {} steps, {} links)",
            runbook.path,
            runbook.title,
            runbook.sections.len(),
            runbook.steps.len(),
            runbook.links.len()
        );
        for entry in &runbook.meta.entries {
            let _ = writeln!(
                out,
                "  {:>4}:{:<3} meta      {} = {}",
                entry.span.line, entry.span.column, entry.name, entry.value
            );
        }
        for step in &runbook.steps {
            let detail = match &step.kind {
                StepKind::Command(c) => {
                    let mut flags = vec![c.risk.as_str().to_owned()];
                    if c.interactive {
                        flags.push("interactive".into());
                    }
                    if c.never_ending {
                        flags.push("never-ending".into());
                    }
                    if !c.placeholders.is_empty() {
                        flags.push(format!("placeholders={}", c.placeholders.join(",")));
                    }
                    if !c.env_vars.is_empty() {
                        flags.push(format!("env={}", c.env_vars.join(",")));
                    }
                    format!(
                        "[{}] {}: {}",
                        flags.join(" "),
                        c.program,
                        first_line(&c.text)
                    )
                }
                StepKind::ExpectedOutput { text } => first_line(text),
                StepKind::Check { text, checked } => {
                    format!("[{}] {text}", if *checked { "x" } else { " " })
                }
                StepKind::Manual { text, ordinal, .. } => match ordinal {
                    Some(n) => format!("{n}. {text}"),
                    None => format!("- {text}"),
                },
                StepKind::Severity(t) => t
                    .levels
                    .iter()
                    .map(|l| format!("{}={}", l.name, l.response_time.as_deref().unwrap_or("?")))
                    .collect::<Vec<_>>()
                    .join(" "),
                StepKind::Snippet { lang, text, .. } => format!("{lang}: {}", first_line(text)),
            };
            let _ = writeln!(
                out,
                "  {:>4}:{:<3} {:<15} {}",
                step.span.line,
                step.span.column,
                step.kind.name(),
                detail
            );
        }
    }
    out
}

fn first_line(text: &str) -> String {
    let mut lines = text.lines();
    let first = lines.next().unwrap_or("").to_owned();
    if lines.next().is_some() {
        format!("{first} …")
    } else {
        first
    }
}
