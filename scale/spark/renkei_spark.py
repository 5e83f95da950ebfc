"""renkei's metrics on Spark over the lakes of many networks (`lake/network=<slug>/...`).

For one month (and its fiscal year) it runs every query of queries/metrics/ for every network
under the lake root, translated from the one source at run time (translate.py), and writes
each query's results for all networks as Parquet and CSV, plus a comparison table across the
networks (use, cost per view, active-facility rate, image-server value).

    spark-submit scale/spark/renkei_spark.py --lake LAKE --month 2026-03 --out OUT [--config renkei.toml]
    spark-submit --master spark://host:7077 scale/spark/renkei_spark.py --lake hdfs:///lakes ...

A network whose folder lacks a table, a lake of the older single-network layout and a month
with no access-log files are each named with their path on stderr; the other networks'
results are still written. Exit 1 when any network was left out.
"""

import argparse
import datetime as dt
import sys
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import translate  # noqa: E402

# Every table the metric queries read, as the lake holds them.
TABLES = [
    "access_events",
    "facilities",
    "facility_aliases",
    "membership_fees",
    "invoices",
    "quotes",
    "budget",
    "municipalities",
    "image_views",
    "enrollments",
]
# The monthly tables have no folder until a file brings rows (the others are written whole at
# every sync, empty or not): an empty one has these columns (queries/schema/001_init.sql).
OPTIONAL = {
    "image_views": "month DATE, disclosing_facility_id INT, viewing_facility_id INT, views BIGINT, source_file_id INT",
    "enrollments": "month DATE, facility_id INT, municipality STRING, registered_patients BIGINT, source_file_id INT",
}


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


def networks(spark, root):
    """(slug, folder) of each network under the lake root, and the problems found."""
    jvm = spark._jvm
    path = jvm.org.apache.hadoop.fs.Path(root)
    fs = path.getFileSystem(spark._jsc.hadoopConfiguration())
    if not fs.exists(path):
        return [], [f"{root}: 湖のフォルダがありません"]
    found, problems = [], []
    for status in fs.listStatus(path):
        name = status.getPath().getName()
        if status.isDirectory() and name.startswith("network="):
            found.append((name[len("network=") :], status.getPath().toString()))
        elif name in TABLES or name == "_files.txt":
            problems.append(
                f"{status.getPath().toString()}: 古い配置の湖です（表が network=<slug>/ の下にありません）。"
                "そのネットワークの renkei で一度 renkei ingest を実行すると移ります"
            )
    return sorted(found), problems


def exists(spark, path):
    p = spark._jvm.org.apache.hadoop.fs.Path(path)
    return p.getFileSystem(spark._jsc.hadoopConfiguration()).exists(p)


def load_network(spark, folder, month):
    """Registers the network's tables and the shared views; returns the problems that stop it
    and the notes that do not."""
    stop, notes = [], []
    for table in TABLES:
        path = f"{folder}/{table}"
        if exists(spark, path):
            # recursiveFileLookup: the month folders are the lake's layout, not columns (a
            # table's own `month` column would clash with the folder's).
            df = spark.read.option("recursiveFileLookup", "true").parquet(path)
        elif table in OPTIONAL:
            df = spark.createDataFrame([], OPTIONAL[table])
        else:
            stop.append(f"{path}: 表 {table} がありません（そのネットワークの renkei で renkei ingest をやり直してください）")
            continue
        df.createOrReplaceTempView(table)
    if stop:
        return stop, notes
    if not exists(spark, f"{folder}/access_events/month={month.isoformat()[:7]}"):
        notes.append(f"{folder}/access_events/month={month.isoformat()[:7]}: この月のアクセスログのファイルがありません（件数は空として計算します）")
    macros, views = translate.load_definitions()
    for name, body in views:
        spark.sql(translate.to_spark(body, macros)).createOrReplaceTempView(name)
    return stop, notes


