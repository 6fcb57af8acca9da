"""Billing benchmark (not collected by pytest: no test_ functions, tests/bench is ignored).

    .venv/bin/python tests/bench/billing.py                # 10,000 orders, 100 PDFs
    .venv/bin/python tests/bench/billing.py --orders 2000 --pdfs 20 [--one-by-one]

1. Builds a file database with N completed orders, each with 1-3 approved work time
   entries (some outside the shift, every 20th order an emergency), 3-8 parts used (5 %
   warranty usage), an arrived visit (trip charge); a third of the orders have an asset
   under warranty, a quarter an active service agreement (labor/parts discounts).
2. Invoices every order in transactions of 500 with `from_order.invoice_orders` (what
   `invoices create --ready` and `I` in the console's ready queue run; `--one-by-one`:
   `invoice_order` per order, the one-keystroke path) and reports invoices/s and
   invoices per CPU-second (target >= 500/s), then checks every invoice's lines add up.
3. Renders PDFs of the first M invoices and reports the time per PDF.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from sqlalchemy import func, insert, select  # noqa: E402

from svcdesk import clock  # noqa: E402
from svcdesk.db import make_engine, read_session, write_session  # noqa: E402
from svcdesk.models import (  # noqa: E402
    Asset,
    Customer,
    Site,
    Visit,
    WorkOrder,
)
from svcdesk.models.agreements import Agreement  # noqa: E402
from svcdesk.models.billing import Invoice, InvoiceLine  # noqa: E402
from svcdesk.models.execution import TimeEntry  # noqa: E402
from svcdesk.models.inventory import Part, PartUsage, StockLocation  # noqa: E402
from svcdesk.models.shop import TaxZone  # noqa: E402
from svcdesk.services.billing import documents, from_order, pdf, pricebook_csv  # noqa: E402
from svcdesk.services.crm import technicians  # noqa: E402

NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
BATCH = 500


def build(engine, n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    with write_session(engine) as s:
        pricebook_csv.import_pricebook(
            s, "pricebook.csv", (REPO / "data" / "pricebook.csv").read_text()
        )
        techs = [
            technicians.create_technician(
                s,
                name=f"Tech {i}",
                skills=["hvac"],
                level=rng.choice(["tech", "senior", "apprentice"]),
            ).id
            for i in range(10)
        ]
        loc = StockLocation(name="Warehouse")
        s.add(loc)
        s.flush()
        parts = []
        for i in range(200):
            p = Part(
                sku=f"P-{i:04d}",
                name=f"Part {i}",
                cost_cents=rng.randint(100, 60000),
                list_price_cents=rng.choice([0, rng.randint(500, 90000)]),
            )
            s.add(p)
            parts.append(p)
        customers = []
        for i in range(500):
            c = Customer(name=f"Customer {i}", tax_exempt=i % 50 == 0)
            s.add(c)
            customers.append(c)
        s.flush()
        sites, assets = [], []
        zone = TaxZone(name="Austin", rate_bp=825)
        s.add(zone)
        s.flush()
        for c in customers:
            site = Site(
                customer_id=c.id,
                address=f"{c.id} Main St",
                address_key=f"k{c.id}",
                tax_zone_id=zone.id,
            )
            s.add(site)
            sites.append(site)
        s.flush()
        for site in sites:
            a = Asset(
                site_id=site.id,
                kind="furnace",
                warranty_until=date(2027, 6, 1) if rng.random() < 0.33 else None,
            )
            s.add(a)
            assets.append(a)
        agreements = []
        for i, c in enumerate(customers[::4]):
            ag = Agreement(
                number=f"AG-{i:06d}",
                customer_id=c.id,
                name="Club",
                status="active",
                starts_on=date(2026, 1, 1),
                term_start=date(2026, 1, 1),
                ends_on=date(2026, 12, 31),
                labor_discount_bp=1000,
                parts_discount_bp=1500,
                covered_visits=1,
            )
            s.add(ag)
            agreements.append(ag)
        s.flush()
        ag_by_customer = {a.customer_id: a.id for a in agreements}
        order_rows, entry_rows, usage_rows, visit_rows = [], [], [], []
        for i in range(n):
            k = rng.randrange(len(customers))
            done = NOW - timedelta(days=rng.randint(1, 60), hours=rng.randint(0, 8))
            order_rows.append(
                dict(
                    number=f"SO-{i + 1:06d}",
                    customer_id=customers[k].id,
                    site_id=sites[k].id,
                    asset_id=assets[k].id,
                    agreement_id=ag_by_customer.get(customers[k].id),
                    kind="maintenance" if i % 7 == 0 else "repair",
                    priority="emergency" if i % 20 == 0 else "normal",
                    priority_rank=0 if i % 20 == 0 else 2,
                    status="completed",
                    summary="Job",
                    created_at=done - timedelta(days=1),
                    updated_at=done,
                    completed_at=done,
                    version=1,
                )
            )
        s.execute(insert(WorkOrder), order_rows)
        ids = [r[0] for r in s.execute(select(WorkOrder.id).order_by(WorkOrder.id))]
        for oid in ids:
            done = NOW - timedelta(days=rng.randint(1, 60))
            start = done.replace(hour=rng.choice([14, 15, 20, 22]), minute=0)
            visit_rows.append(
                dict(
                    order_id=oid,
                    starts_at=start,
                    ends_at=start + timedelta(hours=2),
                    status="completed",
                    arrived_at=start,
                    created_at=start,
                )
            )
            t = start
            for _ in range(rng.randint(1, 3)):
                end = t + timedelta(minutes=rng.randint(20, 150))
                entry_rows.append(
                    dict(
                        technician_id=rng.choice(techs),
                        order_id=oid,
                        kind="work",
                        starts_at=t,
                        ends_at=end,
                        source="manual",
                        approved=True,
                        created_at=t,
                        created_by="bench",
                    )
                )
                t = end + timedelta(minutes=5)
            for _ in range(rng.randint(3, 8)):
                p = rng.choice(parts)
                usage_rows.append(
                    dict(
                        order_id=oid,
                        part_id=p.id,
                        location_id=loc.id,
                        qty_milli=rng.choice([1000, 2000, 2500]),
                        unit_cost_cents=p.cost_cents,
                        unit_price_cents=p.list_price_cents,
                        taxable=True,
                        warranty=rng.random() < 0.05,
                        used_at=start,
                        recorded_by="bench",
                    )
                )
        s.execute(insert(Visit), visit_rows)
        s.execute(insert(TimeEntry), entry_rows)
        s.execute(insert(PartUsage), usage_rows)


def invoice_all(engine, one_by_one: bool = False) -> tuple[int, float, float]:
    with read_session(engine) as s:
        ids = [n for (n,) in s.execute(select(WorkOrder.id).order_by(WorkOrder.id))]
    done = 0
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(ids), BATCH):
        with write_session(engine) as s:
            orders = list(s.scalars(select(WorkOrder).where(WorkOrder.id.in_(ids[i : i + BATCH]))))
            orders.sort(key=lambda o: o.id)
            if one_by_one:  # the one-keystroke path, once per order
                ctx = from_order.PricingContext.load(s)
                for order in orders:
                    from_order.invoice_order(s, order, actor="bench", ctx=ctx)
            else:  # the ready-to-invoice queue: one call per batch
                from_order.invoice_orders(s, orders, actor="bench")
            done += len(orders)
    return done, time.perf_counter() - start, time.process_time() - cpu


def check(engine) -> tuple[int, int]:
    with read_session(engine) as s:
        bad = s.execute(
            select(func.count()).select_from(
                select(Invoice.id)
                .join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
                .group_by(Invoice.id, Invoice.total_cents)
                .having(func.sum(InvoiceLine.total_cents) != Invoice.total_cents)
                .subquery()
            )
        ).scalar_one()
        lines = s.execute(select(func.count()).select_from(InvoiceLine)).scalar_one()
    return bad, lines


def pdfs(engine, m: int) -> list[float]:
    times = []
    with read_session(engine) as s:
        numbers = list(s.execute(select(Invoice.number).order_by(Invoice.id).limit(m)).scalars())
        for number in numbers:
            t = time.perf_counter()
            data = pdf.render_pdf(documents.invoice_document(s, number))
            times.append(time.perf_counter() - t)
            assert data.startswith(b"%PDF")
    return times


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=10_000)
    ap.add_argument("--pdfs", type=int, default=100)
    ap.add_argument(
        "--one-by-one", action="store_true", help="invoice_order per order (not invoice_orders)"
    )
    args = ap.parse_args()
    clock.freeze(NOW)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(str(Path(tmp) / "bench.db"))
        t = time.perf_counter()
        build(engine, args.orders)
        print(f"setup: {args.orders} completed orders in {time.perf_counter() - t:.1f} s")
        n, secs, cpu = invoice_all(engine, args.one_by_one)
        print(
            f"invoiced {n} orders in {secs:.2f} s wall = {n / secs:.0f} invoices/s "
            f"(target >= 500); {cpu:.2f} s CPU = {n / cpu:.0f} invoices per CPU-second"
        )
        bad, lines = check(engine)
        print(f"{lines} invoice lines; invoices whose lines do not add up: {bad}")
        print(
            f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
            f"on {os.cpu_count()} CPUs"
        )
        times = pdfs(engine, args.pdfs)
        if times:
            print(
                f"rendered {len(times)} PDFs: median {statistics.median(times) * 1000:.1f} ms, "
                f"max {max(times) * 1000:.1f} ms, total {sum(times):.2f} s"
            )
        engine.dispose()


if __name__ == "__main__":
    main()
