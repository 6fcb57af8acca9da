"""Browser test: a technician works a whole visit on a phone-sized headless Chromium
(Debian's /usr/bin/chromium driven by Playwright for Python; no browser download).

Enrol, My day, en route (ETA), arrived, checklist, photo, signature, part, complete;
then the order, the visit and the stock ledger show it. Screenshots of My day and of the
job are kept in the test's tmp dir and copied to /work/notes when that folder exists."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
from sqlmodel import select

from svcdesk.db import read_session
from svcdesk.models import Visit
from svcdesk.models.execution import Attachment, Signature, VisitChecklistAnswer
from svcdesk.models.inventory import PartUsage, StockMove
from svcdesk.services.inventory import stock
from svcdesk.services.orders import lifecycle
from tests.web.conftest import enrol, tick

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
NOTES = Path("/work/notes")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(app):
    uvicorn = pytest.importorskip("uvicorn")
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture
def phone():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(
            viewport={"width": 360, "height": 740}, device_scale_factor=2, has_touch=True,
            is_mobile=True,
        )  # fmt: skip
        page = context.new_page()
        page.set_default_timeout(30000)  # (a loaded 2-core CI machine)
        yield page
        context.close()
        browser.close()


def _photo(tmp_path: Path) -> Path:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (400, 300), "#3a6ea5")
    ImageDraw.Draw(img).rectangle((120, 80, 280, 220), fill="#c0c0c0", outline="#000", width=6)
    path = tmp_path / "valve.jpg"
    img.save(path, "JPEG", quality=80)
    return path


def _keep(page, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"field-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if NOTES.is_dir():
        shutil.copy(path, NOTES / path.name)
    return path


def draw_signature(page) -> None:
    """A zig-zag drawn with the mouse on the page's signature pad."""
    canvas = page.locator("canvas.sign")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 100)
    page.mouse.down()
    for i in range(1, 12):
        page.mouse.move(box["x"] + 20 + i * 25, box["y"] + 100 - (i % 3) * 30)
    page.mouse.up()


def _tap(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_a_technician_works_a_visit_on_a_phone(server, phone, engine, field_shop, tmp_path):
    page = phone
    problems = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    token = enrol(engine, field_shop["bob"])
    page.goto(f"{server}/enrol/{token}")
    _tap(page, "#enrol")
    assert page.url.endswith("/day")
    assert page.locator(".visit").count() == 1
    assert "Kitchen sink leaking" in page.inner_text(".visit")
    assert page.evaluate("typeof htmx") == "object"  # the shipped htmx loaded (CSP allows it)
    with page.expect_response(lambda r: r.url.endswith("/day/list")):
        page.evaluate("htmx.trigger('#day', 'every 15s')")  # what the 15 s poll does
    _keep(page, tmp_path, "my-day")

    _tap(page, ".visit .open")
    page.fill("input[name=eta]", "20")
    tick()
    _tap(page, "#btn-en-route")
    assert "en route" in page.inner_text(".status-line")
    tick(20)
    _tap(page, "#btn-arrived")
    assert "on site" in page.inner_text(".status-line")
    tick()

    # checklist: Water off = yes, Pressure = 62
    page.check("#form-checklist input[value=yes]")
    page.fill("#form-checklist input[inputmode=decimal]", "62")
    _tap(page, "#btn-checklist")
    assert "2 answer(s) saved" in page.inner_text(".flash")

    page.set_input_files("input[name=photo]", str(_photo(tmp_path)))
    page.fill("input[name=caption]", "old valve")
    _tap(page, "#btn-photo")
    assert page.locator(".photos img").count() == 1

    draw_signature(page)
    page.fill("input[name=signer]", "Sam Lee")
    _tap(page, "#btn-sign")
    assert "Signed by Sam Lee" in page.content()

    page.select_option("select[name=sku]", "VALVE-1")
    page.fill("#form-part input[name=qty]", "1")
    _tap(page, "#btn-part")
    assert "VALVE-1" in page.inner_text("body")
    page.evaluate("window.scrollTo(0, 0)")
    _keep(page, tmp_path, "job")

    tick()
    page.fill("#form-complete textarea[name=text]", "Replaced the shut-off valve")
    _tap(page, "#btn-complete")
    assert "completed" in page.inner_text(".status-line")

    with read_session(engine) as s:
        order = lifecycle.get_order(s, field_shop["o2"])
        assert order.status == "completed"
        visit = s.get(Visit, field_shop["visit"])
        assert visit.status == "completed" and visit.eta_at is not None
        assert visit.work_performed == "Replaced the shut-off valve"
        answers = s.exec(select(VisitChecklistAnswer)).all()
        assert sorted(a.value for a in answers) == ["62", "yes"]
        sig = s.exec(select(Signature)).one()
        assert sig.signer_name == "Sam Lee" and sig.attachment_id is not None
        assert {a.kind for a in s.exec(select(Attachment))} == {"photo", "signature"}
        usage = s.exec(select(PartUsage)).one()
        assert usage.qty_milli == 1000 and usage.recorded_by == "Bob Ruiz (phone)"
        moves = s.exec(select(StockMove).where(StockMove.kind == "consume")).all()
        assert len(moves) == 1 and moves[0].order_id == order.id
        truck = stock.truck_of(s, field_shop["bob"])
        from svcdesk.models.inventory import Part

        part = s.exec(select(Part).where(Part.sku == "VALVE-1")).one()
        assert stock.on_hand(s, truck.id, part.id) == 4000
    assert problems == []  # no script errors, nothing blocked by the page's CSP


def test_a_form_that_could_not_send_keeps_the_text_and_resends_once(
    server, phone, engine, field_shop
):
    from svcdesk.models import Note

    page = phone
    token = enrol(engine, field_shop["bob"])
    page.goto(f"{server}/enrol/{token}")
    _tap(page, "#enrol")
    page.goto(f"{server}/visits/{field_shop['visit']}")
    page.fill("#form-note textarea[name=text]", "Customer asked for a quote on a new faucet")
    page.context.set_offline(True)  # the basement
    page.click("#btn-note")
    state = page.locator("#form-note .sent-state")
    state.wait_for()
    assert "Not sent" in state.inner_text()
    assert page.input_value("#form-note textarea[name=text]").startswith("Customer asked")
    with read_session(engine) as s:
        assert s.exec(select(Note)).all() == []
    # a reload while offline is not possible; back online, the kept entry is resent once
    page.context.set_offline(False)
    with page.expect_navigation():
        page.click("#form-note .sent-state button")
    assert "note saved" in page.inner_text(".flash")
    with read_session(engine) as s:
        notes = s.exec(select(Note)).all()
    assert [n.text for n in notes] == ["Customer asked for a quote on a new faucet"]
    assert notes[0].author == "Bob Ruiz (phone)"
    # the draft is gone: a fresh page shows an empty note box
    page.reload()
    assert page.input_value("#form-note textarea[name=text]") == ""
