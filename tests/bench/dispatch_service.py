"""Dispatch service timings on the demo shop (not collected by pytest).

    .venv/bin/python tests/bench/dispatch_service.py [--db /tmp/demo.db]

Builds the demo shop (frozen at Wed 2026-11-25 08:00 Austin) unless --db already exists,
then times, best of 3, at 11:00 that morning: the day problem for the next working day
(Friday: Thursday is a shop holiday in the demo settings), the 2 s day plan (with its checker), suggestions and the emergency insert for the first unassigned
emergency."""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from svcdesk import clock
from svcdesk.db import make_engine, read_session
from svcdesk.demo import build_demo
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.dispatch.holidays import next_plan_day
from svcdesk.services.dispatch.insert import insert_emergency
from svcdesk.services.dispatch.plan import plan_day
from svcdesk.services.dispatch.problem import build_day, candidate_orders
from svcdesk.services.dispatch.suggest import suggest
from svcdesk.services.orders import lifecycle


def best_of(fn, n: int = 3):
    best, result = None, None
    for _ in range(n):
        t = time.perf_counter()
        result = fn()
        dt = time.perf_counter() - t
        best = dt if best is None else min(best, dt)
    return best, result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", type=Path)
    args = ap.parse_args()
    db = args.db or Path(tempfile.mkdtemp()) / "demo.db"
    if not db.exists():
        clock.freeze(datetime(2026, 11, 25, 14, 0, tzinfo=UTC))
        build_demo(make_engine(str(db)))
    clock.freeze(datetime(2026, 11, 25, 17, 0, tzinfo=UTC))
    engine = make_engine(str(db))
    with read_session(engine) as s:
        zone = shop_zone(s)
        today = clock.now().astimezone(zone).date()
        day = next_plan_day(s, today)
        emergency = next(
            o for o, *_ in candidate_orders(s, today, zone) if o.priority == "emergency"
        ).number
        order = lifecycle.get_order(s, emergency)
        rows = [
            (
                f"build_day({day:%a})",
                lambda: build_day(s, day),
                lambda c: f"{len(c.problem.jobs)} jobs",
            ),
            (
                f"plan_day({day:%a}, 2 s)",
                lambda: plan_day(s, day, 2.0),
                lambda p: (
                    f"{sum(len(r.stops) for r in p.routes)} stops, "
                    f"{p.total_drive_minutes} min drive, {len(p.unassigned)} not planned, "
                    f"{len(p.violations)} violations"
                ),
            ),
            ("suggest", lambda: suggest(s, order), lambda r: f"{sum(x.eligible for x in r)} can"),
            (
                "insert_emergency",
                lambda: insert_emergency(s, order),
                lambda p: f"{len(p.options)} options",
            ),
        ]
        for name, fn, what in rows:
            dt, result = best_of(fn)
            print(f"{name:22s} {dt * 1000:8.0f} ms   {what(result)}")


if __name__ == "__main__":
    main()
