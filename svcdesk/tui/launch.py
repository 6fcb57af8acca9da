"""`svcdesk` with no arguments: open the console on the database."""

from __future__ import annotations

from sqlalchemy import Engine


def run_console(engine: Engine, *, actor: str = "dispatcher") -> None:
    from svcdesk.tui.app import make_app
    from svcdesk.tui.keymap import load_keymap

    make_app(engine, actor=actor, keymap=load_keymap(), freeze_gc=True).run()
