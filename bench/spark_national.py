"""A simulated national year on Spark and on DuckDB over the same Parquet (issue 20).

    python3 bench/spark_national.py plan NETWORKS SEED          → slug<TAB>scale per network
    python3 bench/spark_national.py duckdb ROOT MONTH CONFIG OUT → DuckDB's timings (TSV)
    python3 bench/spark_national.py report SPARK.tsv DUCKDB.tsv ROOT SAMPLE TOTAL CORES

`plan` draws each network's yearly access events from a log-normal (median 150,000, the
日医総研 survey's range clipped to 20,000 – 3,000,000) and turns it into a `renkei demo
--scale` (scale 1 is about 31,000 events in fiscal 2025), rounded to a size class so that one
lake written by renkei per class serves every network of that size. `duckdb` runs every
metric query the lake can answer for each network folder under ROOT with DuckDB reading the
lake's Parquet (the queries and definitions as renkei runs them, the parameters bound as the
Spark job binds them). `report` prints the per-query table and the projection.
"""

import math
import random
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "scale" / "spark"))
import renkei_spark  # noqa: E402
import translate  # noqa: E402

CLASSES = [1, 2, 4, 8, 16, 32, 64, 96]
EVENTS_PER_SCALE = 31_000


def plan(networks, seed):
    rng = random.Random(seed)
    for i in range(networks):
        events = min(3_000_000, max(20_000, rng.lognormvariate(math.log(150_000), 1.0)))
        want = events / EVENTS_PER_SCALE
        scale = min(CLASSES, key=lambda c: abs(math.log(c) - math.log(max(want, 1))))
        print(f"n{i:03d}\t{scale}")


def duckdb_run(root, month_text, config_path, out):
    import tomllib

    import duckdb

    month = renkei_spark.month_start(month_text)
    config = tomllib.loads(Path(config_path).read_text())
    values = renkei_spark.params_for(month, config)
    definitions = (translate.QUERIES / "schema" / "003_definitions.sql").read_text()
    queries = []
    for p in translate.metric_queries():
        text = p.read_text()
        if renkei_spark.in_lake(text):
            queries.append((p.stem, translate.bind(text, values)))
    lines = ["network\tquery\tseconds\trows"]
    for folder in sorted(Path(root).glob("network=*")):
        slug = folder.name.split("=", 1)[1]
        db = duckdb.connect()
        db.execute("SET threads = 2")
        for table, (_, columns) in tables_of(folder).items():
            if (folder / table).exists():
                files = f"{folder}/{table}/**/*.parquet"
                db.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{files}', hive_partitioning = false)")
            else:
                db.execute(f"CREATE TABLE {table} ({columns})")
        db.execute(definitions)
        for stem, sql in queries:
            started = time.perf_counter()
            rows = db.execute(sql).fetchall()
            lines.append(f"{slug}\t{stem}\t{time.perf_counter() - started:.4f}\t{len(rows)}")
        db.close()
    Path(out).write_text("\n".join(lines) + "\n")


def read_tsv(path):
    rows = [l.split("\t") for l in Path(path).read_text().splitlines()[1:] if l]
    return [(n, q, float(s), int(r)) for n, q, s, r in rows]


def tables_of(folder):
    return renkei_spark.parse_tables((folder / renkei_spark.TABLES_FILE).read_text())


def events_of(root):
    return {f.name.split("=", 1)[1]: tables_of(f)["access_events"][0] for f in Path(root).glob("network=*")}


def report(spark_tsv, duck_tsv, root, sample, total, cores):
    spark, duck = read_tsv(spark_tsv), read_tsv(duck_tsv)
    events = events_of(root)
    sample, total, cores = int(sample), int(total), int(cores)
    rows_read = sum(events.values())
    by_query = {}
    for engine, timings in (("spark", spark), ("duckdb", duck)):
        for n, q, s, _ in timings:
            by_query.setdefault(q, {}).setdefault(engine, []).append(s)
    print(f"networks {sample} of {total}; access events in their lakes {rows_read:,}; cores {cores}")
    print()
    print("| query | Spark s (sum over networks) | DuckDB s | Spark / DuckDB | Spark median per network s | DuckDB median s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for q in sorted(by_query):
        s, d = by_query[q].get("spark", []), by_query[q].get("duckdb", [])
        print(
            f"| {q} | {sum(s):.2f} | {sum(d):.2f} | {sum(s) / max(sum(d), 1e-9):.1f}x | "
            f"{statistics.median(s) if s else float('nan'):.3f} | {statistics.median(d) if d else float('nan'):.3f} |"
        )
    st, dt_ = sum(t[2] for t in spark), sum(t[2] for t in duck)
    print(f"| **all** | **{st:.1f}** | **{dt_:.1f}** | **{st / max(dt_, 1e-9):.1f}x** | | |")
    print()
    # Rows per second per core: the access events each network's lake holds, read once per
    # query that reads them, over the query time and the cores.
    def per_network_of(timings):
        out = {}
        for n, _, sec, _ in timings:
            out[n] = out.get(n, 0) + sec
        return out

    for engine, timings in (("Spark", spark), ("DuckDB", duck)):
        per_network = per_network_of(timings)
        big = max(events, key=events.get)
        print(
            f"{engine}: {rows_read / max(sum(per_network.values()), 1e-9) / cores:,.0f} access events per second per core "
            f"(each network's events over its queries' time, summed); the largest network ({events[big]:,} events) "
            f"{per_network.get(big, float('nan')):.1f} s, the smallest ({min(events.values()):,}) "
            f"{per_network.get(min(events, key=events.get), float('nan')):.1f} s"
        )
    scale_up = total / sample
    print()
    print(f"Projected to {total} networks (×{scale_up:.1f}, networks are independent): Spark local[{cores}] "
          f"{st * scale_up / 60:.0f} min of query time, DuckDB {dt_ * scale_up / 60:.0f} min")
    # On paper: each network's Spark time as a fixed part (planning and scheduling 25 small
    # jobs, on the driver) plus a part per access event (the scan, on the executors), fitted
    # by least squares over the sample; then N executors of 4 cores share the scan, and the
    # driver runs up to 4 networks per executor at once.
    per_network = per_network_of(spark)
    xs = [events[n] for n in per_network]
    ys = [per_network[n] for n in per_network]
    mx, my = statistics.mean(xs), statistics.mean(ys)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / max(sum((x - mx) ** 2 for x in xs), 1e-9)
    a = my - b * mx
    fixed, scan = a * total, b * rows_read * scale_up
    print(f"Fit: {a:.1f} s per network + {b * 1e6:.2f} s per million events (local[{cores}])")
    print("| executors × 4 cores | fixed part | scan part | national year |")
    print("| ---: | ---: | ---: | ---: |")
    for n in (1, 4, 16, 64):
        f_, s_ = fixed / min(4 * n, 64), scan * cores / (4 * n)
        print(f"| {n} | {f_ / 60:.1f} min | {s_ / 60:.1f} min | {(f_ + s_) / 60:.1f} min |")


if __name__ == "__main__":
    cmd, *rest = sys.argv[1:]
    {"plan": lambda: plan(int(rest[0]), int(rest[1])),
     "duckdb": lambda: duckdb_run(*rest),
     "report": lambda: report(*rest)}[cmd]()
