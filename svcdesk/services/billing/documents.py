"""Invoice and quote documents as plain text (e-mail bodies; Markdown-friendly tables).

The PDF (`billing.pdf`) renders the same `DocumentData`, so both show the same lines,
coverage notes and totals."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from svcdesk.services.billing import views
from svcdesk.services.common.money import fmt_money, fmt_percent
from svcdesk.services.common.quantity import fmt_qty
from svcdesk.services.common.settings import get_setting


@dataclass(frozen=True)
class DocLine:
    description: str
    qty: str
    unit: str
    amount: str  # net of coverage and discounts, before tax
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class DocumentData:
    """Everything a rendered document shows, already formatted."""

    kind: str  # INVOICE | QUOTE
    number: str
    company: tuple[str, ...]
    header: tuple[tuple[str, str], ...]  # (label, value) pairs: bill to, dates, order...
    sections: tuple[tuple[str, tuple[DocLine, ...], tuple[tuple[str, str], ...]], ...]
    footer: tuple[str, ...] = field(default_factory=tuple)


def company(session: Session) -> tuple[str, ...]:
    keys = ("company.name", "company.address", "company.phone", "company.email")
    return tuple(v for v in (get_setting(session, k) for k in keys) if v)


def _line_notes(ln: views.LineView) -> tuple[str, ...]:
    notes = []
    if ln.covered_cents:
        notes.append(f"{ln.coverage_note or ln.coverage}: -{fmt_money(ln.covered_cents)}")
    if ln.discount_cents:
        notes.append(f"discount: -{fmt_money(ln.discount_cents)}")
    return tuple(notes)


def invoice_document(session: Session, number: str) -> DocumentData:
    d = views.invoice_detail(session, number)
    r = d.row
    header = [("Bill to", r.customer)]
    if d.billing_address:
        header.append(("Billing address", d.billing_address))
    if d.site:
        header.append(("Service site", d.site))
    if r.order:
        header.append(("Work order", r.order))
    header.append(("Status", r.status.replace("_", " ")))
    if r.issued_at:
        header.append(("Issued", r.issued_at.date().isoformat()))
    if r.due_on:
        header.append(("Due", r.due_on.isoformat()))
    if d.void_reason:
        header.append(("Void", d.void_reason))
    lines = tuple(
        DocLine(
            ln.description,
            fmt_qty(ln.qty_milli),
            fmt_money(ln.unit_price_cents),
            fmt_money(ln.net_cents),
            _line_notes(ln),
        )
        for ln in d.lines
    )
    tax_label = "Tax (exempt)" if d.tax_exempt else f"Tax {fmt_percent(d.tax_rate_bp)}"
    totals = [("Subtotal", fmt_money(d.subtotal_cents))]
    if d.covered_cents:
        totals.append(("Coverage", f"-{fmt_money(d.covered_cents)}"))
    if d.discount_cents:
        totals.append(("Discounts", f"-{fmt_money(d.discount_cents)}"))
    totals += [(tax_label, fmt_money(d.tax_cents)), ("Total", fmt_money(r.total_cents))]
    if r.paid_cents:
        totals.append(("Paid", f"-{fmt_money(r.paid_cents)}"))
    totals.append(("Balance due", fmt_money(r.balance_cents)))
    footer = tuple(
        f"Payment {p.received_on.isoformat()} {p.method} {fmt_money(p.amount_cents)}"
        + (f" ref {p.reference}" if p.reference else "")
        for p in d.payments
    )
    if d.memo:
        footer = (d.memo, *footer)
    return DocumentData(
        "INVOICE", r.number, company(session), tuple(header), (("", lines, tuple(totals)),), footer
    )


def quote_document(session: Session, number: str) -> DocumentData:
    from svcdesk.services.billing import quotes

    quote = quotes.get_quote(session, number)
    data = views.quote_json(session, quote)
    header = [("For", data["customer"]), ("Work", data["title"]), ("Status", data["status"])]
    if data["order"]:
        header.append(("Work order", data["order"]))
    if data["valid_until"]:
        header.append(("Valid until", data["valid_until"]))
    sections = []
    for opt in data["options"]:
        lines = tuple(
            DocLine(
                ln["description"],
                fmt_qty(ln["qty_milli"]),
                fmt_money(ln["unit_price_cents"]),
                fmt_money(ln["net_cents"]),
            )
            for ln in opt["lines"]
        )
        totals = (
            ("Subtotal", fmt_money(opt["subtotal_cents"])),
            ("Tax", fmt_money(opt["tax_cents"])),
            ("Total", fmt_money(opt["total_cents"])),
        )
        title = f"Option {opt['position']}: {opt['name']}" + (" (chosen)" if opt["chosen"] else "")
        sections.append((title if len(data["options"]) > 1 else "", lines, totals))
    footer = (data["notes"],) if data["notes"] else ()
    return DocumentData(
        "QUOTE", data["number"], company(session), tuple(header), tuple(sections), footer
    )


def render_text(doc: DocumentData) -> str:
    """Plain text, 78 columns, readable as Markdown (tables are pipe tables)."""
    out = [f"# {doc.kind} {doc.number}", ""]
    out += [f"{line}  " for line in doc.company]
    out.append("")
    out += [f"**{label}:** {value}  " for label, value in doc.header]
    for title, lines, totals in doc.sections:
        out.append("")
        if title:
            out += [f"## {title}", ""]
        out.append("| Description | Qty | Unit | Amount |")
        out.append("|---|---:|---:|---:|")
        for ln in lines:
            desc = ln.description.replace("|", "/")
            if ln.notes:
                desc += " (" + "; ".join(n.replace("|", "/") for n in ln.notes) + ")"
            out.append(f"| {desc} | {ln.qty} | {ln.unit} | {ln.amount} |")
        out.append("")
        width = max(len(label) for label, _ in totals)
        out += [f"    {label.ljust(width)}  {value:>12}" for label, value in totals]
    if doc.footer:
        out.append("")
        out += list(doc.footer)
    return "\n".join(out) + "\n"
