"""`svcdesk attach add|list|path|sign`: photos, documents and the customer's sign-off."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import typer

from svcdesk.cli.files import input_file, is_stdio
from svcdesk.cli.options import JsonOpt
from svcdesk.cli.output import info, print_json, table
from svcdesk.cli.state import actor, engine
from svcdesk.config import data_dir_for
from svcdesk.db import read_session, write_session
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import fmt, iso, parse_when
from svcdesk.services.execution import attachments
from svcdesk.services.execution import visit_progress as vp
from svcdesk.services.orders import lifecycle

app = typer.Typer(
    help="Files on an order or visit (stored under a content hash) and customer sign-off.",
    no_args_is_help=True,
)


def data_dir() -> Path:
    return data_dir_for(engine().url.render_as_string(hide_password=False))


@app.command("add")
def add(
    number: str,
    path: Annotated[str, typer.Argument(help="The file to attach ('-' = stdin, with --name).")],
    kind: Annotated[str, typer.Option("--kind", help="photo, document or signature.")] = "photo",
    visit_id: Annotated[int | None, typer.Option("--visit", help="Visit id on the order.")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Display file name.")] = None,
    caption: Annotated[str | None, typer.Option("--caption")] = None,
    base_dir: Annotated[
        Path | None,
        typer.Option("--base-dir", help="Resolve PATH inside this folder; refuse leaving it."),
    ] = None,
) -> None:
    """Copy a file into the data dir and attach it to an order (or one of its visits)."""
    if is_stdio(path) and not name:
        raise typer.BadParameter(
            "reading the file from stdin ('-') needs --name", param_hint="--name"
        )
    with input_file(path) as source, write_session(engine()) as session:
        order = lifecycle.get_order(session, number)
        visit = vp.find_visit(session, order, visit_id) if visit_id is not None else None
        att = attachments.add_attachment(
            session,
            order,
            str(source),
            data_dir(),
            visit=visit,
            kind=kind,
            name=name,
            caption=caption,
            base_dir=None if is_stdio(path) else base_dir,
            actor=actor(),
        )
        info(
            f"{order.number}: attached {att.kind} {att.filename} (id {att.id}, sha256 {att.sha256[:12]})"
        )


@app.command("list")
def list_cmd(number: str, json_out: JsonOpt = False) -> None:
    """Files and signatures on an order."""
    with read_session(engine()) as session:
        zone = shop_zone(session)
        order = lifecycle.get_order(session, number)
        files = attachments.order_attachments(session, order.id)
        sigs = attachments.order_signatures(session, order.id)
    data = {
        "attachments": [
            {
                "id": a.id,
                "visit_id": a.visit_id,
                "kind": a.kind,
                "filename": a.filename,
                "size_bytes": a.size_bytes,
                "sha256": a.sha256,
                "content_type": a.content_type,
                "caption": a.caption,
                "added_at": iso(a.added_at),
                "added_by": a.added_by,
            }
            for a in files
        ],
        "signatures": [
            {
                "signer": s.signer_name,
                "signed_at": iso(s.signed_at),
                "visit_id": s.visit_id,
                "attachment_id": s.attachment_id,
            }
            for s in sigs
        ],
    }
    if json_out:
        print_json(data)
        return
    table(
        f"{order.number}: {len(files)} files",
        ["Id", "Kind", "Name", "Bytes", "Caption", "Added"],
        [(a.id, a.kind, a.filename, a.size_bytes, a.caption, fmt(a.added_at, zone)) for a in files],
    )
    for s in sigs:
        info(f"Signed by {s.signer_name} at {fmt(s.signed_at, zone)}")


@app.command("path")
def path_cmd(attachment_id: int) -> None:
    """Where an attachment's stored copy is (checked to exist inside the data dir)."""
    with read_session(engine()) as session:
        att = attachments.get_attachment(session, attachment_id)
        info(str(attachments.stored_file(att, data_dir())))


@app.command("sign")
def sign(
    number: str,
    signer: Annotated[str, typer.Option("--signer", help="The signer's name.")],
    at: Annotated[str | None, typer.Option("--at", help="When (default: now).")] = None,
    image: Annotated[
        str | None, typer.Option("--image", help="Signature image file ('-' = stdin).")
    ] = None,
    visit_id: Annotated[int | None, typer.Option("--visit")] = None,
) -> None:
    """Record the customer's sign-off: name + time (and the image when given)."""
    with ExitStack() as stack, write_session(engine()) as session:
        if image is not None:
            image = str(stack.enter_context(input_file(image, ".png")))
        zone = shop_zone(session)
        order = lifecycle.get_order(session, number)
        visit = vp.find_visit(session, order, visit_id) if visit_id is not None else None
        sig = attachments.sign_off(
            session,
            order,
            signer,
            visit=visit,
            signed_at=parse_when(at, zone, field="--at") if at else None,
            image=image,
            data_dir=data_dir(),
            actor=actor(),
        )
        info(f"{order.number}: signed off by {sig.signer_name} at {fmt(sig.signed_at, zone)}")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="attach")
