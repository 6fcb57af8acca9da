"""field app: enrolled phones, one-time enrolment links, idempotency keys; visit ETA

Revision ID: 0009_field_devices
Revises: 0004_partial_null_indexes
Create Date: 2026-12-03 12:00:00

The technician's phone (svcdesk/web, docs/field-app.md): `field_enrolment` (one-time
links, token hashes only), `field_device` (a signed-in phone's session, hashed; revoked
by the office), `field_request` (one row per applied POST, unique per device and
idempotency key, so a retry never applies twice), and `visit.eta_at`, the arrival time a
technician gives when going en route. A plain ADD COLUMN (nullable): no table copy.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import svcdesk.models.base

revision = '0009_field_devices'
down_revision = '0008_change_seq'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('field_device',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('technician_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('created_at', svcdesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('last_seen_at', svcdesk.models.base.UTCDateTime(), nullable=True),
    sa.Column('revoked_at', svcdesk.models.base.UTCDateTime(), nullable=True),
    sa.Column('revoked_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['technician_id'], ['technician.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_index('ix_field_device_technician_id', 'field_device', ['technician_id'], unique=False)
    op.create_table('field_enrolment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('technician_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', svcdesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('expires_at', svcdesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('used_at', svcdesk.models.base.UTCDateTime(), nullable=True),
    sa.Column('device_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['technician_id'], ['technician.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_index('ix_field_enrolment_technician_id', 'field_enrolment', ['technician_id'], unique=False)
    op.create_table('field_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('idem_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('at', svcdesk.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['field_device.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('device_id', 'idem_key')
    )
    op.add_column('visit', sa.Column('eta_at', svcdesk.models.base.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_column('eta_at')
    op.drop_table('field_request')
    op.drop_index('ix_field_enrolment_technician_id', table_name='field_enrolment')
    op.drop_table('field_enrolment')
    op.drop_index('ix_field_device_technician_id', table_name='field_device')
    op.drop_table('field_device')
