#!/usr/bin/env bash
# RSS of an idle `renkei daemon` (goal: under 50 MB), against the floor of the same binary
# doing nothing (`renkei --version`'s peak RSS) in the same run. Release build, the demo's
# store, with the ingest job every 10 s (RENKEI_SCHEDULE_INGEST) so the daemon has done runs
# before it is read: WAIT seconds after it started (default 20) and 20 s later, then
# stopped with SIGTERM. The figures come from /proc/PID/status (VmRSS = RssAnon + RssFile +
# RssShmem), read between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/renkei-target}"
cargo build --release --quiet --bin renkei
bin="$CARGO_TARGET_DIR/release/renkei"
work="$(mktemp -d)"
trap 'kill "${pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
"$bin" demo --dir "$work" --until 2026-10 >/dev/null 2>&1
cd "$work"
floor=$( { /usr/bin/time -f "%M" "$bin" --version >/dev/null; } 2>&1 | tail -1)
echo "renkei --version: peak RSS $((floor / 1024)) MB"
RENKEI_SCHEDULE_INGEST="*/10 * * * * *" "$bin" daemon 2>"$work/daemon.log" &
pid=$!
read_rss() {
  awk '/^(VmRSS|RssAnon|RssFile)/ {printf "%s %d MB  ", $1, $2 / 1024} END {print ""}' "/proc/$pid/status"
}
sleep "${WAIT:-20}"
echo "idle daemon after ${WAIT:-20} s: $(read_rss)"
sleep 20
echo "idle daemon 20 s later: $(read_rss)"
kill -TERM "$pid"
wait "$pid"
echo "runs done meanwhile: $(grep -c "run ended" "$work/daemon.log" || true)"
