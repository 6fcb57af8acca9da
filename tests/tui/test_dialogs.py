"""Dialogs through a busy morning (issue 18): `!` books anyway from any field, booking
past the SLA warns, the technician picker shows skills and load, confirmations with the
count, typed text kept through a conflict, focus where the next keystroke belongs."""

from __future__ import annotations

from sqlmodel import select

from svcdesk.db import read_session
from svcdesk.models import Visit
from svcdesk.services.orders import lifecycle
from svcdesk.tui.order_actions import AssignModal
from tests.tui.helpers import press, run_app, settle


def _focus_row(app, number: str) -> None:
    table = app.screen.query_one("#orders")
    table.move_cursor(row=table.get_row_index(number))


async def test_assign_dialog_picker_sla_warning_and_bang_from_the_start_field(engine, shop):
    async with run_app(engine) as (app, pilot):
        _focus_row(app, shop["o3"])  # the emergency: SLA due in a few hours
        await press(pilot, "A")
        dlg = app.screen
        assert isinstance(dlg, AssignModal)
        labels = [str(prompt) for prompt, _ in dlg.ctx.techs]
        assert any("electrical" in label and "booked" in label for label in labels), labels
        start = dlg.query_one("#start")
        start.focus()
        start.value = "tomorrow 13:00"
        await settle(pilot)
        warning = str(dlg.query_one("#sla-warning").render())
        assert "after the SLA response due" in warning
        start.value = "today 09:00"
        await settle(pilot)
        assert str(dlg.query_one("#sla-warning").render()) == ""
        start.value = "tomorrow 13:00"
        dlg.query_one("#tech").value = shop["alice"]
        await press(pilot, "exclamation_mark")  # typed in the start field: books anyway
        assert start.value == "tomorrow 13:00"
        assert not isinstance(app.screen, AssignModal), str(dlg.query_one("#error").render())
    with read_session(engine) as s:
        order = lifecycle.get_order(s, shop["o3"])
        assert s.exec(select(Visit).where(Visit.order_id == order.id)).first() is not None


async def test_hold_reason_is_kept_through_a_colleagues_change(engine, shop):
    from svcdesk.db import write_session
    from svcdesk.services.orders import notes
    from svcdesk.tui.order_actions import TextModal

    async with run_app(engine) as (app, pilot):
        _focus_row(app, shop["o1"])
        await press(pilot, "h")
        dlg = app.screen
        assert isinstance(dlg, TextModal)
        await press(pilot, *"waiting on part")
        with write_session(engine) as s:  # a colleague adds a note meanwhile
            notes.add_note(s, lifecycle.get_order(s, shop["o1"]), "called back", author="sam")
        await press(pilot, "enter")
        assert app.screen is dlg  # not closed: the text is still there
        assert dlg.query_one("#text").value == "waiting on part"
        assert "What you typed is kept" in str(dlg.query_one("#error").render())
        await press(pilot, "enter")
        assert app.screen is not dlg
    with read_session(engine) as s:
        order = lifecycle.get_order(s, shop["o1"])
        assert (order.status, order.hold_reason) == ("on_hold", "waiting on part")


async def test_suggestions_dialog_fits_its_content_and_the_terminal(engine, shop):
    for width, height in ((100, 30), (200, 55)):
        async with run_app(engine, size=(width, height)) as (app, pilot):
            await press(pilot, "a")
            dialog = app.screen.query_one(".dispatch-dialog").region
            table = app.screen.query_one("#suggestions")
            assert dialog.x >= 0 and dialog.right <= width  # nothing cut at the right
            assert table.virtual_size.width <= table.region.width  # the Why column whole
            assert dialog.height <= 3 + 2 + table.region.height + 6  # no blank lines
