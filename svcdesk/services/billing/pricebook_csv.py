"""Price book import/export as one CSV (keep it in a spreadsheet or in git).

Columns (header names ignore case, spaces, `_` and `-`; see docs/billing.md):
`type` (task | fee | labor | markup), `code`, `name`, `description`, `kind` (labor:
regular | overtime | emergency), `level` (labor: technician level, blank = all), `price`
(task/fee price, or labor per hour), `cost`, `est_minutes`, `skill`, `taxable`, `active`,
`min_cost` and `markup_pct` (markup tiers).

Same rules as intake: every bad row is reported as `FILE row N: column: what was expected`
and then NOTHING is written (one transaction); rows are keyed by `code`, so importing the
same file again changes nothing (rows come back as unchanged). Codes missing from the file
are left as they are (retire a task with `active` = no)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from sqlmodel import Session

from svcdesk.clock import now
from svcdesk.errors import BatchRejected, InvalidInput
from svcdesk.models.billing import LaborRate, MarkupTier, PriceBookItem, RateKind
from svcdesk.services.billing import pricebook
from svcdesk.services.common.events import record_change
from svcdesk.services.common.money import fmt_percent, parse_money
from svcdesk.services.common.spreadsheet import neutralise
from svcdesk.services.orders.intake_io.reader import read_table

COLUMNS = (
    "type",
    "code",
    "name",
    "description",
    "kind",
    "level",
    "price",
    "cost",
    "est_minutes",
    "skill",
    "taxable",
    "active",
    "min_cost",
    "markup_pct",
)
REQUIRED = ("type", "code")
TYPES = ("task", "fee", "labor", "markup")
TYPE_WORDS = {"task": "task", "fee": "fee", "labor": "labor rate", "markup": "markup tier"}
TEXT = ("code", "name", "description")  # cells a spreadsheet must not run as formulas
_YES = {"y", "yes", "true", "1", "x"}
_NO = {"n", "no", "false", "0", ""}


@dataclass
class ImportResult:
    rows: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> str:
        verb = "would import" if self.dry_run else "imported"
        return (
            f"{verb} {self.rows} rows: {len(self.created)} created, "
            f"{len(self.updated)} updated, {len(self.unchanged)} unchanged"
        )

    def to_json(self) -> dict:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "dry_run": self.dry_run,
        }


class _Row:
    """Typed access to one row's text values; problems are collected, not raised."""

    def __init__(self, values: Mapping[str, str | None]):
        self.values = values
        self.problems: list[str] = []

    def text(self, column: str) -> str | None:
        raw = (self.values.get(column) or "").strip()
        if raw[:1] == "'" and raw[1:2] in ("=", "+", "-", "@"):
            raw = raw[1:]  # undo the export's formula guard
        return raw or None

    def convert(self, column: str, fn: Callable[[str], object], *, required=False):
        raw = self.text(column)
        if raw is None:
            if required:
                self.problems.append(f"{column}: required")
            return None
        try:
            return fn(raw)
        except InvalidInput as exc:
            message = exc.message.partition(": ")[2] or exc.message
            self.problems.append(f"{column}: {message}")
            return None

    def money(self, column: str, *, required=False) -> int | None:
        def parse(raw: str) -> int:
            cents = parse_money(raw, field=column)
            if cents < 0:
                raise InvalidInput(f"{column}: {raw!r} is negative; expected 0 or more")
            return cents

        return self.convert(column, parse, required=required)

    def flag(self, column: str, default: bool) -> bool:
        raw = (self.text(column) or "").lower()
        if not raw:
            return default
        if raw in _YES:
            return True
        if raw in _NO:
            return False
        self.problems.append(f"{column}: {raw!r} is not yes or no")
        return default


def _minutes(raw: str) -> int:
    if not raw.isdigit() or not 1 <= int(raw) <= 24 * 60:
        raise InvalidInput(f"est_minutes: {raw!r} is not a whole number of minutes (1-1440)")
    return int(raw)


def _rate_kind(raw: str) -> str:
    try:
        return RateKind(raw.lower()).value
    except ValueError:
        names = ", ".join(k.value for k in RateKind)
        raise InvalidInput(f"kind: {raw!r} is not one of {names}") from None


