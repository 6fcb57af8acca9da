"""Inventory benchmark (not collected by pytest: no test_ functions, tests/bench is ignored).

    .venv/bin/python tests/bench/inventory.py                 # 5,000 parts, 60 trucks, 1M moves
    .venv/bin/python tests/bench/inventory.py --moves 100000  # smaller

Builds a SQLite file with 5,000 parts, one warehouse and 60 trucks (each truck with par
levels on the 150 parts it carries), and a ledger of `--moves` stock moves (receipts into
the warehouse, transfers of a truck's parts to it, consumption on trucks; generated so no location goes negative; it
ends with a restock that brings about 90 % of the truck lines back to par),
bulk-inserted, with the running balances written from the same generator. It then checks
the balances against the ledger (`stock.verify`) and times, as the console and the CLI
run them (each in its own read or write transaction):

* on-hand for one truck (`stock.on_hand_rows`): target < 100 ms;
* the full reorder report (`restock.reorder_report`): target < 100 ms;
* recording a part on a visit (`part_usage.use_part`, one write transaction each,
  commit included): target < 10 ms;
plus the pure-ledger sum for one truck (no cache, indexed) and the whole-ledger verify.
Median and max of repeated runs are printed."""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from sqlalchemy import text  # noqa: E402

from svcdesk import clock  # noqa: E402
from svcdesk.db import make_engine, read_session, write_session  # noqa: E402
from svcdesk.services.crm import technicians as techs_svc  # noqa: E402
from svcdesk.services.inventory import part_usage, restock, stock  # noqa: E402
from svcdesk.services.inventory.parts import get_part  # noqa: E402
from svcdesk.services.orders import intake, scheduling  # noqa: E402

NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


def build(engine, parts: int, trucks: int, moves: int, seed: int) -> dict:
    rng = random.Random(seed)
    with write_session(engine) as s:
        for i in range(trucks):
            techs_svc.create_technician(s, name=f"Tech {i:02d}", skills=["hvac"])
        wh = stock.add_location(s, "Main warehouse")
        stock.ensure_trucks(s)
    conn = engine.raw_connection()
    cur = conn.cursor()
    cur.execute("BEGIN")
    cur.executemany(
        "INSERT INTO part (sku, name, unit, cost_cents, list_price_cents, reorder_point_milli,"
        " reorder_qty_milli, preferred_vendor, taxable, active) VALUES (?,?,?,?,?,?,?,?,1,1)",
        [
            (f"P-{i:05d}", f"Part number {i}", "ea", 100 + i % 900, 300 + i % 2500,
             rng.choice([0, 5000, 20000, 80000]), 50000, f"Vendor {i % 7}")
            for i in range(parts)
        ],
    )  # fmt: skip
    truck_ids = [r[0] for r in cur.execute("SELECT id FROM stock_location WHERE kind='truck'")]
    wh_id = wh.id
    pars = []
    carried: dict[int, list[int]] = {}  # a truck carries the parts it has par levels for
    for t in truck_ids:
        carried[t] = rng.sample(range(1, parts + 1), min(150, parts))
        pars += [(t, p, 2000, 5000) for p in carried[t]]
    cur.executemany(
        "INSERT INTO stock_par (location_id, part_id, min_milli, par_milli) VALUES (?,?,?,?)", pars
    )
    balance: dict[tuple[int, int], int] = {}
    rows = []
    at = NOW - timedelta(days=365)
    step = timedelta(days=365) / max(moves, 1)
    for _ in range(moves):
        at += step
        roll = rng.random()
        truck = rng.choice(truck_ids)
        part = rng.randint(1, parts) if roll < 0.1 else rng.choice(carried[truck])
        if roll < 0.2 or balance.get((wh_id, part), 0) < 1000:
            qty = rng.randint(5, 40) * 1000
            rows.append((part, None, wh_id, qty, "receive", at))
            balance[(wh_id, part)] = balance.get((wh_id, part), 0) + qty
        elif roll < 0.55 or balance.get((truck, part), 0) < 1000:
            qty = min(balance[(wh_id, part)], rng.randint(1, 4) * 1000)
            rows.append((part, wh_id, truck, qty, "transfer", at))
            balance[(wh_id, part)] -= qty
            balance[(truck, part)] = balance.get((truck, part), 0) + qty
        else:
            qty = min(balance[(truck, part)], 1000)
            rows.append((part, truck, None, qty, "consume", at))
            balance[(truck, part)] -= qty
        if len(rows) >= 50000:
            _insert_moves(cur, rows)
            rows = []
    # the weekly restock has just run: most truck lines are back at par (as in a real shop)
    for t, p, _min, par_milli in pars:
        have = balance.get((t, p), 0)
        if have < par_milli and rng.random() < 0.9 and balance.get((wh_id, p), 0) >= par_milli:
            rows.append((p, wh_id, t, par_milli - have, "transfer", at))
            balance[(wh_id, p)] -= par_milli - have
            balance[(t, p)] = par_milli
    _insert_moves(cur, rows)
    cur.executemany(
        "INSERT INTO stock_balance (location_id, part_id, on_hand_milli) VALUES (?,?,?)",
        [(loc, part, qty) for (loc, part), qty in balance.items()],
    )
    conn.commit()
    cur.execute("ANALYZE")
    conn.close()
    return {"truck_ids": truck_ids, "warehouse": wh_id}


