"""PM and SLA benchmark (not collected by pytest: no test_ functions, tests/bench is ignored).

    .venv/bin/python tests/bench/pm.py [--agreements 2000] [--plans 5000] [--open 10000]

1. Builds a throwaway SQLite database (temp dir) with N customers/sites, N active
   agreements and P maintenance plans (monthly, quarterly, twice-yearly, yearly rules,
   some anchored on completion), inserted in bulk.
2. Times `pm_generate.generate` for the next 12 months (one transaction, as `svcdesk pm
   generate --through` runs it), then a second, idempotent run that creates nothing.
3. Times the SLA state of the open orders: `sla_state.states_for` for 10,000 order ids
   (what the board calls) and `sla_state.open_states` (the query + states behind `svcdesk
   sla`). Targets: generation under 5 s, states for 10,000 orders under 200 ms.
   Wall and CPU (process) time are both printed: on a shared machine the wall figure
   includes waiting for the CPU.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from sqlalchemy import insert, select  # noqa: E402

from svcdesk import clock  # noqa: E402
from svcdesk.db import make_engine, read_session, write_session  # noqa: E402
from svcdesk.models import Customer, Site, WorkOrder  # noqa: E402
from svcdesk.models.agreements import Agreement, MaintenancePlan  # noqa: E402
from svcdesk.services.agreements import pm_generate, sla_state  # noqa: E402

RULES = [
    ("FREQ=MONTHLY;BYMONTHDAY=15", "scheduled"),
    ("FREQ=MONTHLY;INTERVAL=3;BYDAY=2TU", "scheduled"),
    ("FREQ=YEARLY;BYMONTH=4,10;BYDAY=1MO", "scheduled"),
    ("FREQ=YEARLY;BYMONTH=3", "scheduled"),
    ("FREQ=MONTHLY;BYMONTHDAY=-1", "scheduled"),
    ("FREQ=MONTHLY;INTERVAL=6", "completed"),
]


def build(engine, n_agreements: int, n_plans: int, today: date) -> None:
    with write_session(engine) as s:
        s.execute(
            insert(Customer),
            [{"name": f"Customer {i}", "created_at": clock.now()} for i in range(n_agreements)],
        )
        s.execute(insert(Site), [{"customer_id": i + 1, "address": f"{i} Main St",
                                  "address_key": f"{i} main st"} for i in range(n_agreements)])  # fmt: skip
        start = today - timedelta(days=30)
        s.execute(insert(Agreement), [{
            "number": f"AG-{i + 1:06d}", "customer_id": i + 1, "name": "Bench", "status": "active",
            "starts_on": start, "term_start": start, "ends_on": start + timedelta(days=730),
            "term_months": 24, "auto_renew": True, "price_cents": 1900, "billing_cycle": "monthly",
            "labor_discount_bp": 0, "parts_discount_bp": 0, "covered_visits": 2, "renewals": 0,
            "created_at": clock.now(), "updated_at": clock.now()} for i in range(n_agreements)])  # fmt: skip
        s.execute(insert(MaintenancePlan), [{
            "agreement_id": i % n_agreements + 1, "site_id": i % n_agreements + 1,
            "summary": f"PM {i}", "rrule": RULES[i % len(RULES)][0],
            "anchor": RULES[i % len(RULES)][1], "starts_on": start, "generate_from": today,
            "est_minutes": 60, "priority": "low", "active": True,
            "created_at": clock.now()} for i in range(n_plans)])  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--agreements", type=int, default=2000)
    ap.add_argument("--plans", type=int, default=5000)
    ap.add_argument("--open", type=int, default=10000)
    args = ap.parse_args()
    today = clock.now().date()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(str(Path(tmp) / "bench.db"))
        build(engine, args.agreements, args.plans, today)
        through = today + timedelta(days=365)
        t0, c0 = time.perf_counter(), time.process_time()
        with write_session(engine) as s:
            created = len(pm_generate.generate(s, through).created)
        gen, gen_cpu = time.perf_counter() - t0, time.process_time() - c0
        t0 = time.perf_counter()
        with write_session(engine) as s:
            again = pm_generate.generate(s, through)
        rerun = time.perf_counter() - t0
        print(f"{args.agreements} agreements, {args.plans} plans: generated {created} orders "
              f"for 12 months in {gen:.2f} s wall, {gen_cpu:.2f} s CPU (target < 5 s); re-run created "
              f"{len(again.created)}, skipped {len(again.skipped)} in {rerun:.2f} s")  # fmt: skip
        with read_session(engine) as s:
            ids = list(
                s.execute(select(WorkOrder.id).order_by(WorkOrder.id).limit(args.open)).scalars()
            )
        times, cpu, open_times = [], [], []
        for _ in range(5):
            with read_session(engine) as s:
                t0, c0 = time.perf_counter(), time.process_time()
                states = sla_state.states_for(s, ids)
                times.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
            with read_session(engine) as s:
                t0 = time.perf_counter()
                rows = sla_state.open_states(s)
                open_times.append(time.perf_counter() - t0)
        print(f"SLA states for {len(states)} open orders: median {statistics.median(times) * 1000:.0f} ms "
              f"wall, {statistics.median(cpu) * 1000:.0f} ms CPU (target < 200 ms); `svcdesk sla` query + states for all {len(rows)} open orders: "
              f"median {statistics.median(open_times) * 1000:.0f} ms")  # fmt: skip
        engine.dispose()


if __name__ == "__main__":
    main()
