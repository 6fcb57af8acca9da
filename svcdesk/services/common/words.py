"""Stored names in the words a dispatcher uses ("on hold", never `on_hold`)."""

from __future__ import annotations

SPECIAL = {"ach": "ACH bank transfer"}


def status_words(value: object) -> str:
    """'on_hold' -> 'on hold', 'partially_paid' -> 'partially paid', None -> ''."""
    text = "" if value is None else str(getattr(value, "value", value))
    return SPECIAL.get(text, text.replace("_", " "))
