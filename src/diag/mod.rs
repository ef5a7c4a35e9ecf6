//! Diagnostics as data. Parsing problems (and, later, lint findings) are values with a code,
//! a severity, a primary location, a message and help; renderers turn them into text or JSON.
//! Nothing here prints: only `main.rs` and `cli/` write to the terminal.

pub mod github;
pub mod human;
pub mod json;
pub mod pretty;
pub mod render;
pub mod sarif;

use serde::Serialize;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The input could not be used as written; output for this file is incomplete.
    Error,
    /// The input was used, but probably not as its author meant.
    Warning,
    /// Worth knowing; nothing is wrong.
    Info,
}

impl Severity {
    /// Lower-case name used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// A location in a file of the book. `line` and `column` are 1-based; 0 means "the whole file".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    /// Path relative to the book root (or as given, for files outside it).
    pub file: String,
    /// 1-based line, 0 when the problem concerns the file as a whole.
    pub line: usize,
    /// 1-based column, 0 when the problem concerns the file as a whole.
    pub column: usize,
}

/// One problem found in the input, located and explained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable code, such as `RB001`.
    pub code: &'static str,
    /// Kebab-case name of the code, such as `unclosed-fence`.
    pub rule: &'static str,
    /// How serious it is.
    pub severity: Severity,
    /// Where it is.
    #[serde(flatten)]
    pub location: Location,
    /// What is wrong, in one sentence.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
    /// 1-based line where the flagged text ends; 0 when only the start is known.
    #[serde(skip_serializing_if = "is_zero")]
    pub end_line: usize,
    /// 1-based column just past the flagged text (exclusive); 0 when only the start is known.
    #[serde(skip_serializing_if = "is_zero")]
    pub end_column: usize,
    /// Other places that explain this one, such as where the majority value of a drift is stated.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
}

/// A secondary location of a diagnostic, with why it matters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Related {
    /// Where it is.
    #[serde(flatten)]
    pub location: Location,
    /// 1-based column just past the labelled text (exclusive); 0 when unknown.
    #[serde(skip_serializing_if = "is_zero")]
    pub end_column: usize,
    /// What is there, in a few words (`8081 is stated here`).
    pub message: String,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Diagnostic {
    /// A diagnostic at a line and column of `file`.
    pub fn new(
        code: &'static str,
        rule: &'static str,
        severity: Severity,
        file: impl Into<String>,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Self {
        Self {
            code,
            rule,
            severity,
            location: Location {
                file: file.into(),
                line,
                column,
            },
            message: message.into(),
            help: None,
            end_line: 0,
            end_column: 0,
            related: Vec::new(),
        }
    }

    /// Sets where the flagged text ends (`end_column` exclusive).
    pub fn with_end(mut self, end_line: usize, end_column: usize) -> Self {
        self.end_line = end_line;
        self.end_column = end_column;
        self
    }

    /// Adds a secondary label at another location.
    pub fn with_related(
        mut self,
        file: impl Into<String>,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Self {
        self.related.push(Related {
            location: Location {
                file: file.into(),
                line,
                column,
            },
            end_column: 0,
            message: message.into(),
        });
        self
    }

    /// Adds the advice line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Codes of problems found while loading a book (lint rules use the `RB1xx`+ range).
pub mod codes {
    /// (code, rule name) pairs for loader problems.
    pub const IO_ERROR: (&str, &str) = ("RB001", "io-error");
    pub const INVALID_UTF8: (&str, &str) = ("RB002", "invalid-utf8");
    pub const EMPTY_FILE: (&str, &str) = ("RB003", "empty-file");
    pub const UNCLOSED_FENCE: (&str, &str) = ("RB004", "unclosed-fence");
    pub const BAD_FRONT_MATTER: (&str, &str) = ("RB005", "bad-front-matter");
    pub const SYMLINK_LOOP: (&str, &str) = ("RB006", "symlink-loop");
    pub const BAD_CONFIG: (&str, &str) = ("RB007", "bad-config");
    pub const BAD_DATE: (&str, &str) = ("RB008", "bad-date");
    pub const BAD_IMAGE: (&str, &str) = ("RB009", "bad-image");
}
