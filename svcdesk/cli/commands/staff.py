"""`svcdesk staff add|edit|list|deactivate`: the people a change may be made as
(`svcdesk --as NAME ...`, recorded as NAME on behalf of the operating-system user)."""

from __future__ import annotations

from typing import Annotated

import typer

from svcdesk.cli.options import JsonOpt, nothing_to_change
from svcdesk.cli.output import info, print_json, show_changes, table
from svcdesk.cli.state import actor, engine
from svcdesk.db import read_session, write_session
from svcdesk.services.crm import staff as svc

app = typer.Typer(
    help="Office staff: the names `--as` accepts (changes are recorded on behalf of you).",
    no_args_is_help=True,
)
RoleOpt = Annotated[
    str | None, typer.Option("--role", help=f"One of {', '.join(svc.ROLES)}.", show_default=False)
]
TechOpt = Annotated[
    str | None,
    typer.Option("--tech", help="The technician this person is (name or id; '' unlinks)."),
]


def _said(view: dict) -> str:
    tech = f", technician {view['technician']}" if view["technician"] else ""
    return f"{view['name']} ({view['role']}{tech}{'' if view['active'] else ', inactive'})"


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The person's name (unique, any case).")],
    role: RoleOpt = None,
    tech: TechOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Add a staff member."""
    with write_session(engine()) as session:
        staff = svc.add_staff(
            session, name, role=role or "dispatcher", technician=tech, actor=actor()
        )
        view = svc.staff_view(session, staff)
    if json_out:
        print_json(view)
    else:
        info(f"staff #{view['id']} {_said(view)} added")


@app.command("edit")
def edit(
    name: Annotated[str, typer.Argument(help="Id or name.")],
    rename: Annotated[str | None, typer.Option("--name", help="A new name.")] = None,
    role: RoleOpt = None,
    tech: TechOpt = None,
    active: Annotated[bool | None, typer.Option("--active/--inactive", show_default=False)] = None,
    json_out: JsonOpt = False,
) -> None:
    """Rename a staff member, change their role or technician, or (re)activate them."""
    if rename is None and role is None and tech is None and active is None:
        nothing_to_change("--name, --role, --tech or --active/--inactive")
    with write_session(engine()) as session:
        staff = svc.get_staff(session, name)
        changes = svc.edit_staff(
            session, staff, name=rename, role=role, technician=tech, active=active, actor=actor()
        )
        view = svc.staff_view(session, staff)
    show_changes(view["name"], view, changes, json_out)


@app.command("deactivate")
def deactivate(name: Annotated[str, typer.Argument(help="Id or name.")]) -> None:
    """Stop a staff member being used with --as (their history stays)."""
    with write_session(engine()) as session:
        staff = svc.get_staff(session, name)
        svc.deactivate_staff(session, staff, actor=actor())
        said = staff.name
    info(f"{said} deactivated; `svcdesk staff edit {said!r} --active` brings them back")


@app.command("list")
def list_cmd(
    all_: Annotated[bool, typer.Option("--all", help="Include inactive staff.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """The staff, by name."""
    with read_session(engine()) as session:
        views = [svc.staff_view(session, s) for s in svc.list_staff(session, include_inactive=all_)]
    if json_out:
        print_json(views)
        return
    table(
        f"{len(views)} staff",
        ["#", "Name", "Role", "Technician", "Active"],
        [(v["id"], v["name"], v["role"], v["technician"], "yes" if v["active"] else "no")
         for v in views],
    )  # fmt: skip
    if not views:
        info(f"no staff yet; {svc.ADD_HINT}")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="staff")
