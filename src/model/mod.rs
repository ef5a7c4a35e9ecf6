//! The typed model of a book of runbooks. Plain data with no I/O and no HTML: the site, the
//! plans and the lints all read these same values, so a line number in a lint, an anchor in
//! the site and a step id in a plan always agree. Field names are the stable JSON names
//! printed by `runbook inspect` (see `docs/model.md`).

mod meta;
mod severity;
mod step;

pub use meta::{FrontMatterFormat, MetaEntry, MetaOrigin, Metadata};
pub use severity::{SeverityLevel, SeverityTable};
pub use step::{Command, Risk, Step, StepKind};

use crate::diag::Diagnostic;
use crate::source::Span;
use serde::Serialize;

/// Version of the JSON printed by `runbook inspect`; bumped on any incompatible change.
pub const MODEL_SCHEMA_VERSION: u32 = 1;

/// Every runbook of a book, in path order, with the problems met while loading them.
#[derive(Debug, Clone, Serialize)]
pub struct Book {
    /// Version of this JSON shape.
    pub schema_version: u32,
    /// Book title from `book.toml`, or the folder name.
    pub title: String,
    /// The runbooks, sorted by path.
    pub runbooks: Vec<Runbook>,
    /// Problems that are not tied to one parsed runbook (unreadable files, symlink loops).
    pub diagnostics: Vec<Diagnostic>,
}

impl Book {
    /// All diagnostics: the book's own, then each runbook's, in path order.
    pub fn all_diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .chain(self.runbooks.iter().flat_map(|r| r.diagnostics.iter()))
    }
}

/// One Markdown file understood as a runbook.
#[derive(Debug, Clone, Serialize)]
pub struct Runbook {
    /// Path relative to the book root, `/`-separated.
    pub path: String,
    /// Front matter `title`, else the first level-1 heading, else the file name.
    pub title: String,
    /// Where `title` came from.
    pub title_source: TitleSource,
    /// Front matter and `**Key:** value` lines.
    pub meta: Metadata,
    /// Headings in document order; `parent` indexes into this list.
    pub sections: Vec<Section>,
    /// Steps in document order.
    pub steps: Vec<Step>,
    /// Links in document order.
    pub links: Vec<Link>,
    /// Tables that are not severity definitions, in document order.
    pub tables: Vec<Table>,
    /// Problems met while parsing this file.
    pub diagnostics: Vec<Diagnostic>,
}

impl Runbook {
    /// Severity tables defined in this runbook, in document order.
    pub fn severity_tables(&self) -> impl Iterator<Item = (&Step, &SeverityTable)> {
        self.steps.iter().filter_map(|step| match &step.kind {
            StepKind::Severity(table) => Some((step, table)),
            _ => None,
        })
    }

    /// Command steps, in document order.
    pub fn commands(&self) -> impl Iterator<Item = (&Step, &Command)> {
        self.steps.iter().filter_map(|step| match &step.kind {
            StepKind::Command(cmd) => Some((step, cmd)),
            _ => None,
        })
    }
}

/// Where a runbook's title came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TitleSource {
    /// `title` in YAML or TOML front matter.
    FrontMatter,
    /// The first level-1 heading.
    Heading,
    /// The file name, for a runbook with neither.
    FileName,
}

/// A heading and the part of the document it opens.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    /// Heading text, inline markup removed.
    pub title: String,
    /// Heading level, 1 to 6.
    pub level: u8,
    /// Anchor: the `{#id}` attribute if given, else a GitHub-compatible slug, unique in the file.
    pub slug: String,
    /// Index of the enclosing section in `Runbook::sections`, if any.
    pub parent: Option<usize>,
    /// Where the heading is.
    pub span: Span,
}

/// What a link points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// Another file of the book or repository, by relative path (maybe with `#anchor`).
    Relative,
    /// An anchor in the same page (`#slug`).
    Anchor,
    /// A URL with a scheme (`https:`, `mailto:`...) or a protocol-relative `//host`.
    External,
}

/// A link as written in the document.
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    /// Destination exactly as written.
    pub target: String,
    /// Link text, inline markup removed (for an image, its alt text).
    pub text: String,
    /// An image (`![alt](src)`), not a link; only written when true.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub image: bool,
    /// What it points at.
    pub kind: LinkKind,
    /// For relative links: the path part (before `#`), percent-decoded; empty for anchors.
    pub path: String,
    /// The `#fragment`, without `#`, if any.
    pub fragment: Option<String>,
    /// Where the link is.
    pub span: Span,
}

/// A table that is not a severity definition.
#[derive(Debug, Clone, Serialize)]
pub struct Table {
    /// Header cells, inline markup removed.
    pub header: Vec<String>,
    /// Body rows; a short row is padded with empty cells, a long one keeps its extra cells.
    pub rows: Vec<Vec<String>>,
    /// Index of the enclosing section, if any.
    pub section: Option<usize>,
    /// Where the table is.
    pub span: Span,
}
