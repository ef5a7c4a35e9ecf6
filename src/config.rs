//! `book.toml` → typed `Config`. Unknown keys are errors that name the key, the file and the
//! line, so a typo such as `[buld]` cannot silently fall back to a default.

use crate::diag::{Diagnostic, Severity, codes};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The whole of `book.toml`. Every section is optional.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// `[book]`: what the book is and where its Markdown lives.
    pub book: BookConfig,
    /// `[build]`: where output goes.
    pub build: BuildConfig,
    /// `[site]`: the static site.
    pub site: SiteConfig,
    /// `[plan]`: generated scripts and JSON plans.
    pub plan: PlanConfig,
    /// `[lint]`: rule levels and ignores.
    pub lint: LintConfig,
    /// `[facts]`: canonical values the linter checks runbooks against.
    pub facts: FactsConfig,
}

/// `[book]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct BookConfig {
    /// Book title; defaults to the folder name.
    pub title: Option<String>,
    /// One-line description.
    pub description: Option<String>,
    /// Folder of Markdown, relative to `book.toml`.
    pub src: PathBuf,
}

impl Default for BookConfig {
    fn default() -> Self {
        Self {
            title: None,
            description: None,
            src: PathBuf::from("content"),
        }
    }
}

/// `[build]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct BuildConfig {
    /// Output folder for the site, relative to `book.toml`.
    pub output: PathBuf,
}

impl Default for BuildConfig {
    fn default() -> Self {
        Self {
            output: PathBuf::from("site"),
        }
    }
}

/// `[site]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SiteConfig {
    /// Theme folder name under `themes/`.
    pub theme: String,
    /// Pass raw HTML through a sanitizer instead of escaping it.
    pub allow_html: bool,
    /// Where the site is published (`https://ops.example.com/runbooks/` or `/runbooks/`):
    /// the 404 page then links to the site by absolute paths under it.
    #[serde(deserialize_with = "de_site_url")]
    pub url: Option<String>,
    /// Target size in bytes of one search index file; a larger index is split.
    #[serde(deserialize_with = "de_shard_size")]
    pub search_shard_size: usize,
}

/// Default `[site] search_shard_size`.
pub const DEFAULT_SEARCH_SHARD_SIZE: usize = 64 * 1024;

/// The path part of `[site] url`, ending in `/`: `https://ops.example.com/runbooks` →
/// `/runbooks/`. Refused: anything but an `http(s)://host/...` address or a path starting
/// with one `/`; quotes, angle brackets, backslashes, whitespace, `?` and `#`.
pub fn site_base_path(url: &str) -> Result<String, String> {
    if url.is_empty() {
        return Err("the site address is empty".to_owned());
    }
    if url.chars().any(|c| {
        c.is_whitespace()
            || c.is_control()
            || matches!(c, '"' | '\'' | '<' | '>' | '\\' | '`' | '?' | '#')
    }) {
        return Err(format!(
            "{url:?} has a character not allowed here (spaces, quotes, <, >, \\, `, ?, #)"
        ));
    }
    let path = if let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    {
        let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        if host.is_empty() {
            return Err(format!("{url:?} has no host name"));
        }
        if path.is_empty() { "/" } else { path }
    } else if url.starts_with('/') && !url.starts_with("//") {
        url
    } else {
        return Err(format!(
            "{url:?} is neither an http(s):// address nor a path starting with /"
        ));
    };
    if path.split('/').any(|part| part == "." || part == "..") {
        return Err(format!("{url:?} has a . or .. folder"));
    }
    let mut path = path.to_owned();
    if !path.ends_with('/') {
        path.push('/');
    }
    Ok(path)
}

fn de_site_url<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let url = String::deserialize(d)?;
    site_base_path(&url).map_err(serde::de::Error::custom)?;
    Ok(Some(url))
}

