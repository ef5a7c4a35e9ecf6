//! `--format sarif`: a SARIF 2.1.0 log with one run. The driver lists every rule with its
//! short and full description (the rule's documentation), results point at repository-
//! relative URIs under `%SRCROOT%`, related locations carry the secondary labels, and
//! `partialFingerprints` are stable across edits elsewhere in the file: they hash the rule,
//! the file, the trimmed text of the flagged line and its occurrence number, not the line
//! number.

use super::pretty::{Printed, write_indented};
use super::{Diagnostic, Severity};
use rayon::prelude::*;
use serde_json::{Value, json};
use std::collections::HashMap;

/// A rule as SARIF describes it.
pub struct RuleDescriptor {
    /// Code, such as `RB101`.
    pub id: String,
    /// Kebab name.
    pub name: String,
    /// One sentence.
    pub short: String,
    /// The whole documentation (Markdown).
    pub full: String,
    /// Default level.
    pub level: Severity,
}

/// The SARIF `level` of a severity.
fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Renders a SARIF log. `prefix` turns book-root paths into repository paths; `line_text`
/// gives the (redacted) text of a line, for fingerprints.
pub fn render(
    diags: &[Diagnostic],
    rules: &[RuleDescriptor],
    prefix: &str,
    version: &str,
    line_text: &(dyn Fn(&str, usize) -> Option<String> + Sync),
) -> Value {
    log(rules, version, results(diags, rules, prefix, line_text))
}

/// The text of a log (as `render` gives it, pretty-printed, with a final newline) holding
/// `results` from one or more calls of [`results`]. A large book has tens of thousands of
/// results, so each is printed on its own, on all cores, and indented to its depth: the same
/// bytes as pretty-printing the whole log at once.
pub fn render_pretty(rules: &[RuleDescriptor], version: &str, results: &[Value]) -> Printed {
    let frame = log(rules, version, Vec::new());
    // `runs[0].results`: inside the log and the run.
    super::pretty::with_list(&frame, "results", 3, results, write_indented)
}

/// The log around the results: schema, version and the one run with its driver.
fn log(rules: &[RuleDescriptor], version: &str, results: Vec<Value>) -> Value {
    let driver_rules: Vec<Value> = rules
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.name,
                "shortDescription": { "text": r.short },
                "fullDescription": { "text": r.full, "markdown": r.full },
                "help": { "text": r.full, "markdown": r.full },
                "defaultConfiguration": { "level": level(r.level) },
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "runbook",
                "version": version,
                "informationUri": "https://github.com/runbook-rs/runbook",
                "rules": driver_rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

/// One SARIF result per finding, in order. The lines for the fingerprints are read and the
/// results built on all cores; only the occurrence count runs in order.
pub fn results(
    diags: &[Diagnostic],
    rules: &[RuleDescriptor],
    prefix: &str,
    line_text: &(dyn Fn(&str, usize) -> Option<String> + Sync),
) -> Vec<Value> {
    let index: HashMap<&str, usize> = rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let texts: Vec<String> = diags
        .par_iter()
        .map(|d| line_text(&d.location.file, d.location.line).unwrap_or_default())
        .collect();
    let mut seen: HashMap<(String, String, String), usize> = HashMap::new();
    let numbered: Vec<_> = diags
        .iter()
        .zip(texts)
        .map(|(d, text)| {
            let uri = format!("{prefix}{}", d.location.file);
            let key = (d.code.to_owned(), uri.clone(), text.trim().to_owned());
            let n = seen.entry(key.clone()).or_insert(0);
            *n += 1;
            (d, uri, key, *n)
        })
        .collect();
    numbered
        .into_par_iter()
        .map(|(d, uri, key, n)| {
            let fingerprint = format!("{:016x}", fnv1a(&format!("{}\0{}\0{}\0{}", key.0, key.1, key.2, n)));
            let mut message = d.message.clone();
            if let Some(help) = &d.help {
                message = format!("{message}\nhelp: {help}");
            }
            let mut result = json!({
                "ruleId": d.code,
                "level": level(d.severity),
                "message": { "text": message },
                "locations": [ location(&uri, d.location.line, d.location.column, d.end_line, d.end_column) ],
                "partialFingerprints": { "runbookLint/v1": fingerprint },
            });
            if let Some(i) = index.get(d.code) {
                result["ruleIndex"] = json!(i);
            }
            if !d.related.is_empty() {
                let related: Vec<Value> = d
                    .related
                    .iter()
                    .enumerate()
                    .map(|(i, r)| {
                        let mut loc = location(
                            &format!("{prefix}{}", r.location.file),
                            r.location.line,
                            r.location.column,
                            if r.end_column > 0 { r.location.line } else { 0 },
                            r.end_column,
                        );
                        loc["id"] = json!(i + 1);
                        loc["message"] = json!({ "text": r.message });
                        loc
                    })
                    .collect();
                result["relatedLocations"] = json!(related);
            }
            result
        })
        .collect()
}
fn location(uri: &str, line: usize, column: usize, end_line: usize, end_column: usize) -> Value {
    let mut physical = json!({
        "artifactLocation": { "uri": uri_escape(uri), "uriBaseId": "%SRCROOT%" },
    });
    if line > 0 {
        let mut region = json!({ "startLine": line, "startColumn": column.max(1) });
        if end_line >= line && end_line > 0 && end_column > 0 {
            region["endLine"] = json!(end_line);
            region["endColumn"] = json!(end_column.max(1));
        }
        physical["region"] = region;
    }
    json!({ "physicalLocation": physical })
}

/// Percent-encodes what may not appear in a relative URI reference.
fn uri_escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_ignore_line_numbers() {
        let rules = [RuleDescriptor {
            id: "RB101".into(),
            name: "port-drift".into(),
            short: "s".into(),
            full: "f".into(),
            level: Severity::Error,
        }];
        let at = |line| {
            vec![Diagnostic::new(
                "RB101",
                "port-drift",
                Severity::Error,
                "a b.md",
                line,
                1,
                "m",
            )]
        };
        let text = |_: &str, _: usize| Some("curl x".to_owned());
        let one = render(&at(3), &rules, "docs/", "0", &text);
        let two = render(&at(9), &rules, "docs/", "0", &text);
        let fp = |v: &Value| v["runs"][0]["results"][0]["partialFingerprints"].clone();
        assert_eq!(fp(&one), fp(&two));
        assert_eq!(
            one["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "docs/a%20b.md"
        );
        assert_eq!(one["runs"][0]["results"][0]["ruleIndex"], 0);
    }

    #[test]
    fn pretty_text_is_the_pretty_log() {
        let rules = [RuleDescriptor {
            id: "RB101".into(),
            name: "port-drift".into(),
            short: "s".into(),
            full: "f\n\"results\": []".into(),
            level: Severity::Error,
        }];
        let diag = |line| {
            Diagnostic::new("RB101", "port-drift", Severity::Error, "a.md", line, 1, "m")
                .with_help("h")
                .with_related("b.md", 2, 3, "here")
        };
        let text = |_: &str, _: usize| Some("curl x".to_owned());
        for diags in [vec![], vec![diag(1)], vec![diag(1), diag(4)]] {
            let whole = render(&diags, &rules, "docs/", "0", &text);
            let whole = serde_json::to_string_pretty(&whole).unwrap() + "\n";
            let parts = results(&diags, &rules, "docs/", &text);
            assert_eq!(render_pretty(&rules, "0", &parts).into_string(), whole);
        }
    }
}
