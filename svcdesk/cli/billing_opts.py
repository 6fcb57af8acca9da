"""Options shared by the billing command groups (quotes, invoices): one line from flags."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlmodel import Session

from svcdesk.errors import InvalidInput
from svcdesk.models.billing import LineKind
from svcdesk.services.billing import quotes
from svcdesk.services.billing.arith import parse_discount
from svcdesk.services.billing.invoices import LineDraft
from svcdesk.services.common.money import parse_money
from svcdesk.services.common.quantity import parse_qty

ItemOpt = Annotated[
    str | None, typer.Option("--item", help="Price book code (task or fee); price copied now.")
]
DescOpt = Annotated[str | None, typer.Option("--desc", help="Free-form line: description.")]
PriceOpt = Annotated[str | None, typer.Option("--price", help="Free-form line: unit price.")]
QtyOpt = Annotated[str, typer.Option("--qty", help="Quantity (up to 3 decimals).")]
KindOpt = Annotated[
    str, typer.Option("--kind", help="Free-form line kind: task, labor, part, fee, other.")
]
TaxOpt = Annotated[
    bool, typer.Option("--taxable/--no-tax", help="Free-form line: taxable (default yes).")
]
DiscountOpt = Annotated[
    str | None, typer.Option("--discount", help="Discount: '10%' (percentage) or '25.00' (amount).")
]


def line_from_options(
    session: Session,
    item: str | None,
    desc: str | None,
    price: str | None,
    qty: str,
    kind: str,
    taxable: bool,
    discount: str | None = None,
) -> LineDraft:
    qty_milli = parse_qty(qty, field="qty")
    if item and (desc or price):
        raise InvalidInput("line: give --item CODE, or --desc and --price, not both")
    if item:
        draft = quotes.item_draft(session, item, qty_milli)
    elif desc and price is not None:
        if kind not in {k.value for k in LineKind}:
            raise InvalidInput(
                f"kind: {kind!r} is not one of {', '.join(k.value for k in LineKind)}"
            )
        draft = LineDraft(desc, parse_money(price, field="price"), qty_milli, kind, taxable=taxable)
    else:
        raise InvalidInput("line: give --item CODE, or --desc TEXT and --price AMOUNT")
    if discount:
        bp, amount = parse_discount(discount)
        from dataclasses import replace

        draft = replace(draft, discount_bp=bp, discount_amount_cents=amount)
    return draft
