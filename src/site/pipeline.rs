//! The site build as an explicit pipeline of small stages, each a plain function:
//!
//! 1. `plan`: where every page goes (`PageMap`), the output folder, and the safety checks;
//! 2. `Theme::load` + `Theme::tera`: templates and static files, compiled once;
//! 3. `render_pages`: one page per runbook, in parallel (rayon), each written as it is done;
//! 4. `render_index`, `render_severity`, `render_404`: the book-wide pages;
//! 5. `search::SearchIndex`: the step-level search index as a script;
//! 6. `write_assets`: the theme's static files and the generated syntax stylesheet;
//! 7. `Staging::commit`: the finished folder replaces the old site.
//!
//! Nothing depends on the clock except `today` (passed in) and nothing iterates a hash map
//! into the output, so the same input gives byte-identical output.

use super::SiteError;
use super::highlight::{self, Highlighter};
use super::output::{self, Staging};
use super::paths::{self, PageMap};
use super::render::{self, RenderCtx, TocEntry};
use super::search::SearchIndex;
use super::theme::Theme;
use crate::config::LoadedConfig;
use crate::diag::Diagnostic;
use crate::model::{Risk, Runbook, StepKind};
use crate::parse::Parsed;
use crate::source::SourceFile;
use crate::{LoadedBook, SourceBook};
use chrono::NaiveDate;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What `runbook build` was asked to do.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Output folder (absolute or relative to the working directory).
    pub out: PathBuf,
    /// Replace a non-empty folder runbook did not create.
    pub force: bool,
    /// The date "overdue" is judged against.
    pub today: NaiveDate,
    /// The home folder, never used as output.
    pub home: Option<PathBuf>,
}

/// What a build produced.
#[derive(Debug, Clone)]
pub struct BuildReport {
    /// Where the site is.
    pub out: PathBuf,
    /// Runbook pages written.
    pub pages: usize,
    /// Bytes of Markdown the pages came from.
    pub markdown_bytes: usize,
    /// Bytes of the search index: `search-index.js` and its shards under `search/`.
    pub search_index_bytes: usize,
    /// Bytes of `search-index.js` alone (what the first use of the search box loads).
    pub search_manifest_bytes: usize,
    /// Problems that did not stop the build (an image that could not be copied).
    pub warnings: Vec<crate::diag::Diagnostic>,
    /// Problems met while parsing the runbooks, in book order.
    pub diagnostics: Vec<Diagnostic>,
}

