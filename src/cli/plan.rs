//! `runbook plan`: turns runbooks into bash scripts or JSON plans. One runbook without `-o`
//! prints to stdout; otherwise each runbook's plan is written into the `-o` folder as
//! `<name>.sh` or `<name>.plan.json`, each file atomically (temporary file, then rename).

use super::{exit, output};
use crate::config::{self, PlanConfig};
use crate::diag::Severity;
use crate::model::Runbook;
use crate::plan;
use clap::{Args, ValueEnum};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Arguments of `runbook plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Runbook files, or folders whose runbooks are all planned.
    #[arg(required_unless_present = "schema")]
    pub files: Vec<PathBuf>,
    /// Output format: a bash script or a JSON plan.
    #[arg(long, value_enum, default_value_t = PlanFormat::Sh)]
    pub format: PlanFormat,
    /// Folder to write `<name>.sh` / `<name>.plan.json` into (needed for more than one runbook).
    #[arg(short, long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print the JSON Schema of the JSON plan and exit.
    #[arg(long, conflicts_with_all = ["files", "out"])]
    pub schema: bool,
}

/// Output formats of `plan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// A standalone bash script (bash 4+).
    Sh,
    /// A JSON plan (schema/plan.schema.json).
    Json,
}

impl PlanFormat {
    fn extension(self) -> &'static str {
        match self {
            PlanFormat::Sh => "sh",
            PlanFormat::Json => "plan.json",
        }
    }
}

/// One runbook to plan, with where its plan goes.
struct Job {
    runbook: Runbook,
    config: PlanConfig,
    /// Output path relative to `-o`, without extension.
    name: String,
}

pub fn run(args: PlanArgs) -> u8 {
    if args.schema {
        return print(&plan::json::schema());
    }
    let mut jobs = Vec::new();
    let mut failed = false;
    for file in &args.files {
        match collect(file) {
            Ok(mut found) => jobs.append(&mut found),
            Err(()) => failed = true,
        }
    }
    if failed {
        return exit::ERROR;
    }
    if jobs.is_empty() {
        output::error_line(
            "no runbooks found in the given folders; give Markdown files or folders that hold some",
        );
        return exit::ERROR;
    }
    let render = |job: &Job| match args.format {
        PlanFormat::Sh => plan::bash::render(&job.runbook, &job.config),
        PlanFormat::Json => plan::json::render(&job.runbook, &job.config),
    };
    let Some(out) = &args.out else {
        if jobs.len() > 1 {
            output::error_line(&format!(
                "{} runbooks to plan: give -o DIR to write one file per runbook",
                jobs.len()
            ));
            return exit::ERROR;
        }
        return print(&render(&jobs[0]));
    };
    // Refuse clashing names before writing anything.
    let mut names: Vec<&str> = jobs.iter().map(|j| j.name.as_str()).collect();
    names.sort_unstable();
    if let Some(pair) = names.windows(2).find(|w| w[0] == w[1]) {
        output::error_line(&format!(
            "two runbooks would both be written to {}: plan them into different -o folders",
            out.join(format!("{}.{}", pair[0], args.format.extension()))
                .display()
        ));
        return exit::ERROR;
    }
    for job in &jobs {
        let target = out.join(format!("{}.{}", job.name, args.format.extension()));
        if let Err(err) = write_atomic(&target, &render(job), args.format == PlanFormat::Sh) {
            output::error_line(&format!(
                "cannot write {}: {err} (check that -o names a folder you can write to)",
                target.display()
            ));
            return exit::ERROR;
        }
        let _ = writeln!(std::io::stderr(), "wrote {}", target.display());
    }
    exit::OK
}

fn print(text: &str) -> u8 {
    match output::stdout(text) {
        Ok(()) => exit::OK,
        Err(err) => {
            output::error_line(&format!("cannot write output: {err}"));
            exit::ERROR
        }
    }
}

