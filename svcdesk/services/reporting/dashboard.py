"""The owner's dashboard as one plain read model (the TUI `r` screen renders it).

Tiles for a chosen span (today, this week, last 30 days), 12-week trends, a technician
leaderboard and the open-orders-by-age counts, all from services/reporting/kpis.py; `drill` lists the
orders behind any tile or leaderboard cell."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from sqlmodel import Session

from svcdesk.clock import now
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.orders import queries
from svcdesk.services.orders.queries import OrderRow
from svcdesk.services.reporting import kpis
from svcdesk.services.reporting.kpi_scope import GroupBy, KpiFilter, Period

TILE_KEYS = (
    "orders_created",
    "orders_completed",
    "response_median",
    "job_duration_median",
    "first_time_fix",
    "revenue",
    "utilization",
    "sla_compliance",
    "backlog_open",
    "receivables",
)
TREND_KEYS = ("revenue", "orders_completed", "first_time_fix")
TREND_LABELS = {
    "revenue": "Weekly revenue",
    "orders_completed": "Completed / week",
    "first_time_fix": "First-time fix",
}
LEADER_KEYS = ("utilization", "revenue", "first_time_fix", "gross_profit")
TREND_WEEKS = 12


class Span(StrEnum):
    TODAY = "today"
    WEEK = "week"
    DAYS30 = "30d"

    @property
    def heading(self) -> str:
        return {"today": "Today", "week": "This week", "30d": "Last 30 days"}[self.value]

    def next(self) -> Span:
        spans = list(Span)
        return spans[(spans.index(self) + 1) % len(spans)]


def span_period(span: Span, today: date, zone) -> Period:
    first = {
        Span.TODAY: today,
        Span.WEEK: today - timedelta(days=today.weekday()),
        Span.DAYS30: today - timedelta(days=29),
    }[span]
    return Period.of(first, today, zone)


@dataclass
class Trend:
    key: str
    label: str
    unit: str
    weeks: list[date]
    values: list[float | None]

    @property
    def has_data(self) -> bool:
        return any(v is not None for v in self.values)


@dataclass
class LeaderRow:
    tech_id: int
    name: str
    kpis: dict[str, kpis.Kpi]


@dataclass
class Dashboard:
    span: Span
    period: Period
    tiles: list[kpis.Kpi]
    trends: list[Trend] = field(default_factory=list)
    leaders: list[LeaderRow] = field(default_factory=list)
    backlog_ages: dict[str, int] = field(default_factory=dict)


def dashboard(session: Session, span: Span = Span.WEEK) -> Dashboard:
    zone = shop_zone(session)
    today = now().astimezone(zone).date()
    period = span_period(span, today, zone)
    main = kpis.compute(session, period, keys=list(TILE_KEYS))
    board = Dashboard(span, period, [main.total[k] for k in TILE_KEYS])
    board.backlog_ages = main.backlog_ages
    monday = today - timedelta(days=today.weekday())
    trend_period = Period.of(monday - timedelta(weeks=TREND_WEEKS - 1), today, zone)
    weekly = kpis.compute(session, trend_period, by=GroupBy.WEEK, keys=list(TREND_KEYS))
    weeks = [date.fromisoformat(str(g.key)) for g in weekly.groups]
    for key in TREND_KEYS:
        d = kpis.BY_KEY[key]
        values = [g.kpis[key].value for g in weekly.groups]
        board.trends.append(Trend(key, TREND_LABELS[key], d.unit, weeks, values))
    ranked = kpis.compute(session, period, by=GroupBy.TECH, keys=list(LEADER_KEYS))
    board.leaders = [
        LeaderRow(int(g.key), g.label, g.kpis) for g in ranked.groups if g.key is not None
    ]
    return board


def drill(
    session: Session, key: str, span: Span, *, tech_id: int | None = None, limit: int = 500
) -> list[OrderRow]:
    """The orders behind one tile (or one technician's leaderboard cell)."""
    zone = shop_zone(session)
    period = span_period(span, now().astimezone(zone).date(), zone)
    ids = kpis.order_ids_behind(session, key, period, KpiFilter(tech_id=tech_id))[:limit]
    if not ids:
        return []
    # The board's own rows (same OrderRow read model as every order list), newest id first.
    return sorted(queries.orders_by_id(session, ids), key=lambda r: r.id, reverse=True)
