//! Splits the text of a shell or console fence into commands, expected output and non-shell
//! snippets. Real fences mix these: a `curl` followed by `# Expected response` and a JSON
//! body, a `psql` connect followed by the SQL to type into it, `$ ` prompts followed by what
//! the command printed. Only lines that look like shell become commands; everything else is
//! kept, typed, and never executed.

use super::shell_lex::{OpenState, open_state};

/// One line of fence content with its position in the source file.
#[derive(Debug, Clone)]
pub struct FenceLine<'a> {
    /// The line, without its line ending, as pulldown-cmark gave it (fence indentation removed).
    pub text: &'a str,
    /// Byte offset of the line's first character in the source file.
    pub offset: usize,
}

/// What a run of fence lines turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemKind {
    /// A command.
    Command {
        /// Written after a prompt.
        prompted: bool,
        /// The command without heredoc bodies, for word splitting; `None` when that is the
        /// item's whole text (there is no heredoc body), which most commands need no copy of.
        head: Option<String>,
    },
    /// Output shown for a command.
    Output,
    /// Non-shell code, with the language recognised for it.
    Snippet(String),
}

/// A run of lines of one kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// What the lines are.
    pub kind: ItemKind,
    /// The lines joined with `\n` (prompt removed from a command's first line).
    pub text: String,
    /// Source offset of the first character of `text`.
    pub offset: usize,
    /// Index (in the fence) of the first line covered.
    pub first_line: usize,
    /// Number of source lines covered.
    pub line_count: usize,
    /// The comment just above, used as the step's title.
    pub comment: Option<String>,
}

/// Longest command, in lines, that continuation rules may build.
const MAX_CONTINUATION_LINES: usize = 500;

/// Fence languages whose content is shell.
pub fn is_shell_lang(lang: &str) -> bool {
    matches!(
        lang,
        "bash" | "sh" | "shell" | "zsh" | "ksh" | "console" | "shell-session" | "shellsession"
    )
}

fn is_console_lang(lang: &str) -> bool {
    matches!(lang, "console" | "shell-session" | "shellsession")
}

/// Splits a shell fence's lines.
pub fn split_fence(lang: &str, lines: &[FenceLine<'_>]) -> Vec<Item> {
    Splitter::new(lang, lines).run()
}

struct Splitter<'a, 'b> {
    lines: &'b [FenceLine<'a>],
    console: bool,
    has_dollar_prompts: bool,
    items: Vec<Item>,
    group: Option<Item>,
    comment: Option<String>,
    expect_output: bool,
    after_prompt: bool,
    client_lang: Option<&'static str>,
}

