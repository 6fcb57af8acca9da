"""KPI facts on the order: first arrival, first invoiced (back-filled from the history);
covering indexes for the KPI report

Revision ID: 0003_kpi_facts
Revises: 0002_areas
Create Date: 2026-11-25 18:45:00

The columns are kept from then on by a trigger on order_event that svcdesk installs on
every open (svcdesk/db_facts.py); this revision adds them, their indexes, and fills them
from the existing status history so old orders report exactly as before.
"""

import sqlalchemy as sa
from alembic import op

import svcdesk.models.base

revision = '0003_kpi_facts'
down_revision = '0002_areas'
branch_labels = None
depends_on = None

FACTS = {"on_site": "first_arrival_at", "invoiced": "first_invoiced_at"}


def upgrade() -> None:
    with op.batch_alter_table('work_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_arrival_at', svcdesk.models.base.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('first_invoiced_at', svcdesk.models.base.UTCDateTime(), nullable=True))
        batch_op.create_index('ix_work_order_first_arrival', ['first_arrival_at', 'created_at'], unique=False)
        batch_op.create_index('ix_work_order_first_invoiced', ['first_invoiced_at', 'completed_at'], unique=False)
    with op.batch_alter_table('visit', schema=None) as batch_op:  # covering for job duration
        batch_op.drop_index('ix_visit_departed_at')
        batch_op.create_index('ix_visit_departed_on_site', ['departed_at', 'arrived_at', 'status', 'order_id'], unique=False)
        batch_op.create_index('ix_visit_order_status', ['order_id', 'status'], unique=False)
    with op.batch_alter_table('invoice', schema=None) as batch_op:  # completed orders' billing
        batch_op.create_index('ix_invoice_order_billed', ['order_id', 'status', 'total_cents', 'tax_cents'], unique=False)

    # Back-fill: the time of each order's FIRST status event to on_site / invoiced.
    for status, column in FACTS.items():
        op.execute(
            f"UPDATE work_order SET {column} = (SELECT min(e.at) FROM order_event e "
            f"WHERE e.order_id = work_order.id AND e.kind = 'status' "
            f"AND e.to_status = '{status}') "
            f"WHERE id IN (SELECT order_id FROM order_event "
            f"WHERE kind = 'status' AND to_status = '{status}')"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS work_order_kpi_facts ON order_event")
        op.execute("DROP FUNCTION IF EXISTS work_order_kpi_facts()")
    else:
        op.execute("DROP TRIGGER IF EXISTS work_order_kpi_facts")
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.drop_index('ix_invoice_order_billed')
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_index('ix_visit_order_status')
        batch_op.drop_index('ix_visit_departed_on_site')
        batch_op.create_index('ix_visit_departed_at', ['departed_at'], unique=False)
    with op.batch_alter_table('work_order', schema=None) as batch_op:
        batch_op.drop_index('ix_work_order_first_invoiced')
        batch_op.drop_index('ix_work_order_first_arrival')
        batch_op.drop_column('first_invoiced_at')
        batch_op.drop_column('first_arrival_at')
