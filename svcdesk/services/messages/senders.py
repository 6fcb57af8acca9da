"""The senders behind one small interface: `open()` once per run, `send(out)` per message
(returns the provider's id, or raises SendError), `close()`.

- smtp: the standard library (smtplib, email.message): STARTTLS or SSL with the system's
  certificates, optional login, attachments; one connection per run, reopened when the
  server drops it. The message's idempotency key becomes its Message-ID.
- file: writes each message as an .eml (or .txt for a text message) 0600 into a folder,
  named by the idempotency key (a resend rewrites the same file).
- apprise: text messages through Apprise (most SMS providers by URL; `{to}` in the URL is
  the customer's phone); on the webhook schemes (json://, form://, xml://) the idempotency
  key goes along as the X-Idempotency-Key header.
Error texts never carry the password or the provider URL."""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from dataclasses import dataclass, field
from email.charset import QP, Charset
from email.encoders import encode_base64
from email.header import Header
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.policy import compat32
from email.utils import formatdate
from pathlib import Path
from typing import Protocol

from svcdesk.atomicfile import atomic_write_bytes
from svcdesk.errors import InvalidInput, SvcDeskError


class SendError(Exception):
    """One message could not be sent (it is retried later)."""


@dataclass
class Outgoing:
    id: int
    idem_key: str
    channel: str
    recipient: str
    subject: str
    body: str
    sender: str  # the From address
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)


class Sender(Protocol):
    def open(self) -> None: ...
    def send(self, out: Outgoing) -> str: ...
    def close(self) -> None: ...


def key_digest(idem_key: str) -> str:
    return hashlib.sha256(idem_key.encode()).hexdigest()[:32]


def message_id(out: Outgoing) -> str:
    """The same Message-ID for every send of one message (a resend after a crash can be
    recognised by the receiving side)."""
    domain = out.sender.rpartition("@")[2] or "svcdesk.invalid"
    return f"<{key_digest(out.idem_key)}@{domain}>"


_CRLF = compat32.clone(linesep="\r\n")  # (smtplib sends bytes as they are)
_UTF8_QP = Charset("utf-8")
_UTF8_QP.body_encoding = QP  # a readable body, not base64


def email_bytes(out: Outgoing) -> bytes:
    """The message as sent: a text/plain body (UTF-8) and the attachments. Built with the
    email package's MIME classes (compat32 policy): the header registry of the newer
    EmailMessage API cost ~1.4 ms a message, 5x this (docs/performance.md)."""
    body = MIMENonMultipart("text", "plain")
    body.set_payload(out.body, "us-ascii" if out.body.isascii() else _UTF8_QP)
    msg: Message = body
    if out.attachments:
        msg = MIMEMultipart()
        msg.attach(body)
        for filename, mime, data in out.attachments:
            maintype, _, subtype = mime.partition("/")
            part = MIMEBase(maintype, subtype or "octet-stream")
            part.set_payload(data)
            encode_base64(part)
            part.add_header("Content-Disposition", "attachment", filename=filename)
            msg.attach(part)
    msg["From"] = out.sender
    msg["To"] = out.recipient
    msg["Subject"] = out.subject if out.subject.isascii() else Header(out.subject, "utf-8").encode()
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = message_id(out)
    return msg.as_bytes(policy=_CRLF)


