#!/usr/bin/env bash
# Benchmarks `runbook lint --format json` (release) on generated corpora of 1,000 and 10,000
# runbooks: wall time, user and system CPU, peak memory (GNU time), best and mean of RUNS.
# With BASE=/path/to/other/runbook the two binaries run interleaved, so both see the same
# minutes of a machine whose speed drifts.
#
# usage: scripts/bench-lint.sh [N ...]          (default: 1000 10000)
# env:   RUNS (default 5), BASE, CARGO_TARGET_DIR (default target), BENCH_DIR (default target/bench-site)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
sizes=("$@")
[ "${#sizes[@]}" -gt 0 ] || sizes=(1000 10000)
runs=${RUNS:-5}
target=${CARGO_TARGET_DIR:-target}
bench=${BENCH_DIR:-target/bench-site}
[ -x /usr/bin/time ] || { echo "needs GNU time (/usr/bin/time, Debian package 'time')" >&2; exit 1; }
cargo build --release --locked --quiet
bins=("$target/release/runbook")
[ -n "${BASE:-}" ] && bins+=("$BASE")
echo "machine: $(nproc) cores, $(uname -sm)"
for n in "${sizes[@]}"; do
  corpus="$bench/corpus-$n"
  python3 scripts/gen-corpus.py "$n" "$corpus" >/dev/null # made again if content/ changed
  md_mb=$(find "$corpus/content" -name '*.md' -print0 | xargs -0 cat | wc -c | awk '{printf "%.1f", $1 / 1e6}')
  times="$bench/lint-times-$n.txt"
  : > "$times"
  "${bins[0]}" lint "$corpus" --today 2026-11-23 --format json > /dev/null || true # warm the page cache
  for run in $(seq "$runs"); do
    for bin in "${bins[@]}"; do
      /usr/bin/time -a -o "$times" -f "$bin %e %U %S %M" \
        "$bin" lint "$corpus" --today 2026-11-23 --format json > /dev/null || true
    done
  done
  echo "$n runbooks ($md_mb MB of Markdown), $runs runs each:"
  awk '/^Command/ {next} {n[$1]++; w[$1]+=$2; u[$1]+=$3; s[$1]+=$4; if (!($1 in b) || $2 < b[$1]) b[$1]=$2; if ($5 > m[$1]) m[$1]=$5}
       END {for (k in n) printf "  %s  wall best %.2f s mean %.2f s  user %.2f s  sys %.2f s  peak %d MiB\n",
            k, b[k], w[k]/n[k], u[k]/n[k], s[k]/n[k], m[k]/1024}' "$times"
done
