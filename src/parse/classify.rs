//! Classifies a shell command: which program it runs, how risky it is, whether it needs a
//! person at a terminal or never ends, and which placeholders and variables it needs.
//! The rules are deliberately conservative: a program we do not know is `mutating`, never
//! `read-only`, because a plan will run it without asking.

use super::regex_ascii::{is_space, is_word};
use super::shell_lex::{Token, expanded_vars, tokens};
use crate::model::Risk;
use regex::Regex;
use std::borrow::Cow;
use std::ops::Range;
use std::sync::LazyLock;

/// What the classifier found in one command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification {
    /// Main program (first of the pipeline).
    pub program: String,
    /// Every program of the pipeline or list.
    pub programs: Vec<String>,
    /// Highest risk of any part.
    pub risk: Risk,
    /// Why that risk, e.g. `kubectl delete`.
    pub risk_reason: String,
    /// Needs a terminal.
    pub interactive: bool,
    /// Never ends by itself.
    pub never_ending: bool,
    /// Placeholders found.
    pub placeholders: Vec<String>,
    /// Variables expanded.
    pub env_vars: Vec<String>,
}

/// A simple command: its words with wrappers (`sudo`, `env`, `timeout`...) removed.
#[derive(Debug, Clone)]
struct Simple<'a> {
    words: Vec<Cow<'a, str>>,
    /// Output redirected to a file (not /dev/null or a descriptor).
    writes_file: bool,
}

/// Classifies `head` (the command without heredoc bodies); `full` is the whole text.
pub fn classify(head: &str, full: &str, literal_heredoc: bool) -> Classification {
    // `{{ release_tag }}` is one placeholder, not three words.
    let words_text = if head.contains("{{") {
        MUSTACHE_SPACES.replace_all(head, "{{$1}}")
    } else {
        std::borrow::Cow::Borrowed(head)
    };
    let mut programs = Vec::new();
    let mut risk = Risk::ReadOnly;
    let mut risk_reason = String::new();
    let mut interactive = false;
    let mut never_ending = false;
    for_each_simple_command(&words_text, |simple| {
        let Some((program, words)) = program_and_words(&simple.words) else {
            return;
        };
        let (r, reason) = simple_risk(&program, words);
        let (r, reason) = if simple.writes_file && r < Risk::Mutating {
            (Risk::Mutating, "writes a file (redirection)".to_owned())
        } else {
            (r, reason)
        };
        if r > risk || (r == risk && risk_reason.is_empty() && r != Risk::ReadOnly) {
            risk = r;
            risk_reason = reason;
        }
        interactive |= is_interactive(&program, words);
        never_ending |= is_never_ending(&program, words);
        programs.push(program);
    });
    let program = programs.first().cloned().unwrap_or_default();
    let vars_text = if literal_heredoc { head } else { full };
    Classification {
        program,
        programs,
        risk,
        risk_reason,
        interactive,
        never_ending,
        placeholders: placeholders(full),
        env_vars: expanded_vars(vars_text),
    }
}

/// Calls `each` with the simple commands of `head`, in order. They are read one at a time,
/// so one list of words serves them all (a list of commands, each with its own list of
/// words, cost allocations for every command).
fn for_each_simple_command<'t>(head: &'t str, mut each: impl FnMut(&Simple<'t>)) {
    let mut current = Simple {
        // Room for the words of most commands: growing from four copied them twice.
        words: Vec::with_capacity(12),
        writes_file: false,
    };
    let mut pending_redirect: Option<Cow<'_, str>> = None;
    for token in tokens(head) {
        match token {
            Token::Word(word) => {
                if let Some(op) = pending_redirect.take() {
                    if (op.contains('>') && word != "/dev/null" && !word.starts_with("/dev/std"))
                        && !op.contains('&')
                    {
                        current.writes_file = true;
                    }
                    continue;
                }
                current.words.push(word);
            }
            Token::Redirect(op) => {
                if op != "<<" && !op.ends_with(|c: char| c.is_ascii_digit() || c == '-') {
                    pending_redirect = Some(op);
                }
            }
            Token::Op(_) => {
                if !current.words.is_empty() {
                    each(&current);
                    current.words.clear();
                }
                current.writes_file = false;
            }
        }
    }
    if !current.words.is_empty() {
        each(&current);
    }
}

/// Programs that prefix another command.
fn strip_wrappers<'w, 'c>(words: &'w [Cow<'c, str>]) -> &'w [Cow<'c, str>] {
    let mut w = words;
    loop {
        // Leading variable assignments: `FOO=bar cmd`.
        while let Some(first) = w.first() {
            if is_assignment(first) {
                w = &w[1..];
            } else {
                break;
            }
        }
        let Some(first) = w.first() else { return w };
        let name = basename(first);
        let skip_options = |mut rest: &'_ [Cow<'_, str>], takes_value: &[&str]| -> usize {
            let mut n = 1;
            rest = &rest[1..];
            while let Some(word) = rest.first() {
                if word == "--" {
                    n += 1;
                    break;
                }
                if !word.starts_with('-') || word == "-" {
                    break;
                }
                let eats = takes_value.contains(&word.as_ref());
                n += 1 + usize::from(eats);
                rest = &rest[(1 + usize::from(eats)).min(rest.len())..];
            }
            n
        };
        let skip = match name {
            "sudo" => skip_options(w, &["-u", "-g", "-C", "-D", "-h", "-p", "-U"]),
            "env" => {
                let mut n = skip_options(w, &["-u", "-C", "-S"]);
                while w.get(n).is_some_and(|x| is_assignment(x)) {
                    n += 1;
                }
                n
            }
            "nohup" | "exec" | "command" | "builtin" | "time" | "stdbuf" => skip_options(w, &[]),
            // Compound commands: the command after the keyword is what runs.
            "while" | "until" | "if" | "then" | "do" | "else" | "elif" | "!" | "{" => 1,
            "nice" => skip_options(w, &["-n"]),
            "timeout" => skip_options(w, &["-s", "-k", "--signal", "--kill-after"]) + 1,
            "xargs" => skip_options(w, &["-I", "-n", "-P", "-d", "-L", "-s", "-E", "-a"]),
            _ => 0,
        };
        if skip == 0 {
            return w;
        }
        w = &w[skip.min(w.len())..];
    }
}

/// `NAME=value`: a name of ASCII letters, digits and `_`, not starting with a digit, then
/// `=`. One pass over the name's bytes: every word before the program is tested.
fn is_assignment(word: &str) -> bool {
    let bytes = word.as_bytes();
    let name_len = bytes
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || b == b'_'))
        .unwrap_or(bytes.len());
    name_len > 0 && bytes.get(name_len) == Some(&b'=') && !bytes[0].is_ascii_digit()
}

fn basename(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// Program name as people say it (`docker compose` for the compose plugin), and the words
/// without their wrappers, which is what [`simple_risk`], [`is_interactive`] and
/// [`is_never_ending`] read: stripping them once serves all three.
fn program_and_words<'w, 'c>(words: &'w [Cow<'c, str>]) -> Option<(String, &'w [Cow<'c, str>])> {
    let w = strip_wrappers(words);
    let first = w.first()?;
    let name = basename(first);
    // Keywords that run nothing by themselves (`for x in ...`, `done`, `fi`).
    if matches!(
        name,
        "for" | "case" | "select" | "done" | "fi" | "esac" | "}" | "function" | "in" | ":"
    ) {
        return None;
    }
    if name == "docker" && w.get(1).is_some_and(|s| s == "compose") {
        return Some(("docker compose".into(), w));
    }
    Some((name.to_owned(), w))
}

