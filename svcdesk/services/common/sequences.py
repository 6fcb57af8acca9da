"""Gap-free document numbers (SO-, INV-, Q-, AG-) taken inside the caller's transaction."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from svcdesk.models import Sequence

WIDTH = 6


def next_value(session: Session, name: str, count: int = 1) -> int:
    """Reserve `count` consecutive values of sequence `name`; returns the first.

    The UPDATE takes the write lock (SQLite) or the row lock (PostgreSQL) until the caller's
    transaction ends, so numbers are never duplicated and a rolled-back transaction
    gives its numbers back (no gaps)."""
    stmt = (
        update(Sequence)
        .where(col(Sequence.name) == name)
        .values(next_value=Sequence.next_value + count)
        .returning(col(Sequence.next_value))
    )
    result = session.execute(stmt).scalar_one_or_none()
    if result is not None:
        return result - count
    try:
        with session.begin_nested():
            session.add(Sequence(name=name, next_value=1 + count))
        return 1
    except IntegrityError:
        return next_value(session, name, count)


def format_number(prefix: str, value: int) -> str:
    return f"{prefix}-{value:0{WIDTH}d}"


def format_numbers(prefix: str, first: int, count: int) -> list[str]:
    """`format_number` for `count` consecutive values from `first` (batch intake)."""
    return list(map(f"{prefix}-{{:0{WIDTH}d}}".format, range(first, first + count)))


def next_number(session: Session, prefix: str) -> str:
    return format_number(prefix, next_value(session, prefix))
