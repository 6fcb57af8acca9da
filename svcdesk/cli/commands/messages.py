"""`svcdesk messages send|remind|list|show|retry|cancel|preview|prefs|opt-out|opt-in` and
`svcdesk messages templates list|edit` (docs/messages.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from svcdesk.cli.options import JsonOpt, nothing_to_change
from svcdesk.cli.output import info, print_json, table
from svcdesk.cli.state import actor, engine
from svcdesk.db import read_session, write_session
from svcdesk.errors import InvalidInput
from svcdesk.services.common.words import status_words
from svcdesk.services.crm.customers import get_customer
from svcdesk.services.messages import delivery, outbox, prefs, templates, triggers, views
from svcdesk.services.orders import lifecycle

app = typer.Typer(
    help="Messages to customers: the outbox, sending, templates, preferences.",
    no_args_is_help=True,
)
templates_app = typer.Typer(help="The wording of each message.", no_args_is_help=True)
app.add_typer(templates_app, name="templates")

ChannelOpt = Annotated[str, typer.Option("--channel", help="email or sms.")]


@app.command("send")
def send(
    limit: Annotated[int | None, typer.Option("--limit", help="Send at most this many.")] = None,
    remind: Annotated[
        bool, typer.Option("--remind/--no-remind", help="Queue tomorrow's reminders first.")
    ] = True,
    json_out: JsonOpt = False,
) -> None:
    """Send what is due (run it from cron every few minutes): at-least-once, retried with
    a doubling wait, failed after messages.max_attempts."""
    reminded = 0
    if remind:
        with write_session(engine()) as session:
            reminded = triggers.remind(session, actor=actor())
    report = delivery.send_due(engine(), limit=limit)
    if json_out:
        print_json({"reminders_queued": reminded, "sent": report.sent, "retrying": report.retrying,
                    "failed": report.failed, "cancelled": report.cancelled, "held": report.held,
                    "without_link": report.unlinked, "errors": report.errors})  # fmt: skip
        return
    info((f"{reminded} reminders queued; " if reminded else "") + report.words())
    for reason in report.errors[:5]:
        print(f"  {reason}", file=sys.stderr)
    if note := report.note():
        print(note, file=sys.stderr)


@app.command("remind")
def remind() -> None:
    """Queue the reminders of tomorrow's visits (`send` does this too)."""
    with write_session(engine()) as session:
        made = triggers.remind(session, actor=actor())
    info(f"{made} reminders queued")


@app.command("list")
def list_cmd(
    status: Annotated[
        str | None, typer.Option("--status", help="queued, sending, sent, failed or cancelled.")
    ] = None,
    order: Annotated[str | None, typer.Option("--order", help="Only this order's.")] = None,
    customer: Annotated[
        str | None, typer.Option("--customer", help="Only this customer's.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit")] = 200,
    json_out: JsonOpt = False,
) -> None:
    """The outbox, newest first."""
    with read_session(engine()) as session:
        order_id = lifecycle.get_order(session, order).id if order else None
        customer_id = get_customer(session, customer).id if customer else None
        rows = views.message_rows(session, status=status, order_id=order_id,
                                  customer_id=customer_id, limit=limit)  # fmt: skip
    if json_out:
        print_json([r.to_json() for r in rows])
        return
    table(f"{len(rows)} messages", ["Id", "Status", "What", "By", "Customer", "Order", "When", "Tries", "Error"],
          [(r.id, status_words(r.status), r.what, r.channel, r.customer, r.order, r.when, r.attempts, r.last_error[:40])
           for r in rows])  # fmt: skip


@app.command("show")
def show(message_id: int, json_out: JsonOpt = False) -> None:
    """One message: to whom, its status and its text."""
    with read_session(engine()) as session:
        detail = views.message_detail(session, message_id)
    if json_out:
        print_json(detail.to_json())
        return
    print(detail.text())


@app.command("retry")
def retry(message_id: int) -> None:
    """Send a failed or cancelled message again (at the next `messages send`)."""
    with write_session(engine()) as session:
        m = outbox.retry(session, outbox.get_message(session, message_id), actor=actor())
        info(f"message {m.id}: queued again")


@app.command("cancel")
def cancel(message_id: int) -> None:
    """Do not send a queued (or failed) message."""
    with write_session(engine()) as session:
        m = outbox.cancel(session, outbox.get_message(session, message_id), actor=actor())
        info(f"message {m.id}: cancelled")