fn de_shard_size<'de, D: serde::Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    let size = usize::deserialize(d)?;
    if size < 1024 {
        return Err(serde::de::Error::custom(format!(
            "search_shard_size = {size} is too small: give at least 1024 (bytes)"
        )));
    }
    Ok(size)
}

impl Default for SiteConfig {
    fn default() -> Self {
        Self {
            theme: "default".into(),
            allow_html: false,
            url: None,
            search_shard_size: DEFAULT_SEARCH_SHARD_SIZE,
        }
    }
}

/// `[plan]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct PlanConfig {
    /// Interpreter named in the generated script's `#!` line.
    pub shell: String,
    /// Risks that need a confirmation before running: any of `read-only`, `mutating`, `destructive`.
    pub confirm: Vec<String>,
    /// Default per-step timeout, such as `10m`; none when absent.
    pub timeout: Option<String>,
}

impl Default for PlanConfig {
    fn default() -> Self {
        Self {
            shell: "bash".into(),
            confirm: vec!["destructive".into()],
            timeout: None,
        }
    }
}

/// `[lint]`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct LintConfig {
    /// Rule name or code → `error`, `warning`, `info` or `off`.
    pub rules: BTreeMap<String, String>,
    /// Glob patterns of files not linted.
    pub ignore: Vec<String>,
    /// Oldest acceptable `Last Updated`, such as `180d`.
    pub max_age: Option<String>,
}

/// `[facts]`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct FactsConfig {
    /// Canonical facts per service name.
    pub services: BTreeMap<String, ServiceFacts>,
    /// `[facts.severity]`: canonical response time per severity level (`P1 = "15 minutes"`).
    pub severity: BTreeMap<String, String>,
    /// Canonical Docker Compose spelling: `docker compose` or `docker-compose`.
    pub compose: Option<String>,
}

/// `[facts.services.NAME]`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServiceFacts {
    /// Port the service listens on.
    pub port: Option<u16>,
    /// Kubernetes namespace.
    pub namespace: Option<String>,
    /// Database name.
    pub database: Option<String>,
    /// Container image (registry/name).
    pub image: Option<String>,
    /// Host names the service runs on or answers at (`notify-01.ops.example`); a stated host
    /// that looks like a misspelling of one of these is reported whatever the majority says.
    pub hosts: Vec<String>,
}

/// A loaded config with where it came from.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    /// The parsed config (defaults when there is no file).
    pub config: Config,
    /// The folder that holds `book.toml` (or the folder given, when there is none).
    pub root: PathBuf,
    /// Path of `book.toml`, when one was found.
    pub file: Option<PathBuf>,
}

/// Reads `book.toml` in `root`, if there is one. A bad file is a located diagnostic.
pub fn load(root: &Path) -> Result<LoadedConfig, Diagnostic> {
    let path = root.join("book.toml");
    let shown = path.display().to_string();
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Ok(LoadedConfig {
                config: Config::default(),
                root: root.to_owned(),
                file: None,
            });
        }
        Err(err) => {
            return Err(Diagnostic::new(
                codes::IO_ERROR.0,
                codes::IO_ERROR.1,
                Severity::Error,
                shown,
                0,
                0,
                format!("cannot read book.toml: {err}"),
            )
            .with_help("check the file's permissions"));
        }
    };
    let config = parse(&text, &shown)?;
    Ok(LoadedConfig {
        config,
        root: root.to_owned(),
        file: Some(path),
    })
}