class SmtpSender:
    def __init__(self, host: str, port: int, security: str, username: str, password: str,
                 timeout: float = 30.0):  # fmt: skip
        if not host:
            raise InvalidInput("messages.smtp.host: no SMTP server set (svcdesk settings set)")
        self.host, self.port, self.security = host, port, security
        self.username, self._password, self.timeout = username, password, timeout
        self._conn: smtplib.SMTP | None = None

    def open(self) -> None:
        pass  # connected on the first message

    def _connect(self) -> smtplib.SMTP:
        try:
            if self.security == "ssl":
                conn: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout,
                    context=ssl.create_default_context(),
                )  # fmt: skip
            else:
                conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
                if self.security == "starttls":
                    conn.starttls(context=ssl.create_default_context())
            if self.username:
                conn.login(self.username, self._password)
        except smtplib.SMTPAuthenticationError:
            raise SendError(f"smtp {self.host}: login refused for {self.username}") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise SendError(f"smtp {self.host}:{self.port}: {_reason(exc)}") from None
        return conn

    def send(self, out: Outgoing) -> str:
        if self._conn is None:
            self._conn = self._connect()
        try:
            self._conn.sendmail(out.sender, [out.recipient], email_bytes(out))
        except smtplib.SMTPRecipientsRefused as exc:
            raise SendError(f"smtp: recipient refused: {_reason(exc)}") from None
        except smtplib.SMTPResponseException as exc:
            raise SendError(f"smtp: {exc.smtp_code} {_reason(exc)}") from None
        except (OSError, smtplib.SMTPException) as exc:
            self._drop()
            raise SendError(f"smtp {self.host}:{self.port}: {_reason(exc)}") from None
        return message_id(out)

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except OSError:
                pass

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self._drop()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error
        return text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{to}: {code}" for to, (code, _msg) in exc.recipients.items())
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


class FileSender:
    def __init__(self, folder: Path, mode: int = 0o600):
        self.folder, self.mode = folder, mode

    def open(self) -> None:
        if not self.folder.exists():
            self.folder.mkdir(parents=True, mode=0o700)
        if not self.folder.is_dir() or self.folder.is_symlink():
            raise InvalidInput(f"messages.file.dir: {self.folder} is not a folder")

    def send(self, out: Outgoing) -> str:
        suffix = ".eml" if out.channel == "email" else ".txt"
        path = self.folder / f"{out.id:06d}-{key_digest(out.idem_key)[:12]}{suffix}"
        if out.channel == "email":
            data = email_bytes(out)
        else:
            data = f"To: {out.recipient}\n\n{out.body}\n".encode()
        try:
            atomic_write_bytes(path, data, what="messages.file.dir", mode=self.mode)
        except (SvcDeskError, OSError) as exc:
            raise SendError(str(exc)) from None
        return str(path)

    def close(self) -> None:
        pass


# Apprise schemes that pass `+Name=value` query arguments on as HTTP headers (the generic
# webhooks: json, form, xml): the idempotency key goes to the provider there.
HEADER_SCHEMES = ("json", "jsons", "form", "forms", "xml", "xmls")
IDEMPOTENCY_HEADER = "X-Idempotency-Key"


def apprise_url(url: str, out: Outgoing) -> str:
    """The provider URL for one message: `{to}` replaced by the phone (or the phone added
    to the path), and on the webhook schemes the message's idempotency key as a header
    (the same on every send of one message, so a resend after a crash can be recognised)."""
    to = out.recipient.lstrip("+")
    if "{to}" in url:
        url = url.replace("{to}", to)
    else:
        base, sep, query = url.partition("?")
        url = f"{base.rstrip('/')}/{out.recipient}{sep}{query}"
    scheme = url.partition("://")[0].lower()
    if scheme in HEADER_SCHEMES and f"+{IDEMPOTENCY_HEADER.lower()}=" not in url.lower():
        url += ("&" if "?" in url else "?") + f"+{IDEMPOTENCY_HEADER}={key_digest(out.idem_key)}"
    return url


class AppriseSender:
    def __init__(self, url: str):
        if not url:
            raise InvalidInput("messages.sms.url: no SMS provider set (an Apprise URL)")
        self._url = url

    def open(self) -> None:
        pass

    def send(self, out: Outgoing) -> str:
        import apprise  # imported on use: only shops sending texts pay for it

        bot = apprise.Apprise()
        if not bot.add(apprise_url(self._url, out)):
            raise SendError("sms: the provider URL (messages.sms.url) is not one Apprise knows")
        if not bot.notify(body=out.body):
            raise SendError("sms: the provider did not take the message")
        return f"apprise:{key_digest(out.idem_key)}"

    def close(self) -> None:
        pass
