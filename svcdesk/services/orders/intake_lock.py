"""One intake at a time matches and creates customers on PostgreSQL.

Intake looks a caller up by phone key / e-mail / external reference and creates what is
missing. On SQLite writers are serialised, so the look-up and the insert can never
interleave with another intake's. On PostgreSQL two transactions can: four parallel
files sharing phone numbers made 9,000 customers instead of 5,000, and the same file run
twice died on `work_order_external_ref_key` (issue 15, item 5). Every intake (one order or a
batch) therefore takes one transaction-scoped advisory lock before its first look-up and
holds it to commit: concurrent intakes queue like SQLite's writers, and each sees the
rows the one before it committed (READ COMMITTED takes a new snapshot per statement), so
a phone key gets one customer and a repeated external reference is reported as skipped.
Other writers (status changes, notes, bookings) are not affected. One lock, taken first,
so two intakes can never deadlock on it."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session

INTAKE_LOCK = 0x5D5C_1A7E  # (db_extras.PG_SETUP_LOCK is 0x5D5C_DE5C)
_HELD = "svcdesk.intake_lock"


def lock_intake(session: Session) -> None:
    """Take the intake lock for the rest of this transaction (PostgreSQL; nothing on SQLite)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    conn = session.connection()
    if session.info.get(_HELD) is conn:  # (re-taking is harmless, but costs a round trip)
        return
    session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": INTAKE_LOCK})
    session.info[_HELD] = conn
