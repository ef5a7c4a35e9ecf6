//! `runbook serve`: serves the built site on loopback, watches the sources, rebuilds on
//! change and tells open pages to reload (server-sent events). The site itself is built by a
//! `Builder`, so the server knows nothing of how pages are made.
//!
//! Threads: one accepts HTTP requests (static files inline; each event stream on its own
//! thread), one runs builds, and a debounce thread groups notify's events into batches.

pub mod files;
pub mod reload;

use anyhow::{Context, Result, bail};
use notify::event::ModifyKind;
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use reload::{Hub, Message};
use std::collections::BTreeSet;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::{Duration, Instant};
use tiny_http::{Header, Method, Request, Response};

/// Quiet time after the last file event before a rebuild: long enough that an editor's
/// save-rename-write dance is one rebuild, short enough to feel instant.
pub const DEBOUNCE: Duration = Duration::from_millis(25);

/// Default port, and how many following ports are tried when it is taken.
pub const DEFAULT_PORT: u16 = 3000;
const PORT_ATTEMPTS: u16 = 50;

/// Builds the site for the server.
pub trait Builder: Send + 'static {
    /// Builds everything (`changed` empty) or what `changed` affects. The error text is shown
    /// in the terminal and in the browser overlay: it should start with `file:line`.
    /// `Ok(None)` means nothing needed rebuilding (an editor's temporary file came and
    /// went): pages are not told to reload.
    fn build(&mut self, changed: &[PathBuf]) -> std::result::Result<Option<String>, String>;
    /// Folder the site is written to (served as the web root).
    fn output(&self) -> PathBuf;
    /// Files and folders whose changes trigger a rebuild.
    fn watched(&self) -> Vec<PathBuf>;
}

/// A bound HTTP server.
pub struct Server {
    http: Arc<tiny_http::Server>,
    /// Address actually bound (the port may differ from the one asked for).
    pub addr: SocketAddr,
}

/// Binds `bind:port`; with no explicit port, the first free one from 3000 on.
pub fn bind(bind: &str, port: Option<u16>) -> Result<Server> {
    let candidates: Vec<u16> = match port {
        Some(p) => vec![p],
        None => (0..PORT_ATTEMPTS).map(|i| DEFAULT_PORT + i).collect(),
    };
    let mut last_error = None;
    for candidate in candidates {
        match tiny_http::Server::http((bind, candidate)) {
            Ok(http) => {
                let addr = http
                    .server_addr()
                    .to_ip()
                    .context("the server is not bound to an IP address")?;
                return Ok(Server {
                    http: Arc::new(http),
                    addr,
                });
            }
            Err(err) => last_error = Some(err),
        }
    }
    match (port, last_error) {
        (Some(p), Some(err)) => {
            bail!("cannot listen on {bind}:{p}: {err} (pick another port with --port)")
        }
        (None, Some(err)) => bail!(
            "no free port on {bind} from {DEFAULT_PORT} to {}: {err}",
            DEFAULT_PORT + PORT_ATTEMPTS - 1
        ),
        _ => bail!("cannot listen on {bind}"),
    }
}

impl Server {
    /// Answers requests from `root` until `stop()` is called from another thread.
    pub fn run(&self, root: &Path, hub: &Hub) {
        for request in self.http.incoming_requests() {
            handle(request, root, hub);
        }
    }

    /// A handle that stops `run` from another thread (Ctrl-C).
    pub fn stopper(&self) -> impl Fn() + Send + Sync + 'static {
        let http = Arc::clone(&self.http);
        move || http.unblock()
    }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes())
        .expect("static header names and values are valid")
}

fn handle(request: Request, root: &Path, hub: &Hub) {
    if !matches!(request.method(), Method::Get | Method::Head) {
        let _ =
            request.respond(Response::from_string("method not allowed\n").with_status_code(405));
        return;
    }
    let url = request.url().to_owned();
    let path = url.split('?').next().unwrap_or("");
    if path == reload::EVENTS_PATH {
        // tiny_http buffers response bodies, so the stream is written to the socket by hand
        // and flushed after every event.
        let stream = hub.subscribe();
        std::thread::spawn(move || {
            let mut writer = request.into_writer();
            let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: keep-alive\r\n\r\n";
            if writer
                .write_all(head.as_bytes())
                .and_then(|()| writer.flush())
                .is_err()
            {
                return;
            }
            while let Some(event) = stream.next_event() {
                if writer
                    .write_all(event.as_bytes())
                    .and_then(|()| writer.flush())
                    .is_err()
                {
                    break;
                }
            }
        });
        return;
    }
    if path == reload::SCRIPT_PATH {
        let response = Response::from_string(reload::SCRIPT)
            .with_header(header("Content-Type", "text/javascript; charset=utf-8"))
            .with_header(header("Cache-Control", "no-store"));
        let _ = request.respond(response);
        return;
    }
    let (status, file) = match files::resolve(root, &url) {
        Some(file) => (200, Some(file)),
        None => (404, files::resolve(root, "/404.html")),
    };
    let response = match file.and_then(|f| std::fs::read(&f).ok().map(|bytes| (f, bytes))) {
        Some((file, bytes)) => {
            let kind = files::content_type(&file);
            let body = if kind.starts_with("text/html") {
                reload::inject(&String::from_utf8_lossy(&bytes)).into_bytes()
            } else {
                bytes
            };
            Response::from_data(body)
                .with_status_code(status)
                .with_header(header("Content-Type", kind))
                .with_header(header("Cache-Control", "no-store"))
        }
        None => Response::from_data(b"404 not found\n".to_vec())
            .with_status_code(404)
            .with_header(header("Content-Type", "text/plain; charset=utf-8")),
    };
    let _ = request.respond(response);
}

