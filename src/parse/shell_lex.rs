//! A small quote-aware shell lexer. It is not a shell parser: it knows just enough of bash
//! (quotes, escapes, `$(...)`, comments, operators, heredocs) to tell where a command ends,
//! which words it has, and which `$VARS` it expands. Lines it cannot make sense of are left to
//! the caller, which treats them as non-shell text.

use std::borrow::Cow;
use std::ops::Range;

/// What is still open at the end of some text.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct OpenState {
    /// Inside `'...'`.
    pub single: bool,
    /// Inside `"..."`.
    pub double: bool,
    /// Unclosed `(` / `$(` / `{` depth.
    pub depth: usize,
    /// Text ends with a `\` line continuation.
    pub backslash: bool,
    /// Text ends with `|`, `&&`, `||` or `|&`: the command goes on on the next line.
    pub operator: bool,
    /// Heredoc delimiters introduced (`<<EOF`, `<<-'EOF'`): (delimiter, strip leading tabs, quoted).
    pub heredocs: Vec<Heredoc>,
}

/// A heredoc introduced on a command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    /// The terminating word.
    pub delimiter: String,
    /// `<<-`: leading tabs are stripped from body lines and the terminator.
    pub strip_tabs: bool,
    /// The delimiter was quoted, so the body is literal (no `$VAR` expansion).
    pub quoted: bool,
}

impl OpenState {
    /// True when the next line belongs to the same command.
    pub fn continues(&self) -> bool {
        self.single || self.double || self.depth > 0 || self.backslash || self.operator
    }
}

/// A token of a command line. Words and operators written as they stand in the text (most
/// of them) borrow it; only words that lose quotes or escapes are copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token<'a> {
    /// A word with quotes removed (expansions kept as written).
    Word(Cow<'a, str>),
    /// A control operator: `|`, `||`, `&&`, `;`, `&`, `|&`, `;;`, `(`, `)`.
    Op(&'static str),
    /// A redirection operator (`>`, `>>`, `<`, `2>`, `&>`...); the target is the next word.
    Redirect(Cow<'a, str>),
}

/// Scans `text` and reports what is open at its end. Comments run to the end of their line.
pub fn open_state(text: &str) -> OpenState {
    // Most command lines are plain words: only quotes, backslashes, brackets, `#`, `$`,
    // operators and `<<` can leave something open, so such lines need no lexing. In the
    // others, the lexer starts at the first byte that is not plain: before it there are
    // only words and blanks, which leave nothing open (`lex` knows how to start there).
    match text.bytes().position(|b| !is_plain(b)) {
        None => OpenState::default(),
        Some(start) => lex::<false>(text, start).1,
    }
}

/// A byte that opens, closes and continues nothing.
fn is_plain(b: u8) -> bool {
    PLAIN[usize::from(b)]
}

/// `[b]` is true for ASCII letters, digits and the bytes of `extra`: a table, as these tests
/// run on every byte of every command.
pub(crate) const fn byte_table(extra: &[u8]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    let mut i = 0;
    while i < extra.len() {
        table[extra[i] as usize] = true;
        i += 1;
    }
    table
}

static PLAIN: [bool; 256] = byte_table(b" \t-_./:,=@%+");
static WORD_BYTE: [bool; 256] = byte_table(b"-_./:,=@%+{}[]*?!~^");

/// Tokens of `text` (heredoc bodies must not be included).
pub fn tokens(text: &str) -> Vec<Token<'_>> {
    lex::<true>(text, 0).0
}

/// The word being read: its text (kept only when tokens are wanted) and whether it holds
/// `$(`, which decides what a `)` closes. A word that is so far one run of the source is
/// kept as that run's range and copied only if something else is added to it.
struct Word<'a, const TOKENS: bool> {
    source: &'a str,
    run: Option<Range<usize>>,
    text: String,
    has_subst: bool,
    after_dollar: bool,
}

impl<'a, const TOKENS: bool> Word<'a, TOKENS> {
    fn new(source: &'a str) -> Self {
        Self {
            source,
            run: None,
            text: String::new(),
            has_subst: false,
            after_dollar: false,
        }
    }

