"""Batch intake: the same orders, customers, sites and events `intake.create_order` makes,
written in chunks with executemany instead of one ORM object at a time.

Per chunk: known external_refs, customers matching the chunk's phones/e-mails and those
customers' sites are looked up with one query each and kept in maps (so rows later in the
file see customers and sites made earlier in it); order numbers are reserved for the
chunk with one sequence update. Matching uses `services/common/normalize.py` exactly as
`services/crm/customers.match_customer` and `find_or_add_site` do (phone first, then e-mail;
the oldest matching customer/site wins), the validation comes from `intake.checked`, and
what the order hooks' `created` adds to a new order (covering agreement, SLA clock,
recall flag) from their set-based twin `batch_created`, computed from the row data. New customers and sites reach the search index in groups (`deferred_search`)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from itertools import chain, islice, repeat
from operator import add, itemgetter
from typing import Any, NamedTuple

from sqlalchemy import bindparam, func, insert, literal_column, or_, select
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlmodel import Session, col

from svcdesk.clock import now
from svcdesk.db_extras import SearchBacklog, deferred_search_index
from svcdesk.errors import InvalidInput
from svcdesk.models import (
    Customer,
    CustomerEvent,
    CustomerKind,
    OrderEvent,
    OrderKind,
    OrderSource,
    OrderStatus,
    PossibleDuplicate,
    Priority,
    Site,
    Skill,
    WorkOrder,
)
from svcdesk.models.base import table_of
from svcdesk.services.common import sequences
from svcdesk.services.common.normalize import address_key, names_agree, parse_phone
from svcdesk.services.common.sqlexpr import model_defaults
from svcdesk.services.crm.technicians import get_skill, skill_code
from svcdesk.services.orders.hooks import hooks
from svcdesk.services.orders.intake import (
    NEW_CUSTOMER,
    IntakeRequest,
    checked,
    created_data_tail,
    created_data_with,
    created_detail_head,
    lengths_ok,
    validate,
)

CHUNK = 2000
CACHE_KIB = 65536  # SQLite page cache during a batch (64 MiB)
GROUP = 256  # rows per multi-row INSERT statement (if SQLite's parameter limit allows)
# Tables written with multi-row INSERTs (`_executemany`): rows appended in id order, index
# keys mostly ascending. Measured on a 100,000-order replay: order_event 1.29 -> 0.41 s (its
# trigger makes each single-row insert take a statement journal), work_order 2.2 -> 1.8 s.
# customer and site stay with executemany: their indexes on random keys (name, phone,
# e-mail, address) make a multi-row statement's journal copy many pages (0.6 -> 1.1 s).
MULTI_ROW = frozenset({"work_order", "order_event", "order_sla", "recall_flag", "customer_event"})
SEARCH_GROUP = 10_000  # new customers/sites added to the search index per statement


class Ref:
    """A customer or site row: known (id set) or created in this batch (id set on insert)."""

    __slots__ = ("id", "name")

    def __init__(self, id: int | None = None, name: str = ""):
        self.id = id
        self.name = name


@dataclass(slots=True)
class Item:
    """A validated row waiting in the current chunk."""

    number: int
    req: IntakeRequest
    raw: Any = None
    phone_key: str | None = None  # normalize.phone_key(req.phone)
    email_key: str | None = None  # normalize.email_key(req.email)


@dataclass
class ChunkResult:
    created: list[str] = field(default_factory=list)  # order numbers
    skipped: list[tuple[Item, str]] = field(default_factory=list)  # (item, existing number)
    bad: list[tuple[Item, str, str]] = field(default_factory=list)  # (item, column, message)
    customers: int = 0
    sites: int = 0
    matched: int = 0  # rows filed under a customer that existed before the row
    flagged: int = 0  # rows whose phone/e-mail match had another name (possible duplicates)


class Choice:
    """A spelling of (priority, source, kind) parsed once, with what an order row needs."""

    __slots__ = (
        "data_tail",
        "detail_head",
        "kind",
        "kind_text",
        "priority",
        "priority_text",
        "rank",
        "source",
        "source_text",
    )

    def __init__(self, priority: Priority, source: OrderSource, kind: OrderKind):
        self.priority, self.source, self.kind = priority, source, kind
        self.priority_text, self.rank = priority.value, priority.rank
        self.source_text, self.kind_text = source.value, kind.value
        self.detail_head = created_detail_head(priority, kind)  # the `created` event's
        self.data_tail = created_data_tail(source)  # detail and data, as `create_order`'s


def _sql_literal(value: Any) -> str | None:
    """`value` (as a bind processor left it) written into SQL text, when it can be exactly:
    NULL, an integer, or text without a NUL; None otherwise (then it is bound)."""
    if value is None:
        return "NULL"
    if isinstance(value, int):  # (bool included: 1 or 0, as SQLite stores it)
        return str(int(value))
    if isinstance(value, str) and "\x00" not in value:
        return "'" + value.replace("'", "''") + "'"
    return None


def _dicts(rows: list[dict] | Tuples, constants: dict) -> list[dict]:
    """Each row as a dict with `constants` added (the generic path: other databases)."""
    if isinstance(rows, Tuples):
        return [{**constants, **dict(zip(rows.keys, v, strict=True))} for v in rows.values]
    return [{**constants, **row} for row in rows]


def _getter(keys: list[str]) -> Callable[[dict], tuple]:
    """row -> (row[k] for k in keys), as a tuple whatever the number of keys."""
    if len(keys) > 1:
        return itemgetter(*keys)
    if keys:
        key = keys[0]
        return lambda row: (row[key],)
    return lambda row: ()


def _hoisted(rows: list[dict], constants: dict) -> tuple[tuple[str, ...], dict]:
    """(keys, constants) for rows that repeat a few shared dicts: a key whose value is the
    same in every one of them (an SLA clock's unset pause and outcome columns) joins the
    constants."""
    distinct = list({id(row): row for row in rows}.values())
    first, others = distinct[0], distinct[1:]
    same = {
        k: v for k, v in first.items() if all(type(r[k]) is type(v) and r[k] == v for r in others)
    }
    if not same:
        return tuple(first), constants
    return tuple(k for k in first if k not in same), {**constants, **same}


class Tuples(NamedTuple):
    """Rows as tuples of `keys`' values (cheaper than a dict a row where nothing else
    reads them by name)."""

    keys: tuple[str, ...]
    values: list[tuple]


class _Compiled:
    """A (multi-row) INSERT for one table on SQLite: the rows' own keys as parameters, then
    `constants` (the same value in every row: model defaults, the batch's timestamp, ...),
    converted once and written into the statement as SQL literals, so a row binds only its
    own values (a constant that cannot be a literal is bound with every row instead)."""

    def __init__(
        self,
        table,
        dialect,
        keys: list[str],
        constants: dict,
        max_params: int,
        lead: str | None = None,
    ):
        columns = [lead, *keys] if lead else keys  # `lead`: a per-row column (`params`)
        const_keys = [k for k in constants if k not in columns]
        compiled = insert(table).compile(dialect=dialect, column_keys=columns + const_keys)
        missing = set(compiled.positiontup or ()) - set(columns) - set(const_keys)
        if missing:
            raise RuntimeError(f"batch insert into {table.name}: no value for {sorted(missing)}")
        quote = dialect.identifier_preparer
        names = ", ".join(quote.format_column(table.c[k]) for k in columns + const_keys)
        self.head = f"INSERT INTO {quote.format_table(table)} ({names}) VALUES "
        self.width = len(columns)
        self.lead_proc = (
            table.c[lead].type.dialect_impl(dialect).bind_processor(dialect) if lead else None
        )
        self.max_params = max_params
        self.get = _getter(keys)
        procs = [table.c[k].type.dialect_impl(dialect).bind_processor(dialect) for k in keys]
        self.procs = [(i, p) for i, p in enumerate(procs) if p is not None]
        # converted values per column, kept across chunks (a batch repeats a few hundred
        # promised windows and SLA due times; converting a datetime costs microseconds)
        self._converted: list[dict] = [{} for _ in self.procs]
        self.const_keys = const_keys
        self.const_procs = [
            table.c[k].type.dialect_impl(dialect).bind_processor(dialect) for k in const_keys
        ]
        self._shapes: dict[tuple, _Shape] = {}

    def shape(self, constants: dict) -> _Shape:
        """The statements for these constants' values (one shape per batch, in practice)."""
        values = tuple(
            v if (v := constants[k]) is None or proc is None else proc(v)
            for k, proc in zip(self.const_keys, self.const_procs, strict=True)
        )
        found = self._shapes.get(values)
        if found is None:
            if len(self._shapes) > 16:
                self._shapes.clear()
            found = self._shapes[values] = _Shape(self, values)
        return found

    def params(self, rows: list[dict], lead: list[Any] | None = None) -> list[tuple]:
        """The rows' own values as parameter tuples (headed by lead[n] when the statement
        has a lead column; `rows` may then repeat dicts, each converted once). Values are
        converted column by column: each distinct value once (a batch repeats the same few
        timestamps), the rest is done by C-level map/zip."""
        if lead is None:
            return self._values(rows)
        if self.lead_proc is not None:
            lead = [None if v is None else self.lead_proc(v) for v in lead]
        distinct = list({id(row): row for row in rows}.values())
        own = dict(zip(map(id, distinct), self._values(distinct), strict=True))
        return list(map(add, zip(lead), map(own.__getitem__, map(id, rows))))

    def _values(self, rows: list[dict]) -> list[tuple]:
        return self.convert(list(map(self.get, rows)))

    def convert(self, values: list[tuple]) -> list[tuple]:
        """Rows of values in the statement's key order, through the bind processors."""
        if self.procs:
            columns: list[Sequence[Any]] = list(zip(*values, strict=True))
            for (i, proc), done in zip(self.procs, self._converted, strict=True):
                column = columns[i]
                try:
                    for v in set(column).difference(done):
                        done[v] = None if v is None else proc(v)
                except TypeError:  # unhashable values: convert one by one
                    columns[i] = [None if v is None else proc(v) for v in column]
                else:
                    columns[i] = list(map(done.__getitem__, column))
                    if len(done) > 100_000:
                        done.clear()
            values = list(zip(*columns, strict=True))
        return values


class _Shape:
    """A `_Compiled` INSERT's SQL text for one set of constant values."""

    def __init__(self, compiled: _Compiled, constants: tuple):
        literals = [text for v in constants if (text := _sql_literal(v)) is not None]
        n = compiled.width
        if len(literals) < len(constants):  # bound with every row (see `rows`)
            self.extra: tuple = constants
            marks = ["?"] * (n + len(constants))
        else:
            self.extra = ()
            marks = ["?"] * n + literals
        self.head = compiled.head
        self.one = "(" + ", ".join(marks) + ")"
        self.sql = self.head + self.one  # one row (for executemany)
        per_row = n + len(self.extra)
        group = max(1, min(GROUP, compiled.max_params // max(1, per_row)))
        self.sizes = [group, *(2**k for k in range(7, -1, -1) if 2**k < group)]
        self.per_row = per_row
        self._sql: dict[int, str] = {}

    def rows(self, values: list[tuple]) -> list[tuple]:
        if self.extra:
            return list(map(add, values, repeat(self.extra)))
        return values

    def statements(self, values: list[tuple]) -> Iterator[tuple[str, tuple]]:
        """(SQL, flat parameters) per group of rows: groups of GROUP rows, the rest in
        power-of-two groups, so that a table needs at most nine distinct statements
        (each prepared once and kept in the driver's statement cache)."""
        flat = chain.from_iterable(self.rows(values))
        start, n = 0, len(values)
        for size in self.sizes:
            while n - start >= size:
                sql = self._sql.get(size)
                if sql is None:
                    sql = self._sql[size] = self.head + ", ".join([self.one] * size)
                yield sql, tuple(islice(flat, size * self.per_row))
                start += size


def _json_in(column, name: str):
    """`column IN (SELECT value FROM json_each(:name))`: the keys as one JSON parameter."""
    keys: Any = select(literal_column("value")).select_from(func.json_each(bindparam(name)))
    return col(column).in_(keys)


# The batch's lookups (`BatchWriter._select`): `in_(column, name)` matches keys[name].
def _refs_query(in_):
    return select(col(WorkOrder.external_ref), col(WorkOrder.number)).where(
        in_(WorkOrder.external_ref, "refs")
    )


def _customers_query(in_):
    return (
        select(
            col(Customer.id), col(Customer.name), col(Customer.phone_key), col(Customer.email_key)
        )
        .where(or_(in_(Customer.phone_key, "phones"), in_(Customer.email_key, "mails")))
        .order_by(col(Customer.id))
    )


def _sites_query(in_):
    return (
        select(col(Site.id), col(Site.customer_id), col(Site.address_key))
        .where(in_(Site.customer_id, "ids"))
        .order_by(col(Site.id))
    )


def _names_query(in_):
    return select(col(Customer.id), col(Customer.name)).where(in_(Customer.id, "ids"))


class BatchWriter:
    def __init__(self, session: Session, *, actor: str = "import"):
        self.session = session
        self.actor = actor
        self.skills = dict(session.execute(select(col(Skill.code), col(Skill.id))).all())
        # key -> customers with it, oldest first (a flagged duplicate shares its phone)
        self.by_phone: dict[str, list[Ref]] = {}
        self.by_email: dict[str, list[Ref]] = {}
        self.by_id: dict[int, Ref] = {}
        self.sites: dict[tuple[Ref, str], Ref] = {}  # (customer, address_key) -> site
        self._asked_keys: set[str] = set()
        self._sites_loaded: set[int] = set()
        # One timestamp for the whole batch (it commits as one transaction).
        self.created = now()
        self._choices: dict[tuple, Choice] = {}
        self._sqlite = session.get_bind().dialect.name == "sqlite"
        self._cache_size = None
        if self._sqlite:  # a bigger page cache for this connection: index pages stay hot
            conn = session.connection()
            self._cache_size = conn.exec_driver_sql("PRAGMA cache_size").scalar()
            conn.exec_driver_sql(f"PRAGMA cache_size=-{CACHE_KIB}")
        self._next_id: dict[str, int] = {}
        self._search: SearchBacklog | None = None
        self._unindexed: dict[str, list[int]] = {}  # table -> [first, last] id to index
        self._compiled: dict[tuple, _Compiled] = {}
        self._raw_cursor: sqlite3.Cursor | None = None
        self._lookups: dict[Callable, tuple[str, list[str]]] = {}
        self._new_site_ids: set[int] = set()  # sites made by this batch
        # What every new row of a table shares (model defaults, the batch's timestamp):
        # rows carry only their own values; see `_Compiled`.
        created = self.created
        self._order_base = {
            **model_defaults(WorkOrder),
            "status": OrderStatus.NEW.value,
            "created_at": created,
            "updated_at": created,
        }
        self._customer_base = {
            **model_defaults(Customer),
            "kind": CustomerKind.RESIDENTIAL.value,
            "created_at": created,
        }
        self._site_base = model_defaults(Site)
        event_defaults = model_defaults(OrderEvent)
        self._created_event = {
            **event_defaults,
            "at": created,
            "actor": actor,
            "kind": "created",
            "from_status": None,
            "to_status": OrderStatus.NEW.value,
        }
        self._duplicate_event = {
            **event_defaults,
            "at": created,
            "actor": actor,
            "kind": "possible_duplicate",
            "from_status": None,
            "to_status": None,
            "data": None,
        }
        self._order_ids: list[int] = []
        self._customer_added = {"at": created, "actor": actor, "kind": "added"}

    @contextmanager
    def deferred_search(self) -> Iterator[None]:
        """New customers and sites are added to the search index one chunk at a time
        instead of by the row triggers (`db_extras.deferred_search_index`)."""
        with deferred_search_index(self.session.connection()) as backlog:
            self._search = backlog
            try:
                yield
                for table in list(self._unindexed):
                    self._index(table)
            finally:
                self._search = None
                self._unindexed.clear()

    def _index_later(self, table: str, first: int, last: int) -> None:
        """Queue new rows first..last for the search index; index SEARCH_GROUP at a time
        (bigger groups make fewer, larger FTS5 segments: cheaper than one per chunk)."""
        span = self._unindexed.get(table)
        if span is not None and span[1] + 1 != first:  # not contiguous: index what we have
            self._index(table)
            span = None
        if span is None:
            span = self._unindexed[table] = [first, last]
        span[1] = last
        if span[1] - span[0] + 1 >= SEARCH_GROUP:
            self._index(table)

    def _index(self, table: str) -> None:
        first, last = self._unindexed.pop(table)
        assert self._search is not None  # (queued only inside `deferred_search`)
        self._search.index(table, first, last)

    def close(self) -> None:
        """Give the connection its usual page cache back."""
        if self._raw_cursor is not None:
            self._raw_cursor.close()
            self._raw_cursor = None
        if self._cache_size is not None:
            # Only a tuning knob: never let it hide the error that ended a failed batch.
            with suppress(SQLAlchemyError):
                conn = self.session.connection()
                conn.exec_driver_sql(f"PRAGMA cache_size={self._cache_size}")
            self._cache_size = None

    # -- lookups ---------------------------------------------------------------------
    def _select(self, build: Callable[[Callable], Any], **keys: Any) -> Iterable[Any]:
        """Rows of `build(in_)`, a query whose `in_(column, name)` conditions match a
        chunk's worth of keys (`keys[name]`). SQLite: the keys travel as one JSON parameter
        each (`IN (SELECT value FROM json_each(?))`), and the query, compiled once per
        batch, runs on the driver's cursor: no rendering or converting thousands of bound
        parameters, no per-query SQLAlchemy work. Other databases: a plain IN."""
        if not self._sqlite:
            return self.session.execute(build(lambda column, name: col(column).in_(keys[name])))
        found = self._lookups.get(build)
        if found is None:
            stmt = build(_json_in)
            compiled = stmt.compile(dialect=self.session.get_bind().dialect)
            found = self._lookups[build] = (compiled.string, list(compiled.positiontup or ()))
        sql, names = found
        try:
            return self._cursor().execute(sql, [json.dumps(list(keys[n])) for n in names])
        except sqlite3.Error as exc:  # as SQLAlchemy would have raised it
            raise DBAPIError.instance(sql, None, exc, sqlite3.Error) from exc

    def _known_refs(self, items: list[Item]) -> dict[str, str]:
        refs = [i.req.external_ref for i in items if i.req.external_ref]
        if not refs:
            return {}
        return {ref: number for ref, number in self._select(_refs_query, refs=refs)}

    def _load_customers(self, items: list[Item]) -> None:
        # Phone keys are digits and e-mail keys contain "@", so one set remembers both.
        asked = self._asked_keys
        phones = {k for i in items if (k := i.phone_key) and k not in asked}
        mails = {k for i in items if (k := i.email_key) and k not in asked}
        self._asked_keys |= phones | mails
        if not (phones or mails):
            return
        for cid, name, pk, ek in self._select(_customers_query, phones=phones, mails=mails):
            ref = self.by_id.setdefault(cid, Ref(cid, name))
            if pk in phones:
                self.by_phone.setdefault(pk, []).append(ref)
            if ek in mails:
                self.by_email.setdefault(ek, []).append(ref)

    def _load_sites(self, refs: list[Ref]) -> None:
        ids = [r.id for r in refs if r.id is not None and r.id not in self._sites_loaded]
        if not ids:
            return
        self._sites_loaded.update(ids)
        for sid, cid, key in self._select(_sites_query, ids=ids):
            self.sites.setdefault((self.by_id[cid], key), Ref(sid))

    def _checked(self, req: IntakeRequest, lengths: bool = True, contact: bool = True) -> Choice:
        """`intake.checked`, with the parsed choices remembered per spelling."""
        key = (req.priority, req.source, req.kind)
        found = self._choices.get(key)
        if found is None:
            priority, source, kind = checked(req, lengths=lengths, contact=contact)
            found = self._choices[key] = Choice(priority, source, kind)
        else:
            validate(req, lengths=lengths, contact=contact)
        return found

    def _skill_id(self, text: str | None) -> int | None:
        if not text:
            return None
        found = self.skills.get(text)
        if found is None:
            found = self.skills.get(skill_code(text))
            if found is None:
                found = get_skill(self.session, text).id
            self.skills[text] = found
        return found

    # -- writing ---------------------------------------------------------------------
    def write(self, items: list[Item]) -> ChunkResult:
        """Create the orders of one chunk; rows that fail a rule come back in `bad`."""
        result = ChunkResult()
        known = self._known_refs(items)
        if known:
            result.skipped = [
                (i, known[i.req.external_ref]) for i in items if i.req.external_ref in known
            ]
            items = [i for i in items if i.req.external_ref not in known]
        # lengths and NULs column by column; each row again only if a column fails. The
        # phone and e-mail were read by the parser with `check_contact`'s rules.
        lengths = not lengths_ok([i.req for i in items])
        todo = []
        for item in items:
            try:
                choice = self._checked(item.req, lengths, contact=False)
                skill_id = self._skill_id(item.req.skill)
            except InvalidInput as exc:
                column, _, message = exc.message.partition(": ")
                result.bad.append((item, column, message))
                continue
            todo.append((item, choice, skill_id))
        if not todo:
            return result
        self._load_customers([t[0] for t in todo])
        new_customers: list[tuple[Ref, dict]] = []
        resolved: list[tuple[Item, Ref, bool, Choice, int | None]] = []
        flagged: list[tuple[int, Ref, Ref, str]] = []  # (row, new customer, suspect, on)
        for item, choice, skill_id in todo:
            customer, is_new, suspect = self._customer(item, new_customers)
            if suspect is not None:
                flagged.append((len(resolved), customer, *suspect))
            elif not is_new:
                result.matched += 1
            resolved.append((item, customer, is_new, choice, skill_id))
        self._load_sites([r[1] for r in resolved])
        result.customers = self._insert(Customer, new_customers, self._customer_base)
        new_sites: list[tuple[Ref, dict]] = []
        rows = [(*r, self._site(r[0].req, r[1], new_sites)) for r in resolved]
        result.sites = self._insert(Site, new_sites, self._site_base)
        self._new_site_ids.update(ref.id for ref, _ in new_sites if ref.id is not None)
        result.created, _ids = self._insert_orders(rows, self._new_site_ids)
        result.flagged = len(flagged)
        self._insert_duplicates(flagged)
        return result

    def _insert_duplicates(self, flagged: list[tuple[int, Ref, Ref, str]]) -> None:
        """A possible-duplicate record and a history event per flagged row (what
        `intake.create_order` writes for one call)."""
        if not flagged:
            return
        self._insert_plain(
            table_of(PossibleDuplicate),
            [
                {
                    "customer_id": new.id,
                    "existing_id": old.id,
                    "matched_on": on,
                    "order_id": self._order_ids[n],
                }
                for n, new, old, on in flagged
            ],
            {"created_at": self.created, "actor": self.actor},
        )
        self._insert_rows(
            table_of(OrderEvent),
            [
                {
                    "order_id": self._order_ids[n],
                    "detail": f"same {on} as {old.name} (#{old.id}); filed under a new "
                    f"customer {new.name} (#{new.id})",
                }
                for n, new, old, on in flagged
            ],
            self._duplicate_event,
        )

    def write_placed(self, reqs: list[IntakeRequest]) -> tuple[list[str], list[int]]:
        """Orders for requests whose customer and site are already known (`customer_id`
        and `site_id` set, the site the customer's: orders generated from maintenance
        plans), checked like every intake row and written like the file's rows. Returns
        their numbers and ids, in request order. A request that fails a rule raises
        InvalidInput (nothing of the batch is written)."""
        if not reqs:
            return [], []
        missing = {r.customer_id for r in reqs if r.customer_id is not None} - self.by_id.keys()
        if missing:
            for cid, name in self._select(_names_query, ids=missing):
                self.by_id[cid] = Ref(cid, name)
        rows = []
        for n, req in enumerate(reqs):
            if req.site_id is None or req.customer_id is None:
                raise InvalidInput("site: a placed order needs a customer id and a site id")
            customer = self.by_id.get(req.customer_id)
            if customer is None:
                raise InvalidInput(f"customer: no customer with id {req.customer_id}")
            choice = self._checked(req)
            skill_id = self._skill_id(req.skill)
            rows.append((Item(n, req), customer, False, choice, skill_id, Ref(req.site_id)))
        return self._insert_orders(rows, self._new_site_ids)

    def _customer(
        self, item: Item, new: list[tuple[Ref, dict]]
    ) -> tuple[Ref, bool, tuple[Ref, str] | None]:
        """`customers.match_caller` over the maps: (customer, is new, (suspect, matched
        on) when a phone/e-mail match's name disagreed)."""
        req, pk, ek = item.req, item.phone_key, item.email_key
        found = self.by_phone.get(pk) if pk else None
        on = "phone"
        if ek and (by_mail := self.by_email.get(ek)):
            if found:
                found = found + [r for r in by_mail if r not in found]
            else:
                found, on = by_mail, "e-mail"
        suspect = None
        if found:
            name = req.customer
            if req.match_existing or not name:
                return found[0], False, None
            for ref in found:
                if names_agree(name, ref.name):
                    return ref, False, None
            suspect = (found[0], on)
        name = (req.customer or "").strip() or (req.phone or req.email or "").strip()
        ref = Ref(None, name)
        phone = parse_phone(req.phone) if pk else None
        values = {
            "name": name,
            "phone": phone.e164 if phone else None,
            "phone_ext": phone.ext if phone else None,
            "phone_key": pk,
            "email": req.email,
            "email_key": ek,
        }
        new.append((ref, values))
        if pk:
            self.by_phone.setdefault(pk, []).append(ref)
        if ek:
            self.by_email.setdefault(ek, []).append(ref)
        return ref, True, suspect

    def _site(self, req: IntakeRequest, customer: Ref, new: list[tuple[Ref, dict]]) -> Ref:
        address, city, zip_code = req.address or "", req.city or "", req.zip or ""
        key = address_key(address, zip_code, city)
        found = self.sites.get((customer, key))
        if found is not None:
            return found
        ref = Ref()
        values = {
            "customer_id": customer,  # replaced by the id once customers are inserted
            "address": address.strip(),
            "city": city.strip(),
            "state": (req.state or "").strip().upper(),
            "zip": zip_code.strip(),
            "address_key": key,
        }
        new.append((ref, values))
        self.sites[(customer, key)] = ref
        return ref

    def _insert_rows(self, table, rows: list[dict] | Tuples, constants: dict) -> list[int]:
        """executemany INSERT of `rows`, each with `constants` added; returns the new ids
        in row order.

        SQLite: the write transaction (BEGIN IMMEDIATE) holds the database lock, so ids are
        numbered from max(id) + 1 (what SQLite would pick) and a plain executemany is used;
        RETURNING with a guaranteed row order would cost one statement per row there.
        Other databases: INSERT .. RETURNING in parameter order (insertmanyvalues)."""
        if self._sqlite:
            if table.name not in self._next_id:
                top = self.session.execute(select(func.max(table.c.id))).scalar()
                self._next_id[table.name] = (top or 0) + 1
            first = self._next_id[table.name]
            count = len(rows.values) if isinstance(rows, Tuples) else len(rows)
            ids = list(range(first, first + count))
            self._next_id[table.name] = first + count
            if isinstance(rows, Tuples):
                rows = Tuples(("id", *rows.keys), list(map(add, zip(ids), rows.values)))
            else:
                for row, new_id in zip(rows, ids, strict=True):
                    row["id"] = new_id
            self._executemany(table, rows, constants)
            return ids
        stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return list(self.session.execute(stmt, _dicts(rows, constants)).scalars())

    def _executemany(
        self,
        table,
        rows: list[dict] | Tuples,
        constants: dict,
        per_row: tuple[str, list[Any]] | None = None,
    ) -> None:
        """SQLite: the Core INSERT compiled once per table, values converted with the
        columns' own bind processors, run on the driver's cursor: executemany, or for
        MULTI_ROW tables multi-row INSERTs of up to GROUP rows. Same stored values as
        `session.execute(insert(table), rows)`, without SQLAlchemy's per-row and per-call
        bookkeeping. (In SQLite a single-row insert that needs a statement journal - a
        table with a trigger - copies the pages it touches every time; one statement per
        GROUP rows copies them once.) `per_row`: see `hooks.NewRows`; a key with one value
        in all of its shared rows is written as a constant."""
        keys = rows.keys if isinstance(rows, Tuples) else tuple(rows[0])
        lead, lead_values = per_row if per_row is not None else (None, None)
        if per_row is not None:
            assert not isinstance(rows, Tuples)
            keys, constants = _hoisted(rows, constants)
        cache_key = (table.name, keys, tuple(constants), lead)
        compiled = self._compiled.get(cache_key)
        if compiled is None:
            dialect = self.session.get_bind().dialect
            compiled = self._compiled[cache_key] = _Compiled(
                table, dialect, list(keys), constants, self._max_params(), lead
            )
        shape = compiled.shape(constants)
        if isinstance(rows, Tuples):
            values = compiled.convert(rows.values)
        else:
            values = compiled.params(rows, lead_values)
        cursor = self._cursor()
        sql = shape.sql
        try:
            if table.name not in MULTI_ROW:
                cursor.executemany(sql, shape.rows(values))
                return
            for sql, params in shape.statements(values):
                cursor.execute(sql, params)
        except sqlite3.Error as exc:  # as SQLAlchemy would have raised it
            raise DBAPIError.instance(sql, None, exc, sqlite3.Error) from exc

    def _cursor(self) -> sqlite3.Cursor:
        """The driver's cursor on the session's connection (SQLite), made once a batch."""
        if self._raw_cursor is None:
            dbapi = self.session.connection().connection.dbapi_connection
            assert isinstance(dbapi, sqlite3.Connection)
            self._raw_cursor = dbapi.cursor()
        return self._raw_cursor

    def _max_params(self) -> int:
        """SQLite's limit on bound parameters per statement (32766 since 3.32; 999 before)."""
        dbapi = self.session.connection().connection.dbapi_connection
        if dbapi is None:
            return 999
        try:
            return dbapi.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        except AttributeError:  # Python < 3.11
            return 999

    def _insert_plain(
        self,
        table,
        rows: list[dict] | Tuples,
        constants: dict,
        per_row: tuple[str, list[Any]] | None = None,
    ) -> None:
        """executemany INSERT of rows that bring their own keys (no ids wanted back);
        `per_row`: see `hooks.NewRows`."""
        if not (rows.values if isinstance(rows, Tuples) else rows):
            return
        if self._sqlite:
            self._executemany(table, rows, constants, per_row)
        elif isinstance(rows, Tuples):
            self.session.execute(insert(table), _dicts(rows, constants))
        elif per_row is not None:
            name, values = per_row
            self.session.execute(
                insert(table),
                [{**constants, **row, name: v} for row, v in zip(rows, values, strict=True)],
            )
        else:
            self.session.execute(insert(table), [{**constants, **row} for row in rows])

    def _insert(self, model, new: list[tuple[Ref, dict]], constants: dict) -> int:
        if not new:
            return 0
        for _, values in new:
            if isinstance(values.get("customer_id"), Ref):
                values["customer_id"] = values["customer_id"].id
        ids = self._insert_rows(table_of(model), [v for _, v in new], constants)
        if self._search is not None:
            self._index_later(model.__tablename__, ids[0], ids[-1])
        for (ref, _), new_id in zip(new, ids, strict=True):
            ref.id = new_id
            if model is Customer:
                self.by_id[new_id] = ref
                self._sites_loaded.add(new_id)
        if model is Customer:  # each new customer's `added` event (`customers.record_event`)
            self._insert_plain(
                table_of(CustomerEvent),
                Tuples(
                    ("customer_id", "detail"),
                    [(i, v["name"]) for i, (_, v) in zip(ids, new, strict=True)],
                ),
                self._customer_added,
            )
        return len(new)

    def _insert_orders(self, rows, fresh_site_ids: set[int]) -> tuple[list[str], list[int]]:
        """The orders, their `created` events, and what the order hooks' `created` adds
        (covering agreement and SLA due on the order row; SLA clock, recall flag and its
        event after it), all from the row data by executemany: no ORM objects.
        `fresh_site_ids`: the sites this batch created (no agreement, no past jobs).
        Returns the orders' numbers and ids."""
        first = sequences.next_value(self.session, "SO", len(rows))
        numbers = sequences.format_numbers("SO", first, len(rows))
        created = self.created
        orders, details = [], []
        for number, (item, customer, is_new, choice, skill_id, site) in zip(
            numbers, rows, strict=True
        ):
            req = item.req
            ref = req.external_ref.strip() if req.external_ref else None
            orders.append(
                {
                    "number": number,
                    "customer_id": customer.id,
                    "site_id": site.id,
                    "asset_id": req.asset_id,
                    "agreement_id": req.agreement_id,  # else the hook sets the covering one
                    "kind": choice.kind_text,
                    "priority": choice.priority_text,
                    "priority_rank": choice.rank,
                    "summary": req.summary.strip(),
                    "description": req.description,
                    "skill_id": skill_id,
                    "est_minutes": int(req.est_minutes),
                    "window_start": req.window_start,
                    "window_end": req.window_end,
                    "source": choice.source_text,
                    "external_ref": ref,
                    "callback_of_id": req.callback_of_id,
                    "created_at": created,
                }
            )
            details.append(
                (
                    choice.detail_head + customer.name + (NEW_CUSTOMER if is_new else ""),
                    created_data_with(ref, choice.data_tail),
                )
            )
        hook_rows = hooks().batch_created(self.session, orders, fresh_site_ids)
        ids = self._order_ids = self._insert_rows(table_of(WorkOrder), orders, self._order_base)
        self._insert_rows(
            table_of(OrderEvent),
            Tuples(("order_id", "detail", "data"), list(map(add, zip(ids), details))),
            self._created_event,
        )
        for new in hook_rows(ids):
            if "id" in new.table.c:
                own = new.rows
                if new.per_row is not None:  # (ids are written into the rows)
                    name, values = new.per_row
                    own = [{**r, name: v} for r, v in zip(own, values, strict=True)]
                self._insert_rows(new.table, own, new.constants)
            else:
                self._insert_plain(new.table, new.rows, new.constants, new.per_row)
        return numbers, ids
