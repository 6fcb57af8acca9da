"""Parts catalog import, parts used on visits, reorder report and truck restock."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import func, select

from svcdesk.errors import BatchRejected, InvalidInput
from svcdesk.models.inventory import Part, PartUsage, StockMove
from svcdesk.services.execution import visit_progress as vp
from svcdesk.services.inventory import part_usage, parts, restock, stock
from svcdesk.services.orders import lifecycle
from tests.unit.execution.helpers import book, when
from tests.unit.inventory.helpers import CSV, stocked


def test_import_is_idempotent_and_updates(session):
    r1 = parts.import_csv(session, "c.csv", CSV)
    r2 = parts.import_csv(session, "c.csv", CSV)
    assert (r1.created, r2.created, r2.unchanged) == (2, 0, 2)
    changed = CSV.replace("48.00", "52.00").replace("cap-35", "CAP-35")
    assert parts.import_csv(session, "c.csv", changed).updated == 1
    cap = parts.get_part(session, "cap-35")
    assert cap.list_price_cents == 5200 and cap.reorder_point_milli == 5000
    assert session.exec(select(func.count()).select_from(Part)).one() == 2


def test_import_reports_every_bad_row_and_writes_nothing(session):
    bad = (
        "SKU,Name,Cost,List Price,Reorder Point,Taxable\n"
        "A-1,Good part,1.00,2.00,1,yes\n"
        "B 2,Bad sku,1.00,2.00,1,yes\n"
        "C-3,,1.00,2.00,1,yes\n"
        "D-4,Bad cost,abc,2.00,1,yes\n"
        "E-5,Bad qty,1.00,2.00,-3,yes\n"
        "A-1,Duplicate,1.00,2.00,1,yes\n"
        "F-6,Bad flag,1.00,2.00,1,perhaps\n"
    )
    with pytest.raises(BatchRejected) as err:
        parts.import_csv(session, "p.csv", bad)
    lines = err.value.lines
    assert lines[0].startswith("p.csv row 3: sku: 'B 2'")
    assert "p.csv row 4: name: required" in lines
    assert lines[2].startswith("p.csv row 5: cost:")
    assert lines[3] == "p.csv row 6: reorder_point: '-3' is negative; expected a quantity above 0"
    assert lines[4] == "p.csv row 7: sku: A-1 already on row 2"
    assert lines[5] == "p.csv row 8: taxable: 'perhaps' is not yes or no"
    assert session.exec(select(func.count()).select_from(Part)).one() == 0


def test_import_header_errors(session, tmp_path):
    with pytest.raises(InvalidInput, match="missing column"):
        parts.import_csv(session, "x.csv", "sku,name\nA,B\n")
    with pytest.raises(InvalidInput, match="unknown column 'colour'"):
        parts.import_csv(session, "x.csv", "sku,name,cost,list_price,colour\n")
    with pytest.raises(InvalidInput, match="no such file"):
        parts.import_csv(session, tmp_path / "none.csv")


def test_use_part_consumes_from_lead_truck_and_removal_returns(session, shop):
    wh, cap, gas = stocked(session)
    truck = stock.get_location(session, "Alice Ng")
    stock.post_move(session, part=gas, qty_milli=10000, kind="receive", to_loc=truck)
    order, visit = book(session, shop["o1"], ["Alice Ng", "Cara Diaz"], "today 10:00")
    vp.arrive(session, visit, at=when(session, "today 10:00"))
    usage = part_usage.use_part(session, order, gas, 2500, visit=visit)
    assert usage.location_id == truck.id and usage.technician_id == shop["alice"]
    assert (usage.unit_price_cents, usage.unit_cost_cents) == (8500, 950)
    assert stock.on_hand(session, truck.id, gas.id) == 7500
    gas.list_price_cents = 9900  # later price change doesn't alter the captured price
    session.flush()
    assert session.get(PartUsage, usage.id).unit_price_cents == 8500
    part_usage.remove_usage(session, usage.id)
    assert stock.on_hand(session, truck.id, gas.id) == 10000
    kinds = [m.kind for m in session.exec(select(StockMove).order_by(StockMove.id))]
    assert kinds == ["receive", "consume", "return"]
    assert stock.verify(session) == []


def test_use_part_refusals_leave_nothing(session, shop):
    wh, cap, _ = stocked(session)
    order, visit = book(session, shop["o1"], ["Alice Ng"], "today 10:00")
    with pytest.raises(InvalidInput, match="only 0 ea on hand at Truck Alice Ng"):
        part_usage.use_part(session, order, cap, 1000, visit=visit)
    assert session.exec(select(func.count()).select_from(PartUsage)).one() == 0
    lifecycle.change_status(session, order, "cancelled", reason="dup")
    with pytest.raises(InvalidInput, match="cancelled"):
        part_usage.use_part(session, order, cap, 1000, visit=visit, location=wh)


def test_named_location_overrides_truck(session, shop):
    wh, cap, _ = stocked(session)
    stock.post_move(session, part=cap, qty_milli=3000, kind="receive", to_loc=wh)
    order, visit = book(session, shop["o1"], ["Alice Ng"], "today 10:00")
    part_usage.use_part(session, order, cap, 1000, visit=visit, location=wh, warranty=True)
    assert stock.on_hand(session, wh.id, cap.id) == 2000
    ((u, p, loc),) = part_usage.order_usages(session, order.id)
    assert u.warranty and loc == "Main warehouse"


def test_reorder_report_and_restock_in_one_step(session, shop):
    wh, cap, gas = stocked(session)
    alice = stock.get_location(session, "Alice Ng")
    bob = stock.get_location(session, "Bob Ruiz")
    stock.post_move(session, part=cap, qty_milli=5000, kind="receive", to_loc=wh)
    stock.post_move(session, part=gas, qty_milli=40000, kind="receive", to_loc=wh)
    restock.set_par(session, alice, cap, min_milli=2000, par_milli=4000)
    restock.set_par(session, bob, cap, min_milli=2000, par_milli=4000)
    restock.set_par(session, bob, gas, min_milli=5000, par_milli=10000)
    with pytest.raises(InvalidInput):
        restock.set_par(session, bob, gas, min_milli=5000, par_milli=1000)
    report = restock.reorder_report(session)
    assert [(r.location, r.sku) for r in report] == [
        ("warehouses", "CAP-35"),
        ("Truck Alice Ng", "CAP-35"),
        ("Truck Bob Ruiz", "CAP-35"),
        ("Truck Bob Ruiz", "R410A"),
    ]
    assert report[0].suggest_milli == 20000
    proposal = restock.restock_proposal(session, wh)
    sends = {(ln.truck, ln.sku): (ln.qty_milli, ln.short_milli) for ln in proposal}
    assert sends == {
        ("Truck Alice Ng", "CAP-35"): (4000, 0),
        ("Truck Bob Ruiz", "CAP-35"): (1000, 3000),  # warehouse only had 5
        ("Truck Bob Ruiz", "R410A"): (10000, 0),
    }
    assert restock.accept_restock(session, wh, proposal, actor="dana") == 3
    assert stock.on_hand(session, wh.id, cap.id) == 0
    assert [ln.qty_milli for ln in restock.restock_proposal(session, wh)] == [0]
    assert stock.verify(session) == []


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(qtys=st.lists(st.integers(1, 4000), min_size=1, max_size=6))
def test_use_then_remove_restores_truck(qtys):
    from svcdesk.db import make_engine, write_session
    from tests.fixtures.shop import build_shop

    engine = make_engine("sqlite://")
    ids = build_shop(engine)
    with write_session(engine) as s:
        _, _, gas = stocked(s)
        truck = stock.get_location(s, "Alice Ng")
        stock.post_move(s, part=gas, qty_milli=10000, kind="receive", to_loc=truck)
        order, visit = book(s, ids["o1"], ["Alice Ng"], "today 10:00")
        used = []
        for q in qtys:
            try:
                used.append(part_usage.use_part(s, order, gas, q, visit=visit).id)
            except InvalidInput:
                assert stock.on_hand(s, truck.id, gas.id) < q
        assert stock.on_hand(s, truck.id, gas.id) >= 0
        for uid in used:
            part_usage.remove_usage(s, uid)
        assert stock.on_hand(s, truck.id, gas.id) == 10000
        assert stock.verify(s) == []
    engine.dispose()
