//! Steps: the things an on-call engineer does or reads, in document order.

use super::SeverityTable;
use crate::source::Span;
use serde::Serialize;

/// One step of a runbook.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// 1-based position in the runbook.
    pub number: usize,
    /// Stable identifier: `step-` and 8 hex digits hashed from the section, the kind and the
    /// text (and an ordinal for repeats), so it does not move when other steps change.
    pub id: String,
    /// Short human title: the comment above a command, the list item or bold line that
    /// introduces it, or the section heading.
    pub title: String,
    /// Index of the enclosing section in `Runbook::sections`, if any.
    pub section: Option<usize>,
    /// Titles of the enclosing sections, outermost first. Shared by every step of a section
    /// (a runbook has a few sections and many steps).
    pub section_path: std::sync::Arc<[String]>,
    /// Where the step is (for a command: its first line, after any prompt).
    pub span: Span,
    /// What kind of step it is, with its data.
    #[serde(flatten)]
    pub kind: StepKind,
}

/// The kinds of step, serialized with a `kind` tag.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StepKind {
    /// A shell command from a shell or console fence.
    Command(Command),
    /// Output a command is expected to print (after a prompted command, or after a comment
    /// such as `# Expected response`). Never executed.
    ExpectedOutput {
        /// The output text.
        text: String,
    },
    /// A `- [ ]` / `- [x]` checklist item.
    Check {
        /// Item text, inline markup removed.
        text: String,
        /// Whether the box is ticked in the document.
        checked: bool,
    },
    /// A numbered or bulleted instruction in a procedure that is not a checklist item.
    Manual {
        /// Instruction text, inline markup removed, nested lists and code excluded.
        text: String,
        /// The list number, for numbered lists.
        ordinal: Option<u64>,
        /// Nesting depth: 1 for a top-level list item.
        depth: usize,
    },
    /// Severity definitions from a table.
    Severity(SeverityTable),
    /// Code that is not a shell command (SQL, YAML, JSON, PromQL, input for an interactive
    /// client...), from its own fence or found inside a shell fence.
    Snippet {
        /// Language: the fence's, or the one recognised for lines found in a shell fence.
        lang: String,
        /// The code.
        text: String,
        /// True when the lines sat in a shell fence (a fence with the wrong language).
        in_shell_fence: bool,
    },
}

impl StepKind {
    /// The `kind` tag as serialized.
    pub fn name(&self) -> &'static str {
        match self {
            StepKind::Command(_) => "command",
            StepKind::ExpectedOutput { .. } => "expected_output",
            StepKind::Check { .. } => "check",
            StepKind::Manual { .. } => "manual",
            StepKind::Severity(_) => "severity",
            StepKind::Snippet { .. } => "snippet",
        }
    }
}

/// How much harm running a command can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Risk {
    /// Only reads (get, describe, logs, curl GET, grep...).
    ReadOnly,
    /// Changes state but can be undone or repeated (restart, scale up, apply); also the
    /// default for programs the classifier does not know.
    Mutating,
    /// Loses data or capacity, or cannot be undone (delete, `--force`, `kill -9`, `rm -rf`,
    /// scale to zero, DROP/DELETE/TRUNCATE).
    Destructive,
}

impl Risk {
    /// The serialized name.
    pub fn as_str(self) -> &'static str {
        match self {
            Risk::ReadOnly => "read-only",
            Risk::Mutating => "mutating",
            Risk::Destructive => "destructive",
        }
    }
}

/// A single shell command with what the classifier understood of it.
#[derive(Debug, Clone, Serialize)]
pub struct Command {
    /// The command as written, continuation lines and heredoc bodies included, prompt removed.
    pub text: String,
    /// Words after shell quoting rules (`shell-words`); empty when the quoting is unbalanced.
    pub argv: Vec<String>,
    /// The program, with its subcommand family where that is how people name it
    /// (`kubectl`, `docker compose`, `docker-compose`, `curl`, `psql`).
    pub program: String,
    /// Every program of a pipeline or list (`a | b && c`), in order.
    pub programs: Vec<String>,
    /// The highest risk of any part of the command.
    pub risk: Risk,
    /// Why `risk` was chosen, e.g. `kubectl delete`; empty for read-only commands.
    pub risk_reason: String,
    /// Needs a person at a terminal (`-it`, `vim`, `psql` without `-c`).
    pub interactive: bool,
    /// Never ends by itself (`watch`, `logs -f`, `tail -f`, `--watch`).
    pub never_ending: bool,
    /// Placeholders to fill in before running (`<name>`, `xxxxx`, `YOUR_X`, `[POD_NAME]`, `{{ x }}`).
    pub placeholders: Vec<String>,
    /// Environment variables it reads (`$TOKEN`, `${DB_HOST}`), in order of first use.
    pub env_vars: Vec<String>,
    /// True when the command was written after a `$ ` or `# ` prompt.
    pub prompted: bool,
    /// The fence language it came from.
    pub lang: String,
    /// Number of source lines it spans.
    pub line_count: usize,
}
