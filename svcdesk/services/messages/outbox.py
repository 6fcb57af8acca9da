"""The outbox: queueing (in the transaction of the event that causes the message),
listing, retrying and cancelling.

Whether a message is queued at all: the trigger is on (`messages.on.<trigger>`), the
customer consented, the channel has a sender (`messages.<channel>.sender` not off), the
customer did not opt out of it and has an address on it. The customer's preferred channel
is tried first, then the other one. `idem_key` = event + channel + recipient: queueing the
same event again adds nothing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlmodel import Session, col, func, select

from svcdesk.clock import now
from svcdesk.errors import InvalidInput, InvalidTransition, NotFound
from svcdesk.models import Customer
from svcdesk.models.base import table_of
from svcdesk.models.messages import Message, MessageAttachment
from svcdesk.services.common.settings import get_setting, shop_zone
from svcdesk.services.common.words import status_words
from svcdesk.services.messages import prefs
from svcdesk.services.messages.templates import Compiled, channels_of, compiled

STATUSES = ("queued", "sending", "sent", "failed", "cancelled")
# Not sent in the shop's quiet hours (messages.quiet_hours): held until they end.
QUIET_TRIGGERS = ("reminder", "review")
Attachments = Callable[[], list[tuple[str, str, bytes]]]  # -> (filename, mime, data)
# Values made only when the message is really queued (a customer link: docs/messages.md)
LateValues = Callable[[], dict]


@dataclass(frozen=True)
class Addressee:
    """The customer fields a message needs (a batch reads these, not whole customers)."""

    id: int
    name: str
    email: str | None
    phone: str | None


@dataclass
class Item:
    """One event that may become a message."""

    customer: Customer | Addressee
    values: dict
    event_key: str  # e.g. "booking:visit:12:2026-12-04T15:00"
    refs: dict = field(default_factory=dict)  # order_id, visit_id, quote_id, invoice_id
    attachments: Attachments | None = None
    not_before: datetime | None = None
    late_values: LateValues | None = None  # called once, in the same transaction


def parse_quiet_hours(text: str | None) -> tuple[time, time] | None:
    """'21:00-08:00' -> (21:00, 08:00) (across midnight when the end is earlier); '' -> None."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        start, end = (time.fromisoformat(p.strip()) for p in text.split("-"))
    except ValueError:
        raise InvalidInput(f"messages.quiet_hours: {text!r} is not a start and end time") from None
    if start == end:
        raise InvalidInput("messages.quiet_hours: the start and end are the same")
    return start, end


def quiet_until(at: datetime, zone: ZoneInfo, quiet: tuple[time, time] | None) -> datetime | None:
    """When the quiet hours around `at` end (UTC), or None when `at` is not in them."""
    if quiet is None:
        return None
    start, end = quiet
    here = at.astimezone(zone)
    t = here.time()
    inside = (start <= t < end) if start < end else (t >= start or t < end)
    if not inside:
        return None
    day = here.date() if t < end else here.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=zone).astimezone(at.tzinfo)


def shop_quiet(session: Session) -> tuple[time, time] | None:
    return parse_quiet_hours(get_setting(session, "messages.quiet_hours"))


def trigger_on(session: Session, trigger: str) -> bool:
    return get_setting(session, f"messages.on.{trigger}") == "on"


def sender_of(session: Session, channel: str) -> str:
    return get_setting(session, f"messages.{channel}.sender") or "off"


def address(customer: Customer | Addressee, channel: str) -> str | None:
    return customer.email if channel == "email" else customer.phone


def queue(session: Session, trigger: str, item: Item, *, actor: str = "system") -> int:
    return queue_many(session, trigger, [item], actor=actor)


def queue_many(
    session: Session, trigger: str, items: Sequence[Item], *, actor: str = "system"
) -> int:
    """Queue the messages of many events of one trigger (a day's reminders in one go):
    preferences, templates and existing keys are read once, rows inserted with multi-row
    INSERTs (10,000 reminders: no ORM objects kept). Returns how many were queued."""
    if not items or not trigger_on(session, trigger):
        return 0
    senders = {c: sender_of(session, c) for c in channels_of(trigger)}
    usable = [c for c, s in senders.items() if s != "off"]
    if not usable:
        return 0
    pref_of = prefs.preferences(session, {i.customer.id for i in items})
    templates: dict[str, Compiled] = {}
    zone = shop_zone(session)
    quiet = shop_quiet(session) if trigger in QUIET_TRIGGERS else None
    at = now()
    planned: list[tuple[Item, str, str, str]] = []  # item, channel, recipient, key
    for item in items:
        pref = pref_of.get(item.customer.id)
        order = [pref.channel] if pref and pref.channel in usable else []
        order += [c for c in usable if c not in order]
        for channel in order:
            to = address(item.customer, channel)
            if to and prefs.allows(pref, channel):
                planned.append((item, channel, to, f"{item.event_key}:{channel}:{to}"))
                break
    if not planned:
        return 0
    keys = [p[3] for p in planned]
    existing: set[str] = set()
    for start in range(0, len(keys), 900):
        existing.update(
            session.exec(select(Message.idem_key).where(col(Message.idem_key).in_(keys[start:start + 900])))
        )  # fmt: skip
    rows: list[dict] = []
    with_files: dict[str, Attachments] = {}
    for item, channel, to, key in planned:
        if key in existing:
            continue
        existing.add(key)
        if channel not in templates:
            templates[channel] = compiled(session, trigger, channel)
        values = item.values | item.late_values() if item.late_values else item.values
        subject, body = templates[channel].render(values)
        when = max(at, item.not_before or at)
        when = quiet_until(when, zone, quiet) or when
        rows.append(
            _EMPTY_REFS | item.refs | {
                "actor": actor, "customer_id": item.customer.id, "trigger": trigger,
                "channel": channel, "recipient": to, "subject": subject, "body": body,
                "status": "queued", "attempts": 0, "next_try_at": when, "idem_key": key,
                "created_at": at,
            }
        )  # fmt: skip
        if item.attachments is not None and channel == "email":
            with_files[key] = item.attachments
    for start in range(0, len(rows), 1000):
        session.execute(insert(table_of(Message)), rows[start : start + 1000])
    if with_files:
        ids = session.exec(
            select(Message.idem_key, Message.id).where(col(Message.idem_key).in_(list(with_files)))
        )
        for key, message_id in ids:
            for filename, mime, data in with_files[key]():
                session.add(
                    MessageAttachment(
                        message_id=message_id, filename=filename, mime=mime, data=data
                    )
                )
        session.flush()
    return len(rows)


