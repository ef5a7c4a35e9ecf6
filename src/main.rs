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
    if std::env::args().nth(1).as_deref() == Some("lint") {
        small_pages_only();
    }
    runbook::cli::main()
}

/// Turns transparent huge pages off for this process. mimalloc asks for them on its arena,
/// so each fresh 2 MiB of memory is zeroed (and, on a VM, backed by the host) at once. The
/// lint reads through the book once and keeps its text: measured on 10,000 runbooks
/// (BENCHMARKS.md), system time 0.47 -> 0.18 s and wall time 1.19 -> 1.02 s mean, user
/// time unchanged. The site build keeps them: its search index is read all over, and
/// there it made no difference to wall time, with 4% more user time without them. The
/// arena already exists when `main` runs, so this is the process-wide switch, which the
/// kernel checks at every page fault, not mimalloc's option.
#[cfg(target_os = "linux")]
fn small_pages_only() {
    use std::ffi::{c_int, c_ulong};
    unsafe extern "C" {
        fn prctl(option: c_int, ...) -> c_int;
    }
    /// `PR_SET_THP_DISABLE` of `<linux/prctl.h>`.
    const PR_SET_THP_DISABLE: c_int = 41;
    // SAFETY: this prctl takes four integer arguments and changes only a flag of the process;
    // when the kernel refuses, pages stay as they were.
    unsafe {
        prctl(
            PR_SET_THP_DISABLE,
            1 as c_ulong,
            0 as c_ulong,
            0 as c_ulong,
            0 as c_ulong,
        )
    };
}

#[cfg(not(target_os = "linux"))]
fn small_pages_only() {}
