//! One runbook → the HTML of its content region. The Markdown is rendered with the one
//! parser configuration (`parse::markdown_parser`), and the model is woven into the event
//! stream where its steps came from: every step gets its stable `id` as an anchor, command
//! blocks are split into per-command boxes with badges and a copy button, checklist items
//! become real checkboxes, headings get their slugs. So the page reads like the document, and
//! a link to `#step-…` lands on exactly the command the plan and the lints name.

use super::escape;
use super::highlight::Highlighter;
use super::paths::{self, PageMap};
use crate::model::{MetaOrigin, Runbook, Section, Step, StepKind};
use crate::parse::Parsed;
use crate::source::SourceFile;
use pulldown_cmark::{CodeBlockKind, CowStr, Event, Tag, TagEnd};
use std::fmt::Write as _;

/// What page rendering needs besides the runbook.
pub struct RenderCtx<'a> {
    /// Shared syntax highlighter.
    pub highlighter: &'a Highlighter,
    /// Where every runbook of the book is published, for rewriting `x.md` links.
    pub pages: &'a PageMap,
    /// `[site] allow_html`: sanitize raw HTML instead of escaping it.
    pub allow_html: bool,
}

/// One entry of a page's table of contents.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TocEntry {
    /// Heading level (2 or 3).
    pub level: u8,
    /// Heading text (plain; the template escapes it).
    pub title: String,
    /// Anchor.
    pub slug: String,
}

/// The rendered content region and its table of contents.
pub struct Rendered {
    /// HTML of the document body (title heading and metadata lines left out: the page shows
    /// them in its header).
    pub html: String,
    /// Level-2 and level-3 headings.
    pub toc: Vec<TocEntry>,
    /// Images the page shows, to copy into the site (`assets::copy_images`).
    pub images: Vec<super::assets::ImageRef>,
}

/// Renders the content region of `runbook`, published at `page` (site-relative path).
/// `parsed` are the Markdown events of `source` if the caller has them (`runbook build`
/// keeps the parser's); without them the text is parsed here.
pub fn render_runbook<'a>(
    ctx: &RenderCtx<'_>,
    runbook: &'a Runbook,
    source: &'a SourceFile,
    parsed: Option<&'a [Parsed<'a>]>,
    page: &str,
) -> Rendered {
    let mut r = PageRenderer::new(ctx, runbook, source, page);
    let events = match parsed {
        Some(parsed) => r.events(parsed.iter().cloned()),
        None => r.events(crate::parse::markdown_parser(&source.text).into_offset_iter()),
    };
    // Pages come out about five times the size of their Markdown (code blocks become step
    // boxes); twice was grown, and copied, on most pages.
    let mut html = String::with_capacity(source.text.len() * 6);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    if ctx.allow_html {
        html = super::sanitize::clean(&html);
    }
    Rendered {
        html,
        toc: r.toc,
        images: r.images,
    }
}

struct PageRenderer<'a, 'c> {
    ctx: &'c RenderCtx<'c>,
    runbook: &'a Runbook,
    source: &'a SourceFile,
    page: &'a str,
    // foldhash rather than SipHash: these are looked up by offset, never iterated, so no
    // order can reach the page, and the keys are the runbook's own offsets.
    sections_by_start: foldhash::HashMap<usize, &'a Section>,
    block_steps_by_start: foldhash::HashMap<usize, &'a Step>,
    code_steps: Vec<&'a Step>,
    meta_lines: foldhash::HashSet<usize>,
    title_heading: Option<usize>,
    toc: Vec<TocEntry>,
    images: Vec<super::assets::ImageRef>,
}

