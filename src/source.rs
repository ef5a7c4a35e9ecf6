//! Source files as the parser sees them: the text (lossily decoded when it is not UTF-8),
//! the path relative to the book root, and a line index so any byte offset can be turned
//! into the `line:column` a person can jump to.

use serde::Serialize;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A Markdown file loaded from disk.
#[derive(Debug)]
pub struct SourceFile {
    /// Path relative to the book root, with `/` separators (stable across platforms).
    pub path: String,
    /// The file's text. Invalid UTF-8 was replaced by U+FFFD (see `invalid_utf8_at`).
    pub text: String,
    /// Byte offset (in the original bytes) of the first invalid UTF-8 sequence, if any.
    pub invalid_utf8_at: Option<usize>,
    /// Byte offset where each line starts. `u32` because files are capped at
    /// `MAX_FILE_BYTES` (64 MiB): the lint keeps every file's index to the end, and half
    /// the width is 7 MB less peak memory on 10,000 runbooks.
    line_starts: Vec<u32>,
    /// The line (0-based) `line_col` found last. Offsets are mostly asked for in document
    /// order, on that line or the next, which then need no search. Only a hint, checked
    /// before it is used, so any thread may overwrite it.
    last_line: AtomicUsize,
}

impl Clone for SourceFile {
    fn clone(&self) -> Self {
        Self {
            path: self.path.clone(),
            text: self.text.clone(),
            invalid_utf8_at: self.invalid_utf8_at,
            line_starts: self.line_starts.clone(),
            last_line: AtomicUsize::new(self.last_line.load(Ordering::Relaxed)),
        }
    }
}

/// A located region of a source file: byte range plus the 1-based line and column of its start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// 1-based line of `start`.
    pub line: usize,
    /// 1-based column of `start`, counted in characters.
    pub column: usize,
}

impl SourceFile {
    /// Builds a source file from raw bytes, decoding lossily and remembering where decoding failed.
    pub fn from_bytes(path: impl Into<String>, bytes: &[u8]) -> Self {
        let (text, invalid_utf8_at) = match std::str::from_utf8(bytes) {
            Ok(text) => (text.to_owned(), None),
            Err(err) => (
                String::from_utf8_lossy(bytes).into_owned(),
                Some(err.valid_up_to()),
            ),
        };
        Self::new_with(path.into(), text, invalid_utf8_at)
    }

    /// Like `from_bytes`, taking ownership: valid UTF-8 (nearly every file) is not copied.
    pub fn from_vec(path: impl Into<String>, bytes: Vec<u8>) -> Self {
        match String::from_utf8(bytes) {
            Ok(text) => Self::new_with(path.into(), text, None),
            Err(err) => Self::from_bytes(path, err.as_bytes()),
        }
    }

    /// Builds a source file from text already in memory.
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        Self::new_with(path.into(), text.into(), None)
    }

    fn new_with(path: String, text: String, invalid_utf8_at: Option<usize>) -> Self {
        // Counted first, so the index is allocated once and exactly: the lint keeps every
        // file's index to the end, and a generous estimate cost 6 MB more peak memory on
        // 10,000 runbooks than the second memchr pass costs time.
        // Checked once here, so every line start below fits its `u32` without a test each.
        assert!(
            u32::try_from(text.len()).is_ok(),
            "source files are capped at MAX_FILE_BYTES, under 4 GiB"
        );
        let lines = memchr::memchr_iter(b'\n', text.as_bytes()).count();
        let mut line_starts = Vec::with_capacity(lines + 1);
        line_starts.push(0);
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(line_start_after));
        Self {
            path,
            text,
            invalid_utf8_at,
            line_starts,
            last_line: AtomicUsize::new(0),
        }
    }

    /// 1-based line and column (in characters) of a byte offset; offsets past the end clamp.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line_idx = self.line_index(offset);
        let line_start = self.line_starts[line_idx] as usize;
        let column = self
            .text
            .get(line_start..offset)
            .map_or(1, |prefix| prefix.chars().count() + 1);
        (line_idx + 1, column)
    }

    /// The last line starting at or before `offset` (line 1 starts at 0, so there is one),
    /// 0-based: the line of the last call or the next one when `offset` is on it, else found
    /// by a binary search (a property test checks this against the search alone).
    fn line_index(&self, offset: usize) -> usize {
        let starts = &self.line_starts;
        let on_line = |line: usize| {
            starts
                .get(line)
                .is_some_and(|&start| start as usize <= offset)
                && starts
                    .get(line + 1)
                    .is_none_or(|&next| offset < next as usize)
        };
        let hint = self.last_line.load(Ordering::Relaxed);
        let line = if on_line(hint) {
            hint
        } else if on_line(hint + 1) {
            hint + 1
        } else {
            // Line starts strictly increase, so this is what `binary_search` found, and the
            // yes/no test compiles to a shorter loop than a three-way comparison.
            starts.partition_point(|&start| start as usize <= offset) - 1
        };
        self.last_line.store(line, Ordering::Relaxed);
        line
    }

    /// The span covering `start..end`.
    pub fn span(&self, start: usize, end: usize) -> Span {
        let (line, column) = self.line_col(start);
        Span {
            start,
            end: end.max(start),
            line,
            column,
        }
    }

    /// Byte offset where a 1-based line starts.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.line_starts
            .get(line.checked_sub(1)?)
            .map(|&start| start as usize)
    }

    /// The text of a 1-based line without its line ending.
    pub fn line_text(&self, line: usize) -> Option<&str> {
        let start = self.line_start(line)?;
        let end = self
            .line_starts
            .get(line)
            .map_or(self.text.len(), |&next| next as usize);
        Some(
            self.text[start..end]
                .trim_end_matches('\n')
                .trim_end_matches('\r'),
        )
    }

    /// Number of lines (a trailing newline does not start a new line).
    pub fn line_count(&self) -> usize {
        if self.text.ends_with('\n') {
            self.line_starts.len() - 1
        } else {
            self.line_starts.len()
        }
    }
}

