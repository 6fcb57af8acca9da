"""`rows.must_get`: a row that must exist, or one NotFound line (never None passed on)."""

import pytest

from svcdesk.errors import NotFound
from svcdesk.models import Technician, WorkOrder
from svcdesk.services.common.rows import must_get


def test_must_get_returns_the_row(session, shop):
    order = must_get(session, WorkOrder, 1)
    assert order.id == 1 and order.number.startswith("SO-")


def test_must_get_names_what_is_missing(session, shop):
    with pytest.raises(NotFound, match=r"^no work order with id 999$"):
        must_get(session, WorkOrder, 999)
    with pytest.raises(NotFound, match=r"^no technician with id 7$"):
        must_get(session, Technician, 7, "technician")
