"""Invoice and quote PDFs with fpdf2 (pure Python, no system libraries; see
docs/dependencies.md). Built from the same `DocumentData` as the plain-text version."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from sqlmodel import Session

from svcdesk.atomicfile import atomic_write_bytes, check_target, is_stdout
from svcdesk.clock import now
from svcdesk.services.billing.documents import DocumentData

_REPLACE = {
    "\u2014": "-",
    "\u2013": "-",
    "\u2019": "'",
    "\u2018": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2026": "...",
}
WIDTHS = (110, 20, 30, 30)  # description, qty, unit, amount (mm; A4 text width 190)


def _t(text: str) -> str:
    """The core PDF fonts speak Latin-1: map common typography, replace the rest."""
    for a, b in _REPLACE.items():
        text = text.replace(a, b)
    return text.encode("latin-1", "replace").decode("latin-1")


def render_pdf(doc: DocumentData) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_creation_date(now())
    pdf.set_title(_t(f"{doc.kind.title()} {doc.number}"))
    pdf.set_author(_t(doc.company[0] if doc.company else "svcdesk"))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(120, 8, _t(doc.company[0] if doc.company else ""))
    pdf.cell(70, 8, _t(f"{doc.kind} {doc.number}"), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    for line in doc.company[1:]:
        pdf.cell(0, 5, _t(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "", 10)
    for label, value in doc.header:
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(35, 6, _t(label))
        pdf.set_font("Helvetica", "", 10)
        pdf.multi_cell(155, 6, _t(value), new_x="LMARGIN", new_y="NEXT")
    for title, lines, totals in doc.sections:
        pdf.ln(4)
        if title:
            pdf.set_font("Helvetica", "B", 12)
            pdf.cell(0, 7, _t(title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "B", 10)
        pdf.set_fill_color(230, 230, 230)
        for head, width, align in zip(
            ("Description", "Qty", "Unit", "Amount"), WIDTHS, "LRRR", strict=True
        ):
            pdf.cell(width, 7, head, fill=True, align=align)
        pdf.ln(7)
        for ln in lines:
            pdf.set_font("Helvetica", "", 10)
            pdf.cell(WIDTHS[0], 6, _t(ln.description[:70]))
            pdf.cell(WIDTHS[1], 6, ln.qty, align="R")
            pdf.cell(WIDTHS[2], 6, ln.unit, align="R")
            pdf.cell(WIDTHS[3], 6, ln.amount, align="R", new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("Helvetica", "I", 8)
            for note in ln.notes:
                pdf.cell(5, 4, "")
                pdf.cell(0, 4, _t(note), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        for label, value in totals:
            bold = label in ("Total", "Balance due")
            pdf.set_font("Helvetica", "B" if bold else "", 10)
            pdf.cell(sum(WIDTHS[:3]), 6, _t(label), align="R")
            pdf.cell(WIDTHS[3], 6, value, align="R", new_x="LMARGIN", new_y="NEXT")
    if doc.footer:
        pdf.ln(4)
        pdf.set_font("Helvetica", "", 9)
        for line in doc.footer:
            pdf.multi_cell(0, 5, _t(line), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def document_pdf(session: Session, kind: str, number: str) -> bytes:
    """The PDF of quote or invoice `number` (what `billing/outgoing` attaches)."""
    from svcdesk.services.billing import documents

    make = documents.quote_document if kind == "quote" else documents.invoice_document
    return render_pdf(make(session, number))


def write_pdf(doc: DocumentData, out: Path, mode: int = 0o600) -> Path:
    """Write to a temp name (0600) and rename: a reader never sees half a file; `-` is
    standard output; a device, FIFO, symlink or directory at `out` is refused
    (svcdesk/atomicfile.py)."""
    if not is_stdout(out):
        out = check_target(out, "pdf: --out")
    return atomic_write_bytes(out, render_pdf(doc), what="pdf", mode=mode)


def write_invoice_file(session: Session, number: str, folder: Path) -> Path:
    """Invoice `number` as `<folder>/<number>.pdf` (the folder made when missing), with the
    shop's file mode for customer data."""
    from svcdesk.services.billing.documents import invoice_document
    from svcdesk.services.common.files import file_mode

    doc = invoice_document(session, number)
    folder.mkdir(parents=True, exist_ok=True)
    return write_pdf(doc, folder / f"{doc.number}.pdf", file_mode(session))
