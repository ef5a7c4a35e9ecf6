//! Plans: a runbook turned into something a person or a pipeline can run step by step.
//! Two views of one analysis: [`json::render`] (a documented, versioned JSON plan with a
//! JSON Schema generated from its types) and [`bash::render`] (a standalone bash script).
//!
//! The analysis decides, once, what both views say about each step: which params it needs,
//! the command text with placeholders replaced by safe references ([`subst`]), whether it
//! needs a confirmation, and whether it can run at all. Nothing here does I/O.

pub mod bash;
pub mod json;
pub mod params;
pub mod quote;
mod shape;
pub mod subst;

use crate::config::PlanConfig;
use crate::model::{Risk, Runbook, Step, StepKind};
use params::Params;

/// Version of the JSON plan; bumped on any incompatible change.
pub const PLAN_SCHEMA_VERSION: u32 = 1;

/// What a plan does with one step of the runbook.
#[derive(Debug, Clone)]
pub struct StepPlan<'a> {
    /// The step.
    pub step: &'a Step,
    /// Needs a yes from the user before it runs: a check step, or a command whose risk is in
    /// `[plan] confirm`.
    pub confirm: bool,
    /// For a command: the code to run, or why it cannot run unattended as written.
    pub code: Option<Result<String, String>>,
    /// For a command: it only changes the shell's directory or variables (`cd`, `export X=1`),
    /// so a resumed run replays it.
    pub context: bool,
}

/// A runbook analysed for planning.
#[derive(Debug, Clone)]
pub struct Analysis<'a> {
    /// The runbook.
    pub runbook: &'a Runbook,
    /// Its params.
    pub params: Params,
    /// One entry per step of the runbook, severity tables included.
    pub steps: Vec<StepPlan<'a>>,
    /// Risks that need a confirmation.
    pub confirm: Vec<Risk>,
    /// `[plan] timeout`, as written.
    pub timeout: Option<String>,
}

/// Analyses `runbook` with the `[plan]` settings.
pub fn analyze<'a>(runbook: &'a Runbook, config: &PlanConfig) -> Analysis<'a> {
    let params = params::collect(runbook);
    let confirm = confirm_risks(config);
    let steps = runbook
        .steps
        .iter()
        .enumerate()
        .map(|(index, step)| match &step.kind {
            StepKind::Command(cmd) => {
                let code = command_code(&cmd.text, &cmd.argv, &params.per_step[index].replacements);
                StepPlan {
                    step,
                    confirm: confirm.contains(&cmd.risk),
                    context: is_context(&cmd.text, &cmd.argv)
                        && params.per_step[index].names.is_empty(),
                    code: Some(code),
                }
            }
            StepKind::Check { .. } => StepPlan {
                step,
                confirm: true,
                code: None,
                context: false,
            },
            _ => StepPlan {
                step,
                confirm: false,
                code: None,
                context: false,
            },
        })
        .collect();
    Analysis {
        runbook,
        params,
        steps,
        confirm,
        timeout: config.timeout.clone(),
    }
}

/// The code to run for a command whose text is `text`, with its placeholders replaced by
/// references to `replacements`' variables, or why it cannot run unattended.
fn command_code(
    text: &str,
    argv: &[String],
    replacements: &[(String, String)],
) -> Result<String, String> {
    const INCOMPLETE: &str =
        "its quotes, brackets or heredoc do not close, so it cannot run as written";
    if argv.is_empty() {
        return Err(INCOMPLETE.to_owned());
    }
    if replacements.is_empty() {
        // Nothing to place: only whether the text is complete matters, not where each
        // byte sits (what the full scan records).
        return if subst::Scan::is_complete(text) {
            Ok(text.to_owned())
        } else {
            Err(INCOMPLETE.to_owned())
        };
    }
    let scan = subst::Scan::new(text);
    if !scan.complete {
        return Err(INCOMPLETE.to_owned());
    }
    subst::substitute_scanned(text, &scan, replacements).map_err(|u| {
        format!(
            "its placeholder {} sits inside {}, where a value cannot be inserted safely",
            u.placeholder, u.place
        )
    })
}

