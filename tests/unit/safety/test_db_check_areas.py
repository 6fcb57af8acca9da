"""`db check` finds an invoice whose lines don't add up and a stock balance off its ledger."""

from __future__ import annotations

from datetime import date

from svcdesk.db import read_session, write_session
from svcdesk.models import Customer
from svcdesk.models.billing import Invoice, InvoiceLine, Payment
from svcdesk.models.inventory import Part, StockBalance, StockLocation, StockMove
from svcdesk.services.common.integrity import run_checks


def _problems(engine) -> dict[str, list[str]]:
    with read_session(engine) as s:
        return {r.name: r.problems for r in run_checks(s)}


def test_invoice_and_stock_invariants(engine, shop):
    with write_session(engine) as s:
        inv = Invoice(
            number="INV-000001",
            customer_id=shop["customer"],
            subtotal_cents=10000,
            tax_cents=825,
            total_cents=10825,
            paid_cents=5000,
        )
        s.add(inv)
        s.flush()
        s.add(
            InvoiceLine(
                invoice_id=inv.id,
                position=1,
                description="Tune-up",
                unit_price_cents=10000,
                gross_cents=10000,
                net_cents=10000,
                tax_cents=825,
                total_cents=10825,
            )
        )
        s.add(Payment(invoice_id=inv.id, amount_cents=5000, received_on=date(2026, 11, 25)))
        part = Part(sku="FLT-1", name="Filter")
        loc = StockLocation(name="Main warehouse")
        s.add_all([part, loc])
        s.flush()
        s.add(StockMove(part_id=part.id, to_location_id=loc.id, qty_milli=5000, kind="receive"))
        s.add(StockBalance(location_id=loc.id, part_id=part.id, on_hand_milli=5000))
    problems = _problems(engine)
    assert problems["invoice totals"] == [] and problems["invoice payments"] == []
    assert problems["stock ledger"] == []
    with write_session(engine) as s:
        s.get(Invoice, 1).total_cents = 10900
        s.get(Invoice, 1).paid_cents = 11000
        s.get(StockBalance, 1).on_hand_milli = 4000
        assert s.get(Customer, shop["customer"])
    problems = _problems(engine)
    assert problems["invoice totals"] == [
        "INV-000001: header subtotal/tax/total 10000/825/10900 but lines add to 10000/825/10825 (cents)"
    ]
    assert (
        "INV-000001: paid 11000 is more than the total 10900 (cents)"
        in problems["invoice payments"]
    )
    assert problems["stock ledger"] == [
        "location 1 part 1: balance 4000 but ledger 5000 (thousandths)"
    ]
