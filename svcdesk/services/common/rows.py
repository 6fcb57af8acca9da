"""Reading a row that must exist: `session.get` narrowed from `Model | None`."""

from __future__ import annotations

import re
from typing import Any, TypeVar

from sqlmodel import Session, col, select

from svcdesk.errors import NotFound

T = TypeVar("T")


def must_get(session: Session, model: type[T], key: Any, what: str | None = None) -> T:
    """The row of `model` with primary key `key`; NotFound (one line: "no site with id 7")
    instead of None travelling on when it is not there (a stale id, a row deleted meanwhile)."""
    row = session.get(model, key)
    if row is None:
        name = what or re.sub(r"(?<!^)(?=[A-Z])", " ", model.__name__).lower()
        raise NotFound(f"no {name} with id {key}")
    return row


def row_id(row: Any) -> int:
    """A stored row's id (`int | None` on the model until the row is flushed)."""
    if row.id is None:
        raise RuntimeError(f"{type(row).__name__} has no id yet: flush it first")
    return int(row.id)


def children(session: Session, model: type[T], parent: Any, key: Any) -> list[T]:
    """The rows of `model` whose column `parent` is `key`, oldest first (by id): an order's
    attachments, an invoice's payments, an agreement's plans."""
    table: Any = model
    return list(session.exec(select(table).where(col(parent) == key).order_by(col(table.id))))
