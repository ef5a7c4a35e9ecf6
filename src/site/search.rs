//! The search index, built at compile time at step granularity and emitted as a script
//! (`search-index.js` assigns `window.RUNBOOK_SEARCH`) so it loads from `file://` where
//! `fetch` of a JSON file is blocked. The page loads it only when the search box is first
//! used. To stay smaller than the Markdown it indexes it holds only what a query can match
//! and a hit needs to show: headings, commands, checklist and procedure text (cut at
//! `MAX_TEXT` characters), snippet first lines, severity levels; never expected output.

use crate::model::{Runbook, StepKind};
use serde::Serialize;

/// Longest text kept for one entry.
pub const MAX_TEXT: usize = 240;

/// The whole index.
#[derive(Debug, Default, Serialize)]
pub struct SearchIndex {
    /// Version of this shape.
    pub v: u32,
    /// `[href, title]` per page, referenced by position from `items`.
    pub pages: Vec<(String, String)>,
    /// `[page, anchor, heading, text, kind]`; kind is one letter: `s`ection, `c`ommand,
    /// chec`k`, `m`anual, s`n`ippet, se`v`erity.
    pub items: Vec<(usize, String, String, String, char)>,
}

impl SearchIndex {
    /// Adds one runbook published at `href`.
    pub fn add(&mut self, runbook: &Runbook, href: &str) {
        let page = self.pages.len();
        self.pages.push((href.to_owned(), runbook.title.clone()));
        for section in &runbook.sections {
            if section.level == 1 && section.title == runbook.title {
                continue;
            }
            self.items.push((
                page,
                section.slug.clone(),
                section.title.clone(),
                String::new(),
                's',
            ));
        }
        for step in &runbook.steps {
            let section_title = step
                .section
                .and_then(|i| runbook.sections.get(i))
                .map(|s| s.title.as_str());
            // The heading is only worth storing when it says more than the section does.
            let heading = if Some(step.title.as_str()) == section_title {
                String::new()
            } else {
                cut(&step.title)
            };
            let (text, kind) = match &step.kind {
                StepKind::Command(cmd) => (cut(&cmd.text), 'c'),
                StepKind::Check { text, .. } => (cut(text), 'k'),
                StepKind::Manual { text, .. } => (cut(text), 'm'),
                StepKind::Snippet { text, .. } => (cut(text.lines().next().unwrap_or("")), 'n'),
                StepKind::Severity(table) => (
                    cut(&table
                        .levels
                        .iter()
                        .map(|l| {
                            let mut s = l.name.clone();
                            if let Some(label) = &l.label {
                                s.push(' ');
                                s.push_str(label);
                            }
                            if let Some(t) = &l.response_time {
                                s.push_str(": ");
                                s.push_str(t);
                            }
                            s
                        })
                        .collect::<Vec<_>>()
                        .join("; ")),
                    'v',
                ),
                StepKind::ExpectedOutput { .. } => continue,
            };
            // Checklist and procedure titles are usually the start of their own text.
            let stem = heading.trim_end_matches('…');
            let heading = if text.starts_with(stem) {
                String::new()
            } else {
                heading
            };
            self.items
                .push((page, step.id.clone(), heading, text, kind));
        }
    }

    /// Appends another index (one runbook's, built in parallel) after this one's pages.
    pub fn append(&mut self, other: SearchIndex) {
        let offset = self.pages.len();
        self.pages.extend(other.pages);
        self.items.extend(
            other
                .items
                .into_iter()
                .map(|(page, anchor, heading, text, kind)| {
                    (page + offset, anchor, heading, text, kind)
                }),
        );
    }

    /// The script text: `window.RUNBOOK_SEARCH=<json>;`.
    pub fn to_script(&self) -> String {
        // Serialized straight after the prefix: at 10,000 runbooks the JSON is tens of
        // megabytes, and a second copy of it would be the build's peak memory.
        let mut script = b"window.RUNBOOK_SEARCH=".to_vec();
        if serde_json::to_writer(&mut script, self).is_err() {
            script.clear();
            script.extend_from_slice(b"window.RUNBOOK_SEARCH={}");
        }
        script.extend_from_slice(b";\n");
        // serde_json writes valid UTF-8, and the prefix is ASCII.
        String::from_utf8(script).unwrap_or_default()
    }
}

fn cut(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(MAX_TEXT) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    #[test]
    fn index_has_steps_and_sections_but_not_output() {
        let file = SourceFile::new(
            "a.md",
            "# A\n\n## Restart\n\n```console\n$ kubectl rollout restart deploy/x\nrestarted\n```\n\n- [ ] tell the team\n",
        );
        let runbook = crate::parse::parse_runbook(&file);
        let mut index = SearchIndex::default();
        index.add(&runbook, "a.html");
        let script = index.to_script();
        assert!(script.starts_with("window.RUNBOOK_SEARCH={"), "{script}");
        assert!(
            script.contains("kubectl rollout restart deploy/x"),
            "{script}"
        );
        assert!(script.contains("\"restart\""), "section slug: {script}");
        assert!(script.contains("tell the team"), "{script}");
        assert!(
            !script.contains("restarted\""),
            "no expected output: {script}"
        );
    }
}
