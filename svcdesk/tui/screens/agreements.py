"""Agreements & PM (`e`): agreements, the highlighted one's terms, coverage, SLA promises
and maintenance plans with their next dates; a plan editor with a live preview.

Keys: `f` status filter, `v` activate a draft, `a` add a plan (the editor previews the next
dates as you type and saves nothing until `ctrl+s`), `x` generate the PM orders due in the
next 60 days (idempotent, like `svcdesk pm generate`); `enter` moves to the plans, and on
a plan opens its asset's service history."""

from __future__ import annotations

from datetime import date, timedelta

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Header, Input, Label, Static

from svcdesk.clock import now
from svcdesk.errors import InvalidInput, SvcDeskError
from svcdesk.services.agreements import agreement_view as view
from svcdesk.services.agreements import agreements, pm_generate, pm_plans
from svcdesk.services.common.money import fmt_money
from svcdesk.services.common.recurrence import rule_words
from svcdesk.services.common.words import status_words
from svcdesk.tui.base import DataModal, DataScreen
from svcdesk.tui.cells import clip
from svcdesk.tui.columns import key_table
from svcdesk.tui.data import call, call_on
from svcdesk.tui.registry import register_screen
from svcdesk.tui.widgets.table import KeyTable

FILTERS = ("all", "active", "draft", "expired", "cancelled")
STATUS_STYLE = {
    "active": "green",
    "draft": "dim",
    "expired": "dark_orange",
    "cancelled": "strike dim",
}
GENERATE_DAYS = 60


def _day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{field}: {text!r} is not a date like 2026-12-01") from None


def _int_or_none(text: str, field: str) -> int | None:
    if not text.strip():
        return None
    try:
        return int(text)
    except ValueError:
        raise InvalidInput(f"{field}: {text!r} is not a number") from None


def detail_text(d: dict) -> Text:
    t = Text()
    t.append(f"{d['number']}  {d['name']}  ", style="bold")
    t.append(d["status"], style=STATUS_STYLE.get(d["status"], ""))
    t.append(f"\n{d['customer']}\n")
    t.append("Term ", style="bold")
    t.append(
        f"{d['term_start']} – {d['ends_on']}" + ("  auto-renew" if d["auto_renew"] else "") + "\n"
    )
    t.append("Price ", style="bold")
    t.append(f"{fmt_money(d['price_cents'])} {d['billing_cycle']}  ")
    t.append("Discounts ", style="bold")
    t.append(
        f"labor {d['labor_discount_bp'] / 100:g} %, parts {d['parts_discount_bp'] / 100:g} %\n"
    )
    t.append("Visits ", style="bold")
    t.append(f"{d['visits_used']} of {d['covered_visits']} used this term\n")
    t.append("Covers ", style="bold")
    t.append(
        "; ".join(
            f"{c['site']}" + (f" ({c['asset']})" if c["asset"] else "") for c in d["coverage"]
        )
        or "-"
    )
    t.append("\nSLA ", style="bold")
    t.append(", ".join(f"{s['priority']} {s['response_hours']:g}/{s['resolution_hours']:g} h {s['clock']}"
                       for s in d["sla"]) or "shop defaults")  # fmt: skip
    return t


