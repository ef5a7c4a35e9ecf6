//! `runbook lint`: runs the lint rules over a book and reports findings.

use clap::Args;
use std::path::PathBuf;

/// Arguments of `runbook lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Files or folders to lint.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
}

pub fn run(_args: LintArgs) -> u8 {
    super::not_built("lint", 5)
}
