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
pub mod facts;
pub mod lint;
pub mod model;
pub mod parse;
pub mod plan;
pub mod serve;
pub mod site;
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
    /// The path the book was loaded from (for `refresh`).
    pub input: PathBuf,
    /// Size and modification time of each source when it was read, to skip unchanged files.
    stamps: Vec<FileStamp>,
    /// Files `refresh_paths` must re-read even when their stamp is unchanged.
    force_reread: Vec<PathBuf>,
}

/// What a file looked like when it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FileStamp {
    modified: Option<std::time::SystemTime>,
    len: u64,
    /// Inode on Unix: an editor's save-by-rename makes a new one even within one clock tick.
    inode: u64,
}

impl FileStamp {
    fn of(meta: &std::fs::Metadata) -> Self {
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(meta);
        #[cfg(not(unix))]
        let inode = 0;
        Self {
            modified: meta.modified().ok(),
            len: meta.len(),
            inode,
        }
    }
}

/// What `LoadedBook::refresh` found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Refresh {
    /// Runbooks read and parsed again (new or modified), by path.
    pub parsed: Vec<String>,
    /// Runbooks that are gone, by path.
    pub removed: Vec<String>,
    /// Runbooks reused as they were.
    pub reused: usize,
}

impl LoadedBook {
    /// What a watcher must watch for this book: the source folder, `book.toml`, and the
    /// `themes/` and `templates/` folders next to it.
    pub fn watched_paths(&self) -> Vec<PathBuf> {
        let root = &self.config.root;
        if self.config.file.is_none() {
            return vec![self.input.clone()];
        }
        vec![
            root.join(&self.config.config.book.src),
            root.join("book.toml"),
            root.join("themes"),
            root.join("templates"),
        ]
    }

    /// Loads again from the same path, re-reading and re-parsing only files that are new or
    /// whose size, modification time or inode changed; `book.toml` is always read again.
    /// Used by `serve` and `lint --watch`, where one saved file should cost one file's parse.
    pub fn refresh(&mut self) -> Result<Refresh, Diagnostic> {
        self.refresh_paths(&[])
    }

    /// Like `refresh`, and also re-reads every file in `changed` (paths a file watcher
    /// reported), whatever its stamp says: two same-size saves within one clock tick look
    /// alike to the file system.
    pub fn refresh_paths(&mut self, changed: &[PathBuf]) -> Result<Refresh, Diagnostic> {
        let input = self.input.clone();
        self.force_reread = changed
            .iter()
            .map(|p| p.canonicalize().unwrap_or_else(|_| p.clone()))
            .collect();
        let old: Vec<String> = self.sources.iter().map(|s| s.path.clone()).collect();
        // `load_reusing` fails only before it takes anything from `self`, so on error the
        // book is left as it was.
        let fresh = load_reusing(&input, Some(self))?;
        let new: std::collections::HashSet<&str> =
            fresh.0.sources.iter().map(|s| s.path.as_str()).collect();
        let removed: Vec<String> = old
            .into_iter()
            .filter(|p| !new.contains(p.as_str()))
            .collect();
        let report = Refresh {
            parsed: fresh.1,
            removed,
            reused: fresh.0.sources.len() - fresh.2,
        };
        *self = fresh.0;
        Ok(report)
    }

    /// The text of `line` in `file`, for diagnostic frames.
    pub fn source_line(&self, file: &str, line: usize) -> Option<&str> {
        self.sources
            .iter()
            .find(|s| s.path == file)?
            .line_text(line)
    }
}

/// A book found on disk but neither read nor parsed: config, title and every runbook file.
/// `runbook build` reads and parses each runbook just before its page is written and drops
/// it right after, so neither the model of the whole book (about ten times the Markdown it
/// comes from; see BENCHMARKS.md) nor all of its text is ever in memory at once.
#[derive(Debug)]
pub struct SourceBook {
    /// `book.toml` (or defaults) and the book root.
    pub config: LoadedConfig,
    /// Book title from `book.toml`, or the folder name.
    pub title: String,
    /// Every runbook file, sorted by path.
    files: Vec<discover::Found>,
    /// Bytes of text of each file, once read.
    read_bytes: Vec<std::sync::atomic::AtomicUsize>,
    /// Files that cannot be read, and other problems not tied to one runbook.
    pub diagnostics: Vec<Diagnostic>,
}

