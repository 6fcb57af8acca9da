"""staff: the names `--as` accepts; `on_behalf_of` on the histories

Revision ID: 0010_staff
Revises: 0009_field_devices
Create Date: 2026-12-03 15:00:00

`staff` lists the office staff (and technicians who use the console) that a change may be
made as (`svcdesk --as NAME`, `svcdesk staff`); `name_key` (the lower-cased name) keeps a
name unique whatever its case. `on_behalf_of` on order_event, change_event and
customer_event records the operating-system user who acted as that staff member. Plain
ADD COLUMNs (nullable): no table copy.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import svcdesk.models.base

revision = '0010_staff'
down_revision = '0009_field_devices'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('staff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('name_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('technician_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', svcdesk.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['technician_id'], ['technician.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name_key')
    )
    for table in ('order_event', 'change_event', 'customer_event'):
        op.add_column(table, sa.Column('on_behalf_of', sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    for table in ('customer_event', 'change_event', 'order_event'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('on_behalf_of')
    op.drop_table('staff')
