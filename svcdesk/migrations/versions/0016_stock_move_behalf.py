"""stock moves: `on_behalf_of`, like the other histories

Revision ID: 0016_stock_move_behalf
Revises: 0015_customer_links
Create Date: 2026-12-03 18:00:00

The stock ledger is the audit of stock (`svcdesk audit --kind stock` reads it; no copy
in change_event). A move posted by `svcdesk --as NAME` records the staff member as its
actor and, like order_event, change_event and customer_event, the operating-system user
in `on_behalf_of`. A plain ADD COLUMN (nullable): no table copy.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0016_stock_move_behalf"
down_revision = "0015_customer_links"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "stock_move", sa.Column("on_behalf_of", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("stock_move", schema=None) as batch_op:
        batch_op.drop_column("on_behalf_of")
