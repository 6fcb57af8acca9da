"""Visit progress: en route -> arrived -> completed (departed), with an outcome.

The order's status follows through `lifecycle.change_status` (the single owner of order
status): the first crew member on the road takes the order to en_route (via dispatched),
arriving takes it on_site, completing decides by outcome:

- fixed, quoted -> completed; the order's other visits not yet started are cancelled
  (their slots freed), and one still under way refuses it;
- needs_parts, needs_return, no_access -> on_hold with that reason, and back to scheduled
  when a return visit is booked (`return_at`) or one is already on the books (multi-day).

Each crew member's time is their own: progress can name technicians (a helper arriving
late, leaving early); without names it applies to the visit's whole active crew. Travel
time runs from en route to arrival, work time from arrival to departure (TimeEntry rows,
source=auto). A visit with required checklist items unanswered can't be completed without
`force` (recorded in history)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from svcdesk.clock import now
from svcdesk.errors import InvalidInput, NotFound
from svcdesk.models import (
    OrderStatus,
    Technician,
    Visit,
    VisitOutcome,
    VisitStatus,
    VisitTechnician,
    WorkOrder,
)
from svcdesk.models.execution import TimeEntry, TimeKind, TimeSource
from svcdesk.services.common import events
from svcdesk.services.common.rows import must_get
from svcdesk.services.common.words import status_words
from svcdesk.services.execution import checklists, timecards
from svcdesk.services.messages import triggers
from svcdesk.services.orders import lifecycle, scheduling

S = OrderStatus
FORWARD = (S.SCHEDULED, S.DISPATCHED, S.EN_ROUTE, S.ON_SITE)
DONE_OUTCOMES = (VisitOutcome.FIXED, VisitOutcome.QUOTED)
HOLD_REASON = {
    VisitOutcome.NEEDS_PARTS: "needs parts",
    VisitOutcome.NEEDS_RETURN: "needs a return visit",
    VisitOutcome.NO_ACCESS: "no access to the site",
}
_ALIASES = {"quoted_extra": "quoted", "quoted_extra_work": "quoted", "return": "needs_return"}


def parse_outcome(text: str) -> VisitOutcome:
    key = text.strip().lower().replace("-", "_").replace(" ", "_")
    try:
        return VisitOutcome(_ALIASES.get(key, key))
    except ValueError:
        names = ", ".join(o.value for o in VisitOutcome)
        raise InvalidInput(f"outcome: {text!r} is not one of {names}") from None


def find_visit(session: Session, order: WorkOrder, visit_id: int | None = None) -> Visit:
    """The named visit, or the order's current one (in progress first, then next booked)."""
    if visit_id is not None:
        visit = session.get(Visit, visit_id)
        if visit is None or visit.order_id != order.id:
            raise NotFound(f"{order.number}: no visit {visit_id}")
        return visit
    visits = scheduling.active_visits(session, order.id)
    moving = [v for v in visits if v.status in (VisitStatus.EN_ROUTE, VisitStatus.ON_SITE)]
    if moving:
        return moving[0]
    if visits:
        return visits[0]
    raise InvalidInput(f"{order.number} has no booked visit; book one first")


def order_visit(session: Session, number: str, visit_id: int | None = None) -> Visit:
    """`find_visit` by the order's number (what the faces hold)."""
    return find_visit(session, lifecycle.get_order(session, number), visit_id)


def crew(session: Session, visit: Visit) -> list[tuple[Technician, str]]:
    rows = session.exec(
        select(Technician, VisitTechnician.role)
        .join(VisitTechnician, col(VisitTechnician.technician_id) == col(Technician.id))
        .where(VisitTechnician.visit_id == visit.id, VisitTechnician.active == True)  # noqa: E712
        .order_by(col(VisitTechnician.role) != "lead", col(VisitTechnician.id))
    ).all()
    return [(t, r) for t, r in rows]


def _pick_crew(session: Session, visit: Visit, tech_ids: Sequence[int] | None) -> list[Technician]:
    members = [t for t, _ in crew(session, visit)]
    if not tech_ids:
        return members
    ids = {t.id for t in members}
    for tid in tech_ids:
        if tid not in ids:
            tech = session.get(Technician, tid)
            name = tech.name if tech else str(tid)
            raise InvalidInput(f"{name} is not on this visit's crew")
    return [t for t in members if t.id in set(tech_ids)]


