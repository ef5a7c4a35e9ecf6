//! `--format github`: GitHub Actions workflow commands, one line per finding
//! (`::error file=...,line=...,col=...,endLine=...,endColumn=...,title=RB101 port-drift::message`),
//! which the runner turns into annotations on the pull request. `prefix` turns book-root
//! paths into repository paths (the runner resolves them from the working directory).

use super::{Diagnostic, Severity};
use std::fmt::Write as _;

/// Renders every finding as a workflow command.
pub fn render(diags: &[Diagnostic], prefix: &str) -> String {
    let mut out = String::new();
    for d in diags {
        let kind = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props = vec![format!(
            "file={}",
            property(&format!("{prefix}{}", d.location.file))
        )];
        if d.location.line > 0 {
            props.push(format!("line={}", d.location.line));
            props.push(format!("col={}", d.location.column));
            if d.end_line >= d.location.line && d.end_line > 0 {
                props.push(format!("endLine={}", d.end_line));
                props.push(format!("endColumn={}", d.end_column));
            }
        }
        props.push(format!(
            "title={}",
            property(&format!("{} {}", d.code, d.rule))
        ));
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            let _ = write!(message, "\nhelp: {help}");
        }
        for r in &d.related {
            let _ = write!(
                message,
                "\nsee {prefix}{}:{}:{}: {}",
                r.location.file, r.location.line, r.location.column, r.message
            );
        }
        let _ = writeln!(out, "::{kind} {}::{}", props.join(","), data(&message));
    }
    out
}

/// Escapes a message (the part after `::`).
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_maps_levels() {
        let d = Diagnostic::new(
            "RB116",
            "undeclared-placeholder",
            Severity::Info,
            "a,b.md",
            2,
            3,
            "50% done\nx",
        )
        .with_end(2, 9);
        assert_eq!(
            render(&[d], "docs/"),
            "::notice file=docs/a%2Cb.md,line=2,col=3,endLine=2,endColumn=9,title=RB116 undeclared-placeholder::50%25 done%0Ax\n"
        );
    }
}
