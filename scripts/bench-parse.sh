#!/usr/bin/env bash
# Parse benchmark: loads generated books of 1,000 and 10,000 runbooks with `runbook inspect`
# (read + parse + print a summary) and reports wall time and peak memory of each of 3 runs.
# usage: scripts/bench-parse.sh [WORKDIR]   (default: target/bench)
set -Eeuo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
work=${1:-target/bench}
cargo build --release --locked
for n in 1000 10000; do
  dir="$work/corpus-$n"
  python3 scripts/gen-corpus.py "$n" "$dir" # made again if content/ changed
  for run in 1 2 3; do
    /usr/bin/time -f "inspect $n runbooks, run $run: %e s wall, %M KB peak" \
      target/release/runbook inspect "$dir" --format summary > /dev/null
  done
done
