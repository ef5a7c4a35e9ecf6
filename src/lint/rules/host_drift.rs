//! What it does: finds a host name that one runbook spells differently from the rest of the
//! book: `notify-1.ops.example` where the others say `notify-01.ops.example`,
//! `redis.parcel.internal` for `redis.parcels.internal`, `pg-primary.prod.internal` for
//! `postgres-primary.prod.internal`. Hosts are read from commands: URL hosts, `-h`/`--host`
//! of psql, redis-cli and mysql, `ssh`, `scp`/`rsync` targets, `nc`/`telnet` and `ping`. Two
//! names count as one machine when they have the same labels except one, and that label
//! differs only by zero padding of a number (`01`/`1`), by a `-` or `_`, by one typo-like
//! edit in a word of five letters or more (a letter left out, added, swapped with its
//! neighbour, or replaced, but not the last one: `authn`/`authz` are two services), or by an
//! abbreviation of a word next to another word (`pg-primary`/`postgres-primary`); or when
//! they start with the same service name (a service of the book, such as `parcel-api`) and end
//! in different domains (`parcel-api.ops.example`/`parcel-api.ops.internal`; with three
//! labels or more the second must agree, since `api.eu.…` and `api.us.…` are regions). The spelling stated by more runbooks wins: the other is reported when
//! one runbook states it and at least two state the winner, or when at least three times as
//! many runbooks state the winner. A host listed under `[facts.services.NAME] hosts` in
//! `book.toml` wins outright, and is never reported.
//!
//! Why it matters: `ssh notify-1.ops.example` fails with "could not resolve hostname" at
//! 3 a.m., or, worse, reaches an old machine that still answers to the name; the engineer
//! copying the command has no reason to doubt a host name.
//!
//! Example:
//! ```bash
//! redis-cli -h redis.parcel.internal -p 6379 PING   # every other runbook: redis.parcels.internal
//! ```
//!
//! Use instead:
//! ```bash
//! redis-cli -h redis.parcels.internal -p 6379 PING
//! ```
//!
//! Known limits: names that differ in a number are different machines (`notify-01` and
//! `notify-02`, `db-replica-1` and `db-replica-2`), so a wrong number is never reported;
//! neither are edits in short words (`app`/`api`, `prod`/`prd`), two edits, or names with a
//! different number of labels. Host names without a dot (`parcel-api`) are services, compared
//! by the other drift rules; IP addresses, `x.ns.svc` names and hosts named only in prose or
//! tables are not read. A runbook that states both names of a different-domain pair (an
//! internal and a public name) is taken to mean two hosts. Two real hosts that happen to look
//! alike can be declared together under `[facts.services.NAME] hosts`.

use super::super::{BookContext, Sink};
use crate::facts::{Stated, host_name};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// How two host names that look like one machine differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Likeness {
    /// `notify-1` / `notify-01`.
    Padding,
    /// `pg-primary` / `pgprimary`.
    Separator,
    /// `parcel` / `parcels`.
    Typo,
    /// `pg` / `postgres`.
    Abbreviation,
    /// `parcel-api.ops.example` / `parcel-api.ops.internal`.
    Domain,
}

impl Likeness {
    fn phrase(self) -> &'static str {
        match self {
            Likeness::Padding => "differs only in the zero padding of a number from",
            Likeness::Separator => "differs only in a `-` or `_` from",
            Likeness::Typo => "is one typo away from",
            Likeness::Abbreviation => "abbreviates a word of",
            Likeness::Domain => "has another domain than",
        }
    }
}

/// One distinct host name and who states it.
#[derive(Default)]
struct Node<'a> {
    files: BTreeSet<usize>,
    stmts: Vec<&'a Stated<String>>,
    canonical: bool,
}

/// Buckets larger than this are not compared pair by pair (a generated book with thousands
/// of names under one domain); real books stay far below it.
const MAX_BUCKET: usize = 2_000;

