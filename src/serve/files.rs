//! Maps request paths to files under the output folder, and nothing else: no `..` escapes,
//! no symbolic links pointing outside, no hidden files; content types by extension.

use std::path::{Component, Path, PathBuf};

/// Resolves a URL path (as received, percent-encoded, maybe with a query) to a file under
/// `root`. `None` means "answer 404", whatever the reason, so probing learns nothing.
pub fn resolve(root: &Path, url: &str) -> Option<PathBuf> {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let decoded = crate::parse::percent::decode_strict(path)?;
    let mut relative = PathBuf::new();
    for part in decoded.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            p if p.starts_with('.') || p.contains('\\') || p.contains('\0') => return None,
            p => relative.push(p),
        }
    }
    if relative
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return None;
    }
    let mut candidate = root.join(&relative);
    if candidate.is_dir() {
        candidate.push("index.html");
    } else if !candidate.exists() && candidate.extension().is_none() {
        // `/restart` serves `restart.html`, like most static hosts.
        candidate.set_extension("html");
    }
    // Symbolic links are followed only when the target is still inside the output folder.
    let canonical_root = root.canonicalize().ok()?;
    let canonical = candidate.canonicalize().ok()?;
    (canonical.starts_with(&canonical_root) && canonical.is_file()).then_some(canonical)
}

/// The `Content-Type` for a file name.
pub fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("sh") => "text/x-shellscript; charset=utf-8",
        Some("txt" | "md") => "text/plain; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        Some("woff") => "font/woff",
        Some("xml") => "application/xml",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("db")).unwrap();
        std::fs::write(dir.path().join("index.html"), "i").unwrap();
        std::fs::write(dir.path().join("db/failover plan.html"), "f").unwrap();
        std::fs::write(dir.path().join(".secret"), "s").unwrap();
        dir
    }

    #[test]
    fn serves_files_and_indexes() {
        let dir = site();
        let root = dir.path();
        assert!(resolve(root, "/").unwrap().ends_with("index.html"));
        assert!(resolve(root, "/db/failover%20plan.html?x=1").is_some());
        assert!(resolve(root, "/db/failover%20plan").is_some());
        assert!(resolve(root, "/missing.html").is_none());
    }

    #[test]
    fn refuses_escapes() {
        let dir = site();
        let root = dir.path();
        for bad in [
            "/../etc/passwd",
            "/db/../../x",
            "/%2e%2e/x",
            "/.secret",
            "/db/%00",
            "/%zz",
            "/..%2f..%2fetc",
        ] {
            assert!(resolve(root, bad).is_none(), "{bad}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn refuses_symlinks_out_of_the_root() {
        let dir = site();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("x.html"), "x").unwrap();
        std::os::unix::fs::symlink(outside.path().join("x.html"), dir.path().join("link.html"))
            .unwrap();
        std::os::unix::fs::symlink(
            dir.path().join("index.html"),
            dir.path().join("inside.html"),
        )
        .unwrap();
        assert!(resolve(dir.path(), "/link.html").is_none());
        assert!(resolve(dir.path(), "/inside.html").is_some());
    }
}
