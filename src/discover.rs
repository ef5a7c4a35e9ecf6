//! Finds the Markdown files of a book: sorted, hidden folders and output folders skipped,
//! symlink loops and unreadable entries reported (not fatal).

use crate::diag::{Diagnostic, Severity, codes};
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// Folders never searched for runbooks.
const SKIPPED_DIRS: &[&str] = &["node_modules", "target", "site", "book"];

/// A Markdown file found under the source folder.
#[derive(Debug, Clone)]
pub struct Found {
    /// Absolute or as-given path to read.
    pub path: PathBuf,
    /// Path relative to the book root, `/`-separated, for display and ids.
    pub rel: String,
}

/// Lists Markdown files under `src` (or `src` itself when it is a file). `root` is what
/// relative paths are relative to; `output` is skipped when inside `src`.
pub fn discover(src: &Path, root: &Path, output: Option<&Path>) -> (Vec<Found>, Vec<Diagnostic>) {
    let mut found = Vec::new();
    let mut problems = Vec::new();
    let walker = WalkDir::new(src)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            if entry.depth() == 0 {
                return true;
            }
            let name = entry.file_name().to_string_lossy();
            if entry.file_type().is_dir() {
                let is_output = output.is_some_and(|o| same_path(entry.path(), o));
                return !name.starts_with('.')
                    && !SKIPPED_DIRS.contains(&name.as_ref())
                    && !is_output;
            }
            !name.starts_with('.')
        });
    for entry in walker {
        match entry {
            Ok(entry) => {
                if entry.file_type().is_file() && is_markdown(entry.path()) {
                    found.push(Found {
                        rel: relative(entry.path(), root),
                        path: entry.path().to_owned(),
                    });
                }
            }
            Err(err) => {
                let path = err
                    .path()
                    .map(|p| relative(p, root))
                    .unwrap_or_else(|| relative(src, root));
                let diag = if err.loop_ancestor().is_some() {
                    Diagnostic::new(
                        codes::SYMLINK_LOOP.0,
                        codes::SYMLINK_LOOP.1,
                        Severity::Warning,
                        path,
                        0,
                        0,
                        "symbolic link loop; this folder was skipped",
                    )
                    .with_help("remove the link or point it outside its own ancestors")
                } else {
                    Diagnostic::new(
                        codes::IO_ERROR.0,
                        codes::IO_ERROR.1,
                        Severity::Error,
                        path,
                        0,
                        0,
                        format!(
                            "cannot read: {}",
                            err.io_error()
                                .map_or_else(|| err.to_string(), ToString::to_string)
                        ),
                    )
                    .with_help("check that the path exists and is readable")
                };
                problems.push(diag);
            }
        }
    }
    (found, problems)
}

fn is_markdown(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"))
}

fn same_path(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// `path` relative to `root` with `/` separators; the path as given when it is not under root.
pub fn relative(path: &Path, root: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let text = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    if text.is_empty() {
        path.display().to_string()
    } else {
        text
    }
}
