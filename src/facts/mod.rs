//! The facts index: what every runbook of a book states about each service (port, Kubernetes
//! namespace, database name), about the book as a whole (Docker Compose flavour) and about
//! severity levels, each statement with the exact span that made it. The drift lints compare
//! these statements; nothing here decides what is right.
//!
//! Service identity survives the usual spellings: `deployment/x`, `svc/x`, `app=x`, `x:3004`
//! in a URL, `x.ns.svc`, and pod names such as `x-7d9c6b8f54-2kqzt` or `x-xxxxx` (the last two
//! only when `x` is known from a stronger spelling somewhere in the book).

mod extract;

pub use extract::{host_name, image_ref, is_name, locate};

use crate::model::{MetaEntry, Runbook, StepKind};
use crate::source::{SourceFile, Span};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// One statement of a value, with where it was made.
#[derive(Debug, Clone, Serialize)]
pub struct Stated<T> {
    /// The value as stated.
    pub value: T,
    /// Index of the runbook in `Book::runbooks`.
    pub runbook: usize,
    /// Path of the runbook, relative to the book root; shared by its statements (a large book
    /// makes hundreds of thousands).
    pub file: Arc<str>,
    /// The text that states it (the port digits, the namespace word...).
    pub span: Span,
}

/// What the book states about one service.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ServiceFacts {
    /// Ports in URLs (`http://x:8081/...`), `-h x -p N`, `nc x N` and `Port:` metadata.
    pub ports: Vec<Stated<u16>>,
    /// Ports in URLs whose path is `/metrics`: a service often serves metrics on a second port.
    pub metrics_ports: Vec<Stated<u16>>,
    /// Namespaces of `kubectl`/`oc` commands that name the service, `x.ns.svc` hosts and
    /// `Namespace:` metadata.
    pub namespaces: Vec<Stated<String>>,
    /// `kubectl`/`oc` commands that name the service but give no namespace (value: the program).
    pub unnamespaced: Vec<Stated<String>>,
    /// Registries of container images named after the service (`REGISTRY/NAME:TAG`).
    pub registries: Vec<Stated<String>>,
}

/// Docker Compose spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum ComposeFlavour {
    /// The Compose v2 plugin, `docker compose`.
    Plugin,
    /// The standalone v1 binary, `docker-compose`.
    Standalone,
}

impl ComposeFlavour {
    /// As written in a command.
    pub fn as_str(self) -> &'static str {
        match self {
            ComposeFlavour::Plugin => "docker compose",
            ComposeFlavour::Standalone => "docker-compose",
        }
    }
}

/// One severity level as one runbook defines it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeverityDef {
    /// Level name as the table gives it (`P2`, `SEV2`, `Critical`).
    pub name: String,
    /// Response time as written (`1 hour`).
    pub response: String,
    /// What is compared: seconds when the time parses, else the lower-cased text.
    pub key: String,
}

/// Everything the book states, by subject.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Facts {
    /// Per service (or host name, for hosts with dots such as `db.example.internal`).
    pub services: BTreeMap<String, ServiceFacts>,
    /// Database names per database host; `*` when the host is not written literally.
    pub databases: BTreeMap<String, Vec<Stated<String>>>,
    /// Every Docker Compose command, with its spelling.
    pub compose: Vec<Stated<ComposeFlavour>>,
    /// Severity definitions per level (`level 2` groups `P2` and `SEV2`; word levels by name).
    pub severities: BTreeMap<String, Vec<Stated<SeverityDef>>>,
    /// Host names with dots that commands connect to (`db.example.internal`), lower-cased.
    pub hosts: Vec<Stated<String>>,
}

/// What one runbook states, read from it alone. Pod names and the subject of `Port:` and
/// `Namespace:` metadata resolve against the services of the whole book, so they wait for
/// [`merge`]; everything else is final here. Small next to the runbook it comes from, so a
/// streamed lint keeps this and drops the runbook.
#[derive(Debug, Default)]
pub struct RunbookFacts {
    /// Index of the runbook in book order.
    runbook: usize,
    /// Path of the runbook, relative to the book root.
    path: Arc<str>,
    /// Title of the runbook; it may name the subject of the metadata.
    title: String,
    /// Statements of commands and snippets, in document order.
    raws: Vec<extract::Raw>,
    /// `Port:` and `Namespace:` metadata, in document order, for the subject service.
    meta: Vec<MetaStatement>,
    /// Severity definitions, in document order, with their group (see [`severity_group`]).
    severities: Vec<(String, Stated<SeverityDef>)>,
}

