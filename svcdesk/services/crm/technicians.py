"""Technicians, skills, shifts and time off."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, col, select

from svcdesk.errors import InvalidInput, NotFound
from svcdesk.models import Shift, Skill, Technician, TechnicianSkill, TimeOff

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
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


def parse_shifts(spec: str) -> list[tuple[int, int, int]]:
    """'mon-fri 08:00-17:00; sat 09:00-13:00' -> [(weekday, start_minute, end_minute), ...]."""
    result: list[tuple[int, int, int]] = []
    for part in filter(None, (p.strip() for p in spec.split(";"))):
        try:
            days, hours = part.split()
            start_s, end_s = hours.split("-")
            start, end = _minute(start_s), _minute(end_s)
            if "-" in days:
                a, b = (WEEKDAYS.index(d[:3].lower()) for d in days.split("-"))
                day_list = list(range(a, b + 1))
            else:
                day_list = [WEEKDAYS.index(d[:3].lower()) for d in days.split(",")]
        except ValueError:
            raise InvalidInput(f"shifts: {part!r} is not like 'mon-fri 08:00-17:00'") from None
        if end <= start:
            raise InvalidInput(f"shifts: {part!r} ends before it starts")
        result += [(d, start, end) for d in day_list]
    return result


def _minute(hhmm: str) -> int:
    h, m = hhmm.split(":")
    value = int(h) * 60 + int(m)
    if not 0 <= value <= 24 * 60:
        raise ValueError(hhmm)
    return value


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
    tech = Technician(
        name=name,
        phone=phone,
        email=email,
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
    return tech


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
    matches = session.exec(select(Technician).where(col(Technician.name).ilike(f"{text}%"))).all()
    if not matches:
        matches = session.exec(
            select(Technician).where(col(Technician.name).ilike(f"%{text}%"))
        ).all()
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


def list_technicians(session: Session, *, include_inactive: bool = False) -> list[Technician]:
    stmt = select(Technician).order_by(Technician.name)
    if not include_inactive:
        stmt = stmt.where(Technician.active == True)  # noqa: E712
    return list(session.exec(stmt))


def search_technicians(session: Session, text: str = "", limit: int = 20) -> list[Technician]:
    """Active and inactive technicians whose name, phone or e-mail contains `text`."""
    stmt = select(Technician).order_by(Technician.name).limit(limit)
    text = text.strip()
    if text:
        like = f"%{text}%"
        stmt = stmt.where(
            col(Technician.name).ilike(like)
            | col(Technician.phone).ilike(like)
            | col(Technician.email).ilike(like)
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
    return row
