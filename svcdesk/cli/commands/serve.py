"""`svcdesk serve`: the technicians' field web app (docs/field-app.md)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from svcdesk.cli.output import err_console, info
from svcdesk.cli.state import engine

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (0.0.0.0: the shop's network).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
    certfile: Annotated[
        Path | None, typer.Option("--certfile", help="TLS certificate (PEM): serve HTTPS.")
    ] = None,
    keyfile: Annotated[
        Path | None, typer.Option("--keyfile", help="TLS private key (PEM).")
    ] = None,
    proxy: Annotated[
        bool,
        typer.Option(
            "--proxy",
            help="Behind a reverse proxy on this machine: trust its X-Forwarded-* headers.",
        ),
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            help="Server processes (uvicorn workers), e.g. one per core for many phones.",
        ),
    ] = 1,
    send_every: Annotated[
        int,
        typer.Option(
            "--send-every",
            min=0,
            help="Seconds between sending customer messages in the background (0 = off; "
            "then run `svcdesk messages send` from cron).",
        ),
    ] = 60,
) -> None:
    """Serve the field app for technicians' phones from this database."""
    if (certfile is None) != (keyfile is None):
        raise typer.BadParameter("give both --certfile and --keyfile", param_hint="--certfile")
    for path in (certfile, keyfile):
        if path is not None and not path.is_file():
            raise typer.BadParameter(f"{path}: no such file", param_hint="--certfile/--keyfile")
    import uvicorn

    from svcdesk.web import create_app
    from svcdesk.web.app import DB_ENV

    # several workers: each process builds its own app from the same database (uvicorn
    # imports the factory by name in every worker); the URL goes to them in the environment
    app: object
    if workers > 1:
        os.environ[DB_ENV] = engine().url.render_as_string(hide_password=False)
        app = "svcdesk.web.app:app_from_env"
    else:
        app = create_app(engine())
    scheme = "https" if certfile else "http"
    info(f"svcdesk field app on {scheme}://{host}:{port} (Ctrl+C stops)")
    if host not in LOOPBACK and certfile is None and not proxy:
        err_console.print(
            "warning: serving plain HTTP beyond this machine; use --certfile/--keyfile or a "
            "reverse proxy (docs/field-app.md)",
            markup=False,
        )
    from svcdesk.services.messages.delivery import BackgroundSender

    sender = BackgroundSender(
        engine(), send_every, lambda line: err_console.print(line, markup=False)
    )
    if send_every:
        sender.start()
    try:
        uvicorn.run(
            app,
            host=host,
            port=port,
            ssl_certfile=str(certfile) if certfile else None,
            ssl_keyfile=str(keyfile) if keyfile else None,
            proxy_headers=proxy,
            forwarded_allow_ips="127.0.0.1" if proxy else None,
            log_level="warning",
            **({"factory": True, "workers": workers} if workers > 1 else {}),
        )
    finally:
        sender.stop()


def register(root: typer.Typer) -> None:
    root.command("serve")(serve)
