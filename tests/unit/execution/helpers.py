"""Helpers for execution tests: an order booked and ready to progress."""

from __future__ import annotations

from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import parse_when
from svcdesk.services.crm.technicians import find_technician
from svcdesk.services.orders import lifecycle, scheduling


def when(session, text: str):
    return parse_when(text, shop_zone(session))


def book(session, number: str, techs: list[str], at: str, minutes: int = 60):
    order = lifecycle.get_order(session, number)
    crew = [find_technician(session, t) for t in techs]
    visit = scheduling.book_visit(session, order, crew, when(session, at), minutes, force=True)
    return order, visit
