//! What it does: finds relative links and images (`![diagram](img/topology.svg)`) whose file
//! does not exist, resolved from the folder of the runbook that links (a leading `/` means
//! the book root).
//!
//! Why it matters: a runbook that says "follow [key rotation](key-rotation.md)" in the middle
//! of an incident, and leads to a 404, costs minutes nobody has.
//!
//! Example:
//! ```markdown
//! - Leaked credentials: [key rotation](key-rotation.md)
//! ```
//!
//! Use instead: write the missing runbook, or link to the one that exists
//! (`[key rotation](security/key-rotation.md)`).
//!
//! Known limits: links are checked against the file system, so a link that leaves the book
//! folder is only right if the target exists where the linter runs.

use super::super::{Context, Sink};
use crate::facts::locate;
use crate::model::{LinkKind, Runbook};
use crate::source::SourceFile;
use std::path::{Component, Path, PathBuf};

pub fn check(
    cx: &Context<'_>,
    idx: usize,
    runbook: &Runbook,
    source: &SourceFile,
    sink: &mut Sink,
) {
    for link in &runbook.links {
        if link.kind != LinkKind::Relative || link.path.is_empty() {
            continue;
        }
        let rel = resolve(&runbook.path, &link.path);
        let shown = rel.to_string_lossy().replace('\\', "/");
        // A runbook of the book was read moments ago, so it exists: most links are to other
        // runbooks, and asking the file system about each costs a system call.
        if cx.position(&shown).is_some() || cx.root.join(&rel).exists() {
            continue;
        }
        let span = locate(
            source,
            link.span,
            std::slice::from_ref(&link.path),
            &link.path,
        )
        .or_else(|| {
            locate(
                source,
                link.span,
                std::slice::from_ref(&link.target),
                &link.target,
            )
        })
        .unwrap_or(link.span);
        sink.push(
            cx.diag(
                "RB111",
                idx,
                span,
                if link.image {
                    format!("image `{}` does not exist", link.path)
                } else {
                    format!("link target `{}` does not exist", link.path)
                },
            )
            .with_help(if link.image {
                format!("add `{shown}` (the path from the book root), or fix the image path")
            } else {
                format!("create `{shown}` (the path from the book root), or fix the link")
            }),
        );
    }
}

/// The target of a link from runbook `from`, relative to the book root, with `.` and `..`
/// resolved lexically.
pub fn resolve(from: &str, target: &str) -> PathBuf {
    let joined = match target.strip_prefix('/') {
        Some(rooted) => PathBuf::from(rooted),
        None => Path::new(from)
            .parent()
            .unwrap_or(Path::new(""))
            .join(target),
    };
    let mut out = PathBuf::new();
    let mut ups = PathBuf::new();
    for part in joined.components() {
        match part {
            Component::ParentDir if !out.pop() => ups.push(".."),
            Component::Normal(p) => out.push(p),
            _ => {}
        }
    }
    ups.join(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_relative_to_the_linking_file() {
        assert_eq!(resolve("a/b.md", "c.md"), PathBuf::from("a/c.md"));
        assert_eq!(resolve("a/b.md", "../c.md"), PathBuf::from("c.md"));
        assert_eq!(resolve("b.md", "./x/../c.md"), PathBuf::from("c.md"));
        assert_eq!(resolve("b.md", "../../c.md"), PathBuf::from("../../c.md"));
        assert_eq!(resolve("a/b.md", "/c.md"), PathBuf::from("c.md"));
    }
}
