//! `runbook lint`: rules over the parsed book. Each rule lives in its own file under `rules/`
//! and is listed once in `registry.rs`. A rule either reads one runbook at a time, or reads
//! what the whole book states (the facts index, the anchors of every runbook) through a
//! [`BookContext`]; both push [`Diagnostic`]s into a [`Sink`]. The engine then applies the
//! `[lint]` levels, ignores and inline suppressions, and sorts the findings. Nothing here
//! prints; the renderers live in `diag/`.
//!
//! The book is linted as a stream (see `pass.rs`): each runbook is parsed, checked by the
//! per-runbook rules, reduced to what the book-wide rules need, and dropped, so the model of
//! the whole book (about ten times its Markdown) is never in memory at once.

mod drift;
mod pass;
pub mod registry;
pub mod rules;
mod settings;
mod suppress;

pub use settings::Settings;

use crate::config::{Config, LoadedConfig};
use crate::diag::{Diagnostic, Location, Related, Severity};
use crate::facts::Facts;
use crate::model::Runbook;
use crate::source::{SourceFile, Span};
use crate::{LoadedBook, ReadBook};
use chrono::NaiveDate;
use rayon::prelude::*;
use registry::Check;
use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

/// What every rule sees.
pub struct Context<'a> {
    /// Every runbook's source, in book order (ignored files included, so links into them
    /// still resolve).
    pub sources: &'a [SourceFile],
    /// The book root: runbook paths are relative to it.
    pub root: &'a Path,
    /// `book.toml`.
    pub config: &'a Config,
    /// The date reviews are checked against.
    pub today: NaiveDate,
    /// `[lint] max_age`, in days.
    pub max_age_days: Option<i64>,
    /// Each runbook's position in book order, by path (the first wins if a path repeats).
    positions: HashMap<&'a str, usize>,
    /// Per runbook: linted (true) or ignored by `[lint] ignore`.
    include: Vec<bool>,
}

impl<'a> Context<'a> {
    /// What `[facts.services.NAME]` in `book.toml` declares for a service, if anything.
    pub fn declared(&self, service: &str) -> Option<&'a crate::config::ServiceFacts> {
        self.config.facts.services.get(service)
    }

    /// The position in book order of the runbook at `path` (relative to the book root).
    pub fn position(&self, path: &str) -> Option<usize> {
        self.positions.get(path).copied()
    }

    /// True when runbook `idx` is linted (not ignored by `[lint] ignore`).
    pub fn is_linted(&self, idx: usize) -> bool {
        self.include.get(idx).copied().unwrap_or(false)
    }

    /// A diagnostic of rule `code` at `span` of runbook `idx`, at the rule's default level.
    pub fn diag(
        &self,
        code: &'static str,
        idx: usize,
        span: Span,
        message: impl Into<String>,
    ) -> Diagnostic {
        let rule = registry::find(code).expect("rule codes come from the registry");
        let source = &self.sources[idx];
        let (end_line, end_column) = end_of(source, span);
        Diagnostic::new(
            rule.code,
            rule.name,
            rule.level,
            &source.path,
            span.line,
            span.column,
            message,
        )
        .with_end(end_line, end_column)
    }

    /// A related label at `span` of runbook `idx`.
    pub fn related(&self, idx: usize, span: Span, message: impl Into<String>) -> Related {
        let source = &self.sources[idx];
        let (end_line, end_column) = end_of(source, span);
        Related {
            location: Location {
                file: source.path.clone(),
                line: span.line,
                column: span.column,
            },
            end_column: if end_line == span.line { end_column } else { 0 },
            message: message.into(),
        }
    }
}

/// What a book-wide rule sees: the [`Context`], and what every runbook told the book once
/// it had been read.
pub struct BookContext<'a> {
    cx: &'a Context<'a>,
    /// What the linted runbooks state.
    pub facts: &'a Facts,
    /// Per runbook, in book order: the anchors it offers and its links to anchors.
    pub anchors: &'a [rules::broken_anchor::Anchors],
}

