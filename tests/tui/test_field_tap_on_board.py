"""Cross-process: a technician's tap on the phone (the real `svcdesk serve` in another
process) shows on an open console's job board through its change watcher."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from svcdesk.db import write_session
from svcdesk.services.crm import devices, technicians
from svcdesk.services.orders import lifecycle
from tests.conftest import FROZEN_NOW
from tests.tui.helpers import run_app, settle

ROOT = Path(__file__).resolve().parents[2]
httpx = pytest.importorskip("httpx")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(db_path):
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT), SVCDESK_NOW=FROZEN_NOW.isoformat())
    proc = subprocess.Popen(
        [sys.executable, "-m", "svcdesk", "--db", str(db_path), "serve", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{base}/static/field.css", timeout=1)
            break
        except httpx.TransportError:
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "svcdesk serve did not start"
            time.sleep(0.1)
    yield base
    proc.terminate()
    proc.wait(10)


def _row_text(app, key: str) -> str:
    table = app.screen.query_one("#orders")
    return " ".join(str(cell) for cell in table.get_row(key))


async def test_a_tap_on_the_phone_shows_on_the_board(engine, shop, served):
    with write_session(engine) as s:
        token = devices.create_enrolment(
            s, technicians.find_technician(s, "Bob"), actor="dana"
        ).token
        order = lifecycle.get_order(s, shop["o2"])
        from svcdesk.services.orders import scheduling

        visit_id = scheduling.active_visits(s, order.id)[0].id
    async with run_app(engine, watch_interval=0.05) as (app, pilot):
        assert "en route" not in _row_text(app, shop["o2"]).lower().replace("_", " ")
        with httpx.Client(base_url=served) as phone:
            phone.post(f"/enrol/{token}")
            page = phone.get(f"/visits/{visit_id}").text
            chunk = page[page.index('id="form-status"') :]
            fields = {
                name: re.search(rf'name="{name}" value="([^"]+)"', chunk).group(1)
                for name in ("csrf", "idem", "version")
            }
            r = phone.post(
                f"/visits/{visit_id}/status", data={**fields, "step": "en_route", "eta": "20"}
            )
            assert r.status_code == 303 and "en%20route" in r.headers["location"]
        for _ in range(60):
            await pilot.pause(0.05)
            await settle(pilot, rounds=1)
            if "en route" in _row_text(app, shop["o2"]).lower().replace("_", " "):
                break
        assert "en route" in _row_text(app, shop["o2"]).lower().replace("_", " ")
