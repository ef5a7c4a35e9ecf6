//! Params: the values a runbook's commands need from the person running it. Each placeholder
//! (`<REVISION>`, `[POD_NAME]`, `{{ release_tag }}`, `YOUR_API_TOKEN`, `app-xxxxx-xxxxx`) and
//! each environment variable a command reads (`$DB_HOST`) becomes one param with a bash-safe
//! upper-snake name, so it can be given as `--set NAME=VALUE` or in the environment.
//!
//! Naming (also in `docs/plan.md`):
//! - an environment variable keeps its name;
//! - `<x>`, `[x]`, `{{ x }}` take the inner text, `YOUR_x` the whole word;
//! - `app-xxxxx-xxxxx` drops the segments made of `x` runs and adds the kind of object named
//!   just before it (`kubectl delete pod app-xxxxx-xxxxx` → `APP_POD`);
//! - then: upper case, runs of other characters → `_`; a leading digit gets `P_`; an empty
//!   name is `VALUE`; a name the shell or the environment already uses (`PATH`, `HOME`,
//!   `IFS`...) gets `_VALUE` appended.
//!
//! Variables that the shell or the session provides (`HOME`, `PATH`, `PWD`...) and variables a
//! step of the runbook assigns (`X=...`, `export X=...`, `read X`, `for X in`) in that step or
//! earlier are not params.

use crate::model::{Command, Runbook, StepKind};

/// Names bash or a login session sets, which a runbook never asks the user for.
const SHELL_PROVIDED: &[&str] = &[
    "CDPATH",
    "COLUMNS",
    "DIRSTACK",
    "DISPLAY",
    "EDITOR",
    "ENV",
    "EUID",
    "FUNCNAME",
    "GROUPS",
    "HISTFILE",
    "HOME",
    "HOSTNAME",
    "HOSTTYPE",
    "IFS",
    "LANG",
    "LANGUAGE",
    "LINENO",
    "LINES",
    "LOGNAME",
    "MACHTYPE",
    "MAIL",
    "OLDPWD",
    "OPTARG",
    "OPTIND",
    "OSTYPE",
    "PAGER",
    "PATH",
    "PIPESTATUS",
    "PPID",
    "PROMPT_COMMAND",
    "PS1",
    "PS2",
    "PS3",
    "PS4",
    "PWD",
    "RANDOM",
    "REPLY",
    "SECONDS",
    "SHELL",
    "SHELLOPTS",
    "SHLVL",
    "SRANDOM",
    "TERM",
    "TMPDIR",
    "TZ",
    "UID",
    "USER",
    "VISUAL",
];

/// True for names the shell or the session provides (see [`SHELL_PROVIDED`]).
pub fn is_shell_provided(name: &str) -> bool {
    SHELL_PROVIDED.contains(&name)
        || ["BASH", "LC_", "LD_", "COMP_", "READLINE_"]
            .iter()
            .any(|p| name.starts_with(p))
        || name.starts_with("__rb_")
}

/// Object kinds whose name often follows a kind word (`pod NAME`, `node/NAME`).
const KINDS: &[(&[&str], &str)] = &[
    (&["pod", "pods", "po"], "POD"),
    (&["node", "nodes", "no"], "NODE"),
    (&["deployment", "deployments", "deploy"], "DEPLOYMENT"),
    (&["replicaset", "replicasets", "rs"], "REPLICASET"),
    (&["statefulset", "statefulsets", "sts"], "STATEFULSET"),
    (&["daemonset", "daemonsets", "ds"], "DAEMONSET"),
    (&["job", "jobs"], "JOB"),
    (&["service", "services", "svc"], "SERVICE"),
    (&["secret", "secrets"], "SECRET"),
    (&["configmap", "configmaps", "cm"], "CONFIGMAP"),
    (&["namespace", "namespaces", "ns"], "NAMESPACE"),
    (&["container", "containers"], "CONTAINER"),
    (&["host", "hosts"], "HOST"),
];

