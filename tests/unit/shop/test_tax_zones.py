"""Tax zones: a site bills at its zone's rate, else the default zone's; the figures are
worked by hand to the cent."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from svcdesk.errors import InvalidInput, NotFound
from svcdesk.models import Site
from svcdesk.models.shop import ChangeEvent
from svcdesk.services.billing import invoices, quotes
from svcdesk.services.billing.invoices import LineDraft
from svcdesk.services.common.settings import get_setting
from svcdesk.services.crm import sites, tax
from svcdesk.services.orders import lifecycle


def _lines():
    # 2 x $89.95 taxable + $149.00 taxable + $65.00 not taxable
    return [
        LineDraft("Capacitor 45/5", 8995, qty_milli=2000),
        LineDraft("Contactor", 14900),
        LineDraft("Labor", 6500, taxable=False),
    ]


def test_invoice_tax_from_the_sites_zone_to_the_cent(session, shop):
    travis = tax.add_zone(session, "Travis County", "6.75")
    o = lifecycle.get_order(session, shop["o1"])
    sites.edit_site(session, o.site_id, tax_zone="travis county")
    inv = invoices.create_invoice(
        session, customer_id=o.customer_id, site_id=o.site_id, order=o, lines=_lines()
    )
    # taxable 179.90 + 149.00 = 328.90; 6.75 % = 22.20075 -> $22.20; total 393.90 + 22.20
    assert (inv.tax_rate_bp, inv.subtotal_cents) == (travis.rate_bp, 39390)
    assert (inv.tax_cents, inv.total_cents) == (2220, 41610)


def test_a_site_without_a_zone_bills_the_default_zone(session, shop):
    o = lifecycle.get_order(session, shop["o1"])
    before = invoices.create_invoice(
        session, customer_id=o.customer_id, site_id=o.site_id, lines=_lines()
    )
    assert (before.tax_rate_bp, before.tax_cents) == (0, 0)  # no default zone: no tax
    tax.add_zone(session, "Austin", "8.25", default=True)
    assert get_setting(session, "tax.default_zone") == "Austin"
    inv = invoices.create_invoice(
        session, customer_id=o.customer_id, site_id=o.site_id, lines=_lines()
    )
    # 328.90 x 8.25 % = 27.13425 -> $27.13
    assert (inv.tax_rate_bp, inv.tax_cents, inv.total_cents) == (825, 2713, 42103)
    # a retired site zone falls back to the default too
    tax.add_zone(session, "Old", "7")
    sites.edit_site(session, o.site_id, tax_zone="Old")
    tax.edit_zone(session, "Old", active=False)
    assert tax.site_tax(session, session.get(Site, o.site_id)) == tax.SiteTax(
        825, "Austin", "default"
    )


def test_quote_totals_use_the_zone(session, shop):
    tax.add_zone(session, "Austin", "8.25", default=True)
    q = quotes.create_quote(session, customer_id=shop["customer"], title="Tune-up")
    quotes.add_line(session, q, LineDraft("Tune-up", 12900))
    totals = quotes.totals(session, q)[0].totals
    assert totals.tax_cents == 1064  # 129.00 x 8.25 % = 10.6425


def test_zone_rules_and_audit(session):
    zone = tax.add_zone(session, "  Austin  city ", "8.25%", default=True, actor="dana")
    assert (zone.name, zone.rate_bp) == ("Austin city", 825)
    for name, rate, message in [
        ("austin CITY", "1", "already exists"),
        ("", "1", "needs a name"),
        ("X", "50.01", "between 0 and 50"),
        ("X", "8.255", "percentage"),
        ("X", "abc", "percentage"),
    ]:
        with pytest.raises(InvalidInput, match=message):
            tax.add_zone(session, name, rate)
    with pytest.raises(InvalidInput, match="is the default tax zone"):
        tax.edit_zone(session, "Austin city", active=False)
    with pytest.raises(NotFound, match="zones: Austin city"):
        tax.get_zone(session, "Dallas")
    tax.edit_zone(session, "austin city", name="Austin", rate="8.5", actor="lee")
    assert get_setting(session, "tax.default_zone") == "Austin"  # renamed with it
    events = session.exec(
        ChangeEvent.__table__.select().where(ChangeEvent.entity == "tax_zone")
    ).all()
    assert [(e.actor, e.kind) for e in events] == [("dana", "created"), ("lee", "edited")]
    assert '"rate_bp": 825' in events[1].data and '"rate_bp": 850' in events[1].data


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 5000))
def test_percent_text_round_trips_to_basis_points(bp):
    text = f"{bp // 100}.{bp % 100:02d}"
    assert tax.parse_rate(text) == bp
    assert tax.parse_rate(text + "%") == bp
