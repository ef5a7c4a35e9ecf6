//! The event walker: turns pulldown-cmark events of one file into sections, steps, links,
//! tables and metadata. Iterative (explicit stacks), so deeply nested input cannot overflow.

use super::argv::argv_of;
use super::classify::classify;
use super::lines::split_lines;
use super::markdown_parser;
use super::meta::{date_problems, fill_known, parse_front_matter, scan_lines};
use super::severity::{RawTable, recognise};
use super::shell::{FenceLine, ItemKind, is_shell_lang, split_fence};
use super::slug::{SlugSet, slugify};
use crate::diag::{Diagnostic, Severity, codes};
use crate::model::{
    Command, FrontMatterFormat, Link, LinkKind, Metadata, Runbook, Section, Step, StepKind, Table,
    TitleSource,
};
use crate::source::{SourceFile, Span};
use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, MetadataBlockKind, Tag, TagEnd};
use regex::Regex;
use std::borrow::Cow;
use std::ops::Range;
use std::sync::LazyLock;

/// Longest title kept for a step; longer text is cut at a word boundary.
const MAX_TITLE: usize = 100;

struct ListCtx {
    ordered: bool,
    next_number: u64,
}

struct ItemCtx {
    text: String,
    task: Option<bool>,
    start: usize,
    ordinal: Option<u64>,
    depth: usize,
    /// Text after a nested list or code block is not the item's own text.
    frozen: bool,
    emitted: bool,
    starts_with_link: bool,
    /// Inside a numbered item (at any depth above).
    under_numbered: bool,
    /// Length of the first paragraph of a loose item: the item's title.
    title_len: Option<usize>,
}

impl ItemCtx {
    /// The first paragraph: "**Drain traffic**" of an item that goes on to explain.
    fn title(&self) -> String {
        let end = self
            .title_len
            .unwrap_or(self.text.len())
            .min(self.text.len());
        clip(self.text.get(..end).unwrap_or(&self.text))
    }
}

struct CodeCtx {
    info: String,
    fenced: bool,
    range: Range<usize>,
    pieces: Vec<CodePiece>,
}

/// A piece of a code block's text: most are the source's own bytes and are kept as their
/// range; text that is not (tabs expanded, inline text) is copied.
enum CodePiece {
    Source(Range<usize>),
    Copied(String),
}

impl CodePiece {
    fn new(file: &SourceFile, text: &str, range: Range<usize>) -> Self {
        if file.text.get(range.clone()) == Some(text) {
            CodePiece::Source(range)
        } else {
            CodePiece::Copied(text.to_owned())
        }
    }
}

struct TableCtx {
    start: usize,
    header: Vec<String>,
    rows: Vec<(Vec<String>, Span)>,
    row: Vec<String>,
    row_start: usize,
    cell: String,
    in_head: bool,
}

struct LinkCtx {
    dest: String,
    start: usize,
    text: String,
    image: bool,
}

struct StepDraft {
    kind: StepKind,
    title: String,
    span: Span,
    section: Option<usize>,
}

pub struct Walker<'f> {
    file: &'f SourceFile,
    sections: Vec<Section>,
    /// Per section: it or a section above it is a procedure (see `procedure_section`).
    in_procedure: Vec<bool>,
    section_stack: Vec<usize>,
    slugs: SlugSet,
    steps: Vec<StepDraft>,
    links: Vec<Link>,
    tables: Vec<Table>,
    meta: Metadata,
    diagnostics: Vec<Diagnostic>,
    seen_h2: bool,
    first_h1: Option<String>,
    heading: Option<(HeadingLevel, Option<String>, usize, String)>,
    lists: Vec<ListCtx>,
    items: Vec<ItemCtx>,
    code: Option<CodeCtx>,
    table: Option<TableCtx>,
    link_stack: Vec<LinkCtx>,
    paragraph: Option<(usize, String)>,
    intro: Option<String>,
    front_matter: Option<(FrontMatterFormat, usize, String)>,
    /// Lines already scanned for metadata, one bit per line.
    scanned_lines: Vec<u64>,
}

impl<'f> Walker<'f> {
    pub fn new(file: &'f SourceFile) -> Self {
        Self {
            file,
            sections: Vec::new(),
            in_procedure: Vec::new(),
            section_stack: Vec::new(),
            slugs: SlugSet::default(),
            // Runbooks have about one step per 150 bytes; a draft is large, and growing the
            // list by doubling copied each one several times (`finish` makes the exact list).
            steps: Vec::with_capacity(file.text.len() / 128 + 8),
            links: Vec::new(),
            tables: Vec::new(),
            meta: Metadata::default(),
            diagnostics: Vec::new(),
            seen_h2: false,
            first_h1: None,
            heading: None,
            lists: Vec::new(),
            items: Vec::new(),
            code: None,
            table: None,
            link_stack: Vec::new(),
            paragraph: None,
            intro: None,
            front_matter: None,
            scanned_lines: Vec::new(),
        }
    }

    pub fn run(self) -> Runbook {
        let text = self.file.text.as_str();
        self.run_on(markdown_parser(text).into_offset_iter())
    }

    pub fn run_keeping_events(self) -> (Runbook, super::Events<'f>) {
        let text: &'f str = self.file.text.as_str();
        // About one event per 18 bytes of Markdown: sized up front instead of doubling
        // (and copying) a vector of events several times per file.
        let mut events: super::Events<'f> = Vec::with_capacity(text.len() / 16 + 16);
        events.extend(markdown_parser(text).into_offset_iter());
        // The walker reads the kept events where they are: cloning each cost 2% of a build.
        let runbook = self.run_on(events.iter().map(|(event, range)| (event, range.clone())));
        (runbook, events)
    }

