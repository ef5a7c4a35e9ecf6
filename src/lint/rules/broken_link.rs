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
        let shown = resolve_shown(&runbook.path, &link.path);
        // A runbook of the book was read moments ago, so it exists: most links are to other
        // runbooks, and asking the file system about each costs a system call.
        if cx.position(&shown).is_some()
            || cx.root.join(resolve(&runbook.path, &link.path)).exists()
        {
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

/// `resolve(from, target)` as the book shows it: `to_string_lossy`, with `/` for `\\`. Every
/// link of every runbook is resolved, and the paths `resolve` builds one component at a time
/// cost thousands of instructions a link; this walks the same components of the `&str`s (a
/// property test checks the two agree). On Unix, `Path::components` splits at `/` and skips
/// empty parts and `.`, which `resolve` would skip anyway.
pub fn resolve_shown(from: &str, target: &str) -> String {
    /// One part of the joined path: `..` takes back the last part kept, or goes up.
    fn walk<'a>(kept: &mut Vec<&'a str>, ups: &mut usize, part: &'a str) {
        match part {
            "" | "." => {}
            ".." => {
                if kept.pop().is_none() {
                    *ups += 1;
                }
            }
            normal => kept.push(normal),
        }
    }
    let mut kept: Vec<&str> = Vec::with_capacity(8);
    let mut ups = 0usize;
    match target.strip_prefix('/') {
        Some(rooted) => for_each_part(rooted, |p| walk(&mut kept, &mut ups, p)),
        None => {
            // `Path::parent`: every component of `from` but the last, so each waits for the
            // next one before it is walked.
            let mut last = None;
            for_each_part(from, |p| {
                if !p.is_empty()
                    && p != "."
                    && let Some(before) = last.replace(p)
                {
                    walk(&mut kept, &mut ups, before);
                }
            });
            for_each_part(target, |p| walk(&mut kept, &mut ups, p));
        }
    }
    let mut shown =
        String::with_capacity(3 * ups + kept.iter().map(|p| p.len() + 1).sum::<usize>());
    for i in 0..ups {
        if i > 0 {
            shown.push('/');
        }
        shown.push_str("..");
    }
    // `ups.join(kept)`: joining even an empty path to `..` ends it with a separator.
    if ups > 0 {
        shown.push('/');
    }
    for (i, part) in kept.iter().enumerate() {
        if i > 0 {
            shown.push('/');
        }
        shown.push_str(part);
    }
    if shown.contains('\\') {
        shown = shown.replace('\\', "/");
    }
    shown
}

/// Calls `f` with each part of `path` between `/`s, as `path.split('/')` gives them, with a
/// plain byte loop: `split` sets up a character searcher for each part.
fn for_each_part<'a>(path: &'a str, mut f: impl FnMut(&'a str)) {
    let mut start = 0;
    for (i, b) in path.bytes().enumerate() {
        if b == b'/' {
            f(&path[start..i]);
            start = i + 1;
        }
    }
    f(&path[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]

        #[test]
        fn parts_are_those_of_split(path in "[a/é]{0,8}") {
            let mut parts = Vec::new();
            for_each_part(&path, |p| parts.push(p));
            proptest::prop_assert_eq!(parts, path.split('/').collect::<Vec<_>>());
        }

        #[test]
        fn resolve_shown_is_resolve_shown_lossily(
            from in "(/|\\./)?((a|b\\.md|\\.\\.|\\.|c\\\\d|é|)(/|//)){0,4}(x\\.md|\\.\\.|\\.|)",
            target in "/{0,2}(\\./)?((a|b\\.md|\\.\\.|\\.|\\.\\.\\.|c\\\\d|é|)(/|//)){0,4}(y\\.md|\\.\\.|\\.|)",
        ) {
            proptest::prop_assert_eq!(
                resolve_shown(&from, &target),
                resolve(&from, &target).to_string_lossy().replace('\\', "/"),
                "{:?} {:?}", from, target
            );
        }
    }

    #[test]
    fn resolves_relative_to_the_linking_file() {
        assert_eq!(resolve("a/b.md", "c.md"), PathBuf::from("a/c.md"));
        assert_eq!(resolve("a/b.md", "../c.md"), PathBuf::from("c.md"));
        assert_eq!(resolve("b.md", "./x/../c.md"), PathBuf::from("c.md"));
        assert_eq!(resolve("b.md", "../../c.md"), PathBuf::from("../../c.md"));
        assert_eq!(resolve("a/b.md", "/c.md"), PathBuf::from("c.md"));
    }
}
