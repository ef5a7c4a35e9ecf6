//! The search index, built at compile time at step granularity and emitted as scripts, so it
//! loads from `file://` where `fetch` of a JSON file is blocked. It holds only what a query
//! can match and a hit needs to show: headings, commands, checklist and procedure text (cut
//! at `MAX_TEXT` characters), snippet first lines, severity levels; never expected output.
//!
//! `search-index.js` is a small manifest (`window.RUNBOOK_SEARCH`), loaded when the search
//! box is first used. A small book's entries are inline in it, and the page derives the
//! term index from them. A larger one is split so a query loads only what it needs:
//!
//! - *term shards* (`search/t<N>.js`): an inverted index, term → postings. The shards
//!   partition the terms by prefix (`""`, `re`, `res`, ...; each term lives in the shard with
//!   the longest key that is a prefix of it), a prefix being split further while its shard
//!   is larger than `[site] search_shard_size`. The manifest lists the keys; a query word
//!   loads the shard of its longest key and those whose key starts with the word.
//! - *document shards* (`search/d<N>.js`): the entries themselves, `per` consecutive ones
//!   each with the pages they belong to; only the shards of the hits shown are loaded.
//!
//! Every shard calls `RUNBOOK_SEARCH_SHARD(kind, id, data)` (defined by `app.js`).
//!
//! Terms: text split at every ASCII character that is not a letter or digit (non-ASCII
//! characters are part of words), lower-cased, cut at `MAX_TERM` characters; `app.js`
//! splits queries the same way. A word of two or more characters matches terms that start
//! with it, a single character matches only itself. An entry matches when every word of the
//! query matches its heading, its text or the title of its page. A posting is one number,
//! `(item - previous item) << 4 | flags`: 4 the term is in the heading, 2 in the text, 1 it
//! starts the text, 8 the entry is a command; ranking adds 3, 2, 1 and 1 for them.

use super::SiteError;
use super::output::Staging;
use crate::model::{Runbook, StepKind};
use crate::plan::json::{push_number, push_string};
use rayon::prelude::*;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, RwLock};

/// How an index is split into files (see `SearchIndex::layout`).
struct Layout<'a> {
    /// Small enough to live in the manifest.
    inline: bool,
    /// Entries per document shard.
    per: usize,
    /// Every term with its postings, in order; term shards refer to them by position.
    entries: Vec<(Arc<str>, &'a [u32])>,
    /// Document shards, then term shards.
    shards: Vec<Shard>,
    /// The key (term prefix) of each term shard, in order.
    keys: Vec<String>,
}

/// One file of the index under `search/`.
enum Shard {
    /// Document shard `n`: these entries.
    Docs(usize, std::ops::Range<usize>),
    /// Term shard `n`: these terms (positions in `Layout::entries`).
    Terms(usize, Vec<usize>),
}

/// Longest text kept for one entry.
pub const MAX_TEXT: usize = 240;

/// Longest term indexed, in characters; longer words are cut (and so are query words).
pub const MAX_TERM: usize = 32;

/// Folder of the shards in the site.
pub const SHARD_DIR: &str = "search";

/// Entries beyond this many are not indexed (postings hold an entry number in 28 bits).
const MAX_ITEMS: usize = 1 << 27;

const FLAG_START: u32 = 1;
const FLAG_TEXT: u32 = 2;
const FLAG_HEADING: u32 = 4;
const FLAG_COMMAND: u32 = 8;

/// One entry as it is built: `[page, anchor, heading, text, kind]`; kind is one letter:
/// `s`ection, `c`ommand, chec`k`, `m`anual, s`n`ippet, se`v`erity.
/// The texts borrow from the runbook where they are kept whole (most are).
type Item<'r> = (usize, &'r str, Cow<'r, str>, Cow<'r, str>, char);

/// The whole index, before it is written. Entries are kept as the JSON they are written as,
/// less their page number (which moves when indexes are appended): one string per runbook
/// costs a fraction of a `String` per field, and writing is then copying.
#[derive(Debug, Default)]
pub struct SearchIndex {
    /// `[href,title]` per page as JSON, referenced by position from `items`.
    pages: Vec<String>,
    /// Every entry's JSON after its page number, `"anchor","heading","text","kind"]`, in
    /// book order, one after the other; one segment per runbook (with the number of its
    /// first entry), so the text never needs one large reallocation.
    docs: Vec<(usize, String)>,
    /// Per entry: its page and where its JSON ends in its segment of `docs`.
    items: Vec<(u32, u32)>,
    /// Term → postings with absolute entry numbers (`item << 4 | flags`).
    terms: Terms,
}

/// Numbers for terms, shared by the indexes of the runbooks of one build (each built on its
/// own core): joining two indexes then adds postings to the list of each term number, where
/// merging lists sorted by term compared and moved every term of both, at every level of
/// the reduction, and looking terms up by text hashed them all again.
#[derive(Debug, Default)]
pub struct Vocabulary {
    /// Term → its number (numbers count up from 0).
    numbers: RwLock<foldhash::HashMap<Arc<str>, u32>>,
}