/// What a site is built from: a loaded book (`runbook serve`, which keeps the model between
/// saves) or a book read but not parsed (`runbook build`, which parses each runbook right
/// before its page is rendered and drops it after, so memory does not grow with the model of
/// the whole book).
pub trait SiteInput: Sync {
    /// `book.toml` (or defaults) and the book root.
    fn config(&self) -> &LoadedConfig;
    /// Book title.
    fn title(&self) -> &str;
    /// Runbook paths relative to the book root, in book order.
    fn runbook_paths(&self) -> Vec<&str>;
    /// Bytes of Markdown in the book (once every runbook has been mapped).
    fn markdown_bytes(&self) -> usize;
    /// `f` applied to the runbooks at `range` (positions in book order), their sources and
    /// the Markdown events of each if they are at hand, on all cores; results in book order.
    /// A source that cannot be read is the error.
    fn map_runbooks<T, F>(&self, range: std::ops::Range<usize>, f: F) -> Result<Vec<T>, SiteError>
    where
        T: Send,
        F: for<'s> Fn(&'s Runbook, &'s SourceFile, Option<&'s [Parsed<'s>]>) -> T + Sync + Send;
}

impl SiteInput for LoadedBook {
    fn config(&self) -> &LoadedConfig {
        &self.config
    }
    fn title(&self) -> &str {
        &self.book.title
    }
    fn runbook_paths(&self) -> Vec<&str> {
        self.sources.iter().map(|s| s.path.as_str()).collect()
    }
    fn markdown_bytes(&self) -> usize {
        self.sources.iter().map(|s| s.text.len()).sum()
    }
    fn map_runbooks<T, F>(&self, range: std::ops::Range<usize>, f: F) -> Result<Vec<T>, SiteError>
    where
        T: Send,
        F: for<'s> Fn(&'s Runbook, &'s SourceFile, Option<&'s [Parsed<'s>]>) -> T + Sync + Send,
    {
        Ok(self.book.runbooks[range.clone()]
            .par_iter()
            .zip(self.sources[range].par_iter())
            .map(|(runbook, source)| f(runbook, source, None))
            .collect())
    }
}

impl SiteInput for SourceBook {
    fn config(&self) -> &LoadedConfig {
        &self.config
    }
    fn title(&self) -> &str {
        &self.title
    }
    fn runbook_paths(&self) -> Vec<&str> {
        self.paths().collect()
    }
    fn markdown_bytes(&self) -> usize {
        SourceBook::markdown_bytes(self)
    }
    fn map_runbooks<T, F>(&self, range: std::ops::Range<usize>, f: F) -> Result<Vec<T>, SiteError>
    where
        T: Send,
        F: for<'s> Fn(&'s Runbook, &'s SourceFile, Option<&'s [Parsed<'s>]>) -> T + Sync + Send,
    {
        range
            .into_par_iter()
            .map(|index| {
                let source = self.read(index).map_err(|diag| {
                    SiteError::Io(format!("{}: {}", diag.location.file, diag.message))
                })?;
                let (runbook, events) = crate::parse::parse_runbook_with_events(&source);
                Ok(f(&runbook, &source, Some(&events)))
            })
            .collect()
    }
}

/// Stage 1: the page map and the checked output folder.
#[derive(Debug)]
pub struct SitePlan {
    /// Absolute output folder.
    pub out: PathBuf,
    /// Absolute book folder: nothing outside it is read.
    pub root: PathBuf,
    /// Runbook path → page path.
    pub pages: PageMap,
}

/// Plans the site and checks the output folder.
pub fn plan(input: &impl SiteInput, opts: &BuildOptions) -> Result<SitePlan, SiteError> {
    let config = input.config();
    let root = output::absolute(&config.root).map_err(|e| SiteError::io(&config.root, e))?;
    let src = if config.file.is_some() {
        output::absolute(&config.root.join(&config.config.book.src))
            .map_err(|e| SiteError::io(&config.root, e))?
    } else {
        root.clone()
    };
    let out = output::absolute(&opts.out).map_err(|e| SiteError::io(&opts.out, e))?;
    output::check_output(&out, &[&root, &src], opts.home.as_deref(), opts.force)?;
    let src_prefix = src
        .strip_prefix(&root)
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default();
    let taken: Vec<String> = Theme::embedded()
        .statics
        .keys()
        .map(|k| format!("static/{k}"))
        .chain(["static/syntax.css".to_owned()])
        .collect();
    let pages = PageMap::new(input.runbook_paths(), &src_prefix, &taken);
    Ok(SitePlan { out, root, pages })
}

/// Runs every stage and moves the site into place.
pub fn build(loaded: &impl SiteInput, opts: &BuildOptions) -> Result<BuildReport, SiteError> {
    build_with(loaded, opts, None)
}

/// Re-renders only the pages of `changed` runbooks (and the index, severity page and search
/// index, which summarise every runbook), writing into the existing site in place. For
/// `runbook serve`'s private folder after a save that added, removed or renamed nothing;
/// anything else (a theme, `book.toml`, a new file) needs `build`.
pub fn rebuild_pages(
    loaded: &impl SiteInput,
    opts: &BuildOptions,
    changed: &std::collections::BTreeSet<String>,
) -> Result<BuildReport, SiteError> {
    build_with(loaded, opts, Some(changed))
}

fn build_with(
    loaded: &impl SiteInput,
    opts: &BuildOptions,
    only: Option<&std::collections::BTreeSet<String>>,
) -> Result<BuildReport, SiteError> {
    let config = loaded.config();
    crate::plan::check_config(&config.config.plan)
        .map_err(|why| SiteError::Config(format!("book.toml [plan]: {why}")))?;
    let plan = plan(loaded, opts)?;
    let theme = Theme::load(&config.root, &config.config.site.theme)?;
    let tera = theme.tera()?;
    let in_place = only.is_some() && plan.out.join("index.html").is_file();
    let staging = if in_place {
        Staging::in_place(&plan.out)
    } else {
        Staging::create(&plan.out)?
    };
    let only = only.filter(|_| in_place);
    let highlighter = Highlighter::shared();
    let site = SiteInfo::new(loaded.title(), config);
    let ctx = RenderCtx {
        highlighter,
        pages: &plan.pages,
        allow_html: config.config.site.allow_html,
    };
    let mut summaries = Vec::new();
    let mut severities = Vec::new();
    let mut index = SearchIndex::default();
    let mut diagnostics = Vec::new();
    render_pages(
        loaded,
        &plan,
        &ctx,
        &tera,
        &theme,
        &site,
        opts.today,
        &staging,
        only,
        |out| {
            summaries.push(out.summary);
            severities.extend(out.severity);
            diagnostics.extend(out.diagnostics);
        },
        |search| index.append(search),
    )?;
    let taken = Theme::embedded()
        .statics
        .keys()
        .chain(theme.statics.keys())
        .map(|k| format!("static/{k}").to_ascii_lowercase())
        .chain(["static/syntax.css".to_owned()])
        .collect();
    let warnings = super::assets::copy_images(
        &plan.root,
        summaries.iter().flat_map(|s| &s.images),
        &staging,
        &taken,
    )?;
    // The search index first, and dropped once written: the index and severity pages'
    // template contexts are of its size, and holding all three would set the peak memory.
    let written = index.write(&staging, config.config.site.search_shard_size)?;
    drop(index);
    let write_page = |name: &str, html: String| staging.write(name, html.as_bytes());
    // Side by side, now that the search index is gone: each page's template context is
    // built from every runbook, and on one core they were most of the build's serial tail.
    let (index_page, severity_page) = rayon::join(
        || {
            write_page(
                "index.html",
                render_index(&tera, &theme, &site, &summaries)?,
            )
        },
        || {
            write_page(
                "severity.html",
                render_severity(&tera, &theme, &site, severity_rows(severities))?,
            )
        },
    );
    index_page?;
    severity_page?;
    write_page("404.html", render_404(&tera, &theme, &site)?)?;
    if only.is_none() {
        write_assets(&theme, &staging)?;
    }
    staging.commit()?;
    Ok(BuildReport {
        out: plan.out,
        pages: summaries.len(),
        markdown_bytes: loaded.markdown_bytes(),
        search_index_bytes: written.bytes,
        search_manifest_bytes: written.manifest_bytes,
        warnings,
        diagnostics,
    })
}

/// Book-wide values every template gets.
#[derive(Debug, Clone, Serialize)]
pub struct SiteInfo {
    /// Book title.
    pub title: String,
    /// `[book] description`.
    pub description: Option<String>,
    /// Version of runbook that built the site (no date: builds are reproducible).
    pub generator: String,
    /// The absolute path of the site from `[site] url` (`/runbooks/`), `""` when not set.
    pub base: String,
}

impl SiteInfo {
    /// From the book's title and configuration.
    pub fn new(title: &str, config: &LoadedConfig) -> Self {
        Self {
            title: title.to_owned(),
            description: config.config.book.description.clone(),
            generator: format!("runbook {}", env!("CARGO_PKG_VERSION")),
            base: config
                .config
                .site
                .url
                .as_deref()
                .and_then(|url| crate::config::site_base_path(url).ok())
                .unwrap_or_default(),
        }
    }
}

/// The metadata card of a runbook page and its row on the index.
#[derive(Debug, Clone, Serialize)]
pub struct PageSummary {
    /// Runbook title.
    pub title: String,
    /// Source path relative to the book root.
    pub source: String,
    /// Page path in the site.
    pub page: String,
    /// The page path as an href from the site root (percent-encoded).
    pub href: String,
    /// Folder of the page (`""` at the top).
    pub folder: String,
    /// Owner, as written.
    pub owner: Option<String>,
    /// Risk level, as written.
    pub risk: Option<String>,
    /// `low`, `medium`, `high`, `critical` or `unknown`, for styling.
    pub risk_class: String,
    /// Estimated time, as written.
    pub estimated_time: Option<String>,
    /// Version, as written.
    pub version: Option<String>,
    /// `YYYY-MM-DD`.
    pub last_updated: Option<String>,
    /// `YYYY-MM-DD`.
    pub next_review: Option<String>,
    /// The next review date is before today.
    pub overdue: bool,
    /// Front matter tags.
    pub tags: Vec<String>,
    /// Number of steps.
    pub steps: usize,
    /// Number of commands.
    pub commands: usize,
    /// Number of destructive commands.
    pub destructive: usize,
    /// Number of checklist items.
    pub checks: usize,
    /// The runbook's bash plan, as an href relative to the page (`restart.sh`).
    pub plan_sh: String,
    /// The runbook's JSON plan, as an href relative to the page (`restart.plan.json`).
    pub plan_json: String,
    /// Images the page shows (empty for a page not rendered in this build).
    #[serde(skip)]
    pub images: Vec<super::assets::ImageRef>,
}

/// Site paths of a page's plans: `db/x.html` → (`db/x.sh`, `db/x.plan.json`).
pub fn plan_paths(page: &str) -> (String, String) {
    let stem = page.strip_suffix(".html").unwrap_or(page);
    (format!("{stem}.sh"), format!("{stem}.plan.json"))
}

impl PageSummary {
    /// Summarises a runbook published at `page`.
    pub fn new(runbook: &Runbook, page: &str, today: NaiveDate) -> Self {
        let meta = &runbook.meta;
        let risk_class = meta
            .risk_level
            .as_deref()
            .map(|r| r.trim().to_ascii_lowercase())
            .and_then(|r| {
                ["critical", "high", "medium", "low"]
                    .into_iter()
                    .find(|k| r.starts_with(k))
            })
            .unwrap_or("unknown")
            .to_owned();
        let folder = page.rsplit_once('/').map_or("", |(d, _)| d).to_owned();
        let (plan_sh, plan_json) = plan_paths(page);
        let file_href = |path: &str| paths::encode_path(path.rsplit('/').next().unwrap_or(path));
        Self {
            plan_sh: file_href(&plan_sh),
            plan_json: file_href(&plan_json),
            title: runbook.title.clone(),
            source: runbook.path.clone(),
            page: page.to_owned(),
            href: paths::encode_path(page),
            folder,
            owner: meta.owner.clone(),
            risk: meta.risk_level.clone(),
            risk_class,
            estimated_time: meta.estimated_time.clone(),
            version: meta.version.clone(),
            last_updated: meta.last_updated.map(|d| d.to_string()),
            next_review: meta.next_review.map(|d| d.to_string()),
            overdue: meta.next_review.is_some_and(|d| d < today),
            tags: meta.tags.clone(),
            steps: runbook.steps.len(),
            commands: runbook.commands().count(),
            destructive: runbook
                .commands()
                .filter(|(_, c)| c.risk == Risk::Destructive)
                .count(),
            checks: runbook
                .steps
                .iter()
                .filter(|s| matches!(s.kind, StepKind::Check { .. }))
                .count(),
            images: Vec::new(),
        }
    }
}

#[derive(Serialize)]
struct RunbookPage<'a> {
    site: &'a SiteInfo,
    root: String,
    page: &'a PageSummary,
    toc: &'a [TocEntry],
    content: &'a str,
    today: String,
}

/// What stage 3 keeps of one runbook once its page is written: all that the book-wide pages
/// and the search index need.
#[derive(Debug)]
pub struct PageOutput {
    /// The metadata card and index row.
    pub summary: PageSummary,
    /// Its part of the search index.
    pub search: SearchIndex,
    /// Its severity definitions, keyed by rank and name.
    pub severity: Vec<(u32, String, SeverityDefinition)>,
    /// Problems met while parsing it.
    pub diagnostics: Vec<Diagnostic>,
}

/// Runbooks rendered in parallel before their outputs are handed on: each runbook's search
/// part is a small term map, and holding all of them at once was most of the peak memory.
const CHUNK: usize = 256;

/// Stage 3: renders and writes every runbook page, in parallel, chunk by chunk; hands what
/// the rest of the pipeline needs of each to `consume`, in book order.
#[allow(clippy::too_many_arguments)]
pub fn render_pages(
    loaded: &impl SiteInput,
    plan: &SitePlan,
    ctx: &RenderCtx<'_>,
    tera: &tera::Tera,
    theme: &Theme,
    site: &SiteInfo,
    today: NaiveDate,
    staging: &Staging,
    only: Option<&std::collections::BTreeSet<String>>,
    mut consume: impl FnMut(PageOutput) + Send,
    mut consume_search: impl FnMut(SearchIndex) + Send,
) -> Result<(), SiteError> {
    let paths = loaded.runbook_paths();
    // Folders first, once each, so parallel writers never race to create them.
    let mut dirs: Vec<PathBuf> = paths
        .iter()
        .filter_map(|r| plan.pages.get(r))
        .filter_map(|p| staging.path_of(p).parent().map(Path::to_owned))
        .collect();
    dirs.sort();
    dirs.dedup();
    for dir in &dirs {
        std::fs::create_dir_all(dir).map_err(|e| SiteError::io(dir, e))?;
    }
    let plan_config = &loaded.config().config.plan;
    // One numbering of terms for every runbook's index, so they join by number.
    let vocabulary = std::sync::Arc::new(super::search::Vocabulary::default());
    let render = hr(|runbook, source, parsed| {
        let Some(page) = plan.pages.get(&runbook.path) else {
            return Ok(None);
        };
        let summary = PageSummary::new(runbook, page, today);
        let mut search = SearchIndex::with_vocabulary(vocabulary.clone());
        search.add(runbook, page);
        let mut output = PageOutput {
            severity: severity_definitions(runbook, page),
            search,
            diagnostics: runbook.diagnostics.clone(),
            summary,
        };
        if only.is_some_and(|only| !only.contains(&runbook.path)) {
            return Ok(Some(output));
        }
        let (html, images) = render_page(
            ctx,
            tera,
            theme,
            site,
            runbook,
            source,
            parsed,
            &output.summary,
            today,
        )?;
        output.summary.images = images;
        staging.write(page, html.as_bytes())?;
        // The plans sit next to the page, so the page can link them and a reader can run
        // what they read (see docs/plan.md).
        let (sh, json) = plan_paths(page);
        let analysis = crate::plan::analyze(runbook, plan_config);
        staging.write(
            &sh,
            crate::plan::bash::render_analysis(&analysis, &plan_config.shell).as_bytes(),
        )?;
        staging.write(
            &json,
            crate::plan::json::render_analysis(&analysis).as_bytes(),
        )?;
        Ok(Some(output))
    });
    let total = paths.len();
    // Each chunk's outputs are handed on while the next chunk renders: handing them on is
    // one thread's work (the search parts join in book order), and done between chunks it
    // left the other core idle, about 0.1 s of 10,000 runbooks. Holding one chunk's outputs
    // longer costs about 25 MB of peak memory.
    let mut previous = Vec::new();
    for start in (0..total).step_by(CHUNK) {
        let (outputs, ()) = rayon::join(
            || loaded.map_runbooks(start..total.min(start + CHUNK), render),
            || {
                hand_on(
                    std::mem::take(&mut previous),
                    &mut consume,
                    &mut consume_search,
                )
            },
        );
        previous = outputs?.into_iter().collect::<Result<Vec<_>, _>>()?;
    }
    hand_on(previous, &mut consume, &mut consume_search);
    Ok(())
}

/// Hands a chunk's outputs on, in book order. The search parts are appended one by one:
/// appending one runbook's part looks up its few hundred terms once, where joining the
/// parts on all cores first looked up every term again at every level of the reduction.
fn hand_on(
    mut outputs: Vec<Option<PageOutput>>,
    consume: &mut impl FnMut(PageOutput),
    consume_search: &mut impl FnMut(SearchIndex),
) {
    for output in outputs.iter_mut().flatten() {
        consume_search(std::mem::take(&mut output.search));
    }
    outputs.into_iter().flatten().for_each(consume);
}

/// `f` as a closure over sources of any lifetime, with its events of the same: the type
/// `map_runbooks` asks for, which closure inference does not find on its own.
fn hr<F, T>(f: F) -> F
where
    F: for<'s> Fn(&'s Runbook, &'s SourceFile, Option<&'s [Parsed<'s>]>) -> T,
{
    f
}

/// One runbook page as HTML, and the images it shows.
#[allow(clippy::too_many_arguments)]
pub fn render_page<'s>(
    ctx: &RenderCtx<'_>,
    tera: &tera::Tera,
    theme: &Theme,
    site: &SiteInfo,
    runbook: &'s Runbook,
    source: &'s crate::source::SourceFile,
    parsed: Option<&'s [Parsed<'s>]>,
    summary: &PageSummary,
    today: NaiveDate,
) -> Result<(String, Vec<super::assets::ImageRef>), SiteError> {
    let rendered = render::render_runbook(ctx, runbook, source, parsed, &summary.page);
    let page = RunbookPage {
        site,
        root: paths::root_prefix(&summary.page),
        page: summary,
        toc: &rendered.toc,
        content: &rendered.html,
        today: today.to_string(),
    };
    // The page is its content plus the template's few kilobytes: sized for that up front,
    // the output buffer is not grown (and copied) again and again.
    let html = render_template_sized(
        tera,
        theme,
        "runbook.html",
        &page,
        rendered.html.len() + 16 * 1024,
    )?;
    Ok((html, rendered.images))
}

fn render_template(
    tera: &tera::Tera,
    theme: &Theme,
    name: &str,
    value: &impl Serialize,
) -> Result<String, SiteError> {
    let context = tera::Context::from_serialize(value).map_err(|e| theme.template_error(&e))?;
    tera.render(name, &context)
        .map_err(|e| theme.template_error(&e))
}

/// [`render_template`] into a buffer of `capacity` bytes: what `Tera::render` does, with
/// the buffer sized by the caller instead of by the template's own text.
fn render_template_sized(
    tera: &tera::Tera,
    theme: &Theme,
    name: &str,
    value: &impl Serialize,
    capacity: usize,
) -> Result<String, SiteError> {
    let context = tera::Context::from_serialize(value).map_err(|e| theme.template_error(&e))?;
    let mut out = Vec::with_capacity(capacity);
    tera.render_to(name, &context, &mut out)
        .map_err(|e| theme.template_error(&e))?;
    String::from_utf8(out)
        .map_err(|e| SiteError::Template(format!("template {name} wrote invalid UTF-8: {e}")))
}

#[derive(Serialize)]
struct IndexPage<'a> {
    site: &'a SiteInfo,
    root: &'a str,
    groups: Vec<Group<'a>>,
    total: usize,
    overdue: usize,
}

