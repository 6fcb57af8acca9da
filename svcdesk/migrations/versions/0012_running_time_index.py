"""Partial index for a technician's running time entries

Revision ID: 0012_running_time_index
Revises: 0011_outbox
Create Date: 2026-12-03 15:00:00

`timecards.running_entries` (the phone's My day and job page, the time clock, en route
and arrival) selects `technician_id = ? AND ends_at IS NULL`. The only index was
(technician_id, starts_at), so it read every entry of the technician's history (about
5,500 at a million orders) to find the one or two running. `ix_time_entry_running` holds
only the running entries (`WHERE ends_at IS NULL`), on SQLite and PostgreSQL. A plain
CREATE INDEX: no table copy.
"""

import sqlalchemy as sa
from alembic import op

revision = '0012_running_time_index'
down_revision = "0011_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    where = sa.text("ends_at IS NULL")
    op.create_index('ix_time_entry_running', 'time_entry', ['technician_id'], unique=False,
                    sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    op.drop_index('ix_time_entry_running', table_name='time_entry')
