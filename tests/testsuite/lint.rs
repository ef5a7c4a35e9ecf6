//! CLI tests of `runbook lint`: one fixture folder per rule (`tests/fixtures/lint/<CODE>/`)
//! with a snapshot of the rendered frames, every output format, every exit code, config and
//! suppression, and the planted drifts of the example book.

use super::util::{TestBook, fixtures, run_in};
use serde_json::Value;
use std::path::Path;

const TODAY: &str = "2026-11-01";

/// Lints a fixture folder in place and returns the run.
fn lint_fixture(name: &str, extra: &[&str]) -> super::util::Run {
    let dir = fixtures().join("lint").join(name);
    let mut args = vec!["lint", "--today", TODAY];
    args.extend_from_slice(extra);
    args.push(".");
    run_in(&dir, &args)
}

/// Codes of all diagnostics in a JSON report.
fn codes(report: &Value) -> Vec<String> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_owned())
        .collect()
}

fn rule_fixture(code: &str) {
    let json = lint_fixture(code, &["--format", "json"]);
    let report = json.json();
    let found = codes(&report);
    assert!(!found.is_empty(), "{code}: nothing found:\n{report:#}");
    assert!(
        found.iter().all(|c| c == code),
        "{code} fixture triggers other rules: {found:?}"
    );
    let human = lint_fixture(code, &[]);
    insta::assert_snapshot!(format!("lint_{code}"), human.stdout());
}

#[test]
fn rb118_shell_syntax() {
    rule_fixture("RB118");
}
#[test]
fn rb106_image_drift() {
    rule_fixture("RB106");
}
#[test]
fn rb107_host_drift() {
    rule_fixture("RB107");
}
#[test]
fn rb101_port_drift() {
    rule_fixture("RB101");
}
#[test]
fn rb102_namespace_drift() {
    rule_fixture("RB102");
}
#[test]
fn rb103_database_drift() {
    rule_fixture("RB103");
}
#[test]
fn rb104_compose_drift() {
    rule_fixture("RB104");
}
#[test]
fn rb105_severity_drift() {
    rule_fixture("RB105");
}
#[test]
fn rb111_broken_link() {
    rule_fixture("RB111");
}
#[test]
fn rb112_broken_anchor() {
    rule_fixture("RB112");
}
#[test]
fn rb113_stale_review() {
    rule_fixture("RB113");
}
#[test]
fn rb114_wrong_fence() {
    rule_fixture("RB114");
}
#[test]
fn rb115_unguarded_destructive() {
    rule_fixture("RB115");
}
#[test]
fn rb116_undeclared_placeholder() {
    rule_fixture("RB116");
}
#[test]
fn rb117_hardcoded_secret() {
    rule_fixture("RB117");
}

#[test]
fn secrets_are_redacted_in_every_format() {
    let book = TestBook::new();
    // Built at run time so the repository itself holds no token-shaped string.
    let aws = format!("AKIA{}", "Q7ZW3RT9LMNB2XKV");
    let gh = format!("ghp_{}", "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8");
    let body = "Tq4Wn8Zr2Kx6Mv9Pb3Ls7Hd5Jf1Gc0Ya";
    book.write(
        "keys.md",
        format!(
            "# Keys\n\n```bash\nexport AWS_ACCESS_KEY_ID={aws}\ngit clone https://{gh}@github.com/o/r\ncurl -H 'Authorization: Bearer {body}' https://x.example\n```\n"
        ),
    );
    for format in ["human", "json", "sarif", "github"] {
        let run = book.run(&["lint", "--today", TODAY, "--format", format, "."]);
        assert_eq!(run.code(), 1, "{format}: {}", run.stderr());
        let out = run.stdout() + &run.stderr();
        for secret in [&aws, &gh, &body.to_owned()] {
            assert!(
                !out.contains(secret.as_str()),
                "{format} leaks {secret}:\n{out}"
            );
        }
        assert!(out.contains("RB117"), "{format}:\n{out}");
    }
    let report = book
        .run(&["lint", "--today", TODAY, "--format", "json", "."])
        .json();
    assert_eq!(codes(&report), vec!["RB117", "RB117", "RB117"]);
}