pub fn check(cx: &BookContext<'_>, sink: &mut Sink) {
    let mut nodes = nodes_of(&cx.facts.hosts);
    let mut owner: BTreeMap<String, &str> = BTreeMap::new();
    for (service, declared) in &cx.config.facts.services {
        for host in declared.hosts.iter().filter_map(|h| host_name(h)) {
            owner.entry(host.clone()).or_insert(service);
            nodes.entry(host).or_default().canonical = true;
        }
    }
    if nodes.len() < 2 {
        return;
    }
    let is_service = |label: &str| {
        cx.facts.services.contains_key(label) || cx.config.facts.services.contains_key(label)
    };
    // Names that can be alike share a bucket: the same labels but one (and the same numbers
    // in that one), or the same leading service name.
    let mut buckets: HashMap<String, Vec<&str>> = HashMap::new();
    for name in nodes.keys() {
        let labels: Vec<&str> = name.split('.').collect();
        for (i, label) in labels.iter().enumerate() {
            let mut rest = labels.clone();
            rest[i] = "*";
            let key = format!("{i} {} {}", rest.join("."), numbers(label).join(","));
            buckets.entry(key).or_default().push(name);
        }
        if is_service(labels[0]) {
            buckets
                .entry(format!("domain {}", labels[0]))
                .or_default()
                .push(name);
        }
    }
    let mut edges: BTreeMap<(&str, &str), Likeness> = BTreeMap::new();
    for (key, names) in &buckets {
        if names.len() > MAX_BUCKET {
            continue;
        }
        let domain = key.starts_with("domain ");
        for (i, a) in names.iter().enumerate() {
            for b in &names[i + 1..] {
                let pair = if a < b { (*a, *b) } else { (*b, *a) };
                let likeness = if domain {
                    other_domain(a, b)
                } else {
                    alike(a, b)
                };
                if let Some(likeness) = likeness {
                    // A label-level likeness says more than "same service, other domain".
                    let slot = edges.entry(pair).or_insert(likeness);
                    if *slot == Likeness::Domain {
                        *slot = likeness;
                    }
                }
            }
        }
    }
    // For each name that loses, the best name it loses to.
    let mut losses: BTreeMap<&str, (&str, Likeness)> = BTreeMap::new();
    for (&(a, b), &likeness) in &edges {
        for (win, lose) in [(a, b), (b, a)] {
            if !outvotes(&nodes[win], &nodes[lose], likeness) {
                continue;
            }
            let better = match losses.get(lose) {
                None => true,
                Some((old, _)) => rank(&nodes[win], win) > rank(&nodes[*old], old),
            };
            if better {
                losses.insert(lose, (win, likeness));
            }
        }
    }
    for (lose, (win, likeness)) in losses {
        let winner = &nodes[win];
        let declare = owner
            .get(win)
            .map_or_else(|| "NAME".to_owned(), |s| (*s).to_owned());
        for stmt in &nodes[lose].stmts {
            let stated = if winner.canonical {
                "declared in book.toml".to_owned()
            } else {
                stated_in(winner, stmt.runbook)
            };
            let message = format!("host `{lose}` {} `{win}`, {stated}", likeness.phrase());
            let help = format!(
                "use `{win}`; if `{lose}` is another machine, list both under [facts.services.{declare}] hosts in book.toml"
            );
            let mut diag = cx
                .diag("RB107", stmt.runbook, stmt.span, message)
                .with_help(help);
            if winner.canonical {
                diag = diag.with_related("book.toml", 0, 0, format!("{win} is declared here"));
            } else if let Some(w) = winner.stmts.first() {
                diag.related
                    .push(cx.related(w.runbook, w.span, format!("{win} is stated here")));
            }
            sink.push(diag);
        }
    }
}

