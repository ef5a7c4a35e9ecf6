//! CLI tests of `runbook build` and the site: snapshots of the content region, escaping,
//! atomic output and refusals, determinism, and every step of the example book anchored.

use super::util::{Run, TestBook, fixtures};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const TODAY: &str = "2026-03-01";

/// Runs `runbook ARGS` in `dir` with a cleared environment, a fixed "today" and HOME.
fn runbook(dir: &Path, home: &Path, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_runbook"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("RUNBOOK_TODAY", TODAY)
        .output()
        .expect("run runbook");
    Run { output }
}

fn build(book: &TestBook, args: &[&str]) -> Run {
    let home = book.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let mut all = vec!["build"];
    all.extend_from_slice(args);
    runbook(book.path(), &home, &all)
}

fn small_book() -> TestBook {
    let book = TestBook::new();
    book.copy_fixture("books/small");
    book
}

/// Options for an in-process build into `out`, dated like the CLI tests.
fn build_options(out: PathBuf, force: bool) -> runbook::site::BuildOptions {
    runbook::site::BuildOptions {
        out,
        force,
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        home: None,
    }
}

fn read(path: impl AsRef<Path>) -> String {
    let path = path.as_ref();
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// The `<article class="content">` region of a page.
fn content_region(html: &str) -> &str {
    let start = html
        .find("<article class=\"content\">")
        .expect("content region");
    let end = html[start..].find("</article>").expect("end of content") + start;
    &html[start..end + "</article>".len()]
}

/// Drops syntect's token spans (balanced), so snapshots show structure, not colouring.
fn strip_token_spans(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut stack = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.find('>').map_or(rest.len(), |e| e + 1);
        let tag = &rest[..end];
        if tag.starts_with("<span") {
            let token = tag.starts_with("<span class=\"hl-");
            stack.push(token);
            if !token {
                out.push_str(tag);
            }
        } else if tag == "</span>" {
            if !stack.pop().unwrap_or(false) {
                out.push_str(tag);
            }
        } else {
            out.push_str(tag);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Every file of a folder, relative path → bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                files.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

#[test]
fn small_book_page_content_snapshot() {
    let book = small_book();
    let run = build(&book, &[]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(
        run.stdout().contains("built 2 runbook pages"),
        "{}",
        run.stdout()
    );
    let html = read(book.path().join("site/ops/deploy.html"));
    insta::assert_snapshot!(
        "small_book_deploy_content",
        strip_token_spans(content_region(&html))
    );
    // Header: title once, metadata card with the overdue review (2026-06-01 is not before
    // 2026-03-01, restart's 2026-02-01 is).
    assert!(html.contains("<h1 class=\"page-title\">Deploy the shop API</h1>"));
    assert!(
        !content_region(&html).contains("<h1"),
        "title heading not repeated"
    );
    assert!(html.contains("risk risk-high"), "risk class");
    assert!(!html.contains("class=\"review is-overdue\""));
    let restart = read(book.path().join("site/restart.html"));
    assert!(
        restart.contains("class=\"review is-overdue\""),
        "overdue review"
    );
    // Relative links only: assets from a sub-folder page go up one level.
    assert!(html.contains("href=\"../static/style.css\""));
    assert!(html.contains("data-index=\"../search-index.js\""));
    assert!(
        html.contains("href=\"../restart.html#verify\""),
        "x.md link rewritten"
    );
    assert!(!html.contains("href=\"/"), "no root-absolute links");
    // Highlighting uses classes, never inline styles.
    assert!(html.contains("class=\"hl-"));
    assert!(!content_region(&html).contains("style=\""));
}

#[test]
fn index_severity_and_404_pages() {
    let book = small_book();
    let run = build(&book, &[]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let site = book.path().join("site");
    let index = read(site.join("index.html"));
    assert!(
        index.contains("<h2 id=\"group-1\">General</h2>"),
        "top-level group"
    );
    assert!(
        index.contains("<h2 id=\"group-2\">ops/</h2>"),
        "folder group"
    );
    assert!(index.contains("href=\"ops/deploy.html\">Deploy the shop API</a>"));
    assert!(index.contains("<time datetime=\"2026-01-10\">2026-01-10</time>"));
    assert!(index.contains("review overdue"), "restart.md is overdue");
    let severity = read(site.join("severity.html"));
    assert!(severity.contains("<span class=\"level-name\">P1</span>"));
    assert!(
        severity.contains("definitions differ"),
        "15 vs 30 minutes for P1"
    );
    assert!(severity.contains("content/ops/deploy.md:55"), "{severity}");
    assert!(severity.contains("content/restart.md:17"), "{severity}");
    assert!(severity.contains("href=\"ops/deploy.html#step-"));
    assert!(read(site.join("404.html")).contains("Page not found"));
    for asset in [
        "static/style.css",
        "static/app.js",
        "static/syntax.css",
        "search-index.js",
        ".runbook-site",
    ] {
        assert!(site.join(asset).is_file(), "{asset}");
    }
}

#[test]
fn every_step_of_the_example_book_has_its_anchor_and_search_is_small() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let run = runbook(
        root,
        out.path(),
        &["build", ".", "-o", site.to_str().unwrap()],
    );
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let model = runbook(root, out.path(), &["inspect", "."]).json();
    let mut markdown = 0;
    for rb in model["runbooks"].as_array().unwrap() {
        let path = rb["path"].as_str().unwrap();
        markdown += std::fs::metadata(root.join(path)).unwrap().len();
        let page = path
            .strip_prefix("content/")
            .unwrap()
            .replace(".md", ".html");
        let page = if page == "index.html" {
            "index-2.html".to_owned()
        } else {
            page
        };
        let html = read(site.join(&page));
        for step in rb["steps"].as_array().unwrap() {
            let id = step["id"].as_str().unwrap();
            assert!(
                html.contains(&format!("id=\"{id}\"")),
                "{page}: step {id} has no anchor"
            );
        }
        for section in rb["sections"].as_array().unwrap() {
            let slug = section["slug"].as_str().unwrap();
            assert!(
                html.contains(&format!("id=\"{slug}\"")) || section["level"] == 1,
                "{page}: heading {slug} has no anchor"
            );
        }
    }
    let index = std::fs::metadata(site.join("search-index.js"))
        .unwrap()
        .len();
    assert!(
        index < markdown,
        "search index {index} bytes >= Markdown {markdown} bytes"
    );
}

#[test]
fn headings_titles_and_raw_html_are_escaped() {
    let book = TestBook::new();
    book.write(
        "book.toml",
        "[book]\ntitle = \"Ops <script>alert(1)</script>\"\n",
    );
    book.write(
        "content/x.md",
        "---\ntitle: \"<img src=x onerror=alert(1)>\"\n---\n\n## <img src=x onerror=alert(2)>\n\n\
         Text <b onclick=\"alert(3)\">bold</b> and [click](javascript:alert(4)).\n\n\
         <script>alert(5)</script>\n\n```bash\necho '<script>alert(6)</script>'\n```\n",
    );
    let run = build(&book, &[]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let site = book.path().join("site");
    for page in ["x.html", "index.html", "severity.html", "404.html"] {
        let html = read(site.join(page));
        for n in 1..=6 {
            assert!(
                !html.contains(&format!("alert({n})</script>"))
                    || n == 6 && html.contains("&lt;script&gt;alert(6)"),
                "{page}: script {n}"
            );
        }
        assert!(!html.contains("<img"), "{page}: no img element");
        assert!(!html.contains("<b onclick"), "{page}: no handler");
        assert!(!html.contains("javascript:"), "{page}: no javascript: link");
        assert!(
            html.contains("Ops &lt;script&gt;alert(1)&lt;/script&gt;"),
            "{page}: book title escaped"
        );
    }
    let page = read(site.join("x.html"));
    assert!(
        page.contains("<title>&lt;img src=x onerror=alert(1)&gt; · Ops"),
        "title escaped"
    );
    assert!(page.contains("<h1 class=\"page-title\">&lt;img src=x onerror=alert(1)&gt;</h1>"));
    assert!(
        page.contains(">&lt;img src=x onerror=alert(2)&gt; <a class=\"heading-anchor\""),
        "heading escaped"
    );
    assert!(
        page.contains("<a href=\"#img-srcx-onerroralert2\">&lt;img src=x onerror=alert(2)&gt;</a>"),
        "toc escaped"
    );
    assert!(
        page.contains("&lt;b onclick=\"alert(3)\"&gt;bold&lt;/b&gt;"),
        "inline html shown as text"
    );
    assert!(
        page.contains("<pre class=\"raw-html\">&lt;script&gt;alert(5)&lt;/script&gt;"),
        "block html shown as text"
    );
    assert!(
        page.contains("<span class=\"link-removed\""),
        "javascript: link removed"
    );
    // The search index is data for textContent, never markup: it holds the text as written.
    let index = read(site.join("search-index.js"));
    assert!(index.contains("<img src=x onerror=alert(2)>"));
}

#[test]
fn allow_html_sanitizes_instead_of_escaping() {
    let book = TestBook::new();
    book.write(
        "book.toml",
        "[book]\ntitle = \"Ops\"\n[site]\nallow_html = true\n",
    );
    book.write(
        "content/x.md",
        "# X\n\nText <b onclick=\"alert(3)\">bold</b> <a href=\"javascript:alert(4)\">j</a>.\n\n\
         <details><summary>More</summary>\n\nhidden\n\n</details>\n\n<script>alert(5)</script>\n\n\
         ## <img src=x onerror=alert(1)>\n\n- [ ] still a checkbox\n",
    );
    let run = build(&book, &[]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let page = read(book.path().join("site/x.html"));
    let content = content_region(&page);
    assert!(content.contains("<b>bold</b>"), "{content}");
    assert!(
        content.contains("<details><summary>More</summary>"),
        "{content}"
    );
    assert!(!content.contains("onclick"), "{content}");
    assert!(
        !content.contains("<img"),
        "raw HTML in a heading stays text: {content}"
    );
    assert!(
        !content.contains("<script") && !content.contains("javascript:"),
        "{content}"
    );
    assert!(
        content.contains("type=\"checkbox\""),
        "generated markup survives: {content}"
    );
    assert!(
        page.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "headings still escaped in the toc"
    );
}

#[test]
fn a_failed_build_leaves_the_previous_site_untouched() {
    let book = small_book();
    assert_eq!(build(&book, &[]).code(), 0);
    let site = book.path().join("site");
    let before = tree(&site);
    book.write("templates/runbook.html", "{% extends \"base.html\" %}\n{% block body %}\n{{ page.nope.deeper }}\n{% endblock body %}\n");
    let run = build(&book, &[]);
    assert_eq!(run.code(), 2, "{}", run.stdout());
    let err = run.stderr();
    assert!(
        err.contains("template error") && err.contains("runbook.html:3"),
        "{err}"
    );
    assert!(
        err.contains("templates/runbook.html"),
        "names the override file: {err}"
    );
    assert_eq!(tree(&site), before, "previous site untouched");
    let leftovers: Vec<_> = std::fs::read_dir(book.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("runbook-tmp") || n.contains("runbook-old"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // A syntax error is reported with its line too.
    book.write("templates/404.html", "{% if %}\n");
    let err = build(&book, &[]).stderr();
    assert!(err.contains("404.html:1"), "{err}");
}

#[test]
fn a_runbook_gone_before_its_page_is_made_fails_the_build_and_leaves_the_previous_site() {
    // `runbook build` checks every file up front but reads each one only right before its
    // page: a file that disappears in between must fail the build, by name, not leave a
    // site without its page.
    let book = small_book();
    assert_eq!(build(&book, &[]).code(), 0);
    let site = book.path().join("site");
    let before = tree(&site);
    let sources = runbook::load_sources(book.path()).unwrap();
    assert!(sources.paths().any(|p| p == "content/restart.md"));
    std::fs::remove_file(book.path().join("content/restart.md")).unwrap();
    let opts = build_options(site.clone(), false);
    let err = runbook::site::build(&sources, &opts)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("content/restart.md") && err.contains("cannot read"),
        "{err}"
    );
    assert_eq!(tree(&site), before, "previous site untouched");
}

#[test]
fn findings_of_a_build_are_shown_with_their_source_line() {
    // The build drops each source once its page is made; the lines of the files with
    // findings are read again to show them.
    let book = small_book();
    book.write(
        "content/broken.md",
        "# Broken\n\n![gone](img/missing-figure.png)\n",
    );
    let run = build(&book, &[]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let err = run.stderr();
    assert!(err.contains("content/broken.md:3"), "{err}");
    assert!(err.contains("![gone](img/missing-figure.png)"), "{err}");
}

#[test]
fn stale_pages_are_removed_and_overrides_apply() {
    let book = small_book();
    assert_eq!(build(&book, &[]).code(), 0);
    let site = book.path().join("site");
    assert!(site.join("restart.html").is_file());
    std::fs::remove_file(book.path().join("content/restart.md")).unwrap();
    book.write("templates/404.html", "{% extends \"base.html\" %}{% block body %}<main id=\"main\">custom 404</main>{% endblock body %}");
    let run = build(&book, &[]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(!site.join("restart.html").exists(), "stale page removed");
    assert!(read(site.join("404.html")).contains("custom 404"));
}

#[test]
fn unknown_theme_is_an_error() {
    let book = small_book();
    book.write(
        "book.toml",
        "[book]\nsrc = \"content\"\n[site]\ntheme = \"nope\"\n",
    );
    let run = build(&book, &[]);
    assert_eq!(run.code(), 2);
    assert!(
        run.stderr().contains("theme \"nope\" not found"),
        "{}",
        run.stderr()
    );
    book.write(
        "book.toml",
        "[book]\nsrc = \"content\"\n[site]\ntheme = \"../x\"\n",
    );
    assert_eq!(build(&book, &[]).code(), 2);
}

#[test]
fn refuses_outputs_that_would_destroy_something() {
    let book = small_book();
    let home = book.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(home.join("notes.txt"), "mine").unwrap();
    let foreign = book.path().join("foreign");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("keep.txt"), "keep").unwrap();
    let home_s = home.to_string_lossy().into_owned();
    for (out, why) in [
        (".", "the book"),
        ("content", "the source"),
        ("content/..", "the book, spelled differently"),
        ("/", "the root"),
        (home_s.as_str(), "home"),
        ("foreign", "non-empty, not ours"),
    ] {
        let run = build(&book, &["-o", out]);
        assert_eq!(run.code(), 2, "{why}: {}", run.stdout());
        assert!(run.stderr().contains("refusing"), "{why}: {}", run.stderr());
    }
    assert_eq!(read(home.join("notes.txt")), "mine");
    assert_eq!(read(foreign.join("keep.txt")), "keep");
    assert!(book.path().join("content/restart.md").is_file());
    // --force replaces a foreign folder, but never the book, the source, / or home.
    let run = build(&book, &["-o", "foreign", "--force"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(!foreign.join("keep.txt").exists() && foreign.join("index.html").is_file());
    for out in [".", "content", "/", home_s.as_str()] {
        assert_eq!(
            build(&book, &["-o", out, "--force"]).code(),
            2,
            "{out} with --force"
        );
    }
    // A site runbook built before is replaced without --force.
    assert_eq!(build(&book, &["-o", "foreign"]).code(), 0);
}

#[test]
fn output_is_byte_identical_across_builds() {
    let book = small_book();
    book.write(
        "content/a b/space name.md",
        "# Space\n\n```bash\nls\n```\n\n![one](img/one.svg) ![two](../two.png)\n",
    );
    book.write(
        "content/a b/img/one.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    book.write("content/two.png", PNG);
    assert_eq!(build(&book, &["-o", "one"]).code(), 0);
    assert_eq!(build(&book, &["-o", "two"]).code(), 0);
    let one = tree(&book.path().join("one"));
    let two = tree(&book.path().join("two"));
    assert_eq!(
        one.keys().collect::<Vec<_>>(),
        two.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &one {
        assert!(bytes == &two[name], "{name} differs between builds");
    }
    assert!(one.contains_key("a b/space name.html"));
    assert!(one.contains_key("a b/img/one.svg") && one.contains_key("two.png"));
    let index = String::from_utf8_lossy(&one["index.html"]).into_owned();
    assert!(
        index.contains("href=\"a%20b/space%20name.html\""),
        "hrefs are percent-encoded"
    );
}

#[test]
fn folder_without_book_toml_and_reserved_names() {
    let book = TestBook::new();
    book.write("docs/index.md", "# Landing\n\n[x](x.md)\n");
    book.write("docs/x.md", "# X\n");
    let home = book.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let run = runbook(book.path(), &home, &["build", "docs"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let site: PathBuf = book.path().join("docs/site");
    assert!(read(site.join("index.html")).contains("href=\"index-2.html\">Landing</a>"));
    assert!(read(site.join("index-2.html")).contains("href=\"x.html\""));
    let again = runbook(book.path(), &home, &["build", "docs"]);
    assert_eq!(
        again.code(),
        0,
        "the site folder is not read as runbooks: {}",
        again.stderr()
    );
    assert!(
        again.stdout().contains("built 2 runbook pages"),
        "{}",
        again.stdout()
    );
}

#[test]
fn bad_today_and_missing_folder_are_usage_errors() {
    let book = small_book();
    let home = book.path().join("home");
    let run = Command::new(env!("CARGO_BIN_EXE_runbook"))
        .args(["build"])
        .current_dir(book.path())
        .env_clear()
        .env("HOME", &home)
        .env("RUNBOOK_TODAY", "tomorrow")
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("RUNBOOK_TODAY"));
    assert_eq!(build(&book, &["nope"]).code(), 2);
}

#[test]
fn fixture_exists() {
    assert!(fixtures().join("books/small/book.toml").is_file());
}

#[test]
fn every_page_links_its_plans_and_they_sit_next_to_it() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let book = TestBook::new();
    for dir in ["content", "content/database"] {
        std::fs::create_dir_all(book.path().join(dir)).unwrap();
    }
    std::fs::copy(root.join("book.toml"), book.path().join("book.toml")).unwrap();
    for file in ["restart.md", "rollback.md", "database/postgres-failover.md"] {
        std::fs::copy(
            root.join("content").join(file),
            book.path().join("content").join(file),
        )
        .unwrap();
    }
    let run = book.run(&["build"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    for page in ["restart", "rollback", "database/postgres-failover"] {
        let html = std::fs::read_to_string(book.path().join(format!("site/{page}.html"))).unwrap();
        let name = page.rsplit('/').next().unwrap();
        assert!(
            html.contains(&format!("href=\"{name}.sh\" download")),
            "{page} links its script"
        );
        assert!(
            html.contains(&format!("href=\"{name}.plan.json\"")),
            "{page} links its JSON plan"
        );
        let script = book.path().join(format!("site/{page}.sh"));
        let status = std::process::Command::new("bash")
            .arg("-n")
            .arg(&script)
            .status()
            .unwrap();
        assert!(status.success(), "{page}.sh is valid bash");
        let json: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(book.path().join(format!("site/{page}.plan.json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(json["schema_version"], 1);
    }
}

#[test]
fn a_bad_plan_setting_fails_the_build_and_names_it() {
    let book = TestBook::new();
    book.write("book.toml", "[plan]\nshell = \"fish\"\n");
    book.write("content/a.md", "# A\n");
    let run = book.run(&["build"]);
    assert_eq!(run.code(), 2, "{}", run.stderr());
    assert!(
        run.stderr().contains("[plan]") && run.stderr().contains("fish"),
        "{}",
        run.stderr()
    );
    assert!(!book.path().join("site").exists(), "nothing written");
}

#[test]
fn rebuilding_one_page_in_place_equals_a_full_build() {
    // The example book's runbooks at the root of a book with `src = "."`.
    let book = TestBook::new();
    book.copy_fixture("../../content");
    book.write("book.toml", "[book]\ntitle = \"Example\"\nsrc = \".\"\n");
    let opts = |out: PathBuf| build_options(out, true);
    let out_dir = tempfile::tempdir().unwrap();
    let incremental = out_dir.path().join("incremental");
    let full = out_dir.path().join("full");
    let mut loaded = runbook::load(book.path()).unwrap();
    runbook::site::build(&loaded, &opts(incremental.clone())).unwrap();
    let before = tree(&incremental);

    let restart = book.path().join("restart.md");
    let text = std::fs::read_to_string(&restart).unwrap();
    std::fs::write(
        &restart,
        text.replace("# Restart parcel-api", "# Restart parcel-api now"),
    )
    .unwrap();
    let refresh = loaded
        .refresh_paths(std::slice::from_ref(&restart))
        .unwrap();
    assert_eq!(refresh.parsed, vec!["restart.md"]);
    let changed: std::collections::BTreeSet<String> = refresh.parsed.into_iter().collect();
    runbook::site::rebuild_pages(&loaded, &opts(incremental.clone()), &changed).unwrap();
    runbook::site::build(&loaded, &opts(full.clone())).unwrap();

    let after = tree(&incremental);
    assert_eq!(
        after,
        tree(&full),
        "an in-place rebuild gives the same site as a full one"
    );
    let rewritten: Vec<&String> = after
        .keys()
        .filter(|k| before.get(*k) != after.get(*k))
        .collect();
    assert!(
        rewritten.iter().any(|k| k.starts_with("restart.")),
        "{rewritten:?}"
    );
    assert!(
        rewritten.contains(&&"search-index.js".to_owned()),
        "{rewritten:?}"
    );
    assert!(
        !rewritten.iter().any(|k| k.starts_with("rollback.")),
        "other pages untouched: {rewritten:?}"
    );
}

#[test]
fn a_streamed_build_equals_a_build_from_the_loaded_book() {
    // `runbook build` parses each runbook just before rendering it (`load_sources`); `serve`
    // renders from a book loaded once (`load`). Both must give the same bytes, diagnostics
    // included.
    let book = TestBook::new();
    book.copy_fixture("../../content");
    book.write("book.toml", "[book]\ntitle = \"Example\"\nsrc = \".\"\n");
    book.write(
        "broken.md",
        "---\ntitle: [unclosed\n---\n# Broken\n\n```bash\necho 'unterminated\n```\n",
    );
    let opts = |out: PathBuf| build_options(out, true);
    let out_dir = tempfile::tempdir().unwrap();
    let loaded = runbook::load(book.path()).unwrap();
    let from_loaded = runbook::site::build(&loaded, &opts(out_dir.path().join("loaded"))).unwrap();
    let sources = runbook::load_sources(book.path()).unwrap();
    assert_eq!(sources.len(), loaded.book.runbooks.len());
    let streamed = runbook::site::build(&sources, &opts(out_dir.path().join("streamed"))).unwrap();
    assert_eq!(
        tree(&out_dir.path().join("loaded")),
        tree(&out_dir.path().join("streamed"))
    );
    assert_eq!(from_loaded.pages, streamed.pages);
    assert_eq!(from_loaded.markdown_bytes, streamed.markdown_bytes);
    assert!(!streamed.diagnostics.is_empty(), "broken.md has a problem");
    let loaded_diags: Vec<_> = loaded
        .book
        .runbooks
        .iter()
        .flat_map(|r| r.diagnostics.iter())
        .collect();
    assert_eq!(
        format!("{loaded_diags:?}"),
        format!("{:?}", streamed.diagnostics.iter().collect::<Vec<_>>())
    );
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\nnot really a png, but bytes to compare";

#[test]
fn images_are_copied_next_to_their_pages_and_nothing_else_is_read() {
    let book = TestBook::new();
    book.write(
        "book.toml",
        "[book]\ntitle = \"Img\"\n[site]\nallow_html = true\n",
    );
    book.write(
        "content/db/x.md",
        "# X\n\n\
         ![a](img/a%20b.png)\n\n\
         ![shared](../shared/b.svg \"title\")\n\n\
         ![root](../../assets/c.png)\n\n\
         ![missing](img/nope.png)\n\n\
         ![passwd](../../../etc/passwd)\n\n\
         ![abs](/etc/passwd.png)\n\n\
         ![config](../../book.toml)\n\n\
         ![remote](https://example.com/x.png)\n\n\
         <p><img alt=\"h\" src=\"img/html.png\"></p>\n\n\
         ![again](img/a%20b.png)\n",
    );
    book.write("content/db/img/a b.png", PNG);
    book.write("content/db/img/html.png", PNG);
    book.write("content/db/img/unreferenced.png", PNG);
    book.write(
        "content/shared/b.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    book.write("assets/c.png", PNG);
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.png"), "secret").unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(
            outside.path().join("secret.png"),
            book.path().join("content/db/img/link.png"),
        )
        .unwrap();
        book.write(
            "content/y.md",
            "# Y\n\nA symlink out of the book:\n\n![link](db/img/link.png)\n",
        );
    }
    let run = build(&book, &[]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let err = run.stderr();
    let site = book.path().join("site");
    // Copied where the page's relative link points, byte for byte; only what is referenced.
    assert_eq!(std::fs::read(site.join("db/img/a b.png")).unwrap(), PNG);
    assert_eq!(std::fs::read(site.join("db/img/html.png")).unwrap(), PNG);
    assert!(site.join("shared/b.svg").is_file());
    assert_eq!(
        std::fs::read(site.join("book-files/assets/c.png")).unwrap(),
        PNG
    );
    assert!(!site.join("db/img/unreferenced.png").exists());
    let files: Vec<String> = tree(&site).into_keys().collect();
    assert!(
        !files
            .iter()
            .any(|f| f.contains("passwd") || f.ends_with("book.toml") || f.contains("link.png")),
        "{files:?}"
    );
    assert!(
        !tree(&site).values().any(|bytes| bytes == b"secret"),
        "nothing from outside the book"
    );
    let html = read(site.join("db/x.html"));
    assert!(html.contains("src=\"img/a%20b.png\""), "{html}");
    assert!(html.contains("src=\"../shared/b.svg\""), "{html}");
    assert!(
        html.contains("src=\"../book-files/assets/c.png\""),
        "{html}"
    );
    assert!(html.contains("src=\"img/html.png\""), "{html}");
    assert!(html.contains("src=\"https://example.com/x.png\""), "{html}");
    // Each refusal is a warning naming the file and line.
    for (line, what) in [
        (9, "img/nope.png` not found"),
        (11, "../../../etc/passwd` is outside the book folder"),
        (13, "/etc/passwd.png` is an absolute path"),
        (15, "../../book.toml` is not an image file"),
    ] {
        assert!(
            err.contains(&format!("content/db/x.md:{line}:")) && err.contains(what),
            "line {line} {what}: {err}"
        );
    }
    assert!(err.contains("RB009"), "{err}");
    #[cfg(unix)]
    assert!(
        err.contains("content/y.md:5:") && err.contains("symbolic link"),
        "{err}"
    );
    assert_eq!(
        err.matches("RB009").count(),
        4 + usize::from(cfg!(unix)),
        "{err}"
    );
}

#[test]
fn an_in_place_rebuild_copies_the_images_of_the_rebuilt_page() {
    let book = TestBook::new();
    book.write("book.toml", "[book]\ntitle = \"Img\"\n");
    book.write("content/a.md", "# A\n\n![d](img/d.svg)\n");
    book.write("content/b.md", "# B\n");
    book.write(
        "content/img/d.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    book.write(
        "content/img/e.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"e\"/>",
    );
    let opts = runbook::site::BuildOptions {
        out: book.path().join("site"),
        force: false,
        today: chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
        home: None,
    };
    let mut loaded = runbook::load(book.path()).unwrap();
    let report = runbook::site::build(&loaded, &opts).unwrap();
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let site = book.path().join("site");
    assert!(site.join("img/d.svg").is_file());
    assert!(!site.join("img/e.svg").exists());
    let a = book.write(
        "content/a.md",
        "# A\n\n![d](img/d.svg) ![e](img/e.svg) ![f](img/f.svg)\n",
    );
    let refresh = loaded.refresh_paths(&[a]).unwrap();
    let changed = refresh.parsed.into_iter().collect();
    let report = runbook::site::rebuild_pages(&loaded, &opts, &changed).unwrap();
    assert!(site.join("img/e.svg").is_file(), "the new image is copied");
    assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
    assert_eq!(report.warnings[0].location.file, "content/a.md");
    assert_eq!(report.warnings[0].location.line, 3);
    assert!(report.warnings[0].message.contains("img/f.svg"));
}

#[test]
fn the_404_page_works_at_any_depth() {
    // Without [site] url: self-contained (inline CSS, no relative asset), links found at run time.
    let book = small_book();
    assert_eq!(build(&book, &[]).code(), 0);
    let page = read(book.path().join("site/404.html"));
    assert!(
        page.contains("<style>") && page.contains(".topbar"),
        "css inlined"
    );
    assert!(!page.contains("<link rel=\"stylesheet\""), "{page}");
    assert!(
        !page.contains("static/app.js") && !page.contains("search-input"),
        "{page}"
    );
    assert!(
        page.contains("<noscript>") && page.contains("href=\"/\""),
        "{page}"
    );
    assert!(
        page.contains("localStorage.getItem(\"runbook:root\")"),
        "{page}"
    );
    assert!(
        page.contains("class=\"home-link\" href=\"index.html\""),
        "{page}"
    );
    assert_eq!(page.matches("</style>").count(), 1, "one style element");
    // With [site] url: absolute paths under its path; other pages stay relative.
    let book = small_book();
    let toml = read(book.path().join("book.toml"));
    book.write(
        "book.toml",
        format!("{toml}\n[site]\nurl = \"https://ops.example.com/runbooks\"\n"),
    );
    let run = build(&book, &[]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let page = read(book.path().join("site/404.html"));
    for needle in [
        "href=\"/runbooks/static/style.css\"",
        "href=\"/runbooks/index.html\"",
        "data-index=\"/runbooks/search-index.js\"",
        "src=\"/runbooks/static/app.js\"",
        "data-root=\"/runbooks/\"",
    ] {
        assert!(page.contains(needle), "{needle}: {page}");
    }
    assert!(!page.contains("<style>"), "{page}");
    let index = read(book.path().join("site/index.html"));
    assert!(
        index.contains("href=\"static/style.css\""),
        "other pages stay relative"
    );
    // A bad address is refused where it is written.
    book.write(
        "book.toml",
        "[book]\ntitle = \"x\"\n\n[site]\nurl = \"ftp://x/\"\n",
    );
    let run = build(&book, &[]);
    assert_eq!(run.code(), 2);
    assert!(
        run.stderr().contains("book.toml:5") && run.stderr().contains("http(s)"),
        "{}",
        run.stderr()
    );
}

#[test]
fn a_large_search_index_is_split_into_shards_a_query_loads_few_of() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let book = TestBook::new();
    book.copy_fixture("../../content");
    book.write(
        "book.toml",
        "[book]\ntitle = \"Example\"\nsrc = \".\"\n\n[site]\nsearch_shard_size = 2048\n",
    );
    let run = build(&book, &["-o", "one"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert_eq!(build(&book, &["-o", "two"]).code(), 0);
    let one = tree(&book.path().join("one"));
    assert_eq!(one, tree(&book.path().join("two")), "deterministic");
    let manifest = String::from_utf8_lossy(&one["search-index.js"]).into_owned();
    assert!(
        manifest.starts_with("window.RUNBOOK_SEARCH={\"v\":2,") && manifest.len() < 2048,
        "{manifest}"
    );
    let shards: Vec<&String> = one.keys().filter(|k| k.starts_with("search/")).collect();
    let terms = shards.iter().filter(|k| k.starts_with("search/t")).count();
    let docs = shards.iter().filter(|k| k.starts_with("search/d")).count();
    assert!(terms > 3 && docs > 3, "{shards:?}");
    for name in &shards {
        let text = String::from_utf8_lossy(&one[*name]);
        assert!(text.starts_with("RUNBOOK_SEARCH_SHARD(\""), "{name}");
        assert!(!text.contains("</script"), "{name}");
    }
    // The keys name the shards in order; "replicas" is in exactly one of them.
    let keys: serde_json::Value = serde_json::from_str(
        manifest
            .split("\"keys\":")
            .nth(1)
            .and_then(|rest| rest.split(",\"dir\"").next())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(keys.as_array().unwrap().len(), terms);
    let with_term: Vec<&&String> = shards
        .iter()
        .filter(|k| String::from_utf8_lossy(&one[**k]).contains("\"replicas\":["))
        .collect();
    assert_eq!(with_term.len(), 1, "{with_term:?}");
    let markdown: u64 = ["restart.md", "rollback.md", "scaling.md", "index.md"]
        .iter()
        .map(|f| {
            std::fs::metadata(root.join("content").join(f))
                .unwrap()
                .len()
        })
        .sum();
    assert!(
        (one[*with_term[0]].len() as u64) < markdown / 4,
        "one shard is a small part of the index"
    );
    // A book below the size keeps everything inline in search-index.js.
    let small = small_book();
    assert_eq!(build(&small, &[]).code(), 0);
    let site = small.path().join("site");
    assert!(read(site.join("search-index.js")).contains("\"keys\":null"));
    assert!(!site.join("search").exists());
}
