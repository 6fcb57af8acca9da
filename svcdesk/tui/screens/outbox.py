"""Outbox (`M`, messages): messages to customers, newest first (docs/messages.md).

Keys: `f` cycles the filter (all, queued, sent, failed, cancelled), `v`/`enter` shows a
message, `R` retries a failed or cancelled one, `x` cancels a queued or failed one, `s`
sends what is due now (what `svcdesk messages send` does from cron), `p` sets the
highlighted message's customer's consent, preferred channel or opt-out, `W` opens the
message templates (wording, on/off, editor with a live preview: message_templates.py)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Header, Static

from svcdesk.errors import SvcDeskError
from svcdesk.models import Customer
from svcdesk.services.common.rows import must_get
from svcdesk.services.messages import delivery, outbox, prefs, views
from svcdesk.tui.base import DataScreen
from svcdesk.tui.cells import clip
from svcdesk.tui.columns import key_table
from svcdesk.tui.data import call, call_on
from svcdesk.tui.order_actions import ChoiceModal
from svcdesk.tui.registry import register_screen
from svcdesk.tui.screens.message_templates import TemplatesScreen
from svcdesk.tui.widgets.table import KeyTable

FILTERS = (None, "queued", "sent", "failed", "cancelled")
STATUS_STYLE = {"failed": "bold red", "queued": "dark_orange", "sending": "dark_orange",
                "sent": "green", "cancelled": "dim"}  # fmt: skip


def ask_preferences(screen: DataScreen, name: str, customer_of) -> None:
    """Ask how `name` (the customer `customer_of(session)` finds) may be messaged: consent
    and preferred channel, opt-out or back in per channel; saved through services/messages."""
    actor = screen.app.actor  # type: ignore[attr-defined]

    def change(kind: str, arg: str | None = None, consent: bool | None = None):
        def fn(session) -> str:
            customer = customer_of(session)
            if kind == "out":
                prefs.opt_out(session, customer, arg or "sms", actor=actor)
            elif kind == "in":
                prefs.opt_in(session, customer, arg or "sms", actor=actor)
            else:
                prefs.set_preferences(session, customer, consent=consent, channel=arg,
                                      actor=actor)  # fmt: skip
            return f"{customer.name}: {prefs.describe(prefs.preference(session, customer.id))}"

        return fn

    choices = [
        ("Consent, e-mail preferred", change("set", "email", True)),
        ("Consent, text messages preferred", change("set", "sms", True)),
        ("No consent: send nothing", change("set", None, False)),
        ("Opted out of text messages (STOP)", change("out", "sms")),
        ("Opted out of e-mail", change("out", "email")),
        ("Back in: text messages", change("in", "sms")),
        ("Back in: e-mail", change("in", "email")),
    ]

    def picked(fn) -> None:
        if fn is not None:
            screen.save(fn, lambda text: screen.app.notify(text))

    screen.app.push_screen(ChoiceModal(f"Messages to {name}", choices), picked)


class MessageView(ModalScreen):
    """One message: who, status, error, attachments and the text."""

    DEFAULT_CSS = """
    MessageView { align: center middle; }
    MessageView #msg-box { width: 90; height: 80%; border: round $accent; padding: 0 1;
                           background: $surface; }
    """
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Close", id="message-view.close"),
        Binding("q", "app.pop_screen", "Close", id="message-view.close-q"),
    ]

    def __init__(self, detail: views.MessageDetail) -> None:
        super().__init__()
        self.detail = detail

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="msg-box"):
            yield Static(Text(self.detail.text()), id="msg-text")


class OutboxScreen(DataScreen):
    help_title = "Outbox"
    DEFAULT_CSS = """
    OutboxScreen #outbox-head { height: 1; padding: 0 1; }
    """
    BINDINGS = [
        Binding("enter", "view", "View", show=False),
        Binding("v", "view", "View"),
        Binding("f", "cycle_filter", "Filter"),
        Binding("R", "retry", "Retry"),
        Binding("x", "cancel", "Cancel"),
        Binding("s", "send_now", "Send due now"),
        Binding("p", "preferences", "Customer's say"),
        Binding("W", "templates", "Templates"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.status: str | None = None
        self.rows: dict[str, views.MessageRow] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("loading…", id="outbox-head")
        yield key_table(
            "outbox", ("Id", 5), ("Status", 9), ("What", 20), ("By", 6), ("Customer", 22),
            ("Order", 9), ("When", 17), ("Tries", 5), ("Error", 36),
        )  # fmt: skip
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#outbox", KeyTable).focus()

    def refresh_data(self) -> None:
        status = self.status

        def fetch(session):
            return views.message_rows(session, status=status), outbox.counts(session)

        self.load(fetch, self._show, group="rows")

    def _show(self, data) -> None:
        rows, counts = data
        counts = {"queued": 0, "failed": 0} | counts
        self.rows = {str(r.id): r for r in rows}
        self.query_one("#outbox", KeyTable).replace_rows(
            (str(r.id), (str(r.id), Text(r.status, style=STATUS_STYLE.get(r.status, "")), r.what,
                         r.channel, clip(r.customer, 22), r.order, r.when, str(r.attempts),
                         clip(r.last_error, 36)))
            for r in rows
        )  # fmt: skip
        shown = self.status or "all"
        self.query_one("#outbox-head", Static).update(
            f"{len(rows)} messages ({shown}) · {counts['queued']} queued · "
            f"{counts['failed']} failed · f filter, s send due now, W templates"
        )

    def _current(self) -> views.MessageRow | None:
        return self.cursor_row("#outbox", self.rows)

    def on_data_table_row_selected(self, event: KeyTable.RowSelected) -> None:
        event.stop()
        self.action_view()

    def action_view(self) -> None:
        row = self._current()
        if row is not None:
            mid = row.id
            self.load(call(views.message_detail, mid),
                      lambda d: self.app.push_screen(MessageView(d)), group="view")  # fmt: skip

    def action_cycle_filter(self) -> None:
        self.status = FILTERS[(FILTERS.index(self.status) + 1) % len(FILTERS)]
        self.refresh_data()

    def _act(self, fn, verb: str) -> None:
        row = self._current()
        if row is None:
            return
        mid, actor = row.id, self.app.actor
        self.save(call_on(outbox.get_message, mid, fn, actor=actor, then=lambda m: m.id),
                  lambda _: self.app.notify(f"message {mid}: {verb}"))  # fmt: skip

    def action_retry(self) -> None:
        self._act(outbox.retry, "queued again")

    def action_cancel(self) -> None:
        self._act(outbox.cancel, "cancelled")

    def action_preferences(self) -> None:
        """The highlighted message's customer: consent, preferred channel, opt-out/in."""
        row = self._current()
        if row is not None:
            mid = row.id
            ask_preferences(self, row.customer, lambda s: must_get(
                s, Customer, outbox.get_message(s, mid).customer_id))  # fmt: skip

    def action_templates(self) -> None:
        self.app.push_screen(TemplatesScreen())

    def action_send_now(self) -> None:
        engine = self.app.engine

        def job() -> None:
            try:
                report = delivery.send_due(engine)
            except SvcDeskError as exc:
                self.app.call_from_thread(self.app.notify, str(exc), severity="error")
                return
            self.app.call_from_thread(self._sent, report)

        self.run_worker(job, thread=True, group="send", exclusive=True)

    def _sent(self, report: delivery.SendReport) -> None:
        self.app.notify(f"outbox: {report.words()}")
        self.app.data_changed()


@register_screen("O", "outbox", "Outbox", help="Messages to customers: queued, sent, failed",
                 order=58)  # fmt: skip
def _outbox(app) -> OutboxScreen:
    return OutboxScreen()
