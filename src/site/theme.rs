//! Themes: Tera templates and static files. The default theme is compiled into the binary,
//! so `runbook build` works on any folder; `themes/<[site] theme>/` next to `book.toml`
//! replaces any of its files, and a `templates/` folder next to `book.toml` overrides single
//! templates. Template errors name the template file, the line and the problem.

use super::SiteError;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Templates the pipeline renders.
pub const PAGE_TEMPLATES: &[&str] = &[
    "base.html",
    "index.html",
    "runbook.html",
    "severity.html",
    "404.html",
];

const EMBEDDED_TEMPLATES: &[(&str, &str)] = &[
    (
        "base.html",
        include_str!("../../themes/default/templates/base.html"),
    ),
    (
        "index.html",
        include_str!("../../themes/default/templates/index.html"),
    ),
    (
        "runbook.html",
        include_str!("../../themes/default/templates/runbook.html"),
    ),
    (
        "severity.html",
        include_str!("../../themes/default/templates/severity.html"),
    ),
    (
        "404.html",
        include_str!("../../themes/default/templates/404.html"),
    ),
];

const EMBEDDED_STATIC: &[(&str, &[u8])] = &[
    (
        "style.css",
        include_bytes!("../../themes/default/static/style.css"),
    ),
    (
        "app.js",
        include_bytes!("../../themes/default/static/app.js"),
    ),
];

/// A theme resolved for one book: templates by name (with where each came from) and static
/// files by path under `static/`.
#[derive(Debug, Default)]
pub struct Theme {
    /// Template name → (source text, where it came from).
    pub templates: BTreeMap<String, (String, String)>,
    /// Path under `static/` → bytes.
    pub statics: BTreeMap<String, Vec<u8>>,
}

impl Theme {
    /// The embedded default theme.
    pub fn embedded() -> Self {
        let mut theme = Theme::default();
        for (name, text) in EMBEDDED_TEMPLATES {
            theme.templates.insert(
                (*name).to_owned(),
                ((*text).to_owned(), format!("built-in theme: {name}")),
            );
        }
        for (name, bytes) in EMBEDDED_STATIC {
            theme.statics.insert((*name).to_owned(), bytes.to_vec());
        }
        theme
    }

    /// The theme for a book at `root`: embedded default, then `themes/<name>/`, then
    /// `templates/`.
    pub fn load(root: &Path, name: &str) -> Result<Self, SiteError> {
        let mut theme = Self::embedded();
        if name.is_empty() || name.contains(['/', '\\']) || name == "." || name == ".." {
            return Err(SiteError::Config(format!(
                "[site] theme = {name:?} is not a folder name under themes/"
            )));
        }
        let dir = root.join("themes").join(name);
        if dir.is_dir() {
            theme.overlay_templates(&dir.join("templates"), root)?;
            let static_dir = dir.join("static");
            if static_dir.is_dir() {
                for (rel, path) in files_under(&static_dir)? {
                    let bytes = std::fs::read(&path).map_err(|e| SiteError::io(&path, e))?;
                    theme.statics.insert(rel, bytes);
                }
            }
        } else if name != "default" {
            return Err(SiteError::Config(format!(
                "theme {name:?} not found: expected a folder {}",
                dir.display()
            )));
        }
        theme.overlay_templates(&root.join("templates"), root)?;
        Ok(theme)
    }

    fn overlay_templates(&mut self, dir: &Path, root: &Path) -> Result<(), SiteError> {
        if !dir.is_dir() {
            return Ok(());
        }
        for (rel, path) in files_under(dir)? {
            if !rel.ends_with(".html") {
                continue;
            }
            let text = std::fs::read_to_string(&path).map_err(|e| SiteError::io(&path, e))?;
            let shown = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .display()
                .to_string();
            self.templates.insert(rel, (text, shown));
        }
        Ok(())
    }

