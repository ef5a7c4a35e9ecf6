//! The `runbook` binary: parse arguments, run, map the outcome to an exit code.

use std::process::ExitCode;

// mimalloc instead of the system allocator: the build allocates millions of small strings on
// every core, and glibc's malloc took a fifth of the CPU of a large site build (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    runbook::cli::main()
}