/// Words after the program (and after `compose` for `docker compose`) of `words`, which
/// [`program_and_words`] has stripped of wrappers.
fn args_of<'w, 'c>(program: &str, words: &'w [Cow<'c, str>]) -> &'w [Cow<'c, str>] {
    let skip = if program == "docker compose" { 2 } else { 1 };
    &words[skip.min(words.len())..]
}

/// Options that take a separate value, per program family (so `-n prod get` finds `get`).
fn value_options(program: &str) -> &'static [&'static str] {
    match program {
        "kubectl" | "oc" => &[
            "-n",
            "--namespace",
            "-l",
            "--selector",
            "-c",
            "--container",
            "--context",
            "-o",
            "--output",
            "-f",
            "--filename",
            "--kubeconfig",
            "--cluster",
            "--user",
            "-s",
            "--server",
        ],
        "helm" => &[
            "-n",
            "--namespace",
            "-f",
            "--values",
            "--kube-context",
            "--set",
            "--version",
        ],
        "docker" | "docker compose" | "docker-compose" => &[
            "-f",
            "--file",
            "-p",
            "--project-name",
            "--context",
            "-H",
            "--host",
            "--env-file",
        ],
        "git" => &["-C", "-c"],
        "redis-cli" => &[
            "-h",
            "-p",
            "-a",
            "-n",
            "-u",
            "--user",
            "--pass",
            "--pattern",
            "-s",
            "--count",
        ],
        "ssh" => &[
            "-i", "-p", "-l", "-o", "-F", "-J", "-L", "-R", "-D", "-W", "-b", "-c", "-E", "-m",
            "-S",
        ],
        "systemctl" | "journalctl" => &["-u", "--unit", "-H", "--host"],
        _ => &[],
    }
}

/// First non-option words after the program (at most `count`, which is at most three): the
/// subcommand and what follows it.
fn subcommands<'w>(program: &str, args: &'w [Cow<'_, str>], count: usize) -> Subcommands<'w> {
    let takes = value_options(program);
    let mut out = Subcommands {
        words: [""; 3],
        len: 0,
    };
    let count = count.min(out.words.len());
    let mut i = 0;
    while i < args.len() && out.len < count {
        let a: &str = &args[i];
        if a == "--" {
            break;
        }
        if a.starts_with('-') {
            i += if takes.contains(&a) { 2 } else { 1 };
            continue;
        }
        out.words[out.len] = a;
        out.len += 1;
        i += 1;
    }
    out
}

/// Up to three words, kept in place: every command asks for one to three subcommand words,
/// and a list on the heap for them cost an allocation per command.
struct Subcommands<'w> {
    words: [&'w str; 3],
    len: usize,
}

impl<'w> std::ops::Deref for Subcommands<'w> {
    type Target = [&'w str];

    fn deref(&self) -> &[&'w str] {
        &self.words[..self.len]
    }
}

/// `--flag=value` → `value` (without allocating: this runs for every word of every command).
fn flag_value<'a>(arg: &'a str, flag: &str) -> Option<&'a str> {
    arg.strip_prefix(flag)?.strip_prefix('=')
}

/// One of `flags` (each starting with `-`) is in `args`, or `--flag=value` for a long one.
fn has_flag(args: &[Cow<'_, str>], flags: &[&str]) -> bool {
    debug_assert!(flags.iter().all(|f| f.starts_with('-')));
    // A word that does not start with `-` (most of them) is neither a flag nor a
    // `--flag=value`: one byte test spares it the comparisons with every flag.
    args.iter().filter(|a| a.starts_with('-')).any(|a| {
        flags
            .iter()
            .any(|f| a == f || (f.starts_with("--") && flag_value(a, f).is_some()))
    })
}

/// Short options bundled like `-it` or `-ti` contain `letter`.
fn has_short(args: &[Cow<'_, str>], letter: char) -> bool {
    args.iter().any(|a| {
        a.starts_with('-')
            && !a.starts_with("--")
            && a.len() > 1
            && a[1..].chars().all(|c| c.is_ascii_alphabetic())
            && a[1..].contains(letter)
    })
}

fn option_value<'a>(args: &'a [Cow<'_, str>], names: &[&str]) -> Option<&'a str> {
    for (i, a) in args.iter().enumerate() {
        for name in names {
            if a == name {
                return args.get(i + 1).map(|v| v.as_ref());
            }
            if let Some(v) = flag_value(a, name) {
                return Some(v);
            }
        }
    }
    None
}

/// `parts` one after the other: what `format!` gives for them, without its formatting
/// machinery (a risk reason is made for nearly every command).
fn concat(parts: &[&str]) -> String {
    parts.concat()
}

fn destructive(reason: impl Into<String>) -> (Risk, String) {
    (Risk::Destructive, reason.into())
}
fn mutating(reason: impl Into<String>) -> (Risk, String) {
    (Risk::Mutating, reason.into())
}
fn read_only() -> (Risk, String) {
    (Risk::ReadOnly, String::new())
}

/// Risk of SQL text: DROP/DELETE/TRUNCATE destroy, other writes mutate.
pub fn sql_risk(sql: &str) -> Option<(Risk, String)> {
    // On ASCII text the regex's `\b`, `\w`, `\s` and `(?i)` are ASCII rules, which
    // `sql_write_ascii` follows by hand: the regex (costly to build and to run) is then only
    // needed for other text.
    let head: Cow<'static, str> = if sql.is_ascii() {
        Cow::Borrowed(sql_write_ascii(sql.as_bytes())?)
    } else {
        Cow::Owned(sql_write_by_regex(sql)?)
    };
    Some(match head.as_ref() {
        "DROP" | "TRUNCATE" | "DELETE" => destructive(format!("SQL {head}")),
        _ => mutating(format!("SQL {head}")),
    })
}

/// The first word, in upper case, of the first match of [`SQL_WRITE`] in `sql`.
fn sql_write_by_regex(sql: &str) -> Option<String> {
    // The group is the whole match (`\b` matches no text): `find` gives it without the
    // cost of resolving captures.
    let word = SQL_WRITE.find(sql)?.as_str().to_ascii_uppercase();
    Some(word.split_whitespace().next().unwrap_or("").to_owned())
}

/// SQL that writes. `COPY table FROM` (and psql's `\copy`) loads rows; `COPY (query) TO`
/// only reads. [`sql_write_ascii`] must find what this finds on ASCII text.
static SQL_WRITE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(drop|truncate|delete\s+from|delete\b|insert\s+into|update\s+\w+\s+set|alter|create|grant|revoke|vacuum\s+full|copy\s+[\w.]+(?:\s*\([^)]*\))?\s+from)\b").unwrap()
});

/// [`sql_write_by_regex`] on ASCII text, by hand: the keyword (upper case) of the write
/// that starts first. Every alternative of the regex starts with a letter, so a match
/// starts where a word starts; at one start all alternatives that can match share their
/// first word, so which one the regex prefers makes no difference.
fn sql_write_ascii(sql: &[u8]) -> Option<&'static str> {
    (0..sql.len())
        .filter(|&at| is_word(sql[at]) && (at == 0 || !is_word(sql[at - 1])))
        .find_map(|at| sql_write_at(sql, at))
}