/// Loads the runbooks of one argument, printing its diagnostics. `Err` when nothing usable
/// came of it (the error is printed).
fn collect(path: &Path) -> Result<Vec<Job>, ()> {
    let loaded = match crate::load(path) {
        Ok(loaded) => loaded,
        Err(diag) => {
            output::diagnostics(None, std::iter::once(&diag));
            return Err(());
        }
    };
    output::diagnostics(Some(&loaded), loaded.book.all_diagnostics());
    if loaded
        .book
        .all_diagnostics()
        .any(|d| d.severity == Severity::Error)
    {
        output::error_line(&format!(
            "{}: not planned because of the errors above",
            path.display()
        ));
        return Err(());
    }
    let is_dir = path.is_dir();
    // A single file has no book.toml of its own: use the nearest one above it, if any.
    let plan_config = if is_dir {
        loaded.config.config.plan.clone()
    } else {
        match nearest_config(path) {
            Ok(config) => config,
            Err(()) => return Err(()),
        }
    };
    if let Err(message) = plan::check_config(&plan_config) {
        let file = if is_dir {
            loaded.config.file.clone()
        } else {
            None
        };
        let shown = file.map_or_else(|| "book.toml".to_owned(), |f| f.display().to_string());
        output::error_line(&format!("{shown}: {message}"));
        return Err(());
    }
    let src_prefix = loaded
        .config
        .file
        .as_ref()
        .map(|_| slash_path(&loaded.config.config.book.src));
    let mut jobs = Vec::new();
    for mut runbook in loaded.book.runbooks {
        let name = if is_dir {
            let rel = src_prefix
                .as_deref()
                .and_then(|p| runbook.path.strip_prefix(&format!("{p}/")))
                .unwrap_or(&runbook.path);
            strip_md(rel).to_owned()
        } else {
            path.file_stem()
                .map_or_else(|| "plan".to_owned(), |s| s.to_string_lossy().into_owned())
        };
        // Name the source as the user can open it from where they ran the command.
        runbook.path = if is_dir {
            let dir = slash_path(path);
            if dir == "." || dir.is_empty() {
                runbook.path
            } else {
                format!("{}/{}", dir.trim_end_matches('/'), runbook.path)
            }
        } else {
            slash_path(path)
        };
        jobs.push(Job {
            runbook,
            config: plan_config.clone(),
            name,
        });
    }
    Ok(jobs)
}

/// `[plan]` of the nearest `book.toml` in the folders above `file`, or the defaults.
fn nearest_config(file: &Path) -> Result<PlanConfig, ()> {
    let absolute = std::path::absolute(file).unwrap_or_else(|_| file.to_owned());
    for dir in absolute.ancestors().skip(1) {
        if dir.join("book.toml").is_file() {
            return match config::load(dir) {
                Ok(loaded) => Ok(loaded.config.plan),
                Err(diag) => {
                    output::diagnostics(None, std::iter::once(&diag));
                    Err(())
                }
            };
        }
    }
    Ok(PlanConfig::default())
}

fn slash_path(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map_or(text.clone(), str::to_owned)
}

fn strip_md(rel: &str) -> &str {
    [".md", ".markdown", ".MD"]
        .iter()
        .find_map(|ext| rel.strip_suffix(ext))
        .unwrap_or(rel)
}

/// Writes `text` to `target` through a temporary file in the same folder and a rename, so a
/// reader never sees half a plan. Scripts are made executable.
fn write_atomic(target: &Path, text: &str, executable: bool) -> std::io::Result<()> {
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let file_name = target
        .file_name()
        .map_or_else(|| "plan".into(), |n| n.to_string_lossy().into_owned());
    let temp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        #[cfg(unix)]
        if executable {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&temp, std::fs::Permissions::from_mode(0o755))?;
        }
        #[cfg(not(unix))]
        let _ = executable;
        std::fs::rename(&temp, target)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}
