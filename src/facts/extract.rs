//! Reading facts out of one shell command: its words (after shell quoting) are split into
//! simple commands at `|`, `&&`, `;` and `--`, wrappers such as `sudo`, `watch` and `ssh host`
//! are looked through, and each program the index knows (`kubectl`/`oc`, `psql`, `redis-cli`,
//! `mysql`, `nc`, Docker Compose) is read with its own flags. URLs are read in every word.

use super::ComposeFlavour;
use crate::model::Command;
use crate::source::{SourceFile, Span};
use regex::Regex;
use std::collections::BTreeSet;
use std::sync::LazyLock;

/// One fact before service names are resolved.
#[derive(Debug, Clone)]
pub struct Raw {
    pub runbook: usize,
    /// The whole command.
    pub command_span: Span,
    pub kind: RawKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RawKind {
    /// A `kubectl`/`oc` command: the resources it names (strong names are deployment,
    /// statefulset, daemonset and service names and `app=` labels; weak ones are pod names).
    Kube {
        names: Vec<(String, bool)>,
        namespace: Option<(String, Span)>,
        all_namespaces: bool,
        /// `kubectl config set-context --namespace=x`: later commands need no `-n`.
        sets_namespace: bool,
        /// `kubectl` or `oc`.
        program: &'static str,
    },
    Port {
        host: String,
        port: u16,
        span: Span,
        metrics: bool,
    },
    HostNamespace {
        service: String,
        ns: String,
        span: Span,
    },
    Database {
        host: Option<String>,
        db: String,
        span: Span,
    },
    Compose {
        flavour: ComposeFlavour,
        span: Span,
    },
    ComposeService {
        name: String,
    },
    /// A host name with dots that a command connects to (URL host, `-h`, `ssh`, `nc`...).
    Host {
        host: String,
        span: Span,
    },
    /// A container image `REGISTRY/NAME[:TAG]`: the registry it is pulled from, per name.
    Image {
        name: String,
        registry: String,
        span: Span,
    },
}

/// A container image reference with a registry host (`registry.example.com/app:1.2`,
/// `gcr.io/team/app@sha256:...`, `localhost:5000/app`); `(registry, name)`. A first path part
/// without a dot or port (`deployment/api`, `team/app`) is not a registry, so it is not one.
#[inline]
pub fn image_ref(word: &str) -> Option<(String, String)> {
    // Every word of every command comes here and few are images: `IMAGE` needs a `/`. A
    // word is a few bytes: a plain loop, in the caller, beats a call to `memchr`.
    if !word.bytes().any(|b| b == b'/') {
        return None;
    }
    image_ref_with_slash(word)
}

/// [`image_ref`] of a word with a `/`.
fn image_ref_with_slash(word: &str) -> Option<(String, String)> {
    let word = word.strip_prefix("--image=").unwrap_or(word);
    // `kubectl set image deployment/x CONTAINER=IMAGE`. (Both cuts at an ASCII byte, found
    // by a byte loop: `split_once` sets up a character searcher, for words of a few bytes.)
    let word = word
        .bytes()
        .position(|b| b == b'=')
        .map_or(word, |eq| &word[eq + 1..]);
    let host = &word[..word.bytes().position(|b| b == b'/')?];
    // The registry starts the word, so its host is the word's first part: a word whose first
    // part is no host (`deployment/api`, `/tmp/x`, `team/app`) is no image, and the regex,
    // the costly part, need not run (a property test checks the two agree).
    if !is_registry_host(host) {
        return None;
    }
    let caps = IMAGE.captures(word)?;
    Some((caps["registry"].to_owned(), caps["name"].to_owned()))
}

/// The first part of an image's registry names a host: with a dot or a port, or `localhost`.
fn is_registry_host(host: &str) -> bool {
    host.bytes().any(|b| b == b'.' || b == b':') || host == "localhost"
}

/// Whether `word` has a `:` and whether it has a `/`: a pass without early exit, which the
/// compiler vectorises.
fn colon_and_slash(word: &str) -> (bool, bool) {
    word.bytes().fold((false, false), |(colon, slash), b| {
        (colon | (b == b':'), slash | (b == b'/'))
    })
}

/// `word` has a `://` (a URL); much cheaper than `contains("://")`, which builds a substring
/// searcher for every word of every command.
fn has_scheme_separator(word: &str) -> bool {
    let bytes = word.as_bytes();
    bytes
        .iter()
        .enumerate()
        .any(|(i, &b)| b == b':' && bytes[i + 1..].starts_with(b"//"))
}

static IMAGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?P<registry>[a-z0-9][a-z0-9.-]*(?::\d+)?(?:/[a-z0-9][a-z0-9._-]*)*)/(?P<name>[a-z0-9][a-z0-9._-]*)(?::[A-Za-z0-9_][A-Za-z0-9_.-]*)?(?:@sha256:[0-9a-f]{64})?$",
    )
    .expect("valid regex")
});

static URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(https?|postgres|postgresql|redis|rediss|amqps?|mysql|mongodb|grpc|tcp|wss?)://(?:[^@/\s]*@)?([A-Za-z0-9_.-]+)(?::(\d{1,5}))?(/[^\s?#'\x22]*)?",
    )
    .expect("valid regex")
});

/// One URL as [`URL`] matches it: its scheme, host, port digits and path.
#[derive(Debug, PartialEq)]
struct UrlMatch<'a> {
    scheme: &'a str,
    host: &'a str,
    port: Option<&'a str>,
    path: Option<&'a str>,
}

/// The URLs of `word`, as `URL.captures_iter` finds them. Every word with a `://` comes
/// here, and the regex's capture search costs thousands of instructions a word: an ASCII
/// word (nearly all) is read by hand instead (a property test checks the two agree); the
/// regex keeps the rest, where `\b`, `\s`, `\d` and `(?i)` have their Unicode meanings.
fn url_matches(word: &str) -> Vec<UrlMatch<'_>> {
    if !word.is_ascii() {
        return URL
            .captures_iter(word)
            .map(|caps| UrlMatch {
                scheme: caps.get(1).map_or("", |m| m.as_str()),
                host: caps.get(2).map_or("", |m| m.as_str()),
                port: caps.get(3).map(|m| m.as_str()),
                path: caps.get(4).map(|m| m.as_str()),
            })
            .collect();
    }
    let mut found = Vec::new();
    // Where the last match ended: the next one starts at or after it.
    let mut end = 0;
    for sep in memchr::memmem::find_iter(word.as_bytes(), b"://") {
        if let Some((url, url_end)) = ascii_url_at(word, sep, end) {
            found.push(url);
            end = url_end;
        }
    }
    found
}

