"""Builders for the outbox tests: senders on, a customer's consent."""

from __future__ import annotations

from sqlmodel import Session, col, select

from svcdesk.models import Customer
from svcdesk.models.messages import Message
from svcdesk.services.common.settings import set_setting
from svcdesk.services.messages import prefs


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
