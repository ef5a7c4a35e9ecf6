//! The `runbook` binary: parse arguments, run, map the outcome to an exit code.

use std::process::ExitCode;

// mimalloc instead of the system allocator: the build allocates millions of small strings on
// every core, and glibc's malloc took a fifth of the CPU of a large site build (BENCHMARKS.md).
// Its v2 line (the `v2` feature in Cargo.toml), not v3: on 10,000 runbooks v3 peaked 50 MB
// higher for the same work, and fresh pages are what this kind of VM charges most for.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

// `mi_option_set` of the mimalloc that `libmimalloc-sys` builds and links; the `mimalloc`
// crate only exposes it behind a feature that needs another crate, for one call.
unsafe extern "C" {
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// `mi_option_purge_delay` in mimalloc's `mi_option_e` (v2 and v3 alike).
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

fn main() -> ExitCode {
    // A one-shot command keeps freed memory instead of handing it back to the OS: a build
    // or lint frees each runbook's model and allocates the next one's, and on a VM whose
    // freed pages go back to the host, every page handed back costs a fault and a zeroing
    // when reused. Measured on 10,000 runbooks: lint's system time 0.6-0.9 s -> 0.4-0.6 s
    // (BENCHMARKS.md). Long-running commands (`serve`, `--watch`) keep the default, so their
    // memory shrinks back between rebuilds; a path named `serve` only loses the speed-up.
    let long_running = std::env::args().any(|a| a == "serve" || a == "--watch");
    if !long_running {
        // SAFETY: sets a plain integer option, which mimalloc allows at any time.
        unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    }
    runbook::cli::main()
}
