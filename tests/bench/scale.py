"""Scale benchmark: a big shop on SQLite and on PostgreSQL.

    .venv/bin/python tests/bench/scale.py --orders 1000000 --techs 200 --backend sqlite
    .venv/bin/python tests/bench/scale.py --orders 1000000 --techs 200 --backend postgresql

Builds (or reuses, with --db) a database with N orders over 5 years of history, then times
with p50/p95 over --runs runs: the board query (open orders), order search by phone, name
and address, booking a visit with the conflict check (rolled back), and the KPI report for
the last 30 days; then write throughput with 4 concurrent writer processes. Prints a
Markdown table for docs/performance.md. Not collected by pytest."""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import resource
import shutil
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402
from sqlmodel import Session  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bigshop  # noqa: E402
from bigshop import NOW  # noqa: E402

from svcdesk import clock  # noqa: E402
from svcdesk.db import make_engine  # noqa: E402
from svcdesk.models import Technician, WorkOrder  # noqa: E402


def build(engine, orders: int, techs: int, seed: int = 1) -> None:
    """Fill an empty database (kept for tests/bench/console.py and schedule.py)."""
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    bigshop.build(url if engine.dialect.name != "sqlite" else engine.url.database,
                  orders, techs, seed)  # fmt: skip


def timed(fn, runs: int) -> tuple[float, float, float]:
    """(p50, p95) wall ms and median CPU ms of this process over `runs` calls."""
    times, cpu = [], []
    for i in range(runs):
        t, c = time.perf_counter(), time.process_time()
        fn(i)
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    times.sort()
    return (
        statistics.median(times),
        times[max(0, int(len(times) * 0.95) - 1)],
        statistics.median(cpu),
    )


def search_terms(s, runs: int, rng: random.Random) -> dict[str, list[str]]:
    """What a dispatcher types, taken from `runs` random existing customers: the phone's
    digits, the full name, the site's street address; and a bare surname (broad: one
    customer in sixteen has it)."""
    top = s.execute(text("SELECT max(id) FROM customer")).scalar_one()
    ids = sorted(rng.sample(range(1, top + 1), min(runs, top)))
    rows = s.execute(
        text(
            "SELECT c.name, c.phone_key, min(s.address) FROM customer c "
            "JOIN site s ON s.customer_id = c.id WHERE c.id IN ({}) GROUP BY c.id".format(
                ",".join(map(str, ids))
            )
        )
    ).all()
    rows = [rows[i % len(rows)] for i in range(runs)]
    return {
        "phone": [r[1] for r in rows],
        "name": [r[0] for r in rows],
        "address": [r[2] for r in rows],
        "surname": [r[0].split()[-1] if "." in r[0] else r[0].split()[0] for r in rows],
    }