/// The book in the repository: every planted drift of `content/README.md` is found, and
/// nothing else is an error.
#[test]
fn example_book_planted_drifts() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = run_in(root, &["lint", "--today", TODAY, "--format", "json", "."]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    let report = run.json();
    let all: Vec<(String, String, u64, String)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["severity"].as_str().unwrap().to_owned(),
                d["file"].as_str().unwrap().to_owned(),
                d["line"].as_u64().unwrap(),
                d["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut errors: Vec<(String, u64, String)> = all
        .iter()
        .filter(|d| d.0 == "error")
        .map(|d| (d.1.clone(), d.2, d.3.clone()))
        .collect();
    errors.sort();
    let e = |f: &str, l: u64, c: &str| (format!("content/{f}"), l, c.to_owned());
    assert_eq!(
        errors,
        vec![
            e("database/postgres-failover.md", 108, "RB101"),
            e("incident-response.md", 63, "RB111"),
            e("incident-response.md", 82, "RB102"),
            e("incident-response.md", 85, "RB102"),
            e("incident-response.md", 97, "RB103"),
            e("rollback.md", 32, "RB105"),
        ],
        "{report:#}"
    );
    let has = |f: &str, l: u64, c: &str| {
        all.iter()
            .any(|d| d.1 == format!("content/{f}") && d.2 == l && d.3 == c)
    };
    assert!(has("services/notify-worker.md", 61, "RB104"), "{report:#}");
    assert!(has("scaling.md", 10, "RB113"), "{report:#}");
    // The host drift, and nothing else of its rule: notify-01 and notify-02 are two machines.
    let hosts: Vec<&Value> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "RB107")
        .collect();
    assert_eq!(hosts.len(), 1, "{report:#}");
    assert_eq!(hosts[0]["file"], "content/index.md");
    assert_eq!(hosts[0]["line"], 81);
    assert_eq!(hosts[0]["severity"], "warning");
    assert_eq!(
        hosts[0]["related"][0]["file"],
        "content/database/postgres-failover.md"
    );
    // The severity drift points at the index, where the majority value is stated.
    let severity = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "RB105")
        .unwrap();
    assert_eq!(severity["related"][0]["file"], "content/index.md");
    assert_eq!(severity["related"][0]["line"], 38);
}