/// The param name of a placeholder. `kind_word` is the word just before it in the command, or
/// the `kind/` written in front of it, when there is one.
pub fn placeholder_name(placeholder: &str, kind_word: Option<&str>) -> String {
    let p = placeholder.trim();
    let inner = if let Some(x) = p.strip_prefix('<').and_then(|x| x.strip_suffix('>')) {
        x.to_owned()
    } else if let Some(x) = p.strip_prefix("{{").and_then(|x| x.strip_suffix("}}")) {
        x.trim().to_owned()
    } else if let Some(x) = p.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
        x.to_owned()
    } else if p.contains("xxx") || p.contains("XXX") {
        let kept: Vec<&str> = p
            .split(['-', '_', '.'])
            .filter(|seg| !seg.is_empty() && !seg.contains("xxx") && !seg.contains("XXX"))
            .collect();
        let mut name = kept.join("_");
        let kind = kind_word.and_then(|w| {
            let w = w.to_ascii_lowercase();
            KINDS
                .iter()
                .find(|(words, _)| words.contains(&w.as_str()))
                .map(|(_, k)| *k)
        });
        if let Some(kind) = kind
            && !sanitize(&name).ends_with(kind)
        {
            if !name.is_empty() {
                name.push('_');
            }
            name.push_str(kind);
        }
        name
    } else {
        p.to_owned()
    };
    let name = sanitize(&inner);
    if is_shell_provided(&name) {
        format!("{name}_VALUE")
    } else {
        name
    }
}

/// Upper snake case of any text; never empty, never starting with a digit.
fn sanitize(text: &str) -> String {
    let mut out = String::new();
    for ch in text.chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_uppercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    if out.is_empty() {
        "VALUE".to_owned()
    } else if out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("P_{out}")
    } else {
        out
    }
}

/// One use of a param by a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamUse {
    /// Index of the step in `Runbook::steps`.
    pub index: usize,
    /// Source line of the step.
    pub line: usize,
}

/// A param with everything known about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamInfo {
    /// Bash-safe name.
    pub name: String,
    /// Placeholders that stand for it, as written.
    pub placeholders: Vec<String>,
    /// True when some step reads it as an environment variable (`$NAME`).
    pub env: bool,
    /// False when every read of the variable gives a default (`${NAME:-x}`).
    pub required: bool,
    /// A value of the right shape that the document shows elsewhere, if any.
    pub example: Option<String>,
    /// Steps that use it, in document order.
    pub uses: Vec<ParamUse>,
}

/// The params of one step.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepParams {
    /// Param names, in order of first use.
    pub names: Vec<String>,
    /// Placeholder as written → param name, for substitution.
    pub replacements: Vec<(String, String)>,
}

/// Every param of a runbook (in order of first use) and each step's.
#[derive(Debug, Clone, Default)]
pub struct Params {
    /// The params.
    pub list: Vec<ParamInfo>,
    /// Indexed like `Runbook::steps`.
    pub per_step: Vec<StepParams>,
}

/// Collects the params of `runbook`.
pub fn collect(runbook: &Runbook) -> Params {
    let mut params = Params {
        list: Vec::new(),
        per_step: vec![StepParams::default(); runbook.steps.len()],
    };
    let mut assigned: Vec<String> = Vec::new();
    let mut named: Vec<(String, String)> = Vec::new();
    for (index, step) in runbook.steps.iter().enumerate() {
        let StepKind::Command(cmd) = &step.kind else {
            continue;
        };
        for name in assigned_names(&cmd.argv) {
            if !assigned.contains(&name) {
                assigned.push(name);
            }
        }
        let line = step.span.line;
        for placeholder in &cmd.placeholders {
            let name = match named.iter().find(|(p, _)| p == placeholder) {
                Some((_, name)) => name.clone(),
                None => {
                    let name = placeholder_name(placeholder, kind_word(cmd, placeholder));
                    named.push((placeholder.clone(), name.clone()));
                    name
                }
            };
            let param = entry(&mut params.list, &name);
            if !param.placeholders.contains(placeholder) {
                param.placeholders.push(placeholder.clone());
            }
            param.required = true;
            add_use(param, index, line);
            let mine = &mut params.per_step[index];
            mine.replacements.push((placeholder.clone(), name.clone()));
            if !mine.names.contains(&name) {
                mine.names.push(name);
            }
        }
        for var in &cmd.env_vars {
            if is_shell_provided(var) || assigned.contains(var) {
                continue;
            }
            let required = !always_defaulted(&cmd.text, var);
            let param = entry(&mut params.list, var);
            param.env = true;
            param.required |= required;
            add_use(param, index, line);
            let mine = &mut params.per_step[index];
            if !mine.names.contains(var) {
                mine.names.push(var.clone());
            }
        }
    }
    for param in &mut params.list {
        param.example = param
            .placeholders
            .iter()
            .find_map(|p| example_for(runbook, p));
    }
    params
}

