"""The field web app: FastAPI routes over the service layer, Jinja2 pages, htmx polling.

This module holds no business rule and writes no SQL: it reads the device cookie, checks
the CSRF token, opens a read or write session, and calls `services.crm.devices` and
`services.execution.field_app`. Errors from the services become the page again with the
message and what was typed (422 for bad input, 409 for a stale version or a double send,
404 for anything not the technician's)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from svcdesk.config import data_dir_for
from svcdesk.db import open_engine, read_session, write_session
from svcdesk.errors import Conflict, InvalidInput, NotFound, SvcDeskError
from svcdesk.services.crm import devices
from svcdesk.services.execution import field_app
from svcdesk.web import portal

HERE = Path(__file__).resolve().parent
COOKIE = "svcdesk_field"
COOKIE_MAX_AGE = 180 * 24 * 3600
UPLOAD_LIMIT = field_app.PHOTO_MAX_BYTES
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
}


class Device:
    """The signed-in phone of a request: its row and the raw cookie (for the CSRF token)."""

    def __init__(self, row, token: str):
        self.row, self.token = row, token
        self.csrf = devices.csrf_token(token)


class SignedOut(Exception):
    pass


class BadCsrf(Exception):
    pass


class TooLarge(Exception):
    pass


def create_app(
    engine: Engine,
    *,
    data_dir: Path | None = None,
    limiter: devices.SignInLimiter | None = None,
) -> FastAPI:
    app = FastAPI(title="svcdesk field", docs_url=None, redoc_url=None, openapi_url=None)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    files_dir = data_dir or data_dir_for(engine.url.render_as_string(hide_password=False))
    signin = limiter or devices.SignInLimiter()
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.middleware("http")
    async def headers(request: Request, call_next):
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > UPLOAD_LIMIT + 64 * 1024:
            return _page(
                request, "error.html", 413, message="the file is too large (10 MB at most)"
            )
        response = await call_next(request)
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        if request.url.scheme == "https":  # (directly, or a proxy's X-Forwarded-Proto)
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response

    def _page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, name, context, status_code=status)

    app.state.page = _page

    def device_of(request: Request) -> Device:
        token = request.cookies.get(COOKIE)
        with read_session(engine) as session:
            row = devices.device_for_token(session, token)
            due = row is not None and devices.seen_due(row)
        if row is None:
            raise SignedOut()
        if due:
            with write_session(engine) as session:
                devices.mark_seen(session, row.id)
        return Device(row, token)

    async def form_of(request: Request, device: Device) -> dict:
        form = await request.form(max_part_size=UPLOAD_LIMIT + 1)
        if not devices.check_csrf(device.token, form.get("csrf")):
            raise BadCsrf()
        return form

    @app.exception_handler(SignedOut)
    async def signed_out(request: Request, exc: SignedOut):
        return _page(request, "signed_out.html", 401)

    @app.exception_handler(BadCsrf)
    async def bad_csrf(request: Request, exc: BadCsrf):
        return _page(
            request, "error.html", 403, message="the form expired; reload the page and send again"
        )

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound):
        return _page(request, "error.html", 404, message="not found")

    @app.exception_handler(404)
    async def plain_404(request: Request, exc):
        return _page(request, "error.html", 404, message="not found")

    portal.add_routes(app, engine, _page)  # customer links: /c/{token}

    # -- sign-in ------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request):
        device_of(request)
        return RedirectResponse("/day", status_code=303)

    def _address(request: Request) -> str:
        return request.client.host if request.client else "?"

    def _limited(request: Request) -> bool:
        return signin.blocked(_address(request))

    @app.get("/enrol/{token}", response_class=HTMLResponse)
    def enrol_page(request: Request, token: str):
        if _limited(request):
            return _page(
                request, "error.html", 429, message="too many sign-in attempts; wait a few minutes"
            )
        with read_session(engine) as session:
            name = devices.enrolment_technician(session, token)
        if name is None:
            signin.failed(_address(request))
            return _page(request, "error.html", 410,
                         message="this sign-in link is expired, used or unknown; ask the office for a new one")  # fmt: skip
        return _page(request, "enrol.html", technician=name, token=token)

    @app.post("/enrol/{token}")
    def enrol(request: Request, token: str):
        if _limited(request):
            return _page(
                request, "error.html", 429, message="too many sign-in attempts; wait a few minutes"
            )
        try:
            with write_session(engine) as session:
                _device, raw = devices.redeem_enrolment(
                    session, token, label=request.headers.get("user-agent")
                )
        except NotFound as exc:
            signin.failed(_address(request))
            return _page(request, "error.html", 410, message=str(exc))
        response = RedirectResponse("/day", status_code=303)
        response.set_cookie(
            COOKIE,
            raw,
            max_age=COOKIE_MAX_AGE,
            httponly=True,
            secure=request.url.scheme == "https",
            samesite="lax",
            path="/",
        )
        return response

    @app.post("/signout")
    async def signout(request: Request):
        device = await run_in_threadpool(device_of, request)
        await form_of(request, device)

        def revoke(session, row):
            devices.revoke_device(
                session, row.id, actor=field_app.who(field_app.technician(session, row))
            )

        await run_in_threadpool(write, revoke, device.row)
        response = _page(request, "signed_out.html", 200, signed_out=True)
        response.delete_cookie(COOKIE, path="/")
        return response

    # -- pages --------------------------------------------------------------------------

    def day_page(request: Request, device: Device, status: int = 200, error: str | None = None):
        with read_session(engine) as session:
            view = field_app.my_day(session, device.row.technician_id)
        return _page(request, "day.html", status, day=view, device=device, error=error,
                     key=field_app.new_idem_key(), done=request.query_params.get("done"))  # fmt: skip

    @app.get("/day", response_class=HTMLResponse)
    def day(request: Request):
        return day_page(request, device_of(request))

    @app.get("/day/list", response_class=HTMLResponse)
    def day_list(request: Request):
        # htmx polls this every 15 s from every phone. It carries a version stamp (ETag):
        # the browser may keep the answer (private, revalidated every time) and asks with
        # If-None-Match; an unchanged list is a 304 from the stamp's two index look-ups.
        device = device_of(request)
        with read_session(engine) as session:
            tech_id = device.row.technician_id
            etag = f'"{field_app.day_stamp(session, tech_id)}"'
            headers = {"ETag": etag, "Cache-Control": "private, no-cache", "Vary": "Cookie"}
            if etag in _etags(request.headers.get("if-none-match")):
                return Response(status_code=304, headers=headers)
            view = field_app.my_day(session, tech_id)
        response = _page(request, "day_list.html", day=view)
        response.headers.update(headers)
        return response

    def job_page(request, device, visit_id, status=200, error=None, draft=None, done=None):
        with read_session(engine) as session:
            view = field_app.job(session, device.row.technician_id, visit_id)
        keys = {name: field_app.new_idem_key() for name in FORMS}
        return _page(request, "job.html", status, job=view, device=device, keys=keys,
                     error=error, draft=draft or {}, done=done)  # fmt: skip

    @app.get("/visits/{visit_id}", response_class=HTMLResponse)
    def visit(request: Request, visit_id: int):
        device = device_of(request)
        return job_page(request, device, visit_id, done=request.query_params.get("done"))

    @app.get("/files/{attachment_id}")
    def file(request: Request, attachment_id: int):
        device = device_of(request)
        with read_session(engine) as session:
            path, content_type = field_app.attachment_file(
                session, device.row.technician_id, attachment_id, files_dir
            )
        return FileResponse(path, media_type=content_type)

    # -- actions ------------------------------------------------------------------------

    def write(call, *args):
        with write_session(engine) as session:
            return call(session, *args)

    async def act(request: Request, visit_id: int, form_name: str, call) -> Response:
        # (async for reading the form; the database work runs in the thread pool so a
        # write never holds up the event loop serving other phones)
        device = await run_in_threadpool(device_of, request)
        form = await form_of(request, device)
        draft = {form_name: {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf"}}
        try:
            done = await run_in_threadpool(write, call, device.row, form)
        except NotFound:
            raise
        except (TooLarge, Conflict, SvcDeskError) as exc:
            code = 413 if isinstance(exc, TooLarge) else 409 if isinstance(exc, Conflict) else 422
            return await run_in_threadpool(
                job_page, request, device, visit_id, code, str(exc), draft
            )
        where = f"/visits/{visit_id}" if visit_id else "/day"
        return RedirectResponse(f"{where}?done={quote(done.message)}", status_code=303)

    @app.post("/visits/{visit_id}/status")
    async def status(request: Request, visit_id: int):
        return await act(request, visit_id, "status", lambda s, d, f: field_app.change_status(
            s, d, visit_id, idem_key=f.get("idem"), version=f.get("version"), step=f.get("step", ""),
            eta=f.get("eta"), outcome=f.get("outcome"), text=f.get("text")))  # fmt: skip

    @app.post("/visits/{visit_id}/note")
    async def note(request: Request, visit_id: int):
        return await act(request, visit_id, "note", lambda s, d, f: field_app.add_note(
            s, d, visit_id, idem_key=f.get("idem"), version=f.get("version"), text=f.get("text", "")))  # fmt: skip

    @app.post("/visits/{visit_id}/checklist")
    async def checklist(request: Request, visit_id: int):
        def call(s, d, f):
            answers = {}
            for key, value in f.items():
                if key.startswith("item-") and key[5:].isdigit() and isinstance(value, str):
                    answers[int(key[5:])] = value
            return field_app.answer_checklist(
                s, d, visit_id, idem_key=f.get("idem"), version=f.get("version"), answers=answers
            )

        return await act(request, visit_id, "checklist", call)

    @app.post("/visits/{visit_id}/part")
    async def part(request: Request, visit_id: int):
        return await act(request, visit_id, "part", lambda s, d, f: field_app.use_part(
            s, d, visit_id, idem_key=f.get("idem"), sku=f.get("sku", ""), qty=f.get("qty", "1")))  # fmt: skip

    @app.post("/visits/{visit_id}/photo")
    async def photo(request: Request, visit_id: int):
        def call(s, d, f):
            upload = f.get("photo")
            data = b""
            name = None
            if isinstance(upload, UploadFile):
                data = upload.file.read(UPLOAD_LIMIT + 1)
                name = upload.filename
                if len(data) > UPLOAD_LIMIT:
                    raise TooLarge(f"photo: over the {UPLOAD_LIMIT // 2**20} MB limit")
            return field_app.add_photo(s, d, visit_id, idem_key=f.get("idem"), data=data,
                                       filename=name, caption=f.get("caption"), data_dir=files_dir)  # fmt: skip

        return await act(request, visit_id, "photo", call)

    @app.post("/visits/{visit_id}/signature")
    async def signature(request: Request, visit_id: int):
        return await act(request, visit_id, "signature", lambda s, d, f: field_app.sign(
            s, d, visit_id, idem_key=f.get("idem"), signer=f.get("signer", ""),
            image=f.get("image"), data_dir=files_dir))  # fmt: skip

    @app.post("/clock")
    async def clock(request: Request):
        device = await run_in_threadpool(device_of, request)
        form = await form_of(request, device)
        visit_id = form.get("visit_id")
        visit_id = int(visit_id) if isinstance(visit_id, str) and visit_id.isdigit() else None
        action, _, kind = str(form.get("do", "")).partition(":")
        try:
            done = await run_in_threadpool(
                write, lambda s, row: field_app.time_clock(
                    s, row, idem_key=form.get("idem"), action=action, kind=kind, visit_id=visit_id
                ), device.row,
            )  # fmt: skip
        except (InvalidInput, Conflict) as exc:
            code = 409 if isinstance(exc, Conflict) else 422
            if visit_id:
                return await run_in_threadpool(job_page, request, device, visit_id, code, str(exc))
            return await run_in_threadpool(day_page, request, device, code, str(exc))
        where = f"/visits/{visit_id}" if visit_id else "/day"
        return RedirectResponse(f"{where}?done={quote(done.message)}", status_code=303)

    return app


DB_ENV = "SVCDESK_WEB_DB"  # the database of `svcdesk serve --workers N`'s processes


def app_from_env() -> FastAPI:
    """The app of one `svcdesk serve --workers N` process, on the database `serve` opened
    (its URL in $SVCDESK_WEB_DB; uvicorn calls this factory in every worker)."""
    return create_app(open_engine(os.environ[DB_ENV]))


def _etags(header: str | None) -> set[str]:
    """The entity tags of an If-None-Match header (weak ones compare as strong: RFC 9110's
    weak comparison, which If-None-Match uses)."""
    return {t.strip().removeprefix("W/") for t in (header or "").split(",") if t.strip()}


FORMS = (
    "status",
    "arrived",
    "complete",
    "cant",
    "note",
    "checklist",
    "part",
    "photo",
    "signature",
    "clock",
)
