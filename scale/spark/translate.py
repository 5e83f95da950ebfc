"""renkei's queries on Spark: the one source in queries/ translated mechanically at run time.

The metric queries (queries/metrics/*.sql) are DuckDB SQL that call the shared definitions of
queries/schema/003_definitions.sql: macros (month_add, in_12m, has_log, running_cost...) and
views (view_events, facility_uses...). Spark has neither DuckDB's macros nor some of its
functions, so this module

1. reads every `CREATE MACRO` of the schema files and inlines each call (scalar macros as
   their expression, the table macro running_cost(fy) as a subquery), until none is left;
2. rewrites the few DuckDB forms sqlglot does not carry over to Spark: `d + to_months(n)`
   (add_months), `EXISTS (...)` outside a WHERE (a scalar count), `$name` parameters (typed
   literals from the header's `-- param:` lines);
3. and lets sqlglot write the result in Spark's dialect.

Nothing here is a second copy of a query: change a query or a definition and Spark runs the
change. `translate.py --check` translates every metric query and fails on one that does not
translate (the equality test also runs each one on Spark).
"""

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import sqlglot
from sqlglot import exp

QUERIES = Path(__file__).resolve().parents[2] / "queries"
SCHEMA_FILES = ["003_definitions.sql"]


@dataclass
class Macro:
    name: str
    params: list
    body: exp.Expression
    table: bool


@dataclass
class Param:
    name: str
    kind: str


def _statements(text):
    """The schema file's statements, comments dropped, split on semicolons outside quotes."""
    lines = [l for l in text.splitlines() if not l.lstrip().startswith("--")]
    out, cur, quoted = [], [], False
    for ch in "\n".join(lines):
        if ch == "'":
            quoted = not quoted
        if ch == ";" and not quoted:
            out.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    if "".join(cur).strip():
        out.append("".join(cur).strip())
    return [s for s in out if s]


MACRO = re.compile(r"^CREATE\s+(?:OR\s+REPLACE\s+)?MACRO\s+(\w+)\s*\(([^)]*)\)\s+AS\s+(TABLE\s+)?(.*)$", re.S | re.I)
VIEW = re.compile(r"^CREATE\s+(?:OR\s+REPLACE\s+)?VIEW\s+(\w+)\s+AS\s+(.*)$", re.S | re.I)


def load_definitions(files=SCHEMA_FILES):
    """(macros by name, views as (name, DuckDB SELECT) in order)."""
    macros, views = {}, []
    for f in files:
        for stmt in _statements((QUERIES / "schema" / f).read_text()):
            m = MACRO.match(stmt)
            if m:
                name, params, table, body = m.groups()
                params = [p.strip() for p in params.split(",") if p.strip()]
                macros[name.lower()] = Macro(name.lower(), params, sqlglot.parse_one(body, read="duckdb"), bool(table))
                continue
            v = VIEW.match(stmt)
            if v:
                views.append((v.group(1), v.group(2)))
    return macros, views


def _substitute(body, params, args):
    mapping = dict(zip(params, args))

    def swap(node):
        if isinstance(node, exp.Column) and not node.table and node.name in mapping:
            return exp.Paren(this=mapping[node.name].copy())
        return node

    return body.copy().transform(swap)


def _call_name(node):
    if isinstance(node, exp.Anonymous):
        return node.name.lower()
    if isinstance(node, exp.Func):
        return node.sql_name().lower()
    return None


def _call_args(node):
    if isinstance(node, exp.Anonymous):
        return list(node.expressions)
    return [a for a in node.args.values() if isinstance(a, exp.Expression)] + [
        x for a in node.args.values() if isinstance(a, list) for x in a
    ]


