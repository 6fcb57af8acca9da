"""Invoice a completed order in one action.

The lines, in this order:
1. the chosen option of the order's APPROVED quote(s) - a flat-rate job: when there is one,
   its lines replace labor and parts (they are what the customer agreed to pay);
2. otherwise labor from the order's APPROVED `work` time entries at the right rate
   (see `labor`), and every part used (the price captured when it was used, or cost +
   markup when the part had no list price);
3. the trip charge (price book code in `billing.trip_fee_code`, default TRIP) once per
   visit the technicians arrived at.
Coverage (warranty, agreement) is applied line by line (see `coverage`). The order moves to
`invoiced`; an order already on a live (not void) invoice is refused."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from svcdesk.clock import now
from svcdesk.errors import InvalidInput, InvalidTransition
from svcdesk.models import Asset, OrderStatus, Priority, Shift, Technician, Visit, WorkOrder
from svcdesk.models.billing import (
    Invoice,
    InvoiceStatus,
    LineKind,
    MarkupTier,
    PriceBookItem,
    Quote,
    QuoteLine,
    QuoteStatus,
)
from svcdesk.models.execution import TimeEntry, TimeKind
from svcdesk.models.inventory import Part, PartUsage
from svcdesk.services import lifecycle
from svcdesk.services.billing import coverage, labor, pricebook
from svcdesk.services.billing.invoices import LineDraft, create_invoice
from svcdesk.services.settings import get_setting, shop_zone
from svcdesk.services.timefmt import fmt


@dataclass
class PricingContext:
    """What building many invoices shares: rates, markup tiers, the trip fee, shifts."""

    session: Session
    rates: dict = field(default_factory=dict)
    tiers: list[MarkupTier] = field(default_factory=list)
    trip: PriceBookItem | None = None
    increment: int = 15
    shifts: dict[int, list[tuple[int, int, int]]] = field(default_factory=dict)
    techs: dict[int, Technician] = field(default_factory=dict)
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    quoted: set[int] = field(default_factory=set)  # orders with an approved quote

    @classmethod
    def load(cls, session: Session) -> PricingContext:
        ctx = cls(session)
        ctx.rates = {(r.kind, r.level): r for r in pricebook.labor_rates(session)}
        ctx.tiers = pricebook.markup_tiers(session)
        trip_code = get_setting(session, "billing.trip_fee_code") or "TRIP"
        trip = pricebook.find_item(session, trip_code)
        ctx.trip = trip if trip is not None and trip.active else None
        ctx.increment = labor.parse_increment(
            get_setting(session, "billing.labor_increment_minutes")
        )
        ctx.zone = shop_zone(session)
        ctx.quoted = set(
            session.execute(
                select(Quote.order_id).where(
                    Quote.status == QuoteStatus.APPROVED.value, col(Quote.order_id).is_not(None)
                )
            ).scalars()
        )
        return ctx

    def tech(self, tech_id: int) -> Technician:
        if tech_id not in self.techs:
            self.techs[tech_id] = self.session.get(Technician, tech_id)
            self.shifts[tech_id] = [
                (s.weekday, s.start_minute, s.end_minute)
                for s in self.session.exec(select(Shift).where(Shift.technician_id == tech_id))
            ]
        return self.techs[tech_id]


def live_invoice(session: Session, order: WorkOrder) -> Invoice | None:
    return session.exec(
        select(Invoice).where(
            Invoice.order_id == order.id, Invoice.status != InvoiceStatus.VOID.value
        )
    ).first()


def check_invoiceable(session: Session, order: WorkOrder) -> None:
    existing = live_invoice(session, order)
    if existing is not None:
        raise InvalidTransition(
            f"{order.number} is already invoiced on {existing.number} ({existing.status}); "
            "void that invoice to invoice the order again"
        )
    if order.status not in (OrderStatus.COMPLETED.value, OrderStatus.INVOICED.value):
        raise InvalidTransition(
            f"{order.number} is {order.status}; only completed orders can be invoiced"
        )


def service_day(order: WorkOrder, ctx: PricingContext) -> date:
    return (order.completed_at or now()).astimezone(ctx.zone).date()


def build_lines(
    session: Session,
    order: WorkOrder,
    ctx: PricingContext,
    terms: coverage.AgreementTerms | None = None,
) -> list[LineDraft]:
    day = service_day(order, ctx)
    if terms is None:
        terms = coverage.agreement_for(session, order, day)
    asset = session.get(Asset, order.asset_id) if order.asset_id else None
    warranty = coverage.warranty_for(asset, day)
    lines = quote_lines(session, order) if order.id in ctx.quoted else []
    if not lines:
        lines = labor_lines(session, order, ctx, coverage.labor_cover(terms))
        lines += part_lines(session, order, ctx, terms, warranty)
    lines += trip_lines(session, order, ctx, coverage.trip_cover(terms))
    return lines


def _with_cover(draft: LineDraft, cover: coverage.Cover | None) -> LineDraft:
    if cover is None:
        return draft
    from dataclasses import replace

    return replace(draft, coverage=cover.kind, coverage_bp=cover.bp, coverage_note=cover.note)


def quote_lines(session: Session, order: WorkOrder) -> list[LineDraft]:
    rows = session.execute(
        select(Quote.number, QuoteLine)
        .join(QuoteLine, QuoteLine.option_id == Quote.chosen_option_id)
        .where(Quote.order_id == order.id, Quote.status == QuoteStatus.APPROVED.value)
        .order_by(Quote.id, QuoteLine.position)
    ).all()
    return [
        LineDraft(
            description=line.description,
            unit_price_cents=line.unit_price_cents,
            qty_milli=line.qty_milli,
            kind=line.kind,
            code=line.code,
            taxable=line.taxable,
            source="quote_line",
            source_id=line.id,
            source_label=f"{quote_number} line {line.position}",
            discount_bp=line.discount_bp,
            discount_amount_cents=line.discount_amount_cents,
        )
        for quote_number, line in rows
    ]


def labor_lines(
    session: Session, order: WorkOrder, ctx: PricingContext, cover: coverage.Cover | None
) -> list[LineDraft]:
    entries = session.execute(  # plain rows, not ORM objects: invoicing is a bulk path
        select(TimeEntry.id, TimeEntry.technician_id, TimeEntry.starts_at, TimeEntry.ends_at)
        .where(
            TimeEntry.order_id == order.id,
            TimeEntry.kind == TimeKind.WORK.value,
            TimeEntry.approved == True,  # noqa: E712
            col(TimeEntry.ends_at).is_not(None),
        )
        .order_by(TimeEntry.starts_at, TimeEntry.id)
    ).all()
    emergency = order.priority == Priority.EMERGENCY.value
    out: list[LineDraft] = []
    for entry in entries:
        tech = ctx.tech(entry.technician_id)
        parts = labor.rate_parts(
            entry.starts_at,
            entry.ends_at,
            ctx.shifts[tech.id],
            ctx.zone,
            emergency=emergency,
            increment=ctx.increment,
        )
        when = f"{fmt(entry.starts_at, ctx.zone, '%m-%d %H:%M')}-{fmt(entry.ends_at, ctx.zone, '%H:%M')}"
        for kind, minutes in parts:
            rate = pricebook.pick_rate(ctx.rates, kind, tech.level)
            draft = LineDraft(
                description=f"Labor, {rate.name}: {tech.name} {when}",
                unit_price_cents=rate.rate_cents,
                qty_milli=labor.hours_milli(minutes),
                kind=LineKind.LABOR.value,
                code=rate.code,
                taxable=rate.taxable,
                source="time_entry",
                source_id=entry.id,
                source_label=f"time entry {entry.id}: {tech.name} {when}, {minutes} min {kind.value}",
            )
            out.append(_with_cover(draft, cover))
    return out


def part_lines(
    session: Session,
    order: WorkOrder,
    ctx: PricingContext,
    terms: coverage.AgreementTerms | None,
    warranty: coverage.Cover | None,
) -> list[LineDraft]:
    rows = session.execute(
        select(
            PartUsage.id,
            PartUsage.qty_milli,
            PartUsage.unit_price_cents,
            PartUsage.unit_cost_cents,
            PartUsage.taxable,
            PartUsage.warranty,
            Part.name,
            Part.sku,
        )
        .join(Part, Part.id == PartUsage.part_id)
        .where(PartUsage.order_id == order.id)
        .order_by(PartUsage.used_at, PartUsage.id)
    ).all()
    out = []
    for usage in rows:
        price, why = usage.unit_price_cents, "price when used"
        if price <= 0:
            price, why = pricebook.part_price_cents(0, usage.unit_cost_cents, ctx.tiers)
        draft = LineDraft(
            description=f"{usage.name} ({usage.sku})",
            unit_price_cents=price,
            qty_milli=usage.qty_milli,
            kind=LineKind.PART.value,
            code=usage.sku,
            taxable=usage.taxable,
            source="part_usage",
            source_id=usage.id,
            source_label=f"part usage {usage.id}: {why}",
        )
        out.append(_with_cover(draft, coverage.part_cover(terms, warranty, usage.warranty)))
    return out


def trip_lines(
    session: Session, order: WorkOrder, ctx: PricingContext, cover: coverage.Cover | None
) -> list[LineDraft]:
    if ctx.trip is None:
        return []
    visits = session.execute(
        select(Visit.id, Visit.arrived_at)
        .where(Visit.order_id == order.id, col(Visit.arrived_at).is_not(None))
        .order_by(Visit.starts_at)
    ).all()
    trip = ctx.trip
    return [
        _with_cover(
            LineDraft(
                description=f"{trip.name} ({fmt(v.arrived_at, ctx.zone, '%m-%d')})",
                unit_price_cents=trip.price_cents,
                kind=LineKind.FEE.value,
                code=trip.code,
                taxable=trip.taxable,
                source="visit",
                source_id=v.id,
                source_label=f"visit {v.id} arrived {fmt(v.arrived_at, ctx.zone)}",
            ),
            cover,
        )
        for v in visits
    ]


def invoice_order(
    session: Session,
    order: WorkOrder,
    *,
    actor: str = "dispatcher",
    ctx: PricingContext | None = None,
) -> Invoice:
    """Build the draft invoice for a completed order and move the order to `invoiced`."""
    check_invoiceable(session, order)
    ctx = ctx or PricingContext.load(session)
    terms = coverage.agreement_for(session, order, service_day(order, ctx))
    lines = build_lines(session, order, ctx, terms)
    if not lines:
        raise InvalidInput(
            f"{order.number} has nothing to bill: no approved quote, approved work time, "
            "parts used or visits; approve its time entries or add lines to an invoice by hand"
        )
    invoice = create_invoice(
        session,
        customer_id=order.customer_id,
        site_id=order.site_id,
        order=order,
        agreement_id=terms.id if terms else order.agreement_id,
        lines=lines,
        actor=actor,
    )
    if order.status == OrderStatus.COMPLETED.value:
        lifecycle.change_status(
            session, order, OrderStatus.INVOICED, actor=actor, note=f"{invoice.number} drafted"
        )
    return invoice
