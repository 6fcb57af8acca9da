"""Exports and KPI benchmark (not collected by pytest: tests/bench is ignored).

    python tests/bench/exports.py                 # 1,000,000 orders
    python tests/bench/exports.py --orders 100000 # smaller
    python tests/bench/exports.py --db FILE --no-kpi  # an existing shop, export only

Builds (once, cached by size) a database of N orders over the last ten years with
customers, sites, visits, crews, status events, invoices, time entries and parts used,
written with the sqlite3 module's executemany (the app's services would take hours). The
KPI facts `first_arrival_at`/`first_invoiced_at` are filled as the history rows go in, by
the same order_event trigger the app relies on (svcdesk/db_facts.py).
Then, each in a fresh subprocess so peak RSS is the command's own:

1. `svcdesk export orders --format csv` (the full export, streamed);
2. the sqlite3 shell's own CSV export of the SAME query (compiled from
   `services.exports.export_query` with literal parameters): `sqlite3 -csv -header`;
3. `svcdesk report kpis` for the last 365 days (also timed in-process, without startup).

Targets: export within 3x of the sqlite3 shell, peak RSS < 150 MB; KPI report
for a year < 2 s. Prints one line per measurement and a Markdown table for
docs/performance.md.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
DONE = ("completed", "invoiced", "closed")
YEARS = 10  # a million orders = ten years of a large shop (~400 orders a working day)
FMT = "%Y-%m-%d %H:%M:%S.%f"
# Bump when the generated data or the schema it needs changes (the cached file is rebuilt).
# v2: schema 0003 (first_arrival_at / first_invoiced_at, filled by the order_event trigger
# as the history rows are inserted).
DATA_VERSION = "v2"


def ts(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime(FMT)


def build(path: Path, n: int, seed: int = 7) -> None:
    from svcdesk.db import make_engine

    make_engine(str(path)).dispose()  # schema
    rng = random.Random(seed)
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    cur = con.cursor()
    skills = ["hvac", "plumbing", "electrical", "drain", "appliance"]
    cur.executemany("INSERT INTO skill (id, code, name) VALUES (?,?,?)",
                    [(i + 1, s, s.title()) for i, s in enumerate(skills)])  # fmt: skip
    techs = max(40, n // 8000)  # ~125 for a million orders: ~800 visits a tech a year
    cur.executemany(
        "INSERT INTO technician (id, name, hourly_cost_cents, level, color, active) "
        "VALUES (?,?,?,?,?,1)",
        [(t, f"Tech {t:02d}", 3500 + 50 * t, "tech", "#4e9a06") for t in range(1, techs + 1)],
    )
    cur.executemany(
        "INSERT INTO shift (technician_id, weekday, start_minute, end_minute) VALUES (?,?,?,?)",
        [(t, d, 480, 1020) for t in range(1, techs + 1) for d in range(5)],
    )
    customers = max(1000, n // 50)
    cur.executemany(
        "INSERT INTO customer (id, name, kind, phone, tax_exempt, requires_signature, "
        "created_at) VALUES (?,?,?,?,0,0,?)",
        [(c, f"Customer {c}", "residential", f"512-555-{c % 10000:04d}",
          ts(NOW - timedelta(days=1200))) for c in range(1, customers + 1)],
    )  # fmt: skip
    cur.execute("INSERT INTO tax_zone (id, name, rate_bp, active) VALUES (1, 'Austin', 825, 1)")
    cur.executemany(
        "INSERT INTO site (id, customer_id, address, city, state, zip, address_key, "
        "tax_zone_id) VALUES (?,?,?,?,?,?,?,1)",
        [(c, c, f"{c} Main St", "Austin", "TX", "78701", f"{c} main st 78701")
         for c in range(1, customers + 1)],
    )  # fmt: skip
    span = YEARS * 365 * 86400
    orders, visits, crews, events, invoices, entries, usages = [], [], [], [], [], [], []
    cur.execute(
        "INSERT INTO part (id, sku, name, unit, cost_cents, list_price_cents, "
        "reorder_point_milli, reorder_qty_milli, taxable, active) "
        "VALUES (1,'FLT-1','Filter','ea',1250,2500,0,0,1,1)"
    )
    cur.execute(
        "INSERT INTO stock_location (id, name, kind, active) VALUES (1,'Main','warehouse',1)"
    )
    vid = iid = 0
    statuses = ["invoiced"] * 60 + ["closed"] * 20 + ["completed"] * 5 + ["cancelled"] * 5 + [
        "new", "scheduled", "on_hold", "dispatched"] * 2 + ["on_site", "en_route"]  # fmt: skip

    def flush():
        con.executemany(
            "INSERT INTO work_order (id, number, customer_id, site_id, kind, priority, "
            "priority_rank, status, summary, skill_id, est_minutes, sla_due, source, "
            "created_at, updated_at, completed_at, version, callback_of_id) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", orders)  # fmt: skip
        con.executemany(
            "INSERT INTO visit (id, order_id, starts_at, ends_at, status, arrived_at, "
            "departed_at, outcome, created_at) VALUES (?,?,?,?,?,?,?,?,?)", visits)  # fmt: skip
        con.executemany(
            "INSERT INTO visit_technician (visit_id, technician_id, role, starts_at, ends_at, "
            "active, forced) VALUES (?,?,?,?,?,1,0)", crews)  # fmt: skip
        con.executemany(
            "INSERT INTO order_event (order_id, at, actor, kind, from_status, to_status) "
            "VALUES (?,?,'bench',?,?,?)", events)  # fmt: skip
        con.executemany(
            "INSERT INTO invoice (id, number, customer_id, order_id, status, tax_rate_bp, "
            "tax_exempt, discount_bp, discount_amount_cents, subtotal_cents, covered_cents, "
            "discount_cents, tax_cents, total_cents, paid_cents, issued_at, due_on, "
            "created_at, updated_at, created_by, version) "
            "VALUES (?,?,?,?,?,825,0,0,0,?,0,0,?,?,?,?,?,?,?,'bench',1)", invoices)  # fmt: skip
        con.executemany(
            "INSERT INTO time_entry (technician_id, order_id, visit_id, kind, starts_at, "
            "ends_at, source, approved, created_at, created_by) "
            "VALUES (?,?,?,'work',?,?,'auto',1,?,'bench')", entries)  # fmt: skip
        con.executemany(
            "INSERT INTO part_usage (order_id, visit_id, part_id, location_id, technician_id, "
            "qty_milli, unit_cost_cents, unit_price_cents, taxable, warranty, used_at, "
            "recorded_by) VALUES (?,?,1,1,?,1000,1250,2500,1,0,?,'bench')", usages)  # fmt: skip
        for rows in (orders, visits, crews, events, invoices, entries, usages):
            rows.clear()

    for o in range(1, n + 1):
        created = NOW - timedelta(seconds=rng.randrange(span))
        status = rng.choice(statuses)
        if created < NOW - timedelta(days=60) and status not in DONE + ("cancelled",):
            status = "closed"  # old work is finished: the backlog is recent, as in a real shop
        cust = rng.randrange(1, customers + 1)
        skill = rng.randrange(1, 6)
        prio = rng.choice(["emergency", "high", "normal", "normal", "low"])
        done = status in DONE
        completed = created + timedelta(hours=rng.randrange(4, 96)) if done else None
        if completed and completed > NOW:
            completed, status, done = None, "scheduled", False
        orders.append((o, f"SO-{o:06d}", cust, cust, "repair", prio,
                       ["emergency", "high", "normal", "low"].index(prio), status,
                       f"Job {o}, {skills[skill - 1]} =check", skill, 60,
                       ts(created + timedelta(hours=24)), "phone", ts(created),
                       ts(completed or created), ts(completed) if completed else None, 3,
                       o - 1 if rng.random() < 0.02 and o > 1 else None))  # fmt: skip
        events.append((o, ts(created), "created", None, "new"))
        if status == "cancelled":
            events.append((o, ts(created + timedelta(hours=3)), "status", "new", "cancelled"))
            continue
        if not done:
            continue
        tech = rng.randrange(1, techs + 1)
        n_visits = 2 if rng.random() < 0.12 else 1
        arrive = created + timedelta(hours=2)
        for k in range(n_visits):
            vid += 1
            a = arrive + timedelta(hours=20 * k)
            d = min(a + timedelta(minutes=rng.randrange(30, 180)), completed)
            if d <= a:
                d = a + timedelta(minutes=30)
            visits.append((vid, o, ts(a), ts(d), "completed", ts(a), ts(d), "fixed", ts(created)))
            crews.append((vid, tech, "lead", ts(a), ts(d)))
            events.append((o, ts(a), "status", "en_route", "on_site"))
            entries.append((tech, o, vid, ts(a), ts(d), ts(d)))
        events.append((o, ts(completed), "status", "on_site", "completed"))
        if rng.random() < 0.4:
            usages.append((o, vid, tech, ts(completed)))
        if status in ("invoiced", "closed"):
            iid += 1
            issued = completed + timedelta(hours=rng.randrange(1, 72))
            sub = rng.randrange(9000, 90000)
            tax = sub * 825 // 10000
            if issued < NOW - timedelta(days=75):  # old invoices have been paid
                status = "closed"
                orders[-1] = (*orders[-1][:7], status, *orders[-1][8:])
            paid = sub + tax if status == "closed" else 0
            invoices.append((iid, f"INV-{iid:06d}", cust, o, "paid" if paid else "sent", sub,
                             tax, sub + tax, paid, ts(issued),
                             (issued + timedelta(days=30)).date().isoformat(), ts(issued),
                             ts(issued)))  # fmt: skip
            events.append((o, ts(issued), "status", "completed", "invoiced"))
        if len(orders) >= 20000:
            flush()
    flush()
    con.commit()
    con.execute("ANALYZE")
    con.close()


def rss_of(cmd: list[str], stdout_path: Path | None = None) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS MB) of one command, measured by a fresh wrapper
    process so RUSAGE_CHILDREN holds that command alone."""
    wrapper = (
        "import resource,subprocess,sys,time;"
        "t=time.perf_counter();"
        f"out=open({str(stdout_path or os.devnull)!r},'wb');"
        "subprocess.run(sys.argv[1:],check=True,stdout=out);"
        "e=time.perf_counter()-t;"
        "r=resource.getrusage(resource.RUSAGE_CHILDREN);"
        "print(e, r.ru_utime+r.ru_stime, r.ru_maxrss/1024)"
    )
    res = subprocess.run([sys.executable, "-c", wrapper, *cmd], check=True,
                         capture_output=True, text=True)  # fmt: skip
    wall, cpu, mb = res.stdout.split()
    return float(wall), float(cpu), float(mb)


