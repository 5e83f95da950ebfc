"""renkei's metrics on Spark over the lakes of many networks (`<root>/network=<slug>/...`).

For one month (or a fiscal year's last month) it runs every query of queries/metrics/ for
every network under the lake root, translated from the one source at run time (translate.py),
and writes each query's results for all networks, tagged with a `network` column, as Parquet
and CSV under --out, plus comparison.{parquet,csv}: one row per network (use, cost per view,
active-facility rate, image-server value) and a row for all of them together. Every network
is computed under the one scenario of --config (lease years and factor, the threshold), so
the networks are compared on the same assumptions.

    spark-submit scale/spark/renkei_spark.py --lake ROOT --month 2026-03 --out OUT --config renkei.toml
    spark-submit --master spark://host:7077 scale/spark/renkei_spark.py --lake hdfs:///lakes ...

Each network's folder holds what renkei wrote there: its tables and _tables.tsv, the list of
them with their row counts and columns. A lake of the older single-network layout, a network
folder missing a table and a month with no access-log files are each named with their path
on stderr; the other networks' results are still written. Exit 1 when any network was left
out.
"""

import argparse
import datetime as dt
import math
import sys
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import translate  # noqa: E402

# What renkei writes beside each network's tables at every sync (src/store/lake/mod.rs TABLES):
# every table with its row count and columns, so the job needs no list of its own, an empty
# monthly table (which has no folder) still has its columns, and a folder lost on the way is
# told from one never written.
TABLES_FILE = "_tables.tsv"
MANIFEST = "_files.txt"
# DuckDB's names for the lake's column types where Spark's differ. TIMESTAMP is DuckDB's
# timestamp without a zone, which Spark reads from Parquet as TIMESTAMP_NTZ.
SPARK_TYPES = {"VARCHAR": "STRING", "INTEGER": "INT", "TIMESTAMP": "TIMESTAMP_NTZ"}
MONTHLY = ("access_events", "image_views", "enrollments")
RERUN = "そのネットワークの renkei で renkei ingest を一度実行すると書き直されます"


def month_start(text):
    d = dt.date.fromisoformat(text + "-01" if len(text) == 7 else text)
    return d.replace(day=1)


def add_months(d, n):
    y, m = divmod(d.year * 12 + d.month - 1 + n, 12)
    return dt.date(y, m + 1, 1)


def params_for(month, config):
    """The values every metric query's `-- param:` lines ask for, as renkei binds them."""
    scenarios = config.get("scenarios", [])
    first = scenarios[0] if scenarios else {}
    fy = month.year if month.month >= 4 else month.year - 1
    return {
        "month": month.isoformat(),
        "from_month": add_months(month, -12).isoformat(),
        "to_month": month.isoformat(),
        "fiscal_year": fy,
        "lease_years": max(1, int(first.get("lease_years", 5))),
        "lease_factor": float(first.get("lease_factor", 1.0)),
        "threshold_yen": int(config.get("report", {}).get("threshold_yen_per_view", 1000)),
    }


def fs_of(spark, path):
    """Hadoop's file system and path for a folder, a file or an hdfs:// / s3a:// address."""
    p = spark._jvm.org.apache.hadoop.fs.Path(path)
    return p.getFileSystem(spark._jsc.hadoopConfiguration()), p


def exists(spark, path):
    fs, p = fs_of(spark, path)
    return fs.exists(p)


def networks(spark, root):
    """(slug, folder) of each network under the lake root, and the problems found: a lake of
    the single-network layout renkei wrote before the network folders (its tables and
    _files.txt directly in the folder) is named, not read."""
    fs, path = fs_of(spark, root)
    if not fs.exists(path):
        return [], [f"{root}: 湖のフォルダがありません"]
    old = f"古い配置の湖です（表が network=<slug>/ の下にありません）。{RERUN}"
    found, problems = [], []
    listed = fs.listStatus(path)
    if any(s.getPath().getName() == MANIFEST for s in listed):
        return [], [f"{path.toString()}: {old}"]
    for status in listed:
        name = status.getPath().getName()
        if not status.isDirectory() or name.startswith((".", "_")):
            continue
        if name.startswith("network="):
            found.append((name[len("network=") :], status.getPath().toString()))
            continue
        inside = {s.getPath().getName() for s in fs.listStatus(status.getPath())}
        if MANIFEST in inside or any(n.startswith("month=") for n in inside):
            problems.append(f"{status.getPath().toString()}: {old}")
        else:
            print(f"注意: {status.getPath().toString()}: network=<slug> のフォルダではないので読みません", file=sys.stderr)
    return sorted(found), problems


def parse_tables(text):
    """{table: (rows, DuckDB columns as `name TYPE, …`)} from a _tables.tsv's text."""
    tables = {}
    for line in text.splitlines():
        if line and not line.startswith("table\t"):
            table, rows, columns = line.split("\t")
            tables[table] = (int(rows), columns)
    return tables


