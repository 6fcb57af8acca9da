"""Drop an order into today's running day (`E` on the board): where it fits, what it costs.

One row per technician who can take it, best first (for an emergency: the earliest
start), with the added drive and the knock-on delays of later visits; those who cannot
are listed below. When nobody has room for an emergency, the options bump normal/low
visits (which visit moves to whom, or back to the board); `enter` on such an option first
asks, a second `enter` confirms. `enter` books the highlighted option, moves the delayed
visits and carries out the bumps (one transaction); `escape` closes. On a shop holiday
everyone is listed as off; `f` calls the crew in with their usual shifts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, Static

from svcdesk.errors import SvcDeskError
from svcdesk.services.common.timefmt import fmt
from svcdesk.services.orders import lifecycle
from svcdesk.tui.columns import key_table
from svcdesk.tui.screens.suggest import DispatchModal
from svcdesk.tui.widgets.table import KeyTable

if TYPE_CHECKING:  # the solver stack loads on first use, not at console start
    from svcdesk.services.dispatch.insert import InsertProposal


def load_insert(number: str, force: bool = False):
    def fn(session) -> InsertProposal:
        from svcdesk.services.dispatch.insert import insert_emergency

        order = lifecycle.get_order(session, number)
        return insert_emergency(session, order, force=force, bump=True)

    return fn


def apply_option(proposal: InsertProposal, index: int, actor: str, zone):
    def fn(session) -> str:
        from svcdesk.services.dispatch.insert import apply_insert

        option = proposal.options[index]
        visit = apply_insert(session, proposal, option, actor=actor)
        moved = f"; {len(option.delays)} later visits moved" if option.delays else ""
        bumped = "".join(f"; bumped {b.describe(zone)}" for b in option.bumped)
        return (
            f"{proposal.number} booked: {option.tech_name} "
            f"{fmt(visit.starts_at, zone, '%H:%M')}{moved}{bumped}"
        )

    return fn


class InsertModal(DispatchModal):
    DEFAULT_CSS = "InsertModal > .dispatch-dialog { width: 112; }"
    BINDINGS = [
        Binding("enter", "apply", "Book here"),
        Binding("f", "force", "Work the holiday", show=False),
    ]

    def __init__(self, number: str, actor: str) -> None:
        super().__init__()
        self.number, self.actor = number, actor
        self.proposal: InsertProposal | None = None
        self.force = False
        self.asked: int | None = None  # the bumping option whose question is showing

    def compose(self) -> ComposeResult:
        with Vertical(classes="dispatch-dialog"):
            yield Label(f"Insert {self.number} into today", classes="title", id="insert-title")
            yield key_table(
                "options",
                ("Technician", 14),
                ("Start", 11),
                ("+Drive", 6),
                ("Knock-on delays / bumps", 56),
            )
            yield Static(id="insert-detail", classes="detail")
            yield Static(id="error", classes="refusals")
            yield Static(id="insert-confirm", classes="refusals")
            yield Static("enter books the highlighted option · escape cancels", classes="hint")

    def on_mount(self) -> None:
        self.query_one(KeyTable).focus()
        self.load(load_insert(self.number, self.force), self._show, on_error=self._failed)

    def action_force(self) -> None:
        """Shop holiday: call the crew in (their usual shifts) and look again."""
        if self.force:
            return
        self.force = True
        self.load(load_insert(self.number, True), self._show, on_error=self._failed)

    def _failed(self, exc: SvcDeskError) -> bool:
        self.query_one("#error", Static).update(str(exc))
        return True

    def _show(self, proposal: InsertProposal) -> None:
        self.proposal = proposal
        self._ask(None)
        zone = self.app.zone
        self.query_one("#insert-title", Label).update(
            f"Insert {proposal.number} ({proposal.priority}) into today, now "
            f"{fmt(proposal.now, zone, '%H:%M')}"
        )
        self.query_one(KeyTable).replace_rows(
            (
                str(i),
                (
                    o.tech_name,
                    f"{fmt(o.starts_at, zone, '%H:%M')}-{fmt(o.ends_at, zone, '%H:%M')}",
                    f"+{o.added_drive_minutes}m",
                    ", ".join(
                        [
                            *(f"bumps {b.describe(zone)}" for b in o.bumped),
                            *(
                                f"{d.number} {fmt(d.before, zone, '%H:%M')}→"
                                f"{fmt(d.after, zone, '%H:%M')} (+{d.minutes}m)"
                                for d in o.delays
                            ),
                        ]
                    )
                    or "none",
                ),
            )
            for i, o in enumerate(proposal.options)
        )
        self.fit_table(len(proposal.options), 12)
        cannot = "; ".join(f"{n}: {w}" for n, w in proposal.not_possible.items())
        holiday = any("shop holiday" in w for w in proposal.not_possible.values())
        bumping = bool(proposal.options) and all(o.bumped for o in proposal.options)
        self.query_one("#insert-detail", Static).update(
            ("nobody can take it today. " if not proposal.options else "")
            + ("Nobody has room: every option bumps visits. " if bumping else "")
            + ("Shop holiday: f calls the crew in. " if holiday and not self.force else "")
            + (f"Cannot: {cannot}" if cannot else "")
        )

    def on_data_table_row_selected(self, event) -> None:
        event.stop()
        self.action_apply()

    def action_apply(self) -> None:
        if self.proposal is None or not self.proposal.options:
            return
        key = self.query_one(KeyTable).current_key
        index = int(key) if key is not None else 0
        option = self.proposal.options[index]
        if option.bumped and self.asked != index:
            self._ask(index)
            return
        self.submit(apply_option(self.proposal, index, self.actor, self.app.zone))

    def on_data_table_row_highlighted(self, event) -> None:
        self._ask(None)  # another option: its bumps are asked about afresh

    def _ask(self, index: int | None) -> None:
        """Show (or clear) the question before bumping: which visits move where."""
        self.asked = index
        question = ""
        if index is not None and self.proposal is not None:
            option = self.proposal.options[index]
            moves = "; ".join(b.describe(self.app.zone) for b in option.bumped)
            question = (
                f"Booking {self.proposal.number} with {option.tech_name} bumps {moves}. "
                "enter again to book and bump · escape cancels"
            )
        self.query_one("#insert-confirm", Static).update(question)