def _advance(session: Session, order: WorkOrder, target: S, actor: str) -> None:
    """Walk the order forward to `target` through the lifecycle (no-op if already there)."""
    current = S(order.status)
    if current == S.ON_HOLD:
        lifecycle.change_status(session, order, S.SCHEDULED, actor=actor, note="visit started")
        current = S.SCHEDULED
    if current not in FORWARD:
        raise InvalidInput(
            f"{order.number} is {status_words(order.status)}; a visit can't progress on it"
        )
    for step in FORWARD[FORWARD.index(current) + 1 : FORWARD.index(target) + 1]:
        lifecycle.change_status(session, order, step, actor=actor, note="visit progress")


def _open(session: Session, visit: Visit, tech: Technician, kind: TimeKind, at: datetime, actor):
    return timecards.add_entry(
        session,
        technician_id=tech.id,
        kind=kind,
        starts_at=at,
        ends_at=None,
        order_id=visit.order_id,
        visit_id=visit.id,
        source=TimeSource.AUTO,
        actor=actor,
    )


def _running(session: Session, visit: Visit, tech_id: int, kind: TimeKind) -> TimeEntry | None:
    return session.exec(
        select(TimeEntry).where(
            TimeEntry.visit_id == visit.id,
            TimeEntry.technician_id == tech_id,
            TimeEntry.kind == kind.value,
            TimeEntry.ends_at == None,  # noqa: E711
        )
    ).first()


def _stop(session: Session, entry: TimeEntry, at: datetime, actor: str | None = None) -> None:
    """End a running entry at `at`; one that would last no time at all is dropped."""
    if at <= entry.starts_at:
        session.delete(entry)
        session.flush()
    else:
        timecards.close_entry(session, entry, at, actor=actor)


def _names(techs: Sequence[Technician]) -> str:
    return ", ".join(t.name for t in techs)


def _switch(session, visit, techs, at, actor, *, stop: TimeKind | None, start: TimeKind) -> None:
    """Per crew member: end their running `stop` entry, open a `start` entry if none runs."""
    for tech in techs:
        running = _running(session, visit, tech.id, stop) if stop else None
        if running is not None:
            _stop(session, running, at, actor)
        if _running(session, visit, tech.id, start) is None:
            _open(session, visit, tech, start, at, actor)


def _reach(session, order, visit, techs, at, actor, *, status: VisitStatus, target: S) -> Visit:
    """Move the order (through the lifecycle) and the visit to a progress step."""
    if S(order.status) != target:
        _advance(session, order, target, actor)
    stamp = "en_route_at" if status == VisitStatus.EN_ROUTE else "arrived_at"
    visit.status = status.value
    setattr(visit, stamp, getattr(visit, stamp) or at)
    session.add(visit)
    checklists.attach_defaults(session, visit, actor=actor)
    label = "en route" if status == VisitStatus.EN_ROUTE else "arrived"
    events.record(
        session,
        order,
        "progress",
        f"{label}: {_names(techs)}",
        actor=actor,
        data={"visit_id": visit.id, "technicians": [t.id for t in techs], "step": status.value},
    )
    session.flush()
    return visit


def start_travel(
    session: Session,
    visit: Visit,
    *,
    at: datetime | None = None,
    tech_ids: Sequence[int] | None = None,
    actor: str = "dispatcher",
) -> Visit:
    at = at or now()
    order = must_get(session, WorkOrder, visit.order_id)
    if visit.status not in (VisitStatus.SCHEDULED, VisitStatus.DISPATCHED, VisitStatus.EN_ROUTE):
        raise InvalidInput(
            f"{order.number}: the visit is {status_words(visit.status)}; can't go en route"
        )
    techs = _pick_crew(session, visit, tech_ids)
    _switch(session, visit, techs, at, actor, stop=None, start=TimeKind.TRAVEL)
    _reach(session, order, visit, techs, at, actor, status=VisitStatus.EN_ROUTE, target=S.EN_ROUTE)
    triggers.on_my_way(session, order, visit, [t.name for t in techs], actor=actor)
    return visit


