"""Phone, e-mail, name and address rules (services/common/normalize.py)."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from svcdesk.errors import InvalidInput
from svcdesk.services.common.normalize import (
    _slow_phone,
    address_key,
    check_email,
    name_words,
    names_agree,
    parse_phone,
    phone_key,
)


@pytest.mark.parametrize(
    "text",
    [
        "512-555-0101",
        "(512) 555-0101",
        "512.555.0101",
        "+1 512 555 0101",
        "1-512-555-0101",
        "5125550101",
    ],
)
def test_spellings_of_one_number(text):
    p = parse_phone(text)
    assert (p.e164, p.ext, p.key) == ("+15125550101", None, "5125550101")


@pytest.mark.parametrize("text", ["512-555-0101 x23", "(512) 555-0101 ext. 23", "512-555-0101 #23"])
def test_extension_kept_apart(text):
    p = parse_phone(text)
    assert (p.e164, p.ext, p.key) == ("+15125550101", "23", "5125550101")
    assert p.display == "(512) 555-0101 x23"


@pytest.mark.parametrize(
    "text", ["call me maybe", "12345678901234567890", "555-0101", "911", "000-555-0101", "x" * 41]
)
def test_not_phone_numbers_refused_in_one_line(text):
    with pytest.raises(InvalidInput) as exc:
        parse_phone(text)
    message = str(exc.value)
    assert message.startswith("phone: ") and "\n" not in message
    assert phone_key(text) is None


def test_international_number_kept():
    p = parse_phone("+44 20 7946 0958")
    assert p.e164 == "+442079460958" and p.key == "442079460958"


def test_blank_is_none():
    assert parse_phone("") is None and parse_phone("  ") is None and parse_phone(None) is None


_area = st.from_regex(r"[2-9][0-9]{2}", fullmatch=True)
_line = st.from_regex(r"[0-9]{4}", fullmatch=True)


@given(
    _area,
    _area,
    _line,
    st.sampled_from(["{a}-{b}-{c}", "({a}) {b}-{c}", "{a}.{b}.{c}", "+1 {a} {b} {c}", "{a}{b}{c}"]),
    st.one_of(st.none(), st.integers(1, 99999)),
)
def test_fast_path_agrees_with_phonenumbers(a, b, c, form, ext):
    """The regex fast path gives what phonenumbers gives for plain US numbers."""
    text = form.format(a=a, b=b, c=c) + (f" x{ext}" if ext else "")
    fast = parse_phone(text)
    slow = _slow_phone(text)
    assert slow is not None
    assert (fast.e164, fast.ext, fast.key) == (slow.e164, slow.ext, slow.key)
    assert fast.e164 == phonenumbers.format_number(
        phonenumbers.parse(text, "US"), phonenumbers.PhoneNumberFormat.E164
    )


@given(st.text(max_size=30))
def test_parse_phone_never_crashes(text):
    try:
        p = parse_phone(text)
    except InvalidInput as exc:
        assert str(exc).startswith("phone: ")
    else:
        assert p is None or p.e164.startswith("+")


def test_email_checked():
    assert check_email(" Jane@Example.com ") == "Jane@Example.com"
    assert check_email("") is None
    with pytest.raises(InvalidInput, match="^email: 'jane@' is not an e-mail address"):
        check_email("jane@")


@pytest.mark.parametrize(
    "a, b",
    [
        ("Jane Porter", "Porter, Jane"),
        ("Jane Porter", "jane porter"),
        ("Jane Porter", "J. Porter"),
        ("Jane Porter", "Jane Q. Porter"),
        ("Jane Porter", "Mrs. Jane Porter"),
        ("José García", "Jose Garcia"),
        ("Jane Porter", "5125550101"),  # a customer filed under its phone number
        ("Jane Porter", ""),
        ("Riverside Cafe", "Riverside Cafe LLC"),
    ],
)
def test_names_that_agree(a, b):
    assert names_agree(a, b) and names_agree(b, a)


@pytest.mark.parametrize(
    "a, b",
    [
        ("Jane Porter", "Totally Different Person"),
        ("Jane Porter", "Bob Porter"),
        ("Jane Porter", "J. P."),
        ("Jane Porter", "Jane"),
    ],
)
def test_names_that_disagree(a, b):
    assert not names_agree(a, b) and not names_agree(b, a)


# titles ("jr", "dr", "inc") are left out of a name by rule, so they are not name words here
_TITLE_WORDS = {"mr", "mrs", "ms", "miss", "dr", "jr", "sr", "ii", "iii", "inc", "llc", "co"}
_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=8).filter(
    lambda w: w not in _TITLE_WORDS
)


@given(
    _word, _word, st.sampled_from(["{f} {l}", "{l}, {f}", "{F} {L}", "{f}  {l}.", "{f[0]}. {l}"])
)
def test_name_spellings_agree(first, last, form):
    text = form.format(f=first, l=last, F=first.upper(), L=last.title())
    assert names_agree(f"{first} {last}", text)


@given(_word, _word, _word)
def test_a_different_surname_disagrees(first, last, other):
    if other in (first, last) or first == last:
        return
    assert not names_agree(f"{first} {last}", f"{first} {other}")


@given(st.text(max_size=40))
def test_name_words_are_lowercase_words(text):
    assert all(w == w.lower() and w for w in name_words(text))


@pytest.mark.parametrize(
    "a, b",
    [
        ("12 Oak St Unit 2", "12 Oak Street Apt 2"),
        ("12 Oak St Unit 2", "12 oak st #2"),
        ("12 Oak St, Apt. #2", "12 Oak St Suite 2"),
        ("1204 Oak Street", "1204 Oak St."),
        ("500 North Lamar Boulevard", "500 N Lamar Blvd"),
    ],
)
def test_same_site_same_key(a, b):
    assert address_key(a, "78701") == address_key(b, "78701")


def test_different_units_differ():
    assert address_key("12 Oak St Unit 2", "78701") != address_key("12 Oak St Unit 3", "78701")


def test_one_line_address_split_by_scourgify():
    assert address_key("12 Oak St Unit 2, Austin TX 78701") == address_key(
        "12 Oak Street Apt 2", "78701"
    )


def test_unparseable_address_falls_back_to_the_words():
    assert address_key("PO Box 5, Austin TX 78701") == "po box 5 austin tx 78701|"
    assert address_key("asdf qwer", "", "Austin") == "asdf qwer|austin"
