//! `runbook init`: starts a new book (book.toml and a first runbook), never overwriting.

use super::{exit, output};
use clap::Args;
use std::path::{Path, PathBuf};

/// Arguments of `runbook init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Folder to create the book in (created if missing).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

const BOOK_TOML: &str = r#"[book]
title = "Runbooks"
description = "Operational runbooks"
src = "content"

[build]
output = "site"
"#;

const FIRST_RUNBOOK: &str = r#"# Restart the service

**Owner:** @your-team
**Risk Level:** Medium
**Last Updated:** 2026-01-01
**Next Review:** 2026-07-01

## Before you start

- [ ] Tell the team in the incident channel
- [ ] Check that no deploy is running

## Procedure

1. Restart the deployment

   ```bash
   kubectl rollout restart deployment/my-service -n production
   ```

2. Wait until every pod is ready

   ```bash
   kubectl rollout status deployment/my-service -n production --timeout=5m
   ```
"#;

pub fn run(args: InitArgs) -> u8 {
    let files = [
        (args.dir.join("book.toml"), BOOK_TOML),
        (args.dir.join("content").join("restart.md"), FIRST_RUNBOOK),
    ];
    if let Some((existing, _)) = files.iter().find(|(path, _)| path.exists()) {
        output::error_line(&format!(
            "{} already exists; runbook init never overwrites files (remove it or pick another folder)",
            existing.display()
        ));
        return exit::ERROR;
    }
    for (path, text) in &files {
        if let Err(err) = write_new(path, text) {
            output::error_line(&format!("cannot write {}: {err}", path.display()));
            return exit::ERROR;
        }
    }
    let _ = output::stdout(&format!(
        "created {} and {}\nnext: runbook inspect {} --format summary\n",
        files[0].0.display(),
        files[1].0.display(),
        args.dir.display()
    ));
    exit::OK
}

fn write_new(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    // create_new: a file that appeared since the check above is still not overwritten.
    use std::io::Write;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?
        .write_all(text.as_bytes())
}
