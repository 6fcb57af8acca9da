"""HTTP tests of the field app (FastAPI TestClient): every route signed in and out, and
each refusal with its status code and nothing written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import func, select

from svcdesk import clock
from svcdesk.db import read_session, write_session
from svcdesk.models import Note, OrderEvent, Visit
from svcdesk.models.execution import Attachment, Signature, TimeEntry, VisitChecklistAnswer
from svcdesk.models.field import FieldDevice, FieldEnrolment, FieldRequest
from svcdesk.models.inventory import PartUsage, StockMove
from svcdesk.services.crm import devices
from svcdesk.services.orders import lifecycle, scheduling
from tests.support.orders import events, order
from tests.web.conftest import enrol, form_fields, sign_in, tick

pytest.importorskip("fastapi")

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


def count(engine, model, *where) -> int:
    with read_session(engine) as s:
        return s.exec(select(func.count()).select_from(model).where(*where)).one()


def job_page(client, visit_id):
    r = client.get(f"/visits/{visit_id}")
    assert r.status_code == 200, r.text
    return r.text


# -- signed out, enrolment, revoked ---------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/day", "/day/list", "/visits/1", "/files/1"])
def test_signed_out_pages_are_401(app, field_shop, path):
    client = TestClient(app)
    r = client.get(path)
    assert r.status_code == 401
    assert "Ask the office for a sign-in link" in r.text


@pytest.mark.parametrize(
    "path",
    ["/visits/1/status", "/visits/1/note", "/visits/1/checklist", "/visits/1/part",
     "/visits/1/photo", "/visits/1/signature", "/clock", "/signout"],
)  # fmt: skip
def test_signed_out_posts_are_401_and_write_nothing(app, engine, field_shop, path):
    before = count(engine, OrderEvent)
    r = TestClient(app).post(path, data={"csrf": "x", "idem": "k", "step": "arrived"})
    assert r.status_code == 401
    assert count(engine, OrderEvent) == before


def test_enrolment_link_signs_in_once_and_sets_a_safe_cookie(app, engine, field_shop):
    client = TestClient(app)
    token = enrol(engine, field_shop["bob"])
    page = client.get(f"/enrol/{token}")
    assert page.status_code == 200 and "Sign in as Bob Ruiz" in page.text
    r = client.post(f"/enrol/{token}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/day"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    raw = r.cookies["svcdesk_field"]
    with read_session(engine) as s:
        device = s.exec(select(FieldDevice)).one()
        link = s.exec(select(FieldEnrolment)).one()
    assert device.token_hash == devices.hash_token(raw) and raw not in device.token_hash
    assert link.token_hash == devices.hash_token(token) and link.used_at is not None
    assert client.get("/day").status_code == 200
    # a second use of the link is refused and makes no device
    again = TestClient(app).post(f"/enrol/{token}", follow_redirects=False)
    assert again.status_code == 410
    assert count(engine, FieldDevice) == 1


def test_cookie_is_secure_under_https(app, engine, field_shop):
    client = TestClient(app, base_url="https://field.example")
    token = enrol(engine, field_shop["bob"])
    r = client.post(f"/enrol/{token}", follow_redirects=False)
    assert "Secure" in r.headers["set-cookie"]
    assert r.headers["strict-transport-security"] == "max-age=31536000"
    page = client.get("/day")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY" and page.headers["cache-control"] == "no-store"


def test_expired_enrolment_link_is_refused(app, engine, field_shop):
    token = enrol(engine, field_shop["bob"])
    tick(16)
    client = TestClient(app)
    assert client.get(f"/enrol/{token}").status_code == 410
    r = client.post(f"/enrol/{token}", follow_redirects=False)
    assert r.status_code == 410 and "expired" in r.text
    assert count(engine, FieldDevice) == 0


def test_unknown_link_is_refused(app, field_shop):
    assert TestClient(app).post("/enrol/nope", follow_redirects=False).status_code == 410


def test_sign_in_attempts_are_rate_limited(engine, field_shop, tmp_path):
    from svcdesk.web import create_app

    app = create_app(engine, data_dir=tmp_path, limiter=devices.SignInLimiter(limit=3))
    client = TestClient(app)
    token = enrol(engine, field_shop["bob"])
    assert client.get(f"/enrol/{token}").status_code == 200  # good links don't count
    codes = [client.post(f"/enrol/guess{i}").status_code for i in range(4)]
    assert codes == [410, 410, 410, 429]
    assert client.get("/enrol/guess").status_code == 429
    assert client.post(f"/enrol/{token}").status_code == 429  # even a good link, for now
    assert count(engine, FieldDevice) == 0


def test_many_phones_enrol_from_one_address(engine, field_shop, tmp_path):
    from svcdesk.web import create_app

    app = create_app(engine, data_dir=tmp_path, limiter=devices.SignInLimiter(limit=3))
    for _ in range(6):  # a whole crew at the office, one network address
        sign_in(TestClient(app), engine, field_shop["bob"])
    assert count(engine, FieldDevice) == 6


def test_revoked_device_is_signed_out(bob, engine, field_shop):
    with write_session(engine) as s:
        device = s.exec(select(FieldDevice)).one()
        devices.revoke_device(s, device.id, actor="office")
    assert bob.get("/day").status_code == 401
    before = count(engine, OrderEvent)
    r = bob.post(f"/visits/{field_shop['visit']}/status", data={"step": "arrived"})
    assert r.status_code == 401 and count(engine, OrderEvent) == before


def test_sign_out_revokes_the_device(bob, engine):
    page = bob.get("/day").text
    r = bob.post("/signout", data={"csrf": form_fields(page, "form-clock")["csrf"]})
    assert r.status_code == 200 and "Signed out" in r.text
    with read_session(engine) as s:
        assert s.exec(select(FieldDevice)).one().revoked_by == "Bob Ruiz (phone)"
    assert bob.get("/day").status_code == 401


# -- My day, a job, access ------------------------------------------------------------


def test_my_day_lists_the_technicians_visits_only(bob, field_shop):
    r = bob.get("/day")
    assert r.status_code == 200
    page = r.text
    assert "Kitchen sink leaking" in page and "Riverside Cafe" in page
    assert "tel:+15125550303" in page and "(512) 555-0303" in page
    assert "google.com/maps" in page
    assert "No heat upstairs" not in page  # not Bob's
    assert "Nothing booked tomorrow" in page
    assert 'hx-get="/day/list"' in page
    part = bob.get("/day/list")
    assert part.status_code == 200 and "<html" not in part.text and "Kitchen sink" in part.text


def test_job_page_shows_the_work(bob, field_shop):
    page = job_page(bob, field_shop["visit"])
    for text in ("Kitchen sink leaking", "Riverside Cafe", "Water off", "Pressure",
                 "VALVE-1", "On my way", "Arrived", "Site history"):  # fmt: skip
        assert text in page, text
    assert "on_hold" not in page and "en_route" not in page.replace('"en_route"', "")


def test_another_technicians_visit_is_404(app, engine, field_shop):
    with write_session(engine) as s:
        o1 = lifecycle.get_order(s, field_shop["o1"])
        alice = s.get(
            __import__("svcdesk.models", fromlist=["Technician"]).Technician, field_shop["alice"]
        )
        other = scheduling.book_visit(s, o1, [alice], o1.created_at.replace(hour=17), 60)
    client = TestClient(app)
    sign_in(client, engine, field_shop["bob"])
    csrf = form_fields(client.get("/day").text, "form-clock")["csrf"]
    assert client.get(f"/visits/{other.id}").status_code == 404
    assert client.get("/visits/99999").status_code == 404
    before = count(engine, OrderEvent)
    for path, data in [
        ("status", {"step": "en_route"}), ("note", {"text": "hi"}), ("part", {"sku": "VALVE-1"}),
        ("checklist", {}), ("signature", {"signer": "x"}),
    ]:  # fmt: skip
        r = client.post(
            f"/visits/{other.id}/{path}", data={**data, "csrf": csrf, "idem": path, "version": "1"}
        )
        assert r.status_code == 404, path
    r = client.post(f"/visits/{other.id}/photo", data={"csrf": csrf, "idem": "p"},
                    files={"photo": ("a.png", PNG, "image/png")})  # fmt: skip
    assert r.status_code == 404
    r = client.post(
        "/clock", data={"csrf": csrf, "idem": "c", "do": "start:work", "visit_id": str(other.id)}
    )
    assert r.status_code == 404
    assert count(engine, OrderEvent) == before
    assert count(engine, TimeEntry) == 0


# -- actions --------------------------------------------------------------------------


def test_missing_csrf_is_refused(bob, engine, field_shop):
    page = job_page(bob, field_shop["visit"])
    fields = form_fields(page, "form-arrived")
    before = count(engine, OrderEvent)
    for csrf in (None, "wrong"):
        data = {**fields, "step": "arrived"}
        data.pop("csrf")
        if csrf:
            data["csrf"] = csrf
        r = bob.post(f"/visits/{field_shop['visit']}/status", data=data)
        assert r.status_code == 403
    assert count(engine, OrderEvent) == before
    assert order(engine, field_shop["o2"]).status == "scheduled"


def test_en_route_records_the_eta_through_the_lifecycle(bob, engine, field_shop):
    page = job_page(bob, field_shop["visit"])
    tick()
    r = bob.post(f"/visits/{field_shop['visit']}/status",
                 data={**form_fields(page, "form-status"), "step": "en_route", "eta": "25"},
                 follow_redirects=False)  # fmt: skip
    assert r.status_code == 303, r.text
    assert order(engine, field_shop["o2"]).status == "en_route"
    with read_session(engine) as s:
        visit = s.get(Visit, field_shop["visit"])
        assert visit.status == "en_route"
        assert (visit.eta_at - visit.en_route_at).total_seconds() == 25 * 60
    evs = events(engine, field_shop["o2"])
    assert {e.actor for e in evs if e.at == evs[-1].at} == {"Bob Ruiz (phone)"}
    assert any(e.kind == "eta" and e.detail == "ETA 08:30" for e in evs)
    assert "ETA given: 08:30" in job_page(bob, field_shop["visit"])


def test_replayed_idempotency_key_applies_once(bob, engine, field_shop):
    page = job_page(bob, field_shop["visit"])
    data = {**form_fields(page, "form-note"), "text": "Shut-off valve seized"}
    first = bob.post(f"/visits/{field_shop['visit']}/note", data=data, follow_redirects=False)
    assert first.status_code == 303
    again = bob.post(f"/visits/{field_shop['visit']}/note", data=data, follow_redirects=False)
    assert again.status_code == 303 and "already%20recorded" in again.headers["location"]
    assert count(engine, Note) == 1
    # a part, replayed: one usage, one ledger move
    page = job_page(bob, field_shop["visit"])
    data = {**form_fields(page, "form-part"), "sku": "VALVE-1", "qty": "1"}
    for _ in range(3):
        bob.post(f"/visits/{field_shop['visit']}/part", data=data)
    assert count(engine, PartUsage) == 1
    assert count(engine, StockMove, StockMove.kind == "consume") == 1


def test_missing_idempotency_key_is_refused(bob, engine, field_shop):
    page = job_page(bob, field_shop["visit"])
    data = {**form_fields(page, "form-note"), "text": "hello"}
    data.pop("idem")
    r = bob.post(f"/visits/{field_shop['visit']}/note", data=data)
    assert r.status_code == 422 and "idempotency key" in r.text
    assert count(engine, Note) == 0


def test_stale_version_is_reported_not_overwritten(bob, engine, field_shop):
    page = job_page(bob, field_shop["visit"])
    fields = form_fields(page, "form-note")
    with write_session(engine) as s:  # the office changes the order meanwhile
        from svcdesk.services.orders import notes

        notes.add_note(
            s, lifecycle.get_order(s, field_shop["o2"]), "Customer called", author="dana"
        )
    r = bob.post(f"/visits/{field_shop['visit']}/note", data={**fields, "text": "My words"})
    assert r.status_code == 409
    assert "changed by the office" in r.text
    assert "My words" in r.text  # what was typed is kept, ready to send again
    assert count(engine, Note) == 1
    status = form_fields(page, "form-arrived")
    r = bob.post(f"/visits/{field_shop['visit']}/status", data={**status, "step": "arrived"})
    assert r.status_code == 409
    assert order(engine, field_shop["o2"]).status == "scheduled"


def test_bad_input_keeps_what_was_typed(bob, engine, field_shop):
    page = job_page(bob, field_shop["visit"])
    r = bob.post(f"/visits/{field_shop['visit']}/status",
                 data={**form_fields(page, "form-status"), "step": "en_route", "eta": "soonish"})  # fmt: skip
    assert r.status_code == 422 and "eta:" in r.text and 'value="soonish"' in r.text
    assert order(engine, field_shop["o2"]).status == "scheduled"


def _arrive(bob, field_shop):
    page = job_page(bob, field_shop["visit"])
    tick()
    r = bob.post(f"/visits/{field_shop['visit']}/status",
                 data={**form_fields(page, "form-arrived"), "step": "arrived"}, follow_redirects=False)  # fmt: skip
    assert r.status_code == 303, r.text
    tick()
    return job_page(bob, field_shop["visit"])


def send_photo_and_signature(client, field_shop, page, photo, caption) -> None:
    """A photo (filename, bytes, type) and Sam Lee's signature, both accepted."""
    import base64

    visit = field_shop["visit"]
    r = client.post(f"/visits/{visit}/photo", data={**form_fields(page, "form-photo"), "caption": caption},
                    files={"photo": photo}, follow_redirects=False)  # fmt: skip
    assert r.status_code == 303, r.text
    image = "data:image/png;base64," + base64.b64encode(PNG).decode()
    r = client.post(f"/visits/{visit}/signature",
                    data={**form_fields(page, "form-signature"), "signer": "Sam Lee", "image": image},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303, r.text


def test_checklist_part_photo_signature_and_complete(bob, engine, field_shop, tmp_path):
    page = _arrive(bob, field_shop)
    assert order(engine, field_shop["o2"]).status == "on_site"
    # completing with the checklist unanswered is refused
    r = bob.post(f"/visits/{field_shop['visit']}/status",
                 data={**form_fields(page, "form-complete"), "step": "complete", "outcome": "fixed"})  # fmt: skip
    assert r.status_code == 422 and "required checklist items unanswered" in r.text
    with read_session(engine) as s:
        from svcdesk.services.execution import checklists

        items = {ln.label: ln.item_id for ln in checklists.visit_lines(s, field_shop["visit"])}
    r = bob.post(f"/visits/{field_shop['visit']}/checklist",
                 data={**form_fields(page, "form-checklist"), f"item-{items['Water off']}": "yes",
                       f"item-{items['Pressure']}": "62"}, follow_redirects=False)  # fmt: skip
    assert r.status_code == 303, r.text
    assert (
        count(engine, VisitChecklistAnswer, VisitChecklistAnswer.answered_by == "Bob Ruiz (phone)")
        == 2
    )
    page = job_page(bob, field_shop["visit"])
    r = bob.post(f"/visits/{field_shop['visit']}/part",
                 data={**form_fields(page, "form-part"), "sku": "VALVE-1", "qty": "2"}, follow_redirects=False)  # fmt: skip
    assert r.status_code == 303, r.text
    send_photo_and_signature(bob, field_shop, page, ("IMG_1.png", PNG, "image/png"), "old valve")
    page = job_page(bob, field_shop["visit"])
    assert "Sam Lee" in page and "old valve" in page
    photo_id = int(page.split('href="/files/')[1].split('"')[0])
    assert bob.get(f"/files/{photo_id}").content == PNG
    tick()
    r = bob.post(f"/visits/{field_shop['visit']}/status",
                 data={**form_fields(page, "form-complete"), "step": "complete", "outcome": "fixed",
                       "text": "Replaced the shut-off valve"}, follow_redirects=False)  # fmt: skip
    assert r.status_code == 303, r.text
    o = order(engine, field_shop["o2"])
    assert o.status == "completed"
    with read_session(engine) as s:
        visit = s.get(Visit, field_shop["visit"])
        assert visit.outcome == "fixed" and visit.work_performed == "Replaced the shut-off valve"
        usage = s.exec(select(PartUsage)).one()
        assert usage.qty_milli == 2000 and usage.recorded_by == "Bob Ruiz (phone)"
        move = s.exec(select(StockMove).where(StockMove.kind == "consume")).one()
        assert move.qty_milli == 2000 and move.actor == "Bob Ruiz (phone)"
        assert s.exec(select(Signature)).one().signer_name == "Sam Lee"
        kinds = {a.kind for a in s.exec(select(Attachment))}
        assert kinds == {"photo", "signature"}
        work = s.exec(select(TimeEntry).where(TimeEntry.kind == "work")).one()
        assert work.ends_at is not None and work.technician_id == field_shop["bob"]
    changes = [e for e in events(engine, field_shop["o2"]) if e.kind != "created"]
    late = [e for e in changes if e.actor == "Bob Ruiz (phone)"]
    assert {"progress", "status", "checklist", "part_used", "attachment", "signature"} <= {
        e.kind for e in late
    }


def test_cant_complete_puts_the_order_on_hold_with_the_reason(bob, engine, field_shop):
    page = _arrive(bob, field_shop)
    r = bob.post(f"/visits/{field_shop['visit']}/status",
                 data={**form_fields(page, "form-cant"), "step": "cant_complete", "outcome": "needs_parts",
                       "text": "Valve body cracked; need a 3/4in ball valve"}, follow_redirects=False)  # fmt: skip
    assert r.status_code == 303, r.text
    o = order(engine, field_shop["o2"])
    assert o.status == "on_hold" and o.hold_reason == "needs parts"
    page = job_page(bob, field_shop["visit"])
    assert "needs parts" in page and "3/4in ball valve" in page


def test_cant_complete_needs_a_reason(bob, engine, field_shop):
    page = _arrive(bob, field_shop)
    r = bob.post(f"/visits/{field_shop['visit']}/status",
                 data={**form_fields(page, "form-cant"), "step": "cant_complete", "outcome": "no_access", "text": " "})  # fmt: skip
    assert r.status_code == 422
    assert order(engine, field_shop["o2"]).status == "on_site"


@pytest.mark.parametrize(
    "name,data,expect",
    [
        ("notes.txt", b"hello there", "not a JPEG or PNG"),
        ("fake.jpg", b"GIF89a....", "not a JPEG or PNG"),
    ],
)
def test_non_image_upload_is_refused(bob, engine, field_shop, name, data, expect):
    page = job_page(bob, field_shop["visit"])
    r = bob.post(f"/visits/{field_shop['visit']}/photo", data=form_fields(page, "form-photo"),
                 files={"photo": (name, data, "image/jpeg")})  # fmt: skip
    assert r.status_code == 422 and expect in r.text
    assert count(engine, Attachment) == 0


def test_oversized_upload_is_refused(bob, engine, field_shop, tmp_path):
    page = job_page(bob, field_shop["visit"])
    big = b"\xff\xd8\xff" + b"0" * (10 * 1024 * 1024 + 10)
    r = bob.post(f"/visits/{field_shop['visit']}/photo", data=form_fields(page, "form-photo"),
                 files={"photo": ("big.jpg", big, "image/jpeg")})  # fmt: skip
    assert r.status_code == 413
    assert count(engine, Attachment) == 0
    assert not list((tmp_path / "files").rglob("field-*"))


def test_signature_must_be_a_png(bob, engine, field_shop):
    page = job_page(bob, field_shop["visit"])
    r = bob.post(f"/visits/{field_shop['visit']}/signature",
                 data={**form_fields(page, "form-signature"), "signer": "Sam", "image": "data:image/png;base64,AAAA"})  # fmt: skip
    assert r.status_code == 422 and "not a PNG" in r.text
    assert count(engine, Signature) == 0


def test_time_clock_start_and_stop(bob, engine, field_shop):
    page = bob.get("/day").text
    r = bob.post(
        "/clock",
        data={**form_fields(page, "form-clock"), "do": "start:break"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    assert "break since" in bob.get("/day").text
    tick(30)
    page = bob.get("/day").text
    r = bob.post(
        "/clock", data={**form_fields(page, "form-clock"), "do": "stop"}, follow_redirects=False
    )
    assert r.status_code == 303
    with read_session(engine) as s:
        entry = s.exec(select(TimeEntry)).one()
    assert entry.kind == "break" and entry.source == "phone" and not entry.approved
    assert (entry.ends_at - entry.starts_at).total_seconds() == 30 * 60
    assert entry.created_by == "Bob Ruiz (phone)"
    page = bob.get("/day").text
    r = bob.post("/clock", data={**form_fields(page, "form-clock"), "do": "stop"})
    assert r.status_code == 422 and "nothing is running" in r.text


def test_requests_are_recorded_per_device(bob, engine, field_shop):
    page = job_page(bob, field_shop["visit"])
    bob.post(
        f"/visits/{field_shop['visit']}/note", data={**form_fields(page, "form-note"), "text": "x"}
    )
    with read_session(engine) as s:
        assert s.exec(select(FieldRequest)).one().action == "note"


def test_static_files_ship_in_the_package(app):
    client = TestClient(app)
    assert "htmx" in client.get("/static/htmx.min.js").text
    assert client.get("/static/field.js").status_code == 200
    assert client.get("/static/field.css").status_code == 200


# -- My day's poll: version stamp (ETag) ----------------------------------------------


def poll(client, etag=None):
    return client.get("/day/list", headers={"If-None-Match": etag} if etag else {})


def test_unchanged_my_day_poll_is_not_modified(bob, field_shop):
    first = poll(bob)
    etag = first.headers["etag"]
    assert first.status_code == 200 and "Kitchen sink" in first.text
    assert first.headers["cache-control"] == "private, no-cache"  # kept, asked again each time
    again = poll(bob, etag)
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    assert poll(bob, f'"other", W/{etag}').status_code == 304  # a list, weak tag
    assert poll(bob, '"other"').status_code == 200


def test_my_day_stamp_changes_with_what_the_list_shows(bob, engine, field_shop):
    from svcdesk.models import Customer
    from svcdesk.services.crm import customers
    from svcdesk.services.execution import visit_progress

    def changed(change) -> str:
        etag = poll(bob).headers["etag"]
        change()
        r = poll(bob, etag)
        assert r.status_code == 200, f"stamp did not change: {change.__name__}"
        return r.text

    def office_en_route():
        with write_session(engine) as s:
            visit_progress.start_travel(s, s.get(Visit, field_shop["visit"]), actor="office")

    assert "en route" in changed(office_en_route)

    def rename():
        with write_session(engine) as s:
            o2 = lifecycle.get_order(s, field_shop["o2"])
            customers.edit_customer(s, s.get(Customer, o2.customer_id), name="Riverside Bistro")

    assert "Riverside Bistro" in changed(rename)

    def stop_clock():
        page = bob.get("/day").text
        assert "travel since" in page  # started by the office's "en route"
        tick()
        r = bob.post("/clock", data={**form_fields(page, "form-clock"), "do": "stop"})
        assert r.status_code == 200 and "travel since" not in r.text

    changed(stop_clock)

    with write_session(engine) as s:  # (set up: the SLA falls due in 10 minutes)
        o2 = lifecycle.get_order(s, field_shop["o2"])
        o2.sla_due = clock.now() + timedelta(minutes=10)
        s.add(o2)

    def overdue():  # nothing written: time alone makes the SLA overdue
        tick(11)

    assert "(overdue)" in changed(overdue)


def test_my_day_stamp_is_the_technicians_own(app, bob, engine, field_shop):
    etag = poll(bob).headers["etag"]
    alice = TestClient(app)
    sign_in(alice, engine, field_shop["alice"])
    r = poll(alice, etag)
    assert r.status_code == 200 and "Kitchen sink" not in r.text


def test_photos_and_signatures_are_stored_private(bob, field_shop, tmp_path):
    """Customer photos and signatures from the phone: files 0600 in 0700 folders, no temp
    file left behind."""
    import stat

    page = _arrive(bob, field_shop)
    jpeg = ("IMG_2.jpg", b"\xff\xd8\xff" + b"\x00" * 64, "image/jpeg")
    send_photo_and_signature(bob, field_shop, page, jpeg, "")
    files_dir = tmp_path / "files"
    stored = [p for p in (files_dir / "attachments").rglob("*") if p.is_file()]
    assert len(stored) == 2
    for path in stored:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        for folder in (path.parent, path.parent.parent, files_dir):
            assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert [p for p in (files_dir / "tmp").iterdir()] == []
    assert not list((files_dir / "attachments").glob("incoming*"))


def test_the_phones_changes_are_recorded_as_the_technicians_phone(bob, engine, field_shop):
    """Issue 15: every history the phone writes names it the way the office reads it,
    "Bob Ruiz (phone)" (order events, record changes with before/after, the stock ledger),
    and `audit --actor "Bob Ruiz"` finds them."""
    from svcdesk.models.shop import ChangeEvent
    from svcdesk.services.execution import checklists
    from svcdesk.services.reporting.audit import audit_log

    with read_session(engine) as s:
        first_event = s.exec(select(func.max(OrderEvent.id))).one()
        first_change = s.exec(select(func.max(ChangeEvent.id))).one() or 0
    page = bob.get("/day").text
    r = bob.post("/clock", data={**form_fields(page, "form-clock"), "do": "start:break"},
                 follow_redirects=False)  # fmt: skip
    assert r.status_code == 303, r.text
    tick(30)
    page = _arrive(bob, field_shop)  # (ends the break: the time entry "stopped")
    with read_session(engine) as s:
        items = {ln.label: ln.item_id for ln in checklists.visit_lines(s, field_shop["visit"])}
    for value in ("no", "yes"):  # answered, then edited
        r = bob.post(f"/visits/{field_shop['visit']}/checklist",
                     data={**form_fields(page, "form-checklist"),
                           f"item-{items['Water off']}": value}, follow_redirects=False)  # fmt: skip
        assert r.status_code == 303, r.text
        page = job_page(bob, field_shop["visit"])
    r = bob.post(f"/visits/{field_shop['visit']}/part",
                 data={**form_fields(page, "form-part"), "sku": "VALVE-1", "qty": "1"},
                 follow_redirects=False)  # fmt: skip
    assert r.status_code == 303, r.text
    send_photo_and_signature(bob, field_shop, page, ("IMG_2.png", PNG, "image/png"), "before")
    r = bob.post("/signout", data={"csrf": form_fields(bob.get("/day").text, "form-clock")["csrf"]})
    assert r.status_code == 200
    with read_session(engine) as s:
        order_actors = set(s.exec(select(OrderEvent.actor).where(OrderEvent.id > first_event)))
        changes = s.exec(select(ChangeEvent).where(ChangeEvent.id > first_change)).all()
        moves = s.exec(select(StockMove.actor).where(StockMove.kind == "consume")).all()
        found = audit_log(s, actor="Bob Ruiz", limit=500)
    assert order_actors == {"Bob Ruiz (phone)"}
    assert {(c.entity, c.kind, c.actor) for c in changes} >= {
        ("time_entry", "created", "Bob Ruiz (phone)"),
        ("time_entry", "stopped", "Bob Ruiz (phone)"),
        ("checklist_answer", "answered", "Bob Ruiz (phone)"),
        ("checklist_answer", "edited", "Bob Ruiz (phone)"),
        ("attachment", "added", "Bob Ruiz (phone)"),
        ("field_device", "revoked", "Bob Ruiz (phone)"),
    }
    assert {c.actor for c in changes if c.entity != "field_device" or c.kind != "enrolled"} == {
        "Bob Ruiz (phone)"
    }
    edited = next(c for c in changes if (c.entity, c.kind) == ("checklist_answer", "edited"))
    assert "Water off no -> yes" in edited.detail
    assert moves == ["Bob Ruiz (phone)"]
    assert {r.who for r in found} == {"Bob Ruiz (phone)"}
    assert {"checklist answer", "stock", "time entry", "field device"} <= {
        r.order.rsplit(" ", 1)[0] for r in found
    }
