"""Invoices (`i`): list + filters, ready-to-invoice queue (enter builds the invoice), the
editor (add/remove line, discount), send, payment, void, PDF; and a snapshot."""

from __future__ import annotations

import pytest

from svcdesk.db import read_session, write_session
from svcdesk.services.billing import invoices
from svcdesk.services.orders import lifecycle
from svcdesk.tui.screens.invoices import InvoicesScreen
from tests.tui.helpers import SIZE, console_app, press, run_app, snapshot_before, table_keys
from tests.unit.billing import billing_helpers as h


@pytest.fixture
def ready(engine, shop):
    """o1 completed (1.5 h approved work, one part, a visit), tax 8.25 %; o2 invoiced+sent."""
    with write_session(engine) as s:
        h.seed_pricebook(s)
        o = lifecycle.get_order(s, shop["o1"])
        h.set_tax(s, o, 825)
        h.add_time(s, o, shop["alice"], "2026-11-24 09:00", "2026-11-24 10:30")
        h.use_part(s, o, "FLT-1", 2000, price=1250, cost=500)
        h.use_part(s, o, "CAP-45", 1000, price=4000, cost=1500, warranty=True)
        h.add_visit(s, o, "2026-11-24 09:00")
        h.complete(s, o)
        o2 = lifecycle.get_order(s, shop["o2"])
        inv = invoices.create_invoice(
            s,
            customer_id=o2.customer_id,
            site_id=o2.site_id,
            lines=[invoices.LineDraft("Snake kitchen drain", 18900, kind="task")],
        )
        invoices.issue(s, inv)
    return shop


def text(app, selector) -> str:
    return str(app.screen.query_one(selector).render())


async def test_list_detail_and_filters(engine, ready):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "i")
        assert isinstance(app.screen, InvoicesScreen)
        assert table_keys(app, "#invoices") == ["INV-000001"]
        assert "Riverside Cafe" in text(app, "#inv-head")
        assert "1 orders ready to invoice" in text(app, "#inv-mode")
        await press(pilot, "f")  # draft
        assert table_keys(app, "#invoices") == []
        await press(pilot, "f")  # sent
        assert table_keys(app, "#invoices") == ["INV-000001"]
        await press(pilot, "o")  # overdue only: due in 30 days, so none
        assert table_keys(app, "#invoices") == []
        await press(pilot, "o", "slash", *"zzz")
        assert table_keys(app, "#invoices") == []


async def test_ready_queue_enter_builds_invoice_then_edit_send_pay(engine, ready):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "i", "R")
        assert table_keys(app, "#ready") == [ready["o1"]]
        await press(pilot, "enter")
        assert app.screen.current().number == "INV-000002"
        assert table_keys(app, "#inv-lines") == ["1", "2", "3", "4"]
        assert "from time entry 1: Alice Ng" in text(app, "#inv-line")
        await press(pilot, "enter", "j", "j")
        assert "warranty: warranty part (recorded on the visit) -$40.00" in text(app, "#inv-line")
        await press(pilot, "a", *"DISPOSAL", "enter")
        assert table_keys(app, "#inv-lines") == ["1", "2", "3", "4", "5"]
        await press(pilot, "j", "j", "j", "d")  # remove line 5 again
        assert table_keys(app, "#inv-lines") == ["1", "2", "3", "4"]
        await press(pilot, "escape", "percent_sign", *"10%", "enter")
        with read_session(engine) as s:
            inv = invoices.get_invoice(s, "INV-000002")
            assert inv.discount_bp == 1000 and inv.status == "draft"
            total = inv.total_cents
        await press(pilot, "s")
        assert "Send 1 invoice: INV-000002" in text(app, "#confirm-question")
        await press(pilot, "y")
        assert app.screen.current().status == "sent"
        assert any(
            "INV-000002 sent; customer: not messaged: no sender is set up" in n.message
            for n in app._notifications
        )
        await press(pilot, "a")  # refused on a sent invoice: no dialog opens
        assert isinstance(app.screen, InvoicesScreen)
        await press(pilot, "p")
        amount = app.screen.query_one("#amount")
        assert amount.value == f"{total / 100:.2f}"
        amount.value = "10.00"
        await press(pilot, "enter")
        assert isinstance(app.screen, InvoicesScreen)
        assert app.screen.current().status == "partially_paid"
        await press(pilot, "p")
        app.screen.query_one("#amount").value = "99999"
        await press(pilot, "enter")
        assert "overpayments are refused" in str(app.screen.query_one("#error").render())
        await press(pilot, "escape")
        with read_session(engine) as s:
            assert lifecycle.get_order(s, ready["o1"]).status == "invoiced"


async def test_void_needs_reason_and_pdf(engine, ready, db_path):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "i", "e")
        pdf = db_path.parent / "svcdesk-files" / "documents" / "INV-000001.pdf"
        assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
        await press(pilot, "v", "enter")
        assert "reason is required" in str(app.screen.query_one("#error").render())
        await press(pilot, *"typo", "enter")
        assert app.screen.current().status == "void"
        assert "Void: typo" in text(app, "#inv-head")


def test_invoices_snapshot(snap_compare, engine, ready):
    """The draft just built from the ready queue, its lines' sources and coverage."""
    keys = snapshot_before(["i", "R", "enter", "enter", "j", "j"])

    async def run_before(pilot) -> None:
        await keys(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(console_app(engine), terminal_size=SIZE, run_before=run_before)


async def test_ready_queue_invoice_all(engine, ready):
    with write_session(engine) as s:  # o3 completed with nothing to bill: stays in the queue
        h.complete(s, lifecycle.get_order(s, ready["o3"]))
    async with run_app(engine) as (app, pilot):
        await press(pilot, "i")
        assert not app.screen.check_action("invoice_all", ())  # list mode: hidden
        await press(pilot, "R")
        assert table_keys(app, "#ready") == [ready["o1"], ready["o3"]]  # same time: by id
        assert "I invoices them all" in text(app, "#inv-mode")
        await press(pilot, "I")
        assert text(app, "#confirm-question") == "Draft invoices for 2 ready orders?"
        await press(pilot, "y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not app.screen.ready_mode and app.screen.current().number == "INV-000002"
        notes = [n.message for n in app._notifications]
        assert (
            f"1 invoices drafted (INV-000002..INV-000002); nothing to bill on {ready['o3']}"
            in notes
        )
        assert "1 orders ready to invoice" in text(app, "#inv-mode")
    with read_session(engine) as s:
        assert lifecycle.get_order(s, ready["o1"]).status == "invoiced"


async def test_customer_link_for_the_selected_invoice(engine, ready):
    from sqlmodel import select

    from svcdesk.models.portal import CustomerLink

    async with run_app(engine) as (app, pilot):
        await press(pilot, "i", "L")
        await pilot.pause()
        shown = [n.message for n in app._notifications]
        assert any("Link for INV-000001: http" in m and "/c/" in m for m in shown), shown
    with read_session(engine) as s:
        (link,) = s.exec(select(CustomerLink)).all()
        assert link.kind == "invoice" and link.created_by == app.actor
