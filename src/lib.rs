//! runbook: compiles Markdown operational runbooks into one typed model, and from it a site,
//! executable plans and lints. The stages are plain functions so tests can call them
//! in-process: `load` (config + discover + parse) → `model::Book` → back ends.

// A `Diagnostic` is the error type of loading: it is rare, cold and carries the location the
// user needs, so its size does not matter and boxing it everywhere would only add noise.
#![allow(clippy::result_large_err)]

pub mod cli;
pub mod config;
pub mod diag;
pub mod discover;
pub mod serve;
pub mod model;
pub mod parse;
pub mod source;

use config::LoadedConfig;
use diag::{Diagnostic, Severity, codes};
use model::{Book, MODEL_SCHEMA_VERSION};
use source::SourceFile;
use std::path::{Path, PathBuf};

/// Files larger than this are not parsed (a runbook is never this large; a log file might be).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// A book loaded from disk: config, parsed runbooks and their sources (for rendering
/// diagnostics with source lines).
#[derive(Debug)]
pub struct LoadedBook {
    /// `book.toml` (or defaults) and the book root.
    pub config: LoadedConfig,
    /// The model.
    pub book: Book,
    /// Source of each runbook, in the same order as `book.runbooks`.
    pub sources: Vec<SourceFile>,
}

impl LoadedBook {
    /// The text of `line` in `file`, for diagnostic frames.
    pub fn source_line(&self, file: &str, line: usize) -> Option<&str> {
        self.sources
            .iter()
            .find(|s| s.path == file)?
            .line_text(line)
    }
}

/// Loads a book from a folder (with or without `book.toml`) or from a single Markdown file.
/// Only a path that does not exist or a bad `book.toml` is an error; problems with single
/// files become diagnostics and the rest of the book still loads.
pub fn load(path: &Path) -> Result<LoadedBook, Diagnostic> {
    let meta = std::fs::metadata(path).map_err(|err| {
        Diagnostic::new(
            codes::IO_ERROR.0,
            codes::IO_ERROR.1,
            Severity::Error,
            path.display().to_string(),
            0,
            0,
            format!("cannot open: {err}"),
        )
        .with_help("give a folder of Markdown runbooks, a folder with book.toml, or a .md file")
    })?;
    let (config, src, output) = if meta.is_dir() {
        let config = config::load(path)?;
        let (src, output) = if config.file.is_some() {
            (
                path.join(&config.config.book.src),
                Some(path.join(&config.config.build.output)),
            )
        } else {
            (path.to_owned(), None)
        };
        (config, src, output)
    } else {
        let root = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_owned);
        (
            LoadedConfig {
                config: config::Config::default(),
                root,
                file: None,
            },
            path.to_owned(),
            None,
        )
    };
    if !src.exists() {
        return Err(Diagnostic::new(
            codes::IO_ERROR.0,
            codes::IO_ERROR.1,
            Severity::Error,
            src.display().to_string(),
            0,
            0,
            "source folder does not exist",
        )
        .with_help("set `src` under [book] in book.toml to the folder that holds the runbooks"));
    }
    let (found, mut diagnostics) = discover::discover(&src, &config.root, output.as_deref());
    let mut sources = Vec::with_capacity(found.len());
    for file in found {
        match read_source(&file.path, &file.rel) {
            Ok(source) => sources.push(source),
            Err(diag) => diagnostics.push(diag),
        }
    }
    let runbooks = parse_all(&sources);
    let title = config.config.book.title.clone().unwrap_or_else(|| {
        let dir = config
            .root
            .canonicalize()
            .unwrap_or_else(|_| config.root.clone());
        dir.file_name().map_or_else(
            || "Runbooks".to_owned(),
            |n| n.to_string_lossy().into_owned(),
        )
    });
    let book = Book {
        schema_version: MODEL_SCHEMA_VERSION,
        title,
        runbooks,
        diagnostics,
    };
    Ok(LoadedBook {
        config,
        book,
        sources,
    })
}

/// Parses every source, on all cores: files are independent, and a book of 10,000 runbooks is
/// tens of megabytes of Markdown.
fn parse_all(sources: &[SourceFile]) -> Vec<model::Runbook> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    if threads == 1 || sources.len() < 16 {
        return sources.iter().map(parse::parse_runbook).collect();
    }
    let chunk = sources.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = sources
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || part.iter().map(parse::parse_runbook).collect::<Vec<_>>())
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

fn read_source(path: &Path, rel: &str) -> Result<SourceFile, Diagnostic> {
    let io_err = |msg: String| {
        Diagnostic::new(
            codes::IO_ERROR.0,
            codes::IO_ERROR.1,
            Severity::Error,
            rel,
            0,
            0,
            msg,
        )
        .with_help("check the file's permissions; the rest of the book was still loaded")
    };
    let size = std::fs::metadata(path)
        .map_err(|e| io_err(format!("cannot read: {e}")))?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(io_err(format!(
            "file is {size} bytes, over the {MAX_FILE_BYTES}-byte limit; not parsed"
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| io_err(format!("cannot read: {e}")))?;
    Ok(SourceFile::from_bytes(rel, &bytes))
}
