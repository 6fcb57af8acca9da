"""Delivering the outbox (`svcdesk messages send`, also `svcdesk serve` in the background).

At-least-once, never twice for one event:
1. claim a batch of due messages in one transaction: status `sending`, one more attempt,
   and a lease (`next_try_at` = now + LEASE) so a crashed run's messages come back;
2. send each (the idempotency key is the e-mail's Message-ID);
3. mark the batch in one transaction: sent, or back to queued with a doubling wait
   (messages.retry_minutes, 2x, 4x ...), or failed after messages.max_attempts.
A crash (kill -9) between 2 and 3 leaves the batch `sending`; once the lease runs out the
next run sends it again: one resend, with the same Message-ID, and then it is marked.
Before claiming, a message whose customer withdrew consent or opted out is cancelled, and a
reminder or review request in the quiet hours waits for their end."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from svcdesk.clock import now
from svcdesk.config import data_dir_for
from svcdesk.db import read_session, write_session
from svcdesk.errors import SvcDeskError
from svcdesk.models.messages import Message, MessageAttachment
from svcdesk.services.common.files import file_mode
from svcdesk.services.common.settings import get_setting, settings_cached, shop_zone
from svcdesk.services.messages import prefs
from svcdesk.services.messages.outbox import QUIET_TRIGGERS, quiet_until, sender_of, shop_quiet
from svcdesk.services.messages.senders import (
    AppriseSender,
    FileSender,
    Outgoing,
    Sender,
    SendError,
    SmtpSender,
)
from svcdesk.services.messages.templates import NO_LINK_NOTE, link_note

LEASE = timedelta(minutes=10)
BATCH = 200
# SMTP connections used side by side: each message costs four round trips (MAIL, RCPT,
# DATA, the text), so one connection mostly waits for the server.
SMTP_CONNECTIONS = 4


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0
    held: int = 0  # quiet hours, or the channel's sender is off
    unlinked: int = 0  # quote/invoice e-mails sent while web.public_url is not set
    errors: list[str] = field(default_factory=list)  # the distinct reasons, first seen first

    def words(self) -> str:
        parts = [f"{self.sent} sent"]
        parts += [f"{n} {w}" for n, w in ((self.retrying, "to retry"), (self.failed, "failed"),
                  (self.cancelled, "cancelled"), (self.held, "held")) if n]  # fmt: skip
        return ", ".join(parts)

    def note(self) -> str | None:
        """Said once when quote/invoice e-mails went without their link."""
        return NO_LINK_NOTE if self.unlinked else None


def make_sender(session: Session, engine: Engine, channel: str) -> Sender | None:
    kind = sender_of(session, channel)
    setting = lambda key: get_setting(session, key) or ""  # noqa: E731
    if kind == "smtp":
        return SmtpSender(
            setting("messages.smtp.host"), int(setting("messages.smtp.port") or 587),
            setting("messages.smtp.security") or "starttls", setting("messages.smtp.username"),
            setting("messages.smtp.password"),
        )  # fmt: skip
    if kind == "file":
        return FileSender(outbox_folder(session, engine), file_mode(session))
    if kind == "apprise":
        return AppriseSender(setting("messages.sms.url"))
    return None


class _Broken:
    """A sender that could not be set up (no SMTP host...): each message fails with why."""

    def __init__(self, why: str):
        self.why = why

    def open(self) -> None:
        pass

    def send(self, out: Outgoing) -> str:
        raise SendError(self.why)

    def close(self) -> None:
        pass


def _opened(session: Session, engine: Engine, channel: str) -> list[Sender]:
    """The channel's senders, opened (several side by side for SMTP; none when off)."""
    count = SMTP_CONNECTIONS if sender_of(session, channel) == "smtp" else 1
    pool: list[Sender] = []
    try:
        for _ in range(count):
            sender = make_sender(session, engine, channel)
            if sender is None:
                return []
            sender.open()
            pool.append(sender)
    except SvcDeskError as exc:
        return [_Broken(str(exc))]
    return pool


def outbox_folder(session: Session, engine: Engine) -> Path:
    chosen = get_setting(session, "messages.file.dir") or ""
    if chosen:
        return Path(chosen).expanduser()
    return data_dir_for(engine.url.render_as_string(hide_password=True)) / "outbox"


def _from(session: Session) -> str:
    return get_setting(session, "messages.from") or get_setting(session, "company.email") or ""


