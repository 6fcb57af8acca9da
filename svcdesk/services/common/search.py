"""Finding customers and sites by any text, through the search indexes (db_extras.py).

SQLite: FTS5 trigram tables (substring match, case-insensitive; 3+ characters).
PostgreSQL: ILIKE, served by pg_trgm GIN indexes. Shorter terms fall back to a prefix/
substring LIKE (cheap: they only occur while someone is still typing).

On the Core views of models/core.py, so the order list's lean read (a Core connection)
and the console's session run the same statements (db.Reader)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, literal_column, or_, select, text

from svcdesk.db import dialect_name
from svcdesk.models.core import customer, site
from svcdesk.services.common.sqlexpr import containing

if TYPE_CHECKING:
    from svcdesk.db import Reader

MIN_TRIGRAM = 3


def _fts_query(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _sqlite(session: Reader) -> bool:
    return dialect_name(session) == "sqlite"


def customer_ids_matching(session: Reader, term: str) -> Select:
    """Ids of customers whose name, phone or e-mail contains `term` (a phone typed with
    punctuation, "(512) 555-0101", also matches by its digits; a term with letters, like
    "204 Parmer Ln", does not match phones by its digits)."""
    term = term.strip()
    phone_like = not any(ch.isalpha() for ch in term)
    digits = "".join(ch for ch in term if ch.isdigit()) if phone_like else ""
    if _sqlite(session) and len(term) >= MIN_TRIGRAM:
        query = _fts_query(term)
        if len(digits) >= MIN_TRIGRAM and digits != term:  # the phone by its digits only
            query += " OR phone_key : " + _fts_query(digits)
        return _fts_ids("customer_fts", query)
    return select(customer.c.id).where(_customer_like(term, digits))


def _customer_like(term: str, digits: str):
    conds = [containing(term, customer.c.name, customer.c.email)]
    if len(digits) >= MIN_TRIGRAM:
        conds.append(customer.c.phone_key.like(f"%{digits}%"))
    return or_(*conds)


def _site_like(term: str):
    return containing(term, site.c.address, site.c.city, site.c.zip)


def row_matches(term: str, customer_id: Any, site_id: Any):
    """For a short term (up to MIN_TRIGRAM characters, typed while a filter is still
    being written) over a bounded set of orders (the board's backlog): does the row's own
    customer or site contain `term`? One primary-key look-up of each per row, instead of
    collecting every matching customer and site of the shop (`customer_ids_matching`
    scans them all for a term too short for the trigram index: "l" matches most)."""
    term = term.strip()
    phone_like = not any(ch.isalpha() for ch in term)
    digits = "".join(ch for ch in term if ch.isdigit()) if phone_like else ""
    return or_(
        select(customer.c.id)
        .where(customer.c.id == customer_id, _customer_like(term, digits))
        .exists(),
        select(site.c.id).where(site.c.id == site_id, _site_like(term)).exists(),
    )


def _fts_ids(table: str, query: str) -> Select:
    return (
        select(literal_column("rowid"))
        .select_from(text(table))
        .where(literal_column(table).op("MATCH")(query))
    )


def site_ids_matching(session: Reader, term: str) -> Select:
    """Ids of sites whose address, city or ZIP contains `term`."""
    term = term.strip()
    if _sqlite(session) and len(term) >= MIN_TRIGRAM:
        return (
            select(literal_column("rowid"))
            .select_from(text("site_fts"))
            .where(text("site_fts MATCH :q").bindparams(q=_fts_query(term)))
        )
    return select(site.c.id).where(_site_like(term))