impl Vocabulary {
    /// The numbers of `terms`, giving new ones to terms not seen before.
    fn numbers_of(&self, terms: &[&str]) -> Vec<u32> {
        let mut found: Vec<Option<u32>> = {
            let numbers = self.numbers.read().unwrap_or_else(|e| e.into_inner());
            terms.iter().map(|t| numbers.get(*t).copied()).collect()
        };
        if found.iter().any(Option::is_none) {
            let mut numbers = self.numbers.write().unwrap_or_else(|e| e.into_inner());
            for (term, number) in terms.iter().zip(&mut found) {
                if number.is_none() {
                    let next = numbers.len() as u32;
                    *number = Some(*numbers.entry(Arc::from(*term)).or_insert(next));
                }
            }
        }
        found.into_iter().map(|n| n.unwrap_or_default()).collect()
    }

    /// Every term, by number.
    fn terms(&self) -> Vec<Arc<str>> {
        let numbers = self.numbers.read().unwrap_or_else(|e| e.into_inner());
        let mut terms: Vec<Arc<str>> = vec![Arc::from(""); numbers.len()];
        for (term, &n) in numbers.iter() {
            terms[n as usize] = term.clone();
        }
        terms
    }
}

/// Terms with their postings, by number in a `Vocabulary`.
#[derive(Debug, Default)]
struct Terms {
    vocabulary: Arc<Vocabulary>,
    /// (term number, its postings `item << 4 | flags` in entry order), a number at most
    /// once, in no particular order.
    lists: Vec<(u32, Vec<u32>)>,
    /// Term number → its position in `lists` (`u32::MAX`: none), built once the index
    /// joins a second one.
    position: Vec<u32>,
}

/// What `SearchIndex::write` wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    /// Bytes of every file of the index together.
    pub bytes: usize,
    /// Bytes of `search-index.js`.
    pub manifest_bytes: usize,
    /// Number of term shards (0 when the entries are inline in the manifest).
    pub term_shards: usize,
    /// Number of document shards (0 when inline).
    pub doc_shards: usize,
}

/// The terms of a text, in order, with repeats.
pub fn terms(text: &str) -> impl Iterator<Item = String> + '_ {
    terms_cow(text).map(Cow::into_owned)
}

impl SearchIndex {
    /// An empty index whose terms are numbered in `vocabulary`: indexes that share one are
    /// appended without looking their terms up.
    pub fn with_vocabulary(vocabulary: Arc<Vocabulary>) -> Self {
        Self {
            terms: Terms {
                vocabulary,
                ..Terms::default()
            },
            ..Self::default()
        }
    }

    /// Adds one runbook published at `href`.
    pub fn add(&mut self, runbook: &Runbook, href: &str) {
        let page = self.pages.len();
        let mut page_json = String::with_capacity(href.len() + runbook.title.len() + 8);
        page_json.push('[');
        push_string(&mut page_json, href);
        page_json.push(',');
        push_string(&mut page_json, &runbook.title);
        page_json.push(']');
        self.pages.push(page_json);
        let mut items: Vec<Item> = Vec::with_capacity(runbook.sections.len() + runbook.steps.len());
        for section in &runbook.sections {
            if section.level == 1 && section.title == runbook.title {
                continue;
            }
            items.push((
                page,
                &section.slug,
                Cow::Borrowed(&section.title),
                Cow::Borrowed(""),
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
                Cow::Borrowed("")
            } else {
                cut(&step.title)
            };
            let (text, kind) = match &step.kind {
                StepKind::Command(cmd) => (cut(&cmd.text), 'c'),
                StepKind::Check { text, .. } => (cut(text), 'k'),
                StepKind::Manual { text, .. } => (cut(text), 'm'),
                StepKind::Snippet { text, .. } => (cut(text.lines().next().unwrap_or("")), 'n'),
                StepKind::Severity(table) => (
                    Cow::Owned(
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
                            .join("; "))
                        .into_owned(),
                    ),
                    'v',
                ),
                StepKind::ExpectedOutput { .. } => continue,
            };
            // Checklist and procedure titles are usually the start of their own text.
            let stem = heading.trim_end_matches('…');
            let heading = if text.starts_with(stem) {
                Cow::Borrowed("")
            } else {
                heading
            };
            items.push((page, &step.id, heading, text, kind));
        }
        let first = self.items.len();
        // Postings gathered per term: entries are visited in order, so each list is in entry
        // order, and a term met again in the same entry only adds its flags.
        // Term → its list in `postings`. The title's terms count for every entry of the
        // page, so their lists are looked up once, not once per entry.
        let text_bytes: usize = items.iter().map(|i| i.2.len() + i.3.len()).sum();
        let mut gathered = Gathered::for_text_of(text_bytes + runbook.title.len());
        let title_slots: Vec<u32> = words(&runbook.title)
            .map(|word| gathered.slot(word))
            .collect();
        for (n, item) in items.iter().enumerate() {
            let id = first + n;
            if id >= MAX_ITEMS {
                break;
            }
            let entry = (id as u32) << 4;
            let command = entry | if item.4 == 'c' { FLAG_COMMAND } else { 0 };
            for &s in &title_slots {
                gathered.add_posting(s, command);
            }
            for word in words(&item.2) {
                let s = gathered.slot(word);
                gathered.add_posting(s, FLAG_HEADING | command);
            }
            for (i, word) in words(&item.3).enumerate() {
                let start = if i == 0 { FLAG_START } else { 0 };
                let s = gathered.slot(word);
                gathered.add_posting(s, FLAG_TEXT | command | start);
            }
        }
        let (own, lists) = gathered.lists();
        let numbers = self.terms.vocabulary.numbers_of(&own);
        let own = Terms {
            vocabulary: self.terms.vocabulary.clone(),
            lists: numbers.into_iter().zip(lists).collect(),
            position: Vec::new(),
        };
        self.terms.append(own, 0);
        // Sized for the entries' texts and their JSON punctuation (`"a","h","t","k"]`), so
        // it is not grown step by step; escaping may still add a little.
        let docs_len: usize = items
            .iter()
            .map(|i| i.1.len() + i.2.len() + i.3.len() + 12)
            .sum();
        let mut docs = String::with_capacity(docs_len);
        for (page, anchor, heading, text, kind) in &items {
            // What serde_json writes for the tuple, less its `[`.
            push_string(&mut docs, anchor);
            docs.push(',');
            push_string(&mut docs, heading);
            docs.push(',');
            push_string(&mut docs, text);
            docs.push_str(",\"");
            docs.push(*kind);
            docs.push_str("\"]");
            self.items.push((*page as u32, docs.len() as u32));
        }
        if !docs.is_empty() {
            self.docs.push((first, docs));
        }
    }

