//! Plain-text rendering of diagnostics: `warning[RB004]: message`, then `--> file:line:col`,
//! the source line when it is known, and `help:`.

use super::Diagnostic;
use std::fmt::Write as _;

/// Renders one diagnostic. `source_line` is the text of the line it points at, when known.
pub fn render_text(diag: &Diagnostic, source_line: Option<&str>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}[{}]: {}",
        diag.severity.as_str(),
        diag.code,
        diag.message
    );
    let loc = &diag.location;
    if loc.line == 0 {
        let _ = writeln!(out, "  --> {}", loc.file);
    } else {
        let _ = writeln!(out, "  --> {}:{}:{}", loc.file, loc.line, loc.column);
    }
    if let Some(text) = source_line.filter(|_| loc.line > 0) {
        let gutter = loc.line.to_string().len();
        let shown: String = text.chars().take(200).collect();
        let _ = writeln!(out, "{:gutter$} |", "");
        let _ = writeln!(out, "{} | {}", loc.line, shown);
        let pad = loc.column.saturating_sub(1).min(200);
        let _ = writeln!(out, "{:gutter$} | {:pad$}^", "", "");
    }
    if let Some(help) = &diag.help {
        let _ = writeln!(out, "  = help: {help}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Severity;

    #[test]
    fn renders_frame_with_caret() {
        let diag = Diagnostic::new(
            "RB004",
            "unclosed-fence",
            Severity::Warning,
            "a.md",
            12,
            3,
            "code fence is never closed",
        )
        .with_help("add a closing ``` line");
        let text = render_text(&diag, Some("  ```bash"));
        assert_eq!(
            text,
            "warning[RB004]: code fence is never closed\n  --> a.md:12:3\n   |\n12 |   ```bash\n   |   ^\n  = help: add a closing ``` line\n"
        );
    }
}
