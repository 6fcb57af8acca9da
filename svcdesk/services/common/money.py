"""Money is integer cents. Arithmetic in Decimal, half-up rounding, never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from svcdesk.errors import InvalidInput

FULL_BP = 10_000  # 100 % in basis points

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal(10) ** 12  # a trillion dollars: beyond any real invoice, fits 64-bit cents


def finite_decimal(raw: str, error: str) -> Decimal:
    """`raw` as a finite Decimal; anything else (text, NaN, Infinity) is `InvalidInput(error)`."""
    try:
        value = Decimal(raw)
    except ArithmeticError:
        raise InvalidInput(error) from None
    if not value.is_finite():
        raise InvalidInput(error)
    return value


def parse_money(text: str | int | Decimal, *, field: str = "amount") -> int:
    """'$1,234.5' -> 123450 cents. Refuses more than 2 decimals and non-numbers."""
    if isinstance(text, int):
        return text * 100
    raw = str(text).strip().replace("$", "").replace(",", "")
    value = finite_decimal(raw, f"{field}: {text!r} is not an amount like 125.00")
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


def check_bp(value: int, field: str) -> None:
    if not 0 <= value <= FULL_BP:
        raise InvalidInput(f"{field}: {value / 100:g} % is not between 0 and 100 %")


def parse_percent(text: str, *, field: str = "discount") -> int:
    """'10' or '10%' or '7.25 %' -> basis points (1000, 725)."""
    raw = str(text).strip().rstrip("%").strip()
    value = finite_decimal(raw, f"{field}: {text!r} is not a percentage like 10 or 7.5%")
    if not 0 <= value <= 100:  # (before quantize: 1e308 has no 0.01 form)
        raise InvalidInput(f"{field}: {text!r} is not between 0 and 100 %")
    if value != value.quantize(Decimal("0.01")):
        raise InvalidInput(f"{field}: {text!r} is not a percentage like 10 or 7.5%")
    return int(value * 100)


def fmt_percent(bp: int) -> str:
    text = f"{Decimal(bp) / 100:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text + "%"
