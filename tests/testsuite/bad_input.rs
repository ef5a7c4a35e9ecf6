//! Bad input never panics: each case gives a located diagnostic or is parsed as well as the
//! Markdown allows, and the rest of the book still loads.

use super::util::TestBook;

fn inspect(book: &TestBook) -> (i32, serde_json::Value, String) {
    let run = book.run(&["inspect", "."]);
    (run.code(), run.json(), run.stderr())
}

fn runbook<'a>(model: &'a serde_json::Value, path: &str) -> &'a serde_json::Value {
    model["runbooks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["path"] == path)
        .unwrap_or_else(|| panic!("{path} not loaded: {model}"))
}

const GOOD: &str = "# Good\n\n```bash\nkubectl get pods -n prod\n```\n";

#[test]
fn invalid_utf8_is_located_and_the_rest_is_parsed() {
    let book = TestBook::new();
    book.write("good.md", GOOD);
    book.write(
        "latin1.md",
        b"# Caf\xe9\n\n```bash\nkubectl get pods\n```\n",
    );
    let (code, model, stderr) = inspect(&book);
    assert_eq!(code, 0);
    assert!(
        stderr.contains("warning[RB002]") && stderr.contains("latin1.md:1:6"),
        "{stderr}"
    );
    assert_eq!(
        runbook(&model, "latin1.md")["steps"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        runbook(&model, "good.md")["steps"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn empty_file_is_a_warning() {
    let book = TestBook::new();
    book.write("empty.md", "");
    book.write("good.md", GOOD);
    let (code, model, stderr) = inspect(&book);
    assert_eq!(code, 0);
    assert!(
        stderr.contains("warning[RB003]: file is empty") && stderr.contains("--> empty.md"),
        "{stderr}"
    );
    assert_eq!(runbook(&model, "empty.md")["title"], "empty");
}

#[test]
fn unclosed_fence_is_located() {
    let book = TestBook::new();
    book.write("open.md", "# Open\n\ntext\n\n  ```bash\nkubectl get pods\n");
    let (_, model, stderr) = inspect(&book);
    assert!(
        stderr.contains("warning[RB004]") && stderr.contains("open.md:5:3"),
        "{stderr}"
    );
    assert_eq!(runbook(&model, "open.md")["steps"][0]["argv"][0], "kubectl");
}

#[test]
fn five_megabyte_file_parses() {
    let book = TestBook::new();
    let section = "## Restart\n\n- [ ] check\n\n```bash\nkubectl rollout restart deployment/api -n prod\n```\n\n";
    let big = format!(
        "# Big\n\n{}",
        section.repeat(5 * 1024 * 1024 / section.len())
    );
    assert!(big.len() > 5_000_000);
    book.write("big.md", &big);
    let run = book.run(&["inspect", ".", "--format", "summary"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let steps = run
        .stdout()
        .lines()
        .filter(|l| l.contains(" command "))
        .count();
    assert_eq!(steps, 5 * 1024 * 1024 / section.len());
}

#[test]
fn table_with_500_columns() {
    let book = TestBook::new();
    let header: String = (0..500).map(|i| format!("| c{i} ")).collect::<String>() + "|\n";
    let sep: String = "|---".repeat(500) + "|\n";
    let row: String = (0..500).map(|i| format!("| v{i} ")).collect::<String>() + "|\n";
    book.write("wide.md", format!("# Wide\n\n{header}{sep}{row}"));
    let (code, model, _) = inspect(&book);
    assert_eq!(code, 0);
    let table = &runbook(&model, "wide.md")["tables"][0];
    assert_eq!(table["header"].as_array().unwrap().len(), 500);
    assert_eq!(table["rows"][0][499], "v499");
}

#[test]
fn deeply_nested_lists_and_quotes() {
    let book = TestBook::new();
    let mut lists = String::from("# Deep\n\n## Steps\n\n");
    for depth in 0..300 {
        lists.push_str(&"  ".repeat(depth));
        lists.push_str(&format!("- level {depth}\n"));
    }
    lists.push_str(&">".repeat(5000));
    lists.push_str(" quoted\n");
    book.write("deep.md", lists);
    let (code, model, _) = inspect(&book);
    assert_eq!(code, 0);
    assert!(
        runbook(&model, "deep.md")["steps"]
            .as_array()
            .unwrap()
            .len()
            >= 2
    );
}

#[test]
fn crlf_line_endings_keep_line_numbers() {
    let book = TestBook::new();
    book.write("crlf.md", "# CRLF\r\n\r\n**Owner:** ops\r\n\r\n## Run\r\n\r\n```bash\r\nkubectl get pods \\\r\n  -n prod\r\necho done\r\n```\r\n");
    let (_, model, _) = inspect(&book);
    let rb = runbook(&model, "crlf.md");
    assert_eq!(rb["meta"]["owner"], "ops");
    let steps = rb["steps"].as_array().unwrap();
    assert_eq!(steps[0]["span"]["line"], 8);
    assert_eq!(
        steps[0]["argv"],
        serde_json::json!(["kubectl", "get", "pods", "-n", "prod"])
    );
    assert_eq!(steps[1]["span"]["line"], 10);
    assert_eq!(steps[1]["text"], "echo done");
}

#[cfg(unix)]
#[test]
fn symlink_loop_and_broken_link_are_reported_and_the_rest_loads() {
    let book = TestBook::new();
    book.write("good.md", GOOD);
    std::fs::create_dir(book.path().join("sub")).unwrap();
    std::os::unix::fs::symlink("..", book.path().join("sub/loop")).unwrap();
    std::os::unix::fs::symlink("missing-target.md", book.path().join("broken.md")).unwrap();
    let (code, model, stderr) = inspect(&book);
    assert!(
        stderr.contains("warning[RB006]: symbolic link loop") && stderr.contains("sub/loop"),
        "{stderr}"
    );
    // An unreadable file (here: a link to nothing) is an I/O error: exit 2, the rest still printed.
    assert!(
        stderr.contains("error[RB001]") && stderr.contains("broken.md"),
        "{stderr}"
    );
    assert_eq!(code, 2);
    assert_eq!(
        runbook(&model, "good.md")["steps"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[cfg(unix)]
#[test]
fn fifo_named_md_is_not_read() {
    let book = TestBook::new();
    book.write("good.md", GOOD);
    let status = std::process::Command::new("mkfifo")
        .arg(book.path().join("pipe.md"))
        .status();
    if !status.is_ok_and(|s| s.success()) {
        eprintln!("mkfifo unavailable; skipping");
        return;
    }
    let (code, model, _) = inspect(&book);
    assert_eq!(code, 0);
    assert_eq!(model["runbooks"].as_array().unwrap().len(), 1);
}