/// A book-wide rule uses the context like any rule (`cx.diag`, `cx.sources`...).
impl<'a> std::ops::Deref for BookContext<'a> {
    type Target = Context<'a>;
    fn deref(&self) -> &Context<'a> {
        self.cx
    }
}

/// Line and exclusive column where a span ends; a span running over several lines is cut at
/// the end of its first line, so carets stay on the line they point at.
fn end_of(source: &SourceFile, span: Span) -> (usize, usize) {
    let (line, column) = source.line_col(span.end);
    if line == span.line {
        return (
            line,
            column.max(span.column + usize::from(span.end > span.start)),
        );
    }
    let first = source.line_text(span.line).unwrap_or("");
    (span.line, first.chars().count() + 1)
}

/// Where rules put what they find.
#[derive(Debug, Default)]
pub struct Sink {
    /// Findings, in any order.
    pub diagnostics: Vec<Diagnostic>,
    /// Byte ranges of secrets, per file, to be masked in every output.
    pub redactions: Vec<(String, Range<usize>)>,
}

impl Sink {
    /// Adds a finding.
    pub fn push(&mut self, diag: Diagnostic) {
        self.diagnostics.push(diag);
    }
}

/// The outcome of linting one book.
#[derive(Debug, Default)]
pub struct LintReport {
    /// Findings, sorted by file, line, column and code; loader problems included.
    pub diagnostics: Vec<Diagnostic>,
    /// Byte ranges of secrets per file; renderers must not show these bytes.
    pub redactions: Vec<(String, Range<usize>)>,
    /// Number of runbooks linted.
    pub files: usize,
    /// Per file: its index in the sources and its redactions in order, so that `line_text`
    /// for tens of thousands of findings does not search both lists each time. Made by the
    /// first `line_text`: only frames need it, and JSON or GitHub output never asks.
    by_file: std::sync::OnceLock<FileIndex>,
}

/// Per file path: its index in the sources and its redactions in order.
type FileIndex = HashMap<String, (usize, Vec<Range<usize>>)>;

impl LintReport {
    /// The text of `line` in `file` with secrets masked, for frames. `sources` are those of
    /// the linted book.
    pub fn line_text(&self, sources: &[SourceFile], file: &str, line: usize) -> Option<String> {
        let indexed = self
            .by_file
            .get_or_init(|| by_file(sources, &self.redactions))
            .get(file)
            .filter(|(idx, _)| sources.get(*idx).is_some_and(|s| s.path == file));
        let (source, ranges): (_, Box<dyn Iterator<Item = &Range<usize>>>) = match indexed {
            Some((idx, ranges)) => (&sources[*idx], Box::new(ranges.iter())),
            // Not the book this report was made from: search.
            None => (
                sources.iter().find(|s| s.path == file)?,
                Box::new(
                    self.redactions
                        .iter()
                        .filter(|(f, _)| f == file)
                        .map(|(_, r)| r),
                ),
            ),
        };
        let start = source.line_start(line)?;
        let text = source.line_text(line)?;
        let mut out = text.to_owned();
        for range in ranges {
            let from = range.start.max(start) - start;
            let to = range.end.min(start + text.len()).saturating_sub(start);
            if from < to && out.is_char_boundary(from) && out.is_char_boundary(to) {
                // Same length, so carets after the secret still line up.
                let stars = "*".repeat(out[from..to].chars().count());
                out.replace_range(from..to, &stars);
            }
        }
        Some(out)
    }

    /// Counts by severity: (errors, warnings, infos).
    pub fn counts(&self) -> (usize, usize, usize) {
        count(&self.diagnostics)
    }
}

/// Counts by severity: (errors, warnings, infos).
pub fn count(diags: &[Diagnostic]) -> (usize, usize, usize) {
    diags
        .iter()
        .fold((0, 0, 0), |(e, w, i), d| match d.severity {
            Severity::Error => (e + 1, w, i),
            Severity::Warning => (e, w + 1, i),
            Severity::Info => (e, w, i + 1),
        })
}

