"""`svcdesk checklist add|list|show-template|attach|answer|show`."""

from __future__ import annotations

from typing import Annotated

import typer

from svcdesk.cli.options import JsonOpt
from svcdesk.cli.output import info, print_json, table
from svcdesk.cli.state import actor, engine
from svcdesk.db import read_session, write_session
from svcdesk.services.execution import checklists
from svcdesk.services.execution import visit_progress as vp
from svcdesk.services.orders import lifecycle

app = typer.Typer(
    help="Checklists: templates (readings, yes/no items) attached to visits and answered.",
    no_args_is_help=True,
)
VisitOpt = Annotated[
    int | None, typer.Option("--visit", help="Visit id (default: the order's current visit).")
]


def _visit(session, number: str, visit_id: int | None):
    order = lifecycle.get_order(session, number)
    if visit_id is None and order.status in ("completed", "invoiced", "closed"):
        return vp.last_completed_visit(session, order)
    return vp.find_visit(session, order, visit_id)


@app.command("add")
def add(
    name: str,
    item: Annotated[
        list[str],
        typer.Option(
            "--item", help="LABEL[:yes_no|number|text[:UNIT]][:optional], repeat per item."
        ),
    ],
    order_kind: Annotated[
        str | None,
        typer.Option("--for-kind", help="Attach automatically to visits of this order kind."),
    ] = None,
    description: Annotated[str | None, typer.Option("--description")] = None,
) -> None:
    """Create a checklist template."""
    with write_session(engine()) as session:
        specs = [checklists.parse_item_spec(text) for text in item]
        tpl = checklists.create_template(
            session, name, specs, description=description, order_kind=order_kind
        )
        info(f"checklist {tpl.name!r} created with {len(specs)} items")


@app.command("list")
def list_cmd(json_out: JsonOpt = False) -> None:
    """Checklist templates with their items."""
    with read_session(engine()) as session:
        data = [
            {
                "id": t.id,
                "name": t.name,
                "order_kind": t.order_kind,
                "description": t.description,
                "items": [
                    {
                        "position": i.position,
                        "label": i.label,
                        "type": i.answer_type,
                        "unit": i.unit,
                        "required": i.required,
                    }
                    for i in checklists.template_items(session, t.id)
                ],
            }
            for t in checklists.list_templates(session)
        ]
    if json_out:
        print_json(data)
        return
    for t in data:
        table(
            f"{t['name']}" + (f" (for {t['order_kind']})" if t["order_kind"] else ""),
            ["#", "Item", "Type", "Unit", "Required"],
            [
                (i["position"], i["label"], i["type"], i["unit"], "yes" if i["required"] else "")
                for i in t["items"]
            ],
        )


@app.command("attach")
def attach(number: str, template: str, visit_id: VisitOpt = None) -> None:
    """Attach a checklist template to a visit."""
    with write_session(engine()) as session:
        visit = _visit(session, number, visit_id)
        tpl = checklists.get_template(session, template)
        checklists.attach(session, visit, tpl, actor=actor())
        info(f"{number.upper()}: checklist {tpl.name!r} on visit {visit.id}")


@app.command("answer")
def answer(
    number: str,
    item: Annotated[str, typer.Argument(help="Item position, label, or 'Checklist:position'.")],
    value: str,
    visit_id: VisitOpt = None,
) -> None:
    """Answer one checklist item (yes/no, a number, or text); goes into the history."""
    with write_session(engine()) as session:
        visit = _visit(session, number, visit_id)
        line = checklists.answer(session, visit, item, value, actor=actor())
        info(f"{line.template}: {line.label} = {line.value}{' ' + line.unit if line.unit else ''}")


@app.command("show")
def show(number: str, visit_id: VisitOpt = None, json_out: JsonOpt = False) -> None:
    """A visit's checklist items and answers (required ones marked *)."""
    with read_session(engine()) as session:
        visit = _visit(session, number, visit_id)
        lines = checklists.visit_lines(session, visit.id)
    if json_out:
        print_json({"visit_id": visit.id, "items": [ln.to_json() for ln in lines]})
        return
    table(
        f"Visit {visit.id} checklist",
        ["#", "Checklist", "Item", "Answer", "Req"],
        [
            (
                ln.position,
                ln.template,
                ln.label,
                (ln.value or "") + (f" {ln.unit}" if ln.unit and ln.value else ""),
                "*" if ln.required else "",
            )
            for ln in lines
        ],
    )


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="checklist")
