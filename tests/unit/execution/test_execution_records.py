"""Checklists, attachments, sign-off and the closeout queue."""

from __future__ import annotations

import pytest
from sqlmodel import select

from svcdesk.errors import InvalidInput, NotFound
from svcdesk.models import Customer, OrderEvent
from svcdesk.services.execution import attachments, checklists, closeout
from svcdesk.services.execution import visit_progress as vp
from tests.unit.execution.helpers import book, when

RTU = ["Filter changed:yes_no", "Suction pressure:number:psi", "Notes:text:optional"]


def _template(session, kind=None):
    specs = [checklists.parse_item_spec(s) for s in RTU]
    return checklists.create_template(session, "RTU PM", specs, order_kind=kind)


def test_item_spec_parsing():
    spec = checklists.parse_item_spec("Suction pressure:number:psi")
    assert (spec.label, spec.answer_type, spec.unit, spec.required) == (
        "Suction pressure",
        "number",
        "psi",
        True,
    )
    assert not checklists.parse_item_spec("Notes:text:optional").required
    with pytest.raises(InvalidInput, match="not one of yes_no"):
        checklists.parse_item_spec("X:colour")


def test_required_items_block_completion_unless_forced(session, shop):
    tpl = _template(session)
    order, visit = book(session, shop["o1"], ["Alice Ng"], "today 10:00")
    checklists.attach(session, visit, tpl)
    vp.arrive(session, visit, at=when(session, "today 10:00"))
    with pytest.raises(InvalidInput, match="RTU PM:1 Filter changed; RTU PM:2 Suction"):
        vp.complete(session, visit, "fixed", at=when(session, "today 11:00"))
    checklists.answer(session, visit, "Filter changed", "Y")
    line = checklists.answer(session, visit, "2", "118.50")
    assert line.value == "118.5"
    vp.complete(session, visit, "fixed", at=when(session, "today 11:00"))  # optional unanswered ok
    history = [
        e.detail for e in session.exec(select(OrderEvent).where(OrderEvent.kind == "checklist"))
    ]
    assert "RTU PM: Suction pressure = 118.5 psi" in history


def test_force_completion_is_recorded(session, shop):
    tpl = _template(session)
    order, visit = book(session, shop["o1"], ["Alice Ng"], "today 10:00")
    checklists.attach(session, visit, tpl)
    vp.arrive(session, visit, at=when(session, "today 10:00"))
    vp.complete(session, visit, "fixed", at=when(session, "today 11:00"), force=True)
    override = session.exec(select(OrderEvent).where(OrderEvent.kind == "override")).all()
    assert "Filter changed" in override[-1].detail
    rows = closeout.closeout_queue(session)
    assert "checklist" in rows[0].problems


def test_answer_validation(session, shop):
    tpl = _template(session)
    _, visit = book(session, shop["o1"], ["Alice Ng"], "today 10:00")
    with pytest.raises(InvalidInput, match="no checklist"):
        checklists.answer(session, visit, "1", "yes")
    checklists.attach(session, visit, tpl)
    with pytest.raises(InvalidInput, match="not yes or no"):
        checklists.answer(session, visit, "1", "maybe")
    with pytest.raises(InvalidInput, match="not a number"):
        checklists.answer(session, visit, "2", "high")
    with pytest.raises(InvalidInput, match="not a reading"):
        checklists.answer(session, visit, "2", "1e999999")
    with pytest.raises(NotFound):
        checklists.answer(session, visit, "9", "x")


def test_templates_for_order_kind_attach_when_visit_starts(session, shop):
    _template(session, kind="repair")
    _, visit = book(session, shop["o1"], ["Alice Ng"], "today 10:00")
    vp.start_travel(session, visit, at=when(session, "today 09:40"))
    assert len(checklists.visit_lines(session, visit.id)) == 3


