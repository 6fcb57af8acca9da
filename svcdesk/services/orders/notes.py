"""Notes on an order (each also lands in the history)."""

from __future__ import annotations

from sqlmodel import Session

from svcdesk.errors import InvalidInput
from svcdesk.models import Note, WorkOrder
from svcdesk.services.common import events
from svcdesk.services.orders import lifecycle


def add_note(
    session: Session,
    order: WorkOrder,
    text: str,
    *,
    author: str = "dispatcher",
    visit_id: int | None = None,
) -> Note:
    text = (text or "").strip()
    if not text:
        raise InvalidInput("note: empty note")
    note = Note(order_id=order.id, visit_id=visit_id, author=author, text=text)
    session.add(note)
    lifecycle.touch(session, order)
    events.record(session, order, "note", text, actor=author)
    session.flush()
    return note
