//! `runbook plan`: turns runbooks into bash scripts or JSON plans.

use clap::Args;
use std::path::PathBuf;

/// Arguments of `runbook plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Runbook files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

pub fn run(_args: PlanArgs) -> u8 {
    super::not_built("plan", 4)
}
