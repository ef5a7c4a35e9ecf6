//! CLI tests of `runbook inspect` and of the command-line surface shared by all subcommands.

use super::util::{TestBook, run_in};

#[test]
fn inspect_book_with_config_uses_src_and_title() {
    let book = TestBook::new();
    book.write("book.toml", "[book]\ntitle = \"Ops\"\nsrc = \"docs\"\n");
    book.write("docs/a.md", "# A\n\n- [ ] check\n");
    book.write("notes/ignored.md", "# not in src\n");
    let run = book.run(&["inspect"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let model = run.json();
    assert_eq!(model["schema_version"], 1);
    assert_eq!(model["title"], "Ops");
    let paths: Vec<&str> = model["runbooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, vec!["docs/a.md"]);
}

#[test]
fn folder_without_config_and_single_file_work() {
    let book = TestBook::new();
    book.write("x/b.md", "# B\n");
    book.write("x/a.md", "# A\n");
    book.write("x/.hidden/c.md", "# C\n");
    let run = book.run(&["inspect", "x"]);
    assert_eq!(run.code(), 0);
    let titles: Vec<String> = run.json()["runbooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["title"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(titles, vec!["A", "B"], "sorted, hidden folders skipped");
    let run = book.run(&["inspect", "x/b.md"]);
    assert_eq!(run.json()["runbooks"][0]["path"], "b.md");
}

#[test]
fn unknown_config_key_is_an_error_naming_key_file_and_line() {
    let book = TestBook::new();
    book.write(
        "book.toml",
        "[book]\ntitle = \"x\"\n[build]\noutptu = \"out\"\n",
    );
    let run = book.run(&["inspect"]);
    assert_eq!(run.code(), 2);
    let err = run.stderr();
    assert!(
        err.contains("error[RB007]")
            && err.contains("unknown field `outptu`")
            && err.contains("book.toml:4:1"),
        "{err}"
    );
}

#[test]
fn missing_path_is_exit_2() {
    let book = TestBook::new();
    let run = book.run(&["inspect", "nope"]);
    assert_eq!(run.code(), 2);
    assert!(
        run.stderr().contains("nope") && run.stderr().contains("cannot open"),
        "{}",
        run.stderr()
    );
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(run_in(dir.path(), &["frobnicate"]).code(), 2);
    assert_eq!(
        run_in(dir.path(), &["inspect", "--format", "xml"]).code(),
        2
    );
    let help = run_in(dir.path(), &["--help"]);
    assert_eq!(help.code(), 0);
    for sub in ["build", "serve", "lint", "plan", "inspect", "init"] {
        assert!(help.stdout().contains(sub), "--help lists {sub}");
        assert_eq!(
            run_in(dir.path(), &[sub, "--help"]).code(),
            0,
            "{sub} --help"
        );
    }
    let version = run_in(dir.path(), &["--version"]);
    assert_eq!(
        version.stdout().trim(),
        format!("runbook {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn example_book_is_understood() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = run_in(root, &["inspect", "content", "--format", "summary"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(
        run.stderr().is_empty(),
        "the example book loads without warnings: {}",
        run.stderr()
    );
    insta::assert_snapshot!("example_book_summary", run.stdout());
}

#[test]
fn output_is_deterministic_and_closed_pipe_is_fine() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let a = run_in(root, &["inspect", "content"]).stdout();
    let b = run_in(root, &["inspect", "content"]).stdout();
    assert_eq!(a, b);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_runbook"))
        .args(["inspect", "content"])
        .current_dir(root)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "a closed stdout is not an error");
}

#[test]
fn init_creates_a_book_that_loads_and_never_overwrites() {
    let book = TestBook::new();
    let run = book.run(&["init", "ops"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let model = book.run(&["inspect", "ops"]);
    assert_eq!(model.code(), 0);
    let json = model.json();
    assert_eq!(json["title"], "Runbooks");
    let kinds: Vec<&str> = json["runbooks"][0]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        vec!["check", "check", "manual", "command", "manual", "command"]
    );
    std::fs::write(book.path().join("ops/book.toml"), "# mine\n").unwrap();
    let again = book.run(&["init", "ops"]);
    assert_eq!(again.code(), 2);
    assert!(
        again.stderr().contains("already exists"),
        "{}",
        again.stderr()
    );
    assert_eq!(
        std::fs::read_to_string(book.path().join("ops/book.toml")).unwrap(),
        "# mine\n"
    );
}

#[test]
fn refresh_reparses_only_changed_new_and_removed_files() {
    let book = TestBook::new();
    book.write("a.md", "# A\n\n```bash\nkubectl get pods\n```\n");
    book.write("b.md", "# B\n");
    book.write("c.md", "# C\n");
    let mut loaded = runbook::load(book.path()).unwrap();
    let titles = |l: &runbook::LoadedBook| {
        l.book
            .runbooks
            .iter()
            .map(|r| r.title.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(titles(&loaded), vec!["A", "B", "C"]);

    let nothing = loaded.refresh().unwrap();
    assert_eq!((nothing.parsed.len(), nothing.reused), (0, 3));

    // Different length, so the change is seen even on a coarse-mtime file system.
    book.write("b.md", "# B changed\n");
    book.write("d.md", "# D\n");
    std::fs::remove_file(book.path().join("c.md")).unwrap();
    let report = loaded.refresh().unwrap();
    assert_eq!(report.parsed, vec!["b.md", "d.md"]);
    assert_eq!(report.removed, vec!["c.md"]);
    assert_eq!(report.reused, 1);
    assert_eq!(titles(&loaded), vec!["A", "B changed", "D"]);
    assert_eq!(loaded.sources.len(), loaded.book.runbooks.len());
    assert_eq!(
        loaded.book.runbooks[0].steps.len(),
        1,
        "reused runbooks keep their model"
    );
}

#[test]
fn refresh_with_a_broken_config_keeps_the_book() {
    let book = TestBook::new();
    book.write("book.toml", "[book]\nsrc = \".\"\n");
    book.write("a.md", "# A\n");
    let mut loaded = runbook::load(book.path()).unwrap();
    book.write("book.toml", "[book]\nsrcc = \".\"\n");
    let err = loaded.refresh().unwrap_err();
    assert!(err.message.contains("srcc"), "{}", err.message);
    assert_eq!(loaded.book.runbooks.len(), 1, "nothing lost");
    assert_eq!(loaded.sources.len(), 1);
}

#[test]
fn refresh_paths_rereads_a_named_file_even_with_the_same_stamp() {
    let book = TestBook::new();
    let a = book.write("a.md", "# A\n");
    let mut loaded = runbook::load(book.path()).unwrap();
    // Same size, written in place: on a coarse clock the stamp can be identical.
    let before = std::fs::metadata(&a).unwrap().modified().unwrap();
    std::fs::write(&a, "# B\n").unwrap();
    let file = std::fs::File::options().write(true).open(&a).unwrap();
    file.set_modified(before).unwrap();
    drop(file);
    assert_eq!(
        loaded.refresh().unwrap().parsed.len(),
        0,
        "the stamp alone cannot see it"
    );
    let report = loaded.refresh_paths(std::slice::from_ref(&a)).unwrap();
    assert_eq!(report.parsed, vec!["a.md"]);
    assert_eq!(loaded.book.runbooks[0].title, "B");
}