/// The URL whose `://` is at byte `sep` of the ASCII `word`, and where it ends; `None` when
/// `URL` has no match there starting at or after `from`. The scheme is the whole run of word
/// characters before the `://` (`\b` allows no other start), and every part after it is
/// greedy with nothing to give back but the user part, so there is no other way to match.
fn ascii_url_at(word: &str, sep: usize, from: usize) -> Option<(UrlMatch<'_>, usize)> {
    let bytes = word.as_bytes();
    use crate::parse::regex_ascii::{is_space, is_word};
    let is_host = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-');
    let start = bytes[..sep]
        .iter()
        .rposition(|&b| !is_word(b))
        .map_or(0, |i| i + 1);
    let scheme = &word[start..sep];
    if start < from || !URL_SCHEMES.iter().any(|s| s.eq_ignore_ascii_case(scheme)) {
        return None;
    }
    let after = sep + 3;
    let host_len = |at: usize| bytes[at..].iter().take_while(|&&b| is_host(b)).count();
    // `(?:[^@/\s]*@)?`: the user part can only end at the first `@`, `/` or space, and
    // only when that is an `@` with a host after it.
    let user_end = bytes[after..]
        .iter()
        .position(|&b| b == b'@' || b == b'/' || is_space(b))
        .map(|i| after + i)
        .filter(|&at| bytes[at] == b'@' && host_len(at + 1) > 0);
    let host_start = user_end.map_or(after, |at| at + 1);
    let host_end = host_start + host_len(host_start);
    if host_end == host_start {
        return None;
    }
    let mut end = host_end;
    let digits = bytes[(end + 1).min(bytes.len())..]
        .iter()
        .take(5)
        .take_while(|b| b.is_ascii_digit())
        .count();
    let port = (bytes.get(end) == Some(&b':') && digits > 0).then(|| {
        end += 1 + digits;
        &word[end - digits..end]
    });
    let path = (bytes.get(end) == Some(&b'/')).then(|| {
        let len = bytes[end + 1..]
            .iter()
            .take_while(|&&b| !is_space(b) && !matches!(b, b'?' | b'#' | b'\'' | b'"'))
            .count();
        end += 1 + len;
        &word[end - 1 - len..end]
    });
    let url = UrlMatch {
        scheme,
        host: &word[host_start..host_end],
        port,
        path,
    };
    Some((url, end))
}

/// The schemes [`URL`] knows.
const URL_SCHEMES: &[&str] = &[
    "http",
    "https",
    "postgres",
    "postgresql",
    "redis",
    "rediss",
    "amqp",
    "amqps",
    "mysql",
    "mongodb",
    "grpc",
    "tcp",
    "ws",
    "wss",
];

static DATNAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\bdatname\s*=\s*'([A-Za-z0-9_]+)'").expect("valid regex"));

/// Databases every PostgreSQL server has; connecting to one says nothing about the app's.
const SYSTEM_DATABASES: &[&str] = &["postgres", "template0", "template1"];

/// Buffers the commands of a runbook share: a command states a few things or nothing, and
/// its own list and needle buffer would each be allocated for that.
#[derive(Default)]
pub struct Scratch {
    found: Vec<RawKind>,
    needle: String,
}

/// Reads one command.
pub fn command(
    runbook: usize,
    source: &SourceFile,
    span: Span,
    cmd: &Command,
    scratch: &mut Scratch,
    out: &mut Vec<Raw>,
) {
    let inner = inner_commands(&cmd.argv);
    let words = expand(&cmd.argv, &inner);
    let found = &mut scratch.found;
    found.clear();
    let mut cx = Cx {
        source,
        span,
        out: found,
        needle: std::mem::take(&mut scratch.needle),
    };
    for word in &words {
        // One pass over the word says whether it may be a URL (it needs a `:`) or an image
        // (it needs a `/`); most words are neither, and the tests of each are not run.
        let (colon, slash) = colon_and_slash(word);
        if colon && has_scheme_separator(word) {
            cx.urls(word);
        } else if slash {
            cx.image(word);
        }
    }
    for segment in words.split(|w| is_separator(w)) {
        cx.segment(segment);
    }
    scratch.needle = cx.needle;
    if names_psql(&cmd.program) || cmd.programs.iter().any(|p| p == "psql") {
        // `datname = 'x'` in a psql -c query names the database of the -h host.
        let host = found.iter().find_map(|r| match &r {
            RawKind::Database { host, .. } => Some(host.clone()),
            _ => None,
        });
        for caps in DATNAME.captures_iter(&cmd.text) {
            let db = caps[1].to_owned();
            if SYSTEM_DATABASES.contains(&db.as_str()) {
                continue;
            }
            if let Some(span) = locate(source, span, &[format!("'{db}'")], &db) {
                found.push(RawKind::Database {
                    host: host.clone().flatten(),
                    db,
                    span,
                });
            }
        }
    }
    // One statement per command and value: `a -p 6379 | xargs a -p 6379` says it once.
    keep_first_statements(found);
    out.extend(found.drain(..).map(|kind| Raw {
        runbook,
        command_span: span,
        kind,
    }));
}

/// Drops every statement that says what an earlier one said (see [`Said`]), in place. A
/// command states a handful of things, so a scan of those kept is the cheapest set; those
/// kept are enough, as a statement dropped said what a kept one said.
fn keep_first_statements(found: &mut Vec<RawKind>) {
    let mut kept = 0;
    for i in 0..found.len() {
        let said = Said::of(&found[i]);
        let repeated = found[..kept].iter().any(|k| Said::of(k) == said);
        if !repeated {
            found.swap(kept, i);
            kept += 1;
        }
    }
    found.truncate(kept);
}

/// `program.contains("psql")`: a program name is a few bytes, too few to repay the
/// substring searcher `contains` sets up for every command (a property test checks the two
/// agree).
fn names_psql(program: &str) -> bool {
    program.as_bytes().windows(4).any(|w| w == b"psql")
}

