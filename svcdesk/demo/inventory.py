"""Demo step 25: the parts catalog (`data/parts.csv`), a warehouse and one truck per
technician with par levels, purchase receipts, restocks, and parts used on completed
visits (consumed from the lead's truck at departure), all through the inventory services."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, col, select

from svcdesk import clock
from svcdesk.demo import DemoContext
from svcdesk.models import Skill, Visit, VisitStatus, VisitTechnician, WorkOrder
from svcdesk.models.inventory import MoveKind, Part
from svcdesk.services.execution import visit_progress as vp
from svcdesk.services.inventory import part_usage, parts, restock, stock

ORDER = 25
DATA = Path(__file__).resolve().parents[2] / "data" / "parts.csv"
PREFIX = {"hvac": ("HV-", "GN-"), "plumbing": ("PL-", "GN-"), "electrical": ("EL-", "GN-")}


def run(session: Session, ctx: DemoContext) -> None:
    rng = ctx.rng
    start = ctx.now - timedelta(days=100)
    with clock.at(start):
        parts.import_csv(session, DATA)
        warehouse = stock.add_location(session, "Main warehouse")
        trucks = stock.ensure_trucks(session)
    catalog = list(session.exec(select(Part).order_by(Part.sku)))
    with clock.at(start + timedelta(hours=2)):
        for p in catalog:
            qty = max(p.reorder_qty_milli * 2, 4000)
            stock.post_move(
                session,
                part=p,
                qty_milli=qty,
                kind=MoveKind.RECEIVE,
                to_loc=warehouse,
                reference="PO-OPENING",
                actor="lee",
            )
    skills = _tech_skills(session)
    for truck in trucks:
        prefixes = tuple(p for s in skills.get(truck.technician_id, ()) for p in PREFIX.get(s, ()))
        for p in catalog:
            if p.sku.startswith(prefixes or ("GN-",)):
                par = 2000 if p.unit == "ea" else 25000
                restock.set_par(session, truck, p, min_milli=par // 2, par_milli=par)
    with clock.at(start + timedelta(hours=3)):
        restock.accept_restock(
            session, warehouse, restock.restock_proposal(session, warehouse), actor="lee"
        )
    _usage(session, ctx, warehouse, catalog)
    _purchases(session, ctx, warehouse, rng)


def _tech_skills(session) -> dict[int, set[str]]:
    from svcdesk.models import TechnicianSkill

    out: dict[int, set[str]] = {}
    for tech_id, code in session.exec(
        select(TechnicianSkill.technician_id, Skill.code).join(Skill)
    ):
        out.setdefault(tech_id, set()).add(code)
    return out


def _usage(session, ctx, warehouse, catalog) -> None:
    rng = ctx.rng
    by_prefix = {
        pre: [p for p in catalog if p.sku.startswith(pre)] for pre in ("HV-", "PL-", "EL-", "GN-")
    }
    visits = session.exec(
        select(Visit, WorkOrder)
        .join(WorkOrder, WorkOrder.id == Visit.order_id)
        .where(Visit.status == VisitStatus.COMPLETED.value, col(Visit.departed_at).is_not(None))
        .order_by(Visit.departed_at)
    ).all()
    last_restock = None
    for visit, order in visits:
        when = visit.departed_at - timedelta(minutes=10)
        if last_restock is None or when - last_restock > timedelta(days=7):
            with clock.at(when - timedelta(hours=12)):
                restock.accept_restock(
                    session, warehouse, restock.restock_proposal(session, warehouse), actor="lee"
                )
            last_restock = when
        skill = session.get(Skill, order.skill_id).code if order.skill_id else None
        pool = by_prefix.get(PREFIX.get(skill, ("GN-",))[0], []) + by_prefix["GN-"]
        roll = rng.random()
        if roll < 0.2:
            with clock.at(visit.departed_at):
                vp.declare_no_parts(session, order, visit, actor="dana")
            continue
        if roll < 0.25:
            continue  # left for the closeout queue
        lead = session.exec(
            select(VisitTechnician.technician_id).where(VisitTechnician.visit_id == visit.id)
        ).first()
        truck = stock.truck_of(session, lead)
        for p in rng.sample(pool, k=min(len(pool), rng.randint(1, 3))):
            qty = 1000 if p.unit == "ea" else rng.choice([2000, 5000, 10000])
            if stock.on_hand(session, truck.id, p.id) < qty:
                if stock.on_hand(session, warehouse.id, p.id) < qty:
                    continue
                with clock.at(when - timedelta(hours=1)):
                    stock.post_move(
                        session,
                        part=p,
                        qty_milli=qty,
                        kind=MoveKind.TRANSFER,
                        from_loc=warehouse,
                        to_loc=truck,
                        reason="emergency pick-up",
                        actor="dana",
                    )
            with clock.at(when):
                part_usage.use_part(
                    session,
                    order,
                    p,
                    qty,
                    visit=visit,
                    technician_id=lead,
                    warranty=rng.random() < 0.05,
                    actor="dana",
                )


def _purchases(session, ctx, warehouse, rng) -> None:
    """Receipts for about half of what the reorder report asks for (the rest stays on it)."""
    lines = [ln for ln in restock.reorder_report(session) if ln.location == "warehouses"]
    with clock.at(ctx.now - timedelta(days=2)):
        for ln in lines[::2]:
            part = parts.get_part(session, ln.sku)
            stock.post_move(
                session,
                part=part,
                qty_milli=ln.suggest_milli,
                kind=MoveKind.RECEIVE,
                to_loc=warehouse,
                reference=f"PO-{rng.randint(4000, 4999)}",
                actor="lee",
            )
