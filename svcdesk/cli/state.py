"""Per-invocation state shared by commands: the database option, who acts (the OS user,
or the staff member `--as` names, checked when the database opens) and a cached engine."""

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
    as_name: str | None = None  # `--as NAME`: a staff member, acting for the OS user
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from svcdesk.db import open_engine

            engine = open_engine(self.db)  # (refuses a path without a shop)
            self._act(engine)
            self._engine = engine
        return self._engine

    def _act(self, engine: Engine) -> None:
        """Record this run's changes as the OS user, or as the active staff member `--as`
        names on behalf of the OS user (refused with one line when there is none)."""
        from svcdesk.config import default_actor
        from svcdesk.services.common.acting import act_as, check_name

        os_user = check_name(default_actor(), "SVCDESK_USER")
        if self.as_name is None:
            self.actor = os_user
            act_as(engine, os_user)
            return
        # (the staff table only for `--as`: a plain read loads no table class)
        from svcdesk.db import read_session
        from svcdesk.services.crm.staff import acting_staff

        with read_session(engine) as session:
            self.actor = acting_staff(session, self.as_name).name
        act_as(engine, self.actor, on_behalf_of=os_user)


STATE = CliState()


def engine() -> Engine:
    return STATE.engine


def actor() -> str:
    if STATE.as_name is not None:
        STATE.engine  # noqa: B018 (`--as` is checked, and its name settled, on open)
    return STATE.actor
