"""Technicians, their skills, weekly shifts and time off."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel, UniqueConstraint

from svcdesk.models.base import utc_field


class Skill(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    code: str = Field(unique=True)  # lower-case, e.g. "hvac", "plumbing"
    name: str


class Technician(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    phone: str | None = None
    email: str | None = None
    home_address: str | None = None
    home_lat: float | None = None
    home_lon: float | None = None
    hourly_cost_cents: int = 0
    level: str = "tech"  # apprentice, tech, senior, lead
    color: str = "#4e9a06"
    active: bool = True


class TechnicianSkill(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("technician_id", "skill_id"),)
    id: int = Field(default=None, primary_key=True)
    technician_id: int = Field(foreign_key="technician.id", index=True)
    skill_id: int = Field(foreign_key="skill.id", index=True)


class Shift(SQLModel, table=True):
    """Weekly working hours in the shop's time zone. weekday: 0 = Monday."""

    id: int = Field(default=None, primary_key=True)
    technician_id: int = Field(foreign_key="technician.id", index=True)
    weekday: int
    start_minute: int  # minutes after local midnight, e.g. 480 = 08:00
    end_minute: int


class TimeOff(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    technician_id: int = Field(foreign_key="technician.id", index=True)
    starts_at: datetime = utc_field(nullable=False)
    ends_at: datetime = utc_field(nullable=False)
    reason: str | None = None