fn entry<'a>(list: &'a mut Vec<ParamInfo>, name: &str) -> &'a mut ParamInfo {
    let pos = match list.iter().position(|p| p.name == name) {
        Some(pos) => pos,
        None => {
            list.push(ParamInfo {
                name: name.to_owned(),
                placeholders: Vec::new(),
                env: false,
                required: false,
                example: None,
                uses: Vec::new(),
            });
            list.len() - 1
        }
    };
    &mut list[pos]
}

fn add_use(param: &mut ParamInfo, index: usize, line: usize) {
    if !param.uses.iter().any(|u| u.index == index) {
        param.uses.push(ParamUse { index, line });
    }
}

/// The kind word for an `xxx` placeholder: `pod` in `pod NAME` or `pod/NAME`.
fn kind_word<'c>(cmd: &'c Command, placeholder: &str) -> Option<&'c str> {
    let pos = cmd.argv.iter().position(|w| w.contains(placeholder))?;
    let word = &cmd.argv[pos];
    if let Some(at) = word.find(placeholder)
        && let Some(prefix) = word[..at].strip_suffix('/')
    {
        return Some(prefix.rsplit('/').next().unwrap_or(prefix));
    }
    pos.checked_sub(1).map(|p| cmd.argv[p].as_str())
}

/// True when every expansion of `var` in `text` gives a default (`${var:-x}`, `${var-x}`,
/// `${var:=x}`, `${var:+x}`), so the command works without it.
fn always_defaulted(text: &str, var: &str) -> bool {
    let mut uses = 0;
    let mut defaulted = 0;
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    for (at, _) in text.match_indices('$') {
        let rest = &text[at + 1..];
        let (braced, body) = match rest.strip_prefix('{') {
            Some(body) => (true, body),
            None => (false, rest),
        };
        let Some(after) = body.strip_prefix(var) else {
            continue;
        };
        if after.starts_with(word) {
            continue;
        }
        uses += 1;
        if braced
            && [":-", "-", ":=", "=", ":+", "+"]
                .iter()
                .any(|op| after.starts_with(op))
        {
            defaulted += 1;
        }
    }
    uses > 0 && uses == defaulted
}

/// Shell variables a command assigns: `X=1` alone, `export X=1`, `declare X`, `read X`,
/// `for X in`. A prefix assignment (`X=1 cmd`) only sets `X` for `cmd`, so it does not count.
pub fn assigned_names(argv: &[String]) -> Vec<String> {
    if argv.iter().all(|word| assigns_nothing(word)) {
        return Vec::new();
    }
    read_assigned_names(argv)
}

