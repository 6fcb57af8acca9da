"""CliRunner tests: `techs enrol|devices|revoke` (the field app's phones) and `serve`."""

from __future__ import annotations

import json
import os

from sqlmodel import select
from typer.testing import CliRunner

from svcdesk.db import read_session
from svcdesk.models.field import FieldDevice, FieldEnrolment
from svcdesk.services.crm import devices

runner = CliRunner()


def cli(db_path, *args):
    from svcdesk.cli.main import app

    return runner.invoke(app, ["--db", str(db_path), "--as", "dana", *args])


def test_enrol_prints_a_one_time_link_and_a_qr_code(db_path, engine, shop):
    r = cli(db_path, "techs", "enrol", "Bob", "--url", "https://field.example.com/")
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("Sign-in link for Bob Ruiz (one use, until 08:15)")
    link = lines[1]
    assert link.startswith("https://field.example.com/enrol/")
    assert "█" in r.stdout or "▀" in r.stdout  # the QR code
    token = link.rsplit("/", 1)[1]
    with read_session(engine) as s:
        row = s.exec(select(FieldEnrolment)).one()
    assert row.token_hash == devices.hash_token(token) and token not in row.token_hash
    assert row.created_by == "dana" and row.technician_id == shop["bob"]


def test_enrol_json_and_default_url(db_path, shop, monkeypatch):
    monkeypatch.setenv("SVCDESK_FIELD_URL", "http://10.0.0.5:8000")
    r = cli(db_path, "techs", "enrol", "Alice", "--json")
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["technician"] == "Alice Ng" and data["url"].startswith(
        "http://10.0.0.5:8000/enrol/"
    )
    assert data["expires_at"] == "2026-11-25T14:15:00Z"


def test_enrol_refusals(db_path, engine, shop):
    r = cli(db_path, "techs", "enrol", "Nobody")
    assert r.exit_code == 1 and r.stderr.startswith("error: technician 'Nobody' not found")
    r = cli(db_path, "techs", "enrol", "Bob", "--url", "field.example.com")
    assert r.exit_code == 2 and "http://" in r.stderr
    with read_session(engine) as s:
        assert s.exec(select(FieldEnrolment)).all() == []


def test_devices_and_revoke(db_path, engine, shop):
    from svcdesk.db import write_session
    from svcdesk.services.crm import technicians

    with write_session(engine) as s:
        bob = technicians.find_technician(s, "Bob")
        token = devices.create_enrolment(s, bob, actor="dana").token
        device, _ = devices.redeem_enrolment(s, token, label="Mozilla/5.0 (Android 14)")
    r = cli(db_path, "techs", "devices", "Bob")
    assert r.exit_code == 0, r.stderr
    assert "Bob Ruiz: 1 device(s)" in r.stdout and "active" in r.stdout and "Android" in r.stdout
    r = cli(db_path, "techs", "revoke", str(device.id))
    assert r.exit_code == 0 and f"device {device.id} of Bob Ruiz revoked" in r.stdout
    with read_session(engine) as s:
        row = s.get(FieldDevice, device.id)
    assert row.revoked_at is not None and row.revoked_by == "dana"
    data = json.loads(cli(db_path, "techs", "devices", "Bob", "--json").stdout)
    assert data[0]["revoked_by"] == "dana"
    r = cli(db_path, "techs", "revoke", str(device.id))
    assert r.exit_code == 1 and "already revoked" in r.stderr
    r = cli(db_path, "techs", "revoke", "999")
    assert r.exit_code == 1 and r.stderr.strip() == "error: device 999 not found"


def test_serve_runs_uvicorn_with_the_options(db_path, shop, monkeypatch, tmp_path):
    import uvicorn

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    r = cli(db_path, "serve", "--port", "8123")
    assert r.exit_code == 0, r.stderr
    assert "http://127.0.0.1:8123" in r.stdout
    app, kw = calls[0]
    assert kw["host"] == "127.0.0.1" and kw["port"] == 8123 and kw["ssl_certfile"] is None
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    cert.write_text("x")
    key.write_text("y")
    r = cli(db_path, "serve", "--host", "0.0.0.0", "--certfile", str(cert), "--keyfile", str(key))
    assert r.exit_code == 0 and "https://0.0.0.0:8000" in r.stdout
    assert calls[1][1]["ssl_keyfile"] == str(key)
    r = cli(db_path, "serve", "--host", "0.0.0.0")
    assert r.exit_code == 0 and "warning: serving plain HTTP" in r.stderr


def test_serve_with_workers_builds_each_app_from_the_same_database(db_path, shop, monkeypatch):
    import uvicorn
    from fastapi.testclient import TestClient

    from svcdesk.web import app as web_app

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    monkeypatch.delenv(web_app.DB_ENV, raising=False)
    r = cli(db_path, "serve", "--workers", "2")
    assert r.exit_code == 0, r.stderr
    app, kw = calls[0]
    assert app == "svcdesk.web.app:app_from_env" and kw["factory"] is True
    assert kw["workers"] == 2 and kw["port"] == 8000
    assert str(db_path) in os.environ[web_app.DB_ENV]
    worker = TestClient(web_app.app_from_env())  # what each worker process builds
    assert worker.get("/day").status_code == 401 and worker.get("/static/field.css").is_success
    r = cli(db_path, "serve")
    assert "factory" not in calls[1][1] and not isinstance(calls[1][0], str)
    r = cli(db_path, "serve", "--workers", "0")
    assert r.exit_code == 2


def test_serve_usage_errors(db_path, shop, monkeypatch, tmp_path):
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: (_ for _ in ()).throw(AssertionError))
    r = cli(db_path, "serve", "--certfile", str(tmp_path / "c.pem"))
    assert r.exit_code == 2 and "both --certfile and --keyfile" in r.stderr
    r = cli(
        db_path, "serve", "--certfile", str(tmp_path / "c.pem"), "--keyfile", str(tmp_path / "k")
    )
    assert r.exit_code == 2 and "no such file" in r.stderr
    r = cli(db_path, "serve", "--port", "0")
    assert r.exit_code == 2


def test_demo_prints_how_to_enrol_and_its_technicians_can_work(db_path, engine, tmp_path):
    from fastapi.testclient import TestClient

    from svcdesk.db import write_session
    from svcdesk.models import Technician
    from svcdesk.services.execution import field_app
    from svcdesk.web import create_app

    r = cli(db_path, "demo", "--orders", "60", "--seed", "3")
    assert r.exit_code == 0, r.stderr
    said = " ".join(r.stdout.split())  # (the terminal may wrap the line anywhere)
    assert "serve --host 0.0.0.0" in said and "techs enrol" in said
    with read_session(engine) as s:
        days = [(t, field_app.my_day(s, t.id)) for t in s.exec(select(Technician))]
    tech, day = max(days, key=lambda td: len(td[1].today))
    assert day.today, "the demo books today's work"
    with write_session(engine) as s:
        token = devices.create_enrolment(s, tech, actor="dana").token
    client = TestClient(create_app(engine, data_dir=tmp_path))
    assert client.post(f"/enrol/{token}").status_code == 200
    page = client.get("/day").text
    assert page.count('class="visit ') == len(day.today) + len(day.tomorrow)
    for visit in day.today:
        assert client.get(f"/visits/{visit.visit_id}").status_code == 200