/// The write that starts at byte `at` (a word start) of ASCII `sql`, if one does.
fn sql_write_at(sql: &[u8], at: usize) -> Option<&'static str> {
    let text = SqlText(sql);
    // Most words start with none of the keywords' first letters.
    let (keyword, after): (&'static str, usize) = match sql[at].to_ascii_lowercase() {
        b'd' => ["DROP", "DELETE"]
            .into_iter()
            .find_map(|k| Some((k, text.keyword(at, k)?)))?,
        b't' => ("TRUNCATE", text.keyword(at, "TRUNCATE")?),
        b'i' => ("INSERT", text.keyword(at, "INSERT")?),
        b'u' => ("UPDATE", text.keyword(at, "UPDATE")?),
        b'a' => ("ALTER", text.keyword(at, "ALTER")?),
        b'c' => ["CREATE", "COPY"]
            .into_iter()
            .find_map(|k| Some((k, text.keyword(at, k)?)))?,
        b'g' => ("GRANT", text.keyword(at, "GRANT")?),
        b'r' => ("REVOKE", text.keyword(at, "REVOKE")?),
        b'v' => ("VACUUM", text.keyword(at, "VACUUM")?),
        _ => return None,
    };
    let found = match keyword {
        // `delete\s+from` or `delete\b`: the second needs no more than the first.
        "DROP" | "TRUNCATE" | "DELETE" | "ALTER" | "CREATE" | "GRANT" | "REVOKE" => {
            text.ends_word(after)
        }
        "INSERT" => text.spaces_then_word(after, "INTO"),
        "UPDATE" => {
            // `\w+` can only end where `\s+` starts: it takes the whole run.
            text.spaces(after)
                .map(|name| text.run(name, is_word))
                .filter(|&(name, end)| end > name)
                .is_some_and(|(_, end)| text.spaces_then_word(end, "SET"))
        }
        "VACUUM" => text.spaces_then_word(after, "FULL"),
        "COPY" => text
            .spaces(after)
            .is_some_and(|name| copy_from(&text, name)),
        _ => false,
    };
    found.then_some(keyword)
}

/// `[\w.]+(?:\s*\([^)]*\))?\s+from\b` at byte `name` of `text`.
fn copy_from(text: &SqlText<'_>, name: usize) -> bool {
    // `[\w.]+` can only end where `\s` or `(` follows: it takes the whole run.
    let (_, end) = text.run(name, |b| is_word(b) || b == b'.');
    if end == name {
        return false;
    }
    // With the column list, if there is one (`[^)]*` ends at the first `)`), then without.
    let (_, open) = text.run(end, is_space);
    let with_columns = text.0.get(open) == Some(&b'(')
        && memchr::memchr(b')', &text.0[open + 1..])
            .is_some_and(|close| text.spaces_then_word(open + 1 + close + 1, "FROM"));
    with_columns || text.spaces_then_word(end, "FROM")
}

/// ASCII SQL text, read as the regex `SQL_WRITE` reads it.
struct SqlText<'a>(&'a [u8]);

impl SqlText<'_> {
    /// `keyword` (upper case) at `at`, in any case: the index after it.
    fn keyword(&self, at: usize, keyword: &str) -> Option<usize> {
        let end = at + keyword.len();
        self.0
            .get(at..end)
            .is_some_and(|w| w.eq_ignore_ascii_case(keyword.as_bytes()))
            .then_some(end)
    }

    /// `\b` after a word character.
    fn ends_word(&self, at: usize) -> bool {
        self.0.get(at).is_none_or(|&b| !is_word(b))
    }

    /// The run of bytes from `at` for which `class` holds: (`at`, its end).
    fn run(&self, at: usize, class: impl Fn(u8) -> bool) -> (usize, usize) {
        let len = self.0[at.min(self.0.len())..]
            .iter()
            .take_while(|&&b| class(b))
            .count();
        (at, at + len)
    }

    /// `\s+` at `at`: the index after it.
    fn spaces(&self, at: usize) -> Option<usize> {
        let (_, end) = self.run(at, is_space);
        (end > at).then_some(end)
    }

    /// `\s+keyword\b` at `at`.
    fn spaces_then_word(&self, at: usize, keyword: &str) -> bool {
        self.spaces(at)
            .and_then(|word| self.keyword(word, keyword))
            .is_some_and(|end| self.ends_word(end))
    }
}

