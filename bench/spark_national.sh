#!/usr/bin/env bash
# A simulated national year on Spark (issue 20): TOTAL networks (280) with yearly access
# events drawn from the survey's range (bench/spark_national.py plan), of which SAMPLE (14:
# quantiles of the sizes and the largest) are written as lakes by renkei itself (`renkei demo --scale`, one lake per size
# class, hard-linked under each network's own slug) and gathered under one root; then every
# metric query for every network on Spark local[2] (scale/spark/renkei_spark.py, one network
# at a time for the per-query times, then four at once for the wall time) and on DuckDB
# reading the same Parquet with two threads, in the same run. Prints the per-query table, rows
# per second per core, the projection to TOTAL networks and, on paper, to a cluster.
# WORK=dir keeps the lakes between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/renkei-target}"
TOTAL="${TOTAL:-280}"
SAMPLE="${SAMPLE:-14}"
SEED="${SEED:-20261203}"
CORES=2
work="${WORK:-$(mktemp -d)}"
mkdir -p "$work"
cargo build --release --quiet --bin renkei
BIN="$CARGO_TARGET_DIR/release/renkei"
venv="$HOME/.cache/renkei-bench-venv"
[ -x "$venv/bin/python" ] || python3 -m venv --system-site-packages "$venv"
"$venv/bin/python" -c "import duckdb, pyspark, sqlglot" 2>/dev/null ||
  "$venv/bin/python" -m pip install --quiet duckdb==2.0.0 pyspark==4.3.0 sqlglot==30.30.0
py="$venv/bin/python"

"$py" bench/spark_national.py plan "$TOTAL" "$SEED" >"$work/plan.tsv"
# The sample: the plan's sizes at evenly spaced quantiles, and its largest network (the worst
# case counts), so it spans the range the survey gives.
step=$((TOTAL / SAMPLE))
sort -t$'\t' -k2,2n "$work/plan.tsv" | awk -v s="$step" 'NR % s == int(s / 2)' | head -n $((SAMPLE - 1)) >"$work/sample.tsv"
sort -t$'\t' -k2,2n "$work/plan.tsv" | tail -1 >>"$work/sample.tsv"
echo "size classes of the sample (scale: networks):" $(cut -f2 "$work/sample.tsv" | sort -n | uniq -c | awk '{print $2 ":" $1}')
for scale in $(cut -f2 "$work/sample.tsv" | sort -un); do
  d="$work/class-$scale"
  if [ ! -f "$d/lake/network=class$scale/_tables.tsv" ]; then
    rm -rf "$d" && mkdir -p "$d"
    start=$(date +%s.%N)
    (cd "$d" && RENKEI_NETWORK_SLUG="class$scale" "$BIN" demo --until 2026-03 --scale "$scale" >demo.log 2>&1)
    echo "renkei demo --scale $scale: $(echo "$(date +%s.%N) - $start" | bc) s, lake $(du -sh "$d/lake" | cut -f1)"
  fi
done
root="$work/lakes"
rm -rf "$root" && mkdir -p "$root"
while IFS=$'\t' read -r slug scale; do
  cp -al "$work/class-$scale/lake/network=class$scale" "$root/network=$slug"
done <"$work/sample.tsv"
echo "gathered: $(ls "$root" | wc -l) networks, $(du -sh --apparent-size "$root" | cut -f1) of Parquet"
config="$work/class-1/renkei.toml"
[ -f "$config" ] || config="$(ls "$work"/class-*/renkei.toml | head -1)"

run_spark() {
  local parallel="$1"
  local start
  start=$(date +%s.%N)
  SPARK_LOCAL_IP=127.0.0.1 spark-submit --master "local[$CORES]" --driver-memory 8g scale/spark/renkei_spark.py \
    --lake "$root" --month 2026-03 --config "$config" --out "$work/spark-out-$parallel" \
    --parallel "$parallel" --timings "$work/spark-$parallel.tsv" 2>"$work/spark-$parallel.log"
  echo "Spark local[$CORES], $parallel network(s) at a time: $(echo "$(date +%s.%N) - $start" | bc) s wall (JVM start included)"
}
run_spark 1
run_spark 4
start=$(date +%s.%N)
"$py" bench/spark_national.py duckdb "$root" 2026-03 "$config" "$work/duckdb.tsv"
echo "DuckDB (2 threads), one network at a time: $(echo "$(date +%s.%N) - $start" | bc) s wall"
echo
"$py" bench/spark_national.py report "$work/spark-1.tsv" "$work/duckdb.tsv" "$root" "$SAMPLE" "$TOTAL" "$CORES"
