//! Values of the shape of an `xxx` placeholder: `app-xxxxx-xxxxx` has the shape of
//! `app-7d9c6b8f54-2kqzt`. A run of three or more `x` stands for one or more lower-case
//! letters or digits, of `X` for upper-case ones; the rest is literal, and a value stands
//! between word boundaries (start or end of text, or a character other than an ASCII letter,
//! digit, `_`, `.` or `-`).
//!
//! This is what the regex `(?:^|[^A-Za-z0-9_.-])(lit[a-z0-9]+lit...)(?:$|[^A-Za-z0-9_.-])`
//! matches, found the way `captures_iter` finds it (leftmost, greedy runs, each match
//! consuming the boundary after it), without compiling a regex per placeholder: that was a
//! tenth of making the plans. The test module checks the two against each other.

use std::collections::HashSet;

/// One piece of a placeholder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece<'p> {
    Literal(&'p str),
    /// `xxx`: one or more of `[a-z0-9]`.
    Lower,
    /// `XXX`: one or more of `[A-Z0-9]`.
    Upper,
}

/// A placeholder split into pieces.
#[derive(Debug, Clone)]
pub struct Shape<'p> {
    pieces: Vec<Piece<'p>>,
}

impl<'p> Shape<'p> {
    /// The shape of `placeholder`, or `None` when it has no run of three `x` or `X`.
    pub fn of(placeholder: &'p str) -> Option<Self> {
        let bytes = placeholder.as_bytes();
        let mut pieces = Vec::new();
        let (mut literal_start, mut at) = (0, 0);
        while at < bytes.len() {
            let b = bytes[at];
            let run = bytes[at..].iter().take_while(|&&c| c == b).count();
            if (b == b'x' || b == b'X') && run >= 3 {
                if literal_start < at {
                    pieces.push(Piece::Literal(&placeholder[literal_start..at]));
                }
                pieces.push(if b == b'x' {
                    Piece::Lower
                } else {
                    Piece::Upper
                });
                literal_start = at + run;
            }
            at += run;
        }
        if literal_start < bytes.len() {
            pieces.push(Piece::Literal(&placeholder[literal_start..]));
        }
        let has_run = pieces.iter().any(|p| !matches!(p, Piece::Literal(_)));
        has_run.then_some(Shape { pieces })
    }

    /// Every value of this shape in `text`, in order.
    pub fn values<'t>(&self, text: &'t str) -> Vec<&'t str> {
        let mut search = Search {
            pieces: &self.pieces,
            text,
            failed: HashSet::new(),
        };
        let mut out = Vec::new();
        let mut from = 0;
        while let Some((group, end)) = search.next_match(from) {
            out.push(&text[group]);
            from = end;
        }
        out
    }
}

fn is_boundary(c: char) -> bool {
    !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
}

struct Search<'s, 'p, 't> {
    pieces: &'s [Piece<'p>],
    text: &'t str,
    /// (piece, position) pairs known not to lead to a match: with them the search is
    /// polynomial however many ways runs could split a value.
    failed: HashSet<(usize, usize)>,
}