    /// Walks `events`, owned (lint, inspect) or borrowed from the ones kept for the pages.
    fn run_on<E: std::borrow::Borrow<Event<'f>>>(
        mut self,
        events: impl Iterator<Item = (E, Range<usize>)>,
    ) -> Runbook {
        self.file_problems();
        for (event, range) in events {
            self.event(event.borrow(), range);
        }
        self.finish()
    }

    fn file_problems(&mut self) {
        let file = self.file;
        if let Some(at) = file.invalid_utf8_at {
            let (line, column) = file.line_col(at);
            self.diagnostics.push(
                Diagnostic::new(
                    codes::INVALID_UTF8.0,
                    codes::INVALID_UTF8.1,
                    Severity::Warning,
                    &file.path,
                    line,
                    column,
                    "file is not valid UTF-8; invalid bytes were replaced with U+FFFD",
                )
                .with_help("save the file as UTF-8"),
            );
        }
        if file.text.trim().is_empty() {
            self.diagnostics.push(
                Diagnostic::new(
                    codes::EMPTY_FILE.0,
                    codes::EMPTY_FILE.1,
                    Severity::Warning,
                    &file.path,
                    0,
                    0,
                    "file is empty",
                )
                .with_help("write the runbook, or delete the file"),
            );
        }
    }

    fn current_section(&self) -> Option<usize> {
        self.section_stack.last().copied()
    }

    fn event(&mut self, event: &Event<'_>, range: Range<usize>) {
        match event {
            Event::Start(tag) => self.start(tag, range),
            Event::End(tag) => self.end(*tag, range),
            Event::Text(text) => self.text(text, range),
            Event::Code(code) => self.inline_text(code),
            Event::SoftBreak | Event::HardBreak => self.inline_text(" "),
            Event::TaskListMarker(checked) => {
                if let Some(item) = self.items.last_mut() {
                    item.task = Some(*checked);
                }
            }
            // Inline HTML is kept as the text it is: the site escapes it, so a heading
            // `<img src=x onerror=...>` shows literally instead of vanishing.
            Event::InlineHtml(html) => self.inline_text(html),
            Event::Html(_)
            | Event::InlineMath(_)
            | Event::DisplayMath(_)
            | Event::FootnoteReference(_)
            | Event::Rule => {}
        }
    }

    fn start(&mut self, tag: &Tag<'_>, range: Range<usize>) {
        match tag {
            Tag::Heading { level, id, .. } => {
                self.flush_items_before_block();
                // Sized from the source: the text is never longer, and it grows per piece.
                let text = String::with_capacity(range.len());
                self.heading = Some((
                    *level,
                    id.as_ref().map(|i| i.to_string()),
                    range.start,
                    text,
                ));
            }
            Tag::Paragraph => {
                if self.items.is_empty() && self.table.is_none() {
                    self.paragraph = Some((range.start, String::with_capacity(range.len())));
                }
                self.scan_meta(range);
            }
            Tag::CodeBlock(kind) => {
                self.flush_items_before_block();
                let (info, fenced) = match kind {
                    CodeBlockKind::Fenced(info) => (info.to_string(), true),
                    CodeBlockKind::Indented => (String::new(), false),
                };
                self.code = Some(CodeCtx {
                    info,
                    fenced,
                    range,
                    pieces: Vec::new(),
                });
            }
            Tag::List(start) => {
                self.flush_items_before_block();
                self.lists.push(ListCtx {
                    ordered: start.is_some(),
                    next_number: start.unwrap_or(1),
                });
            }
            Tag::Item => {
                let (ordinal, under_parent_numbered) = {
                    let list = self.lists.last_mut();
                    let ordinal = list.filter(|l| l.ordered).map(|l| {
                        let n = l.next_number;
                        l.next_number += 1;
                        n
                    });
                    (ordinal, self.items.last().is_some_and(|i| i.under_numbered))
                };
                let depth = self.lists.len();
                let first_line_end = self.file.text[range.start..range.end]
                    .find('\n')
                    .map_or(range.end, |i| range.start + i);
                self.items.push(ItemCtx {
                    // Most items are one line; a longer one grows.
                    text: String::with_capacity(first_line_end - range.start),
                    task: None,
                    start: range.start,
                    ordinal,
                    depth,
                    frozen: false,
                    emitted: false,
                    starts_with_link: false,
                    under_numbered: under_parent_numbered || ordinal.is_some(),
                    title_len: None,
                });
                self.scan_meta(range.start..first_line_end);
            }
            Tag::Table(_) => {
                self.flush_items_before_block();
                self.table = Some(TableCtx {
                    start: range.start,
                    header: Vec::new(),
                    rows: Vec::new(),
                    row: Vec::new(),
                    row_start: range.start,
                    cell: String::new(),
                    in_head: false,
                });
            }
            Tag::TableHead => {
                if let Some(t) = &mut self.table {
                    t.in_head = true;
                    t.row.clear();
                }
            }
            Tag::TableRow => {
                if let Some(t) = &mut self.table {
                    t.row.clear();
                    t.row_start = range.start;
                }
            }
            Tag::TableCell => {
                if let Some(t) = &mut self.table {
                    t.cell.clear();
                }
            }
            Tag::Link { dest_url, .. } => {
                if let Some(item) = self.items.last_mut()
                    && item.text.trim().is_empty()
                    && !item.frozen
                {
                    item.starts_with_link = true;
                }
                self.link_stack.push(LinkCtx {
                    dest: dest_url.to_string(),
                    start: range.start,
                    text: String::new(),
                    image: false,
                });
            }
            Tag::Image { dest_url, .. } => {
                self.link_stack.push(LinkCtx {
                    dest: dest_url.to_string(),
                    start: range.start,
                    text: String::new(),
                    image: true,
                });
            }
            Tag::MetadataBlock(kind) => {
                let format = match kind {
                    MetadataBlockKind::YamlStyle => FrontMatterFormat::Yaml,
                    MetadataBlockKind::PlusesStyle => FrontMatterFormat::Toml,
                };
                let body_start = self.file.text[range.start..range.end]
                    .find('\n')
                    .map_or(range.end, |i| range.start + i + 1);
                self.front_matter = Some((format, body_start, String::new()));
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd, range: Range<usize>) {
        match tag {
            TagEnd::Heading(_) => self.end_heading(range),
            TagEnd::Paragraph => {
                // Paragraphs of a loose list item are separate sentences.
                if let Some(item) = self.items.last_mut()
                    && !item.frozen
                {
                    item.title_len.get_or_insert(item.text.len());
                    item.text.push(' ');
                }
                if let Some((start, text)) = self.paragraph.take() {
                    self.paragraph_intro(start, text.trim());
                }
            }
            TagEnd::CodeBlock => {
                if let Some(code) = self.code.take() {
                    self.end_code(code);
                }
            }
            TagEnd::List(_) => {
                self.lists.pop();
            }
            TagEnd::Item => {
                self.emit_item_step();
                self.items.pop();
            }
            TagEnd::TableHead => {
                if let Some(t) = &mut self.table {
                    t.header = std::mem::take(&mut t.row);
                    t.in_head = false;
                }
            }
            TagEnd::TableRow => {
                if let Some(t) = &mut self.table {
                    let span = self.file.span(t.row_start, range.end);
                    let row = std::mem::take(&mut t.row);
                    t.rows.push((row, span));
                }
            }
            TagEnd::TableCell => {
                if let Some(t) = &mut self.table {
                    // The buffer is kept for the next cell: it is copied (trimmed) anyway.
                    t.row.push(t.cell.trim().to_owned());
                    t.cell.clear();
                }
            }
            TagEnd::Table => {
                if let Some(t) = self.table.take() {
                    self.end_table(t, range);
                }
            }
            TagEnd::Link | TagEnd::Image => {
                if let Some(link) = self.link_stack.pop() {
                    self.end_link(link, range);
                }
            }
            TagEnd::MetadataBlock(_) => {
                if let Some((format, body_start, body)) = self.front_matter.take()
                    && let Err(diag) =
                        parse_front_matter(self.file, format, &body, body_start, &mut self.meta)
                {
                    self.diagnostics.push(diag);
                }
            }
            _ => {}
        }
    }

    fn text(&mut self, text: &str, range: Range<usize>) {
        if let Some(code) = &mut self.code {
            code.pieces.push(CodePiece::new(self.file, text, range));
            return;
        }
        if let Some((_, _, body)) = &mut self.front_matter {
            body.push_str(text);
            return;
        }
        self.inline_text(text);
    }

    /// Inline text goes to every capture that is open: heading, table cell, link, list item,
    /// paragraph.
    fn inline_text(&mut self, text: &str) {
        if let Some(code) = &mut self.code {
            code.pieces.push(CodePiece::new(self.file, text, 0..0));
            return;
        }
        if let Some((_, _, _, buf)) = &mut self.heading {
            buf.push_str(text);
        }
        if let Some(t) = &mut self.table {
            t.cell.push_str(text);
        }
        // An image inside a link (`[![badge](b.svg)](url)`): its alt text is the link's too.
        for link in &mut self.link_stack {
            link.text.push_str(text);
        }
        if let Some(item) = self.items.last_mut()
            && !item.frozen
        {
            item.text.push_str(text);
        }
        if let Some((_, buf)) = &mut self.paragraph {
            buf.push_str(text);
        }
    }

    fn scan_meta(&mut self, range: Range<usize>) {
        let (line, _) = self.file.line_col(range.start);
        if !self.mark_scanned(line) {
            // A list item's first line was scanned already; scan the rest of the paragraph.
            let next = self.file.text[range.start..range.end]
                .find('\n')
                .map(|i| range.start + i + 1);
            match next {
                Some(n) if n < range.end => {
                    scan_lines(self.file, n, range.end, !self.seen_h2, &mut self.meta)
                }
                _ => {}
            }
            return;
        }
        scan_lines(
            self.file,
            range.start,
            range.end,
            !self.seen_h2,
            &mut self.meta,
        );
        let last_line = self.file.line_col(range.end.saturating_sub(1)).0;
        for l in line + 1..=last_line {
            self.mark_scanned(l);
        }
    }

    /// Marks `line` as scanned; false when it was already.
    fn mark_scanned(&mut self, line: usize) -> bool {
        let (word, bit) = (line / 64, 1u64 << (line % 64));
        if word >= self.scanned_lines.len() {
            self.scanned_lines.resize(word + 1, 0);
        }
        let fresh = self.scanned_lines[word] & bit == 0;
        self.scanned_lines[word] |= bit;
        fresh
    }

    fn end_heading(&mut self, range: Range<usize>) {
        let Some((level, id, start, text)) = self.heading.take() else {
            return;
        };
        let level_num = heading_level(level);
        let title = text.trim().to_owned();
        if level_num == 1 && self.first_h1.is_none() {
            self.first_h1 = Some(title.clone());
        }
        if level_num >= 2 {
            self.seen_h2 = true;
        }
        let slug = match id {
            Some(id) => self.slugs.unique(&id),
            None => self.slugs.unique(&slugify(&title)),
        };
        while let Some(&top) = self.section_stack.last() {
            if self.sections[top].level >= level_num {
                self.section_stack.pop();
            } else {
                break;
            }
        }
        let parent = self.section_stack.last().copied();
        // Decided once per heading: every list item below asks.
        let in_procedure = (level_num >= 2 && names_a_procedure(&title))
            || parent.is_some_and(|p| self.in_procedure[p]);
        self.in_procedure.push(in_procedure);
        let heading_end = self.file.text[start..range.end]
            .find('\n')
            .map_or(range.end, |i| start + i);
        self.sections.push(Section {
            title,
            level: level_num,
            slug,
            parent,
            span: self.file.span(start, heading_end),
        });
        self.section_stack.push(self.sections.len() - 1);
        self.intro = None;
    }

    fn paragraph_intro(&mut self, start: usize, text: &str) {
        let first_line = self.file.text[start..].lines().next().unwrap_or("").trim();
        let bold_title = first_line.starts_with("**") && !BOLD_KEY.is_match(first_line);
        let lead_in = text.ends_with(':') && text.chars().count() <= 120;
        if bold_title || lead_in {
            let title = if bold_title {
                text.lines().next().unwrap_or(text)
            } else {
                text
            };
            self.intro = Some(clip(title.trim().trim_end_matches(':')));
        }
    }

    /// A list item's own step is emitted before any code or list nested in it, so steps stay
    /// in document order.
    fn flush_items_before_block(&mut self) {
        if self.items.is_empty() {
            return;
        }
        for i in 0..self.items.len() {
            if !self.items[i].emitted && !self.items[i].frozen {
                self.items[i].frozen = true;
            }
        }
        // Emit in outer-to-inner order (emitting adds steps, never items).
        for i in 0..self.items.len() {
            if !self.items[i].emitted {
                self.emit_item_at(i);
            }
        }
    }

    fn emit_item_step(&mut self) {
        if let Some(last) = self.items.len().checked_sub(1)
            && !self.items[last].emitted
        {
            self.emit_item_at(last);
        }
    }

    fn emit_item_at(&mut self, i: usize) {
        self.items[i].emitted = true;
        let item = &self.items[i];
        let section = self.current_section();
        if item.task.is_none() {
            // The H1 is the runbook's title ("Restart Procedure"), so it does not make every
            // bullet of the file a step; only level-2+ headings say "this is a procedure".
            // Most list items are not steps: these checks come before any text is copied
            // (blank text is what normalises to nothing).
            if item.text.trim().is_empty()
                || item.starts_with_link
                || !(item.under_numbered || self.procedure_section(section))
            {
                return;
            }
            let item_line = self.file.line_col(item.start).0;
            if self.meta.entries.iter().any(|e| e.span.line == item_line) {
                return;
            }
        }
        let text = normalize_space(&item.text);
        let span = self
            .file
            .span(item.start, item.start + item.text.len().min(1));
        let kind = match item.task {
            Some(checked) => StepKind::Check { text, checked },
            None => StepKind::Manual {
                text,
                ordinal: item.ordinal,
                depth: item.depth,
            },
        };
        // After the checks above: most list items are not steps and need no title.
        let title = item.title();
        self.steps.push(StepDraft {
            kind,
            title,
            span,
            section,
        });
    }

    /// True when `section` or a section above it is a level-2+ heading that names a
    /// procedure ("Rollback steps").
    fn procedure_section(&self, section: Option<usize>) -> bool {
        section.is_some_and(|i| self.in_procedure[i])
    }

    fn section_path(&self, mut section: Option<usize>) -> Vec<String> {
        let mut path = Vec::new();
        while let Some(i) = section {
            path.push(self.sections[i].title.clone());
            section = self.sections[i].parent;
        }
        path.reverse();
        path
    }

    /// Title for a step that has none of its own: the innermost list item, the lead-in
    /// paragraph, the section heading, the runbook title.
    fn context_title(&self) -> String {
        // "Then run:" introduces the code; the enclosing item says what the step is for.
        let item_title = self
            .items
            .iter()
            .rev()
            .map(ItemCtx::title)
            .find(|t| !t.is_empty() && !t.ends_with(':'));
        if let Some(title) = item_title {
            return title;
        }
        if let Some(intro) = &self.intro {
            return intro.clone();
        }
        if let Some(section) = self.current_section() {
            return self.sections[section].title.clone();
        }
        self.first_h1.clone().unwrap_or_default()
    }

    fn end_code(&mut self, code: CodeCtx) {
        let lang = fence_lang(&code.info);
        let fence_line = self.file.line_col(code.range.start).0;
        if code.fenced && !fence_is_closed(self.file, &code.range) {
            let (line, column) = self.file.line_col(code.range.start);
            self.diagnostics.push(
                Diagnostic::new(
                    codes::UNCLOSED_FENCE.0,
                    codes::UNCLOSED_FENCE.1,
                    Severity::Warning,
                    &self.file.path,
                    line,
                    column,
                    "code fence is never closed; the rest of the file was read as code",
                )
                .with_help("add the closing fence (``` on its own line) where the code ends"),
            );
        }
        let (content, line_offsets) = self.fence_lines(&code, fence_line);
        let section = self.current_section();
        if is_shell_lang(&lang) {
            let lines: Vec<FenceLine<'_>> = split_lines(&content)
                .zip(line_offsets.iter())
                .map(|(text, &offset)| FenceLine {
                    text: text.strip_suffix('\r').unwrap_or(text),
                    offset,
                })
                .collect();
            let lines = trim_trailing_empty(lines);
            let items = split_fence(&lang, &lines);
            // Made on first use: in many fences every command has its own comment.
            let mut fallback_title: Option<String> = None;
            for item in items {
                let idx = item.first_line;
                let last = (idx + item.line_count)
                    .saturating_sub(1)
                    .min(lines.len().saturating_sub(1));
                let end = lines
                    .get(last)
                    .map_or(item.offset, |l| l.offset + l.text.len())
                    .max(item.offset);
                let span = self.file.span(item.offset, end);
                let title = item.comment.as_deref().map(clip).unwrap_or_else(|| {
                    fallback_title
                        .get_or_insert_with(|| self.context_title())
                        .clone()
                });
                let kind = match item.kind {
                    ItemKind::Command { prompted, head } => {
                        let head = head.as_deref().unwrap_or(&item.text);
                        let literal = head.contains("<<")
                            && (head.contains("<<'")
                                || head.contains("<<\"")
                                || head.contains("<<-'")
                                || head.contains("<<\\"));
                        let c = classify(head, &item.text, literal);
                        let argv = argv_of(head);
                        StepKind::Command(Command {
                            argv,
                            text: item.text,
                            program: c.program,
                            programs: c.programs,
                            risk: c.risk,
                            risk_reason: c.risk_reason,
                            interactive: c.interactive,
                            never_ending: c.never_ending,
                            placeholders: c.placeholders,
                            env_vars: c.env_vars,
                            prompted,
                            lang: lang.clone(),
                            line_count: item.line_count,
                        })
                    }
                    ItemKind::Output => StepKind::ExpectedOutput { text: item.text },
                    ItemKind::Snippet(snippet_lang) => StepKind::Snippet {
                        lang: snippet_lang,
                        text: item.text,
                        in_shell_fence: true,
                    },
                };
                self.steps.push(StepDraft {
                    kind,
                    title,
                    span,
                    section,
                });
            }
        } else {
            let text = content.trim_end_matches(['\n', '\r']).replace("\r\n", "\n");
            if text.trim().is_empty() {
                return;
            }
            let start = line_offsets.first().copied().unwrap_or(code.range.start);
            let span = self.file.span(start, code.range.end);
            let title = self.context_title();
            let lang = if lang.is_empty() {
                "text".to_owned()
            } else {
                lang
            };
            self.steps.push(StepDraft {
                kind: StepKind::Snippet {
                    lang,
                    text,
                    in_shell_fence: false,
                },
                title,
                span,
                section,
            });
        }
    }

    /// The fence content and the source offset of each of its lines. pulldown-cmark removes
    /// list indentation, so offsets come from the event ranges when they are verbatim, and
    /// from counting lines after the opening fence otherwise.
    fn fence_lines(&self, code: &CodeCtx, fence_line: usize) -> (String, Vec<usize>) {
        let mut content = String::new();
        let mut starts: Vec<(usize, Option<usize>)> = Vec::new();
        for piece in &code.pieces {
            let (text, source_start) = match piece {
                CodePiece::Source(range) => (&self.file.text[range.clone()], Some(range.start)),
                CodePiece::Copied(text) => (text.as_str(), None),
            };
            starts.push((content.len(), source_start));
            content.push_str(text);
        }
        let first_content_line = if code.fenced {
            fence_line + 1
        } else {
            fence_line
        };
        let mut offsets = Vec::new();
        let mut line_start = 0;
        let mut cursor = 0;
        for (n, line) in split_lines(&content).enumerate() {
            while cursor + 1 < starts.len() && starts[cursor + 1].0 <= line_start {
                cursor += 1;
            }
            let piece = starts.get(cursor).filter(|(c, _)| *c <= line_start);
            let offset = match piece {
                Some((c, Some(src))) => src + (line_start - c),
                _ => {
                    let src_line = first_content_line + n;
                    let base = self
                        .file
                        .line_start(src_line)
                        .unwrap_or(self.file.text.len());
                    // Skip the indentation pulldown-cmark removed.
                    let line_text = self.file.line_text(src_line).unwrap_or("");
                    let removed = line_text
                        .len()
                        .saturating_sub(line.trim_end_matches('\r').len());
                    base + removed.min(line_text.len() - line_text.trim_start().len())
                }
            };
            offsets.push(offset);
            line_start += line.len() + 1;
        }
        (content, offsets)
    }

    fn end_table(&mut self, t: TableCtx, range: Range<usize>) {
        let raw = RawTable {
            header: &t.header,
            rows: &t.rows,
        };
        let span = self.file.span(t.start, range.end);
        let section = self.current_section();
        if let Some(severity) = recognise(&raw) {
            let title = section.map_or_else(
                || "Severity levels".to_owned(),
                |s| self.sections[s].title.clone(),
            );
            self.steps.push(StepDraft {
                kind: StepKind::Severity(severity),
                title,
                span,
                section,
            });
        } else {
            let width = t.header.len();
            let rows = t
                .rows
                .into_iter()
                .map(|(mut cells, _)| {
                    if cells.len() < width {
                        cells.resize(width, String::new());
                    }
                    cells
                })
                .collect();
            self.tables.push(Table {
                header: t.header,
                rows,
                section,
                span,
            });
        }
    }

    fn end_link(&mut self, link: LinkCtx, range: Range<usize>) {
        let target = link.dest;
        let (kind, path, fragment) = classify_link(&target);
        self.links.push(Link {
            text: normalize_space(&link.text),
            image: link.image,
            kind,
            path,
            fragment,
            span: self.file.span(link.start, range.end),
            target,
        });
    }

    fn finish(mut self) -> Runbook {
        self.flush_items_before_block();
        fill_known(&mut self.meta);
        self.diagnostics
            .extend(date_problems(&self.file.path, &self.meta));
        let (title, title_source) = if let Some(t) = self
            .meta
            .get("title")
            .map(|e| e.value.clone())
            .filter(|t| !t.trim().is_empty())
        {
            (t, TitleSource::FrontMatter)
        } else if let Some(h1) = self.first_h1.clone().filter(|t| !t.is_empty()) {
            (h1, TitleSource::Heading)
        } else {
            (file_stem(&self.file.path), TitleSource::FileName)
        };
        // Only looked up, never iterated: the hasher cannot change any output.
        let mut seen: foldhash::HashMap<u64, usize> = Default::default();
        let paths: Vec<std::sync::Arc<[String]>> = (0..self.sections.len())
            .map(|i| self.section_path(Some(i)).into())
            .collect();
        let outside: std::sync::Arc<[String]> = Vec::new().into();
        let drafts = std::mem::take(&mut self.steps);
        let steps = drafts
            .into_iter()
            .enumerate()
            .map(|(i, draft)| {
                let section_path = draft
                    .section
                    .and_then(|s| paths.get(s))
                    .unwrap_or(&outside)
                    .clone();
                let slug = draft.section.map_or("", |s| self.sections[s].slug.as_str());
                let hash = fnv1a(&[slug, draft.kind.name(), &step_text(&draft.kind)]);
                let ordinal = seen.entry(hash).or_insert(0);
                let (mut hash_digits, mut ordinal_digits) = ([0; 20], [0; 20]);
                let id = step_id(fnv1a(&[
                    decimal(hash, &mut hash_digits),
                    decimal(*ordinal as u64, &mut ordinal_digits),
                ]));
                *ordinal += 1;
                Step {
                    number: i + 1,
                    id,
                    title: draft.title,
                    section: draft.section,
                    section_path,
                    span: draft.span,
                    kind: draft.kind,
                }
            })
            .collect();
        Runbook {
            path: self.file.path.clone(),
            title,
            title_source,
            meta: self.meta,
            sections: self.sections,
            steps,
            links: self.links,
            tables: self.tables,
            diagnostics: self.diagnostics,
        }
    }
}

static BOLD_KEY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\*\*[^*]+(:\*\*|\*\*\s*:)").unwrap());

static PROCEDURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)procedure|steps|resolution|solution|mitigat|recover|remediat|how to|instructions|actions|runbook|rollback|restart|failover|verif|diagnos|escalat|response|checklist|playbook").unwrap()
});