#[derive(Serialize)]
struct Group<'a> {
    folder: &'a str,
    runbooks: Vec<&'a PageSummary>,
}

/// Stage 4a: the index page, runbooks grouped by folder.
pub fn render_index(
    tera: &tera::Tera,
    theme: &Theme,
    site: &SiteInfo,
    summaries: &[PageSummary],
) -> Result<String, SiteError> {
    let mut groups: BTreeMap<&str, Vec<&PageSummary>> = BTreeMap::new();
    for s in summaries {
        groups.entry(s.folder.as_str()).or_default().push(s);
    }
    let groups = groups
        .into_iter()
        .map(|(folder, mut runbooks)| {
            runbooks.sort_by(|a, b| {
                a.title
                    .to_lowercase()
                    .cmp(&b.title.to_lowercase())
                    .then_with(|| a.page.cmp(&b.page))
            });
            Group { folder, runbooks }
        })
        .collect();
    let page = IndexPage {
        site,
        root: "",
        groups,
        total: summaries.len(),
        overdue: summaries.iter().filter(|s| s.overdue).count(),
    };
    render_template(tera, theme, "index.html", &page)
}

/// One severity level as one runbook defines it.
#[derive(Debug, Serialize)]
pub struct SeverityDefinition {
    /// Runbook title.
    pub runbook: String,
    /// Link to the table (page#step-id).
    pub href: String,
    /// Source file and line of the row.
    pub source: String,
    /// Line of the row.
    pub line: usize,
    /// Word label (`Critical`).
    pub label: Option<String>,
    /// Response time as written.
    pub response_time: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// What to do.
    pub action: Option<String>,
}

