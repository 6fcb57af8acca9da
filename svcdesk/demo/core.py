"""Demo step 10: technicians, customers, sites, contacts, assets and orders with histories.

Everything goes through the same services a dispatcher uses, with the clock set back
(`clock.at`) so each event carries a believable time. Deterministic for a given seed."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlmodel import Session, select

from svcdesk import clock
from svcdesk.demo import DemoContext
from svcdesk.errors import SvcDeskError
from svcdesk.models import (
    OrderStatus,
    Site,
    Skill,
    Technician,
    TechnicianSkill,
    Visit,
    VisitStatus,
)
from svcdesk.services.crm import customers as crm
from svcdesk.services.crm import technicians
from svcdesk.services.orders import intake, lifecycle, notes, scheduling

ORDER = 10
DATA = Path(__file__).resolve().parents[2] / "data"
COLORS = [
    "#e06c75",
    "#61afef",
    "#98c379",
    "#e5c07b",
    "#c678dd",
    "#56b6c2",
    "#d19a66",
    "#be5046",
    "#7ec699",
    "#f0a6ca",
    "#a9b665",
    "#89b4fa",
]
ASSET_MAKES = {
    "furnace": [("Carrier", "59SC5"), ("Trane", "S9V2"), ("Lennox", "EL296V")],
    "ac_condenser": [("Carrier", "24ACC6"), ("Goodman", "GSX14"), ("Trane", "XR14")],
    "heat_pump": [("Rheem", "RP15"), ("Daikin", "DZ16SA")],
    "rtu": [("York", "ZF060"), ("Carrier", "48TC")],
    "walk_in_cooler": [("Kolpak", "P7-068"), ("Norlake", "KL7766")],
    "ice_machine": [("Hoshizaki", "KM-515"), ("Manitowoc", "IYT0500")],
    "water_heater": [("Rheem", "XG50T"), ("A.O. Smith", "GCR-50"), ("Bradford White", "RG250")],
    "panel": [("Square D", "HOM40"), ("Siemens", "PN4040"), ("Eaton", "BR3040")],
    "generator": [("Generac", "Guardian 22kW"), ("Kohler", "20RESCL")],
}
PRIORITY_WEIGHTS = [("emergency", 5), ("high", 20), ("normal", 60), ("low", 15)]
SOURCE_WEIGHTS = [("phone", 60), ("email", 15), ("portal", 20), ("walk_in", 5)]


def _pick(rng, weighted):
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def _load():
    people = json.loads((DATA / "demo_people.json").read_text(encoding="utf-8"))
    with open(DATA / "demo_streets.csv", newline="", encoding="utf-8") as f:
        streets = list(csv.DictReader(f))
    with open(DATA / "demo_jobs.csv", newline="", encoding="utf-8") as f:
        jobs = list(csv.DictReader(f))
    return people, streets, jobs


def run(session: Session, ctx: DemoContext) -> None:
    people, streets, jobs = _load()
    _company(session)
    _tax_zones(session, ctx)
    _technicians(session, ctx, people, streets)
    _staff(session, ctx)
    site_assets = _customers(session, ctx, people, streets, jobs)
    _orders(session, ctx, jobs, site_assets)


DEMO_COMPANY = {
    "company.address": "4100 Burnet Rd, Austin, TX 78756",
    "company.phone": "(512) 555-0100",
    "company.email": "office@lonestarcomfort.example",
}


def _company(session) -> None:
    """The demo company's address (its ZIP is the depot), phone and e-mail on documents."""
    from svcdesk.services.common.settings import set_setting

    for key, value in DEMO_COMPANY.items():
        set_setting(session, key, value, actor="demo")


# Sales tax in the demo's area (Texas 6.25 % + city + transit): Austin is the default zone;
# the far-north ZIP along Parmer Lane bills in its own zone (Williamson County side).
DEMO_ZONES = (("Austin", "8.25"), ("Williamson County (Round Rock)", "8.25"))
ZONE_BY_ZIP = {"78727": "Williamson County (Round Rock)"}


def _tax_zones(session, ctx) -> None:
    from svcdesk.services.crm import tax

    ids = {}
    for i, (name, rate) in enumerate(DEMO_ZONES):
        ids[name] = tax.add_zone(session, name, rate, default=(i == 0), actor="demo").id
    ctx.extra["tax_zones"] = {"Austin": ids["Austin"]} | {
        z: ids[name] for z, name in ZONE_BY_ZIP.items()
    }


DEMO_STAFF = (("morgan", "manager"), ("dana", "dispatcher"), ("lee", "office"))