#[test]
fn json_format_shape_and_order() {
    let run = lint_fixture("RB102", &["--format", "json"]);
    assert_eq!(run.code(), 1);
    let report = run.json();
    let first = &report["diagnostics"][0];
    for key in [
        "code",
        "rule",
        "severity",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "message",
        "help",
        "related",
    ] {
        assert!(first.get(key).is_some(), "missing {key}: {first}");
    }
    assert_eq!(first["rule"], "namespace-drift");
    assert_eq!(first["related"][0]["file"], "a-restart.md");
    assert_eq!(report["summary"]["errors"], 2);
    assert_eq!(report["summary"]["files"], 3);
    let keys: Vec<(String, u64)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_owned(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}

#[test]
fn github_format() {
    let run = lint_fixture("RB111", &["--format", "github"]);
    assert_eq!(run.code(), 1);
    let out = run.stdout();
    insta::assert_snapshot!("lint_github_RB111", out);
    assert!(out.lines().all(|l| l.starts_with("::error file=")));
}

/// SARIF: the parts a code-scanning upload relies on (rule index, levels, repository-relative
/// URIs, unique and stable fingerprints). Schema validity is `sarif_validates_against_the_oasis_schema`.
#[test]
fn sarif_format() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = run_in(
        root,
        &["lint", "--today", TODAY, "--format", "sarif", "content"],
    );
    assert_eq!(run.code(), 1, "{}", run.stderr());
    let log = run.json();
    assert_eq!(log["version"], "2.1.0");
    let run0 = &log["runs"][0];
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().any(|r| {
        r["id"] == "RB101"
            && r["name"] == "port-drift"
            && r["fullDescription"]["text"]
                .as_str()
                .unwrap()
                .contains("Why it matters")
    }));
    for rule in rules {
        assert!(
            rule["shortDescription"]["text"]
                .as_str()
                .is_some_and(|t| !t.is_empty())
        );
        assert!(matches!(
            rule["defaultConfiguration"]["level"].as_str(),
            Some("error" | "warning" | "note")
        ));
    }
    let results = run0["results"].as_array().unwrap();
    assert!(!results.is_empty());
    let mut fingerprints = std::collections::BTreeSet::new();
    for r in results {
        let id = r["ruleId"].as_str().unwrap();
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], id);
        assert!(matches!(
            r["level"].as_str(),
            Some("error" | "warning" | "note")
        ));
        assert!(r["message"]["text"].as_str().is_some());
        let loc = &r["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        assert!(uri.starts_with("content/") && !uri.contains("://"), "{uri}");
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(loc["region"]["startColumn"].as_u64().unwrap() >= 1);
        let fp = r["partialFingerprints"]["runbookLint/v1"].as_str().unwrap();
        assert!(
            fingerprints.insert(fp.to_owned()),
            "duplicate fingerprint {fp}"
        );
        for rel in r["relatedLocations"].as_array().into_iter().flatten() {
            assert!(rel["id"].as_u64().is_some());
            assert!(rel["message"]["text"].as_str().is_some());
        }
    }
    // Stable: the same book gives the same fingerprints.
    let again = run_in(
        root,
        &["lint", "--today", TODAY, "--format", "sarif", "content"],
    )
    .json();
    assert_eq!(again["runs"][0]["results"], run0["results"]);
}

#[test]
fn exit_codes() {
    let book = TestBook::new();
    book.write(
        "ok.md",
        "# Fine\n\n**Next Review:** 2027-01-01\n\n```bash\nkubectl get pods -n prod\n```\n",
    );
    let run = book.run(&["lint", "--today", TODAY, "."]);
    assert_eq!(run.code(), 0, "{}", run.stdout());
    assert!(run.stdout().contains("no problems found in 1 runbook"));

    // A warning alone passes, unless warnings are denied.
    book.write("old.md", "# Old\n\n**Next Review:** 2020-01-01\n");
    assert_eq!(book.run(&["lint", "--today", TODAY, "."]).code(), 0);
    let denied = book.run(&["lint", "--today", TODAY, "--deny", "warnings", "."]);
    assert_eq!(denied.code(), 1);
    assert!(
        denied
            .stdout()
            .contains("found 0 errors, 1 warning, 0 infos in 2 runbooks")
    );

    // An error fails.
    book.write("link.md", "# Link\n\n[x](missing.md)\n");
    assert_eq!(book.run(&["lint", "--today", TODAY, "."]).code(), 1);

    // Usage and I/O errors.
    assert_eq!(book.run(&["lint", "no-such-folder"]).code(), 2);
    assert_eq!(book.run(&["lint", "--today", "01/11/2026", "."]).code(), 2);
    assert_eq!(book.run(&["lint", "--format", "xml", "."]).code(), 2);

    // A single file works, and no colour without a tty.
    let one = book.run(&["lint", "--today", TODAY, "link.md"]);
    assert_eq!(one.code(), 1);
    assert!(one.stdout().contains("--> link.md:3:5"), "{}", one.stdout());
    assert!(!one.stdout().contains('\x1b'));
}

#[test]
fn bad_lint_config_is_a_usage_error() {
    let book = TestBook::new();
    book.write(
        "book.toml",
        "[book]\nsrc = \".\"\n\n[lint.rules]\nport-drfit = \"off\"\n",
    );
    book.write("a.md", "# A\n");
    let run = book.run(&["lint", "."]);
    assert_eq!(run.code(), 2);
    assert!(run.stderr().contains("port-drfit"), "{}", run.stderr());

    book.write(
        "book.toml",
        "[book]\nsrc = \".\"\n\n[lint]\nmax_age = \"soon\"\n",
    );
    assert_eq!(book.run(&["lint", "."]).code(), 2);
}