impl<'a, 'c> PageRenderer<'a, 'c> {
    fn new(
        ctx: &'c RenderCtx<'c>,
        runbook: &'a Runbook,
        source: &'a SourceFile,
        page: &'a str,
    ) -> Self {
        let sections_by_start = runbook.sections.iter().map(|s| (s.span.start, s)).collect();
        let mut block_steps_by_start = foldhash::HashMap::default();
        let mut code_steps = Vec::new();
        for step in &runbook.steps {
            match step.kind {
                StepKind::Check { .. } | StepKind::Manual { .. } | StepKind::Severity(_) => {
                    block_steps_by_start.insert(step.span.start, step);
                }
                StepKind::Command(_)
                | StepKind::ExpectedOutput { .. }
                | StepKind::Snippet { .. } => code_steps.push(step),
            }
        }
        code_steps.sort_by_key(|s| s.span.start);
        let mut meta_lines = foldhash::HashSet::default();
        for entry in &runbook.meta.entries {
            if entry.origin == MetaOrigin::Line {
                let last = source
                    .line_col(entry.span.end.saturating_sub(1).max(entry.span.start))
                    .0;
                meta_lines.extend(entry.span.line..=last.max(entry.span.line));
            }
        }
        // The page header shows the title, so the heading that states it is not repeated.
        let title_heading = runbook
            .sections
            .iter()
            .find(|s| s.level == 1)
            .filter(|s| s.title == runbook.title)
            .map(|s| s.span.start);
        Self {
            ctx,
            runbook,
            source,
            page,
            sections_by_start,
            block_steps_by_start,
            code_steps,
            meta_lines,
            title_heading,
            toc: Vec::new(),
            images: Vec::new(),
        }
    }

