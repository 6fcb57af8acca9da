"""Actions on one order, shared by the board and the order screen, and their dialogs.

Each dialog saves through a worker; a refused or invalid save keeps the dialog open with
what was typed and the message in place. Every write passes the order `version` the user
was looking at, so a change by someone else in between is a `Conflict` (said, reloaded)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from svcdesk.errors import BookingRefused, Conflict, SvcDeskError
from svcdesk.models import OrderStatus
from svcdesk.services.common.words import status_words
from svcdesk.services.dispatch import assign_view
from svcdesk.services.execution import order_progress
from svcdesk.services.orders import intake, lifecycle, notes, scheduling
from svcdesk.tui.base import DataModal
from svcdesk.tui.data import DataMixin, call, call_on

REASON_STATUSES = {s.value for s in lifecycle.REASON_REQUIRED}


# -- service calls (run inside a worker's transaction) ---------------------------------
def change_status(number, version, to, reason, actor):
    """The status use-case: the order and its visits move together (order_progress)."""
    return call_on(lifecycle.get_order, number, order_progress.change_order_status, to,
                   actor=actor, reason=reason or None, expected_version=version,
                   then=lambda order: order.number)  # fmt: skip


def reason_saves(number, version, to, actor):
    """(save checking `version`, the same save on whatever version is current): the second
    is the retry after someone else changed the order (`TextModal.retry_fn`)."""
    return (
        lambda reason: change_status(number, version, to, reason, actor),
        lambda reason: change_status(number, None, to, reason, actor),
    )


def add_note(number, text, actor):
    return call_on(lifecycle.get_order, number, notes.add_note, text, author=actor,
                   then=lambda _: number)  # fmt: skip


def create_callback(number, summary, actor):
    return call_on(lifecycle.get_order, number, intake.create_callback, summary, actor=actor,
                   then=lambda order: order.number)  # fmt: skip


def assign(number, version, visit_id, tech_id, start_text, minutes_text, force, actor):
    """The booking use-case (as `orders assign`): move the movable visit, else book one."""
    return call(scheduling.assign_from_text, number, [tech_id] if tech_id is not None else [],
                start_text, minutes_text, force=force, actor=actor, expected_version=version,
                then=lambda _: number)  # fmt: skip


# -- dialogs ---------------------------------------------------------------------------
class ChoiceModal(DataModal):
    """Pick one option; dismisses with its payload."""

    def __init__(self, title: str, choices: list[tuple[str, object]]) -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="title")
            yield OptionList(
                *(Option(label, id=str(i)) for i, (label, _) in enumerate(self.choices))
            )
            yield Static(id="error", classes="field-error")

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.picked(self.choices[int(event.option.id)][1])

    def picked(self, payload) -> None:
        self.dismiss(payload)


class QuickFilterModal(ChoiceModal):
    def __init__(self, choices: list[tuple[str, dict]]) -> None:
        super().__init__("Quick filter", choices)


class TextModal(DataModal):
    """One line of text (a reason, a note, a summary) saved by `make_fn(text)`.

    With `retry_fn` (the same save without the version check), a change by someone else
    in between does not throw the text away: the dialog stays with what was typed, says
    what happened, the screens reload, and the next `enter` saves with `retry_fn` (the
    service rules still apply to the order as it is now)."""

    def __init__(
        self, title: str, placeholder: str, make_fn, value: str = "", retry_fn=None
    ) -> None:
        super().__init__()
        self.title_text, self.placeholder, self.make_fn, self.value = (
            title,
            placeholder,
            make_fn,
            value,
        )
        self.retry_fn = retry_fn

    def show_error(self, exc: SvcDeskError) -> bool:
        if isinstance(exc, Conflict) and self.retry_fn is not None:
            self.make_fn, self.retry_fn = self.retry_fn, None
            self.query_one("#error", Static).update(
                f"{exc} — reloaded. What you typed is kept: enter saves it, escape drops it"
            )
            self.app.data_changed()
            return True
        return super().show_error(exc)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="title")
            yield Input(self.value, placeholder=self.placeholder, id="text")
            yield Static(id="error", classes="field-error")
            yield Static("enter saves · escape cancels", classes="hint")

    @on(Input.Submitted, "#text")
    def _submit(self, event: Input.Submitted) -> None:
        self.submit(self.make_fn(event.value))


class StatusModal(ChoiceModal):
    """Only the moves the transition table allows; hold/cancel then ask for a reason."""

    def __init__(self, number: str, version: int, status: str, actor: str) -> None:
        moves = [m.value for m in lifecycle.allowed_moves(status)]
        super().__init__(
            f"{number}: {status_words(status)} → ?", [(status_words(m), m) for m in moves]
        )
        self.number, self.version, self.actor = number, version, actor

    def on_mount(self) -> None:
        if not self.choices:
            self.query_one("#error", Static).update(f"{self.number} is final: no moves allowed")

    def picked(self, to: str) -> None:
        if to in REASON_STATUSES:
            fn, retry = reason_saves(self.number, self.version, to, self.actor)
            self.app.push_screen(
                TextModal(f"{self.number} → {status_words(to)}: reason", "why?", fn,
                          retry_fn=retry),
                self._close,
            )  # fmt: skip
        else:
            self.submit(change_status(self.number, self.version, to, None, self.actor))

    def _close(self, result) -> None:
        self.dismiss(result)


class BangInput(Input):
    """An Input that leaves `!` to the dialog (it books anyway): a start time or a
    number of minutes never holds one."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return character != "!" and super().check_consume_key(key, character)