/// What makes two statements of one command the same statement.
#[derive(PartialEq)]
enum Said<'a> {
    /// `-d x -c "... datname = 'x'"` states the name once, wherever it is written.
    Database(&'a Option<String>, &'a str),
    Port(&'a str, u16, bool),
    Host(&'a str),
    /// Anything else is the same only when it is the same in every field.
    Other(&'a RawKind),
}

impl<'a> Said<'a> {
    fn of(kind: &'a RawKind) -> Self {
        match kind {
            RawKind::Database { host, db, .. } => Said::Database(host, db),
            RawKind::Port {
                host,
                port,
                metrics,
                ..
            } => Said::Port(host, *port, *metrics),
            RawKind::Host { host, .. } => Said::Host(host),
            other => Said::Other(other),
        }
    }
}

/// `image: REGISTRY/NAME:TAG` lines of a YAML snippet (a manifest or a compose file).
pub fn yaml_snippet(
    runbook: usize,
    source: &SourceFile,
    span: Span,
    text: &str,
    out: &mut Vec<Raw>,
) {
    for line in text.lines() {
        let Some(value) = line.trim().trim_start_matches("- ").strip_prefix("image:") else {
            continue;
        };
        let value = value.trim().trim_matches(['"', '\'']);
        if let Some((registry, name)) = image_ref(value)
            && let Some(found) = locate(source, span, &[format!("{registry}/{name}")], &registry)
        {
            out.push(Raw {
                runbook,
                command_span: span,
                kind: RawKind::Image {
                    name,
                    registry,
                    span: found,
                },
            });
        }
    }
}

/// `datname = 'x'` in a SQL snippet (no host known).
pub fn snippet(runbook: usize, source: &SourceFile, span: Span, text: &str, out: &mut Vec<Raw>) {
    for caps in DATNAME.captures_iter(text) {
        let db = caps[1].to_owned();
        if SYSTEM_DATABASES.contains(&db.as_str()) {
            continue;
        }
        if let Some(found) = locate(source, span, &[format!("'{db}'")], &db) {
            out.push(Raw {
                runbook,
                command_span: span,
                kind: RawKind::Database {
                    host: None,
                    db,
                    span: found,
                },
            });
        }
    }
}

fn is_separator(word: &str) -> bool {
    matches!(word, "|" | "||" | "&&" | ";" | "&" | "--" | "|&")
}

/// The words of `argv` that hold a whole command (`watch 'kubectl get pods -n x'`,
/// `sh -c '...'`), by position, split into their own words. Few words do, so this is
/// usually empty and allocates nothing.
fn inner_commands(argv: &[String]) -> Vec<(usize, Vec<String>)> {
    let mut out = Vec::new();
    for (i, word) in argv.iter().enumerate() {
        if has_whitespace(word)
            && is_known_program(word.split_whitespace().next().unwrap_or(""))
            && let Ok(inner) = shell_words::split(word)
        {
            out.push((i, inner));
        }
    }
    out
}

/// The words of a command, with each word of `inner` (see [`inner_commands`]) replaced by its
/// own words between separators. Borrowed: a command's words were copied once each before,
/// most of them to be read once and dropped.
fn expand<'a>(argv: &'a [String], inner: &'a [(usize, Vec<String>)]) -> Vec<&'a str> {
    let extra: usize = inner.iter().map(|(_, words)| words.len() + 1).sum();
    let mut out = Vec::with_capacity(argv.len() + extra);
    let mut inner = inner.iter().peekable();
    for (i, word) in argv.iter().enumerate() {
        if let Some((_, words)) = inner.next_if(|(at, _)| *at == i) {
            out.push(";");
            out.extend(words.iter().map(String::as_str));
            out.push(";");
            continue;
        }
        out.push(word.as_str());
    }
    out
}

/// `word.contains(char::is_whitespace)`. Every word of every command comes here and nearly
/// all are ASCII without white space: one pass over the bytes says so without decoding a
/// character; the first byte that is white space or not ASCII settles it, the latter by
/// the character test (a property test checks the two agree).
fn has_whitespace(word: &str) -> bool {
    match word
        .bytes()
        .find(|&b| matches!(b, b'\t'..=b'\r' | b' ') || !b.is_ascii())
    {
        None => false,
        Some(b) if b.is_ascii() => true,
        Some(_) => word.contains(char::is_whitespace),
    }
}

fn is_known_program(word: &str) -> bool {
    matches!(
        basename(word),
        "kubectl"
            | "oc"
            | "psql"
            | "redis-cli"
            | "mysql"
            | "nc"
            | "ncat"
            | "netcat"
            | "telnet"
            | "docker"
            | "docker-compose"
            | "curl"
            | "wget"
    )
}

/// What follows the last `/` of `word`, or all of it: `word.rsplit('/').next()`, which sets
/// up a searcher for every command's first word (a property test checks the two agree).
/// The program of a `kubectl`/`oc` command (the only ones [`Cx::segment`] sends to
/// [`Cx::kube`]), as a constant: a copy of the word was one allocation per statement, kept
/// until the merge.
fn kube_program(word: &str) -> &'static str {
    if basename(word) == "oc" {
        "oc"
    } else {
        "kubectl"
    }
}

fn basename(word: &str) -> &str {
    match word.bytes().rposition(|b| b == b'/') {
        Some(slash) => &word[slash + 1..],
        None => word,
    }
}

struct Cx<'a> {
    source: &'a SourceFile,
    span: Span,
    out: &'a mut Vec<RawKind>,
    /// Where needles for [`Cx::locate`] are spelled, one after the other: one buffer per
    /// command instead of one string per needle.
    needle: String,
}