    fn events(&mut self, mut input: impl Iterator<Item = Parsed<'a>>) -> Vec<Event<'a>> {
        let mut out: Vec<Event<'a>> = Vec::with_capacity(input.size_hint().0);
        let mut heading_end: Option<(u8, String)> = None;
        let mut link_removed: Vec<bool> = Vec::new();
        let mut table_open = false;
        let mut pending_check: Option<&'a Step> = None;
        while let Some((event, range)) = input.next() {
            // A rule before any content only separated the title block from the body.
            if matches!(event, Event::Rule) && out.is_empty() {
                continue;
            }
            match event {
                Event::Start(Tag::MetadataBlock(_)) => skip_container(&mut input),
                Event::Start(Tag::Heading { level, .. }) => {
                    if self.title_heading == Some(range.start) {
                        self.title_heading = None;
                        skip_container(&mut input);
                        continue;
                    }
                    let n = level as u8;
                    match self.sections_by_start.get(&range.start) {
                        Some(section) => {
                            if (2..=3).contains(&n) {
                                self.toc.push(TocEntry {
                                    level: n,
                                    title: section.title.clone(),
                                    slug: section.slug.clone(),
                                });
                            }
                            out.push(Event::Html(
                                format!("<h{n} id=\"{}\">", escape::html(&section.slug)).into(),
                            ));
                            heading_end = Some((n, section.slug.clone()));
                        }
                        None => {
                            out.push(Event::Html(format!("<h{n}>").into()));
                            heading_end = Some((n, String::new()));
                        }
                    }
                }
                Event::End(TagEnd::Heading(_)) => {
                    let (n, slug) = heading_end.take().unwrap_or((2, String::new()));
                    let mut html = String::new();
                    if !slug.is_empty() {
                        let _ = write!(
                            html,
                            " <a class=\"heading-anchor\" href=\"#{}\" aria-label=\"Link to this section\">#</a>",
                            escape::html(&slug)
                        );
                    }
                    let _ = writeln!(html, "</h{n}>");
                    out.push(Event::Html(html.into()));
                }
                Event::Start(Tag::Paragraph) if self.is_meta_paragraph(range.clone()) => {
                    skip_container(&mut input);
                }
                Event::Start(Tag::CodeBlock(kind)) => {
                    let lang = match &kind {
                        CodeBlockKind::Fenced(info) => info
                            .split(|c: char| c.is_whitespace() || c == ',' || c == '{')
                            .next()
                            .unwrap_or("")
                            .to_owned(),
                        CodeBlockKind::Indented => String::new(),
                    };
                    let mut content = String::new();
                    let mut first_offset = None;
                    for (ev, r) in input.by_ref() {
                        match ev {
                            Event::Text(t) => {
                                first_offset.get_or_insert(r.start);
                                content.push_str(&t);
                            }
                            Event::End(TagEnd::CodeBlock) => break,
                            _ => {}
                        }
                    }
                    let first_line = first_offset.map_or(0, |o| self.source.line_col(o).0);
                    let steps: Vec<&'a Step> = self
                        .code_steps
                        .iter()
                        .copied()
                        .filter(|s| range.contains(&s.span.start))
                        .collect();
                    let html = self.code_block(&lang, &content, first_line, &steps);
                    out.push(Event::Html(html.into()));
                }
                Event::Start(Tag::Item) => match self.block_steps_by_start.get(&range.start) {
                    Some(step) if matches!(step.kind, StepKind::Check { .. }) => {
                        pending_check = Some(step);
                        out.push(Event::Html(
                            format!("<li class=\"task\" id=\"{}\">", escape::html(&step.id)).into(),
                        ));
                    }
                    Some(step) if matches!(step.kind, StepKind::Manual { .. }) => {
                        out.push(Event::Html(
                            format!(
                                "<li class=\"step-manual\" id=\"{}\">",
                                escape::html(&step.id)
                            )
                            .into(),
                        ));
                    }
                    _ => out.push(Event::Start(Tag::Item)),
                },
                Event::TaskListMarker(checked) => {
                    let step = pending_check.take();
                    let (id, label) = match step.map(|s| &s.kind) {
                        Some(StepKind::Check { text, .. }) => {
                            (step.map_or("", |s| s.id.as_str()), text.as_str())
                        }
                        _ => ("", ""),
                    };
                    out.push(Event::Html(
                        format!(
                            "<input type=\"checkbox\" class=\"task-box\" data-step=\"{}\" aria-label=\"{}\"{}> ",
                            escape::html(id),
                            escape::html(label),
                            if checked { " checked" } else { "" }
                        )
                        .into(),
                    ));
                }
                Event::Start(Tag::Table(align)) => {
                    table_open = true;
                    let open = match self.block_steps_by_start.get(&range.start) {
                        Some(step) => format!(
                            "<div class=\"table-wrap severity-table\" id=\"{}\">",
                            escape::html(&step.id)
                        ),
                        None => "<div class=\"table-wrap\">".to_owned(),
                    };
                    out.push(Event::Html(open.into()));
                    out.push(Event::Start(Tag::Table(align)));
                }
                Event::End(TagEnd::Table) => {
                    out.push(Event::End(TagEnd::Table));
                    if table_open {
                        out.push(Event::Html("</div>\n".into()));
                        table_open = false;
                    }
                }
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) => match self.rewrite_url(&dest_url) {
                    Some(dest) => {
                        link_removed.push(false);
                        out.push(Event::Start(Tag::Link {
                            link_type,
                            dest_url: dest,
                            title,
                            id,
                        }));
                    }
                    None => {
                        link_removed.push(true);
                        out.push(Event::Html(
                            "<span class=\"link-removed\" title=\"link removed: unsafe URL\">"
                                .into(),
                        ));
                    }
                },
                Event::End(TagEnd::Link) => {
                    if link_removed.pop() == Some(true) {
                        out.push(Event::Html("</span>".into()));
                    } else {
                        out.push(Event::End(TagEnd::Link));
                    }
                }
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) => {
                    let dest = if !is_safe_url(&dest_url) {
                        CowStr::Borrowed("")
                    } else {
                        match self.image(&dest_url, range.start) {
                            Some(url) => url.into(),
                            None => dest_url,
                        }
                    };
                    out.push(Event::Start(Tag::Image {
                        link_type,
                        dest_url: dest,
                        title,
                        id,
                    }));
                }
                Event::Start(Tag::HtmlBlock) if !self.ctx.allow_html => {
                    out.push(Event::Html("<pre class=\"raw-html\">".into()));
                }
                Event::End(TagEnd::HtmlBlock) if !self.ctx.allow_html => {
                    out.push(Event::Html("</pre>\n".into()));
                }
                // Headings are always text: they are also the table of contents and search hits.
                Event::Html(html) | Event::InlineHtml(html)
                    if !self.ctx.allow_html || heading_end.is_some() =>
                {
                    out.push(Event::Text(html));
                }
                Event::Html(html) if super::assets::has_img(&html) => {
                    out.push(Event::Html(self.html_images(&html, range.start).into()));
                }
                Event::InlineHtml(html) if super::assets::has_img(&html) => {
                    out.push(Event::InlineHtml(
                        self.html_images(&html, range.start).into(),
                    ));
                }
                other => out.push(other),
            }
        }
        out
    }

    /// Records an image reference at byte `offset`; the URL to publish when it changes.
    fn image(&mut self, url: &str, offset: usize) -> Option<String> {
        let at = self.source.line_col(offset);
        let (image, url) =
            super::assets::reference(&self.runbook.path, self.page, self.ctx.pages, url, at)?;
        self.images.push(image);
        url
    }

    /// `<img src>` in raw HTML (kept only with `allow_html`) at byte `offset`.
    fn html_images(&mut self, html: &str, offset: usize) -> String {
        // The fragment is the source text from `offset` (less any list indentation), so
        // the position inside it is close enough to name the line.
        super::assets::rewrite_img_srcs(html, |url, at| self.image(url, offset + at))
    }

    fn is_meta_paragraph(&self, range: std::ops::Range<usize>) -> bool {
        if self.meta_lines.is_empty() {
            return false;
        }
        let first = self.source.line_col(range.start).0;
        let last = self
            .source
            .line_col(range.end.saturating_sub(1).max(range.start))
            .0;
        (first..=last).all(|l| {
            self.meta_lines.contains(&l)
                || self.source.line_text(l).is_none_or(|t| t.trim().is_empty())
        })
    }

    /// The href to publish for a link target; `None` for a scheme that could run code.
    fn rewrite_url(&self, dest: &CowStr<'a>) -> Option<CowStr<'a>> {
        if !is_safe_url(dest) {
            return None;
        }
        if has_scheme(dest) || dest.starts_with('#') || dest.starts_with("//") {
            return Some(dest.clone());
        }
        let (path, fragment) = match dest.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (dest.as_ref(), None),
        };
        let path_only = path.split('?').next().unwrap_or("");
        let lower = path_only.to_ascii_lowercase();
        if !(lower.ends_with(".md") || lower.ends_with(".markdown")) {
            return Some(dest.clone());
        }
        let decoded = crate::parse::percent::decode_lossy(path_only);
        let target = paths::resolve_relative(&self.runbook.path, &decoded)
            .and_then(|book_path| self.ctx.pages.get(&book_path));
        match target {
            Some(out) => {
                let mut href = paths::relative_href(self.page, out);
                if let Some(f) = fragment {
                    href.push('#');
                    href.push_str(f);
                }
                Some(href.into())
            }
            None => Some(dest.clone()),
        }
    }

    /// A fenced or indented code block, split into one box per step.
    fn code_block(
        &self,
        lang: &str,
        content: &str,
        first_line: usize,
        steps: &[&'a Step],
    ) -> String {
        let hl = self.ctx.highlighter;
        let lines: Vec<&str> = content.split_inclusive('\n').collect();
        let mut out = String::with_capacity(content.len() * 3);
        let _ = write!(
            out,
            "<div class=\"code-block\" data-lang=\"{}\">",
            escape::html(lang)
        );
        if steps.is_empty() {
            out.push_str("<div class=\"step-bar\">");
            if !lang.is_empty() {
                let _ = write!(out, "<span class=\"lang\">{}</span>", escape::html(lang));
            }
            copy_button(&mut out, content.trim_end());
            out.push_str("</div><pre class=\"code\"><code>");
            out.push_str(&hl.highlight(lang, content));
            out.push_str("</code></pre></div>\n");
            return out;
        }
        let mut next = 0usize;
        for step in steps {
            let start = step.span.line.saturating_sub(first_line);
            let last_line = self
                .source
                .line_col(step.span.end.saturating_sub(1).max(step.span.start))
                .0;
            let end = (last_line.saturating_sub(first_line) + 1)
                .clamp(start + 1, lines.len().max(start + 1));
            if first_line == 0 || start < next || start >= lines.len() {
                // Overlapping or unlocatable: still give the step its anchor.
                let _ = write!(
                    out,
                    "<span class=\"step-anchor\" id=\"{}\"></span>",
                    escape::html(&step.id)
                );
                continue;
            }
            let end = end.min(lines.len());
            let mut context = &lines[next..start];
            let mut comments: &[&str] = &[];
            if matches!(step.kind, StepKind::Command(_)) {
                let keep = context
                    .iter()
                    .rev()
                    .take_while(|l| l.trim_start().starts_with('#'))
                    .count();
                comments = &context[context.len() - keep..];
                context = &context[..context.len() - keep];
            }
            self.context_lines(&mut out, lang, context);
            self.step_box(
                &mut out,
                lang,
                step,
                comments,
                &lines[start..end],
                first_line + start,
            );
            next = end;
        }
        self.context_lines(&mut out, lang, &lines[next.min(lines.len())..]);
        out.push_str("</div>\n");
        out
    }

    fn context_lines(&self, out: &mut String, lang: &str, lines: &[&str]) {
        if lines.iter().all(|l| l.trim().is_empty()) {
            return;
        }
        let text: String = trim_blank_lines(lines).concat();
        out.push_str("<pre class=\"code context\"><code>");
        out.push_str(&self.ctx.highlighter.highlight(lang, &text));
        out.push_str("</code></pre>");
    }

    fn step_box(
        &self,
        out: &mut String,
        lang: &str,
        step: &Step,
        comments: &[&str],
        lines: &[&str],
        first_source_line: usize,
    ) {
        let hl = self.ctx.highlighter;
        let id = escape::html(&step.id);
        match &step.kind {
            StepKind::Command(cmd) => {
                out.push_str("<div class=\"step step-cmd risk-");
                out.push_str(cmd.risk.as_str());
                out.push_str("\" id=\"");
                out.push_str(&id);
                out.push_str("\"><div class=\"step-bar\">");
                step_link(out, step);
                let (class, label) = match cmd.risk {
                    crate::model::Risk::ReadOnly => ("readonly", "read-only"),
                    crate::model::Risk::Mutating => ("mutating", "changes state"),
                    crate::model::Risk::Destructive => ("destructive", "destructive"),
                };
                out.push_str("<span class=\"badge badge-");
                out.push_str(class);
                out.push('"');
                out.push_str(&title_attr(&cmd.risk_reason));
                out.push('>');
                out.push_str(label);
                out.push_str("</span>");
                if cmd.interactive {
                    out.push_str("<span class=\"badge badge-interactive\" title=\"needs a person at the terminal\">interactive</span>");
                }
                if cmd.never_ending {
                    out.push_str("<span class=\"badge badge-never-ending\" title=\"does not stop by itself: Ctrl-C when done\">runs until stopped</span>");
                }
                if !cmd.placeholders.is_empty() {
                    let _ = write!(
                        out,
                        "<span class=\"badge badge-placeholder\"{}>edit before running</span>",
                        title_attr(&format!("replace: {}", cmd.placeholders.join(", ")))
                    );
                }
                copy_button(out, &cmd.text);
                out.push_str("</div><pre class=\"code\"><code>");
                if !comments.is_empty() {
                    out.push_str(&hl.highlight(lang, &comments.concat()));
                }
                let (prompt, first_rest) = self.split_prompt(lines[0], step, first_source_line);
                if !prompt.is_empty() {
                    out.push_str("<span class=\"prompt\" aria-hidden=\"true\">");
                    escape::push_html(out, prompt);
                    out.push_str("</span>");
                }
                let mut text = String::from(first_rest);
                for l in &lines[1..] {
                    text.push_str(l);
                }
                let highlighted = hl.highlight(lang, &text);
                push_marked(out, &highlighted, &text, &cmd.placeholders);
                out.push_str("</code></pre></div>");
            }
            StepKind::ExpectedOutput { .. } => {
                let _ = write!(
                    out,
                    "<div class=\"step step-output\" id=\"{id}\"><div class=\"step-bar\"><span class=\"output-label\">Expected output</span></div><pre class=\"output\"><code>"
                );
                out.push_str(&escape::html(&lines.concat()));
                out.push_str("</code></pre></div>");
            }
            StepKind::Snippet {
                lang: snippet_lang,
                text,
                ..
            } => {
                let _ = write!(
                    out,
                    "<div class=\"step step-snippet\" id=\"{id}\"><div class=\"step-bar\">"
                );
                step_link(out, step);
                let _ = write!(
                    out,
                    "<span class=\"lang\">{}</span>",
                    escape::html(snippet_lang)
                );
                copy_button(out, text);
                out.push_str("</div><pre class=\"code\"><code>");
                out.push_str(&hl.highlight(snippet_lang, &lines.concat()));
                out.push_str("</code></pre></div>");
            }
            _ => {
                let _ = write!(out, "<span class=\"step-anchor\" id=\"{id}\"></span>");
            }
        }
    }

    /// The prompt (`$ `) before a command on its first line, measured in the code block's
    /// own text (list-item indentation is already removed there).
    fn split_prompt<'l>(
        &self,
        line: &'l str,
        step: &Step,
        source_line: usize,
    ) -> (&'l str, &'l str) {
        let Some(line_start) = self.source.line_start(source_line) else {
            return ("", line);
        };
        let source_text = self.source.line_text(source_line).unwrap_or("");
        let content = line.trim_end_matches(['\n', '\r']);
        let offset_in_source = step.span.start.saturating_sub(line_start);
        let indent = source_text.len().saturating_sub(content.len());
        let cut = offset_in_source.saturating_sub(indent).min(content.len());
        if cut == 0 || !line.is_char_boundary(cut) || source_line != step.span.line {
            return ("", line);
        }
        line.split_at(cut)
    }
}

