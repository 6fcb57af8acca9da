"""`svcdesk visits start|arrive|leave|complete|outcome|show`: what happened on site."""

from __future__ import annotations

from typing import Annotated

import typer

from svcdesk.cli.options import JsonOpt
from svcdesk.cli.output import info, print_json, table
from svcdesk.cli.state import actor, engine
from svcdesk.db import read_session, write_session
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import fmt, parse_when
from svcdesk.services.common.words import status_words
from svcdesk.services.crm.technicians import find_technician
from svcdesk.services.execution import visit_progress as vp
from svcdesk.services.execution.execution_view import execution_detail
from svcdesk.services.orders import lifecycle

app = typer.Typer(
    help="Visit progress: en route, arrived, completed with an outcome; crews' own times.",
    no_args_is_help=True,
)

VisitOpt = Annotated[
    int | None, typer.Option("--visit", help="Visit id (default: the order's current visit).")
]
TechOpt = Annotated[
    list[str] | None,
    typer.Option("--tech", help="Only these crew members (repeatable; default: whole crew)."),
]
AtOpt = Annotated[
    str | None, typer.Option("--at", help="When it happened (default: now), e.g. '14:05'.")
]


def _resolve(session, number: str, visit_id: int | None, tech: list[str] | None, at: str | None):
    zone = shop_zone(session)
    order = lifecycle.get_order(session, number)
    visit = vp.find_visit(session, order, visit_id)
    tech_ids = [find_technician(session, t).id for t in tech] if tech else None
    when = parse_when(at, zone, field="--at") if at else None
    return zone, order, visit, tech_ids, when


@app.command("start")
def start(number: str, visit_id: VisitOpt = None, tech: TechOpt = None, at: AtOpt = None) -> None:
    """The crew is on the way: travel time starts; the order goes en_route."""
    with write_session(engine()) as session:
        zone, order, visit, tech_ids, when = _resolve(session, number, visit_id, tech, at)
        vp.start_travel(session, visit, at=when, tech_ids=tech_ids, actor=actor())
        info(
            f"{order.number}: en route at {fmt(visit.en_route_at, zone, '%H:%M')}; status {status_words(order.status)}"
        )


@app.command("arrive")
def arrive(number: str, visit_id: VisitOpt = None, tech: TechOpt = None, at: AtOpt = None) -> None:
    """The crew is on site: travel stops, work time starts; the order goes on_site."""
    with write_session(engine()) as session:
        zone, order, visit, tech_ids, when = _resolve(session, number, visit_id, tech, at)
        vp.arrive(session, visit, at=when, tech_ids=tech_ids, actor=actor())
        info(
            f"{order.number}: arrived at {fmt(visit.arrived_at, zone, '%H:%M')}; status {status_words(order.status)}"
        )


@app.command("leave")
def leave(
    number: str,
    tech: Annotated[list[str], typer.Option("--tech", help="Crew member(s) leaving early.")],
    visit_id: VisitOpt = None,
    at: AtOpt = None,
) -> None:
    """A crew member leaves before the visit ends (their time stops, the visit goes on)."""
    with write_session(engine()) as session:
        _, order, visit, tech_ids, when = _resolve(session, number, visit_id, tech, at)
        techs = vp.leave(session, visit, tech_ids or [], at=when, actor=actor())
        info(f"{order.number}: {', '.join(t.name for t in techs)} left the site")


