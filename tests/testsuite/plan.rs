//! CLI tests of `runbook plan`: the real binary writes plans, real bash runs the scripts
//! against stub programs on PATH that record their arguments, real shellcheck reads every plan
//! of the example book, and every JSON plan is validated against the checked-in schema.

use super::util::{TestBook, fixtures, run_in};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const STUBBED: &[&str] = &[
    "kubectl",
    "docker",
    "docker-compose",
    "curl",
    "psql",
    "jq",
    "redis-cli",
    "helm",
    "ssh",
    "watch",
];

/// A stub that appends `name@cwd [arg] [arg]...` to `$STUB_LOG`, hangs for 30 s when its
/// arguments contain `$STUB_SLEEP_ON`, and fails with status 3 when they contain
/// `$STUB_FAIL_ON`.
const STUB: &str = r#"#!/bin/sh
name=${0##*/}
{
  printf '%s@%s' "$name" "${PWD##*/}"
  for arg in "$@"; do printf ' [%s]' "$arg"; done
  printf '\n'
} >>"$STUB_LOG"
if [ -n "${STUB_SLEEP_ON:-}" ]; then
  case " $* " in *"$STUB_SLEEP_ON"*) sleep 30 ;; esac
fi
if [ -n "${STUB_FAIL_ON:-}" ]; then
  case " $* " in *"$STUB_FAIL_ON"*) echo "$name: failing on purpose" >&2; exit 3 ;; esac
fi
exit 0
"#;

/// A temporary book with a fixture runbook, its plan and the stubs.
struct Drill {
    book: TestBook,
    script: PathBuf,
}

/// The result of running a generated script.
struct ScriptRun {
    code: i32,
    stdout: String,
    stderr: String,
    /// Stub calls, with the temporary folder's own name replaced by `root`.
    log: Vec<String>,
}

impl ScriptRun {
    fn ran(&self, needle: &str) -> bool {
        self.log.iter().any(|l| l.contains(needle))
    }
}

impl Drill {
    /// Copies `tests/fixtures/plans/<name>.md` into a temporary folder, generates its script
    /// with the real binary, and installs the stubs.
    fn new(name: &str) -> Self {
        let book = TestBook::new();
        let md = format!("{name}.md");
        std::fs::copy(fixtures().join("plans").join(&md), book.path().join(&md)).unwrap();
        Self::from_book(book, &md)
    }

    /// Plans `md` of an existing book and installs the stubs.
    fn from_book(book: TestBook, md: &str) -> Self {
        let run = book.run(&["plan", md]);
        assert_eq!(run.code(), 0, "{}", run.stderr());
        let script = book.write("plan.sh", run.stdout());
        std::fs::create_dir_all(book.path().join("work")).unwrap();
        for program in STUBBED {
            let path = book.write(&format!("bin/{program}"), STUB);
            make_executable(&path);
        }
        Self { book, script }
    }

    /// Runs the script with bash, stdin closed (no terminal), a cleared environment.
    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> ScriptRun {
        let log = self.book.path().join("stub.log");
        let _ = std::fs::remove_file(&log);
        let path = format!(
            "{}:{}",
            self.book.path().join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let output = Command::new("bash")
            .arg(&self.script)
            .args(args)
            .current_dir(self.book.path())
            .env_clear()
            .env("PATH", path)
            .env("HOME", self.book.path())
            .env("STUB_LOG", &log)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .output()
            .expect("run bash");
        let root = format!(
            "@{}",
            self.book.path().file_name().unwrap().to_string_lossy()
        );
        let log = std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .map(|l| l.replace(&root, "@root"))
            .collect();
        ScriptRun {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            log,
        }
    }

    /// Files in the book whose name starts with `pwned`: created only if document text ran.
    fn pwned(&self) -> Vec<String> {
        let mut found = Vec::new();
        for entry in walk(self.book.path()) {
            let name = entry.file_name().unwrap().to_string_lossy().into_owned();
            if name.starts_with("pwned") {
                found.push(name);
            }
        }
        found
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        }
        out.push(path);
    }
    out
}