class PlanModal(DataModal):
    """New maintenance plan with a live preview of its next dates."""

    DEFAULT_CSS = """
    PlanModal #plan-dialog { width: 90; height: auto; }
    PlanModal #preview { height: auto; padding: 0 1; }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
    ]

    def __init__(self, agreement: dict) -> None:
        super().__init__()
        self.agreement = agreement

    def compose(self) -> ComposeResult:
        sites = self.agreement["coverage"]
        first = sites[0] if sites else {"site_id": "", "asset_id": None}
        start = max(
            date.fromisoformat(self.agreement["starts_on"]), now().astimezone(self.app.zone).date()
        )
        with Vertical(classes="dialog", id="plan-dialog"):
            yield Label(f"New plan on {self.agreement['number']}", classes="title")
            yield Input("Maintenance visit", placeholder="summary", id="summary")
            yield Input("FREQ=YEARLY;BYMONTH=4,10;BYDAY=1MO", placeholder="RRULE", id="rrule")
            yield Input(start.isoformat(), placeholder="start date", id="start")
            yield Input("scheduled", placeholder="anchor: scheduled or completed", id="anchor")
            yield Input(str(first["site_id"]), placeholder="site id", id="site")
            yield Input(str(first["asset_id"] or ""), placeholder="asset id (optional)", id="asset")
            yield Input("60", placeholder="minutes", id="minutes")
            yield Static(id="preview")
            yield Static(id="error", classes="field-error")
            yield Static("ctrl+s saves · escape cancels", classes="hint")

    def on_mount(self) -> None:
        self._preview()

    def _values(self) -> dict:
        get = lambda i: self.query_one(f"#{i}", Input).value  # noqa: E731
        return {
            "summary": get("summary"), "rrule": get("rrule"),
            "starts_on": _day(get("start"), "start"), "anchor": get("anchor").strip() or "scheduled",
            "site_id": _int_or_none(get("site"), "site"), "asset_id": _int_or_none(get("asset"), "asset"),
            "est_minutes": _int_or_none(get("minutes"), "minutes") or 60,
        }  # fmt: skip

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        if event.input.id in ("rrule", "start", "anchor"):
            self._preview()

    def _preview(self) -> None:
        try:
            v = self._values()
        except SvcDeskError as exc:
            self._show_preview(exc)
            return

        fn = call(pm_plans.preview_dates, rrule=v["rrule"], starts_on=v["starts_on"],
                  anchor=v["anchor"], count=6)  # fmt: skip
        self.load(fn, self._show_preview, group="preview", on_error=self._preview_error)

    def _preview_error(self, exc: SvcDeskError) -> bool:
        self._show_preview(exc)
        return True

    def _show_preview(self, dates) -> None:
        t = Text()
        if isinstance(dates, SvcDeskError):
            t.append(str(dates), style="bold red")
        else:
            t.append("Next: ", style="bold")
            t.append(", ".join(d.due_on.strftime("%a %Y-%m-%d") + (f" ({d.moved})" if d.moved else "")
                               for d in dates) or "no dates")  # fmt: skip
        self.query_one("#preview", Static).update(t)

    def action_save(self) -> None:
        try:
            v = self._values()
        except SvcDeskError as exc:
            self.show_error(exc)
            return
        number = self.agreement["number"]
        if v["site_id"] is None:
            self.show_error(InvalidInput("site: required"))
            return

        self.submit(call_on(agreements.get_agreement, number, pm_plans.create_plan, **v,
                            then=lambda plan: plan.id))  # fmt: skip


class AgreementsScreen(DataScreen):
    help_title = "Agreements & PM"
    DEFAULT_CSS = """
    AgreementsScreen #ag-body { height: 1fr; }
    AgreementsScreen #ag-left { width: 1fr; }
    AgreementsScreen #ag-pane { width: 66; border-left: vkey $border-blurred; }
    AgreementsScreen #ag-mode, AgreementsScreen #ag-detail { height: auto; padding: 0 1; }
    AgreementsScreen #ag-plans { height: 1fr; }
    """
    BINDINGS = [
        Binding("f", "cycle_status", "Status"),
        Binding("v", "activate", "Activate"),
        Binding("a", "new_plan", "Add plan"),
        Binding("x", "generate", "Generate PM"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.status = "all"
        self.rows: dict[str, view.AgreementRow] = {}
        self.detail: dict | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="ag-body"):
            with Vertical(id="ag-left"):
                yield Static(id="ag-mode")
                yield key_table(
                    "agreements",
                    ("Number", 9),
                    ("Customer", 14),
                    ("Name", 14),
                    ("Status", 9),
                    ("Ends", 10),
                    ("Plans", 5),
                )
            with Vertical(id="ag-pane"):
                yield Static(id="ag-detail")
                yield key_table("ag-plans", ("Id", 3), ("Summary", 16), ("Rule", 18), ("Next", 19))
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#agreements", KeyTable).focus()

    def refresh_data(self) -> None:
        status = None if self.status == "all" else self.status
        self.load(call(view.list_agreements, status=status), self._show, group="rows")

    def _show(self, rows: list[view.AgreementRow]) -> None:
        self.rows = {r.number: r for r in rows}
        self.query_one("#agreements", KeyTable).replace_rows(
            (r.number, (r.number, clip(r.customer, 14), clip(r.name, 14),
                        Text(status_words(r.status), style=STATUS_STYLE.get(r.status, "")),
                        r.ends_on.isoformat(), str(r.plans)))
            for r in rows
        )  # fmt: skip
        self.query_one("#ag-mode", Static).update(
            f"{len(rows)} agreements · f status: {self.status} · x PM orders, next {GENERATE_DAYS} days"
        )
        self._load_detail()

    def on_data_table_row_highlighted(self, event: KeyTable.RowHighlighted) -> None:
        if event.data_table.id == "agreements":
            self._load_detail()

    def current(self) -> view.AgreementRow | None:
        return self.cursor_row("#agreements", self.rows)

    def _load_detail(self) -> None:
        row = self.current()
        if row is None:
            self.detail = None
            self.query_one("#ag-detail", Static).update(Text("No agreement", style="dim"))
            self.query_one("#ag-plans", KeyTable).replace_rows([])
            return
        number = row.number
        self.load(call_on(agreements.get_agreement, number, view.agreement_detail),
                  self._show_detail, group="detail")  # fmt: skip

    def _show_detail(self, d: dict) -> None:
        self.detail = d
        self.query_one("#ag-detail", Static).update(detail_text(d))
        self.query_one("#ag-plans", KeyTable).replace_rows(
            (str(p["id"]), (str(p["id"]), clip(p["summary"], 16), clip(rule_words(p["rrule"]), 18),
                            ", ".join(x[5:] for x in p["next_dates"])))
            for p in d["plans"]
        )  # fmt: skip

    def on_data_table_row_selected(self, event: KeyTable.RowSelected) -> None:
        """`enter` on a plan opens its asset's history (or the first covered asset)."""
        event.stop()
        if event.data_table.id == "agreements":
            self.query_one("#ag-plans", KeyTable).focus()
            return
        plan = next((p for p in (self.detail or {}).get("plans", [])
                     if str(p["id"]) == event.row_key.value), None)  # fmt: skip
        asset_id = plan and plan["asset_id"]
        if asset_id is None:
            asset_id = next((c["asset_id"] for c in self.detail["coverage"] if c["asset_id"]), None)
        if asset_id is None:
            self.app.notify("this plan covers a whole site: no asset to show", severity="warning")
            return
        self.app.open_item("asset", asset_id)

    def action_cycle_status(self) -> None:
        self.status = FILTERS[(FILTERS.index(self.status) + 1) % len(FILTERS)]
        self.refresh_data()

    def action_activate(self) -> None:
        row = self.current()
        if row is None:
            return
        number = row.number
        self.save(call_on(agreements.get_agreement, number, agreements.change_status, "active",
                          then=lambda ag: ag.number),
                  lambda n: self.app.notify(f"{n} is active"))  # fmt: skip

    def action_new_plan(self) -> None:
        if self.detail is not None:
            self.app.push_screen(PlanModal(self.detail), lambda _: self.reload())

    def action_generate(self) -> None:
        through = now().astimezone(self.app.zone).date() + timedelta(days=GENERATE_DAYS)
        self.save(call(pm_generate.generate, through, actor=self.app.actor,
                       then=lambda run: (len(run.created), len(run.skipped))),
                  lambda r: self.app.notify(f"PM orders: created {r[0]}, skipped {r[1]}"))  # fmt: skip


@register_screen(
    "M", "agreements", "Agreements & PM", help="Service agreements, maintenance plans", order=50
)
def _agreements(app) -> AgreementsScreen:
    return AgreementsScreen()
