"""Pricing and billing: price book, quotes, invoices, payments, receivables, documents.

Modules: `arith` (the pure money rules), `pricebook` + `pricebook_csv`, `labor` (which rate
applies to a time entry), `coverage` (warranty / agreement), `quotes`, `invoices` (create,
edit, issue, void; `create_invoice` is the public entry for other areas), `from_order`
(one action: a completed order -> a draft invoice), `payments`, `aging`, `views` (read
models for the CLI and TUI), `documents` (plain text) and `pdf`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlmodel import Session

# (session, "quote" | "invoice", number) -> the PDF: billing/pdf.document_pdf, installed by
# svcdesk/services/__init__.py (the quote and invoice modules, which call `outgoing`, are
# below the PDF code: importing it there would make a cycle). Kept in the package so that
# installing it imports no billing module (outgoing brings in the messages area).
_RENDER: list[Callable[[Session, str, str], bytes]] = []


def register_pdf(render: Callable[[Session, str, str], bytes]) -> None:
    _RENDER[:] = [render]


def rendered_pdf(session: Session, kind: str, number: str) -> bytes:
    return _RENDER[0](session, kind, number)
