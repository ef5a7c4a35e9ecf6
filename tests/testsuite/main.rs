//! The one integration test binary: runs the real `runbook` binary in temporary folders.

mod bad_input;
mod inspect;
mod lint;
mod model;
mod plan;
mod serve;
mod site;
mod util;