#[test]
fn config_levels_and_ignore() {
    let book = TestBook::new();
    book.write("a.md", "# A\n\n[x](missing.md)\n");
    book.write("drafts/b.md", "# B\n\n[y](missing.md)\n");
    let report = book
        .run(&["lint", "--today", TODAY, "--format", "json", "."])
        .json();
    assert_eq!(report["summary"]["errors"], 2);

    book.write(
        "book.toml",
        "[book]\nsrc = \".\"\n\n[lint]\nignore = [\"drafts/\"]\n\n[lint.rules]\nbroken-link = \"warning\"\n",
    );
    let run = book.run(&["lint", "--today", TODAY, "--format", "json", "."]);
    assert_eq!(run.code(), 0, "{}", run.stdout());
    let report = run.json();
    assert_eq!(report["summary"]["warnings"], 1);
    assert_eq!(report["summary"]["files"], 1);
    assert_eq!(report["diagnostics"][0]["file"], "a.md");

    book.write(
        "book.toml",
        "[book]\nsrc = \".\"\n\n[lint.rules]\nRB111 = \"off\"\n",
    );
    let run = book.run(&["lint", "--today", TODAY, "."]);
    assert_eq!(run.code(), 0, "{}", run.stdout());
}

#[test]
fn canonical_facts_from_book_toml() {
    let book = TestBook::new();
    book.write(
        "book.toml",
        "[book]\nsrc = \".\"\n\n[facts.services.api]\nport = 8080\n\n[facts.severity]\nP1 = \"15 minutes\"\n",
    );
    book.write("a.md", "# A\n\n```bash\ncurl http://api:9090/health\n```\n");
    book.write(
        "b.md",
        "# B\n\n| Level | Response Time |\n|---|---|\n| P1 | 30 minutes |\n",
    );
    let report = book
        .run(&["lint", "--today", TODAY, "--format", "json", "."])
        .json();
    assert_eq!(codes(&report), vec!["RB101", "RB105"], "{report:#}");
    assert!(
        report["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .contains("declared in book.toml")
    );
    assert_eq!(report["diagnostics"][0]["related"][0]["file"], "book.toml");
}

#[test]
fn inline_suppression() {
    let run = lint_fixture("suppress", &["--format", "json"]);
    let report = run.json();
    assert_eq!(codes(&report), vec!["RB111"], "{report:#}");
    assert_eq!(report["diagnostics"][0]["line"], 8);
}

#[test]
fn explain() {
    let book = TestBook::new();
    let run = book.run(&["lint", "--explain", "RB101"]);
    assert_eq!(run.code(), 0);
    let out = run.stdout();
    assert!(
        out.starts_with("RB101 port-drift (default level: error)"),
        "{out}"
    );
    for part in ["What it does", "Why it matters", "Example", "Use instead"] {
        assert!(out.contains(part), "{out}");
    }
    assert_eq!(book.run(&["lint", "--explain", "port-drift"]).code(), 0);
    let bad = book.run(&["lint", "--explain", "RB999"]);
    assert_eq!(bad.code(), 2);
    assert!(bad.stderr().contains("RB101"));
}

#[test]
fn declared_image_registry_wins_over_the_majority() {
    let book = TestBook::new();
    book.copy_fixture("lint/RB106");
    book.write(
        "book.toml",
        "[book]\nsrc = \".\"\n\n[facts.services.ledger]\nimage = \"registry.old.example.com/ledger:v3\"\n",
    );
    let run = book.run(&["lint", ".", "--format", "json"]);
    let report = run.json();
    let files: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "RB106")
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    // a-deploy.md states the old registry twice (docker pull, kubectl set image).
    assert_eq!(
        files,
        vec!["a-deploy.md", "a-deploy.md", "b-manifest.md"],
        "{report:#}"
    );
}