/// Lints a loaded book (`lint --watch` keeps the model between saves). A bad `[lint]` or
/// `[facts]` section is the error.
pub fn lint(loaded: &LoadedBook, today: NaiveDate) -> Result<LintReport, Diagnostic> {
    let runbooks = &loaded.book.runbooks;
    lint_book(
        &loaded.config,
        &loaded.sources,
        &loaded.book.diagnostics,
        |idx| Cow::Borrowed(&runbooks[idx]),
        today,
    )
}

/// Lints a book read but not parsed: each runbook is parsed just before it is checked and
/// dropped right after. Same report as [`lint`] on the loaded book, in a fraction of the
/// memory. A bad `[lint]` or `[facts]` section is the error.
pub fn lint_sources(book: &ReadBook, today: NaiveDate) -> Result<LintReport, Diagnostic> {
    lint_book(
        &book.config,
        &book.sources,
        &book.diagnostics,
        |idx| Cow::Owned(crate::parse::parse_runbook(&book.sources[idx])),
        today,
    )
}

/// The lint of a book whose runbook `idx` (in the order of `sources`) is `runbook(idx)`;
/// `problems` are the loader's findings not tied to one runbook.
fn lint_book<'r>(
    config: &LoadedConfig,
    sources: &[SourceFile],
    problems: &[Diagnostic],
    runbook: impl Fn(usize) -> Cow<'r, Runbook> + Sync,
    today: NaiveDate,
) -> Result<LintReport, Diagnostic> {
    let shown = config
        .file
        .as_ref()
        .map_or_else(|| "book.toml".to_owned(), |p| p.display().to_string());
    let settings = Settings::from_config(&config.config, &shown)?;
    let cx = Context {
        sources,
        root: &config.root,
        config: &config.config,
        today,
        max_age_days: settings.max_age_days,
        positions: sources
            .iter()
            .enumerate()
            .rev()
            .map(|(idx, s)| (s.path.as_str(), idx))
            .collect(),
        include: sources
            .iter()
            .map(|s| !settings.is_ignored(&s.path))
            .collect(),
    };
    let per_runbook: Vec<_> = registry::RULES
        .iter()
        .filter(|rule| settings.level(rule).is_some())
        .filter_map(|rule| match rule.check {
            Check::Runbook(check) => Some(check),
            _ => None,
        })
        .collect();
    let passes: Vec<pass::Pass> = (0..sources.len())
        .into_par_iter()
        .map(|idx| pass::Pass::run(&cx, idx, &runbook(idx), &per_runbook))
        .collect();
    let gathered = pass::Gathered::from_passes(problems, passes);
    let book = BookContext {
        cx: &cx,
        facts: &gathered.facts,
        anchors: &gathered.anchors,
    };
    // The book-wide rules run side by side; their sinks are joined in registry order, so the
    // result is the same as one rule after another.
    let sinks: Vec<Sink> = registry::RULES
        .par_iter()
        .filter(|rule| settings.level(rule).is_some())
        .filter_map(|rule| match rule.check {
            Check::Book(check) => {
                let mut sink = Sink::default();
                check(&book, &mut sink);
                Some(sink)
            }
            _ => None,
        })
        .collect();
    let mut all_sinks = gathered.sinks;
    all_sinks.extend(sinks);
    Ok(report(
        &cx,
        &settings,
        gathered.problems,
        all_sinks,
        &gathered.suppressions,
    ))
}

