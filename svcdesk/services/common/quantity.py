"""Part quantities are integer thousandths of the part's unit (`*_milli` columns).

1 ea = 1000, 2.5 lb = 2500. Parsing refuses negatives, non-numbers and more than three
decimals; arithmetic is Decimal, amounts round half-up to whole cents."""

from __future__ import annotations

from decimal import Decimal

from svcdesk.errors import InvalidInput
from svcdesk.services.common.money import finite_decimal, round_cents

MILLI = 1000
MAX_UNITS = 10**9  # far above any real stock; keeps arithmetic and columns sane
_THOUSANDTH = Decimal("0.001")


def parse_qty(text: str | int | Decimal, *, field: str = "qty", allow_zero: bool = False) -> int:
    """'2.5' -> 2500. Refuses non-numbers, negatives, zero (unless allowed), >3 decimals."""
    raw = str(text).strip().replace(",", "")
    value = finite_decimal(raw, f"{field}: {text!r} is not a number; expected e.g. 2 or 1.5")
    if abs(value) > MAX_UNITS:
        raise InvalidInput(f"{field}: {text!r} is more than {MAX_UNITS:,} units")
    if value < 0:
        raise InvalidInput(f"{field}: {text!r} is negative; expected a quantity above 0")
    if value == 0 and not allow_zero:
        raise InvalidInput(f"{field}: {text!r} is zero; expected a quantity above 0")
    if value != value.quantize(_THOUSANDTH):
        raise InvalidInput(f"{field}: {text!r} has more than 3 decimals")
    return int(value * MILLI)


def to_decimal(qty_milli: int) -> Decimal:
    """2500 -> Decimal('2.5')."""
    return (Decimal(qty_milli) / MILLI).normalize() if qty_milli else Decimal(0)


def fmt_qty(qty_milli: int) -> str:
    """2500 -> '2.5', 3000 -> '3', -1500 -> '-1.5'."""
    value = to_decimal(qty_milli)
    text = f"{value:f}"
    return text


def extended_cents(unit_cents: int, qty_milli: int) -> int:
    """Unit amount x quantity, half-up to whole cents (a line's amount or cost)."""
    return round_cents(Decimal(unit_cents) * Decimal(qty_milli) / MILLI)
