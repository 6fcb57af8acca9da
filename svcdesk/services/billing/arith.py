"""The money rules of a document (invoice or quote), as pure functions over integers.

For each line, in this order (all amounts integer cents, Decimal arithmetic, half-up):

1. gross    = unit price x quantity                              (`extended_cents`)
2. covered  = coverage_bp of gross (warranty 100 %, agreement discount %)
3. line discount = discount_bp of (gross - covered), or the amount, capped at what is left
4. the invoice discount (a percentage of, or an amount off, the sum of what is left) is
   spread over the lines in proportion to what is left on each (largest remainder), so
   the shares add up exactly to the invoice discount
5. net      = gross - covered - discounts                         (never below 0)
6. tax      = tax_rate_bp of the sum of the TAXABLE nets, rounded once, then spread over
   the taxable lines in proportion to their nets (largest remainder); 0 when exempt
7. total    = net + tax

So the document's subtotal, coverage, discount, tax and total are plain sums of the line
columns: the lines always add up to the total, to the cent."""

from __future__ import annotations

from dataclasses import dataclass

from svcdesk.errors import InvalidInput
from svcdesk.services.common.money import check_bp, parse_percent, percent_of
from svcdesk.services.common.quantity import extended_cents


@dataclass(frozen=True)
class LineIn:
    qty_milli: int
    unit_price_cents: int
    taxable: bool = True
    coverage_bp: int = 0
    discount_bp: int = 0
    discount_amount_cents: int = 0


@dataclass(frozen=True)
class LineOut:
    gross_cents: int
    covered_cents: int
    discount_cents: int
    net_cents: int
    tax_cents: int
    total_cents: int


@dataclass(frozen=True)
class Totals:
    lines: tuple[LineOut, ...]
    subtotal_cents: int
    covered_cents: int
    discount_cents: int
    tax_cents: int
    total_cents: int


def check_line(line: LineIn) -> None:
    if line.qty_milli <= 0:
        raise InvalidInput("qty: must be above 0")
    if line.unit_price_cents < 0:
        raise InvalidInput("price: must not be negative (use a discount for credits)")
    check_bp(line.coverage_bp, "coverage")
    check_bp(line.discount_bp, "discount")
    if line.discount_amount_cents < 0:
        raise InvalidInput("discount: must not be negative")
    if line.discount_bp and line.discount_amount_cents:
        raise InvalidInput("discount: give a percentage or an amount, not both")


def allocate(amount: int, weights: list[int]) -> list[int]:
    """Split `amount` cents over `weights` in proportion, shares summing exactly to `amount`
    (largest remainder; ties go to the earlier line). All weights 0 -> all shares 0."""
    total = sum(weights)
    if total <= 0 or amount == 0:
        return [0] * len(weights)
    shares = [amount * w // total for w in weights]
    remainders = [(amount * w % total, -i) for i, w in enumerate(weights)]
    left = amount - sum(shares)
    for _, neg_i in sorted(remainders, reverse=True)[:left]:
        shares[-neg_i] += 1
    return shares


def compute(
    lines: list[LineIn],
    *,
    tax_rate_bp: int = 0,
    tax_exempt: bool = False,
    discount_bp: int = 0,
    discount_amount_cents: int = 0,
) -> Totals:
    """Every line's amounts and the document totals (see the module docstring)."""
    check_bp(discount_bp, "invoice discount")
    if discount_amount_cents < 0:
        raise InvalidInput("invoice discount: must not be negative")
    if discount_bp and discount_amount_cents:
        raise InvalidInput("invoice discount: give a percentage or an amount, not both")
    if not 0 <= tax_rate_bp <= 5000:
        raise InvalidInput(f"tax rate: {tax_rate_bp / 100:g} % is not between 0 and 50 %")
    gross, covered, line_disc, left = [], [], [], []
    for line in lines:
        check_line(line)
        g = extended_cents(line.unit_price_cents, line.qty_milli)
        c = percent_of(g, line.coverage_bp)
        rest = g - c
        d = percent_of(rest, line.discount_bp) if line.discount_bp else line.discount_amount_cents
        d = min(d, rest)
        gross.append(g)
        covered.append(c)
        line_disc.append(d)
        left.append(rest - d)
    base = sum(left)
    doc_disc = percent_of(base, discount_bp) if discount_bp else min(discount_amount_cents, base)
    shares = allocate(doc_disc, left)
    nets = [lft - s for lft, s in zip(left, shares, strict=True)]
    taxable = [n if line.taxable else 0 for n, line in zip(nets, lines, strict=True)]
    tax_total = 0 if tax_exempt else percent_of(sum(taxable), tax_rate_bp)
    taxes = allocate(tax_total, taxable)
    out = tuple(
        LineOut(
            gross_cents=g,
            covered_cents=c,
            discount_cents=d + s,
            net_cents=n,
            tax_cents=t,
            total_cents=n + t,
        )
        for g, c, d, s, n, t in zip(gross, covered, line_disc, shares, nets, taxes, strict=True)
    )
    return Totals(
        lines=out,
        subtotal_cents=sum(gross),
        covered_cents=sum(covered),
        discount_cents=sum(o.discount_cents for o in out),
        tax_cents=sum(taxes),
        total_cents=sum(o.total_cents for o in out),
    )


def parse_discount(text: str) -> tuple[int, int]:
    """'10%' -> (1000 bp, 0); '25.00' -> (0, 2500 cents); '0' -> (0, 0)."""
    from svcdesk.services.common.money import parse_money

    raw = str(text).strip()
    if raw.endswith("%"):
        return parse_percent(raw, field="discount"), 0
    cents = parse_money(raw, field="discount")
    if cents < 0:
        raise InvalidInput(f"discount: {text!r} is negative")
    return 0, cents
