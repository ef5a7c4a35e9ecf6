//! Runbook metadata: front matter plus `**Key:** value` lines, with the well-known keys typed.

use crate::source::Span;
use chrono::NaiveDate;
use serde::Serialize;

/// Front matter syntax.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FrontMatterFormat {
    /// `---` fenced YAML.
    Yaml,
    /// `+++` fenced TOML.
    Toml,
}

/// Where a metadata entry was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MetaOrigin {
    /// In YAML or TOML front matter.
    FrontMatter,
    /// On a `**Key:** value` line (or a plain `Last updated: ...` line).
    Line,
}

/// One `key: value` pair.
#[derive(Debug, Clone, Serialize)]
pub struct MetaEntry {
    /// Key as written (`Last Updated`).
    pub key: String,
    /// Normalised key: lower case, words joined by `_` (`last_updated`).
    pub name: String,
    /// Value as text; lists are joined with `, `.
    pub value: String,
    /// The value as a date, when it is one (`2025-11-29`, `December 2024`).
    pub date: Option<NaiveDate>,
    /// Where it was written.
    pub origin: MetaOrigin,
    /// Where the entry is.
    pub span: Span,
}

/// All metadata of a runbook, with the well-known keys pulled out.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Metadata {
    /// Front matter syntax, if the file has front matter.
    pub front_matter: Option<FrontMatterFormat>,
    /// Every entry in document order.
    pub entries: Vec<MetaEntry>,
    /// `Version`.
    pub version: Option<String>,
    /// `Owner` (or `Team`, `Maintainer`).
    pub owner: Option<String>,
    /// `Risk Level` (or `Risk`).
    pub risk_level: Option<String>,
    /// `Estimated Time` (or `Duration`, `Time`).
    pub estimated_time: Option<String>,
    /// `Last Updated` (or `Updated`, `Last Reviewed`), as a date.
    pub last_updated: Option<NaiveDate>,
    /// `Next Review` (or `Review By`), as a date.
    pub next_review: Option<NaiveDate>,
    /// Front matter `tags`.
    pub tags: Vec<String>,
}

impl Metadata {
    /// The first entry with this normalised name.
    pub fn get(&self, name: &str) -> Option<&MetaEntry> {
        self.entries.iter().find(|e| e.name == name)
    }
}