/// Parses `book.toml` text; `shown` names the file in errors.
pub fn parse(text: &str, shown: &str) -> Result<Config, Diagnostic> {
    toml::from_str::<Config>(text).map_err(|err| {
        let (line, column) = err.span().map_or((1, 1), |span| {
            let before = &text[..span.start.min(text.len())];
            (before.matches('\n').count() + 1, before.rsplit('\n').next().map_or(1, |l| l.chars().count() + 1))
        });
        Diagnostic::new(codes::BAD_CONFIG.0, codes::BAD_CONFIG.1, Severity::Error, shown, line, column, format!("invalid book.toml: {}", err.message()))
            .with_help("known sections: [book] title, description, src; [build] output; [site] theme, allow_html, url, search_shard_size; [plan] shell, confirm, timeout; [lint] rules, ignore, max_age; [facts] compose; [facts.severity] LEVEL; [facts.services.NAME] port, namespace, database, image, hosts")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_without_keys() {
        let config = parse("", "book.toml").unwrap();
        assert_eq!(config.book.src, PathBuf::from("content"));
        assert_eq!(config.build.output, PathBuf::from("site"));
    }

    #[test]
    fn unknown_key_names_key_and_line() {
        let err = parse(
            "[book]\ntitle = \"x\"\n\n[build]\noutptu = \"out\"\n",
            "book.toml",
        )
        .unwrap_err();
        assert_eq!((err.location.line, err.location.column), (5, 1));
        assert!(
            err.message.contains("unknown field `outptu`"),
            "{}",
            err.message
        );
        let err = parse("[buld]\n", "book.toml").unwrap_err();
        assert!(
            err.message.contains("unknown field `buld`"),
            "{}",
            err.message
        );
    }

    #[test]
    fn site_url_is_checked_where_it_is_written() {
        let config = parse(
            "[site]\nurl = \"https://ops.example.com/runbooks\"\n",
            "book.toml",
        )
        .unwrap();
        assert_eq!(
            config.site.url.as_deref(),
            Some("https://ops.example.com/runbooks")
        );
        assert_eq!(
            site_base_path("https://ops.example.com/runbooks").unwrap(),
            "/runbooks/"
        );
        assert_eq!(site_base_path("http://ops.example.com").unwrap(), "/");
        assert_eq!(site_base_path("/a/b/").unwrap(), "/a/b/");
        for bad in [
            "ftp://x/",
            "runbooks/",
            "//evil.example/",
            "https:///x",
            "/a\"><script>",
            "/a/../b",
            "",
        ] {
            assert!(site_base_path(bad).is_err(), "{bad}");
        }
        let err = parse("[site]\ntheme = \"default\"\nurl = \"ops/\"\n", "book.toml").unwrap_err();
        assert_eq!(err.location.line, 3, "{}", err.message);
        assert!(
            err.message.contains("neither an http(s)"),
            "{}",
            err.message
        );
        let err = parse("[site]\nsearch_shard_size = 10\n", "book.toml").unwrap_err();
        assert!(err.message.contains("too small"), "{}", err.message);
    }

    #[test]
    fn facts_services() {
        let config = parse(
            "[facts.services.ticket-service]\nport = 3004\nnamespace = \"production\"\nhosts = [\"tickets-01.ops.example\"]\n",
            "book.toml",
        )
        .unwrap();
        assert_eq!(config.facts.services["ticket-service"].port, Some(3004));
        assert_eq!(
            config.facts.services["ticket-service"].hosts,
            ["tickets-01.ops.example"]
        );
    }

    #[test]
    fn facts_severity_and_compose() {
        let config = parse(
            "[facts]\ncompose = \"docker compose\"\n\n[facts.severity]\nP1 = \"15 minutes\"\n",
            "book.toml",
        )
        .unwrap();
        assert_eq!(config.facts.compose.as_deref(), Some("docker compose"));
        assert_eq!(config.facts.severity["P1"], "15 minutes");
        let err = parse("[facts.severity.P1]\nresponse = 1\n", "book.toml").unwrap_err();
        assert!(err.message.contains("invalid type"), "{}", err.message);
    }

    #[test]
    fn lint_rules_table() {
        let config = parse(
            "[lint]\nignore = [\"drafts/**\"]\nmax_age = \"180d\"\n\n[lint.rules]\nport-drift = \"warning\"\nRB116 = \"off\"\n",
            "book.toml",
        )
        .unwrap();
        assert_eq!(config.lint.rules["port-drift"], "warning");
        assert_eq!(config.lint.max_age.as_deref(), Some("180d"));
    }
}
