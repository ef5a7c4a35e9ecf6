//! `--format json`: `{"diagnostics": [...], "summary": {...}}` with every key always present
//! (`help` is `null` when there is none), so consumers need no optional-field handling.
//! Columns are 1-based; `end_column` is exclusive. File paths are relative to the book root.

use super::pretty::pretty;
use super::{Diagnostic, Severity};
use serde_json::{Value, json};

/// Renders findings and the summary; `files` is the number of runbooks linted.
pub fn render(diags: &[Diagnostic], files: usize) -> Value {
    let list: Vec<Value> = diags.iter().map(one).collect();
    json!({
        "diagnostics": list,
        "summary": summary(diags.iter(), files),
    })
}

/// The text of `render`, pretty-printed, with a final newline. A large book has tens of
/// thousands of findings, so each is printed on its own, on all cores, and indented to its
/// depth in the frame: the same bytes as pretty-printing the whole value at once.
pub fn render_pretty(diags: &[&Diagnostic], files: usize) -> String {
    let frame = json!({
        "diagnostics": [],
        "summary": summary(diags.iter().copied(), files),
    });
    super::pretty::with_list(&frame, "diagnostics", 1, diags, |d| pretty(&one(d)))
}

fn summary<'a>(diags: impl Iterator<Item = &'a Diagnostic>, files: usize) -> Value {
    let (mut errors, mut warnings, mut infos) = (0, 0, 0);
    for d in diags {
        match d.severity {
            Severity::Error => errors += 1,
            Severity::Warning => warnings += 1,
            Severity::Info => infos += 1,
        }
    }
    json!({
        "errors": errors,
        "warnings": warnings,
        "infos": infos,
        "files": files,
    })
}

fn one(d: &Diagnostic) -> Value {
    let (end_line, end_column) = if d.end_line == 0 {
        (d.location.line, d.location.column)
    } else {
        (d.end_line, d.end_column)
    };
    json!({
        "code": d.code,
        "rule": d.rule,
        "severity": d.severity.as_str(),
        "file": d.location.file,
        "line": d.location.line,
        "column": d.location.column,
        "end_line": end_line,
        "end_column": end_column,
        "message": d.message,
        "help": d.help,
        "related": d.related.iter().map(|r| json!({
            "file": r.location.file,
            "line": r.location.line,
            "column": r.location.column,
            "message": r.message,
        })).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape() {
        let d = Diagnostic::new(
            "RB113",
            "stale-review",
            Severity::Warning,
            "a.md",
            3,
            5,
            "m",
        )
        .with_end(3, 15)
        .with_related("b.md", 1, 1, "here");
        let v = render(&[d], 2);
        let keys: Vec<&str> = v["diagnostics"][0]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys.len(), 11);
        assert_eq!(v["diagnostics"][0]["help"], Value::Null);
        assert_eq!(v["diagnostics"][0]["related"][0]["file"], "b.md");
        assert_eq!(v["summary"]["warnings"], 1);
        assert_eq!(v["summary"]["files"], 2);
    }

    #[test]
    fn pretty_text_is_the_pretty_value() {
        let a = Diagnostic::new("RB101", "port-drift", Severity::Error, "a.md", 3, 5, "m\nn")
            .with_help("h")
            .with_related("b.md", 1, 1, "here");
        let b = Diagnostic::new(
            "RB113",
            "stale-review",
            Severity::Warning,
            "c.md",
            0,
            0,
            "x",
        );
        for diags in [vec![], vec![a.clone()], vec![a, b]] {
            let refs: Vec<&Diagnostic> = diags.iter().collect();
            let whole = serde_json::to_string_pretty(&render(&diags, 7)).unwrap() + "\n";
            assert_eq!(render_pretty(&refs, 7), whole);
        }
    }
}