def in_lake(sql):
    """Whether a query reads only what the lake holds: the access-log review's tables
    (review_*) stay with the council's privacy officer and are never exported."""
    return "review_" not in sql


def run_queries(spark, values):
    """Every metric query the lake can answer, on the registered tables: {stem: DataFrame}."""
    macros, _ = translate.load_definitions()
    out = {}
    for path in translate.metric_queries():
        text = path.read_text()
        if not in_lake(text):
            continue
        sql = translate.to_spark(translate.bind(text, values), macros)
        out[path.stem] = spark.sql(sql)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lake", required=True, help="the root holding network=<slug>/ folders")
    ap.add_argument("--month", required=True, help="YYYY-MM: the report month (its fiscal year for yearly figures)")
    ap.add_argument("--out", required=True, help="where to write the results")
    ap.add_argument("--config", help="renkei.toml whose [[scenarios]] and [report] give the lease and the threshold")
    args = ap.parse_args(argv)

    from pyspark.sql import SparkSession, functions as F

    month = month_start(args.month)
    config = tomllib.loads(Path(args.config).read_text()) if args.config else {}
    values = params_for(month, config)
    spark = SparkSession.builder.appName("renkei").getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    found, problems = networks(spark, args.lake)
    results = {}
    for slug, folder in found:
        stop, notes = load_network(spark, folder, month)
        for n in notes:
            print(f"注意: {n}", file=sys.stderr)
        if stop:
            problems.extend(stop)
            continue
        for stem, df in run_queries(spark, values).items():
            # Collected per network (each network's tables are views of this session, replaced
            # by the next one's), with the query's own schema for writing them back.
            tagged = df.withColumn("network", F.lit(slug))
            schema, rows = results.setdefault(stem, (tagged.schema, []))
            rows.extend(tagged.collect())
    out = args.out.rstrip("/")
    for stem, (schema, rows) in results.items():
        df = spark.createDataFrame(rows, schema)
        df.coalesce(1).write.mode("overwrite").parquet(f"{out}/{stem}.parquet")
        df.coalesce(1).write.mode("overwrite").option("header", True).csv(f"{out}/{stem}.csv")
    if results:
        comparison(spark, {stem: rows for stem, (_, rows) in results.items()}).coalesce(1).write.mode("overwrite").option("header", True).csv(f"{out}/comparison.csv")
    for p in problems:
        print(f"エラー: {p}", file=sys.stderr)
    spark.stop()
    return 1 if problems else 0


def comparison(spark, results):
    """One row per network: views in the last 12 months, cost per view, the month's active
    facility rate, and the image servers' value (extra annual cost ÷ image views, 12 months)."""
    by = {}
    for r in results.get("cost_per_use", []):
        by.setdefault(r["network"], {}).update(
            views_12m=r["views_12m"], system_cost_yen=r["system_cost_yen"], yen_per_view=r["yen_per_view"]
        )
    for r in results.get("monthly_usage", []):
        by.setdefault(r["network"], {})["active_rate"] = r["active_rate"]  # the last month's wins (ordered)
    value = {}
    for r in results.get("image_server_value", []):
        v = value.setdefault(r["network"], [0, 0])
        v[0] += r["extra_annual_yen"] or 0
        v[1] += r["image_views_12m"] or 0
    rows = []
    for net in sorted(by):
        extra, views = value.get(net, (0, 0))
        d = by[net]
        rows.append(
            (
                net,
                d.get("views_12m"),
                d.get("system_cost_yen"),
                d.get("yen_per_view"),
                d.get("active_rate"),
                extra,
                views,
                (extra / views) if views else None,
            )
        )
    return spark.createDataFrame(
        rows,
        "network STRING, views_12m BIGINT, system_cost_yen BIGINT, yen_per_view DOUBLE, active_rate DOUBLE, "
        "image_extra_annual_yen BIGINT, image_views_12m BIGINT, image_yen_per_view DOUBLE",
    )


if __name__ == "__main__":
    sys.exit(main())