/// The report: loader problems and the findings of `sinks` (in that order) at their `[lint]`
/// levels, less what is ignored or suppressed inline, sorted and without duplicates.
fn report(
    cx: &Context<'_>,
    settings: &Settings,
    problems: Vec<Diagnostic>,
    sinks: Vec<Sink>,
    suppressions: &[suppress::Suppressions],
) -> LintReport {
    // Sized for everything up front, and filled once from every sink: growing a list of
    // tens of thousands of findings, or joining the sinks first, copied it again on the
    // main thread, into fresh memory, while the other cores waited.
    let findings: usize = sinks.iter().map(|s| s.diagnostics.len()).sum();
    let mut diagnostics: Vec<Diagnostic> = Vec::with_capacity(problems.len() + findings);
    diagnostics.extend(
        problems
            .into_iter()
            .filter(|d| !settings.is_ignored(&d.location.file)),
    );
    let mut redactions = Vec::with_capacity(sinks.iter().map(|s| s.redactions.len()).sum());
    for sink in sinks {
        for mut diag in sink.diagnostics {
            let rule = registry::find(diag.code).expect("registered");
            let Some(level) = settings.level(rule) else {
                continue;
            };
            diag.severity = level;
            diagnostics.push(diag);
        }
        redactions.extend(sink.redactions);
    }
    diagnostics.retain(|d| {
        let Some(idx) = cx.position(&d.location.file) else {
            return true;
        };
        !suppressions[idx].allows(d.code, d.rule, d.location.line)
    });
    // A stable sort, like `sort_by`: findings that compare equal keep the order above, which
    // for any one rule and file is the order the rule found them in.
    diagnostics.par_sort_by(|a, b| {
        (
            &a.location.file,
            a.location.line,
            a.location.column,
            a.code,
            &a.message,
        )
            .cmp(&(
                &b.location.file,
                b.location.line,
                b.location.column,
                b.code,
                &b.message,
            ))
    });
    diagnostics.dedup();
    LintReport {
        diagnostics,
        redactions,
        files: cx.include.iter().filter(|i| **i).count(),
        by_file: std::sync::OnceLock::new(),
    }
}

/// Per file of `sources` (the first of a repeated path): its index and its `redactions`.
fn by_file(sources: &[SourceFile], redactions: &[(String, Range<usize>)]) -> FileIndex {
    let mut by_file = FileIndex::new();
    for (idx, source) in sources.iter().enumerate() {
        by_file
            .entry(source.path.clone())
            .or_insert((idx, Vec::new()));
    }
    for (file, range) in redactions {
        if let Some((_, ranges)) = by_file.get_mut(file) {
            ranges.push(range.clone());
        }
    }
    by_file
}

