"""Demo step 30: the price book, quotes in every status, invoices in every status, payments.

Completed orders older than three days are invoiced (through the same one-action service
the console uses) a few hours after completion; most are sent the next morning and paid
after a while by cash, check, card or ACH, some only in part, some not at all (so the aging
report has overdue money), one is voided and invoiced again, a few stay drafts. The last
three days' completions stay in the "ready to invoice" queue."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, col, select

from svcdesk import clock
from svcdesk.demo import DemoContext
from svcdesk.errors import SvcDeskError
from svcdesk.models import OrderStatus, WorkOrder
from svcdesk.services.billing import from_order, invoices, payments, pricebook_csv, quotes

ORDER = 30
DATA = Path(__file__).resolve().parents[2] / "data"
METHODS = [("check", 35), ("card", 40), ("ach", 15), ("cash", 10)]


def _pick(rng, weighted):
    total = sum(w for _, w in weighted)
    roll = rng.uniform(0, total)
    for value, weight in weighted:
        roll -= weight
        if roll <= 0:
            return value
    return weighted[-1][0]


def run(session: Session, ctx: DemoContext) -> None:
    with clock.at(ctx.now - timedelta(days=120)):
        pricebook_csv.import_pricebook(
            session, "pricebook.csv", (DATA / "pricebook.csv").read_text(encoding="utf-8")
        )
    _quotes(session, ctx)
    _invoices(session, ctx)


def _invoices(session: Session, ctx: DemoContext) -> None:
    rng = ctx.rng
    cutoff = ctx.now - timedelta(days=3)
    orders = session.exec(
        select(WorkOrder)
        .where(
            WorkOrder.status == OrderStatus.COMPLETED.value,
            col(WorkOrder.completed_at) < cutoff,
        )
        .order_by(WorkOrder.completed_at, WorkOrder.id)
    ).all()
    recent = session.exec(
        select(func.count())
        .select_from(WorkOrder)
        .where(
            WorkOrder.status == OrderStatus.COMPLETED.value,
            col(WorkOrder.completed_at) >= cutoff,
        )
    ).one()
    if recent < 2:  # always leave a few in the "ready to invoice" queue
        orders = orders[: len(orders) - (2 - recent)]
    pricing = from_order.PricingContext.load(session)
    voided = False
    drafts = {o.id for o in orders[-3:]}  # the newest stay drafts for the dispatcher
    for order in orders:
        billed_at = order.completed_at + timedelta(hours=rng.uniform(2, 20))
        try:
            with clock.at(billed_at):
                inv = from_order.invoice_order(
                    session, order, actor="dana", ctx=pricing, skip_unapproved=True
                )
        except SvcDeskError:
            continue  # nothing billable (no approved time, parts or visits)
        age = (ctx.now - billed_at).days
        if order.id in drafts or (age < 6 and rng.random() < 0.4):
            continue  # still a draft
        if not voided and age > 20:
            with clock.at(billed_at + timedelta(hours=1)):
                invoices.issue(session, inv, actor="dana")
                invoices.void(session, inv, "Billed the wrong site; reissued", actor="dana")
                inv = from_order.invoice_order(
                    session, order, actor="dana", ctx=pricing, skip_unapproved=True
                )
            voided = True
        sent_at = billed_at + timedelta(hours=rng.uniform(12, 30))
        if sent_at >= ctx.now:
            continue
        with clock.at(sent_at):
            invoices.issue(session, inv, actor="dana")
        _pay(session, ctx, inv, sent_at)


def _pay(session: Session, ctx: DemoContext, inv, sent_at) -> None:
    rng = ctx.rng
    if inv.status != "sent":
        return  # fully covered: paid at issue
    roll = rng.random()
    if roll < 0.25:
        return  # unpaid (current or overdue, depending on age)
    paid_at = sent_at + timedelta(days=rng.uniform(1, 45))
    if paid_at >= ctx.now:
        return
    amount = inv.total_cents
    if roll < 0.4:
        amount = max(1, inv.total_cents // 2 // 100 * 100)  # a deposit in whole dollars
    method = _pick(rng, METHODS)
    ref = {
        "check": f"#{rng.randint(1000, 9999)}",
        "card": f"AUTH{rng.randint(10000, 99999)}",
        "ach": f"ACH-{rng.randint(100000, 999999)}",
    }.get(method)
    with clock.at(paid_at):
        payments.add_payment(
            session,
            inv,
            amount,
            method=method,
            reference=ref,
            actor="dana",
            received_on=paid_at.astimezone(ctx.zone).date(),
        )


QUOTES = [
    # (title, status, [(option, code)], option approved)
    (
        "AC repair options",
        "approved",
        [
            ("Good", "CAP-REPLACE"),
            ("Better", "CONTACTOR"),
            ("Better", "CAP-REPLACE"),
            ("Best", "SURGE-WHOLE"),
            ("Best", "CONTACTOR"),
            ("Best", "CAP-REPLACE"),
        ],
        "Better",
    ),
    (
        "Water heater replacement",
        "approved",
        [("Standard", "WH-INSTALL-50"), ("Standard", "DISPOSAL"), ("Standard", "PERMIT")],
        "Standard",
    ),
    ("Whole-home surge protection", "sent", [("Standard", "SURGE-WHOLE")], None),
    (
        "Panel inspection and GFCIs",
        "declined",
        [("Good", "PANEL-INSPECT"), ("Best", "PANEL-INSPECT"), ("Best", "GFCI-INSTALL")],
        None,
    ),
    ("Seasonal tune-up", "expired", [("Standard", "TUNEUP-FURN")], None),
    ("Drain clearing", "draft", [("Standard", "DRAIN-SNAKE")], None),
]


def _quotes(session: Session, ctx: DemoContext) -> None:
    rng = ctx.rng
    for i, (title, status, lines, chosen) in enumerate(QUOTES):
        customer_id = ctx.customers[(i * 17 + 3) % len(ctx.customers)]
        from svcdesk.services.crm.customers import customer_sites

        site = customer_sites(session, customer_id)[0]
        created = ctx.now - timedelta(days=40 if status == "expired" else rng.randint(2, 12))
        with clock.at(created):
            q = quotes.create_quote(
                session, customer_id=customer_id, site_id=site.id, title=title, actor="dana"
            )
            for option, code in lines:
                quotes.add_line(session, q, quotes.item_draft(session, code), option=option)
            if status != "draft":
                quotes.send(session, q, actor="dana")
        decided = created + timedelta(days=1)
        with clock.at(decided):
            if status == "approved":
                quotes.approve(session, q, option=chosen, actor="dana")
                quotes.to_order(session, q, actor="dana")
            elif status == "declined":
                quotes.decline(session, q, "Going to wait until spring", actor="dana")
    quotes.expire_due(session, actor="system")
    _links(session, ctx)


def _links(session: Session, ctx: DemoContext) -> None:
    """Customer links (docs/customer-links.md) for the sent quote and a service request
    form, so `svcdesk serve` has something for a customer to open. The raw links exist only
    here (the database keeps their hashes): the demo command prints them."""
    from svcdesk.models.billing import Quote, QuoteStatus
    from svcdesk.services.billing import portal
    from svcdesk.services.crm.devices import field_url

    base = field_url()
    sent = session.exec(select(Quote).where(Quote.status == QuoteStatus.SENT.value)).first()
    if sent is not None:
        link = portal.create_quote_link(session, sent.number, base_url=base, actor="dana")
        ctx.extra["quote_link"] = link.url
    ctx.extra["request_link"] = portal.create_request_link(
        session, None, base_url=base, actor="dana"
    ).url