def arrive(
    session: Session,
    visit: Visit,
    *,
    at: datetime | None = None,
    tech_ids: Sequence[int] | None = None,
    actor: str = "dispatcher",
) -> Visit:
    at = at or now()
    order = must_get(session, WorkOrder, visit.order_id)
    if visit.status in (VisitStatus.COMPLETED, VisitStatus.CANCELLED):
        raise InvalidInput(
            f"{order.number}: the visit is {status_words(visit.status)}; can't arrive"
        )
    if visit.en_route_at and at < visit.en_route_at and not visit.arrived_at:
        raise InvalidInput("arrival: before the visit went en route")
    techs = _pick_crew(session, visit, tech_ids)
    _switch(session, visit, techs, at, actor, stop=TimeKind.TRAVEL, start=TimeKind.WORK)
    return _reach(session, order, visit, techs, at, actor, status=VisitStatus.ON_SITE,
                  target=S.ON_SITE)  # fmt: skip


def _stop_all(session, visit, techs, at) -> None:
    for tech in techs:
        for kind in (TimeKind.TRAVEL, TimeKind.WORK):
            entry = _running(session, visit, tech.id, kind)
            if entry is not None:
                _stop(session, entry, at)


def stop_crew_time(session: Session, visit: Visit, at: datetime) -> None:
    """Stop every running travel/work entry of the visit's crew at `at`."""
    _stop_all(session, visit, [t for t, _ in crew(session, visit)], at)


def leave(
    session: Session, visit: Visit, tech_ids: Sequence[int], *, at=None, actor="dispatcher"
) -> list[Technician]:
    """Crew members leaving before the visit ends (their work time stops; the visit goes on)."""
    at = at or now()
    order = must_get(session, WorkOrder, visit.order_id)
    techs = _pick_crew(session, visit, tech_ids)
    _stop_all(session, visit, techs, at)
    events.record(
        session,
        order,
        "progress",
        f"left site: {_names(techs)}",
        actor=actor,
        data={"visit_id": visit.id, "technicians": [t.id for t in techs], "step": "left"},
    )
    session.flush()
    return techs


