"""Every allowed and forbidden transition, reasons, events, optimistic locking."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from svcdesk.db import read_session, write_session
from svcdesk.errors import Conflict, InvalidInput, InvalidTransition
from svcdesk.models import OrderEvent, OrderStatus, WorkOrder
from svcdesk.services.orders import intake, lifecycle
from svcdesk.services.orders.lifecycle import TRANSITIONS

ALL_PAIRS = [(a, b) for a in OrderStatus for b in OrderStatus]


def _order(session, status: OrderStatus) -> WorkOrder:
    order, _ = intake.create_order(
        session,
        intake.IntakeRequest(
            summary="Test", customer="T", phone="512-555-9999", address="1 Main St"
        ),
    )
    order.status = status.value  # put it straight into the starting state under test
    session.flush()
    return order


@pytest.mark.parametrize(("src", "dst"), ALL_PAIRS, ids=[f"{a}->{b}" for a, b in ALL_PAIRS])
def test_transition_table(session, src, dst):
    order = _order(session, src)
    allowed = dst in TRANSITIONS[src]
    if allowed:
        lifecycle.change_status(session, order, dst, reason="because")
        assert order.status == dst.value
        ev = session.exec(select(OrderEvent).where(OrderEvent.kind == "status")).all()[-1]
        assert (ev.from_status, ev.to_status) == (src.value, dst.value)
    else:
        with pytest.raises(InvalidTransition) as err:
            lifecycle.change_status(session, order, dst, reason="because")
        assert err.value.allowed == tuple(s.value for s in TRANSITIONS[src])
        assert "allowed:" in str(err.value)
        assert order.status == src.value


def test_hold_and_cancel_need_a_reason(session):
    order = _order(session, OrderStatus.NEW)
    for target in ("on_hold", "cancelled"):
        with pytest.raises(InvalidInput, match="reason is required"):
            lifecycle.change_status(session, order, target)
    lifecycle.change_status(session, order, "on_hold", reason="Waiting for parts")
    assert order.hold_reason == "Waiting for parts"
    lifecycle.change_status(session, order, "new")
    assert order.hold_reason is None


def test_unknown_status_names_the_choices(session):
    order = _order(session, OrderStatus.NEW)
    with pytest.raises(InvalidInput, match="not one of new, scheduled"):
        lifecycle.change_status(session, order, "finished")


def test_stale_version_raises_conflict(engine, shop):
    with read_session(engine) as s:
        stale = lifecycle.get_order(s, shop["o1"])
    with write_session(engine) as s:
        lifecycle.change_status(s, lifecycle.get_order(s, shop["o1"]), "on_hold", reason="parts")
    with pytest.raises(Conflict, match="changed by someone else"), write_session(engine) as s:
        order = lifecycle.get_order(s, shop["o1"])
        lifecycle.change_status(s, order, "cancelled", reason="x", expected_version=stale.version)
    with read_session(engine) as s:
        assert lifecycle.get_order(s, shop["o1"]).status == "on_hold"


def test_completed_sets_completed_at(session, frozen_clock):
    order = _order(session, OrderStatus.ON_SITE)
    lifecycle.change_status(session, order, "completed")
    assert order.completed_at == frozen_clock


def test_get_order_accepts_bare_numbers(session):
    order = _order(session, OrderStatus.NEW)
    assert lifecycle.get_order(session, str(order.id)).id == order.id
    assert lifecycle.get_order(session, order.number.lower()).id == order.id


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(moves=st.lists(st.sampled_from(list(OrderStatus)), min_size=1, max_size=12))
def test_random_moves_leave_a_complete_event_trail(engine, moves):
    """Whatever sequence is attempted, the events replay to the order's status and version."""
    with write_session(engine) as s:
        order, _ = intake.create_order(
            s,
            intake.IntakeRequest(
                summary="P", customer="P", phone="512-555-7777", address="2 Elm St"
            ),
        )
        for target in moves:
            try:
                lifecycle.change_status(s, order, target, reason="r")
            except InvalidTransition:
                pass
        events = s.exec(
            select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.id)
        ).all()
        # status moves only: completing also files its follow-up (an event with no status)
        events = [ev for ev in events if ev.to_status is not None]
        state = events[0].to_status
        assert events[0].kind == "created"
        for ev in events[1:]:
            assert ev.from_status == state
            assert OrderStatus(ev.to_status) in TRANSITIONS[OrderStatus(state)]
            state = ev.to_status
        db_order = s.get(WorkOrder, order.id)
        assert state == db_order.status
        assert db_order.version == len(events)
