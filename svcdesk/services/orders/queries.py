"""Read models for lists and detail views: plain dataclasses, never live ORM objects.

The order list (`list_orders`, `order_ids`, `orders_by_id`, `board_counts`) is built on
the Core views of models/core.py and runs on either kind of `db.Reader`: the console's and
the web app's ORM sessions, or the Core connection of `svcdesk orders list`
(`db.read_connection`), which so imports no SQLModel, ORM or table class (issue 20:
~0.4 s of its start). `order_detail` reads the ORM objects (a session)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import case, func, or_, select, union_all
from sqlalchemy.sql.elements import ColumnElement

from svcdesk.clock import now
from svcdesk.errors import InvalidInput
from svcdesk.models.core import (
    ACTIVE_VISIT,
    OPEN_STATUSES,
    OrderStatus,
    customer,
    site,
    skill,
    technician,
    visit,
    visit_technician,
    work_order,
)
from svcdesk.services.common import search
from svcdesk.services.common.normalize import display_phone
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.sqlexpr import LIKE_ESCAPE, containing, like_literal
from svcdesk.services.common.timefmt import day_bounds, iso

if TYPE_CHECKING:
    from sqlmodel import Session

    from svcdesk.db import Reader

wo = work_order.c


@dataclass
class OrderRow:
    id: int
    number: str
    priority: str
    status: str
    kind: str
    customer: str
    phone: str | None
    address: str
    city: str
    summary: str
    skill: str | None
    technicians: list[str]
    scheduled_start: datetime | None
    sla_due: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int
    window_start: datetime | None = None  # the promised window
    window_end: datetime | None = None

    def to_json(self) -> dict:
        data = asdict(self)
        for key in (
            "scheduled_start", "sla_due", "created_at", "updated_at", "window_start", "window_end",
        ):  # fmt: skip
            data[key] = iso(data[key])
        return data


@dataclass
class VisitView:
    id: int
    starts_at: datetime
    ends_at: datetime
    status: str
    technicians: list[str]
    lead: str | None
    outcome: str | None
    arrived_at: datetime | None
    departed_at: datetime | None


@dataclass
class EventView:
    at: datetime
    actor: str
    kind: str
    from_status: str | None
    to_status: str | None
    detail: str | None


@dataclass
class OrderDetail:
    row: OrderRow
    description: str | None
    source: str
    external_ref: str | None
    est_minutes: int
    window_start: datetime | None
    window_end: datetime | None
    hold_reason: str | None
    cancel_reason: str | None
    customer_id: int
    site_id: int
    site_label: str
    asset: str | None
    asset_id: int | None
    callback_of: str | None
    allowed_moves: list[str]
    visits: list[VisitView] = field(default_factory=list)
    notes: list[tuple[datetime, str, str]] = field(default_factory=list)
    events: list[EventView] = field(default_factory=list)
    related: list[OrderRow] = field(default_factory=list)  # the customer's/site's other orders

    def to_json(self) -> dict:
        data = {
            k: v
            for k, v in asdict(self).items()
            if k not in ("row", "visits", "events", "notes", "related")
        }
        data.update(self.row.to_json())
        for key in ("window_start", "window_end"):
            data[key] = iso(data[key])
        data["visits"] = [
            {
                **asdict(v),
                "starts_at": iso(v.starts_at),
                "ends_at": iso(v.ends_at),
                "arrived_at": iso(v.arrived_at),
                "departed_at": iso(v.departed_at),
            }
            for v in self.visits
        ]
        data["notes"] = [{"at": iso(at), "author": a, "text": t} for at, a, t in self.notes]
        data["events"] = [{**asdict(e), "at": iso(e.at)} for e in self.events]
        data["related"] = [r.number for r in self.related]
        return data


def _base_query():
    """The columns of an `OrderRow` (plain columns, not ORM objects: building 500 work_order
    instances was half the board's CPU at 1M orders)."""
    return (
        select(
            wo.id,
            wo.number,
            wo.priority,
            wo.status,
            wo.kind,
            customer.c.name,
            customer.c.phone,
            site.c.address,
            site.c.city,
            wo.summary,
            skill.c.code,
            wo.sla_due,
            wo.created_at,
            wo.updated_at,
            wo.version,
            wo.window_start,
            wo.window_end,
        )
        .join(customer, customer.c.id == wo.customer_id)
        .join(site, site.c.id == wo.site_id)
        .outerjoin(skill, skill.c.id == wo.skill_id)
    )


def _rows(session: Reader, stmt) -> list[OrderRow]:
    results = session.execute(stmt).all()
    techs, starts = _visit_info(session, [r[0] for r in results])
    return [
        OrderRow(
            id=oid,
            number=number,
            priority=priority,
            status=status,
            kind=kind,
            customer=cname,
            phone=display_phone(phone),
            address=addr,
            city=city,
            summary=summary,
            skill=skill,
            technicians=techs.get(oid, []),
            scheduled_start=starts.get(oid),
            sla_due=sla_due,
            created_at=created,
            updated_at=updated,
            version=version,
            window_start=window_start,
            window_end=window_end,
        )
        for (oid, number, priority, status, kind, cname, phone, addr, city, summary, skill,
             sla_due, created, updated, version, window_start, window_end) in results
    ]  # fmt: skip


def _visit_info(session: Reader, order_ids: list[int]):
    """Technicians and earliest start of each order's active visits (chunked IN lists)."""
    techs: dict[int, list[str]] = defaultdict(list)
    starts: dict[int, datetime] = {}
    active = [s.value for s in ACTIVE_VISIT]
    for i in range(0, len(order_ids), 900):
        chunk = order_ids[i : i + 900]
        stmt = (
            select(visit.c.order_id, visit.c.starts_at, technician.c.name, visit_technician.c.role)
            .join(visit_technician, visit_technician.c.visit_id == visit.c.id)
            .join(technician, technician.c.id == visit_technician.c.technician_id)
            .where(visit.c.order_id.in_(chunk), visit.c.status.in_(active))
            .order_by(visit.c.starts_at, visit_technician.c.role != "lead")
        )
        for order_id, start, name, _role in session.execute(stmt):
            if order_id not in starts:
                starts[order_id] = start
            if name not in techs[order_id]:
                techs[order_id].append(name)
    return techs, starts


def list_orders(
    session: Reader,
    *,
    sort: str | None = None,
    limit: int | None = 500,
    offset: int = 0,
    **filters,
) -> list[OrderRow]:
    """Orders sorted by `sort` (priority, status, sla, newest; see SORTS). Defaults to open
    orders. Filters (see `_order_ids`): statuses, open_only, priority, tech_id, unassigned,
    text, customer_id, site_id, asset_id, today (with an active visit starting today, shop
    day), overdue (SLA passed). `offset`/`limit` page through the sorted list.

    A text search over every status (open_only=False, no statuses) is sorted "search" by
    default: open orders first, most urgent first (the board's order), then the closed and
    cancelled ones, newest first (`_search_ids`); any other list by priority.

    Every filter is on work_order alone: the ids are chosen (filtered, sorted, limited) on
    that table first, then only those rows are joined. Joined in one statement, SQLite
    drove the query from `customer` and walked every order (180 ms -> 10 ms, 100k orders)."""
    if sort is None:
        history = filters.get("open_only") is False and not filters.get("statuses")
        sort = "search" if history and (filters.get("text") or "").strip() else "priority"
    if sort == "search":
        ids = _search_ids(session, (offset + limit) if limit else None, **filters)[offset:]
        found = {r.id: r for r in orders_by_id(session, ids)}
        return [found[i] for i in ids]
    keys = _sort_keys(sort)
    stmt = _order_ids(session, **filters).order_by(*keys)
    if limit:
        stmt = stmt.limit(limit)
    if offset:
        stmt = stmt.offset(offset)
    return _rows(session, _base_query().where(wo.id.in_(stmt)).order_by(*keys))


SEARCH_SCAN_FROM = 2_000  # matching customers (or sites) from which a search walks


def _search_ids(session: Reader, want: int | None, *, text: str, **filters) -> list[int]:
    """The "search" order: open matches by priority, then closed ones newest first.

    A term that matches fewer than SEARCH_SCAN_FROM customers and sites (a phone, a name,
    an address, a company) has its orders read by id from the search indexes and sorted
    in one statement. A broader term (a common surname: 12,500 customers, 63,000 of 1M
    orders) instead tests the backlog's rows (bounded) and walks `ix_work_order_created_at`
    newest first, stopping at the first `want` closed matches rather than reading and
    sorting all of them (SQLite 1M: 116 -> 12 ms). Both cost about the same near
    sqrt(want x orders) matching orders (~7,000 for 50 of 1M: ~1,500 customers here).
    Matches come from customers, sites and order numbers (not summaries: a substring scan
    of every order's summary would not be bounded)."""
    term = text.strip()
    rest = {k: v for k, v in filters.items() if k not in ("open_only", "statuses")}
    found = _few_matches(session, term)
    if found is not None:  # the ids themselves: PostgreSQL misjudged trigram matches
        customers, sites = found  # ("Wei N. Khan": 1,805 customers for 28, and a seq scan)
        numbers = _order_numbers(term, summary=False)
        conds = []
        for column, values in (
            (wo.customer_id, customers),
            (wo.site_id, sites),
            (wo.number, numbers),
        ):
            if values:
                conds.append(column.in_(values))
        if not conds:
            return []
        is_open = wo.status.in_([s.value for s in OPEN_STATUSES])
        stmt = _order_ids(session, open_only=False, **rest).where(or_(*conds))
        keys = [case((is_open, 0), else_=1)]
        keys += [case((is_open, k), else_=None) for k in _sort_keys("priority")]
        stmt = stmt.order_by(*keys, *_sort_keys("newest"))
        return list(session.execute(stmt.limit(want) if want else stmt).scalars())
    match = _row_match(session, term, summary=False, walk=True)
    open_q = _order_ids(session, open_only=True, **rest).where(match)
    open_q = open_q.order_by(*_sort_keys("priority"))
    ids = list(session.execute(open_q.limit(want) if want else open_q).scalars())
    if want is not None and len(ids) >= want:
        return ids
    closed = [s.value for s in OrderStatus if s not in OPEN_STATUSES]
    stmt = _order_ids(session, statuses=closed, **rest).where(match)
    stmt = stmt.order_by(*_sort_keys("newest"))
    if want is not None:
        stmt = stmt.limit(want - len(ids))
    return ids + list(session.execute(stmt).scalars())


def _few_matches(session: Reader, term: str) -> tuple[list[int], list[int]] | None:
    """Ids of the customers and sites `term` matches, or None when either reaches
    SEARCH_SCAN_FROM (read up to there through the search indexes)."""
    found = []
    for ids in (
        search.customer_ids_matching(session, term),
        search.site_ids_matching(session, term),
    ):
        found.append(list(session.execute(ids.limit(SEARCH_SCAN_FROM)).scalars()))
        if len(found[-1]) >= SEARCH_SCAN_FROM:
            return None
    return found[0], found[1]


def order_ids(session: Reader, *, sort: str = "priority", **filters) -> list[int]:
    """Every id `list_orders(**filters)` would return, in its order, without a limit: one
    pass over work_order (no joins). The board keeps them and reads rows a page at a time
    (`orders_by_id`), so its count and its pages come from one filter evaluation."""
    stmt = _order_ids(session, **filters).order_by(*_sort_keys(sort))
    return list(session.execute(stmt).scalars())


def orders_by_id(session: Reader, ids: list[int], *, sort: str = "priority") -> list[OrderRow]:
    """The rows of these orders (any status), sorted by `sort`."""
    if not ids:
        return []
    keys = _sort_keys(sort)
    return _rows(session, _base_query().where(wo.id.in_(ids)).order_by(*keys))


def _order_ids(
    session: Reader,
    *,
    statuses: list[str] | None = None,
    open_only: bool = True,
    priority: str | None = None,
    tech_id: int | None = None,
    unassigned: bool = False,
    text: str | None = None,
    customer_id: int | None = None,
    site_id: int | None = None,
    asset_id: int | None = None,
    today: bool = False,
    overdue: bool = False,
):
    """`SELECT work_order.id` with `list_orders`' filters (unsorted, unlimited)."""
    stmt = select(wo.id)
    if statuses:
        stmt = stmt.where(wo.status.in_(statuses))
    elif open_only:
        stmt = stmt.where(wo.status.in_([s.value for s in OPEN_STATUSES]))
    if priority:
        stmt = stmt.where(wo.priority == priority)
    if customer_id is not None:
        stmt = stmt.where(wo.customer_id == customer_id)
    if site_id is not None:
        stmt = stmt.where(wo.site_id == site_id)
    if asset_id is not None:
        stmt = stmt.where(wo.asset_id == asset_id)
    active = [s.value for s in ACTIVE_VISIT]
    booked = (
        select(visit.c.order_id)
        .join(visit_technician, visit_technician.c.visit_id == visit.c.id)
        .where(visit.c.status.in_(active))
    )
    if tech_id is not None:
        stmt = stmt.where(wo.id.in_(booked.where(visit_technician.c.technician_id == tech_id)))
    if unassigned:
        # Correlated NOT EXISTS walks ix_visit_order_id per open order; NOT IN would scan
        # every visit (60 ms -> 3 ms with 100,000 orders).
        stmt = stmt.where(~booked.where(visit.c.order_id == wo.id).exists())
    if today:
        start, end = day_bounds(now().astimezone(shop_zone(session)).date(), shop_zone(session))
        stmt = stmt.where(
            wo.id.in_(booked.where(visit.c.starts_at >= start, visit.c.starts_at < end))
        )
    if overdue:
        stmt = stmt.where(wo.sla_due.is_not(None), wo.sla_due < now())
    if text and text.strip():
        stmt = stmt.where(_text_match(session, text.strip(), summary=open_only or bool(statuses)))
    return stmt


def _text_match(session: Reader, term: str, *, summary: bool):
    """Number, customer (name, phone, e-mail) or site (address, city, ZIP) through the
    search indexes; the summary too when the set is bounded (open or chosen statuses),
    since a substring scan of every order's summary would not be.

    Over every order the ids come from the indexes (`_text_branches`, one UNION ALL:
    OR-ed IN-subqueries made PostgreSQL scan all 1M orders). Over a bounded set each row
    is tested (`_row_match`): a broad term would otherwise collect every matching order's
    id (62,000 for a common surname) to test a backlog of ~1,300."""
    if summary:
        return _row_match(session, term, summary=True)
    return wo.id.in_(union_all(*_text_branches(session, term)))


def _row_match(session: Reader, term: str, *, summary: bool, walk: bool = False):
    """`_text_match` as a test of each row: its customer or site among the matching ones,
    its number, and with `summary` a substring of the number or summary. `walk` hides the
    customer/site/number indexes (`+ 0`, `|| ''`) so the planner walks the caller's
    order instead of collecting the matches first."""
    numbers = _order_numbers(term, summary=summary)
    customer_id: ColumnElement[Any] = wo.customer_id
    site_id: ColumnElement[Any] = wo.site_id
    number: ColumnElement[Any] = wo.number
    if walk:
        customer_id, site_id, number = customer_id + 0, site_id + 0, number + ""
    conds: list[ColumnElement[bool]]
    if summary and len(term) <= search.MIN_TRIGRAM:
        # a term this short (the first keys of a filter) matches much of the shop: test
        # the bounded set's own customer and site by primary key instead
        conds = [search.row_matches(term, wo.customer_id, wo.site_id)]
    else:
        conds = [
            customer_id.in_(search.customer_ids_matching(session, term)),
            site_id.in_(search.site_ids_matching(session, term)),
        ]
    if numbers:
        conds.append(number.in_(numbers))
    upper = term.upper()
    if summary and (upper.startswith("SO-") or upper.isdigit()):
        digits = like_literal(upper.removeprefix("SO-"))
        conds.append(wo.number.like(f"SO-%{digits}%", escape=LIKE_ESCAPE))
    if summary:
        conds.append(containing(term, wo.summary))
    return or_(*conds)


@dataclass(frozen=True)
class TextKey:
    """What the board's text filter tests of one order (`text_matches`): its number, its
    customer's phone key, and `text`: the customer's name and e-mail, the site's address,
    city and ZIP and the order's summary, lower-cased, NUL-separated (a term holding a
    NUL matches nothing, so no match spans two fields)."""

    number: str
    phone_key: str
    text: str


def text_keys(session: Reader, ids: list[int]) -> dict[int, TextKey]:
    """The `TextKey` of each of these orders (a board's loaded backlog)."""
    keys: dict[int, TextKey] = {}
    for at in range(0, len(ids), 900):
        c, st = customer.c, site.c
        stmt = (
            select(
                wo.id,
                wo.number,
                c.phone_key,
                c.name,
                c.email,
                st.address,
                st.city,
                st.zip,
                wo.summary,
            )  # fmt: skip
            .join(customer, c.id == wo.customer_id)
            .join(site, st.id == wo.site_id)
            .where(wo.id.in_(ids[at : at + 900]))
        )
        for (
            oid,
            number,
            phone_key,
            name,
            email,
            address,
            city,
            zip_code,
            summary,
        ) in session.execute(stmt):
            keys[oid] = TextKey(
                number=number,
                phone_key=phone_key or "",
                text="\0".join(
                    v or "" for v in (name, email, address, city, zip_code, summary)
                ).lower(),
            )
    return keys


def text_matches(term: str, key: TextKey) -> bool:
    """Does the order of `key` match `term`? (`text_matcher(term)(key)`)"""
    return text_matcher(term)(key)


def text_matcher(term: str) -> Callable[[TextKey], bool]:
    """`_row_match(term, summary=True)` (the board's text filter over open orders) in
    Python, for orders whose `TextKey` is already in memory; the two must find the same
    orders (tests/unit/search/test_board_text_rule.py pins it). The rule, in both:

    - the customer's name or e-mail, the site's address, city or ZIP, or the summary
      contains the term (case-insensitive, every character literal);
    - a term without letters with 3+ digits: the customer's phone key contains its digits
      ("(512) 555" finds 5125550101);
    - "SO-…" or digits: the order number is that number, or contains those digits.

    Case is folded with `str.lower` (SQLite's LIKE folds ASCII only: the same for ASCII
    text, which is what the test pins)."""
    term = term.strip()
    if not term:
        return lambda key: True
    if "\0" in term:
        return lambda key: False
    low = term.lower()
    digits = ""
    if not any(ch.isalpha() for ch in term):
        digits = "".join(ch for ch in term if ch.isdigit())
        if len(digits) < search.MIN_TRIGRAM:
            digits = ""
    upper = term.upper()
    number_digits: str | None = None
    exact: list[str] = []
    if upper.startswith("SO-") or upper.isdigit():
        number_digits = upper.removeprefix("SO-")
        exact = _order_numbers(term, summary=True)

    def matches(key: TextKey) -> bool:
        if low in key.text or (digits and digits in key.phone_key):
            return True
        if number_digits is None:
            return False
        number = key.number.upper()
        return (number.startswith("SO-") and number_digits in number[3:]) or key.number in exact

    return matches


def _text_branches(session: Reader, term: str) -> list:
    """The indexed look-ups of `_text_match` over every order: orders of matching
    customers, of matching sites, and by exact number."""
    branches = [
        select(wo.id).where(wo.customer_id.in_(search.customer_ids_matching(session, term))),
        select(wo.id).where(wo.site_id.in_(search.site_ids_matching(session, term))),
    ]
    if numbers := _order_numbers(term, summary=False):
        branches.append(select(wo.id).where(wo.number.in_(numbers)))
    return branches


def _order_numbers(term: str, *, summary: bool) -> list[str]:
    """The order numbers `term` stands for exactly ("so-2", "2" -> SO-000002; without
    `summary`, the term itself too: a substring test covers it otherwise)."""
    upper = term.upper()
    if not (upper.startswith("SO-") or upper.isdigit()):
        return []
    digits = upper.removeprefix("SO-")
    numbers = {f"SO-{int(digits):06d}"} if digits.isdecimal() else set()
    if not summary:
        numbers.add(upper)
    return sorted(numbers)


SORTS = ("priority", "status", "sla", "newest")
_STATUS_ORDER = case({s.value: i for i, s in enumerate(OrderStatus)}, value=wo.status, else_=99)


def _sort_keys(sort: str) -> list:
    by_sla = [wo.sla_due.is_(None), wo.sla_due]
    if sort == "status":
        return [_STATUS_ORDER, wo.priority_rank, *by_sla, wo.id]
    if sort == "sla":
        return [*by_sla, wo.priority_rank, wo.id]
    if sort == "newest":
        return [wo.created_at.desc(), wo.id.desc()]
    if sort != "priority":
        raise InvalidInput(f"sort: {sort!r} is not one of {', '.join(SORTS)}")
    return [wo.priority_rank, *by_sla, wo.id]


@dataclass
class BoardCounts:
    new: int
    unassigned: int
    today: int
    overdue: int
    on_hold: int
    open: int


def board_counts(session: Reader) -> BoardCounts:
    """The job board's counters over open orders: per status (with overdue summed in the
    same pass over the open-status index), unassigned, scheduled today."""
    open_values = [s.value for s in OPEN_STATUSES]
    is_open = wo.status.in_(open_values)
    late = case((wo.sla_due < now(), 1), else_=0)
    per_status = session.execute(
        select(wo.status, func.count(), func.sum(late)).where(is_open).group_by(wo.status)
    ).all()
    by_status = {status: n for status, n, _ in per_status}
    overdue = sum(late_n or 0 for _, _, late_n in per_status)
    active = [s.value for s in ACTIVE_VISIT]
    booked = select(visit.c.order_id).where(visit.c.status.in_(active), visit.c.order_id == wo.id)
    unassigned = session.execute(select(func.count()).where(is_open, ~booked.exists())).scalar_one()
    zone = shop_zone(session)
    start, end = day_bounds(now().astimezone(zone).date(), zone)
    today = session.execute(
        select(func.count(func.distinct(visit.c.order_id)))
        .join(work_order, wo.id == visit.c.order_id)
        .where(
            is_open,
            visit.c.status.in_(active),
            visit.c.starts_at >= start,
            visit.c.starts_at < end,
        )
    ).scalar_one()
    return BoardCounts(
        new=by_status.get(OrderStatus.NEW.value, 0),
        unassigned=unassigned,
        today=today,
        overdue=overdue,
        on_hold=by_status.get(OrderStatus.ON_HOLD.value, 0),
        open=sum(by_status.values()),
    )


def count_orders(session: Reader) -> int:
    """How many work orders the shop has (any status)."""
    return session.execute(select(func.count()).select_from(work_order)).scalar_one()


def order_row(session: Reader, order_id: int) -> OrderRow:
    return _rows(session, _base_query().where(wo.id == order_id))[0]


def order_detail(session: Session, number: str) -> OrderDetail:
    # (the ORM objects of one order: imported here, so a lean list loads none of them)
    from sqlmodel import col, select

    from svcdesk.models import (
        Asset,
        Note,
        OrderEvent,
        Site,
        Technician,
        Visit,
        VisitTechnician,
        WorkOrder,
    )
    from svcdesk.services.common.rows import must_get
    from svcdesk.services.orders.lifecycle import allowed_moves, get_order

    order = get_order(session, number)
    row = order_row(session, order.id)
    site = must_get(session, Site, order.site_id)
    asset = session.get(Asset, order.asset_id) if order.asset_id else None
    callback = session.get(WorkOrder, order.callback_of_id) if order.callback_of_id else None
    visits = []
    for v in session.exec(
        select(Visit).where(col(Visit.order_id) == order.id).order_by(col(Visit.starts_at))
    ):
        crew = session.exec(
            select(Technician.name, VisitTechnician.role)
            .join(VisitTechnician, col(VisitTechnician.technician_id) == col(Technician.id))
            .where(VisitTechnician.visit_id == v.id)
            .order_by(col(VisitTechnician.role) != "lead", col(VisitTechnician.id))
        ).all()
        visits.append(
            VisitView(
                id=v.id,
                starts_at=v.starts_at,
                ends_at=v.ends_at,
                status=v.status,
                technicians=[n for n, _ in crew],
                lead=next((n for n, r in crew if r == "lead"), None),
                outcome=v.outcome,
                arrived_at=v.arrived_at,
                departed_at=v.departed_at,
            )
        )
    notes = [
        (n.at, n.author, n.text)
        for n in session.exec(
            select(Note).where(col(Note.order_id) == order.id).order_by(col(Note.at), col(Note.id))
        )
    ]
    evs = [
        EventView(e.at, e.actor, e.kind, e.from_status, e.to_status, e.detail)
        for e in session.exec(
            select(OrderEvent)
            .where(OrderEvent.order_id == order.id)
            .order_by(col(OrderEvent.at), col(OrderEvent.id))
        )
    ]
    related = [
        r
        for r in list_orders(session, customer_id=order.customer_id, open_only=False, limit=50)
        if r.id != order.id
    ]
    return OrderDetail(
        row=row,
        description=order.description,
        source=order.source,
        external_ref=order.external_ref,
        est_minutes=order.est_minutes,
        window_start=order.window_start,
        window_end=order.window_end,
        hold_reason=order.hold_reason,
        cancel_reason=order.cancel_reason,
        customer_id=order.customer_id,
        site_id=order.site_id,
        site_label=", ".join(p for p in (site.address, site.city, site.state, site.zip) if p),
        asset=" ".join(p for p in (asset.kind, asset.make, asset.model) if p) if asset else None,
        asset_id=order.asset_id,
        callback_of=callback.number if callback else None,
        allowed_moves=[s.value for s in allowed_moves(order.status)],
        visits=visits,
        notes=notes,
        events=evs,
        related=related,
    )
