//! Images a runbook shows (`![diagram](img/topology.png)`, and `<img src>` when
//! `[site] allow_html = true`), copied into the site so the page's relative link works from
//! any sub-path and from `file://`.
//!
//! Rendering records each reference (`reference`) and rewrites its URL to where the file is
//! published; `copy_images` then reads and writes every referenced file once, in path order.
//! An image inside the source folder keeps its place (`content/db/img/a.png` →
//! `db/img/a.png`, so the link as written stays right); one elsewhere in the book folder goes
//! under `book-files/`. Only files with an image extension, inside the book folder (symbolic links
//! included, after resolving them), are read; a file that cannot be published is a warning
//! that names the runbook and line, never a failed build.

use super::SiteError;
use super::output::Staging;
use super::paths::{self, PageMap};
use crate::diag::{Diagnostic, Severity, codes::BAD_IMAGE};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// File extensions published as images (compared case-insensitively).
pub const IMAGE_EXTENSIONS: &[&str] = &[
    "apng", "avif", "bmp", "gif", "ico", "jpeg", "jpg", "png", "svg", "webp",
];

/// Folder of the site for images that are in the book folder but not in the source folder.
pub const OUTSIDE_SRC: &str = "book-files";

/// One image reference found while rendering a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// Book path of the runbook that shows it.
    pub runbook: String,
    /// 1-based line of the reference.
    pub line: usize,
    /// 1-based column of the reference.
    pub column: usize,
    /// The URL as written.
    pub url: String,
    /// Where it is published, or why it is not.
    pub target: Result<Target, String>,
}

/// Where a referenced image comes from and goes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Target {
    /// Path relative to the book root (`content/db/img/a.png`).
    pub source: String,
    /// Path in the site (`db/img/a.png`).
    pub site: String,
}

/// Resolves image `url`, written in runbook `runbook` (a book path) published at `page`.
/// `None` when the URL is not a local file (a scheme, `//host`, only a `#fragment`, empty):
/// it is left as written. Otherwise the reference (with where the file goes, or why it is
/// refused) and the URL to publish when it changes.
pub fn reference(
    runbook: &str,
    page: &str,
    pages: &PageMap,
    url: &str,
    (line, column): (usize, usize),
) -> Option<(ImageRef, Option<String>)> {
    let url = url.trim();
    let split = url.find(['?', '#']).unwrap_or(url.len());
    let (path, suffix) = url.split_at(split);
    if path.is_empty() || path.starts_with("//") || has_scheme(path) {
        return None;
    }
    let target = target(runbook, path, pages.src_prefix());
    let rewritten = target.as_ref().ok().map(|t| {
        let mut href = paths::relative_href(page, &t.site);
        href.push_str(suffix);
        href
    });
    let image = ImageRef {
        runbook: runbook.to_owned(),
        line,
        column,
        url: url.to_owned(),
        target,
    };
    Some((image, rewritten.filter(|r| r != url)))
}

fn has_scheme(url: &str) -> bool {
    url.split_once(':').is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

fn target(runbook: &str, path: &str, src_prefix: &str) -> Result<Target, String> {
    let decoded = crate::parse::percent::decode_lossy(path);
    if decoded.contains(['\\', '\0']) {
        return Err("has a backslash or NUL in its path".to_owned());
    }
    if decoded.starts_with('/') {
        return Err(
            "is an absolute path; only paths relative to the runbook are published".to_owned(),
        );
    }
    let source = paths::resolve_relative(runbook, &decoded)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| "is outside the book folder".to_owned())?;
    let ext = source
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if source.ends_with('/') || !IMAGE_EXTENSIONS.contains(&ext.as_str()) {
        return Err(format!(
            "is not an image file (published extensions: {})",
            IMAGE_EXTENSIONS.join(", ")
        ));
    }
    let prefix = src_prefix.trim_matches('/');
    let inside = if prefix.is_empty() || prefix == "." {
        Some(source.as_str())
    } else {
        source
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_prefix('/'))
    };
    let reserved = |first: &str| {
        paths::RESERVED
            .iter()
            .any(|r| r.eq_ignore_ascii_case(first))
    };
    let site = match inside {
        Some(rest) if !reserved(rest.split('/').next().unwrap_or("")) => rest.to_owned(),
        _ => format!("{OUTSIDE_SRC}/{source}"),
    };
    Ok(Target {
        source,
        site: paths::safe_components(&site).join("/"),
    })
}

/// Whether a raw HTML fragment may hold an `<img>` tag.
pub fn has_img(html: &str) -> bool {
    html.as_bytes()
        .windows(4)
        .any(|w| w.eq_ignore_ascii_case(b"<img"))
}

