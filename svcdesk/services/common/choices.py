"""Reading a choice typed by a person or a file (priority, kind, source, frequency...) into
its enum: one rule for every area, one error line naming the field and the accepted values."""

from __future__ import annotations

from svcdesk.errors import InvalidInput
from svcdesk.models import OrderStatus, Priority


def parse_priority(value: str | None) -> Priority:
    text = (value or "normal").strip().lower()
    aliases = {"emerg": "emergency", "urgent": "high", "med": "normal", "medium": "normal"}
    try:
        return Priority(aliases.get(text, text))
    except ValueError:
        raise InvalidInput(
            f"priority: {value!r} is not one of emergency, high, normal, low"
        ) from None


def parse_status(value: str) -> OrderStatus:
    """An order status as typed: any case, '-' or a space for '_' ("on-hold", "On Hold")."""
    key = value.strip().lower().replace("-", "_").replace(" ", "_")
    try:
        return OrderStatus(key)
    except ValueError:
        names = ", ".join(s.value for s in OrderStatus)
        raise InvalidInput(f"status: {value!r} is not one of {names}") from None


def parse_choice(enum_cls, value: str | None, field_name: str, default: str):
    text = (value or default).strip().lower().replace("-", "_").replace(" ", "_")
    try:
        return enum_cls(text)
    except ValueError:
        names = ", ".join(e.value for e in enum_cls)
        raise InvalidInput(f"{field_name}: {value!r} is not one of {names}") from None
