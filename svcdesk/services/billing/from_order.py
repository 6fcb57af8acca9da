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
from svcdesk.services.billing import coverage, labor, pricebook
from svcdesk.services.billing.invoices import InvoiceSpec, LineDraft, create_invoices, rows_by_id
from svcdesk.services.common.rows import must_get
from svcdesk.services.common.settings import get_setting, settings_cached, shop_zone
from svcdesk.services.common.timefmt import fmt
from svcdesk.services.common.words import status_words
from svcdesk.services.execution import timecards
from svcdesk.services.orders import lifecycle

CHUNK = 500  # orders read and written together by `invoice_orders`


class UnapprovedTime(InvalidInput):
    """An order to invoice has time nobody approved (the faces offer to skip it)."""


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
            self.techs[tech_id] = must_get(self.session, Technician, tech_id)
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
    _check(order, (existing.number, existing.status) if existing else None)


def _check(order: WorkOrder, live: tuple[str, str] | None) -> None:
    if live is not None:
        raise InvalidTransition(
            f"{order.number} is already invoiced on {live[0]} ({live[1]}); "
            "void that invoice to invoice the order again"
        )
    if order.status not in (OrderStatus.COMPLETED.value, OrderStatus.INVOICED.value):
        raise InvalidTransition(
            f"{order.number} is {status_words(order.status)}; only completed orders can be invoiced"
        )


def service_day(order: WorkOrder, ctx: PricingContext) -> date:
    return (order.completed_at or now()).astimezone(ctx.zone).date()


@dataclass
class Billables:
    """What a batch of orders is billed from, read with one query per kind and grouped by
    order id (plain column rows, not ORM objects: invoicing is a bulk path)."""

    live: dict[int, tuple[str, str]]  # order id -> (number, status) of its live invoice
    terms: dict[int, coverage.AgreementTerms | None]
    warranty: dict[int, coverage.Cover | None]
    quoted: dict[int, list]  # (quote number, QuoteLine) of the approved quotes
    entries: dict[int, list]  # approved work time
    parts: dict[int, list]
    visits: dict[int, list]  # visits arrived at

    @classmethod
    def load(cls, session: Session, orders: list[WorkOrder], ctx: PricingContext) -> Billables:
        ids = [o.id for o in orders]
        days = {o.id: service_day(o, ctx) for o in orders}
        assets = rows_by_id(session, Asset, {o.asset_id for o in orders if o.asset_id})
        quoted_ids = [i for i in ids if i in ctx.quoted]
        return cls(
            live={r.order_id: (r.number, r.status) for r in _rows(session, _live_stmt, ids)},
            terms=coverage.agreement_terms(session, orders, days),
            warranty={
                o.id: coverage.warranty_for(assets.get(o.asset_id), days[o.id]) for o in orders
            },
            quoted=_grouped(_rows(session, _quote_stmt, quoted_ids) if quoted_ids else []),
            entries=_grouped(_rows(session, _entries_stmt, ids)),
            parts=_grouped(_rows(session, _parts_stmt, ids)),
            visits=_grouped(_rows(session, _visits_stmt, ids)) if ctx.trip else {},
        )

    def lines(self, order: WorkOrder, ctx: PricingContext) -> list[LineDraft]:
        """The order's lines (see the module docstring), coverage applied."""
        terms = self.terms[order.id]
        lines = quote_lines(self.quoted.get(order.id, ()))
        if not lines:
            lines = labor_lines(
                self.entries.get(order.id, ()), order, ctx, coverage.labor_cover(terms)
            )
            lines += part_lines(self.parts.get(order.id, ()), ctx, terms, self.warranty[order.id])
        lines += trip_lines(self.visits.get(order.id, ()), ctx, coverage.trip_cover(terms))
        return lines


def _live_stmt(ids):
    return select(Invoice.order_id, Invoice.number, Invoice.status).where(
        col(Invoice.order_id).in_(ids), Invoice.status != InvoiceStatus.VOID.value
    )


def _quote_stmt(ids):
    return (
        select(Quote.order_id, Quote.number, QuoteLine)
        .join(QuoteLine, QuoteLine.option_id == Quote.chosen_option_id)
        .where(col(Quote.order_id).in_(ids), Quote.status == QuoteStatus.APPROVED.value)
        .order_by(Quote.order_id, Quote.id, QuoteLine.position)
    )