def _parse_row(row: _Row) -> tuple[str, str, dict] | None:
    """(type, code, fields) or None when the row has problems (they are on `row`)."""
    kind = (row.text("type") or "").lower()
    code = (row.text("code") or "").upper()
    if kind not in TYPES:
        row.problems.append(f"type: {row.text('type')!r} is not one of {', '.join(TYPES)}")
    if not code:
        row.problems.append("code: required")
    name = row.text("name")
    fields: dict = {}
    if kind in ("task", "fee"):
        if not name:
            row.problems.append("name: required")
        fields = {
            "kind": kind,
            "name": name,
            "description": row.text("description"),
            "price_cents": row.money("price", required=True),
            "cost_cents": row.money("cost") or 0,
            "est_minutes": row.convert("est_minutes", _minutes),
            "skill": (row.text("skill") or "").lower() or None,
            "taxable": row.flag("taxable", True),
            "active": row.flag("active", True),
        }
    elif kind == "labor":
        fields = {
            "kind": row.convert("kind", _rate_kind, required=True),
            "level": (row.text("level") or "").lower() or None,
            "name": name or code,
            "rate_cents": row.money("price", required=True),
            "taxable": row.flag("taxable", False),
        }
    elif kind == "markup":
        fields = {
            "min_cost_cents": row.money("min_cost", required=True),
            "markup_bp": row.convert("markup_pct", lambda v: _markup_bp(v), required=True),
        }
    if row.problems:
        return None
    return kind, code, fields


def _markup_bp(raw: str) -> int:
    value = raw.strip().rstrip("%")
    try:
        number = Decimal(value)
    except ArithmeticError:
        raise InvalidInput(f"markup_pct: {raw!r} is not a percentage like 35") from None
    if not number.is_finite() or number < 0 or number > 1000:
        raise InvalidInput(f"markup_pct: {raw!r} is not a percentage between 0 and 1000")
    if number != number.quantize(Decimal("0.01")):
        raise InvalidInput(f"markup_pct: {raw!r} has more than 2 decimals")
    return int(number * 100)


def import_pricebook(
    session: Session, source: str, text: str, *, dry_run: bool = False
) -> ImportResult:
    """Validate every row, then apply them all (or raise BatchRejected and write nothing)."""
    parsed: list[tuple[int, str, str, dict]] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    labor_keys: dict[tuple, int] = {}
    for record in read_table(source, text, COLUMNS, REQUIRED):  # header problems raise
        line_no = record.number + 1  # row 1 is the header
        if record.problem:
            errors.append(f"{source} row {line_no}: {record.problem}")
            continue
        row = _Row(record.values)
        result = _parse_row(row)
        code = (row.text("code") or "").upper()
        if code and code in seen:
            row.problems.append(f"code: {code} already on row {seen[code]}")
        if result and result[0] == "labor":
            key = (result[2]["kind"], result[2]["level"])
            if key in labor_keys:
                row.problems.append(
                    f"kind: {key[0]} rate for level {key[1] or 'all'} already on row {labor_keys[key]}"
                )
            labor_keys[key] = line_no
        if code:
            seen.setdefault(code, line_no)
        if row.problems:
            errors.extend(f"{source} row {line_no}: {p}" for p in row.problems)
        elif result:
            parsed.append((line_no, *result))
    if errors:
        raise BatchRejected(errors)
    outcome = ImportResult(rows=len(parsed), dry_run=dry_run)
    with session.no_autoflush:
        for line_no, kind, code, fields in parsed:
            try:
                status = _apply(session, kind, code, fields)
            except InvalidInput as exc:
                errors.append(f"{source} row {line_no}: {exc.message}")
                continue
            getattr(outcome, status).append(code)
    if errors:
        raise BatchRejected(errors)
    session.flush()
    if dry_run:
        session.rollback()
    return outcome


def save_entry(session: Session, code: str, changes: Mapping[str, str | None]) -> str:
    """Create or edit one row from typed values (`pricebook set`, the console's price book
    dialog) by the same rules as a CSV row: a new code needs what a new row needs, an
    existing one changes only the values given. Returns created, updated or unchanged."""
    key = (code or "").strip().upper()
    current = next((r for r in export_rows(session) if r["code"] == key), None)
    given = {k: v for k, v in changes.items() if v is not None}
    unknown = sorted(set(given) - set(COLUMNS))
    if unknown:
        raise InvalidInput(f"{unknown[0]}: not a price book column ({', '.join(COLUMNS)})")
    wanted = (given.get("type") or "").strip().lower()
    if current is not None and wanted and wanted != current["type"]:
        raise InvalidInput(
            f"type: {key} is a {TYPE_WORDS.get(current['type'], current['type'])}; "
            f"give another code for a {TYPE_WORDS.get(wanted, wanted)}"
        )
    if current is None and not wanted:
        raise InvalidInput(f"type: {key or 'the code'} is new; say task, fee, labor or markup")
    row = _Row({**(current or {}), **given, "code": key})
    parsed = _parse_row(row)
    if parsed is None:
        raise InvalidInput("; ".join(row.problems))
    kind, key, fields = parsed
    with session.no_autoflush:
        status = _apply(session, kind, key, fields)
    session.flush()
    return status


