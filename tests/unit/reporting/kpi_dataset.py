"""A small shop whose KPIs were worked out by hand (the answers are in test_reporting_kpis.py
and docs/kpis.md). Rows are inserted directly so every timestamp is exactly as written.

Week of Mon 2026-11-16 .. Sun 2026-11-22, America/Chicago (UTC-6); "now" = 2026-11-25 14:00Z.
Ann (hvac, $36/h) and Ben (plumbing, $48/h) work Mon-Fri 08:00-16:00; Ben is off Wed 12-16.

  A  Acme  hvac      high       created Mon 14:00  Ann on site 16:00-17:30, completed 17:30
                                invoiced Tue 17:30 (INV-1 $330 incl. $30 tax, unpaid, due 11-17)
                                labor Ann 1.5 h, parts 2 x $12.50 at cost; SLA met
  B  Acme  hvac      normal     created Mon 15:00  Ann Tue 15:00-16:00 (needs parts),
                                Wed 15:00-15:30, completed Wed 15:30 (two visits: not FTF)
  C  Bolt  plumbing  emergency  created Tue 14:00  Ben + Ann (helper) 14:30-16:30, completed
                                invoiced Thu 16:30 (INV-2 $500 paid); labor 2 h each; SLA missed
  D  Bolt  plumbing  callback of C, created Fri 14:00, still new (C is a recall)
  E  Acme  hvac      maintenance created Thu 14:00, cancelled Thu 16:00
  F  Bolt  plumbing  created Fri 11-13 14:00 (before the week), still new
  INV-3 Bolt, no order, issued 2026-08-01, due 08-15, $200 with $50 paid (90+ days)
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from svcdesk.db import write_session
from svcdesk.models import (
    Customer,
    OrderEvent,
    Shift,
    Site,
    Skill,
    Technician,
    TechnicianSkill,
    TimeOff,
    Visit,
    VisitTechnician,
    WorkOrder,
)
from svcdesk.models.agreements import OrderSla
from svcdesk.models.billing import Invoice
from svcdesk.models.execution import TimeEntry
from svcdesk.models.inventory import Part, PartUsage, StockLocation

FIRST, LAST = date(2026, 11, 16), date(2026, 11, 22)


def t(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def build(engine) -> dict:
    with write_session(engine) as s:
        hvac, plumbing = Skill(code="hvac", name="HVAC"), Skill(code="plumbing", name="Plumbing")
        ann = Technician(name="Ann", hourly_cost_cents=3600)
        ben = Technician(name="Ben", hourly_cost_cents=4800)
        acme, bolt = Customer(name="Acme"), Customer(name="Bolt")
        s.add_all([hvac, plumbing, ann, ben, acme, bolt])
        s.flush()
        s.add_all(
            [
                TechnicianSkill(technician_id=ann.id, skill_id=hvac.id),
                TechnicianSkill(technician_id=ben.id, skill_id=plumbing.id),
                *[
                    Shift(technician_id=tid, weekday=d, start_minute=480, end_minute=960)
                    for tid in (ann.id, ben.id)
                    for d in range(5)
                ],
                TimeOff(technician_id=ben.id, starts_at=t(18, 18), ends_at=t(18, 22)),
            ]
        )
        site1 = Site(customer_id=acme.id, address="1 Main", address_key="1 main")
        site2 = Site(customer_id=bolt.id, address="2 Oak", address_key="2 oak")
        s.add_all([site1, site2])
        s.flush()

        def order(n, cust, site, skill, priority, created, status, kind="repair", **kw):
            o = WorkOrder(
                number=f"SO-{n:06d}", customer_id=cust.id, site_id=site.id, skill_id=skill.id,
                priority=priority, kind=kind, summary=f"order {n}", status=status,
                created_at=created, updated_at=created, **kw,
            )  # fmt: skip
            s.add(o)
            s.flush()
            return o

        def status(o, to, at):
            s.add(OrderEvent(order_id=o.id, at=at, kind="status", to_status=to))

        def visit(o, arrived, departed, *crew):
            v = Visit(
                order_id=o.id, starts_at=arrived, ends_at=departed, status="completed",
                arrived_at=arrived, departed_at=departed,
            )  # fmt: skip
            s.add(v)
            s.flush()
            for i, tech in enumerate(crew):
                s.add(
                    VisitTechnician(
                        visit_id=v.id, technician_id=tech.id, role="lead" if i == 0 else "helper",
                        starts_at=arrived, ends_at=departed,
                        forced=True,  # hand-made overlaps; outside PostgreSQL's no-overlap rule
                    )
                )  # fmt: skip
            return v

        a = order(1, acme, site1, hvac, "high", t(16, 14), "invoiced", completed_at=t(16, 17, 30))
        b = order(
            2, acme, site1, hvac, "normal", t(16, 15), "completed", completed_at=t(18, 15, 30)
        )
        c = order(3, bolt, site2, plumbing, "emergency", t(17, 14), "closed",
                  completed_at=t(17, 16, 30))  # fmt: skip
        d = order(4, bolt, site2, plumbing, "normal", t(20, 14), "new", kind="callback",
                  callback_of_id=c.id)  # fmt: skip
        e = order(5, acme, site1, hvac, "low", t(19, 14), "cancelled", kind="maintenance")
        f = order(6, bolt, site2, plumbing, "normal", t(13, 14), "new")

        v1 = visit(a, t(16, 16), t(16, 17, 30), ann)
        visit(b, t(17, 15), t(17, 16), ann)
        v3 = visit(b, t(18, 15), t(18, 15, 30), ann)
        v4 = visit(c, t(17, 14, 30), t(17, 16, 30), ben, ann)
        status(a, "on_site", t(16, 16))
        status(a, "completed", t(16, 17, 30))
        status(a, "invoiced", t(17, 17, 30))
        status(b, "on_site", t(17, 15))
        status(b, "on_site", t(18, 15))  # second arrival: not the response
        status(b, "completed", t(18, 15, 30))
        status(c, "on_site", t(17, 14, 30))
        status(c, "completed", t(17, 16, 30))
        status(c, "invoiced", t(19, 16, 30))
        status(e, "cancelled", t(19, 16))

        s.add_all(
            [
                TimeEntry(technician_id=ann.id, order_id=a.id, visit_id=v1.id, kind="work",
                          starts_at=t(16, 16), ends_at=t(16, 17, 30)),
                TimeEntry(technician_id=ben.id, order_id=c.id, visit_id=v4.id, kind="work",
                          starts_at=t(17, 14, 30), ends_at=t(17, 16, 30)),
                TimeEntry(technician_id=ann.id, order_id=c.id, visit_id=v4.id, kind="work",
                          starts_at=t(17, 14, 30), ends_at=t(17, 16, 30)),
                TimeEntry(technician_id=ann.id, order_id=b.id, visit_id=v3.id, kind="break",
                          starts_at=t(18, 15), ends_at=t(18, 15, 10)),
            ]
        )  # fmt: skip
        part = Part(sku="FLT-1", name="Filter", cost_cents=1250, list_price_cents=2500)
        truck = StockLocation(name="Truck: Ann", kind="truck", technician_id=ann.id)
        s.add_all([part, truck])
        s.flush()
        s.add(
            PartUsage(order_id=a.id, visit_id=v1.id, part_id=part.id, location_id=truck.id,
                      technician_id=ann.id, qty_milli=2000, unit_cost_cents=1250,
                      unit_price_cents=2500)
        )  # fmt: skip
        s.add_all(
            [
                Invoice(number="INV-000001", customer_id=acme.id, order_id=a.id, status="sent",
                        subtotal_cents=30000, tax_cents=3000, total_cents=33000,
                        issued_at=t(17, 17, 30), due_on=date(2026, 11, 17)),
                Invoice(number="INV-000002", customer_id=bolt.id, order_id=c.id, status="paid",
                        subtotal_cents=50000, total_cents=50000, paid_cents=50000,
                        issued_at=t(19, 16, 30), due_on=date(2026, 12, 19)),
                Invoice(number="INV-000003", customer_id=bolt.id, status="partially_paid",
                        subtotal_cents=20000, total_cents=20000, paid_cents=5000,
                        issued_at=datetime(2026, 8, 1, 15, tzinfo=UTC),
                        due_on=date(2026, 8, 15)),
                Invoice(number="INV-000004", customer_id=acme.id, order_id=b.id, status="draft",
                        subtotal_cents=99900, total_cents=99900),
                Invoice(number="INV-000005", customer_id=acme.id, order_id=b.id, status="void",
                        subtotal_cents=12300, total_cents=12300, issued_at=t(18, 16)),
            ]
        )  # fmt: skip
        for o, met_resolution in ((a, True), (c, False)):
            s.add(
                OrderSla(
                    order_id=o.id, policy="shop", started_at=o.created_at, response_minutes=240,
                    resolution_minutes=480, response_due=t(23, 0), resolution_due=t(23, 0),
                    responded_at=o.created_at, resolved_at=o.completed_at, response_met=True,
                    resolution_met=met_resolution,
                )
            )  # fmt: skip
        return {
            "ann": ann.id, "ben": ben.id, "acme": acme.id, "bolt": bolt.id,
            "hvac": hvac.id, "plumbing": plumbing.id,
            **{k: o.id for k, o in zip("abcdef", (a, b, c, d, e, f), strict=True)},
        }  # fmt: skip