    /// Compiles the templates. A syntax error names the file, line and column.
    pub fn tera(&self) -> Result<tera::Tera, SiteError> {
        let mut tera = tera::Tera::new();
        tera.set_escape_fn(super::escape::tera_escape);
        tera.register_filter("safe", safe_without_copy);
        tera.add_raw_templates(self.templates.iter().map(|(name, (text, _))| (name, text)))
            .map_err(|e| self.template_error(&e))?;
        for name in PAGE_TEMPLATES {
            if !tera.contains_template(name) {
                return Err(SiteError::Template(format!("template {name} is missing")));
            }
        }
        Ok(tera)
    }

    /// A Tera error as a message that names where the template came from.
    pub fn template_error(&self, err: &tera::Error) -> SiteError {
        let mut message = err.to_string();
        let mut source = std::error::Error::source(err);
        while let Some(inner) = source {
            message.push_str(&format!("\n  caused by: {inner}"));
            source = inner.source();
        }
        let origins: Vec<String> = self
            .templates
            .iter()
            .filter(|(name, (_, origin))| {
                message.contains(name.as_str()) && !origin.starts_with("built-in")
            })
            .map(|(name, (_, origin))| format!("{name} is {origin}"))
            .collect();
        if !origins.is_empty() {
            message.push_str(&format!("\n  note: {}", origins.join("; ")));
        }
        SiteError::Template(message)
    }
}

/// Tera's `safe` filter, without copying a string: the built-in one makes a new string of
/// the same text, which for `{{ content | safe }}` is a page's whole HTML once more; a string
/// is only marked safe here (its text is shared). Anything else becomes its text, marked
/// safe, as the built-in does.
fn safe_without_copy(value: &tera::Value, _: tera::Kwargs, _: &tera::State) -> tera::Value {
    if value.as_str().is_some() {
        value.clone().mark_safe()
    } else {
        tera::Value::safe_string(&format!("{value}"))
    }
}

/// Files under `dir`, as (`/`-separated relative path, path), sorted; hidden files skipped.
fn files_under(dir: &Path) -> Result<Vec<(String, PathBuf)>, SiteError> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .follow_links(true)
    {
        let entry =
            entry.map_err(|e| SiteError::Io(format!("cannot read {}: {e}", dir.display())))?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let parts = super::paths::safe_components(&rel.to_string_lossy());
        if parts.is_empty() || parts.iter().any(|p| p.starts_with('.')) {
            continue;
        }
        out.push((parts.join("/"), entry.path().to_owned()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// `safe` writes what Tera's own filter writes, for strings and any other value.
        #[test]
        fn safe_without_copy_writes_what_tera_safe_does(
            text in ".{0,30}|[<>&\"' a-z]{0,30}",
            number: i64,
            flag: bool,
            long in "[<a-z>]{22,60}",
        ) {
            let template = "{{ s | safe }}|{{ l | safe }}|{{ n | safe }}|{{ b | safe }}|\
                {{ list | safe }}|{{ map | safe }}|{{ none | safe }}|{{ s | safe | upper }}|\
                {{ s | safe(x=1) }}|{{ s }}|{{ l | safe | escape }}";
            let mut context = tera::Context::new();
            context.insert("s", &text);
            context.insert("l", &long);
            context.insert("n", &number);
            context.insert("b", &flag);
            context.insert("list", &vec![text.clone(), long.clone()]);
            context.insert("map", &std::collections::BTreeMap::from([("k", &text)]));
            context.insert("none", &Option::<String>::None);
            let render = |ours: bool| {
                let mut tera = tera::Tera::new();
                tera.set_escape_fn(super::super::escape::tera_escape);
                if ours {
                    tera.register_filter("safe", safe_without_copy);
                }
                tera.add_raw_template("t.html", template).unwrap();
                tera.render("t.html", &context).unwrap()
            };
            proptest::prop_assert_eq!(render(true), render(false));
        }
    }

    #[test]
    fn embedded_theme_compiles() {
        Theme::embedded().tera().unwrap();
    }

    #[test]
    fn a_bad_override_names_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("templates")).unwrap();
        std::fs::write(dir.path().join("templates/404.html"), "ok\n{% if %}\n").unwrap();
        let theme = Theme::load(dir.path(), "default").unwrap();
        let err = theme.tera().unwrap_err().to_string();
        assert!(err.contains("404.html:2"), "{err}");
        assert!(err.contains("templates/404.html"), "{err}");
    }
}