/// A metadata line that speaks for the runbook's subject service.
#[derive(Debug)]
enum MetaStatement {
    Port(u16, Span),
    Namespace(String, Span),
}

/// Reads what runbook `idx` states.
pub fn of_runbook(idx: usize, runbook: &Runbook, source: &SourceFile) -> RunbookFacts {
    let mut raws = Vec::new();
    let mut scratch = extract::Scratch::default();
    for step in &runbook.steps {
        match &step.kind {
            StepKind::Command(cmd) => {
                extract::command(idx, source, step.span, cmd, &mut scratch, &mut raws);
            }
            StepKind::Snippet { lang, text, .. } if lang == "sql" => {
                extract::snippet(idx, source, step.span, text, &mut raws);
            }
            StepKind::Snippet { lang, text, .. } if lang == "yaml" || lang == "yml" => {
                extract::yaml_snippet(idx, source, step.span, text, &mut raws);
            }
            _ => {}
        }
    }
    let path: Arc<str> = Arc::from(runbook.path.as_str());
    let mut severities = Vec::new();
    for (_, table) in runbook.severity_tables() {
        for level in &table.levels {
            let Some(response) = level.response_time.as_deref().map(str::trim) else {
                continue;
            };
            if response.is_empty() || response == "-" {
                continue;
            }
            let key = response_key(level.response_secs, response);
            let span = extract::locate(source, level.span, &[response.to_owned()], response)
                .unwrap_or(level.span);
            severities.push((
                severity_group(&level.name, level.rank),
                Stated {
                    value: SeverityDef {
                        name: level.name.clone(),
                        response: response.to_owned(),
                        key,
                    },
                    runbook: idx,
                    file: Arc::clone(&path),
                    span,
                },
            ));
        }
    }
    RunbookFacts {
        runbook: idx,
        path,
        title: runbook.title.clone(),
        raws,
        meta: meta_statements(runbook, source),
        severities,
    }
}

/// The index of a book from what each of its runbooks states, given in book order: the
/// statements keep that order, so majorities and "stated here" labels do not depend on
/// thread timing.
pub fn merge(per_runbook: Vec<RunbookFacts>) -> Facts {
    // Every name once, sorted on all cores, then copied into the set at once: merging a set
    // per runbook compared and copied each name again at every join.
    let mut names: Vec<&str> = per_runbook
        .par_iter()
        .flat_map_iter(|one| extract::known_names(&one.raws))
        .collect();
    names.par_sort_unstable();
    names.dedup();
    let known: BTreeSet<String> = names.into_iter().map(str::to_owned).collect();
    // Every runbook's statements are placed on all cores, into one index per stretch of
    // runbooks; rayon joins neighbouring stretches left to right, so each list ends up in
    // book order, as when one loop placed them all. Statements of commands come before
    // `Port:`/`Namespace:` metadata in every list, so those go to a second index, appended
    // last.
    let (mut facts, meta) = per_runbook
        .into_par_iter()
        .fold(
            || (Facts::default(), Facts::default()),
            |(mut facts, mut meta), one| {
                place_runbook(&mut facts, &mut meta, one, &known);
                (facts, meta)
            },
        )
        .reduce(
            || (Facts::default(), Facts::default()),
            |(mut facts, mut meta), (more_facts, more_meta)| {
                facts.append(more_facts);
                meta.append(more_meta);
                (facts, meta)
            },
        );
    facts.append(meta);
    facts
}

