"""`svcdesk serve` sends in the background: one round queues tomorrow's reminders and
sends what is due; the thread stops when asked."""

from __future__ import annotations

import threading

from svcdesk.db import write_session
from svcdesk.models import Technician
from svcdesk.services.common.settings import set_setting, shop_zone
from svcdesk.services.common.timefmt import parse_when
from svcdesk.services.messages.delivery import BackgroundSender
from svcdesk.services.orders import lifecycle, scheduling
from tests.unit.messages.helpers import consent, messages, senders_on


def test_background_round_reminds_and_sends(engine, shop, tmp_path):
    with write_session(engine) as s:
        senders_on(s)
        set_setting(s, "messages.file.dir", str(tmp_path / "out"))
        set_setting(s, "messages.on.booking", "off")
        consent(s, shop["customer"])
        order = lifecycle.get_order(s, shop["o1"])
        alice = s.get(Technician, shop["alice"])
        scheduling.book_visit(s, order, [alice], parse_when("2026-11-26 09:00", shop_zone(s)))
    lines: list[str] = []
    sender = BackgroundSender(engine, 3600, lines.append)
    assert sender.run_once().sent == 1
    with write_session(engine) as s:
        [m] = messages(s)
        assert (m.trigger, m.status) == ("reminder", "sent")
    assert len(list((tmp_path / "out").iterdir())) == 1
    sender.start()
    assert any(t.name == "svcdesk-messages" for t in threading.enumerate())
    sender.stop()
    assert not any(t.name == "svcdesk-messages" for t in threading.enumerate())
