"""Field work on one order (`w` on an order, `enter` in the closeout queue): the visit's
times and crew, outcome, time entries, parts (search by SKU/name), checklist answers,
files and sign-off, with a key for each step of the visit.

Keys: `s` en route, `a` arrived, `o` complete (outcome), `p` part used, `d` remove the
highlighted part, `e` (or `enter`) answer the highlighted checklist item, `h` add time (hours),
`y` sign-off, `m` note, `1`-`4` tabs, `escape` back. (`t`, `c`, `g`... are the console's screen
keys: tests/tui/test_keys.py keeps screen keys from being shadowed.)"""

from __future__ import annotations

from functools import partial

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Static

from svcdesk.services.common.timefmt import fmt
from svcdesk.services.execution import attachments, checklists
from svcdesk.services.execution import visit_progress as vp
from svcdesk.services.execution.field_view import FieldView, field_view
from svcdesk.services.inventory import part_usage
from svcdesk.services.orders import lifecycle, notes
from svcdesk.tui.base import DataScreen
from svcdesk.tui.cells import clip
from svcdesk.tui.data import call, call_on
from svcdesk.tui.execution_modals import CompleteModal, PartModal, TimeModal
from svcdesk.tui.order_actions import TextModal
from svcdesk.tui.registry import register_command, register_opener
from svcdesk.tui.tabs import TabbedTables, tab_bindings
from svcdesk.tui.widgets.table import KeyTable

TABS = (
    ("ex-time", "Time", ("Tech", "Kind", "Start", "End", "Min", "Source", "Approved")),
    ("ex-parts", "Parts", ("SKU", "Name", "Qty", "From", "Price", "Warranty")),
    ("ex-checklist", "Checklist", ("#", "Checklist", "Item", "Answer", "Required")),
    ("ex-files", "Files & sign-off", ("Kind", "Name", "Bytes", "Caption", "When")),
)
# closeout problem -> the action that fixes it
FIX_ACTIONS = {
    "no_time": "add_time",
    "no_outcome": "complete",
    "checklist": "answer",
    "no_signature": "sign",
    "no_parts": "part",
}


def fetch_field(order_ref: str | int):
    return call(field_view, order_ref)


def head_text(view: FieldView, zone) -> Text:
    d = view.detail
    t = Text()
    t.append(f"{d.number}  ", style="bold")
    t.append(d.status.replace("_", " "), style="bold")
    t.append(f" · {view.customer}\n")
    for v in d.visits:
        mark = "▶ " if v["id"] == view.visit_id else "  "
        t.append(f"{mark}{fmt(v['starts_at'], zone, '%a %b %d %H:%M')}  {v['status']:<10}")
        t.append(
            f" en route {fmt(v['en_route_at'], zone, '%H:%M') or '--:--'}"
            f" · arrived {fmt(v['arrived_at'], zone, '%H:%M') or '--:--'}"
            f" · departed {fmt(v['departed_at'], zone, '%H:%M') or '--:--'}"
            f" · {v['outcome'] or 'no outcome'} · {', '.join(v['crew'])}\n",
            style="dim" if v["id"] != view.visit_id else "",
        )
        if v["work_performed"] and v["id"] == view.visit_id:
            t.append(f"  work: {v['work_performed']}\n", style="italic")
    if not d.visits:
        t.append("no visits booked\n", style="dim")
    return t