/// Each distinct host name stated and who states it. A name is stated many times: only its
/// first statement copies it for the key.
fn nodes_of(hosts: &[Stated<String>]) -> BTreeMap<String, Node<'_>> {
    let mut nodes: BTreeMap<String, Node<'_>> = BTreeMap::new();
    for stmt in hosts {
        let node = match nodes.get_mut(stmt.value.as_str()) {
            Some(node) => node,
            None => nodes.entry(stmt.value.clone()).or_default(),
        };
        node.files.insert(stmt.runbook);
        node.stmts.push(stmt);
    }
    nodes
}

/// "stated in 2 other runbooks", "stated in index.md and in this one".
fn stated_in(winner: &Node<'_>, here: usize) -> String {
    let others: Vec<&Stated<String>> = winner
        .stmts
        .iter()
        .filter(|s| s.runbook != here)
        .copied()
        .collect();
    let files = winner.files.iter().filter(|f| **f != here).count();
    let mut out = match (files, others.first()) {
        (1, Some(w)) => format!("stated in {}", w.file),
        (n, _) => format!("stated in {n} other runbooks"),
    };
    if winner.files.contains(&here) {
        out.push_str(" and in this one");
    }
    out
}

/// True when `win` is clearly the spelling meant and `lose` the stray one.
fn outvotes(win: &Node<'_>, lose: &Node<'_>, likeness: Likeness) -> bool {
    if lose.canonical || lose.stmts.is_empty() {
        return false;
    }
    // A runbook that names both an internal and a public name of a service means both.
    if likeness == Likeness::Domain && !win.files.is_disjoint(&lose.files) {
        return false;
    }
    if win.canonical {
        return true;
    }
    let (w, l) = (win.files.len(), lose.files.len());
    w >= 2 && (l == 1 || l * 3 <= w)
}

/// Which of two winners a loser is reported against: declared, then more runbooks, then
/// more statements, then the first name in order.
fn rank<'n>(node: &Node<'_>, name: &'n str) -> (bool, usize, usize, std::cmp::Reverse<&'n str>) {
    (
        node.canonical,
        node.files.len(),
        node.stmts.len(),
        std::cmp::Reverse(name),
    )
}

/// How two different host names in one bucket (same labels but one) are alike, if they are.
fn alike(a: &str, b: &str) -> Option<Likeness> {
    let (la, lb): (Vec<&str>, Vec<&str>) = (a.split('.').collect(), b.split('.').collect());
    if la.len() != lb.len() {
        return None;
    }
    let mut differing = la.iter().zip(&lb).filter(|(x, y)| x != y);
    let (Some((x, y)), None) = (differing.next(), differing.next()) else {
        return None;
    };
    label_likeness(x, y)
}

/// Same service, other domain: `parcel-api.ops.example` / `parcel-api.ops.internal`. When both
/// names have three labels or more the second must agree too (`api.eu.x`/`api.us.x` are
/// regions), and so must every number (`api.shard-1.x`/`api.shard-2.x`).
fn other_domain(a: &str, b: &str) -> Option<Likeness> {
    let (la, lb): (Vec<&str>, Vec<&str>) = (a.split('.').collect(), b.split('.').collect());
    if la.len() >= 3 && lb.len() >= 3 && la[1] != lb[1] {
        return None;
    }
    (numbers(a) == numbers(b)).then_some(Likeness::Domain)
}

/// How two different labels are alike. Labels with different numbers name different
/// machines (`notify-01`, `notify-02`), so numbers must agree by value.
fn label_likeness(a: &str, b: &str) -> Option<Likeness> {
    if numbers(a) != numbers(b) {
        return None;
    }
    let (sa, sb) = (skeleton(a), skeleton(b));
    if sa == sb {
        return Some(Likeness::Padding);
    }
    let strip = |s: &str| s.replace(['-', '_'], "");
    if strip(&sa) == strip(&sb) {
        return Some(Likeness::Separator);
    }
    let (wa, wb) = (words(&sa), words(&sb));
    if wa.len() != wb.len() || glue(&sa) != glue(&sb) {
        return None;
    }
    let mut differing = wa.iter().zip(&wb).filter(|(x, y)| x != y);
    let (Some((x, y)), None) = (differing.next(), differing.next()) else {
        return None;
    };
    if typo(x, y) {
        Some(Likeness::Typo)
    } else if wa.len() >= 2 && (abbreviates(x, y) || abbreviates(y, x)) {
        Some(Likeness::Abbreviation)
    } else {
        None
    }
}

