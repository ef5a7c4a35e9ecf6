//! `runbook build`: renders the static site.

use clap::Args;
use std::path::PathBuf;

/// Arguments of `runbook build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Book folder (with book.toml) or folder of Markdown.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Output folder (default: [build] output, `site`).
    #[arg(short, long)]
    pub out: Option<PathBuf>,
    /// Write into a non-empty output folder this tool did not create.
    #[arg(long)]
    pub force: bool,
}

pub fn run(_args: BuildArgs) -> u8 {
    super::not_built("build", 3)
}
