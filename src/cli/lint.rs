//! `runbook lint`: runs the lint rules over one or more books (or folders, or files) and
//! prints the findings as human frames, JSON, SARIF or GitHub annotations. Exit code: 0
//! clean, 1 findings at error level (or any finding with `--deny warnings`), 2 usage or I/O
//! error.

use super::{exit, output};
use crate::diag::{Diagnostic, Severity, github, human, json, pretty::Printed, sarif};
use crate::lint::{self, LintReport, registry};
use crate::source::SourceFile;
use crate::{LoadedBook, ReadBook};
use chrono::NaiveDate;
use clap::{Args, ValueEnum};
use rayon::prelude::*;
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};

/// Arguments of `runbook lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Files or folders to lint (a folder with book.toml uses its config).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = LintFormat::Human)]
    pub format: LintFormat,
    /// Also fail (exit 1) on findings of this level.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub deny: Option<DenyLevel>,
    /// Print the documentation of a rule (code or name) and exit.
    #[arg(long, value_name = "CODE")]
    pub explain: Option<String>,
    /// The date review dates are checked against (default: today, UTC).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    pub today: Option<NaiveDate>,
    /// Keep running: re-lint on every change and print only what changed since the last run.
    #[arg(long)]
    pub watch: bool,
}

/// Output formats of `lint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    /// rustc-style frames with source excerpts and a summary line.
    Human,
    /// `{"diagnostics": [...], "summary": {...}}`.
    Json,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
    /// GitHub Actions workflow annotations.
    Github,
}

/// Levels `--deny` can add to the failing set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DenyLevel {
    /// Warnings fail the run too.
    Warnings,
    /// Warnings and infos fail the run.
    Infos,
}

fn parse_day(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|e| format!("expected YYYY-MM-DD: {e}"))
}

/// One linted book.
struct Linted {
    /// The book as read: the sources give the lines of frames. It is never parsed as a whole
    /// (see `lint::lint_sources`).
    book: ReadBook,
    report: LintReport,
    /// Book-root paths → paths relative to the working directory.
    prefix: String,
}

pub fn run(args: LintArgs) -> u8 {
    if let Some(code) = &args.explain {
        return explain(code);
    }
    let today = args.today.unwrap_or_else(lint::system_today);
    if args.watch {
        return watch(&args, today);
    }
    let mut books = Vec::new();
    for path in &args.paths {
        let book = match crate::read_book(path) {
            Ok(book) => book,
            Err(diag) => {
                output::diagnostics(None, std::iter::once(&diag));
                return exit::ERROR;
            }
        };
        let report = match lint::lint_sources(&book, today) {
            Ok(report) => report,
            Err(diag) => {
                output::diagnostics(None, std::iter::once(&diag));
                return exit::ERROR;
            }
        };
        let prefix = repo_prefix(&book.config.root);
        books.push(Linted {
            book,
            report,
            prefix,
        });
    }
    let text = match args.format {
        LintFormat::Human => {
            human_output(books.iter().map(|b| (b.book.sources.as_slice(), &b.report))).into()
        }
        LintFormat::Json => {
            let all: Vec<&Diagnostic> = books.iter().flat_map(|b| &b.report.diagnostics).collect();
            let files = books.iter().map(|b| b.report.files).sum();
            json::render_pretty(&all, files)
        }
        LintFormat::Github => books
            .iter()
            .map(|b| github::render(&b.report.diagnostics, &b.prefix))
            .collect::<String>()
            .into(),
        LintFormat::Sarif => sarif_output(&books),
    };
    if let Err(err) = output::stdout_printed(&text) {
        output::error_line(&format!("cannot write output: {err}"));
        return exit::ERROR;
    }
    let all = || books.iter().flat_map(|b| b.report.diagnostics.iter());
    if all().any(|d| d.code == "RB001" || d.code == "RB006") {
        return exit::ERROR;
    }
    let fails = |s: Severity| match args.deny {
        None => s == Severity::Error,
        Some(DenyLevel::Warnings) => s <= Severity::Warning,
        Some(DenyLevel::Infos) => true,
    };
    let code = if all().any(|d| fails(d.severity)) {
        exit::FINDINGS
    } else {
        exit::OK
    };
    // The process ends right after this returns: freeing the sources and findings of 10,000
    // runbooks one allocation at a time would only delay the exit, so the OS takes the
    // memory back instead.
    std::mem::forget(books);
    code
}

/// A finding's identity across runs: same rule, place and message.
type FindingKey = (String, String, usize, usize, String);

fn key(diag: &Diagnostic) -> FindingKey {
    let loc = &diag.location;
    (
        diag.code.to_owned(),
        loc.file.clone(),
        loc.line,
        loc.column,
        diag.message.clone(),
    )
}