/// The risk of a simple command; `words` without wrappers, as [`program_and_words`] gives them.
fn simple_risk(program: &str, words: &[Cow<'_, str>]) -> (Risk, String) {
    let args = args_of(program, words);
    // Flags that are destructive whatever the program.
    if has_flag(args, &["--force", "--grace-period=0", "--now"])
        && program != "curl"
        && let Some(flag) = args
            .iter()
            .find(|a| a.starts_with("--force") || *a == "--grace-period=0" || *a == "--now")
    {
        return destructive(format!("{program} {flag}"));
    }
    match program {
        "kubectl" | "oc" => kubectl_risk(program, args),
        "docker" | "docker compose" | "docker-compose" | "podman" => docker_risk(program, args),
        "helm" => {
            let sub = subcommands(program, args, 1);
            match sub.first().copied() {
                Some("uninstall" | "delete" | "del") => destructive(format!("helm {}", sub[0])),
                Some(
                    "list" | "ls" | "status" | "history" | "get" | "show" | "template" | "search"
                    | "version" | "lint" | "diff",
                )
                | None => read_only(),
                Some(s) => mutating(format!("helm {s}")),
            }
        }
        "rm" | "rmdir" | "shred" | "dropdb" | "wipefs" | "mkfs" | "dd" => destructive(program),
        "kill" => {
            if args
                .iter()
                .any(|a| matches!(a.as_ref(), "-9" | "-KILL" | "-SIGKILL" | "-s9"))
                || has_flag(args, &["-s"])
                    && option_value(args, &["-s"]).is_some_and(|s| s.contains("KILL"))
            {
                destructive("kill -9")
            } else {
                mutating("kill")
            }
        }
        "pkill" | "killall" => destructive(program),
        "reboot" | "shutdown" | "halt" | "poweroff" => destructive(program),
        "psql" | "mysql" | "sqlite3" | "cockroach" => {
            let sql = option_value(args, &["-c", "--command", "-e", "--execute"]).unwrap_or("");
            sql_risk(sql).unwrap_or_else(|| {
                if has_flag(args, &["-f", "--file"]) {
                    mutating(format!("{program} -f runs a script"))
                } else {
                    read_only()
                }
            })
        }
        "redis-cli" => {
            let cmd = subcommands(program, args, 1);
            match cmd.first().map(|c| c.to_ascii_uppercase()).as_deref() {
                Some("FLUSHALL" | "FLUSHDB" | "DEL" | "UNLINK") => {
                    destructive(format!("redis-cli {}", cmd[0]))
                }
                Some(
                    "SET" | "EXPIRE" | "HSET" | "CONFIG" | "INCR" | "DECR" | "LPUSH" | "RPUSH"
                    | "LPOP" | "RPOP" | "LMOVE" | "RPOPLPUSH" | "SHUTDOWN",
                ) => mutating(format!("redis-cli {}", cmd[0])),
                _ => read_only(),
            }
        }
        "curl" | "wget" | "http" | "https" => {
            let method = option_value(args, &["-X", "--request"]).map(str::to_ascii_uppercase);
            match method.as_deref() {
                Some("DELETE") => destructive(format!("{program} -X DELETE")),
                Some("POST" | "PUT" | "PATCH") => {
                    mutating(format!("{program} -X {}", method.unwrap_or_default()))
                }
                _ if has_flag(
                    args,
                    &[
                        "-d",
                        "--data",
                        "--data-raw",
                        "--data-binary",
                        "--data-urlencode",
                        "-F",
                        "--form",
                        "-T",
                        "--upload-file",
                    ],
                ) =>
                {
                    if has_flag(args, &["--data-urlencode"]) && has_flag(args, &["-G", "--get"])
                        || args.iter().any(|a| a.contains("/api/v1/query"))
                    {
                        read_only()
                    } else {
                        mutating(format!("{program} sends data"))
                    }
                }
                _ if program == "wget" && !has_flag(args, &["-O-", "-qO-", "--spider"]) => {
                    mutating("wget writes a file")
                }
                _ => read_only(),
            }
        }
        "git" => {
            let sub = subcommands(program, args, 1);
            match sub.first().copied() {
                Some("reset") if has_flag(args, &["--hard"]) => destructive("git reset --hard"),
                Some("clean") => destructive("git clean"),
                Some("push") if has_flag(args, &["-f", "--force", "--force-with-lease"]) => {
                    destructive("git push --force")
                }
                Some(
                    "status" | "log" | "diff" | "show" | "fetch" | "branch" | "describe"
                    | "rev-parse" | "ls-files" | "blame" | "grep" | "remote",
                )
                | None => read_only(),
                Some(s) => mutating(concat(&["git ", s])),
            }
        }
        "systemctl" | "service" => {
            let sub = subcommands(program, args, 2);
            let verb = if program == "service" {
                sub.get(1).copied()
            } else {
                sub.first().copied()
            };
            match verb {
                Some(
                    "status" | "is-active" | "is-enabled" | "list-units" | "show" | "cat"
                    | "is-failed",
                )
                | None => read_only(),
                Some("stop" | "disable" | "mask" | "kill") => {
                    destructive(format!("{program} {}", verb.unwrap_or_default()))
                }
                Some(v) => mutating(concat(&[program, " ", v])),
            }
        }
        "pg_ctl" | "pg_ctlcluster" => {
            let sub = subcommands(program, args, 1);
            match sub.first().copied() {
                Some("status") | None => read_only(),
                Some("stop" | "kill") => destructive(format!("pg_ctl {}", sub[0])),
                Some(s) => mutating(format!("pg_ctl {s}")),
            }
        }
        "aws" | "gcloud" | "az" => {
            let joined = args.join(" ");
            if ["delete", "terminate", "remove", "destroy", "purge"]
                .iter()
                .any(|w| joined.contains(w))
            {
                destructive(format!("{program} delete"))
            } else if ["describe", "list", "get", " show", "ls"]
                .iter()
                .any(|w| joined.contains(w))
            {
                read_only()
            } else {
                mutating(program)
            }
        }
        "terraform" => {
            let sub = subcommands(program, args, 1);
            match sub.first().copied() {
                Some("destroy") => destructive("terraform destroy"),
                Some(
                    "plan" | "show" | "validate" | "fmt" | "output" | "state" | "version" | "init",
                )
                | None => read_only(),
                Some(s) => mutating(format!("terraform {s}")),
            }
        }
        "truncate" => destructive("truncate"),
        "ssh" => {
            // `ssh host cmd...` runs `cmd` remotely: it is as risky as `cmd`.
            let remote = ssh_remote_command(args);
            match program_and_words(remote) {
                Some((inner, words)) => {
                    let (risk, why) = simple_risk(&inner, words);
                    (
                        risk,
                        if why.is_empty() {
                            why
                        } else {
                            format!("ssh: {why}")
                        },
                    )
                }
                None => read_only(),
            }
        }
        "mv" | "cp" | "tee" | "chmod" | "chown" | "ln" | "mkdir" | "touch" | "tar" | "sed"
            if program != "sed"
                || has_flag(args, &["-i"])
                || args.iter().any(|a| a.starts_with("-i")) =>
        {
            mutating(program)
        }
        _ if is_read_only_program(program) => read_only(),
        _ => mutating(concat(&[program, " (unknown program)"])),
    }
}

/// Programs that only read or print, sorted (byte order) for a binary search: a program
/// that no rule above names is looked up here.
const READ_ONLY_PROGRAMS: &[&str] = &[
    "[",
    "[[",
    "ab",
    "amtool",
    "awk",
    "base64",
    "basename",
    "case",
    "cat",
    "cd",
    "column",
    "curlie",
    "cut",
    "date",
    "df",
    "diff",
    "dig",
    "dirname",
    "dmesg",
    "do",
    "done",
    "du",
    "echo",
    "egrep",
    "else",
    "emacs",
    "env",
    "esac",
    "export",
    "false",
    "fgrep",
    "fi",
    "file",
    "find",
    "fold",
    "for",
    "free",
    "gdb",
    "getent",
    "grep",
    "head",
    "hey",
    "host",
    "hostname",
    "htop",
    "httpie",
    "id",
    "if",
    "iftop",
    "iostat",
    "iotop",
    "jmap",
    "journalctl",
    "jq",
    "jstack",
    "k9s",
    "kubectx",
    "kubens",
    "kubeseal",
    "less",
    "ll",
    "ls",
    "lsof",
    "ltrace",
    "man",
    "md5sum",
    "more",
    "mpstat",
    "mtr",
    "mysqldump",
    "nano",
    "nc",
    "ncat",
    "nethogs",
    "netstat",
    "nl",
    "nslookup",
    "open",
    "openssl",
    "pg_dump",
    "pg_dumpall",
    "pg_isready",
    "pgrep",
    "pidof",
    "ping",
    "printenv",
    "printf",
    "promtool",
    "ps",
    "pstack",
    "pwd",
    "read",
    "realpath",
    "redis-benchmark",
    "rg",
    "sar",
    "sed",
    "set",
    "sha256sum",
    "sleep",
    "sort",
    "source",
    "ss",
    "stat",
    "stern",
    "strace",
    "strings",
    "tac",
    "tail",
    "tcpdump",
    "telnet",
    "test",
    "then",
    "time",
    "top",
    "tr",
    "traceroute",
    "tree",
    "true",
    "uname",
    "uniq",
    "until",
    "uptime",
    "vi",
    "view",
    "vim",
    "vmstat",
    "watch",
    "wc",
    "which",
    "while",
    "whoami",
    "wrk",
    "xdg-open",
    "xxd",
    "yq",
    "zcat",
    "zgrep",
];

fn is_read_only_program(name: &str) -> bool {
    READ_ONLY_PROGRAMS.binary_search(&name).is_ok()
}

/// The words of the remote command of `ssh [options] host command...`.
fn ssh_remote_command<'w, 'c>(args: &'w [Cow<'c, str>]) -> &'w [Cow<'c, str>] {
    after_options_and_operand(args, value_options("ssh"))
}

/// The words after `args`' leading options (one in `takes_value` also takes the word after
/// it) and the one operand that follows them: ssh's host, exec's container.
fn after_options_and_operand<'w, 'c>(
    args: &'w [Cow<'c, str>],
    takes_value: &[&str],
) -> &'w [Cow<'c, str>] {
    let mut i = 0;
    while let Some(option) = args.get(i).filter(|a| a.starts_with('-')) {
        i += if takes_value.contains(&option.as_ref()) {
            2
        } else {
            1
        };
    }
    &args[(i + 1).min(args.len())..]
}