/// Places what one runbook states: its commands' statements into `facts`, its metadata and
/// severity definitions into `meta`.
fn place_runbook(
    facts: &mut Facts,
    meta: &mut Facts,
    mut one: RunbookFacts,
    known: &BTreeSet<String>,
) {
    // `kubectl config set-context --namespace=x` anywhere in the runbook: its commands need
    // no `-n`.
    let sets_namespace = one.raws.iter().any(|raw| {
        matches!(
            raw.kind,
            extract::RawKind::Kube {
                sets_namespace: true,
                ..
            }
        )
    });
    for mut raw in std::mem::take(&mut one.raws) {
        // Pod names resolve against the services of the whole book, to known names (sorted,
        // each once).
        if let extract::RawKind::Kube { names, .. } = &mut raw.kind {
            let mut services = BTreeSet::new();
            for (name, strong) in names.drain(..) {
                if strong {
                    services.insert(name);
                } else if let Some(service) = extract::resolve_pod(&name, known) {
                    services.insert(service);
                }
            }
            names.extend(services.into_iter().map(|s| (s, true)));
        }
        place(facts, raw, &one.path, sets_namespace);
    }
    if !one.meta.is_empty()
        && let Some(subject) = subject_named(&one.path, &one.title, known)
    {
        let entry = meta.services.entry(subject).or_default();
        for statement in one.meta {
            match statement {
                MetaStatement::Port(port, span) => {
                    entry.ports.push(at(port, one.runbook, &one.path, span));
                }
                MetaStatement::Namespace(ns, span) => {
                    entry.namespaces.push(at(ns, one.runbook, &one.path, span));
                }
            }
        }
    }
    for (group, stated) in one.severities {
        meta.severities.entry(group).or_default().push(stated);
    }
}

impl Facts {
    /// Moves every statement of `later` (runbooks after this index's) to the end of its list.
    fn append(&mut self, later: Facts) {
        fn join<K: Ord, V>(
            into: &mut BTreeMap<K, V>,
            from: BTreeMap<K, V>,
            add: impl Fn(&mut V, V),
        ) {
            if into.is_empty() {
                *into = from;
                return;
            }
            for (key, value) in from {
                match into.entry(key) {
                    std::collections::btree_map::Entry::Vacant(slot) => {
                        slot.insert(value);
                    }
                    std::collections::btree_map::Entry::Occupied(mut slot) => {
                        add(slot.get_mut(), value);
                    }
                }
            }
        }
        join(&mut self.services, later.services, |into, mut from| {
            into.ports.append(&mut from.ports);
            into.metrics_ports.append(&mut from.metrics_ports);
            into.namespaces.append(&mut from.namespaces);
            into.unnamespaced.append(&mut from.unnamespaced);
            into.registries.append(&mut from.registries);
        });
        join(&mut self.databases, later.databases, |into, mut from| {
            into.append(&mut from);
        });
        join(&mut self.severities, later.severities, |into, mut from| {
            into.append(&mut from);
        });
        let (mut compose, mut hosts) = (later.compose, later.hosts);
        self.compose.append(&mut compose);
        self.hosts.append(&mut hosts);
    }
}

/// Files one statement under its subject. Kubernetes names must be resolved already.
fn place(facts: &mut Facts, raw: extract::Raw, file: &Arc<str>, sets_namespace: bool) {
    match raw.kind {
        extract::RawKind::Kube {
            names,
            namespace,
            all_namespaces,
            sets_namespace: _,
            program,
        } => {
            for (service, _) in names {
                let entry = facts.services.entry(service).or_default();
                match &namespace {
                    Some((ns, span)) => {
                        entry
                            .namespaces
                            .push(at(ns.clone(), raw.runbook, file, *span))
                    }
                    None if !all_namespaces && !sets_namespace => entry.unnamespaced.push(at(
                        program.to_owned(),
                        raw.runbook,
                        file,
                        raw.command_span,
                    )),
                    None => {}
                }
            }
        }
        extract::RawKind::Port {
            host,
            port,
            span,
            metrics,
        } => {
            let entry = facts.services.entry(host).or_default();
            let list = if metrics {
                &mut entry.metrics_ports
            } else {
                &mut entry.ports
            };
            list.push(at(port, raw.runbook, file, span));
        }
        extract::RawKind::HostNamespace { service, ns, span } => facts
            .services
            .entry(service)
            .or_default()
            .namespaces
            .push(at(ns, raw.runbook, file, span)),
        extract::RawKind::Database { host, db, span } => facts
            .databases
            .entry(host.unwrap_or_else(|| "*".to_owned()))
            .or_default()
            .push(at(db, raw.runbook, file, span)),
        extract::RawKind::Compose { flavour, span } => {
            facts.compose.push(at(flavour, raw.runbook, file, span));
        }
        extract::RawKind::ComposeService { .. } => {}
        extract::RawKind::Host { host, span } => {
            facts.hosts.push(at(host, raw.runbook, file, span));
        }
        extract::RawKind::Image {
            name,
            registry,
            span,
        } => facts.services.entry(name).or_default().registries.push(at(
            registry,
            raw.runbook,
            file,
            span,
        )),
    }
}