/// Rewrites the `src` of every `<img>` tag in a raw HTML fragment. `f` gets the URL
/// (entities `&amp;`, `&quot;`, `&#39;`, `&lt;`, `&gt;` decoded) and its byte offset in the
/// fragment, and returns the URL to publish instead, if any.
pub fn rewrite_img_srcs(html: &str, mut f: impl FnMut(&str, usize) -> Option<String>) -> String {
    let lower = html.to_ascii_lowercase();
    let mut out = String::with_capacity(html.len());
    let mut pos = 0;
    while let Some(found) = lower[pos..].find("<img") {
        let tag_start = pos + found;
        let after_name = tag_start + 4;
        if !lower[after_name..].starts_with(|c: char| c.is_ascii_whitespace() || c == '/') {
            out.push_str(&html[pos..after_name]);
            pos = after_name;
            continue;
        }
        let mut i = after_name;
        let bytes = html.as_bytes();
        let mut replaced = false;
        while i < html.len() && bytes[i] != b'>' {
            if bytes[i].is_ascii_whitespace() || bytes[i] == b'/' {
                i += 1;
                continue;
            }
            let name_start = i;
            while i < html.len() && !matches!(bytes[i], b'=' | b'>' | b'/') {
                if bytes[i].is_ascii_whitespace() {
                    break;
                }
                i += 1;
            }
            let name = &lower[name_start..i];
            while i < html.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            if i >= html.len() || bytes[i] != b'=' {
                continue;
            }
            i += 1;
            while i < html.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            let (value_start, value_end, next) = match bytes.get(i) {
                Some(&q @ (b'"' | b'\'')) => {
                    let end = html[i + 1..]
                        .find(q as char)
                        .map_or(html.len(), |e| i + 1 + e);
                    (i + 1, end, (end + 1).min(html.len()))
                }
                _ => {
                    let end = html[i..]
                        .find(|c: char| c.is_ascii_whitespace() || c == '>')
                        .map_or(html.len(), |e| i + e);
                    (i, end, end)
                }
            };
            if name == "src" && !replaced {
                replaced = true;
                let value = decode_entities(&html[value_start..value_end]);
                if let Some(new) = f(&value, value_start) {
                    out.push_str(&html[pos..value_start]);
                    out.push_str(&super::escape::html(&new));
                    pos = value_end;
                }
            }
            i = next;
        }
        let end = (i + 1).min(html.len());
        out.push_str(&html[pos..end]);
        pos = end;
    }
    out.push_str(&html[pos..]);
    out
}

fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Reads every referenced image once (in site path order) and writes it into the site.
/// `root` is the book folder; `taken` are site paths the build writes itself (lower case).
/// Returns one warning per reference that could not be published.
pub fn copy_images<'a>(
    root: &Path,
    refs: impl IntoIterator<Item = &'a ImageRef>,
    staging: &Staging,
    taken: &BTreeSet<String>,
) -> Result<Vec<Diagnostic>, SiteError> {
    let mut warnings = Vec::new();
    let mut by_site: BTreeMap<String, Vec<&ImageRef>> = BTreeMap::new();
    for image in refs {
        match &image.target {
            Ok(t) => by_site
                .entry(t.site.to_ascii_lowercase())
                .or_default()
                .push(image),
            Err(why) => warnings.push(warning(
                image,
                format!(
                    "image `{}` {why}; it is not copied into the site",
                    image.url
                ),
                "use a path relative to the runbook, to an image file inside the book folder",
            )),
        }
    }
    let canonical_root = root.canonicalize().map_err(|e| SiteError::io(root, e))?;
    for (site_lower, mut images) in by_site {
        images.sort_by(|a, b| (&a.runbook, a.line, a.column).cmp(&(&b.runbook, b.line, b.column)));
        let Some(Ok(first)) = images.first().map(|i| i.target.clone()) else {
            continue;
        };
        let problem = if taken.contains(&site_lower) {
            Some(format!(
                "would be published at `{}`, which the site already uses",
                first.site
            ))
        } else {
            publish(root, &canonical_root, &first, staging)?
        };
        for image in images {
            let same = image
                .target
                .as_ref()
                .is_ok_and(|t| t.source == first.source);
            let why = match (&problem, same) {
                (Some(why), _) => why.clone(),
                (None, true) => continue,
                (None, false) => format!(
                    "would be published at `{}`, where `{}` already is",
                    first.site, first.source
                ),
            };
            warnings.push(warning(
                image,
                format!(
                    "image `{}` {why}; it is not copied into the site",
                    image.url
                ),
                "put the image inside the book folder next to the runbook, or fix the path",
            ));
        }
    }
    warnings.sort_by(|a, b| {
        (&a.location.file, a.location.line, a.location.column).cmp(&(
            &b.location.file,
            b.location.line,
            b.location.column,
        ))
    });
    Ok(warnings)
}

