"""The shop's KPIs: one module used by the dashboard, `svcdesk report kpis` and scripts.

Every KPI is defined in docs/kpis.md and computed from the rows of one cohort
(services/reporting/kpi_cohorts.py), aggregated per group in SQL (services/reporting/kpi_sums.py): a reducer
here turns those few numbers into the KPI. A KPI with nothing to measure says
"no data: <why>" instead of showing a zero that would be wrong; counts of orders are real
zeros."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import exists, select
from sqlmodel import Session, col

from svcdesk.clock import now as clock_now
from svcdesk.db import parallel_report
from svcdesk.models.billing import Invoice
from svcdesk.services.billing.aging import BUCKETS as AGING_BUCKETS
from svcdesk.services.common.money import fmt_money, round_cents
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.reporting.kpi_cohorts import BILLED_STATUSES, COHORTS
from svcdesk.services.reporting.kpi_scope import GroupBy, KpiFilter, Period, group_labels
from svcdesk.services.reporting.kpi_shifts import shift_minutes
from svcdesk.services.reporting.kpi_stats import rate
from svcdesk.services.reporting.kpi_sums import BACKLOG_BUCKETS, aggregate


@dataclass
class Kpi:
    key: str
    label: str
    unit: str  # count, min, h, d, pct, cents
    value: float | int | None
    n: int  # how many orders/visits/invoices it was measured over
    no_data: str | None = None  # why there is no value
    needs: str = ""

    def text(self) -> str:
        if self.value is None:
            return "no data"
        v = self.value
        return {
            "count": f"{int(v)}",
            "min": _minutes_text(v),
            "h": f"{v:.1f} h",
            "d": f"{v:.1f} d",
            "pct": f"{v:.1f}%",
            "cents": fmt_money(int(v)),
        }[self.unit]

    def to_json(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "unit": self.unit,
            "value": self.value,
            "n": self.n,
            "no_data": self.no_data,
            "needs": self.needs,
        }


def _minutes_text(minutes: float) -> str:
    """42 min; 2h 05m; 3d 4h."""
    m = int(round(minutes))
    if m < 60:
        return f"{m} min"
    if m < 24 * 60:
        return f"{m // 60}h {m % 60:02d}m"
    return f"{m // 1440}d {m % 1440 // 60}h"


@dataclass
class Ctx:
    """What reducers need beyond their rows."""

    shifts: dict[int, float]  # tech id -> shift minutes in the period
    by: GroupBy | None
    group: int | None
    tech_id: int | None
    invoices_exist: bool
    today: date


Reducer = Callable[[dict, Ctx], tuple[float | int | None, int, str | None]]
"""(one group's aggregates of the KPI's cohort, ctx) -> (value, n, why there is no value)"""


@dataclass(frozen=True)
class KpiDef:
    key: str
    label: str
    unit: str
    cohort: str
    needs: str
    reduce: Reducer
    point_in_time: bool = False  # measured now, not over the period


def _int(a: dict, name: str) -> int:
    """An aggregate as an int (SUM over no rows is NULL; PostgreSQL sums are Decimals)."""
    return int(a.get(name) or 0)


def _count(a, ctx):
    return _int(a, "orders"), _int(a, "n"), None


def _stat(which: str, why: str, scale: float = 1.0) -> Reducer:
    """The cohort measure's median or p90 (kpi_sums picks them by rank in SQL)."""

    def reduce(a, ctx):
        n = _int(a, "values")
        if not n:
            return None, 0, why
        return round(a[which] * scale, 1), n, None

    return reduce


NO_CALLS = "no completed orders with a visit"


def _ftf(a, ctx):
    calls = _int(a, "calls")
    return rate(_int(a, "fixed"), calls), calls, None if calls else NO_CALLS


def _recall(a, ctx):
    calls = _int(a, "calls")
    return rate(_int(a, "recalled"), calls), calls, None if calls else NO_CALLS


def _revenue_per_call(a, ctx):
    calls = _int(a, "invoiced")
    if not calls:
        return None, 0, "no completed orders with an issued invoice"
    return round_cents(Decimal(_int(a, "invoiced_billed")) / calls), calls, None


NO_COST = "no completed, invoiced orders with time entries"


def _costing(which: str) -> Reducer:
    def reduce(a, ctx):
        n = _int(a, "costed")
        if not n:
            return None, 0, NO_COST
        billed, cost = _int(a, "costed_billed"), _int(a, "costed_cost")
        value = {
            "billed": round_cents(Decimal(billed) / n),
            "cost": round_cents(Decimal(cost) / n),
            "profit": billed - cost,
            "margin": rate(billed - cost, billed) if billed else None,
        }[which]
        why = "billed total is zero" if value is None else None
        return value, n, why

    return reduce


def _revenue(a, ctx):
    if not ctx.invoices_exist:
        return None, 0, "no invoices issued yet"
    return _int(a, "net"), _int(a, "n"), None


