//! CLI tests of `runbook build` and the site.
