"""Field app fixtures: the shop, a signed-in phone for a technician, and a TestClient."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from svcdesk import clock
from svcdesk.db import read_session, write_session
from svcdesk.models.inventory import MoveKind
from svcdesk.services.crm import devices, technicians
from svcdesk.services.execution import checklists
from svcdesk.services.inventory import parts, stock
from svcdesk.services.orders import lifecycle, scheduling

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
IDEM = re.compile(r'name="idem" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')


@pytest.fixture
def field_shop(engine, shop):
    """The shop plus: Bob's truck holds 5 of part VALVE-1, a checklist on his visit."""
    with write_session(engine) as s:
        bob = technicians.find_technician(s, shop["bob"])
        stock.ensure_trucks(s)
        part, _ = parts.upsert_part(
            s,
            parts.PartFields(
                sku="VALVE-1",
                name="Shut-off valve",
                unit="ea",
                cost_cents=800,
                list_price_cents=1900,
            ),  # fmt: skip
        )
        truck = stock.truck_of(s, bob.id)
        stock.post_move(s, part=part, qty_milli=5000, kind=MoveKind.RECEIVE, to_loc=truck,
                        actor="office")  # fmt: skip
        checklists.create_template(
            s,
            "Leak check",
            [checklists.parse_item_spec(t) for t in ("Water off", "Pressure:number:psi")],
        )
        order = lifecycle.get_order(s, shop["o2"])
        visit = scheduling.active_visits(s, order.id)[0]
        checklists.attach(s, visit, checklists.get_template(s, "Leak check"))
    return {**shop, "visit": visit.id, "part": "VALVE-1"}


def enrol(engine, tech_id: int) -> str:
    with write_session(engine) as s:
        tech = technicians.find_technician(s, tech_id)
        return devices.create_enrolment(s, tech, actor="office").token


@pytest.fixture
def app(engine, tmp_path):
    from svcdesk.web import create_app

    return create_app(engine, data_dir=tmp_path / "files")


def sign_in(client, engine, tech_id: int) -> None:
    token = enrol(engine, tech_id)
    r = client.post(f"/enrol/{token}", follow_redirects=False)
    assert r.status_code == 303, r.text


@pytest.fixture
def bob(app, engine, field_shop):
    from fastapi.testclient import TestClient

    client = TestClient(app)
    sign_in(client, engine, field_shop["bob"])
    return client


def form_fields(html: str, form_id: str) -> dict:
    """The hidden csrf/idem/version of one form on a page."""
    start = html.index(f'id="{form_id}"')
    chunk = html[start : html.index("</form>", start)]
    out = {"csrf": CSRF.search(chunk).group(1), "idem": IDEM.search(chunk).group(1)}
    version = VERSION.search(chunk)
    if version:
        out["version"] = version.group(1)
    return out


def tick(minutes: int = 5) -> None:
    clock.freeze(clock.now() + timedelta(minutes=minutes))


def read(engine):
    return read_session(engine)
