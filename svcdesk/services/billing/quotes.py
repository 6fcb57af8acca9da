"""Quotes (estimates): lines from the price book or free-form, grouped in options
(good / better / best) of which the customer picks one.

Statuses: draft -> sent -> approved | declined | expired (a sent quote past its
`valid_until` day expires). An approved quote's chosen option becomes the billable lines of
its order (`from_order`), or a new order when it has none (`to_order`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, select

from svcdesk.clock import now
from svcdesk.errors import InvalidInput, InvalidTransition, NotFound
from svcdesk.models import Customer, Site, WorkOrder
from svcdesk.models.billing import LineKind, Quote, QuoteLine, QuoteOption, QuoteStatus
from svcdesk.services.billing import arith, pricebook
from svcdesk.services.billing.invoices import LineDraft
from svcdesk.services.common import events, sequences
from svcdesk.services.common.rows import must_get, row_id
from svcdesk.services.common.settings import get_setting, shop_zone
from svcdesk.services.common.words import move_refused, status_words
from svcdesk.services.crm.tax import site_tax

MOVES = {
    QuoteStatus.DRAFT: (QuoteStatus.SENT,),
    QuoteStatus.SENT: (QuoteStatus.APPROVED, QuoteStatus.DECLINED, QuoteStatus.EXPIRED),
    QuoteStatus.APPROVED: (),
    QuoteStatus.DECLINED: (),
    QuoteStatus.EXPIRED: (),
}
DEFAULT_OPTION = "Standard"


@dataclass(frozen=True)
class OptionTotals:
    option: QuoteOption
    lines: list[QuoteLine]
    totals: arith.Totals


def today(session: Session) -> date:
    return now().astimezone(shop_zone(session)).date()


def get_quote(session: Session, number: str) -> Quote:
    key = number.strip().upper()
    if key.isdigit():
        key = sequences.format_number("Q", int(key))
    quote = session.exec(select(Quote).where(Quote.number == key)).first()
    if quote is None:
        raise NotFound(f"quote {number!r} not found")
    return quote


def item_draft(session: Session, code: str, qty_milli: int = 1000) -> LineDraft:
    """A line priced from the price book (task or fee), price copied now."""
    item = pricebook.get_item(session, code)
    if not item.active:
        raise InvalidInput(f"price book: {item.code} is retired (active = no)")
    return LineDraft(
        description=item.name,
        unit_price_cents=item.price_cents,
        qty_milli=qty_milli,
        kind=pricebook.item_line_kind(item).value,
        code=item.code,
        taxable=item.taxable,
        source="price_book",
        source_id=item.id,
        source_label=f"price book {item.code}",
    )


def create_quote(
    session: Session,
    *,
    customer_id: int,
    title: str,
    site_id: int | None = None,
    order: WorkOrder | None = None,
    valid_days: int | None = None,
    notes: str | None = None,
    actor: str = "dispatcher",
) -> Quote:
    if not (title or "").strip():
        raise InvalidInput("title: say what the quote is for")
    if session.get(Customer, customer_id) is None:
        raise NotFound(f"customer {customer_id} not found")
    if order is not None:
        customer_id, site_id = order.customer_id, order.site_id
    if site_id is not None:
        site = session.get(Site, site_id)
        if site is None or site.customer_id != customer_id:
            raise InvalidInput(f"site: site {site_id} does not belong to customer {customer_id}")
    days = (
        valid_days
        if valid_days is not None
        else int(get_setting(session, "billing.quote_valid_days") or 30)
    )
    if days < 1:
        raise InvalidInput(f"valid days: {days} is not 1 or more")
    quote = Quote(
        number=sequences.next_number(session, "Q"),
        customer_id=customer_id,
        site_id=site_id,
        order_id=order.id if order else None,
        title=title.strip(),
        notes=notes,
        valid_until=today(session) + timedelta(days=days),
        created_at=now(),
        updated_at=now(),
        created_by=actor,
    )
    session.add(quote)
    session.flush()
    if order is not None:
        events.record(
            session, order, "quote", f"{quote.number} drafted: {quote.title}", actor=actor
        )
    return quote


def draft_quote(
    session: Session,
    title: str,
    *,
    order: str | None = None,
    customer: str | None = None,
    site_id: int | None = None,
    valid_days: int | str | None = None,
    notes: str | None = None,
    actor: str = "dispatcher",
) -> Quote:
    """A draft quote for order `order` (its customer and site) or for `customer` (id,
    phone, e-mail or name; at their only site when they have exactly one). `valid_days`
    may be typed ('' = the shop's default)."""
    from svcdesk.services.crm.customers import customer_sites, get_customer
    from svcdesk.services.orders.lifecycle import get_order

    if isinstance(valid_days, str):
        text = valid_days.strip()
        if text and not text.isdigit():
            raise InvalidInput(f"valid for: {text[:20]!r} is not a number of days")
        valid_days = int(text) if text else None
    o = get_order(session, order) if order else None
    cust = o.customer_id if o else row_id(get_customer(session, (customer or "").strip()))
    if site_id is None and o is None:
        sites = customer_sites(session, cust)
        site_id = row_id(sites[0]) if len(sites) == 1 else None
    return create_quote(session, customer_id=cust, title=title, site_id=site_id, order=o,
                        valid_days=valid_days, notes=notes, actor=actor)  # fmt: skip


def options(session: Session, quote_id: int) -> list[QuoteOption]:
    return list(
        session.exec(
            select(QuoteOption)
            .where(QuoteOption.quote_id == quote_id)
            .order_by(col(QuoteOption.position))
        )
    )


def option_lines(session: Session, option_id: int) -> list[QuoteLine]:
    return list(
        session.exec(
            select(QuoteLine)
            .where(col(QuoteLine.option_id) == option_id)
            .order_by(col(QuoteLine.position))
        )
    )


def _require_draft(quote: Quote) -> None:
    if quote.status != QuoteStatus.DRAFT.value:
        raise InvalidTransition(
            f"{quote.number} is {status_words(quote.status)}; only a draft quote can change"
        )


def find_option(session: Session, quote: Quote, name: str | None) -> QuoteOption | None:
    opts = options(session, quote.id)
    if name is None:
        return opts[0] if len(opts) == 1 else None
    key = name.strip().lower()
    for opt in opts:
        if opt.name.lower() == key or str(opt.position) == key:
            return opt
    return None


def add_option(
    session: Session, quote: Quote, name: str, description: str | None = None
) -> QuoteOption:
    _require_draft(quote)
    if not (name or "").strip():
        raise InvalidInput("option: a name is required, e.g. Good")
    if find_option(session, quote, name) is not None:
        raise InvalidInput(f"option: {quote.number} already has an option {name!r}")
    opts = options(session, quote.id)
    opt = QuoteOption(
        quote_id=quote.id,
        position=(opts[-1].position + 1) if opts else 1,
        name=name.strip(),
        description=description,
    )
    session.add(opt)
    session.flush()
    return opt


def add_line(
    session: Session, quote: Quote, draft: LineDraft, *, option: str | None = None
) -> QuoteLine:
    """Add a line to `option` (created when missing; the only option when not given)."""
    _require_draft(quote)
    if not draft.description.strip():
        raise InvalidInput("description: a line needs a description")
    arith.check_line(draft.arith_line())
    opt = find_option(session, quote, option)
    if opt is None:
        if option is None and options(session, quote.id):
            names = ", ".join(o.name for o in options(session, quote.id))
            raise InvalidInput(f"option: {quote.number} has options {names}; say which")
        opt = add_option(session, quote, option or DEFAULT_OPTION)
    lines = option_lines(session, opt.id)
    line = QuoteLine(
        option_id=opt.id,
        position=(lines[-1].position + 1) if lines else 1,
        kind=draft.kind if draft.kind in {k.value for k in LineKind} else LineKind.OTHER.value,
        code=draft.code,
        description=draft.description.strip(),
        qty_milli=draft.qty_milli,
        unit_price_cents=draft.unit_price_cents,
        taxable=draft.taxable,
        discount_bp=draft.discount_bp,
        discount_amount_cents=draft.discount_amount_cents,
    )
    session.add(line)
    quote.updated_at = now()
    session.flush()
    return line


def totals(session: Session, quote: Quote) -> list[OptionTotals]:
    """Each option priced as an invoice would be (site tax rate, customer exemption)."""
    site = session.get(Site, quote.site_id) if quote.site_id else None
    customer = session.get(Customer, quote.customer_id)
    out = []
    for opt in options(session, quote.id):
        lines = option_lines(session, opt.id)
        result = arith.compute(
            [
                arith.LineIn(
                    qty_milli=ln.qty_milli,
                    unit_price_cents=ln.unit_price_cents,
                    taxable=ln.taxable,
                    discount_bp=ln.discount_bp,
                    discount_amount_cents=ln.discount_amount_cents,
                )
                for ln in lines
            ],
            tax_rate_bp=site_tax(session, site).rate_bp,
            tax_exempt=bool(customer and customer.tax_exempt),
        )
        out.append(OptionTotals(opt, lines, result))
    return out


def _move(session: Session, quote: Quote, to: QuoteStatus, actor: str, detail: str) -> None:
    current = QuoteStatus(quote.status)
    if to not in MOVES[current]:
        raise move_refused(quote.number, current, to, MOVES[current])
    quote.status = to.value
    quote.updated_at = now()
    if to == QuoteStatus.SENT:
        quote.sent_at = now()
    else:
        quote.decided_at = now()
    order = session.get(WorkOrder, quote.order_id) if quote.order_id else None
    if order is not None:
        events.record(session, order, "quote", f"{quote.number} {to.value}{detail}", actor=actor)
    session.flush()


def send(session: Session, quote: Quote, *, actor: str = "dispatcher") -> Quote:
    opts = options(session, quote.id)
    empty = [o.name for o in opts if not option_lines(session, o.id)]
    if not opts or empty:
        what = f"option {', '.join(empty)} has" if empty else "it has"
        raise InvalidInput(f"{quote.number}: {what} no lines; add lines before sending")
    _move(session, quote, QuoteStatus.SENT, actor, "")
    from svcdesk.services.billing.outgoing import quote_sent

    quote_sent(session, quote, [(t.option.name, t.totals.total_cents) for t in totals(session, quote)],
               actor=actor)  # fmt: skip
    return quote


def _refuse_if_expired(session: Session, quote: Quote) -> None:
    if quote.valid_until is not None and quote.valid_until < today(session):
        raise InvalidTransition(f"{quote.number} expired on {quote.valid_until}; send a new quote")


def approve(
    session: Session, quote: Quote, *, option: str | None = None, actor: str = "dispatcher"
) -> Quote:
    if quote.status == QuoteStatus.SENT.value:
        _refuse_if_expired(session, quote)
    opt = find_option(session, quote, option)
    if opt is None:
        names = ", ".join(o.name for o in options(session, quote.id))
        raise InvalidInput(
            f"option: {quote.number} has options {names}; say which one the customer chose"
            if option is None
            else f"option: {quote.number} has no option {option!r} (options: {names})"
        )
    _move(session, quote, QuoteStatus.APPROVED, actor, f" ({opt.name})")
    quote.chosen_option_id = opt.id
    session.flush()
    return quote


def decline(
    session: Session, quote: Quote, reason: str | None = None, *, actor: str = "dispatcher"
) -> Quote:
    _move(session, quote, QuoteStatus.DECLINED, actor, f": {reason}" if reason else "")
    quote.decline_reason = reason
    return quote


def expire_due(session: Session, *, actor: str = "system") -> list[str]:
    """Sent quotes past their valid-until day become expired; returns their numbers."""
    due = session.exec(
        select(Quote).where(
            Quote.status == QuoteStatus.SENT.value,
            col(Quote.valid_until) < today(session),
        )
    ).all()
    for quote in due:
        _move(session, quote, QuoteStatus.EXPIRED, actor, "")
    return [q.number for q in due]


def to_order(
    session: Session, quote: Quote, *, site: str | int | None = None, actor: str = "dispatcher"
) -> WorkOrder:
    """An approved quote without an order becomes a new order at its site (`site`: the
    quote's, else the one given, else the customer's only site); the chosen option is
    then that order's billable lines."""
    from svcdesk.services.orders.intake import IntakeRequest, create_order

    if quote.status != QuoteStatus.APPROVED.value:
        raise InvalidTransition(f"{quote.number} is {status_words(quote.status)}; approve it first")
    if quote.order_id is not None:
        order = must_get(session, WorkOrder, quote.order_id)
        raise InvalidTransition(f"{quote.number} already belongs to {order.number}")
    site_id = quote_site(session, quote, site)
    chosen = session.get(QuoteOption, quote.chosen_option_id)
    order, _ = create_order(
        session,
        IntakeRequest(
            summary=f"{quote.title} ({chosen.name})" if chosen else quote.title,
            customer_id=quote.customer_id,
            site_id=site_id,
            description=f"From approved quote {quote.number}",
        ),
        actor=actor,
    )
    quote.order_id = order.id
    quote.site_id = site_id
    events.record(session, order, "quote", f"from approved quote {quote.number}", actor=actor)
    session.flush()
    return order


def quote_site(session: Session, quote: Quote, site: str | int | None = None) -> int:
    """The site a quote's new order goes to: `site` (id, or the start of its address,
    among the customer's sites), else the quote's own, else the customer's only site."""
    from svcdesk.services.crm.customers import customer_sites

    sites = customer_sites(session, quote.customer_id)
    listed = ", ".join(f"#{s.id} {s.address}" for s in sites[:6])
    if site is not None and str(site).strip():
        text = str(site).strip().lstrip("#")
        hits = [s for s in sites if str(s.id) == text] or [
            s for s in sites if s.address.lower().startswith(text.lower())
        ]
        if len(hits) != 1:
            what = "is not a site" if not hits else "matches several sites"
            raise InvalidInput(f"site: {site!r} {what} of this customer; sites: {listed or 'none'}")
        return hits[0].id
    if quote.site_id is not None:
        return quote.site_id
    if not sites:
        raise InvalidInput(
            f"{quote.number}: the customer has no site; add one first (svcdesk sites add)"
        )
    if len(sites) > 1:
        raise InvalidInput(
            f"site: the customer has {len(sites)} sites ({listed}); pick one with --site"
        )
    return sites[0].id


def send_quote(session: Session, quote: Quote, *, actor: str = "dispatcher") -> str:
    """Send it (`send`) and say what became of the customer's e-mail
    (`outbox.delivery_words`)."""
    from svcdesk.services.messages.outbox import delivery_words

    send(session, quote, actor=actor)
    return delivery_words(session, "quote", quote.customer_id, quote_id=row_id(quote))