// These run for every step of every page: pieces are appended rather than formatted.
fn step_link(out: &mut String, step: &Step) {
    out.push_str("<a class=\"step-num\" href=\"#");
    escape::push_html(out, &step.id);
    out.push_str("\" title=\"Link to step ");
    crate::plan::json::push_number(out, step.number as u64);
    out.push_str("\">Step ");
    crate::plan::json::push_number(out, step.number as u64);
    out.push_str("</a>");
}

fn copy_button(out: &mut String, text: &str) {
    out.push_str("<button type=\"button\" class=\"copy\" data-copy=\"");
    escape::push_attr_multiline(out, text);
    out.push_str("\" aria-label=\"Copy command\">Copy</button>");
}

fn title_attr(text: &str) -> String {
    if text.is_empty() {
        String::new()
    } else {
        format!(" title=\"{}\"", escape::html(text))
    }
}

fn trim_blank_lines<'l>(lines: &'l [&'l str]) -> &'l [&'l str] {
    let start = lines
        .iter()
        .position(|l| !l.trim().is_empty())
        .unwrap_or(lines.len());
    let end = lines
        .iter()
        .rposition(|l| !l.trim().is_empty())
        .map_or(start, |e| e + 1);
    &lines[start..end]
}

/// Consumes events up to and including the end of the container just opened.
fn skip_container<'a>(input: &mut impl Iterator<Item = (Event<'a>, std::ops::Range<usize>)>) {
    let mut depth = 1usize;
    for (ev, _) in input {
        match ev {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    return;
                }
            }
            _ => {}
        }
    }
}

