//! What it does: finds commands with placeholders (`<name>`, `[POD_NAME]`, `{{ x }}`,
//! `YOUR_TOKEN`) that nothing explains: no `params`/`parameters`/`inputs` metadata
//! naming them, and no prose in the same section that mentions them. Info level: a
//! placeholder is not wrong, only unexplained. Pod names with an x'd suffix
//! (`api-xxxxx-xxxxx`) explain themselves and are not reported.
//!
//! Why it matters: `<REVISION>` is obvious to the author; to the reader it raises the
//! question of where the value comes from, in the middle of a procedure.
//!
//! Example:
//! ````markdown
//! ```bash
//! kubectl rollout undo deployment/api --to-revision=<REVISION>
//! ```
//! ````
//!
//! Use instead:
//! ````markdown
//! Take `REVISION` from the `rollout history` output above.
//! ```bash
//! kubectl rollout undo deployment/api --to-revision=<REVISION>
//! ```
//! ````

use super::super::{Context, Sink};
use crate::facts::locate;
use crate::model::Runbook;
use crate::source::SourceFile;

pub fn check(
    cx: &Context<'_>,
    idx: usize,
    runbook: &Runbook,
    source: &SourceFile,
    sink: &mut Sink,
) {
    let declared: String = runbook
        .meta
        .entries
        .iter()
        .filter(|e| {
            matches!(
                e.name.as_str(),
                "params" | "parameters" | "inputs" | "variables"
            )
        })
        .map(|e| e.value.to_lowercase())
        .collect::<Vec<_>>()
        .join(" ");
    // The prose of the section the last command was in: a section's commands come one after
    // the other, and its prose is the same for each of them.
    let mut section_prose: Option<(Option<usize>, String)> = None;
    for (step, cmd) in runbook.commands() {
        if cmd.placeholders.is_empty() {
            continue;
        }
        let prose = match &section_prose {
            Some((section, text)) if *section == step.section => text,
            _ => {
                let text = prose(runbook, source, step.section).to_lowercase();
                &section_prose.insert((step.section, text)).1
            }
        };
        let unexplained: Vec<&String> = cmd
            .placeholders
            .iter()
            .filter(|p| !is_pod_placeholder(p))
            .filter(|p| {
                let name = inner(p);
                let explained = |text: &str| {
                    text.contains(&p.to_lowercase())
                        || (name.len() >= 2
                            && (text.contains(&name) || text.contains(&name.replace('_', " "))))
                };
                !explained(prose) && !explained(&declared)
            })
            .collect();
        let Some(first) = unexplained.first() else {
            continue;
        };
        let span = locate(source, step.span, &[(*first).clone()], first).unwrap_or(step.span);
        let list = unexplained
            .iter()
            .map(|p| format!("`{p}`"))
            .collect::<Vec<_>>()
            .join(", ");
        sink.push(
            cx.diag("RB116", idx, span, format!("placeholder {list} is not explained"))
                .with_help("say where the value comes from in the text above the command, or list it under `params` in the front matter"),
        );
    }
}

/// `api-xxxxx-xxxxx`: a pod name with its generated suffix written as x's, which every
/// Kubernetes reader recognises.
fn is_pod_placeholder(p: &str) -> bool {
    p.split_once('-').is_some_and(|(head, rest)| {
        !head.is_empty()
            && rest
                .split('-')
                .next_back()
                .is_some_and(|last| last.len() >= 3 && last.chars().all(|c| c == 'x'))
    })
}

/// `<REVISION>` → `revision`; `YOUR_API_TOKEN` → `api token`-ish (`api_token`).
fn inner(placeholder: &str) -> String {
    let p = placeholder
        .trim_matches(|c: char| matches!(c, '<' | '>' | '[' | ']' | '{' | '}' | ' ' | '$'))
        .to_lowercase();
    let p = p.strip_prefix("your_").unwrap_or(&p).to_owned();
    if p.chars().all(|c| c == 'x' || c == '-') {
        return String::new();
    }
    p
}

/// The section's text outside code fences, with `_` and `-` read as spaces too.
fn prose(runbook: &Runbook, source: &SourceFile, section: Option<usize>) -> String {
    let start = section.map_or(0, |s| runbook.sections[s].span.start);
    let end = runbook
        .sections
        .iter()
        .map(|s| s.span.start)
        .find(|&s| s > start)
        .unwrap_or(source.text.len());
    let text = source.text.get(start..end).unwrap_or("");
    // Each line is written twice, each time with a line end: allocated once, at most that.
    let mut out = String::with_capacity(2 * (text.len() + 1));
    let mut in_fence = false;
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        if !in_fence {
            out.push_str(line);
            out.push('\n');
            push_spaced(&mut out, line);
            out.push('\n');
        }
    }
    out
}

/// Appends `line.replace(['_', '-'], " ")` to `out`, without a string of its own for it and
/// with a byte loop: `replace` and `split` with a set of characters decode every character
/// (a property test checks the two agree).
fn push_spaced(out: &mut String, line: &str) {
    let mut start = 0;
    for (i, b) in line.bytes().enumerate() {
        if b == b'_' || b == b'-' {
            out.push_str(&line[start..i]);
            out.push(' ');
            start = i + 1;
        }
    }
    out.push_str(&line[start..]);
}

#[cfg(test)]
mod tests {
    proptest::proptest! {
        #[test]
        fn push_spaced_is_replace(line in "[a_ é-]{0,12}") {
            let mut out = String::from("x");
            super::push_spaced(&mut out, &line);
            proptest::prop_assert_eq!(out, format!("x{}", line.replace(['_', '-'], " ")));
        }
    }
}