/// Today's date from the system clock (UTC).
pub fn system_today() -> NaiveDate {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|epoch| epoch.checked_add_signed(chrono::TimeDelta::days(days)))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    const TODAY: &str = "2026-11-01";

    /// A book that exercises everything the streamed lint takes out of a runbook before it
    /// drops it: ignored files that links point into, anchors across files (headings, step
    /// ids, HTML ids), suppressions, secrets, loader problems, and facts that only resolve
    /// against the whole book (pod names, the subject of `Port:` metadata, severity tables).
    fn write_book(dir: &Path) {
        let files: &[(&str, &str)] = &[
            (
                "book.toml",
                "[book]\nsrc = \".\"\n\n[lint]\nignore = [\"drafts/\"]\nmax_age = \"90d\"\n",
            ),
            (
                "index.md",
                "# Index\n\n## Severity Levels\n\n| Level | Response Time |\n|---|---|\n| P1 | 15 minutes |\n| P2 | 1 hour |\n\n\
                 See [levels](#severity-levels), [bad](#severity-level), [restart](ops/restart.md#rolling-restart),\n\
                 [gone](ops/restart.md#emergency), [draft](drafts/plan.md#the-plan), [draft bad](drafts/plan.md#no-plan)\n\
                 and [html](ops/restart.md#custom-id).\n",
            ),
            (
                "ops/restart.md",
                "# Restart ledger-api\n\n**Last Updated:** 2024-01-02\n**Port:** 8081\n\n## Rolling restart\n\n<a id=\"custom-id\"></a>\n\n\
                 1. Restart it:\n\n```bash\nkubectl rollout restart deployment/ledger-api -n ledger\nkubectl logs ledger-api-7d9c6b8f54-2kqzt\ncurl http://ledger-api:8080/health\n```\n\n\
                 <!-- runbook-lint allow broken-link -->\n- [gone](gone.md)\n\n- [still reported](reported.md)\n",
            ),
            (
                "ops/debug.md",
                "# Debug ledger-api\n\n| Level | Response Time |\n|---|---|\n| P1 | 30 minutes |\n\n\
                 ```bash\ncurl http://ledger-api:8080/metrics\ncurl http://ledger-api:8080/ready\nkubectl get pods -n ledgr -l app=ledger-api\n\
                 curl -H \"Authorization: Bearer 8fK2mQ9xLr4vT7wZ3pN6sB1yH5cJ0dGe\" https://api.example.com/v1/health\nrm -rf /var/lib/ledger\n\
                 echo \"unclosed\n```\n\nConnection: `postgres://ops:Zq7Rw2Lp9Xk4Vb8Nm3@pg.finance.internal/ledger`\n\n```bash\npsql -h <DB_HOST> -d ledger\n",
            ),
            (
                "drafts/plan.md",
                "# The plan\n\n[broken but ignored](nowhere.md)\n\n```bash\ncurl http://ledger-api:9999/health\n```\n",
            ),
            ("empty.md", ""),
        ];
        for (path, text) in files {
            let path = dir.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
    }

    #[test]
    fn streamed_lint_reports_what_the_loaded_lint_reports() {
        let dir = tempfile::tempdir().unwrap();
        write_book(dir.path());
        let today = NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap();
        let loaded = crate::load(dir.path()).unwrap();
        let whole = lint(&loaded, today).unwrap();
        let read = crate::read_book(dir.path()).unwrap();
        let streamed = lint_sources(&read, today).unwrap();

        // The fixture must reach every part of the stream, or the comparison proves little.
        let codes: BTreeSet<&str> = whole.diagnostics.iter().map(|d| d.code).collect();
        for code in [
            "RB003", "RB101", "RB102", "RB105", "RB111", "RB112", "RB113", "RB117",
        ] {
            assert!(
                codes.contains(code),
                "no {code} in {:#?}",
                whole.diagnostics
            );
        }
        assert!(!whole.redactions.is_empty());
        let anchors: Vec<&str> = whole
            .diagnostics
            .iter()
            .filter(|d| d.code == "RB112")
            .map(|d| d.message.as_str())
            .collect();
        assert_eq!(
            anchors,
            [
                "no heading or step `#severity-level` in this page",
                "no heading or step `#emergency` in `ops/restart.md`",
                "no heading or step `#no-plan` in `drafts/plan.md`",
            ]
        );
        assert!(
            whole
                .diagnostics
                .iter()
                .all(|d| !d.location.file.starts_with("drafts/")),
            "ignored files are not reported"
        );
        assert!(
            !whole
                .diagnostics
                .iter()
                .any(|d| d.message.contains("gone.md")),
            "suppressed"
        );

        assert_eq!(streamed.diagnostics, whole.diagnostics);
        assert_eq!(streamed.redactions, whole.redactions);
        assert_eq!(streamed.files, whole.files);
        assert_eq!(whole.files, 4);
        for d in &whole.diagnostics {
            let (file, line) = (&d.location.file, d.location.line);
            assert_eq!(
                streamed.line_text(&read.sources, file, line),
                whole.line_text(&loaded.sources, file, line)
            );
        }
        let secret = whole
            .diagnostics
            .iter()
            .find(|d| d.code == "RB117")
            .unwrap();
        let shown = streamed
            .line_text(&read.sources, &secret.location.file, secret.location.line)
            .unwrap();
        assert!(
            shown.contains("****") && !shown.contains("8fK2mQ9x"),
            "{shown}"
        );
    }
}