    /// Appends another index (one runbook's, built in parallel with the others) after this
    /// one's pages and entries.
    pub fn append(&mut self, other: SearchIndex) {
        let page_offset = self.pages.len() as u32;
        let item_offset = self.items.len();
        self.pages.extend(other.pages);
        self.docs.extend(
            other
                .docs
                .into_iter()
                .map(|(first, text)| (first + item_offset, text)),
        );
        self.items.extend(
            other
                .items
                .into_iter()
                .map(|(page, end)| (page + page_offset, end)),
        );
        self.terms.append(other.terms, item_offset);
    }

    /// Entries `range`, each as its page and its JSON after the page number.
    fn items_in(&self, range: std::ops::Range<usize>) -> impl Iterator<Item = (u32, &str)> {
        let mut segment = self
            .docs
            .partition_point(|(first, _)| *first <= range.start)
            .saturating_sub(1);
        range.map(move |n| {
            while self
                .docs
                .get(segment + 1)
                .is_some_and(|(first, _)| *first <= n)
            {
                segment += 1;
            }
            let (first, text) = &self.docs[segment];
            let start = if n == *first {
                0
            } else {
                self.items[n - 1].1 as usize
            };
            let (page, end) = self.items[n];
            (page, &text[start..end as usize])
        })
    }

    /// Writes `search-index.js` (and, for an index larger than `shard_size` bytes, the
    /// shards under `search/`, after removing any left from a previous build). The shards
    /// are made and written on all cores, each as soon as it is made, so the whole index is
    /// never in memory as text.
    pub fn write(&self, staging: &Staging, shard_size: usize) -> Result<Written, SiteError> {
        let dir = staging.path_of(SHARD_DIR);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| SiteError::io(&dir, e))?;
        }
        let layout = self.layout(shard_size);
        let sizes = layout
            .shards
            .par_iter()
            .map(|shard| {
                let (name, text) = self.shard_file(&layout, shard);
                staging.write(&name, text.as_bytes())?;
                Ok(text.len())
            })
            .collect::<Result<Vec<usize>, SiteError>>()?;
        let manifest = self.manifest(&layout);
        staging.write("search-index.js", manifest.as_bytes())?;
        let count = |docs: bool| {
            layout
                .shards
                .iter()
                .filter(|s| matches!(s, Shard::Docs(..)) == docs)
                .count()
        };
        Ok(Written {
            bytes: sizes.iter().sum::<usize>() + manifest.len(),
            manifest_bytes: manifest.len(),
            term_shards: count(false),
            doc_shards: count(true),
        })
    }

    /// Every file of the index as (site path, text), the manifest last.
    pub fn files(&self, shard_size: usize) -> Vec<(String, String)> {
        let layout = self.layout(shard_size);
        let mut files: Vec<(String, String)> = layout
            .shards
            .iter()
            .map(|shard| self.shard_file(&layout, shard))
            .collect();
        files.push(("search-index.js".to_owned(), self.manifest(&layout)));
        files
    }

    /// How the index is split into files.
    fn layout(&self, shard_size: usize) -> Layout<'_> {
        let total: usize = self
            .items_in(0..self.items.len())
            .map(|(page, tail)| item_json_len(page, tail) + 1)
            .chain(self.pages.iter().map(|p| p.len() + 1))
            .sum();
        if total <= shard_size {
            return Layout {
                inline: true,
                per: self.items.len().max(1),
                entries: Vec::new(),
                shards: Vec::new(),
                keys: Vec::new(),
            };
        }
        // Document shards: a query loads one per hit shown, so they are kept small.
        let average = total / self.items.len().max(1) + 1;
        let per = (shard_size / 8 / average).max(1);
        let mut shards: Vec<Shard> = (0..self.items.len())
            .step_by(per)
            .enumerate()
            .map(|(n, start)| Shard::Docs(n, start..(start + per).min(self.items.len())))
            .collect();
        // Term shards, partitioned on sizes alone.
        let entries = self.terms.sorted();
        let sizes: Vec<usize> = entries.iter().map(|(t, p)| postings_len(t, p)).collect();
        let mut terms: Vec<(String, Vec<usize>)> = Vec::new();
        let all: Vec<usize> = (0..entries.len()).collect();
        partition(
            &entries,
            &sizes,
            &all,
            String::new(),
            shard_size,
            &mut terms,
        );
        terms.sort_by(|a, b| a.0.cmp(&b.0));
        let mut keys = Vec::with_capacity(terms.len());
        for (n, (key, members)) in terms.into_iter().enumerate() {
            keys.push(key);
            shards.push(Shard::Terms(n, members));
        }
        Layout {
            inline: false,
            per,
            entries,
            shards,
            keys,
        }
    }

    /// The site path and text of one shard.
    fn shard_file(&self, layout: &Layout<'_>, shard: &Shard) -> (String, String) {
        match shard {
            Shard::Docs(n, range) => {
                let mut text = format!("RUNBOOK_SEARCH_SHARD(\"d\",{n},");
                self.push_doc_shard(&mut text, range.clone());
                text.push_str(");\n");
                (format!("{SHARD_DIR}/d{n}.js"), text)
            }
            Shard::Terms(n, members) => {
                let size: usize = members
                    .iter()
                    .map(|&m| postings_len(&layout.entries[m].0, layout.entries[m].1))
                    .sum();
                let mut text = String::with_capacity(size + 48);
                let _ = write!(text, "RUNBOOK_SEARCH_SHARD(\"t\",{n},{{");
                for (i, &m) in members.iter().enumerate() {
                    if i > 0 {
                        text.push(',');
                    }
                    postings_json(&mut text, &layout.entries[m].0, layout.entries[m].1);
                }
                text.push_str("});\n");
                (format!("{SHARD_DIR}/t{n}.js"), text)
            }
        }
    }

    /// `search-index.js`: the entries themselves for a small book, else the shard keys.
    fn manifest(&self, layout: &Layout<'_>) -> String {
        if layout.inline {
            let docs = self.doc_shard(0..self.items.len());
            return format!(
                "window.RUNBOOK_SEARCH={{\"v\":2,\"n\":{n},\"per\":{n},\"keys\":null,\"dir\":\"{SHARD_DIR}/\",\"docs\":{docs}}};\n",
                n = layout.per
            );
        }
        format!(
            "window.RUNBOOK_SEARCH={{\"v\":2,\"n\":{},\"per\":{},\"keys\":{},\"dir\":\"{SHARD_DIR}/\"}};\n",
            self.items.len(),
            layout.per,
            json(&layout.keys)
        )
    }

    /// The manifest script alone (all of the index for a small book).
    pub fn to_script(&self) -> String {
        self.files(usize::MAX)
            .pop()
            .map(|f| f.1)
            .unwrap_or_default()
    }
}

