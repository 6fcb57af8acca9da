"""`svcdesk demo`: a believable shop built through the same services a dispatcher uses.

Each module in this package is a step with `ORDER` (int) and `run(session, ctx)`; steps run
in ORDER inside one transaction, so a failed demo build leaves nothing behind. An area adds
its demo data by adding a module (core = 10; execution 20; inventory 25; billing 30;
agreements 40; reporting needs nothing of its own)."""

from __future__ import annotations

import importlib
import pkgutil
import random
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from svcdesk import clock
from svcdesk.clock import now
from svcdesk.db import write_session


@dataclass
class DemoContext:
    seed: int
    orders: int
    now: datetime
    zone: ZoneInfo
    rng: random.Random
    # Filled by the core step; later steps read them.
    techs: dict[str, int] = field(default_factory=dict)  # name -> id
    customers: list[int] = field(default_factory=list)
    sites: list[int] = field(default_factory=list)
    assets: list[int] = field(default_factory=list)
    order_numbers: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)  # anything a step wants to pass on


def steps():
    mods = [importlib.import_module(f"{__name__}.{m.name}") for m in pkgutil.iter_modules(__path__)]
    return sorted((m for m in mods if hasattr(m, "run")), key=lambda m: (m.ORDER, m.__name__))


def build_demo(
    engine: Engine,
    *,
    orders: int = 300,
    seed: int = 7,
    on_step: Callable[[str], None] | None = None,
) -> DemoContext:
    """`on_step(name)` after each step (the CLI's progress bar: len(steps()) of them)."""
    from svcdesk.services.common.events import act_as
    from svcdesk.services.common.settings import shop_zone

    act_as(engine, "demo")  # (history the demo writes without naming someone)
    with write_session(engine) as session:
        ctx = DemoContext(
            seed=seed, orders=orders, now=now(), zone=shop_zone(session), rng=random.Random(seed)
        )
        with _history_only(ctx.now):
            for step in steps():
                step.run(session, ctx)
                if on_step is not None:
                    on_step(step.__name__.rsplit(".", 1)[-1])
    return ctx


@contextmanager
def _history_only(latest: datetime):
    """Steps replay history with `clock.at(when)`; a `when` after now (an order dispatched
    45 minutes before a visit later today) stamped events and updated_at in the future,
    which moved export watermarks and made "last changed" read tomorrow (issue 14). While
    the demo builds, every `clock.at` is capped at the build's now."""
    real = clock.at

    class past_only(real):  # noqa: N801 - stands in for clock.at
        def __init__(self, when: datetime):
            super().__init__(min(when, latest))

    clock.at = past_only
    try:
        yield
    finally:
        clock.at = real
