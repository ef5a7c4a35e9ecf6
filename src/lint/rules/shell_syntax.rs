//! What it does: parses every command of a shell fence with a real shell parser
//! (brush-parser, a bash grammar) and reports commands that bash would reject: an unclosed
//! quote or `$(`, a dangling `|` or `&&`, a `then` without `fi`, a stray `)`.
//!
//! Why it matters: a command that does not parse fails at the worst moment, when someone
//! pastes it into a terminal during an incident, and a generated plan cannot run it (it is
//! shown as "run by hand" instead). Most often it is a copy that lost a quote or a line.
//!
//! Example:
//! ````markdown
//! ```bash
//! kubectl patch deployment api -p '{"spec":{"replicas":3}}
//! ```
//! ````
//!
//! Use instead:
//! ````markdown
//! ```bash
//! kubectl patch deployment api -p '{"spec":{"replicas":3}}'
//! ```
//! ````
//!
//! Known limits: placeholders (`<REVISION>`, `[POD_NAME]`, `{{ tag }}`) are replaced by a
//! plain word before parsing, since they are meant to be edited; commands typed after a `$ `
//! prompt are checked like any other; bash-only syntax is accepted (the grammar is bash).

use super::super::{Context, Sink};
use crate::model::Runbook;
use crate::source::SourceFile;
use regex::Regex;
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Cursor;
use std::sync::LazyLock;

/// ` at 1,41 (detected near line 1 col 65)`: a position inside the command.
static POSITION: LazyLock<Regex> = LazyLock::new(|| Regex::new(r" at \d+,\d+.*$").unwrap());

pub fn check(
    cx: &Context<'_>,
    idx: usize,
    runbook: &Runbook,
    _source: &SourceFile,
    sink: &mut Sink,
) {
    // Parsing every command of a large book is the costliest rule; the lint runs it for many
    // runbooks at once, on all cores.
    for (step, cmd) in runbook.commands() {
        if let Some(problem) = parse_problem(&cmd.text, &cmd.placeholders) {
            sink.push(
                cx.diag("RB118", idx, step.span, format!("this command does not parse as bash: {problem}"))
                    .with_help("fix the quoting or the missing part; `bash -n` on the command shows the same error"),
            );
        }
    }
}

/// Why `text` is not valid bash, or `None` when it parses.
pub fn parse_problem(text: &str, placeholders: &[String]) -> Option<String> {
    // Borrowed until a placeholder is replaced: most commands have none, and most of those
    // take the shortcut below, so they need no copy at all.
    let mut code = Cow::Borrowed(text);
    for placeholder in placeholders {
        code = Cow::Owned(replace_all(&code, placeholder, "PLACEHOLDER"));
    }
    if is_plain_command(&code) {
        return None;
    }
    // Books repeat commands (the same `kubectl` or `psql` line in many runbooks), and what
    // the parser says depends on the text alone, so each thread remembers its answers.
    thread_local! {
        static SEEN: RefCell<HashMap<String, Option<String>>> = RefCell::new(HashMap::new());
    }
    if let Some(known) = SEEN.with_borrow(|seen| seen.get(code.as_ref()).cloned()) {
        return known;
    }
    let problem = bash_problem(&code);
    SEEN.with_borrow_mut(|seen| {
        // Bounded, for long `lint --watch` sessions: forgetting only costs a parse.
        if seen.len() >= MEMO_LIMIT {
            seen.clear();
        }
        seen.insert(code.into_owned(), problem.clone());
    });
    problem
}

/// `text.replace(from, to)`, with memchr's searcher, which sets up faster than the
/// substring searcher of `replace`; both take the matches from the left, without overlap (a
/// property test checks the two agree). An empty `from` is left to `replace`, which puts
/// `to` between characters, not bytes.
fn replace_all(text: &str, from: &str, to: &str) -> String {
    if from.is_empty() {
        return text.replace(from, to);
    }
    let mut out = String::with_capacity(text.len());
    let mut done = 0;
    for at in memchr::memmem::find_iter(text.as_bytes(), from.as_bytes()) {
        out.push_str(&text[done..at]);
        out.push_str(to);
        done = at + from.len();
    }
    out.push_str(&text[done..]);
    out
}

/// How many answers a thread remembers.
const MEMO_LIMIT: usize = 1 << 16;

