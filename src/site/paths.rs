//! Where each runbook goes in the site, and relative links between pages. Every output path
//! is built from plain name components only (no `..`, no absolute paths), so nothing a file
//! name says can place a page outside the output folder; and every link is relative, so the
//! site works from `file://` and from any sub-path of a web server.

use std::collections::{BTreeMap, BTreeSet};

/// Files and folders of the site that runbook pages may not replace.
pub const RESERVED: &[&str] = &[
    "index.html",
    "severity.html",
    "404.html",
    "search-index.js",
    "search",
    "static",
    super::output::MARKER,
];

/// Source path (as in `Runbook::path`) → output path (`/`-separated, ends in `.html`).
#[derive(Debug, Default, Clone)]
pub struct PageMap {
    by_source: BTreeMap<String, String>,
    src_prefix: String,
}

impl PageMap {
    /// Maps every runbook path to a unique output path. `src_prefix` is the source folder
    /// relative to the book root (`content`), stripped so `content/db/x.md` → `db/x.html`.
    /// `taken` are asset paths pages must not collide with.
    pub fn new<'a>(
        paths: impl IntoIterator<Item = &'a str>,
        src_prefix: &str,
        taken: &[String],
    ) -> Self {
        let mut used: BTreeSet<String> = RESERVED
            .iter()
            .map(|s| s.to_ascii_lowercase())
            .chain(taken.iter().map(|s| s.to_ascii_lowercase()))
            .collect();
        let mut by_source = BTreeMap::new();
        for path in paths {
            let rel = strip_prefix(path, src_prefix);
            let parts = safe_components(rel);
            let (dirs, file) = parts.split_at(parts.len().saturating_sub(1));
            let stem = file.first().map_or("page", |f| strip_md(f));
            let dir = dirs.join("/");
            let mut n = 1;
            let out = loop {
                let name = if n == 1 {
                    format!("{stem}.html")
                } else {
                    format!("{stem}-{n}.html")
                };
                let candidate = if dir.is_empty() {
                    name
                } else {
                    format!("{dir}/{name}")
                };
                // Case-insensitive, so the site unpacks on case-insensitive file systems too.
                let clash = used.contains(&candidate.to_ascii_lowercase());
                if !clash {
                    break candidate;
                }
                n += 1;
            };
            used.insert(out.to_ascii_lowercase());
            by_source.insert(path.to_owned(), out);
        }
        Self {
            by_source,
            src_prefix: src_prefix.to_owned(),
        }
    }

    /// The source folder relative to the book root (`content`), `""` when it is the root.
    pub fn src_prefix(&self) -> &str {
        &self.src_prefix
    }

    /// The output path of a runbook.
    pub fn get(&self, source: &str) -> Option<&str> {
        self.by_source.get(source).map(String::as_str)
    }
}

fn strip_prefix<'a>(path: &'a str, prefix: &str) -> &'a str {
    let prefix = prefix.trim_matches('/');
    if prefix.is_empty() || prefix == "." {
        return path;
    }
    path.strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('/'))
        .unwrap_or(path)
}

fn strip_md(name: &str) -> &str {
    let lower = name.to_ascii_lowercase();
    for ext in [".md", ".markdown"] {
        if lower.ends_with(ext) && name.len() > ext.len() {
            return &name[..name.len() - ext.len()];
        }
    }
    name
}

/// Splits a `/`-separated path into components that are safe file names: empty, `.` and
/// `..` components, and characters that are separators or NUL anywhere, are replaced.
pub fn safe_components(path: &str) -> Vec<String> {
    path.split(['/', '\\'])
        .filter(|c| !c.is_empty() && *c != ".")
        .map(|c| {
            if c == ".." {
                "_".to_owned()
            } else {
                c.chars()
                    .map(|ch| if ch == '\0' || ch == ':' { '_' } else { ch })
                    .collect()
            }
        })
        .collect()
}

/// `../` repeated once per folder of `page` (`db/x.html` → `../`), `""` at the top.
pub fn root_prefix(page: &str) -> String {
    "../".repeat(page.matches('/').count())
}

/// A relative href from page `from` to site path `to`, percent-encoded.
///
/// Works on the two paths in place: `to`'s parts after the folders it shares with `from`
/// are the end of `to` itself, so nothing is split into lists or joined again (this runs
/// for every link between runbooks). `tests::relative_href_by_lists` is what it replaced.
pub fn relative_href(from: &str, to: &str) -> String {
    let from_dirs = from.matches('/').count();
    let to_dirs = to.matches('/').count();
    // Shared leading folders, never `to`'s file name.
    let mut common = 0;
    let mut rest = to;
    for (a, b) in from.split('/').take(from_dirs).zip(to.split('/')) {
        if a != b || common == to_dirs {
            break;
        }
        common += 1;
        rest = &rest[b.len() + 1..];
    }
    let ups = from_dirs - common;
    let mut href = String::with_capacity(3 * ups + rest.len());
    for _ in 0..ups {
        href.push_str("../");
    }
    encode_path_into(&mut href, rest);
    href
}