/// A severity level across the book.
#[derive(Debug, Serialize)]
pub struct SeverityRow {
    /// `P1`, `SEV2`...
    pub name: String,
    /// 1 is the most severe.
    pub rank: u32,
    /// Runbooks disagree about the response time.
    pub differs: bool,
    /// Each definition, in book order.
    pub definitions: Vec<SeverityDefinition>,
}

/// The severity levels one runbook defines, keyed by rank and upper-case name.
pub fn severity_definitions(
    runbook: &Runbook,
    page: &str,
) -> Vec<(u32, String, SeverityDefinition)> {
    let mut defs = Vec::new();
    for (step, table) in runbook.severity_tables() {
        for level in &table.levels {
            defs.push((
                level.rank,
                level.name.clone(),
                SeverityDefinition {
                    runbook: runbook.title.clone(),
                    href: format!("{}#{}", paths::encode_path(page), step.id),
                    source: runbook.path.clone(),
                    line: level.span.line,
                    label: level.label.clone(),
                    response_time: level.response_time.clone(),
                    description: level.description.clone(),
                    action: level.action.clone(),
                },
            ));
        }
    }
    defs
}

/// Collects every severity level of the book (definitions in book order), most severe first.
pub fn severity_rows(
    definitions: impl IntoIterator<Item = (u32, String, SeverityDefinition)>,
) -> Vec<SeverityRow> {
    let mut rows: BTreeMap<(u32, String), SeverityRow> = BTreeMap::new();
    for (rank, name, definition) in definitions {
        let key = (rank, name.to_uppercase());
        rows.entry(key)
            .or_insert_with(|| SeverityRow {
                name,
                rank,
                differs: false,
                definitions: Vec::new(),
            })
            .definitions
            .push(definition);
    }
    let mut rows: Vec<SeverityRow> = rows.into_values().collect();
    for row in &mut rows {
        let mut times: Vec<String> = row
            .definitions
            .iter()
            .filter_map(|d| d.response_time.as_deref())
            .map(|t| t.trim().to_lowercase())
            .collect();
        times.sort();
        times.dedup();
        row.differs = times.len() > 1;
    }
    rows
}

#[derive(Serialize)]
struct SeverityPage<'a> {
    site: &'a SiteInfo,
    root: &'a str,
    levels: Vec<SeverityRow>,
}

/// Stage 4b: the severity page.
pub fn render_severity(
    tera: &tera::Tera,
    theme: &Theme,
    site: &SiteInfo,
    levels: Vec<SeverityRow>,
) -> Result<String, SiteError> {
    let page = SeverityPage {
        site,
        root: "",
        levels,
    };
    render_template(tera, theme, "severity.html", &page)
}

/// Stage 4c: the 404 page (see `not_found`).
pub fn render_404(tera: &tera::Tera, theme: &Theme, site: &SiteInfo) -> Result<String, SiteError> {
    let page = super::not_found::NotFoundPage::new(site, &site.base, theme);
    render_template(tera, theme, "404.html", &page)
}

/// Stage 6: static files of the theme and the generated syntax stylesheet, under `static/`.
pub fn write_assets(theme: &Theme, staging: &Staging) -> Result<(), SiteError> {
    for (name, bytes) in &theme.statics {
        staging.write(&format!("static/{name}"), bytes)?;
    }
    staging.write("static/syntax.css", highlight::stylesheet().as_bytes())
}
