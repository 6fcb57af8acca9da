"""Where a technician's day starts: their home (an address ending in a ZIP) or the depot
(the ZIP of company.address); a new shop with neither still gets offers."""

from __future__ import annotations

import pytest

from svcdesk.errors import InvalidInput
from svcdesk.services.common.settings import set_setting
from svcdesk.services.crm import technicians
from svcdesk.services.dispatch import settings as dsettings
from svcdesk.services.dispatch.suggest import suggest
from tests.unit.dispatch.dispatch_helpers import THU, at, order


@pytest.mark.parametrize(
    ("text", "zip_code"),
    [
        ("4100 Burnet Rd, Austin, TX 78756", "78756"),
        ("78701", "78701"),
        ("9 Main St, Chicago, IL 60601-1234", "60601"),
        ("12 Elm St, Springfield", None),
        ("1 Nowhere Rd 00000", None),
        ("", None),
    ],  # fmt: skip
)
def test_depot_zip_is_a_known_zip_at_the_end(text, zip_code):
    assert dsettings.depot_zip(text) == zip_code


def test_parse_home_reads_the_zip_and_refuses_what_has_none():
    address, lat, lon = technicians.parse_home("  44 Elm St,  Round Rock, TX 78664 ")
    assert address == "44 Elm St, Round Rock, TX 78664"
    assert abs(lat - 30.5) < 0.2 and abs(lon + 97.7) < 0.2
    assert technicians.parse_home("") == (None, None, None)
    for bad in ("the yard", "00000", "x" * 201):
        with pytest.raises(InvalidInput, match="home: "):
            technicians.parse_home(bad)


def test_a_shop_without_an_address_has_no_depot(session):
    assert dsettings.depot(session) is None  # not some other company's town
    set_setting(session, "company.address", "200 E Randolph St, Chicago, IL 60601")
    depot = dsettings.depot(session)
    assert depot is not None and abs(depot.lat - 41.88) < 0.05


def test_no_home_and_no_depot_the_day_starts_at_the_first_job(session):
    """The dead end of a new shop (a Chicago shop got 'no free time' because the depot was
    the demo company's Austin ZIP): without a home or a depot the first drive costs nothing."""
    technicians.create_technician(session, name="Bob Ruiz", skills=["hvac"])
    o = order(session, "no heat", km=None)
    first = suggest(session, o, THU)[0]
    assert first.eligible and first.starts_at == at(THU, "08:00")
    assert first.travel_minutes == 0 and first.travel_from == "home"


def test_a_home_far_away_costs_the_drive(session):
    tech = technicians.create_technician(session, name="Cara Diaz", skills=["hvac"])
    technicians.edit_technician(session, tech, home="78664")  # Round Rock, ~30 km north
    o = order(session, "no cool", km=None, zip_code="78701")
    first = suggest(session, o, THU)[0]
    assert first.eligible and first.travel_minutes > 20
    assert first.starts_at > at(THU, "08:20")
    changes = technicians.edit_technician(session, tech, home="")
    assert changes == ["home 78664 -> -"] and tech.home_lat is None
