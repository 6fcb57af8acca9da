"""Customer links: what a customer can do from a link the office sends, without an account.

- The office makes a link (`svcdesk links quote|invoice|request`, or the console): a random
  token (`secrets`, 256 bits) of which only the SHA-256 hash is stored, for one customer and
  one thing (a quote, an invoice, or the service request form), expiring after
  `DEFAULT_DAYS[kind]` days unless told otherwise; the office can revoke it.
- `open_link` finds the link of a token: unknown, expired, revoked or of another kind all
  raise the same `NotFound` (a wrong token says nothing about which tokens exist).
- Through a quote link the customer sees the quote and approves one option with a typed name
  and a drawn signature (`approve_quote`, through `quotes.approve`: the same rules as the
  office's approval, e.g. an expired quote is refused), or declines it.
- Through an invoice link the customer sees the invoice, its payments and balance, and
  downloads the PDF the office would print.
- Through a request link the customer asks for service: the request goes through intake
  (`intake.create_order`, source `portal`) with the same validation and answers as a phone
  call, and shows on the board like one.

Every decision is recorded with the customer's name as the actor (order history, customer
history, the audit log). The web pages are in svcdesk/web/portal.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select

from svcdesk.clock import now
from svcdesk.errors import InvalidInput, InvalidTransition, NotFound
from svcdesk.models import Customer, OrderSource, Site, WorkOrder
from svcdesk.models.billing import Invoice, InvoiceStatus, Quote, QuoteOption, QuoteStatus
from svcdesk.models.portal import CustomerLink
from svcdesk.services.billing import documents, invoices, quotes
from svcdesk.services.billing.documents import DocumentData
from svcdesk.services.billing.links import (  # noqa: F401 (the links' API, used by the faces)
    DEFAULT_DAYS,
    KINDS,
    MAX_DAYS,
    NewLink,
    link_url,
    link_words,
    make_link,
    public_base,
)
from svcdesk.services.common import events
from svcdesk.services.common.money import fmt_money
from svcdesk.services.common.rows import must_get, row_id
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.words import status_words
from svcdesk.services.crm import customers, devices
from svcdesk.services.crm.devices import hash_token
from svcdesk.services.execution.field_app import decode_signature
from svcdesk.services.orders import intake

NAME_MAX = 120
# the preferred part of the day a request form offers, as local hours
DAY_PARTS = {"morning": (8, 12), "afternoon": (12, 17), "any": None}


CSRF_PURPOSE = b"svcdesk-customer-link-csrf"


def csrf_token(token: str) -> str:
    """The value every form of a link page carries: derived from the link's token, which a
    third-party page cannot know (the same mechanism as the technicians' pages)."""
    return devices.csrf_token(token, CSRF_PURPOSE)


def check_csrf(token: str, sent: str | None) -> bool:
    return devices.check_csrf(token, sent, CSRF_PURPOSE)


@dataclass(frozen=True)
class LinkRow:
    id: int
    kind: str
    what: str
    customer: str | None
    created_at: datetime
    created_by: str
    expires_at: datetime
    state: str  # active | expired | revoked | used
    opened_at: datetime | None
    used_at: datetime | None
    signer: str | None


def _document_link(
    session: Session, doc: Quote | Invoice, *, base_url: str, days: int | None, actor: str
) -> NewLink:
    """A link to one sent quote or invoice, for the document's customer."""
    quote = isinstance(doc, Quote)
    kind = "quote" if quote else "invoice"
    customer = must_get(session, Customer, doc.customer_id)
    return make_link(session, kind, f"{kind} {doc.number} for {customer.name}", base_url=base_url,
                     customer_id=customer.id, quote_id=doc.id if quote else None,
                     invoice_id=None if quote else doc.id, days=days, actor=actor)  # fmt: skip


def create_quote_link(
    session: Session, number: str, *, base_url: str, days: int | None = None, actor: str
) -> NewLink:
    quote = quotes.get_quote(session, number)
    if quote.status == QuoteStatus.DRAFT.value:
        raise InvalidTransition(
            f"{quote.number} is a draft; send it first (svcdesk quotes send {quote.number})"
        )
    return _document_link(session, quote, base_url=base_url, days=days, actor=actor)


def create_invoice_link(
    session: Session, number: str, *, base_url: str, days: int | None = None, actor: str
) -> NewLink:
    invoice = invoices.get_invoice(session, number)
    if invoice.status in (InvoiceStatus.DRAFT.value, InvoiceStatus.VOID.value):
        hint = f"send it first (svcdesk invoices send {invoice.number})"
        raise InvalidTransition(
            f"{invoice.number} is {status_words(invoice.status)}; "
            + (
                hint
                if invoice.status == InvoiceStatus.DRAFT.value
                else "a void invoice has no link"
            )
        )
    return _document_link(session, invoice, base_url=base_url, days=days, actor=actor)


def create_request_link(
    session: Session,
    customer: str | None = None,
    *,
    base_url: str,
    days: int | None = None,
    actor: str,
) -> NewLink:
    """A service request form: for one customer (their name and phone filled in, the order
    filed under them), or, without `customer`, for anyone the shop gives it to (a website
    button, a newsletter)."""
    if customer is None:
        return make_link(session, "request", "anyone (service requests)", base_url=base_url,
                     customer_id=None, days=days, actor=actor)  # fmt: skip
    cust = customers.get_customer(session, customer)
    return make_link(session, "request", f"service requests from {cust.name}", base_url=base_url,
                 customer_id=cust.id, days=days, actor=actor)  # fmt: skip


def _state(link: CustomerLink, at: datetime) -> str:
    if link.revoked_at is not None:
        return "revoked"
    if link.expires_at <= at:
        return "expired"
    if link.used_at is not None and link.kind == "quote":
        return "used"
    return "active"


def _what(session: Session, link: CustomerLink) -> str:
    if link.quote_id is not None:
        return f"quote {must_get(session, Quote, link.quote_id).number}"
    if link.invoice_id is not None:
        return f"invoice {must_get(session, Invoice, link.invoice_id).number}"
    return "service request form"


def list_links(
    session: Session, customer: str | None = None, *, include_ended: bool = False
) -> list[LinkRow]:
    stmt = select(CustomerLink, Customer).outerjoin(
        Customer, col(Customer.id) == col(CustomerLink.customer_id)
    )
    if customer is not None:
        stmt = stmt.where(CustomerLink.customer_id == customers.get_customer(session, customer).id)
    at = now()
    out = []
    for link, cust in session.exec(stmt.order_by(col(CustomerLink.id).desc())).all():
        state = _state(link, at)
        if state in ("revoked", "expired") and not include_ended:
            continue
        out.append(
            LinkRow(
                row_id(link),
                link.kind,
                _what(session, link),
                cust.name if cust else None,
                link.created_at,
                link.created_by,
                link.expires_at,
                state,
                link.opened_at,
                link.used_at,
                link.signer,
            )  # fmt: skip
        )
    return out


def revoke_link(session: Session, link_id: int, *, actor: str) -> CustomerLink:
    link = session.get(CustomerLink, link_id)
    if link is None:
        raise NotFound(f"no customer link with id {link_id}")
    if link.revoked_at is not None:
        raise InvalidTransition(f"link {link_id} was already revoked")
    before = link_words(session, link)
    link.revoked_at, link.revoked_by = now(), actor
    session.add(link)
    events.record_change(session, "customer_link", link_id, "revoked",
                         f"{link.kind} link {link_id} revoked", actor=actor, before=before,
                         after=link_words(session, link))  # fmt: skip
    session.flush()
    return link


def open_link(session: Session, token: str | None, kind: str | None = None) -> CustomerLink:
    """The live link of `token`. Unknown, expired, revoked, or not of `kind`: NotFound, the
    same answer for each, so a guess learns nothing."""
    link = None
    if token and len(token) <= 100:
        link = session.exec(
            select(CustomerLink).where(CustomerLink.token_hash == hash_token(token))
        ).first()
    if (
        link is None
        or link.revoked_at is not None
        or link.expires_at <= now()
        or (kind is not None and link.kind != kind)
    ):
        raise NotFound("not found")
    return link


def mark_opened(session: Session, link: CustomerLink) -> None:
    if link.opened_at is None:
        link.opened_at = now()
        session.add(link)
        session.flush()


def company_name(session: Session) -> str:
    return documents.company(session)[0]


# -- quote ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QuotePage:
    doc: DocumentData
    number: str
    status: str  # in words
    options: list[tuple[str, str]]  # (name, total)
    can_decide: bool
    decided: str | None  # "Approved (Better) by Jane Porter on Dec 3" ...


def quote_page(session: Session, link: CustomerLink) -> QuotePage:
    quote = must_get(session, Quote, link.quote_id)
    doc = documents.quote_document(session, quote.number)
    priced = quotes.totals(session, quote)
    opts = [(t.option.name, fmt_money(t.totals.total_cents)) for t in priced]
    decided = None
    if quote.status in (QuoteStatus.APPROVED.value, QuoteStatus.DECLINED.value):
        names = [t.option.name for t in priced if t.option.id == quote.chosen_option_id]
        chosen = f" ({names[0]})" if names else ""
        when = quote.decided_at.astimezone(shop_zone(session)) if quote.decided_at else None
        decided = (
            f"{quote.status.capitalize()}{chosen}"
            + (f" by {link.signer}" if link.signer else "")
            + (f" on {when:%b %-d, %Y}" if when else "")
        )
    expired = quote.valid_until is not None and quote.valid_until < quotes.today(session)
    can = quote.status == QuoteStatus.SENT.value and not expired
    status = "expired" if expired and quote.status == QuoteStatus.SENT.value else quote.status
    return QuotePage(doc, quote.number, status, opts, can, decided)


def _signer(name: str | None) -> str:
    text = " ".join((name or "").split())
    if not text:
        raise InvalidInput("name: type your name to approve")
    if len(text) > NAME_MAX:
        raise InvalidInput(f"name: at most {NAME_MAX} characters")
    return text


def _decided(session: Session, link: CustomerLink, quote: Quote, what: str, actor: str) -> None:
    customers.record_event(session, quote.customer_id, "quote", f"{quote.number} {what}",
                           actor=actor)  # fmt: skip
    events.record_change(session, "quote", quote.number, quote.status,
                         f"{quote.number} {what} through link {link.id}", actor=actor,
                         after={"status": quote.status, "signer": link.signer,
                                "client": link.client})  # fmt: skip


def approve_quote(
    session: Session,
    link: CustomerLink,
    *,
    option: str | None,
    name: str | None,
    signature: str | None,
    client: str | None = None,
) -> Quote:
    """The customer approves `option` of the link's quote, with their typed name and drawn
    signature. Refused (nothing written) without a name, a signature, or a valid option, or
    when the quote is no longer open (approved, declined, expired)."""
    signer = _signer(name)
    image = decode_signature(signature)  # (the same check as a technician's sign-off)
    quote = must_get(session, Quote, link.quote_id)
    if quote.status != QuoteStatus.SENT.value:
        raise InvalidTransition(
            f"{quote.number} is {status_words(quote.status)}; nothing to approve"
        )
    actor = f"{signer} (customer link)"
    quotes.approve(session, quote, option=option or None, actor=actor)
    link.used_at, link.signer, link.signature_png = now(), signer, image
    link.client = (client or "")[:64] or None
    session.add(link)
    chosen = must_get(session, QuoteOption, quote.chosen_option_id).name
    _decided(session, link, quote, f"approved ({chosen}) by {signer}", actor)
    session.flush()
    return quote


def decline_quote(
    session: Session,
    link: CustomerLink,
    *,
    name: str | None,
    reason: str | None,
    client: str | None = None,
) -> Quote:
    signer = _signer(name)
    quote = must_get(session, Quote, link.quote_id)
    if quote.status != QuoteStatus.SENT.value:
        raise InvalidTransition(
            f"{quote.number} is {status_words(quote.status)}; nothing to decline"
        )
    text = " ".join((reason or "").split())[:500] or None
    actor = f"{signer} (customer link)"
    quotes.decline(session, quote, text, actor=actor)
    link.used_at, link.signer, link.client = now(), signer, (client or "")[:64] or None
    session.add(link)
    _decided(session, link, quote, f"declined by {signer}", actor)
    session.flush()
    return quote


# -- invoice -------------------------------------------------------------------------


@dataclass(frozen=True)
class InvoicePage:
    doc: DocumentData
    number: str
    status: str  # in words
    balance: str
    paid: bool


def invoice_page(session: Session, link: CustomerLink) -> InvoicePage:
    invoice = must_get(session, Invoice, link.invoice_id)
    doc = documents.invoice_document(session, invoice.number)
    return InvoicePage(doc, invoice.number, invoice.status.replace("_", " "),
                       fmt_money(invoices.balance_cents(invoice)),
                       invoice.status == InvoiceStatus.PAID.value)  # fmt: skip


def invoice_pdf(session: Session, link: CustomerLink) -> tuple[str, bytes]:
    from svcdesk.services.billing import pdf

    invoice = must_get(session, Invoice, link.invoice_id)
    return f"{invoice.number}.pdf", pdf.render_pdf(
        documents.invoice_document(session, invoice.number)
    )


# -- service request -----------------------------------------------------------------


@dataclass(frozen=True)
class RequestPrefill:
    name: str
    phone: str
    email: str
    sites: list[tuple[int, str]]  # the customer's sites (id, address)


def request_prefill(session: Session, link: CustomerLink) -> RequestPrefill:
    if link.customer_id is None:
        return RequestPrefill("", "", "", [])
    cust = must_get(session, Customer, link.customer_id)
    sites = [
        (row_id(s), ", ".join(p for p in (s.address, s.city, s.state, s.zip) if p))
        for s in customers.customer_sites(session, row_id(cust))
    ]
    phone = customers.format_phone(cust) or ""
    return RequestPrefill(cust.name, phone, cust.email or "", sites)


def _window(session: Session, day: str | None, part: str | None):
    text = (day or "").strip()
    part = (part or "any").strip()
    if part not in DAY_PARTS:
        raise InvalidInput("time: choose morning, afternoon or any time")
    if not text:
        return None, None, ""
    try:
        when = date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"day: {text[:20]!r} is not a date (YYYY-MM-DD)") from None
    zone = shop_zone(session)
    today = now().astimezone(zone).date()
    if not today <= when <= today + timedelta(days=180):
        raise InvalidInput("day: choose a day from today to six months ahead")
    hours = DAY_PARTS[part] or (0, 24)
    start = datetime.combine(when, time(hours[0] % 24), zone)
    end = start + timedelta(hours=hours[1] - hours[0])
    words = f"{when:%a %b %-d}" + ("" if part == "any" else f", {part}")
    return start, end, words


