"""Quotes (`Q`): a quote from nothing to an order by keys only, and its refusals."""

from __future__ import annotations

from sqlmodel import select

from svcdesk.db import read_session
from svcdesk.models.billing import Quote, QuoteLine, QuoteOption
from svcdesk.models.portal import CustomerLink
from svcdesk.services.billing import quotes
from svcdesk.tui.screens.quotes import QuotesScreen
from tests.tui.helpers import press, run_app, table_keys


def _quote(engine, number="Q-000001") -> Quote:
    with read_session(engine) as s:
        return quotes.get_quote(s, number)


async def test_draft_lines_send_approve_order_and_link_by_keys(engine, shop):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "Q")
        assert isinstance(app.screen, QuotesScreen)
        assert table_keys(app, "#quotes") == []
        await press(pilot, "N", *"Jane Porter", "tab", *"Furnace options", "enter")
        assert table_keys(app, "#quotes") == ["Q-000001"]
        await press(pilot, "a", *"Repair", "tab", *"Igniter; 250.00; 1", "enter")
        await press(pilot, "a", *"Replace", "tab", *"New furnace; 3800; 1", "enter")
        doc = str(app.screen.query_one("#q-doc").render())
        assert "Option 2: Replace" in doc and "$3,800.00" in doc
        await press(pilot, "s", "enter")  # "Send Q-000001 to Jane Porter?" -> Send
        assert _quote(engine).status == "sent"
        assert any(
            "Q-000001 sent; customer: not messaged: no sender is set up" in n.message
            for n in app._notifications
        )
        await press(pilot, "L")
        await pilot.pause()
        assert any("Link for Q-000001: http" in n.message for n in app._notifications)
        await press(pilot, "A", "down", "enter")  # the second option: Replace
        q = _quote(engine)
        assert q.status == "approved"
        with read_session(engine) as s:
            assert s.get(QuoteOption, q.chosen_option_id).name == "Replace"
            assert len(s.exec(select(QuoteLine)).all()) == 2
            assert len(s.exec(select(CustomerLink)).all()) == 1
        await press(pilot, "o")
        await pilot.pause()
        assert _quote(engine).order_id is not None
        assert app.screen.__class__.__name__ == "OrderScreen"


async def test_refusals_stay_in_the_dialog_and_write_nothing(engine, shop):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "Q", "N", *"Nobody Known", "tab", *"Anything", "enter")
        assert "Nobody Known" in str(app.screen.query_one("#error").render())
        await press(pilot, "escape")
        await press(pilot, "N", *"Jane Porter", "tab", "tab", *"soon", "enter")
        assert "valid for" in str(app.screen.query_one("#error").render())
        await press(pilot, "escape")
        with read_session(engine) as s:
            assert s.exec(select(Quote)).all() == []
        await press(pilot, "N", *"Jane Porter", "tab", *"Drain", "enter")
        await press(pilot, "s", "enter")  # no lines: refused with one line
        assert _quote(engine).status == "draft"
        await press(pilot, "f")  # status: draft
        assert table_keys(app, "#quotes") == ["Q-000001"]
        await press(pilot, "f")  # sent
        assert table_keys(app, "#quotes") == []


def test_quotes_snapshot(snap_compare, engine, shop):
    """A sent two-option quote as the dispatcher sees it."""
    from tests.support.portal import sent_quote
    from tests.tui.helpers import SIZE, console_app, snapshot_before

    sent_quote(engine, shop)
    keys = snapshot_before(["Q"])

    async def run_before(pilot) -> None:
        await keys(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(console_app(engine), terminal_size=SIZE, run_before=run_before)
