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
    // Resolved once, not once per folder of the book.
    let output = output.map(OutputDir::new);
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
                let is_output = output
                    .as_ref()
                    .is_some_and(|o| o.is(entry.path(), entry.path_is_symlink()));
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

/// The output folder, to be recognised among the folders of the book.
struct OutputDir<'a> {
    given: &'a Path,
    resolved: Option<PathBuf>,
}

impl<'a> OutputDir<'a> {
    fn new(given: &'a Path) -> Self {
        Self {
            given,
            resolved: given.canonicalize().ok(),
        }
    }

    /// True when the folder at `path` is the output folder (through symlinks too).
    fn is(&self, path: &Path, is_symlink: bool) -> bool {
        let Some(resolved) = &self.resolved else {
            return path == self.given;
        };
        // A folder that is not itself a symlink resolves to a path ending in its own name, so
        // only a symlink or a folder of the same name can be the output: the others are
        // spared a `canonicalize` (one `readlink` per path component) each.
        if !is_symlink && path.file_name() != resolved.file_name() {
            return false;
        }
        match path.canonicalize() {
            Ok(path) => &path == resolved,
            Err(_) => path == self.given,
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The output folder is skipped by its resolved path: as itself, through a symlink of
    /// another name, and not when another folder has a different name.
    #[test]
    fn output_folder_is_skipped_under_any_name() {
        let book = tempfile::tempdir().unwrap();
        let root = book.path();
        for dir in ["public", "docs", "other/public"] {
            std::fs::create_dir_all(root.join(dir)).unwrap();
            std::fs::write(root.join(dir).join("a.md"), "# A\n").unwrap();
        }
        std::os::unix::fs::symlink(root.join("public"), root.join("mirror")).unwrap();
        let (found, problems) = discover(root, root, Some(&root.join("public")));
        let names: Vec<&str> = found.iter().map(|f| f.rel.as_str()).collect();
        assert_eq!(names, ["docs/a.md", "other/public/a.md"]);
        assert!(problems.is_empty(), "{problems:?}");
        // Given as a path with a different spelling, it is still recognised.
        let (found, _) = discover(root, root, Some(&root.join("docs/../public")));
        let names: Vec<&str> = found.iter().map(|f| f.rel.as_str()).collect();
        assert_eq!(names, ["docs/a.md", "other/public/a.md"]);
    }
}