@app.command("complete")
def complete(
    number: str,
    outcome: Annotated[
        str, typer.Argument(help="fixed, needs_parts, needs_return, no_access or quoted.")
    ],
    work: Annotated[str | None, typer.Option("--work", help="Work performed.")] = None,
    visit_id: VisitOpt = None,
    at: AtOpt = None,
    no_parts: Annotated[
        bool, typer.Option("--no-parts", help="Declare that no parts were used.")
    ] = False,
    return_at: Annotated[
        str | None, typer.Option("--return-at", help="Book the return visit (same crew) now.")
    ] = None,
    return_minutes: Annotated[int | None, typer.Option("--return-minutes")] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Complete despite unanswered required checklist items.")
    ] = False,
) -> None:
    """The crew departs: time stops, the outcome is recorded and the order follows it."""
    with write_session(engine()) as session:
        zone, order, visit, _, when = _resolve(session, number, visit_id, None, at)
        again = parse_when(return_at, zone, field="--return-at") if return_at else None
        booked = vp.complete(
            session,
            visit,
            outcome,
            work_performed=work,
            at=when,
            force=force,
            no_parts=no_parts,
            return_at=again,
            return_minutes=return_minutes,
            actor=actor(),
        )
        info(
            f"{order.number}: visit completed ({visit.outcome}); status {status_words(order.status)}"
        )
        if booked is not None:
            info(f"{order.number}: return visit booked {fmt(booked.starts_at, zone)}")
        elif order.status == "on_hold":
            info(f"{order.number}: book the next visit with `svcdesk orders assign {order.number}`")


@app.command("outcome")
def outcome_cmd(
    number: str,
    outcome: str,
    work: Annotated[str | None, typer.Option("--work", help="Work performed.")] = None,
    visit_id: Annotated[int | None, typer.Option("--visit", help="Visit id.")] = None,
) -> None:
    """Record or correct the outcome of a completed visit (the order's status stays)."""
    with write_session(engine()) as session:
        order = lifecycle.get_order(session, number)
        visit = vp.last_completed_visit(session, order, visit_id)
        vp.set_outcome(session, visit, outcome, work_performed=work, actor=actor())
        info(f"{order.number}: visit {visit.id} outcome {visit.outcome}")


@app.command("show")
def show(number: str, json_out: JsonOpt = False) -> None:
    """Everything recorded on site: visits, crew time, parts, checklist, files, sign-off."""
    with read_session(engine()) as session:
        zone = shop_zone(session)
        d = execution_detail(session, lifecycle.get_order(session, number))
    if json_out:
        print_json(d.to_json())
        return
    info(f"{d.number}  {status_words(d.status)}")
    for v in d.visits:
        info(
            f"Visit {v['id']} {v['status']}  en route {fmt(v['en_route_at'], zone, '%m-%d %H:%M')}  "
            f"arrived {fmt(v['arrived_at'], zone, '%H:%M')}  departed {fmt(v['departed_at'], zone, '%H:%M')}  "
            f"outcome {v['outcome'] or '-'}  crew {', '.join(v['crew'])}"
        )
        if v["work_performed"]:
            info(f"  work: {v['work_performed']}")
    table(
        "Time",
        ["Id", "Tech", "Kind", "Start", "End", "Min", "Approved"],
        [
            (
                t["id"],
                t["technician"],
                t["kind"],
                fmt(t["starts_at"], zone, "%m-%d %H:%M"),
                fmt(t["ends_at"], zone, "%H:%M") or "running",
                t["minutes"],
                "yes" if t["approved"] else "",
            )
            for t in d.time
        ],
    )
    table(
        "Parts",
        ["Id", "SKU", "Name", "Qty", "From", "Price", "Warranty"],
        [
            (
                p["id"],
                p["sku"],
                p["name"],
                p["qty"],
                p["location"],
                p["unit_price"],
                "yes" if p["warranty"] else "",
            )
            for p in d.parts
        ],
    )
    table(
        "Checklist",
        ["#", "Checklist", "Item", "Answer", "Req"],
        [
            (
                c["position"],
                c["checklist"],
                c["label"],
                (c["answer"] or "") + (f" {c['unit']}" if c["unit"] and c["answer"] else ""),
                "*" if c["required"] else "",
            )
            for c in d.checklist
        ],
    )
    table(
        "Files",
        ["Id", "Kind", "Name", "Size", "Caption"],
        [(a["id"], a["kind"], a["filename"], a["size_bytes"], a["caption"]) for a in d.attachments],
    )
    for s in d.signatures:
        info(f"Signed by {s['signer']} at {fmt(s['signed_at'], zone)}")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="visits")