impl Cx<'_> {
    /// [`locate`] with each needle given as the parts it is made of (`["-n ", ns]`).
    fn locate(&mut self, needles: &[&[&str]], value: &str) -> Span {
        for parts in needles {
            self.needle.clear();
            for part in *parts {
                self.needle.push_str(part);
            }
            if let Some(found) = locate_one(self.source, self.span, &self.needle, value) {
                return found;
            }
        }
        self.span
    }

    /// Records a host name, when it is one (see [`host_name`]).
    fn host(&mut self, word: &str) {
        let Some(host) = host_name(word) else {
            return;
        };
        // Found as written; the statement's value is lower case.
        let written = word.trim_end_matches('.');
        let span = self.locate(&[&[written]], written);
        self.out.push(RawKind::Host { host, span });
    }

    /// Records a container image (never a URL: the caller has checked).
    fn image(&mut self, word: &str) {
        if let Some((registry, name)) = image_ref(word) {
            let span = self.locate(&[&[&registry, "/", &name]], &registry);
            self.out.push(RawKind::Image {
                name,
                registry,
                span,
            });
        }
    }

    /// Records what the URLs in `word` state (the caller has checked it has a `://`).
    fn urls(&mut self, word: &str) {
        for url in url_matches(word) {
            let scheme = url.scheme.to_ascii_lowercase();
            let host = url.host.to_owned();
            let port = url.port;
            let path = url.path.unwrap_or("");
            self.host(&host);
            let Some((key, ns)) = host_key(&host) else {
                continue;
            };
            if let Some(ns) = ns {
                let span = self.locate(&[&[&host]], &host);
                let ns_span = sub_span(self.source, span, &host, &ns);
                self.out.push(RawKind::HostNamespace {
                    service: key.clone(),
                    ns,
                    span: ns_span,
                });
            }
            if let Some(port) = port.and_then(|p| p.parse::<u16>().ok()) {
                let written = port.to_string();
                let span = self.locate(&[&[&host, ":", &written]], &written);
                self.out.push(RawKind::Port {
                    host: key.clone(),
                    port,
                    span,
                    metrics: path.trim_end_matches('/').ends_with("/metrics"),
                });
            }
            if scheme.starts_with("postgres") {
                let db = path.trim_start_matches('/');
                if is_name(db) && !SYSTEM_DATABASES.contains(&db) {
                    let span = self.locate(&[&["/", db]], db);
                    self.out.push(RawKind::Database {
                        host: Some(key),
                        db: db.to_owned(),
                        span,
                    });
                }
            }
        }
    }

    fn segment(&mut self, words: &[&str]) {
        let words = skip_wrappers(words);
        let Some(first) = words.first() else {
            return;
        };
        match basename(first) {
            "kubectl" | "oc" => self.kube(words),
            "psql" => self.psql(words),
            "redis-cli" => self.host_port(words, "-h", "-p"),
            "mysql" => self.mysql(words),
            "nc" | "ncat" | "netcat" | "telnet" => self.netcat(words),
            "docker-compose" => self.compose(words, ComposeFlavour::Standalone, 1),
            "docker" if words.get(1).is_some_and(|w| *w == "compose") => {
                self.compose(words, ComposeFlavour::Plugin, 2);
            }
            "ssh" => {
                let rest = skip_flags(
                    &words[1..],
                    &["-i", "-p", "-l", "-o", "-J", "-F", "-L", "-R", "-D"],
                );
                if let Some(target) = rest.first() {
                    self.host(target.rsplit('@').next().unwrap_or(target));
                }
                if rest.len() > 1 {
                    self.segment(&rest[1..]);
                }
            }
            "scp" | "rsync" => {
                // `user@host:path` operands.
                for word in &words[1..] {
                    if let Some((target, _)) = word.split_once(':')
                        && !word.starts_with('-')
                        && !word.contains("://")
                    {
                        self.host(target.rsplit('@').next().unwrap_or(target));
                    }
                }
            }
            "ping" | "traceroute" | "mtr" => {
                let rest = skip_flags(&words[1..], &["-c", "-i", "-W", "-w", "-s", "-t", "-m"]);
                if let [host] = rest {
                    self.host(host);
                }
            }
            _ => {}
        }
    }

    fn kube(&mut self, words: &[&str]) {
        let mut namespace = None;
        let mut all_namespaces = false;
        let mut names = Vec::new();
        let mut positional: Vec<&str> = Vec::new();
        let mut i = 1;
        while i < words.len() {
            let w = words[i];
            let next = words.get(i + 1).copied();
            if w == "-n" || w == "--namespace" {
                if let Some(v) = next {
                    namespace = Some(v.to_owned());
                }
                i += 2;
                continue;
            }
            if let Some(v) = w
                .strip_prefix("--namespace=")
                .or_else(|| w.strip_prefix("-n="))
                .or_else(|| {
                    w.strip_prefix("-n")
                        .filter(|v| !v.starts_with('-') && !v.is_empty())
                })
            {
                namespace = Some(v.to_owned());
                i += 1;
                continue;
            }
            if w == "-A" || w == "--all-namespaces" || w == "--all-namespaces=true" {
                all_namespaces = true;
                i += 1;
                continue;
            }
            if w == "-l" || w == "--selector" {
                if let Some(v) = next {
                    labels(v, &mut names);
                }
                i += 2;
                continue;
            }
            if let Some(v) = w
                .strip_prefix("--selector=")
                .or_else(|| w.strip_prefix("-l").filter(|v| v.contains('=')))
            {
                labels(v, &mut names);
                i += 1;
                continue;
            }
            if w.starts_with('-') {
                i += if kube_flag_takes_value(w) { 2 } else { 1 };
                continue;
            }
            positional.push(w);
            i += 1;
        }
        let program = kube_program(words[0]);
        let verb = positional.first().copied().unwrap_or("");
        if verb == "config" {
            self.out.push(RawKind::Kube {
                names: Vec::new(),
                namespace: None,
                all_namespaces: false,
                sets_namespace: namespace.is_some(),
                program,
            });
            return;
        }
        if matches!(
            verb,
            "run" | "create" | "apply" | "expose" | "api-resources" | "version"
        ) {
            names.clear();
        } else {
            let args: &[&str] = if verb == "rollout" || verb == "set" {
                positional.get(2..).unwrap_or(&[])
            } else {
                positional.get(1..).unwrap_or(&[])
            };
            resources(verb, args, &mut names);
        }
        names.retain(|(n, _)| is_name(n));
        let namespace = namespace.filter(|ns| is_name(ns)).map(|ns| {
            let span = self.locate(
                &[
                    &["-n ", &ns],
                    &["--namespace=", &ns],
                    &["--namespace ", &ns],
                    &["-n=", &ns],
                    &["-n", &ns],
                ],
                &ns,
            );
            (ns, span)
        });
        if names.is_empty() {
            return;
        }
        // Kept to the merge, and the vector's first growth made room for four names where
        // a command names one or two.
        names.shrink_to_fit();
        self.out.push(RawKind::Kube {
            names,
            namespace,
            all_namespaces,
            sets_namespace: false,
            program,
        });
    }

    fn psql(&mut self, words: &[&str]) {
        let (mut host, mut port, mut db) = (None, None, None);
        let mut i = 1;
        while i < words.len() {
            let w = words[i];
            let next = words.get(i + 1).copied();
            match w {
                "-h" | "--host" => (host, i) = (next, i + 2),
                "-p" | "--port" => (port, i) = (next, i + 2),
                "-d" | "--dbname" => (db, i) = (next, i + 2),
                "-U" | "--username" | "-c" | "--command" | "-f" | "--file" | "-v" | "--set"
                | "-o" | "-P" | "-F" | "-R" => i += 2,
                _ => {
                    if let Some(v) = w.strip_prefix("--host=") {
                        host = Some(v);
                    } else if let Some(v) = w.strip_prefix("--port=") {
                        port = Some(v);
                    } else if let Some(v) = w.strip_prefix("--dbname=") {
                        db = Some(v);
                    } else if !w.starts_with('-') && db.is_none() {
                        db = Some(w);
                    }
                    i += 1;
                }
            }
        }
        if let Some(h) = host {
            self.host(h);
        }
        let host = host.and_then(|h| host_key(h).map(|(k, _)| k));
        if let (Some(key), Some(port)) = (&host, port)
            && let Ok(p) = port.parse::<u16>()
        {
            let span = self.locate(&[&["-p ", port], &["--port=", port]], port);
            self.out.push(RawKind::Port {
                host: key.clone(),
                port: p,
                span,
                metrics: false,
            });
        }
        let Some(db) = db else {
            return;
        };
        if db.contains("://") || !is_name(db) || SYSTEM_DATABASES.contains(&db) {
            return;
        }
        let span = self.locate(
            &[
                &["-d ", db],
                &["--dbname=", db],
                &["--dbname ", db],
                &["-d", db],
                &[db],
            ],
            db,
        );
        self.out.push(RawKind::Database {
            host,
            db: db.to_owned(),
            span,
        });
    }

    fn mysql(&mut self, words: &[&str]) {
        self.host_port(words, "-h", "-P");
        let mut i = 1;
        while i < words.len() {
            let w = words[i];
            if w == "-D" || w == "--database" {
                if let Some(db) = words.get(i + 1).filter(|d| is_name(d)) {
                    let span = self.locate(&[&[w, " ", db]], db);
                    self.out.push(RawKind::Database {
                        host: None,
                        db: (*db).to_owned(),
                        span,
                    });
                }
                return;
            }
            i += 1;
        }
    }

    fn host_port(&mut self, words: &[&str], host_flag: &str, port_flag: &str) {
        let value = |flag: &str| {
            words
                .iter()
                .position(|w| *w == flag)
                .and_then(|i| words.get(i + 1))
        };
        if let Some(host) = value(host_flag) {
            self.host(host);
        }
        let (Some(host), Some(port)) = (value(host_flag), value(port_flag)) else {
            return;
        };
        let (Some((key, _)), Ok(p)) = (host_key(host), port.parse::<u16>()) else {
            return;
        };
        let span = self.locate(&[&[port_flag, " ", port]], port);
        self.out.push(RawKind::Port {
            host: key,
            port: p,
            span,
            metrics: false,
        });
    }

    fn netcat(&mut self, words: &[&str]) {
        let rest = skip_flags(&words[1..], &["-w", "-p", "-s", "-i", "-q", "-W"]);
        let [host, port] = rest else {
            return;
        };
        self.host(host);
        let (Some((key, _)), Ok(p)) = (host_key(host), port.parse::<u16>()) else {
            return;
        };
        let span = self.locate(&[&[host, " ", port]], port);
        self.out.push(RawKind::Port {
            host: key,
            port: p,
            span,
            metrics: false,
        });
    }

    fn compose(&mut self, words: &[&str], flavour: ComposeFlavour, skip: usize) {
        let needle = flavour.as_str();
        let span = self.locate(&[&[needle]], needle);
        self.out.push(RawKind::Compose { flavour, span });
        let rest = skip_flags(
            words.get(skip..).unwrap_or(&[]),
            &[
                "-f",
                "--file",
                "-p",
                "--project-name",
                "--env-file",
                "--profile",
            ],
        );
        let Some((sub, args)) = rest.split_first() else {
            return;
        };
        let many = matches!(
            *sub,
            "up" | "restart"
                | "pull"
                | "logs"
                | "ps"
                | "stop"
                | "start"
                | "images"
                | "rm"
                | "kill"
                | "create"
                | "top"
                | "pause"
                | "unpause"
                | "build"
                | "push"
        );
        let one = matches!(*sub, "exec" | "run");
        if !many && !one {
            return;
        }
        let services = skip_flags(
            args,
            &[
                "--tail",
                "-t",
                "--timeout",
                "--scale",
                "-u",
                "--user",
                "-w",
                "--workdir",
                "-e",
                "--env",
                "--index",
                "--since",
                "--until",
            ],
        );
        let services = if one {
            services.get(..1).unwrap_or(&[])
        } else {
            services
        };
        for name in services {
            if is_name(name) {
                self.out.push(RawKind::ComposeService {
                    name: (*name).to_owned(),
                });
            }
        }
    }
}