def complete(
    session: Session,
    visit: Visit,
    outcome: VisitOutcome | str,
    *,
    work_performed: str | None = None,
    at: datetime | None = None,
    force: bool = False,
    no_parts: bool = False,
    return_at: datetime | None = None,
    return_minutes: int | None = None,
    actor: str = "dispatcher",
) -> Visit | None:
    """Departure: close the crew's time, set outcome, move the order. Returns the booked
    return visit when `return_at` was given."""
    at = at or now()
    outcome = parse_outcome(outcome) if isinstance(outcome, str) else outcome
    order = must_get(session, WorkOrder, visit.order_id)
    if visit.status != VisitStatus.ON_SITE:
        raise InvalidInput(
            f"{order.number}: the visit is {status_words(visit.status)}; record the arrival first"
        )
    if visit.arrived_at and at < visit.arrived_at:
        raise InvalidInput("departure: must be at or after the arrival")
    missing = checklists.unanswered_required(session, visit.id)
    if missing and not force:
        items = "; ".join(f"{m.template}:{m.position} {m.label}" for m in missing)
        raise InvalidInput(
            f"{order.number}: required checklist items unanswered: {items} (use --force to override)"
        )
    others = [v for v in scheduling.active_visits(session, order.id) if v.id != visit.id]
    under_way = [v for v in others if v.status in (VisitStatus.EN_ROUTE, VisitStatus.ON_SITE)]
    if outcome in DONE_OUTCOMES and under_way:
        raise InvalidInput(
            f"{order.number} has {len(under_way)} other visit(s) under way; complete them first"
        )
    if outcome in DONE_OUTCOMES and return_at is not None:
        raise InvalidInput(
            f"outcome {outcome.value} closes the job; a return visit needs needs_return"
        )
    planned_minutes = int((visit.ends_at - visit.starts_at).total_seconds() // 60)
    finish_visit(session, visit, at, outcome)
    if work_performed is not None:
        visit.work_performed = work_performed.strip() or None
    session.add(visit)
    session.flush()
    if outcome in DONE_OUTCOMES:
        # the job is done: the visits booked but not started come off the schedule
        for other in others:
            scheduling.release_visit(
                session, order, other, reason="job completed on an earlier visit", actor=actor
            )
        others = []
    detail = f"visit completed: {outcome.value}" + (
        f" - {visit.work_performed}" if visit.work_performed else ""
    )
    events.record(
        session,
        order,
        "progress",
        detail,
        actor=actor,
        data={"visit_id": visit.id, "step": "completed", "outcome": outcome.value},
    )
    if missing:
        events.record(
            session,
            order,
            "override",
            "completed with checklist items unanswered: " + ", ".join(m.label for m in missing),
            actor=actor,
            data={"visit_id": visit.id},
        )
    if no_parts:
        declare_no_parts(session, order, visit, actor=actor)
    if outcome in DONE_OUTCOMES:
        lifecycle.change_status(session, order, S.COMPLETED, actor=actor, note=outcome.value)
        return None
    lifecycle.change_status(
        session, order, S.ON_HOLD, actor=actor, reason=HOLD_REASON.get(outcome, outcome.value)
    )
    if return_at is not None:
        techs = scheduling.visit_technicians(session, visit.id)
        minutes = return_minutes or planned_minutes
        return scheduling.book_visit(session, order, techs, return_at, minutes, actor=actor)
    if others:
        lifecycle.change_status(
            session, order, S.SCHEDULED, actor=actor, note="next visit already booked"
        )
    return None


def finish_visit(session: Session, visit: Visit, at: datetime, outcome: VisitOutcome) -> None:
    """End a visit under way at `at`: the crew's running time stops, the visit is
    completed with `outcome` and its departure stamped, and the rest of its booked slot
    is freed (a job finished at 09:40 in a 09:00-11:00 slot leaves the technician free
    from 09:40; one finished before its slot began frees all of it, leaving an empty slot
    at its start, its crew kept). The slot only ever shrinks, so no overlap can appear."""
    stop_crew_time(session, visit, at)
    visit.status = VisitStatus.COMPLETED.value
    visit.departed_at = at
    visit.outcome = outcome.value
    if at < visit.ends_at:
        crew_rows = select(VisitTechnician).where(VisitTechnician.visit_id == visit.id)
        rows = list(session.exec(crew_rows))
        # the crew stays on the visit (a technician still sees the job they finished);
        # a visit finished before its slot began keeps an empty slot at its start
        end = max(at, visit.starts_at)
        visit.ends_at = end
        for row in rows:
            row.ends_at = max(end, row.starts_at)
            session.add(row)
    session.add(visit)
    session.flush()


def set_outcome(
    session: Session,
    visit: Visit,
    outcome: VisitOutcome | str,
    *,
    work_performed: str | None = None,
    actor: str = "dispatcher",
) -> Visit:
    """Record or correct the outcome/work text of a completed visit (no status change)."""
    outcome = parse_outcome(outcome) if isinstance(outcome, str) else outcome
    order = must_get(session, WorkOrder, visit.order_id)
    if visit.status != VisitStatus.COMPLETED:
        raise InvalidInput(
            f"{order.number}: the visit is {status_words(visit.status)}; complete it instead"
        )
    before = visit.outcome or "none"
    visit.outcome = outcome.value
    if work_performed is not None:
        visit.work_performed = work_performed.strip() or None
    session.add(visit)
    session.flush()
    events.record(
        session,
        order,
        "outcome",
        f"visit outcome {before} -> {outcome.value}",
        actor=actor,
        data={"visit_id": visit.id},
    )
    return visit


def declare_no_parts(
    session: Session, order: WorkOrder, visit: Visit | None = None, *, actor: str = "dispatcher"
) -> None:
    """Say explicitly that no parts were used (clears the closeout 'parts not recorded')."""
    events.record(
        session,
        order,
        "no_parts",
        "no parts used",
        actor=actor,
        data={"visit_id": visit.id if visit else None},
    )


def last_completed_visit(session: Session, order: WorkOrder, visit_id: int | None = None) -> Visit:
    """The named visit, or the order's most recently completed one."""
    if visit_id is not None:
        return find_visit(session, order, visit_id)
    visit = session.exec(
        select(Visit)
        .where(Visit.order_id == order.id, Visit.status == VisitStatus.COMPLETED.value)
        .order_by(col(Visit.departed_at).desc(), col(Visit.id).desc())
    ).first()
    if visit is None:
        raise InvalidInput(f"{order.number} has no completed visit")
    return visit