    /// Moves a borrowed run into `text`, before something is added that does not follow it.
    fn own(&mut self) {
        if let Some(run) = self.run.take() {
            self.text.push_str(&self.source[run]);
        }
    }

    /// The word so far.
    fn as_str(&self) -> &str {
        match &self.run {
            Some(run) => &self.source[run.clone()],
            None => &self.text,
        }
    }

    fn push(&mut self, c: char) {
        if TOKENS {
            self.own();
            self.text.push(c);
        }
        self.has_subst |= self.after_dollar && c == '(';
        self.after_dollar = c == '$';
    }

    /// Appends the source's bytes `range`, none of which is `$` and which start with no `(`
    /// right after a `$`: they add no `$(`.
    fn push_plain(&mut self, range: Range<usize>) {
        if TOKENS {
            match &mut self.run {
                Some(run) if run.end == range.start => run.end = range.end,
                None if self.text.is_empty() => self.run = Some(range),
                _ => {
                    self.own();
                    self.text.push_str(&self.source[range]);
                }
            }
        }
        self.after_dollar = false;
    }

    /// Appends any run of text, as `push` of each of its characters would.
    fn push_run(&mut self, run: &str) {
        let Some(&last) = run.as_bytes().last() else {
            return;
        };
        if TOKENS {
            self.own();
            self.text.push_str(run);
        }
        self.has_subst |= (self.after_dollar && run.starts_with('('))
            || memchr::memmem::find(run.as_bytes(), b"$(").is_some();
        self.after_dollar = last == b'$';
    }

    fn push_subst(&mut self) {
        if TOKENS {
            self.own();
            self.text.push_str("$(");
        }
        self.has_subst = true;
        self.after_dollar = false;
    }

    fn take(&mut self) -> Cow<'a, str> {
        self.has_subst = false;
        self.after_dollar = false;
        match self.run.take() {
            Some(run) => Cow::Borrowed(&self.source[run]),
            None => Cow::Owned(std::mem::take(&mut self.text)),
        }
    }
}

/// An ASCII byte that, outside quotes, only ever adds itself to the current word (and is
/// neither `$` nor `(`, which `Word` watches for).
fn is_word_byte(b: u8) -> bool {
    WORD_BYTE[usize::from(b)]
}

/// The character starting at byte `i` of `text` (a character boundary) and its length.
fn char_at(text: &str, i: usize) -> (char, usize) {
    let c = text[i..].chars().next().unwrap_or('\0');
    (c, c.len_utf8())
}