/// Flags of kubectl that take a value as the next word. A `match` of the word rather than
/// a scan of a list of them (with a test for `=` first, which none of them has): this runs
/// for every flag of every kubectl command (a test checks it against the list).
fn kube_flag_takes_value(word: &str) -> bool {
    matches!(
        word,
        "-o" | "--output"
            | "-c"
            | "--container"
            | "-f"
            | "--filename"
            | "--context"
            | "--cluster"
            | "--kubeconfig"
            | "--image"
            | "-p"
            | "--patch"
            | "--type"
            | "--replicas"
            | "--tail"
            | "--since"
            | "--timeout"
            | "--revision"
            | "--to-revision"
            | "--sort-by"
            | "--grace-period"
            | "-i"
            | "--field-selector"
            | "--from"
            | "--as"
            | "-s"
            | "--server"
            | "--user"
            | "--token"
            | "--template"
            | "-L"
            | "--label-columns"
    )
}

/// The flags [`kube_flag_takes_value`] knows, as they were listed.
#[cfg(test)]
const KUBE_FLAGS_WITH_VALUE: &[&str] = &[
    "-o",
    "--output",
    "-c",
    "--container",
    "-f",
    "--filename",
    "--context",
    "--cluster",
    "--kubeconfig",
    "--image",
    "-p",
    "--patch",
    "--type",
    "--replicas",
    "--tail",
    "--since",
    "--timeout",
    "--revision",
    "--to-revision",
    "--sort-by",
    "--grace-period",
    "-i",
    "--field-selector",
    "--from",
    "--as",
    "-s",
    "--server",
    "--user",
    "--token",
    "--template",
    "-L",
    "--label-columns",
];

/// The words after leading flags; a flag in `with_value` also skips the word after it.
fn skip_flags<'a, 'w>(words: &'a [&'w str], with_value: &[&str]) -> &'a [&'w str] {
    let mut i = 0;
    while let Some(w) = words.get(i) {
        if !w.starts_with('-') || *w == "-" {
            break;
        }
        i += if with_value.contains(w) { 2 } else { 1 };
    }
    // Flags after positionals (`nc host 5432 -v`) are dropped too.
    let rest = words.get(i..).unwrap_or(&[]);
    let end = rest
        .iter()
        .position(|w| w.starts_with('-'))
        .unwrap_or(rest.len());
    &rest[..end]
}

/// Leading words that run another command: `sudo -u x`, `A=b`, `time`, `watch -n 5`, `timeout 5`.
fn skip_wrappers<'a, 'w>(words: &'a [&'w str]) -> &'a [&'w str] {
    let mut i = 0;
    while let Some(w) = words.get(i) {
        let w = *w;
        if (w.contains('=') && !w.starts_with('-') && !w.contains('/'))
            || matches!(w, "time" | "nohup" | "exec" | "command" | "builtin")
        {
            i += 1;
        } else if matches!(w, "sudo" | "watch" | "timeout") {
            i += 1;
            while let Some(f) = words.get(i) {
                if f.starts_with('-') {
                    let takes = matches!(*f, "-u" | "-g" | "-n" | "--interval" | "-s" | "-k");
                    i += if takes { 2 } else { 1 };
                } else if w == "timeout" && f.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                    i += 1;
                } else {
                    break;
                }
            }
        } else {
            break;
        }
    }
    words.get(i..).unwrap_or(&[])
}

/// Kubernetes resource kinds whose name is the service's name.
fn strong_kind(kind: &str) -> Option<bool> {
    match kind.split('.').next().unwrap_or(kind) {
        "deployment" | "deployments" | "deploy" | "statefulset" | "statefulsets" | "sts"
        | "daemonset" | "daemonsets" | "ds" | "service" | "services" | "svc" => Some(true),
        "pod"
        | "pods"
        | "po"
        | "replicaset"
        | "replicasets"
        | "rs"
        | "hpa"
        | "horizontalpodautoscaler"
        | "horizontalpodautoscalers" => Some(false),
        _ => None,
    }
}

/// Names in the positional words of a kubectl command.
fn resources(verb: &str, args: &[&str], names: &mut Vec<(String, bool)>) {
    let mut i = 0;
    let mut any_kind = false;
    while let Some(arg) = args.get(i) {
        if let Some((kind, name)) = arg.split_once('/') {
            if let Some(strong) = strong_kind(&kind.to_ascii_lowercase()) {
                names.push((name.to_owned(), strong));
            }
            any_kind = true;
            i += 1;
            continue;
        }
        if let Some(strong) = strong_kind(&arg.to_ascii_lowercase()) {
            for name in args.get(i + 1..).unwrap_or(&[]) {
                if name.contains('/') {
                    break;
                }
                for n in name.split(',') {
                    names.push((n.to_owned(), strong));
                }
            }
            return;
        }
        i += 1;
    }
    // `kubectl logs POD`, `kubectl exec POD`: the first word is a pod name.
    if !any_kind
        && matches!(
            verb,
            "logs" | "exec" | "attach" | "port-forward" | "cp" | "debug"
        )
        && let Some(first) = args.first()
    {
        let pod = first.split(':').next().unwrap_or(first);
        names.push((pod.to_owned(), false));
    }
}

fn labels(selector: &str, names: &mut Vec<(String, bool)>) {
    for part in selector.split(',') {
        if let Some((key, value)) = part.split_once('=') {
            let key = key.trim_end_matches('=');
            if matches!(
                key,
                "app" | "app.kubernetes.io/name" | "k8s-app" | "app.kubernetes.io/instance"
            ) {
                names.push((value.trim_start_matches('=').to_owned(), true));
            }
        }
    }
}

/// The service key of a host, and the namespace when it is `x.ns.svc[.cluster.local]`.
/// Local addresses and written-out placeholders give nothing.
pub fn host_key(host: &str) -> Option<(String, Option<String>)> {
    let host = host.to_ascii_lowercase();
    if matches!(
        host.as_str(),
        "localhost" | "0.0.0.0" | "::1" | "host.docker.internal"
    ) || host.starts_with("127.")
        // (Bytes: a character outside ASCII fails this test as each of its bytes does.)
        || !host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
        || host.is_empty()
        || host.starts_with('-')
    {
        return None;
    }
    // The first three parts, without a list of all of them.
    let mut parts = host.split('.');
    if let (Some(service), Some(ns), Some("svc")) = (parts.next(), parts.next(), parts.next()) {
        return Some((service.to_owned(), Some(ns.to_owned())));
    }
    if host.bytes().all(|b| b == b'x' || b == b'.') {
        return None;
    }
    Some((host, None))
}

