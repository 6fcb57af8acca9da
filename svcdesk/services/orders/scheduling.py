"""Booking visits: who goes when, and the rules that refuse a booking.

Refusals: inactive technician, missing the order's skill (lead technician), outside the
technician's shift, during time off, overlapping another visit. `force=True` books anyway
and records an `override` event listing what was overridden."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from svcdesk.errors import BookingRefused, InvalidInput
from svcdesk.models import (
    OrderStatus,
    Shift,
    Skill,
    Technician,
    TechnicianSkill,
    TimeOff,
    Visit,
    VisitStatus,
    VisitTechnician,
    WorkOrder,
)
from svcdesk.models.core import ACTIVE_VISIT  # (defined with VisitStatus; used here)
from svcdesk.services.common import events
from svcdesk.services.common.rows import must_get
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import fmt
from svcdesk.services.common.words import status_words
from svcdesk.services.orders import lifecycle

BOOKABLE = (
    OrderStatus.NEW,
    OrderStatus.SCHEDULED,
    OrderStatus.DISPATCHED,
    OrderStatus.ON_HOLD,
    OrderStatus.EN_ROUTE,
    OrderStatus.ON_SITE,
)


def booking_problems(
    session: Session,
    order: WorkOrder,
    tech: Technician,
    starts_at: datetime,
    ends_at: datetime,
    *,
    lead: bool = True,
    ignore_visit_id: int | None = None,
) -> list[str]:
    """Every rule `tech` fails for this slot, one message each (empty list = bookable)."""
    zone = shop_zone(session)
    problems: list[str] = []
    if not tech.active:
        problems.append(f"{tech.name} is inactive")
    if lead and order.skill_id is not None:
        has = session.exec(
            select(TechnicianSkill).where(
                TechnicianSkill.technician_id == tech.id, TechnicianSkill.skill_id == order.skill_id
            )
        ).first()
        if not has:
            skill = session.get(Skill, order.skill_id)
            problems.append(f"{tech.name} lacks the required skill {skill.code if skill else '?'}")
    if not _within_shift(session, tech.id, starts_at, ends_at, zone):
        problems.append(
            f"{tech.name} is off shift {fmt(starts_at, zone, '%a %H:%M')}-{fmt(ends_at, zone, '%H:%M')}"
        )
    off = session.exec(
        select(TimeOff).where(
            TimeOff.technician_id == tech.id,
            TimeOff.starts_at < ends_at,
            TimeOff.ends_at > starts_at,
        )
    ).first()
    if off:
        problems.append(
            f"{tech.name} has time off {fmt(off.starts_at, zone)} to {fmt(off.ends_at, zone)}"
            + (f" ({off.reason})" if off.reason else "")
        )
    for other_visit, other_order in _overlapping(
        session, tech.id, starts_at, ends_at, ignore_visit_id
    ):
        problems.append(
            f"{tech.name} is double-booked: {other_order.number} "
            f"{fmt(other_visit.starts_at, zone, '%H:%M')}-{fmt(other_visit.ends_at, zone, '%H:%M')}"
        )
    return problems


def _within_shift(
    session: Session, tech_id: int, starts_at: datetime, ends_at: datetime, zone
) -> bool:
    local_start, local_end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    if local_end.date() != local_start.date() and not (
        local_end.date() == local_start.date() + timedelta(days=1)
        and local_end.hour == 0
        and local_end.minute == 0
    ):
        return False
    start_min = local_start.hour * 60 + local_start.minute
    end_min = start_min + int((ends_at - starts_at).total_seconds() // 60)
    shifts = session.exec(
        select(Shift).where(Shift.technician_id == tech_id, Shift.weekday == local_start.weekday())
    ).all()
    return any(s.start_minute <= start_min and end_min <= s.end_minute for s in shifts)


def _overlapping(
    session: Session,
    tech_id: int,
    starts_at: datetime,
    ends_at: datetime,
    ignore_visit_id: int | None,
):
    stmt = (
        select(Visit, WorkOrder)
        .join(VisitTechnician, col(VisitTechnician.visit_id) == col(Visit.id))
        .join(WorkOrder, col(WorkOrder.id) == col(Visit.order_id))
        .where(
            VisitTechnician.technician_id == tech_id,
            VisitTechnician.active == True,  # noqa: E712
            VisitTechnician.starts_at < ends_at,
            VisitTechnician.ends_at > starts_at,
        )
    )
    if ignore_visit_id is not None:
        stmt = stmt.where(Visit.id != ignore_visit_id)
    return session.exec(stmt).all()


def _check_all(session, order, techs, starts_at, ends_at, ignore_visit_id=None) -> list[str]:
    problems: list[str] = []
    for i, tech in enumerate(techs):
        problems += booking_problems(
            session, order, tech, starts_at, ends_at, lead=(i == 0), ignore_visit_id=ignore_visit_id
        )
    return problems


def _validate(order: WorkOrder, techs: Sequence[Technician], minutes: int) -> None:
    if OrderStatus(order.status) not in BOOKABLE:
        raise InvalidInput(
            f"{order.number} is {status_words(order.status)}; only open orders can be booked"
        )
    if not techs:
        raise InvalidInput("technician: at least one technician is needed")
    if len({t.id for t in techs}) != len(techs):
        raise InvalidInput("technician: the same technician is listed twice")
    if minutes <= 0 or minutes > 24 * 60:
        raise InvalidInput(f"minutes: {minutes} is not between 1 and 1440")


def _crew_text(techs: Sequence[Technician]) -> str:
    return ", ".join(
        f"{t.name}{' (lead)' if i == 0 and len(techs) > 1 else ''}" for i, t in enumerate(techs)
    )


def _assign_crew(
    session: Session, visit: Visit, techs: Sequence[Technician], *, forced: bool
) -> None:
    """Crew rows for a visit (first = lead). On PostgreSQL an exclusion constraint refuses a
    double-booking that slipped past the check through a race; that becomes BookingRefused."""
    for i, tech in enumerate(techs):
        session.add(
            VisitTechnician(
                visit_id=visit.id,
                technician_id=tech.id,
                role="lead" if i == 0 else "helper",
                starts_at=visit.starts_at,
                ends_at=visit.ends_at,
                forced=forced,
            )
        )
    try:
        session.flush()
    except IntegrityError as exc:
        if "visit_technician_no_overlap" not in str(exc.orig):
            raise
        raise BookingRefused(
            ["a technician was booked for an overlapping time by someone else just now; reload"]
        ) from None


def _record_override(session, order, visit, problems: list[str], verb: str, actor: str) -> None:
    """A forced booking keeps what it overrode in the history."""
    if problems:
        events.record(
            session,
            order,
            "override",
            f"{verb} despite: " + "; ".join(problems),
            actor=actor,
            data={"visit_id": visit.id, "problems": problems},
        )
    session.flush()


def book_visit(
    session: Session,
    order: WorkOrder,
    techs: Sequence[Technician],
    starts_at: datetime,
    minutes: int | None = None,
    *,
    force: bool = False,
    actor: str = "dispatcher",
    expected_version: int | None = None,
) -> Visit:
    """Book a visit for `order` with `techs` (the first is the lead)."""
    minutes = minutes or order.est_minutes or 60
    _validate(order, techs, minutes)
    ends_at = starts_at + timedelta(minutes=minutes)
    problems = _check_all(session, order, techs, starts_at, ends_at)
    if problems and not force:
        raise BookingRefused(problems)
    zone = shop_zone(session)
    visit = Visit(order_id=order.id, starts_at=starts_at, ends_at=ends_at)
    session.add(visit)
    session.flush()
    _assign_crew(session, visit, techs, forced=bool(problems))
    if OrderStatus(order.status) in (OrderStatus.NEW, OrderStatus.ON_HOLD):
        lifecycle.change_status(
            session,
            order,
            OrderStatus.SCHEDULED,
            actor=actor,
            note="visit booked",
            expected_version=expected_version,
        )
    else:
        lifecycle.touch(session, order, expected_version)
    events.record(
        session,
        order,
        "assigned",
        f"visit {fmt(starts_at, zone)}-{fmt(ends_at, zone, '%H:%M')} {_crew_text(techs)}",
        actor=actor,
        data={"visit_id": visit.id, "technicians": [t.id for t in techs]},
    )
    _record_override(session, order, visit, problems, "booked", actor)
    _booking_message(session, order, visit, actor=actor)
    return visit


def _booking_message(session: Session, order: WorkOrder, visit: Visit, *, actor: str) -> None:
    # (imported here: the messages area, its templates and preferences, is needed when a
    # visit is booked, not by the read queries that use this module's ACTIVE_VISIT)
    from svcdesk.services.messages import triggers

    triggers.booking(session, order, visit, actor=actor)


def reschedule_visit(
    session: Session,
    visit: Visit,
    starts_at: datetime,
    minutes: int | None = None,
    techs: Sequence[Technician] | None = None,
    *,
    force: bool = False,
    actor: str = "dispatcher",
    expected_version: int | None = None,
) -> Visit:
    order = must_get(session, WorkOrder, visit.order_id)
    if VisitStatus(visit.status) not in (VisitStatus.SCHEDULED, VisitStatus.DISPATCHED):
        raise InvalidInput(
            f"{order.number}: a visit that is {status_words(visit.status)} cannot be moved"
        )
    minutes = minutes or int((visit.ends_at - visit.starts_at).total_seconds() // 60)
    if techs is None:
        techs = visit_technicians(session, visit.id)
    _validate(order, techs, minutes)
    ends_at = starts_at + timedelta(minutes=minutes)
    problems = _check_all(session, order, techs, starts_at, ends_at, ignore_visit_id=visit.id)
    if problems and not force:
        raise BookingRefused(problems)
    zone = shop_zone(session)
    before = f"{fmt(visit.starts_at, zone)} {_crew_text(visit_technicians(session, visit.id))}"
    visit.starts_at, visit.ends_at = starts_at, ends_at
    for row in session.exec(select(VisitTechnician).where(VisitTechnician.visit_id == visit.id)):
        session.delete(row)
    session.flush()
    _assign_crew(session, visit, techs, forced=bool(problems))
    lifecycle.touch(session, order, expected_version)
    events.record(
        session,
        order,
        "rescheduled",
        f"{before} -> {fmt(starts_at, zone)}-{fmt(ends_at, zone, '%H:%M')} {_crew_text(techs)}",
        actor=actor,
        data={"visit_id": visit.id},
    )
    _record_override(session, order, visit, problems, "rescheduled", actor)
    _booking_message(session, order, visit, actor=actor)
    return visit


def release_visit(
    session: Session, order: WorkOrder, visit: Visit, *, reason: str, actor: str = "dispatcher"
) -> None:
    """Cancel a visit and free its crew's slot (an `unassigned` event); the order's status
    is the caller's business (`cancel_visit`, or the status use-case in
    services/execution/order_progress.py)."""
    if VisitStatus(visit.status) not in ACTIVE_VISIT:
        raise InvalidInput(f"{order.number}: the visit is already {status_words(visit.status)}")
    visit.status = VisitStatus.CANCELLED.value
    session.add(visit)
    for row in session.exec(select(VisitTechnician).where(VisitTechnician.visit_id == visit.id)):
        row.active = False
        session.add(row)
    session.flush()
    events.record(session, order, "unassigned", reason, actor=actor, data={"visit_id": visit.id})


def cancel_visit(session: Session, visit: Visit, *, reason: str, actor: str = "dispatcher") -> None:
    """Take a visit off the schedule; an order left with no active visit goes back to new."""
    order = must_get(session, WorkOrder, visit.order_id)
    if VisitStatus(visit.status) in (VisitStatus.EN_ROUTE, VisitStatus.ON_SITE):
        # the order follows a visit under way: taking it away would leave the order en
        # route or on site with nobody going; the status change calls it off properly
        raise InvalidInput(
            f"{order.number}: the visit is under way ({visit.status.replace('_', ' ')}); "
            f"put the order on hold or back to dispatched instead "
            f"(svcdesk orders status {order.number} on_hold --reason ...)"
        )
    release_visit(session, order, visit, reason=reason, actor=actor)
    if OrderStatus(order.status) in (
        OrderStatus.SCHEDULED,
        OrderStatus.DISPATCHED,
    ) and not active_visits(session, order.id):
        lifecycle.change_status(
            session, order, OrderStatus.NEW, actor=actor, note="no visit booked"
        )
    else:
        lifecycle.touch(session, order)


def visit_technicians(session: Session, visit_id: int) -> list[Technician]:
    rows = session.exec(
        select(Technician, VisitTechnician.role)
        .join(VisitTechnician, col(VisitTechnician.technician_id) == col(Technician.id))
        .where(VisitTechnician.visit_id == visit_id)
        .order_by(col(VisitTechnician.role) != "lead", col(VisitTechnician.id))
    ).all()
    return [t for t, _ in rows]


def active_visits(session: Session, order_id: int) -> list[Visit]:
    return list(
        session.exec(
            select(Visit)
            .where(
                Visit.order_id == order_id, col(Visit.status).in_([s.value for s in ACTIVE_VISIT])
            )
            .order_by(col(Visit.starts_at))
        )
    )


def order_visits(session: Session, order_id: int) -> list[Visit]:
    return list(
        session.exec(
            select(Visit).where(col(Visit.order_id) == order_id).order_by(col(Visit.starts_at))
        )
    )


def next_active_visit(session: Session, order_id: int) -> Visit | None:
    visits = active_visits(session, order_id)
    return visits[0] if visits else None


MOVABLE_VISIT = (VisitStatus.SCHEDULED, VisitStatus.DISPATCHED)


def movable_visit(session: Session, order: WorkOrder) -> Visit | None:
    """The visit an assignment moves: the order's next active visit when it has not started
    (scheduled or dispatched); None when the next one is under way or nothing is booked."""
    visit = next_active_visit(session, order.id)
    return visit if visit is not None and VisitStatus(visit.status) in MOVABLE_VISIT else None


def assign(
    session: Session,
    order: WorkOrder,
    techs: Sequence[Technician],
    starts_at: datetime,
    minutes: int | None = None,
    *,
    add: bool = False,
    force: bool = False,
    actor: str = "dispatcher",
    expected_version: int | None = None,
) -> tuple[Visit, bool]:
    """The one booking use-case (CLI `orders assign`, the console's assign dialog): move the
    order's movable visit to the new slot and crew, or book a visit when there is none (or
    `add`: another visit, e.g. a second day). `expected_version` is the order version the
    user was looking at: a stale one is a Conflict and nothing is written.
    Returns (visit, moved)."""
    lifecycle.check_version(order, expected_version)
    visit = None if add else movable_visit(session, order)
    if visit is not None:
        moved = reschedule_visit(
            session, visit, starts_at, minutes, techs, force=force, actor=actor,
            expected_version=expected_version,
        )  # fmt: skip
        return moved, True
    booked = book_visit(
        session, order, techs, starts_at, minutes, force=force, actor=actor,
        expected_version=expected_version,
    )  # fmt: skip
    return booked, False


def assign_from_text(
    session: Session,
    number: str,
    tech_ids: Sequence[int],
    start_text: str,
    minutes_text: str,
    *,
    force: bool = False,
    actor: str = "dispatcher",
    expected_version: int | None = None,
) -> tuple[Visit, bool]:
    """`assign` from what a form holds: technician ids (first = lead), the start as typed
    (shop-local), minutes as typed."""
    from svcdesk.services.common.timefmt import parse_when

    order = lifecycle.get_order(session, number)
    starts = parse_when(start_text, shop_zone(session), field="start")
    try:
        minutes = int(minutes_text)
    except ValueError:
        raise InvalidInput(f"minutes: {minutes_text!r} is not a whole number") from None
    if not tech_ids:
        raise InvalidInput("technician: choose a technician")
    found = [session.get(Technician, tid) for tid in tech_ids]
    techs = [t for t in found if t is not None]
    if len(techs) != len(found):
        raise InvalidInput("technician: no longer exists; reload")
    return assign(
        session, order, techs, starts, minutes, force=force, actor=actor,
        expected_version=expected_version,
    )  # fmt: skip
