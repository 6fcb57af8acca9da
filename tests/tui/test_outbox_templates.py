"""Console: message templates from the Outbox (`O`, then `W`): list with on/off, edit with
a live preview (the sending renderer), refused unless it renders, on/off, built-in."""

from __future__ import annotations

from textual.widgets import TextArea

from svcdesk.db import read_session, write_session
from svcdesk.services.common.settings import get_setting, set_setting
from svcdesk.services.messages import templates
from svcdesk.tui.screens.message_templates import TemplateEditor, TemplatesScreen
from tests.tui.helpers import SIZE, console_app, press, run_app, snapshot_before, table_keys

KEYS = ["booking/email", "booking/sms", "reminder/email", "reminder/sms", "on_my_way/email",
        "on_my_way/sms", "quote/email", "invoice/email", "receipt/email", "review/email",
        "review/sms"]  # fmt: skip


def _text(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def _retype(pilot, text: str) -> None:
    body = pilot.app.screen.query_one("#body", TextArea)
    body.clear()
    body.insert(text)
    await press(pilot)


def _stored(engine, trigger: str, channel: str) -> templates.TemplateRow:
    with read_session(engine) as s:
        return templates.get_template(s, trigger, channel)


async def test_templates_list_switch_edit_and_reset(engine, shop):
    with write_session(engine) as s:
        set_setting(s, "web.public_url", "https://desk.example.com")
    async with run_app(engine) as (app, pilot):
        await press(pilot, "O", "W")
        assert isinstance(app.screen, TemplatesScreen)
        assert table_keys(app, "#templates") == KEYS
        assert "11 templates · 0 off" in _text(app, "#templates-head")
        assert "Subject: Your appointment on Friday, December 4" in _text(app, "#templates-text")
        await press(pilot, "o")  # booking confirmations off
        with read_session(engine) as s:
            assert get_setting(s, "messages.on.booking") == "off"
        assert "11 templates · 2 off" in _text(app, "#templates-head")
        await press(pilot, *["down"] * 6)  # quote/email: the preview has a sample link
        assert "See it and approve it here: https://desk.example.com/c/" in _text(
            app, "#templates-text"
        )
        await press(pilot, "enter")
        assert isinstance(app.screen, TemplateEditor)
        assert "See it and approve it here: https://desk.example.com/c/" in _text(app, "#preview")
        await _retype(pilot, "Hi {{ customer }}, quote {{ quote }}: {{ approve_link }}")
        assert "Hi Dana Reyes, quote Q-000007: https://desk.example.com/c/" in _text(
            app, "#preview"
        )
        assert _text(app, "#error") == ""
        await _retype(pilot, "Hi {{ custmer }}")
        error = _text(app, "#error")
        assert error.startswith("template quote/email: 'custmer' is undefined (values: ")
        assert "\n" not in error
        await press(pilot, "ctrl+s")  # refused: stays open, nothing written
        assert isinstance(app.screen, TemplateEditor)
        assert _stored(engine, "quote", "email").edited is False
        await _retype(pilot, "Hi {{ customer }}, your quote {{ quote }} is attached.")
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, TemplatesScreen)
        row = _stored(engine, "quote", "email")
        assert row.edited and row.body == "Hi {{ customer }}, your quote {{ quote }} is attached."
        assert "edited" in " ".join(
            str(c) for c in app.screen.query_one("#templates").get_row("quote/email")
        )
        await press(pilot, "D")
        assert _stored(engine, "quote", "email").edited is False
        await press(pilot, "escape")
        assert not isinstance(app.screen, TemplatesScreen)


async def test_sms_wording_has_no_subject_and_empty_body_is_refused(engine, shop):
    async with run_app(engine) as (app, pilot):
        await press(pilot, "O", "W", "down", "enter")  # booking/sms
        assert isinstance(app.screen, TemplateEditor)
        assert not app.screen.query("#subject")
        await _retype(pilot, "   ")
        assert _text(app, "#error") == "template booking/sms: the body is empty"
        await press(pilot, "ctrl+s", "escape")
        assert isinstance(app.screen, TemplatesScreen)
    assert _stored(engine, "booking", "sms").edited is False


def test_templates_snapshot(engine, shop, snap_compare):
    assert snap_compare(console_app(engine), terminal_size=SIZE,
                        run_before=snapshot_before(("O", "W", "down", "down")))  # fmt: skip


def test_template_editor_snapshot(engine, shop, snap_compare):
    with write_session(engine) as s:
        set_setting(s, "web.public_url", "https://desk.example.com")
    keys = ("O", "W", *["down"] * 6, "enter")
    assert snap_compare(console_app(engine), terminal_size=SIZE, run_before=snapshot_before(keys))


async def test_public_url_set_on_the_settings_screen(engine, shop):
    from svcdesk.tui.screens.shop_settings import SettingModal, SettingsScreen

    async with run_app(engine) as (app, pilot):
        await press(pilot, "S")
        keys = table_keys(app, "#settings")
        app.screen.query_one("#settings").move_cursor(row=keys.index("web.public_url"))
        await press(pilot, "enter")
        assert isinstance(app.screen, SettingModal)
        await press(pilot, *"desk.example.com", "enter")
        assert isinstance(app.screen, SettingModal)  # refused in place, one line
        assert "expected an address like https://" in _text(app, "#error")
        await press(pilot, "home", *"https://", "enter")
        assert isinstance(app.screen, SettingsScreen)
    with read_session(engine) as s:
        assert get_setting(s, "web.public_url") == "https://desk.example.com"
