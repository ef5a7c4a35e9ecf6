//! The live server: real HTTP on a loopback port, real file watching, a small builder that
//! turns `src/*.txt` into pages (so these tests exercise the server, not the site renderer).

use runbook::serve::reload::Hub;
use runbook::serve::{self, Builder};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

struct TextBuilder {
    src: PathBuf,
    out: PathBuf,
}

impl Builder for TextBuilder {
    fn build(&mut self, _changed: &[PathBuf]) -> Result<Option<String>, String> {
        std::fs::create_dir_all(&self.out).map_err(|e| e.to_string())?;
        let mut pages = 0;
        for entry in std::fs::read_dir(&self.src).map_err(|e| e.to_string())? {
            let path = entry.map_err(|e| e.to_string())?.path();
            let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
            if text.contains("BROKEN") {
                return Err(format!("{}:1: cannot build this page", path.display()));
            }
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            std::fs::write(
                self.out.join(format!("{name}.html")),
                format!("<html><body><p>{text}</p></body></html>"),
            )
            .map_err(|e| e.to_string())?;
            pages += 1;
        }
        std::fs::write(
            self.out.join("404.html"),
            "<html><body>custom not found</body></html>",
        )
        .map_err(|e| e.to_string())?;
        Ok(Some(format!("{pages} pages")))
    }
    fn output(&self) -> PathBuf {
        self.out.clone()
    }
    fn watched(&self) -> Vec<PathBuf> {
        vec![self.src.clone()]
    }
}

fn get(addr: SocketAddr, path: &str) -> (u16, String, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, head.to_owned(), body.to_owned())
}

/// Reads the event stream until an event of `kind` arrives; returns its data line.
fn wait_event(reader: &mut BufReader<TcpStream>, kind: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut current = String::new();
    let mut line = String::new();
    while Instant::now() < deadline {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        let l = line.trim_end();
        if let Some(event) = l.strip_prefix("event: ") {
            current = event.to_owned();
        } else if let Some(data) = l.strip_prefix("data: ")
            && current == kind
        {
            return data.to_owned();
        }
    }
    panic!("no {kind} event within 10 s");
}

fn open_events(addr: SocketAddr) -> BufReader<TcpStream> {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET /__runbook/events HTTP/1.1\r\nHost: localhost\r\n\r\n"
    )
    .unwrap();
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert!(line.contains("200"), "{line}");
    reader
}

