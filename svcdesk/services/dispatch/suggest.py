"""Who should take an order: every active technician ranked, with the why and why-not.

For each technician the earliest slot in the search span is found from their day: the
free parts of the shifts (less time off) between booked visits, leaving time to drive
from the previous stop (or home) and on to the next visit. The slot is then confirmed by
the booking rules (`scheduling.booking_problems`); a technician with no slot gets that
function's reasons at the reference time (the start of the span), one per failed rule.

Score (lower is better; docs/dispatch.md): drive minutes to the job + minutes after the
earliest start any technician offers (x1 for emergencies, x0.5 high, x0.1 otherwise) + 30 for an
overtime risk + 30 x the share of the day already booked - 10 per past visit to this
customer (at most 3) - 10 per past visit to this asset (at most 2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, func, select

from svcdesk.clock import now as clock_now
from svcdesk.errors import InvalidInput
from svcdesk.models import (
    OrderStatus,
    Site,
    Technician,
    Visit,
    VisitStatus,
    VisitTechnician,
    WorkOrder,
)
from svcdesk.routing import Location
from svcdesk.services.common.rows import must_get
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import day_bounds, fmt
from svcdesk.services.common.words import status_words
from svcdesk.services.crm.technicians import list_technicians
from svcdesk.services.dispatch import settings as dsettings
from svcdesk.services.dispatch.holidays import holiday_off, shop_holidays
from svcdesk.services.dispatch.problem import free_pieces, minute_of, site_location
from svcdesk.services.dispatch.schedule_view import TechLane, day_schedule, local_instant
from svcdesk.services.orders import scheduling

HORIZON_DAYS = 3  # search span for an order without a window
ROUND = 5  # proposed starts on 5-minute marks
WAIT_WEIGHT = {"emergency": 1.0, "high": 0.5}


@dataclass
class Suggestion:
    tech_id: int
    tech_name: str
    eligible: bool
    score: float | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    travel_minutes: int | None = None
    travel_from: str = ""  # "home" or the previous stop's order number
    load_minutes: int = 0  # booked that day
    shift_minutes: int = 0
    history_customer: int = 0
    history_asset: int = 0
    overtime_risk: bool = False
    why: list[str] = field(default_factory=list)
    why_not: list[str] = field(default_factory=list)
    rank: int = 0


@dataclass
class Span:
    start: datetime
    end: datetime


def search_span(
    session: Session, order: WorkOrder, day: date | None = None, window: Span | None = None
) -> Span:
    zone = shop_zone(session)
    now = clock_now()
    if window is not None:
        span = window
    elif day is not None:
        span = Span(*day_bounds(day, zone))
        if order.window_start and order.window_end:
            lo, hi = max(span.start, order.window_start), min(span.end, order.window_end)
            if lo < hi:
                span = Span(lo, hi)
    elif order.window_end is not None and order.window_end > now:
        span = Span(order.window_start or now, order.window_end)
    else:
        span = Span(now, now + timedelta(days=HORIZON_DAYS))
    if span.end <= span.start:
        raise InvalidInput("window: the end must be after the start")
    return Span(max(span.start, now), span.end) if span.end > now else span


def suggest(
    session: Session,
    order: WorkOrder,
    day: date | None = None,
    window: Span | None = None,
    *,
    force: bool = False,
) -> list[Suggestion]:
    """Every active technician for `order`, best first; those who can't take it last, with
    the reasons. `day` limits the search to one shop-local day, `window` to a span. Shop
    holidays in the span are days off unless `force`."""
    if OrderStatus(order.status) not in scheduling.BOOKABLE:
        raise InvalidInput(
            f"{order.number} is {status_words(order.status)}; only open orders can be booked"
        )
    zone = shop_zone(session)
    span = search_span(session, order, day, window)
    site = must_get(session, Site, order.site_id)
    loc, _ = site_location(site)
    own = scheduling.next_active_visit(session, order.id)
    own_id = own.id if own else None
    minutes = order.est_minutes or 60
    days = _days(span, zone)
    holidays = frozenset() if force else shop_holidays(session)
    off = [d for d in days if d in holidays]
    days = [d for d in days if d not in off]
    schedules = {
        d: {lane.id: lane for lane in day_schedule(session, d, zone=zone).lanes} for d in days
    }
    travel = dsettings.travel(session)
    depot = dsettings.depot(session)
    sites = _visit_sites(session, schedules)
    lunch = dsettings.lunch(session)
    out: list[Suggestion] = []
    for tech in list_technicians(session):
        home = (
            Location(tech.home_lat, tech.home_lon)
            if tech.home_lat is not None and tech.home_lon is not None
            else depot
        )
        sug = Suggestion(tech.id, tech.name, eligible=False)
        hist_c, hist_a = _history(session, tech.id, order)
        sug.history_customer, sug.history_asset = hist_c, hist_a
        ref = _reference(schedules, days, tech.id, span, zone)
        ref_problems = scheduling.booking_problems(
            session, order, tech, ref, ref + timedelta(minutes=minutes), ignore_visit_id=own_id
        )
        skill_problem = [p for p in ref_problems if "lacks the required skill" in p]
        slot = None
        seen: set[str] = set()
        if not skill_problem:
            for d in days:
                lane = schedules[d].get(tech.id)
                if lane is None:
                    continue
                slot = _first_slot(
                    lane, d, zone, span, minutes, loc, home, sites, travel, own_id, lunch, seen
                )
                if slot is None:
                    continue
                starts = local_instant(d, slot[0], zone)
                if not scheduling.booking_problems(
                    session,
                    order,
                    tech,
                    starts,
                    starts + timedelta(minutes=minutes),
                    ignore_visit_id=own_id,
                ):
                    _fill(sug, starts, slot, lane, minutes, order, span, loc)
                    break
                slot = None
        if slot is None:
            room = "the drive, the job and lunch" if "lunch" in seen else "the drive and the job"
            sug.why_not = ref_problems or [
                f"no free time {fmt(span.start, zone, '%a %H:%M')}-{fmt(span.end, zone, '%a %H:%M')}"
                f" with room for {room}"
            ]
            if "lunch" in seen and lunch is not None:
                sug.why_not.append(
                    f"a slot would leave no room for the {lunch.duration}-minute lunch starting "
                    f"{_hhmm(lunch.earliest_start)}-{_hhmm(lunch.latest_start)}"
                )
            if ref_problems:
                sug.why_not = [f"at {fmt(ref, zone, '%a %H:%M')}: {p}" for p in ref_problems]
            if not skill_problem and ref_problems:
                sug.why_not.append(
                    "and no other free slot until " + fmt(span.end, zone, "%a %H:%M")
                )
            if not skill_problem and off:
                holiday = [holiday_off(d) for d in off]
                sug.why_not = sug.why_not + holiday if days else holiday
        out.append(sug)
    offered = [s.starts_at for s in out if s.eligible and s.starts_at is not None]
    for s in out:
        if s.eligible and s.starts_at is not None:  # waiting counts from the earliest offer
            wait = (s.starts_at - min(offered)).total_seconds() / 60
            s.score = round((s.score or 0) + WAIT_WEIGHT.get(order.priority, 0.1) * wait, 1)
    ranked = sorted(
        out,
        key=lambda s: (not s.eligible, s.score if s.score is not None else 0, s.tech_name),
    )
    for i, s in enumerate(ranked, 1):
        s.rank = i
    return ranked


def _reference(schedules, days, tech_id: int, span: Span, zone) -> datetime:
    """Where to ask the booking rules why not: the first shift start inside the span
    (else the span's start, which then reports "off shift")."""
    for d in days:
        lane = schedules[d].get(tech_id)
        for s in sorted(lane.shifts, key=lambda s: s.start) if lane else []:
            t = max(local_instant(d, s.start, zone), span.start)
            if t < min(local_instant(d, s.end, zone), span.end):
                return t
    return span.start


def _days(span: Span, zone) -> list[date]:
    first = span.start.astimezone(zone).date()
    last = (span.end - timedelta(seconds=1)).astimezone(zone).date()
    out: list[date] = []
    d = first
    while d <= last and len(out) < 14:
        out.append(d)
        d += timedelta(days=1)
    return out


def _visit_sites(session: Session, schedules) -> dict[int, Location | None]:
    ids = {
        v.order_id for lanes in schedules.values() for lane in lanes.values() for v in lane.visits
    }
    rows = session.exec(
        select(WorkOrder.id, Site)
        .join(Site, col(Site.id) == col(WorkOrder.site_id))
        .where(col(WorkOrder.id).in_(ids))
    ).all()
    return {oid: site_location(site)[0] for oid, site in rows}


def _first_slot(
    lane: TechLane, d, zone, span, minutes, loc, home, sites, travel, own_id, lunch=None, seen=None
):
    """Earliest (start, end, travel in, from, end of the free piece, travel home).

    With a `lunch` break (`dispatch.lunch`), a slot that would leave the technician no
    room for lunch that day (when there was room before) is passed over; `seen`, a set,
    then gets "lunch" so the why-not can say so."""
    lo = max(0, minute_of(span.start, d, zone))
    hi = minute_of(span.end, d, zone)
    visits = sorted((v for v in lane.visits if v.visit_id != own_id), key=lambda v: v.start)
    pieces = free_pieces(lane.shifts, lane.time_off)

    def leg(a, b) -> int:
        return travel.leg(a, b).minutes if a is not None and b is not None else 0

    booked = [(v.start, v.end, sites.get(v.order_id)) for v in visits]
    lunch_before = _lunch_fits(booked, pieces, lunch, home, leg)
    for p0, p1 in pieces:
        inside = [v for v in visits if v.start < p1 and v.end > p0]
        bounds = [p0, *[x for v in inside for x in (v.start, v.end)], p1]
        for k in range(0, len(bounds), 2):
            g0, g1 = max(p0, bounds[k]), min(p1, bounds[k + 1])
            before = [v for v in visits if v.end <= g0]
            prev = before[-1] if before else None
            prev_loc = sites.get(prev.order_id) if prev else home
            nxt = inside[k // 2] if k // 2 < len(inside) else None
            t_in = leg(prev_loc, loc)
            t_out = leg(loc, sites.get(nxt.order_id)) if nxt else 0
            firsts = [g0 + t_in]
            if lunch is not None and lunch_before:
                # the same gap with lunch first (taken on the way, per the routing rule)
                bs = max(g0, lunch.earliest_start)
                if bs <= lunch.latest_start:
                    firsts.append(max(bs + lunch.duration, g0 + t_in + lunch.duration))
            for first in firsts:
                start = max(first, lo)
                start = -(-start // ROUND) * ROUND
                if start > hi:
                    continue
                end = start + minutes
                if end + t_out > g1:
                    continue
                if lunch_before and not _lunch_fits(
                    [*booked, (start, end, loc)], pieces, lunch, home, leg
                ):
                    if seen is not None:
                        seen.add("lunch")
                    continue
                return start, end, t_in, prev.number if prev else "home", p1, leg(loc, home)
    return None


def _hhmm(m: int) -> str:
    return f"{m // 60:02d}:{m % 60:02d}"


def _lunch_fits(stops, pieces, lunch, home, leg) -> bool:
    """Is there room for the lunch break among `stops` ((start, end, location) in shop
    minutes)? The break is taken on one leg, as the routing layer does: it starts at the
    later of the previous end and the window's start, no later than the window's end, and
    the next stop (or the end of the shift piece) is reached after break + drive. True
    when no break applies (no lunch setting, or no shift piece around the window)."""
    if lunch is None or lunch.duration <= 0:
        return True
    e, lat, dur = lunch.earliest_start, lunch.latest_start, lunch.duration
    due = False
    for p0, p1 in pieces:
        if p0 > lat or p1 < e + dur:
            continue
        due = True
        inside = sorted((s for s in stops if s[0] < p1 and s[1] > p0), key=lambda s: s[0])
        seq = [(p0, p0, home), *inside, (p1, p1, home)]
        for (_, a_end, a_loc), (b_start, _, b_loc) in zip(seq, seq[1:], strict=False):
            bs = max(a_end, e)
            if bs <= lat and max(bs + dur, a_end + leg(a_loc, b_loc) + dur) <= b_start:
                return True
    return not due


def _fill(sug: Suggestion, starts, slot, lane: TechLane, minutes, order, span, loc) -> None:
    start_m, end_m, t_in, origin, piece_end, t_home = slot
    sug.eligible = True
    sug.starts_at, sug.ends_at = starts, starts + timedelta(minutes=minutes)
    sug.load_minutes, sug.shift_minutes = lane.booked_minutes, lane.shift_minutes
    sug.travel_minutes = t_in if loc is not None else None
    sug.travel_from = origin
    after = lane.booked_minutes + minutes
    sug.overtime_risk = end_m + t_home > piece_end or after > lane.shift_minutes
    share = lane.booked_minutes / lane.shift_minutes if lane.shift_minutes else 1.0
    sug.score = round(
        (t_in if loc is not None else 0)
        + (30 if sug.overtime_risk else 0)
        + 30 * share
        - 10 * min(sug.history_customer, 3)
        - 10 * min(sug.history_asset, 2),
        1,
    )
    sug.why = [
        "has the skill" if order.skill_id is not None else "no skill required",
        f"free {start_m // 60:02d}:{start_m % 60:02d}-{end_m // 60:02d}:{end_m % 60:02d}",
        "location unknown: drive not counted" if loc is None else f"{t_in} min drive from {origin}",
        f"{lane.booked_minutes} of {lane.shift_minutes} min booked that day",
    ]
    if sug.history_customer or sug.history_asset:
        sug.why.append(
            f"{sug.history_customer} past visits to this customer, {sug.history_asset} to this asset"
        )
    if sug.overtime_risk:
        sug.why.append("overtime risk: the day runs past the shift")


def _history(session: Session, tech_id: int, order: WorkOrder) -> tuple[int, int]:
    """Past visits (ended before now, not cancelled) by this technician for the customer
    and for the asset."""
    base = (
        select(func.count(func.distinct(Visit.id)))
        .join(VisitTechnician, col(VisitTechnician.visit_id) == col(Visit.id))
        .join(WorkOrder, col(WorkOrder.id) == col(Visit.order_id))
        .where(
            VisitTechnician.technician_id == tech_id,
            Visit.status != VisitStatus.CANCELLED.value,
            Visit.ends_at <= clock_now(),
            Visit.order_id != order.id,
        )
    )
    cust = session.exec(base.where(WorkOrder.customer_id == order.customer_id)).one()
    asset = 0
    if order.asset_id is not None:
        asset = session.exec(base.where(WorkOrder.asset_id == order.asset_id)).one()
    return int(cust), int(asset)


def book(
    session: Session,
    order: WorkOrder,
    suggestion: Suggestion,
    *,
    actor: str = "dispatcher",
    expected_version: int | None = None,
) -> Visit:
    """Book the suggested slot (or move the order's booked visit there)."""
    if not suggestion.eligible or suggestion.starts_at is None:
        raise InvalidInput(
            f"{suggestion.tech_name} cannot take {order.number}: " + "; ".join(suggestion.why_not)
        )
    tech = must_get(session, Technician, suggestion.tech_id)
    minutes = order.est_minutes or 60
    visit = scheduling.next_active_visit(session, order.id)
    if visit is not None and visit.status in (VisitStatus.SCHEDULED, VisitStatus.DISPATCHED):
        return scheduling.reschedule_visit(
            session,
            visit,
            suggestion.starts_at,
            minutes,
            [tech],
            actor=actor,
            expected_version=expected_version,
        )
    return scheduling.book_visit(
        session,
        order,
        [tech],
        suggestion.starts_at,
        minutes,
        actor=actor,
        expected_version=expected_version,
    )


def best(suggestions: list[Suggestion]) -> Suggestion | None:
    return next((s for s in suggestions if s.eligible), None)


def explain(s: Suggestion, zone) -> str:
    """One line: why this technician (or why not)."""
    if not s.eligible:
        return "; ".join(s.why_not)
    parts = [
        f"start {fmt(s.starts_at, zone, '%a %H:%M')}",
        "drive ?" if s.travel_minutes is None else f"{s.travel_minutes} min from {s.travel_from}",
        f"load {s.load_minutes / 60:.1f}/{s.shift_minutes / 60:.1f}h",
    ]
    if s.history_customer or s.history_asset:
        parts.append(f"{s.history_customer} past visits here ({s.history_asset} on this asset)")
    if s.overtime_risk:
        parts.append("overtime risk")
    return " · ".join(parts)