/// A host name worth comparing across runbooks, lower-cased: two or more labels of letters,
/// digits, `-` and `_`, ending in a label of letters (so no IP addresses, versions or file
/// names such as `16-main` or `dump.sql`). Cluster-internal names (`x.ns.svc`, compared by
/// the namespace rule), local names and written-out placeholders (`xxx.example`) give nothing.
pub fn host_name(word: &str) -> Option<String> {
    // Every test reads the word as written, ignoring ASCII case, rather than a lower-cased
    // copy split into a list: lower-casing moves no byte and makes no letter of anything
    // else, so each says what it said of the copy, and only a host is copied (a property
    // test checks this against the tests of the copy).
    // (Parts found by byte loops: `rsplit_once` and `split` set up a character searcher.)
    let host = word.trim_end_matches('.');
    let tld = &host[host.bytes().rposition(|b| b == b'.')? + 1..];
    if tld.len() < 2
        || !tld.bytes().all(|b| b.is_ascii_alphabetic())
        || FILE_SUFFIXES.iter().any(|s| tld.eq_ignore_ascii_case(s))
        || !every_label(host, |l| is_host_label(l) && !l.eq_ignore_ascii_case("svc"))
        || host.eq_ignore_ascii_case("host.docker.internal")
        || ends_with_ignore_case(host, ".localhost")
    {
        return None;
    }
    Some(host.to_ascii_lowercase())
}

/// True when `ok` holds for every part of `host` between dots (`host.split('.').all(ok)`).
fn every_label(host: &str, ok: impl Fn(&str) -> bool) -> bool {
    let mut start = 0;
    for (i, b) in host.bytes().enumerate() {
        if b == b'.' {
            if !ok(&host[start..i]) {
                return false;
            }
            start = i + 1;
        }
    }
    ok(&host[start..])
}

/// One label of a host name: letters, digits, `-` and `_`, at most 63, no `-` at either end,
/// not all `x`.
fn is_host_label(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= 63
        && label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && !label.starts_with('-')
        && !label.ends_with('-')
        && !label.bytes().all(|b| b == b'x' || b == b'X')
}