fn kubectl_risk(program: &str, args: &[Cow<'_, str>]) -> (Risk, String) {
    let sub = subcommands(program, args, 3);
    let verb = sub.first().copied().unwrap_or("");
    let reason = |what: &str| concat(&[program, " ", what]);
    match verb {
        "delete" | "drain" | "replace" if verb != "replace" || has_flag(args, &["--force"]) => {
            destructive(reason(verb))
        }
        "scale" => {
            let replicas = option_value(args, &["--replicas"]);
            if replicas == Some("0") {
                destructive(reason("scale --replicas=0"))
            } else {
                mutating(reason("scale"))
            }
        }
        "rollout" => match sub.get(1).copied() {
            Some("status" | "history") => read_only(),
            Some(s) => mutating(reason(&format!("rollout {s}"))),
            None => read_only(),
        },
        "get" | "describe" | "logs" | "log" | "top" | "explain" | "api-resources"
        | "api-versions" | "version" | "cluster-info" | "events" | "wait" | "diff" | "auth"
        | "port-forward" | "proxy" | "" => read_only(),
        "config" => match sub.get(1).copied() {
            Some("view" | "get-contexts" | "current-context" | "get-clusters") => read_only(),
            _ => mutating(reason("config")),
        },
        "exec" | "run" | "debug" | "attach" | "cp" => {
            // The risk of `kubectl exec pod -- cmd` is at least that of `cmd`.
            let inner = args
                .iter()
                .position(|a| a == "--")
                .map_or(&args[..0], |dashes| &args[dashes + 1..]);
            let inner_risk = program_and_words(inner).map(|(p, words)| simple_risk(&p, words));
            match inner_risk {
                Some((Risk::Destructive, why)) => destructive(format!("{} ({why})", reason(verb))),
                _ if verb == "exec"
                    && inner.first().is_some_and(|p| {
                        is_read_only_program(basename(p)) && !matches!(basename(p), "vim" | "vi")
                    }) =>
                {
                    read_only()
                }
                _ => mutating(reason(verb)),
            }
        }
        other => mutating(reason(other)),
    }
}

fn docker_risk(program: &str, args: &[Cow<'_, str>]) -> (Risk, String) {
    let sub = subcommands(program, args, 2);
    let verb = sub.first().copied().unwrap_or("");
    let reason = |what: &str| concat(&[program, " ", what]);
    match verb {
        "kill" | "rm" | "rmi" | "prune" => destructive(reason(verb)),
        "down" if has_flag(args, &["-v", "--volumes", "--rmi"]) => {
            destructive(reason("down --volumes"))
        }
        "down" => destructive(reason("down")),
        "system" | "volume" | "image" | "container" | "network"
            if matches!(sub.get(1).copied(), Some("prune" | "rm" | "remove")) =>
        {
            destructive(reason(&format!("{verb} {}", sub[1])))
        }
        "ps" | "logs" | "stats" | "inspect" | "images" | "config" | "top" | "version" | "info"
        | "events" | "port" | "ls" | "history" | "search" | "diff" | "" => read_only(),
        "exec" => {
            let w = exec_command(args, verb);
            match program_and_words(w).map(|(p, words)| simple_risk(&p, words)) {
                Some((Risk::Destructive, why)) => {
                    destructive(format!("{} ({why})", reason("exec")))
                }
                Some((Risk::ReadOnly, _)) => read_only(),
                _ => mutating(reason("exec")),
            }
        }
        other => mutating(reason(other)),
    }
}

/// The command `docker exec` / `docker compose exec` runs: the words after `verb`, its
/// options and the container (or service). The command keeps its own options: `psql -c
/// "DROP ..."` is as risky run in a container as outside one.
fn exec_command<'w, 'c>(args: &'w [Cow<'c, str>], verb: &str) -> &'w [Cow<'c, str>] {
    const TAKES_VALUE: &[&str] = &[
        "-e",
        "--env",
        "--env-file",
        "-u",
        "--user",
        "-w",
        "--workdir",
        "--detach-keys",
        "--index",
    ];
    match args.iter().position(|a| *a == verb) {
        Some(at) => after_options_and_operand(&args[at + 1..], TAKES_VALUE),
        None => &args[..0],
    }
}

/// `words` without wrappers, as [`program_and_words`] gives them.
fn is_interactive(program: &str, words: &[Cow<'_, str>]) -> bool {
    let args = args_of(program, words);
    match program {
        "vim" | "vi" | "nano" | "emacs" | "less" | "more" | "top" | "htop" | "man" | "k9s"
        | "view" | "iftop" | "nethogs" => true,
        "kubectl" | "oc" | "docker" | "podman" => {
            let sub = subcommands(program, args, 1);
            match sub.first().copied() {
                Some("exec" | "run" | "attach" | "debug") => {
                    let before_dashdash = args
                        .iter()
                        .position(|a| a == "--")
                        .map_or(args, |dashes| &args[..dashes]);
                    has_short(before_dashdash, 't') || has_flag(before_dashdash, &["--tty"])
                }
                Some("edit") => true,
                _ => false,
            }
        }
        "docker compose" | "docker-compose" => false,
        "psql" => {
            !has_flag(args, &["-c", "--command", "-f", "--file", "-l", "--list"])
                && !args.iter().any(|a| a.starts_with("-c") && a.len() > 2)
        }
        "mysql" => !has_flag(args, &["-e", "--execute"]),
        "redis-cli" => {
            subcommands(program, args, 1).is_empty()
                && !has_flag(args, &["--scan", "--stat", "--bigkeys", "--latency"])
        }
        "mongo" | "mongosh" => !has_flag(args, &["--eval"]),
        "bash" | "sh" | "zsh" => args.is_empty(),
        "ssh" => ssh_remote_command(args).is_empty(),
        "read" => true,
        "git" => has_flag(args, &["-i", "--interactive", "-p", "--patch"]),
        _ => false,
    }
}

/// `words` without wrappers, as [`program_and_words`] gives them.
fn is_never_ending(program: &str, words: &[Cow<'_, str>]) -> bool {
    let args = args_of(program, words);
    match program {
        "watch" | "top" | "htop" | "stern" | "iftop" => true,
        "tail" => has_flag(args, &["-f", "-F", "--follow"]),
        "journalctl" => has_flag(args, &["-f", "--follow"]),
        "kubectl" | "oc" => {
            let sub = subcommands(program, args, 1);
            match sub.first().copied() {
                Some("logs" | "log") => has_flag(args, &["-f", "--follow"]),
                Some("get" | "events") => has_flag(args, &["-w", "--watch", "--watch-only"]),
                Some("port-forward" | "proxy") => true,
                _ => false,
            }
        }
        "docker" | "docker compose" | "docker-compose" | "podman" => {
            let sub = subcommands(program, args, 1);
            match sub.first().copied() {
                Some("logs") => has_flag(args, &["-f", "--follow"]),
                Some("stats") => !has_flag(args, &["--no-stream"]),
                Some("events") => true,
                Some("up") => program != "docker" && !has_flag(args, &["-d", "--detach", "--wait"]),
                _ => false,
            }
        }
        "ping" => !has_flag(args, &["-c"]),
        _ => false,
    }
}

static MUSTACHE_SPACES: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}").unwrap());

static PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?P<angle><[A-Za-z][A-Za-z0-9_.-]*>)",
        r"|(?P<mustache>\{\{\s*[A-Za-z_][A-Za-z0-9_.]*\s*\}\})",
        r"|(?P<bracket>\[[A-Z][A-Z0-9_]+\])",
        r"|(?P<your>\b(?:YOUR|your)[-_][A-Za-z0-9_-]+)",
        r"|(?P<xs>[A-Za-z0-9_.-]*(?:xxx|XXX)[A-Za-z0-9_.-]*)",
    ))
    .unwrap()
});

