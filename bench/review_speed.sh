#!/usr/bin/env bash
# The month's access-log review against one bare DuckDB scan of the same events, in the
# same run (issue 17). Builds the demo network at SCALE (48 ≈ 10M access events over
# FY2022–FY2027, with the demo's planted cases in the last month) with the release build,
# then times review::review of the last month against a scan of every event
# (examples/review_bench.rs). Reuse a store with WORK=DIR (the board bench's works too).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/renkei-target}"
SCALE="${SCALE:-48}"
UNTIL="${UNTIL:-2028-03}"
RUNS="${RUNS:-5}"
cargo build --release --quiet --bin renkei --example review_bench
bin="$CARGO_TARGET_DIR/release/renkei"
work="${WORK:-$(mktemp -d)}"
mkdir -p "$work"
if [ ! -f "$work/var/renkei.duckdb" ]; then
  /usr/bin/time -f "demo: %e s, peak RSS %M KB" "$bin" demo --dir "$work" --scale "$SCALE" --until "$UNTIL" > "$work/demo.log"
fi
/usr/bin/time -f "review bench: peak RSS %M KB" "$CARGO_TARGET_DIR/release/examples/review_bench" "$work" "$UNTIL" "$RUNS"
echo "store: $work/var/renkei.duckdb ($(du -h "$work/var/renkei.duckdb" | cut -f1))"
