#!/usr/bin/env bash
# The console's saved-question page against the same question through `renkei query`, in
# the same run (issue 18): 100 requests of /questions/facility_use_month?run=1&month=M to
# `renkei serve` (logged in, HTML rendered) and 100 runs of `renkei query facility_use_month
# --param month=M --format csv`, on the demo network at SCALE with the release build.
# Prints p50 and p95 of each and the ratio. Reuse a store with WORK=DIR; PROFILE=debug
# times the debug build (no release build at hand: both sides slower, the console's own
# Rust work most, so its ratio is an upper bound).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/renkei-target}"
SCALE="${SCALE:-1}"
MONTH="${MONTH:-2026-03}"
N="${N:-100}"
PROFILE="${PROFILE:-release}"
if [ "$PROFILE" = release ]; then cargo build --release --quiet --bin renkei; else cargo build --quiet --bin renkei; fi
bin="$CARGO_TARGET_DIR/$PROFILE/renkei"
work="${WORK:-$(mktemp -d)}"
mkdir -p "$work"
if [ ! -f "$work/var/renkei.duckdb" ]; then
  "$bin" demo --dir "$work" --scale "$SCALE" --until "$MONTH" > "$work/demo.log" 2>&1
fi
password="quiet horse battery staple"
( cd "$work" && "$bin" user remove bench >/dev/null 2>&1 || true
  echo "$password" | "$bin" user add bench --role analyst --password-stdin >/dev/null )
( cd "$work" && exec "$bin" serve --listen 127.0.0.1:0 > serve.out 2> serve.err ) &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q "http://" "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/^renkei の画面: //p' "$work/serve.out")
python3 bench/console_speed.py "$url" "$bin" "$work" "$MONTH" "$N" "$password"
echo "store: $work/var/renkei.duckdb ($(du -h "$work/var/renkei.duckdb" | cut -f1)), scale $SCALE"