/// What the bash parser says about `code`, or `None` when it parses.
fn bash_problem(code: &str) -> Option<String> {
    let mut parser = brush_parser::Parser::builder().build(Cursor::new(code.as_bytes()));
    match parser.parse_program() {
        Ok(_) => None,
        Err(err) => {
            let message = err.to_string();
            let first = message.lines().next().unwrap_or("syntax error").trim();
            // Positions in the message count from the command, not the file: the frame
            // already points at the command, so they are dropped.
            let first = POSITION.replace(first, "");
            Some(if first.trim().is_empty() {
                "syntax error".to_owned()
            } else {
                first.trim().to_owned()
            })
        }
    }
}

/// Words bash reads as grammar when they stand where a command name may.
const RESERVED: &[&str] = &[
    "if", "then", "else", "elif", "fi", "case", "esac", "for", "select", "while", "until", "do",
    "done", "in", "function", "time", "coproc",
];

/// `word` is one of [`RESERVED`]. Compared as bytes: a word starts and ends at an ASCII byte
/// of the command, so it is valid UTF-8 and equal as bytes means equal as text. Every
/// reserved word is 2 to 8 lower-case letters, which turns most words away before any
/// comparison (a property test checks this against the comparison of text).
fn is_reserved(word: &[u8]) -> bool {
    (2..=8).contains(&word.len())
        && word[0].is_ascii_lowercase()
        && RESERVED.iter().any(|r| r.as_bytes() == word)
}

/// True for a command that cannot fail to parse, so the shell parser (the costliest part of
/// linting a large book) can be skipped. Most commands in runbooks are simple commands made
/// of words, joined by `|`, `||`, `&&`, `;` or a final `&`, with plain redirections
/// (`> f`, `2>&1`, `&> f`), spread over lines with `\` continuations. A word is made of
/// plain characters (letters, digits and `-_./:,=@%+~`), single-quoted text, double-quoted
/// text without `\`, backquotes or `$(`, and `$NAME` / `${NAME}`. Anything else (a bare
/// newline, `(`, `{`, globs, `#`, heredocs, a reserved word, an operator with nothing on one
/// side) goes to the parser. The property test below checks the claim against the parser.
fn is_plain_command(code: &str) -> bool {
    Plain {
        b: code.as_bytes(),
        i: 0,
    }
    .program()
    .is_some()
}

/// The scanner of [`is_plain_command`]: `None` as soon as the text leaves the simple shapes.
struct Plain<'a> {
    b: &'a [u8],
    i: usize,
}