/// Whether `PROCEDURE` matches `title`. Every heading asks, and the regex costs more than
/// reading an ASCII title by hand: each position is looked up by its first two letters (in
/// lower case) among `PROCEDURE`'s words, compared without case; no word is shorter than
/// five letters. Other titles go to the regex, whose case folding also knows `ſ` and the
/// Kelvin sign.
fn names_a_procedure(title: &str) -> bool {
    if !title.is_ascii() {
        return PROCEDURE.is_match(title);
    }
    let bytes = title.as_bytes();
    (0..bytes.len().saturating_sub(4)).any(|i| {
        let rest = &bytes[i..];
        let start = (rest[0].to_ascii_lowercase(), rest[1].to_ascii_lowercase());
        procedure_words_starting(start).iter().any(|word| {
            rest.get(..word.len())
                .is_some_and(|r| r.eq_ignore_ascii_case(word.as_bytes()))
        })
    })
}

/// `PROCEDURE`'s words (in lower case) that start with the two letters `start`.
fn procedure_words_starting(start: (u8, u8)) -> &'static [&'static str] {
    match start {
        (b'a', b'c') => &["actions"],
        (b'c', b'h') => &["checklist"],
        (b'd', b'i') => &["diagnos"],
        (b'e', b's') => &["escalat"],
        (b'f', b'a') => &["failover"],
        (b'h', b'o') => &["how to"],
        (b'i', b'n') => &["instructions"],
        (b'm', b'i') => &["mitigat"],
        (b'p', b'r') => &["procedure"],
        (b'p', b'l') => &["playbook"],
        (b'r', b'e') => &["resolution", "recover", "remediat", "restart", "response"],
        (b'r', b'u') => &["runbook"],
        (b'r', b'o') => &["rollback"],
        (b's', b't') => &["steps"],
        (b's', b'o') => &["solution"],
        (b'v', b'e') => &["verif"],
        _ => &[],
    }
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// The language word of a fence info string: `bash {name=x}` and `bash title="a"` give `bash`.
pub fn fence_lang(info: &str) -> String {
    info.trim()
        .split(|c: char| c.is_whitespace() || c == '{' || c == ',')
        .next()
        .unwrap_or("")
        .trim_start_matches('.')
        .to_ascii_lowercase()
}

fn fence_is_closed(file: &SourceFile, range: &Range<usize>) -> bool {
    let block = &file.text[range.clone()];
    let first = block.trim_start();
    let fence_char = if first.starts_with('~') { '~' } else { '`' };
    let open_len = first.chars().take_while(|c| *c == fence_char).count();
    let mut lines = block.trim_end_matches(['\n', '\r']).lines();
    lines.next();
    lines.next_back().is_some_and(|last| {
        let t = last.trim_start_matches([' ', '>']).trim_end();
        t.chars().take_while(|c| *c == fence_char).count() >= open_len
            && t.chars().all(|c| c == fence_char)
    })
}

fn trim_trailing_empty(mut lines: Vec<FenceLine<'_>>) -> Vec<FenceLine<'_>> {
    while lines.last().is_some_and(|l| l.text.trim().is_empty()) {
        lines.pop();
    }
    lines
}

fn classify_link(target: &str) -> (LinkKind, String, Option<String>) {
    if let Some(fragment) = target.strip_prefix('#') {
        return (LinkKind::Anchor, String::new(), Some(fragment.to_owned()));
    }
    let lower = target.to_ascii_lowercase();
    let has_scheme = lower.split_once(':').is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
            && scheme.len() > 1
    });
    if has_scheme || lower.starts_with("//") {
        return (LinkKind::External, String::new(), None);
    }
    let (path, fragment) = match target.split_once('#') {
        Some((p, f)) => (p, Some(f.to_owned())),
        None => (target, None),
    };
    let path = super::percent::decode_lossy(path.split('?').next().unwrap_or(path));
    (LinkKind::Relative, path, fragment)
}