/// The position of `term`'s list in `postings`, a new empty one the first time.
/// One runbook's postings as they are gathered: entries are visited in order, so each
/// term's list is in entry order, and a term met again in the same entry only adds its
/// flags. The lists are chained through one buffer and copied out once, each at its final
/// size: a `Vec` per term grew by reallocating, which cost more than the hashing.
#[derive(Default)]
struct Gathered<'t> {
    /// Term → its slot (position in `lists`). Terms that are their own word borrow it.
    slots: foldhash::HashMap<Cow<'t, str>, u32>,
    /// Per slot: its first and last posting in `links` and how many it has.
    lists: Vec<Chain>,
    /// Every posting with the position of the next one of its term (`NO_LINK`: none).
    links: Vec<(u32, u32)>,
    /// The lower-cased form of the last word that was not its own term, reused so that
    /// terms seen before are found without allocating.
    scratch: String,
}

/// One term's postings in `Gathered::links`.
#[derive(Clone, Copy)]
struct Chain {
    first: u32,
    last: u32,
    len: u32,
}

/// The end of a chain in `Gathered::links`.
const NO_LINK: u32 = u32::MAX;

impl<'t> Gathered<'t> {
    /// Empty, sized for about `bytes` bytes of text: a word takes several bytes, and a
    /// distinct term several words. Growing the map step by step from empty rehashed every
    /// term several times, which cost more than the lookups of a typical runbook's terms.
    /// (Only the cost depends on the estimate, never what is gathered.)
    fn for_text_of(bytes: usize) -> Self {
        let terms = (bytes / 8).min(1 << 12);
        Self {
            slots: foldhash::HashMap::with_capacity_and_hasher(terms, Default::default()),
            lists: Vec::with_capacity(terms),
            links: Vec::with_capacity((bytes / 4).min(1 << 14)),
            scratch: String::new(),
        }
    }

    /// The slot of `word`'s term (see `terms`), made on first sight.
    fn slot(&mut self, word: &'t str) -> u32 {
        let next = self.lists.len() as u32;
        let slot = match own_term(word) {
            Some(term) => *self.slots.entry(Cow::Borrowed(term)).or_insert(next),
            None => {
                lower_term_into(word, &mut self.scratch);
                match self.slots.get(self.scratch.as_str()) {
                    Some(&slot) => slot,
                    None => {
                        self.slots.insert(Cow::Owned(self.scratch.clone()), next);
                        next
                    }
                }
            }
        };
        if slot == next {
            self.lists.push(Chain {
                first: NO_LINK,
                last: NO_LINK,
                len: 0,
            });
        }
        slot
    }

