"""Invoices (`i`): the invoice list with filters, the invoice editor, and the "ready to
invoice" queue of completed orders.

Left: invoices (newest first) filtered by `/` text (number, customer, order), `f` status
(all, draft, sent, partially paid, paid, void) and `o` overdue only; or, after `R`, the
completed orders waiting for an invoice, where `enter` builds the draft in one keystroke.
Right: the highlighted invoice: every line with its source (time entry, part usage, price
book task, quote line, visit) and the coverage applied, then the totals and payments.
Keys on an invoice: `a` add a line, `d` remove the highlighted line, `%` discount, `s` send
(issue), `p` record a payment, `v` void, `e` write the PDF (next to the database)."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Header, Input, Label, Select, Static

from svcdesk.config import data_dir_for
from svcdesk.errors import InvalidInput, SvcDeskError
from svcdesk.models.billing import InvoiceStatus, PaymentMethod
from svcdesk.services.billing import from_order, invoices, payments, pdf, views
from svcdesk.services.billing.arith import parse_discount
from svcdesk.services.common.money import fmt_money, parse_money
from svcdesk.services.common.quantity import fmt_qty
from svcdesk.services.common.timefmt import fmt
from svcdesk.services.common.words import status_words
from svcdesk.services.orders import lifecycle
from svcdesk.tui.base import DataModal, DataScreen
from svcdesk.tui.cells import clip
from svcdesk.tui.columns import Column, fit, key_table
from svcdesk.tui.confirm import confirm, plural
from svcdesk.tui.data import call, call_on
from svcdesk.tui.order_actions import ChoiceModal, TextModal
from svcdesk.tui.registry import register_screen
from svcdesk.tui.search_filter import SearchFilter
from svcdesk.tui.widgets.table import KeyTable

FILTERS = ("all", "draft", "sent", "partially_paid", "paid", "void")
STATUS_STYLE = {
    "draft": "dim",
    "sent": "bold",
    "partially_paid": "dark_orange",
    "paid": "green",
    "void": "strike dim",
}


# The list keeps number, customer, status, total, balance and due at 100 columns (the
# invoice pane then sits below it); the spare width goes to the customer.
COLUMNS = (
    Column("Number", 10, rank=0),
    Column("Customer", 12, rank=1, grow=1, most=32),
    Column("Status", 14, rank=2),
    Column("Total", 10, rank=3),
    Column("Balance", 10, rank=4),
    Column("Due", 10, rank=5),
)
PANE_WIDTH = 74
SIDE_BY_SIDE_FROM = 156  # narrower: the invoice pane below the list


def invoice_cells(r: views.InvoiceRow, widths: dict[str, int]) -> tuple:
    cells = {
        "number": lambda w: r.number,
        "customer": lambda w: clip(r.customer, w),
        "status": lambda w: Text(
            clip(r.status.replace("_", " ") + (" !" if r.overdue else ""), w),
            style="bold red" if r.overdue else STATUS_STYLE.get(r.status, ""),
        ),
        "total": lambda w: fmt_money(r.total_cents),
        "balance": lambda w: fmt_money(r.balance_cents),
        "due": lambda w: r.due_on.isoformat() if r.due_on else "",
    }
    return tuple(cells[key](width) for key, width in widths.items())


# -- service calls (run in a worker) ----------------------------------------------------
def fetch_lists(status: str, overdue: bool, text: str):
    return call(views.invoice_lists, status, overdue=overdue, text=text)


def _edit(number: str, version: int, action, *, said: bool = False):
    """`action(session, invoice)` on the invoice as shown (version checked); returns its
    number, or what the action said (`said`)."""

    def fn(session):
        inv = invoices.get_invoice(session, number, expected_version=version)
        result = action(session, inv)
        return result if said else inv.number

    return fn


def invoice_order(number: str, actor: str, skip_unapproved: bool = False):
    return call_on(lifecycle.get_order, number, from_order.invoice_order, actor=actor,
                   skip_unapproved=skip_unapproved, then=lambda inv: inv.number)  # fmt: skip


def invoice_all(actor: str):
    return call(from_order.invoice_ready, actor=actor,
                then=lambda run: ([n for n, _, _ in run.made], run.skipped, run.waiting))  # fmt: skip


def parse_line(session, text: str) -> invoices.LineDraft:
    """'TRIP', 'DIAG x2' (price book), or 'Description; 125.00; 1.5' (free-form)."""
    from svcdesk.services.billing import quotes
    from svcdesk.services.common.quantity import parse_qty

    parts = [p.strip() for p in text.split(";")]
    if len(parts) == 1:
        code, _, qty = parts[0].partition(" x")
        return quotes.item_draft(session, code.strip(), parse_qty(qty or "1"))
    if len(parts) in (2, 3) and parts[0]:
        qty = parse_qty(parts[2]) if len(parts) == 3 and parts[2] else 1000
        return invoices.LineDraft(parts[0], parse_money(parts[1], field="price"), qty)
    raise InvalidInput("line: type a price book code (DIAG x2) or 'description; price; qty'")


def write_document(number: str, folder: Path):
    return call(pdf.write_invoice_file, number, folder, then=str)


def customer_link(screen: DataScreen, kind: str, number: str) -> None:
    """Make a customer link for quote or invoice `number` (docs/customer-links.md) and show
    it long enough to copy."""
    from svcdesk.services.billing import portal

    make = portal.create_quote_link if kind == "quote" else portal.create_invoice_link
    actor = screen.app.actor  # type: ignore[attr-defined]
    screen.save(
        lambda s: make(s, number, base_url=portal.public_base(s), actor=actor).url,
        lambda url: screen.app.notify(f"Link for {number}: {url}", timeout=60),
        group="link",
    )


# -- dialogs ------------------------------------------------------------------------------
class PaymentModal(DataModal):
    """Amount (defaults to the balance), method and reference; enter saves."""

    def __init__(self, row: views.InvoiceRow, actor: str) -> None:
        super().__init__()
        self.row, self.actor = row, actor

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(
                f"Payment on {self.row.number} (balance {fmt_money(self.row.balance_cents)})",
                classes="title",
            )
            yield Input(f"{self.row.balance_cents / 100:.2f}", placeholder="amount", id="amount")
            yield Select(
                [(status_words(m), m.value) for m in PaymentMethod],
                value=PaymentMethod.CHECK.value,
                allow_blank=False,
                id="method",
            )
            yield Input(placeholder="reference (check no., auth code)", id="ref")
            yield Static(id="error", classes="field-error")
            yield Static("enter saves · escape cancels", classes="hint")

    @on(Input.Submitted)
    def _save(self) -> None:
        amount = self.query_one("#amount", Input).value
        method = str(self.query_one("#method", Select).value)
        ref = self.query_one("#ref", Input).value
        actor = self.actor

        def action(session, inv):
            payments.add_payment(
                session, inv, parse_money(amount), method=method, reference=ref, actor=actor
            )

        self.submit(_edit(self.row.number, self.row.version, action))


# -- the screen ---------------------------------------------------------------------------
class InvoicesScreen(SearchFilter, DataScreen):
    list_table = "invoices"
    escape_to_list = ("#filter", "#inv-lines")
    help_title = "Invoices"
    DEFAULT_CSS = """
    InvoicesScreen #inv-body { height: 1fr; }
    InvoicesScreen #inv-left { width: 1fr; }
    InvoicesScreen #inv-pane { width: 74; border-left: vkey $border-blurred; }
    InvoicesScreen.-narrow #inv-body { layout: vertical; }
    InvoicesScreen.-narrow #inv-pane { width: 1fr; border-left: none;
                                       border-top: hkey $border-blurred; }
    InvoicesScreen #inv-mode { height: 1; padding: 0 1; }
    InvoicesScreen #inv-head { height: auto; padding: 0 1; }
    InvoicesScreen #inv-lines { height: 1fr; }
    InvoicesScreen #inv-line { height: auto; padding: 0 1; color: $text-muted; }
    InvoicesScreen #inv-totals { height: auto; padding: 0 1; border-top: hkey $border-blurred; }
    InvoicesScreen #ready { display: none; }
    InvoicesScreen.ready-mode #ready { display: block; }
    InvoicesScreen.ready-mode #invoices { display: none; }
    """
    BINDINGS = [
        Binding("slash", "focus_search", "Search", key_display="/"),
        Binding("f", "cycle_status", "Status"),
        Binding("o", "toggle_overdue", "Overdue"),
        Binding("R", "toggle_ready", "Ready to invoice"),
        Binding("I", "invoice_all", "Invoice all"),  # shown in the ready queue only
        Binding("a", "add_line", "Add line"),
        Binding("d", "remove_line", "Remove line"),
        Binding("percent_sign", "discount", "Discount", key_display="%"),
        Binding("s", "send", "Send"),
        Binding("p", "pay", "Payment"),
        Binding("v", "void", "Void"),
        Binding("e", "pdf", "PDF"),
        Binding("L", "link", "Customer link", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.status = "all"
        self.overdue = False
        self.text = ""
        self.ready_mode = False
        self.rows: dict[str, views.InvoiceRow] = {}
        self.widths: dict[str, int] = {}  # the list's shown columns (key -> width)
        self.ready_rows: list[views.ReadyOrder] = []
        self.detail: views.InvoiceDetail | None = None
        self.wanted: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="inv-body"):
            with Vertical(id="inv-left"):
                yield Input(placeholder="/ search: number, customer, order", id="filter")
                yield Static(id="inv-mode")
                table = KeyTable(id="invoices")
                for column, width in self._fit(self.app.size.width):
                    table.add_column(column.label, width=width, key=column.key)
                yield table
                yield key_table(
                    "ready",
                    ("Order", 9),
                    ("Customer", 14),
                    ("Summary", 20),
                    ("Completed", 11),
                )
            with Vertical(id="inv-pane"):
                yield Static(id="inv-head")
                yield key_table(
                    "inv-lines",
                    ("#", 2),
                    ("Kind", 5),
                    ("Description", 22),
                    ("Qty", 4),
                    ("Net", 9),
                    ("Source/cover", 16),
                )
                yield Static(id="inv-line")
                yield Static(id="inv-totals")
        yield Footer()

    def _fit(self, width: int) -> list:
        """The list's columns for a terminal `width` wide (the pane beside or below)."""
        narrow = width < SIDE_BY_SIDE_FROM
        self.set_class(narrow, "-narrow")
        fitted = fit(COLUMNS, width if narrow else width - PANE_WIDTH)
        self.widths = {column.key: w for column, w in fitted}
        return fitted

    def on_resize(self) -> None:
        fitted = self._fit(self.size.width)
        self.query_one("#invoices", KeyTable).set_columns(
            [(c.key, c.label, w) for c, w in fitted],
            ((n, invoice_cells(r, self.widths)) for n, r in self.rows.items()),
        )

    def on_mount(self) -> None:
        self.query_one("#invoices", KeyTable).focus()

    # -- data -------------------------------------------------------------------------
    def refresh_data(self) -> None:
        self.load(fetch_lists(self.status, self.overdue, self.text), self._show, group="rows")

    def _show(self, data: views.InvoiceLists) -> None:
        self.rows = {r.number: r for r in data.invoices}
        self.ready_rows = data.ready
        table = self.query_one("#invoices", KeyTable)
        widths = self.widths
        table.replace_rows((r.number, invoice_cells(r, widths)) for r in data.invoices)
        # The cursor follows what was just created; a load that started before the
        # commit lacks it, so `wanted` waits for the load that has it.
        if self.wanted in self.rows:
            table.move_cursor(row=table.get_row_index(self.wanted), animate=False)
            self.wanted = None
        zone = self.app.zone
        self.query_one("#ready", KeyTable).replace_rows(
            (
                r.number,
                (
                    r.number,
                    clip(r.customer, 14),
                    clip(r.summary, 20),
                    fmt(r.completed_at, zone, "%m-%d %H:%M"),
                ),
            )
            for r in data.ready
        )
        self._mode_line()
        self._load_detail()

    def _mode_line(self) -> None:
        if self.ready_mode:
            text = (
                f"Ready to invoice: {len(self.ready_rows)} orders · enter builds the invoice"
                " · I invoices them all"
            )
        else:
            text = f"{len(self.rows)} invoices · status {self.status.replace('_', ' ')}"
            if self.overdue:
                text += " · overdue only"
            text += f" · {len(self.ready_rows)} orders ready to invoice (R)"
        self.query_one("#inv-mode", Static).update(text)

    def current(self) -> views.InvoiceRow | None:
        return self.cursor_row("#invoices", self.rows)

    def _load_detail(self) -> None:
        row = self.current()
        if row is None:
            self.detail = None
            self.query_one("#inv-head", Static).update(Text("No invoice", style="dim"))
            self.query_one("#inv-lines", KeyTable).replace_rows([])
            self.query_one("#inv-totals", Static).update("")
            return
        number = row.number
        self.load(call(views.invoice_detail, number), self._show_detail, group="detail")

    def _show_detail(self, d: views.InvoiceDetail) -> None:
        self.detail = d
        r = d.row
        head = Text()
        head.append(f"{r.number}  ", style="bold")
        head.append(r.status.replace("_", " "), style=STATUS_STYLE.get(r.status, ""))
        head.append(f"  {r.customer}" + (f"  ({r.order})" if r.order else "") + "\n")
        if d.site:
            head.append(f"{d.site}\n", style="dim")
        if r.issued_at:
            head.append(f"Issued {fmt(r.issued_at, self.app.zone, '%Y-%m-%d')}  due {r.due_on}")
            if r.overdue:
                head.append("  OVERDUE", style="bold red")
            head.append("\n")
        if d.void_reason:
            head.append(f"Void: {d.void_reason}\n", style="bold")
        self.query_one("#inv-head", Static).update(head)
        self.query_one("#inv-lines", KeyTable).replace_rows(
            (
                str(ln.position),
                (
                    str(ln.position),
                    ln.kind,
                    clip(ln.description, 22),
                    fmt_qty(ln.qty_milli),
                    fmt_money(ln.net_cents),
                    Text(clip(ln.coverage, 16), style="green")
                    if ln.coverage
                    else clip(ln.source.replace("_", " "), 16),
                ),
            )
            for ln in d.lines
        )
        self._line_info()
        tax = "exempt" if d.tax_exempt else f"{d.tax_rate_bp / 100:g}%"
        totals = Text()
        totals.append(
            f"Subtotal {fmt_money(d.subtotal_cents)}  coverage "
            f"-{fmt_money(d.covered_cents)}  discounts -{fmt_money(d.discount_cents)}\n"
        )
        totals.append(f"Tax ({tax}) {fmt_money(d.tax_cents)}  ")
        totals.append(f"Total {fmt_money(r.total_cents)}", style="bold")
        totals.append(f"  paid {fmt_money(r.paid_cents)}  ")
        totals.append(f"balance {fmt_money(r.balance_cents)}", style="bold")
        for p in d.payments:
            totals.append(
                f"\n  {p.received_on} {p.method} {fmt_money(p.amount_cents)} {p.reference or ''}"
            )
        self.query_one("#inv-totals", Static).update(totals)

    # -- events -----------------------------------------------------------------------
    def on_data_table_row_highlighted(self, event: KeyTable.RowHighlighted) -> None:
        event.stop()
        if event.data_table.id == "invoices":
            self._load_detail()
        elif event.data_table.id == "inv-lines":
            self._line_info()

    def _line_info(self) -> None:
        """The highlighted line's full source and coverage (where the money comes from)."""
        key = self.query_one("#inv-lines", KeyTable).current_key
        line = next(
            (ln for ln in (self.detail.lines if self.detail else []) if str(ln.position) == key),
            None,
        )
        info = Text()
        if line is not None:
            info.append(f"{line.position}. {line.description}\n", style="bold")
            info.append(
                f"{fmt_qty(line.qty_milli)} x {fmt_money(line.unit_price_cents)} = "
                f"{fmt_money(line.gross_cents)}; from {line.source_label or line.source}"
            )
            if line.coverage:
                info.append(
                    f"\n{line.coverage}: {line.coverage_note} -{fmt_money(line.covered_cents)}",
                    style="green",
                )
            if line.discount_cents:
                info.append(f"\ndiscount -{fmt_money(line.discount_cents)}")
            if line.tax_cents:
                info.append(f"  tax {fmt_money(line.tax_cents)}")
        self.query_one("#inv-line", Static).update(info)

    def on_data_table_row_selected(self, event: KeyTable.RowSelected) -> None:
        event.stop()
        if event.data_table.id == "ready":
            self._invoice_order(event.row_key.value)
        elif event.data_table.id == "invoices":
            self.query_one("#inv-lines", KeyTable).focus()

    # -- actions ----------------------------------------------------------------------
    def action_cycle_status(self) -> None:
        self.status = FILTERS[(FILTERS.index(self.status) + 1) % len(FILTERS)]
        self.refresh_data()

    def action_toggle_overdue(self) -> None:
        self.overdue = not self.overdue
        self.refresh_data()

    def action_toggle_ready(self) -> None:
        self.ready_mode = not self.ready_mode
        self.set_class(self.ready_mode, "ready-mode")
        self.refresh_bindings()
        self.query_one("#ready" if self.ready_mode else "#invoices", KeyTable).focus()
        self._mode_line()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "invoice_all":
            return self.ready_mode
        return super().check_action(action, parameters)

    def action_invoice_all(self) -> None:
        """Every order in the ready queue at once (orders with nothing to bill stay)."""

        def done(result: tuple[list[str], list[str], list[str]]) -> None:
            made, skipped, unapproved = result
            text = f"{len(made)} invoices drafted" + (f" ({made[0]}..{made[-1]})" if made else "")
            if skipped:
                text += f"; nothing to bill on {', '.join(skipped)}"
            if unapproved:
                text += f"; time not approved on {', '.join(unapproved)} (T: time approval)"
            self.app.notify(text)
            if made:
                self.wanted = made[0]
                self.status, self.overdue, self.text = "all", False, ""
                self.action_toggle_ready()

        count = len(self.ready_rows)
        if not count:
            self.app.notify("no order is ready to invoice")
            return
        confirm(self.app, f"Draft invoices for {plural(count, 'ready order')}?",
                lambda: self.save(invoice_all(self.app.actor), done),
                "Each order becomes a draft invoice (send them with s).",
                yes="Invoice all")  # fmt: skip

    def _invoice_order(self, number: str) -> None:
        def done(invoice_number: str) -> None:
            self.app.notify(f"{invoice_number} drafted from {number}")
            self.wanted = invoice_number
            self.status, self.overdue, self.text = "all", False, ""
            if self.ready_mode:
                self.action_toggle_ready()

        def choose(exc: SvcDeskError) -> bool:
            if not isinstance(exc, from_order.UnapprovedTime):
                return False
            choices = [
                ("Invoice without the unapproved time", "skip"),
                ("Approve the time first (time approval)", "approve"),
                ("Cancel", None),
            ]

            def picked(choice) -> None:
                if choice == "skip":
                    self.save(invoice_order(number, self.app.actor, True), done)
                elif choice == "approve":
                    self.app.action_goto("time")

            self.app.push_screen(ChoiceModal(str(exc), choices), picked)
            return True

        self.save(invoice_order(number, self.app.actor), done, on_error=choose)

    def _row(self) -> views.InvoiceRow | None:
        row = self.current()
        if row is None or self.ready_mode:
            self.app.notify("no invoice selected", severity="warning")
            return None
        return row

    def _draft_row(self) -> views.InvoiceRow | None:
        row = self._row()
        if row is not None and row.status != InvoiceStatus.DRAFT.value:
            self.app.notify(
                f"{row.number} is {status_words(row.status)}; only a draft can change (void it and "
                "invoice again)",
                severity="warning",
            )
            return None
        return row

    def action_add_line(self) -> None:
        if row := self._draft_row():

            def make(text: str):
                return _edit(
                    row.number,
                    row.version,
                    lambda s, inv: invoices.add_line(s, inv, parse_line(s, text)),
                )

            self.app.push_screen(
                TextModal(
                    f"Add a line to {row.number}", "DIAG x2  or  description; price; qty", make
                )
            )

    def action_remove_line(self) -> None:
        row = self._draft_row()
        key = self.query_one("#inv-lines", KeyTable).current_key
        if row is None or key is None:
            return
        position = int(key)
        self.save(
            _edit(row.number, row.version, lambda s, inv: invoices.remove_line(s, inv, position))
        )

    def action_discount(self) -> None:
        if row := self._draft_row():

            def make(text: str):
                def action(s, inv):
                    bp, amount = parse_discount(text)
                    invoices.set_invoice_discount(s, inv, bp=bp, amount_cents=amount)

                return _edit(row.number, row.version, action)

            self.app.push_screen(
                TextModal(f"Discount on {row.number}", "10%  or  25.00  (0 removes it)", make)
            )

    def action_send(self) -> None:
        if row := self._row():
            actor = self.app.actor

            def send() -> None:
                self.save(
                    _edit(row.number, row.version,
                          lambda s, inv: invoices.send_invoice(s, inv, actor=actor), said=True),
                    lambda words: self.app.notify(f"{row.number} sent; customer: {words}"),
                )  # fmt: skip

            confirm(self.app, f"Send 1 invoice: {row.number} to {row.customer}, "
                    f"{fmt_money(row.total_cents)}?", send,
                    "Sending issues it: its lines are then fixed.", yes="Send")  # fmt: skip

    def action_pay(self) -> None:
        if row := self._row():
            self.app.push_screen(PaymentModal(row, self.app.actor))

    def action_void(self) -> None:
        if row := self._row():
            actor = self.app.actor

            def make(reason: str):
                return _edit(
                    row.number,
                    row.version,
                    lambda s, inv: invoices.void(s, inv, reason, actor=actor),
                )

            self.app.push_screen(TextModal(f"Void {row.number}: reason", "why?", make))

    def action_pdf(self) -> None:
        if row := self._row():
            folder = data_dir_for(str(self.app.engine.url)) / "documents"
            self.load(
                write_document(row.number, folder),
                lambda path: self.app.notify(f"PDF written to {path}"),
                group="pdf",
            )

    def action_link(self) -> None:
        """A link the customer opens to see the invoice and download its PDF."""
        if row := self._row():
            customer_link(self, "invoice", row.number)


@register_screen("i", "invoices", "Invoices", help="Invoices, payments, ready to invoice", order=40)
def _invoices(app) -> InvoicesScreen:
    return InvoicesScreen()
