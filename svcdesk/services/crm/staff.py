"""The shop's staff: the people a change may be made as (`svcdesk --as NAME`, the console
started the same way). A name is unique whatever its case; a member is deactivated, never
deleted, so the history keeps naming them. Every add and edit is audited."""

from __future__ import annotations

from sqlmodel import Session, col, select

from svcdesk.errors import InvalidInput, NotFound
from svcdesk.models.shop import Staff
from svcdesk.models.workforce import Technician
from svcdesk.services.common.acting import NAME_MAX, check_name  # noqa: F401 (re-exported)
from svcdesk.services.common.events import changed_fields, record_change
from svcdesk.services.common.rows import row_id

ROLES = ("dispatcher", "office", "manager", "technician")
ADD_HINT = "add one with `svcdesk staff add NAME`"


def _role(text: str) -> str:
    role = text.strip().lower()
    if role not in ROLES:
        raise InvalidInput(f"role: {text!r} is not one of {', '.join(ROLES)}")
    return role


def _technician(session: Session, ref: str | int | None) -> int | None:
    if ref is None or ref == "":
        return None
    from svcdesk.services.crm.technicians import find_technician

    return row_id(find_technician(session, ref))


def _snapshot(session: Session, staff: Staff) -> dict:
    tech = session.get(Technician, staff.technician_id) if staff.technician_id else None
    return {
        "name": staff.name,
        "role": staff.role,
        "technician": tech.name if tech else None,
        "active": staff.active,
    }


def staff_view(session: Session, staff: Staff) -> dict:
    """A staff member as the faces show it: id, name, role, technician, active."""
    return {"id": staff.id, **_snapshot(session, staff)}


def find_staff(session: Session, name: str) -> Staff | None:
    key = " ".join(name.split()).lower()
    return session.exec(select(Staff).where(Staff.name_key == key)).first()


def get_staff(session: Session, ref: str | int) -> Staff:
    """A staff member by id or name (any case)."""
    text = str(ref).strip()
    staff = session.get(Staff, int(text)) if text.isdigit() else find_staff(session, text)
    if staff is None:
        raise NotFound(f"staff: no staff member {text[:NAME_MAX]!r}; see `svcdesk staff list`")
    return staff


def add_staff(
    session: Session,
    name: str,
    *,
    role: str = "dispatcher",
    technician: str | int | None = None,
    actor: str | None = None,
) -> Staff:
    name = check_name(name)
    if find_staff(session, name) is not None:
        raise InvalidInput(f"name: a staff member called {name!r} already exists")
    staff = Staff(
        name=name,
        name_key=name.lower(),
        role=_role(role),
        technician_id=_technician(session, technician),
    )
    session.add(staff)
    session.flush()
    record_change(
        session, "staff", row_id(staff), "created", actor=actor, after=_snapshot(session, staff)
    )
    return staff


def edit_staff(
    session: Session,
    staff: Staff,
    *,
    name: str | None = None,
    role: str | None = None,
    technician: str | int | None = None,
    active: bool | None = None,
    actor: str | None = None,
) -> list[str]:
    """Change what is given (`technician=""` unlinks). Returns the changes in words;
    nothing is written when a value is refused or nothing changes."""
    before = _snapshot(session, staff)
    if name is not None:
        name = check_name(name)
        other = find_staff(session, name)
        if other is not None and other.id != staff.id:
            raise InvalidInput(f"name: a staff member called {name!r} already exists")
    new_role = _role(role) if role is not None else staff.role
    tech_id = _technician(session, technician) if technician is not None else staff.technician_id
    if name is not None:
        staff.name, staff.name_key = name, name.lower()
    staff.role, staff.technician_id = new_role, tech_id
    if active is not None:
        staff.active = active
    after = _snapshot(session, staff)
    changes = changed_fields(before, after)
    if not changes:
        return []
    session.add(staff)
    session.flush()
    record_change(
        session, "staff", row_id(staff), "edited", actor=actor, before=before, after=after
    )
    return changes


def save_staff(
    session: Session,
    staff_id: int | None,
    *,
    name: str,
    role: str,
    technician: str,
    active: bool,
    actor: str | None = None,
) -> Staff:
    """The console's staff dialog: add a member (`staff_id` None; inactive when `active` is
    false) or set every field of one (`technician=""` unlinks)."""
    if staff_id is None:
        made = add_staff(session, name, role=role, technician=technician or None, actor=actor)
        if not active:
            edit_staff(session, made, active=False, actor=actor)
        return made
    row = get_staff(session, staff_id)
    edit_staff(session, row, name=name, role=role, technician=technician, active=active,
               actor=actor)  # fmt: skip
    return row


def deactivate_staff(session: Session, staff: Staff, *, actor: str | None = None) -> list[str]:
    if not staff.active:
        raise InvalidInput(f"staff: {staff.name} is already inactive")
    return edit_staff(session, staff, active=False, actor=actor)


def list_staff(session: Session, *, include_inactive: bool = True) -> list[Staff]:
    stmt = select(Staff).order_by(col(Staff.name_key))
    if not include_inactive:
        stmt = stmt.where(Staff.active == True)  # noqa: E712
    return list(session.exec(stmt))


def acting_staff(session: Session, name: str) -> Staff:
    """The active staff member `--as NAME` names (the whole name in any case, or a first
    name only one active member has); one line otherwise (naming how to add one). The
    name is bounded before it reaches the database."""
    name = check_name(name, "--as")
    staff = find_staff(session, name)
    if staff is not None and staff.active:
        return staff
    active = list_staff(session, include_inactive=False)
    if staff is None:  # a first name is enough when only one active member has it
        key = " ".join(name.split()).lower()
        same = [s for s in active if s.name_key.split()[0] == key]
        if len(same) == 1:
            return same[0]
    known = [s.name for s in active]
    if not known:
        raise InvalidInput(f"--as: this shop has no staff yet; {ADD_HINT}")
    why = "is inactive" if staff is not None else "is not a staff member"
    raise InvalidInput(f"--as: {name!r} {why} (staff: {', '.join(known[:10])}); {ADD_HINT}")