/// Lexes `text`. With `TOKENS` false only the open state is computed, which is what
/// continuation lines need, and nothing is allocated for words. Every byte the lexer acts on
/// is ASCII, so it walks bytes and decodes a character only where one is copied or tested
/// for (Unicode) whitespace.
///
/// Without `TOKENS` it may start at byte `start` when the bytes before it are plain (see
/// [`is_plain`]): they only make words, so the state there is the start state, inside a
/// word when the byte before `start` is not a blank.
fn lex<'a, const TOKENS: bool>(text: &'a str, start: usize) -> (Vec<Token<'a>>, OpenState) {
    let bytes = text.as_bytes();
    let n = bytes.len();
    let mut st = OpenState::default();
    // About one token per four bytes of a command line (none when only the state is wanted).
    let mut toks = Vec::with_capacity(if TOKENS { text.len() / 4 + 1 } else { 0 });
    let mut word = Word::<TOKENS>::new(text);
    debug_assert!(start == 0 || (!TOKENS && bytes[..start].iter().all(|&b| is_plain(b))));
    let mut in_word = start > 0 && !matches!(bytes[start - 1], b' ' | b'\t');
    let mut i = start;
    // The last significant token is `|`, `||`, `&&` or `|&`: the command goes on.
    let mut after_operator = false;
    let flush = |word: &mut Word<'a, TOKENS>, in_word: &mut bool, toks: &mut Vec<Token<'a>>| {
        if *in_word {
            let text = word.take();
            if TOKENS {
                toks.push(Token::Word(text));
            }
            *in_word = false;
        }
    };
    while i < n {
        let b = bytes[i];
        if b >= 0x80 {
            // Not ASCII: never an operator or a quote, only ever part of a word.
            let (c, len) = char_at(text, i);
            word.push(c);
            if !st.single && !st.double {
                in_word = true;
                if !c.is_whitespace() {
                    after_operator = false;
                }
            }
            i += len;
            continue;
        }
        let c = char::from(b);
        if st.single {
            // Everything up to the closing quote is the word's, as it is.
            let run = memchr::memchr(b'\'', &bytes[i..]).unwrap_or(n - i);
            if run > 0 {
                word.push_run(&text[i..i + run]);
                i += run;
                continue;
            }
            st.single = false;
            i += 1;
            continue;
        }
        if st.double {
            match c {
                '"' => st.double = false,
                '\\' if i + 1 < n => {
                    let (next, len) = char_at(text, i + 1);
                    if matches!(next, '"' | '\\' | '$' | '`') {
                        word.push(next);
                    } else if next != '\n' {
                        word.push('\\');
                        word.push(next);
                    }
                    i += len;
                }
                '$' if bytes.get(i + 1) == Some(&b'(') => {
                    st.depth += 1;
                    word.push_subst();
                    i += 1;
                }
                ')' if st.depth > 0 => {
                    st.depth -= 1;
                    word.push(c);
                }
                '$' | ')' | '\\' => word.push(c),
                _ => {
                    // Up to the next byte that means something in double quotes, the text is
                    // the word's as it is: one copy, as `push` of each character would give.
                    // The run holds no `$`, and does not start with `(` after one (`$(` is
                    // taken above), so it adds no `$(`, as `push_plain` requires.
                    let end = bytes[i..]
                        .iter()
                        .position(|&b| matches!(b, b'"' | b'\\' | b'$' | b')'))
                        .map_or(n, |k| i + k);
                    word.push_plain(i..end);
                    i = end;
                    continue;
                }
            }
            i += 1;
            continue;
        }
        match c {
            '\\' => {
                if i + 1 >= n {
                    st.backslash = true;
                } else if bytes[i + 1] == b'\n' {
                    // Line continuation: joins words, but if it is the last line it stays open.
                    if i + 2 >= n {
                        st.backslash = true;
                    }
                    i += 1;
                } else if bytes[i + 1] == b'\r' && bytes.get(i + 2) == Some(&b'\n') {
                    i += 2;
                } else {
                    let (next, len) = char_at(text, i + 1);
                    word.push(next);
                    in_word = true;
                    i += len;
                }
                i += 1;
                continue;
            }
            '\'' => {
                st.single = true;
                in_word = true;
            }
            '"' => {
                st.double = true;
                in_word = true;
            }
            '#' if !in_word => {
                // A comment runs to the end of the line.
                while i < n && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            '$' if bytes.get(i + 1) == Some(&b'(') => {
                st.depth += 1;
                word.push_subst();
                in_word = true;
                i += 2;
                after_operator = false;
                continue;
            }
            '(' => {
                st.depth += 1;
                if in_word {
                    word.push(c);
                } else if TOKENS {
                    toks.push(Token::Op("("));
                }
            }
            ')' => {
                st.depth = st.depth.saturating_sub(1);
                if in_word && word.has_subst {
                    word.push(c);
                } else {
                    flush(&mut word, &mut in_word, &mut toks);
                    if TOKENS {
                        toks.push(Token::Op(")"));
                    }
                }
            }
            ' ' | '\t' | '\r' => {
                if st.depth > 0 && in_word {
                    word.push(c);
                } else {
                    flush(&mut word, &mut in_word, &mut toks);
                }
            }
            '\n' => {
                if st.depth > 0 && in_word {
                    word.push(' ');
                } else {
                    flush(&mut word, &mut in_word, &mut toks);
                    if TOKENS && !after_operator && !toks.is_empty() {
                        toks.push(Token::Op(";"));
                    }
                }
            }
            '|' | '&' | ';' if st.depth > 0 && in_word => word.push(c),
            '|' | '&' | ';' => {
                // `2>&1` and `>&2` are redirections, handled under '>'.
                flush(&mut word, &mut in_word, &mut toks);
                let op = match (c, bytes.get(i + 1).copied().unwrap_or(0)) {
                    ('|', b'|') => "||",
                    ('|', b'&') => "|&",
                    ('&', b'&') => "&&",
                    ('&', b'>') => "&>",
                    (';', b';') => ";;",
                    ('|', _) => "|",
                    ('&', _) => "&",
                    _ => ";",
                };
                if op.len() == 2 {
                    i += 1;
                }
                if op == "&>" {
                    let append = bytes.get(i + 1) == Some(&b'>');
                    if append {
                        i += 1;
                    }
                    if TOKENS {
                        toks.push(Token::Redirect(Cow::Borrowed(if append {
                            "&>>"
                        } else {
                            "&>"
                        })));
                    }
                    after_operator = false;
                    i += 1;
                    continue;
                }
                after_operator = matches!(op, "|" | "||" | "&&" | "|&");
                if TOKENS {
                    toks.push(Token::Op(op));
                }
                i += 1;
                continue;
            }
            '<' | '>' => {
                let fd = if TOKENS
                    && in_word
                    && !word.as_str().is_empty()
                    && word.as_str().bytes().all(|d| d.is_ascii_digit())
                {
                    in_word = false;
                    word.take()
                } else {
                    flush(&mut word, &mut in_word, &mut toks);
                    Cow::Borrowed("")
                };
                if c == '<' && bytes.get(i + 1) == Some(&b'<') && bytes.get(i + 2) != Some(&b'<') {
                    i += 2;
                    let strip_tabs = bytes.get(i) == Some(&b'-');
                    if strip_tabs {
                        i += 1;
                    }
                    while matches!(bytes.get(i), Some(b' ' | b'\t')) {
                        i += 1;
                    }
                    let mut delim = String::new();
                    let mut quoted = false;
                    while i < n {
                        let (ch, len) = char_at(text, i);
                        if ch.is_whitespace() || matches!(ch, ';' | '|' | '&' | '>' | '<' | ')') {
                            break;
                        }
                        if ch == '\'' || ch == '"' || ch == '\\' {
                            quoted = true;
                        } else {
                            delim.push(ch);
                        }
                        i += len;
                    }
                    if !delim.is_empty() {
                        st.heredocs.push(Heredoc {
                            delimiter: delim,
                            strip_tabs,
                            quoted,
                        });
                    }
                    if TOKENS {
                        toks.push(Token::Redirect(Cow::Borrowed("<<")));
                    }
                    after_operator = false;
                    continue;
                }
                let mut end = i + 1;
                while matches!(bytes.get(end), Some(b'>' | b'&' | b'<' | b'|')) {
                    end += 1;
                }
                // `2>&1`: the fd after `&` belongs to the operator.
                if bytes[end - 1] == b'&' {
                    while matches!(bytes.get(end), Some(b'0'..=b'9' | b'-')) {
                        end += 1;
                    }
                }
                if TOKENS {
                    let op = &text[i..end];
                    toks.push(Token::Redirect(if fd.is_empty() {
                        Cow::Borrowed(op)
                    } else {
                        Cow::Owned(fd.into_owned() + op)
                    }));
                }
                i = end - 1;
            }
            _ if is_word_byte(b) => {
                // The common case: a run of letters, digits and punctuation that means
                // nothing to the shell is copied at once.
                let end = bytes[i..]
                    .iter()
                    .position(|&b| !is_word_byte(b))
                    .map_or(n, |k| i + k);
                word.push_plain(i..end);
                in_word = true;
                after_operator = false;
                i = end;
                continue;
            }
            _ => {
                word.push(c);
                in_word = true;
            }
        }
        if !c.is_whitespace() {
            after_operator = false;
        }
        i += 1;
    }
    if st.single || st.double {
        in_word = false;
        word.take();
    }
    flush(&mut word, &mut in_word, &mut toks);
    st.operator = after_operator;
    (toks, st)
}

/// Environment variables expanded by `text` (outside single quotes), in order of first use.
/// Special parameters (`$1`, `$?`, `$@`...) are not variables a user supplies.
pub fn expanded_vars(text: &str) -> Vec<String> {
    let mut vars: Vec<String> = Vec::new();
    if memchr::memchr(b'$', text.as_bytes()).is_none() {
        // Nothing is expanded without a `$`: most commands need no walk.
        return vars;
    }
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut single = false;
    let mut double = false;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'\\' if !single => {
                i += 2;
                continue;
            }
            b'\'' if !double => single = !single,
            b'"' if !single => double = !double,
            b'#' if !single && !double && (i == 0 || bytes[i - 1].is_ascii_whitespace()) => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'$' if !single => {
                let rest = &text[i + 1..];
                let (name, braced) = if let Some(inner) = rest.strip_prefix('{') {
                    (inner, true)
                } else {
                    (rest, false)
                };
                let len = name
                    .char_indices()
                    .take_while(|(k, ch)| {
                        ch.is_ascii_alphanumeric() && (*k > 0 || !ch.is_ascii_digit()) || *ch == '_'
                    })
                    .count();
                if len > 0 {
                    let var = &name[..len];
                    if !vars.iter().any(|v| v == var) {
                        vars.push(var.to_owned());
                    }
                    i += 1 + len + usize::from(braced);
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    vars
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The shortcut for plain lines gives what lexing them gives.
        #[test]
        fn plain_lines_leave_nothing_open(text in "[A-Za-z0-9 \t_./:,=@%+-]{0,60}") {
            proptest::prop_assert!(text.bytes().all(is_plain));
            proptest::prop_assert_eq!(open_state(&text), lex::<true>(&text, 0).1);
        }
    }

    /// The lexer as it was when it collected a `Vec<char>`: the reference the byte lexer is
    /// checked against.
    fn reference_lex(text: &str) -> (Vec<String>, OpenState) {
        let mut st = OpenState::default();
        let mut toks = Vec::new();
        let mut word = String::new();
        let mut in_word = false;
        let chars: Vec<char> = text.chars().collect();
        let mut i = 0;
        let mut last_significant: Option<&'static str> = None;
        let flush = |word: &mut String, in_word: &mut bool, toks: &mut Vec<String>| {
            if *in_word {
                toks.push(std::mem::take(word));
                *in_word = false;
            }
        };
        while i < chars.len() {
            let c = chars[i];
            if st.single {
                if c == '\'' {
                    st.single = false;
                } else {
                    word.push(c);
                }
                i += 1;
                continue;
            }
            if st.double {
                match c {
                    '"' => st.double = false,
                    '\\' if i + 1 < chars.len() => {
                        let next = chars[i + 1];
                        if matches!(next, '"' | '\\' | '$' | '`') {
                            word.push(next);
                        } else if next != '\n' {
                            word.push('\\');
                            word.push(next);
                        }
                        i += 1;
                    }
                    '$' if chars.get(i + 1) == Some(&'(') => {
                        st.depth += 1;
                        word.push_str("$(");
                        i += 1;
                    }
                    ')' if st.depth > 0 => {
                        st.depth -= 1;
                        word.push(c);
                    }
                    _ => word.push(c),
                }
                i += 1;
                continue;
            }
            match c {
                '\\' => {
                    if i + 1 >= chars.len() {
                        st.backslash = true;
                    } else if chars[i + 1] == '\n' {
                        // Line continuation: joins words, but if it is the last line it stays open.
                        if i + 2 >= chars.len() {
                            st.backslash = true;
                        }
                        i += 1;
                    } else if chars[i + 1] == '\r' && chars.get(i + 2) == Some(&'\n') {
                        i += 2;
                    } else {
                        word.push(chars[i + 1]);
                        in_word = true;
                        i += 1;
                    }
                    i += 1;
                    continue;
                }
                '\'' => {
                    st.single = true;
                    in_word = true;
                }
                '"' => {
                    st.double = true;
                    in_word = true;
                }
                '#' if !in_word => {
                    // A comment runs to the end of the line.
                    while i < chars.len() && chars[i] != '\n' {
                        i += 1;
                    }
                    continue;
                }
                '$' if chars.get(i + 1) == Some(&'(') => {
                    st.depth += 1;
                    word.push_str("$(");
                    in_word = true;
                    i += 2;
                    last_significant = None;
                    continue;
                }
                '(' => {
                    st.depth += 1;
                    if in_word {
                        word.push(c);
                    } else {
                        toks.push("<op (>".into());
                    }
                }
                ')' => {
                    st.depth = st.depth.saturating_sub(1);
                    if in_word && word.contains("$(") {
                        word.push(c);
                    } else {
                        flush(&mut word, &mut in_word, &mut toks);
                        toks.push("<op )>".into());
                    }
                }
                ' ' | '\t' | '\r' => {
                    if st.depth > 0 && in_word {
                        word.push(c);
                    } else {
                        flush(&mut word, &mut in_word, &mut toks);
                    }
                }
                '\n' => {
                    if st.depth > 0 && in_word {
                        word.push(' ');
                    } else {
                        flush(&mut word, &mut in_word, &mut toks);
                        if last_significant.is_none() && !toks.is_empty() {
                            toks.push("<op ;>".into());
                        }
                    }
                }
                '|' | '&' | ';' if st.depth > 0 && in_word => word.push(c),
                '|' | '&' | ';' => {
                    // `2>&1` and `>&2` are redirections, handled under '>'.
                    flush(&mut word, &mut in_word, &mut toks);
                    let mut op = c.to_string();
                    if let Some(&next) = chars.get(i + 1)
                        && ((c == '|' && (next == '|' || next == '&'))
                            || (c == '&' && (next == '&' || next == '>'))
                            || (c == ';' && next == ';'))
                    {
                        op.push(next);
                        i += 1;
                    }
                    if op == "&>" {
                        if chars.get(i + 1) == Some(&'>') {
                            op.push('>');
                            i += 1;
                        }
                        toks.push(format!("<redir {op}>"));
                        last_significant = None;
                        i += 1;
                        continue;
                    }
                    last_significant = match op.as_str() {
                        "|" | "||" | "&&" | "|&" => Some("op"),
                        _ => None,
                    };
                    toks.push(format!("<op {op}>"));
                    i += 1;
                    continue;
                }
                '<' | '>' => {
                    let fd = if in_word
                        && !word.is_empty()
                        && word.chars().all(|d| d.is_ascii_digit())
                    {
                        in_word = false;
                        std::mem::take(&mut word)
                    } else {
                        flush(&mut word, &mut in_word, &mut toks);
                        String::new()
                    };
                    let mut op = format!("{fd}{c}");
                    if c == '<' && chars.get(i + 1) == Some(&'<') && chars.get(i + 2) != Some(&'<')
                    {
                        i += 2;
                        let strip_tabs = chars.get(i) == Some(&'-');
                        if strip_tabs {
                            i += 1;
                        }
                        while chars.get(i).is_some_and(|ch| *ch == ' ' || *ch == '\t') {
                            i += 1;
                        }
                        let mut delim = String::new();
                        let mut quoted = false;
                        while let Some(&ch) = chars.get(i) {
                            if ch.is_whitespace() || matches!(ch, ';' | '|' | '&' | '>' | '<' | ')')
                            {
                                break;
                            }
                            if ch == '\'' || ch == '"' || ch == '\\' {
                                quoted = true;
                            } else {
                                delim.push(ch);
                            }
                            i += 1;
                        }
                        if !delim.is_empty() {
                            st.heredocs.push(Heredoc {
                                delimiter: delim,
                                strip_tabs,
                                quoted,
                            });
                        }
                        toks.push("<redir <<>".into());
                        last_significant = None;
                        continue;
                    }
                    while let Some(&next) = chars.get(i + 1) {
                        if matches!(next, '>' | '&' | '<' | '|') {
                            op.push(next);
                            i += 1;
                        } else {
                            break;
                        }
                    }
                    // `2>&1`: the fd after `&` belongs to the operator.
                    if op.ends_with('&') {
                        while let Some(&d) = chars.get(i + 1) {
                            if d.is_ascii_digit() || d == '-' {
                                op.push(d);
                                i += 1;
                            } else {
                                break;
                            }
                        }
                    }
                    toks.push(format!("<redir {op}>"));
                }
                _ => {
                    word.push(c);
                    in_word = true;
                }
            }
            if !c.is_whitespace() {
                last_significant = None;
            }
            i += 1;
        }
        if st.single || st.double {
            in_word = false;
            word.clear();
        }
        flush(&mut word, &mut in_word, &mut toks);
        st.operator = last_significant.is_some();
        (toks, st)
    }

    fn rendered(tokens: Vec<Token>) -> Vec<String> {
        tokens
            .into_iter()
            .map(|t| match t {
                Token::Word(w) => w.into_owned(),
                Token::Op(o) => format!("<op {o}>"),
                Token::Redirect(r) => format!("<redir {r}>"),
            })
            .collect()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]
        /// The byte lexer gives the tokens and the open state the character lexer gave, and
        /// its state-only mode the same state, on text full of quotes, escapes, operators,
        /// heredocs and non-ASCII (including Unicode spaces).
        #[test]
        fn byte_lexer_matches_the_char_lexer(
            text in "([a-z0-9 \\t\\n\\r'\"`\\\\$(){}|&;<>#=-]|é|€|\u{a0}|\u{3000}|\u{b}|EOF|\\$\\(|'\\$\\('){0,40}"
        ) {
            let (want_tokens, want_state) = reference_lex(&text);
            let (tokens, state) = lex::<true>(&text, 0);
            proptest::prop_assert_eq!(rendered(tokens), want_tokens);
            proptest::prop_assert_eq!(&state, &want_state);
            proptest::prop_assert_eq!(&lex::<false>(&text, 0).1, &want_state);
            // `open_state` starts lexing after the plain bytes that begin the text.
            proptest::prop_assert_eq!(open_state(&text), want_state);
        }
    }

    #[test]
    fn byte_tables_are_their_definitions() {
        for b in 0..=255u8 {
            assert_eq!(
                is_plain(b),
                b.is_ascii_alphanumeric() || b" \t-_./:,=@%+".contains(&b)
            );
            assert_eq!(
                is_word_byte(b),
                b.is_ascii_alphanumeric() || b"-_./:,=@%+{}[]*?!~^".contains(&b)
            );
        }
    }

    fn words(text: &str) -> Vec<String> {
        tokens(text)
            .into_iter()
            .map(|t| match t {
                Token::Word(w) => w.into_owned(),
                Token::Op(o) => format!("<op {o}>"),
                Token::Redirect(r) => format!("<redir {r}>"),
            })
            .collect()
    }

    #[test]
    fn splits_words_operators_and_redirections() {
        assert_eq!(
            words(
                "kubectl logs x -n 'prod ns' | grep -i \"err or\" 2>&1 >/dev/null && echo ok # done"
            ),
            vec![
                "kubectl",
                "logs",
                "x",
                "-n",
                "prod ns",
                "<op |>",
                "grep",
                "-i",
                "err or",
                "<redir 2>&1>",
                "<redir >>",
                "/dev/null",
                "<op &&>",
                "echo",
                "ok"
            ]
        );
    }

    #[test]
    fn command_substitution_stays_one_word() {
        assert_eq!(
            words("docker compose logs > /tmp/pre-$(date +%s).log"),
            vec![
                "docker",
                "compose",
                "logs",
                "<redir >>",
                "/tmp/pre-$(date +%s).log"
            ]
        );
    }

    #[test]
    fn open_state_sees_continuations() {
        assert!(open_state("curl -X POST \\").backslash);
        assert!(open_state("curl -d '{").single);
        assert!(open_state("kubectl get pods |").operator);
        assert!(!open_state("echo 'a|b'").continues());
        assert!(!open_state("ls # trailing \\").continues());
        let st = open_state("cat <<-'EOF' > /tmp/x");
        assert_eq!(
            st.heredocs,
            vec![Heredoc {
                delimiter: "EOF".into(),
                strip_tabs: true,
                quoted: true
            }]
        );
        assert!(open_state("cat <<< \"here string\"").heredocs.is_empty());
    }

    #[test]
    fn finds_expanded_variables_only() {
        assert_eq!(
            expanded_vars(
                "psql -h ${DB_HOST} -U $DB_USER -c 'select $NOT' \"$TOKEN\" $1 $? # $COMMENT"
            ),
            vec!["DB_HOST", "DB_USER", "TOKEN"]
        );
        assert_eq!(expanded_vars("echo ${X:-default} $(date)"), vec!["X"]);
    }
}
