"""Change markers in commit order for incremental exports

Revision ID: 0008_change_seq
Revises: 0004_partial_null_indexes
Create Date: 2026-12-03 12:00:00

Every table an export follows gets `change_seq` (set by triggers, svcdesk/db_changes.py,
installed on open by db_extras) and an index on it; `export_watermark.seq` keeps each
incremental name's mark; `change_counter` is SQLite's commit-order counter. Existing rows
get 0 (an old watermark's next run also takes what changed after its time, so nothing
from before the upgrade is lost). Plain ADD COLUMN: no table copy on SQLite.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_change_seq"
down_revision = "0006_crm_records"
branch_labels = None
depends_on = None

TABLES = ["work_order", "visit", "customer", "invoice", "payment", "time_entry", "part_usage"]


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("change_seq", sa.BigInteger(), nullable=True))
        op.execute(f"UPDATE {table} SET change_seq = 0")
        op.create_index(f"ix_{table}_change_seq", table, ["change_seq"], unique=False)
    op.add_column("export_watermark", sa.Column("seq", sa.BigInteger(), nullable=True))
    op.create_table(
        "change_counter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("change_counter")
    with op.batch_alter_table("export_watermark") as batch:
        batch.drop_column("seq")
    for table in TABLES:
        op.drop_index(f"ix_{table}_change_seq", table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("change_seq")
