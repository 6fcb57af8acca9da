"""One progression of the work: `order_progress.change_order_status` moves an order and
its visits together; `db check` reports an order whose status disagrees with its visits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from svcdesk.errors import Conflict, InvalidInput, InvalidTransition
from svcdesk.models import OrderEvent, Visit
from svcdesk.models.execution import TimeEntry
from svcdesk.services.crm.technicians import find_technician
from svcdesk.services.execution import order_progress as op
from svcdesk.services.execution import progress_checks
from svcdesk.services.orders import lifecycle, scheduling
from tests.unit.execution.helpers import book, when


def walk(session, order, *statuses, **kw):
    for status in statuses:
        op.change_order_status(session, order, status, **kw)


def test_status_walk_stamps_the_visit_and_completion_frees_the_slot(session, shop):
    """The issue's first dead end: `orders status ... completed` left the visit scheduled,
    blocking Bob's 10:00-11:00 ("double-booked" by a completed order)."""
    order = lifecycle.get_order(session, shop["o2"])  # Bob 10:00-11:00 today; now 08:00
    visit = scheduling.active_visits(session, order.id)[0]
    op.change_order_status(session, order, "dispatched")
    assert visit.status == "dispatched"
    op.change_order_status(session, order, "en_route", at=when(session, "today 08:05"))
    assert visit.status == "en_route" and visit.en_route_at == when(session, "today 08:05")
    op.change_order_status(session, order, "on_site", at=when(session, "today 08:30"))
    assert visit.status == "on_site" and visit.arrived_at == when(session, "today 08:30")
    op.change_order_status(session, order, "completed", at=when(session, "today 09:10"))
    assert order.status == "completed"
    assert (visit.status, visit.outcome) == ("completed", "fixed")
    assert visit.departed_at == when(session, "today 09:10")
    assert scheduling.active_visits(session, order.id) == []
    bob = find_technician(session, "Bob Ruiz")
    slot = (when(session, "today 10:00"), when(session, "today 11:00"))
    assert scheduling.booking_problems(session, order, bob, *slot) == []
    kinds = {
        e.kind: e for e in session.exec(select(TimeEntry).where(TimeEntry.visit_id == visit.id))
    }
    assert set(kinds) == {"travel", "work"} and kinds["work"].ends_at == visit.departed_at
    assert progress_checks.disagreeing_orders(session) == []


def test_completing_inside_the_slot_frees_only_the_rest(session, shop):
    order, visit = book(session, shop["o1"], ["Alice Ng"], "today 09:00", 120)
    walk(session, order, "dispatched", "en_route", at=when(session, "today 08:45"))
    op.change_order_status(session, order, "on_site", at=when(session, "today 09:00"))
    op.change_order_status(session, order, "completed", at=when(session, "today 09:40"))
    assert visit.ends_at == when(session, "today 09:40")
    alice = find_technician(session, "Alice Ng")
    assert (
        scheduling.booking_problems(
            session, order, alice, when(session, "today 09:40"), when(session, "today 11:00")
        )
        == []
    )
    assert scheduling.booking_problems(
        session, order, alice, when(session, "today 09:30"), when(session, "today 10:00")
    )  # the 40 minutes worked stay booked
    assert progress_checks.disagreeing_orders(session) == []


def test_completing_cancels_the_visits_not_started(session, shop):
    order, day1 = book(session, shop["o1"], ["Alice Ng"], "today 09:00")
    _, day2 = book(session, shop["o1"], ["Alice Ng"], "2026-11-27 09:00")
    walk(session, order, "dispatched", "en_route", "on_site", "completed")
    assert (day1.status, day2.status) == ("completed", "cancelled")
    assert progress_checks.disagreeing_orders(session) == []


def test_hold_unbooks_future_visits_and_keeps_history(session, shop):
    order = lifecycle.get_order(session, shop["o2"])
    visit = scheduling.active_visits(session, order.id)[0]
    op.change_order_status(session, order, "on_hold", reason="waiting on the landlord")
    assert order.status == "on_hold" and visit.status == "cancelled"
    kinds = [
        e.kind for e in session.exec(select(OrderEvent).where(OrderEvent.order_id == order.id))
    ]
    assert kinds[-2:] == ["unassigned", "status"]
    assert session.get(Visit, visit.id) is not None  # the booking stays in history
    bob = find_technician(session, "Bob Ruiz")
    assert scheduling.booking_problems(session, order, bob, visit.starts_at, visit.ends_at) == []
    with pytest.raises(InvalidInput, match="has no booked visit.*orders assign"):
        op.change_order_status(session, order, "scheduled")
    scheduling.assign(session, order, [bob], when(session, "2026-11-27 10:00"), 60)
    assert order.status == "scheduled"
    assert progress_checks.disagreeing_orders(session) == []


def test_hold_on_site_ends_the_visit_and_stops_time(session, shop):
    order, visit = book(session, shop["o1"], ["Alice Ng"], "today 09:00")
    walk(session, order, "dispatched", "en_route", "on_site", at=when(session, "today 09:00"))
    op.change_order_status(
        session, order, "on_hold", reason="needs a part", at=when(session, "today 09:30")
    )
    assert (visit.status, visit.outcome) == ("completed", "needs_return")
    running = session.exec(select(TimeEntry).where(TimeEntry.ends_at == None)).all()  # noqa: E711
    assert running == []
    assert progress_checks.disagreeing_orders(session) == []