/// Checks the `[plan]` settings; the message names the bad key and value.
pub fn check_config(config: &PlanConfig) -> Result<(), String> {
    if !valid_shell(&config.shell) {
        return Err(format!(
            "[plan] shell = {:?}: the generated script needs bash 4 or newer; give `bash` or the path of a bash binary",
            config.shell
        ));
    }
    for risk in &config.confirm {
        if parse_risk(risk).is_none() {
            return Err(format!(
                "[plan] confirm has {risk:?}; the risks are \"read-only\", \"mutating\" and \"destructive\""
            ));
        }
    }
    if let Some(timeout) = &config.timeout
        && timeout_secs(timeout).is_none()
    {
        return Err(format!(
            "[plan] timeout = {timeout:?}: write a duration such as \"90s\", \"10m\" or \"1h\""
        ));
    }
    Ok(())
}

/// `[plan] timeout` in seconds (`90s`, `10m`, `1h`, `1 hour`); `None` when it does not parse
/// or is zero.
pub fn timeout_secs(text: &str) -> Option<u64> {
    crate::parse::severity::parse_duration(text).filter(|secs| *secs > 0)
}

/// Words that change the running shell itself: such a step must run in the script's own
/// shell (so later steps see the change), where bash cannot stop it after a timeout.
/// (A `match`, which compiles to a switch on the length, rather than a list searched word by
/// word: this runs for every word of every command.)
fn is_shell_state_word(word: &str) -> bool {
    matches!(
        word,
        "cd" | "pushd"
            | "popd"
            | "export"
            | "unset"
            | "source"
            | "."
            | "set"
            | "shopt"
            | "alias"
            | "trap"
            | "declare"
            | "local"
            | "readonly"
            | "typeset"
            | "eval"
            | "exec"
            | "ulimit"
            | "umask"
            | "function"
    )
}

/// True when a command changes the shell it runs in: `cd`, `export`, an assignment
/// (`POD=$(...)`), `source`... A plan runs it in its own shell, without a time limit.
pub fn changes_shell(argv: &[String]) -> bool {
    argv.iter().any(|word| {
        is_shell_state_word(word)
            || (may_assign(word) && !params::assigned_names(std::slice::from_ref(word)).is_empty())
    })
}

/// False when `assigned_names` cannot find a name in `word` alone: it needs an assignment
/// (`=`) or `for;NAME`. Most words are neither, and this runs for every word of every command.
fn may_assign(word: &str) -> bool {
    // Single-byte searches first: looking for the string `for;` in every word cost more.
    word.contains('=') || (word.contains(';') && word.contains("for;"))
}

/// A bash binary: a name or path made of safe characters whose file name starts with `bash`
/// (`bash`, `/usr/local/bin/bash5`). The script is bash; another shell would only fail later.
fn valid_shell(shell: &str) -> bool {
    shell
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '+' | '/'))
        && shell
            .rsplit('/')
            .next()
            .is_some_and(|name| name.starts_with("bash"))
}

fn parse_risk(text: &str) -> Option<Risk> {
    match text {
        "read-only" => Some(Risk::ReadOnly),
        "mutating" => Some(Risk::Mutating),
        "destructive" => Some(Risk::Destructive),
        _ => None,
    }
}

fn confirm_risks(config: &PlanConfig) -> Vec<Risk> {
    let mut risks: Vec<Risk> = config
        .confirm
        .iter()
        .filter_map(|r| parse_risk(r))
        .collect();
    risks.sort();
    risks.dedup();
    risks
}

/// The `#!` line for `[plan] shell`: a bare name goes through `env`, a path is used as is;
/// anything else (which `check_config` reports) falls back to bash.
pub fn shebang(shell: &str) -> String {
    if !valid_shell(shell) {
        "#!/usr/bin/env bash".to_owned()
    } else if shell.starts_with('/') {
        format!("#!{shell}")
    } else {
        format!("#!/usr/bin/env {shell}")
    }
}