def measure(engine, orders: int, techs: int, runs: int) -> list[tuple[str, float, float]]:
    from svcdesk.services.common.settings import shop_zone
    from svcdesk.services.orders import queries, scheduling
    from svcdesk.services.reporting import kpis
    from svcdesk.services.reporting.kpi_scope import Period

    rng = random.Random(2)
    results = []
    with Session(engine) as s:
        results.append(
            ("board: open orders (first 500)", *timed(lambda i: queries.list_orders(s), runs))
        )
        terms = search_terms(s, runs, rng)
        for what, values in terms.items():
            results.append(
                (
                    f"search by {what} (all orders, first 50)",
                    *timed(
                        lambda i, v=values: queries.list_orders(
                            s, open_only=False, text=v[i], limit=50
                        ),
                        runs,
                    ),
                )
            )
        open_rows = s.execute(
            text(
                "SELECT id, skill_id FROM work_order WHERE status IN ('new', 'on_hold', "
                "'scheduled') ORDER BY id DESC LIMIT 2000"
            )
        ).all()
        skilled: dict[int, list[int]] = {}
        for tech_id, skill_id in s.execute(
            text("SELECT technician_id, skill_id FROM technicianskill")
        ):
            skilled.setdefault(skill_id, []).append(tech_id)
        zone = shop_zone(s)
        period = Period.of(date(2026, 10, 26), date(2026, 11, 24), zone)
        kpi_ms = timed(lambda i: kpis.compute(s, period), max(5, runs // 20))
    writer = (
        engine.execution_options(svcdesk_write=True) if engine.dialect.name == "sqlite" else engine
    )
    refused = []
    local = NOW.astimezone(zone)

    def book(i):
        """07:00 shop time (before the first slot of the built schedule) on one of the next
        seven days, a technician with the order's skill; not forced: every rule is checked."""
        from svcdesk.errors import BookingRefused

        order_id, skill_id = open_rows[i % len(open_rows)]
        day = local.date() + timedelta(days=1 + i % 7)
        start = datetime(day.year, day.month, day.day, 7, 0, tzinfo=zone)
        if start.weekday() >= 5:
            start += timedelta(days=7 - start.weekday())
        with Session(writer) as ws:
            order = ws.get(WorkOrder, order_id)
            tech = ws.get(Technician, rng.choice(skilled.get(skill_id) or [1]))
            try:
                scheduling.book_visit(ws, order, [tech], start.astimezone(UTC), 55)
            except BookingRefused as exc:
                refused.append(str(exc))
            ws.rollback()

    results.append(("book a visit (all checks + insert, rolled back)", *timed(book, runs)))
    if refused:
        print(f"  {len(refused)} bookings refused, e.g. {refused[0]}", flush=True)
    results.append(("KPI report, 30 days", *kpi_ms))
    return results


def _writer(url: str, worker: int, count: int, queue, ready) -> None:
    """`count` phone calls from new callers, one write transaction each (intake.create_order
    as the console runs it). Always reports to `queue`, also when it cannot even start."""
    failures, done, t = 0, 0, time.perf_counter()
    try:
        from svcdesk.db import write_session
        from svcdesk.services.orders import intake

        clock.freeze(NOW)
        engine = make_engine(url)
        ready.wait()  # all four start writing together, after their imports
        t = time.perf_counter()
        for n in range(count):
            try:
                with write_session(engine) as s:
                    intake.create_order(
                        s,
                        intake.IntakeRequest(
                            summary="bench write",
                            customer=f"Bench Writer {worker}",
                            phone=f"737{worker:03d}{n:04d}",
                            address=f"{n} Bench St",
                            zip="78701",
                        ),
                        actor=f"w{worker}",
                    )
                done += 1
            except Exception as exc:  # counted, reported
                failures += 1
                print(f"writer {worker}: {exc}", file=sys.stderr, flush=True)
    except Exception as exc:  # (a broken barrier too: the others are told by abort())
        ready.abort()
        print(f"writer {worker} could not start: {exc!r}", file=sys.stderr, flush=True)
        failures += count - done - failures
    finally:
        queue.put((done, failures, time.perf_counter() - t))


def write_throughput(url: str, workers: int = 4, each: int = 250) -> tuple[float, int]:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    ready = ctx.Barrier(workers)
    procs = [ctx.Process(target=_writer, args=(url, w, each, q, ready)) for w in range(workers)]
    for p in procs:
        p.start()
    res = [q.get() for _ in procs]
    for p in procs:
        p.join()
    wall = max(r[2] for r in res)  # from the common start to the last writer's end
    return sum(r[0] for r in res) / wall, sum(r[1] for r in res)


def _has_orders(url: str) -> bool:
    engine = make_engine(url)
    with engine.connect() as conn:
        found = conn.execute(text("SELECT count(*) FROM (SELECT 1 FROM work_order LIMIT 1) x"))
        has = found.scalar_one() > 0
    engine.dispose()
    return has


def load() -> str:
    return "load average " + ", ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orders", type=int, default=1_000_000)
    ap.add_argument("--techs", type=int, default=200)
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--db", help="SQLite file to use (built if missing; default: cached by size)")
    ap.add_argument("--check", action="store_true", help="run `db check` even on a cached file")
    ap.add_argument("--no-writes", action="store_true", help="skip the 4-writer throughput test")
    ap.add_argument("--pg-url", help="measure this PostgreSQL database (built if it has no orders)")
    ap.add_argument(
        "--keep-server", action="store_true", help="leave the throwaway PostgreSQL running"
    )
    args = ap.parse_args()
    clock.freeze(NOW)
    print(f"start: {load()}", flush=True)
    server = None
    t0 = time.perf_counter()
    if args.backend == "postgresql":
        from tests.support.pg import PgServer

        if args.pg_url:
            url = args.pg_url
        else:
            server = PgServer().start()
            url = server.create_database("scale")
            print(f"PostgreSQL: {url}", flush=True)
        fresh = not _has_orders(url)
        if fresh:
            print(f"building {args.orders:,} orders on postgresql ...", flush=True)
            bigshop.build(url, args.orders, args.techs)
    else:
        cached = Path(args.db) if args.db else None
        fresh = not (cached or bigshop.BENCH_DIR / f"scale-{args.orders}-{args.techs}.db").exists()
        path = bigshop.ensure_sqlite(args.orders, args.techs, cached)
        url = str(path)
    build_s = time.perf_counter() - t0
    try:
        if fresh or args.check:
            t = time.perf_counter()
            problems = bigshop.check(url)
            print(
                f"db check: {len(problems)} problems in {time.perf_counter() - t:.0f} s", flush=True
            )
            for line in problems[:20]:
                print("  ", line)
        engine = make_engine(url)
        results = measure(engine, args.orders, args.techs, args.runs)
        engine.dispose()
        rate, failures = None, None
        if not args.no_writes:
            target = url
            if args.backend == "sqlite":  # writers add orders: leave the cached file as built
                target = str(path.with_name(path.stem + "-writes.db"))
                shutil.copyfile(path, target)
            rate, failures = write_throughput(target)
            if target != url:
                Path(target).unlink()
    finally:
        if server and not args.keep_server:
            server.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\n### {args.backend}: {args.orders:,} orders, {args.techs} technicians, {args.runs} runs"
        f" ({'built' if fresh else 'cached'}: {build_s:.0f} s; end: {load()})\n"
    )
    print("| operation | p50 ms | p95 ms | CPU ms (median) |\n|---|---:|---:|---:|")
    for name, p50, p95, cpu in results:
        print(f"| {name} | {p50:.1f} | {p95:.1f} | {cpu:.1f} |")
    if rate is not None:
        print(f"| 4 writer processes × 250 orders | {rate:.0f} orders/s | {failures} failed | |")
    print(f"\npeak RSS of the measuring process: {rss:.0f} MB")


if __name__ == "__main__":
    main()
