"""Quotes (`Q`): estimates with good/better/best options, from the first draft to the order.

Left: quotes (newest first), `/` to find a number, title or customer, `f` status (all,
draft, sent, approved, declined, expired). Right: the highlighted quote as the customer sees
it (each option's lines and totals). Keys on a quote: `N` new quote, `a` add a line (price
book code or free-form, to an option), `s` send (asks first), `A` approve the option the
customer chose, `x` decline with the reason, `o` make the order of an approved quote, `L` a
link the customer opens to approve it (docs/customer-links.md). Every rule is in
`services/billing/quotes.py`; the same as `svcdesk quotes ...`."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Header, Input, Label, Static

from svcdesk.services.billing import documents, quotes, views
from svcdesk.services.common.money import fmt_money
from svcdesk.tui.base import DataModal, DataScreen
from svcdesk.tui.cells import clip
from svcdesk.tui.columns import key_table
from svcdesk.tui.data import call, call_on
from svcdesk.tui.order_actions import ChoiceModal, TextModal
from svcdesk.tui.registry import register_screen
from svcdesk.tui.screens.invoices import customer_link, parse_line
from svcdesk.tui.search_filter import SearchFilter
from svcdesk.tui.widgets.table import KeyTable

FILTERS = ("all", "draft", "sent", "approved", "declined", "expired")
STATUS_STYLE = {
    "draft": "dim",
    "sent": "bold",
    "approved": "green",
    "declined": "dark_orange",
    "expired": "strike dim",
}


# -- service calls (run in a worker) ----------------------------------------------------
def fetch_quotes(status: str, text: str):
    return call(views.list_quotes, statuses=None if status == "all" else [status],
                text=text or None)  # fmt: skip


def fetch_document(number: str):
    return call(documents.quote_document, number)


def on_quote(number: str, action):
    """Run `action(session, quote)` in one write and return the quote's number."""

    def fn(session):
        quote = quotes.get_quote(session, number)
        action(session, quote)
        return quote.number

    return fn


def new_quote(customer: str, title: str, days: str, actor: str):
    return call(
        quotes.draft_quote,
        title,
        customer=customer,
        valid_days=days,
        actor=actor,
        then=lambda quote: quote.number,
    )


def option_choices(number: str):
    """(label, option name) of a quote's options with their totals, for the approve picker."""

    def fn(session):
        quote = quotes.get_quote(session, number)
        return [
            (f"{p.option.name}: {fmt_money(p.totals.total_cents)}", p.option.name)
            for p in quotes.totals(session, quote)
        ]

    return fn


# -- dialogs ------------------------------------------------------------------------------
class NewQuoteModal(DataModal):
    """Customer, what the quote is for, days it is valid; enter saves a draft."""

    def __init__(self, actor: str) -> None:
        super().__init__()
        self.actor = actor

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("New quote", classes="title")
            yield Input(placeholder="customer: name, phone or id", id="customer")
            yield Input(placeholder="for: e.g. Furnace replacement options", id="title")
            yield Input(placeholder="valid for (days; blank = the shop's default)", id="days")
            yield Static(id="error", classes="field-error")
            yield Static("enter saves · escape cancels", classes="hint")

    @on(Input.Submitted)
    def _save(self) -> None:
        values = {i.id: i.value for i in self.query(Input)}
        self.submit(new_quote(values["customer"], values["title"], values["days"], self.actor))


class LineModal(DataModal):
    """A line on a draft: the option it belongs to and the line itself."""

    def __init__(self, number: str, options: list[str]) -> None:
        super().__init__()
        self.number, self.options = number, options

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Add a line to {self.number}", classes="title")
            names = ", ".join(self.options) or "none yet"
            yield Input(
                placeholder=f"option (now: {names}; a new name adds one; blank = the only one)",
                id="option",
            )
            yield Input(placeholder="DIAG x2, or 'description; price; qty'", id="line")
            yield Static(id="error", classes="field-error")
            yield Static("enter saves · escape cancels", classes="hint")

    @on(Input.Submitted)
    def _save(self) -> None:
        option = self.query_one("#option", Input).value.strip() or None
        text = self.query_one("#line", Input).value

        def action(session, quote):
            quotes.add_line(session, quote, parse_line(session, text), option=option)

        self.submit(on_quote(self.number, action))


