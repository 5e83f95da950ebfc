#!/usr/bin/env bash
# Board report speed against the bare SQL it runs, in the same run (DESIGN "Performance":
# 6 fiscal years × 10M events, compute + render under 2× the bare SQL aggregates).
# Builds the demo network at SCALE (48 ≈ 10M access events over FY2022–FY2027) with the
# release build, then times `render_board` (every metric, HTML, text, PNG charts, xlsx)
# against the same queries/metrics/*.sql on a plain DuckDB connection (examples/board_bench.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/renkei-target}"
SCALE="${SCALE:-48}"
UNTIL="${UNTIL:-2028-03}"
RUNS="${RUNS:-5}"
cargo build --release --quiet --bin renkei --example board_bench
bin="$CARGO_TARGET_DIR/release/renkei"
work="${WORK:-$(mktemp -d)}"
if [ ! -f "$work/var/renkei.duckdb" ]; then
  /usr/bin/time -f "demo: %e s, peak RSS %M KB" "$bin" demo --dir "$work" --scale "$SCALE" --until "$UNTIL" > "$work/demo.log"
fi
"$CARGO_TARGET_DIR/release/examples/board_bench" "$work" "$UNTIL" "$RUNS"
echo "store: $work/var/renkei.duckdb ($(du -h "$work/var/renkei.duckdb" | cut -f1))"