def delivery_words(session: Session, trigger: str, customer_id: int, **refs: int) -> str:
    """What became of the customer message an event may queue, in one line for the office:
    'e-mail to jane@example.com queued (svcdesk messages send delivers it)', or why none
    was ('not messaged: the e-mail and text senders are off (settings
    messages.email.sender)'). `refs` names the record (invoice_id=..., quote_id=...)."""
    query = select(Message).where(Message.trigger == trigger)
    for name, value in refs.items():
        query = query.where(getattr(Message, name) == value)
    sent = session.exec(query.order_by(col(Message.id).desc())).first()
    if sent is not None:
        how = "e-mail" if sent.channel == "email" else "text"
        state = (
            "queued (svcdesk messages send delivers it)"
            if sent.status == "queued"
            else (status_words(sent.status))
        )
        return f"{how} to {sent.recipient} {state}"
    if not trigger_on(session, trigger):
        return f"not messaged: the {trigger} message is off (settings messages.on.{trigger})"
    channels = channels_of(trigger)
    if all(sender_of(session, c) == "off" for c in channels):
        keys = " / ".join(f"messages.{c}.sender" for c in channels)
        return f"not messaged: no sender is set up (settings {keys})"
    customer = session.get(Customer, customer_id)
    name = customer.name if customer else f"customer {customer_id}"
    pref = prefs.preference(session, customer_id)
    usable = [c for c in channels if sender_of(session, c) != "off"]
    if not any(prefs.allows(pref, c) for c in usable):
        return f"not messaged: {name} has not agreed to messages (svcdesk messages prefs)"
    return f"not messaged: {name} has no {' or '.join(CHANNEL_WORDS[c] for c in usable)}"


CHANNEL_WORDS = {"email": "e-mail address", "sms": "mobile number"}


_EMPTY_REFS = {"order_id": None, "visit_id": None, "quote_id": None, "invoice_id": None}


# ---- the office's view ---------------------------------------------------------------


def get_message(session: Session, message_id: int) -> Message:
    message = session.get(Message, message_id)
    if message is None:
        raise NotFound(f"message {message_id}: no such message (`svcdesk messages list`)")
    return message


def attachments_of(session: Session, message_id: int) -> list[MessageAttachment]:
    return list(
        session.exec(
            select(MessageAttachment)
            .where(MessageAttachment.message_id == message_id)
            .order_by(col(MessageAttachment.id))
        )
    )


def list_messages(
    session: Session,
    *,
    status: str | None = None,
    order_id: int | None = None,
    customer_id: int | None = None,
    limit: int = 200,
) -> list[Message]:
    query = select(Message)
    if status:
        if status not in STATUSES:
            raise InvalidInput(f"status: {status!r} is not one of {', '.join(STATUSES)}")
        query = query.where(Message.status == status)
    if order_id is not None:
        query = query.where(Message.order_id == order_id)
    if customer_id is not None:
        query = query.where(Message.customer_id == customer_id)
    return list(session.exec(query.order_by(col(Message.id).desc()).limit(limit)))


def counts(session: Session) -> dict[str, int]:
    """How many messages in each status."""
    rows = session.exec(select(Message.status, func.count()).group_by(col(Message.status)))
    return {status: int(n) for status, n in rows}


def retry(session: Session, message: Message, *, actor: str = "dispatcher") -> Message:
    """Send a failed (or cancelled) message again at the next `messages send`."""
    if message.status not in ("failed", "cancelled"):
        raise InvalidTransition(
            f"message {message.id} is {message.status}; only failed or cancelled ones are retried"
        )
    customer = session.get(Customer, message.customer_id)
    if not prefs.allows(prefs.preference(session, message.customer_id), message.channel):
        name = customer.name if customer else f"customer {message.customer_id}"
        raise InvalidTransition(
            f"message {message.id}: {name} has no consent or opted out of {message.channel}"
        )
    message.status, message.attempts, message.next_try_at = "queued", 0, now()
    message.last_error = f"retried by {actor}"
    session.add(message)
    session.flush()
    return message


def cancel(session: Session, message: Message, *, actor: str = "dispatcher") -> Message:
    if message.status not in ("queued", "failed"):
        raise InvalidTransition(
            f"message {message.id} is {message.status}; only queued or failed ones are cancelled"
        )
    message.status, message.last_error = "cancelled", f"cancelled by {actor}"
    session.add(message)
    session.flush()
    return message