def _entries_stmt(ids):
    return (
        select(
            TimeEntry.order_id,
            TimeEntry.id,
            TimeEntry.technician_id,
            TimeEntry.starts_at,
            TimeEntry.ends_at,
        )
        .where(
            col(TimeEntry.order_id).in_(ids),
            TimeEntry.kind == TimeKind.WORK.value,
            TimeEntry.approved == True,  # noqa: E712
            col(TimeEntry.ends_at).is_not(None),
        )
        .order_by(TimeEntry.order_id, TimeEntry.starts_at, TimeEntry.id)
    )


def _parts_stmt(ids):
    return (
        select(
            PartUsage.order_id,
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
        .where(col(PartUsage.order_id).in_(ids))
        .order_by(PartUsage.order_id, PartUsage.used_at, PartUsage.id)
    )


def _visits_stmt(ids):
    return (
        select(Visit.order_id, Visit.id, Visit.arrived_at)
        .where(col(Visit.order_id).in_(ids), col(Visit.arrived_at).is_not(None))
        .order_by(Visit.order_id, Visit.starts_at, Visit.id)
    )


def _rows(session: Session, stmt, ids: list[int]) -> list:
    out: list = []
    for start in range(0, len(ids), CHUNK):
        out += session.execute(stmt(ids[start : start + CHUNK])).all()
    return out


def _grouped(rows) -> dict[int, list]:
    """Rows whose first column is the order id, by order id (row order kept)."""
    out: dict[int, list] = {}
    for row in rows:
        out.setdefault(row[0], []).append(row)
    return out


def build_lines(session: Session, order: WorkOrder, ctx: PricingContext) -> list[LineDraft]:
    """The lines invoicing `order` would make (coverage applied), without writing anything."""
    return Billables.load(session, [order], ctx).lines(order, ctx)


def _covered(cover: coverage.Cover | None) -> dict:
    """LineDraft's coverage fields for `cover` (none when nothing is covered)."""
    if cover is None:
        return {}
    return {"coverage": cover.kind, "coverage_bp": cover.bp, "coverage_note": cover.note}


def quote_lines(rows) -> list[LineDraft]:
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
        for _order_id, quote_number, line in rows
    ]


def labor_lines(
    entries, order: WorkOrder, ctx: PricingContext, cover: coverage.Cover | None
) -> list[LineDraft]:
    emergency = order.priority == Priority.EMERGENCY.value
    covered = _covered(cover)
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
            out.append(
                LineDraft(
                    description=f"Labor, {rate.name}: {tech.name} {when}",
                    unit_price_cents=rate.rate_cents,
                    qty_milli=labor.hours_milli(minutes),
                    kind=LineKind.LABOR.value,
                    code=rate.code,
                    taxable=rate.taxable,
                    source="time_entry",
                    source_id=entry.id,
                    source_label=f"time entry {entry.id}: {tech.name} {when}, {minutes} min {kind.value}",
                    **covered,
                )
            )
    return out


def part_lines(
    rows,
    ctx: PricingContext,
    terms: coverage.AgreementTerms | None,
    warranty: coverage.Cover | None,
) -> list[LineDraft]:
    out = []
    for usage in rows:
        price, why = usage.unit_price_cents, "price when used"
        if price <= 0:
            price, why = pricebook.part_price_cents(0, usage.unit_cost_cents, ctx.tiers)
        cover = coverage.part_cover(terms, warranty, usage.warranty)
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
            **_covered(cover),
        )
        out.append(draft)
    return out


def trip_lines(visits, ctx: PricingContext, cover: coverage.Cover | None) -> list[LineDraft]:
    if ctx.trip is None:
        return []
    trip, covered = ctx.trip, _covered(cover)
    return [
        LineDraft(
            description=f"{trip.name} ({fmt(v.arrived_at, ctx.zone, '%m-%d')})",
            unit_price_cents=trip.price_cents,
            kind=LineKind.FEE.value,
            code=trip.code,
            taxable=trip.taxable,
            source="visit",
            source_id=v.id,
            source_label=f"visit {v.id} arrived {fmt(v.arrived_at, ctx.zone)}",
            **covered,
        )
        for v in visits
    ]


def invoice_order(
    session: Session,
    order: WorkOrder,
    *,
    actor: str = "dispatcher",
    ctx: PricingContext | None = None,
    skip_unapproved: bool = False,
) -> Invoice:
    """Build the draft invoice for a completed order and move the order to `invoiced`.
    Refused (UnapprovedTime, naming the entries and the approve command) while time on the
    order is unapproved, unless `skip_unapproved` (that time is then left off)."""
    return invoice_orders(session, [order], actor=actor, ctx=ctx, skip_unapproved=skip_unapproved)[
        0
    ]