fn at<T>(value: T, runbook: usize, file: &Arc<str>, span: Span) -> Stated<T> {
    Stated {
        value,
        runbook,
        file: Arc::clone(file),
        span,
    }
}

/// `P2`, `SEV2` and `S2` name the same level (books say "SEV1 to SEV4 match P1 to P4"); a word
/// level such as `Critical` is compared only with the same word.
pub fn severity_group(name: &str, rank: u32) -> String {
    let upper = name.to_ascii_uppercase();
    let code = ["SEV", "P", "S"].iter().any(|p| {
        upper
            .strip_prefix(p)
            .is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit()))
    });
    if code {
        format!("level {rank}")
    } else {
        name.to_lowercase()
    }
}

/// `Port:` and `Namespace:` metadata, which speak for the runbook's subject: the one known
/// service its title or file name names (known only once the whole book is read).
fn meta_statements(runbook: &Runbook, source: &SourceFile) -> Vec<MetaStatement> {
    let value_span = |entry: &MetaEntry| {
        extract::locate(
            source,
            entry.span,
            std::slice::from_ref(&entry.value),
            &entry.value,
        )
        .unwrap_or(entry.span)
    };
    let mut out = Vec::new();
    for entry in &runbook.meta.entries {
        match entry.name.as_str() {
            "port" => {
                if let Ok(port) = entry.value.trim().parse::<u16>() {
                    out.push(MetaStatement::Port(port, value_span(entry)));
                }
            }
            "namespace" | "kubernetes_namespace" => {
                let ns = entry.value.trim().trim_matches('`').to_owned();
                if extract::is_name(&ns) {
                    let span = value_span(entry);
                    out.push(MetaStatement::Namespace(ns, span));
                }
            }
            _ => {}
        }
    }
    out
}

/// How response times are compared: seconds when the text parses ("1 hour" = "60 min"),
/// else the words, lower-cased ("Next business day").
pub fn response_key(secs: Option<u64>, text: &str) -> String {
    match secs {
        Some(secs) => format!("{secs}s"),
        None => text
            .to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// The one known service named by the title or the file name, if exactly one is.
pub fn subject_service(runbook: &Runbook, known: &BTreeSet<String>) -> Option<String> {
    subject_named(&runbook.path, &runbook.title, known)
}

/// The one known service named by `title` or the file name of `path`, if exactly one is.
fn subject_named(path: &str, title: &str, known: &BTreeSet<String>) -> Option<String> {
    let stem = path
        .rsplit('/')
        .next()
        .unwrap_or("")
        .trim_end_matches(".md")
        .to_lowercase();
    let title = title.to_lowercase();
    // A service named "as a word" is a whole run of name characters, so looking each run up
    // in `known` is the same test as searching for every known name (which is quadratic in
    // the size of the book).
    let is_name_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let mut named: Vec<&String> = title
        .split(|c: char| !is_name_char(c))
        .chain(stem.split(|c: char| !is_name_char(c)))
        .filter_map(|word| known.get(word))
        .collect();
    named.sort();
    named.dedup();
    match named.as_slice() {
        [one] => Some((*one).clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_is_a_whole_service_name_in_title_or_file_name() {
        let known: BTreeSet<String> = ["parcel-api", "parcel-api-v2", "route"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let runbook = |path: &str, title: &str| {
            let mut r = crate::parse::parse_runbook(&crate::source::SourceFile::new(
                path,
                format!("# {title}\n"),
            ));
            r.path = path.to_owned();
            r
        };
        assert_eq!(
            subject_service(&runbook("x.md", "Restart parcel-api"), &known).as_deref(),
            Some("parcel-api")
        );
        assert_eq!(
            subject_service(&runbook("x.md", "Restart parcel-api-v2"), &known).as_deref(),
            Some("parcel-api-v2")
        );
        assert_eq!(
            subject_service(&runbook("route.md", "Restart"), &known).as_deref(),
            Some("route")
        );
        assert_eq!(
            subject_service(&runbook("x.md", "parcel-api and route"), &known),
            None,
            "two services: no subject"
        );
        assert_eq!(subject_service(&runbook("x.md", "Rerouted"), &known), None);
    }

    #[test]
    fn severity_groups() {
        assert_eq!(severity_group("P2", 2), "level 2");
        assert_eq!(severity_group("SEV2", 2), "level 2");
        assert_eq!(severity_group("Critical", 1), "critical");
    }
}