impl<'a, 'b> Splitter<'a, 'b> {
    fn new(lang: &str, lines: &'b [FenceLine<'a>]) -> Self {
        let has_dollar_prompts = lines.iter().any(|l| dollar_prompt(l.text).is_some());
        Self {
            lines,
            console: is_console_lang(lang),
            has_dollar_prompts,
            items: Vec::new(),
            group: None,
            comment: None,
            expect_output: false,
            after_prompt: false,
            client_lang: None,
        }
    }

    fn prompt(&self, text: &'a str) -> Option<(&'a str, usize)> {
        if let Some(rest) = dollar_prompt(text) {
            return Some(rest);
        }
        // `# ` is a root prompt only in console fences that use no `$ ` prompts; elsewhere
        // it starts a comment.
        if self.console && !self.has_dollar_prompts {
            let trimmed = text.trim_start();
            if let Some(rest) = trimmed.strip_prefix("# ") {
                let indent = text.len() - trimmed.len();
                return Some((rest, indent + 2));
            }
        }
        None
    }

    fn run(mut self) -> Vec<Item> {
        let mut i = 0;
        while i < self.lines.len() {
            let line = &self.lines[i];
            let trimmed = line.text.trim();
            if let Some((rest, skip)) = self.prompt(line.text) {
                self.flush();
                self.after_prompt = true;
                self.expect_output = false;
                if rest.trim().is_empty() {
                    i += 1;
                    continue;
                }
                i = self.take_command(i, rest, line.offset + skip, true);
                continue;
            }
            if self.after_prompt && (self.console || self.has_dollar_prompts) {
                // Everything between prompts is what the command printed.
                if !trimmed.is_empty() || self.group.is_some() {
                    self.push_line(ItemKind::Output, i);
                }
                i += 1;
                continue;
            }
            if trimmed.is_empty() {
                self.flush();
                i += 1;
                continue;
            }
            if let Some(comment) = trimmed
                .strip_prefix('#')
                .filter(|_| !trimmed.starts_with("#!"))
            {
                self.flush();
                let comment = comment.trim_start_matches('#').trim();
                self.expect_output = announces_output(comment);
                if !self.expect_output {
                    self.comment = Some(comment.to_owned());
                }
                i += 1;
                continue;
            }
            if self.expect_output {
                self.push_line(ItemKind::Output, i);
                i += 1;
                continue;
            }
            let non_shell = non_shell_lang(trimmed, self.client_lang);
            match non_shell {
                Some(lang) => {
                    self.push_line(ItemKind::Snippet(lang.to_owned()), i);
                    i += 1;
                }
                None => {
                    let indent = line.text.len() - line.text.trim_start().len();
                    i = self.take_command(i, line.text.trim_start(), line.offset + indent, false);
                }
            }
        }
        self.flush();
        self.items
    }

    /// Reads a command starting at line `i` (whose text from the command start is `first`),
    /// following continuations and heredocs. Returns the index of the next unread line.
    fn take_command(&mut self, i: usize, first: &str, offset: usize, prompted: bool) -> usize {
        self.flush();
        let mut text = first.to_owned();
        // The text without heredoc bodies, made when the first body line is read: until
        // then it is `text`.
        let mut head: Option<String> = None;
        let mut next = i + 1;
        let mut state: OpenState = open_state(&text);
        loop {
            if !state.heredocs.is_empty() {
                let docs = std::mem::take(&mut state.heredocs);
                for doc in docs {
                    while next < self.lines.len() {
                        let body = self.lines[next].text;
                        if head.is_none() {
                            head = Some(text.clone());
                        }
                        text.push('\n');
                        text.push_str(body);
                        next += 1;
                        let candidate = if doc.strip_tabs {
                            body.trim_start_matches('\t')
                        } else {
                            body
                        };
                        if candidate.trim_end() == doc.delimiter {
                            break;
                        }
                    }
                }
            }
            if !state.continues() || next >= self.lines.len() {
                break;
            }
            if next - i >= MAX_CONTINUATION_LINES {
                // An unbalanced quote would swallow the rest of the fence (and re-scanning
                // a growing command is quadratic): keep the first line as the command.
                text = first.to_owned();
                head = None;
                next = i + 1;
                break;
            }
            let mut continuation = self.lines[next].text;
            // Console transcripts show continuation lines after a `> ` prompt.
            if prompted && let Some(rest) = continuation.strip_prefix("> ") {
                continuation = rest;
            }
            text.push('\n');
            text.push_str(continuation);
            if let Some(head) = &mut head {
                head.push('\n');
                head.push_str(continuation);
            }
            next += 1;
            state = open_state(head.as_deref().unwrap_or(&text));
        }
        self.client_lang = client_language(head.as_deref().unwrap_or(&text));
        self.items.push(Item {
            kind: ItemKind::Command { prompted, head },
            text,
            offset,
            first_line: i,
            line_count: next - i,
            comment: self.comment.take(),
        });
        next
    }

    fn push_line(&mut self, kind: ItemKind, index: usize) {
        let line = &self.lines[index];
        match &mut self.group {
            Some(group) if same_group(&group.kind, &kind) => {
                group.text.push('\n');
                group.text.push_str(line.text);
                group.line_count += 1;
                if let (ItemKind::Snippet(current), ItemKind::Snippet(new)) =
                    (&mut group.kind, &kind)
                    && current == "text"
                    && new != "text"
                {
                    *current = new.clone();
                }
            }
            _ => {
                self.flush();
                self.group = Some(Item {
                    kind,
                    text: line.text.to_owned(),
                    offset: line.offset,
                    first_line: index,
                    line_count: 1,
                    comment: self.comment.take(),
                });
            }
        }
    }

    fn flush(&mut self) {
        if let Some(mut group) = self.group.take() {
            let trimmed_len = group.text.trim_end().len();
            let dropped_lines = group.text[trimmed_len..].matches('\n').count();
            group.text.truncate(trimmed_len);
            group.line_count -= dropped_lines;
            self.items.push(group);
        }
    }
}

fn same_group(a: &ItemKind, b: &ItemKind) -> bool {
    matches!(
        (a, b),
        (ItemKind::Output, ItemKind::Output) | (ItemKind::Snippet(_), ItemKind::Snippet(_))
    )
}

