"""Message templates (from the Outbox, `W`): each message's wording per channel, whether
it is sent at all, and an editor with a live preview (docs/messages.md).

Keys: `enter`/`e` edits the highlighted wording (subject and body; the preview below is
rendered as you type by the same sandboxed renderer that sends, with sample values;
`ctrl+s` saves, refused with one line when it does not render), `o` turns that message
on or off for the shop, `D` puts the built-in wording back, `escape` returns."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Header, Input, Label, Static, TextArea

from svcdesk.errors import InvalidInput
from svcdesk.services.messages import templates
from svcdesk.services.messages.views import CHANNEL_WORDS, TRIGGER_WORDS
from svcdesk.tui.base import DataModal, DataScreen
from svcdesk.tui.cells import clip
from svcdesk.tui.columns import key_table
from svcdesk.tui.data import call
from svcdesk.tui.widgets.table import KeyTable


def _key(row: templates.TemplateRow) -> str:
    return f"{row.trigger}/{row.channel}"


def _words(row: templates.TemplateRow) -> str:
    return f"{TRIGGER_WORDS.get(row.trigger, row.trigger)} by {CHANNEL_WORDS[row.channel]}"


class TemplateEditor(DataModal):
    """Edit one message's wording; the preview follows every keystroke."""

    DEFAULT_CSS = """
    TemplateEditor #template-box { width: 124; height: 90%; border: thick $primary;
                                   background: $surface; padding: 1 2; }
    TemplateEditor #template-box > .title { text-style: bold; margin-bottom: 1; }
    TemplateEditor #panes { height: 1fr; }
    TemplateEditor #body { width: 1fr; height: 1fr; }
    TemplateEditor #preview { width: 1fr; height: 1fr; border: round $primary; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "dismiss_modal", "Close"),
        Binding("ctrl+s", "save", "Save"),
    ]

    def __init__(self, row: templates.TemplateRow, values: dict, actor: str) -> None:
        super().__init__()
        self.row, self.values, self.actor = row, values, actor

    def compose(self) -> ComposeResult:
        r = self.row
        with Vertical(id="template-box"):
            yield Label(f"Wording: {_words(r)}", classes="title")
            if r.channel == "email":
                yield Input(value=r.subject, id="subject", placeholder="Subject")
            with Horizontal(id="panes"):
                yield TextArea(r.body, id="body", soft_wrap=True, show_line_numbers=False)
                yield Static(id="preview")
            yield Static(id="error", classes="field-error")
            yield Static(
                "values: " + ", ".join("{{ " + k + " }}" for k in templates.values_of(r.trigger))
                + "\nctrl+s saves (only wording that renders) · escape cancels",
                classes="hint",
            )  # fmt: skip

    def on_mount(self) -> None:
        self.query_one("#body", TextArea).focus()
        self._render_preview()

    def _subject(self) -> str:
        found = self.query("#subject")
        return found.first(Input).value if found else ""

    @on(Input.Changed, "#subject")
    @on(TextArea.Changed, "#body")
    def _render_preview(self) -> None:
        body = self.query_one("#body", TextArea).text
        try:
            subject, text = templates.draft_preview(
                self.row.trigger, self.row.channel, self._subject(), body, self.values
            )
        except InvalidInput as exc:
            self.query_one("#error", Static).update(str(exc))
            return
        self.query_one("#error", Static).update("")
        shown = (f"Subject: {subject}\n\n" if subject else "") + text.rstrip()
        self.query_one("#preview", Static).update(Text(shown))

    def action_save(self) -> None:
        trigger, channel, actor = self.row.trigger, self.row.channel, self.actor
        subject = self._subject() if channel == "email" else None
        body = self.query_one("#body", TextArea).text
        self.submit(call(templates.edit_template, trigger, channel, subject=subject, body=body,
                         actor=actor, then=_key))  # fmt: skip


class TemplatesScreen(DataScreen):
    help_title = "Message templates"
    DEFAULT_CSS = """
    TemplatesScreen #templates-head { height: 1; padding: 0 1; }
    TemplatesScreen #templates-text { height: 1fr; border: round $primary; padding: 0 1; }
    """
    BINDINGS = [
        Binding("enter", "edit", "Edit", show=False),
        Binding("e", "edit", "Edit wording"),
        Binding("o", "switch", "On/off"),
        Binding("D", "reset", "Built-in wording"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, templates.TemplateRow] = {}
        self.values: dict = dict(templates.SAMPLE)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("loading…", id="templates-head")
        yield key_table(
            "templates", ("Message", 34), ("On", 4), ("Wording", 9), ("Subject", 60),
        )  # fmt: skip
        yield Static(id="templates-text")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#templates", KeyTable).focus()

    def refresh_data(self) -> None:
        self.load(lambda s: (templates.template_rows(s), templates.sample_values(s)),
                  self._show, group="rows")  # fmt: skip

    def _show(self, data) -> None:
        rows, self.values = data
        self.rows = {_key(r): r for r in rows}
        self.query_one("#templates", KeyTable).replace_rows(
            (_key(r), (_words(r), Text("on", style="green") if r.on else Text("off", style="dim"),
                       "edited" if r.edited else "built in", clip(r.subject, 60)))
            for r in rows
        )  # fmt: skip
        off = sum(1 for r in rows if not r.on)
        self.query_one("#templates-head", Static).update(
            f"{len(rows)} templates · {off} off · enter edit · o on/off · D built-in wording"
        )
        self._show_text()

    def _current(self) -> templates.TemplateRow | None:
        return self.cursor_row("#templates", self.rows)

    def on_data_table_row_highlighted(self, event: KeyTable.RowHighlighted) -> None:
        self._show_text()

    def _show_text(self) -> None:
        row = self._current()
        text = ""
        if row is not None:
            try:
                subject, body = templates.draft_preview(
                    row.trigger, row.channel, row.subject, row.body, self.values
                )
                text = (f"Subject: {subject}\n\n" if subject else "") + body.rstrip()
            except InvalidInput as exc:
                text = str(exc)
        self.query_one("#templates-text", Static).update(Text(text))

    def on_data_table_row_selected(self, event: KeyTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def action_edit(self) -> None:
        row = self._current()
        if row is not None:
            self.app.push_screen(TemplateEditor(row, self.values, self.app.actor), self._saved)

    def _saved(self, key: str | None) -> None:
        if key:
            self.app.notify(f"template {key}: saved")

    def action_switch(self) -> None:
        row = self._current()
        if row is not None:
            trigger, now_on, actor = row.trigger, not row.on, self.app.actor
            words = TRIGGER_WORDS.get(trigger, trigger)
            self.save(call(templates.switch_trigger, trigger, now_on, actor=actor),
                      lambda _: self.app.notify(f"{words}: {'on' if now_on else 'off'}"))  # fmt: skip

    def action_reset(self) -> None:
        row = self._current()
        if row is not None:
            trigger, channel, actor = row.trigger, row.channel, self.app.actor
            self.save(call(templates.edit_template, trigger, channel, reset=True, actor=actor),
                      lambda _: self.app.notify(f"template {trigger}/{channel}: built-in wording"))  # fmt: skip

    def action_back(self) -> None:
        self.app.pop_screen()