    /// Adds `posting` to the list of `slot`, or only its flags when the list ends with the
    /// same entry (what `add_posting` does to a `Vec`).
    fn add_posting(&mut self, slot: u32, posting: u32) {
        let end = self.links.len() as u32;
        let chain = &mut self.lists[slot as usize];
        if chain.len > 0 {
            let last = &mut self.links[chain.last as usize];
            if last.0 >> 4 == posting >> 4 {
                last.0 |= posting & 0xf;
                return;
            }
            last.1 = end;
        } else {
            chain.first = end;
        }
        chain.last = end;
        chain.len += 1;
        self.links.push((posting, NO_LINK));
    }

    /// Every term with postings, with its list. (A title term of a runbook without entries
    /// has no postings, and no place here.)
    fn lists(&self) -> (Vec<&str>, Vec<Vec<u32>>) {
        self.slots
            .iter()
            .filter(|&(_, &s)| self.lists[s as usize].len > 0)
            .map(|(term, &s)| (term.as_ref(), self.list(s)))
            .unzip()
    }

    /// The postings of `slot`, in order.
    fn list(&self, slot: u32) -> Vec<u32> {
        let chain = self.lists[slot as usize];
        let mut list = Vec::with_capacity(chain.len as usize);
        let mut at = chain.first;
        while at != NO_LINK {
            let (posting, next) = self.links[at as usize];
            list.push(posting);
            at = next;
        }
        list
    }
}

/// `a.cmp(b)` (byte order), as an inlined loop: terms are short and usually differ in their
/// first bytes, where a call to `memcmp` for each of the many comparisons of sorting and
/// merging term lists cost more than the comparing.
fn term_order(a: &str, b: &str) -> std::cmp::Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return x.cmp(y);
        }
    }
    a.len().cmp(&b.len())
}

/// `terms`, borrowing each term that is already lower-case ASCII (it is its own result).
fn terms_cow(text: &str) -> impl Iterator<Item = Cow<'_, str>> {
    words(text).map(|word| match own_term(word) {
        Some(term) => Cow::Borrowed(term),
        None => {
            let mut term = String::new();
            lower_term_into(word, &mut term);
            Cow::Owned(term)
        }
    })
}

/// The term of `word` when it is a part of it: a word of lower-case ASCII letters and digits
/// (most are), cut at `MAX_TERM` bytes, which are as many characters.
fn own_term(word: &str) -> Option<&str> {
    word.bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        .then(|| &word[..word.len().min(MAX_TERM)])
}

/// The term of `word` (lower-cased, cut at `MAX_TERM` characters) into `out`, which is
/// cleared first. An ASCII word is cut on bytes and lower-cased byte by byte, which is what
/// `str::to_lowercase` and counting characters give for it, without decoding characters.
fn lower_term_into(word: &str, out: &mut String) {
    out.clear();
    if word.is_ascii() {
        out.push_str(&word[..word.len().min(MAX_TERM)]);
        out.make_ascii_lowercase();
        return;
    }
    let lower = word.to_lowercase();
    match lower.char_indices().nth(MAX_TERM) {
        Some((i, _)) => out.push_str(&lower[..i]),
        None => out.push_str(&lower),
    }
}

/// The non-empty runs of `text` between ASCII characters that are not letters or digits,
/// found on bytes: every separator is one ASCII byte, which never occurs inside another
/// character, so each run starts and ends on a character boundary. (Splitting on `char`s
/// decoded every character of every entry.)
fn words(text: &str) -> impl Iterator<Item = &str> {
    let separator = |b: u8| b.is_ascii() && !b.is_ascii_alphanumeric();
    let mut rest = text;
    std::iter::from_fn(move || {
        let start = rest.bytes().position(|b| !separator(b))?;
        let word = &rest[start..];
        let end = word.bytes().position(separator).unwrap_or(word.len());
        rest = &word[end..];
        Some(&word[..end])
    })
}

fn json<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

/// Appends `"term":[delta<<4|flags,...]`. Terms hold no ASCII punctuation or control
/// characters (`terms` splits there), so the term needs no JSON escaping.
fn postings_json(out: &mut String, term: &str, postings: &[u32]) {
    out.push('"');
    out.push_str(term);
    out.push_str("\":[");
    let mut previous = 0u32;
    for (i, p) in postings.iter().enumerate() {
        let id = p >> 4;
        if i > 0 {
            out.push(',');
        }
        push_number(out, u64::from(((id - previous) << 4) | (p & 15)));
        previous = id;
    }
    out.push(']');
}

/// The length of `postings_json`, without making it.
fn postings_len(term: &str, postings: &[u32]) -> usize {
    let mut len = term.len() + 5; // "term":[] and the comma after it
    let mut previous = 0u32;
    for p in postings {
        let id = p >> 4;
        let value = ((id - previous) << 4) | (p & 15);
        len += value.checked_ilog10().unwrap_or(0) as usize + 2;
        previous = id;
    }
    len
}

impl SearchIndex {
    /// `{"p":{"page":[href,title],...},"i":[item,...]}` for entries `range`.
    fn doc_shard(&self, range: std::ops::Range<usize>) -> String {
        let mut out = String::new();
        self.push_doc_shard(&mut out, range);
        out
    }

