"""Worked example checked by hand (docs/billing.md): overtime labor + a warranty part +
an agreement discount + tax, and the status rules around it."""

from __future__ import annotations

import pytest

from svcdesk.errors import InvalidInput, InvalidTransition
from svcdesk.models import OrderStatus
from svcdesk.services.billing import from_order, invoices, payments
from svcdesk.services.orders import lifecycle
from tests.unit.billing import billing_helpers as h


@pytest.fixture
def order(session, shop):
    o = lifecycle.get_order(session, shop["o1"])
    h.seed_pricebook(session)
    h.set_tax(session, o, 825)
    ag = h.add_agreement(session, o.customer_id, labor_bp=1000, parts_bp=1500)
    o.agreement_id = ag.id
    # Alice works Mon-Fri 08:00-17:00: 16:00-18:00 is 1 h regular + 1 h overtime.
    h.add_time(session, o, shop["alice"], "2026-11-24 16:00", "2026-11-24 18:00")
    h.add_time(session, o, shop["alice"], "2026-11-24 15:30", "2026-11-24 16:00", kind="travel")
    h.use_part(session, o, "CAP-45", 1000, price=4000, cost=1500, warranty=True)
    h.use_part(session, o, "R410A", 2500, price=0, cost=3000)  # cost 30 -> tier 25: +75 %
    h.add_visit(session, o)
    h.complete(session, o)
    return o


def test_worked_example(session, shop, order):
    # 20 minutes nobody approved: the invoice is refused, naming the entry and the command
    entry = h.add_time(
        session, order, shop["alice"], "2026-11-24 18:00", "2026-11-24 18:20", approved=False
    )
    with pytest.raises(from_order.UnapprovedTime) as refused:
        from_order.invoice_order(session, order)
    assert str(refused.value) == (
        f"{order.number} has unapproved time: entry {entry.id}; approve it (svcdesk time "
        'approve --tech "Alice Ng" --day 2026-11-24) or invoice without it (--skip-unapproved)'
    )
    assert order.status == "completed"
    inv = from_order.invoice_order(session, order, skip_unapproved=True)  # left off the invoice
    lines = invoices.invoice_lines(session, inv.id)
    got = [
        (
            ln.kind,
            ln.code,
            ln.qty_milli,
            ln.unit_price_cents,
            ln.covered_cents,
            ln.net_cents,
            ln.tax_cents,
            ln.coverage,
        )
        for ln in lines
    ]
    assert got == [
        ("labor", "LABOR-REG", 1000, 12500, 1250, 11250, 0, "agreement"),
        ("labor", "LABOR-OT", 1000, 18750, 1875, 16875, 0, "agreement"),
        ("part", "CAP-45", 1000, 4000, 4000, 0, 0, "warranty"),
        ("part", "R410A", 2500, 5250, 1969, 11156, 920, "agreement"),
        ("fee", "TRIP", 1000, 7900, 0, 7900, 0, None),
    ]
    assert (inv.subtotal_cents, inv.covered_cents, inv.discount_cents, inv.tax_cents) == (
        56275,
        9094,
        0,
        920,
    )
    assert inv.total_cents == 48101 == sum(ln.total_cents for ln in lines)
    assert "overtime" in lines[1].source_label and lines[1].source == "time_entry"
    assert lines[3].source_label.endswith("cost + 75% markup")
    assert order.status == OrderStatus.INVOICED.value
    assert inv.number == "INV-000001"


def test_no_double_invoicing_and_void_frees_the_order(session, order):
    first = from_order.invoice_order(session, order)
    with pytest.raises(InvalidTransition, match="already invoiced on INV-000001"):
        from_order.invoice_order(session, order)
    invoices.void(session, first, "wrong customer")
    second = from_order.invoice_order(session, order)
    assert second.number == "INV-000002"  # the voided number is never reused
    assert first.status == "void" and first.void_reason == "wrong customer"


def test_issued_invoice_lines_are_frozen(session, order):
    inv = from_order.invoice_order(session, order)
    invoices.issue(session, inv)
    with pytest.raises(InvalidTransition, match="only a draft"):
        invoices.add_line(session, inv, invoices.LineDraft("Extra", 1000))
    with pytest.raises(InvalidTransition):
        invoices.remove_line(session, inv, 1)
    with pytest.raises(InvalidTransition):
        invoices.set_invoice_discount(session, inv, bp=1000)