# -- the screen ---------------------------------------------------------------------------
class QuotesScreen(SearchFilter, DataScreen):
    list_table = "quotes"
    escape_to_list = ("#filter",)
    help_title = "Quotes"
    DEFAULT_CSS = """
    QuotesScreen #q-body { height: 1fr; }
    QuotesScreen #q-left { width: 1fr; }
    QuotesScreen #q-pane { width: 74; border-left: vkey $border-blurred; }
    QuotesScreen #q-mode { height: 1; padding: 0 1; }
    QuotesScreen #q-doc { height: auto; padding: 0 1; }
    """
    BINDINGS = [
        Binding("slash", "focus_search", "Search", key_display="/"),
        Binding("f", "cycle_status", "Status"),
        Binding("N", "new_quote", "New quote"),
        Binding("a", "add_line", "Add line"),
        Binding("s", "send", "Send"),
        Binding("A", "approve", "Approve"),
        Binding("x", "decline", "Decline"),
        Binding("o", "to_order", "Make order"),
        Binding("L", "link", "Customer link"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.status = "all"
        self.text = ""
        self.rows: dict[str, views.QuoteRow] = {}
        self.wanted: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="q-body"):
            with Vertical(id="q-left"):
                yield Input(placeholder="/ search: number, title, customer", id="filter")
                yield Static(id="q-mode")
                yield key_table(
                    "quotes",
                    ("Number", 9),
                    ("Status", 9),
                    ("Customer", 12),
                    ("For", 15),
                    ("Total", 10),
                )
            with VerticalScroll(id="q-pane"):
                yield Static(id="q-doc")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#quotes", KeyTable).focus()

    # -- data -------------------------------------------------------------------------
    def refresh_data(self) -> None:
        self.load(fetch_quotes(self.status, self.text), self._show, group="rows")

    def _show(self, rows: list[views.QuoteRow]) -> None:
        self.rows = {r.number: r for r in rows}
        table = self.query_one("#quotes", KeyTable)
        table.replace_rows(
            (
                r.number,
                (
                    r.number,
                    Text(r.status, style=STATUS_STYLE.get(r.status, "")),
                    clip(r.customer, 12),
                    clip(r.title, 15),
                    fmt_money(r.total_cents),
                ),
            )
            for r in rows
        )
        wanted, self.wanted = self.wanted, None
        if wanted in self.rows:
            table.move_cursor(row=table.get_row_index(wanted), animate=False)
        self.query_one("#q-mode", Static).update(
            f"{len(rows)} quotes · status {self.status} · N new quote"
        )
        self._load_detail()

    def current(self) -> views.QuoteRow | None:
        return self.cursor_row("#quotes", self.rows)

    def _load_detail(self) -> None:
        row = self.current()
        if row is None:
            self.query_one("#q-doc", Static).update(Text("No quote · N makes one", style="dim"))
            return
        self.load(fetch_document(row.number), self._show_detail, group="detail")

    def _show_detail(self, doc: documents.DocumentData) -> None:
        out = Text()
        out.append(f"{doc.kind.title()} {doc.number}\n", style="bold")
        for label, value in doc.header:
            out.append(f"{label}: ", style="dim")
            out.append(f"{value}\n")
        for title, lines, totals in doc.sections:
            out.append(f"\n{title or 'Lines'}\n", style="bold")
            if not lines:
                out.append("  no lines yet (a adds one)\n", style="dim")
            for ln in lines:
                out.append(f"  {clip(ln.description, 40):<40} {ln.qty:>5} {ln.amount:>12}\n")
            for label, value in totals:
                out.append(f"  {label:>46} {value:>12}\n")
        for line in doc.footer:
            out.append(f"\n{line}\n", style="italic")
        self.query_one("#q-doc", Static).update(out)

    def on_data_table_row_highlighted(self, event: KeyTable.RowHighlighted) -> None:
        event.stop()
        self._load_detail()

    # -- actions ----------------------------------------------------------------------
    def _saved(self, what: str):
        def done(number: str | None) -> None:
            if number:
                self.wanted = number
                self.app.notify(f"{number} {what}")
                self.refresh_data()

        return done

    def action_cycle_status(self) -> None:
        self.status = FILTERS[(FILTERS.index(self.status) + 1) % len(FILTERS)]
        self.refresh_data()

    def action_new_quote(self) -> None:
        def made(number: str | None) -> None:
            if number:
                self.status, self.text, self.wanted = "all", "", number
                self.app.notify(f"{number} drafted · a adds a line")
                self.refresh_data()

        self.app.push_screen(NewQuoteModal(self.app.actor), made)

    def action_add_line(self) -> None:
        if row := self.current():

            def ask(choices: list[tuple[str, str]]) -> None:
                names = [name for _, name in choices]
                self.app.push_screen(LineModal(row.number, names), self._saved("line added"))

            self.load(option_choices(row.number), ask, group="options")

    def action_send(self) -> None:
        if row := self.current():
            actor = self.app.actor

            def confirmed(yes) -> None:
                if yes:
                    send = call_on(quotes.get_quote, row.number, quotes.send_quote, actor=actor)
                    self.save(
                        send, lambda words: self._saved(f"sent; customer: {words}")(row.number)
                    )

            self.app.push_screen(
                ChoiceModal(
                    f"Send {row.number} to {row.customer}?", [("Send", True), ("Cancel", False)]
                ),
                confirmed,
            )

    def action_approve(self) -> None:
        if row := self.current():
            actor = self.app.actor

            def pick(choices: list[tuple[str, str]]) -> None:
                def picked(option: str | None) -> None:
                    if option:
                        approve = on_quote(row.number, lambda s, q: quotes.approve(
                            s, q, option=option, actor=actor))  # fmt: skip
                        self.save(approve, self._saved(f"approved ({option})"))

                title = f"Which option did {row.customer} choose on {row.number}?"
                self.app.push_screen(ChoiceModal(title, [*choices, ("Cancel", None)]), picked)

            self.load(option_choices(row.number), pick, group="options")

    def action_decline(self) -> None:
        if row := self.current():
            actor = self.app.actor

            def make(reason: str):
                return on_quote(row.number, lambda s, q: quotes.decline(
                    s, q, reason.strip() or None, actor=actor))  # fmt: skip

            self.app.push_screen(
                TextModal(f"Decline {row.number}: why?", "reason (optional)", make),
                self._saved("declined"),
            )

    def action_to_order(self) -> None:
        if row := self.current():
            actor = self.app.actor

            def done(number: str) -> None:
                self.app.notify(f"{number} made from {row.number}")
                self.app.open_order(number)

            self.save(call_on(quotes.get_quote, row.number, quotes.to_order, actor=actor,
                              then=lambda order: order.number), done)  # fmt: skip

    def action_link(self) -> None:
        """A link the customer opens to see and approve the quote (docs/customer-links.md)."""
        if row := self.current():
            customer_link(self, "quote", row.number)


@register_screen(
    "Q", "quotes", "Quotes", help="Estimates with options; send, approve, order", order=42
)
def _quotes(app) -> QuotesScreen:
    return QuotesScreen()
