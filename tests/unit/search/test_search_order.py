"""A text search over every status: open orders first (the board's order), then the
closed and cancelled ones newest first; the same answer whichever plan serves the term."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from svcdesk.clock import now
from svcdesk.db import read_session, write_session
from svcdesk.models import OPEN_STATUSES, OrderStatus, Priority
from svcdesk.services.orders import intake, queries

RANK = {p.value: i for i, p in enumerate(Priority)}


def _orders(engine, seed: int, count: int = 40) -> list[dict]:
    """`count` orders for two Garcias and one Novak, random status, priority, age."""
    rng = random.Random(seed)
    callers = [
        ("Ana Garcia", "5125550101"),
        ("Luis Garcia", "5125550102"),
        ("Eva Novak", "5125550103"),
    ]
    made = []
    with write_session(engine) as s:
        for n in range(count):
            name, phone = rng.choice(callers)
            order, _ = intake.create_order(
                s,
                intake.IntakeRequest(
                    summary=f"job {n}",
                    customer=name,
                    phone=phone,
                    address=f"{100 + n % 3} Elm St",
                    zip="78701",
                    priority=rng.choice(list(Priority)).value,
                ),
            )
            order.status = rng.choice(list(OrderStatus)).value
            order.created_at = now() - timedelta(days=rng.randint(0, 900), minutes=n)
            made.append(
                {
                    "number": order.number,
                    "id": order.id,
                    "name": name,
                    "status": order.status,
                    "priority": order.priority,
                    "sla_due": order.sla_due,
                    "created_at": order.created_at,
                }
            )
    return made


def _expected(made: list[dict], name_part: str) -> list[str]:
    hits = [m for m in made if name_part in m["name"]]
    open_values = {s.value for s in OPEN_STATUSES}
    first = sorted(
        (m for m in hits if m["status"] in open_values),
        key=lambda m: (RANK[m["priority"]], m["sla_due"] is None, m["sla_due"] or 0, m["id"]),
    )
    rest = sorted(
        (m for m in hits if m["status"] not in open_values),
        key=lambda m: (m["created_at"], m["id"]),
        reverse=True,
    )
    return [m["number"] for m in first + rest]


def _search(engine, term: str, **kw) -> list[str]:
    with read_session(engine) as s:
        return [r.number for r in queries.list_orders(s, text=term, open_only=False, **kw)]


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("broad", [False, True], ids=["ids-sorted", "index-walk"])
def test_open_by_priority_then_closed_newest_first(engine, monkeypatch, seed, broad):
    made = _orders(engine, seed)
    if broad:  # every term counts as broad: the backlog test + newest-first walk
        monkeypatch.setattr(queries, "SEARCH_SCAN_FROM", 1)
    expected = _expected(made, "Garcia")
    assert _search(engine, "garcia", limit=None) == expected
    assert _search(engine, "garcia", limit=7) == expected[:7]
    assert _search(engine, "garcia", limit=7, offset=7) == expected[7:14]
    assert _search(engine, "novak", limit=50) == _expected(made, "Novak")


def test_filters_still_apply_to_a_search(engine, monkeypatch):
    made = _orders(engine, 4)
    high = [m for m in made if m["priority"] == "high"]
    for scan_from in (queries.SEARCH_SCAN_FROM, 1):
        monkeypatch.setattr(queries, "SEARCH_SCAN_FROM", scan_from)
        assert _search(engine, "garcia", priority="high", limit=None) == _expected(high, "Garcia")


def test_order_number_and_nothing_found(engine, monkeypatch):
    made = _orders(engine, 5, count=5)
    for scan_from in (queries.SEARCH_SCAN_FROM, 1):
        monkeypatch.setattr(queries, "SEARCH_SCAN_FROM", scan_from)
        assert _search(engine, made[2]["number"]) == [made[2]["number"]]
        assert _search(engine, "nobody by this name") == []


def test_other_lists_keep_their_sort(engine):
    made = _orders(engine, 6, count=12)
    with read_session(engine) as s:
        rows = queries.list_orders(s, open_only=False, limit=None)
        by_priority = [(RANK[r.priority]) for r in rows]
        assert by_priority == sorted(by_priority)  # no text: priority order, every status
        assert len(rows) == len(made)
        newest = queries.list_orders(s, text="garcia", open_only=False, sort="newest")
        assert [r.created_at for r in newest] == sorted(
            (r.created_at for r in newest), reverse=True
        )