def table_list(spark, folder):
    """{table: (rows, Spark DDL columns)} from the network's _tables.tsv."""
    # Read through Hadoop's file system: Spark's own readers skip files whose names begin
    # with "_" (as they skip _SUCCESS), which keeps this list out of any table.
    fs, path = fs_of(spark, f"{folder}/{TABLES_FILE}")
    stream = fs.open(path)
    try:
        text = spark._jvm.org.apache.commons.io.IOUtils.toString(stream, "UTF-8")
    finally:
        stream.close()
    out = {}
    for table, (rows, columns) in parse_tables(text).items():
        ddl = []
        for column in columns.split(", "):
            name, ty = column.split(" ", 1)
            ddl.append(f"`{name}` {SPARK_TYPES.get(ty, ty)}")
        out[table] = (rows, ", ".join(ddl))
    return out


def load_network(spark, folder, month, views):
    """Registers the network's tables and the shared views (name, Spark SQL); returns the
    problems that stop it and the notes that do not."""
    if not exists(spark, f"{folder}/{TABLES_FILE}"):
        return [f"{folder}/{TABLES_FILE}: 表の一覧がありません（古い renkei が書いた湖です）。{RERUN}"], []
    stop, notes = [], []
    for table, (rows, ddl) in table_list(spark, folder).items():
        path = f"{folder}/{table}"
        if exists(spark, path):
            # recursiveFileLookup: the month folders are the lake's layout, not columns (a
            # table's own `month` column would clash with the folder's).
            df = spark.read.option("recursiveFileLookup", "true").parquet(path)
        elif table in MONTHLY and rows == 0:
            df = spark.createDataFrame([], ddl)
        else:
            stop.append(f"{path}: 表 {table} のフォルダがありません（{rows} 行あるはずです）。コピーし直すか、{RERUN}")
            continue
        df.createOrReplaceTempView(table)
    if stop:
        return stop, notes
    month_folder = f"{folder}/access_events/month={month.isoformat()[:7]}"
    if not exists(spark, month_folder):
        notes.append(f"{month_folder}: この月のアクセスログのファイルがありません（その月の件数と率は空になります）")
    for name, sql in views:
        spark.sql(sql).createOrReplaceTempView(name)
    return stop, notes


def in_lake(sql):
    """Whether a query reads only what the lake holds: the access-log review's tables
    (review_*) stay with the council's privacy officer and are never exported."""
    return "review_" not in sql


def translated(values):
    """The shared views and every metric query the lake can answer, bound and translated
    once for all networks: ([(view, Spark SQL)], [(stem, Spark SQL)])."""
    macros, views = translate.load_definitions()
    queries = []
    for path in translate.metric_queries():
        text = path.read_text()
        if in_lake(text):
            queries.append((path.stem, translate.to_spark(translate.bind(text, values), macros)))
    return [(name, translate.to_spark(body, macros)) for name, body in views], queries


def run_network(spark, slug, folder, month, views, queries):
    """One network in a session of its own (its tables are that session's temporary views):
    (problems that left it out, notes, {stem: (schema, rows)}, [(stem, seconds, rows)])."""
    from pyspark.sql import functions as F

    session = spark.newSession()
    collected, timings, stem, notes = {}, [], "表の読み込み", []
    try:
        stop, notes = load_network(session, folder, month, views)
        if stop:
            return stop, notes, {}, []
        for stem, sql in queries:
            started = time.perf_counter()
            tagged = session.sql(sql).withColumn("network", F.lit(slug))
            rows = tagged.collect()
            timings.append((stem, time.perf_counter() - started, len(rows)))
            collected[stem] = (tagged.schema, rows)
    except Exception as e:  # noqa: BLE001 - Spark's errors come as Py4J/Analysis exceptions
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        return [f"{folder}: Spark が読めませんでした（{stem}: {first}）"], notes, {}, []
    return [], notes, collected, timings


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lake", required=True, help="the root holding network=<slug>/ folders")
    when = ap.add_mutually_exclusive_group(required=True)
    when.add_argument("--month", help="YYYY-MM: the report month (its fiscal year for the yearly figures)")
    when.add_argument("--fiscal-year", type=int, help="a fiscal year (the year its April falls in): its last month, March")
    ap.add_argument("--out", required=True, help="where to write the results")
    ap.add_argument("--config", help="renkei.toml whose [[scenarios]] and [report] give the lease and the threshold")
    ap.add_argument("--parallel", type=int, default=4, help="networks run at once (default 4)")
    ap.add_argument("--timings", help="write each network's seconds and rows per query here (TSV)")
    args = ap.parse_args(argv)

    from pyspark.sql import SparkSession

    month = month_start(args.month) if args.month else dt.date(args.fiscal_year + 1, 3, 1)
    config = tomllib.loads(Path(args.config).read_text()) if args.config else {}
    values = params_for(month, config)
    spark = SparkSession.builder.appName("renkei").config("spark.ui.showConsoleProgress", "false").getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    found, problems = networks(spark, args.lake)
    views, queries = translated(values)
    # Several networks at once, each in its own session of the one Spark application, so the
    # executors stay busy while one network's small queries wait on the driver.
    with ThreadPoolExecutor(max_workers=max(1, args.parallel)) as pool:
        runs = list(pool.map(lambda n: run_network(spark, n[0], n[1], month, views, queries), found))
    results, timings = {}, []
    for (slug, _), (stop, notes, collected, timed) in zip(found, runs):
        for n in notes:
            print(f"注意: {n}", file=sys.stderr)
        problems.extend(stop)
        for stem, (schema, rows) in collected.items():
            results.setdefault(stem, (schema, []))[1].extend(rows)
        timings.extend((slug, *t) for t in timed)
    out = args.out.rstrip("/")
    for stem, (schema, rows) in results.items():
        df = spark.createDataFrame(rows, schema).coalesce(1)
        df.write.mode("overwrite").parquet(f"{out}/{stem}.parquet")
        df.write.mode("overwrite").option("header", True).csv(f"{out}/{stem}.csv")
    if results:
        table = comparison(spark, {stem: rows for stem, (_, rows) in results.items()}, month).coalesce(1)
        table.write.mode("overwrite").parquet(f"{out}/comparison.parquet")
        table.write.mode("overwrite").option("header", True).csv(f"{out}/comparison.csv")
    if args.timings:
        lines = ["network\tquery\tseconds\trows"] + [f"{n}\t{q}\t{sec:.4f}\t{r}" for n, q, sec, r in timings]
        Path(args.timings).write_text("\n".join(lines) + "\n")
    for p in problems:
        print(f"エラー: {p}", file=sys.stderr)
    spark.stop()
    return 1 if problems else 0


