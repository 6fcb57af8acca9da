"""Stored names in the words a dispatcher uses ("on hold", never `on_hold`)."""

from __future__ import annotations

from collections.abc import Iterable

from svcdesk.errors import InvalidTransition

SPECIAL = {"ach": "ACH bank transfer"}


def status_words(value: object) -> str:
    """'on_hold' -> 'on hold', 'partially_paid' -> 'partially paid', None -> ''."""
    text = "" if value is None else str(getattr(value, "value", value))
    return SPECIAL.get(text, text.replace("_", " "))


def counted(n: int, one: str, many: str | None = None) -> str:
    """'1 entry', '2 entries', '0 entries' (`many` defaults to `one` + 's')."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


def move_refused(
    number: str, current: object, target: object, allowed: Iterable
) -> InvalidTransition:
    """The one refusal of a status move an order, quote or agreement does not allow, in
    words ("cannot go from scheduled to en route; allowed: dispatched, new, on hold");
    `allowed` keeps the stored names for scripts (`--json`)."""
    names = tuple(str(getattr(s, "value", s)) for s in allowed)
    moves = ", ".join(status_words(n) for n in names) or "none (final status)"
    return InvalidTransition(
        f"{number}: cannot go from {status_words(current)} to {status_words(target)}; "
        f"allowed: {moves}",
        names,
    )
