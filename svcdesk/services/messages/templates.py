"""Message wording: the built-in templates, the shop's edits (table `message_template`)
and rendering in Jinja2's sandbox (a template can read the values it is given, nothing
else: no attribute tricks, no file access). A template that names an unknown value is
refused when saved, not when a customer would have got it."""

from __future__ import annotations

from dataclasses import dataclass

from jinja2 import StrictUndefined, TemplateError, meta
from jinja2.sandbox import SandboxedEnvironment
from sqlmodel import Session, select

from svcdesk.clock import now
from svcdesk.errors import InvalidInput
from svcdesk.models.messages import MessageTemplate
from svcdesk.services.common.events import record_change
from svcdesk.services.common.settings import MESSAGE_TRIGGERS, get_setting, set_setting

TRIGGERS = tuple(MESSAGE_TRIGGERS)
CHANNELS = ("email", "sms")
# Documents go by e-mail only (a text message cannot carry the PDF).
EMAIL_ONLY = ("quote", "invoice", "receipt")

_ENV = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)

_SIGN = "\n\n{{ company }}\n{{ company_phone }}\n"

# trigger -> channel -> (subject, body)
BUILT_IN: dict[str, dict[str, tuple[str, str]]] = {
    "booking": {
        "email": (
            "Your appointment on {{ day }}",
            "Hello {{ customer }},\n\nWe have booked your visit ({{ summary }}, order {{ order }}) "
            "for {{ day }}, arriving {{ window }}, at {{ address }}." + _SIGN,
        ),
        "sms": (
            "",
            "{{ company }}: your visit is booked for {{ day }}, arriving {{ window }}. "
            "Reply STOP to opt out.",
        ),
    },
    "reminder": {
        "email": (
            "Reminder: we see you tomorrow, {{ day }}",
            "Hello {{ customer }},\n\nA reminder that we will be at {{ address }} tomorrow, "
            "{{ day }}, arriving {{ window }} ({{ summary }}, order {{ order }})." + _SIGN,
        ),
        "sms": (
            "",
            "{{ company }}: reminder, we see you tomorrow ({{ day }}), arriving "
            "{{ window }}. Reply STOP to opt out.",
        ),
    },
    "on_my_way": {
        "email": (
            "{{ technician }} is on the way",
            "Hello {{ customer }},\n\n{{ technician }} is on the way to {{ address }}"
            "{% if eta %} and should arrive about {{ eta }}{% endif %}." + _SIGN,
        ),
        "sms": (
            "",
            "{{ company }}: {{ technician }} is on the way"
            "{% if eta %}, arriving about {{ eta }}{% endif %}.",
        ),
    },
    "quote": {
        "email": (
            "Your quote {{ quote }} from {{ company }}",
            "Hello {{ customer }},\n\nYour quote {{ quote }} ({{ title }}) is attached: "
            "{{ total }}. It is valid until {{ valid_until }}.\n"
            "{% if approve_link %}See it and approve it here: {{ approve_link }}"
            "{% else %}Reply to this e-mail or call us to approve it.{% endif %}" + _SIGN,
        ),
    },
    "invoice": {
        "email": (
            "Invoice {{ invoice }} from {{ company }}",
            "Hello {{ customer }},\n\nInvoice {{ invoice }} is attached. "
            "Balance due: {{ balance }} by {{ due }}.{% if invoice_link %}\n"
            "See it, its payments and the balance here: {{ invoice_link }}{% endif %}" + _SIGN,
        ),
    },
    "receipt": {
        "email": (
            "Payment received, thank you",
            "Hello {{ customer }},\n\nWe received your payment of {{ amount }} ({{ method }}) "
            "on {{ received }} for invoice {{ invoice }}. "
            "{% if balance_cents %}Balance still due: {{ balance }}.{% else %}It is paid in full."
            "{% endif %}" + _SIGN,
        ),
    },
    "review": {
        "email": (
            "How did we do?",
            "Hello {{ customer }},\n\nThank you for choosing {{ company }} ({{ summary }}, "
            "order {{ order }}). Would you tell us how we did? Just reply to this e-mail." + _SIGN,
        ),
        "sms": (
            "",
            "{{ company }}: thank you for having us! How did we do? Reply with a word "
            "or two. Reply STOP to opt out.",
        ),
    },
}

