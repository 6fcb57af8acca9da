"""Technicians' phones for the field app (svcdesk/web): enrolment links, device sessions,
CSRF tokens and the sign-in rate limit.

- The office enrols a phone: `create_enrolment` returns a random one-time token (valid
  `ENROL_MINUTES`); only its SHA-256 hash is stored.
- Opening the link and confirming (`redeem_enrolment`) makes a `FieldDevice` with a new
  random session token (the cookie), again stored only as a hash. The link is spent.
- `device_for_token` checks a cookie: unknown, revoked or inactive technician -> None.
- `csrf_token` is derived from the session token (HMAC), so every form of a device carries
  a value an attacker's page can't know; `check_csrf` compares in constant time.
- `SignInLimiter` bounds sign-in attempts per client address (in the serving process)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from svcdesk.clock import now
from svcdesk.errors import InvalidInput, NotFound
from svcdesk.models import Technician
from svcdesk.models.field import FieldDevice, FieldEnrolment
from svcdesk.services.common.events import record_change
from svcdesk.services.common.rows import children, must_get, row_id
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import fmt

ENROL_MINUTES = 15
DEFAULT_URL = "http://127.0.0.1:8000"
URL_ENV = "SVCDESK_FIELD_URL"
SEEN_EVERY = timedelta(minutes=5)  # last_seen_at is written at most this often


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Enrolment:
    id: int
    technician: str
    token: str  # the raw token: shown once, never stored
    expires_at: datetime


def field_url(url: str | None = None) -> str:
    """The field app's address as phones reach it: given, $SVCDESK_FIELD_URL, or local."""
    import os

    base = (url or os.environ.get(URL_ENV) or DEFAULT_URL).strip().rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise InvalidInput(f"url: {base!r} must start with http:// or https://")
    return base


def enrolment_link(base: str, token: str) -> str:
    return f"{base}/enrol/{token}"


@dataclass(frozen=True)
class DeviceRow:
    id: int
    signed_in: datetime
    last_seen: datetime | None
    revoked: datetime | None
    revoked_by: str | None
    label: str | None


def device_rows(session: Session, tech_id: int) -> list[DeviceRow]:
    """A technician's phones as plain rows (for the console)."""
    return [
        DeviceRow(row_id(d), d.created_at, d.last_seen_at, d.revoked_at, d.revoked_by, d.label)
        for d in session.exec(
            select(FieldDevice)
            .where(FieldDevice.technician_id == tech_id)
            .order_by(col(FieldDevice.id))
        )
    ]


def create_enrolment(session: Session, tech: Technician, *, actor: str) -> Enrolment:
    if not tech.active:
        raise InvalidInput(f"technician {tech.name!r} is inactive; reactivate them first")
    token = new_token()
    row = FieldEnrolment(
        technician_id=tech.id,
        token_hash=hash_token(token),
        created_at=now(),
        created_by=actor,
        expires_at=now() + timedelta(minutes=ENROL_MINUTES),
    )
    session.add(row)
    session.flush()
    record_change(session, "sign_in_link", row_id(row), "created", actor=actor,
                  after={"technician": tech.name,
                         "expires": fmt(row.expires_at, shop_zone(session))})  # fmt: skip
    return Enrolment(row_id(row), tech.name, token, row.expires_at)


def phone_actor(tech_name: str) -> str:
    """Who a technician's phone acts as in every history, as the office reads it:
    "Dana Ruiz (phone)" (`svcdesk audit --actor "Dana Ruiz"` finds it too)."""
    return f"{tech_name} (phone)"


def _device_words(session: Session, device: FieldDevice) -> dict:
    """A phone's audited fields, in words (`events.record_change`)."""
    zone = shop_zone(session)
    return {
        "technician": must_get(session, Technician, device.technician_id).name,
        "phone": device.label, "sign-in link by": device.created_by,
        "revoked": f"{fmt(device.revoked_at, zone)} by {device.revoked_by}"
        if device.revoked_at else False,
    }  # fmt: skip


def enrolment_for_token(session: Session, token: str) -> FieldEnrolment | None:
    """The enrolment a link token names, if it can still be used (unspent, not expired)."""
    row = session.exec(
        select(FieldEnrolment).where(FieldEnrolment.token_hash == hash_token(token or ""))
    ).first()
    if row is None or row.used_at is not None or row.expires_at <= now():
        return None
    tech = session.get(Technician, row.technician_id)
    if tech is None or not tech.active:
        return None
    return row


