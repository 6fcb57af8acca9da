"""One progression of the work: an order's status and its visits change together.

`change_order_status` is the use-case every face calls to move an order (CLI `orders
status`, the console's status dialog and hold/cancel keys); the field-work screen's keys
call the same visit steps (`visit_progress.start_travel`/`arrive`/`complete`) that it
uses, so both ways of progressing a job end in the same rows:

- scheduled: from new/on hold only with a booked visit (booking schedules an order); from
  dispatched the dispatched visit goes back to scheduled;
- dispatched: the current visit is dispatched; from en route (turned around) the travel
  stops and the visit is dispatched again;
- en route / on site: the current visit's crew goes en route / arrives (its times stamped,
  travel and work time started), exactly as from the field-work screen;
- completed: the visit on site is completed (outcome fixed, departure stamped, crew time
  stopped, the rest of its slot freed) and visits not started are cancelled;
- on hold: visits not started are unbooked (cancelled, slots freed), a visit en route is
  called off, one on site ends (departure stamped, outcome needs_return); history stays;
- cancelled: every open visit is cancelled (running time stopped, slots freed);
- new: visits not started are unbooked;
- invoiced / closed: the order only (a completed order has no open visit).

`order_visit_problems` is the rule both this module and `db check` hold the data to."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from svcdesk.clock import now
from svcdesk.errors import InvalidInput
from svcdesk.models import OrderStatus, Visit, VisitOutcome, VisitStatus, WorkOrder
from svcdesk.services.common import events
from svcdesk.services.execution import visit_progress as vp
from svcdesk.services.orders import lifecycle, scheduling

S = OrderStatus
V = VisitStatus
NOT_STARTED = (V.SCHEDULED.value, V.DISPATCHED.value)
UNDER_WAY = (V.EN_ROUTE.value, V.ON_SITE.value)
OPEN = NOT_STARTED + UNDER_WAY

# what the order's open (not completed, not cancelled) visits may be, by order status
NO_OPEN_VISIT = (S.NEW, S.ON_HOLD, S.COMPLETED, S.INVOICED, S.CLOSED, S.CANCELLED)


def order_visit_problems(status: str, visit_statuses: list[str]) -> str | None:
    """Why an order in `status` disagrees with its visits' statuses (None: it agrees)."""
    open_ = [v for v in visit_statuses if v in OPEN]
    s = S(status)
    if s in NO_OPEN_VISIT:
        if open_:
            return f"{s.value} but has {len(open_)} open visit(s) ({', '.join(sorted(set(open_)))})"
        return None
    if not open_:
        return f"{s.value} but has no open visit"
    if s in (S.SCHEDULED, S.DISPATCHED) and any(v in UNDER_WAY for v in open_):
        return f"{s.value} but a visit is under way"
    if s == S.EN_ROUTE and V.EN_ROUTE.value not in open_:
        return "en_route but no visit is en route"
    if s == S.ON_SITE and V.ON_SITE.value not in open_:
        return "on_site but no visit is on site"
    return None


def _open_visits(session: Session, order: WorkOrder) -> list[Visit]:
    return list(
        session.exec(
            select(Visit)
            .where(Visit.order_id == order.id, col(Visit.status).in_(OPEN))
            .order_by(col(Visit.starts_at), col(Visit.id))
        )
    )


def _need_visit(order: WorkOrder, visits: list[Visit], target: S) -> Visit:
    if not visits:
        raise InvalidInput(
            f"{order.number} has no booked visit to move to {target.value.replace('_', ' ')}; "
            f"book one first: svcdesk orders assign {order.number} --tech NAME --at WHEN"
        )
    return visits[0]


def _unbook(session, order, visits, reason: str, actor: str) -> None:
    for visit in visits:
        if visit.status in NOT_STARTED:
            scheduling.release_visit(session, order, visit, reason=reason, actor=actor)


def _call_off(session, order, visit: Visit, at: datetime, reason: str, actor: str) -> None:
    """A visit under way that won't go on: running time stops; on site it ends with a
    departure (needs a return), en route it is cancelled."""
    if visit.status == V.ON_SITE.value:
        vp.finish_visit(session, visit, at, VisitOutcome.NEEDS_RETURN)
        events.record(
            session, order, "progress", f"visit ended: {reason}", actor=actor,
            data={"visit_id": visit.id, "step": "completed", "outcome": visit.outcome},
        )  # fmt: skip
        return
    vp.stop_crew_time(session, visit, at)
    scheduling.release_visit(session, order, visit, reason=reason, actor=actor)


def change_order_status(
    session: Session,
    order: WorkOrder,
    to: str | S,
    *,
    actor: str = "dispatcher",
    reason: str | None = None,
    note: str | None = None,
    expected_version: int | None = None,
    force: bool = False,
    at: datetime | None = None,
) -> WorkOrder:
    """Move `order` to `to` and its visits with it (see the module text). `force` completes
    past unanswered required checklist items (recorded). Nothing is written on refusal."""
    lifecycle.check_version(order, expected_version)
    target = lifecycle.check_move(order, to, reason)
    current = S(order.status)
    at = at or now()
    visits = _open_visits(session, order)
    why = reason or note

    def status(**kw) -> None:
        lifecycle.change_status(session, order, target, actor=actor, reason=reason, note=note, **kw)

    if target == S.SCHEDULED:
        if current in (S.NEW, S.ON_HOLD):
            _need_visit(order, visits, target)
        for visit in visits:
            if visit.status == V.DISPATCHED.value:
                visit.status = V.SCHEDULED.value
                session.add(visit)
        status()
    elif target == S.DISPATCHED:
        visit = _need_visit(order, visits, target)
        if visit.status == V.EN_ROUTE.value:
            vp.stop_crew_time(session, visit, at)
            visit.en_route_at = None
        visit.status = V.DISPATCHED.value
        session.add(visit)
        status()
    elif target in (S.EN_ROUTE, S.ON_SITE):
        visit = vp.find_visit(session, order) if visits else _need_visit(order, visits, target)
        step = vp.start_travel if target == S.EN_ROUTE else vp.arrive
        step(session, visit, at=at, actor=actor)
    elif target == S.COMPLETED:
        on_site = [v for v in visits if v.status == V.ON_SITE.value]
        if on_site:
            for extra in on_site[1:]:
                vp.finish_visit(session, extra, at, VisitOutcome.FIXED)
            vp.complete(
                session, on_site[0], VisitOutcome.FIXED, at=at, force=force, actor=actor,
                work_performed=note,
            )  # fmt: skip
        else:
            for visit in visits:
                if visit.status in UNDER_WAY:
                    _call_off(session, order, visit, at, "job completed", actor)
            _unbook(session, order, visits, "job completed", actor)
            status()
    elif target in (S.ON_HOLD, S.CANCELLED, S.NEW):
        label = {S.ON_HOLD: "on hold", S.CANCELLED: "order cancelled", S.NEW: "unbooked"}
        text = f"{label[target]}: {why}" if why else label[target]
        for visit in visits:
            if visit.status in UNDER_WAY:
                _call_off(session, order, visit, at, text, actor)
        _unbook(session, order, visits, text, actor)
        status()
    else:  # invoiced, closed: a completed order has no open visit
        status()
    session.flush()
    return order
