//! What it does: finds a service whose container image is pulled from different registries
//! in different runbooks. Images are read from commands (`docker pull`, `kubectl set image
//! NAME=IMAGE`, `--image=IMAGE`, `docker tag`...) and `image:` lines of YAML snippets; the
//! image's last path part is the service. The registry stated by most runbooks wins, unless
//! `[facts.services.NAME] image` in `book.toml` declares it (`registry/name`, tag optional).
//!
//! Why it matters: a rollback that pins `old-registry.example.com/api:v2.4.1` pulls an image
//! that may be stale, unsigned, or gone; during an incident nobody checks which registry a
//! copied command names.
//!
//! Example:
//! ```bash
//! kubectl set image deployment/api api=registry.old.example/api:v2.4.1 -n prod
//! ```
//!
//! Use instead:
//! ```bash
//! kubectl set image deployment/api api=registry.example.com/api:v2.4.1 -n prod
//! ```
//!
//! Known limits: only references whose first part is a registry host (it has a dot or a
//! port, or is `localhost`) count, so Docker Hub names (`team/app:v1`) are not compared;
//! tags are not compared (a rollback names another version on purpose).

use super::super::drift::{judge, where_stated};
use super::super::{BookContext, Sink};
use super::drift_diag;

pub fn check(cx: &BookContext<'_>, sink: &mut Sink) {
    for (service, facts) in &cx.facts.services {
        let canonical = cx
            .declared(service)
            .and_then(|s| s.image.as_deref())
            // Read like the images in commands, so the same spellings count.
            .and_then(|image| crate::facts::image_ref(image).map(|(registry, _)| registry));
        let Some(verdict) = judge(&facts.registries, String::clone, canonical) else {
            continue;
        };
        for stmt in &verdict.minority {
            let message = format!(
                "image `{service}` comes from `{}` here, from `{}` {}",
                stmt.value,
                verdict.key,
                where_stated(&verdict)
            );
            let help = format!(
                "pull `{}/{service}`; if `{}` is right, fix the other runbooks, or declare it under [facts.services.{service}] image in book.toml",
                verdict.key, stmt.value
            );
            sink.push(drift_diag(cx, "RB106", &verdict, stmt, message, help));
        }
    }
}
