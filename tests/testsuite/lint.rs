//! CLI tests of `runbook lint`.
