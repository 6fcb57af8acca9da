"""Revision 0005: the rates sites carried become tax zones; the most used is the default."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlmodel import select

from svcdesk.db import make_engine, read_session
from svcdesk.models import Site
from svcdesk.models.shop import ChangeEvent, TaxZone
from svcdesk.services.common.settings import get_setting
from svcdesk.services.crm.tax import site_tax

FIXTURE = Path(__file__).parents[2] / "fixtures" / "schema_v1.sql"


@pytest.mark.sqlite_only
def test_site_rates_become_zones(tmp_path):
    path = tmp_path / "shop.db"
    con = sqlite3.connect(path)
    con.executescript(FIXTURE.read_text())
    con.execute(
        "INSERT INTO site VALUES (3, 2, NULL, '90 Lake Dr', '', '', '78741', "
        "'90 lake dr|78741', NULL, NULL, NULL, 825)"
    )
    con.execute(
        "INSERT INTO site VALUES (4, 2, NULL, '91 Lake Dr', '', '', '78741', "
        "'91 lake dr|78741', NULL, NULL, NULL, 825)"
    )
    con.execute(
        "INSERT INTO site VALUES (5, 1, NULL, '7 Hill Rd', '', '', '78660', "
        "'7 hill rd|78660', NULL, NULL, NULL, 675)"
    )
    con.commit()
    con.close()
    engine = make_engine(str(path))
    with read_session(engine) as s:
        zones = {z.name: z for z in s.exec(select(TaxZone))}
        assert {n: z.rate_bp for n, z in zones.items()} == {
            "8.25% sales tax": 825,
            "6.75% sales tax": 675,
        }
        assert get_setting(s, "tax.default_zone") == "8.25% sales tax"
        rates = {site.id: site_tax(s, site) for site in s.exec(select(Site))}
        assert {i: (t.rate_bp, t.source) for i, t in rates.items()} == {
            1: (825, "default"),  # (0 % was "never set": the shop's usual rate now)
            2: (825, "default"),
            3: (825, "site"),
            4: (825, "site"),
            5: (675, "site"),
        }
        audit = s.exec(select(ChangeEvent)).all()
        assert [(e.actor, e.entity, e.kind) for e in audit] == [
            ("migration", "tax_zone", "created")
        ] * 2
    engine.dispose()
