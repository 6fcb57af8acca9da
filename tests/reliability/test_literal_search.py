"""`%` and `_` in a search are the characters themselves, never LIKE wildcards (issue 15,
item 10), in every search, on both backends: short terms (LIKE on SQLite) and long ones
(FTS on SQLite, ILIKE on PostgreSQL)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from svcdesk.db import read_session, write_session
from svcdesk.services.billing import pricebook
from svcdesk.services.common import search
from svcdesk.services.common.sqlexpr import like_literal
from svcdesk.services.crm import customers, technicians
from svcdesk.services.inventory import parts
from svcdesk.services.orders import intake, queries

runner = CliRunner()


@pytest.fixture
def named(engine):
    """Pairs of rows where one name holds a literal % or _ and the other would match only
    if it were a wildcard."""
    with write_session(engine) as s:
        for i, (name, summary, addr) in enumerate(
            [
                ("50% Off Heating", "Coil 10% worn", "1 Pct_Lane"),
                ("500 Heating", "Coil 100 worn", "1 PctXLane"),
                ("A_B Plumbing", "Fix a_b valve", "2 Oak St"),
                ("AXB Plumbing", "Fix axb valve", "3 Elm St"),
            ]
        ):
            intake.create_order(
                s,
                intake.IntakeRequest(
                    summary=summary,
                    customer=name,
                    phone=f"512-555-07{i:02d}",
                    address=addr,
                    city="Austin",
                    state="TX",
                    zip="78704",
                ),
            )
        technicians.create_technician(s, name="Tom_Lee", skills=["hvac"])
        technicians.create_technician(s, name="TomXLee", skills=["hvac"])
        for sku, name in (("PL_1", "Valve 50%"), ("PLX1", "Valve 500")):
            parts.upsert_part(
                s, parts.fields_from_row({"sku": sku, "name": name, "cost": "1", "list_price": "2"})
            )


def _customer_names(s, term):
    return {c.name for c in customers.search_customers(s, term)}


def _customer_ids(s, term):
    ids = set(s.execute(search.customer_ids_matching(s, term)).scalars())
    return {customers.get_customer(s, i).name for i in ids}


def _sites(s, term):
    from svcdesk.models import Site

    return {s.get(Site, i).address for i in s.execute(search.site_ids_matching(s, term)).scalars()}


def _techs(s, term):
    return {t.name for t in technicians.search_technicians(s, term)}


def _parts(s, term):
    return {p.sku for p in parts.search_parts(s, term)}


def _orders(s, term):
    return {r.summary for r in queries.list_orders(s, text=term)}


CASES = [
    # (search, term, what it must find: exactly)
    ("customers", "%", {"50% Off Heating"}),
    ("customers", "50%", {"50% Off Heating"}),
    ("customers", "_", {"A_B Plumbing", "50% Off Heating"}),  # (its site: 1 Pct_Lane)
    ("customers", "a_b", {"A_B Plumbing"}),
    ("customer ids", "%", {"50% Off Heating"}),
    ("customer ids", "A_B Plumb", {"A_B Plumbing"}),
    ("sites", "_", {"1 Pct_Lane"}),
    ("sites", "Pct_L", {"1 Pct_Lane"}),
    ("technicians", "_", {"Tom_Lee"}),
    ("technicians", "m_L", {"Tom_Lee"}),
    ("parts", "_", {"PL_1"}),
    ("parts", "%", {"PL_1"}),
    ("parts", "e 50%", {"PL_1"}),
    ("orders", "10%", {"Coil 10% worn"}),
    ("orders", "a_b", {"Fix a_b valve"}),
]
SEARCHES = {
    "customers": _customer_names,
    "customer ids": _customer_ids,
    "sites": _sites,
    "technicians": _techs,
    "parts": _parts,
    "orders": _orders,
}


@pytest.mark.parametrize(("what", "term", "found"), CASES, ids=[f"{c[0]} {c[1]}" for c in CASES])
def test_wildcards_are_literal(engine, named, what, term, found):
    with read_session(engine) as s:
        assert SEARCHES[what](s, term) == found


def test_find_technician_by_a_name_with_underscore(engine, named):
    with read_session(engine) as s:
        assert technicians.find_technician(s, "Tom_").name == "Tom_Lee"


def test_pricebook_search_is_literal(engine, named):
    with write_session(engine) as s:
        items = pricebook.list_items(s, text="%")
        assert all("%" in (i.code + i.name) for i in items)


def test_like_literal_escapes_its_escape_character():
    assert like_literal("a/b%c_d") == "a//b/%c/_d"


def test_customers_list_cli_searches_percent_literally(db_path, named):
    from svcdesk.cli.main import app

    r = runner.invoke(app, ["--db", str(db_path), "customers", "list", "--search", "%", "--json"])
    assert r.exit_code == 0, r.output
    assert "50% Off Heating" in r.output and "500 Heating" not in r.output
