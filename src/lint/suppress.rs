//! Inline suppression, read from the source text:
//! `<!-- runbook-lint allow port-drift -->` silences the named rules (names or codes, comma
//! or space separated, or `all`) on the same line when the comment ends a line of content,
//! else on the next block: the next fenced code block as a whole, or the next paragraph (the
//! lines up to a blank line). `<!-- runbook-lint allow-file RULE -->` silences them in the
//! whole file.

use regex::Regex;
use std::sync::LazyLock;

static COMMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"<!--\s*runbook-lint\s+(allow-file|allow)\s+([^>]*?)\s*-->").expect("valid regex")
});

/// The suppressions of one file.
#[derive(Debug, Default)]
pub struct Suppressions {
    file: Vec<String>,
    /// (first line, last line, rules), 1-based and inclusive.
    ranges: Vec<(usize, usize, Vec<String>)>,
}

impl Suppressions {
    /// Finds every suppression comment in `text`.
    pub fn parse(text: &str) -> Self {
        let mut out = Self::default();
        // memchr's vectorised search over the whole file (most have no suppression).
        if memchr::memmem::find(text.as_bytes(), b"runbook-lint").is_none() {
            return out;
        }
        let lines: Vec<&str> = text.lines().collect();
        for (idx, line) in lines.iter().enumerate() {
            for caps in COMMENT.captures_iter(line) {
                let rules: Vec<String> = caps[2]
                    .split([',', ' '])
                    .filter(|r| !r.is_empty())
                    .map(str::to_ascii_lowercase)
                    .collect();
                if &caps[1] == "allow-file" {
                    out.file.extend(rules);
                    continue;
                }
                let whole = caps.get(0).map_or(0..0, |m| m.range());
                let before = line[..whole.start].trim();
                if !before.is_empty() {
                    out.ranges.push((idx + 1, idx + 1, rules));
                    continue;
                }
                if let Some((first, last)) = next_block(&lines, idx + 1) {
                    out.ranges.push((first + 1, last + 1, rules));
                }
            }
        }
        out
    }

    /// True when a finding of this rule on this line is suppressed.
    pub fn allows(&self, code: &str, name: &str, line: usize) -> bool {
        let matches = |rules: &[String]| {
            rules
                .iter()
                .any(|r| r == "all" || r.eq_ignore_ascii_case(code) || r == name)
        };
        matches(&self.file)
            || self
                .ranges
                .iter()
                .any(|(first, last, rules)| (*first..=*last).contains(&line) && matches(rules))
    }
}

/// 0-based first and last line of the block that starts at or after `from`.
fn next_block(lines: &[&str], from: usize) -> Option<(usize, usize)> {
    let first = (from..lines.len()).find(|&i| !lines[i].trim().is_empty())?;
    let trimmed = lines[first].trim_start();
    let fence = ["```", "~~~"].into_iter().find(|f| trimmed.starts_with(f));
    if let Some(fence) = fence {
        let last = (first + 1..lines.len())
            .find(|&i| lines[i].trim_start().starts_with(fence))
            .unwrap_or(lines.len() - 1);
        return Some((first, last));
    }
    let last = (first..lines.len())
        .take_while(|&i| !lines[i].trim().is_empty())
        .last()
        .unwrap_or(first);
    Some((first, last))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_fence_same_line_and_file() {
        let text = "# T\n\n<!-- runbook-lint allow port-drift -->\n\n```bash\na\nb\n```\nc\n\nd <!-- runbook-lint allow RB113 -->\n<!-- runbook-lint allow-file wrong-fence -->\n";
        let s = Suppressions::parse(text);
        assert!(s.allows("RB101", "port-drift", 6));
        assert!(s.allows("RB101", "port-drift", 8));
        assert!(!s.allows("RB101", "port-drift", 9));
        assert!(!s.allows("RB102", "namespace-drift", 6));
        assert!(s.allows("RB113", "stale-review", 11));
        assert!(!s.allows("RB113", "stale-review", 12));
        assert!(s.allows("RB114", "wrong-fence", 1));
    }

    #[test]
    fn paragraph_and_list() {
        let text = "<!-- runbook-lint allow broken-link, RB112 -->\n- [a](x.md)\n- [b](#y)\n\n- [c](z.md)\n";
        let s = Suppressions::parse(text);
        assert!(s.allows("RB111", "broken-link", 2));
        assert!(s.allows("RB112", "broken-anchor", 3));
        assert!(!s.allows("RB111", "broken-link", 5));
    }
}