/// `assigned_names`, word by word.
fn read_assigned_names(argv: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending: Vec<String> = Vec::new();
    let mut command_pos = true;
    let mut i = 0;
    let merged = merge_substitutions(argv);
    let words: Vec<&str> = merged.iter().flat_map(|w| w.split_inclusive(';')).collect();
    while i < words.len() {
        let raw = words[i];
        let ends_list = raw.ends_with(';');
        let w = raw.trim_end_matches(';');
        i += 1;
        if matches!(w, "|" | "||" | "&&" | "&" | "|&" | "") {
            out.append(&mut pending);
            command_pos = true;
            continue;
        }
        if command_pos {
            if let Some(name) = assignment_name(w) {
                pending.push(name);
            } else {
                match w {
                    "export" | "declare" | "typeset" | "local" | "readonly" | "read" => {
                        let read = w == "read";
                        while i < words.len() && !ends_list {
                            let raw = words[i];
                            let arg = raw.trim_end_matches(';');
                            if matches!(arg, "|" | "||" | "&&" | "&" | "|&") {
                                break;
                            }
                            i += 1;
                            if arg.starts_with('-') {
                                if read && matches!(arg, "-p" | "-d" | "-n" | "-N" | "-t" | "-u") {
                                    i += 1;
                                }
                            } else if let Some(name) = assignment_name(arg) {
                                out.push(name);
                            } else if is_name(arg) {
                                out.push(arg.to_owned());
                            }
                            if raw.ends_with(';') {
                                break;
                            }
                        }
                        pending.clear();
                        command_pos = false;
                    }
                    "for" => {
                        if let Some(name) = words.get(i).filter(|n| is_name(n)) {
                            out.push((*name).to_owned());
                        }
                        command_pos = false;
                    }
                    "while" | "until" | "if" | "then" | "do" | "else" | "elif" | "!" | "{"
                    | "(" => {}
                    _ => {
                        pending.clear();
                        command_pos = false;
                    }
                }
            }
        }
        if ends_list {
            out.append(&mut pending);
            command_pos = true;
        }
    }
    out.append(&mut pending);
    out
}

/// True when `word` can give `assigned_names` no name, whatever words surround it: it holds
/// no `=` (every assignment does), no `;` (after which a word starts a new command) and no
/// substitution (which joins words), and it is not a word that assigns the names after it.
/// Most commands are only such words, and need no list of words made and searched.
fn assigns_nothing(word: &str) -> bool {
    !word
        .bytes()
        .any(|b| matches!(b, b'=' | b';' | b'`') || b == b'$')
        && !matches!(
            word,
            "export" | "declare" | "typeset" | "local" | "readonly" | "read" | "for"
        )
}

/// `argv` splits `X=$(kubectl get pod)` into `X=$(kubectl`, `get`, `pod)`; joins such words
/// back (by counting parentheses and backquotes) so the substitution is one word again.
fn merge_substitutions(argv: &[String]) -> Vec<std::borrow::Cow<'_, str>> {
    // Borrowed: most words stand alone, and this runs for every command of a plan.
    let mut out: Vec<std::borrow::Cow<'_, str>> = Vec::new();
    let mut depth: i64 = 0;
    let mut backquote = false;
    for word in argv {
        let open = depth > 0 || backquote;
        if open {
            if let Some(last) = out.last_mut() {
                let last = last.to_mut();
                last.push(' ');
                last.push_str(word);
            }
        } else {
            out.push(std::borrow::Cow::Borrowed(word));
        }
        if open || opens_substitution(word) {
            depth += word.matches('(').count() as i64 - word.matches(')').count() as i64;
            depth = depth.max(0);
            if word.matches('`').count() % 2 == 1 {
                backquote = !backquote;
            }
        }
    }
    out
}

/// `word.contains("$(") || word.contains('`')`, on bytes: a `&str` pattern sets up a
/// two-way searcher for each of the many short words of every command.
fn opens_substitution(word: &str) -> bool {
    let bytes = word.as_bytes();
    bytes.contains(&b'`') || bytes.windows(2).any(|pair| pair == b"$(")
}

fn assignment_name(word: &str) -> Option<String> {
    let (name, _) = word.split_once('=')?;
    let name = name.strip_suffix('+').unwrap_or(name);
    is_name(name).then(|| name.to_owned())
}