fn has_scheme(url: &str) -> bool {
    match url.find(':') {
        Some(i) => {
            let scheme = &url[..i];
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                && !url[..i].contains(['/', '?', '#'])
        }
        None => false,
    }
}

/// Relative URLs and the schemes a runbook needs; never `javascript:`, `data:`, `vbscript:`.
pub fn is_safe_url(url: &str) -> bool {
    // Without a `:` there is no scheme, however the URL is cleaned (cleaning only drops
    // characters): most links are relative paths, and need no cleaned copy.
    !url.contains(':') || is_safe_once_cleaned(url)
}

/// `is_safe_url` the long way: the scheme as a browser reads it, which ignores ASCII
/// whitespace and control characters inside it.
fn is_safe_once_cleaned(url: &str) -> bool {
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    if !has_scheme(&cleaned) {
        return true;
    }
    ["http:", "https:", "mailto:", "tel:", "ftp:"]
        .iter()
        .any(|s| cleaned.starts_with(s))
}

/// Wraps each occurrence of a placeholder in `<mark class="placeholder">`, working on the
/// highlighted HTML: tags are skipped, entities count as the one character they stand for, and
/// a mark is closed and reopened around any tag inside it so the nesting stays valid.
pub fn mark_placeholders(html: &str, plain: &str, placeholders: &[String]) -> String {
    let mut out = String::with_capacity(html.len());
    push_marked(&mut out, html, plain, placeholders);
    out
}

