"""Visit progress: order status follows, crew time, outcomes, return visits."""

from __future__ import annotations

import pytest
from sqlmodel import select

from svcdesk.errors import InvalidInput, InvalidTransition
from svcdesk.models import OrderEvent, Visit
from svcdesk.models.execution import TimeEntry
from svcdesk.services.execution import visit_progress as vp
from svcdesk.services.orders import lifecycle, scheduling
from tests.unit.execution.helpers import book, when


def _entries(session, visit_id):
    return session.exec(
        select(TimeEntry).where(TimeEntry.visit_id == visit_id).order_by(TimeEntry.id)
    ).all()


def test_full_visit_moves_order_and_records_crew_time(session, shop):
    order, visit = book(session, shop["o1"], ["Alice Ng", "Cara Diaz"], "today 10:00", 90)
    vp.start_travel(session, visit, at=when(session, "today 09:30"))
    assert order.status == "en_route" and visit.status == "en_route"
    statuses = [
        e.to_status
        for e in session.exec(select(OrderEvent).where(OrderEvent.order_id == order.id))
        if e.kind == "status"
    ]
    assert statuses[-2:] == ["dispatched", "en_route"]
    vp.arrive(session, visit, at=when(session, "today 10:00"))
    assert order.status == "on_site"
    vp.complete(
        session, visit, "fixed", work_performed="Replaced igniter", at=when(session, "today 11:15")
    )
    assert order.status == "completed" and visit.outcome == "fixed"
    assert visit.departed_at == when(session, "today 11:15")
    rows = _entries(session, visit.id)
    assert len(rows) == 4  # travel + work for each of two crew members
    mins = {(r.technician_id, r.kind): (r.ends_at - r.starts_at).seconds // 60 for r in rows}
    assert mins[(shop["alice"], "travel")] == 30 and mins[(shop["cara"], "work")] == 75
    assert all(r.source == "auto" for r in rows)


def test_helper_arrives_late_and_leaves_early(session, shop):
    order, visit = book(session, shop["o1"], ["Alice Ng", "Cara Diaz"], "today 10:00", 120)
    vp.start_travel(session, visit, at=when(session, "today 09:30"), tech_ids=[shop["alice"]])
    vp.arrive(session, visit, at=when(session, "today 10:00"), tech_ids=[shop["alice"]])
    vp.arrive(session, visit, at=when(session, "today 10:40"), tech_ids=[shop["cara"]])
    vp.leave(session, visit, [shop["cara"]], at=when(session, "today 11:10"))
    vp.complete(session, visit, "fixed", at=when(session, "today 12:00"))
    work = {r.technician_id: r for r in _entries(session, visit.id) if r.kind == "work"}
    assert (work[shop["cara"]].ends_at - work[shop["cara"]].starts_at).seconds == 30 * 60
    assert (work[shop["alice"]].ends_at - work[shop["alice"]].starts_at).seconds == 120 * 60
    assert visit.arrived_at == when(session, "today 10:00")


def test_needs_return_keeps_order_open_and_books_next_visit(session, shop):
    order, visit = book(session, shop["o1"], ["Alice Ng"], "today 10:00")
    vp.arrive(session, visit, at=when(session, "today 10:00"))
    nxt = vp.complete(
        session,
        visit,
        "needs_parts",
        at=when(session, "today 10:45"),
        return_at=when(session, "2026-11-27 09:00"),
    )
    assert nxt is not None and nxt.status == "scheduled"
    assert order.status == "scheduled"
    assert [v.id for v in scheduling.active_visits(session, order.id)] == [nxt.id]
    holds = session.exec(
        select(OrderEvent).where(OrderEvent.order_id == order.id, OrderEvent.to_status == "on_hold")
    ).all()
    assert holds and holds[0].detail == "needs parts"


def test_multi_day_job_with_second_visit_already_booked(session, shop):
    order, day1 = book(session, shop["o1"], ["Alice Ng"], "today 10:00")
    _, day2 = book(session, shop["o1"], ["Alice Ng"], "2026-11-26 10:00")
    vp.arrive(session, day1, at=when(session, "today 10:00"))
    vp.complete(session, day1, "needs_return", at=when(session, "today 11:00"))
    assert order.status == "scheduled"
    assert vp.find_visit(session, order).id == day2.id


def test_fixed_cancels_the_visits_not_started(session, shop):
    """Completing the job (field screen or status) takes the other booked days off the
    schedule instead of refusing: the two ways of progressing a job agree."""
    order, day1 = book(session, shop["o1"], ["Alice Ng"], "today 10:00")
    _, day2 = book(session, shop["o1"], ["Alice Ng"], "2026-11-26 10:00")
    vp.arrive(session, day1, at=when(session, "today 10:00"))
    vp.complete(session, day1, "fixed", at=when(session, "today 11:00"))
    assert order.status == "completed"
    assert day2.status == "cancelled" and scheduling.active_visits(session, order.id) == []
    assert scheduling.booking_problems(
        session, order, scheduling.visit_technicians(session, day2.id)[0],
        day2.starts_at, day2.ends_at,
    ) == []  # fmt: skip


def test_no_access_puts_order_on_hold(session, shop):
    order, visit = book(session, shop["o1"], ["Alice Ng"], "today 10:00")
    vp.arrive(session, visit, at=when(session, "today 10:00"))
    vp.complete(session, visit, "no access", at=when(session, "today 10:05"))
    assert order.status == "on_hold" and order.hold_reason == "no access to the site"


def test_refusals(session, shop):
    order, visit = book(session, shop["o1"], ["Alice Ng"], "today 10:00")
    with pytest.raises(InvalidInput, match="record the arrival first"):
        vp.complete(session, visit, "fixed")
    with pytest.raises(InvalidInput, match="outcome: 'great'"):
        vp.parse_outcome("great")
    with pytest.raises(InvalidInput, match="not on this visit's crew"):
        vp.start_travel(session, visit, tech_ids=[shop["bob"]])
    vp.arrive(session, visit, at=when(session, "today 10:00"))
    with pytest.raises(InvalidInput, match="after the arrival"):
        vp.complete(session, visit, "fixed", at=when(session, "today 09:00"))
    lifecycle.change_status(session, order, "cancelled", reason="customer called")
    other = session.get(Visit, visit.id)
    assert other.status == "on_site"


def test_running_entry_elsewhere_refuses_new_travel(session, shop):
    _, v1 = book(session, shop["o1"], ["Alice Ng"], "today 10:00")
    _, v2 = book(session, shop["o3"], ["Alice Ng"], "today 13:00")
    vp.arrive(session, v1, at=when(session, "today 10:00"))
    with pytest.raises(InvalidInput, match="can't overlap"):
        vp.start_travel(session, v2, at=when(session, "today 12:30"))


def test_set_outcome_on_completed_visit_only(session, shop):
    order, visit = book(session, shop["o1"], ["Alice Ng"], "today 10:00")
    with pytest.raises(InvalidInput):
        vp.set_outcome(session, visit, "fixed")
    vp.arrive(session, visit, at=when(session, "today 10:00"))
    vp.complete(session, visit, "quoted", at=when(session, "today 10:30"))
    vp.set_outcome(session, visit, "fixed", work_performed="Cleaned burners")
    assert visit.outcome == "fixed" and visit.work_performed == "Cleaned burners"
    assert vp.last_completed_visit(session, order).id == visit.id


def test_invalid_transition_is_lifecycles(session, shop):
    order, visit = book(session, shop["o1"], ["Alice Ng"], "today 10:00")
    vp.arrive(session, visit, at=when(session, "today 10:00"))
    vp.complete(session, visit, "fixed", at=when(session, "today 10:30"))
    with pytest.raises(InvalidTransition):
        lifecycle.change_status(session, order, "on_site")
