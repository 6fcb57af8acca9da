"""Customers' say over messages: consent (none = nothing is queued), the preferred channel
and opt-outs per channel (an SMS "STOP", recorded with `messages opt-out`). Every change
is written to the customer's history with its actor; an opt-out also cancels what is
still queued on that channel."""

from __future__ import annotations

from sqlmodel import Session, col, select, update

from svcdesk.clock import now
from svcdesk.models import Customer
from svcdesk.models.messages import Message, MessagePreference
from svcdesk.services.common.events import record_change
from svcdesk.services.crm.customers import record_event
from svcdesk.services.messages.templates import check_channel


def preference(session: Session, customer_id: int) -> MessagePreference | None:
    return session.exec(
        select(MessagePreference).where(MessagePreference.customer_id == customer_id)
    ).first()


def preferences(session: Session, customer_ids: set[int]) -> dict[int, MessagePreference]:
    if not customer_ids:
        return {}
    rows = session.exec(
        select(MessagePreference).where(col(MessagePreference.customer_id).in_(customer_ids))
    )
    return {p.customer_id: p for p in rows}


def _row(session: Session, customer: Customer) -> MessagePreference:
    return preference(session, customer.id) or MessagePreference(customer_id=customer.id)


def describe(pref: MessagePreference | None) -> str:
    """In words: 'no consent' / 'e-mail preferred; opted out of text messages'."""
    if pref is None or not pref.consent:
        return "no consent to messages"
    text = ("e-mail" if pref.channel == "email" else "text messages") + " preferred"
    outs = [w for w, on in (("e-mail", pref.email_opt_out), ("text messages", pref.sms_opt_out))
            if on]  # fmt: skip
    return text + (f"; opted out of {' and '.join(outs)}" if outs else "")


def set_preferences(
    session: Session,
    customer: Customer,
    *,
    consent: bool | None = None,
    channel: str | None = None,
    actor: str = "dispatcher",
) -> MessagePreference:
    pref = _row(session, customer)
    before = _words(pref)
    if consent is not None:
        pref.consent = consent
    if channel is not None:
        pref.channel = check_channel(channel)
    return _save(session, customer, pref, actor, before)


def _words(pref: MessagePreference) -> dict | None:
    """A preference's audited fields, in words (None before the first one is saved)."""
    if pref.id is None:
        return None
    return {"consent": bool(pref.consent), "channel": "e-mail" if pref.channel == "email"
            else "text messages", "e-mail opted out": bool(pref.email_opt_out),
            "text messages opted out": bool(pref.sms_opt_out)}  # fmt: skip


def _save(session: Session, customer: Customer, pref: MessagePreference, actor: str,
          before: dict | None):  # fmt: skip
    pref.updated_at, pref.updated_by = now(), actor
    session.add(pref)
    record_event(session, customer.id, "messages", describe(pref), actor=actor)
    session.flush()
    after = _words(pref)
    if after != before:
        record_change(session, "message_preference", customer.id,
                      "edited" if before else "created", actor=actor, before=before,
                      after=after)  # fmt: skip
    return pref


def opt_out(
    session: Session, customer: Customer, channel: str, *, actor: str = "dispatcher"
) -> int:
    """Stop messages on `channel` (the customer's STOP); returns how many queued messages
    were cancelled."""
    channel = check_channel(channel)
    pref = _row(session, customer)
    before = _words(pref)
    setattr(pref, f"{channel}_opt_out", True)
    _save(session, customer, pref, actor, before)
    result = session.execute(
        update(Message)
        .where(
            col(Message.customer_id) == customer.id,
            col(Message.channel) == channel,
            col(Message.status) == "queued",
        )
        .values(status="cancelled", last_error=f"opted out by {actor}")
    )
    return int(getattr(result, "rowcount", 0) or 0)


def opt_in(
    session: Session, customer: Customer, channel: str, *, actor: str = "dispatcher"
) -> MessagePreference:
    channel = check_channel(channel)
    pref = _row(session, customer)
    before = _words(pref)
    setattr(pref, f"{channel}_opt_out", False)
    return _save(session, customer, pref, actor, before)


def allows(pref: MessagePreference | None, channel: str) -> bool:
    return bool(pref and pref.consent and not getattr(pref, f"{channel}_opt_out"))
