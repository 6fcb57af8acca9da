"""The shop's KPIs: one module used by the dashboard, `svcdesk report kpis` and scripts.

Every KPI is defined in docs/kpis.md and computed from the rows of one cohort
(services/kpi_cohorts.py). A KPI with nothing to measure says "no data: <why>" instead of
showing a zero that would be wrong; counts of orders are real zeros."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import exists, select
from sqlmodel import Session

from svcdesk.clock import now as clock_now
from svcdesk.models.billing import Invoice
from svcdesk.services.billing.aging import BUCKETS as AGING_BUCKETS
from svcdesk.services.billing.aging import bucket_for
from svcdesk.services.kpi_cohorts import BILLED_STATUSES, COHORTS
from svcdesk.services.kpi_scope import GroupBy, KpiFilter, Period, group_labels
from svcdesk.services.kpi_shifts import shift_minutes
from svcdesk.services.kpi_stats import median, percentile, rate
from svcdesk.services.money import fmt_money, round_cents
from svcdesk.services.settings import shop_zone

BACKLOG_BUCKETS = (("<1d", 0, 1), ("1-3d", 1, 3), ("3-7d", 3, 7), ("7-14d", 7, 14),
                   ("14-30d", 14, 30), ("30d+", 30, None))  # fmt: skip


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


Reducer = Callable[[list, Ctx], tuple[float | int | None, int, str | None]]


@dataclass(frozen=True)
class KpiDef:
    key: str
    label: str
    unit: str
    cohort: str
    needs: str
    reduce: Reducer
    point_in_time: bool = False  # measured now, not over the period


def _count(rows, ctx):
    return len({r.order_id for r in rows}), len(rows), None


def _stat(field_name: str, fn, why: str, scale: float = 1.0) -> Reducer:
    def reduce(rows, ctx):
        values = [getattr(r, field_name) for r in rows if getattr(r, field_name) is not None]
        value = fn(values)
        return (
            (round(value * scale, 1) if value is not None else None),
            len(values),
            (None if values else why),
        )

    return reduce


def _calls(rows):
    return [r for r in rows if r.visits]


def _ftf(rows, ctx):
    calls = _calls(rows)
    fixed = sum(1 for r in calls if r.visits == 1 and not r.recalled)
    return (
        rate(fixed, len(calls)),
        len(calls),
        None if calls else "no completed orders with a visit",
    )


def _recall(rows, ctx):
    calls = _calls(rows)
    recalled = sum(1 for r in calls if r.recalled)
    return (
        rate(recalled, len(calls)),
        len(calls),
        (None if calls else "no completed orders with a visit"),
    )


def _invoiced_calls(rows):
    return [r for r in _calls(rows) if r.billed is not None]


def _revenue_per_call(rows, ctx):
    calls = _invoiced_calls(rows)
    if not calls:
        return None, 0, "no completed orders with an issued invoice"
    return round_cents(Decimal(sum(r.billed for r in calls)) / len(calls)), len(calls), None


def _cost(row) -> int:
    return round_cents(Decimal(row.labor_x) / 3600) + (row.parts or 0)


def _costed(rows):
    return [r for r in _invoiced_calls(rows) if r.labor_x is not None]


NO_COST = "no completed, invoiced orders with time entries"


def _costing(which: str) -> Reducer:
    def reduce(rows, ctx):
        costed = _costed(rows)
        if not costed:
            return None, 0, NO_COST
        billed = sum(r.billed for r in costed)
        cost = sum(_cost(r) for r in costed)
        n = len(costed)
        value = {
            "billed": round_cents(Decimal(billed) / n),
            "cost": round_cents(Decimal(cost) / n),
            "profit": billed - cost,
            "margin": rate(billed - cost, billed) if billed else None,
        }[which]
        why = "billed total is zero" if value is None else None
        return value, n, why

    return reduce


def _closeout(rows, ctx):
    return _stat("hours", median, "no orders invoiced in the period")(rows, ctx)


def _revenue(rows, ctx):
    if not ctx.invoices_exist:
        return None, 0, "no invoices issued yet"
    return sum(r.net for r in rows), len(rows), None


def _utilization(rows, ctx):
    work = sum(r.minutes for r in rows if r.minutes and r.minutes > 0)
    if ctx.by == GroupBy.TECH:
        shift = ctx.shifts.get(ctx.group, 0.0)
    elif ctx.tech_id is not None:
        shift = ctx.shifts.get(ctx.tech_id, 0.0)
    else:
        shift = sum(ctx.shifts.values())
    if shift <= 0:
        return None, len(rows), "no shift hours scheduled in the period"
    return round(100.0 * work / shift, 1), len(rows), None


def _sla(rows, ctx):
    met = sum(r.met for r in rows)
    return (
        rate(met, len(rows)),
        len(rows),
        (None if rows else "no SLA clock resolved in the period"),
    )


def _ages(rows):
    return [r.minutes / 1440 for r in rows if r.minutes is not None]


def _backlog_median(rows, ctx):
    ages = _ages(rows)
    return (
        (round(median(ages), 1) if ages else None),
        len(ages),
        (None if ages else "no open orders"),
    )


def _backlog_oldest(rows, ctx):
    ages = _ages(rows)
    return (round(max(ages), 1) if ages else None), len(ages), (None if ages else "no open orders")


def _aging(bucket: str | None) -> Reducer:
    """Open balances (all, or one bucket) exactly as `svcdesk invoice aging` buckets them."""

    def reduce(rows, ctx):
        if not ctx.invoices_exist:
            return None, 0, "no invoices issued yet"
        picked = [r for r in rows if bucket is None or r.bucket == bucket]
        return sum(r.balance for r in picked), len(picked), None

    return reduce


DEFS: list[KpiDef] = [
    KpiDef("orders_created", "Orders created", "count", "created", "orders", _count),
    KpiDef("orders_completed", "Orders completed", "count", "completed", "orders", _count),
    KpiDef("orders_cancelled", "Orders cancelled", "count", "cancelled", "order history", _count),
    KpiDef("response_median", "Response time (median)", "min", "responded",
           "order history (first move to on_site)",
           _stat("minutes", median, "no order reached on site in the period")),
    KpiDef("response_p90", "Response time (p90)", "min", "responded",
           "order history (first move to on_site)",
           _stat("minutes", lambda v: percentile(v, 90), "no order reached on site in the period")),
    KpiDef("job_duration_median", "Job duration (median)", "min", "on_site",
           "visits with arrival and departure times",
           _stat("minutes", median, "no visit with arrival and departure in the period")),
    KpiDef("job_duration_p90", "Job duration (p90)", "min", "on_site",
           "visits with arrival and departure times",
           _stat("minutes", lambda v: percentile(v, 90),
                 "no visit with arrival and departure in the period")),
    KpiDef("first_time_fix", "First-time fix rate", "pct", "completed",
           "completed orders, their visits, callbacks (callback_of)", _ftf),
    KpiDef("recall_rate", "Recall rate", "pct", "completed",
           "completed orders, callbacks (callback_of)", _recall),
    KpiDef("closeout_median", "Closeout speed (median)", "h", "invoiced",
           "order history (completed -> invoiced)", _closeout),
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


@dataclass
class _Owed:
    g: int | None
    order_id: int | None
    balance: int
    bucket: str


def _fetch(session, cohort: str, period, flt, by, now, today) -> dict:
    """Rows of one cohort bucketed by group key (Core execution: no ORM row overhead)."""
    stmt = COHORTS[cohort](period, flt, by, now)
    out: dict = defaultdict(list)
    rows = session.connection().execute(stmt).all()
    if cohort == "receivables":
        rows = (_Owed(r.g, r.order_id, r.balance, bucket_for(r.due_on, today)) for r in rows)
    for row in rows:
        out[row.g].append(row)
    return out


def _kpis(defs, rows_by_cohort, key, ctx) -> dict[str, Kpi]:
    out = {}
    for d in defs:
        rows = rows_by_cohort[d.cohort].get(key, [])
        value, n, why = d.reduce(rows, ctx)
        out[d.key] = Kpi(d.key, d.label, d.unit, value, n, None if value is not None else why,
                         d.needs)  # fmt: skip
    return out


def _invoices_exist(session: Session) -> bool:
    return bool(
        session.execute(select(exists().where(Invoice.status.in_(BILLED_STATUSES)))).scalar()
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
    ages = _backlog_ages(rows["backlog"].get(0, [])) if "backlog" in rows else {}
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


def _backlog_ages(rows) -> dict[str, int]:
    out = {name: 0 for name, _, _ in BACKLOG_BUCKETS}
    for r in rows:
        days = r.minutes / 1440
        for name, low, high in BACKLOG_BUCKETS:
            if days >= low and (high is None or days < high):
                out[name] += 1
                break
    return out


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
