"""Per-invocation state shared by commands: the database option and a cached engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # (SQLAlchemy is imported by the commands that open the database)
    from sqlalchemy import Engine


@dataclass
class CliState:
    db: str | None = None
    actor: str = "dispatcher"
    quiet: bool = False  # (--quiet: no progress display)
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from svcdesk.db import open_engine

            self._engine = open_engine(self.db)  # (refuses a path without a shop)
        return self._engine


STATE = CliState()


def engine() -> Engine:
    return STATE.engine


def actor() -> str:
    return STATE.actor
