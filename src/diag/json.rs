//! `--format json`: `{"diagnostics": [...], "summary": {...}}` with every key always present
//! (`help` is `null` when there is none), so consumers need no optional-field handling.
//! Columns are 1-based; `end_column` is exclusive. File paths are relative to the book root.

use super::pretty::{Printed, write_indented};
use super::{Diagnostic, Related, Severity};
use serde::Serialize;
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
pub fn render_pretty(diags: &[&Diagnostic], files: usize) -> Printed {
    let frame = json!({
        "diagnostics": [],
        "summary": summary(diags.iter().copied(), files),
    });
    super::pretty::with_list(&frame, "diagnostics", 1, diags, |d, depth, out| {
        write_indented(&Finding::of(d), depth, out);
    })
}

/// A finding as [`one`] builds it, printed without building it: a `Value` allocates a map
/// node and a string per key for every finding. The fields are in the order `serde_json`'s
/// map keeps keys (sorted), so the text is the same.
#[derive(Serialize)]
struct Finding<'a> {
    code: &'a str,
    column: usize,
    end_column: usize,
    end_line: usize,
    file: &'a str,
    help: &'a Option<String>,
    line: usize,
    message: &'a str,
    #[serde(serialize_with = "related_list")]
    related: &'a [Related],
    rule: &'a str,
    severity: &'a str,
}

impl<'a> Finding<'a> {
    fn of(d: &'a Diagnostic) -> Self {
        let (end_line, end_column) = end(d);
        Finding {
            code: d.code,
            column: d.location.column,
            end_column,
            end_line,
            file: &d.location.file,
            help: &d.help,
            line: d.location.line,
            message: &d.message,
            related: &d.related,
            rule: d.rule,
            severity: d.severity.as_str(),
        }
    }
}

/// A related label as [`one`] builds it, keys sorted likewise.
#[derive(Serialize)]
struct RelatedLabel<'a> {
    column: usize,
    file: &'a str,
    line: usize,
    message: &'a str,
}

fn related_list<S: serde::Serializer>(related: &&[Related], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(related.iter().map(|r| RelatedLabel {
        column: r.location.column,
        file: &r.location.file,
        line: r.location.line,
        message: &r.message,
    }))
}

/// Where a finding ends: its start when only that is known.
fn end(d: &Diagnostic) -> (usize, usize) {
    if d.end_line == 0 {
        (d.location.line, d.location.column)
    } else {
        (d.end_line, d.end_column)
    }
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
    let (end_line, end_column) = end(d);
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

    proptest::proptest! {
        /// The findings printed straight out (struct fields, own formatter) are the bytes of
        /// the value printed whole by `serde_json`.
        #[test]
        fn printed_findings_are_the_printed_value(
            findings in proptest::collection::vec((
                "[a-z\"\\\n\t\u{1}é ]{0,6}",
                proptest::option::of("[a-z\"\n]{0,4}"),
                0usize..3000,
                0usize..90,
                0usize..3,
                proptest::collection::vec(("[a-z/.\"]{0,5}", 0usize..20, "[a-z\n]{0,3}"), 0..3),
            ), 0..4),
            files in 0usize..5,
        ) {
            let diags: Vec<Diagnostic> = findings
                .into_iter()
                .map(|(message, help, line, column, end, related)| {
                    let mut d = Diagnostic::new("RB101", "port-drift", Severity::Info, "a\"b.md", line, column, message)
                        .with_end(line * end, column + end);
                    d.help = help;
                    for (file, line, message) in related {
                        d = d.with_related(&file, line, line, message);
                    }
                    d
                })
                .collect();
            let refs: Vec<&Diagnostic> = diags.iter().collect();
            let whole = serde_json::to_string_pretty(&render(&diags, files)).unwrap() + "\n";
            proptest::prop_assert_eq!(render_pretty(&refs, files).into_string(), whole);
        }
    }

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

    /// Lists longer than a piece are printed in several pieces; their joins must not show.
    #[test]
    fn a_list_of_many_pieces_is_the_pretty_value() {
        let diags: Vec<Diagnostic> = (0..600)
            .map(|n| {
                Diagnostic::new("RB101", "port-drift", Severity::Error, "a.md", n, 1, "m")
                    .with_related("b.md", n, 2, "here")
            })
            .collect();
        let refs: Vec<&Diagnostic> = diags.iter().collect();
        let whole = serde_json::to_string_pretty(&render(&diags, 7)).unwrap() + "\n";
        assert_eq!(render_pretty(&refs, 7).into_string(), whole);
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
            assert_eq!(render_pretty(&refs, 7).into_string(), whole);
        }
    }
}
