"""Per-invocation state shared by commands: the database option and a cached engine."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from svcdesk.db import open_engine


@dataclass
class CliState:
    db: str | None = None
    actor: str = "dispatcher"
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = open_engine(self.db)  # (refuses a path without a shop)
        return self._engine


STATE = CliState()


def engine() -> Engine:
    return STATE.engine


def actor() -> str:
    return STATE.actor