/// A command that only changes where the shell is or what it has set: `cd DIR`, `pushd DIR`,
/// `export X=literal`, `X=literal`, joined by `&&` or `;`. Nothing it runs can fail in a way
/// that matters or do harm, so a resumed run can replay it.
fn is_context(text: &str, argv: &[String]) -> bool {
    if argv.is_empty() || text.contains('`') || text.contains("$(") || text.contains('\n') {
        return false;
    }
    let mut simple: Vec<&str> = Vec::new();
    let mut ok = true;
    let mut check = |words: &[&str]| {
        let Some(first) = words.first() else {
            return;
        };
        let fine = match *first {
            "cd" | "pushd" => words.len() <= 2,
            "export" => words[1..]
                .iter()
                .all(|w| assigns_one_name(w) || is_plain(w)),
            _ => words.iter().all(|w| assigns_one_name(w)),
        };
        ok &= fine;
    };
    for word in argv {
        for piece in word.split_inclusive(';') {
            let w = piece.trim_end_matches(';');
            match w {
                "&&" | "" => check(&std::mem::take(&mut simple)),
                "|" | "||" | "&" | "|&" => return false,
                _ => simple.push(w),
            }
            if piece.ends_with(';') {
                check(&std::mem::take(&mut simple));
            }
        }
    }
    check(&simple);
    ok
}

/// `word` alone assigns exactly one name (`X=1`). `may_assign` first: most words are not
/// assignments, and `assigned_names` needs the word as an owned `String`.
fn assigns_one_name(word: &str) -> bool {
    may_assign(word) && params::assigned_names(&[word.to_owned()]).len() == 1
}

fn is_plain(word: &str) -> bool {
    word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    proptest::proptest! {
        #[test]
        fn may_assign_misses_no_assignment(word in "(for|export|read|[a-z_=;|&$()` -]){0,8}") {
            let found = !super::params::assigned_names(std::slice::from_ref(&word)).is_empty();
            proptest::prop_assert!(!found || super::may_assign(&word), "{word}");
        }

        /// The filtered test says what `assigned_names` alone said.
        #[test]
        fn assigns_one_name_is_one_assigned_name(word in "(for;|for|export|read|[a-z_=;|&$()` -]){0,8}") {
            let one = super::params::assigned_names(std::slice::from_ref(&word)).len() == 1;
            proptest::prop_assert_eq!(super::assigns_one_name(&word), one, "{}", word);
        }
    }

    use super::*;

    fn words(text: &str) -> Vec<String> {
        shell_words::split(text).unwrap()
    }

    #[test]
    fn context_commands() {
        for text in [
            "cd /opt/x",
            "export A=1 B",
            "A=1; B=2",
            "cd /x && export K=v",
        ] {
            assert!(is_context(text, &words(text)), "{text}");
        }
        for text in [
            "cd /x && rm -rf y",
            "A=$(kubectl get x)",
            "A=1 kubectl get x",
            "cd /x | cat",
            "kubectl get pods",
        ] {
            assert!(!is_context(text, &words(text)), "{text}");
        }
    }

    #[test]
    fn config_checks() {
        let mut config = PlanConfig::default();
        assert!(check_config(&config).is_ok());
        config.shell = "bash\nrm -rf /".into();
        assert!(check_config(&config).unwrap_err().contains("[plan] shell"));
        config.shell = "zsh".into();
        assert!(check_config(&config).unwrap_err().contains("needs bash 4"));
        config.shell = "/opt/homebrew/bin/bash".into();
        assert!(check_config(&config).is_ok());
        config.shell = "bash\nrm -rf /".into();
        assert_eq!(shebang(&config.shell), "#!/usr/bin/env bash");
        assert_eq!(shebang("/bin/bash"), "#!/bin/bash");
        config.shell = "bash".into();
        config.confirm = vec!["destructiv".into()];
        assert!(check_config(&config).unwrap_err().contains("destructiv"));
    }
}
