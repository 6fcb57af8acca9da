"""The outbox as the office reads it (CLI, console): rows in words, times in the shop's
zone."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlmodel import Session, col, select

from svcdesk.models import Customer, WorkOrder
from svcdesk.models.messages import Message
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import fmt, iso
from svcdesk.services.messages import outbox

TRIGGER_WORDS = {
    "booking": "booking confirmation", "reminder": "reminder", "on_my_way": "on my way",
    "quote": "quote", "invoice": "invoice", "receipt": "payment receipt",
    "review": "review request",
}  # fmt: skip
CHANNEL_WORDS = {"email": "e-mail", "sms": "text"}


@dataclass(frozen=True)
class MessageRow:
    id: int
    status: str
    what: str  # the trigger in words
    channel: str
    customer: str
    order: str
    recipient: str
    subject: str
    attempts: int
    when: str  # sent at, or the next try, in the shop's zone
    last_error: str
    created_at: str | None
    sent_at: str | None
    next_try_at: str | None

    def to_json(self) -> dict:
        return asdict(self)


def _rows(session: Session, messages: list[Message]) -> list[MessageRow]:
    zone = shop_zone(session)
    names = dict(
        session.exec(
            select(Customer.id, Customer.name).where(
                col(Customer.id).in_({m.customer_id for m in messages})
            )
        ).all()
    )
    order_ids = {m.order_id for m in messages if m.order_id}
    numbers = (
        dict(
            session.exec(
                select(WorkOrder.id, WorkOrder.number).where(col(WorkOrder.id).in_(order_ids))
            ).all()
        )
        if order_ids
        else {}
    )
    out = []
    for m in messages:
        if m.status == "sent":
            when = fmt(m.sent_at, zone, "%m-%d %H:%M")
        elif m.status in ("queued", "sending"):
            when = "next " + fmt(m.next_try_at, zone, "%m-%d %H:%M")
        else:
            when = ""
        out.append(
            MessageRow(
                m.id, m.status, TRIGGER_WORDS.get(m.trigger, m.trigger),
                CHANNEL_WORDS.get(m.channel, m.channel), names.get(m.customer_id, ""),
                numbers.get(m.order_id, "") if m.order_id else "", m.recipient, m.subject,
                m.attempts, when, m.last_error or "", iso(m.created_at), iso(m.sent_at),
                iso(m.next_try_at),
            )
        )  # fmt: skip
    return out


def message_rows(
    session: Session,
    *,
    status: str | None = None,
    order_id: int | None = None,
    customer_id: int | None = None,
    limit: int = 200,
) -> list[MessageRow]:
    found = outbox.list_messages(
        session, status=status, order_id=order_id, customer_id=customer_id, limit=limit
    )
    return _rows(session, found)


@dataclass(frozen=True)
class MessageDetail:
    row: MessageRow
    body: str
    attachments: list[tuple[str, int]]  # file name, bytes
    provider_id: str

    def to_json(self) -> dict:
        return self.row.to_json() | {
            "body": self.body,
            "attachments": [{"filename": f, "bytes": n} for f, n in self.attachments],
            "provider_id": self.provider_id,
        }

    def text(self) -> str:
        r = self.row
        lines = [
            f"message {r.id}: {r.what} by {r.channel} to {r.customer} <{r.recipient}>",
            f"status: {r.status}" + (f" ({r.when})" if r.when else "")
            + f", {r.attempts} attempt{'s' if r.attempts != 1 else ''}",
        ]  # fmt: skip
        if r.order:
            lines.append(f"order: {r.order}")
        if r.last_error:
            lines.append(f"last error: {r.last_error}")
        lines += [f"attachment: {f} ({n:,} bytes)" for f, n in self.attachments]
        if r.subject:
            lines.append(f"subject: {r.subject}")
        lines += ["", self.body.rstrip()]
        return "\n".join(lines)


def message_detail(session: Session, message_id: int) -> MessageDetail:
    message = outbox.get_message(session, message_id)
    files = [(a.filename, len(a.data)) for a in outbox.attachments_of(session, message.id)]
    return MessageDetail(
        _rows(session, [message])[0], message.body, files, message.provider_id or ""
    )
