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
    let mut code = text.to_owned();
    for placeholder in placeholders {
        code = code.replace(placeholder.as_str(), "PLACEHOLDER");
    }
    if is_plain_command(&code) {
        return None;
    }
    // Books repeat commands (the same `kubectl` or `psql` line in many runbooks), and what
    // the parser says depends on the text alone, so each thread remembers its answers.
    thread_local! {
        static SEEN: RefCell<HashMap<String, Option<String>>> = RefCell::new(HashMap::new());
    }
    if let Some(known) = SEEN.with_borrow(|seen| seen.get(&code).cloned()) {
        return known;
    }
    let problem = bash_problem(&code);
    SEEN.with_borrow_mut(|seen| {
        // Bounded, for long `lint --watch` sessions: forgetting only costs a parse.
        if seen.len() >= MEMO_LIMIT {
            seen.clear();
        }
        seen.insert(code, problem.clone());
    });
    problem
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

/// True for a command that cannot fail to parse, so the shell parser (the costliest part of
/// linting a large book) can be skipped: one line of plain words (letters, digits and
/// `-_./:,=@%+`) with no reserved word among them, optionally piped into more such commands
/// with single `|`s between non-empty parts. Quotes, `$`, brackets, redirections, `;`, `&`,
/// `\`, `#`, globs and anything else go to the parser. Most commands in runbooks are like
/// this (`kubectl get pods -n prod`), and the property test below checks the claim against
/// the parser.
fn is_plain_command(code: &str) -> bool {
    let plain = |c: char| c.is_ascii_alphanumeric() || " -_./:,=@%+|".contains(c);
    code.chars().all(plain)
        && code.split('|').all(|part| {
            let mut words = part.split(' ').filter(|w| !w.is_empty()).peekable();
            words.peek().is_some() && words.all(|w| !RESERVED.contains(&w))
        })
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
        ] {
            assert!(is_plain_command(code), "{code}");
            assert!(!parser_problem(code), "{code}");
        }
        for code in [
            "", "a |", "| a", "a || b", "a | | b", "if x", "echo 'a'", "a\nb", "a;b",
        ] {
            assert!(!is_plain_command(code), "{code}");
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
                    "[A-Za-z0-9_./:,=@%+-]{1,6}",
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
