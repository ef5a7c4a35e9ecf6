//! CLI tests of `runbook inspect`.