/// The numbers of a label by value (`db-01a2` → `1`, `2`).
fn numbers(label: &str) -> Vec<&str> {
    label
        .split(|c: char| !c.is_ascii_digit())
        .filter(|run| !run.is_empty())
        .map(|run| {
            let trimmed = run.trim_start_matches('0');
            if trimmed.is_empty() { "0" } else { trimmed }
        })
        .collect()
}

/// The label with each number replaced by `0`.
fn skeleton(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    let mut in_number = false;
    for c in label.chars() {
        if c.is_ascii_digit() {
            if !in_number {
                out.push('0');
            }
            in_number = true;
        } else {
            out.push(c);
            in_number = false;
        }
    }
    out
}

/// The runs of letters.
fn words(s: &str) -> Vec<&str> {
    s.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty())
        .collect()
}

/// What lies between the runs of letters, in order (`-`, `0`, `_`...).
fn glue(s: &str) -> Vec<&str> {
    s.split(|c: char| c.is_ascii_alphabetic())
        .filter(|g| !g.is_empty())
        .collect()
}

/// One edit (a letter left out, added, replaced, or two neighbours swapped) in a word of five
/// letters or more; replacing the last letter changes meaning too often (`authn`/`authz`).
fn typo(a: &str, b: &str) -> bool {
    if a.len().max(b.len()) < 5 || osa_distance(a, b) != 1 {
        return false;
    }
    let last_replaced = a.len() == b.len() && a[..a.len() - 1] == b[..b.len() - 1] && a != b;
    !last_replaced
}

/// `short` abbreviates `long`: same first letter, its letters in order inside `long`, at most
/// half as long (`pg`/`postgres`, `gw`/`gateway`, `db`/`database`).
fn abbreviates(short: &str, long: &str) -> bool {
    if short.len() < 2 || long.len() < 5 || short.len() * 2 > long.len() {
        return false;
    }
    if short.as_bytes()[0] != long.as_bytes()[0] {
        return false;
    }
    let mut rest = long.bytes();
    short.bytes().all(|c| rest.any(|l| l == c))
}

