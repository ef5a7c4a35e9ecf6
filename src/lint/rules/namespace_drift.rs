//! What it does: finds a service whose Kubernetes namespace differs between runbooks, and
//! `kubectl`/`oc` commands for a service that give no namespace at all when other commands
//! for it do. Namespaces come from `-n`/`--namespace` of commands that name the service
//! (`deployment/x`, `svc/x`, `-l app=x`, pod names `x-7d9c6b8f54-2kqzt`), from `x.ns.svc`
//! host names and from a `Namespace:` metadata line. The namespace most runbooks use wins,
//! unless `[facts.services.NAME] namespace` declares it.
//!
//! Why it matters: `-n logistic` finds nothing, and a command without `-n` runs in whatever
//! namespace the engineer's context happens to point at, which in an incident may be the
//! wrong cluster's default.
//!
//! Example:
//! ```bash
//! kubectl logs deployment/parcel-api -n logistic
//! kubectl rollout history deployment/parcel-api
//! ```
//!
//! Use instead:
//! ```bash
//! kubectl logs deployment/parcel-api -n logistics
//! kubectl rollout history deployment/parcel-api -n logistics
//! ```
//!
//! Known limits: a runbook that sets the namespace once with
//! `kubectl config set-context --current --namespace=x` is not asked for `-n` on every
//! command; `kubens` and `$KUBECONFIG` tricks are not followed. Pod names count only when
//! their service is named in a stronger form somewhere in the book.

use super::super::drift::{Verdict, judge, where_stated};
use super::super::{BookContext, Sink};
use super::drift_diag;
use crate::facts::{Stated, locate};

pub fn check(cx: &BookContext<'_>, sink: &mut Sink) {
    for (service, facts) in &cx.facts.services {
        let canonical = cx.declared(service).and_then(|s| s.namespace.clone());
        let verdict = judge(&facts.namespaces, Clone::clone, canonical.clone());
        if let Some(verdict) = &verdict {
            for stmt in &verdict.minority {
                let message = format!(
                    "namespace `{}` for `{service}` differs from `{}` {}",
                    stmt.value,
                    verdict.key,
                    where_stated(verdict)
                );
                let help = format!(
                    "use `-n {}`; if `{}` is right, fix the other runbooks, or declare it under [facts.services.{service}] namespace in book.toml",
                    verdict.key, stmt.value
                );
                sink.push(drift_diag(cx, "RB102", verdict, stmt, message, help));
            }
        }
        // Most services have no command without a namespace: nothing more to judge.
        if facts.unnamespaced.is_empty() {
            continue;
        }
        let expected = expected_namespace(&facts.namespaces, canonical, verdict.as_ref());
        let Some(expected) = expected else { continue };
        let witness = facts.namespaces.iter().find(|s| s.value == expected);
        for stmt in &facts.unnamespaced {
            let source = &cx.sources[stmt.runbook];
            let span = locate(
                source,
                stmt.span,
                std::slice::from_ref(&stmt.value),
                &stmt.value,
            )
            .unwrap_or(stmt.span);
            let mut diag = cx
                .diag(
                    "RB102",
                    stmt.runbook,
                    span,
                    format!(
                        "`{}` command for `{service}` gives no namespace; the others use `{expected}`",
                        stmt.value
                    ),
                )
                .with_help(format!(
                    "add `-n {expected}`: without it the command runs in whatever namespace the current context points at"
                ));
            if let Some(w) = witness {
                diag.related.push(cx.related(
                    w.runbook,
                    w.span,
                    format!("{expected} is stated here"),
                ));
            }
            sink.push(diag);
        }
    }
}

/// The namespace the others agree on, or the declared one. `verdict` is the judgement of
/// `namespaces` with `canonical`: without a declared namespace that is the judgement of all
/// statements, which need not be made a second time.
fn expected_namespace(
    namespaces: &[Stated<String>],
    canonical: Option<String>,
    verdict: Option<&Verdict<'_, String>>,
) -> Option<String> {
    canonical.or_else(|| match verdict {
        Some(verdict) => Some(verdict.key.clone()),
        None => namespaces.first().map(|s| s.value.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    /// How the expected namespace was found before: by judging all statements again.
    fn expected_namespace_judged_again(
        namespaces: &[Stated<String>],
        canonical: Option<String>,
    ) -> Option<String> {
        canonical.or_else(|| {
            let all = judge(namespaces, Clone::clone, None);
            match all {
                Some(v) => Some(v.key),
                None => namespaces.first().map(|s| s.value.clone()),
            }
        })
    }

    proptest::proptest! {
        /// Reusing the first judgement expects what judging again expected.
        #[test]
        fn expected_namespace_is_that_of_a_second_judgement(
            said in proptest::collection::vec(("[ab]{1,2}", 0usize..4), 0..8),
            canonical in proptest::option::of("[ab]{1,2}"),
        ) {
            let namespaces: Vec<Stated<String>> = said
                .into_iter()
                .map(|(value, runbook)| Stated {
                    value,
                    runbook,
                    file: format!("{runbook}.md").into(),
                    span: Span::default(),
                })
                .collect();
            let verdict = judge(&namespaces, Clone::clone, canonical.clone());
            proptest::prop_assert_eq!(
                expected_namespace(&namespaces, canonical.clone(), verdict.as_ref()),
                expected_namespace_judged_again(&namespaces, canonical)
            );
        }
    }
}
