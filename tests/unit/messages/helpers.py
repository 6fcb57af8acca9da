"""Builders for the outbox tests: senders on, a customer's consent, an invoice for the
shop's first order, and a `messages send` that is killed between sending and marking."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import timedelta

from sqlmodel import Session, col, select

from svcdesk import clock
from svcdesk.db import read_session
from svcdesk.models import Customer
from svcdesk.models.messages import Message
from svcdesk.services.billing import from_order
from svcdesk.services.common.settings import set_setting
from svcdesk.services.messages import delivery, prefs
from svcdesk.services.orders import lifecycle
from tests.conftest import FROZEN_NOW
from tests.unit.billing import billing_helpers as h


def senders_on(session: Session, email: str = "file", sms: str = "file") -> None:
    set_setting(session, "messages.email.sender", email)
    set_setting(session, "messages.sms.sender", sms)


def consent(session: Session, customer_id: int, channel: str = "email") -> Customer:
    customer = session.get(Customer, customer_id)
    assert customer is not None
    prefs.set_preferences(session, customer, consent=True, channel=channel, actor="test")
    return customer


def messages(session: Session, trigger: str | None = None) -> list[Message]:
    query = select(Message).order_by(col(Message.id))
    if trigger:
        query = query.where(Message.trigger == trigger)
    return list(session.exec(query))


def draft_invoice(session: Session, shop):
    """The shop's first order, worked and completed, invoiced (a draft)."""
    h.seed_pricebook(session)
    o = lifecycle.get_order(session, shop["o1"])
    h.add_time(session, o, shop["alice"], "2026-11-24 09:00", "2026-11-24 10:30")
    h.add_visit(session, o, "2026-11-24 09:00")
    h.complete(session, o)
    return from_order.invoice_order(session, o, actor="ann")


_CRASH = textwrap.dedent(
    """
    import os, signal, sys
    from svcdesk.db import make_engine
    from svcdesk.services.messages import delivery

    def crash(ids):
        os.kill(os.getpid(), signal.SIGKILL)

    delivery.send_due(make_engine(sys.argv[1]), after_send=crash)
    """
)


def send_then_kill_9(db_path) -> int:
    """`messages send` in its own process, killed (SIGKILL) after the batch went out and
    before it is marked; returns the exit code (-9)."""
    env = dict(os.environ, SVCDESK_NOW=FROZEN_NOW.isoformat())
    proc = subprocess.run([sys.executable, "-c", _CRASH, str(db_path)], env=env,
                          cwd=os.getcwd(), timeout=120)  # fmt: skip
    return proc.returncode


def send_at_each_retry(engine, tries: int = 4, message_id: int = 1) -> list[timedelta]:
    """Run `messages send` when the message is next due, `tries` times; how long after
    the first try each run was."""
    waits = []
    for _ in range(tries):
        with read_session(engine) as s:
            message = s.get(Message, message_id)
            assert message is not None and message.next_try_at is not None
            at = message.next_try_at
        waits.append(at - FROZEN_NOW)
        with clock.at(at):
            delivery.send_due(engine)
    return waits
