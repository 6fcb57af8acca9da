"""Customer link pages (docs/customer-links.md): `/c/{token}` shows what the link is for.

- a quote: the document, one option to choose, a typed name and a drawn signature to approve
  (or a name and a reason to decline);
- an invoice: the document, payments and balance, and its PDF (`/c/{token}/invoice.pdf`);
- a service request form that files an order through intake (source `portal`).

No account and no cookie: the token in the address is the key, and every form carries a CSRF
value derived from it. A wrong, expired or revoked token is a plain 404 (the same page for
each), and an address that keeps guessing is held off for a while. Business rules live in
`services.billing.portal`; this module reads forms and renders pages."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from svcdesk.db import read_session, write_session
from svcdesk.errors import NotFound, SvcDeskError
from svcdesk.services.billing import portal
from svcdesk.services.crm import devices

FORM_LIMIT = 512 * 1024  # a signature is the largest field


def add_routes(app: FastAPI, engine: Engine, page) -> None:
    guesses = devices.SignInLimiter(limit=20, window=600.0)
    requests = devices.SignInLimiter(limit=10, window=3600.0)

    def client(request: Request) -> str:
        return request.client.host if request.client else "?"

    def gone(request: Request) -> HTMLResponse:
        guesses.failed(client(request))
        return page(request, "error.html", 404, message="not found", customer=True)

    def slow_down(request: Request) -> HTMLResponse:
        return page(request, "error.html", 429, customer=True,
                    message="too many tries from your address; wait a few minutes")  # fmt: skip

    def show(request: Request, token: str, status: int = 200, **extra: Any) -> HTMLResponse:
        with write_session(engine) as session:
            link = portal.open_link(session, token)
            portal.mark_opened(session, link)
            context: dict[str, Any] = {"token": token, "csrf": portal.csrf_token(token),
                                       "customer": True, "company": portal.company_name(session),
                                       "form": {}, "done": None, "error": None,
                                       **extra}  # fmt: skip
            if link.kind == "quote":
                return page(request, "portal_quote.html", status,
                            quote=portal.quote_page(session, link), **context)  # fmt: skip
            if link.kind == "invoice":
                return page(request, "portal_invoice.html", status,
                            invoice=portal.invoice_page(session, link), **context)  # fmt: skip
            return page(request, "portal_request.html", status,
                        prefill=portal.request_prefill(session, link),
                        idem=secrets.token_hex(8), **context)  # fmt: skip

    @app.get("/c/{token}", response_class=HTMLResponse)
    def link_page(request: Request, token: str):
        if guesses.blocked(client(request)):
            return slow_down(request)
        try:
            return show(request, token, done=request.query_params.get("done"))
        except NotFound:
            return gone(request)

    @app.get("/c/{token}/invoice.pdf")
    def invoice_pdf(request: Request, token: str):
        if guesses.blocked(client(request)):
            return slow_down(request)
        try:
            with read_session(engine) as session:
                name, data = portal.invoice_pdf(
                    session, portal.open_link(session, token, "invoice")
                )
        except NotFound:
            return gone(request)
        return Response(data, media_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip

    async def posted(request: Request, token: str, action) -> Response:
        if guesses.blocked(client(request)):
            return slow_down(request)
        form = await request.form(max_part_size=FORM_LIMIT)
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        try:
            with read_session(engine) as session:
                portal.open_link(session, token)
        except NotFound:
            return gone(request)
        if not portal.check_csrf(token, fields.get("csrf")):
            return page(request, "error.html", 403, customer=True,
                        message="the form expired; reload the page and send again")  # fmt: skip

        def run():
            with write_session(engine) as session:
                return action(session, portal.open_link(session, token), fields)

        try:
            done = await run_in_threadpool(run)
        except NotFound:
            return gone(request)
        except SvcDeskError as exc:
            draft = {k: v for k, v in fields.items() if k not in ("csrf", "image")}
            return await run_in_threadpool(show, request, token, 422, error=str(exc), form=draft)
        return RedirectResponse(f"/c/{token}?done={done}", status_code=303)

    @app.post("/c/{token}/approve")
    async def approve(request: Request, token: str):
        def action(session, link, f):
            quote = portal.approve_quote(session, link, option=f.get("option"), name=f.get("name"),
                                         signature=f.get("image"), client=client(request))  # fmt: skip
            return "approved" if quote else ""

        return await posted(request, token, action)

    @app.post("/c/{token}/decline")
    async def decline(request: Request, token: str):
        def action(session, link, f):
            portal.decline_quote(session, link, name=f.get("name"), reason=f.get("reason"),
                                 client=client(request))  # fmt: skip
            return "declined"

        return await posted(request, token, action)

    @app.post("/c/{token}/request")
    async def service_request(request: Request, token: str):
        if requests.blocked(client(request)):
            return slow_down(request)

        def action(session, link, f):
            order = portal.submit_request(session, link, f, client=client(request))
            requests.failed(client(request))  # counts requests sent, not failures
            return order.number

        return await posted(request, token, action)
