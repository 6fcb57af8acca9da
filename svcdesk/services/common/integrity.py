"""`svcdesk db check`: storage integrity plus the domain's invariants.

Each invariant is a function `(session) -> list[str]` (one line per violation) registered
with `@invariant("name")`. Areas register theirs in their own modules; every module named
`*_checks.py` in any area package under `svcdesk/services/` is imported when the check runs."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, text
from sqlmodel import Session, col, select

from svcdesk.models import OrderEvent, Sequence, VisitTechnician, WorkOrder

Check = Callable[[Session], list[str]]
INVARIANTS: dict[str, Check] = {}
LIMIT = 20  # violations reported per invariant


def invariant(name: str) -> Callable[[Check], Check]:
    def register(fn: Check) -> Check:
        INVARIANTS[name] = fn
        return fn

    return register


@dataclass
class CheckResult:
    name: str
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def _load_area_checks() -> None:
    """Import every `*_checks` module of the areas (they import `invariant`, not the other
    way round: the checks are found by file name, like plug-ins)."""
    services = __name__.rsplit(".", 2)[0]  # svcdesk.services, the parent of this area
    folder = str(Path(__file__).resolve().parent.parent)
    for info in pkgutil.walk_packages([folder], prefix=f"{services}."):
        if info.name.endswith("_checks"):
            importlib.import_module(info.name)


def run_checks(session: Session) -> list[CheckResult]:
    _load_area_checks()
    results = [CheckResult("storage", _storage(session))]
    for name, fn in INVARIANTS.items():
        results.append(CheckResult(name, fn(session)[:LIMIT]))
    return results


def _storage(session: Session) -> list[str]:
    if session.get_bind().dialect.name != "sqlite":
        return []
    problems = [r[0] for r in session.execute(text("PRAGMA integrity_check")) if r[0] != "ok"]
    problems += [
        f"foreign key broken: {r[0]} row {r[1]} -> {r[2]}"
        for r in session.execute(text("PRAGMA foreign_key_check"))
    ]
    return problems


@invariant("order event trails")
def _event_trails(session: Session) -> list[str]:
    """Every order starts with a `created` event and its status is the last status event's."""
    problems = []
    first = (
        select(OrderEvent.order_id, func.min(OrderEvent.id).label("first_id"))
        .group_by(col(OrderEvent.order_id))
        .subquery()
    )
    missing = session.exec(
        select(WorkOrder.number)
        .outerjoin(first, first.c.order_id == WorkOrder.id)
        .where(first.c.first_id.is_(None))
    ).all()
    problems += [f"{n}: no history at all" for n in missing]
    wrong_first = session.exec(
        select(WorkOrder.number)
        .join(first, first.c.order_id == WorkOrder.id)
        .join(OrderEvent, col(OrderEvent.id) == first.c.first_id)
        .where(OrderEvent.kind != "created")
    ).all()
    problems += [f"{n}: history does not start with 'created'" for n in wrong_first]
    last = (
        select(OrderEvent.order_id, func.max(OrderEvent.id).label("last_id"))
        .where(col(OrderEvent.to_status).is_not(None))
        .group_by(col(OrderEvent.order_id))
        .subquery()
    )
    mismatched = session.exec(
        select(WorkOrder.number, WorkOrder.status, OrderEvent.to_status)
        .join(last, last.c.order_id == WorkOrder.id)
        .join(OrderEvent, col(OrderEvent.id) == last.c.last_id)
        .where(OrderEvent.to_status != WorkOrder.status)
    ).all()
    problems += [f"{n}: status {s} but history ends at {t}" for n, s, t in mismatched]
    return problems


@invariant("document sequences")
def _sequences(session: Session) -> list[str]:
    """The order-number sequence is ahead of every issued number."""
    problems = []
    seq = session.get(Sequence, "SO")
    top = session.exec(select(func.max(WorkOrder.number))).one()
    if top:
        issued = int(top.split("-")[1])
        if seq is None or seq.next_value <= issued:
            problems.append(f"sequence SO would reissue {top}")
    return problems


@invariant("visit crews")
def _crew_times(session: Session) -> list[str]:
    """Crew rows carry their visit's times (the overlap check relies on it)."""
    from svcdesk.models import Visit

    rows = session.exec(
        select(Visit.id)
        .join(VisitTechnician, col(VisitTechnician.visit_id) == col(Visit.id))
        .where(
            (VisitTechnician.starts_at != Visit.starts_at)
            | (VisitTechnician.ends_at != Visit.ends_at)
        )
    ).all()
    return [f"visit {v}: crew times differ from the visit's" for v in rows]
