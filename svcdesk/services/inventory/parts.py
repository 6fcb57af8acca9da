"""The parts catalog: add/update a part, find one, and import a catalog from CSV.

The CSV import follows the intake rules: every bad row is reported as one line naming the
file, row and field; if any row is bad nothing is written; re-importing the same file is a
no-op (idempotent on SKU: an existing SKU is updated, never duplicated)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, select

from svcdesk.errors import BatchRejected, InvalidInput, NotFound
from svcdesk.models.inventory import Part
from svcdesk.services.common.events import record_change
from svcdesk.services.common.money import parse_money
from svcdesk.services.common.quantity import parse_qty
from svcdesk.services.common.sqlexpr import containing
from svcdesk.services.orders.intake_io.columns import MissingColumns
from svcdesk.services.orders.intake_io.reader import read_table  # same CSV rules as intake

COLUMNS = (
    "sku",
    "name",
    "unit",
    "cost",
    "list_price",
    "reorder_point",
    "reorder_qty",
    "preferred_vendor",
    "taxable",
)
REQUIRED = ("sku", "name", "cost", "list_price")
_SKU = re.compile(r"^[A-Z0-9][A-Z0-9._/-]{0,39}$")
_TRUE = {"y", "yes", "true", "1", "t", ""}
_FALSE = {"n", "no", "false", "0", "f"}


def sku_key(text: str) -> str:
    return (text or "").strip().upper()


def parse_sku(text: str) -> str:
    sku = sku_key(text)
    if not _SKU.match(sku):
        raise InvalidInput(
            f"sku: {text!r} is not a SKU (letters, digits, . _ / -; up to 40 characters)"
        )
    return sku


def parse_bool(text: str | None, *, field: str) -> bool:
    value = (text or "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise InvalidInput(f"{field}: {text!r} is not yes or no")


@dataclass
class PartFields:
    sku: str
    name: str
    unit: str = "ea"
    cost_cents: int = 0
    list_price_cents: int = 0
    reorder_point_milli: int = 0
    reorder_qty_milli: int = 0
    preferred_vendor: str | None = None
    taxable: bool = True


def fields_from_row(row: Mapping[str, str | None]) -> PartFields:
    """One row of text (column -> value) to checked part fields; raises InvalidInput."""

    def text(key: str) -> str:
        return (row.get(key) or "").strip()

    sku = parse_sku(text("sku"))
    name = text("name")
    if not name:
        raise InvalidInput("name: required")
    cost = parse_money(text("cost") or "0", field="cost")
    price = parse_money(text("list_price") or "0", field="list_price")
    if cost < 0 or price < 0:
        raise InvalidInput("cost/list_price: must not be negative")
    return PartFields(
        sku=sku,
        name=name,
        unit=text("unit") or "ea",
        cost_cents=cost,
        list_price_cents=price,
        reorder_point_milli=parse_qty(
            text("reorder_point") or "0", field="reorder_point", allow_zero=True
        ),
        reorder_qty_milli=parse_qty(
            text("reorder_qty") or "0", field="reorder_qty", allow_zero=True
        ),
        preferred_vendor=text("preferred_vendor") or None,
        taxable=parse_bool(row.get("taxable"), field="taxable"),
    )


def find_part(session: Session, sku: str) -> Part | None:
    return session.exec(select(Part).where(Part.sku == sku_key(sku))).first()


def get_part(session: Session, ref: str | int) -> Part:
    """By SKU (case-insensitive) or numeric id."""
    part = find_part(session, str(ref))
    if part is None and str(ref).strip().isdigit():
        part = session.get(Part, int(str(ref).strip()))
    if part is None:
        raise NotFound(f"part: unknown SKU {str(ref)!r}")
    return part


def upsert_part(session: Session, f: PartFields) -> tuple[Part, str]:
    """Create or update by SKU. Returns (part, 'created' | 'updated' | 'unchanged')."""
    part = find_part(session, f.sku)
    values = vars(f)
    if part is None:
        part = Part(**values)
        session.add(part)
        session.flush()
        record_change(session, "part", part.sku, "created", after=values)
        return part, "created"
    before = {key: getattr(part, key) for key in values}
    changed = before != values
    if changed:
        for key, value in values.items():
            setattr(part, key, value)
        session.flush()
        record_change(session, "part", part.sku, "edited", before=before, after=values)
    return part, "updated" if changed else "unchanged"


def search_parts(
    session: Session, text: str = "", *, limit: int = 50, include_inactive: bool = False
) -> list[Part]:
    stmt = select(Part).order_by(Part.sku).limit(limit)
    if text.strip():
        stmt = stmt.where(containing(text.strip(), col(Part.sku), col(Part.name)))
    if not include_inactive:
        stmt = stmt.where(col(Part.active) == True)  # noqa: E712
    return list(session.exec(stmt))


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int

    def to_json(self) -> dict:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


def import_csv(session: Session, path: Path | str, content: str | None = None) -> ImportResult:
    """Import a catalog file; all rows or none (BatchRejected lists every bad row)."""
    source = str(path)
    if content is None:
        try:
            content = Path(path).read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise InvalidInput(f"{source}: no such file") from None
        except UnicodeDecodeError:
            raise InvalidInput(f"{source}: not UTF-8 text") from None
    problems: list[str] = []
    parsed: list[PartFields] = []
    seen: dict[str, int] = {}
    try:
        records = read_table(source, content, COLUMNS, REQUIRED)
    except MissingColumns as exc:
        raise InvalidInput(f"{source}: missing column(s) {', '.join(exc.missing)}") from None
    for record in records:
        number = record.number + 1  # row 1 is the header
        if record.problem:
            problems.append(f"{source} row {number}: {record.problem}")
            continue
        try:
            fields = fields_from_row(record.values)
        except InvalidInput as exc:
            problems.append(f"{source} row {number}: {exc.message}")
            continue
        if fields.sku in seen:
            problems.append(
                f"{source} row {number}: sku: {fields.sku} already on row {seen[fields.sku]}"
            )
            continue
        seen[fields.sku] = number
        parsed.append(fields)
    if problems:
        raise BatchRejected(problems + [f"{source}: nothing imported ({len(problems)} bad rows)"])
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for fields in parsed:
        _, what = upsert_part(session, fields)
        counts[what] += 1
    return ImportResult(**counts)
