"""CliRunner: web.public_url, the approve link in the quote e-mail (`quotes send` then
`messages send`), and the note when the address is not set (preview and send)."""

from __future__ import annotations

import re

from sqlmodel import select

from svcdesk.db import read_session, write_session
from svcdesk.models.portal import CustomerLink
from svcdesk.services.billing import portal, quotes
from svcdesk.services.billing.invoices import LineDraft
from tests.support.cli import cli, ok

NOTE = "note: web.public_url is not set"


def _draft_quote(engine, shop) -> str:
    with write_session(engine) as s:
        q = quotes.create_quote(s, customer_id=shop["customer"], title="Furnace options",
                                site_id=shop["site"])  # fmt: skip
        quotes.add_line(s, q, LineDraft("Repair the igniter", 25000))
        return q.number


def _senders(db_path, tmp_path) -> None:
    ok(db_path, "settings", "set", "messages.email.sender", "file")
    ok(db_path, "settings", "set", "messages.file.dir", str(tmp_path / "out"))
    ok(db_path, "messages", "prefs", "Jane Porter", "--consent", "yes")


def _links(engine) -> list[CustomerLink]:
    with read_session(engine) as s:
        return list(s.exec(select(CustomerLink)))


def test_public_url_setting_refuses_a_bad_address(db_path, engine, shop):
    r = cli(db_path, "settings", "set", "web.public_url", "desk.example.com")
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert r.stderr.strip().splitlines() == [
        "error: web.public_url: 'desk.example.com' is not allowed; expected an address like "
        "https://desk.example.com (http or https; or empty)"
    ]
    r = ok(db_path, "settings", "set", "web.public_url", "https://desk.example.com/")
    assert "https://desk.example.com" in r.output


def test_preview_says_once_when_links_are_off(db_path, engine, shop):
    r = ok(db_path, "messages", "preview", "quote")
    assert "Reply to this e-mail or call us to approve it." in r.stdout
    assert r.stderr.count(NOTE) == 1
    assert NOTE not in ok(db_path, "messages", "preview", "booking").stderr
    ok(db_path, "settings", "set", "web.public_url", "https://desk.example.com")
    r = ok(db_path, "messages", "preview", "quote")
    assert "See it and approve it here: https://desk.example.com/c/TOKEN-MADE-WHEN-SENT" in r.stdout
    assert NOTE not in r.stderr


def test_quote_email_sent_with_its_link(db_path, engine, shop, tmp_path):
    _senders(db_path, tmp_path)
    ok(db_path, "settings", "set", "web.public_url", "https://desk.example.com")
    number = _draft_quote(engine, shop)
    ok(db_path, "quotes", "send", number)
    r = ok(db_path, "messages", "send", "--no-remind")
    assert "1 sent" in r.stdout and NOTE not in r.stderr
    [eml] = (tmp_path / "out").glob("*.eml")
    text = eml.read_bytes().decode()
    token = re.search(r"https://desk\.example\.com/c/([A-Za-z0-9_-]+)", text).group(1)
    [link] = _links(engine)
    assert link.token_hash == portal.hash_token(token) and link.quote_id is not None


def test_quote_email_without_address_says_so_once(db_path, engine, shop, tmp_path):
    _senders(db_path, tmp_path)
    ok(db_path, "quotes", "send", _draft_quote(engine, shop))
    r = ok(db_path, "messages", "send", "--no-remind")
    assert "1 sent" in r.stdout and r.stderr.count(NOTE) == 1
    assert _links(engine) == []
    [eml] = (tmp_path / "out").glob("*.eml")
    assert b"call us to approve it" in eml.read_bytes()


def test_links_command_uses_the_public_url(db_path, engine, shop):
    ok(db_path, "settings", "set", "web.public_url", "https://desk.example.com")
    number = _draft_quote(engine, shop)
    ok(db_path, "quotes", "send", number)
    r = ok(db_path, "links", "quote", number)
    assert "https://desk.example.com/c/" in r.stdout
