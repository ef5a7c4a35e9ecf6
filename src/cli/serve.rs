//! `runbook serve`: builds the site into a private folder, serves it on loopback, rebuilds
//! when sources, themes or `book.toml` change, and reloads open pages.

use super::{exit, output};
use crate::LoadedBook;
use crate::serve::{self, Builder, reload::Hub};
use crate::site::{self, BuildOptions};
use clap::Args;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Instant;

/// Arguments of `runbook serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Book folder (with book.toml) or folder of Markdown.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Port (default 3000, or the next free one).
    #[arg(short, long)]
    pub port: Option<u16>,
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
    /// Open the site in a browser.
    #[arg(long)]
    pub open: bool,
}

/// Builds the site for the server: parses only what changed (`LoadedBook::refresh`), then
/// renders the site into a folder of its own, never the user's `site/`.
struct SiteBuilder {
    dir: PathBuf,
    loaded: Option<LoadedBook>,
    opts: BuildOptions,
    /// Runbook paths of the last build, to tell an edit from an added file.
    known: BTreeSet<String>,
    /// Whether the last build succeeded (after a failure everything is built again).
    last_ok: bool,
}

impl Builder for SiteBuilder {
    fn build(&mut self, changed: &[PathBuf]) -> Result<Option<String>, String> {
        let started = Instant::now();
        // Only Markdown files changed, and the same ones exist: re-render just their pages.
        // A theme, template or book.toml change, a new, deleted or renamed file, or a
        // previous failure: build everything.
        // An editor's temporary file (renamed away by now, or hidden) says nothing.
        // A deleted runbook is relevant (its page must go); a temporary file is not.
        let relevant: Vec<&PathBuf> = changed
            .iter()
            .filter(|p| !is_hidden(p) && (p.exists() || is_markdown(p)))
            .collect();
        if self.loaded.is_some() && self.last_ok && !changed.is_empty() && relevant.is_empty() {
            return Ok(None);
        }
        let only_markdown = !relevant.is_empty() && relevant.iter().all(|p| is_markdown(p));
        let (loaded, pages) = match &mut self.loaded {
            Some(loaded) => {
                let refresh = loaded.refresh_paths(changed).map_err(|d| describe(&d))?;
                let same_files = refresh.removed.is_empty()
                    && refresh.parsed.iter().all(|p| self.known.contains(p));
                let pages = (only_markdown && same_files && self.last_ok)
                    .then(|| refresh.parsed.into_iter().collect::<BTreeSet<String>>());
                (loaded, pages)
            }
            None => (
                self.loaded
                    .insert(crate::load(&self.dir).map_err(|d| describe(&d))?),
                None,
            ),
        };
        self.known = loaded.sources.iter().map(|s| s.path.clone()).collect();
        let problems: Vec<String> = loaded.book.all_diagnostics().map(describe).collect();
        let result = match &pages {
            Some(pages) => site::rebuild_pages(loaded, &self.opts, pages),
            None => site::build(loaded, &self.opts),
        };
        self.last_ok = result.is_ok();
        let report = result.map_err(|e| e.to_string())?;
        let problems: Vec<String> = problems
            .into_iter()
            .chain(report.warnings.iter().map(describe))
            .collect();
        let what = match &pages {
            Some(pages) => format!("{} of {} pages", pages.len(), report.pages),
            None => format!("{} pages", report.pages),
        };
        let mut summary = format!("{what} in {} ms", started.elapsed().as_millis());
        if !problems.is_empty() {
            summary.push_str(&format!(
                "; {} warnings:\n{}",
                problems.len(),
                problems.join("\n")
            ));
        }
        Ok(Some(summary))
    }

    fn output(&self) -> PathBuf {
        self.opts.out.clone()
    }

    fn watched(&self) -> Vec<PathBuf> {
        match &self.loaded {
            Some(loaded) => loaded.watched_paths(),
            None => vec![self.dir.clone()],
        }
    }
}

fn is_markdown(path: &std::path::Path) -> bool {
    path.extension()
        .is_some_and(|e| e == "md" || e == "markdown")
}

