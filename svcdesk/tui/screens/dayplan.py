"""The day plan as a diff against the schedule (`D` on the schedule grid; palette "Plan
tomorrow"): `+` new bookings, `~` moves, `=` kept, `!` not planned (with why).

`A` applies the whole plan in one transaction, `R` plans again, `[`/`]` another day,
`escape` back. On a shop holiday the crew is off and the header says so; `f` works the
holiday with the usual shifts (and toggles back). The plan is computed once when the view opens (a solver run of the shop's
`dispatch.time_limit`); when someone changes the schedule meanwhile the header says so and
`R` re-plans (applying a stale plan is refused rather than overwriting their change)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, Static

from svcdesk.clock import now
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import fmt
from svcdesk.tui.base import DataScreen
from svcdesk.tui.registry import register_command
from svcdesk.tui.widgets.table import KeyTable

if TYPE_CHECKING:  # the solver stack loads on first use, not at console start
    from svcdesk.services.dispatch.plan import Change, PlanProposal

SYMBOL = {
    "book": ("+", "green"),
    "move": ("~", "yellow"),
    "keep": ("=", "dim"),
    "unplanned": ("!", "red"),
}


def make_plan(day: date | None, time_limit: float | None, reoptimize: bool, force: bool = False):
    """`day` None: tomorrow, or the next day that is not a shop holiday."""

    def fn(session) -> tuple[PlanProposal, list[Change]]:
        from svcdesk.services.dispatch.plan import plan_changes

        chosen = day if day is not None else tomorrow(session)
        return plan_changes(session, chosen, time_limit, reoptimize=reoptimize, force=force)

    return fn


def apply_plan(proposal: PlanProposal, actor: str):
    def fn(session) -> str:
        from svcdesk.services.dispatch.plan import apply

        result = apply(session, proposal, actor)
        return f"plan applied: {len(result.booked)} booked, {len(result.moved)} moved"

    return fn


class DayPlanScreen(DataScreen):
    help_title = "Day plan"
    DEFAULT_CSS = """
    DayPlanScreen #plan-head { height: auto; padding: 0 1; background: $boost; }
    DayPlanScreen #plan-changes { height: 1fr; }
    DayPlanScreen #plan-detail { height: auto; max-height: 4; padding: 0 1; }
    """
    BINDINGS = [
        Binding("A", "apply", "Apply plan", key_display="A"),
        Binding("R", "replan", "Re-plan", key_display="R"),
        Binding("o", "toggle_reoptimize", "Re-optimise booked"),
        Binding("f", "toggle_holiday", "Work the holiday", show=False),
        Binding("left_square_bracket", "day(-1)", "Prev day", key_display="["),
        Binding("right_square_bracket", "day(1)", "Next day", key_display="]"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, day: date | None, *, time_limit: float | None = None) -> None:
        """`day` None: the next working day, found with the plan (off the event loop)."""
        super().__init__()
        self.day = day
        self.time_limit = time_limit
        self.reoptimize = False
        self.force = False  # work a shop holiday
        self.proposal: PlanProposal | None = None
        self.changes: dict[str, Change] = {}
        self.stale = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="plan-head")
        table = KeyTable(id="plan-changes")
        for label, width in (
            ("", 1),
            ("Number", 9),
            ("Pri", 9),
            ("Before", 18),
            ("After", 24),
            ("Note", 60),
        ):
            table.add_column(label, width=width, key=label or "kind")
        yield table
        yield Static(id="plan-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(KeyTable).focus()

    # -- data -----------------------------------------------------------------------------
    def refresh_data(self) -> None:
        if self.proposal is None:
            self.action_replan()
        else:  # someone changed the schedule: say so instead of re-solving behind their back
            self.stale = True
            self._head()

    def action_replan(self) -> None:
        self.stale = False
        day = f"{self.day:%A %Y-%m-%d}" if self.day else "the next working day"
        self.query_one("#plan-head", Static).update(f"Planning {day}… (solver running)")
        self.load(
            make_plan(self.day, self.time_limit, self.reoptimize, self.force),
            self._show,
            group="plan",
        )

    def _show(self, result) -> None:
        self.proposal, changes = result
        self.day = self.proposal.day
        zone = self.app.zone
        self.changes = {f"{i}": c for i, c in enumerate(changes)}
        rows = []
        for key, c in self.changes.items():
            sym, style = SYMBOL[c.kind]
            before = (
                f"{c.before_tech} {fmt(c.before_start, zone, '%H:%M')}" if c.before_tech else ""
            )
            after = (
                f"{c.after_tech} {fmt(c.after_start, zone, '%H:%M')}-{fmt(c.after_end, zone, '%H:%M')}"
                if c.after_end
                else ""
            )
            rows.append(
                (key, (Text(sym, style=style), c.number, c.priority, before, after, c.reason))
            )
        self.query_one(KeyTable).replace_rows(rows)
        self._head()
        self._describe()

    def _head(self) -> None:
        p = self.proposal
        if p is None:
            return
        from svcdesk.services.dispatch.plan import changes_summary

        counts = changes_summary(list(self.changes.values()))
        stops = sum(len(r.stops) for r in p.routes)
        text = Text()
        text.append(f"{p.day:%A %Y-%m-%d}", style="bold")
        text.append(
            f" · {stops} stops on {sum(1 for r in p.routes if r.stops)} technicians · "
            f"{p.total_drive_minutes} min drive · {counts['book']} to book, {counts['move']} to "
            f"move, {counts['keep']} kept, {counts['unplanned']} not planned · "
            f"{'re-optimising booked visits' if p.reoptimize else 'booked visits locked'}"
        )
        if p.holiday == "off":
            text.append("  shop holiday: technicians off · f works it", style="bold yellow")
        elif p.holiday == "worked":
            text.append("  shop holiday worked (f: off)", style="bold yellow")
        if self.stale:
            text.append("  schedule changed since: R re-plans", style="bold red")
        if p.violations:
            text.append(f"  {len(p.violations)} checker violations!", style="bold red")
        self.query_one("#plan-head", Static).update(text)

    def on_data_table_row_highlighted(self, event) -> None:
        event.stop()
        self._describe()

    def _describe(self) -> None:
        key = self.query_one(KeyTable).current_key
        change = self.changes.get(key) if key else None
        detail = self.query_one("#plan-detail", Static)
        if change is None or self.proposal is None:
            detail.update("")
            return
        from svcdesk.services.dispatch.plan import describe

        line = describe(change, self.app.zone)
        route = next((r for r in self.proposal.routes if r.tech_name == change.after_tech), None)
        if route is not None and route.stops:
            line += (
                f"\n{route.tech_name}: {len(route.stops)} stops, {route.drive_minutes} min drive, "
                f"out {fmt(route.depart, self.app.zone, '%H:%M')} back "
                f"{fmt(route.back, self.app.zone, '%H:%M')}"
                + (f", lunch {fmt(route.lunch[0], self.app.zone, '%H:%M')}" if route.lunch else "")
            )
        detail.update(line)

    # -- actions --------------------------------------------------------------------------
    def action_apply(self) -> None:
        if self.proposal is None:
            return
        if not any(c.kind in ("book", "move") for c in self.changes.values()):
            self.app.notify("nothing to apply", severity="warning")
            return
        self.save(apply_plan(self.proposal, self.app.actor), self._applied)

    def _applied(self, message: str) -> None:
        self.app.notify(message, title="Day plan")
        self.proposal = None  # the refresh that follows plans again from the new schedule

    def action_toggle_holiday(self) -> None:
        self.force = not self.force
        self.action_replan()

    def action_toggle_reoptimize(self) -> None:
        self.reoptimize = not self.reoptimize
        self.action_replan()

    def action_day(self, delta: int) -> None:
        if self.day is None:  # the first plan (and its day) is still loading
            return
        self.day += timedelta(days=delta)
        self.action_replan()

    def action_back(self) -> None:
        self.app.pop_screen()


def tomorrow(session) -> date:
    """Tomorrow, or the next day that is not a shop holiday (in a worker: it reads)."""
    from svcdesk.services.dispatch.holidays import next_plan_day

    return next_plan_day(session, now().astimezone(shop_zone(session)).date())


@register_command(
    "plan-tomorrow",
    "Plan tomorrow",
    help="Day plan for the crew, as a diff (the next working day after a shop holiday)",
)
def _plan_tomorrow(app) -> None:
    app.push_screen(DayPlanScreen(None))
