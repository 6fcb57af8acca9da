"""What the console's template editor relies on: a draft rendered in the sandbox with
sample values (one-line refusals), the trigger switch (audited), the values per trigger."""

from __future__ import annotations

import pytest
from sqlmodel import select

from svcdesk.errors import InvalidInput
from svcdesk.models.shop import ChangeEvent
from svcdesk.services.messages import templates


def test_draft_renders_with_the_values_given():
    subject, body = templates.draft_preview(
        "quote", "email", "Quote {{ quote }}", "Hi {{ customer }}: {{ approve_link }}",
        templates.SAMPLE | {"approve_link": "https://x.example/c/T"},
    )  # fmt: skip
    assert (subject, body) == ("Quote Q-000007", "Hi Dana Reyes: https://x.example/c/T")


@pytest.mark.parametrize(
    ("subject", "body", "why"),
    [
        ("S", "{% if customer %}\nno end\n", "template quote/email: Unexpected end of template."),
        ("S", "{{ customer.__class__ }}", "template quote/email: access to attribute '__class__'"),
        ("", "text", "template quote/email: an e-mail needs a subject"),
        ("S", "  \n", "template quote/email: the body is empty"),
    ],
)
def test_draft_refused_with_one_line(subject, body, why):
    with pytest.raises(InvalidInput) as caught:
        templates.draft_preview("quote", "email", subject, body)
    assert str(caught.value).startswith(why) and "\n" not in str(caught.value)


def test_switch_trigger_is_audited_and_listed(session):
    templates.switch_trigger(session, "review", False, actor="dana")
    rows = {(r.trigger, r.channel): r.on for r in templates.template_rows(session)}
    assert rows[("review", "email")] is False and rows[("review", "sms")] is False
    assert rows[("booking", "email")] is True
    change = session.exec(select(ChangeEvent).where(ChangeEvent.ref == "messages.on.review")).one()
    assert change.actor == "dana"
    with pytest.raises(InvalidInput, match="trigger: 'nope' is not one of"):
        templates.switch_trigger(session, "nope", True, actor="dana")


def test_values_of_each_trigger():
    assert "approve_link" in templates.values_of("quote")
    assert "invoice_link" in templates.values_of("invoice")
    assert "eta" in templates.values_of("on_my_way") and "eta" not in templates.values_of("review")