fn is_hidden(path: &std::path::Path) -> bool {
    path.file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
}

/// A builder that, after each build, also watches paths that appeared (a `templates/`
/// folder created while serving).
struct Watching {
    inner: SiteBuilder,
    watcher: notify::RecommendedWatcher,
    watching: BTreeSet<PathBuf>,
}

impl Watching {
    fn watch_new_paths(&mut self) {
        let paths = self.inner.watched();
        if let Err(err) = serve::add_watches(&mut self.watcher, &paths, &mut self.watching) {
            output::error_line(&format!("{err:#}"));
        }
    }
}

impl Builder for Watching {
    fn build(&mut self, changed: &[PathBuf]) -> Result<Option<String>, String> {
        // Before the build, so an edit made right after the page shows is not missed; and
        // after, for a source folder that a changed book.toml names.
        self.watch_new_paths();
        let result = self.inner.build(changed);
        self.watch_new_paths();
        result
    }

    fn output(&self) -> PathBuf {
        self.inner.output()
    }

    fn watched(&self) -> Vec<PathBuf> {
        self.inner.watched()
    }
}

/// `file:line:col: message`, the way the terminal and the browser overlay show problems.
pub(super) fn describe(diag: &crate::diag::Diagnostic) -> String {
    let loc = &diag.location;
    if loc.line == 0 {
        format!("{}: {}", loc.file, diag.message)
    } else {
        format!("{}:{}:{}: {}", loc.file, loc.line, loc.column, diag.message)
    }
}

pub fn run(args: ServeArgs) -> u8 {
    let today = match super::build::today() {
        Ok(today) => today,
        Err(message) => {
            output::error_line(&message);
            return exit::ERROR;
        }
    };
    let out = std::env::temp_dir().join(format!("runbook-serve-{}", std::process::id()));
    let mut builder = SiteBuilder {
        dir: args.dir.clone(),
        loaded: None,
        known: BTreeSet::new(),
        last_ok: false,
        opts: BuildOptions {
            out: out.clone(),
            force: true,
            today,
            home: None,
        },
    };
    // A first build that fails is shown in the browser like any other; only a book that
    // cannot be loaded at all (no such folder) stops here.
    if let Err(error) = builder.build(&[]) {
        if builder.loaded.is_none() {
            output::error_line(&error);
            return exit::ERROR;
        }
        output::error_line(&format!("build failed; fix and save to retry:\n{error}"));
    }
    let server = match serve::bind(&args.bind, args.port) {
        Ok(server) => server,
        Err(err) => {
            output::error_line(&format!("{err:#}"));
            return exit::ERROR;
        }
    };
    let (watcher, changes) = match serve::watch(&builder.watched(), &out) {
        Ok(watch) => watch,
        Err(err) => {
            output::error_line(&format!("{err:#}"));
            return exit::ERROR;
        }
    };
    let url = format!("http://{}/", server.addr);
    let _ = output::stdout(&format!("serving {url} (Ctrl-C to stop)\n"));
    let hub = Hub::default();
    {
        let hub = hub.clone();
        // What `serve::watch` registered: the watched paths that existed then.
        let watching = builder
            .watched()
            .into_iter()
            .filter(|p| p.exists())
            .collect();
        let mut builder = Watching {
            inner: builder,
            watcher,
            watching,
        };
        std::thread::spawn(move || {
            serve::rebuild_loop(&mut builder, &changes, &hub, &mut |line: &str| {
                output::error_line_plain(line);
            });
        });
    }
    let stop = server.stopper();
    if let Err(err) = ctrlc::set_handler(stop) {
        output::error_line(&format!("cannot handle Ctrl-C: {err}"));
    }
    if args.open {
        open_browser(&url);
    }
    server.run(&out, &hub);
    let _ = std::fs::remove_dir_all(&out);
    let _ = output::stdout("stopped\n");
    exit::OK
}

fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(opener).arg(url).spawn().is_err() {
        output::error_line(&format!("could not start {opener}; open {url} yourself"));
    }
}