fn make_executable(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// Every param of the drill, so a run with `--yes` has all it needs.
const DRILL_PARAMS: &[&str] = &["--set", "REVISION=7", "--set", "DRILL_POD=drill-abc12"];
const DRILL_ENV: &[(&str, &str)] = &[("API_TOKEN", "tok")];

fn args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut all: Vec<&str> = DRILL_PARAMS.to_vec();
    all.extend_from_slice(extra);
    all
}

#[test]
fn runs_command_steps_in_document_order() {
    let drill = Drill::new("drill");
    let run = drill.run(&args(&["--yes"]), DRILL_ENV);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(
        run.log,
        vec![
            "kubectl@root [get] [pods] [-n] [drill]",
            "kubectl@work [rollout] [undo] [deployment/drill] [-n] [drill] [--to-revision=7]",
            "curl@work [-s] [-H] [Authorization: Bearer tok] [http://drill.internal/api]",
            "psql@work [-h] [db.drill.internal] [-U] [admin] [-d] [drill] [-c] [SELECT count(*) FROM jobs;]",
            "kubectl@work [get] [deployment] [drill] [-n] [drill]",
            "kubectl@work [get] [configmap] [drill] [-n] [drill] [-o] [yaml]",
            "kubectl@work [delete] [pod] [drill-abc12] [-n] [drill] [--grace-period=0] [--force]",
        ],
        "the never-ending `logs -f` is skipped; YAML and SQL from bash fences never run"
    );
    // Each step is announced with its number, title and source line.
    assert!(
        run.stdout
            .contains("==> Step 8: Roll back to a revision\n    drill.md:42 · "),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("[ ] The stubs are on PATH\n    confirmed by --yes")
    );
    assert!(
        run.stdout
            .contains("SKIPPED: it needs you at a terminal or never ends")
    );
    assert!(
        run.stdout
            .contains("Skipped, to do by hand if needed: step(s) 12")
    );
    let script = std::fs::read_to_string(&drill.script).unwrap();
    assert!(script.contains("\n#   | DELETE FROM sessions WHERE expires_at < now();\n"));
    assert!(script.starts_with(
        "#!/usr/bin/env bash\n# Plan of the runbook Drill the stubs\n# Source: drill.md\n"
    ));
    assert!(script.contains("\nset -Eeuo pipefail\n"));
}

#[test]
fn interactive_steps_run_only_when_asked() {
    let drill = Drill::new("drill");
    let run = drill.run(&args(&["--yes", "--interactive"]), DRILL_ENV);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.ran("kubectl@work [logs] [-f] [deployment/drill]"),
        "{:?}",
        run.log
    );
}

