//! Human output: rustc-style frames. The header names the rule (`error[RB101]: port-drift`),
//! `-->` gives the primary location, the source line is underlined with `^` and labelled with
//! the message, each related location gets its own `:::` excerpt underlined with `-`, and
//! `= help:` closes the frame. Colour is a choice of the caller (tty, `NO_COLOR`).

use super::{Diagnostic, Severity};
use std::fmt::Write as _;

/// Longest source excerpt shown, in characters.
const MAX_SHOWN: usize = 200;

/// ANSI styles, or none.
#[derive(Debug, Clone, Copy)]
struct Style {
    color: bool,
}

impl Style {
    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
    fn severity(self, severity: Severity, text: &str) -> String {
        let code = match severity {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
            Severity::Info => "1;36",
        };
        self.paint(code, text)
    }
    fn gutter(self, text: &str) -> String {
        self.paint("1;34", text)
    }
    fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }
}

/// Renders one diagnostic as a frame. `line_of(file, line)` returns the text of a source
/// line (already redacted where needed), or `None` when it is not known.
pub fn render(
    diag: &Diagnostic,
    line_of: &dyn Fn(&str, usize) -> Option<String>,
    color: bool,
) -> String {
    let style = Style { color };
    let mut out = String::new();
    let head = format!("{}[{}]", diag.severity.as_str(), diag.code);
    let _ = writeln!(
        out,
        "{}{}",
        style.severity(diag.severity, &head),
        style.bold(&format!(": {}", diag.rule))
    );
    let width = std::iter::once(diag.location.line)
        .chain(diag.related.iter().map(|r| r.location.line))
        .max()
        .unwrap_or(0)
        .to_string()
        .len();
    let pad = " ".repeat(width);
    let loc = &diag.location;
    let arrow = style.gutter("-->");
    if loc.line == 0 {
        let _ = writeln!(out, "{pad}{arrow} {}", loc.file);
        let _ = writeln!(out, "{pad} {}", style.gutter("="));
        let _ = writeln!(out, "{pad} {} {}", style.gutter("="), diag.message);
    } else {
        let _ = writeln!(out, "{pad}{arrow} {}:{}:{}", loc.file, loc.line, loc.column);
        let end = (diag.end_line == loc.line).then_some(diag.end_column);
        excerpt(
            &mut out,
            style,
            width,
            loc.line,
            loc.column,
            end,
            line_of(&loc.file, loc.line).as_deref(),
            '^',
            &diag.message,
            Some(diag.severity),
        );
    }
    for rel in &diag.related {
        let l = &rel.location;
        if l.line == 0 {
            let _ = writeln!(
                out,
                "{pad} {} note: {} ({})",
                style.gutter("="),
                rel.message,
                l.file
            );
            continue;
        }
        let _ = writeln!(
            out,
            "{pad}{} {}:{}:{}",
            style.gutter(":::"),
            l.file,
            l.line,
            l.column
        );
        let end = (rel.end_column > 0).then_some(rel.end_column);
        excerpt(
            &mut out,
            style,
            width,
            l.line,
            l.column,
            end,
            line_of(&l.file, l.line).as_deref(),
            '-',
            &rel.message,
            None,
        );
    }
    if let Some(help) = &diag.help {
        let _ = writeln!(out, "{pad} {} {help}", style.bold("= help:"));
    }
    out
}

/// One source line with its underline and label; without the source text, the label alone.
#[allow(clippy::too_many_arguments)]
fn excerpt(
    out: &mut String,
    style: Style,
    width: usize,
    line: usize,
    column: usize,
    end_column: Option<usize>,
    text: Option<&str>,
    mark: char,
    label: &str,
    severity: Option<Severity>,
) {
    let bar = style.gutter("|");
    let pad = " ".repeat(width);
    let _ = writeln!(out, "{pad} {bar}");
    let Some(text) = text else {
        let _ = writeln!(out, "{pad} {bar} {label}");
        return;
    };
    // Tabs would shift the carets; one space keeps character columns aligned.
    let shown: String = text
        .chars()
        .take(MAX_SHOWN)
        .map(|c| if c == '\t' { ' ' } else { c })
        .collect();
    let len = shown.chars().count();
    let number = style.gutter(&format!("{line:>width$} |"));
    let _ = writeln!(out, "{number} {}", shown.trim_end());
    let start = column.saturating_sub(1).min(len);
    let stop = match end_column {
        Some(end) if end > column => (end - 1).min(len),
        _ => {
            // Unknown end: underline the word that starts at the column.
            let rest: String = shown.chars().skip(start).collect();
            start + rest.chars().take_while(|c| !c.is_whitespace()).count()
        }
    }
    .max(start + 1);
    let marks: String = std::iter::repeat_n(mark, stop - start).collect();
    let painted = match severity {
        Some(s) => style.severity(s, &format!("{marks} {label}")),
        None => style.gutter(&format!("{marks} {label}")),
    };
    let _ = writeln!(out, "{pad} {bar} {}{painted}", " ".repeat(start));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(file: &str, line: usize) -> Option<String> {
        match (file, line) {
            ("a.md", 3) => Some("curl http://api:8018/health".into()),
            ("b.md", 12) => Some("curl http://api:8081/health".into()),
            _ => None,
        }
    }

    #[test]
    fn frame_with_related_and_help() {
        let mut diag = Diagnostic::new(
            "RB101",
            "port-drift",
            Severity::Error,
            "a.md",
            3,
            13,
            "port 8018 for `api` differs",
        )
        .with_end(3, 21)
        .with_help("use 8081");
        diag.related.push(super::super::Related {
            location: super::super::Location {
                file: "b.md".into(),
                line: 12,
                column: 13,
            },
            end_column: 21,
            message: "8081 is stated here".into(),
        });
        let text = render(&diag, &lines, false);
        assert_eq!(
            text,
            "error[RB101]: port-drift\n  --> a.md:3:13\n   |\n 3 | curl http://api:8018/health\n   |             ^^^^^^^^ port 8018 for `api` differs\n  ::: b.md:12:13\n   |\n12 | curl http://api:8081/health\n   |             -------- 8081 is stated here\n   = help: use 8081\n"
        );
    }

    #[test]
    fn colour_only_when_asked() {
        let diag = Diagnostic::new(
            "RB113",
            "stale-review",
            Severity::Warning,
            "a.md",
            0,
            0,
            "m",
        );
        assert!(!render(&diag, &lines, false).contains('\x1b'));
        assert!(render(&diag, &lines, true).contains("\x1b[1;33m"));
    }
}