def test_attachment_stored_under_hash_once(session, shop, tmp_path):
    order, visit = book(session, shop["o1"], ["Alice Ng"], "today 10:00")
    photo = tmp_path / "before.jpg"
    photo.write_bytes(b"\xff\xd8jpeg-bytes")
    data_dir = tmp_path / "files"
    a1 = attachments.add_attachment(session, order, photo, data_dir, visit=visit, kind="photo")
    a2 = attachments.add_attachment(session, order, photo, data_dir, name="again.jpg")
    assert a1.sha256 == a2.sha256 and a1.stored_path == a2.stored_path
    stored = attachments.stored_file(a1, data_dir)
    assert stored.read_bytes() == photo.read_bytes() and stored.name == a1.sha256
    assert a1.content_type == "image/jpeg"
    assert len(list((data_dir / "attachments").rglob("*"))) == 2  # one folder, one file


def test_attachment_refusals(session, shop, tmp_path):
    order, _ = book(session, shop["o1"], ["Alice Ng"], "today 10:00")
    data_dir = tmp_path / "files"
    with pytest.raises(InvalidInput, match="no such file"):
        attachments.add_attachment(session, order, tmp_path / "nope.pdf", data_dir)
    with pytest.raises(InvalidInput, match="not a regular file"):
        attachments.add_attachment(session, order, tmp_path, data_dir)
    (tmp_path / "empty.txt").write_text("")
    with pytest.raises(InvalidInput, match="empty"):
        attachments.add_attachment(session, order, tmp_path / "empty.txt", data_dir)
    inside = tmp_path / "inbox"
    inside.mkdir()
    (tmp_path / "secret.txt").write_text("x")
    with pytest.raises(InvalidInput, match="path traversal refused"):
        attachments.add_attachment(session, order, "../secret.txt", data_dir, base_dir=inside)
    (tmp_path / "ok.txt").write_text("x")
    for bad in ("../ok.txt", "/etc/passwd", "a/b.txt", ".."):
        with pytest.raises(InvalidInput, match="plain file name"):
            attachments.add_attachment(session, order, tmp_path / "ok.txt", data_dir, name=bad)


def test_stored_path_outside_data_dir_refused(session, shop, tmp_path):
    order, _ = book(session, shop["o1"], ["Alice Ng"], "today 10:00")
    (tmp_path / "ok.txt").write_text("x")
    att = attachments.add_attachment(session, order, tmp_path / "ok.txt", tmp_path / "files")
    att.stored_path = "../../etc/passwd"
    with pytest.raises(InvalidInput, match="leaves the data dir"):
        attachments.stored_file(att, tmp_path / "files")


def test_sign_off_with_image_and_copy_to_new_order(session, shop, tmp_path):
    order, visit = book(session, shop["o1"], ["Alice Ng"], "today 10:00")
    img = tmp_path / "sig.png"
    img.write_bytes(b"\x89PNG....")
    sig = attachments.sign_off(
        session, order, "Jane Porter", visit=visit, image=img, data_dir=tmp_path / "files"
    )
    assert sig.attachment_id is not None
    with pytest.raises(InvalidInput, match="signer"):
        attachments.sign_off(session, order, "  ")
    from svcdesk.services.orders import lifecycle

    other = lifecycle.get_order(session, shop["o3"])
    assert attachments.copy_attachments(session, order, other) == 1
    assert (
        attachments.order_attachments(session, other.id)[0].sha256
        == attachments.order_attachments(session, order.id)[0].sha256
    )


def test_closeout_lists_each_missing_thing_and_clears(session, shop, tmp_path):
    cust = session.get(Customer, shop["customer"])
    cust.requires_signature = True
    order, visit = book(session, shop["o1"], ["Alice Ng"], "today 10:00")
    vp.arrive(session, visit, at=when(session, "today 10:00"))
    vp.complete(session, visit, "fixed", at=when(session, "today 11:00"))
    # time exists (auto), signature and parts missing
    (row,) = closeout.closeout_queue(session)
    assert row.number == order.number and row.problems == ["no_signature", "no_parts"]
    assert row.to_json()["problems"][0]["fix"].startswith("svcdesk attach sign SO-000001")
    attachments.sign_off(session, order, "Jane")
    vp.declare_no_parts(session, order, visit)
    assert closeout.closeout_queue(session) == []
    visit.outcome = None
    session.flush()
    assert closeout.closeout_queue(session)[0].problems == ["no_outcome"]
