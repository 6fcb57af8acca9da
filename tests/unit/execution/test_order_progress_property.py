"""Property: any sequence of status changes through any of the paths (the status
use-case the CLI and the status dialog call, the field-work steps, booking, moving,
unbooking, invoicing) leaves every order's visits in agreement with it — the same rule
`db check` applies. Each step runs in its own transaction, as the faces do; a refused step
writes nothing."""

from __future__ import annotations

import itertools
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from svcdesk import clock
from svcdesk.db import write_session
from svcdesk.errors import SvcDeskError
from svcdesk.models import OrderStatus
from svcdesk.services.billing import from_order
from svcdesk.services.crm.technicians import find_technician
from svcdesk.services.execution import order_progress, progress_checks
from svcdesk.services.execution import visit_progress as vp
from svcdesk.services.orders import intake, lifecycle, scheduling
from tests.conftest import FROZEN_NOW

STATUSES = [s.value for s in OrderStatus]
OUTCOMES = ["fixed", "quoted", "needs_parts", "needs_return", "no_access"]

steps = st.one_of(
    st.tuples(st.just("status"), st.sampled_from(STATUSES), st.booleans()),
    st.tuples(st.just("assign"), st.integers(0, 3), st.integers(8, 16)),
    st.tuples(st.just("add"), st.integers(0, 3), st.integers(8, 16)),
    st.tuples(st.just("unassign"), st.none(), st.none()),
    st.tuples(st.just("travel"), st.none(), st.none()),
    st.tuples(st.just("arrive"), st.none(), st.none()),
    st.tuples(st.just("complete"), st.sampled_from(OUTCOMES), st.booleans()),
    st.tuples(st.just("invoice"), st.none(), st.none()),
)

minutes = itertools.count(1)


def _apply(session, number: str, step) -> None:
    kind, a, b = step
    order = lifecycle.get_order(session, number)
    now = clock.now()
    if kind == "status":
        order_progress.change_order_status(session, order, a, reason="because", force=b)
    elif kind in ("assign", "add"):
        tech = find_technician(session, "Alice Ng")
        start = (now + timedelta(days=a)).replace(hour=b, minute=0, second=0, microsecond=0)
        scheduling.assign(session, order, [tech], start, 60, add=kind == "add", force=True)
    elif kind == "unassign":
        visit = scheduling.next_active_visit(session, order.id)
        if visit is not None:
            scheduling.cancel_visit(session, visit, reason="unassigned")
    elif kind in ("travel", "arrive"):
        visit = vp.find_visit(session, order)
        (vp.start_travel if kind == "travel" else vp.arrive)(session, visit)
    elif kind == "complete":
        visit = vp.find_visit(session, order)
        vp.complete(session, visit, a, force=b)
    elif kind == "invoice":
        from_order.invoice_order(session, order, skip_unapproved=True)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(steps, min_size=1, max_size=12))
def test_any_sequence_keeps_orders_and_visits_in_agreement(engine, shop, sequence):
    clock.freeze(FROZEN_NOW + timedelta(minutes=next(minutes) * 600))
    with write_session(engine) as s:
        order, _ = intake.create_order(s, intake.IntakeRequest(
            summary="Furnace noisy", customer_id=shop["customer"], site_id=shop["site"],
            skill="hvac"))  # fmt: skip
        number = order.number
    for step in sequence:
        clock.freeze(clock.now() + timedelta(minutes=7))
        try:
            with write_session(engine) as s:
                _apply(s, number, step)
        except SvcDeskError:
            pass  # refused: nothing written (write_session rolled back)
        with write_session(engine) as s:
            assert progress_checks.disagreeing_orders(s) == [], (step, sequence)