class FieldScreen(TabbedTables, DataScreen):
    help_title = "Field work"
    tabs_name, TABS = "field", TABS
    DEFAULT_CSS = """
    FieldScreen #field-head { height: auto; padding: 0 1; background: $boost; }
    FieldScreen #field-tabs { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("s", "en_route", "En route"),
        Binding("a", "arrive", "Arrived"),
        Binding("o", "complete", "Complete"),
        Binding("p", "part", "Part"),
        Binding("d", "remove_part", "Remove part", show=False),
        Binding("e", "answer", "Answer item"),
        Binding("h", "add_time", "Time"),
        Binding("y", "sign", "Sign-off"),
        Binding("m", "note", "Note", show=False),
        *tab_bindings(TABS),
    ]

    def __init__(self, number: str | None, fix: str | None = None, *, order_id: int = 0) -> None:
        """Opened on an order number, or on an order id (`order_id`, number read with the
        rest of the view in the background)."""
        super().__init__()
        self.number = number
        self.order_id = order_id
        self.fix = fix
        self.view: FieldView | None = None

    def on_mount(self) -> None:
        self.sub_title = f"{self.number or ''} · field work"

    def refresh_data(self) -> None:
        self.load(fetch_field(self.number or self.order_id), self._show)

    def _show(self, view: FieldView) -> None:
        self.view = view
        if self.number != view.detail.number:
            self.number = view.detail.number
            self.sub_title = f"{self.number} · field work"
        d, zone = view.detail, self.app.zone
        self.query_one("#field-head", Static).update(head_text(view, zone))
        self.tab_table("ex-time").replace_rows(
            (str(t["id"]), (t["technician"], t["kind"], fmt(t["starts_at"], zone, "%m-%d %H:%M"),
                            fmt(t["ends_at"], zone, "%H:%M") or "running", t["minutes"] or "",
                            t["source"], "yes" if t["approved"] else ""))
            for t in d.time
        )  # fmt: skip
        self.tab_table("ex-parts").replace_rows(
            (str(p["id"]), (p["sku"], clip(p["name"], 30), f"{p['qty']} {p['unit']}",
                            p["location"], p["unit_price"], "yes" if p["warranty"] else ""))
            for p in d.parts
        )  # fmt: skip
        self.tab_table("ex-checklist").replace_rows(
            (f"{c['visit_id']}:{c['checklist']}:{c['position']}",
             (c["position"], clip(c["checklist"], 24), c["label"],
              Text((c["answer"] or "—") + (f" {c['unit']}" if c["unit"] and c["answer"] else ""),
                   style="" if c["answer"] else "bold dark_orange"),
              "*" if c["required"] else ""))
            for c in d.checklist
        )  # fmt: skip
        files = [
            (f"a{a['id']}", (a["kind"], a["filename"], a["size_bytes"], a["caption"] or "",
                             fmt(a["added_at"], zone, "%m-%d %H:%M")))
            for a in d.attachments
        ] + [
            (f"s{i}", ("sign-off", s["signer"], "", "", fmt(s["signed_at"], zone, "%m-%d %H:%M")))
            for i, s in enumerate(d.signatures)
        ]  # fmt: skip
        self.tab_table("ex-files").replace_rows(files)
        if self.fix:
            action, self.fix = FIX_ACTIONS.get(self.fix), None
            if action:
                getattr(self, f"action_{action}")()

    # -- actions ------------------------------------------------------------------------
    def action_back(self) -> None:
        self.app.pop_screen()

    def _visit_id(self) -> int | None:
        if self.view is None or self.view.visit_id is None:
            self.app.notify(f"{self.number} has no visit", severity="warning")
            return None
        return self.view.visit_id

    def _progress(self, step) -> None:
        visit_id = self._visit_id()
        if visit_id is None:
            return
        number, actor = self.number, self.app.actor

        def fn(session):
            order = lifecycle.get_order(session, number)
            step(session, vp.find_visit(session, order, visit_id), actor=actor)
            return order.status

        self.save(fn, lambda status: self.app.notify(f"{number}: {status.replace('_', ' ')}"))

    def action_en_route(self) -> None:
        self._progress(vp.start_travel)

    def action_arrive(self) -> None:
        self._progress(vp.arrive)

    def action_complete(self) -> None:
        visit_id = self._visit_id()
        if visit_id is None:
            return
        if self.view.visit_status == "completed":
            self._set_outcome(visit_id)
            return
        self.app.push_screen(CompleteModal(self.number, visit_id, self.app.actor), self._saved)

    def _set_outcome(self, visit_id: int) -> None:
        number, actor = self.number, self.app.actor

        def make(text: str):
            outcome, _, work = text.partition(" ")
            return call_on(partial(vp.order_visit, visit_id=visit_id), number, vp.set_outcome,
                           outcome, work_performed=work or None, actor=actor,
                           then=lambda _: outcome)  # fmt: skip

        self.app.push_screen(
            TextModal("Outcome (then the work performed)", "fixed Replaced igniter", make),
            self._saved,
        )

    def action_part(self) -> None:
        if self.view is None:
            return
        self.app.push_screen(
            PartModal(self.number, self.view.visit_id, self.app.actor), self._saved
        )

    def action_remove_part(self) -> None:
        key = self.tab_table("ex-parts").current_key
        if key is None:
            self.app.notify("highlight a part on the Parts tab (2)", severity="warning")
            return
        usage_id, actor = int(key), self.app.actor
        self.save(call(part_usage.remove_usage, usage_id, actor=actor, then=lambda u: u.id),
                  lambda _: self.app.notify("part removed; stock returned"))  # fmt: skip

    def action_answer(self) -> None:
        self.action_tab("ex-checklist")
        key = self.tab_table("ex-checklist").current_key
        if key is None:
            self.app.notify("no checklist on this order's visits", severity="warning")
            return
        visit_id, template, position = key.split(":", 2)
        number, actor = self.number, self.app.actor

        def make(value: str):
            return call_on(partial(vp.order_visit, visit_id=int(visit_id)), number,
                           checklists.answer, f"{template}:{position}", value, actor=actor,
                           then=lambda line: line.value)  # fmt: skip

        self.app.push_screen(TextModal(f"Answer item {position}", "yes / no / a number / text",
                                       make), self._saved)  # fmt: skip

    def on_data_table_row_selected(self, event: KeyTable.RowSelected) -> None:
        event.stop()
        if event.data_table.id == "ex-checklist-table":
            self.action_answer()

    def action_add_time(self) -> None:
        if self.view is None:
            return
        self.app.push_screen(
            TimeModal(self.number, self.view.visit_id, self.app.actor), self._saved
        )

    def action_sign(self) -> None:
        number, actor, visit_id = (
            self.number,
            self.app.actor,
            self.view.visit_id if self.view else None,
        )

        def make(signer: str):
            def fn(session):
                order = lifecycle.get_order(session, number)
                visit = vp.find_visit(session, order, visit_id) if visit_id else None
                return attachments.sign_off(session, order, signer, visit=visit, actor=actor).id

            return fn

        self.app.push_screen(TextModal("Signed off by", "the signer's name", make), self._saved)

    def action_note(self) -> None:
        number, actor = self.number, self.app.actor

        def make(text: str):
            return call_on(lifecycle.get_order, number, notes.add_note, text, author=actor,
                           then=lambda note: note.id)  # fmt: skip

        self.app.push_screen(TextModal("Note", "what happened", make), self._saved)

    def _saved(self, result) -> None:
        if result is not None:
            self.app.data_changed()


def open_field(app, number: str, fix: str | None = None) -> None:
    app.push_screen(FieldScreen(number, fix))


@register_opener("field")
def _open_field_by_id(app, order_id: int) -> None:
    app.push_screen(FieldScreen(None, order_id=order_id))


@register_command(
    "field-work", "Field work for this order", key="w",
    help="Visit progress, time, parts, checklist and sign-off for the order in view",
)  # fmt: skip
def _field_work(app) -> None:
    """The order in view (order screen) or the selected row (board, any order list)."""
    screen = app.screen
    number = getattr(screen, "number", None)
    if not isinstance(number, str) and hasattr(screen, "current_row"):
        row = screen.current_row()
        number = getattr(row, "number", None)
    if isinstance(screen, FieldScreen) or not isinstance(number, str):
        app.notify("select or open an order first, then press w", severity="warning")
        return
    open_field(app, number)
