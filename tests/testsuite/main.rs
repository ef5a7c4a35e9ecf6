//! The one integration test binary: runs the real `runbook` binary in temporary folders.

mod inspect;
mod lint;
mod plan;
mod util;