/// Where the line after the newline at `newline` starts, as stored in the line index. The
/// newline is a byte of a text whose length fits a `u32` (checked by `new_with`), so the
/// offset after it does too.
fn line_start_after(newline: usize) -> u32 {
    (newline + 1) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let file = SourceFile::new("a.md", "é1\nab\r\ncd");
        assert_eq!(file.line_col(0), (1, 1));
        assert_eq!(file.line_col(2), (1, 2));
        assert_eq!(file.line_col(4), (2, 1));
        assert_eq!(file.line_col(5), (2, 2));
        assert_eq!(file.line_col(8), (3, 1));
        assert_eq!(file.line_text(2), Some("ab"));
        assert_eq!(file.line_count(), 3);
    }

    proptest::proptest! {
        /// Whatever order offsets come in, the hinted line is the line the binary search
        /// finds.
        #[test]
        fn hinted_lines_are_the_searched_lines(
            text in "[a\né\r]{0,24}",
            offsets in proptest::collection::vec(0usize..30, 0..12),
        ) {
            let file = SourceFile::new("a.md", text.clone());
            for offset in offsets {
                let clamped = offset.min(text.len());
                let want = file.line_starts.partition_point(|&start| start as usize <= clamped) - 1;
                proptest::prop_assert_eq!(file.line_index(clamped), want);
            }
        }
    }

    /// The line index as it was before it was stored in `u32`: `usize` offsets, found by
    /// a plain scan.
    fn usize_line_starts(text: &str) -> Vec<usize> {
        std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect()
    }

    proptest::proptest! {
        /// The `u32` index answers every question as the `usize` index did.
        #[test]
        fn narrow_line_starts_answer_as_wide_ones(
            text in "[a\né\r]{0,24}",
            offsets in proptest::collection::vec(0usize..30, 0..12),
            lines in proptest::collection::vec(0usize..30, 0..6),
        ) {
            let file = SourceFile::new("a.md", text.clone());
            let wide = usize_line_starts(&text);
            for offset in offsets {
                let clamped = offset.min(text.len());
                let line = wide.partition_point(|&start| start <= clamped) - 1;
                let column = text.get(wide[line]..clamped).map_or(1, |p| p.chars().count() + 1);
                proptest::prop_assert_eq!(file.line_col(offset), (line + 1, column));
            }
            for line in lines {
                let start = line.checked_sub(1).and_then(|l| wide.get(l).copied());
                proptest::prop_assert_eq!(file.line_start(line), start);
                let want = start.map(|start| {
                    let end = wide.get(line).copied().unwrap_or(text.len());
                    text[start..end].trim_end_matches('\n').trim_end_matches('\r')
                });
                proptest::prop_assert_eq!(file.line_text(line), want);
            }
            let count = if text.ends_with('\n') { wide.len() - 1 } else { wide.len() };
            proptest::prop_assert_eq!(file.line_count(), count);
        }
    }

    #[test]
    fn invalid_utf8_is_replaced_and_located() {
        let file = SourceFile::from_bytes("a.md", b"ok\n\xff\xfe bad\n");
        assert_eq!(file.invalid_utf8_at, Some(3));
        assert!(file.text.contains('\u{FFFD}'));
        assert_eq!(file.line_col(3), (2, 1));
    }
}
