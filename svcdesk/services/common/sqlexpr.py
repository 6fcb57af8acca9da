"""Small portable SQL expressions the reports and exports need (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, Integer, String, func, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement


class _extreme(FunctionElement):  # noqa: N801
    """greatest/least: PostgreSQL's name for it, and SQLite's multi-argument max/min."""

    inherit_cache = True
    sqlite_name: str


@compiles(_extreme)
def _extreme_default(element, compiler, **kw):
    return f"{element.name}({compiler.process(element.clauses, **kw)})"


@compiles(_extreme, "sqlite")
def _extreme_sqlite(element, compiler, **kw):
    return f"{element.sqlite_name}({compiler.process(element.clauses, **kw)})"


class greatest(_extreme):  # noqa: N801 - reads like the SQL function
    """The largest of several values (NULLs ignored when wrapped in coalesce by the caller)."""

    inherit_cache = True
    name = "greatest"
    sqlite_name = "max"


class least(_extreme):  # noqa: N801
    """The smallest of several values."""

    inherit_cache = True
    name = "least"
    sqlite_name = "min"


class minutes_between(FunctionElement):  # noqa: N801
    """Minutes from the first timestamp to the second, as a float (NULL if either is NULL)."""

    inherit_cache = True
    type = Float()
    name = "minutes_between"


@compiles(minutes_between)
def _minutes_default(element, compiler, **kw):
    a, b = list(element.clauses)
    return (
        f"(extract(epoch from ({compiler.process(b, **kw)} - {compiler.process(a, **kw)})) / 60.0)"
    )


@compiles(minutes_between, "sqlite")
def _minutes_sqlite(element, compiler, **kw):
    a, b = list(element.clauses)
    return (
        f"((julianday({compiler.process(b, **kw)}) - julianday({compiler.process(a, **kw)}))"
        " * 1440.0)"
    )


def latest(first: ColumnElement, *others: ColumnElement) -> ColumnElement:
    """The latest of `first` (NOT NULL) and `others` (nullable: a NULL never wins)."""
    return greatest(first, *[func.coalesce(o, first) for o in others])


class IsoText(String):
    """Text the database makes from a timestamp: never user input, never a formula."""

    cache_ok = True


class iso_text(FunctionElement):  # noqa: N801
    """A UTC timestamp column as ISO 8601 text with Z ('2026-11-25T14:00:00Z'), in SQL, so
    exports format millions of timestamps without a Python call per cell."""

    inherit_cache = True
    type = IsoText()
    name = "iso_text"


@compiles(iso_text)
def _iso_default(element, compiler, **kw):
    (value,) = list(element.clauses)
    return (
        f"to_char(({compiler.process(value, **kw)}) AT TIME ZONE 'UTC', "
        '\'YYYY-MM-DD"T"HH24:MI:SS"Z"\')'
    )


@compiles(iso_text, "sqlite")
def _iso_sqlite(element, compiler, **kw):
    (value,) = list(element.clauses)
    return f"strftime('%Y-%m-%dT%H:%M:%SZ', {compiler.process(value, **kw)})"


class first_code(FunctionElement):  # noqa: N801
    """The code point of a text's first character (NULL for NULL or empty text)."""

    inherit_cache = True
    type = Integer()
    name = "first_code"


@compiles(first_code)
def _first_code_default(element, compiler, **kw):
    (value,) = list(element.clauses)
    return f"ascii({compiler.process(value, **kw)})"


@compiles(first_code, "sqlite")
def _first_code_sqlite(element, compiler, **kw):
    (value,) = list(element.clauses)
    return f"unicode({compiler.process(value, **kw)})"


def model_defaults(model) -> dict[str, Any]:
    """Column defaults of a table model (so a column another area adds keeps its default)."""
    from pydantic_core import PydanticUndefined  # (pydantic only where a model is)

    values = {}
    for name, info in model.model_fields.items():
        if info.default is not PydanticUndefined:
            values[name] = info.default
        elif info.default_factory is not None:
            values[name] = info.default_factory()
    values.pop("id", None)
    return values


LIKE_ESCAPE = "/"  # not a backslash: PostgreSQL and SQLite read it the same way


def like_literal(text: str) -> str:
    """`text` for a LIKE pattern with its `%`, `_` and escape characters taken literally."""
    e = LIKE_ESCAPE
    return text.replace(e, e + e).replace("%", e + "%").replace("_", e + "_")


def containing(text: str, *exprs: Any, prefix: bool = False) -> ColumnElement[bool]:
    """Any of `exprs` contains `text` (starts with it when `prefix`), case-insensitively,
    every character of `text` literal: "50%" finds "50% off", not "500"."""
    pattern = ("" if prefix else "%") + like_literal(text) + "%"
    return or_(*(expr.ilike(pattern, escape=LIKE_ESCAPE) for expr in exprs))