fn step_text(kind: &StepKind) -> Cow<'_, str> {
    match kind {
        StepKind::Command(c) => Cow::Borrowed(&c.text),
        StepKind::ExpectedOutput { text }
        | StepKind::Check { text, .. }
        | StepKind::Manual { text, .. }
        | StepKind::Snippet { text, .. } => Cow::Borrowed(text),
        StepKind::Severity(t) => Cow::Owned(
            t.levels
                .iter()
                .map(|l| l.name.as_str())
                .collect::<Vec<_>>()
                .join(","),
        ),
    }
}

/// `n` in decimal, written into `buf`: what `n.to_string()` gives, without allocating.
fn decimal(mut n: u64, buf: &mut [u8; 20]) -> &str {
    // Two digits per division: every step id needs the 20 digits of a hash.
    const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
        2021222324252627282930313233343536373839\
        4041424344454647484950515253545556575859\
        6061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899";
    let mut start = buf.len();
    while n >= 10 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        start -= 2;
        buf[start..start + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    }
    if n > 0 || start == buf.len() {
        start -= 1;
        buf[start] = b'0' + n as u8;
    }
    std::str::from_utf8(&buf[start..]).expect("ASCII digits")
}

/// FNV-1a: a fixed hash, so step ids are the same on every machine and every Rust version.
fn fnv1a(parts: &[&str]) -> u64 {
    const PRIME: u64 = 0x0100_0000_01b3;
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut add = |byte: u8| hash = (hash ^ u64::from(byte)).wrapping_mul(PRIME);
    for part in parts {
        // This runs over every step's text: eight bytes per turn, which the compiler
        // unrolls, then the rest one by one. The same bytes in the same order.
        let chunks = part.as_bytes().chunks_exact(8);
        let rest = chunks.remainder();
        for chunk in chunks {
            for &byte in chunk {
                add(byte);
            }
        }
        for &byte in rest {
            add(byte);
        }
        add(0xff);
    }
    hash
}