/// Placeholders in a command, in order of first appearance.
pub fn placeholders(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut keep = |at: Range<usize>| {
        // `<<EOF` is a heredoc, not a placeholder; `[[ -f x ]]` is a test.
        if text[at.clone()].starts_with('<') && text[..at.start].ends_with('<') {
            return;
        }
        let found = &text[at];
        if !out.iter().any(|seen| seen == found) {
            out.push(found.to_owned());
        }
    };
    if text.is_ascii() {
        // On ASCII text the regex's `\b` and `\s` are ASCII rules, which
        // `PlaceholderScan` follows by hand: the regex is only needed for other text.
        PlaceholderScan::new(text.as_bytes()).for_each(&mut keep);
    } else {
        // Only the whole match is used: `find_iter` finds the same matches without the cost
        // of resolving capture groups.
        PLACEHOLDER.find_iter(text).for_each(|m| keep(m.range()));
    }
    out
}

/// The matches of [`PLACEHOLDER`] in ASCII text, found by hand as the regex finds them: the
/// match that starts first, and at one start the first alternative (in the regex's order)
/// that matches; then on after the match.
struct PlaceholderScan<'a> {
    text: &'a [u8],
    at: usize,
    /// Where the last look for `xxx` or `XXX` began, and the first found after it.
    triple: Option<(usize, Option<usize>)>,
}

impl<'a> PlaceholderScan<'a> {
    fn new(text: &'a [u8]) -> Self {
        Self {
            text,
            at: 0,
            triple: None,
        }
    }

    /// The end of the run of bytes from `at` for which `class` holds.
    fn run_end(&self, at: usize, class: impl Fn(u8) -> bool) -> usize {
        at + self.text[at.min(self.text.len())..]
            .iter()
            .take_while(|&&b| class(b))
            .count()
    }

    /// The first `xxx` or `XXX` at or after `from`. Looks are remembered: `from` only grows.
    fn triple_from(&mut self, from: usize) -> Option<usize> {
        if let Some((looked_from, found)) = self.triple
            && looked_from <= from
            && found.is_none_or(|q| q >= from)
        {
            return found;
        }
        let mut at = from;
        let found = loop {
            let Some(k) = self
                .text
                .get(at..)
                .and_then(|rest| memchr::memchr2(b'x', b'X', rest))
            else {
                break None;
            };
            let q = at + k;
            let x = self.text[q];
            if self.text.get(q + 1..q + 3) == Some(&[x, x][..]) {
                break Some(q);
            }
            at = q + 1;
        };
        self.triple = Some((from, found));
        found
    }

    /// The first match of the `xs` alternative at or after `from`: the run of its characters
    /// that holds the first `xxx` (or `XXX`), from `from` at the earliest.
    fn xs_from(&mut self, from: usize) -> Option<Range<usize>> {
        let q = self.triple_from(from)?;
        let mut start = q;
        while start > from && is_xs_byte(self.text[start - 1]) {
            start -= 1;
        }
        Some(start..self.run_end(q, is_xs_byte))
    }

    /// The end of the match of an alternative other than `xs` that starts at `at`.
    fn other_match_at(&self, at: usize) -> Option<usize> {
        match self.text[at] {
            b'<' => self.angle(at),
            b'{' => self.mustache(at),
            b'[' => self.bracket(at),
            b'y' | b'Y' => self.your(at),
            _ => None,
        }
    }

    /// The first `<`, `{` or `[` (which start the angle, mustache and bracket alternatives)
    /// in `at..last`.
    fn bracket_from(&self, at: usize, last: usize) -> Option<usize> {
        memchr::memchr3(b'<', b'{', b'[', &self.text[at..last]).map(|k| at + k)
    }

    /// The next match from `from`: one of the other alternatives where one starts before the
    /// `xs` match, or at the same byte (they come first in the regex), else the `xs` match.
    fn next_from(&mut self, from: usize) -> Option<Range<usize>> {
        let xs = self.xs_from(from);
        let last = xs.as_ref().map_or(self.text.len(), |m| m.start + 1);
        // memchr's vectorised scans skip the bytes no alternative starts with: the next
        // `<`, `{` or `[`, and before it each `y` or `Y` (which may start `your`).
        let mut bracket = self.bracket_from(from, last);
        let mut at = from;
        loop {
            let until = bracket.unwrap_or(last);
            let start = match memchr::memchr2(b'y', b'Y', &self.text[at..until]) {
                Some(k) => at + k,
                None => match bracket {
                    Some(start) => start,
                    None => break,
                },
            };
            if let Some(end) = self.other_match_at(start) {
                return Some(start..end);
            }
            at = start + 1;
            if bracket == Some(start) {
                bracket = self.bracket_from(at, last);
            }
        }
        xs
    }

    /// `<[A-Za-z][A-Za-z0-9_.-]*>`.
    fn angle(&self, at: usize) -> Option<usize> {
        if !self.text.get(at + 1)?.is_ascii_alphabetic() {
            return None;
        }
        let end = self.run_end(at + 2, |b| is_word(b) || b == b'.' || b == b'-');
        (self.text.get(end) == Some(&b'>')).then_some(end + 1)
    }

    /// `\{\{\s*[A-Za-z_][A-Za-z0-9_.]*\s*\}\}`.
    fn mustache(&self, at: usize) -> Option<usize> {
        if self.text.get(at + 1) != Some(&b'{') {
            return None;
        }
        let name = self.run_end(at + 2, is_space);
        let first = *self.text.get(name)?;
        if !(first.is_ascii_alphabetic() || first == b'_') {
            return None;
        }
        let name_end = self.run_end(name + 1, |b| is_word(b) || b == b'.');
        let close = self.run_end(name_end, is_space);
        (self.text.get(close..close + 2) == Some(b"}}")).then_some(close + 2)
    }

    /// `\[[A-Z][A-Z0-9_]+\]`.
    fn bracket(&self, at: usize) -> Option<usize> {
        if !self.text.get(at + 1)?.is_ascii_uppercase() {
            return None;
        }
        let end = self.run_end(at + 2, |b| {
            b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'
        });
        (end > at + 2 && self.text.get(end) == Some(&b']')).then_some(end + 1)
    }

    /// `\b(?:YOUR|your)[-_][A-Za-z0-9_-]+`.
    fn your(&self, at: usize) -> Option<usize> {
        let starts_word = at == 0 || !is_word(self.text[at - 1]);
        let word = self.text.get(at..at + 4)?;
        if !starts_word || !(word == b"YOUR" || word == b"your") {
            return None;
        }
        if !matches!(self.text.get(at + 4), Some(b'-' | b'_')) {
            return None;
        }
        let end = self.run_end(at + 5, |b| is_word(b) || b == b'-');
        (end > at + 5).then_some(end)
    }
}

/// A character of the `xs` alternative of [`PLACEHOLDER`]: `[A-Za-z0-9_.-]`.
fn is_xs_byte(b: u8) -> bool {
    is_word(b) || b == b'.' || b == b'-'
}