class AssignModal(DataModal):
    """Technician (with skills and today's load) + start + minutes. A start after the SLA's
    due time is warned about as it is typed. Refusals are listed in place; `!` (or ctrl+f)
    books anyway — even from the start field — and the override is recorded."""

    BINDINGS = [
        Binding("ctrl+s", "book(False)", "Book"),
        Binding("ctrl+f,exclamation_mark", "book(True)", "Force", key_display="!", priority=True),
    ]

    def __init__(self, number: str, version: int, actor: str) -> None:
        super().__init__()
        self.number, self.version, self.actor = number, version, actor
        self.ctx: assign_view.AssignContext | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Assign {self.number}", classes="title", id="assign-title")
            yield Select([], prompt="technician", id="tech", allow_blank=True)
            yield BangInput(placeholder="start, e.g. today 13:00", id="start")
            yield BangInput(placeholder="minutes", id="minutes", type="integer")
            yield Static(id="sla-warning", classes="warning").set_styles("display: none;")
            yield Static(id="error", classes="refusals")
            yield Static("enter/ctrl+s books · ! or ctrl+f forces · escape cancels", classes="hint")

    def on_mount(self) -> None:
        number = self.number
        self.load(call(assign_view.assign_context, number), self._fill)

    def _fill(self, ctx: assign_view.AssignContext) -> None:
        self.ctx = ctx
        verb = "Reschedule" if ctx.visit_id else "Assign"
        self.query_one("#assign-title", Label).update(f"{verb} {self.number} ({ctx.current})")
        select = self.query_one("#tech", Select)
        select.set_options(ctx.techs)
        if ctx.visit_id and ctx.techs:
            select.value = ctx.techs[0][1]
        self.query_one("#start", Input).value = ctx.start_text
        self.query_one("#minutes", Input).value = str(ctx.minutes)
        select.focus()

    @on(Input.Submitted)
    def _enter(self) -> None:
        self.action_book(False)

    @on(Input.Changed, "#start")
    @on(Input.Changed, "#minutes")
    def _start_changed(self) -> None:
        if self.ctx is not None:
            start, minutes = (self.query_one(f"#{n}", Input).value for n in ("start", "minutes"))
            text = self.ctx.warning(start, minutes)
            line = self.query_one("#sla-warning", Static)
            line.update(text)
            line.display = bool(text)  # no blank line when there is nothing to warn about

    def action_book(self, force: bool) -> None:
        if self.ctx is None:
            return
        tech = self.query_one("#tech", Select).value
        fn = assign(
            self.number,
            self.version,
            self.ctx.visit_id,
            None if tech is Select.NULL else tech,
            self.query_one("#start", Input).value,
            self.query_one("#minutes", Input).value,
            force,
            self.actor,
        )
        self.submit(fn)

    def show_error(self, exc: SvcDeskError) -> bool:
        if isinstance(exc, BookingRefused):
            lines = "\n".join(f"✗ {r}" for r in exc.reasons)
            self.query_one("#error", Static).update(f"{lines}\npress ! to book anyway (recorded)")
            return True
        return super().show_error(exc)


class OrderActions(DataMixin):
    """Key actions on "the current order" (`current_row()` -> OrderRow-like or None)."""

    def current_row(self):  # pragma: no cover - overridden
        return None

    def _row_or_say(self):
        row = self.current_row()
        if row is None:
            self.app.notify("no order selected", severity="warning")
        return row

    def action_status(self) -> None:
        if row := self._row_or_say():
            self.app.push_screen(StatusModal(row.number, row.version, row.status, self.app.actor))

    def _reason_move(self, to: str, verb: str) -> None:
        row = self._row_or_say()
        if row is None:
            return
        if to not in {m.value for m in lifecycle.allowed_moves(row.status)}:
            self.app.notify(
                f"{row.number} is {status_words(row.status)}: it cannot be {verb}",
                severity="warning",
            )
            return
        fn, retry = reason_saves(row.number, row.version, to, self.app.actor)
        self.app.push_screen(
            TextModal(f"{verb.title()} {row.number}: reason", "reason", fn, retry_fn=retry)
        )

    def action_hold(self) -> None:
        self._reason_move(OrderStatus.ON_HOLD.value, "put on hold")

    def action_cancel_order(self) -> None:
        self._reason_move(OrderStatus.CANCELLED.value, "cancelled")

    def action_note(self) -> None:
        if row := self._row_or_say():
            fn = lambda text: add_note(row.number, text, self.app.actor)  # noqa: E731
            self.app.push_screen(TextModal(f"Note on {row.number}", "note text", fn))

    def action_assign(self) -> None:
        if row := self._row_or_say():
            self.app.push_screen(AssignModal(row.number, row.version, self.app.actor))

    def action_callback(self) -> None:
        row = self._row_or_say()
        if row is None:
            return
        fn = lambda summary: create_callback(row.number, summary, self.app.actor)  # noqa: E731

        def opened(number: str | None) -> None:
            if number:
                self.app.notify(f"callback {number} created for {row.number}")
                self.app.open_order(number)

        self.app.push_screen(
            TextModal(
                f"Callback for {row.number}", "what is wrong again?", fn, f"Callback: {row.summary}"
            ),
            opened,
        )