def _utilization(a, ctx):
    work, n = float(a.get("work") or 0.0), _int(a, "n")
    if ctx.by == GroupBy.TECH:
        shift = ctx.shifts.get(ctx.group, 0.0)
    elif ctx.tech_id is not None:
        shift = ctx.shifts.get(ctx.tech_id, 0.0)
    else:
        shift = sum(ctx.shifts.values())
    if shift <= 0:
        return None, n, "no shift hours scheduled in the period"
    return round(100.0 * work / shift, 1), n, None


def _sla(a, ctx):
    n = _int(a, "n")
    return rate(_int(a, "met"), n), n, (None if n else "no SLA clock resolved in the period")


def _backlog_median(a, ctx):
    n = _int(a, "values")
    return (round(a["median"] / 1440, 1) if n else None), n, (None if n else "no open orders")


def _backlog_oldest(a, ctx):
    n = _int(a, "values")
    return (round(a["oldest"] / 1440, 1) if n else None), n, (None if n else "no open orders")


def _aging(bucket: str | None) -> Reducer:
    """Open balances (all, or one bucket) exactly as `svcdesk invoice aging` buckets them."""

    def reduce(a, ctx):
        if not ctx.invoices_exist:
            return None, 0, "no invoices issued yet"
        cells = a.get("buckets", {})
        picked = [v for k, v in cells.items() if bucket is None or k == bucket]
        return sum(v[1] for v in picked), sum(v[0] for v in picked), None

    return reduce


DEFS: list[KpiDef] = [
    KpiDef("orders_created", "Orders created", "count", "created", "orders", _count),
    KpiDef("orders_completed", "Orders completed", "count", "completed", "orders", _count),
    KpiDef("orders_cancelled", "Orders cancelled", "count", "cancelled", "order history", _count),
    KpiDef("response_median", "Response time (median)", "min", "responded",
           "order history (first move to on_site)",
           _stat("median", "no order reached on site in the period")),
    KpiDef("response_p90", "Response time (p90)", "min", "responded",
           "order history (first move to on_site)",
           _stat("p90", "no order reached on site in the period")),
    KpiDef("job_duration_median", "Job duration (median)", "min", "on_site",
           "visits with arrival and departure times",
           _stat("median", "no visit with arrival and departure in the period")),
    KpiDef("job_duration_p90", "Job duration (p90)", "min", "on_site",
           "visits with arrival and departure times",
           _stat("p90", "no visit with arrival and departure in the period")),
    KpiDef("first_time_fix", "First-time fix rate", "pct", "completed",
           "completed orders, their visits, callbacks (callback_of)", _ftf),
    KpiDef("recall_rate", "Recall rate", "pct", "completed",
           "completed orders, callbacks (callback_of)", _recall),
    KpiDef("closeout_median", "Closeout speed (median)", "h", "invoiced",
           "order history (completed -> invoiced)",
           _stat("median", "no orders invoiced in the period")),
    KpiDef("revenue", "Revenue", "cents", "revenue", "invoices (net of tax)",
           _revenue),
    KpiDef("revenue_per_call", "Revenue per call", "cents", "completed",
           "completed orders with issued invoices", _revenue_per_call),
    KpiDef("billed_per_order", "Billed per order", "cents", "completed",
           "invoices, time entries, parts used", _costing("billed")),
    KpiDef("cost_per_order", "Cost per order", "cents", "completed",
           "time entries at technician cost, parts used at cost", _costing("cost")),
    KpiDef("margin", "Margin", "pct", "completed", "invoices, time entries, parts used",
           _costing("margin")),
    KpiDef("gross_profit", "Gross profit", "cents", "completed",
           "invoices, time entries, parts used", _costing("profit")),
    KpiDef("utilization", "Utilization", "pct", "work_time",
           "visits' arrival/departure, technician shifts", _utilization),
    KpiDef("sla_compliance", "SLA compliance", "pct", "sla_resolved",
           "SLA clocks (order_sla)", _sla),
    KpiDef("backlog_open", "Open orders", "count", "backlog", "orders", _count,
           point_in_time=True),
    KpiDef("backlog_median_age", "Backlog age (median)", "d", "backlog", "orders",
           _backlog_median, point_in_time=True),
    KpiDef("backlog_oldest", "Oldest open order", "d", "backlog", "orders", _backlog_oldest,
           point_in_time=True),
    KpiDef("receivables", "Receivables", "cents", "receivables", "invoices, payments",
           _aging(None), point_in_time=True),
    *[
        KpiDef(f"receivables_{name.replace('-', '_').replace('+', '_plus')}",
               f"Receivables {name}" + (" days" if name != "current" else ""), "cents",
               "receivables", "invoices (due dates), payments", _aging(name), point_in_time=True)
        for name in AGING_BUCKETS
    ],
]  # fmt: skip
BY_KEY = {d.key: d for d in DEFS}


@dataclass
class KpiGroup:
    key: int | str | None
    label: str
    kpis: dict[str, Kpi]

    def to_json(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "kpis": {k: v.to_json() for k, v in self.kpis.items()},
        }


