"""Helpers for console tests: one app factory call, waiting for workers, snapshot size.

async with run_app(engine) as (app, pilot):
    await pilot.press("slash", "j", "a", "n", "e")
    await settle(pilot)
"""

from __future__ import annotations

from contextlib import asynccontextmanager

from textual.worker import WorkerCancelled

from svcdesk.tui.app import make_app

SIZE = (140, 36)  # fixed terminal size for Pilot tests and snapshots


def console_app(engine, prebuild=(), **kwargs):
    """The real app with the watcher polled by hand (no timers: deterministic tests) and
    no screens built in the background unless asked (`prebuild=("schedule",)`)."""
    kwargs.setdefault("watch_interval", None)
    app = make_app(engine, **kwargs)
    app.prebuild = prebuild
    return app


async def settle(pilot, rounds: int = 3) -> None:
    """Let workers finish and their messages land (repeat: one load may start another)."""
    for _ in range(rounds):
        await pilot.pause()
        await workers_done(pilot.app)
        await pilot.pause()


async def workers_done(app) -> None:
    """Wait for every worker. A load superseded by a newer one in its group (exclusive) is
    cancelled, and waiting on it raises `WorkerCancelled`: wait for the rest again."""
    for _ in range(20):
        try:
            await app.workers.wait_for_complete()
            return
        except WorkerCancelled:
            continue


async def press(pilot, *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)


async def new_customer_order(pilot, name: str):
    """Open the order form (`n`), type `name`, pick "+ New customer"; the form."""
    await press(pilot, "n", *name, "enter")
    form = pilot.app.screen
    matches = form.query_one("#customer-matches")
    matches.highlighted = matches.option_count - 1
    await press(pilot, "enter")
    return form


@asynccontextmanager
async def run_app(engine, size=SIZE, **kwargs):
    app = console_app(engine, **kwargs)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        yield app, pilot


def snapshot_before(pilot_keys=()):
    """`run_before` for snap_compare: press keys, then wait for workers."""

    async def run_before(pilot) -> None:
        await settle(pilot)
        for key in pilot_keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


def table_keys(app, selector: str = "#orders") -> list[str]:
    table = app.screen.query_one(selector)
    return [row.key.value for row in table.ordered_rows]
