"""Money properties: lines always add up, rounding is half-up and stable, no floats."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from svcdesk.errors import InvalidInput
from svcdesk.services.billing import arith
from svcdesk.services.common import money

line = st.builds(
    arith.LineIn,
    qty_milli=st.integers(1, 1_000_000),
    unit_price_cents=st.integers(0, 5_000_000),
    taxable=st.booleans(),
    coverage_bp=st.sampled_from([0, 0, 1000, 1500, 10000]) | st.integers(0, 10000),
    discount_bp=st.integers(0, 10000),
)
amount_line = st.builds(
    arith.LineIn,
    qty_milli=st.integers(1, 100_000),
    unit_price_cents=st.integers(0, 500_000),
    taxable=st.booleans(),
    discount_amount_cents=st.integers(0, 100_000),
)
doc = st.fixed_dictionaries(
    {
        "tax_rate_bp": st.integers(0, 5000),
        "tax_exempt": st.booleans(),
        "discount": st.one_of(
            st.tuples(st.just("bp"), st.integers(0, 10000)),
            st.tuples(st.just("amount"), st.integers(0, 1_000_000)),
        ),
    }
)


def _compute(lines, d):
    kind, value = d["discount"]
    return arith.compute(
        lines,
        tax_rate_bp=d["tax_rate_bp"],
        tax_exempt=d["tax_exempt"],
        discount_bp=value if kind == "bp" else 0,
        discount_amount_cents=value if kind == "amount" else 0,
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(line | amount_line, max_size=12), doc)
def test_lines_sum_to_totals(lines, d):
    t = _compute(lines, d)
    assert t.total_cents == sum(o.total_cents for o in t.lines)
    assert t.tax_cents == sum(o.tax_cents for o in t.lines)
    assert t.total_cents == t.subtotal_cents - t.covered_cents - t.discount_cents + t.tax_cents
    for o in t.lines:
        assert o.net_cents >= 0 and o.tax_cents >= 0
        assert o.gross_cents == o.covered_cents + o.discount_cents + o.net_cents
        assert all(isinstance(v, int) for v in vars(o).values())


@settings(max_examples=200, deadline=None)
@given(st.lists(line, min_size=1, max_size=8), doc)
def test_tax_is_rounded_once_half_up_on_taxable_lines(lines, d):
    t = _compute(lines, d)
    taxable = sum(o.net_cents for o, ln in zip(t.lines, lines, strict=True) if ln.taxable)
    expected = (
        0
        if d["tax_exempt"]
        else int((Decimal(taxable) * d["tax_rate_bp"] / 10000).quantize(Decimal(1), ROUND_HALF_UP))
    )
    assert t.tax_cents == expected
    for o, ln in zip(t.lines, lines, strict=True):
        if not ln.taxable:
            assert o.tax_cents == 0


@settings(max_examples=200, deadline=None)
@given(st.integers(-(10**9), 10**9), st.lists(st.integers(0, 10**7), max_size=20))
def test_allocate_is_exact(amount, weights):
    shares = arith.allocate(amount, weights)
    assert len(shares) == len(weights)
    if sum(weights) > 0:
        assert sum(shares) == amount
    else:
        assert shares == [0] * len(weights)


@settings(max_examples=100, deadline=None)
@given(st.lists(line, max_size=6), doc)
def test_stable(lines, d):
    assert _compute(lines, d) == _compute(list(lines), d)


@pytest.mark.parametrize(
    ("qty", "price", "bp", "gross", "disc"),
    [
        (1000, 1005, 5000, 1005, 503),  # 502.5 -> 503 (half up)
        (333, 100, 0, 33, 0),  # 33.3 -> 33
        (1500, 333, 0, 500, 0),  # 499.5 -> 500
        (2500, 5250, 1500, 13125, 1969),  # 1968.75 -> 1969
    ],
)
def test_half_up_examples(qty, price, bp, gross, disc):
    t = arith.compute([arith.LineIn(qty, price, False, discount_bp=bp)])
    assert t.lines[0].gross_cents == gross and t.lines[0].discount_cents == disc


def test_invoice_discount_spread_exactly():
    t = arith.compute(
        [arith.LineIn(1000, 100), arith.LineIn(1000, 100), arith.LineIn(1000, 100)],
        discount_amount_cents=100,
        tax_rate_bp=1000,
    )
    assert [o.discount_cents for o in t.lines] == [34, 33, 33]
    assert t.total_cents == 220


def test_refusals():
    with pytest.raises(InvalidInput, match="not both"):
        arith.compute([arith.LineIn(1000, 1, discount_bp=1, discount_amount_cents=1)])
    with pytest.raises(InvalidInput, match="above 0"):
        arith.compute([arith.LineIn(0, 100)])
    with pytest.raises(InvalidInput, match="between 0 and 100"):
        money.parse_percent("120")
    assert money.parse_percent("7.25%") == 725
    assert money.fmt_percent(725) == "7.25%"
    assert money.fmt_percent(10000) == "100%" and money.fmt_percent(1050) == "10.5%"