def submit_request(
    session: Session,
    link: CustomerLink,
    form: dict[str, str],
    *,
    client: str | None = None,
) -> WorkOrder:
    """A service request from the form: an order through intake (source `portal`) with the
    form's problem, contact, address and preferred day; refused with one line naming the
    field, nothing written, exactly as a phone call's intake would be."""

    def text(key: str) -> str:
        return (form.get(key) or "").strip()

    start, end, words = _window(session, text("day"), text("part"))
    details = text("details")
    description = "\n".join(
        p for p in (details, f"Preferred: {words}" if words else "", "Sent through the request link") if p
    )  # fmt: skip
    site_id = None
    if link.customer_id is not None and text("site") and text("site") != "new":
        site = session.get(Site, int(text("site"))) if text("site").isdigit() else None
        if site is None or site.customer_id != link.customer_id:
            raise InvalidInput("site: choose one of your addresses or a new one")
        site_id = row_id(site)
    idem = text("idem")
    ref = f"portal-{link.id}-{idem}" if idem.isalnum() and len(idem) <= 32 else None
    req = intake.IntakeRequest(
        summary=text("problem"),
        customer=text("name") or None,
        phone=text("phone") or None,
        email=text("email") or None,
        address=None if site_id else text("address") or None,
        city=text("city"),
        state=text("state"),
        zip=text("zip"),
        description=description,
        window_start=start,
        window_end=end,
        source=OrderSource.PORTAL.value,
        customer_id=link.customer_id,
        site_id=site_id,
        external_ref=ref,  # a resend of the same form finds its order instead of a second one
    )
    if not req.summary:
        raise InvalidInput("problem: say what you need done")
    actor = f"{req.customer or 'customer'} (request link)"
    order, created = intake.create_order(session, req, actor=actor)
    if not created:
        return order
    link.uses += 1
    link.used_at = now()
    link.client = (client or "")[:64] or None
    session.add(link)
    events.record(session, order, "portal", f"requested through link {link.id}", actor=actor)
    session.flush()
    return order