def inline_macros(tree, macros):
    """Inlines every macro call until none is left (macros call macros)."""
    for _ in range(20):
        changed = False

        def expand(node):
            nonlocal changed
            # running_cost(fy) in FROM: a table macro, inlined as a subquery.
            if isinstance(node, exp.Table) and isinstance(node.this, exp.Anonymous):
                name = node.this.name.lower()
                m = macros.get(name)
                if m and m.table:
                    changed = True
                    body = _substitute(m.body, m.params, list(node.this.expressions))
                    return exp.Subquery(this=body, alias=node.args.get("alias") or exp.TableAlias(this=exp.to_identifier(name)))
            name = _call_name(node) if isinstance(node, (exp.Anonymous, exp.Func)) else None
            m = macros.get(name) if name else None
            if m and not m.table and not isinstance(node.parent, exp.Table):
                args = _call_args(node)
                if len(args) == len(m.params):
                    changed = True
                    return exp.Paren(this=_substitute(m.body, m.params, args))
            return node

        tree = tree.transform(expand)
        if not changed:
            return tree
    raise ValueError("macros nest deeper than 20 levels")


def spark_forms(tree):
    """DuckDB forms sqlglot does not carry over to Spark, rewritten (one pass each, so a
    subquery a rewrite moves is rewritten too)."""

    def months(node):
        # d + to_months(n)  →  add_months(d, n)
        if isinstance(node, exp.Add):
            right = node.expression
            while isinstance(right, exp.Paren):
                right = right.this
            if isinstance(right, exp.Anonymous) and right.name.lower() == "to_months":
                return exp.Anonymous(this="add_months", expressions=[node.this, right.expressions[0]])
        return node

    def exists(node):
        # EXISTS (q) outside a WHERE: Spark allows predicate subqueries only in filters.
        if isinstance(node, exp.Exists) and not node.find_ancestor(exp.Where, exp.Join):
            q = node.this
            q = q.this if isinstance(q, exp.Subquery) else q
            counted = exp.select("count(*) > 0").from_(exp.Subquery(this=q.copy(), alias=exp.TableAlias(this=exp.to_identifier("probe"))))
            return exp.Subquery(this=counted)
        return node

    # A rewrite's new node is not visited again: repeat until nothing changes (nested calls).
    for _ in range(20):
        before = tree.sql()
        tree = tree.transform(months)
        if tree.sql() == before:
            break
    return tree.transform(exists)


def header_params(sql):
    return [Param(m.group(1), m.group(2)) for m in re.finditer(r"^-- param: (\w+) (\w+)", sql, re.M)]


def literal(kind, value):
    """A parameter's value as a Spark literal of its header type."""
    if value is None:
        return "NULL"
    if kind in ("MONTH", "DATE"):
        return f"DATE '{value}'"
    if kind in ("INTEGER", "FISCAL_YEAR"):
        return str(int(value))
    if kind == "NUMBER":
        return repr(float(value))
    return "'" + str(value).replace("'", "''") + "'"


def bind(sql, values):
    kinds = {p.name: p.kind for p in header_params(sql)}

    def sub(m):
        name = m.group(1)
        if name not in kinds:
            raise KeyError(f"${name} is not declared in the query's header")
        return literal(kinds[name], values.get(name))

    return re.sub(r"\$(\w+)", sub, sql)


def to_spark(duckdb_sql, macros):
    tree = sqlglot.parse_one(duckdb_sql, read="duckdb")
    tree = spark_forms(inline_macros(tree, macros))
    return tree.sql(dialect="spark", comments=False)


def metric_queries():
    return sorted((QUERIES / "metrics").glob("*.sql"))


def main():
    macros, views = load_definitions()
    failed = 0
    for name, body in views:
        print(f"-- view {name}\n{to_spark(body, macros)}\n")
    for path in metric_queries():
        sql = path.read_text()
        values = {p.name: {"MONTH": "2026-03-01", "DATE": "2026-03-01"}.get(p.kind, 1) for p in header_params(sql)}
        try:
            print(f"-- {path.stem}\n{to_spark(bind(sql, values), macros)}\n")
        except Exception as e:  # noqa: BLE001 - every query is tried, each failure named
            failed += 1
            print(f"{path}: does not translate: {e}", file=sys.stderr)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
