"""What the console's assign dialog shows before booking: the technicians (the visit's
crew first), the start and length to offer (the movable visit's, else the next half hour
and the order's estimate), what is booked now, and the SLA warning for a typed start.
The booking itself is `orders/scheduling.assign_from_text` (as `svcdesk orders assign`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from svcdesk.clock import now
from svcdesk.errors import SvcDeskError
from svcdesk.services.agreements import sla_state
from svcdesk.services.agreements.sla_state import SlaDues
from svcdesk.services.common.rows import row_id
from svcdesk.services.common.settings import shop_zone
from svcdesk.services.common.timefmt import fmt, parse_when
from svcdesk.services.dispatch.tech_view import technician_choices
from svcdesk.services.orders import lifecycle, scheduling


@dataclass
class AssignContext:
    """What the assign dialog needs, read in a worker."""

    techs: list[tuple[str, int]]  # (name · skills · today's load, id)
    start_text: str
    minutes: int
    visit_id: int | None
    current: str
    dues: SlaDues | None = None  # the order's SLA due moments (`sla_state.late_booking`)
    zone: ZoneInfo | None = None

    def warning(self, start_text: str, minutes_text: str) -> str:
        """The SLA warning for a visit starting at `start_text` for `minutes_text` minutes
        (the dialog's own length when unreadable); "" when in time or unreadable."""
        if self.dues is None or self.zone is None:
            return ""
        try:
            start = parse_when(start_text, self.zone)
        except SvcDeskError:
            return ""
        minutes = int(minutes_text) if minutes_text.strip().isdigit() else self.minutes
        late = sla_state.late_booking(self.dues, start, start + timedelta(minutes=minutes))
        return f"⚠ {late.warning(self.zone)}" if late else ""


def next_half_hour() -> datetime:
    t = now().replace(second=0, microsecond=0)
    return t + timedelta(minutes=(30 - t.minute % 30) or 30)


def assign_context(session: Session, number: str) -> AssignContext:
    order = lifecycle.get_order(session, number)
    zone = shop_zone(session)
    movable = scheduling.movable_visit(session, order)
    crew = scheduling.visit_technicians(session, row_id(movable)) if movable else []
    techs = [(t.label(), t.id) for t in technician_choices(session)]
    if movable:
        start = movable.starts_at
        minutes = int((movable.ends_at - movable.starts_at).total_seconds() // 60)
    else:
        start = next_half_hour()
        minutes = order.est_minutes or 60
    current = (
        f"visit {fmt(movable.starts_at, zone)} {', '.join(t.name for t in crew)}"
        if movable
        else "no visit booked"
    )
    techs.sort(key=lambda t: t[1] != (crew[0].id if crew else None))
    return AssignContext(
        techs, fmt(start, zone), minutes, movable.id if movable else None, current,
        sla_state.sla_dues(session, row_id(order)), zone,
    )  # fmt: skip
