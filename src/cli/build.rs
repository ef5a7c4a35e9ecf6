//! `runbook build`: renders the static site (see `site::pipeline`).

use super::{exit, output};
use crate::diag::Severity;
use crate::site::{self, BuildOptions};
use chrono::NaiveDate;
use clap::Args;
use std::path::PathBuf;

/// Arguments of `runbook build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Book folder (with book.toml) or folder of Markdown.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Output folder (default: [build] output, `site`, next to book.toml).
    #[arg(short, long)]
    pub out: Option<PathBuf>,
    /// Write into a non-empty output folder this tool did not create.
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: BuildArgs) -> u8 {
    if !args.dir.is_dir() {
        output::error_line(&format!(
            "{}: not a folder; give the folder that holds book.toml or the Markdown runbooks",
            args.dir.display()
        ));
        return exit::ERROR;
    }
    let today = match today() {
        Ok(today) => today,
        Err(message) => {
            output::error_line(&message);
            return exit::ERROR;
        }
    };
    // Read but not parsed: the pipeline parses each runbook right before its page.
    let book = match crate::load_sources(&args.dir) {
        Ok(book) => book,
        Err(diag) => {
            output::diagnostics(None, std::iter::once(&diag));
            return exit::ERROR;
        }
    };
    output::diagnostics_in(&[], book.diagnostics.iter());
    if book
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error)
    {
        output::error_line(
            "some files could not be read; the site was not built (the previous one is untouched)",
        );
        return exit::ERROR;
    }
    let out = args
        .out
        .unwrap_or_else(|| book.config.root.join(&book.config.config.build.output));
    let opts = BuildOptions {
        out,
        force: args.force,
        today,
        home: std::env::var_os("HOME").map(PathBuf::from),
    };
    match site::build(&book, &opts) {
        Ok(report) => {
            // The sources were dropped page by page: read again the few with findings.
            let sources = book.sources_for(report.diagnostics.iter().chain(&report.warnings));
            output::diagnostics_in(&sources, report.diagnostics.iter());
            output::diagnostics_in(&sources, report.warnings.iter());
            let _ = output::stdout(&format!(
                "built {} runbook pages into {} (search index {} bytes for {} bytes of Markdown)\n",
                report.pages,
                report.out.display(),
                report.search_index_bytes,
                report.markdown_bytes
            ));
            exit::OK
        }
        Err(err) => {
            output::error_line(&err.to_string());
            exit::ERROR
        }
    }
}

/// `RUNBOOK_TODAY=YYYY-MM-DD` (for reproducible builds and tests), else the system date (UTC).
pub(crate) fn today() -> Result<NaiveDate, String> {
    if let Some(value) = std::env::var_os("RUNBOOK_TODAY") {
        let value = value.to_string_lossy();
        return NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
            .map_err(|e| format!("RUNBOOK_TODAY={value}: not a YYYY-MM-DD date ({e})"));
    }
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400);
    NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|epoch| epoch.checked_add_days(chrono::Days::new(days)))
        .ok_or_else(|| "the system date is out of range".to_owned())
}
