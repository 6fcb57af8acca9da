"""Export kinds: each module registers one `ExportKind` with `register_kind` (found
automatically by `services/reporting/exports.py`). Columns are SQL expressions labelled with
their file column name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select
from sqlalchemy.sql.expression import ColumnElement


@dataclass(frozen=True)
class ExportKind:
    """What one export kind produces. `build()` returns the SELECT of its columns (labelled,
    in file order) with its joins; `changed_at` is the expression incremental runs compare."""

    name: str
    help: str
    build: Callable[[], Select]
    changed_at: Callable[[], ColumnElement]
    key: Callable[[], ColumnElement]  # stable row order (primary key)
    # When `changed_at` uses one table only: take the high-water mark from it alone (an
    # indexed MAX instead of a pass over the joined query).
    changed_table: Callable[[], Any] | None = None


KINDS: dict[str, ExportKind] = {}


def register_kind(kind: ExportKind) -> ExportKind:
    KINDS[kind.name] = kind
    return kind
