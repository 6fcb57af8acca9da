"""`svcdesk pm plans|add|preview|generate`: preventive-maintenance plans and their orders."""

from __future__ import annotations

from typing import Annotated

import typer

from svcdesk.cli.options import DryRunOpt, JsonOpt
from svcdesk.cli.output import info, print_json, table
from svcdesk.cli.progress import progress
from svcdesk.cli.state import actor, engine
from svcdesk.db import read_session, write_session
from svcdesk.errors import InvalidInput
from svcdesk.services.agreements import agreement_view as view
from svcdesk.services.agreements import agreements, pm_generate, pm_plans
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import parse_day

app = typer.Typer(
    help="Preventive maintenance: plans (RFC 5545 rules), preview, generate orders.",
    no_args_is_help=True,
)


@app.command("plans")
def plans(
    agreement: Annotated[
        str | None, typer.Option("--agreement", help="Only this agreement.")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Plans with their next three dates."""
    with read_session(engine()) as session:
        ag_id = agreements.get_agreement(session, agreement).id if agreement else None
        rows = view.list_plans(session, ag_id)
    if json_out:
        print_json([r.to_json() for r in rows])
        return
    table(f"{len(rows)} plans", ["Id", "Agreement", "Site", "Summary", "Rule", "Anchor", "Next"],
          [(r.id, r.agreement, r.site, r.summary, r.rrule, r.anchor,
            ", ".join(d.isoformat() for d in r.next_dates)) for r in rows])  # fmt: skip


@app.command("add")
def add(
    agreement: str,
    site: Annotated[int, typer.Option("--site", help="Site id.")],
    summary: Annotated[str, typer.Option("--summary")],
    rrule: Annotated[str, typer.Option("--rrule", help="e.g. FREQ=YEARLY;BYMONTH=4,10;BYDAY=1MO")],
    start: Annotated[
        str | None, typer.Option("--start", help="Rule start date (default today).")
    ] = None,
    asset: Annotated[int | None, typer.Option("--asset")] = None,
    anchor: Annotated[str, typer.Option("--anchor", help="scheduled or completed.")] = "scheduled",
    tz: Annotated[
        str | None, typer.Option("--tz", help="Site time zone (default the shop's).")
    ] = None,
    skill: Annotated[str | None, typer.Option("--skill")] = None,
    minutes: Annotated[int, typer.Option("--minutes")] = 60,
    priority: Annotated[str, typer.Option("--priority")] = "low",
    check: Annotated[
        list[str] | None, typer.Option("--check", help="Checklist line (repeatable).")
    ] = None,
) -> None:
    """Add a maintenance plan to an agreement and show its next dates."""
    with write_session(engine()) as session:
        ag = agreements.get_agreement(session, agreement)
        plan = pm_plans.create_plan(
            session, ag, site_id=site, asset_id=asset, summary=summary, rrule=rrule,
            starts_on=parse_day(start, shop_zone(session)), anchor=anchor, timezone=tz,
            skill=skill, est_minutes=minutes, priority=priority, checklist=check,
        )  # fmt: skip
        nexts = pm_plans.plan_preview(session, plan, 3)
        info(
            f"plan {plan.id} on {ag.number}: next " + ", ".join(d.due_on.isoformat() for d in nexts)
        )


@app.command("preview")
def preview(
    plan: Annotated[
        str | None, typer.Argument(help="Plan id (or give --rrule to try a rule).")
    ] = None,
    count: Annotated[int, typer.Option("--count")] = 8,
    rrule: Annotated[
        str | None, typer.Option("--rrule", help="Preview a rule before saving.")
    ] = None,
    start: Annotated[str | None, typer.Option("--start")] = None,
    tz: Annotated[str | None, typer.Option("--tz")] = None,
    json_out: JsonOpt = False,
) -> None:
    """The next dates a plan (or a rule) produces, after weekend/holiday moves."""
    with read_session(engine()) as session:
        if plan is not None:
            dates = pm_plans.plan_preview(session, pm_plans.get_plan(session, plan), count)
        elif rrule:
            dates = pm_plans.preview_dates(session, rrule=rrule, starts_on=parse_day(start, shop_zone(session)),
                                           timezone=tz, count=count)  # fmt: skip
        else:
            raise InvalidInput("preview: give a PLAN id or --rrule")
    if json_out:
        print_json([d.to_json() for d in dates])
        return
    table(f"next {len(dates)} dates", ["Due", "Weekday", "Rule date", "Moved"],
          [(d.due_on, d.due_on.strftime("%a"), d.rule_date, d.moved or "") for d in dates])  # fmt: skip


@app.command("generate")
def generate(
    through: Annotated[str, typer.Option("--through", help="Create orders due up to this day.")],
    dry_run: DryRunOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """Create the maintenance orders due up to --through (safe to re-run: never duplicates)."""
    with progress("pm generate"), write_session(engine()) as session:
        result = pm_generate.generate(session, parse_day(through, shop_zone(session)),
                                      dry_run=dry_run, actor=actor())  # fmt: skip
    if json_out:
        print_json(result.to_json())
        return
    verb = "would create" if dry_run else "created"
    for item in result.created:
        info(f"{item.order or '-'}  plan {item.plan_id} ({item.agreement})  due {item.due_on}")
    info(
        f"{verb} {len(result.created)}, skipped {len(result.skipped)} (already generated or past the agreement's end)"
    )


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="pm")