/// Copies one image; `Ok(Some(why))` when the source cannot be published.
fn publish(
    root: &Path,
    canonical_root: &Path,
    target: &Target,
    staging: &Staging,
) -> Result<Option<String>, SiteError> {
    let path = root.join(&target.source);
    let canonical = match path.canonicalize() {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Some(format!("not found (looked for `{}`)", target.source)));
        }
        Err(e) => return Ok(Some(format!("cannot be read: {e}"))),
    };
    if !canonical.starts_with(canonical_root) {
        return Ok(Some(format!(
            "resolves outside the book folder (`{}` is a symbolic link)",
            target.source
        )));
    }
    let meta = match std::fs::metadata(&canonical) {
        Ok(m) => m,
        Err(e) => return Ok(Some(format!("cannot be read: {e}"))),
    };
    if !meta.is_file() {
        return Ok(Some(format!("`{}` is not a file", target.source)));
    }
    if meta.len() > crate::MAX_FILE_BYTES {
        return Ok(Some(format!(
            "is larger than {} MB",
            crate::MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    let bytes = match std::fs::read(&canonical) {
        Ok(b) => b,
        Err(e) => return Ok(Some(format!("cannot be read: {e}"))),
    };
    staging.write(&target.site, &bytes)?;
    Ok(None)
}

fn warning(image: &ImageRef, message: String, help: &str) -> Diagnostic {
    Diagnostic::new(
        BAD_IMAGE.0,
        BAD_IMAGE.1,
        Severity::Warning,
        image.runbook.clone(),
        image.line,
        image.column,
        message,
    )
    .with_help(help)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map() -> PageMap {
        PageMap::new(["content/db/x.md", "content/y.md"], "content", &[])
    }

    fn resolve(runbook: &str, page: &str, url: &str) -> Option<(ImageRef, Option<String>)> {
        reference(runbook, page, &map(), url, (3, 1))
    }

    #[test]
    fn images_keep_their_place_or_go_under_book() {
        let (img, url) = resolve("content/db/x.md", "db/x.html", "img/a b.png").unwrap();
        let t = img.target.unwrap();
        assert_eq!(
            (t.source.as_str(), t.site.as_str()),
            ("content/db/img/a b.png", "db/img/a b.png")
        );
        assert_eq!(url.as_deref(), Some("img/a%20b.png"));
        let (img, url) = resolve("content/db/x.md", "db/x.html", "../shared/n.SVG#v").unwrap();
        assert_eq!(img.target.unwrap().site, "shared/n.SVG");
        assert_eq!(url, None, "unchanged");
        let (img, url) = resolve("content/db/x.md", "db/x.html", "../../assets/logo.png").unwrap();
        assert_eq!(img.target.unwrap().site, "book-files/assets/logo.png");
        assert_eq!(url.as_deref(), Some("../book-files/assets/logo.png"));
        let (img, _) = resolve("content/y.md", "y.html", "static/style.png").unwrap();
        assert_eq!(
            img.target.unwrap().site,
            "book-files/content/static/style.png"
        );
    }

    #[test]
    fn outside_absolute_and_non_images_are_refused() {
        for url in [
            "../../../etc/passwd.png",
            "/etc/x.png",
            "../../../x.png",
            "a.toml",
            "x\\..\\a.png",
            "img/",
        ] {
            let (img, rewritten) = resolve("content/db/x.md", "db/x.html", url).unwrap();
            assert!(img.target.is_err(), "{url}: {:?}", img.target);
            assert_eq!(rewritten, None);
        }
        for url in [
            "https://x.example/a.png",
            "//cdn.example/a.png",
            "#x",
            "",
            "data:image/png;base64,AA",
        ] {
            assert!(resolve("content/y.md", "y.html", url).is_none(), "{url}");
        }
    }

    #[test]
    fn img_srcs_in_raw_html_are_rewritten() {
        let html = "<p><IMG alt='a > b' SRC=\"x.png\"> <img src=y.png/> <image src=\"z\"> <img data-src=\"q\" src='a&amp;b.png'></p>";
        let mut seen = Vec::new();
        let out = rewrite_img_srcs(html, |url, at| {
            seen.push((url.to_owned(), at));
            Some(format!("new/{url}"))
        });
        assert_eq!(
            seen.iter().map(|(u, _)| u.as_str()).collect::<Vec<_>>(),
            ["x.png", "y.png/", "a&b.png"]
        );
        assert_eq!(&html[seen[0].1..seen[0].1 + 5], "x.png");
        assert!(out.contains("SRC=\"new/x.png\""), "{out}");
        assert!(out.contains("src='new/a&amp;b.png'"), "{out}");
        assert!(out.contains("<image src=\"z\">"), "{out}");
    }
}
