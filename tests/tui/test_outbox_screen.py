"""Console: the Outbox screen (`M`): filter, view, retry, cancel, send now; snapshot."""

from __future__ import annotations

from sqlmodel import select

from svcdesk.db import read_session, write_session
from svcdesk.models import Technician
from svcdesk.models.messages import Message, MessagePreference
from svcdesk.services.common.settings import set_setting, shop_zone
from svcdesk.services.common.timefmt import parse_when
from svcdesk.services.orders import lifecycle, scheduling
from svcdesk.tui.order_actions import ChoiceModal
from svcdesk.tui.screens.outbox import MessageView, OutboxScreen
from tests.tui.helpers import SIZE, console_app, press, run_app, snapshot_before, table_keys
from tests.unit.messages.helpers import consent, senders_on


def _queue_two(engine, shop, tmp_path) -> None:
    with write_session(engine) as s:
        senders_on(s)
        set_setting(s, "messages.file.dir", str(tmp_path / "out"))
        consent(s, shop["customer"])
        alice = s.get(Technician, shop["alice"])
        for number, when in (("o1", "2026-11-26 09:00"), ("o3", "2026-11-27 13:00")):
            order = lifecycle.get_order(s, shop[number])
            scheduling.book_visit(s, order, [alice], parse_when(when, shop_zone(s)), 60)


def _statuses(engine) -> list[str]:
    with read_session(engine) as s:
        return [m.status for m in s.exec(select(Message).order_by(Message.id))]


async def test_outbox_view_cancel_retry_send(engine, shop, tmp_path):
    _queue_two(engine, shop, tmp_path)
    async with run_app(engine) as (app, pilot):
        await press(pilot, "O")
        assert isinstance(app.screen, OutboxScreen)
        assert table_keys(app, "#outbox") == ["2", "1"]
        head = str(app.screen.query_one("#outbox-head").render())
        assert "2 messages (all) · 2 queued · 0 failed" in head
        await press(pilot, "v")
        assert isinstance(app.screen, MessageView)
        text = str(app.screen.query_one("#msg-text").render())
        assert "booking confirmation by e-mail to Jane Porter <jane@example.com>" in text
        assert "Friday, November 27, arriving between 1:00 PM and 2:00 PM" in text
        await press(pilot, "escape")
        await press(pilot, "x")  # cancel message 2
        assert _statuses(engine) == ["queued", "cancelled"]
        await press(pilot, "s")  # send what is due: message 1
        assert _statuses(engine) == ["sent", "cancelled"]
        assert len(list((tmp_path / "out").iterdir())) == 1
        await press(pilot, "R")  # retry the cancelled one
        assert _statuses(engine) == ["sent", "queued"]
        await press(pilot, "f", "f")  # queued, then sent
        assert table_keys(app, "#outbox") == ["1"]
        await press(pilot, "x")  # a sent message cannot be cancelled: one line, nothing written
        assert _statuses(engine) == ["sent", "queued"]
        await press(pilot, "f", "f", "f", "f")  # back to all
        await press(pilot, "p")
        assert isinstance(app.screen, ChoiceModal)
        await press(pilot, "down", "down", "down", "enter")  # opted out of texts
        assert isinstance(app.screen, OutboxScreen)
        await press(pilot, "p", "down", "down", "enter")  # no consent
    with read_session(engine) as s:
        pref = s.exec(select(MessagePreference)).one()
        assert (pref.consent, pref.sms_opt_out) == (False, True)


def test_outbox_snapshot(engine, shop, tmp_path, snap_compare):
    _queue_two(engine, shop, tmp_path)
    with write_session(engine) as s:
        m = s.get(Message, 1)
        m.status, m.attempts, m.last_error = "failed", 5, "smtp: 554 not today"
    assert snap_compare(console_app(engine), terminal_size=SIZE, run_before=snapshot_before(("O",)))


async def test_order_screen_lists_its_messages(engine, shop, tmp_path):
    _queue_two(engine, shop, tmp_path)
    async with run_app(engine) as (app, pilot):
        app.open_order(shop["o1"])
        await press(pilot, "7")
        table = app.screen.query_one("#messages-table")
        assert [r.key.value for r in table.ordered_rows] == ["1"]
        cells = " ".join(str(c) for c in table.get_row("1"))
        assert "queued booking confirmation e-mail jane@example.com" in cells
        assert "Your appointment on Thursday, November 26" in cells
