"""`svcdesk agreements list|show|create|cover|sla|activate|cancel|renewals|roll|lines|bill`."""

from __future__ import annotations

from typing import Annotated

import typer

from svcdesk.cli.options import DryRunOpt, JsonOpt
from svcdesk.cli.output import info, print_json, table
from svcdesk.cli.state import actor, engine
from svcdesk.db import read_session, write_session
from svcdesk.services.agreements import agreement_view as view
from svcdesk.services.agreements import agreements as svc
from svcdesk.services.billing import agreement_billing as billing
from svcdesk.services.common.money import fmt_money, parse_money
from svcdesk.services.common.recurrence import rule_words
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import parse_day
from svcdesk.services.common.words import status_words
from svcdesk.services.crm.customers import get_customer

app = typer.Typer(
    help="Service agreements: coverage, SLA terms, renewals, billing.", no_args_is_help=True
)


@app.command("list")
def list_cmd(
    status: Annotated[
        str | None, typer.Option("--status", help="draft, active, expired, cancelled.")
    ] = None,
    customer: Annotated[
        str | None, typer.Option("--customer", help="Customer id, phone or name.")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Agreements by number."""
    with read_session(engine()) as session:
        cust = get_customer(session, customer).id if customer else None
        rows = view.list_agreements(session, status=status, customer_id=cust)
    if json_out:
        print_json([r.to_json() for r in rows])
        return
    table(f"{len(rows)} agreements", ["Number", "Customer", "Name", "Status", "Term", "Price", "Cycle", "Plans"],
          [(r.number, r.customer, r.name, status_words(r.status), f"{r.term_start} - {r.ends_on}",
            fmt_money(r.price_cents), r.billing_cycle, r.plans) for r in rows])  # fmt: skip


@app.command("show")
def show(number: str, json_out: JsonOpt = False) -> None:
    """One agreement: coverage, SLA terms, plans with their next dates."""
    with read_session(engine()) as session:
        d = view.agreement_detail(session, svc.get_agreement(session, number))
    if json_out:
        print_json(d)
        return
    info(f"{d['number']}  {d['name']}  ({d['status']})  customer: {d['customer']}")
    info(f"Term:     {d['term_start']} - {d['ends_on']} ({d['term_months']} months"
         f"{', auto-renew' if d['auto_renew'] else ''}, renewed {d['renewals']}x)")  # fmt: skip
    info(f"Price:    {fmt_money(d['price_cents'])} {d['billing_cycle']}   discounts: labor "
         f"{d['labor_discount_bp'] / 100:g} %, parts {d['parts_discount_bp'] / 100:g} %")  # fmt: skip
    info(f"Visits:   {d['visits_used']} of {d['covered_visits']} used this term")
    table(
        "Coverage",
        ["Site", "Asset"],
        [(c["site"], c["asset"] or "whole site") for c in d["coverage"]],
    )
    table("SLA", ["Priority", "Response h", "Resolution h", "Clock"],
          [(s["priority"], f"{s['response_hours']:g}", f"{s['resolution_hours']:g}", s["clock"])
           for s in d["sla"]])  # fmt: skip
    table("Plans", ["Id", "Summary", "Rule", "Anchor", "Next"],
          [(p["id"], p["summary"], rule_words(p["rrule"]), p["anchor"], ", ".join(p["next_dates"]))
           for p in d["plans"]])  # fmt: skip


@app.command("create")
def create(
    customer: Annotated[str, typer.Option("--customer", help="Customer id, phone or name.")],
    name: Annotated[str, typer.Option("--name", help="What the customer bought.")],
    start: Annotated[str | None, typer.Option("--start", help="First day (default today).")] = None,
    term: Annotated[int, typer.Option("--term", help="Term in months.")] = 12,
    price: Annotated[
        str, typer.Option("--price", help="Charged each billing period, e.g. 19.00.")
    ] = "0",
    cycle: Annotated[str, typer.Option("--cycle", help="monthly, quarterly or annual.")] = "annual",
    labor_discount: Annotated[str, typer.Option("--labor-discount", help="Percent.")] = "0",
    parts_discount: Annotated[str, typer.Option("--parts-discount", help="Percent.")] = "0",
    visits: Annotated[
        int, typer.Option("--visits", help="Covered maintenance visits per term.")
    ] = 0,
    auto_renew: Annotated[bool, typer.Option("--auto-renew/--no-auto-renew")] = False,
    site: Annotated[
        list[int] | None, typer.Option("--site", help="Covered site id (repeatable).")
    ] = None,
    sla: Annotated[
        list[str] | None,
        typer.Option("--sla", help="PRIORITY=RESP_H/RESOL_H[/business|calendar] (repeatable)."),
    ] = None,
    activate: Annotated[bool, typer.Option("--activate", help="Activate right away.")] = False,
) -> None:
    """Create an agreement (draft unless --activate)."""
    with write_session(engine()) as session:
        zone = shop_zone(session)
        ag = svc.create_agreement(
            session, customer_id=get_customer(session, customer).id, name=name,
            starts_on=parse_day(start, zone), term_months=term,
            price_cents=parse_money(price, field="price"), billing_cycle=cycle,
            labor_discount_bp=svc.parse_bp(labor_discount, "labor discount"),
            parts_discount_bp=svc.parse_bp(parts_discount, "parts discount"),
            covered_visits=visits, auto_renew=auto_renew,
        )  # fmt: skip
        for site_id in site or []:
            svc.add_coverage(session, ag, site_id=site_id)
        for spec in sla or []:
            prio, resp, resol, clock = svc.parse_sla_spec(spec)
            svc.set_sla(
                session, ag, priority=prio, response_hours=resp, resolution_hours=resol, clock=clock
            )
        if activate:
            svc.change_status(session, ag, "active")
        info(f"{ag.number}: {ag.name} ({status_words(ag.status)}) {ag.term_start} - {ag.ends_on}")


@app.command("cover")
def cover(
    number: str,
    site: Annotated[int, typer.Option("--site", help="Site id.")],
    asset: Annotated[
        int | None, typer.Option("--asset", help="Only this asset at the site.")
    ] = None,
) -> None:
    """Add a covered site (or one asset at it)."""
    with write_session(engine()) as session:
        ag = svc.get_agreement(session, number)
        svc.add_coverage(session, ag, site_id=site, asset_id=asset)
        info(f"{ag.number}: covers site {site}" + (f" asset {asset}" if asset else ""))


@app.command("sla")
def sla_cmd(
    number: str,
    spec: Annotated[list[str], typer.Argument(help="PRIORITY=RESP_H/RESOL_H[/business|calendar]")],
) -> None:
    """Set the agreement's response/resolution promise for priorities (wins over the shop's)."""
    with write_session(engine()) as session:
        ag = svc.get_agreement(session, number)
        for item in spec:
            prio, resp, resol, clock = svc.parse_sla_spec(item)
            row = svc.set_sla(
                session, ag, priority=prio, response_hours=resp, resolution_hours=resol, clock=clock
            )
            info(
                f"{ag.number}: {row.priority} respond {resp:g} h, resolve {resol:g} h ({row.clock})"
            )


@app.command("activate")
def activate_cmd(number: str) -> None:
    """draft -> active."""
    with write_session(engine()) as session:
        ag = svc.change_status(session, svc.get_agreement(session, number), "active")
        info(f"{ag.number}: active until {ag.ends_on}")


@app.command("cancel")
def cancel(number: str, reason: Annotated[str, typer.Option("--reason")]) -> None:
    """Cancel an agreement (its plans stop generating)."""
    with write_session(engine()) as session:
        ag = svc.change_status(
            session, svc.get_agreement(session, number), "cancelled", reason=reason
        )
        info(f"{ag.number}: cancelled")


@app.command("renewals")
def renewals(
    days: Annotated[int, typer.Option("--days", help="Ending within this many days.")] = 60,
    json_out: JsonOpt = False,
) -> None:
    """Active agreements ending soon (call the customer before they lapse)."""
    with read_session(engine()) as session:
        today = parse_day(None, shop_zone(session))
        numbers = [a.number for a in svc.renewals(session, today, days)]
        rows = sorted(
            view.list_agreements(session, numbers=numbers), key=lambda r: (r.ends_on, r.number)
        )
    if json_out:
        print_json([r.to_json() | {"days_left": (r.ends_on - today).days} for r in rows])
        return
    table(f"{len(rows)} agreements ending within {days} days", ["Number", "Customer", "Ends", "Days", "Auto-renew"],
          [(r.number, r.customer, r.ends_on, (r.ends_on - today).days, "yes" if r.auto_renew else "no") for r in rows])  # fmt: skip


@app.command("roll")
def roll(
    today: Annotated[
        str | None, typer.Option("--today", help="Run as of this day (default today).")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Nightly: renew ended auto-renew agreements, expire the others."""
    with write_session(engine()) as session:
        result = svc.roll(session, parse_day(today, shop_zone(session)))
    if json_out:
        print_json({"renewed": result.renewed, "expired": result.expired})
        return
    info(f"renewed {len(result.renewed)}, expired {len(result.expired)}")


@app.command("lines")
def lines(
    number: str,
    through: Annotated[
        str | None, typer.Option("--through", help="Periods started by this day.")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """The billable lines of each billing period (what `bill` would invoice)."""
    with read_session(engine()) as session:
        ag = svc.get_agreement(session, number)
        day = parse_day(through, shop_zone(session))
        out = [
            line
            for p in billing.periods(ag, day)
            for line in billing.billable_lines(session, ag, p)
        ]
    if json_out:
        print_json([line.to_json() for line in out])
        return
    table(f"{ag.number} billable lines", ["Period", "Description", "Amount"],
          [(f"{x.period_start} - {x.period_end}", x.description, fmt_money(x.amount_cents)) for x in out])  # fmt: skip


@app.command("bill")
def bill(
    through: Annotated[str, typer.Option("--through", help="Bill periods started by this day.")],
    dry_run: DryRunOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """Draft an invoice for every unbilled agreement period (idempotent)."""
    with write_session(engine()) as session:
        result = billing.bill(
            session, parse_day(through, shop_zone(session)), dry_run=dry_run, actor=actor()
        )
    if json_out:
        print_json(result.to_json())
        return
    verb = "would bill" if dry_run else "billed"
    for b in result.billed:
        info(
            f"{b['agreement']} {b['period_start']} - {b['period_end']}: {fmt_money(b['amount_cents'])} {b['invoice'] or ''}".rstrip()
        )
    info(f"{verb} {len(result.billed)} periods; {result.skipped} already billed")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="agreements")