impl SourceBook {
    /// Number of runbooks.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether the book has no runbook.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Runbook paths relative to the book root, in book order.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.iter().map(|f| f.rel.as_str())
    }

    /// Reads runbook `index` (a position in book order).
    pub fn read(&self, index: usize) -> Result<SourceFile, Diagnostic> {
        let source = read_found(&self.files[index])?;
        self.read_bytes[index].store(source.text.len(), std::sync::atomic::Ordering::Relaxed);
        Ok(source)
    }

    /// Bytes of Markdown text read so far (all of it, after a build).
    pub fn markdown_bytes(&self) -> usize {
        self.read_bytes
            .iter()
            .map(|b| b.load(std::sync::atomic::Ordering::Relaxed))
            .sum()
    }

    /// The sources of the runbooks `diags` point into, read again to show their lines.
    pub fn sources_for<'a>(&self, diags: impl Iterator<Item = &'a Diagnostic>) -> Vec<SourceFile> {
        let mut named: Vec<&str> = diags.map(|d| d.location.file.as_str()).collect();
        named.sort_unstable();
        named.dedup();
        self.files
            .iter()
            .enumerate()
            .filter(|(_, f)| named.binary_search(&f.rel.as_str()).is_ok())
            .filter_map(|(index, _)| self.read(index).ok())
            .collect()
    }
}

