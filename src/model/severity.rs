//! Severity definitions ("P1 - Critical | 15 minutes") as typed levels.

use crate::source::Span;
use serde::Serialize;

/// A table recognised as severity definitions.
#[derive(Debug, Clone, Serialize)]
pub struct SeverityTable {
    /// Header cells as written.
    pub header: Vec<String>,
    /// One entry per body row, in table order.
    pub levels: Vec<SeverityLevel>,
}

/// One severity level as a runbook defines it.
#[derive(Debug, Clone, Serialize)]
pub struct SeverityLevel {
    /// Canonical short name: `P1`, `SEV2`, or a word such as `Critical` when no code is given.
    pub name: String,
    /// 1 is the most severe. `P0`/`SEV0` give 0.
    pub rank: u32,
    /// The word label, such as `Critical`, when the row gives one.
    pub label: Option<String>,
    /// The response time as written.
    pub response_time: Option<String>,
    /// The response time in seconds, when it parses ("15 minutes", "1 hour", "4h").
    pub response_secs: Option<u64>,
    /// Description or meaning ("Service down").
    pub description: Option<String>,
    /// What to do ("Immediate rollback"), from an Action/Escalation column.
    pub action: Option<String>,
    /// Every cell of the row, keyed by header, so nothing in the table is lost.
    pub cells: Vec<(String, String)>,
    /// Where the row is.
    pub span: Span,
}
