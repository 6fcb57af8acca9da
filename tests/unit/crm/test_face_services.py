"""The services the CLI and the console share for typed forms and screens (issue 13: one
home per rule): site fields, zone and staff dialogs, the order form's pickers, quote
drafts, 'field old -> new' words, restock and the inventory view, intake's duplicate."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from svcdesk.errors import InvalidInput, NotFound
from svcdesk.services.billing import quotes
from svcdesk.services.common.events import put_change
from svcdesk.services.common.settings import get_setting
from svcdesk.services.crm import customers as crm
from svcdesk.services.crm import sites, staff, tax
from svcdesk.services.inventory import restock, stock
from svcdesk.services.orders.intake import IntakeRequest, take_order


def test_site_fields_keep_only_what_was_given_and_parse_coordinates():
    assert sites.site_fields(city="Austin", lat="30.25", lon="") == {
        "city": "Austin",
        "lat": 30.25,
        "lon": None,  # '' clears
    }
    assert sites.site_fields() == {}
    with pytest.raises(InvalidInput, match="lat: 'north' is not a number"):
        sites.site_fields(lat="north")


def test_save_site_adds_then_edits(session, shop):
    made = sites.save_site(session, None, shop["customer"], actor="dana",
                           **sites.site_fields(address="9 Elm St", zip_code="78704"))  # fmt: skip
    edited = sites.save_site(session, made.id, None, actor="dana",
                             **sites.site_fields(access_notes="gate 42"))  # fmt: skip
    assert edited.id == made.id and edited.address == "9 Elm St"
    assert edited.access_notes == "gate 42"


def test_save_zone_adds_inactive_and_moves_the_default(session, shop):
    z = tax.save_zone(session, None, name="Travis", rate="8.25", active=False, default=False)
    assert (z.rate_bp, z.active) == (825, False)
    z = tax.save_zone(session, z.id, name="Travis", rate="8.25", active=True, default=True)
    assert z.active and get_setting(session, "tax.default_zone") == "Travis"
    tax.save_zone(session, z.id, name="Travis", rate="8.25", active=True, default=False)
    assert get_setting(session, "tax.default_zone") == ""


def test_save_staff_adds_inactive_and_sets_every_field(session, shop):
    made = staff.save_staff(session, None, name="Dana Cole", role="dispatcher", technician="",
                            active=False)  # fmt: skip
    assert not made.active and made.technician_id is None
    row = staff.save_staff(session, made.id, name="Dana Cole", role="dispatcher",
                           technician="Alice Ng", active=True)  # fmt: skip
    assert row.active and row.technician_id == shop["alice"]


def test_put_change_sets_and_describes_only_a_difference():
    row, changes = SimpleNamespace(phone=None, name="Jane"), []
    put_change(row, "phone", "+15125550101", changes)
    put_change(row, "name", "Jane", changes)
    put_change(row, "name", "", changes, "full name")
    assert changes == ["phone - -> +15125550101", "full name Jane -> -"]
    assert row.phone == "+15125550101" and row.name == ""


def test_order_form_pickers(session, shop):
    [(cid, label)] = crm.customer_matches(session, "Jane Porter")
    assert cid == shop["customer"] and "1204 Oak" in label
    [site] = crm.site_choices(session, shop["customer"])
    assert site.id == shop["site"]
    assert [a for _, a in site.assets] == [shop["asset"]]


def test_draft_quote_for_a_customer_takes_their_only_site_and_typed_days(session, shop):
    q = quotes.draft_quote(session, "New condenser", customer="Jane Porter", valid_days="14")
    assert q.site_id == shop["site"] and q.customer_id == shop["customer"]
    q = quotes.draft_quote(session, "Sink", order=shop["o2"], valid_days="")
    assert q.order_id is not None
    with pytest.raises(InvalidInput, match="valid for: 'two weeks' is not a number of days"):
        quotes.draft_quote(session, "x", customer="Jane Porter", valid_days="two weeks")


def test_restock_needs_a_warehouse_and_the_view_does_without(session, shop):
    with pytest.raises(NotFound, match="no warehouse"):
        restock.restock_to_par(session, actor="dana")
    view = restock.inventory_view(session)
    assert (view.restock_lines, view.restock_units) == (0, 0)
    stock.add_location(session, "Main")
    run = restock.restock_to_par(session, accept=True, actor="dana")
    assert (run.warehouse, run.lines, run.moves) == ("Main", [], 0)


def test_take_order_says_the_possible_duplicate(session, shop):
    req = IntakeRequest(summary="Noisy fan", customer="Totally Different Person",
                        phone="512-555-0101", address="9 Elm St", zip="78704")  # fmt: skip
    order, created, dup = take_order(session, req, actor="dana")
    assert created and dup is not None and dup["id"] == shop["customer"]