/// `lint --watch`: the full report once, then after every change only the findings that
/// appeared (as frames) and those that went away (one line each). Runs until Ctrl-C.
fn watch(args: &LintArgs, today: NaiveDate) -> u8 {
    if args.paths.len() != 1 || args.format != LintFormat::Human {
        output::error_line("--watch takes one book folder and prints human output");
        return exit::ERROR;
    }
    let mut loaded = match crate::load(&args.paths[0]) {
        Ok(loaded) => loaded,
        Err(diag) => {
            output::diagnostics(None, std::iter::once(&diag));
            return exit::ERROR;
        }
    };
    let output_dir = loaded.config.root.join(&loaded.config.config.build.output);
    let (_watcher, changes) = match crate::serve::watch(&loaded.watched_paths(), &output_dir) {
        Ok(watch) => watch,
        Err(err) => {
            output::error_line(&format!("{err:#}"));
            return exit::ERROR;
        }
    };
    let mut previous: Vec<Diagnostic> = Vec::new();
    let mut first = true;
    loop {
        match lint::lint(&loaded, today) {
            Ok(report) => {
                let text = if first {
                    let text = human_output([(loaded.sources.as_slice(), &report)]);
                    previous = report.diagnostics;
                    text
                } else {
                    let text = changes_text(&loaded, &report, &previous);
                    previous = report.diagnostics;
                    text
                };
                first = false;
                let _ = output::stdout(&text);
            }
            Err(diag) => output::diagnostics(None, std::iter::once(&diag)),
        }
        let _ = output::stdout("watching for changes (Ctrl-C to stop)\n");
        // Wait for a change, then take everything that arrived in the meantime.
        let Ok(mut changed) = changes.recv() else {
            return exit::OK;
        };
        while let Ok(more) = changes.try_recv() {
            changed.extend(more);
        }
        if let Err(diag) = loaded.refresh_paths(&changed) {
            output::diagnostics(None, std::iter::once(&diag));
        }
    }
}

/// What changed between two runs: new findings as frames, fixed ones as one line each.
fn changes_text(loaded: &LoadedBook, report: &LintReport, previous: &[Diagnostic]) -> String {
    use std::collections::HashSet;
    let before: HashSet<FindingKey> = previous.iter().map(key).collect();
    let now: HashSet<FindingKey> = report.diagnostics.iter().map(key).collect();
    let color = std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let lines = |file: &str, line: usize| report.line_text(&loaded.sources, file, line);
    let mut out = String::new();
    let mut new = 0;
    for diag in report
        .diagnostics
        .iter()
        .filter(|d| !before.contains(&key(d)))
    {
        out.push_str(&human::render(diag, &lines, color));
        out.push('\n');
        new += 1;
    }
    let mut fixed = 0;
    for diag in previous.iter().filter(|d| !now.contains(&key(d))) {
        let loc = &diag.location;
        out.push_str(&format!(
            "fixed: {}[{}] {}:{}:{}: {}\n",
            diag.severity.as_str(),
            diag.code,
            loc.file,
            loc.line,
            loc.column,
            diag.message
        ));
        fixed += 1;
    }
    let (e, w, i) = report.counts();
    out.push_str(&format!(
        "{new} new, {fixed} fixed; now {e} errors, {w} warnings, {i} infos\n"
    ));
    out
}

fn explain(code: &str) -> u8 {
    let Some(rule) = registry::find(code) else {
        output::error_line(&format!(
            "no rule `{code}`; rules: {}",
            registry::RULES
                .iter()
                .map(|r| r.code)
                .collect::<Vec<_>>()
                .join(", ")
        ));
        return exit::ERROR;
    };
    let text = format!(
        "{} {} (default level: {})\n\n{}",
        rule.code,
        rule.name,
        rule.level.as_str(),
        rule.doc()
    );
    match output::stdout(&text) {
        Ok(()) => exit::OK,
        Err(_) => exit::ERROR,
    }
}

/// Frames of every finding, then the summary line; one (sources, report) per book.
fn human_output<'a>(books: impl IntoIterator<Item = (&'a [SourceFile], &'a LintReport)>) -> String {
    let color = std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let mut out = String::new();
    let (mut errors, mut warnings, mut infos, mut files) = (0, 0, 0, 0);
    for (sources, report) in books {
        let lines = |file: &str, line: usize| report.line_text(sources, file, line);
        // Frames are independent: rendered on all cores, printed in order.
        let frames: Vec<String> = report
            .diagnostics
            .par_iter()
            .map(|diag| human::render(diag, &lines, color))
            .collect();
        for frame in frames {
            out.push_str(&frame);
            out.push('\n');
        }
        let (e, w, i) = report.counts();
        errors += e;
        warnings += w;
        infos += i;
        files += report.files;
    }
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let runbooks = plural(files, "runbook");
    if errors + warnings + infos == 0 {
        out.push_str(&format!("no problems found in {runbooks}\n"));
    } else {
        out.push_str(&format!(
            "found {}, {}, {} in {runbooks}\n",
            plural(errors, "error"),
            plural(warnings, "warning"),
            plural(infos, "info"),
        ));
    }
    out
}

fn sarif_output(books: &[Linted]) -> Printed {
    let rules: Vec<sarif::RuleDescriptor> = registry::RULES
        .iter()
        .map(|r| sarif::RuleDescriptor {
            id: r.code.to_owned(),
            name: r.name.to_owned(),
            short: r.summary(),
            full: r.doc(),
            level: r.level,
        })
        .collect();
    let version = env!("CARGO_PKG_VERSION");
    let mut results = Vec::new();
    for book in books {
        let lines = |file: &str, line: usize| book.report.line_text(&book.book.sources, file, line);
        results.extend(sarif::results(
            &book.report.diagnostics,
            &rules,
            &book.prefix,
            &lines,
        ));
    }
    sarif::render_pretty(&rules, version, &results)
}

/// `content/` when the book root is `content` under the working directory; empty when it is
/// the working directory; the root as given (with `/`) when it is elsewhere.
fn repo_prefix(root: &Path) -> String {
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|c| c.canonicalize().ok());
    let abs = root.canonicalize().ok();
    let rel = match (cwd, abs) {
        (Some(cwd), Some(abs)) => abs
            .strip_prefix(&cwd)
            .map(Path::to_path_buf)
            .unwrap_or_else(|_| root.to_path_buf()),
        _ => root.to_path_buf(),
    };
    let text = rel.to_string_lossy().replace('\\', "/");
    let text = text.trim_start_matches("./").trim_end_matches('/');
    if text.is_empty() || text == "." {
        String::new()
    } else {
        format!("{text}/")
    }
}
