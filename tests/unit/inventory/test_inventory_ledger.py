"""The stock ledger: balances follow moves, refusals, and hypothesis properties."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from svcdesk.db import make_engine, write_session
from svcdesk.errors import InvalidInput
from svcdesk.models.inventory import MoveKind
from svcdesk.services.common.quantity import extended_cents, fmt_qty, parse_qty
from svcdesk.services.inventory import stock
from tests.unit.inventory.helpers import stocked


def test_quantity_parsing_and_amounts():
    assert parse_qty("2.5") == 2500 and parse_qty("1,000") == 1_000_000
    for bad, msg in (
        ("-1", "negative"),
        ("abc", "not a number"),
        ("0", "zero"),
        ("1.2345", "3 decimals"),
        ("nan", "not a number"),
    ):
        with pytest.raises(InvalidInput, match=msg):
            parse_qty(bad)
    assert fmt_qty(2500) == "2.5" and fmt_qty(10000) == "10" and fmt_qty(0) == "0"
    assert extended_cents(1999, 1500) == 2999  # 29.985 -> half-up


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=30))
def test_parse_qty_never_crashes(value):
    try:
        qty = parse_qty(value)
    except InvalidInput as exc:
        assert "\n" not in str(exc)
    else:
        assert 0 < qty <= 10**12


def test_huge_quantities_refused():
    for bad in ("1e100000", "99999999999"):
        with pytest.raises(InvalidInput, match="more than"):
            parse_qty(bad)


def test_receive_transfer_consume_and_balances(session, shop):
    wh, cap, _ = stocked(session)
    truck = stock.get_location(session, "Bob Ruiz")
    stock.post_move(session, part=cap, qty_milli=10000, kind=MoveKind.RECEIVE, to_loc=wh)
    stock.post_move(session, part=cap, qty_milli=3000, kind="transfer", from_loc=wh, to_loc=truck)
    stock.post_move(session, part=cap, qty_milli=1000, kind="consume", from_loc=truck)
    assert stock.on_hand(session, wh.id, cap.id) == 7000
    assert stock.on_hand(session, truck.id, cap.id) == 2000
    assert stock.ledger_on_hand(session, truck.id) == {(truck.id, cap.id): 2000}
    assert stock.verify(session) == []


def test_refusals(session, shop):
    wh, cap, _ = stocked(session)
    truck = stock.get_location(session, "truck:Alice Ng")
    with pytest.raises(InvalidInput, match="only 0 ea on hand at Truck Alice Ng"):
        stock.post_move(
            session, part=cap, qty_milli=1000, kind="transfer", from_loc=truck, to_loc=wh
        )
    with pytest.raises(InvalidInput, match="must be above 0"):
        stock.post_move(session, part=cap, qty_milli=0, kind="receive", to_loc=wh)
    with pytest.raises(InvalidInput, match="reason is required"):
        stock.post_move(session, part=cap, qty_milli=1000, kind="adjust", from_loc=wh)
    with pytest.raises(InvalidInput, match="same location"):
        stock.post_move(session, part=cap, qty_milli=1, kind="transfer", from_loc=wh, to_loc=wh)
    with pytest.raises(InvalidInput, match="wrong locations"):
        stock.post_move(session, part=cap, qty_milli=1, kind="receive", from_loc=wh)


def test_adjustment_with_reason_may_go_negative(session, shop):
    wh, cap, _ = stocked(session)
    stock.post_move(
        session,
        part=cap,
        qty_milli=2000,
        kind="adjust",
        from_loc=wh,
        reason="cycle count: found short",
    )
    assert stock.on_hand(session, wh.id, cap.id) == -2000
    assert stock.verify(session) == []


def test_verify_detects_and_repairs_drift(session, shop):
    from sqlmodel import select

    from svcdesk.models.inventory import StockBalance

    wh, cap, _ = stocked(session)
    stock.post_move(session, part=cap, qty_milli=5000, kind="receive", to_loc=wh)
    bal = session.exec(select(StockBalance)).one()
    bal.on_hand_milli = 4000
    session.flush()
    (drift,) = stock.verify(session)
    assert (drift.cached_milli, drift.ledger_milli) == (4000, 5000)
    stock.rebuild_balances(session)
    assert stock.verify(session) == []


def test_location_lookup(session, shop):
    stocked(session)
    assert stock.get_location(session, "main warehouse").kind == "warehouse"
    assert stock.get_location(session, "Cara Diaz").name == "Truck Cara Diaz"
    with pytest.raises(Exception, match="known: "):
        stock.get_location(session, "Garage")
    assert stock.ensure_trucks(session) == []  # idempotent


# ---- properties ------------------------------------------------------------------------

OPS = st.lists(
    st.tuples(
        st.sampled_from(["receive", "transfer", "consume", "use_unuse"]),
        st.integers(0, 2),  # location index
        st.integers(0, 2),  # other location index
        st.integers(0, 1),  # part index
        st.integers(1, 5000),  # qty milli
    ),
    max_size=25,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=OPS)
def test_ledger_properties(ops):
    """On-hand always equals the ledger sum; valid operations never make stock negative;
    consuming then un-consuming restores on-hand."""
    engine = make_engine("sqlite://")
    with write_session(engine) as s:
        wh, cap, gas = stocked(s)
        locs = [
            wh,
            stock.add_location(s, "Van A", "truck"),
            stock.add_location(s, "Van B", "truck"),
        ]
        part_list = [cap, gas]
        for kind, a, b, p, qty in ops:
            part = part_list[p]
            try:
                if kind == "receive":
                    stock.post_move(s, part=part, qty_milli=qty, kind=kind, to_loc=locs[a])
                elif kind == "transfer":
                    stock.post_move(
                        s, part=part, qty_milli=qty, kind=kind, from_loc=locs[a], to_loc=locs[b]
                    )
                elif kind == "consume":
                    stock.post_move(s, part=part, qty_milli=qty, kind=kind, from_loc=locs[a])
                else:
                    before = stock.on_hand(s, locs[a].id, part.id)
                    stock.post_move(s, part=part, qty_milli=qty, kind="consume", from_loc=locs[a])
                    stock.post_move(s, part=part, qty_milli=qty, kind="return", to_loc=locs[a])
                    assert stock.on_hand(s, locs[a].id, part.id) == before
            except InvalidInput:
                pass
            for loc in locs:
                for pt in part_list:
                    assert stock.on_hand(s, loc.id, pt.id) >= 0
        assert stock.verify(s) == []
        ledger = stock.ledger_on_hand(s)
        for loc in locs:
            for pt in part_list:
                assert ledger.get((loc.id, pt.id), 0) == stock.on_hand(s, loc.id, pt.id)
    engine.dispose()