    /// [`Self::doc_shard`], appended to `out`.
    fn push_doc_shard(&self, out: &mut String, range: std::ops::Range<usize>) {
        let mut used: Vec<u32> = self.items[range.clone()].iter().map(|i| i.0).collect();
        used.dedup();
        out.push_str("{\"p\":{");
        for (i, page) in used.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push('"');
            push_number(out, u64::from(*page));
            out.push_str("\":");
            out.push_str(&self.pages[*page as usize]);
        }
        out.push_str("},\"i\":[");
        for (i, (page, tail)) in self.items_in(range).enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_item_json(out, page, tail);
        }
        out.push_str("]}");
    }
}

/// An entry's JSON, `[page,"anchor","heading","text","kind"]`, from its page and its stored
/// JSON after the page number.
fn push_item_json(out: &mut String, page: u32, tail: &str) {
    out.push('[');
    push_number(out, u64::from(page));
    out.push(',');
    out.push_str(tail);
}

/// The length of `push_item_json`'s text, without making it.
fn item_json_len(page: u32, tail: &str) -> usize {
    "[,".len() + page.checked_ilog10().unwrap_or(0) as usize + 1 + tail.len()
}

impl Terms {
    /// Adds `other`'s postings after this one's, its entry numbers moved up by `offset` (its
    /// entries come after this one's). Postings past `MAX_ITEMS` are dropped.
    fn append(&mut self, other: Terms, offset: usize) {
        if self.lists.is_empty() {
            // The usual first join: nothing to look up.
            self.vocabulary = other.vocabulary;
            self.position.clear();
            self.lists = other
                .lists
                .into_iter()
                .map(|(n, postings)| (n, shift_postings(postings, offset)))
                .collect();
            return;
        }
        let renumbered = (!Arc::ptr_eq(&self.vocabulary, &other.vocabulary)).then(|| {
            let terms = other.vocabulary.terms();
            let mine: Vec<&str> = other
                .lists
                .iter()
                .map(|(n, _)| &*terms[*n as usize])
                .collect();
            self.vocabulary.numbers_of(&mine)
        });
        if self.position.is_empty() {
            self.index_positions();
        }
        for (i, (n, postings)) in other.lists.into_iter().enumerate() {
            let n = renumbered.as_ref().map_or(n, |r| r[i]) as usize;
            let postings = shift_postings(postings, offset);
            if n >= self.position.len() {
                self.position.resize(n + 1, u32::MAX);
            }
            match self.position[n] {
                u32::MAX => {
                    self.position[n] = self.lists.len() as u32;
                    self.lists.push((n as u32, postings));
                }
                at => self.lists[at as usize].1.extend(postings),
            }
        }
    }

    /// Fills `position` from `lists`.
    fn index_positions(&mut self) {
        for (at, (n, _)) in self.lists.iter().enumerate() {
            let n = *n as usize;
            if n >= self.position.len() {
                self.position.resize(n + 1, u32::MAX);
            }
            self.position[n] = at as u32;
        }
    }

    /// Every term that has postings, with them, sorted by term.
    fn sorted(&self) -> Vec<(Arc<str>, &[u32])> {
        let terms = self.vocabulary.terms();
        let mut sorted: Vec<(Arc<str>, &[u32])> = self
            .lists
            .iter()
            .filter(|(_, postings)| !postings.is_empty())
            .map(|(n, postings)| (terms[*n as usize].clone(), postings.as_slice()))
            .collect();
        sorted.sort_unstable_by(|a, b| term_order(&a.0, &b.0));
        sorted
    }
}

/// `postings` with their entry numbers moved up by `offset`, less those that would pass
/// `MAX_ITEMS`.
fn shift_postings(mut postings: Vec<u32>, offset: usize) -> Vec<u32> {
    if offset == 0 {
        return postings;
    }
    // Postings are in entry order: when the last one stays under the limit, all do.
    if postings
        .last()
        .is_some_and(|p| (p >> 4) as usize + offset >= MAX_ITEMS)
    {
        postings.retain(|p| (p >> 4) as usize + offset < MAX_ITEMS);
    }
    for p in &mut postings {
        *p += (offset as u32) << 4;
    }
    postings
}

/// Splits the terms `members` (all starting with `prefix`) into shards of at most `limit`
/// bytes where possible: the largest groups by next character get shards of their own
/// (recursively) until what is left fits under `prefix`.
fn partition(
    entries: &[(Arc<str>, &[u32])],
    sizes: &[usize],
    members: &[usize],
    prefix: String,
    limit: usize,
    out: &mut Vec<(String, Vec<usize>)>,
) {
    let size = |ms: &[usize]| ms.iter().map(|&m| sizes[m]).sum::<usize>();
    let total = size(members);
    let depth = prefix.chars().count();
    if total <= limit || members.len() == 1 {
        out.push((prefix, members.to_vec()));
        return;
    }
    let mut keep: Vec<usize> = Vec::new();
    let mut groups: BTreeMap<char, Vec<usize>> = BTreeMap::new();
    for &m in members {
        match entries[m].0.chars().nth(depth) {
            Some(c) => groups.entry(c).or_default().push(m),
            None => keep.push(m),
        }
    }
    let mut sized: Vec<(usize, char)> = groups.iter().map(|(c, ms)| (size(ms), *c)).collect();
    // Largest first; ties in character order, so the split is deterministic.
    sized.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut left = total;
    let mut own = Vec::new();
    for (bytes, c) in sized {
        if left <= limit {
            break;
        }
        left -= bytes;
        own.push(c);
    }
    for (c, ms) in groups {
        if own.contains(&c) {
            let mut sub = prefix.clone();
            sub.push(c);
            partition(entries, sizes, &ms, sub, limit, out);
        } else {
            keep.extend(ms);
        }
    }
    if !keep.is_empty() {
        keep.sort_unstable();
        out.push((prefix, keep));
    }
}