/// [`mark_placeholders`], appended to `out`: a command's highlighted HTML goes straight
/// into its page, where a copy of it was made and then copied again (most commands have no
/// placeholder, and their HTML was copied only to be appended).
fn push_marked(out: &mut String, html: &str, plain: &str, placeholders: &[String]) {
    let mut ranges: Vec<(usize, usize)> = placeholders
        .iter()
        .filter(|p| !p.is_empty())
        .flat_map(|p| {
            plain
                .match_indices(p.as_str())
                .map(|(i, m)| (i, i + m.len()))
        })
        .collect();
    if ranges.is_empty() {
        out.push_str(html);
        return;
    }
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (s, e) in ranges {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    const OPEN: &str = "<mark class=\"placeholder\">";
    out.reserve(html.len() + merged.len() * 40);
    let mut pos = 0usize; // byte position in `plain`
    let mut inside = false;
    let mut next = 0usize;
    let mut rest = html;
    while !rest.is_empty() {
        if rest.starts_with('<') {
            let end = rest.find('>').map_or(rest.len(), |e| e + 1);
            if inside {
                out.push_str("</mark>");
            }
            out.push_str(&rest[..end]);
            if inside {
                out.push_str(OPEN);
            }
            rest = &rest[end..];
            continue;
        }
        if !inside && next < merged.len() && merged[next].0 == pos {
            out.push_str(OPEN);
            inside = true;
        }
        let (unit, width) = if rest.starts_with('&') {
            let end = rest.find(';').map_or(1, |e| e + 1);
            let entity = &rest[..end];
            let width = match entity {
                "&lt;" | "&gt;" | "&amp;" | "&quot;" | "&#39;" | "&#x27;" => 1,
                _ => decode_numeric(entity).map_or(end, char::len_utf8),
            };
            (entity, width)
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            (&rest[..c.len_utf8()], c.len_utf8())
        };
        out.push_str(unit);
        rest = &rest[unit.len()..];
        pos += width;
        if inside && pos >= merged[next].1 {
            out.push_str("</mark>");
            inside = false;
            next += 1;
        }
    }
    if inside {
        out.push_str("</mark>");
    }
}

fn decode_numeric(entity: &str) -> Option<char> {
    let body = entity.strip_prefix("&#")?.strip_suffix(';')?;
    let n = match body.strip_prefix(['x', 'X']) {
        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
        None => body.parse().ok()?,
    };
    char::from_u32(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The fast path for URLs without a `:` agrees with cleaning them.
        #[test]
        fn safe_urls_are_those_cleaning_found(
            url in "[ \t]?(java|JAVA|ht|data)?[ \t\n]?(script|tp|s)?:?[a-z./#?:]{0,8}|.{0,20}",
        ) {
            proptest::prop_assert_eq!(is_safe_url(&url), is_safe_once_cleaned(&url));
        }
    }

    proptest::proptest! {
        /// Marking appends to what the page already holds, exactly what
        /// `mark_placeholders` returns on its own.
        #[test]
        fn marks_are_appended_after_the_page(
            before in "[a-z<>]{0,6}",
            plain in "[a-z<> ]{0,16}",
            placeholder in "<?[a-z]{0,3}>?",
        ) {
            let html = crate::site::escape::html(&plain);
            let placeholders = [placeholder];
            let mut out = before.clone();
            push_marked(&mut out, &html, &plain, &placeholders);
            let expected = before + &mark_placeholders(&html, &plain, &placeholders);
            proptest::prop_assert_eq!(out, expected);
        }
    }

    #[test]
    fn placeholders_are_marked_across_token_spans() {
        let html = "kubectl delete pod <span class=\"a\">&lt;name</span>&gt; -n x\n";
        let plain = "kubectl delete pod <name> -n x\n";
        let marked = mark_placeholders(html, plain, &["<name>".to_owned()]);
        assert_eq!(
            marked,
            "kubectl delete pod <span class=\"a\"><mark class=\"placeholder\">&lt;name</mark></span><mark class=\"placeholder\">&gt;</mark> -n x\n"
        );
    }

    #[test]
    fn unsafe_schemes_are_refused() {
        assert!(!is_safe_url("javascript:alert(1)"));
        assert!(!is_safe_url(" JaVa\tScript:alert(1)"));
        assert!(!is_safe_url("data:text/html,x"));
        assert!(is_safe_url("https://x.example/a"));
        assert!(is_safe_url("restart.md#x"));
        assert!(is_safe_url("db/a:b.md"));
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(crate::parse::percent::decode_lossy("a%20b.md"), "a b.md");
        assert_eq!(crate::parse::percent::decode_lossy("100%"), "100%");
    }
}
