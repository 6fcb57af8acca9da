"""Demo step 20: what happened on site for the core step's visits.

Checklist templates; crew time (travel from en route to arrival, work from arrival to
departure, running entries for visits in progress) through the same time-card service the
dispatcher uses; maintenance checklists answered; sign-off from most customers that require
it; some shop time; every day before today approved (today's cards wait for the dispatcher).
A few completed orders are left missing something so the closeout queue has work in it."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from svcdesk import clock
from svcdesk.demo import DemoContext
from svcdesk.errors import SvcDeskError
from svcdesk.models import Customer, CustomerKind, Visit, VisitStatus, VisitTechnician, WorkOrder
from svcdesk.models.execution import TimeKind, TimeSource
from svcdesk.services.common.timefmt import day_bounds
from svcdesk.services.execution import attachments, checklists, timecards

ORDER = 20

TEMPLATES = [
    (
        "RTU preventive maintenance",
        "maintenance",
        [
            "Filter changed:yes_no",
            "Belt condition good:yes_no",
            "Suction pressure:number:psi",
            "Discharge pressure:number:psi",
            "Supply air temperature:number:F",
            "Condensate drain clear:yes_no",
            "Notes:text::optional",
        ],
    ),
    (
        "Water heater inspection",
        None,
        ["T&P valve tested:yes_no", "Anode rod condition:text", "Tank flushed:yes_no:optional"],
    ),
]
ANSWERS = {
    "yes_no": lambda rng: "yes" if rng.random() < 0.9 else "no",
    "number": lambda rng: str(rng.randint(55, 140)),
    "text": lambda rng: rng.choice(["Good", "Worn, replace next visit", "Fair"]),
}


def run(session: Session, ctx: DemoContext) -> None:
    rng = ctx.rng
    rtu = None
    for name, kind, items in TEMPLATES:
        with clock.at(ctx.now - timedelta(days=120)):
            tpl = checklists.create_template(
                session,
                name,
                [checklists.parse_item_spec(i) for i in items],
                order_kind=kind,
                description=f"Standard {name.lower()}",
            )
        rtu = rtu or tpl
    for customer in session.exec(
        select(Customer).where(Customer.kind == CustomerKind.COMMERCIAL.value)
    ):
        customer.requires_signature = rng.random() < 0.5
    visits = session.exec(
        select(Visit, WorkOrder)
        .join(WorkOrder, WorkOrder.id == Visit.order_id)
        .where(col(Visit.arrived_at).is_not(None) | col(Visit.en_route_at).is_not(None))
        .order_by(Visit.starts_at)
    ).all()
    skip_closeout = set(rng.sample(range(len(visits)), k=min(4, len(visits))))
    for i, (visit, order) in enumerate(visits):
        crew = session.exec(
            select(VisitTechnician.technician_id).where(VisitTechnician.visit_id == visit.id)
        ).all()
        if i not in skip_closeout:
            for tech_id in crew:
                _time(session, visit, tech_id)
        if order.kind == "maintenance" and visit.arrived_at:
            _checklist(session, ctx, visit, rtu, answer_all=i not in skip_closeout)
        if visit.status == VisitStatus.COMPLETED.value:
            _sign(session, ctx, visit, order, skip=i in skip_closeout)
    _shop_time(session, ctx)
    _approve_history(session, ctx)


def _add(session, tech_id, kind, start, end, visit) -> None:
    try:
        with clock.at(end or start):
            timecards.add_entry(
                session,
                technician_id=tech_id,
                kind=kind,
                starts_at=start,
                ends_at=end,
                order_id=visit.order_id if visit else None,
                visit_id=visit.id if visit else None,
                source=TimeSource.AUTO if visit else TimeSource.MANUAL,
                actor="dana",
            )
    except SvcDeskError:
        pass  # overlaps an overrunning earlier job: the demo simply leaves it out


def _time(session, visit: Visit, tech_id: int) -> None:
    if visit.en_route_at:
        _add(session, tech_id, TimeKind.TRAVEL, visit.en_route_at, visit.arrived_at, visit)
    if visit.arrived_at:
        _add(session, tech_id, TimeKind.WORK, visit.arrived_at, visit.departed_at, visit)


def _checklist(session, ctx, visit, template, *, answer_all: bool) -> None:
    with clock.at(visit.arrived_at):
        checklists.attach(session, visit, template, actor="system")
    lines = checklists.visit_lines(session, visit.id)
    if visit.status != VisitStatus.COMPLETED.value:
        lines = lines[:2]
    elif not answer_all:
        lines = lines[:-3]
    for line in lines:
        if not line.required:
            continue
        value = ANSWERS[line.answer_type](ctx.rng)
        with clock.at(visit.arrived_at + timedelta(minutes=5 + line.position * 4)):
            checklists.answer(session, visit, str(line.position), value, actor="dana")


def _sign(session, ctx, visit, order, *, skip: bool) -> None:
    customer = session.get(Customer, order.customer_id)
    if skip or not (customer.requires_signature or ctx.rng.random() < 0.6):
        return
    signer = customer.name.split()[0] if customer.kind == "residential" else "Site manager"
    with clock.at(visit.departed_at):
        attachments.sign_off(session, order, signer, visit=visit, actor="dana")


def _shop_time(session, ctx) -> None:
    """Monday-morning shop meetings and truck loading for everyone this week and last."""
    day = ctx.now.astimezone(ctx.zone).date()
    monday = day - timedelta(days=day.weekday())
    for week in (monday - timedelta(days=7), monday):
        start, _ = day_bounds(week, ctx.zone)
        meeting = start + timedelta(hours=7)
        if meeting + timedelta(minutes=45) > ctx.now:
            continue
        for tech_id in ctx.techs.values():
            _add(session, tech_id, TimeKind.SHOP, meeting, meeting + timedelta(minutes=45), None)


def _approve_history(session, ctx) -> None:
    today = ctx.now.astimezone(ctx.zone).date()
    start, _ = day_bounds(today - timedelta(days=95), ctx.zone)
    for tech_id in ctx.techs.values():
        days = {
            e.starts_at.astimezone(ctx.zone).date()
            for e in timecards.list_entries(session, technician_id=tech_id, start=start)
            if e.ends_at is not None
        }
        for day in sorted(d for d in days if d < today - timedelta(days=1)):
            try:
                with clock.at(day_bounds(day, ctx.zone)[1] + timedelta(hours=9)):
                    timecards.approve_day(session, tech_id, day, actor="dana")
            except SvcDeskError:
                continue
