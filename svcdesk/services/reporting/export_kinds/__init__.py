"""Export kinds: each module registers one `ExportKind` with `register_kind` (found
automatically by `services/reporting/exports.py`). Columns are SQL expressions labelled with
their file column name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func
from sqlalchemy.orm import Mapped
from sqlalchemy.sql.expression import ColumnElement
from sqlmodel import col

from svcdesk.models.base import table_of


@dataclass(frozen=True)
class ExportKind:
    """What one export kind produces. `build()` returns the SELECT of its columns (labelled,
    in file order) with its joins; `changed_at` is the expression incremental runs compare."""

    name: str
    help: str
    build: Callable[[], Select]
    # a column (`col(Model.field)`) or an expression
    changed_at: Callable[[], ColumnElement | Mapped]
    key: Callable[[], ColumnElement | Mapped]  # stable row order (primary key)
    # When `changed_at` uses one table only: take the high-water mark from it alone (an
    # indexed MAX instead of a pass over the joined query).
    changed_table: Callable[[], Any] | None = None
    # The tables whose change markers (db_changes) say a row changed (the latest of them);
    # default: `changed_table`. Each must be in models/reporting.CHANGE_TRACKED.
    change_tables: Callable[[], tuple] | None = None

    def change_seq(self) -> ColumnElement:
        """The row's change marker: the latest `change_seq` of its tables."""
        if self.change_tables is not None:
            tables = self.change_tables()
        elif self.changed_table is not None:
            tables = (self.changed_table(),)
        else:
            raise RuntimeError(f"export {self.name}: no change_tables or changed_table")
        seqs = [func.coalesce(t.c.change_seq, 0) for t in tables]
        if len(seqs) == 1:
            return seqs[0]
        from svcdesk.services.common.sqlexpr import greatest

        return greatest(*seqs)


KINDS: dict[str, ExportKind] = {}


def register_kind(kind: ExportKind) -> ExportKind:
    KINDS[kind.name] = kind
    return kind


def register_table_kind(
    name: str, help: str, build: Callable[[], Select], model: type, changed: str
) -> ExportKind:
    """The kind of one table's rows: changed when its column `changed` is, in `id` order,
    the high-water mark from that table alone."""
    return register_kind(
        ExportKind(
            name=name,
            help=help,
            build=build,
            changed_at=lambda: col(getattr(model, changed)),
            key=lambda: col(model.id),  # type: ignore[attr-defined]
            changed_table=lambda: table_of(model),
        )
    )