/// Saves like an editor: write a temporary file, rename it over the target (one event,
/// never a half-written file).
fn write(path: &Path, text: &str) {
    let tmp = path.parent().unwrap().parent().unwrap().join("save.tmp");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

/// Creates a file and its folders (a new folder is part of what is tested).
fn write_new(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Waits until `page` answers with `status`.
fn eventually_status(addr: SocketAddr, page: &str, status: u16) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if get(addr, page).0 == status {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("{page} never answered {status}");
}

/// Waits until `page` contains `text` (rebuilds are asynchronous).
fn eventually_contains(addr: SocketAddr, page: &str, text: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if get(addr, page).2.contains(text) {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("{page} never contained {text:?}");
}

#[test]
fn serves_pages_reloads_on_change_and_survives_a_broken_build() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir(&src).unwrap();
    write(&src.join("a.txt"), "first");
    let mut builder = TextBuilder {
        src: src.clone(),
        out: dir.path().join("site"),
    };
    builder.build(&[]).unwrap();
    let output = builder.output();

    let server = serve::bind("127.0.0.1", Some(0)).unwrap();
    let addr = server.addr;
    let hub = Hub::default();
    let (_debouncer, changes) = serve::watch(&builder.watched(), &output).unwrap();
    let (log_tx, log_rx) = channel();
    {
        let hub = hub.clone();
        std::thread::spawn(move || {
            serve::rebuild_loop(&mut builder, &changes, &hub, &mut |line: &str| {
                let _ = log_tx.send(line.to_owned());
            })
        });
    }
    let stop = server.stopper();
    let root = output.clone();
    let server_hub = hub.clone();
    let server_thread = std::thread::spawn(move || server.run(&root, &server_hub));

    // Pages, content types, the injected script, 404 with the theme page, escapes refused.
    let (status, head, body) = get(addr, "/a.html");
    assert_eq!(status, 200);
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: text/html; charset=utf-8"),
        "{head}"
    );
    assert!(
        body.contains("<p>first</p><script src=\"/__runbook/livereload.js\"></script></body>"),
        "{body}"
    );
    assert!(
        !std::fs::read_to_string(output.join("a.html"))
            .unwrap()
            .contains("livereload"),
        "never written to disk"
    );
    let (status, head, body) = get(addr, "/__runbook/livereload.js");
    assert_eq!(status, 200);
    assert!(head.to_ascii_lowercase().contains("text/javascript") && body.contains("EventSource"));
    let (status, _, body) = get(addr, "/nope.html");
    assert_eq!(status, 404);
    assert!(body.contains("custom not found"));
    for escape in ["/../src/a.txt", "/..%2fsrc%2fa.txt", "/%2e%2e/src/a.txt"] {
        let (status, _, body) = get(addr, escape);
        assert_eq!(status, 404, "{escape}");
        assert!(!body.contains("first"), "{escape} leaked a file");
    }

    // An edit rebuilds and open pages get a reload event.
    let mut events = open_events(addr);
    write(&src.join("a.txt"), "second");
    wait_event(&mut events, "reload");
    eventually_contains(addr, "/a.html", "<p>second</p>");
    assert!(
        log_rx
            .recv_timeout(Duration::from_secs(5))
            .unwrap()
            .starts_with("rebuilt in")
    );

    // A broken build keeps the server up and shows the error; the next good save recovers.
    write(&src.join("a.txt"), "BROKEN");
    let data = wait_event(&mut events, "build-error");
    assert!(data.contains("a.txt:1: cannot build this page"), "{data}");
    assert_eq!(
        get(addr, "/a.html").0,
        200,
        "the last good site is still served"
    );
    write(&src.join("a.txt"), "third");
    wait_event(&mut events, "reload");
    eventually_contains(addr, "/a.html", "<p>third</p>");

    // New and deleted files are picked up.
    write(&src.join("b.txt"), "new page");
    eventually_contains(addr, "/b.html", "new page");

    stop();
    server_thread.join().unwrap();
}

#[test]
fn busy_port_moves_to_the_next_free_one_unless_given() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let err = serve::bind("127.0.0.1", Some(port))
        .err()
        .expect("an explicit busy port is an error");
    assert!(err.to_string().contains("--port"), "{err}");
}