@dataclass
class KpiReport:
    period: Period
    zone: str
    filter: KpiFilter
    by: GroupBy | None
    total: dict[str, Kpi]
    groups: list[KpiGroup] = field(default_factory=list)
    backlog_ages: dict[str, int] = field(default_factory=dict)  # bucket -> open orders

    def to_json(self) -> dict:
        return {
            "period": {"from": str(self.period.first), "to": str(self.period.last),
                       "zone": self.zone},
            "filter": self.filter.describe(),
            "by": self.by.value if self.by else None,
            "total": {k: v.to_json() for k, v in self.total.items()},
            "groups": [g.to_json() for g in self.groups],
            "backlog_ages": self.backlog_ages,
        }  # fmt: skip


def _fetch(session, cohort: str, period, flt, by, now, today) -> dict:
    """{group key: aggregates} of one cohort (see services/reporting/kpi_sums.py)."""
    return aggregate(session, cohort, COHORTS[cohort](period, flt, by, now), today)


def _kpis(defs, aggs_by_cohort, key, ctx) -> dict[str, Kpi]:
    out = {}
    for d in defs:
        value, n, why = d.reduce(aggs_by_cohort[d.cohort].get(key, {}), ctx)
        out[d.key] = Kpi(d.key, d.label, d.unit, value, n, None if value is not None else why,
                         d.needs)  # fmt: skip
    return out


def _invoices_exist(session: Session) -> bool:
    return bool(
        session.execute(select(exists().where(col(Invoice.status).in_(BILLED_STATUSES)))).scalar()
    )


def compute(
    session: Session,
    period: Period,
    flt: KpiFilter | None = None,
    by: GroupBy | None = None,
    *,
    keys: list[str] | None = None,
) -> KpiReport:
    """All KPIs (or `keys`) over `period`, optionally grouped."""
    flt = flt or KpiFilter()
    parallel_report(session)
    zone = shop_zone(session)
    now = clock_now()
    today = now.astimezone(zone).date()
    defs = [BY_KEY[k] for k in keys] if keys else DEFS
    invoices = _invoices_exist(session)
    total = _compute_one(session, period, flt, None, defs, zone, now, today, invoices)
    report = KpiReport(period, str(zone), flt, by, total[0])
    report.backlog_ages = total[1]
    if by == GroupBy.WEEK:
        week_defs = [d for d in defs if not d.point_in_time]
        for week in period.weeks(zone):
            kpis, _ = _compute_one(session, week, flt, None, week_defs, zone, now, today, invoices)
            report.groups.append(KpiGroup(str(week.first), f"week of {week.first}", kpis))
    elif by is not None:
        report.groups = _grouped(session, period, flt, by, defs, zone, now, today, invoices)
    return report


def _compute_one(session, period, flt, by, defs, zone, now, today, invoices):
    cohorts = {d.cohort for d in defs}
    rows = {c: _fetch(session, c, period, flt, by, now, today) for c in cohorts}
    shifts = _shifts(session, period, zone, flt) if "work_time" in cohorts else {}
    ctx = Ctx(shifts, by, None, flt.tech_id, invoices, today)
    ages = _backlog_ages(rows["backlog"].get(0, {})) if "backlog" in rows else {}
    return _kpis(defs, rows, 0, ctx), ages


def _shifts(session, period, zone, flt):
    return shift_minutes(session, period, zone, [flt.tech_id] if flt.tech_id else None)


def _grouped(session, period, flt, by, defs, zone, now, today, invoices) -> list[KpiGroup]:
    cohorts = {d.cohort for d in defs}
    rows = {c: _fetch(session, c, period, flt, by, now, today) for c in cohorts}
    shifts = _shifts(session, period, zone, flt) if "work_time" in cohorts else {}
    keys = set().union(*(r.keys() for r in rows.values()))
    if by == GroupBy.TECH:
        keys |= {t for t in shifts if flt.tech_id in (None, t)}
    labels = group_labels(session, by, keys)
    groups = []
    for key in keys:
        ctx = Ctx(shifts, by, key, flt.tech_id, invoices, today)
        groups.append(KpiGroup(key, labels.get(key, str(key)), _kpis(defs, rows, key, ctx)))
    return sort_groups(groups, by)


def sort_groups(groups: list[KpiGroup], by: GroupBy | None) -> list[KpiGroup]:
    """Technicians ranked by gross profit (best first; no data last), others by name."""
    if by == GroupBy.TECH:

        def rank(g):
            kpi = g.kpis.get("gross_profit")
            value = kpi.value if kpi else None
            return (value is None, -(value or 0), g.label)

        return sorted(groups, key=rank)
    return sorted(groups, key=lambda g: (g.key is None, g.label.lower()))


def _backlog_ages(a: dict) -> dict[str, int]:
    return {name: _int(a, name) for name, _, _ in BACKLOG_BUCKETS}


def order_ids_behind(
    session: Session, key: str, period: Period, flt: KpiFilter | None = None
) -> list[int]:
    """The orders a KPI was computed from (the dashboard's drill-down)."""
    d = BY_KEY[key]
    stmt = COHORTS[d.cohort](period, flt or KpiFilter(), None, clock_now())
    ids = {r.order_id for r in session.execute(stmt) if r.order_id is not None}
    return sorted(ids)


def period_for(session: Session, first: date, last: date) -> Period:
    return Period.of(first, last, shop_zone(session))