/// `step-` and the low 32 bits of `hash` as eight lower-case hex digits: what
/// `format!("step-{:08x}", hash as u32)` gives, without the formatting machinery.
fn step_id(hash: u64) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut id = *b"step-00000000";
    for (i, shift) in (0..32).step_by(4).rev().enumerate() {
        id[5 + i] = HEX[((hash >> shift) & 0xf) as usize];
    }
    std::str::from_utf8(&id).expect("ASCII hex").to_owned()
}

/// The words of `text`, split at any (Unicode) whitespace. ASCII text without a vertical tab
/// (the one ASCII space `split_ascii_whitespace` does not split at) takes the faster byte
/// splitter, with the same result.
fn words(text: &str) -> Words<'_> {
    if text.is_ascii() && !text.contains('\x0b') {
        Words::Ascii(text.split_ascii_whitespace())
    } else {
        Words::Unicode(text.split_whitespace())
    }
}

/// The splitter [`words`] chose; an enum rather than a boxed iterator, which cost an
/// allocation per title.
enum Words<'t> {
    Ascii(std::str::SplitAsciiWhitespace<'t>),
    Unicode(std::str::SplitWhitespace<'t>),
}

impl<'t> Iterator for Words<'t> {
    type Item = &'t str;

    fn next(&mut self) -> Option<&'t str> {
        match self {
            Words::Ascii(words) => words.next(),
            Words::Unicode(words) => words.next(),
        }
    }
}

