//! What it does: finds a database name that differs between runbooks for the same database
//! host. Names come from `psql -d NAME` (or `--dbname`, or the first word after the options),
//! `postgres://host/NAME` URLs, `mysql -D NAME` and `datname = 'NAME'` in SQL. Statements
//! are grouped by the `-h` host as written; commands whose host is a variable (`$DB_HOST`)
//! or absent are compared with each other. The name most runbooks use wins, unless
//! `[facts.services.HOST] database` declares it.
//!
//! Why it matters: `psql -d parcel` against a server whose database is `parcels` fails with
//! "database does not exist" at the worst moment, or worse, connects to a leftover database
//! with stale data.
//!
//! Example:
//! ```bash
//! psql -h db.example.internal -U admin -d parcel -c "SELECT 1"
//! ```
//!
//! Use instead:
//! ```bash
//! psql -h db.example.internal -U admin -d parcels -c "SELECT 1"
//! ```
//!
//! Known limits: `postgres`, `template0` and `template1` are never compared (every server has
//! them). A host that really serves two application databases needs one of them declared
//! in `book.toml`, or a suppression comment.

use super::super::drift::{judge, where_stated};
use super::super::{BookContext, Sink};
use super::drift_diag;

pub fn check(cx: &BookContext<'_>, sink: &mut Sink) {
    let declared: Vec<&String> = cx
        .config
        .facts
        .services
        .values()
        .filter_map(|s| s.database.as_ref())
        .collect();
    for (host, stmts) in &cx.facts.databases {
        let canonical = match cx.declared(host).and_then(|s| s.database.clone()) {
            Some(db) => Some(db),
            None if host == "*" && declared.len() == 1 => Some(declared[0].clone()),
            None => None,
        };
        let Some(verdict) = judge(stmts, Clone::clone, canonical) else {
            continue;
        };
        let on = if host == "*" {
            String::new()
        } else {
            format!(" on `{host}`")
        };
        for stmt in &verdict.minority {
            let message = format!(
                "database `{}`{on} differs from `{}` {}",
                stmt.value,
                verdict.key,
                where_stated(&verdict)
            );
            let help = format!(
                "use `{}`; if `{}` is right, fix the other runbooks, or declare the database in book.toml under [facts.services.NAME] database",
                verdict.key, stmt.value
            );
            sink.push(drift_diag(cx, "RB103", &verdict, stmt, message, help));
        }
    }
}
