#!/usr/bin/env bash
# Access-log ingest on every shape of log (issue 22), each against DuckDB's own reader of
# the same file in the same run: read_csv (the UTF-8 copy for Shift_JIS shapes) or
# read_json (JSON Lines, FHIR AuditEvent NDJSON) into a fresh database
# (examples/duckdb_anchor.rs). Each shape is ROWS rows (2M) made by bench/shapes/make_logs.py;
# renkei's figure is the whole `renkei ingest` process (validated, facility-matched,
# pseudonymized, stored, and written to the Parquet lake) into a fresh store holding only
# the roster. Medians of RUNS runs; peak RSS and CPU seconds (user + system) from
# /usr/bin/time. The worst row counts. "CPU floor" is renkei's CPU seconds over two cores
# against the anchor's time: the ratio no scheduling of the same work could beat here.
# SHAPES="1m 7y_iso9" runs some; BIN=path uses another renkei binary; WORK=dir REUSE=1 keeps
# the shape files made there before.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/renkei-target}"
ROWS="${ROWS:-2000000}"
RUNS="${RUNS:-3}"
SHAPES="${SHAPES:-1m 7y 7y_iso9 7y_isoz 7y_slash 7y_era 7y_serial 7y_iso9_en_u2k 1m_u20k 1m_p600k 7y_u20k_p600k 1m_sjis 7y_iso9_en_u2k_sjis 7y_era_sjis 1m_jsonl 1m_fhir}"
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet --bin renkei --example duckdb_anchor
  BIN="$CARGO_TARGET_DIR/release/renkei"
  ANCHOR="$CARGO_TARGET_DIR/release/examples/duckdb_anchor"
else
  ANCHOR="${ANCHOR:-$(dirname "$BIN")/examples/duckdb_anchor}"
fi
work="${WORK:-$(mktemp -d)}"
mkdir -p "$work"
here="$(pwd)"
# shellcheck disable=SC2086
python3 bench/shapes/make_logs.py "$work" "$ROWS" $SHAPES >"$work/files"
[ -n "$(echo "$SHAPES" | grep -o 'sjis' | head -1)" ] && for s in $SHAPES; do
  case "$s" in *_sjis) base="${s%_sjis}"; [ -f "$work/$base.csv" ] || python3 bench/shapes/make_logs.py "$work" "$ROWS" "$base" >/dev/null ;; esac
done
: >"$work/times"
for shape in $SHAPES; do
  file="$work/$(grep "^$shape\." "$work/files")"
  anchor_file="$file"
  case "$shape" in *_sjis) anchor_file="$work/${shape%_sjis}.csv" ;; esac
  for i in $(seq 1 "$RUNS"); do
    rm -f "$work/anchor.duckdb"*
    a=$( { /usr/bin/time -f "%e %M %U %S" "$ANCHOR" "$anchor_file" "$work/anchor.duckdb"; } 2>&1 | tail -1)
    dir="$work/run-$shape"
    rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"
    "$BIN" ingest "$work/名簿_R7.csv" >/dev/null
    r=$( { /usr/bin/time -f "TIME %e %M %U %S" "$BIN" ingest "$file"; } 2>&1)
    rows=$(echo "$r" | grep -o '[0-9,]*行' | head -1 | tr -d ',行' || true)
    cd "$here"
    t=$(echo "$r" | grep '^TIME' | tail -1)
    cpu=$(echo "$t" | awk '{print $4 + $5}')
    echo "$shape $(echo "$a" | cut -d' ' -f1) $(echo "$t" | cut -d' ' -f2,3) ${rows:-?} $(du -m "$file" | cut -f1) $cpu $(echo "$a" | awk '{print $3 + $4}')" >>"$work/times"
    echo "$shape run $i: anchor $(echo "$a" | cut -d' ' -f1) s, renkei $(echo "$t" | cut -d' ' -f2) s, rows ${rows:-?}" >&2
  done
done
python3 - "$work/times" <<'PY'
import statistics, sys
runs = {}
order = []
for line in open(sys.argv[1]):
    shape, anchor, renkei, rss, rows, mb, cpu, anchor_cpu = line.split()
    if shape not in runs:
        order.append(shape)
    runs.setdefault(shape, []).append(
        (float(anchor), float(renkei), int(rss) // 1024, rows, mb, float(cpu), float(anchor_cpu)))
# The ratio of the medians, and the spread of each run's own ratio (renkei over the anchor
# just before it): on a machine whose speed wanders, that spread says how far to trust a row.
print("| shape | MB | rows loaded | DuckDB reader s | renkei ingest s | ratio | runs' ratios | bar"
      " | DuckDB CPU s | renkei CPU s | CPU floor | peak RSS MB |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
worst = {}
for shape in order:
    v = runs[shape]
    a, r = statistics.median(x[0] for x in v), statistics.median(x[1] for x in v)
    bar = 1.5 if "sjis" in shape else 1.25
    ratio = r / a
    key = "Shift_JIS" if "sjis" in shape else "UTF-8"
    worst[key] = max(worst.get(key, (0, "")), (ratio, shape))
    each = [x[1] / x[0] for x in v]
    spread = f"{min(each):.2f}–{max(each):.2f}"
    cpu, anchor_cpu = statistics.median(x[5] for x in v), statistics.median(x[6] for x in v)
    floor = cpu / 2 / a
    print(f"| {shape} | {v[0][4]} | {v[0][3]} | {a:.2f} | {r:.2f} | {ratio:.2f}x | {spread} | {bar}x"
          f" | {anchor_cpu:.2f} | {cpu:.2f} | {floor:.2f}x | {max(x[2] for x in v)} |")
for k, (ratio, shape) in worst.items():
    print(f"worst {k}: {shape} {ratio:.2f}x")
PY
