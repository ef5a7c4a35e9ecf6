//! CLI tests of `runbook plan`.
