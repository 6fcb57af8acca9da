"""CliRunner tests: `svcdesk links quote|invoice|request|list|revoke`."""

from __future__ import annotations

import json

from sqlmodel import select

from svcdesk.db import read_session
from svcdesk.models.portal import CustomerLink
from svcdesk.services.billing import portal
from tests.support.cli import cli, ok
from tests.support.portal import sent_invoice, sent_quote


def _rows(engine):
    with read_session(engine) as s:
        return s.exec(select(CustomerLink)).all()


def test_quote_link_prints_the_url_once_and_stores_its_hash(db_path, engine, shop):
    number = sent_quote(engine, shop)
    r = ok(db_path, "links", "quote", number, "--url", "https://shop.example/")
    first, url = r.stdout.splitlines()[:2]
    assert first.startswith(f"Link for quote {number} for Jane Porter (until ")
    assert url.startswith("https://shop.example/c/")
    (row,) = _rows(engine)
    assert row.token_hash == portal.hash_token(url.rsplit("/", 1)[1]) and row.kind == "quote"


def test_invoice_and_request_links_json(db_path, engine, shop, monkeypatch):
    monkeypatch.setenv("SVCDESK_FIELD_URL", "http://10.0.0.5:8000")
    number = sent_invoice(engine, shop)
    inv = json.loads(ok(db_path, "links", "invoice", number, "--days", "7", "--json").stdout)
    assert inv["kind"] == "invoice" and inv["url"].startswith("http://10.0.0.5:8000/c/")
    req = json.loads(ok(db_path, "links", "request", "--customer", "Jane Porter", "--json").stdout)
    assert req["for"] == "service requests from Jane Porter"
    anyone = json.loads(ok(db_path, "links", "request", "--json").stdout)
    assert anyone["for"] == "anyone (service requests)"
    assert len(_rows(engine)) == 3


def test_list_and_revoke(db_path, engine, shop):
    number = sent_quote(engine, shop)
    ok(db_path, "links", "quote", number)
    listed = json.loads(ok(db_path, "links", "list", "--json").stdout)
    assert [(x["kind"], x["state"], x["customer"]) for x in listed] == [
        ("quote", "active", "Jane Porter")
    ]
    assert "quote Q-" in ok(db_path, "links", "list").stdout
    r = ok(db_path, "links", "revoke", str(listed[0]["id"]))
    assert "revoked" in r.stdout
    assert json.loads(ok(db_path, "links", "list", "--json").stdout) == []
    assert json.loads(ok(db_path, "links", "list", "--all", "--json").stdout)[0]["state"] == (
        "revoked"
    )


def test_bad_input_is_one_line_and_writes_nothing(db_path, engine, shop):
    from svcdesk.db import write_session
    from svcdesk.services.billing import quotes

    with write_session(engine) as s:
        draft = quotes.create_quote(s, customer_id=shop["customer"], title="Draft").number
    cases = [
        (("links", "quote", draft), 1, "is a draft; send it first"),
        (("links", "quote", "Q-999999"), 1, "not found"),
        (("links", "invoice", "INV-999999"), 1, "not found"),
        (("links", "request", "--customer", "Nobody Here"), 1, "customer"),
        (("links", "request", "--days", "0"), 1, "days: 0 is out of range"),
        (("links", "request", "--url", "ftp://x"), 2, "http://"),
        (("links", "revoke", "99"), 1, "no customer link with id 99"),
    ]
    for args, code, message in cases:
        r = cli(db_path, *args)
        assert r.exit_code == code, (args, r.stdout, r.stderr)
        assert message in r.stderr, (args, r.stderr)
        if code == 1:
            assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert _rows(engine) == []