def _insert_moves(cur, rows) -> None:
    cur.executemany(
        "INSERT INTO stock_move (part_id, from_location_id, to_location_id, qty_milli, kind,"
        " at, actor) VALUES (?,?,?,?,?,?,'bench')",
        [(p, f, t, q, k, a.replace(tzinfo=None).isoformat(sep=" ")) for p, f, t, q, k, a in rows],
    )


def timed(fn, repeat: int) -> tuple[float, float, float]:
    """(median wall ms, max wall ms, median CPU ms of this process). On a shared, loaded
    machine the wall time includes waiting for a core; the CPU time is the work itself."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return statistics.median(wall), max(wall), statistics.median(cpu)


def report(label: str, figures: tuple[float, float, float], target: float | None) -> None:
    med, worst, cpu = figures
    verdict = "" if target is None else ("  OK" if med < target else f"  OVER {target} ms")
    print(
        f"{label:<44} wall median {med:8.2f} ms  max {worst:8.2f} ms"
        f"  cpu median {cpu:7.2f} ms{verdict}"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--parts", type=int, default=5000)
    ap.add_argument("--trucks", type=int, default=60)
    ap.add_argument("--moves", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    clock.freeze(NOW)
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(str(Path(tmp) / "bench.db"))
        t0 = time.perf_counter()
        ids = build(engine, args.parts, args.trucks, args.moves, args.seed)
        print(f"built {args.parts} parts, {args.trucks} trucks, {args.moves:,} moves "
              f"in {time.perf_counter() - t0:.1f} s")  # fmt: skip
        with read_session(engine) as s:
            count = s.exec(text("SELECT count(*) FROM stock_move")).one()[0]
            start = time.perf_counter()
            drift = stock.verify(s)
            verify_ms = (time.perf_counter() - start) * 1000
        print(f"ledger rows {count:,}; verify (every balance vs ledger sum): "
              f"{len(drift)} differences in {verify_ms:.0f} ms")  # fmt: skip
        truck = ids["truck_ids"][len(ids["truck_ids"]) // 2]

        def one_truck():
            with read_session(engine) as s:
                rows = stock.on_hand_rows(s, truck)
            assert rows

        def ledger_truck():
            with read_session(engine) as s:
                stock.ledger_on_hand(s, truck)

        def reorder():
            with read_session(engine) as s:
                return restock.reorder_report(s)

        report("on-hand, one truck (running balance)", timed(one_truck, args.repeat), 100)
        report("full reorder report", timed(reorder, args.repeat), 100)
        print(f"  ({len(reorder())} reorder lines)")
        report("on-hand, one truck from the ledger alone", timed(ledger_truck, 5), None)

        with write_session(engine) as s:
            tech = techs_svc.find_technician(s, "Tech 30")
            order, _ = intake.create_order(s, intake.IntakeRequest(
                summary="Bench job", customer="Bench Co", phone="512-555-0199",
                address="1 Bench St", skill="hvac"))  # fmt: skip
            visit = scheduling.book_visit(s, order, [tech], NOW + timedelta(hours=1), force=True)
            truck_loc = stock.truck_of(s, tech.id)
            stocked = s.connection().execute(
                text("SELECT part_id FROM stock_balance WHERE location_id=:l AND on_hand_milli>=50000"),
                {"l": truck_loc.id},
            ).first()  # fmt: skip
            if stocked is None:
                part_id = 1
                stock.post_move(s, part=get_part(s, "1"), qty_milli=500000, kind="receive",
                                to_loc=truck_loc, actor="bench")  # fmt: skip
            else:
                part_id = stocked[0]
            order_no, visit_id = order.number, visit.id

        def record():
            with write_session(engine) as s:
                from svcdesk.models import Visit
                from svcdesk.models.inventory import Part
                from svcdesk.services.orders.lifecycle import get_order

                part_usage.use_part(s, get_order(s, order_no), s.get(Part, part_id), 100,
                                    visit=s.get(Visit, visit_id), actor="bench")  # fmt: skip

        report("record a part on a visit (txn + commit)", timed(record, 100), 10)
        with read_session(engine) as s:
            print(f"balances still match the ledger after the uses: {stock.verify(s) == []}")
        engine.dispose()


if __name__ == "__main__":
    main()
