//! `runbook lint`: rules over the parsed book. Each rule lives in its own file under `rules/`
//! and is listed once in `registry.rs`; a rule reads the model and the facts index through a
//! [`Context`] and pushes [`Diagnostic`]s into a [`Sink`]. The engine then applies the
//! `[lint]` levels, ignores and inline suppressions, and sorts the findings. Nothing here
//! prints; the renderers live in `diag/`.

mod drift;
pub mod registry;
pub mod rules;
mod settings;
mod suppress;

pub use settings::Settings;

use crate::LoadedBook;
use crate::config::Config;
use crate::diag::{Diagnostic, Location, Related, Severity};
use crate::facts::{self, Facts};
use crate::model::{Book, Runbook};
use crate::source::{SourceFile, Span};
use chrono::NaiveDate;
use rayon::prelude::*;
use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

/// What a rule sees.
pub struct Context<'a> {
    /// The whole book (ignored files included, so links into them still resolve).
    pub book: &'a Book,
    /// Sources, in the order of `book.runbooks`.
    pub sources: &'a [SourceFile],
    /// The book root: runbook paths are relative to it.
    pub root: &'a Path,
    /// `book.toml`.
    pub config: &'a Config,
    /// What the linted runbooks state.
    pub facts: &'a Facts,
    /// The date reviews are checked against.
    pub today: NaiveDate,
    /// `[lint] max_age`, in days.
    pub max_age_days: Option<i64>,
    include: Vec<bool>,
}

impl<'a> Context<'a> {
    /// What `[facts.services.NAME]` in `book.toml` declares for a service, if anything.
    pub fn declared(&self, service: &str) -> Option<&'a crate::config::ServiceFacts> {
        self.config.facts.services.get(service)
    }

    /// The linted runbooks (ignored ones left out) with their index and source.
    pub fn runbooks(&self) -> impl Iterator<Item = (usize, &'a Runbook, &'a SourceFile)> + '_ {
        self.book
            .runbooks
            .iter()
            .zip(self.sources)
            .enumerate()
            .filter(|(i, _)| self.include[*i])
            .map(|(i, (r, s))| (i, r, s))
    }

    /// Runs `check` on every linted runbook, on all cores, each with a sink of its own; the
    /// findings and redactions land in `sink` in book order, as a plain loop would leave them.
    pub fn each_runbook<F>(&self, sink: &mut Sink, check: F)
    where
        F: Fn(usize, &'a Runbook, &'a SourceFile, &mut Sink) + Sync,
    {
        let runbooks: Vec<_> = self.runbooks().collect();
        let sinks: Vec<Sink> = runbooks
            .into_par_iter()
            .map(|(idx, runbook, source)| {
                let mut own = Sink::default();
                check(idx, runbook, source, &mut own);
                own
            })
            .collect();
        for own in sinks {
            sink.append(own);
        }
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
            &self.book.runbooks[idx].path,
            span.line,
            span.column,
            message,
        )
        .with_end(end_line, end_column)
    }

    /// A related label at `span` of runbook `idx`.
    pub fn related(&self, idx: usize, span: Span, message: impl Into<String>) -> Related {
        let (end_line, end_column) = end_of(&self.sources[idx], span);
        Related {
            location: Location {
                file: self.book.runbooks[idx].path.clone(),
                line: span.line,
                column: span.column,
            },
            end_column: if end_line == span.line { end_column } else { 0 },
            message: message.into(),
        }
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

    /// Moves everything `other` holds to the end of this sink.
    pub fn append(&mut self, mut other: Sink) {
        self.diagnostics.append(&mut other.diagnostics);
        self.redactions.append(&mut other.redactions);
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
    /// Per file: its index in `LoadedBook::sources` and its redactions in order, so that
    /// `line_text` for tens of thousands of findings does not search both lists each time.
    by_file: HashMap<String, (usize, Vec<Range<usize>>)>,
}

impl LintReport {
    /// The text of `line` in `file` with secrets masked, for frames.
    pub fn line_text(&self, loaded: &LoadedBook, file: &str, line: usize) -> Option<String> {
        let indexed = self
            .by_file
            .get(file)
            .filter(|(idx, _)| loaded.sources.get(*idx).is_some_and(|s| s.path == file));
        let (source, ranges): (_, Box<dyn Iterator<Item = &Range<usize>>>) = match indexed {
            Some((idx, ranges)) => (&loaded.sources[*idx], Box::new(ranges.iter())),
            // Not the book this report was made from: search.
            None => (
                loaded.sources.iter().find(|s| s.path == file)?,
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

/// Lints a loaded book. A bad `[lint]` or `[facts]` section is the error.
pub fn lint(loaded: &LoadedBook, today: NaiveDate) -> Result<LintReport, Diagnostic> {
    let config = &loaded.config.config;
    let shown = loaded
        .config
        .file
        .as_ref()
        .map_or_else(|| "book.toml".to_owned(), |p| p.display().to_string());
    let settings = Settings::from_config(config, &shown)?;
    let book = &loaded.book;
    let include: Vec<bool> = book
        .runbooks
        .iter()
        .map(|r| !settings.is_ignored(&r.path))
        .collect();
    let facts = facts::build(book, &loaded.sources, &include);
    let cx = Context {
        book,
        sources: &loaded.sources,
        root: &loaded.config.root,
        config,
        facts: &facts,
        today,
        max_age_days: settings.max_age_days,
        include,
    };
    // The rules run side by side (and most also spread their runbooks over the cores); their
    // sinks are joined in registry order, so the result is the same as one rule after another.
    let sinks: Vec<Sink> = registry::RULES
        .par_iter()
        .filter(|rule| rule.check.is_some() && settings.level(rule).is_some())
        .map(|rule| {
            let mut sink = Sink::default();
            if let Some(check) = rule.check {
                check(&cx, &mut sink);
            }
            sink
        })
        .collect();
    let mut sink = Sink::default();
    for one in sinks {
        sink.append(one);
    }
    let suppressions: Vec<suppress::Suppressions> = loaded
        .sources
        .par_iter()
        .map(|s| suppress::Suppressions::parse(&s.text))
        .collect();
    let position = book.positions();
    let mut diagnostics: Vec<Diagnostic> = book
        .all_diagnostics()
        .filter(|d| !settings.is_ignored(&d.location.file))
        .cloned()
        .collect();
    for mut diag in sink.diagnostics {
        let rule = registry::find(diag.code).expect("registered");
        let Some(level) = settings.level(rule) else {
            continue;
        };
        diag.severity = level;
        diagnostics.push(diag);
    }
    diagnostics.retain(|d| {
        let Some(&idx) = position.get(d.location.file.as_str()) else {
            return true;
        };
        !suppressions[idx].allows(d.code, d.rule, d.location.line)
    });
    // A stable sort, like `sort_by`: findings that compare equal keep the order above.
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
    let mut by_file: HashMap<String, (usize, Vec<Range<usize>>)> = HashMap::new();
    for (idx, source) in loaded.sources.iter().enumerate() {
        by_file
            .entry(source.path.clone())
            .or_insert((idx, Vec::new()));
    }
    for (file, range) in &sink.redactions {
        if let Some((_, ranges)) = by_file.get_mut(file) {
            ranges.push(range.clone());
        }
    }
    Ok(LintReport {
        diagnostics,
        redactions: sink.redactions,
        files: cx.include.iter().filter(|i| **i).count(),
        by_file,
    })
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
