"""The batch's column-by-column length/NUL check agrees with the per-row rule."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from svcdesk.errors import InvalidInput
from svcdesk.services.orders.intake import (
    MAX_LENGTH,
    IntakeRequest,
    check_lengths,
    lengths_ok,
)

_TEXT = st.one_of(
    st.none(),
    st.text(alphabet=st.sampled_from("ab \x00é"), max_size=5),
    st.integers(min_value=0, max_value=3).map(lambda n: "x" * (200 + n)),
)
_REQ = st.builds(
    IntakeRequest,
    summary=st.text(alphabet="ab\x00", max_size=3),
    **{f: _TEXT for f in MAX_LENGTH if f not in ("summary", "city", "state", "zip")},
    city=st.sampled_from(["", "Austin", "x" * 101]),
    state=st.sampled_from(["", "TX", "T\x00"]),
    zip=st.sampled_from(["", "78704", "1" * 13]),
)


def _row_by_row(reqs: list[IntakeRequest]) -> bool:
    try:
        for req in reqs:
            check_lengths(req)
    except InvalidInput:
        return False
    return True


@given(st.lists(_REQ, max_size=6))
def test_lengths_ok_is_check_lengths_for_every_row(reqs):
    assert lengths_ok(reqs) == _row_by_row(reqs)


def test_a_long_value_or_a_nul_names_its_field():
    req = IntakeRequest(summary="ok", description="d" * 4001)
    assert not lengths_ok([IntakeRequest(summary="ok"), req])
    try:
        check_lengths(req)
    except InvalidInput as exc:
        assert exc.message == "description: 4,001 characters; at most 4,000 are accepted"
    else:
        raise AssertionError("not refused")
    assert lengths_ok([IntakeRequest(summary="ok", description="d" * 4000)])
