"""Alerts & follow-ups (`l`): orders sitting in limbo (stale for their status), possible
recalls waiting for a decision, overdue follow-ups; below, every open follow-up task.

Keys: `enter` opens the order, `y` confirms a recall (links callback_of), `d` dismisses a
recall or marks the highlighted follow-up done, `tab` switches between the two lists."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Header, Static

from svcdesk.services.agreements import followups, recalls
from svcdesk.services.common.timefmt import fmt
from svcdesk.services.orders import lifecycle
from svcdesk.services.reporting import alerts
from svcdesk.tui.base import DataScreen
from svcdesk.tui.cells import clip
from svcdesk.tui.columns import key_table
from svcdesk.tui.data import call, call_on
from svcdesk.tui.registry import register_screen
from svcdesk.tui.widgets.table import KeyTable

KIND_STYLE = {"stale": "dark_orange", "recall": "bold red", "followup": "blue"}


@dataclass(frozen=True)
class AlertsData:
    alerts: list[alerts.Alert]
    followups: list[followups.FollowUpRow]


def fetch(session) -> AlertsData:
    return AlertsData(alerts.all_alerts(session), followups.list_followups(session))


class AlertsScreen(DataScreen):
    help_title = "Alerts & follow-ups"
    DEFAULT_CSS = """
    AlertsScreen #al-head, AlertsScreen #fu-head { height: 1; padding: 0 1; }
    AlertsScreen #alerts { height: 2fr; }
    AlertsScreen #followups { height: 1fr; }
    """
    BINDINGS = [
        Binding("enter", "open", "Open", show=False),
        Binding("y", "confirm_recall", "Confirm recall"),
        Binding("d", "dismiss_or_done", "Dismiss / done"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.alert_rows: dict[str, alerts.Alert] = {}
        self.followup_rows: dict[str, followups.FollowUpRow] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical():
            yield Static(id="al-head")
            yield key_table(
                "alerts",
                ("Kind", 8),
                ("Order", 9),
                ("Status", 10),
                ("Customer", 22),
                ("Since", 11),
                ("What", 62),
            )
            yield Static(id="fu-head")
            yield key_table(
                "followups",
                ("Order", 9),
                ("Customer", 22),
                ("Kind", 14),
                ("Due", 12),
                ("Note", 40),
            )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#alerts", KeyTable).focus()

    def refresh_data(self) -> None:
        self.load(fetch, self._show, group="rows")

    def _show(self, data: AlertsData) -> None:
        zone = self.app.zone
        self.alert_rows = {f"{a.kind}:{a.number}:{n}": a for n, a in enumerate(data.alerts)}
        self.query_one("#alerts", KeyTable).replace_rows(
            (key, (Text(a.kind, style=KIND_STYLE.get(a.kind, "")), a.number,
                   a.status.replace("_", " "), clip(a.customer, 22),
                   fmt(a.since, zone, "%m-%d %H:%M"), clip(a.message, 62)))
            for key, a in self.alert_rows.items()
        )  # fmt: skip
        counts = {k: sum(1 for a in data.alerts if a.kind == k) for k in alerts.KINDS}
        self.query_one("#al-head", Static).update(
            f"{counts['stale']} stale · {counts['recall']} possible recalls · "
            f"{counts['followup']} overdue follow-ups"
        )
        self.followup_rows = {str(f.id): f for f in data.followups}
        self.query_one("#followups", KeyTable).replace_rows(
            (str(f.id), (f.number, clip(f.customer, 22), f.kind.replace("_", " "),
                         Text(fmt(f.due_at, zone, "%m-%d %H:%M"), style="bold red" if f.overdue else ""),
                         clip(f.note or "", 40)))
            for f in data.followups
        )  # fmt: skip
        self.query_one("#fu-head", Static).update(f"{len(data.followups)} open follow-ups")

    def _focused(self) -> tuple[str, object | None]:
        alerts_table = self.query_one("#alerts", KeyTable)
        if alerts_table.has_focus:
            key = alerts_table.current_key
            return "alert", self.alert_rows.get(key) if key else None
        key = self.query_one("#followups", KeyTable).current_key
        return "followup", self.followup_rows.get(key) if key else None

    def on_data_table_row_selected(self, event: KeyTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        _, row = self._focused()
        if row is not None:
            self.app.open_order(row.number)

    def _recall(self, decide, verb: str) -> None:
        kind, row = self._focused()
        if kind != "alert" or row is None or row.kind != "recall":
            self.app.notify("highlight a possible recall first", severity="warning")
            return
        number, actor = row.number, self.app.actor
        self.save(call_on(lifecycle.get_order, number, decide, actor=actor,
                          then=lambda order: order.status),
                  lambda _: self.app.notify(f"{number}: recall {verb}"))  # fmt: skip

    def action_confirm_recall(self) -> None:
        self._recall(recalls.confirm, "confirmed")

    def action_dismiss_or_done(self) -> None:
        kind, row = self._focused()
        if kind == "followup" and row is not None:
            fid, actor = row.id, self.app.actor
            self.save(call(followups.complete, fid, actor=actor, then=lambda done: done.id),
                      lambda _: self.app.notify(f"{row.number}: {row.kind.replace('_', ' ')} done"))  # fmt: skip
            return
        self._recall(recalls.dismiss, "dismissed")


@register_screen(
    "l", "alerts", "Alerts", help="Stale orders, possible recalls, follow-ups", order=55
)
def _alerts(app) -> AlertsScreen:
    return AlertsScreen()
