"""A real SMTP server for tests and the bench (aiosmtpd on 127.0.0.1, a free port): it
keeps what it received, or refuses every message (`refuse`)."""

from __future__ import annotations

import socket
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


class Inbox:
    def __init__(self, *, refuse: str | None = None, keep: bool = True):
        self.received: list[EmailMessage] = []
        self.count = 0
        self.refuse = refuse  # e.g. "554 5.7.1 no thanks"
        self.keep = keep

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.refuse:
            return self.refuse
        self.count += 1
        if self.keep:
            self.received.append(
                message_from_bytes(envelope.content, policy=policy.default)  # type: ignore[arg-type]
            )
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    def __init__(self, inbox: Inbox | None = None):
        self.inbox = inbox or Inbox()
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()