/// Watches the builder's paths; changed paths (outside the output folder) arrive on the
/// returned channel in batches, after `DEBOUNCE` of quiet. Keep the watcher alive as long as
/// you watch.
///
/// Only events that change something count (create, write, rename, remove): a build reads
/// the sources and walks their folders, and counting those reads would make every rebuild
/// trigger the next one.
pub fn watch(
    paths: &[PathBuf],
    output: &Path,
) -> Result<(RecommendedWatcher, Receiver<Vec<PathBuf>>)> {
    let (raw_tx, raw_rx) = channel::<PathBuf>();
    let output = output.canonicalize().unwrap_or_else(|_| output.to_owned());
    let mut watcher = notify::recommended_watcher(move |result: notify::Result<Event>| {
        let Ok(event) = result else { return };
        let changes_content = match event.kind {
            EventKind::Create(_) | EventKind::Remove(_) | EventKind::Any => true,
            EventKind::Modify(ModifyKind::Metadata(_)) => false,
            EventKind::Modify(_) => true,
            EventKind::Access(_) | EventKind::Other => false,
        };
        if changes_content {
            for path in event.paths.into_iter().filter(|p| !p.starts_with(&output)) {
                let _ = raw_tx.send(path);
            }
        }
    })
    .context("cannot start the file watcher")?;
    add_watches(&mut watcher, paths, &mut BTreeSet::new())?;
    let (tx, rx) = channel();
    std::thread::spawn(move || debounce(&raw_rx, &tx));
    Ok((watcher, rx))
}

/// Watches those of `paths` that exist and are not watched yet (`watching` remembers which
/// are). Called again after each build, so a `templates/` or `themes/` folder created while
/// serving is watched from then on.
pub fn add_watches(
    watcher: &mut RecommendedWatcher,
    paths: &[PathBuf],
    watching: &mut BTreeSet<PathBuf>,
) -> Result<()> {
    for path in paths.iter().filter(|p| p.exists()) {
        // A single file (book.toml) is watched through its folder, so a save that replaces
        // the file (rename over it) is still seen.
        let (target, mode) = if path.is_dir() {
            (path.as_path(), RecursiveMode::Recursive)
        } else {
            (
                path.parent().unwrap_or(Path::new(".")),
                RecursiveMode::NonRecursive,
            )
        };
        if watching.insert(path.clone()) {
            watcher
                .watch(target, mode)
                .with_context(|| format!("cannot watch {}", target.display()))?;
        }
    }
    Ok(())
}

/// Groups paths into batches that end after `DEBOUNCE` without a new event, so an editor's
/// save-rename-write dance is one rebuild.
fn debounce(raw: &Receiver<PathBuf>, batches: &Sender<Vec<PathBuf>>) {
    while let Ok(first) = raw.recv() {
        let mut batch = vec![first];
        loop {
            match raw.recv_timeout(DEBOUNCE) {
                Ok(path) => batch.push(path),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => {
                    let _ = batches.send(batch);
                    return;
                }
            }
        }
        batch.sort();
        batch.dedup();
        if batches.send(batch).is_err() {
            return;
        }
    }
}

/// Rebuilds on every batch of changes and tells pages; returns when `changes` closes.
/// `log` receives one line per rebuild (for the terminal).
pub fn rebuild_loop(
    builder: &mut dyn Builder,
    changes: &Receiver<Vec<PathBuf>>,
    hub: &Hub,
    log: &mut dyn FnMut(&str),
) {
    while let Ok(mut changed) = changes.recv() {
        // Coalesce what arrived while we were building.
        while let Ok(more) = changes.try_recv() {
            changed.extend(more);
        }
        changed.sort();
        changed.dedup();
        let started = Instant::now();
        match builder.build(&changed) {
            Ok(None) => {}
            Ok(Some(summary)) => {
                hub.broadcast(&Message::Reload);
                log(&format!(
                    "rebuilt in {} ms: {summary}",
                    started.elapsed().as_millis()
                ));
            }
            Err(error) => {
                hub.broadcast(&Message::Error(error.clone()));
                log(&format!(
                    "build failed (the server keeps running; fix and save to retry):\n{error}"
                ));
            }
        }
    }
}