def _staff(session, ctx) -> None:
    """The office (the names the demo's history is made as; `svcdesk --as dana ...`), and
    the lead technician, who also uses the console."""
    from svcdesk.services.crm import staff

    for name, role in DEMO_STAFF:
        staff.add_staff(session, name, role=role, actor="demo")
    lead = next(iter(ctx.techs))
    made = staff.add_staff(session, lead, role="office", technician=ctx.techs[lead], actor="morgan")
    staff.edit_staff(session, made, role="technician", actor="morgan")
    ctx.extra["staff"] = [name for name, _ in DEMO_STAFF]


def _technicians(session, ctx, people, streets) -> None:
    rng = ctx.rng
    for i, t in enumerate(people["technicians"]):
        home = rng.choice(streets)
        tech = technicians.create_technician(
            session,
            name=t["name"],
            skills=t["skills"],
            shifts=t["shifts"],
            level=t["level"],
            phone=f"512-555-{2100 + i:04d}",
            email=t["name"].lower().replace(" ", ".") + "@lonestarcomfort.example",
            home_address=f"{rng.randint(100, 9900)} {home['street']}, Austin, TX {home['zip']}",
            home_lat=round(float(home["lat"]) + rng.uniform(-0.02, 0.02), 5),
            home_lon=round(float(home["lon"]) + rng.uniform(-0.02, 0.02), 5),
            hourly_cost_cents=int(t["cost"].replace(".", "")),
            color=COLORS[i % len(COLORS)],
        )
        ctx.techs[tech.name] = tech.id
    # One planned day off next week, so the grid shows time off.
    first = session.get(Technician, ctx.techs[people["technicians"][5]["name"]])
    local_day = ctx.now.astimezone(ctx.zone).date() + timedelta(days=2)
    start = datetime.combine(local_day, time(0), tzinfo=ctx.zone)
    technicians.add_time_off(
        session, first, start, start + timedelta(days=1), "dentist + personal day"
    )


def _customers(session, ctx, people, streets, jobs) -> dict[int, list[tuple[int, str]]]:
    rng = ctx.rng
    asset_kinds = sorted({j["asset_kind"] for j in jobs if j["asset_kind"]})
    site_assets: dict[int, list[tuple[int, str]]] = {}
    names = [(b, "commercial") for b in people["business"]]
    used = set()
    while len(names) < 150:
        name = f"{rng.choice(people['first'])} {rng.choice(people['last'])}"
        if name not in used:
            used.add(name)
            names.append((name, "residential"))
    rng.shuffle(names)
    created_base = ctx.now - timedelta(days=400)
    for i, (name, kind) in enumerate(names):
        with clock.at(created_base + timedelta(days=i * 2, hours=rng.randint(0, 8))):
            email_user = name.lower().replace(" ", ".").replace("&", "and")
            customer = crm.create_customer(
                session,
                name=name,
                kind=kind,
                phone=f"512-555-{3000 + i:04d}",
                email=f"{email_user}@example.com" if rng.random() < 0.7 else None,
                tax_exempt=(kind == "commercial" and "Church" in name),
            )
            ctx.customers.append(customer.id)
            zones = ctx.extra["tax_zones"]
            for _ in range(rng.choice([1, 1, 2, 3]) if kind == "commercial" else 1):
                st = rng.choice(streets)
                site = crm.add_site(
                    session,
                    customer,
                    address=f"{rng.randint(100, 9900)} {st['street']}",
                    city="Austin",
                    state="TX",
                    zip_code=st["zip"],
                    lat=round(float(st["lat"]) + rng.uniform(-0.012, 0.012), 5),
                    lon=round(float(st["lon"]) + rng.uniform(-0.012, 0.012), 5),
                    access_notes=rng.choice(
                        [
                            None,
                            None,
                            "Gate code 4411",
                            "Dog in backyard",
                            "Check in at front desk",
                            "Park in rear lot",
                        ]
                    ),
                    tax_zone_id=zones.get(st["zip"], zones["Austin"]),
                    name="Main" if kind == "commercial" else None,
                )
                ctx.sites.append(site.id)
                site_assets[site.id] = []
                for kind_name in rng.sample(asset_kinds, rng.randint(1, 3)):
                    make, model = rng.choice(ASSET_MAKES.get(kind_name, [("Generic", "X1")]))
                    installed = date(
                        rng.randint(2010, 2025), rng.randint(1, 12), rng.randint(1, 28)
                    )
                    asset = crm.add_asset(
                        session,
                        site,
                        kind=kind_name,
                        make=make,
                        model=model,
                        serial=f"{make[:2].upper()}{rng.randint(100000, 999999)}",
                        installed_on=installed,
                        warranty_until=installed.replace(
                            year=installed.year + rng.choice([1, 5, 10])
                        ),
                    )
                    ctx.assets.append(asset.id)
                    site_assets[site.id].append((asset.id, kind_name))
            if kind == "commercial":
                crm.add_contact(
                    session,
                    customer,
                    name=f"{rng.choice(people['first'])} {rng.choice(people['last'])}",
                    role="Facilities manager",
                    phone=f"512-555-{6000 + i:04d}",
                )
    return site_assets