def enrolment_technician(session: Session, token: str) -> str | None:
    """The name of the technician a usable link is for (None: expired, spent, unknown)."""
    row = enrolment_for_token(session, token)
    return must_get(session, Technician, row.technician_id).name if row else None


def redeem_enrolment(session: Session, token: str, *, label: str | None = None):
    """Spend a link: a new device for its technician. Returns (device, raw session token)."""
    row = enrolment_for_token(session, token)
    if row is None:
        raise NotFound(
            "this sign-in link is expired, used or unknown; ask the office for a new one"
        )
    raw = new_token()
    device = FieldDevice(
        technician_id=row.technician_id,
        token_hash=hash_token(raw),
        label=(label or "")[:120] or None,
        created_at=now(),
        created_by=row.created_by,
        last_seen_at=now(),
    )
    session.add(device)
    session.flush()
    row.used_at = now()
    row.device_id = device.id
    session.add(row)
    session.flush()
    after = _device_words(session, device)
    record_change(session, "field_device", row_id(device), "enrolled",
                  actor=phone_actor(after["technician"]), after=after)  # fmt: skip
    return device, raw


def device_for_token(session: Session, token: str | None) -> FieldDevice | None:
    if not token:
        return None
    device = session.exec(
        select(FieldDevice).where(FieldDevice.token_hash == hash_token(token))
    ).first()
    if device is None or device.revoked_at is not None:
        return None
    tech = session.get(Technician, device.technician_id)
    if tech is None or not tech.active:
        return None
    return device


def seen_due(device: FieldDevice) -> bool:
    return device.last_seen_at is None or now() - device.last_seen_at >= SEEN_EVERY


def mark_seen(session: Session, device_id: int) -> None:
    device = session.get(FieldDevice, device_id)
    if device is not None:
        device.last_seen_at = now()
        session.add(device)


def list_devices(session: Session, tech: Technician) -> list[FieldDevice]:
    return children(session, FieldDevice, FieldDevice.technician_id, tech.id)


def revoke_device(session: Session, device_id: int, *, actor: str) -> FieldDevice:
    device = session.get(FieldDevice, device_id)
    if device is None:
        raise NotFound(f"device {device_id} not found")
    if device.revoked_at is not None:
        raise InvalidInput(f"device {device_id} was already revoked")
    before = _device_words(session, device)
    device.revoked_at = now()
    device.revoked_by = actor
    session.add(device)
    session.flush()
    record_change(session, "field_device", row_id(device), "revoked", actor=actor, before=before,
                  after=_device_words(session, device))  # fmt: skip
    return device


def csrf_token(secret: str, purpose: bytes = b"svcdesk-field-csrf") -> str:
    """The value a page's forms carry, derived from a secret only that page knows (a device
    cookie, a customer link's token); `purpose` keeps each kind of page's values apart."""
    return hmac.new(secret.encode(), purpose, hashlib.sha256).hexdigest()


def check_csrf(secret: str, sent: str | None, purpose: bytes = b"svcdesk-field-csrf") -> bool:
    return bool(sent) and hmac.compare_digest(csrf_token(secret, purpose), sent or "")


class SignInLimiter:
    """At most `limit` failed sign-in attempts (unknown, spent or expired links) per client
    address in `window` seconds; past that every attempt from the address is refused until
    the window slides on. Successful sign-ins don't count: a shop enrolling all its phones
    from one office network is not locked out. Kept in memory by the serving process
    (wall time, not the app clock)."""

    def __init__(self, limit: int = 10, window: float = 600.0, clock=time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, at: float) -> deque[float]:
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= at - self.window:
            hits.popleft()
        return hits

    def blocked(self, key: str) -> bool:
        with self._lock:
            return len(self._recent(key, self.clock())) >= self.limit

    def failed(self, key: str) -> None:
        at = self.clock()
        with self._lock:
            self._recent(key, at).append(at)
            if len(self._hits) > 10_000:  # forget idle addresses
                for k in [k for k, v in self._hits.items() if not v]:
                    del self._hits[k]

    def allow(self, key: str) -> bool:
        """One failing attempt: False if blocked, else recorded and True."""
        if self.blocked(key):
            return False
        self.failed(key)
        return True