/// The official OASIS SARIF 2.1.0 schema, vendored in `tests/fixtures/sarif/` (see its README),
/// as a validator that also checks formats (`uri`, `uri-reference`).
fn sarif_validator() -> jsonschema::Validator {
    let path = fixtures().join("sarif/sarif-schema-2.1.0.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut schema: Value = serde_json::from_str(&text).unwrap();
    // The `language` patterns (of `run` and `toolComponent`) have a lone `]`: a literal in
    // ECMA-262's web-compatible (Annex B) syntax, which the `regex` format check refuses.
    // Escaping it keeps the meaning; the file itself stays as published.
    const LANGUAGE: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    for def in ["run", "toolComponent"] {
        let pattern = &mut schema["definitions"][def]["properties"]["language"]["pattern"];
        assert_eq!(pattern, LANGUAGE, "{def}");
        *pattern = LANGUAGE.replace("]?$", r"\]?$").into();
    }
    jsonschema::draft7::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the vendored SARIF schema compiles")
}

/// Every schema violation of `log`, one line each.
fn sarif_errors(validator: &jsonschema::Validator, log: &Value) -> Vec<String> {
    validator
        .iter_errors(log)
        .map(|e| format!("{e} (at {})", e.instance_path()))
        .collect()
}

#[test]
fn sarif_validates_against_the_oasis_schema() {
    let validator = sarif_validator();
    let sarif = ["lint", "--today", TODAY, "--format", "sarif", "."];
    // The example book: drift with related locations, loader findings, every level.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let book = run_in(
        root,
        &["lint", "--today", TODAY, "--format", "sarif", "content"],
    );
    assert_eq!(book.code(), 1, "{}", book.stderr());
    let log = book.json();
    assert!(!log["runs"][0]["results"].as_array().unwrap().is_empty());
    let errors = sarif_errors(&validator, &log);
    assert!(errors.is_empty(), "example book:\n{}", errors.join("\n"));
    // Every rule fixture (each has findings), the suppression fixture and this one.
    let mut checked = 0;
    for entry in std::fs::read_dir(fixtures().join("lint")).unwrap() {
        let dir = entry.unwrap().path();
        let run = run_in(&dir, &sarif);
        assert!(run.code() <= 1, "{}: {}", dir.display(), run.stderr());
        let errors = sarif_errors(&validator, &run.json());
        assert!(
            errors.is_empty(),
            "{}:\n{}",
            dir.display(),
            errors.join("\n")
        );
        checked += 1;
    }
    assert!(checked >= 15, "only {checked} fixtures");
    // Paths that need escaping, a finding for the whole file (no region), a book.toml label.
    let odd = TestBook::new();
    odd.write(
        "book.toml",
        "[book]\nsrc = \".\"\n\n[facts.services.api]\nport = 8080\n",
    );
    odd.write("ops notes/ünïcode #1.md", "");
    odd.write(
        "ops notes/a.md",
        "# A\n\n```bash\ncurl http://api:9090/health\n```\n",
    );
    let run = odd.run(&sarif);
    assert_eq!(run.code(), 1, "{}", run.stdout());
    let log = run.json();
    let uris: Vec<&str> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(
        uris.contains(&"ops%20notes/%C3%BCn%C3%AFcode%20%231.md"),
        "{uris:?}"
    );
    let errors = sarif_errors(&validator, &log);
    assert!(errors.is_empty(), "escaped paths:\n{}", errors.join("\n"));
}

/// The validator is not a rubber stamp: documents that break the schema are rejected.
#[test]
fn sarif_schema_rejects_broken_logs() {
    let validator = sarif_validator();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let good = run_in(
        root,
        &["lint", "--today", TODAY, "--format", "sarif", "content"],
    )
    .json();
    assert!(sarif_errors(&validator, &good).is_empty());
    type Breaks = fn(&mut Value);
    let broken: [(&str, Breaks); 6] = [
        ("level fatal", |log| {
            log["runs"][0]["results"][0]["level"] = "fatal".into();
        }),
        ("version 2.0.0", |log| log["version"] = "2.0.0".into()),
        ("no message", |log| {
            log["runs"][0]["results"][0]
                .as_object_mut()
                .unwrap()
                .remove("message");
        }),
        ("line 0", |log| {
            log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
                0.into();
        }),
        ("an unescaped space in a URI", |log| {
            log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
                ["uri"] = "content/a b.md".into();
        }),
        ("unknown property", |log| {
            log["runs"][0]["tool"]["driver"]["severity"] = "high".into();
        }),
    ];
    for (what, breaks) in broken {
        let mut log = good.clone();
        breaks(&mut log);
        assert!(
            !sarif_errors(&validator, &log).is_empty(),
            "the schema accepted a log with {what}"
        );
    }
}