fn dollar_prompt(text: &str) -> Option<(&str, usize)> {
    let trimmed = text.trim_start();
    let indent = text.len() - trimmed.len();
    if trimmed == "$" {
        return Some(("", indent + 1));
    }
    trimmed.strip_prefix("$ ").map(|rest| (rest, indent + 2))
}

/// A comment such as `# Expected response` or `# Output:` announces output, not a command.
fn announces_output(comment: &str) -> bool {
    let lower = comment.to_ascii_lowercase();
    let lower = lower.trim_end_matches(':').trim();
    [
        "expected output",
        "expected response",
        "expected result",
        "example output",
        "sample output",
        "output",
        "response",
        "returns",
    ]
    .iter()
    .any(|p| lower == *p || (lower.starts_with(p) && lower[p.len()..].starts_with([' ', '(', ':'])))
        && !lower.contains(": all ")
        || lower == "expected"
}

const SQL_KEYWORDS: &[&str] = &[
    "SELECT",
    "INSERT",
    "UPDATE",
    "DELETE",
    "ALTER",
    "CREATE",
    "DROP",
    "BEGIN",
    "COMMIT",
    "ROLLBACK",
    "WITH",
    "TRUNCATE",
    "GRANT",
    "REVOKE",
    "EXPLAIN",
    "VACUUM",
    "ANALYZE",
    "ORDER",
    "FROM",
    "WHERE",
    "GROUP",
    "LIMIT",
    "SHOW",
    "REINDEX",
    "CLUSTER",
    "COPY",
    "LOCK",
    "AND",
    "OR",
    "JOIN",
    "LEFT",
    "INNER",
    "HAVING",
    "VALUES",
    "RETURNING",
    "UNION",
    "SAVEPOINT",
    "RELEASE",
];

const REDIS_COMMANDS: &[&str] = &[
    "INFO",
    "KEYS",
    "GET",
    "SET",
    "DEL",
    "HGETALL",
    "HGET",
    "HSET",
    "TTL",
    "PTTL",
    "FLUSHALL",
    "FLUSHDB",
    "CONFIG",
    "MONITOR",
    "SCAN",
    "PING",
    "DBSIZE",
    "CLIENT",
    "SLOWLOG",
    "MEMORY",
    "EXPIRE",
    "LRANGE",
    "LLEN",
    "TYPE",
    "EXISTS",
    "MGET",
    "XINFO",
    "XLEN",
    "SMEMBERS",
    "ZRANGE",
    "INCR",
    "DECR",
    "AUTH",
    "SELECT",
    "BGSAVE",
    "SAVE",
    "LASTSAVE",
    "ROLE",
    "REPLICAOF",
];

/// The language of a line that is not shell, or `None` when it looks like a shell command.
fn non_shell_lang(line: &str, client: Option<&'static str>) -> Option<&'static str> {
    let first_word = line
        .split(|c: char| c.is_whitespace() || c == ';' || c == '(')
        .next()
        .unwrap_or("");
    if let Some(client) = client {
        let upper = first_word.to_ascii_uppercase();
        let is_client_input = line.starts_with('\\')
            || (client == "sql" && SQL_KEYWORDS.contains(&upper.as_str()))
            || (client == "redis" && REDIS_COMMANDS.contains(&upper.as_str()));
        if is_client_input {
            return Some(client);
        }
    }
    if line.starts_with("[ ") || line.starts_with("[[") {
        return None;
    }
    let first = line.chars().next()?;
    if matches!(first, '{' | '}' | '[' | ']' | '"' | ',') {
        return Some("json");
    }
    if line.starts_with("- ") || line == "-" || line.starts_with("---") {
        return Some("yaml");
    }
    if first_word.len() >= 2
        && first_word
            .chars()
            .all(|c| c.is_ascii_uppercase() || c == '_')
    {
        if SQL_KEYWORDS.contains(&first_word) {
            return Some("sql");
        }
        if REDIS_COMMANDS.contains(&first_word) {
            return Some("redis");
        }
        return Some("text");
    }
    if line.starts_with("--") && line[2..].starts_with(' ') {
        return Some("sql");
    }
    if is_yaml_key(line) {
        return Some("yaml");
    }
    let plausible_start = first.is_ascii_alphanumeric()
        || matches!(
            first,
            '.' | '/' | '~' | '_' | '$' | '(' | '!' | '`' | '\'' | '\\'
        );
    if !plausible_start {
        return Some("text");
    }
    None
}

/// `key: value` or `key:` with a bare identifier key, as in YAML. A shell command's first
/// word never ends with `:` (URLs have `//` after it).
fn is_yaml_key(line: &str) -> bool {
    // The key must run up to the first `:`, so the first byte that cannot be in a key
    // decides: for most commands the blank after their first word, without a search of
    // the whole line for a `:`.
    let bytes = line.as_bytes();
    let key_len = bytes
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')))
        .unwrap_or(bytes.len());
    key_len > 0
        && bytes.get(key_len) == Some(&b':')
        && matches!(bytes.get(key_len + 1), None | Some(b' '))
}

/// The language of the input an interactive client reads next: `psql` without `-c`, a
/// `redis-cli` with no command. Lines after it in the fence are what the user types into it.
fn client_language(head: &str) -> Option<&'static str> {
    // Each client's name holds `sql` or `redis-cli`: most commands need no word list.
    let bytes = head.as_bytes();
    if memchr::memmem::find(bytes, b"sql").is_none()
        && memchr::memmem::find(bytes, b"redis-cli").is_none()
    {
        return None;
    }
    client_language_of_words(head)
}

