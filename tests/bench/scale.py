"""Scale benchmark (issue 9): a big shop on SQLite and on PostgreSQL.

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
import random
import resource
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, text  # noqa: E402
from sqlmodel import Session  # noqa: E402

from svcdesk import clock  # noqa: E402
from svcdesk.db import make_engine  # noqa: E402
from svcdesk.models import (  # noqa: E402
    Customer,
    OrderEvent,
    Sequence,
    Shift,
    Site,
    Skill,
    Technician,
    TechnicianSkill,
    Visit,
    VisitTechnician,
    WorkOrder,
)

NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
SKILLS = [
    "hvac",
    "plumbing",
    "electrical",
    "refrigeration",
    "gas",
    "drain",
    "water_heater",
    "generator",
]
STREETS = [
    "Burnet Rd",
    "Lamar Blvd",
    "Congress Ave",
    "Guadalupe St",
    "Oltorf St",
    "Manor Rd",
    "Airport Blvd",
    "Koenig Ln",
    "Anderson Ln",
    "Parmer Ln",
    "Slaughter Ln",
    "Riverside Dr",
]
FIRST = [
    "James",
    "Maria",
    "Robert",
    "Linda",
    "Michael",
    "Patricia",
    "David",
    "Jennifer",
    "Carlos",
    "Aisha",
]
LAST = [
    "Smith",
    "Garcia",
    "Nguyen",
    "Johnson",
    "Lopez",
    "Brown",
    "Patel",
    "Khan",
    "Miller",
    "Davis",
]
CHUNK = 20000


def _insert(conn, model, rows):
    for i in range(0, len(rows), CHUNK):
        conn.execute(insert(model), rows[i : i + CHUNK])


def build(engine, orders: int, techs: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    customers = max(orders // 5, 10)
    t0 = time.perf_counter()
    with engine.begin() as conn:
        _insert(
            conn, Skill, [{"id": i + 1, "code": c, "name": c.title()} for i, c in enumerate(SKILLS)]
        )
        _insert(
            conn,
            Technician,
            [
                {
                    "id": t + 1,
                    "name": f"Tech {t + 1:03d}",
                    "hourly_cost_cents": 3500,
                    "level": "tech",
                    "color": "#888888",
                    "active": True,
                    "home_lat": 30.27,
                    "home_lon": -97.74,
                }
                for t in range(techs)
            ],
        )
        _insert(
            conn,
            TechnicianSkill,
            [
                {"technician_id": t + 1, "skill_id": s}
                for t in range(techs)
                for s in {t % 8 + 1, (t + 3) % 8 + 1}
            ],
        )
        _insert(
            conn,
            Shift,
            [
                {"technician_id": t + 1, "weekday": d, "start_minute": 420, "end_minute": 1080}
                for t in range(techs)
                for d in range(5)
            ],
        )
        cust_rows, site_rows = [], []
        for c in range(customers):
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {c}"
            phone = f"512{c:07d}"
            addr = f"{c % 9900 + 100} {rng.choice(STREETS)}"
            cust_rows.append(
                {
                    "id": c + 1,
                    "name": name,
                    "kind": "residential",
                    "phone": phone,
                    "phone_key": phone,
                    "email": None,
                    "email_key": None,
                    "tax_exempt": False,
                    "requires_signature": False,
                    "created_at": NOW - timedelta(days=5 * 365),
                }
            )
            site_rows.append(
                {
                    "id": c + 1,
                    "customer_id": c + 1,
                    "address": addr,
                    "city": "Austin",
                    "state": "TX",
                    "zip": "78701",
                    "address_key": f"{addr.lower()}|78701-{c}",
                    "tax_rate_bp": 825,
                    "lat": 30.27,
                    "lon": -97.74,
                }
            )
        _insert(conn, Customer, cust_rows)
        _insert(conn, Site, site_rows)
        del cust_rows, site_rows
    print(f"  people: {time.perf_counter() - t0:.1f}s", flush=True)
    open_every = 20  # 5 % open
    visit_id = 0
    for start in range(0, orders, 100000):
        wo, ev, vi, vt = [], [], [], []
        for n in range(start, min(start + 100000, orders)):
            oid = n + 1
            is_open = n % open_every == 0
            created = NOW - timedelta(
                days=rng.uniform(0, 14) if is_open else rng.uniform(14, 5 * 365)
            )
            prio = rng.choices(range(4), weights=[5, 20, 60, 15])[0]
            status = (
                rng.choice(["new", "scheduled", "on_hold"])
                if is_open
                else rng.choice(["closed"] * 8 + ["cancelled"])
            )
            cust = rng.randint(1, customers)
            wo.append(
                {
                    "id": oid,
                    "number": f"SO-{oid:07d}",
                    "customer_id": cust,
                    "site_id": cust,
                    "kind": "repair",
                    "priority": ["emergency", "high", "normal", "low"][prio],
                    "priority_rank": prio,
                    "status": status,
                    "summary": f"Job {oid} {rng.choice(SKILLS)}",
                    "skill_id": rng.randint(1, 8),
                    "est_minutes": 60,
                    "source": "phone",
                    "sla_due": created + timedelta(hours=24),
                    "created_at": created,
                    "updated_at": created,
                    "version": 1,
                }
            )
            ev.append(
                {
                    "order_id": oid,
                    "at": created,
                    "actor": "bench",
                    "kind": "created",
                    "from_status": None,
                    "to_status": "new",
                }
            )
            if status != "new":
                ev.append(
                    {
                        "order_id": oid,
                        "at": created + timedelta(hours=1),
                        "actor": "bench",
                        "kind": "status",
                        "from_status": "new",
                        "to_status": status,
                    }
                )
            if status in ("scheduled", "closed"):
                visit_id += 1
                vs = created + timedelta(days=1 if not is_open else rng.uniform(1, 10))
                vs = vs.replace(minute=0, second=0, microsecond=0)
                vi.append(
                    {
                        "id": visit_id,
                        "order_id": oid,
                        "starts_at": vs,
                        "ends_at": vs + timedelta(hours=1),
                        "status": "completed" if status == "closed" else "scheduled",
                        "created_at": created,
                    }
                )
                vt.append(
                    {
                        "visit_id": visit_id,
                        "technician_id": rng.randint(1, techs),
                        "role": "lead",
                        "starts_at": vs,
                        "ends_at": vs + timedelta(hours=1),
                        "active": True,
                        "forced": True,
                    }
                )
        with engine.begin() as conn:
            _insert(conn, WorkOrder, wo)
            _insert(conn, OrderEvent, ev)
            _insert(conn, Visit, vi)
            _insert(conn, VisitTechnician, vt)
        print(f"  orders {start + len(wo):,}: {time.perf_counter() - t0:.1f}s", flush=True)
    with engine.begin() as conn:
        conn.execute(insert(Sequence), [{"name": "SO", "next_value": orders + 1}])
        if engine.dialect.name == "postgresql":
            for table in (
                "customer",
                "site",
                "work_order",
                "order_event",
                "visit",
                "visit_technician",
                "technician",
                "skill",
                "technician_skill",
                "shift",
            ):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
            conn.execute(text("ANALYZE"))
        else:
            conn.execute(text("ANALYZE"))
    print(f"  built in {time.perf_counter() - t0:.1f}s", flush=True)


def timed(fn, runs: int) -> tuple[float, float]:
    times = []
    for i in range(runs):
        t = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def measure(engine, orders: int, techs: int, runs: int) -> list[tuple[str, float, float]]:
    from svcdesk.services import kpis, queries, scheduling
    from svcdesk.services.kpi_scope import Period
    from svcdesk.services.settings import shop_zone

    rng = random.Random(2)
    customers = max(orders // 5, 10)
    results = []
    with Session(engine) as s:
        results.append(
            ("board: open orders (first 500)", *timed(lambda i: queries.list_orders(s), runs))
        )
        results.append(
            (
                "search by phone",
                *timed(
                    lambda i: queries.list_orders(
                        s, open_only=False, text=f"512{rng.randint(0, customers - 1):07d}", limit=50
                    ),
                    runs,
                ),
            )
        )
        results.append(
            (
                "search by name",
                *timed(
                    lambda i: queries.list_orders(
                        s,
                        open_only=False,
                        text=f"{rng.choice(LAST)} {rng.randint(0, customers - 1)}",
                        limit=50,
                    ),
                    runs,
                ),
            )
        )
        results.append(
            (
                "search by address",
                *timed(
                    lambda i: queries.list_orders(
                        s,
                        open_only=False,
                        text=f"{rng.randint(100, 9999)} {rng.choice(STREETS)}",
                        limit=50,
                    ),
                    runs,
                ),
            )
        )
        open_ids = [
            oid
            for (oid,) in s.execute(
                text("SELECT id FROM work_order WHERE status = 'new' ORDER BY id LIMIT 2000")
            )
        ]
        zone = shop_zone(s)
        period = Period.of(date(2026, 10, 26), date(2026, 11, 24), zone)
        kpi_ms = timed(lambda i: kpis.compute(s, period), max(5, runs // 20))
    writer = (
        engine.execution_options(svcdesk_write=True) if engine.dialect.name == "sqlite" else engine
    )

    def book(i):
        with Session(writer) as ws:
            order = ws.get(WorkOrder, open_ids[i % len(open_ids)])
            tech = ws.get(Technician, rng.randint(1, techs))
            day = NOW.date() + timedelta(days=1 + i % 5)
            start = datetime(day.year, day.month, day.day, 15, 0, tzinfo=UTC)
            scheduling.book_visit(ws, order, [tech], start, 60, force=True)
            ws.rollback()

    results.append(("book a visit (checks + insert, rolled back)", *timed(book, runs)))
    results.append(("KPI report, 30 days", *kpi_ms))
    return results


def _writer(url: str, worker: int, count: int, queue) -> None:
    from svcdesk.db import write_session
    from svcdesk.services import intake

    clock.freeze(NOW)
    engine = make_engine(url)
    failures = 0
    t = time.perf_counter()
    for n in range(count):
        try:
            with write_session(engine) as s:
                intake.create_order(
                    s,
                    intake.IntakeRequest(
                        summary="bench write",
                        customer=f"W{worker}",
                        phone=f"737{worker:03d}{n:04d}",
                        address=f"{n} Bench St",
                        zip="78701",
                    ),
                    actor=f"w{worker}",
                )
        except Exception as exc:  # counted, reported
            failures += 1
            print(f"writer {worker}: {exc}", file=sys.stderr)
    queue.put((count, failures, time.perf_counter() - t))


def write_throughput(url: str, workers: int = 4, each: int = 250) -> tuple[float, int]:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    t = time.perf_counter()
    procs = [ctx.Process(target=_writer, args=(url, w, each, q)) for w in range(workers)]
    for p in procs:
        p.start()
    res = [q.get() for _ in procs]
    for p in procs:
        p.join()
    wall = time.perf_counter() - t
    return sum(r[0] for r in res) / wall, sum(r[1] for r in res)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orders", type=int, default=1_000_000)
    ap.add_argument("--techs", type=int, default=200)
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--db", help="reuse this SQLite file (built if missing)")
    args = ap.parse_args()
    clock.freeze(NOW)
    server = None
    if args.backend == "postgresql":
        sys.path.insert(0, str(ROOT))
        from tests.support.pg import PgServer

        server = PgServer().start()
        url = server.create_database("scale")
        fresh = True
    else:
        path = Path(args.db or f"/tmp/svcdesk-scale-{args.orders}.db")
        fresh = not path.exists()
        url = str(path)
    try:
        engine = make_engine(url)
        if fresh:
            print(f"building {args.orders:,} orders on {args.backend} ...", flush=True)
            build(engine, args.orders, args.techs)
        results = measure(engine, args.orders, args.techs, args.runs)
        rate, failures = write_throughput(url)
        engine.dispose()
    finally:
        if server:
            server.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\n### {args.backend}: {args.orders:,} orders, {args.techs} technicians, {args.runs} runs\n"
    )
    print("| operation | p50 ms | p95 ms |\n|---|---:|---:|")
    for name, p50, p95 in results:
        print(f"| {name} | {p50:.1f} | {p95:.1f} |")
    print(f"| 4 writer processes × 250 orders | {rate:.0f} orders/s | {failures} failed |")
    print(f"\npeak RSS of the measuring process: {rss:.0f} MB")


if __name__ == "__main__":
    main()
