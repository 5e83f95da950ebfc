#!/usr/bin/env bash
# Runs every fuzz campaign: each target for SECONDS seconds (default 600) or until it
# has run RUNS executions (default 10,000,000), whichever comes first, from its seeds
# (fuzz/seeds/<target>/) and the corpus it grew before ($FUZZ_CORPUS/<target>/, outside
# the clone), with a 2 GB RSS cap and a 10-second hang limit. Prints one table row per
# target: executions, seconds, corpus size, crashes (their inputs in
# $FUZZ_CORPUS/artifacts/<target>/). Exit 1 when any target crashed.
#   fuzz/run.sh                    # the campaigns (about 2 hours on 2 cores: JOBS=2 halves it)
#   SECONDS_PER_TARGET=5 fuzz/run.sh   # the smoke run .ci/run does
#   fuzz/run.sh money timestamps   # some targets only
set -uo pipefail
cd "$(dirname "$0")"
secs="${SECONDS_PER_TARGET:-600}"
runs="${RUNS:-10000000}"
corpus="${FUZZ_CORPUS:-$HOME/.cache/renkei-fuzz-corpus}"
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$HOME/.cache/renkei-fuzz-target}"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(sed -n 's/^name = "\(.*\)"$/\1/p' Cargo.toml | grep -v '^renkei-fuzz$')
fi
cargo +nightly fuzz build -O >/dev/null 2>&1 || cargo +nightly fuzz build -O || exit 2
failed=0
printf '| target | executions | seconds | corpus | crashes |\n| --- | ---: | ---: | ---: | ---: |\n'
for t in "${targets[@]}"; do
  mkdir -p "$corpus/$t" "$corpus/artifacts/$t"
  log="$corpus/$t.log"
  started=$(date +%s)
  stamp=$(mktemp)
  cargo +nightly fuzz run -O "$t" "$corpus/$t" "seeds/$t" -- \
    -max_total_time="$secs" -runs="$runs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$corpus/artifacts/$t/" > "$log" 2>&1
  code=$?
  took=$(( $(date +%s) - started ))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  crashes=$(find "$corpus/artifacts/$t" -type f -newer "$stamp" | wc -l)
  rm -f "$stamp"
  size=$(find "$corpus/$t" -type f | wc -l)
  printf '| %s | %s | %s | %s | %s |\n' "$t" "${execs:-?}" "$took" "$size" "$crashes"
  if [ "$code" -ne 0 ] || [ "$crashes" -gt 0 ]; then
    failed=1
    echo "  $t: exit $code; see $log and $corpus/artifacts/$t/" >&2
  fi
done
exit "$failed"