/// [`client_language`] without its precheck.
fn client_language_of_words(head: &str) -> Option<&'static str> {
    let words: Vec<&str> = head.split_whitespace().collect();
    let pos = |name: &str| {
        words.iter().position(|w| {
            // `w` is `name` or ends with `/name`, without a `format!` per word.
            *w == name || w.strip_suffix(name).is_some_and(|dir| dir.ends_with('/'))
        })
    };
    if let Some(p) = pos("psql").or_else(|| pos("mysql")) {
        let has_command = words[p..].iter().any(|w| {
            matches!(
                *w,
                "-c" | "-f" | "-e" | "--command" | "--file" | "--execute"
            ) || w.starts_with("--command=")
                || w.starts_with("-c")
        });
        return (!has_command).then_some("sql");
    }
    if let Some(p) = pos("redis-cli") {
        let mut rest = words[p + 1..].iter();
        let mut has_command = false;
        while let Some(w) = rest.next() {
            if w.starts_with('-') {
                if matches!(*w, "-h" | "-p" | "-a" | "-n" | "-u" | "--user" | "--pass") {
                    rest.next();
                }
            } else if !matches!(*w, "|" | "&&" | ";") {
                has_command = true;
                break;
            }
        }
        return (!has_command).then_some("redis");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn the_client_precheck_changes_no_answer(
            words in proptest::collection::vec(
                "psql|mysql|/usr/bin/psql|redis-cli|/opt/redis-cli|xpsql|sql|redis|-c|-h|-p|GET|x|\\||;",
                0..6,
            )
        ) {
            let head = words.join(" ");
            proptest::prop_assert_eq!(client_language(&head), client_language_of_words(&head));
        }
    }

    /// What `is_yaml_key` was: the text before the first `:`, tested character by character.
    fn is_yaml_key_by_split(line: &str) -> bool {
        let Some((key, rest)) = line.split_once(':') else {
            return false;
        };
        !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
            && (rest.is_empty() || rest.starts_with(' '))
    }

    proptest::proptest! {
        #[test]
        fn yaml_keys_are_found_as_by_splitting_at_the_colon(
            line in "([a-z0-9_.-]{1,4}|:| |\t|/|é|=|\\$){0,8}"
        ) {
            proptest::prop_assert_eq!(is_yaml_key(&line), is_yaml_key_by_split(&line), "{:?}", line);
        }
    }

    #[test]
    fn a_head_is_kept_only_when_heredoc_bodies_are_left_out() {
        let heads = |text: &str| -> Vec<Option<String>> {
            let lines: Vec<FenceLine<'_>> = text
                .lines()
                .map(|l| FenceLine { text: l, offset: 0 })
                .collect();
            split_fence("bash", &lines)
                .into_iter()
                .filter_map(|item| match item.kind {
                    ItemKind::Command { head, .. } => Some(head),
                    _ => None,
                })
                .collect()
        };
        assert_eq!(heads("ls -l |\n  wc -l\necho hi"), [None, None]);
        assert_eq!(
            heads("cat <<EOF |\nbody\nEOF\n  wc -l"),
            [Some("cat <<EOF |\n  wc -l".to_owned())]
        );
        // A heredoc whose body the fence does not hold leaves out nothing.
        assert_eq!(heads("cat <<EOF"), [None]);
    }

    fn split(lang: &str, text: &str) -> Vec<(String, String)> {
        let mut offset = 0;
        let lines: Vec<FenceLine<'_>> = text
            .lines()
            .map(|l| {
                let line = FenceLine { text: l, offset };
                offset += l.len() + 1;
                line
            })
            .collect();
        split_fence(lang, &lines)
            .into_iter()
            .map(|item| {
                let kind = match item.kind {
                    ItemKind::Command { prompted: true, .. } => "prompted".to_owned(),
                    ItemKind::Command { .. } => "command".to_owned(),
                    ItemKind::Output => "output".to_owned(),
                    ItemKind::Snippet(lang) => format!("snippet:{lang}"),
                };
                (kind, item.text)
            })
            .collect()
    }

    fn s(kind: &str, text: &str) -> (String, String) {
        (kind.to_owned(), text.to_owned())
    }

    #[test]
    fn comments_and_blank_lines_are_dropped_continuations_joined() {
        assert_eq!(
            split(
                "bash",
                "# restart\nkubectl rollout restart deploy/x \\\n  -n prod\n\n# status\nkubectl get pods"
            ),
            vec![
                s("command", "kubectl rollout restart deploy/x \\\n  -n prod"),
                s("command", "kubectl get pods")
            ]
        );
    }

    #[test]
    fn json_after_expected_comment_is_output() {
        assert_eq!(
            split(
                "bash",
                "curl http://x:3004/health\n\n# Expected response\n{\n  \"status\": \"ok\"\n}"
            ),
            vec![
                s("command", "curl http://x:3004/health"),
                s("output", "{\n  \"status\": \"ok\"\n}")
            ]
        );
    }

    #[test]
    fn bare_json_and_sql_in_a_bash_fence_are_snippets() {
        assert_eq!(
            split(
                "bash",
                "psql -h db -d app\nSELECT 1;\n\nredis-cli -h r\nINFO memory\nKEYS a:*\n{\"a\": 1}"
            ),
            vec![
                s("command", "psql -h db -d app"),
                s("snippet:sql", "SELECT 1;"),
                s("command", "redis-cli -h r"),
                s("snippet:redis", "INFO memory\nKEYS a:*\n{\"a\": 1}"),
            ]
        );
    }

    #[test]
    fn prompts_separate_commands_from_output() {
        assert_eq!(
            split(
                "console",
                "$ kubectl get pods\nNAME   READY\napi-1  1/1\n\n$ echo hi \\\n> there\nhi there"
            ),
            vec![
                s("prompted", "kubectl get pods"),
                s("output", "NAME   READY\napi-1  1/1"),
                s("prompted", "echo hi \\\nthere"),
                s("output", "hi there"),
            ]
        );
    }

    #[test]
    fn root_prompt_in_console_without_dollar_prompts() {
        assert_eq!(
            split(
                "console",
                "# systemctl restart nginx\n# systemctl status nginx\nactive (running)"
            ),
            vec![
                s("prompted", "systemctl restart nginx"),
                s("prompted", "systemctl status nginx"),
                s("output", "active (running)"),
            ]
        );
    }

    #[test]
    fn heredoc_is_kept_whole_and_quoted_json_spans_lines() {
        assert_eq!(
            split(
                "bash",
                "cat <<'EOF' > /tmp/a\nkubectl delete all\nEOF\ncurl -d '{\n  \"a\": 1\n}' http://x"
            ),
            vec![
                s("command", "cat <<'EOF' > /tmp/a\nkubectl delete all\nEOF"),
                s("command", "curl -d '{\n  \"a\": 1\n}' http://x"),
            ]
        );
    }

    #[test]
    fn unbalanced_quote_does_not_swallow_the_fence() {
        let text = format!("echo 'oops\n{}", "kubectl get pods\n".repeat(600));
        let items = split("bash", &text);
        assert_eq!(items[0], s("command", "echo 'oops"));
        assert_eq!(items.len(), 601);
    }

    #[test]
    fn yaml_in_a_bash_fence_is_a_snippet() {
        assert_eq!(
            split(
                "bash",
                "kubectl apply -f -\nspec:\n  replicas: 3\n  - name: x"
            ),
            vec![
                s("command", "kubectl apply -f -"),
                s("snippet:yaml", "spec:\n  replicas: 3\n  - name: x")
            ]
        );
    }
}
