"""Technicians, skills, shifts and time off."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, col, select

from svcdesk.errors import InvalidInput, NotFound
from svcdesk.models import Shift, Skill, Technician, TechnicianSkill, TimeOff
from svcdesk.services.common.events import put_change, record_change
from svcdesk.services.common.rows import row_id
from svcdesk.services.common.sqlexpr import containing
from svcdesk.services.common.workcal import WEEKDAYS, parse_shifts

DEFAULT_SHIFT = "mon-fri 08:00-17:00"


def skill_code(text: str) -> str:
    return text.strip().lower().replace(" ", "_").replace("-", "_")


def get_skill(session: Session, code: str) -> Skill:
    skill = session.exec(select(Skill).where(Skill.code == skill_code(code))).first()
    if skill is None:
        known = ", ".join(s.code for s in session.exec(select(Skill).order_by(Skill.code)))
        raise InvalidInput(f"skill: unknown skill {code!r}; known skills: {known or 'none'}")
    return skill


def ensure_skill(session: Session, code: str, name: str | None = None) -> Skill:
    key = skill_code(code)
    if not key:
        raise InvalidInput("skill: empty skill name")
    skill = session.exec(select(Skill).where(Skill.code == key)).first()
    if skill is None:
        skill = Skill(code=key, name=name or code.strip().replace("_", " ").title())
        session.add(skill)
        session.flush()
    return skill


def skills_by_code(session: Session) -> dict[str, Skill]:
    return {s.code: s for s in session.exec(select(Skill))}


def skill_codes(session: Session) -> list[str]:
    """Every skill code, alphabetical (the order form's skill picker)."""
    return [s.code for s in session.exec(select(Skill).order_by(col(Skill.code)))]


def parse_home(text: str | None) -> tuple[str | None, float | None, float | None]:
    """A technician's home from typed text: an address ending in a US ZIP, or the ZIP
    alone ('44 Elm St, Evanston, IL 60201'); its ZIP's centre is where their day's drives
    start. '' clears it (they start from the depot: the ZIP of company.address).
    Returns (address, lat, lon)."""
    import re

    from svcdesk.routing import locate_zip

    text = " ".join((text or "").split())
    if not text:
        return None, None, None
    if len(text) > 200:
        raise InvalidInput(f"home: {len(text)} characters; at most 200")
    m = re.search(r"\b(\d{5})(?:-\d{4})?$", text)
    where = locate_zip(m.group(1)) if m else None
    if where is None:
        raise InvalidInput(
            f"home: {text!r} does not end in a known US ZIP; expected an address like "
            "'44 Elm St, Evanston, IL 60201' or a ZIP"
        )
    return text, where.lat, where.lon


def create_technician(
    session: Session,
    *,
    name: str,
    skills: Iterable[str] = (),
    shifts: str = DEFAULT_SHIFT,
    phone: str | None = None,
    email: str | None = None,
    home_address: str | None = None,
    home_lat: float | None = None,
    home_lon: float | None = None,
    hourly_cost_cents: int = 0,
    level: str = "tech",
    color: str = "#4e9a06",
) -> Technician:
    name = name.strip()
    if not name:
        raise InvalidInput("name: a technician needs a name")
    if session.exec(select(Technician).where(Technician.name == name)).first():
        raise InvalidInput(f"name: a technician called {name!r} already exists")
    shift_rows = parse_shifts(shifts)
    from svcdesk.services.common.normalize import check_email, parse_phone

    parse_phone(phone)  # refused when not a phone number; kept as typed
    tech = Technician(
        name=name,
        phone=phone,
        email=check_email(email) if email else None,
        home_address=home_address,
        home_lat=home_lat,
        home_lon=home_lon,
        hourly_cost_cents=hourly_cost_cents,
        level=level,
        color=color,
    )
    session.add(tech)
    session.flush()
    for code in skills:
        skill = ensure_skill(session, code)
        session.add(TechnicianSkill(technician_id=tech.id, skill_id=skill.id))
    for weekday, start, end in shift_rows:
        session.add(
            Shift(technician_id=tech.id, weekday=weekday, start_minute=start, end_minute=end)
        )
    session.flush()
    record_change(session, "technician", tech.id, "created", after=_snapshot(session, tech))
    return tech


def _snapshot(session: Session, tech: Technician) -> dict:
    """A technician's audited fields, in words (`events.record_change`)."""
    from svcdesk.services.common.money import fmt_money

    return {
        "name": tech.name, "phone": tech.phone, "email": tech.email, "level": tech.level,
        "rate": fmt_money(tech.hourly_cost_cents), "active": tech.active,
        "skills": ", ".join(technician_skills(session, tech.id)),
        "shifts": format_shifts(technician_shifts(session, tech.id)),
        "home": tech.home_address,
    }  # fmt: skip


LEVELS = ("apprentice", "tech", "senior", "lead")


def edit_technician(
    session: Session,
    tech: Technician,
    *,
    skills: Iterable[str] | None = None,
    shifts: str | None = None,
    hourly_cost_cents: int | None = None,
    active: bool | None = None,
    phone: str | None = None,
    email: str | None = None,
    level: str | None = None,
    name: str | None = None,
    home: str | None = None,
) -> list[str]:
    """Change what is given: `skills` replaces the skill set (known skills only),
    `shifts` the weekly hours ('mon-fri 08:00-17:00; sat 09:00-13:00'; '' = none),
    `home` an address ending in a ZIP ('' = none: the day starts at the depot).
    Returns the changes in words; nothing is written when a value is refused."""
    from svcdesk.services.common.normalize import check_email, parse_phone

    changes: list[str] = []
    before = _snapshot(session, tech)
    if name is not None:
        name = name.strip()
        if not name:
            raise InvalidInput("name: a technician needs a name")
        other = session.exec(select(Technician).where(Technician.name == name)).first()
        if other is not None and other.id != tech.id:
            raise InvalidInput(f"name: a technician called {name!r} already exists")
    skill_rows = None
    if skills is not None:
        codes = sorted({skill_code(c) for c in skills if c.strip()})
        skill_rows = [get_skill(session, c) for c in codes]
    shift_rows = parse_shifts(shifts) if shifts is not None else None
    if hourly_cost_cents is not None and not 0 <= hourly_cost_cents <= 100_000_00:
        raise InvalidInput("rate: expected an hourly cost between 0 and 100,000.00")
    if level is not None and level.strip().lower() not in LEVELS:
        raise InvalidInput(f"level: {level!r} is not one of {', '.join(LEVELS)}")
    parsed_phone = parse_phone(phone) if phone else None
    email_text = check_email(email) if email else None
    home_row = parse_home(home) if home is not None else None

    def put(field: str, value, label: str) -> None:
        put_change(tech, field, value, changes, label)

    if name is not None:
        put("name", name, "name")
    if hourly_cost_cents is not None:
        from svcdesk.services.common.money import fmt_money

        old = tech.hourly_cost_cents
        if old != hourly_cost_cents:
            tech.hourly_cost_cents = hourly_cost_cents
            changes.append(f"rate {fmt_money(old)} -> {fmt_money(hourly_cost_cents)}")
    if active is not None and bool(active) != tech.active:
        tech.active = bool(active)
        changes.append("active" if active else "inactive")
    if phone is not None:
        put("phone", phone.strip() if parsed_phone else None, "phone")
    if email is not None:
        put("email", email_text, "e-mail")
    if level is not None:
        put("level", level.strip().lower(), "level")
    if home_row is not None:
        put("home_address", home_row[0], "home")
        tech.home_lat, tech.home_lon = home_row[1], home_row[2]
    if skill_rows is not None:
        skills_before = technician_skills(session, tech.id)
        after = [s.code for s in skill_rows]
        if skills_before != after:
            for row in session.exec(
                select(TechnicianSkill).where(TechnicianSkill.technician_id == tech.id)
            ):
                session.delete(row)
            session.flush()
            for skill in skill_rows:
                session.add(TechnicianSkill(technician_id=tech.id, skill_id=skill.id))
            changes.append(f"skills {', '.join(skills_before) or '-'} -> {', '.join(after) or '-'}")
    if shift_rows is not None:
        shifts_before = format_shifts(technician_shifts(session, tech.id))
        for shift in technician_shifts(session, tech.id):
            session.delete(shift)
        session.flush()
        for weekday, start, end in shift_rows:
            session.add(
                Shift(technician_id=tech.id, weekday=weekday, start_minute=start, end_minute=end)
            )
        session.flush()
        shifts_after = format_shifts(technician_shifts(session, tech.id))
        if shifts_before != shifts_after:
            changes.append(f"shifts {shifts_before or '-'} -> {shifts_after or '-'}")
    session.add(tech)
    session.flush()
    if changes:
        kind = "deactivated" if changes == ["inactive"] else "edited"
        after_snap = _snapshot(session, tech)
        record_change(session, "technician", tech.id, kind, before=before, after=after_snap)
    return changes


def find_technician(session: Session, name_or_id: str | int) -> Technician:
    """By id, exact name, or a unique case-insensitive prefix of the name."""
    if isinstance(name_or_id, int) or str(name_or_id).isdigit():
        tech = session.get(Technician, int(name_or_id))
        if tech:
            return tech
    text = str(name_or_id).strip()
    exact = session.exec(select(Technician).where(Technician.name == text)).first()
    if exact:
        return exact
    name = col(Technician.name)
    matches = session.exec(select(Technician).where(containing(text, name, prefix=True))).all()
    if not matches:
        matches = session.exec(select(Technician).where(containing(text, name))).all()
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise NotFound(f"technician {text!r} not found")
    names = ", ".join(t.name for t in matches[:5])
    raise InvalidInput(f"technician {text!r} is ambiguous: {names}")


def technician_skills(session: Session, tech_id: int) -> list[str]:
    rows = session.exec(
        select(Skill.code)
        .join(TechnicianSkill, col(TechnicianSkill.skill_id) == col(Skill.id))
        .where(TechnicianSkill.technician_id == tech_id)
        .order_by(Skill.code)
    ).all()
    return list(rows)


def technician_shifts(session: Session, tech_id: int) -> list[Shift]:
    return list(
        session.exec(
            select(Shift)
            .where(Shift.technician_id == tech_id)
            .order_by(col(Shift.weekday), col(Shift.start_minute))
        )
    )


def format_shifts(shifts: Iterable[Shift]) -> str:
    parts = [
        f"{WEEKDAYS[s.weekday]} {s.start_minute // 60:02d}:{s.start_minute % 60:02d}-"
        f"{s.end_minute // 60:02d}:{s.end_minute % 60:02d}"
        for s in shifts
    ]
    return ", ".join(parts)


def shifts_spec(shifts: Iterable[Shift]) -> str:
    """The weekly hours as `parse_shifts` reads them: 'mon-fri 08:00-17:00; sat 09:00-13:00'
    (runs of consecutive days with the same hours joined)."""

    def hhmm(m: int) -> str:
        return f"{m // 60:02d}:{m % 60:02d}"

    rows = sorted((s.weekday, s.start_minute, s.end_minute) for s in shifts)
    parts: list[str] = []
    i = 0
    while i < len(rows):
        day, start, end = rows[i]
        j = i
        while (
            j + 1 < len(rows)
            and rows[j + 1][0] == rows[j][0] + 1
            and rows[j + 1][1:] == (start, end)
            and not any(r[0] == rows[j + 1][0] and r[1:] != (start, end) for r in rows)
        ):
            j += 1
        days = WEEKDAYS[day] if j == i else f"{WEEKDAYS[day]}-{WEEKDAYS[rows[j][0]]}"
        parts.append(f"{days} {hhmm(start)}-{hhmm(end)}")
        i = j + 1
    return "; ".join(parts)


def list_technicians(session: Session, *, include_inactive: bool = False) -> list[Technician]:
    stmt = select(Technician).order_by(Technician.name)
    if not include_inactive:
        stmt = stmt.where(Technician.active == True)  # noqa: E712
    return list(session.exec(stmt))


def _comma_key(name: str) -> str:
    return ",".join(piece.strip().lower() for piece in name.split(","))


def find_technicians(session: Session, text: str) -> list[Technician]:
    """The technicians named in `text`, separated by commas ("Alice, Bob"). A technician
    whose own name holds a comma ("Smith, John") is found whole: the longest run of pieces
    that is a technician's name wins over the pieces one by one."""
    with_comma = {
        _comma_key(t.name): t
        for t in session.exec(select(Technician).where(containing(",", col(Technician.name))))
    }
    pieces = [piece.strip() for piece in text.split(",")]
    found: list[Technician] = []
    i = 0
    while i < len(pieces):
        for j in range(len(pieces), i + 1, -1):
            tech = with_comma.get(_comma_key(",".join(pieces[i:j])))
            if tech is not None:
                found.append(tech)
                i = j
                break
        else:
            if pieces[i]:
                found.append(find_technician(session, pieces[i]))
            i += 1
    return found


def search_technicians(session: Session, text: str = "", limit: int = 20) -> list[Technician]:
    """Active and inactive technicians whose name, phone or e-mail contains `text`."""
    stmt = select(Technician).order_by(Technician.name).limit(limit)
    text = text.strip()
    if text:
        stmt = stmt.where(
            containing(text, col(Technician.name), col(Technician.phone), col(Technician.email))
        )
    return list(session.exec(stmt))


def add_time_off(
    session: Session,
    tech: Technician,
    starts_at: datetime,
    ends_at: datetime,
    reason: str | None = None,
) -> TimeOff:
    if ends_at <= starts_at:
        raise InvalidInput("time off: the end must be after the start")
    row = TimeOff(technician_id=tech.id, starts_at=starts_at, ends_at=ends_at, reason=reason)
    session.add(row)
    session.flush()
    from svcdesk.services.common.settings import shop_zone
    from svcdesk.services.common.timefmt import fmt

    zone = shop_zone(session)
    after = {"technician": tech.name, "from": fmt(starts_at, zone), "until": fmt(ends_at, zone),
             "reason": reason}  # fmt: skip
    record_change(session, "time_off", row.id, "created", after=after)
    return row


def technician_form(session: Session, tech_id: int | str) -> dict:
    """A technician's editable fields as the console's form shows them (text)."""
    t = find_technician(session, tech_id)
    return {
        "id": t.id,
        "name": t.name,
        "home": t.home_address or "",
        "skills": ", ".join(technician_skills(session, t.id)),
        "shifts": shifts_spec(technician_shifts(session, t.id)),
        "rate": f"{t.hourly_cost_cents / 100:.2f}",
        "active": "yes" if t.active else "no",
        "phone": t.phone or "",
        "email": t.email or "",
        "level": t.level,
    }


def edit_technician_from_form(session: Session, tech_id: int | str, v: dict[str, str]) -> int:
    """`edit_technician` from the form's text (every field given; skills comma- or
    semicolon-separated, rate in dollars, active yes or no). Returns the technician's id."""
    from svcdesk.services.common.money import parse_money

    tech = find_technician(session, tech_id)
    active = v["active"].strip().lower()
    if active not in ("yes", "no", "y", "n", "true", "false"):
        raise InvalidInput(f"active: {v['active']!r}; expected yes or no")
    edit_technician(
        session,
        tech,
        skills=[c for c in v["skills"].replace(";", ",").split(",") if c.strip()],
        shifts=v["shifts"],
        hourly_cost_cents=parse_money(v["rate"] or "0", field="rate"),
        active=active in ("yes", "y", "true"),
        phone=v["phone"],
        email=v["email"],
        level=v["level"],
        name=v.get("name"),
        home=v.get("home"),
    )
    return row_id(tech)


def add_technician_from_form(session: Session, v: dict[str, str]) -> int:
    """A new technician from the console's form text (name, skills comma- or
    semicolon-separated, shifts, hourly cost in dollars, phone, e-mail, level, home).
    Returns the new technician's id."""
    from svcdesk.services.common.money import parse_money

    level = (v.get("level") or "tech").strip().lower()
    if level not in LEVELS:
        raise InvalidInput(f"level: {level!r} is not one of {', '.join(LEVELS)}")
    home, lat, lon = parse_home(v.get("home"))
    cost = parse_money(v.get("rate") or "0", field="rate")
    if not 0 <= cost <= 100_000_00:
        raise InvalidInput("rate: expected an hourly cost between 0 and 100,000.00")
    tech = create_technician(
        session,
        name=v.get("name") or "",
        skills=[c for c in (v.get("skills") or "").replace(";", ",").split(",") if c.strip()],
        shifts=v.get("shifts") or DEFAULT_SHIFT,
        phone=v.get("phone") or None,
        email=v.get("email") or None,
        home_address=home,
        home_lat=lat,
        home_lon=lon,
        hourly_cost_cents=cost,
        level=level,
    )
    return row_id(tech)
