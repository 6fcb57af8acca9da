"""`svcdesk report kpis --from --to [--by tech|skill|customer|week] [--json|--csv]`."""

from __future__ import annotations

import csv
import sys
from datetime import timedelta
from typing import Annotated

import typer

from svcdesk.cli.options import JsonOpt
from svcdesk.cli.output import console, print_json, table
from svcdesk.cli.state import engine
from svcdesk.db import read_session
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.spreadsheet import neutralise
from svcdesk.services.common.timefmt import parse_day
from svcdesk.services.reporting import kpis
from svcdesk.services.reporting.kpi_scope import GroupBy, resolve_filter

app = typer.Typer(help="Reports: the shop's KPIs over a period.", no_args_is_help=True)

# Columns of the grouped terminal table (CSV and JSON carry every KPI).
TABLE_KEYS = (
    "orders_created",
    "orders_completed",
    "response_median",
    "job_duration_median",
    "first_time_fix",
    "recall_rate",
    "revenue",
    "revenue_per_call",
    "margin",
    "gross_profit",
    "utilization",
    "sla_compliance",
    "backlog_open",
)
SHORT = {
    "orders_created": "Created",
    "orders_completed": "Done",
    "response_median": "Resp med",
    "job_duration_median": "Job med",
    "first_time_fix": "FTF",
    "recall_rate": "Recall",
    "revenue": "Revenue",
    "revenue_per_call": "Rev/call",
    "margin": "Margin",
    "gross_profit": "Profit",
    "utilization": "Util",
    "sla_compliance": "SLA",
    "backlog_open": "Open",
}


@app.callback()
def _group() -> None:
    """Reports."""


@app.command("kpis")
def kpis_cmd(
    from_: Annotated[
        str | None, typer.Option("--from", help="First day (shop time); default 30 days ago.")
    ] = None,
    to: Annotated[
        str | None, typer.Option("--to", help="Last day, inclusive; default today.")
    ] = None,
    by: Annotated[GroupBy | None, typer.Option("--by", help="One row per group.")] = None,
    tech: Annotated[str | None, typer.Option("--tech", help="Only this technician.")] = None,
    skill: Annotated[
        str | None, typer.Option("--skill", help="Only orders needing this skill.")
    ] = None,
    customer: Annotated[str | None, typer.Option("--customer", help="Only this customer.")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="Only this order kind.")] = None,
    priority: Annotated[str | None, typer.Option("--priority", help="Only this priority.")] = None,
    json_out: JsonOpt = False,
    csv_out: Annotated[
        bool, typer.Option("--csv", help="CSV on stdout (one row per group).")
    ] = False,
) -> None:
    """Orders, response, duration, first-time fix, money, utilization, SLA, backlog, aging."""
    if json_out and csv_out:
        raise typer.BadParameter("give --json or --csv, not both")
    with read_session(engine()) as session:
        zone = shop_zone(session)
        last = parse_day(to, zone)
        first = parse_day(from_, zone) if from_ else last - timedelta(days=29)
        flt = resolve_filter(
            session, tech=tech, skill=skill, customer=customer, kind=kind, priority=priority
        )
        report = kpis.compute(session, kpis.Period.of(first, last, zone), flt, by)
    if json_out:
        print_json(report.to_json())
    elif csv_out:
        _csv(report)
    elif by is None:
        table(
            f"KPIs {report.period.label} ({report.zone})",
            ["KPI", "Value", "Measured over", "Note"],
            [(k.label, k.text(), k.n, k.no_data or "") for k in report.total.values()],
        )
    else:
        rows = [
            (g.label, *[g.kpis[k].text() if k in g.kpis else "" for k in TABLE_KEYS])
            for g in report.groups
        ]
        rows.append(("TOTAL", *[report.total[k].text() for k in TABLE_KEYS]))
        table(
            f"KPIs by {by.value} {report.period.label} ({report.zone})",
            [by.value.capitalize(), *[SHORT[k] for k in TABLE_KEYS]],
            rows,
        )
        console.print("'no data' = nothing to measure; see docs/kpis.md", markup=False)


# The exports' column rule (docs/exports.md): a number carries its unit in its name.
UNIT_SUFFIX = {"cents": "_cents", "min": "_minutes", "h": "_hours", "d": "_days", "pct": "_pct"}


def csv_column(kpi) -> str:
    """`revenue` (cents) -> `revenue_cents`, `response_median` (min) -> `..._minutes`."""
    suffix = UNIT_SUFFIX.get(kpi.unit, "")
    return kpi.key if kpi.key.endswith(suffix) else kpi.key + suffix


def _csv(report: kpis.KpiReport) -> None:
    keys = list(report.total)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["group", *[csv_column(report.total[k]) for k in keys]])
    for g in report.groups:
        writer.writerow([neutralise(g.label), *[_cell(g.kpis.get(k)) for k in keys]])
    writer.writerow(["TOTAL", *[_cell(report.total[k]) for k in keys]])


def _cell(kpi) -> str:
    return "" if kpi is None or kpi.value is None else str(kpi.value)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="report")
