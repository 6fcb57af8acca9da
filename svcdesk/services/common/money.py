"""Money is integer cents. Arithmetic in Decimal, half-up rounding, never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from svcdesk.errors import InvalidInput

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal(10) ** 12  # a trillion dollars: beyond any real invoice, fits 64-bit cents


def parse_money(text: str | int | Decimal, *, field: str = "amount") -> int:
    """'$1,234.5' -> 123450 cents. Refuses more than 2 decimals and non-numbers."""
    if isinstance(text, int):
        return text * 100
    raw = str(text).strip().replace("$", "").replace(",", "")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise InvalidInput(f"{field}: {text!r} is not an amount like 125.00") from None
    if not value.is_finite():
        raise InvalidInput(f"{field}: {text!r} is not an amount like 125.00")
    if abs(value) >= MAX_AMOUNT:
        raise InvalidInput(f"{field}: {text!r} is too large (at most {MAX_AMOUNT - 1:,} dollars)")
    if value != value.quantize(CENT, rounding=ROUND_HALF_UP):
        raise InvalidInput(f"{field}: {text!r} has more than 2 decimals")
    return int((value * 100).to_integral_value())


def round_cents(value: Decimal) -> int:
    """A Decimal amount of cents (maybe fractional) -> int cents, half-up."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def percent_of(cents: int, rate_bp: int) -> int:
    """`rate_bp` basis points (825 = 8.25 %) of `cents`, half-up."""
    return round_cents(Decimal(cents) * Decimal(rate_bp) / Decimal(10000))


def fmt_money(cents: int | None) -> str:
    if cents is None:
        return ""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}${cents // 100:,}.{cents % 100:02d}"