/// The real `runbook serve`: builds the book, serves it, rebuilds on a save, stops cleanly
/// on Ctrl-C (SIGINT) and removes its private output folder.
#[cfg(unix)]
#[test]
fn runbook_serve_end_to_end() {
    use std::process::{Command, Stdio};
    let book = super::util::TestBook::new();
    book.write("book.toml", "[book]\ntitle = \"Ops\"\n");
    book.write(
        "content/restart.md",
        "# Restart\n\n```bash\nkubectl rollout restart deployment/api -n prod\n```\n",
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_runbook"))
        .args(["serve", ".", "--port", "0"])
        .current_dir(book.path())
        .env("RUNBOOK_TODAY", "2026-11-23")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let addr: SocketAddr = line
        .trim()
        .strip_prefix("serving http://")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .parse()
        .unwrap();
    assert!(addr.ip().is_loopback());
    let (status, _, body) = get(addr, "/restart.html");
    assert_eq!(status, 200);
    assert!(body.contains("kubectl") && body.contains("/__runbook/livereload.js"));
    assert!(
        !book.path().join("site").exists(),
        "serve never writes the user's site/"
    );

    let mut events = open_events(addr);
    write(
        &book.path().join("content/restart.md"),
        "# Restart now\n\n```bash\nkubectl get pods -n prod\n```\n",
    );
    wait_event(&mut events, "reload");
    eventually_contains(addr, "/restart.html", "Restart now");
    // The rebuild reads the sources and walks their folders; that must not look like an
    // edit, or every build would start the next one.
    events
        .get_ref()
        .set_read_timeout(Some(Duration::from_millis(600)))
        .unwrap();
    let mut line = String::new();
    let mut quiet = true;
    while events.read_line(&mut line).is_ok_and(|n| n > 0) {
        if line.starts_with("event: reload") {
            quiet = false;
            break;
        }
        line.clear();
    }
    assert!(quiet, "a rebuild with no edit happened");
    let (status, _, body) = get(addr, "/../book.toml");
    assert_eq!(status, 404);
    assert!(!body.contains("[book]"));

    // A new folder, a deleted file and a template folder created while serving.
    write_new(&book.path().join("content/db/failover.md"), "# Failover\n");
    eventually_status(addr, "/db/failover.html", 200);
    std::fs::remove_file(book.path().join("content/db/failover.md")).unwrap();
    eventually_status(addr, "/db/failover.html", 404);
    write_new(
        &book.path().join("templates/404.html"),
        "{% extends \"base.html\" %}{% block body %}custom 404 page{% endblock body %}",
    );
    eventually_contains(addr, "/nope.html", "custom 404 page");
    // Written in place, so only a watch on templates/ itself can see it.
    std::fs::write(
        book.path().join("templates/404.html"),
        "{% extends \"base.html\" %}{% block body %}edited 404 page{% endblock body %}",
    )
    .unwrap();
    eventually_contains(addr, "/nope.html", "edited 404 page");

    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "Ctrl-C is a clean stop");
    let out = std::env::temp_dir().join(format!("runbook-serve-{pid}"));
    assert!(!out.exists(), "the private output folder is removed");
}

/// `runbook lint --watch`: a full report first, then only what changed.
#[cfg(unix)]
#[test]
fn lint_watch_prints_only_what_changed() {
    use std::process::{Command, Stdio};
    let book = super::util::TestBook::new();
    book.write("book.toml", "[book]\nsrc = \"content\"\n");
    book.write("content/a.md", "# A\n\nSee [b](b.md).\n");
    book.write("content/b.md", "# B\n");
    let mut child = Command::new(env!("CARGO_BIN_EXE_runbook"))
        .args(["lint", ".", "--watch", "--today", "2026-11-23"])
        .current_dir(book.path())
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (tx, rx) = channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    // Lines up to the next "watching" prompt, skipping runs that changed nothing (one save
    // can reach the watcher as two batches of events).
    let next_report = || {
        let mut lines: Vec<String> = Vec::new();
        loop {
            let line = rx
                .recv_timeout(Duration::from_secs(10))
                .expect("lint --watch output");
            if line.starts_with("watching for changes") {
                if lines.len() == 1 && lines[0].starts_with("0 new, 0 fixed") {
                    lines.clear();
                    continue;
                }
                return lines.join("\n");
            }
            lines.push(line);
        }
    };
    let first = next_report();
    assert!(first.contains("no problems found in 2 runbooks"), "{first}");

    write(&book.path().join("content/a.md"), "# A\n\nSee [c](c.md).\n");
    let second = next_report();
    assert!(
        second.contains("error[RB111]") && second.contains("content/a.md:3:9"),
        "{second}"
    );
    assert!(second.contains("1 new, 0 fixed; now 1 errors"), "{second}");

    write(&book.path().join("content/a.md"), "# A\n\nSee [b](b.md).\n");
    let third = next_report();
    assert!(
        third.contains("fixed: error[RB111] content/a.md:3:9"),
        "{third}"
    );
    assert!(
        !third.contains("error[RB111]:"),
        "no frame for a fixed finding: {third}"
    );
    assert!(third.contains("0 new, 1 fixed; now 0 errors"), "{third}");
    child.kill().unwrap();
    let _ = child.wait();
}
