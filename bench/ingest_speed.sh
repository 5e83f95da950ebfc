#!/usr/bin/env bash
# Access-log ingest speed against DuckDB's own CSV reader, in the same run (DESIGN
# "Performance"): a 2M-row access log (UTF-8, ~200 MB) and its Shift_JIS copy, each
# ingested by `renkei ingest` (release build: validated, facility-matched,
# pseudonymized), against `CREATE TABLE t AS SELECT * FROM read_csv(...)` of the UTF-8 copy
# with the same bundled DuckDB (examples/duckdb_anchor.rs). Peak RSS from /usr/bin/time.
# renkei's figures: the whole process, and the file's own line of the summary (hash, decode,
# parse, pseudonymize, insert, commit; the rest is opening the store and the Parquet lake).
# Then a ~1 GB copy (BIG_ROWS, 0 to skip) for the peak-RSS goal.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/renkei-target}"
ROWS="${ROWS:-2000000}"
BIG_ROWS="${BIG_ROWS:-11000000}"
cargo build --release --quiet --bin renkei --example duckdb_anchor
bin="$CARGO_TARGET_DIR/release/renkei"
anchor="$CARGO_TARGET_DIR/release/examples/duckdb_anchor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 - "$work" "$ROWS" <<'PY'
import random, sys
work, rows = sys.argv[1], int(sys.argv[2])
random.seed(7)
hospitals = ["魚沼基幹病院", "十日町病院", "南魚沼市民病院", "小出病院", "齋藤記念病院", "松代病院", "津南病院", "湯沢町保健医療センター"]
others = [f"テスト診療所{i:02d}" for i in range(60)]
with open(f"{work}/名簿_R7.csv", "w", encoding="utf-8") as f:
    f.write("施設名,種別,市町\n")
    for h in hospitals:
        f.write(f"{h},病院,南魚沼市\n")
    for o in others:
        f.write(f"{o},診療所,魚沼市\n")
viewers = hospitals + others
types = ["画像", "検査", "処方", "文書"]
with open(f"{work}/log.csv", "w", encoding="utf-8", newline="") as f:
    f.write("日時,システム,利用者ID,利用施設,患者ID,開示施設,データ種別,操作\r\n")
    for i in range(rows):
        v = random.choice(viewers)
        d = random.choice(hospitals)
        f.write(f"2025-{1 + i * 12 // rows:02d}-{1 + i % 28:02d} {8 + i % 10:02d}:{i % 60:02d}:{(i * 7) % 60:02d},"
                f"{'ID-Link' if i % 5 else 'Team'},U{random.randrange(400):05d},{v},P{random.randrange(60000):08d},"
                f"{d},{types[i % 4]},閲覧\r\n")
with open(f"{work}/log.csv", encoding="utf-8") as src, open(f"{work}/log_sjis.csv", "w", encoding="cp932", newline="") as dst:
    for line in src:
        dst.write(line)
PY
echo "log: $(du -h "$work/log.csv" | cut -f1) UTF-8, $(du -h "$work/log_sjis.csv" | cut -f1) Shift_JIS, $ROWS rows"

run_renkei() { # name file: a fresh store with the roster loaded, then the timed log ingest
  local dir="$work/run-$1"
  rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"
  "$bin" ingest "$work/名簿_R7.csv" >/dev/null
  local out
  out=$( { /usr/bin/time -f "TIME %e %M %U %S" "$bin" ingest "$2"; } 2>&1)
  local t file
  t=$(echo "$out" | grep '^TIME' | tail -1)
  file=$(echo "$out" | grep -o '[0-9.]*秒' | tail -1)
  echo "renkei ingest ($1): $(echo "$t" | cut -d' ' -f2) s (the file itself ${file%秒} s), peak RSS $(( $(echo "$t" | cut -d' ' -f3) / 1024 )) MB, CPU $(echo "$t" | awk '{print $4 + $5}') s"
  echo "$1 $(echo "$t" | cut -d' ' -f2) ${file%秒}" >>"$work/times"
  cd "$work"
}
cd "$work"
# The anchor and both copies alternate, RUNS times; the ratios are of the medians, since a
# shared 2-core machine moves single runs by ±20 %.
for i in $(seq 1 "${RUNS:-5}"); do
  rm -f anchor.duckdb*
  anchor_out=$( { /usr/bin/time -f "%e %M %U %S" "$anchor" "$work/log.csv" "$work/anchor.duckdb"; } 2>&1 )
  echo "run $i: duckdb read_csv CTAS (UTF-8): $(echo "$anchor_out" | head -1) (process $(echo "$anchor_out" | tail -1 | cut -d' ' -f1) s), peak RSS $(( $(echo "$anchor_out" | tail -1 | cut -d' ' -f2) / 1024 )) MB, CPU $(echo "$anchor_out" | tail -1 | awk '{print $3 + $4}') s"
  echo "anchor $(echo "$anchor_out" | tail -1 | cut -d' ' -f1) $(echo "$anchor_out" | head -1 | cut -d' ' -f1)" >>"$work/times"
  run_renkei utf8 "$work/log.csv"
  run_renkei sjis "$work/log_sjis.csv"
done
python3 - "$work/times" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    name, process, own = line.split()
    runs.setdefault(name, []).append((float(process), float(own)))
med = {k: (statistics.median(p for p, _ in v), statistics.median(o for _, o in v)) for k, v in runs.items()}
a = med["anchor"][0]
print(f"medians of {len(runs['anchor'])} runs (whole processes): DuckDB CTAS {a:.2f} s")
for k, goal in (("utf8", 1.25), ("sjis", 1.5)):
    p, o = med[k]
    print(f"  renkei {k}: {p:.2f} s = {p / a:.2f}x (goal {goal}x); the file itself {o:.2f} s = {o / a:.2f}x")
PY

if [ "$BIG_ROWS" -gt 0 ]; then
  mkdir -p "$work/big"
  python3 - "$work/big" "$BIG_ROWS" <<'PY'
import random, sys
work, rows = sys.argv[1], int(sys.argv[2])
random.seed(11)
hospitals = ["魚沼基幹病院", "十日町病院", "南魚沼市民病院", "小出病院", "齋藤記念病院", "松代病院", "津南病院", "湯沢町保健医療センター"]
viewers = hospitals + [f"テスト診療所{i:02d}" for i in range(60)]
types = ["画像", "検査", "処方", "文書"]
with open(f"{work}/big.csv", "w", encoding="utf-8", newline="") as f:
    f.write("日時,システム,利用者ID,利用施設,患者ID,開示施設,データ種別,操作\r\n")
    for i in range(rows):
        f.write(f"2025-{1 + i * 12 // rows:02d}-{1 + i % 28:02d} {8 + i % 10:02d}:{i % 60:02d}:{(i * 7) % 60:02d},"
                f"{'ID-Link' if i % 5 else 'Team'},U{random.randrange(400):05d},{random.choice(viewers)},"
                f"P{random.randrange(600000):08d},{random.choice(hospitals)},{types[i % 4]},閲覧\r\n")
PY
  echo "big log: $(du -h "$work/big/big.csv" | cut -f1), $BIG_ROWS rows"
  run_renkei big "$work/big/big.csv"
fi
