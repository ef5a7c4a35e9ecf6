//! `[lint]` of `book.toml`, checked and resolved: the level of each rule (or off), the
//! ignore globs and `max_age`. An unknown rule, level or age is a located error, never a
//! silent default.

use super::registry::{self, Rule};
use crate::config::Config;
use crate::diag::{Diagnostic, Severity, codes};
use std::collections::BTreeMap;

/// Resolved lint settings.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Code → level; `None` is off. Codes not listed use their default.
    levels: BTreeMap<&'static str, Option<Severity>>,
    ignore: Vec<String>,
    /// `max_age` in days.
    pub max_age_days: Option<i64>,
}

impl Settings {
    /// Reads `[lint]`; `shown` names book.toml in errors.
    pub fn from_config(config: &Config, shown: &str) -> Result<Self, Diagnostic> {
        let bad = |message: String, help: &str| {
            Diagnostic::new(
                codes::BAD_CONFIG.0,
                codes::BAD_CONFIG.1,
                Severity::Error,
                shown,
                0,
                0,
                message,
            )
            .with_help(help.to_owned())
        };
        let mut levels = BTreeMap::new();
        for (key, value) in &config.lint.rules {
            let rule = registry::find(key).ok_or_else(|| {
                bad(
                    format!("[lint.rules] names an unknown rule `{key}`"),
                    "use a code such as RB101 or a name such as port-drift; `runbook lint --explain CODE` documents each",
                )
            })?;
            let level = match value.to_ascii_lowercase().as_str() {
                "error" | "deny" => Some(Severity::Error),
                "warning" | "warn" => Some(Severity::Warning),
                "info" | "note" => Some(Severity::Info),
                "off" | "allow" => None,
                other => {
                    return Err(bad(
                        format!("[lint.rules] {key} = \"{other}\" is not a level"),
                        "levels are error, warning, info and off",
                    ));
                }
            };
            levels.insert(rule.code, level);
        }
        let max_age_days = match &config.lint.max_age {
            None => None,
            Some(text) => Some(parse_age(text).ok_or_else(|| {
                bad(
                    format!("[lint] max_age = \"{text}\" is not an age"),
                    "write a number and a unit: 90d, 12w, 6m or 1y",
                )
            })?),
        };
        Ok(Self {
            levels,
            ignore: config.lint.ignore.clone(),
            max_age_days,
        })
    }

    /// The level of a rule, or `None` when it is off.
    pub fn level(&self, rule: &Rule) -> Option<Severity> {
        self.levels
            .get(rule.code)
            .copied()
            .unwrap_or(Some(rule.level))
    }

    /// True when `[lint] ignore` matches the path (relative to the book root).
    pub fn is_ignored(&self, path: &str) -> bool {
        self.ignore.iter().any(|pattern| {
            let pattern = pattern.trim_start_matches("./");
            if let Some(dir) = pattern.strip_suffix('/') {
                return glob(&format!("{dir}/**"), path);
            }
            if !pattern.contains('/') {
                let name = path.rsplit('/').next().unwrap_or(path);
                return glob(pattern, name) || glob(pattern, path);
            }
            glob(pattern, path)
        })
    }
}

/// `90d`, `12w`, `6m`, `1y` (also `90 days`, `6 months`) in days.
pub fn parse_age(text: &str) -> Option<i64> {
    let text = text.trim().to_ascii_lowercase();
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    let n: i64 = number.parse().ok()?;
    let per = match unit.trim() {
        "d" | "day" | "days" => 1,
        "w" | "week" | "weeks" => 7,
        "m" | "mo" | "month" | "months" => 30,
        "y" | "year" | "years" => 365,
        _ => return None,
    };
    n.checked_mul(per)
}

/// Glob match: `**` crosses `/`, `*` and `?` do not.
pub fn glob(pattern: &str, text: &str) -> bool {
    fn go(p: &[u8], t: &[u8]) -> bool {
        match p.first() {
            None => t.is_empty(),
            Some(b'*') if p.get(1) == Some(&b'*') => {
                let rest = p[2..].strip_prefix(b"/").unwrap_or(&p[2..]);
                (0..=t.len()).any(|i| go(rest, &t[i..])) || go(&p[2..], t)
            }
            Some(b'*') => (0..=t.len())
                .take_while(|&i| i == 0 || t[i - 1] != b'/')
                .any(|i| go(&p[1..], &t[i..])),
            Some(b'?') => t.first().is_some_and(|&c| c != b'/') && go(&p[1..], &t[1..]),
            Some(&c) => t.first() == Some(&c) && go(&p[1..], &t[1..]),
        }
    }
    go(pattern.as_bytes(), text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("drafts/**", "drafts/a/b.md"));
        assert!(glob("**/old-*.md", "x/y/old-1.md"));
        assert!(glob("**/old-*.md", "old-1.md"));
        assert!(!glob("*.md", "x/a.md"));
        assert!(glob("a?.md", "ab.md"));
    }

    #[test]
    fn ignore_patterns() {
        let s = Settings {
            ignore: vec!["drafts/".into(), "README.md".into()],
            ..Settings::default()
        };
        assert!(s.is_ignored("drafts/x.md"));
        assert!(s.is_ignored("content/README.md"));
        assert!(!s.is_ignored("content/restart.md"));
    }

    #[test]
    fn ages() {
        assert_eq!(parse_age("180d"), Some(180));
        assert_eq!(parse_age("6 months"), Some(180));
        assert_eq!(parse_age("1y"), Some(365));
        assert_eq!(parse_age("soon"), None);
    }

    #[test]
    fn unknown_rule_and_level_are_errors() {
        let mut config = Config::default();
        config.lint.rules.insert("port-drfit".into(), "off".into());
        let err = Settings::from_config(&config, "book.toml").unwrap_err();
        assert!(err.message.contains("port-drfit"));
        let mut config = Config::default();
        config.lint.rules.insert("RB101".into(), "loud".into());
        assert!(Settings::from_config(&config, "book.toml").is_err());
        let mut config = Config::default();
        config.lint.rules.insert("port-drift".into(), "off".into());
        let s = Settings::from_config(&config, "book.toml").unwrap();
        assert_eq!(s.level(registry::find("RB101").unwrap()), None);
    }
}
