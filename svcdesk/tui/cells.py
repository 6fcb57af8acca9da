"""How values look in tables: SLA time left coloured by the SLA state, priority.

Whether an order is at risk, late or paused is decided in one place only,
`services/agreements/sla_state.py` (business hours, holds, the at-risk setting); the
console maps that state to a colour here, the same for the board and the order screen."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from svcdesk.clock import now
from svcdesk.services.agreements.sla_state import AT_RISK, BREACHED, MISSED, PAUSED, SlaState

PRIORITY_STYLE = {"emergency": "bold red", "high": "bold dark_orange", "low": "dim"}
LATE_STYLE = "bold red"
SOON_STYLE = "bold dark_orange"
SLA_STYLE = {BREACHED: LATE_STYLE, MISSED: LATE_STYLE, AT_RISK: SOON_STYLE, PAUSED: "dim"}


def sla_cell(state: SlaState | None) -> Text:
    """The SLA label (`SlaState.label`: 'resp 3h 05m', 'fix 1d 4h', 'late 1h 10m',
    'paused'), coloured by the SLA state: breached/missed red, at risk amber, paused dim."""
    if state is None:
        return Text("")
    return Text(state.label(now()), style=SLA_STYLE.get(state.state, ""))


def priority_cell(priority: str) -> Text:
    return Text(priority, style=PRIORITY_STYLE.get(priority, ""))


def clip(text: str | None, width: int) -> str:
    text = (text or "").replace("\n", " ")
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _hour(dt: datetime, zone) -> str:
    """'10', '10:30' (a whole hour reads as a dispatcher says it)."""
    local = dt.astimezone(zone)
    return f"{local:%H}" if local.minute == 0 else f"{local:%H:%M}"


def window_text(start: datetime | None, end: datetime | None, zone) -> str:
    """A promised window in shop time: 'Thu 10-12', 'Thu 8-12:30', 'after Thu 13',
    'by Fri 9'; '' when none was promised."""
    if start is not None and end is not None:
        return f"{start.astimezone(zone):%a} {_hour(start, zone)}-{_hour(end, zone)}"
    if start is not None:
        return f"after {start.astimezone(zone):%a} {_hour(start, zone)}"
    if end is not None:
        return f"by {end.astimezone(zone):%a} {_hour(end, zone)}"
    return ""
