"""Time entries and parts used from typed text (execution/entry_forms), the one path of
`time add`, `stock use` and the console's time and part dialogs."""

from __future__ import annotations

import pytest

from svcdesk.errors import InvalidInput, NotFound
from svcdesk.services.execution import entry_forms
from svcdesk.services.orders import lifecycle


def test_time_from_text_in_the_shop_zone_on_the_order(session, shop):
    entry = entry_forms.add_time_from_text(
        session, tech="Bob Ruiz", kind="work", start="2026-11-25 09:00", end="2026-11-25 10:30",
        order=shop["o2"], actor="dana",
    )  # fmt: skip
    assert entry.order_id == lifecycle.get_order(session, shop["o2"]).id
    assert (entry.ends_at - entry.starts_at).total_seconds() == 90 * 60
    assert entry.starts_at.hour == 15  # 09:00 in Austin (CST) is 15:00 UTC


def test_time_from_text_names_the_flags_it_was_given(session, shop):
    with pytest.raises(InvalidInput, match="--visit needs --order"):
        entry_forms.add_time_from_text(session, tech="Bob Ruiz", kind="work", start="today 9:00",
                                       end="today 10:00", visit_id=1, actor="dana",
                                       flag="--")  # fmt: skip
    with pytest.raises(InvalidInput, match="^start: "):
        entry_forms.add_time_from_text(session, tech="Bob Ruiz", kind="work", start="soonish",
                                       end="today 10:00", actor="dana")  # fmt: skip


def test_time_on_a_visit_of_another_order_is_refused(session, shop):
    visit_id = lifecycle.get_order(session, shop["o2"]).id  # o2's id, not a visit of o1
    with pytest.raises(NotFound):
        entry_forms.add_time_from_text(session, tech="Bob Ruiz", kind="work", start="today 9:00",
                                       end="today 10:00", order=shop["o1"],
                                       visit_id=visit_id + 1000, actor="dana")  # fmt: skip


def test_usage_visit_is_the_current_visit_when_none_is_named(session, shop):
    order = lifecycle.get_order(session, shop["o2"])
    visit = entry_forms.usage_visit(session, order, None)
    assert visit is not None and visit.order_id == order.id
