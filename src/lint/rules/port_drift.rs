//! What it does: finds a service whose port differs between runbooks. Ports are read from
//! URLs (`http://parcel-api:8081/health`), `-h HOST -p PORT` (psql, redis-cli), `nc HOST PORT`
//! and a `Port:` metadata line of a runbook about one service. The port stated by most
//! runbooks wins, unless `[facts.services.NAME] port` in `book.toml` declares it; each
//! other statement is reported, with a label where the winning port is stated.
//!
//! Why it matters: the runbook that says 8018 when every other says 8081 is found by the
//! on-call engineer at 3 a.m., when the health check "fails" against a port nothing listens on.
//!
//! Example:
//! ```bash
//! curl -s http://parcel-api:8018/health   # every other runbook: 8081
//! ```
//!
//! Use instead:
//! ```bash
//! curl -s http://parcel-api:8081/health
//! ```
//!
//! Known limits: `localhost:PORT` URLs are skipped (they say nothing about which service
//! answers, and a port-forward may map any local port). A URL whose path is `/metrics` is
//! compared only with other metrics URLs, since services often expose metrics on a second
//! port. Hosts with dots (`db.example.internal`) are compared as written.

use super::super::drift::{judge, where_stated};
use super::super::{BookContext, Sink};
use super::drift_diag;

pub fn check(cx: &BookContext<'_>, sink: &mut Sink) {
    for (service, facts) in &cx.facts.services {
        let canonical = cx
            .declared(service)
            .and_then(|s| s.port)
            .map(|p| p.to_string());
        for (list, canonical, what) in [
            (&facts.ports, canonical, "port"),
            (&facts.metrics_ports, None, "metrics port"),
        ] {
            let Some(verdict) = judge(list, u16::to_string, canonical) else {
                continue;
            };
            for stmt in &verdict.minority {
                let message = format!(
                    "{what} {} for `{service}` differs from {} {}",
                    stmt.value,
                    verdict.key,
                    where_stated(&verdict)
                );
                let help = format!(
                    "use {}; if {} is right, fix the other runbooks, or declare it under [facts.services.{service}] port in book.toml",
                    verdict.key, stmt.value
                );
                sink.push(drift_diag(cx, "RB101", &verdict, stmt, message, help));
            }
        }
    }
}
