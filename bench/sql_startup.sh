#!/usr/bin/env bash
# Whole-process time of `renkei sql -e "select 1"` (goal: under 100 ms), against the floor
# of starting the same binary without touching the store (`renkei --version`), in the same
# run. Uses the release build and a demo store; hyperfine when installed (apt-get install
# hyperfine), otherwise a plain loop.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/renkei-target}"
cargo build --release --quiet
bin="$CARGO_TARGET_DIR/release/renkei"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$bin" demo --dir "$work" --until 2026-10 >/dev/null 2>&1
cd "$work"
rows=$("$bin" sql -e "select count(*) as n from access_events" | sed -n 3p)
echo "store: $(du -h var/renkei.duckdb | cut -f1), $rows access events"
if command -v hyperfine >/dev/null; then
  hyperfine --warmup 5 --runs 50 -N \
    "$bin --version" \
    "$bin sql -e 'select 1'" \
    "$bin sql -e 'select count(*) from access_events'"
else
  for cmd in "--version" "sql -e 'select 1'"; do
    start=$(date +%s%N)
    for _ in $(seq 50); do eval "$bin $cmd" >/dev/null; done
    end=$(date +%s%N)
    echo "$cmd: $(( (end - start) / 50000000 )) ms mean over 50 runs"
  done
fi