def invoice_orders(
    session: Session,
    orders: list[WorkOrder],
    *,
    actor: str = "dispatcher",
    ctx: PricingContext | None = None,
    skip_empty: bool = False,
    skip_unapproved: bool = False,
) -> list[Invoice]:
    """`invoice_order` for many orders in one transaction (the ready-to-invoice queue, the
    benchmark): what they are billed from is read with one query per kind for up to
    `CHUNK` orders, the invoices, lines and events are inserted and the orders moved to
    `invoiced` with a few statements per chunk. The same invoices as one at a time, in the
    order given (consecutive numbers). Every order of a chunk is checked before it is
    written; an error names the order and the caller's transaction is rolled back.
    `skip_empty`: leave orders with nothing to bill alone instead of refusing the batch
    (they get no invoice; the result then has fewer invoices than orders); with it, orders
    with unapproved time are left alone too. Without it such an order refuses the batch
    (UnapprovedTime). `skip_unapproved`: bill them anyway, without that time."""
    seen: set[int] = set()
    for order in orders:
        if order.id in seen:
            raise InvalidInput(f"{order.number} is listed twice")
        seen.add(order.id)
    out: list[Invoice] = []
    with settings_cached(session):
        ctx = ctx or PricingContext.load(session)
        for start in range(0, len(orders), CHUNK):
            chunk = orders[start : start + CHUNK]
            out += _invoice_chunk(session, chunk, actor, ctx, skip_empty, skip_unapproved)
    return out


def _invoice_chunk(
    session: Session,
    orders: list[WorkOrder],
    actor: str,
    ctx: PricingContext,
    skip_empty: bool,
    skip_unapproved: bool = False,
) -> list[Invoice]:
    facts = Billables.load(session, orders, ctx)
    pending = (
        {} if skip_unapproved else timecards.unapproved_by_order(session, [o.id for o in orders])
    )
    specs, billed = [], []
    for order in orders:
        _check(order, facts.live.get(order.id))
        if order.id in pending:
            if skip_empty:
                continue
            raise UnapprovedTime(
                timecards.unapproved_text(session, order.number, pending[order.id])
            )
        lines = facts.lines(order, ctx)
        if not lines and skip_empty:
            continue
        if not lines:
            raise InvalidInput(
                f"{order.number} has nothing to bill: no approved quote, approved work time, "
                "parts used or visits; approve its time entries or add lines to an invoice by hand"
            )
        terms = facts.terms[order.id]
        specs.append(
            InvoiceSpec(
                customer_id=order.customer_id,
                site_id=order.site_id,
                order=order,
                agreement_id=terms.id if terms else order.agreement_id,
                lines=lines,
            )
        )
        billed.append(order)
    made = create_invoices(session, specs, actor=actor)
    moving = [
        (order, invoice)
        for order, invoice in zip(billed, made, strict=True)
        if order.status == OrderStatus.COMPLETED.value
    ]
    lifecycle.change_statuses(
        session,
        [order for order, _ in moving],
        OrderStatus.INVOICED,
        actor=actor,
        notes=[f"{invoice.number} drafted" for _, invoice in moving],
    )
    return made


@dataclass(frozen=True)
class ReadyRun:
    """What `invoice_ready` did, by number: the invoices made (number, order, total cents),
    the orders skipped (nothing to bill) and those left waiting for time approval."""

    made: list[tuple[str, str, int]]
    skipped: list[str]
    waiting: list[str]


def invoice_ready(session: Session, *, actor: str = "dispatcher") -> ReadyRun:
    """Invoice every order of the ready-to-invoice queue at once (`invoices create
    --ready`, `I` in the console's queue). Orders with nothing to bill (no approved quote,
    approved work time, parts or visits) are skipped; orders with time nobody approved yet
    stay in the queue."""
    from svcdesk.services.billing.views import ready_orders

    orders = ready_orders(session)
    pending = timecards.unapproved_by_order(session, [o.id for o in orders])
    made = invoice_orders(session, orders, actor=actor, skip_empty=True)
    numbers: dict[int | None, str] = {o.id: o.number for o in orders}
    billed = {invoice.order_id for invoice in made}
    left = [order for order in orders if order.id not in billed]
    return ReadyRun(
        made=[(i.number, numbers[i.order_id], i.total_cents) for i in made],
        skipped=[o.number for o in left if o.id not in pending],
        waiting=[o.number for o in left if o.id in pending],
    )
