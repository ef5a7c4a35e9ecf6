//! The one table of lint codes: code, kebab name, default level, check function (and whether
//! it reads one runbook or the whole book) and documentation. A rule's documentation is the `//!` comment at the top of its file (What it
//! does / Why it matters / Example / Use instead), read with `include_str!` so there is one
//! text for `runbook lint --explain`, `docs/lint.md` and the SARIF `fullDescription`.
//! Codes never change meaning: a retired rule keeps its code reserved.

use super::rules;
use super::{BookContext, Context, Sink};
use crate::diag::Severity;
use crate::model::Runbook;
use crate::source::SourceFile;

/// A rule that reads one runbook at a time (its index, model and source): it runs while the
/// book is parsed, before the runbook is dropped.
pub type RunbookCheck = fn(&Context<'_>, usize, &Runbook, &SourceFile, &mut Sink);

/// A rule that reads what the whole book states, once every runbook has been read.
pub type BookCheck = fn(&BookContext<'_>, &mut Sink);

/// What a code's check reads.
#[derive(Clone, Copy)]
pub enum Check {
    /// None: the loader reports these problems (RB0xx).
    Loader,
    /// One runbook at a time.
    Runbook(RunbookCheck),
    /// The whole book.
    Book(BookCheck),
}

/// One entry of the registry.
pub struct Rule {
    /// Stable code, such as `RB101`.
    pub code: &'static str,
    /// Kebab-case name, such as `port-drift`.
    pub name: &'static str,
    /// Level when `[lint]` says nothing.
    pub level: Severity,
    /// The check.
    pub check: Check,
    /// The rule's source file (for a rule) or its documentation (for a loader code).
    source: &'static str,
}

impl Rule {
    /// True for a lint rule, false for a problem the loader reports.
    pub fn is_lint(&self) -> bool {
        !matches!(self.check, Check::Loader)
    }

    /// The documentation: the `//!` lines of the rule's file, without the markers.
    pub fn doc(&self) -> String {
        if !self.is_lint() {
            return self.source.to_owned();
        }
        let mut out = String::new();
        for line in self.source.lines() {
            let Some(rest) = line.strip_prefix("//!") else {
                break;
            };
            out.push_str(rest.strip_prefix(' ').unwrap_or(rest));
            out.push('\n');
        }
        out.trim_end().to_owned() + "\n"
    }

    /// The first sentence of the documentation.
    pub fn summary(&self) -> String {
        let doc = self.doc();
        let body = doc
            .lines()
            .skip_while(|l| l.trim().is_empty() || l.starts_with('#'))
            .take_while(|l| !l.trim().is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let body = body
            .strip_prefix("What it does:")
            .or_else(|| body.strip_prefix("**What it does.**"))
            .unwrap_or(&body)
            .trim();
        match body.find(". ") {
            Some(end) => body[..=end].to_owned(),
            None => body.to_owned(),
        }
    }
}

macro_rules! rule {
    ($code:literal, $name:literal, $level:ident, $reads:ident, $module:ident) => {
        Rule {
            code: $code,
            name: $name,
            level: Severity::$level,
            check: Check::$reads(rules::$module::check),
            source: include_str!(concat!("rules/", stringify!($module), ".rs")),
        }
    };
}

macro_rules! loader {
    ($code:literal, $name:literal, $level:ident, $doc:literal) => {
        Rule {
            code: $code,
            name: $name,
            level: Severity::$level,
            check: Check::Loader,
            source: $doc,
        }
    };
}

/// Every code, in code order.
pub static RULES: &[Rule] = &[
    loader!(
        "RB001",
        "io-error",
        Error,
        "A file or folder could not be read.\n"
    ),
    loader!(
        "RB002",
        "invalid-utf8",
        Warning,
        "A file is not valid UTF-8; the bad bytes were replaced.\n"
    ),
    loader!(
        "RB003",
        "empty-file",
        Warning,
        "A Markdown file is empty.\n"
    ),
    loader!(
        "RB004",
        "unclosed-fence",
        Warning,
        "A code fence is never closed, so the rest of the file is code.\n"
    ),
    loader!(
        "RB005",
        "bad-front-matter",
        Error,
        "Front matter is not valid YAML or TOML.\n"
    ),
    loader!(
        "RB006",
        "symlink-loop",
        Error,
        "A symbolic link points back into a folder above it.\n"
    ),
    loader!("RB007", "bad-config", Error, "book.toml is not valid.\n"),
    loader!(
        "RB008",
        "bad-date",
        Warning,
        "A date in the metadata could not be read.\n"
    ),
    loader!(
        "RB009",
        "bad-image",
        Warning,
        "An image a runbook shows could not be copied into the site (`runbook build`): the file \
         is missing, outside the book folder, or not an image file.\n"
    ),
    rule!("RB101", "port-drift", Error, Book, port_drift),
    rule!("RB102", "namespace-drift", Error, Book, namespace_drift),
    rule!("RB103", "database-drift", Error, Book, database_drift),
    rule!("RB104", "compose-drift", Warning, Book, compose_drift),
    rule!("RB105", "severity-drift", Error, Book, severity_drift),
    rule!("RB106", "image-drift", Error, Book, image_drift),
    rule!("RB107", "host-drift", Warning, Book, host_drift),
    rule!("RB111", "broken-link", Error, Runbook, broken_link),
    rule!("RB112", "broken-anchor", Error, Book, broken_anchor),
    rule!("RB113", "stale-review", Warning, Runbook, stale_review),
    rule!("RB114", "wrong-fence", Warning, Runbook, wrong_fence),
    rule!(
        "RB115",
        "unguarded-destructive",
        Warning,
        Runbook,
        unguarded_destructive
    ),
    rule!(
        "RB116",
        "undeclared-placeholder",
        Info,
        Runbook,
        undeclared_placeholder
    ),
    rule!(
        "RB117",
        "hardcoded-secret",
        Error,
        Runbook,
        hardcoded_secret
    ),
    rule!("RB118", "shell-syntax", Warning, Runbook, shell_syntax),
];

/// The rule with this code or name (case-insensitive).
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    // Rules look their own code up for every finding, spelled as registered: the exact
    // comparison is much cheaper, and codes and names are unique in any case (tested below),
    // so it finds the rule the case-insensitive search would.
    RULES.iter().find(|r| r.code == code_or_name).or_else(|| {
        RULES.iter().find(|r| {
            r.code.eq_ignore_ascii_case(code_or_name) || r.name.eq_ignore_ascii_case(code_or_name)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        let mut codes = BTreeSet::new();
        let mut names = BTreeSet::new();
        for rule in RULES {
            assert!(codes.insert(rule.code), "duplicate {}", rule.code);
            assert!(names.insert(rule.name), "duplicate {}", rule.name);
            assert!(rule.code.len() == 5 && rule.code.starts_with("RB"));
            // So no code equals another code or a name but for case (see `find`).
            assert!(rule.code[2..].bytes().all(|b| b.is_ascii_digit()));
            assert!(
                rule.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            );
        }
    }

    #[test]
    fn every_rule_documents_the_four_parts() {
        for rule in RULES.iter().filter(|r| r.is_lint()) {
            let doc = rule.doc();
            for part in ["What it does", "Why it matters", "Example", "Use instead"] {
                assert!(doc.contains(part), "{} lacks `{part}`:\n{doc}", rule.code);
            }
            assert!(!rule.summary().is_empty());
        }
    }

    #[test]
    fn find_by_code_or_name() {
        assert_eq!(find("rb101").map(|r| r.name), Some("port-drift"));
        assert_eq!(find("port-drift").map(|r| r.code), Some("RB101"));
        assert!(find("nope").is_none());
    }
}