# Values each trigger's templates may use (checked when a template is saved).
SAMPLE: dict[str, object] = {
    "customer": "Dana Reyes", "company": "Lone Star Comfort", "company_phone": "(512) 555-0100",
    "order": "SO-000123", "summary": "AC not cooling", "address": "12 Oak St, Austin",
    "day": "Friday, December 4", "window": "between 9:00 AM and 11:00 AM",
    "technician": "Sam Ortiz", "eta": "2:30 PM", "quote": "Q-000007", "title": "New condenser",
    "total": "$4,250.00", "valid_until": "January 2, 2027", "approve_link": "",
    "invoice_link": "", "invoice": "INV-000042", "balance": "$120.00", "balance_cents": 12000,
    "due": "January 2, 2027", "amount": "$80.00", "method": "card", "received": "December 3",
}  # fmt: skip


# The customer link each document e-mail carries (made when the message is queued, when
# web.public_url is set: billing/outgoing.py), by the value naming it in the template.
LINK_VALUES = {"quote": "approve_link", "invoice": "invoice_link"}
NO_LINK_NOTE = (
    "note: web.public_url is not set, so quote and invoice e-mails say to reply or call "
    "instead of carrying a link (svcdesk settings set web.public_url https://desk.example.com)"
)


def public_url(session: Session) -> str:
    """The web app's address as customers reach it ('' = not set: no links in messages)."""
    return get_setting(session, "web.public_url") or ""


def link_url(base: str, token: str) -> str:
    """The address of a customer link (served by web/portal.py at /c/TOKEN)."""
    return f"{base.rstrip('/')}/c/{token}"


def link_note(session: Session, trigger: str) -> str | None:
    """What to say once when a document e-mail goes without its link."""
    return NO_LINK_NOTE if trigger in LINK_VALUES and not public_url(session) else None


def values_of(trigger: str) -> list[str]:
    """The values a trigger's messages have (those its built-in wording uses, and the
    customer's and company's names)."""
    names = {"customer", "company", "company_phone"}
    for subject, body in BUILT_IN[trigger].values():
        names |= meta.find_undeclared_variables(_ENV.parse(subject + body))
    return sorted(names)


def check_trigger(trigger: str) -> str:
    text = (trigger or "").strip().lower().replace("-", "_").replace(" ", "_")
    if text not in TRIGGERS:
        raise InvalidInput(f"trigger: {trigger!r} is not one of {', '.join(TRIGGERS)}")
    return text


def check_channel(channel: str, trigger: str | None = None) -> str:
    text = (channel or "").strip().lower()
    if text in ("e-mail", "mail"):
        text = "email"
    if text not in CHANNELS:
        raise InvalidInput(f"channel: {channel!r} is not one of email, sms")
    if trigger in EMAIL_ONLY and text == "sms":
        raise InvalidInput(f"channel: {trigger} messages go by e-mail only (they carry a PDF)")
    return text


def channels_of(trigger: str) -> tuple[str, ...]:
    return tuple(BUILT_IN[trigger])


@dataclass(frozen=True)
class TemplateRow:
    trigger: str
    channel: str
    subject: str
    body: str
    edited: bool  # the shop's own wording (else the built-in one)
    on: bool = True  # the trigger's switch (messages.on.<trigger>)


def _stored(session: Session) -> dict[tuple[str, str], MessageTemplate]:
    return {(t.trigger, t.channel): t for t in session.exec(select(MessageTemplate))}


def template_rows(session: Session) -> list[TemplateRow]:
    stored = _stored(session)
    rows = []
    for trigger in TRIGGERS:
        on = get_setting(session, f"messages.on.{trigger}") == "on"
        for channel, (subject, body) in BUILT_IN[trigger].items():
            own = stored.get((trigger, channel))
            rows.append(
                TemplateRow(trigger, channel, own.subject, own.body, True, on)
                if own
                else TemplateRow(trigger, channel, subject, body, False, on)
            )
    return rows


def switch_trigger(session: Session, trigger: str, on: bool, *, actor: str) -> None:
    """Turn a trigger's messages on or off (the setting messages.on.<trigger>, audited)."""
    set_setting(session, f"messages.on.{check_trigger(trigger)}", "on" if on else "off",
                actor=actor)  # fmt: skip


