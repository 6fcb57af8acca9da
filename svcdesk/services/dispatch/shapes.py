"""Stable JSON shapes of the dispatch read models (documented in docs/dispatch.md)."""

from __future__ import annotations

from svcdesk.services.common.timefmt import iso
from svcdesk.services.dispatch.insert import InsertOption, InsertProposal
from svcdesk.services.dispatch.plan import Change
from svcdesk.services.dispatch.proposal import PlannedRoute, PlannedStop, PlanProposal, Unplanned
from svcdesk.services.dispatch.route import RouteProposal
from svcdesk.services.dispatch.suggest import Suggestion


def suggestion_json(s: Suggestion) -> dict:
    return {
        "rank": s.rank,
        "technician_id": s.tech_id,
        "technician": s.tech_name,
        "eligible": s.eligible,
        "score": s.score,
        "starts_at": iso(s.starts_at),
        "ends_at": iso(s.ends_at),
        "travel_minutes": s.travel_minutes,
        "travel_from": s.travel_from or None,
        "load_minutes": s.load_minutes,
        "shift_minutes": s.shift_minutes,
        "history": {"customer_visits": s.history_customer, "asset_visits": s.history_asset},
        "overtime_risk": s.overtime_risk,
        "why": s.why,
        "why_not": s.why_not,
    }


def stop_json(s: PlannedStop) -> dict:
    return {
        "number": s.number,
        "visit_id": s.visit_id,
        "priority": s.priority,
        "customer": s.customer,
        "address": s.address,
        "eta": iso(s.arrival),
        "starts_at": iso(s.starts_at),
        "ends_at": iso(s.ends_at),
        "travel_minutes": s.travel_minutes,
        "locked": s.locked,
        "change": s.change,
        "helper": s.helper,
    }


def route_json(r: PlannedRoute) -> dict:
    return {
        "technician_id": r.tech_id,
        "technician": r.tech_name,
        "shift": [iso(r.shift[0]), iso(r.shift[1])],
        "depart": iso(r.depart),
        "back": iso(r.back),
        "lunch": [iso(r.lunch[0]), iso(r.lunch[1])] if r.lunch else None,
        "drive_minutes": r.drive_minutes,
        "drive_km": r.drive_km,
        "stops": [stop_json(s) for s in r.stops],
    }


def unplanned_json(u: Unplanned) -> dict:
    return {"number": u.number, "priority": u.priority, "visit_id": u.visit_id, "reason": u.reason}


def change_json(c: Change) -> dict:
    return {
        "kind": c.kind,
        "number": c.number,
        "visit_id": c.visit_id,
        "priority": c.priority,
        "before": {"technician": c.before_tech, "starts_at": iso(c.before_start)}
        if c.before_tech
        else None,
        "after": {
            "technician": c.after_tech,
            "starts_at": iso(c.after_start),
            "ends_at": iso(c.after_end),
        }
        if c.after_end
        else None,
        "reason": c.reason or None,
    }


def proposal_json(p: PlanProposal, changes: list[Change]) -> dict:
    return {
        "date": p.day.isoformat(),
        "timezone": str(p.zone),
        "solver": p.solver,
        "wall_seconds": p.wall_seconds,
        "reoptimize": p.reoptimize,
        "holiday": p.holiday,
        "total_drive_minutes": p.total_drive_minutes,
        "routes": [route_json(r) for r in p.routes],
        "unassigned": [unplanned_json(u) for u in p.unassigned],
        "not_working": p.not_working,
        "violations": p.violations,
        "changes": [change_json(c) for c in changes],
    }


def option_json(o: InsertOption) -> dict:
    return {
        "technician_id": o.tech_id,
        "technician": o.tech_name,
        "starts_at": iso(o.starts_at),
        "ends_at": iso(o.ends_at),
        "added_drive_minutes": o.added_drive_minutes,
        "total_delay_minutes": o.total_delay,
        "delays": [
            {
                "number": d.number,
                "visit_id": d.visit_id,
                "before": iso(d.before),
                "after": iso(d.after),
                "minutes": d.minutes,
            }
            for d in o.delays
        ],
        "route": route_json(o.route),
        "bumped": [
            {
                "number": b.number,
                "visit_id": b.visit_id,
                "priority": b.priority,
                "before": iso(b.before),
                "technician_id": b.to_tech_id,
                "technician": b.to_tech_name,
                "after": iso(b.after) if b.after else None,
                "back_to_board": b.after is None,
            }
            for b in o.bumped
        ],
    }


def insert_json(p: InsertProposal) -> dict:
    return {
        "number": p.number,
        "priority": p.priority,
        "now": iso(p.now),
        "best": option_json(p.best) if p.best else None,
        "options": [option_json(o) for o in p.options],
        "not_possible": p.not_possible,
    }


def tech_route_json(r: RouteProposal) -> dict:
    return {
        "technician_id": r.tech_id,
        "technician": r.tech_name,
        "date": r.day.isoformat(),
        "timezone": str(r.zone),
        "route": route_json(r.route),
        "unassigned": [unplanned_json(u) for u in r.unassigned],
        "current_order": r.current_order,
        "current_drive_minutes": r.current_drive_minutes,
    }