def _claim(session: Session, report: SendReport, limit: int) -> tuple[int, list[Message]]:
    """Due messages (how many), and those claimed (see the module text): the cancelled and
    held are set aside."""
    at = now()
    rows = list(
        session.exec(
            select(Message)
            .where(col(Message.status).in_(["queued", "sending"]), col(Message.next_try_at) <= at)
            .order_by(col(Message.next_try_at), col(Message.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    pref_of = prefs.preferences(session, {m.customer_id for m in rows})
    quiet, zone = shop_quiet(session), shop_zone(session)
    claimed = []
    for m in rows:
        if not prefs.allows(pref_of.get(m.customer_id), m.channel):
            m.status, m.last_error = "cancelled", "no consent, or opted out of this channel"
            report.cancelled += 1
        elif m.trigger in QUIET_TRIGGERS and (until := quiet_until(at, zone, quiet)):
            m.next_try_at = until
            report.held += 1
        elif sender_of(session, m.channel) == "off":
            m.next_try_at, m.last_error = at + timedelta(hours=1), f"no {m.channel} sender is on"
            report.held += 1
        else:
            m.status, m.attempts, m.next_try_at = "sending", m.attempts + 1, at + LEASE
            claimed.append(m)
            report.unlinked += link_note(session, m.trigger) is not None
        session.add(m)
    return len(rows), claimed


def _attachments(session: Session, ids: list[int]) -> dict[int, list[tuple[str, str, bytes]]]:
    out: dict[int, list[tuple[str, str, bytes]]] = {}
    if ids:
        for a in session.exec(
            select(MessageAttachment)
            .where(col(MessageAttachment.message_id).in_(ids))
            .order_by(col(MessageAttachment.id))
        ):
            out.setdefault(a.message_id, []).append((a.filename, a.mime, a.data))
    return out


def _mark(session: Session, results: dict[int, tuple[bool, str]], report: SendReport) -> None:
    at = now()
    tries = int(get_setting(session, "messages.max_attempts") or 5)
    wait = int(get_setting(session, "messages.retry_minutes") or 5)
    for m in session.exec(select(Message).where(col(Message.id).in_(list(results)))):
        ok, text = results[m.id]
        if ok:
            m.status, m.sent_at, m.provider_id, m.last_error = "sent", at, text, None
            report.sent += 1
        else:
            m.last_error = text
            if text not in report.errors:
                report.errors.append(text)
            if m.attempts >= tries:
                m.status = "failed"
                report.failed += 1
            else:
                m.status = "queued"
                m.next_try_at = at + timedelta(minutes=wait * 2 ** (m.attempts - 1))
                report.retrying += 1
        session.add(m)


def send_due(
    engine: Engine,
    *,
    limit: int | None = None,
    batch: int = BATCH,
    after_send: Callable[[list[int]], None] | None = None,
) -> SendReport:
    """Send every due message (up to `limit`), batch by batch. `after_send(ids)` runs
    after a batch went out and before it is marked (tests use it to crash there)."""
    report = SendReport()
    senders: dict[str, list[Sender]] = {}
    done = 0
    try:
        while limit is None or done < limit:
            with write_session(engine) as session, settings_cached(session):
                size = batch if limit is None else min(batch, limit - done)
                due, claimed = _claim(session, report, size)
            if not due:
                break
            if not claimed:
                continue
            done += len(claimed)
            with read_session(engine) as session, settings_cached(session):
                for channel in {m.channel for m in claimed} - set(senders):
                    senders[channel] = _opened(session, engine, channel)
                files = _attachments(session, [m.id for m in claimed])
                sent_from = _from(session)
                outgoing = [
                    Outgoing(m.id, m.idem_key, m.channel, m.recipient, m.subject, m.body,
                             sent_from, files.get(m.id, []))
                    for m in claimed
                ]  # fmt: skip
            results = _send_all(outgoing, senders)
            if after_send is not None:
                after_send(list(results))
            with write_session(engine) as session, settings_cached(session):
                _mark(session, results, report)
    finally:
        for pool in senders.values():
            for sender in pool:
                sender.close()
    return report


def _send_one(sender: Sender, out: Outgoing) -> tuple[bool, str]:
    try:
        return True, sender.send(out)
    except SendError as exc:
        return False, str(exc)


def _send_share(sender: Sender, share: list[Outgoing]) -> dict[int, tuple[bool, str]]:
    return {o.id: _send_one(sender, o) for o in share}


def _send_all(
    outgoing: list[Outgoing], senders: dict[str, list[Sender]]
) -> dict[int, tuple[bool, str]]:
    """Each message through its channel's senders: a channel with several (SMTP
    connections) gets one thread each, taking every n-th message."""
    results: dict[int, tuple[bool, str]] = {}
    for channel, pool in senders.items():
        mine = [o for o in outgoing if o.channel == channel]
        if not mine:
            continue
        if not pool:
            results.update({o.id: (False, f"no {channel} sender is on") for o in mine})
        elif len(pool) == 1 or len(mine) == 1:
            results.update({o.id: _send_one(pool[0], o) for o in mine})
        else:
            n = len(pool)
            with ThreadPoolExecutor(max_workers=n) as workers:
                for part in workers.map(_send_share, pool, [mine[k::n] for k in range(n)]):
                    results.update(part)
    return results


class BackgroundSender:
    """`svcdesk serve` sending in the background: every `every` seconds, tomorrow's
    reminders are queued and what is due is sent (what cron's `messages send` does). A
    failing round (the database busy, a bad setting) is reported through `report` and the
    next round tries again."""

    def __init__(self, engine: Engine, every: float, report: Callable[[str], None]):
        self.engine, self.every, self.report = engine, every, report
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> SendReport:
        from svcdesk.services.messages.triggers import remind

        with write_session(self.engine) as session:
            remind(session, actor="svcdesk serve")
        return send_due(self.engine)

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            try:
                result = self.run_once()
            except SvcDeskError as exc:
                self.report(f"messages: {exc}")
                continue
            if result.sent or result.failed:
                self.report(f"messages: {result.words()}")

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="svcdesk-messages", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
