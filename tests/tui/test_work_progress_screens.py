"""Console: the status dialog moves the order's visit with it (completing frees the
technician's slot), time approval (the technician's week: `a` a day, `A` the week), and
the invoice dialog's choice when time on the order is unapproved."""

from __future__ import annotations

from sqlmodel import select

from svcdesk.db import read_session, write_session
from svcdesk.models import Visit
from svcdesk.models.billing import InvoiceLine
from svcdesk.models.execution import TimeEntry
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import parse_when
from svcdesk.services.crm.technicians import find_technician
from svcdesk.services.orders import lifecycle, scheduling
from svcdesk.tui.order_actions import ChoiceModal
from svcdesk.tui.screens.board import BoardScreen
from svcdesk.tui.screens.invoices import InvoicesScreen
from svcdesk.tui.screens.timecards import TimeApprovalScreen
from tests.tui.helpers import press, run_app, table_keys
from tests.unit.billing import billing_helpers as h


async def test_status_dialog_completing_frees_the_slot(engine, shop):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "j", "j")  # o2: scheduled, Bob 10:00-11:00 today
        for expected in ("dispatched", "en_route", "on_site", "completed"):
            await press(pilot, "s", "enter")  # the first allowed move is the next step
            assert isinstance(app.screen, BoardScreen)
            with read_session(engine) as s:
                assert lifecycle.get_order(s, shop["o2"]).status == expected
    with read_session(engine) as s:
        order = lifecycle.get_order(s, shop["o2"])
        visit = s.exec(select(Visit).where(Visit.order_id == order.id)).one()
        assert (visit.status, visit.outcome) == ("completed", "fixed")
        zone = shop_zone(s)
        problems = scheduling.booking_problems(
            s, order, find_technician(s, "Bob Ruiz"),
            parse_when("today 10:00", zone), parse_when("today 11:00", zone),
        )  # fmt: skip
        assert problems == []


def _time(engine, shop):
    with write_session(engine) as s:
        o = lifecycle.get_order(s, shop["o1"])
        h.add_time(s, o, shop["alice"], "2026-11-24 09:00", "2026-11-24 10:30", approved=False)
        h.add_time(s, o, shop["alice"], "2026-11-25 09:00", "2026-11-25 09:21", kind="travel",
                   approved=False)  # fmt: skip


def _approved(engine):
    with read_session(engine) as s:
        return sorted(e.approved for e in s.exec(select(TimeEntry)))


async def test_time_approval_a_day_then_the_week(engine, shop):
    _time(engine, shop)
    async with run_app(engine) as (app, pilot):
        await press(pilot, "T")
        assert isinstance(app.screen, TimeApprovalScreen)
        keys = table_keys(app, "#time-cards")
        assert keys == [f"{shop['alice']}:2026-11-24", f"{shop['alice']}:2026-11-25"]
        assert "2 entries to approve" in str(app.screen.query_one("#time-head").render())
        await press(pilot, "a")  # Tuesday
        assert _approved(engine) == [False, True]
        await press(pilot, "A")  # the rest of Alice's week
        assert _approved(engine) == [True, True]
        assert "all approved" in str(app.screen.query_one("#time-head").render())


async def test_technicians_screen_opens_the_technicians_week(engine, shop):
    _time(engine, shop)
    async with run_app(engine) as (app, pilot):
        await press(pilot, "t")
        app.screen.select_technician(shop["alice"])
        await press(pilot, "y")
        assert isinstance(app.screen, TimeApprovalScreen) and app.screen.tech_id == shop["alice"]
        assert "Alice Ng" in str(app.screen.query_one("#time-head").render())


async def test_invoice_dialog_refuses_unapproved_time_then_skips_it(engine, shop):
    with write_session(engine) as s:
        h.seed_pricebook(s)
        o = lifecycle.get_order(s, shop["o1"])
        h.add_time(s, o, shop["alice"], "2026-11-24 09:00", "2026-11-24 10:30")
        h.add_time(s, o, shop["alice"], "2026-11-24 10:30", "2026-11-24 10:51", kind="travel",
                   approved=False)  # fmt: skip
        h.add_visit(s, o, "2026-11-24 09:00")
        h.complete(s, o)
    async with run_app(engine) as (app, pilot):
        await press(pilot, "i", "R")
        assert table_keys(app, "#ready") == [shop["o1"]]
        await press(pilot, "enter")
        assert isinstance(app.screen, ChoiceModal)
        assert "has unapproved time" in app.screen.title_text
        assert "time approve" in app.screen.title_text
        with read_session(engine) as s:
            assert lifecycle.get_order(s, shop["o1"]).status == "completed"  # nothing written
        await press(pilot, "enter")  # "Invoice without the unapproved time"
        assert isinstance(app.screen, InvoicesScreen)
        assert app.screen.current().number.startswith("INV-")
    with read_session(engine) as s:
        assert lifecycle.get_order(s, shop["o1"]).status == "invoiced"
        sources = [(ln.source, ln.source_id) for ln in s.exec(select(InvoiceLine))]
        assert ("time_entry", 1) in sources and ("time_entry", 2) not in sources