def _find_slot(session, ctx, order, not_before: datetime, days: int = 6):
    """First (tech, start) free for the order on or after `not_before`."""
    first_day = not_before.astimezone(ctx.zone).date()
    starts = []
    for d in range(days):
        day = first_day + timedelta(days=d)
        minutes = list(range(7 * 60, 17 * 60, 30))
        ctx.rng.shuffle(minutes)
        starts += [
            datetime.combine(day, time(m // 60, m % 60), tzinfo=ctx.zone) for m in minutes[:8]
        ]
    return _first_free(session, ctx, order, [s for s in starts if s >= not_before])


def _first_free(session, ctx, order, starts: list[datetime]):
    qualified = [
        t
        for t in technicians.list_technicians(session)
        if order.skill_id is None or _has_skill(session, t.id, order.skill_id)
    ]
    ctx.rng.shuffle(qualified)
    for start in starts:
        end = start + timedelta(minutes=order.est_minutes)
        for tech in qualified:
            if not scheduling.booking_problems(session, order, tech, start, end):
                return tech, start
    return None


def _live_starts(ctx, target: str) -> list[datetime]:
    """Start times around now that put a visit in `target` state right now."""
    base = ctx.now.replace(minute=0 if ctx.now.minute < 30 else 30, second=0, microsecond=0)
    offsets = {
        "on_site": [-30, -60, 0],
        "en_route": [30, 60],
        "dispatched": [60, 90, 120, 150, 180, 240],
    }
    return [base + timedelta(minutes=m) for m in offsets[target]]


def _has_skill(session, tech_id: int, skill_id: int) -> bool:
    return (
        skill_id
        in session.exec(
            select(TechnicianSkill.skill_id).where(TechnicianSkill.technician_id == tech_id)
        ).all()
    )


def _orders(session, ctx, jobs, site_assets) -> None:
    rng = ctx.rng
    now = ctx.now
    completed = []
    for _ in range(ctx.orders):
        recent = rng.random() < 0.3
        created = now - (
            timedelta(hours=rng.uniform(0.2, 7 * 24))
            if recent
            else timedelta(days=rng.uniform(7, 90))
        )
        target = _target_status(rng, created, now)
        priority = _pick(rng, PRIORITY_WEIGHTS)
        if (
            recent
            and priority in ("emergency", "high")
            and target not in ("completed", "cancelled", "on_hold")
        ):
            created = now - timedelta(hours=rng.uniform(0.3, 16 if priority == "high" else 3))
        site_id = rng.choice(ctx.sites)
        site = session.get(Site, site_id)
        job = rng.choice(jobs)
        asset_id = next(
            (a for a, k in site_assets.get(site_id, []) if k == job["asset_kind"]), None
        )
        with clock.at(created):
            order, _ = intake.create_order(
                session,
                intake.IntakeRequest(
                    summary=job["summary"],
                    customer_id=site.customer_id,
                    site_id=site_id,
                    asset_id=asset_id,
                    priority=priority,
                    skill=job["skill"],
                    kind=job["kind"],
                    est_minutes=int(job["est_minutes"]),
                    source=_pick(rng, SOURCE_WEIGHTS),
                ),
                actor=rng.choice(["dana", "lee", "portal"]),
            )
        ctx.order_numbers.append(order.number)
        try:
            if _play(session, ctx, order, created, target) == OrderStatus.COMPLETED:
                completed.append(order)
        except SvcDeskError:
            continue
    _callbacks(session, ctx, completed)


def _target_status(rng, created: datetime, now: datetime) -> str:
    if now - created > timedelta(days=7):
        return _pick(rng, [("completed", 90), ("cancelled", 7), ("on_hold", 3)])
    return _pick(
        rng,
        [
            ("new", 20),
            ("scheduled", 30),
            ("dispatched", 8),
            ("en_route", 5),
            ("on_site", 7),
            ("on_hold", 8),
            ("completed", 19),
            ("cancelled", 3),
        ],
    )


def _play(session, ctx, order, created, target: str):
    rng = ctx.rng
    if target == "new":
        return OrderStatus.NEW
    if target == "cancelled":
        with clock.at(created + timedelta(hours=rng.uniform(1, 30))):
            lifecycle.change_status(
                session,
                order,
                "cancelled",
                actor="dana",
                reason=rng.choice(
                    [
                        "Customer fixed it themselves",
                        "Duplicate request",
                        "Went with another company",
                    ]
                ),
            )
        return OrderStatus.CANCELLED
    if target == "on_hold":
        with clock.at(created + timedelta(hours=rng.uniform(0.5, 6))):
            lifecycle.change_status(
                session,
                order,
                "on_hold",
                actor="dana",
                reason=rng.choice(
                    [
                        "Awaiting customer approval of quote",
                        "Waiting for parts",
                        "Customer traveling",
                    ]
                ),
            )
        return OrderStatus.ON_HOLD
    if target in ("dispatched", "en_route", "on_site"):
        slot = _first_free(session, ctx, order, _live_starts(ctx, target))
    elif target == "scheduled":
        hours = {
            "emergency": (0.5, 3),
            "high": (2, 20),
            "normal": (4, 24 * 6),
            "low": (24, 24 * 12),
        }
        slot = _find_slot(
            session, ctx, order, ctx.now + timedelta(hours=rng.uniform(*hours[order.priority]))
        )
    else:
        slot = _find_slot(session, ctx, order, created + timedelta(hours=rng.uniform(2, 48)))
        if slot and slot[1] + timedelta(minutes=order.est_minutes) > ctx.now:
            slot = None
    if slot is None:
        return OrderStatus.NEW
    tech, start = slot
    with clock.at(min(created + timedelta(minutes=rng.randint(5, 90)), start - timedelta(hours=1))):
        visit = scheduling.book_visit(session, order, [tech], start, actor="dana")
    if target == "scheduled":
        return OrderStatus.SCHEDULED
    _progress(session, ctx, order, visit, target, rng)
    return OrderStatus(order.status)


def _progress(session, ctx, order, visit: Visit, target: str, rng) -> None:
    start = visit.starts_at
    steps = [
        ("dispatched", start - timedelta(minutes=45)),
        ("en_route", start - timedelta(minutes=25)),
        ("on_site", start + timedelta(minutes=rng.randint(-10, 15))),
    ]
    if target == "dispatched":
        steps[0] = ("dispatched", min(ctx.now, start - timedelta(minutes=45)))
    elif target == "en_route":
        steps[:2] = [
            ("dispatched", ctx.now - timedelta(minutes=40)),
            ("en_route", ctx.now - timedelta(minutes=5)),
        ]
    elif target == "on_site":
        steps[2] = ("on_site", min(ctx.now - timedelta(minutes=2), steps[2][1]))
    for status, at in steps:
        if at > ctx.now:
            return
        with clock.at(at):
            lifecycle.change_status(session, order, status, actor="dana")
            visit.status = status
            if status == "en_route":
                visit.en_route_at = at
            if status == "on_site":
                visit.arrived_at = at
        if status == target:
            return
    duration = timedelta(minutes=int(order.est_minutes * rng.uniform(0.7, 1.4)))
    departed = visit.arrived_at + duration
    if departed > ctx.now:
        return
    needs_return = rng.random() < 0.15
    with clock.at(departed):
        visit.departed_at = departed
        visit.status = VisitStatus.COMPLETED.value
        visit.outcome = "needs_parts" if needs_return else "fixed"
        visit.work_performed = (
            "Diagnosed; part on order" if needs_return else f"Completed: {order.summary.lower()}"
        )
        if not needs_return:
            lifecycle.change_status(session, order, "completed", actor="dana")
            return
        lifecycle.change_status(session, order, "on_hold", actor="dana", reason="Waiting for parts")
        notes.add_note(session, order, "Part ordered from supplier, ETA 2 days", author="dana")
    slot = _find_slot(session, ctx, order, departed + timedelta(days=2))
    if slot is None:
        return
    tech, start2 = slot
    with clock.at(departed + timedelta(days=1)):
        second = scheduling.book_visit(session, order, [tech], start2, actor="dana")
    if start2 + timedelta(minutes=order.est_minutes) < ctx.now:
        _progress(session, ctx, order, second, "completed", rng)


def _callbacks(session, ctx, completed) -> None:
    rng = ctx.rng
    for order in rng.sample(completed, max(1, len(completed) // 25)):
        when = (order.completed_at or ctx.now) + timedelta(days=rng.uniform(3, 20))
        if when > ctx.now:
            continue
        with clock.at(when):
            callback, _ = intake.create_order(
                session,
                intake.IntakeRequest(
                    summary=f"Callback: {order.summary}",
                    customer_id=order.customer_id,
                    site_id=order.site_id,
                    asset_id=order.asset_id,
                    priority="high",
                    kind="callback",
                    callback_of_id=order.id,
                    est_minutes=60,
                    source="phone",
                    skill=session.get(Skill, order.skill_id).code if order.skill_id else None,
                ),
                actor="lee",
            )
        ctx.order_numbers.append(callback.number)
        try:
            _play(session, ctx, callback, when, _target_status(rng, when, ctx.now))
        except SvcDeskError:
            continue
