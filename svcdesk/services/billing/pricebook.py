"""The price book: flat-rate tasks and fees, hourly labor rates, part markup tiers.

Prices are read here when a line is CREATED and copied onto it; changing a price later never
changes a quote or invoice that already exists."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session, col, select

from svcdesk.errors import InvalidInput, NotFound
from svcdesk.models.billing import (
    ItemKind,
    LaborRate,
    LineKind,
    MarkupTier,
    PriceBookItem,
    RateKind,
)
from svcdesk.services.common.money import round_cents
from svcdesk.services.common.sqlexpr import containing


def norm_code(code: str) -> str:
    text = (code or "").strip().upper()
    if not text:
        raise InvalidInput("code: required, e.g. TUNEUP-AC")
    return text


def get_item(session: Session, code: str) -> PriceBookItem:
    key = norm_code(code)
    item = session.exec(select(PriceBookItem).where(PriceBookItem.code == key)).first()
    if item is None:
        raise NotFound(f"price book: no task or fee with code {key!r}")
    return item


def find_item(session: Session, code: str) -> PriceBookItem | None:
    return session.exec(select(PriceBookItem).where(PriceBookItem.code == norm_code(code))).first()


def list_items(
    session: Session, *, kind: str | None = None, text: str | None = None, active_only=False
) -> list[PriceBookItem]:
    stmt = select(PriceBookItem).order_by(PriceBookItem.kind, PriceBookItem.code)
    if kind:
        stmt = stmt.where(PriceBookItem.kind == kind)
    if active_only:
        stmt = stmt.where(PriceBookItem.active)
    if text:
        stmt = stmt.where(
            containing(text.strip(), col(PriceBookItem.code), col(PriceBookItem.name))
        )
    return list(session.exec(stmt))


def labor_rates(session: Session) -> list[LaborRate]:
    return list(session.exec(select(LaborRate).order_by(col(LaborRate.kind), col(LaborRate.level))))


def markup_tiers(session: Session) -> list[MarkupTier]:
    return list(session.exec(select(MarkupTier).order_by(col(MarkupTier.min_cost_cents))))


def labor_rate(session: Session, kind: RateKind | str, level: str | None = None) -> LaborRate:
    """The hourly rate for `kind` at a technician `level`: the level's own row if there is
    one, else the shop-wide row; a missing overtime/emergency rate falls back to regular."""
    rates = {(r.kind, r.level): r for r in labor_rates(session)}
    return pick_rate(rates, RateKind(kind), level)


def pick_rate(
    rates: dict[tuple[str, str | None], LaborRate], kind: RateKind, level: str | None
) -> LaborRate:
    for k in (kind, RateKind.REGULAR):
        found = rates.get((k.value, level)) or rates.get((k.value, None))
        if found:
            return found
    raise InvalidInput(
        "price book: no regular labor rate; add the shop's hourly rate and retry: "
        "svcdesk pricebook set LABOR --type labor --kind regular --price 95.00"
    )


def markup_bp_for(tiers: list[MarkupTier], cost_cents: int) -> int:
    """The markup of the tier with the highest floor not above the cost (0 when none)."""
    markup = 0
    for tier in tiers:
        if tier.min_cost_cents <= cost_cents:
            markup = tier.markup_bp
    return markup


def part_price_cents(
    list_price_cents: int, cost_cents: int, tiers: list[MarkupTier]
) -> tuple[int, str]:
    """What a part sells for, and why: its list price if it has one, else cost + markup."""
    if list_price_cents > 0:
        return list_price_cents, "list price"
    bp = markup_bp_for(tiers, cost_cents)
    price = round_cents(Decimal(cost_cents) * (10000 + bp) / Decimal(10000))
    return price, f"cost + {Decimal(bp) / 100:g}% markup"


def item_line_kind(item: PriceBookItem) -> LineKind:
    return LineKind.FEE if item.kind == ItemKind.FEE.value else LineKind.TASK