def test_payments_partial_then_full_close_the_order(session, order):
    inv = from_order.invoice_order(session, order)
    with pytest.raises(InvalidTransition, match="send it first"):
        payments.add_payment(session, inv, 100, method="cash")
    invoices.issue(session, inv)
    assert inv.due_on.isoformat() == "2026-12-25"
    payments.add_payment(session, inv, 20000, method="check", reference="1042")
    assert inv.status == "partially_paid" and inv.paid_cents == 20000
    with pytest.raises(InvalidInput, match="overpayments are refused"):
        payments.add_payment(session, inv, 28102, method="card")
    payments.add_payment(session, inv, 28101, method="card")
    assert inv.status == "paid"
    assert order.status == OrderStatus.CLOSED.value
    with pytest.raises(InvalidTransition):
        invoices.void(session, inv, "oops")


def test_no_payment_on_void_invoice(session, order):
    inv = from_order.invoice_order(session, order)
    invoices.issue(session, inv)
    invoices.void(session, inv, "duplicate")
    with pytest.raises(InvalidTransition, match="void"):
        payments.add_payment(session, inv, 100)


def test_only_completed_orders(session, shop):
    o = lifecycle.get_order(session, shop["o3"])
    with pytest.raises(InvalidTransition, match="only completed orders"):
        from_order.invoice_order(session, o)


def test_warranty_asset_covers_all_parts_and_emergency_rate(session, shop):
    from datetime import date

    o = lifecycle.get_order(session, shop["o1"])
    h.seed_pricebook(session)
    h.set_warranty(session, o, date(2027, 6, 30))
    o.priority = "emergency"
    h.add_time(session, o, shop["alice"], "2026-11-24 10:00", "2026-11-24 10:50")
    h.use_part(session, o, "IGN-1", 1000, price=8900, cost=3000)
    h.complete(session, o)
    inv = from_order.invoice_order(session, o)
    lines = invoices.invoice_lines(session, inv.id)
    assert lines[0].code == "LABOR-EMERG" and lines[0].qty_milli == 1000  # 50 min -> 1 h
    assert lines[1].coverage == "warranty" and lines[1].net_cents == 0
    assert "until 2027-06-30" in lines[1].coverage_note


def test_tax_exempt_customer(session, order):
    from svcdesk.models import Customer

    session.get(Customer, order.customer_id).tax_exempt = True
    inv = from_order.invoice_order(session, order)
    assert inv.tax_exempt and inv.tax_cents == 0 and inv.total_cents == 48101 - 920


def test_covered_visit_on_maintenance_order(session, order):
    from svcdesk.models.agreements import Agreement

    session.get(Agreement, order.agreement_id).covered_visits = 2
    order.kind = "maintenance"
    inv = from_order.invoice_order(session, order)
    lines = invoices.invoice_lines(session, inv.id)
    labor_and_trip = [ln for ln in lines if ln.kind in ("labor", "fee")]
    assert all(ln.net_cents == 0 for ln in labor_and_trip)
    assert labor_and_trip[0].coverage_note == "covered visit 1 of 2 (AG-000901)"


def test_nothing_billable(session, shop):
    o = lifecycle.get_order(session, shop["o1"])
    h.complete(session, o)
    with pytest.raises(InvalidInput, match="nothing to bill"):
        from_order.invoice_order(session, o)


def test_covered_visits_counted_in_completion_order(session, order, shop):
    from svcdesk.models.agreements import Agreement

    session.get(Agreement, order.agreement_id).covered_visits = 1
    order.kind = "maintenance"
    later = lifecycle.get_order(session, shop["o3"])
    later.kind, later.priority, later.agreement_id = "maintenance", "normal", order.agreement_id
    h.add_time(session, later, shop["bob"], "2026-11-24 09:00", "2026-11-24 10:00")
    h.complete(session, later, "2026-11-24 19:00")  # after o1 (18:00)
    second = from_order.invoice_order(session, later)  # invoiced first, completed second
    first = from_order.invoice_order(session, order)
    assert invoices.invoice_lines(session, second.id)[0].coverage_note is None or (
        "covered visit" not in invoices.invoice_lines(session, second.id)[0].coverage_note
    )
    assert invoices.invoice_lines(session, first.id)[0].coverage_note == (
        "covered visit 1 of 1 (AG-000901)"
    )
