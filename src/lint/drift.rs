//! Deciding which of several stated values is the drift. A value's weight is the number of
//! runbooks that state it (one runbook repeating itself does not outvote two that agree),
//! then the number of statements, then which came first in path order. A canonical value
//! from `book.toml` wins outright.

use crate::facts::Stated;
use std::collections::{BTreeMap, BTreeSet};

/// The verdict over one subject's statements.
pub struct Verdict<'a, T> {
    /// The value that wins, as its key.
    pub key: String,
    /// The first statement of the winning value, if any runbook states it.
    pub witness: Option<&'a Stated<T>>,
    /// Number of runbooks stating the winning value.
    pub files: usize,
    /// True when the value comes from `book.toml`.
    pub canonical: bool,
    /// The statements that disagree, in order.
    pub minority: Vec<&'a Stated<T>>,
}

/// Judges statements; `key` gives what is compared. `None` when they all agree (or there is
/// nothing to compare).
pub fn judge<'a, T>(
    stmts: &'a [Stated<T>],
    key: impl Fn(&T) -> String,
    canonical: Option<String>,
) -> Option<Verdict<'a, T>> {
    if stmts.is_empty() {
        return None;
    }
    // key → (files, count, first position)
    let mut votes: BTreeMap<String, (BTreeSet<usize>, usize, usize)> = BTreeMap::new();
    for (pos, s) in stmts.iter().enumerate() {
        let v = votes
            .entry(key(&s.value))
            .or_insert((BTreeSet::new(), 0, pos));
        v.0.insert(s.runbook);
        v.1 += 1;
    }
    let is_canonical = canonical.is_some();
    let winner = match canonical {
        Some(c) => c,
        None => {
            if votes.len() < 2 {
                return None;
            }
            votes
                .iter()
                .max_by(|a, b| {
                    (a.1.0.len(), a.1.1, std::cmp::Reverse(a.1.2)).cmp(&(
                        b.1.0.len(),
                        b.1.1,
                        std::cmp::Reverse(b.1.2),
                    ))
                })
                .map(|(k, _)| k.clone())?
        }
    };
    let minority: Vec<&Stated<T>> = stmts.iter().filter(|s| key(&s.value) != winner).collect();
    if minority.is_empty() {
        return None;
    }
    Some(Verdict {
        witness: stmts.iter().find(|s| key(&s.value) == winner),
        files: votes.get(&winner).map_or(0, |v| v.0.len()),
        key: winner,
        canonical: is_canonical,
        minority,
    })
}

/// "in 3 other runbooks" / "in index.md".
pub fn where_stated<T>(verdict: &Verdict<'_, T>) -> String {
    if verdict.canonical {
        return "declared in book.toml".to_owned();
    }
    match (verdict.files, verdict.witness) {
        (1, Some(w)) => format!("stated in {}", w.file),
        (n, _) => format!("stated in {n} other runbooks"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    fn s(value: u16, runbook: usize) -> Stated<u16> {
        Stated {
            value,
            runbook,
            file: format!("{runbook}.md").into(),
            span: Span::default(),
        }
    }

    #[test]
    fn files_outvote_repeats() {
        // One runbook says 1 three times; two runbooks say 2.
        let stmts = vec![s(1, 0), s(1, 0), s(1, 0), s(2, 1), s(2, 2)];
        let v = judge(&stmts, u16::to_string, None).unwrap();
        assert_eq!(v.key, "2");
        assert_eq!(v.minority.len(), 3);
        assert_eq!(v.files, 2);
    }

    #[test]
    fn agreement_and_canonical() {
        let stmts = vec![s(1, 0), s(1, 1)];
        assert!(judge(&stmts, u16::to_string, None).is_none());
        let v = judge(&stmts, u16::to_string, Some("2".into())).unwrap();
        assert!(v.canonical && v.witness.is_none());
        assert_eq!(v.minority.len(), 2);
    }
}
