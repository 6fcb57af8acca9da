"""One order: details, visits, notes, history, the customer's and site's other orders, the
asset's service history; status/assign/note/hold/cancel/callback by key."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Static

from svcdesk.services.agreements.sla_state import SlaState
from svcdesk.services.common.timefmt import fmt
from svcdesk.services.common.words import status_words
from svcdesk.services.dispatch import order_view
from svcdesk.services.orders import queries
from svcdesk.tui.base import DataScreen
from svcdesk.tui.cells import clip, priority_cell, sla_cell
from svcdesk.tui.data import call
from svcdesk.tui.order_actions import OrderActions
from svcdesk.tui.tabs import TabbedTables, tab_bindings
from svcdesk.tui.widgets.table import KeyTable

ORDER_LIST_COLUMNS = ("Number", "Created", "Kind", "Status", "Pri", "Summary", "Technician")
TABS = (
    ("visits", "Visits", ("Start", "End", "Status", "Technicians", "Outcome", "Arrived", "Left")),
    ("notes", "Notes", ("When", "Author", "Note")),
    ("history", "History", ("When", "Who", "What", "Status", "Detail")),
    ("customer-orders", "Customer's orders", ORDER_LIST_COLUMNS),
    ("site-orders", "Site's orders", ORDER_LIST_COLUMNS),
    ("asset-orders", "Asset history", ORDER_LIST_COLUMNS),
    ("messages", "Messages", ("When", "Status", "What", "By", "To", "Subject")),
)


def fetch_order(number: str):
    return call(order_view.order_view, number)


def head_text(d: queries.OrderDetail, zone, sla: SlaState | None = None) -> Text:
    r = d.row
    t = Text()
    t.append(f"{r.number}  ", style="bold")
    t.append(f"{r.kind} · ")
    t.append_text(priority_cell(r.priority))
    t.append(" · ")
    t.append(r.status.replace("_", " "), style="bold")
    if r.sla_due:
        t.append(f" · SLA {fmt(r.sla_due, zone, '%a %b %d %H:%M')} ")
        t.append_text(sla_cell(sla))
    t.append("\n")
    t.append(f"{r.customer}", style="bold")
    t.append(f"  {r.phone or ''}  {d.site_label}\n")
    t.append(f"{r.summary}\n", style="italic")
    if d.description:
        t.append(f"{d.description}\n")
    facts = [
        f"skill {r.skill or '-'}",
        f"estimate {d.est_minutes} min",
        f"source {d.source}" + (f" ({d.external_ref})" if d.external_ref else ""),
    ]
    if d.asset:
        facts.append(f"asset {d.asset}")
    if d.window_start:
        facts.append(
            f"window {fmt(d.window_start, zone, '%a %H:%M')}-{fmt(d.window_end, zone, '%H:%M')}"
        )
    if d.callback_of:
        facts.append(f"callback of {d.callback_of}")
    if r.technicians:
        facts.append("techs " + ", ".join(r.technicians))
    t.append(" · ".join(facts) + "\n", style="dim")
    if d.hold_reason:
        t.append(f"on hold: {d.hold_reason}\n", style="bold dark_orange")
    if d.cancel_reason:
        t.append(f"cancelled: {d.cancel_reason}\n", style="bold red")
    moves = ", ".join(status_words(m) for m in d.allowed_moves) or "none (final)"
    t.append(f"next: {moves}", style="dim")
    return t


def order_list_rows(rows: list[queries.OrderRow], zone):
    for r in rows:
        yield (
            r.number,
            (
                r.number,
                fmt(r.created_at, zone, "%Y-%m-%d"),
                r.kind,
                status_words(r.status),
                priority_cell(r.priority),
                clip(r.summary, 34),
                ", ".join(r.technicians),
            ),
        )


class OrderScreen(TabbedTables, OrderActions, DataScreen):
    help_title = "Order"
    tabs_name, TABS = "order", TABS
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("s", "status", "Status"),
        Binding("a", "assign", "Assign/reschedule"),
        Binding("m", "note", "Note"),
        Binding("h", "hold", "Hold"),
        Binding("x", "cancel_order", "Cancel order"),
        Binding("R", "callback", "Callback"),
        *tab_bindings(TABS),
    ]

    def __init__(self, number: str) -> None:
        super().__init__()
        self.number = number
        self.view: order_view.OrderView | None = None

    def on_mount(self) -> None:
        self.sub_title = self.number
        self.query_one("#visits-table", KeyTable).focus()

    def refresh_data(self) -> None:
        self.load(fetch_order(self.number), self._show)

    def current_row(self):
        return self.view.detail.row if self.view else None

    def _show(self, view: order_view.OrderView) -> None:
        self.view = view
        d, zone = view.detail, self.app.zone
        self.sub_title = f"{d.row.number} · {d.row.customer}"
        self.query_one("#order-head", Static).update(head_text(d, zone, view.sla))
        self.fill(
            "visits",
            (
                (
                    str(v.id),
                    (
                        fmt(v.starts_at, zone, "%a %b %d %H:%M"),
                        fmt(v.ends_at, zone, "%H:%M"),
                        status_words(v.status),
                        ", ".join(v.technicians),
                        v.outcome or "",
                        fmt(v.arrived_at, zone, "%H:%M"),
                        fmt(v.departed_at, zone, "%H:%M"),
                    ),
                )
                for v in d.visits
            ),
        )
        self.fill(
            "notes",
            (
                (str(i), (fmt(at, zone, "%b %d %H:%M"), author, text))
                for i, (at, author, text) in enumerate(d.notes)
            ),
        )
        self.fill(
            "history",
            (
                (
                    str(i),
                    (
                        fmt(e.at, zone, "%b %d %H:%M"),
                        e.actor,
                        e.kind,
                        f"{status_words(e.from_status)}→{status_words(e.to_status)}"
                        if e.to_status
                        else "",
                        e.detail or "",
                    ),
                )
                for i, e in enumerate(d.events)
            ),
        )
        self.fill("customer-orders", order_list_rows(d.related, zone))
        self.fill("site-orders", order_list_rows(view.site_orders, zone))
        self.fill("asset-orders", order_list_rows(view.asset_orders, zone))
        self.fill("messages", ((str(m.id), (m.when or m.status, m.status, m.what, m.channel,
                                            clip(m.recipient, 28), clip(m.subject, 44)))
                               for m in view.messages))  # fmt: skip

    def on_data_table_row_selected(self, event: KeyTable.RowSelected) -> None:
        event.stop()
        if event.data_table.id.endswith("-orders-table"):
            self.app.open_order(event.row_key.value)

    def action_back(self) -> None:
        self.app.pop_screen()
