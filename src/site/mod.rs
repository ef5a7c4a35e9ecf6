//! `runbook build`: the static site. An explicit pipeline of small stages (see `pipeline`):
//! plan the pages → load the theme → render pages in parallel → index, severity and 404 pages
//! → search index → static assets → move the finished site into place. Each stage is a
//! function that tests call directly; only `cli/build.rs` prints.

pub mod assets;
pub mod data_highlight;
pub mod escape;
pub mod highlight;
pub mod not_found;
pub mod output;
pub mod paths;
pub mod pipeline;
pub mod render;
pub mod sanitize;
pub mod search;
pub mod shell_highlight;
pub mod theme;

pub use pipeline::{BuildOptions, BuildReport, build, rebuild_pages};

use std::fmt;
use std::path::Path;

/// Why a site could not be built. The previous site, if any, is untouched in every case.
#[derive(Debug)]
pub enum SiteError {
    /// The output folder is one runbook will not write to.
    Refused(String),
    /// A bad setting (`[site] theme`, `RUNBOOK_TODAY`).
    Config(String),
    /// A template failed to compile or render; the message names the template and line.
    Template(String),
    /// Reading or writing a file failed.
    Io(String),
}

impl SiteError {
    /// An I/O error on `path`.
    pub fn io(path: &Path, err: std::io::Error) -> Self {
        SiteError::Io(format!("{}: {err}", path.display()))
    }
}

impl fmt::Display for SiteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SiteError::Refused(why) => write!(f, "refusing to write the site: {why}"),
            SiteError::Config(msg) => write!(f, "{msg}"),
            SiteError::Template(msg) => write!(f, "template error: {msg}"),
            SiteError::Io(msg) => write!(f, "{msg}"),
        }
    }
}

impl std::error::Error for SiteError {}