def get_template(session: Session, trigger: str, channel: str) -> TemplateRow:
    trigger = check_trigger(trigger)
    channel = check_channel(channel, trigger)
    for row in template_rows(session):
        if (row.trigger, row.channel) == (trigger, channel):
            return row
    raise InvalidInput(f"channel: {trigger} messages have no {channel} wording")


class Compiled:
    """A trigger's templates compiled once (a batch of reminders renders thousands)."""

    def __init__(self, row: TemplateRow):
        self.row = row
        self._subject = _ENV.from_string(row.subject)
        self._body = _ENV.from_string(row.body)

    def render(self, values: dict) -> tuple[str, str]:
        try:
            return self._subject.render(values).strip(), self._body.render(values)
        except TemplateError as exc:
            raise InvalidInput(f"template {self.row.trigger}/{self.row.channel}: {exc}") from None


def compiled(session: Session, trigger: str, channel: str) -> Compiled:
    return Compiled(get_template(session, trigger, channel))


def draft_preview(
    trigger: str, channel: str, subject: str, body: str, values: dict | None = None
) -> tuple[str, str]:
    """Wording being edited, checked as saving checks it and rendered in the same sandbox
    with sample `values`: (subject, body), or InvalidInput with one line saying why."""
    where = f"template {trigger}/{channel}"
    if not body.strip():
        raise InvalidInput(f"{where}: the body is empty")
    if channel == "email" and not subject.strip():
        raise InvalidInput(f"{where}: an e-mail needs a subject")
    if "\n" in subject:
        raise InvalidInput(f"{where}: the subject must be one line")
    try:
        shown = [_ENV.from_string(text).render(values or SAMPLE) for text in (subject, body)]
    except TemplateError as exc:
        why = " ".join(str(exc).split())
        raise InvalidInput(f"{where}: {why} (values: {', '.join(sorted(SAMPLE))})") from None
    return shown[0].strip(), shown[1]


def edit_template(
    session: Session,
    trigger: str,
    channel: str,
    *,
    subject: str | None = None,
    body: str | None = None,
    reset: bool = False,
    actor: str = "dispatcher",
) -> TemplateRow:
    """Store the shop's wording (checked by rendering it with sample values), or `reset`
    to the built-in one. Audited with its actor."""
    current = get_template(session, trigger, channel)
    trigger, channel = current.trigger, current.channel
    own = _stored(session).get((trigger, channel))
    if reset:
        if own is not None:
            session.delete(own)
            record_change(session, "message_template", f"{trigger}/{channel}", "reset",
                          f"{trigger}/{channel}: back to the built-in wording", actor=actor,
                          before={"subject": current.subject, "body": current.body},
                          after=dict(zip(("subject", "body"), BUILT_IN[trigger][channel],
                                         strict=True)))  # fmt: skip
        session.flush()
        return get_template(session, trigger, channel)
    new_subject = current.subject if subject is None else subject.strip()
    new_body = current.body if body is None else body
    if channel == "sms":
        new_subject = ""
    draft_preview(trigger, channel, new_subject, new_body)
    if own is None:
        own = MessageTemplate(trigger=trigger, channel=channel, body=new_body)
    own.subject, own.body, own.updated_at, own.updated_by = new_subject, new_body, now(), actor
    session.add(own)
    record_change(
        session, "message_template", f"{trigger}/{channel}", "edited",
        f"{trigger}/{channel}: wording edited", actor=actor,
        before={"subject": current.subject, "body": current.body},
        after={"subject": new_subject, "body": new_body},
    )  # fmt: skip
    session.flush()
    return get_template(session, trigger, channel)


def preview(session: Session, trigger: str, channel: str) -> tuple[str, str]:
    """The template rendered with sample values (a sample link when web.public_url is set)."""
    return compiled(session, trigger, channel).render(sample_values(session))


def sample_values(session: Session) -> dict[str, object]:
    base = public_url(session)
    if not base:
        return SAMPLE
    return SAMPLE | {name: link_url(base, "TOKEN-MADE-WHEN-SENT") for name in LINK_VALUES.values()}
