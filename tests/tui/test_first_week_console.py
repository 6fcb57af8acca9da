"""Issue 14 in the console: the week's core driven with keys only (Pilot)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from svcdesk import clock
from svcdesk.db import read_session, write_session
from svcdesk.models import Visit, VisitTechnician, WorkOrder
from svcdesk.models.billing import InvoiceLine, Payment
from svcdesk.models.execution import TimeEntry
from svcdesk.services.billing import invoices, pricebook_csv
from svcdesk.services.orders import lifecycle
from svcdesk.tui.order_actions import AssignModal, StatusModal
from svcdesk.tui.screens.invoices import InvoicesScreen
from svcdesk.tui.screens.order import OrderScreen
from svcdesk.tui.screens.timecards import TimeApprovalScreen
from tests.conftest import FROZEN_NOW
from tests.tui.helpers import press, run_app, table_keys
from tests.unit.billing import billing_helpers as h

PRICEBOOK = (
    "type,code,name,price,kind,taxable\n"
    "labor,LABOR-REG,Labor,120.00,regular,no\n"
    "fee,TRIP,Trip charge,79.00,,yes\n"
)


def at(minutes: float) -> None:
    clock.freeze(FROZEN_NOW + timedelta(minutes=minutes))


async def test_first_week_by_keys(engine, shop):
    with write_session(engine) as s:
        pricebook_csv.import_pricebook(s, "pricebook.csv", PRICEBOOK)
        h.set_tax(s, lifecycle.get_order(s, shop["o1"]), 825)
    async with run_app(engine) as (app, pilot):
        await press(pilot, "n", *"555-0101", "enter", "enter")
        form = app.screen
        assert form.customer_id == shop["customer"]
        # picking a customer leaves nothing focused today (notes/pilot.md): tab on to
        # the priority field, whatever the starting point
        for _ in range(8):
            if app.focused is not None and app.focused.id == "priority":
                break
            await press(pilot, "tab")
        assert app.focused.id == "priority"
        await press(pilot, "enter", "up", "enter")  # normal -> high
        assert form.query_one("#priority").value == "high"
        await press(pilot, "tab", "enter", "down", "down", "enter")  # (any) -> hvac
        assert form.query_one("#skill").value == "hvac"
        await press(pilot, "tab", "tab", "tab", "backspace", "backspace", *"90")
        await press(pilot, "tab", *"No heat, furnace clicks", "ctrl+s")
        assert isinstance(app.screen, OrderScreen)
        number = app.screen.number
        with read_session(engine) as s:
            new = s.exec(select(WorkOrder).where(WorkOrder.number == number)).one()
            assert (new.customer_id, new.site_id, new.priority, new.est_minutes) == (
                shop["customer"], shop["site"], "high", 90,
            )  # fmt: skip
            assert new.skill_id is not None
            assert (new.summary, new.status) == ("No heat, furnace clicks", "new")

        # ---- book: assign dialog ---------------------------------------------------------
        await press(pilot, "a")
        dlg = app.screen
        assert isinstance(dlg, AssignModal) and app.focused.id == "tech"
        await press(pilot, "enter", "down", "enter")  # (none) -> Alice Ng
        assert dlg.query_one("#tech").value == shop["alice"]
        await press(pilot, "tab", "end", *["backspace"] * 20, *"2026-11-25 08:20", "ctrl+s")
        assert isinstance(app.screen, OrderScreen)
        with read_session(engine) as s:
            o = lifecycle.get_order(s, number)
            visit = s.exec(select(Visit).where(Visit.order_id == o.id)).one()
            crew = s.exec(select(VisitTechnician).where(VisitTechnician.visit_id == visit.id))
            assert [c.technician_id for c in crew] == [shop["alice"]]
            assert (o.status, visit.status) == ("scheduled", "scheduled")
            assert (visit.starts_at.hour, visit.starts_at.minute) == (14, 20)  # 08:20 Austin
            assert visit.ends_at - visit.starts_at == timedelta(minutes=90)

        # ---- progress: status dialog (first offered move = next step), clock moving ------
        steps = ((5, "dispatched"), (5, "en_route"), (25, "on_site"), (100, "completed"))
        for minutes, expected in steps:
            at(minutes)  # 08:05 dispatched and rolling, 08:25 on site, 09:40 done
            await press(pilot, "s")
            assert isinstance(app.screen, StatusModal)
            await press(pilot, "enter")
            assert isinstance(app.screen, OrderScreen)
            with read_session(engine) as s:
                assert lifecycle.get_order(s, number).status == expected
        with read_session(engine) as s:
            visit = s.exec(select(Visit).where(Visit.id == visit.id)).one()
            assert visit.status == "completed"
            entries = [
                (e.kind, e.approved) for e in s.exec(select(TimeEntry).order_by(TimeEntry.id))
            ]
            assert entries == [("travel", False), ("work", False)]

        # ---- approve the time: T, a (Alice's Wednesday) ----------------------------------
        at(480)  # 16:00
        await press(pilot, "T")
        assert isinstance(app.screen, TimeApprovalScreen)
        assert table_keys(app, "#time-cards") == [f"{shop['alice']}:2026-11-25"]
        await press(pilot, "a")
        with read_session(engine) as s:
            assert all(e.approved for e in s.exec(select(TimeEntry)))

        # ---- invoice: i, w (ready queue), enter ---------------------------------------
        await press(pilot, "i", "R")
        assert table_keys(app, "#ready") == [number]
        await press(pilot, "enter")
        inv_no = app.screen.current().number
        with read_session(engine) as s:
            inv = invoices.get_invoice(s, inv_no)
            lines = s.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == inv.id))
            got = [(ln.code, ln.qty_milli, ln.net_cents, ln.tax_cents) for ln in lines]
            # By hand: work 08:25-09:40 = 75 min = 1.25 h x $120.00 = $150.00 (labor not
            # taxable); trip charge $79.00 (taxable) x 8.25 % = 6.5175 -> $6.52 (half-up).
            # Subtotal $229.00, total $235.52. Travel 08:05-08:25 is not billed.
            assert got == [("LABOR-REG", 1250, 15000, 0), ("TRIP", 1000, 7900, 652)]
            assert (inv.subtotal_cents, inv.tax_cents, inv.total_cents) == (22900, 652, 23552)
            assert (inv.status, lifecycle.get_order(s, number).status) == ("draft", "invoiced")

        # ---- send (asked first), then a partial payment by card, picked from a list -------
        await press(pilot, "s")
        assert "Send 1 invoice" in str(app.screen.query_one("#confirm-question").render())
        await press(pilot, "y")
        assert app.screen.current().status == "sent"
        await press(pilot, "p")
        assert app.screen.query_one("#amount").value == "235.52"
        await press(
            pilot,
            "end",
            *["backspace"] * 10,
            *"100.00",
            "tab",
            "enter",  # the method list: check is chosen; one down is card
            "down",
            "enter",
            "tab",
            "enter",
        )
        assert isinstance(app.screen, InvoicesScreen)
        with read_session(engine) as s:
            inv = invoices.get_invoice(s, inv_no)
            assert (inv.status, inv.paid_cents, inv.total_cents - inv.paid_cents) == (
                "partially_paid", 10000, 13552,
            )  # fmt: skip
            pays = s.exec(select(Payment).where(Payment.invoice_id == inv.id))
            assert [(p.amount_cents, p.method) for p in pays] == [(10000, "card")]
