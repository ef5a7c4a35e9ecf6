#!/usr/bin/env bash
# Benchmarks `runbook build` (release) on generated corpora of 1,000 and 10,000 runbooks:
# wall time and peak memory (GNU time), plus the search index size against the Markdown.
# Optionally compares with mdBook on the same corpus (MDBOOK=/path/to/mdbook, or on PATH).
#
# usage: scripts/bench-site.sh [N ...]          (default: 1000 10000)
# env:   CARGO_TARGET_DIR (default target), BENCH_DIR (default target/bench-site)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
sizes=("$@")
[ "${#sizes[@]}" -gt 0 ] || sizes=(1000 10000)
target=${CARGO_TARGET_DIR:-target}
bench=${BENCH_DIR:-target/bench-site}
cargo build --release --locked --quiet
bin="$target/release/runbook"
mdbook=${MDBOOK:-$(command -v mdbook || true)}
[ -x /usr/bin/time ] || { echo "needs GNU time (/usr/bin/time, Debian package 'time')" >&2; exit 1; }
echo "machine: $(nproc) cores, $(uname -sm); runbook $("$bin" --version)"
for n in "${sizes[@]}"; do
  corpus="$bench/corpus-$n"
  python3 scripts/gen-corpus.py "$n" "$corpus" >/dev/null # made again if content/ changed
  md_bytes=$(find "$corpus/content" -name '*.md' -print0 | xargs -0 cat | wc -c)
  rm -rf "$corpus/site"
  RUNBOOK_TODAY=2026-01-01 "$bin" build "$corpus" >/dev/null # warm the page cache
  for run in 1 2 3; do
    /usr/bin/time -v -o "$bench/time-$n-$run.txt" env RUNBOOK_TODAY=2026-01-01 "$bin" build "$corpus" >/dev/null
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$bench/time-$n-$run.txt")
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$bench/time-$n-$run.txt")
    echo "runbook build  n=$n run=$run  wall=$wall  peak=${rss} MB"
  done
  # The manifest and, for a split index, its shards under search/.
  index=$(find "$corpus/site/search-index.js" "$corpus/site/search" -name '*.js' -exec cat {} + 2>/dev/null | wc -c)
  site=$(du -sb "$corpus/site" | cut -f1)
  echo "  markdown=$((md_bytes / 1024)) KiB  search-index=$((index / 1024)) KiB ($((100 * index / md_bytes))% of Markdown)  site=$((site / 1048576)) MiB"
  if [ -n "$mdbook" ]; then
    mb="$bench/mdbook-$n"
    rm -rf "$mb" && mkdir -p "$mb/src"
    cp -r "$corpus/content/." "$mb/src/"
    printf '[book]\ntitle = "bench"\n' > "$mb/book.toml"
    (cd "$mb/src" && { echo "# Summary"; echo; find . -name '*.md' ! -name SUMMARY.md | sort | sed 's|^\./||' | awk '{print "- [" $0 "](" $0 ")"}'; } > SUMMARY.md.tmp && mv SUMMARY.md.tmp SUMMARY.md)
    "$mdbook" build "$mb" >/dev/null 2>&1 || true
    /usr/bin/time -v -o "$bench/mdbook-$n.txt" "$mdbook" build "$mb" >/dev/null 2>&1 || true
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$bench/mdbook-$n.txt")
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$bench/mdbook-$n.txt")
    # mdBook 0.5 names it searchindex-<hash>.js.
    idx=$(find "$mb/book" -maxdepth 1 -name 'searchindex*.js' -printf '%s\n' 2>/dev/null | head -1)
    idx=${idx:-0}
    echo "mdbook build   n=$n  wall=$wall  peak=${rss} MB  searchindex.js=$((idx / 1024)) KiB"
  fi
done