fn ends_with_ignore_case(text: &str, suffix: &str) -> bool {
    text.len() >= suffix.len()
        && text.as_bytes()[text.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
}

/// Last parts that make a dotted word a file name rather than a host.
const FILE_SUFFIXES: &[&str] = &[
    "md", "sh", "py", "rb", "js", "ts", "rs", "go", "yaml", "yml", "json", "toml", "ini", "conf",
    "cfg", "txt", "log", "sql", "dump", "csv", "gz", "tgz", "tar", "zip", "pem", "key", "crt",
    "pub", "html", "xml", "env", "service", "socket", "timer", "lock", "bak", "tmp",
];

/// A Kubernetes-style name (lower-case letters, digits, `-`, `_`, `.`), not a placeholder.
pub fn is_name(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 253
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
        && text
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && !text.eq_ignore_ascii_case("xxx")
}

/// Strong service names: named as a deployment, service, label, compose service or URL host.
/// In statement order, repeats kept: the book's set is made once from every runbook's.
pub fn known_names(raws: &[Raw]) -> impl Iterator<Item = &str> {
    raws.iter().flat_map(|raw| {
        let (strong, one): (&[(String, bool)], Option<&String>) = match &raw.kind {
            RawKind::Kube { names, .. } => (names, None),
            RawKind::Port { host, .. } if !host.contains('.') => (&[], Some(host)),
            RawKind::HostNamespace { service, .. } => (&[], Some(service)),
            RawKind::ComposeService { name } => (&[], Some(name)),
            _ => (&[], None),
        };
        let strong = strong.iter().filter(|(_, strong)| *strong).map(|(n, _)| n);
        strong.chain(one).map(String::as_str)
    })
}

/// The known service a pod (or replica set, or HPA) name belongs to: the name itself, or a
/// known name followed by pod suffixes (`-7d9c6b8f54-2kqzt`, `-0`, `-xxxxx`).
pub fn resolve_pod(name: &str, known: &BTreeSet<String>) -> Option<String> {
    if known.contains(name) {
        return Some(name.to_owned());
    }
    // The suffixes are one or two parts, so the service ends at one of the name's last two
    // dashes: two lookups, where trying every known name was quadratic in the size of the
    // book (a third of the time of merging the facts of 10,000 runbooks). The later dash
    // first: the longest known name wins.
    name.rmatch_indices('-').take(2).find_map(|(cut, _)| {
        let (service, suffixes) = (&name[..cut], &name[cut + 1..]);
        (known.contains(service) && suffixes.split('-').all(pod_suffix)).then(|| service.to_owned())
    })
}

/// Generated suffix: the pod-name alphabet (no vowels), all digits, or an `x` placeholder.
fn pod_suffix(part: &str) -> bool {
    const ALPHABET: &str = "bcdfghjklmnpqrstvwxz0123456789";
    !part.is_empty()
        && (part.chars().all(|c| c == 'x')
            || part.chars().all(|c| c.is_ascii_digit())
            || ((part.len() == 5 || (8..=10).contains(&part.len()))
                && part.chars().all(|c| ALPHABET.contains(c))))
}

/// The span of `value` inside the first of `needles` found in `span` (not inside a longer
/// word); `None` when no needle is there (quoting or line continuations in between).
pub fn locate(source: &SourceFile, span: Span, needles: &[String], value: &str) -> Option<Span> {
    needles
        .iter()
        .find_map(|needle| locate_one(source, span, needle, value))
}

/// [`locate`] with one needle.
pub fn locate_one(source: &SourceFile, span: Span, needle: &str, value: &str) -> Option<Span> {
    let end = span.end.min(source.text.len());
    let slice = source.text.get(span.start..end)?;
    if needle.is_empty() {
        return None;
    }
    // The needles are short and so is the span: a scan for the first byte (memchr's,
    // vectorised) beats the substring searcher `match_indices` builds for every needle. Like
    // `match_indices`, it resumes after a rejected match, so it finds the same occurrence.
    let (bytes, wanted) = (slice.as_bytes(), needle.as_bytes());
    let mut from = 0;
    while let Some(skip) = bytes
        .get(from..)
        .and_then(|rest| memchr::memchr(wanted[0], rest))
    {
        let pos = from + skip;
        if !bytes[pos..].starts_with(wanted) {
            from = pos + 1;
            continue;
        }
        from = pos + wanted.len();
        if let Some(found) = value_at(source, span, slice, pos, needle, value) {
            return Some(found);
        }
    }
    None
}

/// The span of `value` in the occurrence of `needle` at byte `pos` of `slice` (the text of
/// `span`), unless that occurrence is part of a longer word.
fn value_at(
    source: &SourceFile,
    span: Span,
    slice: &str,
    pos: usize,
    needle: &str,
    value: &str,
) -> Option<Span> {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.';
    let starts_word = needle.chars().next().is_some_and(is_word);
    let ends_word = needle
        .chars()
        .next_back()
        .is_some_and(|c| c.is_ascii_alphanumeric());
    let after = slice[pos + needle.len()..].chars().next();
    let before = slice[..pos].chars().next_back();
    if (ends_word && after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        || (starts_word && before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_'))
    {
        return None;
    }
    let start = span.start + pos + value_offset(needle, value);
    Some(source.span(start, start + value.len()))
}

/// Where `value` starts in `needle`: its last occurrence, or 0. Nearly every needle ends
/// with its value (`-n ` then the namespace), and that suffix is the last occurrence, so the
/// substring searcher `rfind` sets up (hundreds of instructions a needle) is only built for
/// the others (a property test checks the two agree).
fn value_offset(needle: &str, value: &str) -> usize {
    if needle.ends_with(value) {
        return needle.len() - value.len();
    }
    needle.rfind(value).unwrap_or(0)
}

/// The span of `part` inside `whole`, which `span` covers.
fn sub_span(source: &SourceFile, span: Span, whole: &str, part: &str) -> Span {
    let parts: Vec<&str> = whole.split('.').collect();
    let offset = if parts.len() > 1 {
        parts[0].len() + 1
    } else {
        whole.find(part).unwrap_or(0)
    };
    let start = span.start + offset;
    if span.end - span.start >= offset + part.len() {
        source.span(start, start + part.len())
    } else {
        span
    }
}

#[cfg(test)]
mod tests {
    proptest::proptest! {
        /// The constant is the word's base name, for every word that names kubectl or oc.
        #[test]
        fn kube_program_is_the_basename(word in "(/[a-z/]{0,6}/)?(kubectl|oc)") {
            proptest::prop_assert_eq!(super::kube_program(&word), super::basename(&word));
        }
    }

    proptest::proptest! {
        /// The host precheck in `image_ref` only skips words the regex and the registry test
        /// after it would reject anyway.
        #[test]
        fn image_ref_precheck_is_exact(word in "(--image=|[a-z]{1,3}=)?(localhost|[a-zA-Z0-9.:_-]{0,6})(/[a-z0-9._:@-]{0,8}){0,3}") {
            proptest::prop_assert_eq!(super::image_ref(&word), image_ref_oracle(&word), "{}", word);
        }

        /// The URLs read by hand out of an ASCII word are those the regex finds.
        #[test]
        fn ascii_urls_are_the_regex_matches(word in "([ =_a-z]{0,2}(?i:https?|postgres(ql)?|rediss?|amqps?|mysql|tcp|wss?|ftp)?(://)?([a-z0-9:._/]{0,3}@)?[a-z0-9_.-]{0,3}(:[0-9]{0,7})?(/[a-z:/?#'\"]{0,4})?[ \t\x0B\x0C?#'\"@:/]?){1,3}") {
            proptest::prop_assert_eq!(super::url_matches(&word), url_oracle(&word), "{:?}", word);
        }

        /// The suffix shortcut of `value_offset` finds the occurrence `rfind` finds.
        #[test]
        fn value_offset_is_rfind(needle in "[-a /n]{0,8}", value in "[-a /n]{0,3}") {
            proptest::prop_assert_eq!(super::value_offset(&needle, &value), needle.rfind(&value).unwrap_or(0));
        }

        #[test]
        fn host_key_is_the_list_of_parts(host in "(([a-zA-Z0-9_xX-]{0,3}|svc|SVC|127|localhost|é|:)\\.?){0,5}") {
            proptest::prop_assert_eq!(super::host_key(&host), host_key_oracle(&host), "{:?}", host);
        }

        #[test]
        fn basename_is_the_last_of_rsplit(word in "[a/é]{0,6}") {
            proptest::prop_assert_eq!(super::basename(&word), word.rsplit('/').next().unwrap_or(&word));
        }

        #[test]
        fn names_psql_is_contains(program in "[psqlé/]{0,8}") {
            proptest::prop_assert_eq!(super::names_psql(&program), program.contains("psql"));
        }

        #[test]
        fn has_whitespace_is_contains(word in "[a \t\n\x0B\x0C\r\x1C\u{85}\u{a0}\u{2003}é-]{0,8}") {
            proptest::prop_assert_eq!(super::has_whitespace(&word), word.contains(char::is_whitespace), "{:?}", word);
        }

        /// `host_name` reading the word as written says what the tests of its lower-cased
        /// copy said.
        #[test]
        fn host_name_is_the_tests_of_the_lower_case_copy(word in "([a-zA-Z0-9_x-]{0,4}|[xX]{1,3}|-|sVc|svc|SQL|sql|Json|LocalHost|host\\.docker\\.internal|HOST\\.Docker|internal|é|K|\\.){0,7}") {
            proptest::prop_assert_eq!(super::host_name(&word), host_name_oracle(&word), "{:?}", word);
        }

        /// The flags that take a value are those of the list, `=` or not.
        #[test]
        fn kube_flag_match_is_the_list(word in "(-{1,2}[a-zL]{0,3}|--[a-z-]{4,12}|-o|--output|--to-revision|--label-columns|-L)=?") {
            proptest::prop_assert_eq!(
                super::kube_flag_takes_value(&word),
                !word.contains('=') && super::KUBE_FLAGS_WITH_VALUE.contains(&word.as_str()),
                "{:?}", word
            );
        }

        #[test]
        fn colon_and_slash_are_contains(word in "[a:/é]{0,40}") {
            proptest::prop_assert_eq!(super::colon_and_slash(&word), (word.contains(':'), word.contains('/')));
        }

        #[test]
        fn scheme_separator_is_contains(word in "[a-z:/]{0,10}") {
            proptest::prop_assert_eq!(super::has_scheme_separator(&word), word.contains("://"));
        }

        /// The byte scan in `locate_one` finds what `match_indices` found, overlaps included.
        #[test]
        fn locate_scan_is_match_indices(text in "[-a .n=é]{0,24}", needle in "[-a .n=é]{1,4}", cut in 0usize..3) {
            let source = SourceFile::new("a.md", text.clone());
            let span = source.span(0, text.len());
            let value = needle.get(cut..).filter(|v| !v.is_empty()).unwrap_or(&needle).to_owned();
            proptest::prop_assert_eq!(
                super::locate_one(&source, span, &needle, &value),
                locate_oracle(&source, span, &needle, &value)
            );
        }
    }

    /// The URLs of `word` as the regex finds them.
    fn url_oracle(word: &str) -> Vec<super::UrlMatch<'_>> {
        super::URL
            .captures_iter(word)
            .map(|caps| super::UrlMatch {
                scheme: caps.get(1).map_or("", |m| m.as_str()),
                host: caps.get(2).map_or("", |m| m.as_str()),
                port: caps.get(3).map(|m| m.as_str()),
                path: caps.get(4).map(|m| m.as_str()),
            })
            .collect()
    }

    /// Cases the generated words rarely hit: a user part with no host after it, a scheme
    /// that the previous URL's host has eaten the start of, long ports, quotes in paths.
    #[test]
    fn ascii_url_corner_cases() {
        for word in [
            "http://a@",
            "http://@x",
            "http://http://x",
            "http://a.b_http://c",
            "x=redis://u:p@h:6379999/0?x",
            "HTTPS://h/p'q",
            "rediss://h:/x",
            "postgresql://h\x0b/db",
            "_http://h tcp://k",
        ] {
            assert_eq!(super::url_matches(word), url_oracle(word), "{word:?}");
        }
    }

    /// `locate_one` as it was written, with the occurrences `match_indices` finds.
    fn locate_oracle(source: &SourceFile, span: Span, needle: &str, value: &str) -> Option<Span> {
        let slice = &source.text[span.start..span.end];
        slice
            .match_indices(needle)
            .find_map(|(pos, _)| super::value_at(source, span, slice, pos, needle, value))
    }

    /// A statement from a small set, so that repeats are frequent.
    fn small_statement() -> impl proptest::strategy::Strategy<Value = RawKind> {
        use proptest::prelude::*;
        let name = || prop_oneof![Just("a".to_owned()), Just("b".to_owned())];
        let span = || {
            (0usize..2).prop_map(|start| Span {
                start,
                ..Span::default()
            })
        };
        prop_oneof![
            (name(), span()).prop_map(|(host, span)| RawKind::Host { host, span }),
            (name(), 1u16..3, span(), any::<bool>()).prop_map(|(host, port, span, metrics)| {
                RawKind::Port {
                    host,
                    port,
                    span,
                    metrics,
                }
            }),
            (proptest::option::of(name()), name(), span())
                .prop_map(|(host, db, span)| RawKind::Database { host, db, span }),
            name().prop_map(|name| RawKind::ComposeService { name }),
        ]
    }

    /// The statements kept as `command` kept them before: each checked against every
    /// earlier one.
    fn first_statements_oracle(found: Vec<RawKind>) -> Vec<RawKind> {
        let keep: Vec<bool> = {
            let mut seen: Vec<Said<'_>> = Vec::with_capacity(found.len());
            found
                .iter()
                .map(|kind| {
                    let said = Said::of(kind);
                    let new = !seen.contains(&said);
                    seen.push(said);
                    new
                })
                .collect()
        };
        found
            .into_iter()
            .zip(keep)
            .filter(|(_, keep)| *keep)
            .map(|(kind, _)| kind)
            .collect()
    }

    proptest::proptest! {
        #[test]
        fn kept_statements_are_the_first_of_each(found in proptest::collection::vec(small_statement(), 0..10)) {
            let mut kept = found.clone();
            keep_first_statements(&mut kept);
            proptest::prop_assert_eq!(kept, first_statements_oracle(found));
        }
    }

    /// `host_key` as it was written before it read bytes and only the first three parts.
    fn host_key_oracle(host: &str) -> Option<(String, Option<String>)> {
        let host = host.to_ascii_lowercase();
        if matches!(
            host.as_str(),
            "localhost" | "0.0.0.0" | "::1" | "host.docker.internal"
        ) || host.starts_with("127.")
            || !host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_')
            || host.is_empty()
            || host.starts_with('-')
        {
            return None;
        }
        let parts: Vec<&str> = host.split('.').collect();
        if parts.len() >= 3 && parts[2] == "svc" {
            return Some((parts[0].to_owned(), Some(parts[1].to_owned())));
        }
        if host.chars().all(|c| c == 'x' || c == '.') {
            return None;
        }
        Some((host, None))
    }

    /// `host_name` as it was written before it read the word as written.
    fn host_name_oracle(word: &str) -> Option<String> {
        let host = word.trim_end_matches('.').to_ascii_lowercase();
        let labels: Vec<&str> = host.split('.').collect();
        let tld = labels.last()?;
        let label_ok = |l: &str| {
            !l.is_empty()
                && l.len() <= 63
                && l.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                && !l.starts_with('-')
                && !l.ends_with('-')
                && !l.chars().all(|c| c == 'x')
        };
        if labels.len() < 2
            || !labels.iter().all(|l| label_ok(l))
            || tld.len() < 2
            || !tld.chars().all(|c| c.is_ascii_alphabetic())
            || super::FILE_SUFFIXES.contains(tld)
            || labels.contains(&"svc")
            || host == "host.docker.internal"
            || host.ends_with(".localhost")
        {
            return None;
        }
        Some(host)
    }

    /// `image_ref` as it was written before its precheck: the regex first.
    fn image_ref_oracle(word: &str) -> Option<(String, String)> {
        let word = word.strip_prefix("--image=").unwrap_or(word);
        let word = word.split_once('=').map_or(word, |(_, image)| image);
        if !word.contains('/') {
            return None;
        }
        let caps = super::IMAGE.captures(word)?;
        let registry = caps["registry"].to_owned();
        let host = registry.split('/').next().unwrap_or("");
        if !(host.contains('.') || host.contains(':') || host == "localhost") {
            return None;
        }
        Some((registry, caps["name"].to_owned()))
    }

    use super::*;

    fn known(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    /// `resolve_pod` as it was written first: every known name tried as a prefix.
    fn resolve_pod_oracle(name: &str, known: &BTreeSet<String>) -> Option<String> {
        if known.contains(name) {
            return Some(name.to_owned());
        }
        known
            .iter()
            .filter(|s| {
                name.strip_prefix(s.as_str())
                    .and_then(|rest| rest.strip_prefix('-'))
                    .is_some_and(|rest| {
                        let parts: Vec<&str> = rest.split('-').collect();
                        parts.len() <= 2 && parts.iter().all(|p| pod_suffix(p))
                    })
            })
            .max_by_key(|s| s.len())
            .cloned()
    }

    proptest::proptest! {
        #[test]
        fn resolve_pod_is_the_longest_known_prefix(
            names in proptest::collection::btree_set("[ab]{0,3}(-[ab0x]{0,2}){0,3}", 0..6),
            name in "[ab]{0,3}(-[ab0x]{0,2}){0,4}(-(xxxxx|bcd2f|0|12)){0,3}",
        ) {
            proptest::prop_assert_eq!(resolve_pod(&name, &names), resolve_pod_oracle(&name, &names));
        }
    }

    #[test]
    fn every_listed_kube_flag_takes_a_value() {
        for flag in KUBE_FLAGS_WITH_VALUE {
            assert!(kube_flag_takes_value(flag), "{flag}");
        }
    }

    #[test]
    fn pod_names_resolve_to_known_services() {
        let k = known(&["parcel-api", "parcel", "postgres"]);
        assert_eq!(
            resolve_pod("parcel-api-7d9c6b8f54-2kqzt", &k).as_deref(),
            Some("parcel-api")
        );
        assert_eq!(
            resolve_pod("parcel-api-xxxxx-xxxxx", &k).as_deref(),
            Some("parcel-api")
        );
        assert_eq!(resolve_pod("postgres-0", &k).as_deref(), Some("postgres"));
        assert_eq!(resolve_pod("parcel-cache", &k), None);
        assert_eq!(resolve_pod("other-xxxxx", &k), None);
    }

    #[test]
    fn hosts() {
        assert_eq!(
            host_key("api.prod.svc.cluster.local"),
            Some(("api".into(), Some("prod".into())))
        );
        assert_eq!(host_key("localhost"), None);
        assert_eq!(
            host_key("db.example.internal"),
            Some(("db.example.internal".into(), None))
        );
    }

    #[test]
    fn image_references_need_a_registry_host() {
        let r = |w: &str| image_ref(w).map(|(reg, name)| format!("{reg} {name}"));
        assert_eq!(
            r("registry.harbor.example/parcel-api:v2.4.1").as_deref(),
            Some("registry.harbor.example parcel-api")
        );
        assert_eq!(
            r("gcr.io/team/venue-service:v1.2.3").as_deref(),
            Some("gcr.io/team venue-service")
        );
        assert_eq!(
            r("--image=localhost:5000/app").as_deref(),
            Some("localhost:5000 app")
        );
        assert_eq!(
            r("api=registry.example.com/api:v2").as_deref(),
            Some("registry.example.com api")
        );
        for not_an_image in [
            "deployment/api",
            "team/app:v1",
            "/tmp/x",
            "app:v1",
            "http://x.io/a",
            "pod/api-0",
        ] {
            assert_eq!(r(not_an_image), None, "{not_an_image}");
        }
    }

    #[test]
    fn locate_respects_word_ends() {
        let src = SourceFile::new("a.md", "psql -d parcels -c 'x'\npsql -d parcel\n");
        let first = src.span(0, 22);
        assert_eq!(locate(&src, first, &["-d parcel".into()], "parcel"), None);
        let found = locate(&src, first, &["-d parcels".into()], "parcels").unwrap();
        assert_eq!(
            (found.line, found.column, found.end - found.start),
            (1, 9, 7)
        );
    }
}