impl Search<'_, '_, '_> {
    /// The leftmost match starting at or after `from`: its group and where it ends.
    fn next_match(&mut self, from: usize) -> Option<(std::ops::Range<usize>, usize)> {
        for (at, c) in self.text[from..].char_indices().map(|(i, c)| (from + i, c)) {
            // `^` is tried before a boundary character, as in the regex's alternation.
            if at == 0
                && let Some((end, after)) = self.rest(0, 0)
            {
                return Some((0..end, after));
            }
            if is_boundary(c) {
                let start = at + c.len_utf8();
                if let Some((end, after)) = self.rest(0, start) {
                    return Some((start..end, after));
                }
            }
        }
        None
    }

    /// Matches pieces `piece..` at `at`, then the closing boundary: where the value ends and
    /// where the match ends.
    fn rest(&mut self, piece: usize, at: usize) -> Option<(usize, usize)> {
        let Some(&current) = self.pieces.get(piece) else {
            return match self.text[at..].chars().next() {
                None => Some((at, at)),
                Some(c) if is_boundary(c) => Some((at, at + c.len_utf8())),
                Some(_) => None,
            };
        };
        let class: fn(&u8) -> bool = match current {
            Piece::Literal(literal) => {
                return self.text[at..]
                    .starts_with(literal)
                    .then(|| self.rest(piece + 1, at + literal.len()))
                    .flatten();
            }
            Piece::Lower => |b| b.is_ascii_lowercase() || b.is_ascii_digit(),
            Piece::Upper => |b| b.is_ascii_uppercase() || b.is_ascii_digit(),
        };
        if self.failed.contains(&(piece, at)) {
            return None;
        }
        let longest = self.text.as_bytes()[at..]
            .iter()
            .take_while(|b| class(b))
            .count();
        // Greedy: the longest run first, as the regex's `+` does.
        for len in (1..=longest).rev() {
            if let Some(found) = self.rest(piece + 1, at + len) {
                return Some(found);
            }
        }
        self.failed.insert((piece, at));
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Regex;

    /// The regex this module stands in for.
    fn oracle(placeholder: &str, text: &str) -> Vec<String> {
        let runs = Regex::new("x{3,}|X{3,}").unwrap();
        let mut pattern = String::from(r"(?:^|[^A-Za-z0-9_.-])(");
        let mut last = 0;
        for m in runs.find_iter(placeholder) {
            pattern.push_str(&regex::escape(&placeholder[last..m.start()]));
            pattern.push_str(if m.as_str().starts_with('x') {
                "[a-z0-9]+"
            } else {
                "[A-Z0-9]+"
            });
            last = m.end();
        }
        pattern.push_str(&regex::escape(&placeholder[last..]));
        pattern.push_str(r")(?:$|[^A-Za-z0-9_.-])");
        Regex::new(&pattern)
            .unwrap()
            .captures_iter(text)
            .filter_map(|c| c.get(1))
            .map(|m| m.as_str().to_owned())
            .collect()
    }

    fn values(placeholder: &str, text: &str) -> Vec<String> {
        Shape::of(placeholder)
            .map(|s| s.values(text).into_iter().map(str::to_owned).collect())
            .unwrap_or_default()
    }

    #[test]
    fn finds_a_pod_name() {
        assert_eq!(
            values(
                "app-xxxxx-xxxxx",
                "kubectl logs app-7d9c6b8f54-2kqzt -n prod"
            ),
            ["app-7d9c6b8f54-2kqzt"]
        );
        assert_eq!(values("ID-XXXX", "ticket ID-AB12, id-ab12"), ["ID-AB12"]);
        assert!(Shape::of("app-xx").is_none());
    }

    #[test]
    fn values_need_boundaries() {
        assert!(values("pod-xxx", "mypod-abc").is_empty());
        assert!(values("pod-xxx", "pod-abc.d").is_empty());
        assert_eq!(values("pod-xxx", "pod-abc/pod-xyz"), ["pod-abc"]);
    }

    #[test]
    fn ambiguous_runs_stay_fast() {
        // Each run could end at any `0`: without remembering failures this is exponential.
        let placeholder = "xxx0".repeat(12);
        let text = format!("{}!", "0".repeat(200));
        assert_eq!(values(&placeholder, &text), oracle(&placeholder, &text));
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_the_regex(
            placeholder in "[xXa0._é-]{0,4}(xxx|XXX)[xXa0._é-]{0,6}",
            text in "[xXaZ07 ._/é-]{0,40}",
        ) {
            proptest::prop_assert_eq!(values(&placeholder, &text), oracle(&placeholder, &text));
        }

        #[test]
        fn agrees_with_the_regex_on_values_of_the_shape(
            placeholder in "[a-]{0,3}(xxx|XXX)[a0-]{0,3}(xxx|XXX)?[.a]{0,2}",
            text in "([ /]{0,2}[a-]{0,3}[a0-9A-Z]{1,4}[a0-]{0,3}[a-z0-9A-Z]{0,3}[.a]{0,2}){0,4}",
        ) {
            proptest::prop_assert_eq!(values(&placeholder, &text), oracle(&placeholder, &text));
        }
    }
}