fn is_name(word: &str) -> bool {
    let mut chars = word.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// For an `xxx` placeholder, the first value of the same shape written elsewhere in the
/// runbook (in a command, its expected output or a snippet): `app-xxxxx-xxxxx` finds
/// `app-7d9c6b8f54-2kqzt`.
fn example_for(runbook: &Runbook, placeholder: &str) -> Option<String> {
    let shape = super::shape::Shape::of(placeholder)?;
    runbook.steps.iter().find_map(|step| {
        let text = match &step.kind {
            StepKind::Command(c) => c.text.as_str(),
            StepKind::ExpectedOutput { text } | StepKind::Snippet { text, .. } => text.as_str(),
            _ => return None,
        };
        shape
            .values(text)
            .into_iter()
            .find(|v| !v.contains("xxx") && !v.contains("XXX"))
            .map(str::to_owned)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The shortcut finds what reading every word finds.
        #[test]
        fn words_that_assign_nothing_give_no_names(
            argv in proptest::collection::vec(
                r#"export|read|for|local|in|do|a|B_1|[aB]=[1x]|\|\||&&|;|a;|\$\(a|b\)|`a|-p|x|[a-z]{0,2};(read|export|for)|[a-z;=]{1,4}"#,
                0..7,
            )
        ) {
            proptest::prop_assert_eq!(assigned_names(&argv), read_assigned_names(&argv));
        }

        /// The byte test answers what the two `contains` it replaces answer.
        #[test]
        fn opens_substitution_is_contains(word in r#"(?s).{0,12}|[$(`a)]{0,8}|[a-z=]{0,6}\$\(?[a-z]{0,4}"#) {
            proptest::prop_assert_eq!(
                opens_substitution(&word),
                word.contains("$(") || word.contains('`')
            );
        }
    }

    #[test]
    fn names_of_placeholders() {
        for (placeholder, kind, name) in [
            ("<REVISION>", None, "REVISION"),
            ("<pod-name>", None, "POD_NAME"),
            ("[POD_NAME]", None, "POD_NAME"),
            ("{{ release_tag }}", None, "RELEASE_TAG"),
            ("{{ .Values.image.tag }}", None, "VALUES_IMAGE_TAG"),
            ("YOUR_API_TOKEN", None, "YOUR_API_TOKEN"),
            ("your-api-token", None, "YOUR_API_TOKEN"),
            ("parcel-api-xxxxx-xxxxx", Some("pod"), "PARCEL_API_POD"),
            ("parcel-api-xxxxx-xxxxx", Some("-n"), "PARCEL_API"),
            ("xxxxx", Some("node"), "NODE"),
            ("ghp_xxxxxxxx", None, "GHP"),
            ("xxxxx", None, "VALUE"),
            ("<1st-pod>", None, "P_1ST_POD"),
            ("<path>", None, "PATH_VALUE"),
            ("<ifs>", None, "IFS_VALUE"),
            ("<bash_env>", None, "BASH_ENV_VALUE"),
            ("<été>", None, "T"),
        ] {
            assert_eq!(placeholder_name(placeholder, kind), name, "{placeholder}");
        }
    }

    #[test]
    fn names_are_bash_identifiers() {
        for text in ["<>", "<-->", "[A]", "{{ _ }}", "<a b>", "<ÄÖ>", "xxx-xxx"] {
            let name = placeholder_name(text, None);
            assert!(is_name(&name), "{text} → {name}");
        }
    }

    fn words(text: &str) -> Vec<String> {
        shell_words::split(text).unwrap()
    }

    #[test]
    fn finds_assignments() {
        assert_eq!(assigned_names(&words("X=1")), vec!["X"]);
        assert_eq!(assigned_names(&words("export A=1 B")), vec!["A", "B"]);
        assert_eq!(
            assigned_names(&words("X=1 kubectl get pods")),
            Vec::<String>::new()
        );
        assert_eq!(
            assigned_names(&words("POD=$(kubectl get pod -o name) && echo $POD")),
            vec!["POD"]
        );
        assert_eq!(
            assigned_names(&words("read -r -p 'Name? ' NAME")),
            vec!["NAME"]
        );
        assert_eq!(
            assigned_names(&words("for h in a b; do ssh $h; done")),
            vec!["h"]
        );
        assert_eq!(assigned_names(&words("a=1; b=2")), vec!["a", "b"]);
        assert_eq!(
            assigned_names(&words("kubectl scale --replicas=3 x")),
            Vec::<String>::new()
        );
    }

    #[test]
    fn defaults_make_a_variable_optional() {
        assert!(always_defaulted("echo ${NS:-default}", "NS"));
        assert!(!always_defaulted("echo ${NS:-default} $NS", "NS"));
        assert!(!always_defaulted("echo ${NS}", "NS"));
        assert!(!always_defaulted("echo $NS_X", "NS"));
    }
}