TOTAL = "(全体)"


def ratio(num, den):
    return num / den if num is not None and den else None


def yen_per(num, den):
    """Yen per unit in whole yen, rounded half up as the queries' round() does."""
    r = ratio(num, den)
    return None if r is None else float(math.floor(r + 0.5))


def total(values):
    """The sum across networks, or missing when any network's figure is missing."""
    values = list(values)
    return None if any(v is None for v in values) else sum(values)


def comparison(spark, results, month):
    """One row per network, and a last row for all of them together (TOTAL): views in the last
    12 months, the system cost and cost per view, the month's active and participating
    facilities and their rate, and the image servers' value (extra annual cost ÷ image views
    over 12 months, over the hospitals that have both a quote and a count). Each network's
    figures are its queries' own; the whole's ratios are the ratios of the sums, yen per unit
    in whole yen as the queries give them."""
    by = {}
    for r in results.get("cost_per_use", []):
        by.setdefault(r["network"], {}).update(
            views_12m=r["views_12m"], system_cost_yen=r["system_cost_yen"], yen_per_view=r["yen_per_view"]
        )
    for r in results.get("monthly_usage", []):
        if r["month"] == month:
            by.setdefault(r["network"], {}).update(
                active_facilities=r["active_facilities"],
                participating_facilities=r["participating_facilities"],
                active_rate=r["active_rate"],
            )
    for r in results.get("image_server_value", []):
        d = by.setdefault(r["network"], {})
        d.setdefault("image_extra_annual_yen", None)
        d.setdefault("image_views_12m", None)
        if r["extra_annual_yen"] is not None and r["image_views_12m"] is not None:
            d["image_extra_annual_yen"] = (d["image_extra_annual_yen"] or 0) + r["extra_annual_yen"]
            d["image_views_12m"] = (d["image_views_12m"] or 0) + r["image_views_12m"]
    columns = [
        "views_12m",
        "system_cost_yen",
        "yen_per_view",
        "active_facilities",
        "participating_facilities",
        "active_rate",
        "image_extra_annual_yen",
        "image_views_12m",
        "image_yen_per_view",
    ]
    for d in by.values():
        d["image_yen_per_view"] = yen_per(d.get("image_extra_annual_yen"), d.get("image_views_12m"))
    whole = {c: total(d.get(c) for d in by.values()) for c in columns}
    whole["yen_per_view"] = yen_per(whole["system_cost_yen"], whole["views_12m"])
    whole["active_rate"] = ratio(whole["active_facilities"], whole["participating_facilities"])
    whole["image_yen_per_view"] = yen_per(whole["image_extra_annual_yen"], whole["image_views_12m"])
    rows = [(net, *(by[net].get(c) for c in columns)) for net in sorted(by)]
    rows.append((TOTAL, *(whole[c] for c in columns)))
    return spark.createDataFrame(
        rows,
        "network STRING, views_12m BIGINT, system_cost_yen BIGINT, yen_per_view DOUBLE, active_facilities BIGINT, "
        "participating_facilities BIGINT, active_rate DOUBLE, image_extra_annual_yen BIGINT, image_views_12m BIGINT, "
        "image_yen_per_view DOUBLE",
    )


if __name__ == "__main__":
    sys.exit(main())
