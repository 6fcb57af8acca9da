"""Partial indexes for columns a new order leaves NULL

Revision ID: 0004_partial_null_indexes
Revises: 0003_kpi_facts
Create Date: 2026-11-25 22:30:00

work_order's asset, agreement, callback-of, completion and KPI-fact indexes and
order_sla's resolved_at index now cover only the rows where the column is set
(`WHERE col IS NOT NULL`): creating an order (or 100,000 of them in an intake file) adds
no entries to them. Every query that used them selects `col = ?`, a range of the column,
or `col IS NOT NULL`, which SQLite and PostgreSQL serve from a partial index (docs/
performance.md, intake section). Plain DROP/CREATE INDEX: no table copy on SQLite.
"""

import sqlalchemy as sa
from alembic import op

revision = '0004_partial_null_indexes'
down_revision = '0003_kpi_facts'
branch_labels = None
depends_on = None

# (index, table, columns, the column that must be set)
INDEXES = [
    ('ix_work_order_asset_id', 'work_order', ['asset_id'], 'asset_id'),
    ('ix_work_order_agreement_id', 'work_order', ['agreement_id'], 'agreement_id'),
    ('ix_work_order_callback_of_id', 'work_order', ['callback_of_id'], 'callback_of_id'),
    ('ix_work_order_completed_at', 'work_order', ['completed_at'], 'completed_at'),
    ('ix_work_order_first_arrival', 'work_order', ['first_arrival_at', 'created_at'], 'first_arrival_at'),
    ('ix_work_order_first_invoiced', 'work_order', ['first_invoiced_at', 'completed_at'], 'first_invoiced_at'),
    ('ix_order_sla_resolved_at', 'order_sla', ['resolved_at'], 'resolved_at'),
]


def upgrade() -> None:
    for name, table, columns, column in INDEXES:
        where = sa.text(f"{column} IS NOT NULL")
        op.drop_index(name, table_name=table, if_exists=True)  # tolerant of a hand-dropped one
        op.create_index(name, table, columns, unique=False, sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    for name, table, columns, _column in INDEXES:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns, unique=False)