fn normalize_space(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in words(text) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

fn clip(text: &str) -> String {
    // Only the first MAX_TITLE + 1 characters of the normalised text decide the title, and
    // the text can be a whole list item: only a window at its start is split (with `words`,
    // on bytes when it can). The window's answer is the text's when the window is the whole
    // text, or when it already gave more than MAX_TITLE characters: those are the text's
    // first ones, even if the window cut its last word short.
    let mut end = text.len().min(CLIP_WINDOW);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    // A title fits in its window (the text is not longer than itself once normalised);
    // one longer than MAX_TITLE is cut into a new string anyway.
    let capacity = end.min(MAX_TITLE + 1);
    let (title, chars) = gather_title(words(&text[..end]), capacity);
    if end == text.len() || chars > MAX_TITLE {
        return finish_title(title, chars);
    }
    // A window of mostly white space: the whole text, read lazily.
    let (title, chars) = gather_title(text.split_whitespace(), capacity);
    finish_title(title, chars)
}

/// Bytes of a title's text that [`clip`] splits first: enough for any title that is not
/// mostly white space.
const CLIP_WINDOW: usize = 4 * MAX_TITLE;

/// `words` joined by single spaces until they are longer than `MAX_TITLE` characters, and
/// their length in characters.
fn gather_title<'t>(words: impl Iterator<Item = &'t str>, capacity: usize) -> (String, usize) {
    let mut title = String::with_capacity(capacity);
    let mut chars = 0;
    for word in words {
        if chars > MAX_TITLE {
            break;
        }
        if !title.is_empty() {
            title.push(' ');
            chars += 1;
        }
        title.push_str(word);
        chars += word.chars().count();
    }
    (title, chars)
}

