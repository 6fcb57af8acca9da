"""`svcdesk demo`: build the demo shop."""

from __future__ import annotations

from typing import Annotated

import typer

from svcdesk.cli.output import info
from svcdesk.cli.progress import progress
from svcdesk.cli.state import STATE
from svcdesk.db import drop_schema, init_schema, make_engine, read_session, sqlite_path
from svcdesk.errors import InvalidInput
from svcdesk.services.orders.queries import count_orders


def demo(
    orders: Annotated[
        int, typer.Option("--orders", min=10, max=20000, help="How many orders.")
    ] = 300,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same shop).")] = 7,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing database.")] = False,
    open_console: Annotated[
        bool, typer.Option("--open", help="Open the console when built.")
    ] = False,
) -> None:
    """Build a realistic demo shop (Austin, TX) in the database."""
    from svcdesk.demo import build_demo, steps

    eng = STATE._engine = make_engine(STATE.db)  # (the demo makes its own database)
    with read_session(eng) as session:
        existing = count_orders(session)
    if existing and not force:
        raise InvalidInput(
            f"demo: the database already has {existing} orders; use --force to replace it"
        )
    if existing or force:
        path = sqlite_path(eng)
        eng.dispose()
        if path is not None:
            for suffix in ("", "-wal", "-shm"):
                path.with_name(path.name + suffix).unlink(missing_ok=True)
        else:
            drop_schema(eng)
        eng = STATE._engine = make_engine(STATE.db)
        init_schema(eng)
    with progress("demo: building the shop", total=len(steps())) as step:
        ctx = build_demo(
            eng, orders=orders, seed=seed, on_step=lambda name: step(1, f"demo: {name}")
        )
    info(
        f"demo shop ready: {len(ctx.techs)} technicians, {len(ctx.customers)} customers, "
        f"{len(ctx.sites)} sites, {len(ctx.order_numbers)} orders"
    )
    tech = next(iter(ctx.techs), "NAME")
    db = f" --db {STATE.db}" if STATE.db else ""
    info(
        "Technicians' phones (docs/field-app.md): run `svcdesk"
        + db
        + " serve --host 0.0.0.0`, then `svcdesk"
        + db
        + f' techs enrol "{tech}" --url http://THIS-MACHINE:8000` and open the link or scan '
        "its QR code on the phone (one use, 15 minutes)."
    )
    if "request_link" in ctx.extra:
        info(
            "Customer links (docs/customer-links.md), with `svcdesk serve` running: approve a "
            f"quote at {ctx.extra.get('quote_link', '(no sent quote)')} ; ask for service at "
            f"{ctx.extra['request_link']}"
        )
    staff = ", ".join(ctx.extra.get("staff", []))
    info(
        f"Staff: {staff}; act as one with `svcdesk{db} --as dana ...` (recorded as dana on "
        f"behalf of you); `svcdesk{db} audit --kind technician` shows who changed what, "
        f"`svcdesk{db} audit --kind stock` who moved which parts."
    )
    if open_console:
        from svcdesk.tui.launch import run_console

        run_console(eng)


def register(root: typer.Typer) -> None:
    root.command("demo")(demo)