def export_sql(db: Path) -> str:
    """The plain SELECT of the orders export (same joins, columns and ISO timestamps) for
    the sqlite3 shell, which then does its own CSV formatting."""
    from sqlalchemy.dialects import sqlite

    from svcdesk.services.reporting.exports import export_query, get_kind

    stmt = export_query(get_kind("orders"), None, None)
    return str(stmt.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))


def inprocess_export(db: Path, out: Path) -> float:
    from svcdesk.db import make_engine
    from svcdesk.services.reporting import exports

    engine = make_engine(str(db))
    start = time.perf_counter()
    exports.run_export(engine, "orders", "csv", out)
    return time.perf_counter() - start


def kpi_inprocess(db: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one year's KPI report, in-process (no interpreter start)."""
    from svcdesk import clock
    from svcdesk.db import make_engine, read_session
    from svcdesk.services.reporting import kpis

    clock.freeze(NOW)
    engine = make_engine(str(db))
    with read_session(engine) as s:
        period = kpis.period_for(s, (NOW - timedelta(days=364)).date(), NOW.date())
        kpis.compute(s, period, keys=["orders_created"])  # warm the schema/compiled caches
        for _ in range(2):  # the second run is reported (the file's pages in the OS cache)
            wall, cpu = time.perf_counter(), time.process_time()
            report = kpis.compute(s, period)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    t = report.total
    print(f"  (year: {t['orders_created'].value} created, {t['orders_completed'].value} "
          f"completed, FTF {t['first_time_fix'].text()}, revenue {t['revenue'].text()}, "
          f"margin {t['margin'].text()}, utilization {t['utilization'].text()})")  # fmt: skip
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=2, help="repeat; the last round is reported")
    ap.add_argument("--dir", default=os.environ.get("SVCDESK_BENCH_TMP", "/tmp/svcdesk-bench"))
    ap.add_argument("--db", help="an existing shop (e.g. tests/bench/scale.py's) instead of "
                    "building one; it is opened, so use a copy of a shared file")  # fmt: skip
    ap.add_argument("--no-kpi", action="store_true", help="the export comparison only")
    args = ap.parse_args()
    work = Path(args.dir)
    work.mkdir(parents=True, exist_ok=True)
    db = Path(args.db) if args.db else work / f"exports-{args.orders}-{DATA_VERSION}.db"
    if not db.exists():
        t = time.perf_counter()
        build(db, args.orders)
        print(f"built {db} ({db.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t:.0f} s")
    # this checkout's svcdesk, run by the interpreter running the bench (no venv path
    # assumed): `-m svcdesk` with the repository first on the path
    svcdesk = [sys.executable, "-m", "svcdesk"]
    env_now = {"SVCDESK_NOW": NOW.isoformat()}
    os.environ.update(env_now)
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p
    )
    ours = work / "orders.csv"
    theirs = work / "orders-sqlite3.csv"
    sql = export_sql(db)
    results = []
    for _ in range(args.rounds):  # later rounds run with a warm page cache for both
        sq = rss_of(["sqlite3", "-csv", "-header", str(db), sql], theirs)
        us = rss_of(
            [*svcdesk, "--db", str(db), "export", "orders", "--format", "csv", "--out", str(ours)]
        )
        results.append((us, sq))
    (w_us, c_us, m_us), (w_sq, c_sq, m_sq) = results[-1]
    with open(ours, newline="", encoding="utf-8") as fh:
        rows = sum(1 for _ in csv.reader(fh)) - 1
    print(
        f"export orders csv: {w_us:.1f} s wall, {c_us:.1f} s CPU, peak RSS {m_us:.0f} MB ({rows:,} rows)"
    )
    print(f"sqlite3 -csv same query: {w_sq:.1f} s wall, {c_sq:.1f} s CPU, peak RSS {m_sq:.0f} MB")
    print(f"ratio: {w_us / w_sq:.2f}x wall, {c_us / c_sq:.2f}x CPU (target <= 3x)")
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f}")
    if args.no_kpi:
        return
    start, end = (NOW - timedelta(days=364)).date(), NOW.date()
    w_cli, c_cli, m_cli = rss_of([*svcdesk, "--db", str(db), "report", "kpis", "--from",
                                  str(start), "--to", str(end), "--json"])  # fmt: skip
    w_in, c_in = kpi_inprocess(db)
    print(f"report kpis, one year: {w_in:.2f} s wall / {c_in:.2f} s CPU in-process; "
          f"command {w_cli:.1f} s wall / {c_cli:.1f} s CPU, peak RSS {m_cli:.0f} MB")  # fmt: skip
    print()
    print("| measurement | wall | CPU | peak RSS | target |")
    print("|---|---|---|---|---|")
    print(
        f"| `svcdesk export orders --format csv --out F` ({rows:,} rows, whole command) | "
        f"{w_us:.1f} s | {c_us:.1f} s | {m_us:.0f} MB | ≤ 3× sqlite3; < 150 MB |"
    )
    print(
        f"| `sqlite3 -csv -header DB '<same SELECT>'` | {w_sq:.1f} s | {c_sq:.1f} s | "
        f"{m_sq:.0f} MB | baseline |"
    )
    print(f"| ratio | {w_us / w_sq:.2f}× | {c_us / c_sq:.2f}× | | ≤ 3× |")
    print(
        f"| `kpis.compute` one year, all KPIs (in-process) | {w_in:.2f} s | {c_in:.2f} s | | "
        "< 2 s |"
    )
    print(
        f"| `svcdesk report kpis --json` one year (whole command) | {w_cli:.1f} s | "
        f"{c_cli:.1f} s | {m_cli:.0f} MB | |"
    )


if __name__ == "__main__":
    main()
