"""`svcdesk messages ...`: exit codes, output and the database effect."""

from __future__ import annotations

import json
import stat

from sqlmodel import select
from typer.testing import CliRunner

from svcdesk.db import read_session, write_session
from svcdesk.models import Technician
from svcdesk.models.messages import Message, MessagePreference
from svcdesk.models.shop import ChangeEvent
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import parse_when
from svcdesk.services.orders import lifecycle, scheduling

runner = CliRunner()


def run(db_path, *args, input=None):
    from svcdesk.cli.main import app

    return runner.invoke(app, ["--db", str(db_path), *args], input=input)


def _messages(engine) -> list[Message]:
    with read_session(engine) as s:
        return list(s.exec(select(Message).order_by(Message.id)))


def _book(engine, shop, when="2026-11-26 09:00"):
    with write_session(engine) as s:
        order = lifecycle.get_order(s, shop["o1"])
        alice = s.get(Technician, shop["alice"])
        scheduling.book_visit(s, order, [alice], parse_when(when, shop_zone(s)), 120)


def _setup(db_path, tmp_path, channel="email"):
    for key, value in (
        ("messages.email.sender", "file"),
        ("messages.sms.sender", "file"),
        ("messages.file.dir", str(tmp_path / "out")),
    ):
        assert run(db_path, "settings", "set", key, value).exit_code == 0  # fmt: skip
    r = run(db_path, "messages", "prefs", "Jane Porter", "--consent", "yes", "--channel", channel)
    assert r.exit_code == 0, r.output
    assert "Jane Porter: e-mail preferred" in r.output or "text messages preferred" in r.output


def test_prefs_send_list_show(db_path, engine, shop, tmp_path):
    r = run(db_path, "messages", "prefs", "Jane Porter")
    assert r.exit_code == 0 and "Jane Porter: no consent to messages" in r.output
    _setup(db_path, tmp_path)
    _book(engine, shop)
    r = run(db_path, "messages", "list", "--status", "queued")
    assert r.exit_code == 0 and "booking confirmation" in r.output and "queued" in r.output
    r = run(db_path, "messages", "send", "--no-remind")
    assert r.exit_code == 0 and "1 sent" in r.output
    [m] = _messages(engine)
    assert m.status == "sent"
    [eml] = list((tmp_path / "out").iterdir())
    assert stat.S_IMODE(eml.stat().st_mode) == 0o600
    text = eml.read_text()
    assert (
        "To: jane@example.com" in text
        and "Subject: Your appointment on Thursday, November 26" in text
    )
    r = run(db_path, "messages", "show", str(m.id))
    assert r.exit_code == 0
    assert "booking confirmation by e-mail to Jane Porter <jane@example.com>" in r.output
    assert "arriving between 9:00 AM and 11:00 AM" in r.output
    data = json.loads(run(db_path, "messages", "show", str(m.id), "--json").output)
    assert data["status"] == "sent" and data["provider_id"] == str(eml)
    data = json.loads(run(db_path, "messages", "list", "--order", shop["o1"], "--json").output)
    assert [d["id"] for d in data] == [m.id]


def test_opt_out_cancel_retry(db_path, engine, shop, tmp_path):
    _setup(db_path, tmp_path, channel="sms")
    _book(engine, shop)
    r = run(db_path, "messages", "opt-out", "Jane Porter", "--channel", "sms")
    assert r.exit_code == 0
    assert "Jane Porter: opted out of text messages; 1 queued cancelled" in r.output
    [m] = _messages(engine)
    assert m.status == "cancelled"
    r = run(db_path, "messages", "retry", str(m.id))
    assert r.exit_code == 1 and r.output.startswith("error: message 1: Jane Porter has no consent")
    assert run(db_path, "messages", "opt-in", "Jane Porter", "--channel", "sms").exit_code == 0
    r = run(db_path, "messages", "retry", str(m.id))
    assert r.exit_code == 0 and "message 1: queued again" in r.output
    r = run(db_path, "messages", "cancel", str(m.id))
    assert r.exit_code == 0 and _messages(engine)[0].status == "cancelled"
    r = run(db_path, "messages", "cancel", str(m.id))
    assert r.exit_code == 1 and "only queued or failed ones are cancelled" in r.output
    with read_session(engine) as s:
        pref = s.exec(select(MessagePreference)).one()
        assert (pref.consent, pref.sms_opt_out, pref.channel) == (True, False, "sms")


def test_no_consent_nothing_queued_and_remind(db_path, engine, shop, tmp_path):
    assert run(db_path, "settings", "set", "messages.email.sender", "file").exit_code == 0
    _book(engine, shop)
    r = run(db_path, "messages", "remind")
    assert r.exit_code == 0 and "0 reminders queued" in r.output
    assert _messages(engine) == []
    _setup(db_path, tmp_path)
    r = run(db_path, "messages", "remind")
    assert r.exit_code == 0 and "1 reminders queued" in r.output
    assert [m.trigger for m in _messages(engine)] == ["reminder"]


def test_templates_preview_edit(db_path, tmp_path):
    r = run(db_path, "messages", "preview", "reminder", "--channel", "sms")
    assert r.exit_code == 0
    assert (
        "reminder, we see you tomorrow (Friday, December 4), arriving between 9:00 AM" in r.output
    )
    body = tmp_path / "b.txt"
    body.write_text("Hi {{ customer }}, see you {{ day }}.\n")
    r = run(db_path, "messages", "templates", "edit", "reminder", "--channel", "sms",
            "--body-file", str(body))  # fmt: skip
    assert r.exit_code == 0 and "template reminder/sms: saved" in r.output
    r = run(db_path, "messages", "preview", "reminder", "--channel", "sms")
    assert r.output.strip() == "Hi Dana Reyes, see you Friday, December 4."
    r = run(db_path, "messages", "templates", "list")
    assert r.exit_code == 0 and "edited" in r.output
    r = run(db_path, "messages", "templates", "edit", "reminder", "--body", "{{ oops")
    assert r.exit_code == 1 and r.output.startswith("error: template reminder/email:")
    r = run(db_path, "messages", "templates", "edit", "reminder")
    assert r.exit_code == 2
    r = run(db_path, "messages", "preview", "birthday")
    assert r.exit_code == 1 and "trigger: 'birthday' is not one of booking" in r.output


def test_secret_settings_never_shown(db_path, engine):
    r = run(db_path, "settings", "set", "messages.smtp.password", "-", input="hunter2\n")
    assert r.exit_code == 0 and "hunter2" not in r.output and "********" in r.output
    listed = run(db_path, "settings", "list", "--json").output
    assert "hunter2" not in listed and json.loads(listed)["messages.smtp.password"] == "********"
    with read_session(engine) as s:
        audit = [e.detail + (e.data or "") for e in s.exec(select(ChangeEvent))]
    assert audit and not any("hunter2" in a for a in audit)
    r = run(db_path, "settings", "set", "messages.quiet_hours", "9pm")
    assert r.exit_code == 1 and "messages.quiet_hours:" in r.output