/// Percent-encodes a path for an href (keeps `/` and unreserved characters).
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    encode_path_into(&mut out, path);
    out
}

/// [`encode_path`], appended to `out`; other bytes become `%XX` in upper-case hex (what
/// `format!("%{b:02X}")` wrote, without formatting machinery per byte).
fn encode_path_into(out: &mut String, path: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char);
            }
            _ => {
                out.push('%');
                out.push(HEX[usize::from(b >> 4)] as char);
                out.push(HEX[usize::from(b & 15)] as char);
            }
        }
    }
}

/// Resolves a relative link target written in `from_source` (a book path such as
/// `content/db/x.md`) to the book path it names: `../restart.md` → `content/restart.md`.
/// `None` when it climbs above the book root.
pub fn resolve_relative(from_source: &str, target: &str) -> Option<String> {
    let mut parts: Vec<&str> = from_source.split('/').collect();
    parts.pop();
    for comp in target.split('/') {
        match comp {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            c => parts.push(c),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_mirror_folders_and_avoid_reserved_names() {
        let map = PageMap::new(
            [
                "content/index.md",
                "content/database/pg.md",
                "content/restart.md",
                "content/restart.markdown",
                "content/../../etc/passwd.md",
            ],
            "content",
            &["static/app.js".to_owned()],
        );
        assert_eq!(map.get("content/index.md"), Some("index-2.html"));
        assert_eq!(map.get("content/database/pg.md"), Some("database/pg.html"));
        assert_eq!(map.get("content/restart.md"), Some("restart.html"));
        assert_eq!(map.get("content/restart.markdown"), Some("restart-2.html"));
        assert_eq!(
            map.get("content/../../etc/passwd.md"),
            Some("_/_/etc/passwd.html")
        );
    }

    /// What `relative_href` was before it worked in place, as the oracle of its test.
    fn relative_href_by_lists(from: &str, to: &str) -> String {
        let from_dirs: Vec<&str> = from.split('/').collect::<Vec<_>>();
        let from_dirs = &from_dirs[..from_dirs.len().saturating_sub(1)];
        let to_parts: Vec<&str> = to.split('/').collect();
        let common = from_dirs
            .iter()
            .zip(to_parts.iter())
            .take_while(|(a, b)| a == b)
            .count()
            .min(to_parts.len().saturating_sub(1));
        let mut href = "../".repeat(from_dirs.len() - common);
        href.push_str(&encode_path_by_format(&to_parts[common..].join("/")));
        href
    }

    /// What `encode_path` was before `encode_path_into`.
    fn encode_path_by_format(path: &str) -> String {
        let mut out = String::with_capacity(path.len());
        for b in path.bytes() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                    out.push(b as char);
                }
                _ => out.push_str(&format!("%{b:02X}")),
            }
        }
        out
    }

    proptest::proptest! {
        /// The href made in place is the one made by splitting and joining.
        #[test]
        fn relative_href_is_what_lists_made(
            from in "(([ab]|c d|/)?/){0,4}[ab]?(\\.html)?|.{0,16}",
            to in "(([ab]|c d|é|/)?/){0,4}[ab%]?(\\.html)?|.{0,16}",
        ) {
            proptest::prop_assert_eq!(relative_href(&from, &to), relative_href_by_lists(&from, &to));
            proptest::prop_assert_eq!(encode_path(&to), encode_path_by_format(&to));
        }
    }

    #[test]
    fn relative_links_work_from_any_depth() {
        assert_eq!(relative_href("a/b/x.html", "a/y.html"), "../y.html");
        assert_eq!(relative_href("x.html", "db/y z.html"), "db/y%20z.html");
        assert_eq!(relative_href("db/x.html", "index.html"), "../index.html");
        assert_eq!(relative_href("db/x.html", "db/y.html"), "y.html");
        assert_eq!(root_prefix("a/b/c.html"), "../../");
        assert_eq!(
            resolve_relative("content/db/x.md", "../restart.md").as_deref(),
            Some("content/restart.md")
        );
        assert_eq!(resolve_relative("x.md", "../../y.md"), None);
    }
}