/// The title: as gathered when short enough, else cut at the last word end before
/// `MAX_TITLE` characters, with an ellipsis.
fn finish_title(text: String, chars: usize) -> String {
    if chars <= MAX_TITLE {
        return text;
    }
    let cut: String = text.chars().take(MAX_TITLE).collect();
    let cut = cut
        .rsplit_once(' ')
        .map_or(cut.as_str(), |(head, _)| head)
        .to_owned();
    format!("{cut}…")
}

fn file_stem(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.rsplit_once('.')
        .map_or(name, |(stem, _)| stem)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        #[test]
        fn procedure_titles_are_the_regex_matches(
            pieces in proptest::collection::vec(
                "procedure|steps|resolution|solution|mitigat|recover|remediat|how to|instructions|actions|runbook|rollback|restart|failover|verif|diagnos|escalat|response|checklist|playbook|PROCEDURE|Steps|ReSpOnSe|How To|how  to|[a-zA-Z ]{1,3}|ſ|K|é|-|:",
                0..6,
            ),
            cut in 0usize..4,
        ) {
            // Cutting letters off the last piece makes near misses ("rollbac").
            let mut title = pieces.concat();
            for _ in 0..cut {
                if title.is_ascii() {
                    title.pop();
                }
            }
            proptest::prop_assert_eq!(
                names_a_procedure(&title),
                PROCEDURE.is_match(&title),
                "{:?}",
                title
            );
        }
    }

    /// A title by its definition: the words joined by one space, cut at a word end before
    /// `MAX_TITLE` characters, with an ellipsis.
    fn clip_by_definition(text: &str) -> String {
        let normal = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if normal.chars().count() <= MAX_TITLE {
            return normal;
        }
        let cut: String = normal.chars().take(MAX_TITLE).collect();
        let cut = cut
            .rsplit_once(' ')
            .map_or(cut.as_str(), |(head, _)| head)
            .to_owned();
        format!("{cut}…")
    }

    proptest::proptest! {
        /// `clip` and `normalize_space` give what the plain definitions give: words joined
        /// by one space, cut at a word end before `MAX_TITLE` characters.
        #[test]
        fn clip_matches_its_definition(text in "([a-zé€ ]{0,12}[ \t\n\u{b}\u{a0}]{0,2}){0,30}") {
            let normal = text.split_whitespace().collect::<Vec<_>>().join(" ");
            proptest::prop_assert_eq!(&normalize_space(&text), &normal);
            proptest::prop_assert_eq!(clip(&text), clip_by_definition(&text));
        }
    }

    proptest::proptest! {
        #[test]
        fn decimal_is_to_string(n in proptest::prelude::any::<u64>()) {
            let mut buf = [0; 20];
            proptest::prop_assert_eq!(decimal(n, &mut buf), n.to_string());
        }
    }

    proptest::proptest! {
        #[test]
        fn step_id_is_the_formatted_hash(hash in proptest::prelude::any::<u64>()) {
            proptest::prop_assert_eq!(step_id(hash), format!("step-{:08x}", hash as u32));
        }
    }

    proptest::proptest! {
        #[test]
        fn fnv1a_is_the_byte_by_byte_hash(parts in proptest::collection::vec(".{0,30}", 0..4)) {
            let mut want: u64 = 0xcbf2_9ce4_8422_2325;
            for part in &parts {
                for &byte in part.as_bytes().iter().chain(&[0xff]) {
                    want = (want ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
                }
            }
            let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
            proptest::prop_assert_eq!(fnv1a(&parts), want);
        }
    }

    #[test]
    fn fnv1a_is_the_published_hash() {
        // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c; each part is followed by a 0xff byte.
        let prime: u64 = 0x0100_0000_01b3;
        let a = (0xcbf2_9ce4_8422_2325u64 ^ u64::from(b'a')).wrapping_mul(prime);
        assert_eq!(a, 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(&["a"]), (a ^ 0xff).wrapping_mul(prime));
        assert_eq!(fnv1a(&[]), 0xcbf2_9ce4_8422_2325);
    }

    #[test]
    fn decimal_edges() {
        for n in [0, 1, 9, 10, 11, 99, 100, 101, 1000, 1_000_000_007, u64::MAX] {
            let mut buf = [0; 20];
            assert_eq!(decimal(n, &mut buf), n.to_string());
        }
    }

    proptest::proptest! {
        /// Long ASCII texts, with words and white space around the end of `clip`'s window.
        #[test]
        fn clip_of_long_text_matches_its_definition(
            text in "([a-z]{1,12}|[a-z]{60,90}|[ \t\n]{1,3}|[ ]{30,60}|[ ]{150,300}|é){0,40}"
        ) {
            proptest::prop_assert_eq!(clip(&text), clip_by_definition(&text));
        }
    }

    #[test]
    fn fence_info_strings() {
        assert_eq!(fence_lang("bash {name=restart}"), "bash");
        assert_eq!(fence_lang("Shell-Session"), "shell-session");
        assert_eq!(fence_lang("{.bash}"), "");
        assert_eq!(fence_lang("sh,linenos"), "sh");
    }

    #[test]
    fn link_kinds() {
        assert_eq!(classify_link("#a").0, LinkKind::Anchor);
        assert_eq!(classify_link("https://x").0, LinkKind::External);
        assert_eq!(classify_link("mailto:a@b").0, LinkKind::External);
        let (kind, path, frag) = classify_link("../db/failover%20plan.md#steps");
        assert_eq!(
            (kind, path.as_str(), frag.as_deref()),
            (LinkKind::Relative, "../db/failover plan.md", Some("steps"))
        );
        assert_eq!(classify_link("C:/x.md").0, LinkKind::Relative);
    }

    #[test]
    fn images_are_links_with_their_alt_text() {
        let file = crate::source::SourceFile::new(
            "a.md",
            "# A\n\n![Topology](img/t.svg)\n\n[![Status badge](b.svg)](https://status.example)\n",
        );
        let runbook = crate::parse::parse_runbook(&file);
        let shown: Vec<(&str, &str, bool)> = runbook
            .links
            .iter()
            .map(|l| (l.target.as_str(), l.text.as_str(), l.image))
            .collect();
        assert_eq!(
            shown,
            vec![
                ("img/t.svg", "Topology", true),
                ("b.svg", "Status badge", true),
                ("https://status.example", "Status badge", false),
            ]
        );
    }
}
