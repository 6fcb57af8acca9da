"""`db check` invariants for billing: an invoice is the sum of its lines, and what was paid
is the sum of its payments and never more than the total."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from svcdesk.models.billing import Invoice, InvoiceLine, Payment
from svcdesk.services.common.integrity import invariant


@invariant("invoice totals")
def _invoice_totals(session: Session) -> list[str]:
    lines = (
        select(
            InvoiceLine.invoice_id,
            func.sum(InvoiceLine.gross_cents).label("gross"),
            func.sum(InvoiceLine.tax_cents).label("tax"),
            func.sum(InvoiceLine.total_cents).label("total"),
        )
        .group_by(col(InvoiceLine.invoice_id))
        .subquery()
    )
    rows = session.exec(
        select(  # type: ignore[call-overload]  # sqlmodel types select() for <= 4 columns
            Invoice.number,
            Invoice.subtotal_cents,
            Invoice.tax_cents,
            Invoice.total_cents,
            lines.c.gross,
            lines.c.tax,
            lines.c.total,
        ).outerjoin(lines, lines.c.invoice_id == Invoice.id)
    ).all()
    problems = []
    for number, subtotal, tax, total, gross, line_tax, line_total in rows:
        got = (gross or 0, line_tax or 0, line_total or 0)
        if (subtotal, tax, total) != got:
            problems.append(
                f"{number}: header subtotal/tax/total {subtotal}/{tax}/{total} but lines add to "
                f"{got[0]}/{got[1]}/{got[2]} (cents)"
            )
    return problems


@invariant("invoice payments")
def _payments(session: Session) -> list[str]:
    paid = (
        select(Payment.invoice_id, func.sum(Payment.amount_cents).label("paid"))
        .group_by(col(Payment.invoice_id))
        .subquery()
    )
    rows = session.exec(
        select(Invoice.number, Invoice.paid_cents, Invoice.total_cents, paid.c.paid).outerjoin(
            paid, paid.c.invoice_id == Invoice.id
        )
    ).all()
    problems = []
    for number, paid_cents, total, payments in rows:
        if paid_cents != (payments or 0):
            problems.append(
                f"{number}: paid {paid_cents} but payments add to {payments or 0} (cents)"
            )
        if paid_cents > total:
            problems.append(f"{number}: paid {paid_cents} is more than the total {total} (cents)")
    return problems