def test_cancel_cancels_open_visits_and_stops_travel(session, shop):
    order, visit = book(session, shop["o1"], ["Alice Ng"], "today 09:00")
    walk(session, order, "dispatched", "en_route", at=when(session, "today 08:00"))
    op.change_order_status(
        session, order, "cancelled", reason="customer fixed it", at=when(session, "today 08:20")
    )
    assert order.status == "cancelled" and visit.status == "cancelled"
    travel = session.exec(select(TimeEntry).where(TimeEntry.visit_id == visit.id)).one()
    assert travel.ends_at == when(session, "today 08:20")
    assert progress_checks.disagreeing_orders(session) == []


def test_turned_around_goes_back_to_dispatched(session, shop):
    order, visit = book(session, shop["o1"], ["Alice Ng"], "today 09:00")
    walk(session, order, "dispatched", "en_route", at=when(session, "today 08:00"))
    op.change_order_status(session, order, "dispatched", at=when(session, "today 08:10"))
    assert (visit.status, visit.en_route_at) == ("dispatched", None)
    assert progress_checks.disagreeing_orders(session) == []


def test_refusals_write_nothing(session, shop):
    order = lifecycle.get_order(session, shop["o1"])  # new, nothing booked
    version = order.version
    with pytest.raises(InvalidInput, match="no booked visit"):
        op.change_order_status(session, order, "scheduled")
    with pytest.raises(InvalidTransition, match="cannot go from new to completed"):
        op.change_order_status(session, order, "completed")
    with pytest.raises(InvalidInput, match="reason is required"):
        op.change_order_status(session, order, "cancelled")
    assert (order.status, order.version) == ("new", version)
    o2 = lifecycle.get_order(session, shop["o2"])
    with pytest.raises(Conflict, match="changed by someone else"):
        op.change_order_status(session, o2, "dispatched", expected_version=o2.version - 1)
    assert scheduling.active_visits(session, o2.id)[0].status == "scheduled"


def test_db_check_reports_status_disagreeing_with_visits(session, shop):
    o2 = lifecycle.get_order(session, shop["o2"])
    for status in ("dispatched", "en_route", "on_site", "completed"):
        lifecycle.change_status(session, o2, status)  # the old path: the visit stays behind
    o1 = lifecycle.get_order(session, shop["o1"])
    lifecycle.change_status(session, o1, "scheduled")  # scheduled with nothing booked
    assert progress_checks.disagreeing_orders(session) == [
        f"{o1.number}: scheduled but has no open visit",
        f"{o2.number}: completed but has 1 open visit(s) (scheduled)",
    ]


def test_rule_table():
    assert op.order_visit_problems("on_site", ["on_site", "scheduled"]) is None
    assert op.order_visit_problems("en_route", ["scheduled"]) == "en_route but no visit is en route"
    assert op.order_visit_problems("scheduled", ["on_site"]) == "scheduled but a visit is under way"
    assert op.order_visit_problems("closed", ["completed", "cancelled"]) is None


def test_booking_use_case_moves_the_movable_visit(session, shop):
    order = lifecycle.get_order(session, shop["o2"])
    visit = scheduling.active_visits(session, order.id)[0]
    bob = find_technician(session, "Bob Ruiz")
    moved, was_moved = scheduling.assign(
        session, order, [bob], when(session, "today 13:00"), None, expected_version=order.version
    )
    assert was_moved and moved.id == visit.id and moved.starts_at == when(session, "today 13:00")
    assert len(scheduling.active_visits(session, order.id)) == 1
    extra, was_moved = scheduling.assign(
        session, order, [bob], when(session, "2026-11-27 13:00"), 60, add=True
    )
    assert not was_moved and len(scheduling.active_visits(session, order.id)) == 2
    with pytest.raises(Conflict):
        scheduling.assign(
            session, order, [bob], when(session, "today 15:00"), 60,
            expected_version=order.version - 1,
        )  # fmt: skip
    assert visit.starts_at == when(session, "today 13:00")
    assert extra.starts_at - visit.starts_at == timedelta(days=2)


def test_unassigning_a_visit_under_way_is_refused(session, shop):
    """Found by the property test: taking away the visit of an order en route left the order
    en route with no visit. Unassigning a visit under way is refused; the status change
    (hold, back to dispatched) calls it off."""
    order = lifecycle.get_order(session, shop["o2"])
    visit = scheduling.active_visits(session, order.id)[0]
    walk(session, order, "dispatched", "en_route")
    with pytest.raises(InvalidInput, match="under way"):
        scheduling.cancel_visit(session, visit, reason="unassigned")
    assert (order.status, visit.status) == ("en_route", "en_route")
    assert progress_checks.disagreeing_orders(session) == []


def test_a_refused_move_is_worded_and_keeps_the_stored_names():
    from svcdesk.models import OrderStatus as S
    from svcdesk.services.common.words import move_refused

    err = move_refused("SO-000001", S.SCHEDULED, S.EN_ROUTE, [S.DISPATCHED, S.ON_HOLD])
    assert str(err) == (
        "SO-000001: cannot go from scheduled to en route; allowed: dispatched, on hold"
    )
    assert err.allowed == ("dispatched", "on_hold")
