"""Batch intake writes each `created` event's data as text directly: it must be exactly
what `events.encode_data` makes of `created_data`."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from svcdesk.models import OrderSource
from svcdesk.services.common import events
from svcdesk.services.orders.intake import created_data, created_data_text


@given(st.sampled_from(list(OrderSource)), st.none() | st.text())
def test_created_data_text_is_the_encoded_dict(source, ref):
    assert created_data_text(source, ref) == events.encode_data(created_data(source, ref))


def test_created_data_text_examples():
    assert created_data_text(OrderSource.IMPORT, 'A-1 "x" é\n') == (
        '{"external_ref": "A-1 \\"x\\" \\u00e9\\n", "source": "import"}'
    )
    assert created_data_text(OrderSource.PHONE, None) == '{"external_ref": null, "source": "phone"}'