#[cfg(target_os = "linux")]
#[test]
fn background_commands_are_stopped_when_the_plan_ends() {
    let book = TestBook::new();
    book.write(
        "fwd.md",
        "# Forward\n\n## Go\n\n```bash\nkubectl port-forward pod/x 8081:8081 -n a &\ncurl -s http://localhost:8081/\n```\n",
    );
    let drill = Drill::from_book(book, "fwd.md");
    let pid_file = drill.book.path().join("pid");
    let sleeper = format!(
        "#!/bin/sh\necho $$ > '{}'\nexec sleep 30\n",
        pid_file.display()
    );
    make_executable(&drill.book.write("bin/kubectl", sleeper));
    // The next step waits until the background command has really started, so the plan
    // cannot end (and stop it) before it has written its pid, however loaded the machine.
    let waiter = format!(
        "#!/bin/sh
for _ in $(seq 1 200); do [ -s '{}' ] && exit 0; sleep 0.05; done
exit 1
",
        pid_file.display()
    );
    make_executable(&drill.book.write("bin/curl", waiter));
    let run = drill.run(&["--yes", "--interactive"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("it runs in the background; the plan stops it when the plan ends")
    );
    assert!(
        run.stderr
            .contains("stopping 1 background command(s) this plan started")
    );
    // The plan reaps what it stopped before it exits: gone at once, not even a zombie.
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    let proc = Path::new("/proc").join(pid.trim());
    assert!(
        !proc.exists(),
        "the background command {} is still there after the plan ended",
        pid.trim()
    );
}

#[test]
fn dry_run_and_list_run_nothing() {
    let drill = Drill::new("drill");
    let run = drill.run(&["--dry-run"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.log.is_empty(), "{:?}", run.log);
    assert!(run.stdout.contains("would run"));
    assert!(run.stdout.contains("would ask first: destructive"));
    assert!(run.stdout.contains("Dry run: nothing was run."));
    assert!(
        run.stderr
            .contains("missing param REVISION: step 8 (drill.md:42) needs it"),
        "{}",
        run.stderr
    );
    let run = drill.run(&["--list"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.log.is_empty());
    assert!(
        run.stdout
            .contains("   8  command          Roll back to a revision  (drill.md:42) [mutating]"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("[never ends: skipped unless --interactive]")
    );
}

#[test]
fn dry_run_shows_the_values_of_placeholders() {
    let drill = Drill::new("drill");
    let run = drill.run(&args(&["--dry-run"]), DRILL_ENV);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.log.is_empty());
    insta::assert_snapshot!("drill_dry_run", run.stdout);
}

#[test]
fn from_resumes_and_replays_the_cd_before_it() {
    let drill = Drill::new("drill");
    let run = drill.run(&args(&["--yes", "--from", "8"]), DRILL_ENV);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.log.first().map(String::as_str),
        Some("kubectl@work [rollout] [undo] [deployment/drill] [-n] [drill] [--to-revision=7]"),
        "the earlier `cd work` is replayed, `kubectl get pods` is not"
    );
    assert!(!run.ran("[get] [pods]"));
    assert!(
        run.stdout
            .contains("==> Step 6 (replayed): Go to the work folder")
    );
}

#[test]
fn only_runs_one_step() {
    let drill = Drill::new("drill");
    let run = drill.run(&args(&["--yes", "--only", "14"]), DRILL_ENV);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.log.len(), 1, "{:?}", run.log);
    assert!(run.log[0].starts_with("psql@work "), "{:?}", run.log);
    let run = drill.run(&["--only", "99"], &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("there is no step 99"), "{}", run.stderr);
    let run = drill.run(&["--from", "x"], &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--from takes a step number, not 'x'"));
    let run = drill.run(&["--set", "NOPE=1"], &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(
            "--set NOPE: this plan has no such param (it has: REVISION API_TOKEN DRILL_POD)"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn missing_params_refuse_before_anything_runs() {
    let drill = Drill::new("drill");
    let run = drill.run(&["--yes", "--set", "REVISION=7"], &[]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.log.is_empty(), "{:?}", run.log);
    assert!(
        run.stderr.contains(
            "missing param API_TOKEN: step 10 (drill.md:48) needs it; give it with --set API_TOKEN=VALUE or as API_TOKEN in the environment"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("missing param DRILL_POD: step 20 (drill.md:89)")
    );
    assert!(!run.stderr.contains("missing param REVISION"));
    assert!(run.stderr.contains("nothing was run"));
    // A param only a skipped step needs is not required.
    let run = drill.run(&["--only", "4"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.log, vec!["kubectl@root [get] [pods] [-n] [drill]"]);
}

#[test]
fn destructive_plan_without_terminal_or_yes_refuses() {
    let drill = Drill::new("drill");
    let run = drill.run(&args(&["--only", "20"]), DRILL_ENV);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.log.is_empty(), "{:?}", run.log);
    assert!(
        run.stderr.contains("step 20 (drill.md:89) is destructive and needs a yes, but there is no terminal to ask on; nothing was run."),
        "{}",
        run.stderr
    );
    // The whole plan stops at its first check, before running anything.
    let run = drill.run(&args(&[]), DRILL_ENV);
    assert_eq!(run.code, 2);
    assert!(run.log.is_empty());
    assert!(
        run.stderr
            .contains("step 1 (drill.md:16) is a check to confirm"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_failure_stops_and_says_how_to_resume() {
    let drill = Drill::new("drill");
    let mut env = DRILL_ENV.to_vec();
    env.push(("STUB_FAIL_ON", "rollout"));
    let run = drill.run(&args(&["--yes"]), &env);
    assert_eq!(run.code, 3, "{}", run.stdout);
    assert_eq!(run.log.len(), 2, "{:?}", run.log);
    assert!(!run.ran("curl"));
    assert!(
        run.stderr.contains("runbook: step 8 failed (exit status 3): Roll back to a revision\nrunbook:   source: drill.md:42\nrunbook:   fix the cause, then resume with: bash "),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("plan.sh --from 8\n"), "{}", run.stderr);
    // Resuming runs the failed step again and the rest.
    let run = drill.run(&args(&["--yes", "--from", "8"]), DRILL_ENV);
    assert_eq!(run.code, 0);
    assert_eq!(run.log.len(), 6, "{:?}", run.log);
}

#[test]
fn failures_inside_pipelines_and_substitutions_stop_the_run() {
    let book = TestBook::new();
    book.write(
        "pipes.md",
        "# Pipes\n\n## Check\n\n```bash\nkubectl get pods -n a | jq '.items'\nkubectl get nodes\n```\n\n## Find\n\n```bash\nPOD=$(kubectl get pod -l app=x -o name)\nkubectl describe \"$POD\"\n```\n",
    );
    let drill = Drill::from_book(book, "pipes.md");
    let run = drill.run(&["--yes"], &[("STUB_FAIL_ON", "pods")]);
    assert_eq!(run.code, 3, "{}", run.stdout);
    assert!(run.stderr.contains("step 1 failed"), "{}", run.stderr);
    assert!(!run.ran("nodes"));
    let run = drill.run(&["--yes", "--from", "3"], &[("STUB_FAIL_ON", "app=x")]);
    assert_eq!(run.code, 3, "{}", run.stdout);
    assert!(run.stderr.contains("step 3 failed"), "{}", run.stderr);
    assert!(!run.ran("describe"));
    // `POD` is assigned by the runbook itself, so it is not a param.
    let run = drill.run(&["--yes"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.ran("kubectl@root [describe] []"), "{:?}", run.log);
}

#[test]
fn document_text_is_printed_literally_and_never_run() {
    let drill = Drill::new("injection");
    for flags in [
        &["--list"][..],
        &["--dry-run"],
        &["--help"],
        &["--yes"],
        &["--yes", "--interactive"],
    ] {
        let run = drill.run(flags, &[]);
        assert_eq!(run.code, 0, "{flags:?}: {}", run.stderr);
        assert!(
            drill.pwned().is_empty(),
            "{flags:?} ran document text: {:?}",
            drill.pwned()
        );
        let title = "$(touch pwned-title) it's 100% \\ `touch pwned-tick` -e";
        assert!(run.stdout.contains(title), "{flags:?}: {}", run.stdout);
        if flags[0] != "--help" {
            for text in [
                "$(touch pwned-comment) 'quoted' %s \\x41 `touch pwned-comment-tick`",
                "$(touch pwned-check) it's %s %n \\ touch pwned-check-tick",
                "-e $(touch pwned-manual) '%d' \\n",
            ] {
                assert!(
                    run.stdout.contains(text),
                    "{flags:?} lost {text}:\n{}",
                    run.stdout
                );
            }
        }
        if flags[0] == "--yes" {
            assert_eq!(
                run.log,
                vec![
                    "kubectl@root [get] [pods] [-n] [it's] [--selector=a=$(touch pwned-arg)]",
                    "kubectl@root [get] [nodes]"
                ]
            );
            assert!(
                run.stdout.contains(
                    "\n    injection.md:15 · $(touch pwned-heading) › It's 100% done \\ touch pwned-backtick -e -n\n"
                ),
                "{}",
                run.stdout
            );
        }
    }
}

#[test]
fn param_values_are_literal_words() {
    let drill = Drill::new("drill");
    let value = "$(touch pwned-value); touch pwned-semicolon `touch pwned-tick` 'x' \"y\" *";
    let run = drill.run(
        &[
            "--yes",
            "--only",
            "8",
            "--set",
            &format!("REVISION={value}"),
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(drill.pwned().is_empty(), "{:?}", drill.pwned());
    assert_eq!(
        run.log.last().unwrap(),
        &format!(
            "kubectl@work [rollout] [undo] [deployment/drill] [-n] [drill] [--to-revision={value}]"
        )
    );
    // From the environment too.
    let run = drill.run(&["--yes", "--only", "8"], &[("REVISION", value)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(drill.pwned().is_empty());
    assert!(
        run.log
            .last()
            .unwrap()
            .ends_with(&format!("[--to-revision={value}]"))
    );
}

#[test]
fn placeholders_in_unsafe_places_are_left_to_a_person() {
    let drill = Drill::new("placeholders");
    let run = drill.run(
        &[
            "--yes",
            "--set",
            "TENANT=acme corp",
            "--set",
            "RELEASE_TAG=v1.2",
            "--set",
            "YOUR_API_TOKEN=t0k",
            "--set",
            "APP_POD=app-1",
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(
        run.log,
        vec![
            "curl@root [-s] [-H] [X-Tenant: acme corp] [http://api.internal/v1]",
            "kubectl@root [get] [pods] [-o] [jsonpath={.items[?(@.metadata.name==\"acme corp\")].status.phase}]",
            "helm@root [upgrade] [app] [./chart] [--set] [image.tag=v1.2]",
            "curl@root [-s] [-H] [Authorization: Bearer t0k] [http://api.internal/v1/me]",
            "kubectl@root [describe] [pod] [app-1] [-n] [apps]",
            "kubectl@root [get] [pods] [-n] [apps]",
            "kubectl@root [config] [use-context] [prod-eu]",
        ]
    );
    assert!(
        run.stdout.contains("SKIPPED: its placeholder <TENANT> sits inside backquotes, where a value cannot be inserted safely. Run it by hand if you need it."),
        "{}",
        run.stdout
    );
}

/// Answers the script's questions through a pseudo-terminal (`script` from util-linux).
#[test]
fn confirmation_is_asked_on_the_terminal() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!(
            "notice: `script` (util-linux) is not installed; confirmation prompts not tested"
        );
        return;
    }
    let drill = Drill::new("drill");
    let ask = |answer: &str| {
        let log = drill.book.path().join("stub.log");
        let _ = std::fs::remove_file(&log);
        let mut child = Command::new("script")
            .args([
                "-qec",
                "bash plan.sh --only 20 --set DRILL_POD=p1",
                "/dev/null",
            ])
            .current_dir(drill.book.path())
            .env(
                "PATH",
                format!(
                    "{}:{}",
                    drill.book.path().join("bin").display(),
                    std::env::var("PATH").unwrap_or_default()
                ),
            )
            .env("STUB_LOG", &log)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run script");
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(answer.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            std::fs::read_to_string(&log).unwrap_or_default(),
        )
    };
    let (code, out, log) = ask("n\n");
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("This step is destructive (kubectl --grace-period=0). Run it? [y/N]"),
        "{out}"
    );
    assert!(out.contains("stopped before step 20 (drill.md:89): you answered no. Resume with: bash plan.sh --from 20"), "{out}");
    assert!(!log.contains("delete"), "{log}");
    let (code, out, log) = ask("y\n");
    assert_eq!(code, Some(0), "{out}");
    assert!(log.contains("[delete] [pod] [p1]"), "{log}");
}

#[test]
fn json_plan_of_the_drill() {
    let book = TestBook::new();
    book.copy_fixture("plans");
    let run = book.run(&["plan", "drill.md", "--format", "json"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let again = book.run(&["plan", "drill.md", "--format", "json"]);
    assert_eq!(run.stdout(), again.stdout(), "plans are deterministic");
    insta::assert_snapshot!("drill_plan_json", run.stdout());
}

#[test]
fn writes_one_file_per_runbook_with_out() {
    let book = TestBook::new();
    book.copy_fixture("plans");
    let run = book.run(&["plan", "drill.md", "injection.md", "-o", "out"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let single = book.run(&["plan", "drill.md"]).stdout();
    assert_eq!(
        std::fs::read_to_string(book.path().join("out/drill.sh")).unwrap(),
        single
    );
    assert!(book.path().join("out/injection.sh").is_file());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(book.path().join("out/drill.sh"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o111, 0o111, "scripts are executable");
    }
    let run = book.run(&["plan", ".", "--format", "json", "-o", "out"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let mut names: Vec<String> = std::fs::read_dir(book.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "drill.plan.json",
            "drill.sh",
            "injection.plan.json",
            "injection.sh",
            "placeholders.plan.json"
        ],
        "no temporary files are left behind"
    );
}

#[test]
fn usage_errors_are_located() {
    let book = TestBook::new();
    book.copy_fixture("plans");
    let run = book.run(&["plan", "nope.md"]);
    assert_eq!(run.code(), 2);
    assert!(
        run.stderr().contains("nope.md") && run.stderr().contains("cannot open"),
        "{}",
        run.stderr()
    );
    let run = book.run(&["plan", "drill.md", "injection.md"]);
    assert_eq!(run.code(), 2);
    assert!(
        run.stderr().contains("2 runbooks to plan: give -o DIR"),
        "{}",
        run.stderr()
    );
    let run = book.run(&["plan"]);
    assert_eq!(run.code(), 2);
    book.write("sub/book.toml", "[plan]\nconfirm = [\"destructiv\"]\n");
    book.write(
        "sub/content/a.md",
        "# A\n\n```bash\nkubectl get pods\n```\n",
    );
    let run = book.run(&["plan", "sub/content/a.md"]);
    assert_eq!(run.code(), 2);
    assert!(
        run.stderr().contains("[plan] confirm has \"destructiv\""),
        "{}",
        run.stderr()
    );
    let run = book.run(&["plan", "sub"]);
    assert_eq!(run.code(), 2);
    assert!(
        run.stderr().contains("book.toml: [plan] confirm"),
        "{}",
        run.stderr()
    );
}

#[test]
fn book_toml_plan_settings_apply() {
    let book = TestBook::new();
    book.write(
        "book.toml",
        "[plan]\nshell = \"/bin/bash\"\nconfirm = [\"mutating\", \"destructive\"]\ntimeout = \"10m\"\n",
    );
    book.write(
        "content/a.md",
        "# A\n\n## Go\n\n```bash\nkubectl rollout restart deployment/a -n x\n```\n",
    );
    let run = book.run(&["plan", "content/a.md"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(run.stdout().starts_with("#!/bin/bash\n"));
    assert!(
        run.stdout()
            .contains("__rb_step '1' 'command' 'mutating' 'confirm'")
    );
    let run = book.run(&["plan", "content/a.md", "--format", "json"]);
    let plan = run.json();
    assert_eq!(plan["settings"]["timeout"], "10m");
    assert_eq!(plan["steps"][0]["confirm"], true);
}

// ---- every plan of the example book and of the fixtures ----------------------------------

/// `(name, json plan, bash plan)` of every runbook in `content/` and `tests/fixtures/plans/`.
fn all_plans() -> Vec<(String, String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = runbook::config::PlanConfig::default();
    let mut out = Vec::new();
    for dir in [root.join("content"), fixtures().join("plans")] {
        let loaded = runbook::load(&dir).expect("load");
        assert!(!loaded.book.runbooks.is_empty(), "{}", dir.display());
        for rb in &loaded.book.runbooks {
            out.push((
                format!("{}/{}", dir.display(), rb.path),
                runbook::plan::json::render(rb, &config),
                runbook::plan::bash::render(rb, &config),
            ));
        }
    }
    out
}

#[test]
fn checked_in_schema_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/plan.schema.json");
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    let generated = runbook::plan::json::schema();
    assert!(
        checked_in == generated,
        "schema/plan.schema.json is not the schema of the plan types; regenerate it with\n  cargo run -- plan --schema > schema/plan.schema.json"
    );
    let cli = run_in(Path::new(env!("CARGO_MANIFEST_DIR")), &["plan", "--schema"]);
    assert_eq!(cli.stdout(), generated);
}

#[test]
fn every_plan_validates_against_the_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(&runbook::plan::json::schema()).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema is valid");
    for (name, json, _) in all_plans() {
        let plan: serde_json::Value = serde_json::from_str(&json).expect("plan is JSON");
        let errors: Vec<String> = validator
            .iter_errors(&plan)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
        assert_eq!(plan["schema_version"], 1);
    }
    // The schema is strict enough to catch a wrong plan.
    let bad = serde_json::json!({"schema_version": 2});
    assert!(!validator.is_valid(&bad));
    let (_, json, _) = &all_plans()[0];
    let mut plan: serde_json::Value = serde_json::from_str(json).unwrap();
    plan["steps"][0]["surprise"] = serde_json::json!(true);
    assert!(
        !validator.is_valid(&plan),
        "unknown step fields are rejected"
    );
}

#[test]
fn every_plan_passes_shellcheck() {
    if Command::new("shellcheck")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!(
            "notice: shellcheck is not installed; skipping the shellcheck test (CI installs it)"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for (i, (name, _, script)) in all_plans().into_iter().enumerate() {
        let path = dir.path().join(format!("plan{i}.sh"));
        std::fs::write(&path, &script).unwrap();
        let out = Command::new("shellcheck")
            .arg("--severity=style")
            .arg(&path)
            .output()
            .expect("run shellcheck");
        if !out.status.success() {
            failures.push(format!("{name}:\n{}", String::from_utf8_lossy(&out.stdout)));
        }
        let syntax = Command::new("bash").arg("-n").arg(&path).output().unwrap();
        assert!(syntax.status.success(), "{name}: bash -n failed");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn timeout_stops_a_hanging_step_and_keeps_shell_state_steps_in_the_shell() {
    let book = TestBook::new();
    book.write("book.toml", "[plan]\ntimeout = \"1s\"\n");
    book.write(
        "hang.md",
        "# Hang\n\n## Steps\n\n```bash\ncd work\nPOD=$(kubectl get pod -l app=x -o name)\nkubectl describe \"$POD\"\nkubectl rollout status deployment/x\nkubectl get nodes\n```\n",
    );
    let drill = Drill::from_book(book, "hang.md");
    let script = std::fs::read_to_string(&drill.script).unwrap();
    assert!(
        script.contains("__rb_timeout=1\n"),
        "the limit is in the script"
    );

    // Without a hang: the cd and the assignment reach the later steps.
    let run = drill.run(&["--yes"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.ran("kubectl@work [describe] []"), "{:?}", run.log);
    assert!(run.ran("kubectl@work [get] [nodes]"), "{:?}", run.log);

    // A hanging step is stopped, reported with its resume hint, and nothing after it runs.
    let started = std::time::Instant::now();
    let run = drill.run(&["--yes"], &[("STUB_SLEEP_ON", "rollout")]);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(15),
        "stopped, not waited out"
    );
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("stopped after 1 s ([plan] timeout)"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("step 4 failed"), "{}", run.stderr);
    assert!(run.stderr.contains("--from 4"), "{}", run.stderr);
    assert!(!run.ran("nodes"), "{:?}", run.log);
}

#[test]
fn a_timeout_that_is_not_a_duration_is_refused() {
    let book = TestBook::new();
    book.write("book.toml", "[plan]\ntimeout = \"soon\"\n");
    book.write("a.md", "# A\n\n```bash\nkubectl get pods\n```\n");
    let run = book.run(&["plan", "a.md"]);
    assert_eq!(run.code(), 2);
    assert!(
        run.stderr().contains("[plan] timeout = \"soon\""),
        "{}",
        run.stderr()
    );
}