@app.command("preview")
def preview(
    trigger: Annotated[str, typer.Argument(help=", ".join(templates.TRIGGERS))],
    channel: ChannelOpt = "email",
) -> None:
    """A message as it would read, with sample values."""
    with read_session(engine()) as session:
        subject, body = templates.preview(session, trigger, channel)
        note = templates.link_note(session, templates.check_trigger(trigger))
    if subject:
        print(f"Subject: {subject}\n")
    print(body.rstrip())
    if note:
        print(f"\n{note}", file=sys.stderr)


def _yes_no(text: str | None, field: str) -> bool | None:
    if text is None:
        return None
    value = text.strip().lower()
    if value in ("yes", "y", "true", "on"):
        return True
    if value in ("no", "n", "false", "off"):
        return False
    raise InvalidInput(f"{field}: {text!r} is not yes or no")


@app.command("prefs")
def prefs_cmd(
    customer: Annotated[str, typer.Argument(help="Customer id, phone, e-mail or name.")],
    consent: Annotated[
        str | None, typer.Option("--consent", help="yes: the customer agreed to messages.")
    ] = None,
    channel: Annotated[
        str | None, typer.Option("--channel", help="Preferred: email or sms.")
    ] = None,
) -> None:
    """Show or set a customer's consent and preferred channel (no consent = no messages)."""
    agreed = _yes_no(consent, "consent")
    with write_session(engine()) as session:
        c = get_customer(session, customer)
        if agreed is None and channel is None:
            pref = prefs.preference(session, c.id)
        else:
            pref = prefs.set_preferences(session, c, consent=agreed, channel=channel, actor=actor())
        info(f"{c.name}: {prefs.describe(pref)}")


@app.command("opt-out")
def opt_out(customer: str, channel: ChannelOpt = "sms") -> None:
    """Record a customer's STOP on a channel; what is queued on it is cancelled."""
    with write_session(engine()) as session:
        c = get_customer(session, customer)
        cancelled = prefs.opt_out(session, c, channel, actor=actor())
        info(f"{c.name}: opted out of {views.CHANNEL_WORDS[templates.check_channel(channel)]} "
             f"messages" + (f"; {cancelled} queued cancelled" if cancelled else ""))  # fmt: skip


@app.command("opt-in")
def opt_in(customer: str, channel: ChannelOpt = "sms") -> None:
    """Undo an opt-out on a channel."""
    with write_session(engine()) as session:
        c = get_customer(session, customer)
        pref = prefs.opt_in(session, c, channel, actor=actor())
        info(f"{c.name}: {prefs.describe(pref)}")


@templates_app.command("list")
def templates_list(json_out: JsonOpt = False) -> None:
    """Every trigger's wording per channel (edited or built in) and whether it is on."""
    with read_session(engine()) as session:
        rows = templates.template_rows(session)
    if json_out:
        print_json([{"trigger": r.trigger, "channel": r.channel, "subject": r.subject,
                     "body": r.body, "edited": r.edited, "on": r.on} for r in rows])  # fmt: skip
        return
    table(f"{len(rows)} templates", ["Trigger", "Channel", "On", "Wording", "Subject"],
          [(r.trigger, r.channel, "on" if r.on else "off",
            "edited" if r.edited else "built in", r.subject) for r in rows])  # fmt: skip


@templates_app.command("edit")
def templates_edit(
    trigger: Annotated[str, typer.Argument(help=", ".join(templates.TRIGGERS))],
    channel: ChannelOpt = "email",
    subject: Annotated[str | None, typer.Option("--subject")] = None,
    body: Annotated[str | None, typer.Option("--body", help="The text (Jinja2).")] = None,
    body_file: Annotated[
        Path | None, typer.Option("--body-file", help="Read the text from this file.")
    ] = None,
    reset: Annotated[bool, typer.Option("--reset", help="Back to the built-in wording.")] = False,
) -> None:
    """Change a message's wording; it is checked by rendering it with sample values."""
    if body_file is not None:
        if body is not None:
            raise InvalidInput("body: give --body or --body-file, not both")
        try:
            body = body_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"body-file: cannot read {body_file}: {exc}") from None
    if not reset and subject is None and body is None:
        nothing_to_change("--subject, --body, --body-file or --reset")
    with write_session(engine()) as session:
        row = templates.edit_template(session, trigger, channel, subject=subject, body=body,
                                      reset=reset, actor=actor())  # fmt: skip
        info(f"template {row.trigger}/{row.channel}: " + ("built-in wording" if reset else "saved"))


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="messages")