/// A book with every runbook read but none parsed: `runbook lint` parses each runbook, checks
/// it and drops it, and keeps the text for its findings' source lines.
#[derive(Debug)]
pub struct ReadBook {
    /// `book.toml` (or defaults) and the book root.
    pub config: LoadedConfig,
    /// Book title from `book.toml`, or the folder name.
    pub title: String,
    /// Every runbook's source, sorted by path.
    pub sources: Vec<SourceFile>,
    /// Files that could not be read, and other problems not tied to one runbook.
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads a book like `load` does, without parsing it.
pub fn read_book(path: &Path) -> Result<ReadBook, Diagnostic> {
    use rayon::prelude::*;
    let (config, found, mut diagnostics) = open_book(path)?;
    let read: Vec<Result<SourceFile, Diagnostic>> = found.par_iter().map(read_found).collect();
    let mut sources = Vec::with_capacity(read.len());
    for result in read {
        match result {
            Ok(source) => sources.push(source),
            Err(diag) => diagnostics.push(diag),
        }
    }
    Ok(ReadBook {
        title: book_title(&config),
        config,
        sources,
        diagnostics,
    })
}

/// Finds a book like `load` does, without reading its runbooks: only their sizes are checked
/// here, so a file that cannot be read (or is too large) is reported before any work starts.
pub fn load_sources(path: &Path) -> Result<SourceBook, Diagnostic> {
    use rayon::prelude::*;
    let (config, found, mut diagnostics) = open_book(path)?;
    let checked: Vec<Option<Diagnostic>> = found
        .par_iter()
        .map(|file| open_found(file).err())
        .collect();
    let mut files = Vec::with_capacity(found.len());
    for (file, problem) in found.into_iter().zip(checked) {
        match problem {
            None => files.push(file),
            Some(diag) => diagnostics.push(diag),
        }
    }
    Ok(SourceBook {
        title: book_title(&config),
        config,
        read_bytes: files.iter().map(|_| Default::default()).collect(),
        files,
        diagnostics,
    })
}

/// Loads a book from a folder (with or without `book.toml`) or from a single Markdown file.
/// Only a path that does not exist or a bad `book.toml` is an error; problems with single
/// files become diagnostics and the rest of the book still loads.
pub fn load(path: &Path) -> Result<LoadedBook, Diagnostic> {
    load_reusing(path, None).map(|(book, _, _)| book)
}

/// The first stage of every load: `book.toml` (or defaults), and the Markdown files found.
fn open_book(
    path: &Path,
) -> Result<(LoadedConfig, Vec<discover::Found>, Vec<Diagnostic>), Diagnostic> {
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
    let (found, diagnostics) = discover::discover(&src, &config.root, output.as_deref());
    Ok((config, found, diagnostics))
}

/// Loads, reusing the parsed runbooks of `previous` whose files did not change. Returns the
/// book, the paths parsed anew, and how many files were parsed.
fn load_reusing(
    path: &Path,
    previous: Option<&mut LoadedBook>,
) -> Result<(LoadedBook, Vec<String>, usize), Diagnostic> {
    let (config, found, mut diagnostics) = open_book(path)?;
    let mut force_reread: Vec<PathBuf> = Vec::new();
    let mut reusable: std::collections::HashMap<String, (FileStamp, SourceFile, model::Runbook)> =
        match previous {
            Some(prev) => {
                force_reread = std::mem::take(&mut prev.force_reread);
                let runbooks = std::mem::take(&mut prev.book.runbooks);
                let sources = std::mem::take(&mut prev.sources);
                let stamps = std::mem::take(&mut prev.stamps);
                stamps
                    .into_iter()
                    .zip(sources)
                    .zip(runbooks)
                    .map(|((stamp, source), runbook)| {
                        (source.path.clone(), (stamp, source, runbook))
                    })
                    .collect()
            }
            None => std::collections::HashMap::new(),
        };
    // Each file's stamp, taken on all cores: a large book has tens of thousands of files.
    let stamps: Vec<std::io::Result<FileStamp>> = {
        use rayon::prelude::*;
        found
            .par_iter()
            .map(|file| std::fs::metadata(&file.path).map(|meta| FileStamp::of(&meta)))
            .collect()
    };
    // Each slot is either a reused runbook, a file still to read and parse, or a problem.
    let mut slots: Vec<Slot<'_>> = Vec::with_capacity(found.len());
    for (file, stamp) in found.iter().zip(stamps) {
        let stamp = match stamp {
            Ok(stamp) => stamp,
            Err(err) => {
                slots.push(Slot::Failed(cannot_read(file, err)));
                continue;
            }
        };
        if let Some((old_stamp, source, runbook)) = reusable.remove(&file.rel)
            && old_stamp == stamp
            && stamp.modified.is_some()
            && !is_forced(&force_reread, &file.path)
        {
            slots.push(Slot::Loaded(stamp, source, runbook));
            continue;
        }
        slots.push(Slot::Read(stamp, file));
    }
    let fresh: Vec<bool> = slots.iter().map(|s| matches!(s, Slot::Read(..))).collect();
    let slots = read_and_parse(slots);
    let mut parsed_paths = Vec::new();
    let mut stamps = Vec::with_capacity(slots.len());
    let mut sources = Vec::with_capacity(slots.len());
    let mut runbooks = Vec::with_capacity(slots.len());
    for (slot, fresh) in slots.into_iter().zip(fresh) {
        match slot {
            Slot::Loaded(stamp, source, runbook) => {
                if fresh {
                    parsed_paths.push(source.path.clone());
                }
                stamps.push(stamp);
                sources.push(source);
                runbooks.push(runbook);
            }
            Slot::Failed(diag) => diagnostics.push(diag),
            Slot::Read(..) => unreachable!("read_and_parse reads every file"),
        }
    }
    let parsed_count = parsed_paths.len();
    let title = book_title(&config);
    let book = Book {
        schema_version: MODEL_SCHEMA_VERSION,
        title,
        runbooks,
        diagnostics,
    };
    let loaded = LoadedBook {
        config,
        book,
        sources,
        input: path.to_owned(),
        stamps,
        force_reread: Vec::new(),
    };
    Ok((loaded, parsed_paths, parsed_count))
}

/// `[book] title`, else the name of the book's folder.
fn book_title(config: &LoadedConfig) -> String {
    config.config.book.title.clone().unwrap_or_else(|| {
        let dir = config
            .root
            .canonicalize()
            .unwrap_or_else(|_| config.root.clone());
        dir.file_name().map_or_else(
            || "Runbooks".to_owned(),
            |n| n.to_string_lossy().into_owned(),
        )
    })
}

/// One file of a load, in book order.
// The slots are one short-lived list moved through one pass; boxing the large variant would
// cost an allocation per file for nothing.
#[allow(clippy::large_enum_variant)]
enum Slot<'a> {
    /// Read and parsed (now, or reused from the previous load).
    Loaded(FileStamp, SourceFile, model::Runbook),
    /// Still to read and parse.
    Read(FileStamp, &'a discover::Found),
    /// Could not be read.
    Failed(Diagnostic),
}

/// Reads and parses every `Slot::Read`, on all cores: files are independent, and a book of
/// 10,000 runbooks is tens of megabytes of Markdown. Reading and parsing in one pass keeps
/// each file's text in cache for its parse; the slots keep book order.
fn read_and_parse(slots: Vec<Slot<'_>>) -> Vec<Slot<'_>> {
    use rayon::prelude::*;
    slots
        .into_par_iter()
        .map(|slot| match slot {
            Slot::Read(stamp, file) => match read_found(file) {
                Ok(source) => {
                    let runbook = parse::parse_runbook(&source);
                    Slot::Loaded(stamp, source, runbook)
                }
                Err(diag) => Slot::Failed(diag),
            },
            other => other,
        })
        .collect()
}

/// Whether a watcher named this file (compared by file name first, so only likely matches
/// pay for `canonicalize`).
fn is_forced(forced: &[PathBuf], path: &Path) -> bool {
    forced.iter().any(|f| {
        f.file_name() == path.file_name()
            && path.canonicalize().is_ok_and(|canonical| &canonical == f)
    })
}

/// Opens a found runbook and checks its size, taken from the open file (one lookup of the
/// path): what every read of a runbook starts with, and all that `load_sources` checks.
fn open_found(file: &discover::Found) -> Result<(std::fs::File, u64), Diagnostic> {
    let open = std::fs::File::open(&file.path).map_err(|err| cannot_read(file, err))?;
    let size = open.metadata().map_err(|err| cannot_read(file, err))?.len();
    check_size(&file.rel, size)?;
    Ok((open, size))
}

/// Reads a found runbook.
fn read_found(file: &discover::Found) -> Result<SourceFile, Diagnostic> {
    use std::io::Read;
    let (open, size) = open_found(file)?;
    // One byte more than the size, so the read that finds the end needs no new buffer.
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0).saturating_add(1));
    ReadOnly(&open)
        .read_to_end(&mut bytes)
        .map_err(|err| cannot_read(file, err))?;
    // Checked again on what was read: a file that grew after `open_found` looked at its size
    // must not slip past the cap (line starts are `u32`).
    check_size(&file.rel, bytes.len() as u64)?;
    Ok(SourceFile::from_vec(&file.rel, bytes))
}

/// A file read with nothing but `read` calls. `File`'s own `read_to_end` first asks the
/// system for the file's size and position, two calls per file that `open_found` has made
/// unneeded (20,000 of them for a book of 10,000 runbooks). A file that grows meanwhile is
/// still read to its end: the buffer grows like any `read_to_end`'s.
struct ReadOnly<'f>(&'f std::fs::File);

impl std::io::Read for ReadOnly<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf)
    }
}

fn cannot_read(file: &discover::Found, err: std::io::Error) -> Diagnostic {
    read_error(&file.rel, format!("cannot read: {err}"))
}

fn check_size(rel: &str, size: u64) -> Result<(), Diagnostic> {
    if size > MAX_FILE_BYTES {
        return Err(read_error(
            rel,
            format!("file is {size} bytes, over the {MAX_FILE_BYTES}-byte limit; not parsed"),
        ));
    }
    Ok(())
}

fn read_error(rel: &str, message: String) -> Diagnostic {
    Diagnostic::new(
        codes::IO_ERROR.0,
        codes::IO_ERROR.1,
        Severity::Error,
        rel,
        0,
        0,
        message,
    )
    .with_help("check the file's permissions; the rest of the book was still loaded")
}
