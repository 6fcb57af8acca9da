"""Making a customer link (docs/customer-links.md): a random token (`secrets`, 256 bits) of
which only the SHA-256 hash is stored, for one customer and one thing (a quote, an
invoice, or the service request form), expiring after `DEFAULT_DAYS[kind]` days unless
told otherwise. Used by the office's links (portal.py) and by the quote and invoice
e-mails (outgoing.py), which make theirs when the message is queued."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from svcdesk.clock import now
from svcdesk.errors import InvalidInput
from svcdesk.models.portal import CustomerLink
from svcdesk.services.common import events
from svcdesk.services.common.rows import row_id
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import fmt
from svcdesk.services.crm import customers, devices
from svcdesk.services.crm.devices import hash_token
from svcdesk.services.messages import templates

KINDS = ("quote", "invoice", "request")
DEFAULT_DAYS = {"quote": 30, "invoice": 60, "request": 30}
MAX_DAYS = 365

link_url = templates.link_url


def public_base(session: Session, url: str | None = None) -> str:
    """Where customers reach the web app: `url` if given, else the shop's web.public_url,
    else $SVCDESK_FIELD_URL or the local address (as for the technicians' phones)."""
    return devices.field_url(url or templates.public_url(session) or None)


@dataclass(frozen=True)
class NewLink:
    id: int
    kind: str
    token: str  # the raw token: shown once, never stored
    url: str
    expires_at: datetime
    what: str  # "quote Q-000001 for Jane Porter"


def link_words(session: Session, link: CustomerLink, what: str | None = None) -> dict:
    """A link's audited fields, in words (`events.record_change`)."""
    zone = shop_zone(session)
    words = {"kind": link.kind, "expires": fmt(link.expires_at, zone),
             "revoked": f"{fmt(link.revoked_at, zone)} by {link.revoked_by}"
             if link.revoked_at else False}  # fmt: skip
    return {"for": what, **words} if what else words


def _days(days: int | None, kind: str) -> int:
    value = DEFAULT_DAYS[kind] if days is None else days
    if not 1 <= value <= MAX_DAYS:
        raise InvalidInput(f"days: {value} is out of range; give 1 to {MAX_DAYS}")
    return value


def make_link(
    session: Session,
    kind: str,
    what: str,
    *,
    base_url: str,
    customer_id: int | None,
    quote_id: int | None = None,
    invoice_id: int | None = None,
    days: int | None,
    actor: str,
) -> NewLink:
    token = secrets.token_urlsafe(32)
    link = CustomerLink(
        token_hash=hash_token(token),
        kind=kind,
        customer_id=customer_id,
        quote_id=quote_id,
        invoice_id=invoice_id,
        created_by=actor,
        expires_at=now() + timedelta(days=_days(days, kind)),
    )
    session.add(link)
    session.flush()
    events.record_change(
        session,
        "customer_link",
        row_id(link),
        "created",
        f"{kind} link for {what}, expires {link.expires_at:%Y-%m-%d}",
        actor=actor,
        after=link_words(session, link, what),
    )
    if customer_id is not None:
        customers.record_event(session, customer_id, "link", f"{kind} link sent", actor=actor)
    return NewLink(row_id(link), kind, token, link_url(base_url, token), link.expires_at, what)
