"""Finding customers and sites by any text, through the search indexes (db_extras.py).

SQLite: FTS5 trigram tables (substring match, case-insensitive; 3+ characters).
PostgreSQL: ILIKE, served by pg_trgm GIN indexes. Shorter terms fall back to a prefix/
substring LIKE (cheap: they only occur while someone is still typing)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, literal_column, or_, select, text
from sqlmodel import Session, col

from svcdesk.models import Customer, Site
from svcdesk.services.common.sqlexpr import containing

MIN_TRIGRAM = 3


def _fts_query(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def customer_ids_matching(session: Session, term: str) -> Select:
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
    return select(col(Customer.id)).where(_customer_like(term, digits))


def _customer_like(term: str, digits: str):
    conds = [containing(term, col(Customer.name), col(Customer.email))]
    if len(digits) >= MIN_TRIGRAM:
        conds.append(col(Customer.phone_key).like(f"%{digits}%"))
    return or_(*conds)


def _site_like(term: str):
    return containing(term, col(Site.address), col(Site.city), col(Site.zip))


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
        select(col(Customer.id))
        .where(col(Customer.id) == customer_id, _customer_like(term, digits))
        .exists(),
        select(col(Site.id)).where(col(Site.id) == site_id, _site_like(term)).exists(),
    )


def _fts_ids(table: str, query: str) -> Select:
    return (
        select(literal_column("rowid"))
        .select_from(text(table))
        .where(literal_column(table).op("MATCH")(query))
    )


def site_ids_matching(session: Session, term: str) -> Select:
    """Ids of sites whose address, city or ZIP contains `term`."""
    term = term.strip()
    if _sqlite(session) and len(term) >= MIN_TRIGRAM:
        return (
            select(literal_column("rowid"))
            .select_from(text("site_fts"))
            .where(text("site_fts MATCH :q").bindparams(q=_fts_query(term)))
        )
    return select(col(Site.id)).where(_site_like(term))