def _apply(session: Session, kind: str, code: str, fields: dict) -> str:
    model = {"task": PriceBookItem, "fee": PriceBookItem, "labor": LaborRate}.get(kind, MarkupTier)
    existing = _find(session, code)
    if existing is not None and not isinstance(existing, model):
        raise InvalidInput(f"code: {code} is already a {_type_of(existing)}, not a {kind}")
    if existing is None:
        _check_unique(session, model, code, fields)
        session.add(model(code=code, updated_at=now(), **fields))
        record_change(session, "price_book", code, "created", after=_plain(fields))
        return "created"
    if all(getattr(existing, k) == v for k, v in fields.items()):
        return "unchanged"
    _check_unique(session, model, code, fields)
    before = _plain({k: getattr(existing, k) for k in fields})
    for k, v in fields.items():
        setattr(existing, k, v)
    existing.updated_at = now()
    record_change(session, "price_book", code, "edited", before=before, after=_plain(fields))
    return "updated"


def _plain(fields: dict) -> dict:
    """A row's values as the audit stores them (enums as their words)."""
    return {k: getattr(v, "value", v) for k, v in fields.items()}


def _find(session: Session, code: str):
    from sqlmodel import select

    for model in (PriceBookItem, LaborRate, MarkupTier):
        found = session.exec(select(model).where(model.code == code)).first()
        if found is not None:
            return found
    return None


def _check_unique(session: Session, model, code: str, fields: dict) -> None:
    from sqlmodel import select

    other: LaborRate | MarkupTier | None
    if model is LaborRate:
        other = session.exec(
            select(LaborRate).where(
                LaborRate.kind == fields["kind"],
                LaborRate.level == fields["level"]
                if fields["level"]
                else LaborRate.level.is_(None),  # type: ignore[union-attr]
                LaborRate.code != code,
            )
        ).first()
        if other:
            raise InvalidInput(
                f"kind: the {fields['kind']} rate for level {fields['level'] or 'all'} "
                f"is already {other.code}"
            )
    if model is MarkupTier:
        other = session.exec(
            select(MarkupTier).where(
                MarkupTier.min_cost_cents == fields["min_cost_cents"], MarkupTier.code != code
            )
        ).first()
        if other:
            raise InvalidInput(f"min_cost: tier {other.code} already starts at that cost")


def _type_of(obj) -> str:
    if isinstance(obj, PriceBookItem):
        return obj.kind
    return "labor rate" if isinstance(obj, LaborRate) else "markup tier"


def _cents(value: int | None) -> str:
    return "" if value is None else f"{Decimal(value) / 100:.2f}"


def export_rows(session: Session) -> Iterable[dict[str, str]]:
    """The whole price book in import order and shape (export -> import is a no-op)."""
    yes = {True: "yes", False: "no"}
    for item in pricebook.list_items(session):
        yield {
            "type": item.kind,
            "code": item.code,
            "name": item.name,
            "description": item.description or "",
            "price": _cents(item.price_cents),
            "cost": _cents(item.cost_cents),
            "est_minutes": str(item.est_minutes or ""),
            "skill": item.skill or "",
            "taxable": yes[item.taxable],
            "active": yes[item.active],
        }
    for rate in pricebook.labor_rates(session):
        yield {
            "type": "labor",
            "code": rate.code,
            "name": rate.name,
            "kind": rate.kind,
            "level": rate.level or "",
            "price": _cents(rate.rate_cents),
            "taxable": yes[rate.taxable],
        }
    for tier in pricebook.markup_tiers(session):
        yield {
            "type": "markup",
            "code": tier.code,
            "min_cost": _cents(tier.min_cost_cents),
            "markup_pct": fmt_percent(tier.markup_bp).rstrip("%"),
        }


def export_csv(session: Session) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in export_rows(session):
        writer.writerow({k: neutralise(v) if k in TEXT else v for k, v in row.items()})
    return out.getvalue()