impl Iterator for PlaceholderScan<'_> {
    type Item = Range<usize>;

    fn next(&mut self) -> Option<Range<usize>> {
        let found = self.next_from(self.at)?;
        // Every alternative matches at least one byte.
        self.at = found.end;
        Some(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn is_assignment_is_its_definition(word in "([a-zA-Z0-9_=.$é-]){0,8}") {
            let defined = word.split_once('=').is_some_and(|(name, _)| {
                !name.is_empty()
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && !name.starts_with(|c: char| c.is_ascii_digit())
            });
            proptest::prop_assert_eq!(is_assignment(&word), defined, "{:?}", word);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]
        #[test]
        fn sql_writes_are_found_as_the_regex_finds_them(
            pieces in proptest::collection::vec(
                "drop|DROP|Drop|truncate|delete|DELETE|from|FROM|insert|into|INTO|update|Update\
                 |set|SET|alter|create|grant|revoke|vacuum|VACUUM|full|copy|COPY|\\\\|t|t1|_\
                 |a\\.b|\\.|\\(|\\)|\\(a, b\\)|;|,|'|-|x| |  |\t|\n|\u{b}|\u{c}|\r|1|é\
                 |copy t |COPY a.b\\(x\\) | \\(a\\) from|\\(a\\)from| from x| from|update t set\
                 |insert into|delete from|vacuum full",
                0..10,
            )
        ) {
            let sql = pieces.concat();
            if sql.is_ascii() {
                proptest::prop_assert_eq!(
                    sql_write_ascii(sql.as_bytes()).map(str::to_owned),
                    sql_write_by_regex(&sql),
                    "{:?}",
                    sql
                );
            }
        }

        #[test]
        fn placeholders_are_found_as_the_regex_finds_them(
            pieces in proptest::collection::vec(
                "<|>|<<|\\{|\\{\\{|\\}|\\}\\}|\\[|\\[\\[|\\]|your|YOUR|Your|yours|_|-|\\.|x|xx\
                 |xxx|XXX|X|A|AB|A1|a|b|1|=|/|:| |\t|\n|\u{b}|EOF|é|ayour_|YOUR-x|x.your_a\
                 |<a.b-c>|\\{\\{ a.b \\}\\}|\\[AB_1\\]|a-xxx|XXX.|<<EOF",
                0..12,
            )
        ) {
            let text = pieces.concat();
            if text.is_ascii() {
                let by_hand: Vec<Range<usize>> = PlaceholderScan::new(text.as_bytes()).collect();
                let by_regex: Vec<Range<usize>> =
                    PLACEHOLDER.find_iter(&text).map(|m| m.range()).collect();
                proptest::prop_assert_eq!(by_hand, by_regex, "{:?}", text);
            }
        }
    }

    proptest::proptest! {
        // `program_and_words` strips wrappers once and its callers read the stripped words
        // (they used to strip them again): stripping twice must change nothing.
        #[test]
        fn stripping_wrappers_twice_changes_nothing(
            words in proptest::collection::vec(
                "sudo|/usr/bin/sudo|-u|root|env|-i|A=1|_B=x|1A=2|timeout|-s|5|nohup|exec|nice\
                 |-n|xargs|-I|\\{\\}|time|!|\\{|then|do|--|-|kubectl|rm|-rf|x",
                0..8,
            )
        ) {
            let words: Vec<Cow<'_, str>> = words.into_iter().map(Cow::Owned).collect();
            let once = strip_wrappers(&words);
            proptest::prop_assert_eq!(strip_wrappers(once), once, "{:?}", words);
        }
    }

    /// The simple commands as `simple_commands` listed them before `for_each_simple_command`.
    fn simple_commands_in_a_vec(head: &str) -> Vec<(Vec<String>, bool)> {
        let mut out = Vec::new();
        let mut words: Vec<String> = Vec::new();
        let mut writes_file = false;
        let mut pending_redirect: Option<Cow<'_, str>> = None;
        for token in tokens(head) {
            match token {
                Token::Word(word) => {
                    if let Some(op) = pending_redirect.take() {
                        if (op.contains('>')
                            && word != "/dev/null"
                            && !word.starts_with("/dev/std"))
                            && !op.contains('&')
                        {
                            writes_file = true;
                        }
                        continue;
                    }
                    words.push(word.into_owned());
                }
                Token::Redirect(op) => {
                    if op != "<<" && !op.ends_with(|c: char| c.is_ascii_digit() || c == '-') {
                        pending_redirect = Some(op);
                    }
                }
                Token::Op(_) => {
                    if !words.is_empty() {
                        out.push((std::mem::take(&mut words), writes_file));
                    }
                    writes_file = false;
                }
            }
        }
        if !words.is_empty() {
            out.push((words, writes_file));
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn simple_commands_one_at_a_time_are_the_list_of_them(
            words in proptest::collection::vec(
                "ls|-l|x|>|>>|2>&1|/dev/null|out.txt|\\||&&|;|<<|EOF|\\(|\\)|'a b'|\n",
                0..12,
            )
        ) {
            let head = words.join(" ");
            let mut one_at_a_time = Vec::new();
            for_each_simple_command(&head, |simple| {
                let words = simple.words.iter().map(|w| w.to_string()).collect();
                one_at_a_time.push((words, simple.writes_file));
            });
            proptest::prop_assert_eq!(one_at_a_time, simple_commands_in_a_vec(&head));
        }
    }

    proptest::proptest! {
        #[test]
        fn concat_is_what_format_gives(program in "[a-z -]{0,8}", what in "[a-z() -]{0,12}") {
            proptest::prop_assert_eq!(concat(&[&program, " ", &what]), format!("{program} {what}"));
            proptest::prop_assert_eq!(concat(&["git ", &what]), format!("git {what}"));
        }
    }

    /// What `has_flag` was before it skipped the words that do not start with `-`.
    fn has_flag_of_every_word(args: &[Cow<'_, str>], flags: &[&str]) -> bool {
        args.iter().any(|a| {
            flags
                .iter()
                .any(|f| a == f || (f.starts_with("--") && flag_value(a, f).is_some()))
        })
    }

    proptest::proptest! {
        #[test]
        fn flags_are_found_as_in_every_word(
            args in proptest::collection::vec(
                "-f|--force|--force=1|--forcex|-ff|f|force|--|-|x|-d|--data=a|data",
                0..6,
            ),
            flags in proptest::collection::vec("-f|--force|-d|--data|-x|--now", 1..4),
        ) {
            let args: Vec<Cow<'_, str>> = args.into_iter().map(Cow::Owned).collect();
            let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
            proptest::prop_assert_eq!(
                has_flag(&args, &flags),
                has_flag_of_every_word(&args, &flags)
            );
        }
    }

    /// What `subcommands` gave when it collected into a `Vec`.
    fn subcommands_in_a_vec<'w>(
        program: &str,
        args: &'w [Cow<'_, str>],
        count: usize,
    ) -> Vec<&'w str> {
        let takes = value_options(program);
        let mut out = Vec::new();
        let mut i = 0;
        while i < args.len() && out.len() < count {
            let a: &str = &args[i];
            if a == "--" {
                break;
            }
            if a.starts_with('-') {
                i += if takes.contains(&a) { 2 } else { 1 };
                continue;
            }
            out.push(a);
            i += 1;
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn subcommands_in_place_are_the_vec_of_them(
            program in "kubectl|helm|git|docker compose|redis-cli|ssh|x",
            args in proptest::collection::vec(
                "-n|--namespace|-f|-C|-h|-|--|--force|get|pods|delete|rollout|status|x|y",
                0..8,
            ),
            count in 1usize..=3,
        ) {
            let args: Vec<Cow<'_, str>> = args.into_iter().map(Cow::Owned).collect();
            let in_place = subcommands(&program, &args, count);
            proptest::prop_assert_eq!(&*in_place, &subcommands_in_a_vec(&program, &args, count)[..]);
        }
    }

    #[test]
    fn read_only_programs_are_sorted_for_the_binary_search() {
        for pair in READ_ONLY_PROGRAMS.windows(2) {
            assert!(pair[0] < pair[1], "{pair:?}");
        }
        assert!(is_read_only_program("cat") && is_read_only_program("[["));
        assert!(!is_read_only_program("rm") && !is_read_only_program("catx"));
    }

    fn c(cmd: &str) -> Classification {
        classify(cmd, cmd, false)
    }

    #[test]
    fn programs_and_families() {
        assert_eq!(c("docker compose up -d roma").program, "docker compose");
        assert_eq!(c("sudo -u postgres psql -c 'select 1'").program, "psql");
        assert_eq!(c("FOO=1 timeout 5 curl http://x").program, "curl");
        assert_eq!(
            c("kubectl logs x | grep -i error").programs,
            vec!["kubectl", "grep"]
        );
        assert_eq!(
            c("lsof -ti:3000 | xargs kill").programs,
            vec!["lsof", "kill"]
        );
        assert_eq!(
            c("while pgrep x; do sleep 1; done").programs,
            vec!["pgrep", "sleep"]
        );
        assert!(c("TAG={{ release_tag }}").programs.is_empty());
    }

    #[test]
    fn risk_levels() {
        let cases = [
            ("kubectl get pods -n production", Risk::ReadOnly),
            ("kubectl -n production delete pod x", Risk::Destructive),
            ("kubectl rollout restart deployment/x -n p", Risk::Mutating),
            ("kubectl rollout status deployment/x", Risk::ReadOnly),
            (
                "kubectl scale deployment/x --replicas=0 -n p",
                Risk::Destructive,
            ),
            ("kubectl scale deployment/x --replicas=3", Risk::Mutating),
            (
                "kubectl delete pod x --grace-period=0 --force",
                Risk::Destructive,
            ),
            (
                "kubectl exec -it x -- npm run migrate:rollback",
                Risk::Mutating,
            ),
            ("docker compose kill roma", Risk::Destructive),
            ("docker compose restart roma", Risk::Mutating),
            (
                "docker compose logs roma --tail=100 | grep -i error",
                Risk::ReadOnly,
            ),
            ("docker compose logs roma > /tmp/x.log", Risk::Mutating),
            ("pkill -9 \"docker compose\"", Risk::Destructive),
            ("kill -3 1", Risk::Mutating),
            ("rm -rf /tmp/x", Risk::Destructive),
            ("psql -h h -d db -c \"DROP TABLE t\"", Risk::Destructive),
            ("psql -c \"SELECT * FROM t\"", Risk::ReadOnly),
            // A command run in a container keeps its options.
            (
                "docker compose exec -T db psql -U admin -d parcels -c \"DROP DATABASE s;\"",
                Risk::Destructive,
            ),
            (
                "docker exec -it db psql -U admin -c \"DROP TABLE x;\"",
                Risk::Destructive,
            ),
            (
                "docker exec -e PGUSER=admin -u postgres db psql -c \"DROP TABLE x\"",
                Risk::Destructive,
            ),
            (
                "docker exec -it db psql -U admin -c \"SELECT 1\"",
                Risk::ReadOnly,
            ),
            ("docker exec db ls -la /data", Risk::ReadOnly),
            // Loading rows writes; exporting a query does not.
            (
                "psql -c \"\\copy scans FROM '/tmp/s.csv' CSV\"",
                Risk::Mutating,
            ),
            (
                "psql -c \"COPY public.scans (id, at) FROM STDIN\"",
                Risk::Mutating,
            ),
            (
                "psql -c \"\\copy (SELECT * FROM t WHERE a = 1) TO '/tmp/o.csv' CSV\"",
                Risk::ReadOnly,
            ),
            ("curl -X POST https://x/api -d '{}'", Risk::Mutating),
            ("curl -s http://x:3004/health | jq", Risk::ReadOnly),
            ("pnpm build", Risk::Mutating),
            ("redis-cli FLUSHALL", Risk::Destructive),
            ("git reset --hard HEAD~1", Risk::Destructive),
            ("systemctl restart docker", Risk::Mutating),
            ("lsof -ti:3000 | xargs kill", Risk::Mutating),
            ("echo hi 2>/dev/null", Risk::ReadOnly),
            ("ssh db-1 sudo systemctl stop postgresql", Risk::Destructive),
            ("ssh -i key db-1 uptime", Risk::ReadOnly),
            ("ssh db-1 sudo -u postgres dropdb orders", Risk::Destructive),
            (
                "redis-cli -h r -p 6379 --scan --pattern 'a:*' | xargs -r -n 500 redis-cli -h r -p 6379 DEL",
                Risk::Destructive,
            ),
            ("redis-cli -h r -p 6379 INFO keyspace", Risk::ReadOnly),
            (
                "while redis-cli LMOVE a b RIGHT LEFT | grep -q .; do :; done",
                Risk::Mutating,
            ),
            (
                "for p in a b; do kubectl delete pod $p; done",
                Risk::Destructive,
            ),
            ("if kubectl get ns x; then echo ok; fi", Risk::ReadOnly),
        ];
        for (cmd, risk) in cases {
            assert_eq!(c(cmd).risk, risk, "{cmd}: {:?}", c(cmd).risk_reason);
        }
    }

    #[test]
    fn interactive_and_never_ending() {
        assert!(c("kubectl exec -it pod -- psql").interactive);
        assert!(c("kubectl run -it --rm psql --image=postgres:14 --restart=Never -- psql $DATABASE_URL").interactive);
        assert!(!c("kubectl exec pod -- ls").interactive);
        assert!(c("psql -h $DB_HOST -d app").interactive);
        assert!(!c("psql -d app -c 'select 1'").interactive);
        assert!(c("vim docker-compose.yml").interactive);
        assert!(c("watch -n 1 'docker compose ps'").never_ending);
        assert!(c("kubectl logs -f deploy/x -n p").never_ending);
        assert!(c("docker compose logs -f roma | grep error").never_ending);
        assert!(!c("docker stats --no-stream roma").never_ending);
        assert!(c("docker compose up").never_ending);
        assert!(!c("docker compose up -d").never_ending);
    }

    #[test]
    fn finds_placeholders() {
        assert_eq!(
            placeholders(
                "kubectl delete pod ticket-service-xxxxx-xxxxx --to-revision=<REVISION> [POD_NAME] {{ release_tag }} YOUR_TOKEN cat <<EOF"
            ),
            vec![
                "ticket-service-xxxxx-xxxxx",
                "<REVISION>",
                "[POD_NAME]",
                "{{ release_tag }}",
                "YOUR_TOKEN"
            ]
        );
        assert!(placeholders("docker inspect x --format='{{.State.ExitCode}}'").is_empty());
        assert!(placeholders("[[ -f /tmp/a ]] && grep '[A-Z]' f").is_empty());
    }
}