impl Plain<'_> {
    fn peek(&self, k: usize) -> Option<u8> {
        self.b.get(self.i + k).copied()
    }

    /// Spaces, tabs and `\`-newline continuations.
    fn blank(&mut self) {
        loop {
            match (self.peek(0), self.peek(1)) {
                (Some(b' ' | b'\t'), _) => self.i += 1,
                (Some(b'\\'), Some(b'\n')) => self.i += 2,
                _ => return,
            }
        }
    }

    /// Commands joined by operators, to the end of the text.
    fn program(&mut self) -> Option<()> {
        loop {
            self.command()?;
            self.blank();
            match (self.peek(0), self.peek(1)) {
                (None, _) => return Some(()),
                (Some(b'|'), Some(b'|')) | (Some(b'&'), Some(b'&')) => self.i += 2,
                (Some(b'|'), Some(b'&')) => return None,
                (Some(b'|'), _) => self.i += 1,
                (Some(b';' | b'&'), Some(b';' | b'&' | b'>')) => return None,
                (Some(b';' | b'&'), _) => {
                    // Separates commands, or ends the last one.
                    self.i += 1;
                    self.blank();
                    if self.peek(0).is_none() {
                        return Some(());
                    }
                }
                _ => return None,
            }
        }
    }

    /// One simple command: words and redirections, at least one word, no reserved word.
    fn command(&mut self) -> Option<()> {
        let mut words = 0;
        loop {
            self.blank();
            match self.peek(0) {
                Some(b'>' | b'<') => self.redirect(true)?,
                Some(b'&') if self.peek(1) == Some(b'>') => {
                    self.i += 1;
                    self.redirect(false)?;
                }
                Some(d) if d.is_ascii_digit() && self.fd_redirect() => self.redirect(true)?,
                Some(_) if self.word_start() => {
                    let start = self.i;
                    self.word()?;
                    if is_reserved(&self.b[start..self.i]) {
                        return None;
                    }
                    words += 1;
                }
                _ => return (words > 0).then_some(()),
            }
        }
    }

    /// Digits right before `>` or `<`: a file descriptor, part of the redirection.
    fn fd_redirect(&mut self) -> bool {
        let digits = self.b[self.i..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if matches!(self.peek(digits), Some(b'>' | b'<')) {
            self.i += digits;
            true
        } else {
            false
        }
    }

    /// `>`, `>>`, `<` (not `<<`), then a word, or `&N` after a single `>` or `<` when `dup`
    /// (`2>&1`; not after `>>` or `&>`).
    fn redirect(&mut self, dup: bool) -> Option<()> {
        let dup = match (self.peek(0), self.peek(1)) {
            (Some(b'>'), Some(b'>')) => {
                self.i += 2;
                false
            }
            (Some(b'<'), Some(b'<' | b'>')) | (Some(b'>'), Some(b'|')) => return None,
            (Some(b'>' | b'<'), _) => {
                self.i += 1;
                dup
            }
            _ => return None,
        };
        if self.peek(0) == Some(b'&') {
            if !dup {
                return None;
            }
            self.i += 1;
            let digits = self.b[self.i..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            if digits == 0 {
                return None;
            }
            self.i += digits;
            return Some(());
        }
        self.blank();
        if !self.word_start() {
            return None;
        }
        self.word()
    }

    fn word_start(&self) -> bool {
        self.peek(0)
            .is_some_and(|b| is_plain_byte(b) || matches!(b, b'\'' | b'"' | b'$'))
    }

    /// Plain characters, quoted text and simple expansions, up to a blank or an operator.
    fn word(&mut self) -> Option<()> {
        loop {
            match self.peek(0) {
                Some(b) if is_plain_byte(b) => {
                    // The whole run at once: most words are nothing else.
                    self.i += self.b[self.i..]
                        .iter()
                        .take_while(|&&b| is_plain_byte(b))
                        .count();
                }
                Some(b'\'') => {
                    let len = self.b[self.i + 1..].iter().position(|&b| b == b'\'')?;
                    self.i += len + 2;
                }
                Some(b'"') => {
                    self.i += 1;
                    loop {
                        match self.peek(0)? {
                            b'"' => break,
                            b'\\' | b'`' => return None,
                            b'$' => self.expansion()?,
                            _ => self.i += 1,
                        }
                    }
                    self.i += 1;
                }
                Some(b'$') => self.expansion()?,
                Some(b' ' | b'\t' | b'|' | b'&' | b';' | b'>' | b'<') | None => return Some(()),
                Some(b'\\') if self.peek(1) == Some(b'\n') => return Some(()),
                Some(_) => return None,
            }
        }
    }

    /// `$NAME` or `${NAME}`.
    fn expansion(&mut self) -> Option<()> {
        self.i += 1;
        let braced = self.peek(0) == Some(b'{');
        if braced {
            self.i += 1;
        }
        let name = self.b[self.i..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count();
        if name == 0 || self.b[self.i].is_ascii_digit() {
            return None;
        }
        self.i += name;
        if braced {
            if self.peek(0) != Some(b'}') {
                return None;
            }
            self.i += 1;
        }
        Some(())
    }
}

/// A byte that stands for itself in a word.
fn is_plain_byte(b: u8) -> bool {
    // `~` too: a tilde is expanded after parsing, and `> ~/x.crt`, `--cert ~/x` were the
    // commonest reason a runbook's command went to the parser.
    static PLAIN: [bool; 256] = crate::parse::shell_lex::byte_table(b"-_./:,=@%+~");
    PLAIN[usize::from(b)]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the parser says, without the shortcut.
    fn parser_problem(code: &str) -> bool {
        let mut parser = brush_parser::Parser::builder().build(Cursor::new(code.as_bytes()));
        parser.parse_program().is_err()
    }

    #[test]
    fn plain_commands_are_recognised() {
        for code in [
            "kubectl get pods -n prod",
            "a | b",
            "x=1 y",
            "curl http://a:80/b",
            "base64 -d > ~/tls-old.crt",
            "kubectl create secret tls x --cert ~/a.crt --key ~/a.key",
        ] {
            assert!(is_plain_command(code), "{code}");
            assert!(!parser_problem(code), "{code}");
        }
        for code in [
            "",
            "a |",
            "| a",
            "a | | b",
            "if x",
            "a\nb",
            "a;;b",
            "echo $(date)",
            "echo \"$(date)\"",
            "cat <<EOF",
            "a >",
            "a 2>&",
            "echo ${1}",
            "ls *.md",
            "{ a; }",
        ] {
            assert!(!is_plain_command(code), "{code}");
        }
        for code in [
            "kubectl patch hpa x -n t -p '{\"spec\":{\"minReplicas\":3}}'",
            "curl -s -H \"Authorization: Bearer $API_TOKEN\" \\\n  http://a:8081/health | jq '.version'",
            "kubectl port-forward pod/x 8081:8081 -n t &",
            "a && b || c; d",
            "pg_dump -d x > /tmp/${NAME}.sql 2>&1",
            "a &> /dev/null",
        ] {
            assert!(is_plain_command(code), "{code}");
            assert!(!parser_problem(code), "{code}");
        }
    }

    use proptest::strategy::Strategy as _;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2048))]

        /// Whatever the shortcut accepts, the parser accepts too.
        #[test]
        fn plain_commands_parse(
            words in proptest::collection::vec(
                proptest::prop_oneof![
                    "[A-Za-z0-9_./:,=@%+~-]{1,6}",
                    proptest::sample::select(RESERVED).prop_map(str::to_owned),
                    proptest::strategy::Just("|".to_owned()),
                ],
                0..8,
            ),
        ) {
            let code = words.join(" ");
            if is_plain_command(&code) {
                proptest::prop_assert!(!parser_problem(&code), "{code}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn replace_all_is_replace(text in "[ab<>é]{0,12}", from in "[ab<>é]{0,3}", to in "[xé]{0,2}") {
            proptest::prop_assert_eq!(replace_all(&text, &from, &to), text.replace(&from, &to));
        }
    }

    proptest::proptest! {
        /// The byte test for reserved words says what the comparison of text said.
        #[test]
        fn reserved_bytes_are_reserved_text(
            word in proptest::prop_oneof![
                "[a-zA-Z0-9_é-]{0,10}",
                proptest::sample::select(RESERVED).prop_map(str::to_owned),
                proptest::sample::select(RESERVED).prop_map(|r| format!("{r}x")),
            ],
        ) {
            proptest::prop_assert_eq!(is_reserved(word.as_bytes()), RESERVED.contains(&word.as_str()), "{}", word);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20000))]

        /// Whatever the shortcut accepts, the parser accepts too, on commands made of the
        /// pieces runbooks use (and pieces the shortcut must turn away).
        #[test]
        fn simple_commands_parse(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    "[A-Za-z0-9_./:,=@%+~-]{1,5}",
                    "~[a-z/+-]{0,3}",
                    "'[a-z {}\"$|&;<>()#*\\\\\n-]{0,5}'",
                    "\"[a-z {}'|&;<>()#*-]{0,4}\"",
                    "\"[a-z ]{0,3}\\$[A-Za-z_][A-Za-z0-9_]{0,3}[a-z ]{0,2}\"",
                    "\"\\$\\{[A-Z_]{1,4}\\}\"",
                    "\\$[A-Za-z_0-9]{1,4}",
                    "\\$\\{[A-Za-z_0-9]{0,4}\\}?",
                    proptest::sample::select(RESERVED).prop_map(str::to_owned),
                    proptest::sample::select(vec![
                        " ", "  ", "|", "||", "&&", "&", ";", ";;", "|&", ">", ">>", "<", "<<",
                        "2>&1", ">&2", "2>", "&>", "&>>", ">|", "<>", "\\\n", "\n", "\\",
                        "(", ")", "{", "}", "`", "#", "*", "!", "$(", "'", "\"", "$", "=", "-",
                    ]).prop_map(str::to_owned),
                ],
                0..10,
            ),
        ) {
            let code = parts.concat();
            if is_plain_command(&code) {
                proptest::prop_assert!(!parser_problem(&code), "{:?}", code);
            }
        }
    }

    #[test]
    fn real_commands_parse_and_broken_ones_do_not() {
        let good = [
            "kubectl get pods -n prod | grep -v Running",
            "for p in $(kubectl get pods -o name); do kubectl delete \"$p\"; done",
            "curl -d '{\n  \"a\": 1\n}' https://x",
            "cat <<'EOF' > /tmp/a\nliteral $HOME\nEOF",
            "if kubectl get ns x; then echo ok; fi",
            "docker inspect api --format='{{.State.Health.Status}}'",
        ];
        for cmd in good {
            assert_eq!(parse_problem(cmd, &[]), None, "{cmd}");
        }
        let bad = [
            "echo 'unclosed",
            "kubectl get pods |",
            "if true; then echo x",
            "echo $(date",
            "echo )",
        ];
        for cmd in bad {
            assert!(parse_problem(cmd, &[]).is_some(), "{cmd} should not parse");
        }
        let placeholder = vec!["<REVISION>".to_owned()];
        assert_eq!(
            parse_problem(
                "kubectl rollout undo deploy/x --to-revision=<REVISION>",
                &placeholder
            ),
            None
        );
    }
}
