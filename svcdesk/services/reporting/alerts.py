"""Alerts: orders sitting in limbo. An order is *stale* when it has had no event for longer
than `stale.hours.<status>` ("new for 4 h", "completed but not invoiced for 48 h"); the
panel also lists possible recalls waiting for a decision and overdue follow-ups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from svcdesk.clock import now
from svcdesk.errors import InvalidInput
from svcdesk.models import Customer, OrderEvent, WorkOrder
from svcdesk.services.agreements import followups, recalls
from svcdesk.services.common.settings import all_settings
from svcdesk.services.common.timefmt import iso

PREFIX = "stale.hours."
KINDS = ("stale", "recall", "followup")


@dataclass(frozen=True)
class Alert:
    kind: str  # stale | recall | followup
    number: str
    customer: str
    status: str
    since: datetime  # last event (stale), flagged at (recall), due at (follow-up)
    message: str

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "number": self.number,
            "customer": self.customer,
            "status": self.status,
            "since": iso(self.since),
            "message": self.message,
        }


def thresholds(session: Session) -> dict[str, float]:
    """status -> hours without an event before the order is stale."""
    result = {}
    for key, value in all_settings(session).items():
        if key.startswith(PREFIX):
            try:
                result[key.removeprefix(PREFIX)] = float(value)
            except ValueError:
                raise InvalidInput(f"{key}: {value!r} is not a number of hours") from None
    return result


def _hours(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours / 24:.1f} days" if hours >= 48 else f"{hours:.1f} h"


def stale_orders(session: Session) -> list[Alert]:
    limits = thresholds(session)
    if not limits:
        return []
    at = now()
    last = (
        select(OrderEvent.order_id, func.max(OrderEvent.at).label("last_at"))
        .group_by(col(OrderEvent.order_id))
        .subquery()
    )
    stmt = (
        select(WorkOrder.number, WorkOrder.status, Customer.name, last.c.last_at)
        .join(Customer, col(Customer.id) == col(WorkOrder.customer_id))
        .join(last, last.c.order_id == WorkOrder.id)
        .where(col(WorkOrder.status).in_(list(limits)))
    )
    alerts = []
    for number, status, customer, last_at in session.exec(stmt):
        last_at = last_at if last_at.tzinfo else last_at.replace(tzinfo=at.tzinfo)
        idle = at - last_at
        if idle > timedelta(hours=limits[status]):
            alerts.append(
                Alert(
                    "stale",
                    number,
                    customer,
                    status,
                    last_at,
                    f"{status} for {_hours(idle)} with no activity (limit {limits[status]:g} h)",
                )  # fmt: skip
            )
    alerts.sort(key=lambda a: (a.since, a.number))
    return alerts


def all_alerts(session: Session, kinds: tuple[str, ...] = KINDS) -> list[Alert]:
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise InvalidInput(f"kind: {unknown[0]!r} is not one of {', '.join(KINDS)}")
    alerts: list[Alert] = []
    if "stale" in kinds:
        alerts += stale_orders(session)
    if "recall" in kinds:
        for r in recalls.list_recalls(session, "possible"):
            order = session.exec(
                select(WorkOrder.status, Customer.name)
                .join(Customer, col(Customer.id) == col(WorkOrder.customer_id))
                .where(WorkOrder.number == r.number)
            ).one()
            alerts.append(Alert("recall", r.number, order[1], order[0], r.created_at,
                                f"possible recall of {r.original} (same {r.match}, {r.days_after} days later)"))  # fmt: skip
    if "followup" in kinds:
        for f in followups.list_followups(session, overdue_only=True):
            alerts.append(Alert("followup", f.number, f.customer, "", f.due_at,
                                f"{f.kind.replace('_', ' ')} overdue"))  # fmt: skip
    return alerts