/// `[facts.services.NAME] hosts` wins over the majority, and a declared host is never reported
/// (two real machines that look alike are declared together).
#[test]
fn declared_hosts_win_and_are_never_reported() {
    let book = TestBook::new();
    book.copy_fixture("lint/RB107");
    book.write(
        "book.toml",
        "[book]\nsrc = \".\"\n\n[facts.services.worker]\nhosts = [\"worker-1.ops.example\"]\n\n[facts.services.postgres]\nhosts = [\"pg-primary.ledger.internal\", \"postgres-primary.ledger.internal\"]\n",
    );
    let report = book
        .run(&["lint", "--today", TODAY, "--format", "json", "."])
        .json();
    let found: Vec<(String, u64, String)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "RB107")
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_owned(),
                d["line"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let lines: Vec<(&str, u64)> = found.iter().map(|f| (f.0.as_str(), f.1)).collect();
    // worker-01 (the majority) now loses to the declared worker-1; pg-primary is declared.
    assert_eq!(
        lines,
        vec![("a-queue.md", 7), ("b-health.md", 8), ("c-restart.md", 7)],
        "{report:#}"
    );
    assert!(found[0].2.contains("declared in book.toml"), "{found:?}");
    let first = &report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "RB107")
        .unwrap()["related"][0];
    assert_eq!(first["file"], "book.toml");
    assert!(
        report["diagnostics"][0]["help"]
            .as_str()
            .unwrap()
            .contains("[facts.services.worker] hosts")
    );
}

/// Real hosts that look alike are not drift: numbered machines, regions, short words, a last
/// letter that changes meaning, two edits. Each name on the right is stated once, next to a
/// name on the left that three runbooks state: the majority shape of a real drift.
#[test]
fn lookalike_hosts_are_not_host_drift() {
    let book = TestBook::new();
    let pairs = [
        ("notify-01.ops.example", "notify-02.ops.example"),
        ("db-replica-1.ops.internal", "db-replica-2.ops.internal"),
        ("web1.ops.internal", "web12.ops.internal"),
        ("api.eu.example.com", "api.us.example.com"),
        ("api.example.com", "app.example.com"),
        ("authn.example.com", "authz.example.com"),
        ("us-east.example.com", "us-west.example.com"),
        ("staging.example.com", "stage.example.com"),
        ("pg-primary.ops.internal", "pg-replica.ops.internal"),
        ("files.example.com", "files.example.org"),
    ];
    for i in 0..4 {
        let mut text = format!("# Runbook {i}\n\n```bash\n");
        for (majority, single) in pairs {
            let host = if i < 3 { majority } else { single };
            text.push_str(&format!("ssh {host} uptime\n"));
        }
        text.push_str("```\n");
        book.write(&format!("r{i}.md"), text);
    }
    let report = book
        .run(&["lint", "--today", TODAY, "--format", "json", "."])
        .json();
    assert!(!codes(&report).iter().any(|c| c == "RB107"), "{report:#}");
    // The same book with one real misspelling finds exactly that.
    book.write(
        "r4.md",
        "# Runbook 4\n\n```bash\nssh notify-1.ops.example uptime\n```\n",
    );
    let report = book
        .run(&["lint", "--today", TODAY, "--format", "json", "."])
        .json();
    assert_eq!(codes(&report), vec!["RB107"], "{report:#}");
    assert_eq!(report["diagnostics"][0]["file"], "r4.md");
}
