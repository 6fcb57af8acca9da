"""Each cohort's rows (services/reporting/kpi_cohorts.py) reduced IN SQL to a few numbers per group.

A year on a million orders is ~100,000 rows per cohort; the KPIs need counts, sums, and the
middle / 90th-percentile value, so the database aggregates (`GROUP BY g`) and ranks
(`row_number() OVER (PARTITION BY g ORDER BY value)`) and returns a handful of rows per
group. The cohort SELECT stays the single definition of what is measured: it is the
subquery aggregated here and the list the dashboard drills down to.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Callable
from datetime import date

from sqlalchemy import CTE, BigInteger, Select, Subquery, and_, case, cast, func, or_, select
from sqlalchemy.sql.expression import ColumnElement
from sqlmodel import Session

from svcdesk.services.billing.aging import bucket_for

BACKLOG_BUCKETS = (("<1d", 0, 1), ("1-3d", 1, 3), ("3-7d", 3, 7), ("7-14d", 7, 14),
                   ("14-30d", 14, 30), ("30d+", 30, None))  # fmt: skip


def _count_if(cond) -> ColumnElement:
    return func.sum(case((cond, 1), else_=0))


def _sum_if(cond, value) -> ColumnElement:
    return func.sum(case((cond, value), else_=0))


def _orders(c) -> list[ColumnElement]:
    return [func.count(func.distinct(c.order_id)).label("orders"), func.count().label("n")]


def _completed(c) -> list[ColumnElement]:
    """First-time fix, recall, revenue per call and job costing (docs/kpis.md)."""
    call = c.visits > 0
    invoiced = and_(call, c.billed.is_not(None))
    costed = and_(invoiced, c.labor_x.is_not(None))
    labor = (cast(c.labor_x, BigInteger) + 1800) // 3600  # cents, half-up (labor_x >= 0)
    return [
        *_orders(c),
        _count_if(call).label("calls"),
        _count_if(and_(c.visits == 1, c.recalled == 0)).label("fixed"),
        _count_if(and_(call, c.recalled == 1)).label("recalled"),
        _count_if(invoiced).label("invoiced"),
        _sum_if(invoiced, c.billed).label("invoiced_billed"),
        _count_if(costed).label("costed"),
        _sum_if(costed, c.billed).label("costed_billed"),
        _sum_if(costed, labor + func.coalesce(c.parts, 0)).label("costed_cost"),
    ]


def _work_time(c) -> list[ColumnElement]:
    return [func.count().label("n"), _sum_if(c.minutes > 0, c.minutes).label("work")]


def _sla(c) -> list[ColumnElement]:
    return [func.count().label("n"), func.sum(c.met).label("met")]


def _backlog(c) -> list[ColumnElement]:
    days = c.minutes / 1440.0
    buckets = [
        _count_if(days >= low if high is None else and_(days >= low, days < high)).label(name)
        for name, low, high in BACKLOG_BUCKETS
    ]
    return [*_orders(c), func.max(c.minutes).label("oldest"), *buckets]


def _revenue(c) -> list[ColumnElement]:
    return [func.count().label("n"), func.sum(c.net).label("net")]


SUMS: dict[str, Callable] = {  # (the median/p90-only cohorts need no sums)
    "created": _orders,
    "completed": _completed,
    "cancelled": _orders,
    "work_time": _work_time,
    "sla_resolved": _sla,
    "backlog": _backlog,
    "revenue": _revenue,
}
# cohorts whose KPIs need the median (and p90) of one measure
QUANTILES = {
    "responded": "minutes",
    "invoiced": "hours",
    "on_site": "minutes",
    "backlog": "minutes",
}
# cohorts whose measures are used several times by their sums: computed once per row
# (a MATERIALIZED CTE), not re-evaluated in every CASE that names them
MATERIALIZE = {"completed", "work_time", "backlog"}


def aggregate(session: Session, cohort: str, stmt: Select, today: date) -> dict:
    """{group key: {aggregate name: value}} for one cohort's rows."""
    conn = session.connection()
    c: CTE | Subquery
    if cohort in MATERIALIZE and _has_materialized(conn):
        c = stmt.cte("c").prefix_with("MATERIALIZED")
    else:
        c = stmt.subquery("c")
    if cohort == "receivables":
        return _receivables(conn, c, today)
    out: dict = {}
    if cohort in SUMS:
        for row in conn.execute(select(c.c.g, *SUMS[cohort](c.c)).group_by(c.c.g)):
            out[row.g] = dict(row._mapping)
    if cohort in QUANTILES:
        for g, stats in _quantiles(conn, c, QUANTILES[cohort]).items():
            out.setdefault(g, {}).update(stats)
    return out


def _has_materialized(conn) -> bool:
    """`WITH ... AS MATERIALIZED`: SQLite 3.35+, PostgreSQL 12+ (older: a plain subquery,
    same results, slower)."""
    if conn.dialect.name == "sqlite":
        return sqlite3.sqlite_version_info >= (3, 35)
    return conn.dialect.server_version_info >= (12,)


def _quantiles(conn, c, column: str) -> dict:
    """Per group: how many values, their median and nearest-rank p90 (kpi_stats' rules),
    picked by rank in SQL so only three rows per group come back."""
    value = c.c[column]
    ranked = (
        select(
            c.c.g,
            value.label("v"),
            func.row_number().over(partition_by=c.c.g, order_by=value).label("rn"),
            func.count().over(partition_by=c.c.g).label("cnt"),
        )
        .where(value.is_not(None))
        .subquery("r")
    )
    r = ranked.c
    low, high, p90 = (r.cnt + 1) // 2, r.cnt // 2 + 1, (9 * r.cnt + 9) // 10  # integer ranks
    picked = select(r.g, r.cnt, r.rn, r.v).where(or_(r.rn == low, r.rn == high, r.rn == p90))
    ranks: dict = defaultdict(dict)
    counts: dict = {}
    for g, cnt, rn, v in conn.execute(picked):
        ranks[g][rn] = float(v)
        counts[g] = cnt
    out = {}
    for g, at in ranks.items():
        n = counts[g]
        out[g] = {
            "values": n,
            "median": (at[(n + 1) // 2] + at[n // 2 + 1]) / 2,
            "p90": at[(9 * n + 9) // 10],
        }
    return out


def _receivables(conn, c, today: date) -> dict:
    """Open balances per group and aging bucket (`billing/aging.bucket_for`, applied to
    each distinct due date rather than to each invoice)."""
    stmt = select(c.c.g, c.c.due_on, func.count().label("n"), func.sum(c.c.balance).label("b"))
    out: dict = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for g, due_on, n, balance in conn.execute(stmt.group_by(c.c.g, c.c.due_on)):
        cell = out[g][bucket_for(due_on, today)]
        cell[0] += n
        cell[1] += int(balance)
    return {g: {"buckets": dict(b)} for g, b in out.items()}
