"""Who a face's changes are recorded as (`act_as`, read by the event log in
`events.py`), and the one check of an actor's name. Apart from events.py so that a face
can say who acts without loading the event log's tables (a read-only `orders list`)."""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from svcdesk.errors import InvalidInput

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlmodel import Session

NAME_MAX = 60  # characters of a staff member's (or the OS user's) name


def check_name(text: str, field: str = "name") -> str:
    """A staff name: 1 to 60 printable characters (spaces inside kept as typed)."""
    name = " ".join(text.split())
    if not name:
        raise InvalidInput(f"{field}: a staff member needs a name")
    if len(name) > NAME_MAX:
        raise InvalidInput(f"{field}: at most {NAME_MAX} characters (got {len(name)})")
    if not name.isprintable():
        raise InvalidInput(f"{field}: {name[:NAME_MAX]!r} has control characters")
    return name


@dataclass(frozen=True)
class Acting:
    """Who a face's changes are recorded as: `name`, and `on_behalf_of` (the OS user) when
    `name` is a staff member chosen with `--as`."""

    name: str
    on_behalf_of: str | None = None


_ACTING: weakref.WeakKeyDictionary[Any, Acting] = weakref.WeakKeyDictionary()


def act_as(engine: Engine, name: str, on_behalf_of: str | None = None) -> None:
    """Record this engine's changes as `name` (on behalf of `on_behalf_of`). Keyed by the
    engine's pool, which the write sessions' option engines share."""
    _ACTING[engine.pool] = Acting(name, on_behalf_of)


def act_as_unless_set(engine: Engine, name: str) -> None:
    """`act_as(engine, name)` unless the engine acts as `name` already (on behalf of
    someone: the console started by `svcdesk --as NAME`)."""
    current = _ACTING.get(engine.pool)
    if current is None or current.name != name:
        act_as(engine, name)


def acting(session: Session) -> Acting:
    """Who this session's changes are recorded as ("system" when no face said)."""
    pool = getattr(session.get_bind(), "pool", None)
    found = _ACTING.get(pool) if pool is not None else None
    return found or Acting("system")


def on_behalf_of(session: Session, actor: str) -> str | None:
    """The OS user that `actor` acts for, when `actor` is the face's `--as` staff member."""
    who = acting(session)
    return who.on_behalf_of if who.name == actor else None


def who_text(actor: str, behalf: str | None) -> str:
    """An actor in words: "Dana on behalf of jsmith", or just "jsmith"."""
    return f"{actor} on behalf of {behalf}" if behalf else actor
