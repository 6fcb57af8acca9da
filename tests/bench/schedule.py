"""Benchmark: the schedule grid with a big shop (not collected by pytest).

    .venv/bin/python tests/bench/schedule.py [--orders 100000] [--techs 60] [--runs 20]
        [--db /tmp/sched-bench.db]  (build once, reuse on the next runs)

Builds a throw-away SQLite database (bulk inserts: N orders created over the past
`--days` (two years), each closed one with a one-hour visit the next day, 5 % still open,
and four visits for every technician today), then measures:

- `day_schedule` (the grid's read model: five queries) and `unassigned_orders`, median
  and worst of `--runs` calls;
- in the real console (headless, 140x40): pressing `g` from the board until the grid has
  its data and is painted (first switch, the screen is built), a day change (`]`, a new
  query and repaint), and `.` back to today;
- a full repaint of the grid widget (every row's text rebuilt, visible lines drawn);
- peak RSS of the process.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import insert  # noqa: E402

from svcdesk import clock  # noqa: E402
from svcdesk.db import make_engine, read_session  # noqa: E402
from svcdesk.models import (  # noqa: E402
    Customer,
    Shift,
    Site,
    Skill,
    Technician,
    TechnicianSkill,
    Visit,
    VisitTechnician,
    WorkOrder,
)

NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)  # 08:00 in Chicago, a Wednesday
SKILLS = ("hvac", "plumbing", "electrical", "drain", "gas")


def build(engine, orders: int, techs: int, days: int = 730, seed: int = 7) -> None:
    rng = random.Random(seed)
    with engine.begin() as conn:
        conn.execute(insert(Skill), [{"code": c, "name": c.title()} for c in SKILLS])
        conn.execute(
            insert(Technician),
            [{"name": f"Tech {i:03d}", "color": "#4e9a06"} for i in range(1, techs + 1)],
        )
        conn.execute(
            insert(TechnicianSkill),
            [
                {"technician_id": t, "skill_id": s}
                for t in range(1, techs + 1)
                for s in rng.sample(range(1, len(SKILLS) + 1), 2)
            ],
        )
        conn.execute(
            insert(Shift),
            [
                {"technician_id": t, "weekday": d, "start_minute": start, "end_minute": start + 540}
                for t in range(1, techs + 1)
                for start in [rng.choice((360, 420, 480, 600))]
                for d in range(6)
            ],
        )
        customers = max(1, orders // 20)
        conn.execute(
            insert(Customer),
            [{"name": f"Customer {i}", "created_at": NOW} for i in range(1, customers + 1)],
        )
        conn.execute(
            insert(Site),
            [
                {
                    "customer_id": i,
                    "address": f"{i} Main St",
                    "city": "Austin",
                    "address_key": f"{i}",
                }
                for i in range(1, customers + 1)
            ],
        )
        order_rows, visit_rows, crew_rows = [], [], []
        open_every = 20
        for i in range(1, orders + 1):
            created = NOW - timedelta(minutes=rng.randrange(days * 24 * 60))
            is_open = i % open_every == 0
            c = rng.randrange(1, customers + 1)
            order_rows.append(
                {
                    "number": f"SO-{i:06d}",
                    "customer_id": c,
                    "site_id": c,
                    "status": "new" if is_open else "closed",
                    "priority": "normal",
                    "summary": f"Job {i}",
                    "skill_id": rng.randrange(1, len(SKILLS) + 1),
                    "est_minutes": 60,
                    "created_at": created,
                    "updated_at": created,
                }
            )
            if not is_open:
                start = created + timedelta(days=1)
                visit_rows.append(
                    {
                        "order_id": i,
                        "starts_at": start,
                        "ends_at": start + timedelta(hours=1),
                        "status": "completed",
                        "created_at": created,
                    }
                )
        # Today: every technician has four one-hour visits from 09:00 local (15:00 UTC).
        next_order = orders + 1
        for _t in range(1, techs + 1):
            for k in range(4):
                start = NOW + timedelta(hours=1 + 2 * k)
                order_rows.append(
                    {
                        "number": f"SO-{next_order:06d}",
                        "customer_id": 1,
                        "site_id": 1,
                        "status": "scheduled",
                        "priority": "normal",
                        "summary": "Today",
                        "skill_id": 1,
                        "est_minutes": 60,
                        "created_at": NOW,
                        "updated_at": NOW,
                    }
                )
                visit_rows.append(
                    {
                        "order_id": next_order,
                        "starts_at": start,
                        "ends_at": start + timedelta(hours=1),
                        "status": "scheduled",
                        "created_at": NOW,
                    }
                )
                next_order += 1
        conn.execute(insert(WorkOrder), order_rows)
        conn.execute(insert(Visit), visit_rows)
        for visit_id, v in enumerate(visit_rows, start=1):
            tech = (visit_id % techs) + 1 if v["status"] == "completed" else None
            if tech is None:
                tech = (v["order_id"] - orders - 1) // 4 + 1
            crew_rows.append(
                {
                    "visit_id": visit_id,
                    "technician_id": tech,
                    "role": "lead",
                    "starts_at": v["starts_at"],
                    "ends_at": v["ends_at"],
                    "active": True,
                }
            )
        conn.execute(insert(VisitTechnician), crew_rows)


def timed(fn, runs: int) -> tuple[float, float, float]:
    """Median and worst wall-clock ms, and median CPU ms of this thread (steadier on a
    machine shared with other work)."""
    wall, cpu = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.thread_time()
        fn()
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
    return statistics.median(wall), max(wall), statistics.median(cpu)


async def console_timings(engine, prebuild: bool) -> dict[str, float]:
    from svcdesk.tui.app import make_app
    from svcdesk.tui.screens.schedule import ScheduleScreen
    from svcdesk.tui.widgets.schedule_grid import ScheduleGrid

    shown: list[float] = []
    original_show = ScheduleScreen._show

    def timed_show(self, result):  # when the grid has its new data (painted next frame)
        original_show(self, result)
        shown.append(time.perf_counter())

    ScheduleScreen._show = timed_show
    mounted: list[float] = []
    original_mount = ScheduleScreen.on_mount

    def timed_mount(self):  # the screen is built (first switch only)
        mounted.append(time.perf_counter())
        original_mount(self)

    ScheduleScreen.on_mount = timed_mount
    app = make_app(engine, watch_interval=None, backup_on_open=False)
    if not prebuild:
        app.prebuild = ()  # the grid is built when `g` is first pressed
    results: dict[str, float] = {}
    t_before = 0.0
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        while prebuild and not (
            app.built_screen("schedule") and app.built_screen("schedule").schedule
        ):
            await pilot.pause(0.01)  # built in the background after the board's first paint
        await settle(pilot)

        async def until_painted(key: str, day_changes: bool) -> float:
            grid = app.screen.query_one(ScheduleGrid) if day_changes else None
            nonlocal t_before
            before = grid.schedule if grid else None
            t0 = t_before = time.perf_counter()
            c0 = time.process_time()
            shown.clear()
            await pilot.press(key)
            while True:
                await app.workers.wait_for_complete()
                await pilot.pause()
                grid = app.screen.query(ScheduleGrid)
                if (
                    grid
                    and grid.first().schedule is not None
                    and grid.first().schedule is not before
                ):
                    break
            await pilot.pause()  # the refresh after the data landed
            settled = (time.perf_counter() - t0) * 1000
            data = (shown[-1] - t0) * 1000 if shown else settled  # prebuilt: data was there
            return data, settled, (time.process_time() - c0) * 1000

        first = "prebuilt" if prebuild else "built on the key"
        for label, key, again in (
            (f"switch to grid (g, first time, {first})", "g", False),
            ("next day (])", "right_square_bracket", True),
            ("back to today (.)", "full_stop", True),
        ):
            data_ms, settled_ms, cpu_ms = await until_painted(key, again)
            if key == "g" and not prebuild:
                results[f"{label}, key to screen built (on_mount)"] = (mounted[0] - t_before) * 1000
            results[f"{label}, key to grid data shown"] = data_ms
            results[f"{label}, key to all workers idle"] = settled_ms
            results[f"{label}, CPU of the process, key to idle"] = cpu_ms
        grid = app.screen.query_one(ScheduleGrid)
        t0 = time.perf_counter()
        grid._rows_width = 0  # rebuild every row's text, then draw the visible lines
        for y in range(grid.size.height):
            grid.render_line(y)
        results["full repaint of the grid (render_line)"] = (time.perf_counter() - t0) * 1000
    ScheduleScreen._show, ScheduleScreen.on_mount = original_show, original_mount
    return results


async def settle(pilot) -> None:
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--techs", type=int, default=60)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--days", type=int, default=730, help="History the orders span.")
    parser.add_argument("--sessions", type=int, default=5, help="Console runs to time.")
    parser.add_argument("--db", help="Build the database here, or reuse it if it exists.")
    args = parser.parse_args()
    clock.freeze(NOW)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.db) if args.db else Path(tmp) / "bench.db"
        reuse = path.exists()
        engine = make_engine(str(path))
        if reuse:
            print(f"reusing {path}")
        else:
            t0 = time.perf_counter()
            build(engine, args.orders, args.techs, args.days)
            print(
                f"built {args.orders} orders, {args.techs} technicians in "
                f"{time.perf_counter() - t0:.1f} s"
            )

        from svcdesk.services.dispatch.schedule_view import day_schedule, unassigned_orders

        with read_session(engine) as s:
            today = NOW.date()
            med, worst, cpu = timed(lambda: day_schedule(s, today), args.runs)
            lanes = day_schedule(s, today).lanes
            visits = sum(len(lane.visits) for lane in lanes)
            print(
                f"day_schedule (today, {len(lanes)} lanes, {visits} visits): median {med:.1f} ms, "
                f"worst {worst:.1f} ms, CPU {cpu:.1f} ms"
            )
            med, worst, cpu = timed(lambda: unassigned_orders(s), args.runs)
            print(
                f"unassigned_orders (200 of {args.orders // 20} open): median {med:.1f} ms, "
                f"worst {worst:.1f} ms, CPU {cpu:.1f} ms"
            )
        for prebuild in (True, False):
            sessions = [
                asyncio.run(console_timings(engine, prebuild)) for _ in range(args.sessions)
            ]
            for label in sessions[0]:
                values = sorted(run[label] for run in sessions)
                print(
                    f"console: {label}: median {statistics.median(values):.0f} ms, "
                    f"best {values[0]:.0f} ms ({len(values)} app sessions)"
                )
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS: {rss:.0f} MB")
        print(f"load average (1/5/15 min) at the end: {os.getloadavg()}, {os.cpu_count()} CPUs")
        engine.dispose()


if __name__ == "__main__":
    main()
