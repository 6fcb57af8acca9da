"""Human words for stored names and rules (issue 18): statuses, payment methods,
maintenance rules, the technician picker (the SLA warning of a booking:
tests/unit/agreements/test_sla_labels.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from svcdesk.clock import now
from svcdesk.db import read_session
from svcdesk.models import OrderStatus
from svcdesk.services.common.recurrence import rule_words
from svcdesk.services.common.words import status_words
from svcdesk.services.dispatch.tech_view import technician_choices


@pytest.mark.parametrize(
    ("stored", "words"),
    [("on_hold", "on hold"), ("en_route", "en route"), ("partially_paid", "partially paid"),
     (OrderStatus.ON_SITE, "on site"), (None, ""), ("ach", "ACH bank transfer")],
)  # fmt: skip
def test_status_words(stored, words):
    assert status_words(stored) == words


@given(st.sampled_from(list(OrderStatus)))
def test_no_status_keeps_an_underscore(status):
    assert "_" not in status_words(status)


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ("FREQ=MONTHLY;BYDAY=3TU", "monthly on the 3rd Tuesday"),
        ("RRULE:FREQ=MONTHLY;BYDAY=TU;BYSETPOS=3", "monthly on the 3rd Tuesday"),
        ("FREQ=MONTHLY;INTERVAL=6", "every 6 months"),
        ("FREQ=YEARLY;BYMONTH=4,10;BYDAY=1MO", "yearly in April and October on the 1st Monday"),
        ("FREQ=WEEKLY;BYDAY=MO,WE,FR", "weekly on Monday, Wednesday and Friday"),
        ("FREQ=MONTHLY;BYMONTHDAY=26", "monthly on the 26th"),
        ("FREQ=MONTHLY;BYDAY=-1FR", "monthly on the last Friday"),
        ("FREQ=MONTHLY;INTERVAL=3;BYDAY=2TU", "every 3 months on the 2nd Tuesday"),
        ("FREQ=DAILY;COUNT=3", "daily 3 times"),
    ],
)
def test_rule_words(rule, words):
    assert rule_words(rule) == words


def test_technician_choices_show_skills_and_load(engine, shop):
    with read_session(engine) as s:
        choices = {c.name: c for c in technician_choices(s, now().date())}
    bob = choices["Bob Ruiz"]
    assert bob.visits == 1 and bob.booked_minutes > 0  # the fixture books Bob today
    assert "booked" in bob.label() and bob.label().startswith("Bob Ruiz · ")
