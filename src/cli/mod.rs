//! Command-line interface: one file per subcommand. Only this module and `main.rs` print.

mod build;
mod init;
mod inspect;
mod lint;
mod output;
mod plan;
mod serve;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// Compile Markdown operational runbooks into a searchable site, executable plans and CI lints.
#[derive(Debug, Parser)]
#[command(name = "runbook", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build the static site from a book.
    Build(build::BuildArgs),
    /// Serve the site locally and rebuild on change.
    Serve(serve::ServeArgs),
    /// Check runbooks for drift, broken links and unsafe commands.
    Lint(lint::LintArgs),
    /// Generate a bash script or JSON plan from runbooks.
    Plan(plan::PlanArgs),
    /// Print the parsed model: exactly what runbook understood of each file.
    Inspect {
        /// Book folder, folder of Markdown, or one Markdown file.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = InspectFormat::Json)]
        format: InspectFormat,
    },
    /// Create a new book (book.toml and content/) in a folder.
    Init(init::InitArgs),
}

/// Output formats of `inspect`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum InspectFormat {
    /// The model as JSON (stable field names, see docs/model.md).
    Json,
    /// One line per step, for reading in a terminal.
    Summary,
}

/// Exit codes: decided once, at the end.
pub mod exit {
    /// Everything worked and nothing was found.
    pub const OK: u8 = 0;
    /// Findings at error level (lint).
    pub const FINDINGS: u8 = 1;
    /// Usage or I/O error.
    pub const ERROR: u8 = 2;
}

/// Parses arguments and runs; the binary's whole `main`.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() {
                exit::ERROR
            } else {
                exit::OK
            };
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    ExitCode::from(run(cli))
}

/// Runs a parsed command and returns the exit code.
pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Inspect { path, format } => inspect::run(&path, format),
        Command::Build(args) => build::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Lint(args) => lint::run(args),
        Command::Plan(args) => plan::run(args),
        Command::Init(args) => init::run(args),
    }
}
