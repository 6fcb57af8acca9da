"""`svcdesk db migrate-to URL`: copy a shop database (SQLite) into PostgreSQL and verify it.

Tables are copied in foreign-key order inside one transaction on the target, in chunks
(constant memory). Afterwards every table's row count and the sum of every `*_cents`
column must match, or the copy is rolled back. Id sequences are moved past the copied ids.

PostgreSQL cannot store a NUL (\x00) character in text, which SQLite can. Before anything is
created on the target, every text column is scanned: a NUL refuses the copy, naming the
first table, row and column and how many rows hold one; `strip_nul` removes them instead
(the rule: each NUL character is deleted, nothing else changes)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, Integer, LargeBinary, String, cast, func, literal, or_, select, text

from svcdesk.db import init_schema
from svcdesk.errors import InvalidInput
from svcdesk.models import all_models

CHUNK = 2000


@dataclass
class TableReport:
    table: str
    rows: int
    totals: dict[str, int]


def _fingerprint(conn, table) -> TableReport:
    rows = conn.execute(select(func.count()).select_from(table)).scalar_one()
    totals = {
        c.name: int(conn.execute(select(func.coalesce(func.sum(c), 0))).scalar_one())
        for c in table.columns
        if c.name.endswith("_cents")
    }
    return TableReport(table.name, rows, totals)


def _text_columns(table) -> list:
    return [
        c
        for c in table.columns
        if isinstance(c.type, String) or isinstance(getattr(c.type, "impl", None), String)
    ]


def _refuse_nul(source: Engine, tables) -> None:
    """One line naming the first cell with a NUL character, before the target is touched."""
    if source.dialect.name != "sqlite":
        return  # (PostgreSQL itself never holds one)
    nul = literal(b"\x00", LargeBinary)
    with source.connect() as conn:
        for table in tables:
            columns = _text_columns(table)
            if not columns:
                continue
            pk = list(table.primary_key.columns)[0]
            has = or_(*(func.instr(cast(c, LargeBinary), nul) > 0 for c in columns))
            rows, first = conn.execute(select(func.count(), func.min(pk)).where(has)).one()
            if not rows:
                continue
            row = conn.execute(select(*columns).where(pk == first)).one()
            column = next(c.name for c, v in zip(columns, row, strict=True) if "\x00" in (v or ""))
            raise InvalidInput(
                f"migrate-to: {table.name} {pk.name} {first}, column {column} holds a NUL "
                f"(\\x00) character ({rows:,} row(s) of {table.name} do), which PostgreSQL "
                "cannot store; nothing was written to the target. Run again with --strip-nul "
                "to delete those characters in the copy"
            )


def _strip(row: dict) -> dict:
    return {k: v.replace("\x00", "") if isinstance(v, str) else v for k, v in row.items()}


def migrate(
    source: Engine,
    target: Engine,
    progress: Callable[[str, int], None] | None = None,
    *,
    strip_nul: bool = False,
) -> list[TableReport]:
    if source.url == target.url:
        raise InvalidInput("migrate-to: source and target are the same database")
    tables = all_models()
    if not strip_nul:
        _refuse_nul(source, tables)
    init_schema(target)
    with source.connect() as src, target.begin() as dst:
        for table in tables:
            if dst.execute(select(func.count()).select_from(table)).scalar_one():
                raise InvalidInput(
                    f"migrate-to: the target already has rows in {table.name}; use an empty database"
                )
        for table in tables:
            result = src.execution_options(stream_results=True).execute(select(table))
            copied = 0
            while batch := result.fetchmany(CHUNK):
                rows = [dict(r._mapping) for r in batch]
                dst.execute(table.insert(), [_strip(r) for r in rows] if strip_nul else rows)
                copied += len(batch)
            if progress:
                progress(table.name, copied)
        reports = []
        for table in tables:
            want, got = _fingerprint(src, table), _fingerprint(dst, table)
            if (want.rows, want.totals) != (got.rows, got.totals):
                raise InvalidInput(
                    f"migrate-to: {table.name} differs after copy ({want.rows} rows, totals {want.totals} "
                    f"vs {got.rows}, {got.totals}); nothing was committed"
                )
            reports.append(want)
        if target.dialect.name == "postgresql":
            _advance_sequences(dst, tables)
    return reports


def _advance_sequences(conn, tables) -> None:
    for table in tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, Integer):
            continue
        seq = conn.execute(
            text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": pk[0].name}
        ).scalar()
        if seq:
            conn.execute(
                text(
                    f'SELECT setval(:s, COALESCE((SELECT max("{pk[0].name}") FROM "{table.name}"), 0) + 1, false)'
                ),
                {"s": seq},
            )