/// Optimal string alignment distance (Levenshtein plus swaps of neighbours), ASCII.
fn osa_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len().abs_diff(b.len()) > 1 {
        return a.len().abs_diff(b.len());
    }
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for i in 0..=a.len() {
        d[i * width] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How the nodes were gathered before: a copy of the name for every statement.
    fn nodes_copying_every_name(hosts: &[Stated<String>]) -> BTreeMap<String, Node<'_>> {
        let mut nodes: BTreeMap<String, Node<'_>> = BTreeMap::new();
        for stmt in hosts {
            let node = nodes.entry(stmt.value.clone()).or_default();
            node.files.insert(stmt.runbook);
            node.stmts.push(stmt);
        }
        nodes
    }

    proptest::proptest! {
        /// The same names, runbooks and statements, in the same order.
        #[test]
        fn nodes_are_those_of_a_copy_per_statement(
            said in proptest::collection::vec(("[ab.]{1,3}", 0usize..4), 0..10),
        ) {
            let hosts: Vec<Stated<String>> = said
                .into_iter()
                .map(|(value, runbook)| Stated {
                    value,
                    runbook,
                    file: format!("{runbook}.md").into(),
                    span: crate::source::Span::default(),
                })
                .collect();
            let shape = |nodes: BTreeMap<String, Node<'_>>| {
                nodes
                    .into_iter()
                    .map(|(name, node)| {
                        let stmts: Vec<*const Stated<String>> =
                            node.stmts.iter().map(|s| std::ptr::from_ref(*s)).collect();
                        (name, node.files, stmts, node.canonical)
                    })
                    .collect::<Vec<_>>()
            };
            proptest::prop_assert_eq!(shape(nodes_of(&hosts)), shape(nodes_copying_every_name(&hosts)));
        }
    }

    #[test]
    fn numbers_name_machines() {
        // Two machines, never one misspelt.
        assert_eq!(
            alike("notify-01.ops.example", "notify-02.ops.example"),
            None
        );
        assert_eq!(
            alike("db-replica-1.x.internal", "db-replica-2.x.internal"),
            None
        );
        assert_eq!(alike("web1.example.com", "web12.example.com"), None);
        assert_eq!(alike("db.x.internal", "db-replica-1.x.internal"), None);
        // The same machine, its number written another way.
        assert_eq!(
            alike("notify-01.ops.example", "notify-1.ops.example"),
            Some(Likeness::Padding)
        );
        assert_eq!(
            alike("notify1.ops.example", "notify-1.ops.example"),
            Some(Likeness::Separator)
        );
    }

    #[test]
    fn typos_in_long_words_only() {
        assert_eq!(
            alike("redis.parcels.internal", "redis.parcel.internal"),
            Some(Likeness::Typo)
        );
        assert_eq!(
            alike("notify-01.harbour.example", "notify-01.harbor.example"),
            Some(Likeness::Typo)
        );
        assert_eq!(
            alike("pg-primray.prod.internal", "pg-primary.prod.internal"),
            Some(Likeness::Typo)
        );
        // Short words, last-letter replacements and two edits are other names.
        assert_eq!(alike("api.example.com", "app.example.com"), None);
        assert_eq!(alike("authn.example.com", "authz.example.com"), None);
        assert_eq!(alike("us-east.example.com", "us-west.example.com"), None);
        assert_eq!(alike("stage.example.com", "staging.example.com"), None);
        assert_eq!(alike("api.example.com", "api.example.org"), None);
        assert_eq!(alike("a.b.example", "a.example"), None);
    }

    #[test]
    fn abbreviations_need_a_second_word() {
        assert_eq!(
            alike("pg-primary.prod.internal", "postgres-primary.prod.internal"),
            Some(Likeness::Abbreviation)
        );
        assert_eq!(
            alike("api-gw.ops.example", "api-gateway.ops.example"),
            Some(Likeness::Abbreviation)
        );
        assert_eq!(alike("pg.prod.internal", "postgres.prod.internal"), None);
        assert_eq!(
            alike("pg-primary.prod.internal", "pg-replica.prod.internal"),
            None
        );
    }

    #[test]
    fn other_domains_of_one_service() {
        assert_eq!(
            other_domain("parcel-api.ops.example", "parcel-api.ops.internal"),
            Some(Likeness::Domain)
        );
        assert_eq!(
            other_domain("parcel-api.example", "parcel-api.prod.internal"),
            Some(Likeness::Domain)
        );
        assert_eq!(
            other_domain("api.eu.example.com", "api.us.example.com"),
            None
        );
        assert_eq!(
            other_domain("api.s1.example.com", "api.s1.example.org"),
            Some(Likeness::Domain)
        );
        assert_eq!(
            other_domain("api.shard-1.example", "api.shard-2.example"),
            None
        );
    }

    #[test]
    fn distances() {
        assert_eq!(osa_distance("primary", "primray"), 1);
        assert_eq!(osa_distance("parcels", "parcel"), 1);
        assert_eq!(osa_distance("east", "west"), 2);
        assert_eq!(osa_distance("", "ab"), 2);
        assert!(abbreviates("db", "database"));
        assert!(!abbreviates("dx", "database"));
    }
}