/// `text` trimmed, cut after `MAX_TEXT` characters (with `…`); borrowed when not cut.
fn cut(text: &str) -> Cow<'_, str> {
    let text = text.trim();
    // No more bytes than the limit means no more characters: nothing to count.
    if text.len() <= MAX_TEXT {
        return Cow::Borrowed(text);
    }
    match text.char_indices().nth(MAX_TEXT) {
        Some((i, _)) => Cow::Owned(format!("{}…", &text[..i])),
        None => Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn index(files: &[(&str, &str)]) -> SearchIndex {
        let mut index = SearchIndex::default();
        for (path, text) in files {
            let runbook = crate::parse::parse_runbook(&SourceFile::new(*path, *text));
            index.add(&runbook, &path.replace(".md", ".html"));
        }
        index
    }

    /// What `Gathered::add_posting` replaced, as the oracle of its test: adds `posting` to a
    /// term's list, or only its flags when the list ends with the same entry.
    fn add_posting(postings: &mut Vec<u32>, posting: u32) {
        match postings.last_mut() {
            Some(last) if *last >> 4 == posting >> 4 => *last |= posting & 0xf,
            _ => postings.push(posting),
        }
    }

    /// What `terms_cow` was before `lower_term_into`, as the oracle of its test.
    fn terms_by_to_lowercase(text: &str) -> Vec<String> {
        words(text)
            .map(|t| {
                if t.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                {
                    return t[..t.len().min(MAX_TERM)].to_owned();
                }
                let lower = t.to_lowercase();
                match lower.char_indices().nth(MAX_TERM) {
                    Some((i, _)) => lower[..i].to_owned(),
                    None => lower,
                }
            })
            .collect()
    }

    proptest::proptest! {
        /// Terms made on bytes for ASCII words are those `str::to_lowercase` and cutting on
        /// characters made, through `terms` and through `Gathered`'s slots.
        #[test]
        fn terms_are_what_to_lowercase_made(
            text in "([a-zA-Z0-9]{0,40}[ ._/-]){0,4}|[a-zA-Z0-9 ._ÉéΣσß\u{130}-]{0,50}|.{0,40}",
        ) {
            let expected = terms_by_to_lowercase(&text);
            proptest::prop_assert_eq!(&terms(&text).collect::<Vec<_>>(), &expected);
            let mut gathered = Gathered::default();
            let slots: Vec<u32> = words(&text).map(|w| gathered.slot(w)).collect();
            let mut by_slot = vec![String::new(); gathered.lists.len()];
            for (term, &s) in &gathered.slots {
                by_slot[s as usize] = term.to_string();
            }
            let through_slots: Vec<String> =
                slots.iter().map(|&s| by_slot[s as usize].clone()).collect();
            proptest::prop_assert_eq!(&through_slots, &expected);
        }
    }

    proptest::proptest! {
        /// The chained lists hold what a `Vec` per term given `add_posting` held.
        #[test]
        fn gathered_lists_are_what_add_posting_made(
            adds in proptest::collection::vec(("[a-e]|[A-C]", 0u32..6, 0u32..16), 0..60),
        ) {
            let mut gathered = Gathered::default();
            let mut expected: std::collections::HashMap<String, Vec<u32>> = Default::default();
            let mut entry = 0;
            for (word, step, flags) in &adds {
                // Entries only move forwards, as in `add`.
                entry += step / 3;
                let posting = entry << 4 | flags;
                let slot = gathered.slot(word);
                gathered.add_posting(slot, posting);
                add_posting(expected.entry(word.to_lowercase()).or_default(), posting);
            }
            let (terms, lists) = gathered.lists();
            let got: std::collections::HashMap<String, Vec<u32>> = terms
                .into_iter()
                .map(str::to_owned)
                .zip(lists)
                .collect();
            proptest::prop_assert_eq!(got, expected);
        }
    }

    proptest::proptest! {
        /// Splitting on bytes gives the runs splitting on characters gave.
        #[test]
        fn words_are_the_runs_between_ascii_separators(text in "[a-zA-Z0-9 ._/é\u{e9}\u{2014}-]{0,30}|.{0,30}") {
            let by_chars: Vec<&str> = text
                .split(|c: char| c.is_ascii() && !c.is_ascii_alphanumeric())
                .filter(|t| !t.is_empty())
                .collect();
            proptest::prop_assert_eq!(words(&text).collect::<Vec<_>>(), by_chars);
        }
    }

    proptest::proptest! {
        /// The inlined comparison orders terms as `str::cmp` does.
        #[test]
        fn term_order_is_byte_order(a in "[a-c0é]{0,6}|.{0,10}", b in "[a-c0é]{0,6}|.{0,10}") {
            proptest::prop_assert_eq!(term_order(&a, &b), a.cmp(&b));
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
        /// Runbook indexes appended one after the other, numbering their terms in one shared
        /// vocabulary or each in its own, make the same files as one index they were all
        /// added to.
        #[test]
        fn appended_indexes_write_what_one_index_does(
            runbooks in proptest::collection::vec(
                proptest::collection::vec(
                    "(# |## |- \\[ \\] |1\\. |`)?(Restart|restart|db|DB|ab|été|x)( [a-c0-9]{1,3})*",
                    0..6,
                ),
                1..6,
            ),
        ) {
            let files: Vec<(String, String)> = runbooks
                .iter()
                .enumerate()
                .map(|(n, lines)| (format!("r{n}.md"), lines.join("\n\n")))
                .collect();
            let refs: Vec<(&str, &str)> =
                files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
            let whole = index(&refs);
            let vocabulary = Arc::new(Vocabulary::default());
            let mut shared = SearchIndex::default();
            let mut separate = SearchIndex::default();
            for (path, text) in &refs {
                let runbook = crate::parse::parse_runbook(&SourceFile::new(*path, *text));
                let href = path.replace(".md", ".html");
                let mut one = SearchIndex::with_vocabulary(vocabulary.clone());
                one.add(&runbook, &href);
                shared.append(one);
                let mut one = SearchIndex::default();
                one.add(&runbook, &href);
                separate.append(one);
            }
            for size in [64, 512, usize::MAX] {
                let expected = whole.files(size);
                proptest::prop_assert_eq!(&shared.files(size), &expected);
                proptest::prop_assert_eq!(&separate.files(size), &expected);
            }
        }
    }

    #[test]
    fn index_has_steps_and_sections_but_not_output() {
        let index = index(&[(
            "a.md",
            "# A\n\n## Restart\n\n```console\n$ kubectl rollout restart deploy/x\nrestarted\n```\n\n- [ ] tell the team\n",
        )]);
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
        assert!(script.contains("\"keys\":null"), "small: inline");
    }

    #[test]
    fn terms_split_at_ascii_punctuation_and_keep_other_letters() {
        let t: Vec<String> = terms("kubectl scale --replicas=0 Überweisung_x/ÉTÉ").collect();
        assert_eq!(
            t,
            [
                "kubectl",
                "scale",
                "replicas",
                "0",
                "überweisung",
                "x",
                "été"
            ]
        );
        assert_eq!(terms(&"a".repeat(40)).next().unwrap().len(), MAX_TERM);
    }

    #[test]
    fn a_large_index_is_split_by_term_prefix_and_every_shard_is_listed() {
        let mut files = Vec::new();
        for n in 0..40 {
            files.push((
                format!("r{n}.md"),
                format!(
                    "# Restart service{n}\n\n## Steps\n\n```bash\nkubectl rollout restart deploy/svc{n} -n team{n}\nredis-cli -h cache{n} ping\n```\n\n- [ ] tell team{n}\n"
                ),
            ));
        }
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let index = index(&refs);
        let out = index.files(2048);
        let manifest = &out.last().unwrap().1;
        assert!(
            manifest.starts_with("window.RUNBOOK_SEARCH={\"v\":2,"),
            "{manifest}"
        );
        let json: serde_json::Value = serde_json::from_str(
            manifest
                .trim_start_matches("window.RUNBOOK_SEARCH=")
                .trim_end_matches(";\n"),
        )
        .unwrap();
        let keys: Vec<&str> = json["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k.as_str().unwrap())
            .collect();
        assert!(keys.len() > 3, "{keys:?}");
        let mut sorted = keys.clone();
        sorted.sort_unstable();
        assert_eq!(keys, sorted, "keys in order: shard n is keys[n]");
        // Every term is in exactly the shard with the longest key that is a prefix of it.
        let sorted = index.terms.sorted();
        for (term, _) in &sorted {
            let term: &str = term;
            let best = keys
                .iter()
                .enumerate()
                .filter(|(_, k)| term.starts_with(*k))
                .max_by_key(|(_, k)| k.len())
                .unwrap()
                .0;
            let shard = &out
                .iter()
                .find(|(name, _)| name == &format!("search/t{best}.js"))
                .unwrap()
                .1;
            assert!(
                shard.contains(&format!("\"{term}\":[")),
                "{term} in t{best}"
            );
        }
        for (name, text) in &out[..out.len() - 1] {
            assert!(
                text.starts_with("RUNBOOK_SEARCH_SHARD(\""),
                "{name}: {text}"
            );
        }
        assert_eq!(out, index.files(2048), "deterministic");
        for (name, text) in &out {
            if let Some(body) = text.strip_prefix("RUNBOOK_SEARCH_SHARD(\"t\",") {
                let json = body.split_once(',').unwrap().1.trim_end_matches(");\n");
                let value: serde_json::Value = serde_json::from_str(json).unwrap();
                let predicted: usize = value
                    .as_object()
                    .unwrap()
                    .keys()
                    .map(|t| {
                        let at = sorted.binary_search_by(|e| (*e.0).cmp(t.as_str())).unwrap();
                        postings_len(t, sorted[at].1)
                    })
                    .sum();
                assert_eq!(
                    predicted,
                    json.len() - 2 + 1,
                    "{name}: sizes are predicted exactly"
                );
            }
        }
        // Postings: "restart" is in every runbook's title and its command's text.
        let t = &out
            .iter()
            .find(|(_, text)| text.contains("\"restart\":["))
            .unwrap()
            .1;
        assert!(
            t.contains("\"restart\":[0,"),
            "first entry, title only: {t}"
        );
    }
}
