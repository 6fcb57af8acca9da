"""outbox: customer messages, their attachments, templates, customers' preferences

Revision ID: 0011_outbox
Revises: 0010_staff
Create Date: 2026-12-03 14:36:12

docs/messages.md: `message` (one row per message to a customer, queued in the transaction
of its event; `idem_key` unique so an event never queues it twice), `message_attachment`
(the PDF as it was when queued), `message_template` (the shop's own wording) and
`message_preference` (consent, channel, opt-outs). New tables only: no table copy.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import svcdesk.models.base

revision = '0011_outbox'
down_revision = "0010_staff"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', svcdesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('quote_id', sa.Integer(), nullable=True),
    sa.Column('invoice_id', sa.Integer(), nullable=True),
    sa.Column('trigger', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('recipient', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_try_at', svcdesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('sent_at', svcdesk.models.base.UTCDateTime(), nullable=True),
    sa.Column('provider_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('idem_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], ),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], ),
    sa.ForeignKeyConstraint(['order_id'], ['work_order.id'], ),
    sa.ForeignKeyConstraint(['quote_id'], ['quote.id'], ),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idem_key')
    )
    op.create_index('ix_message_customer_id', 'message', ['customer_id'], unique=False)
    op.create_index('ix_message_next_try_at', 'message', ['next_try_at'], unique=False)
    op.create_index('ix_message_order_id', 'message', ['order_id'], unique=False)
    op.create_index('ix_message_status', 'message', ['status'], unique=False)
    op.create_table('message_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('mime', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['message.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_message_attachment_message_id', 'message_attachment', ['message_id'], unique=False)
    op.create_table('message_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trigger', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('updated_at', svcdesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('trigger', 'channel')
    )
    op.create_table('message_preference',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('consent', sa.Boolean(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('email_opt_out', sa.Boolean(), nullable=False),
    sa.Column('sms_opt_out', sa.Boolean(), nullable=False),
    sa.Column('updated_at', svcdesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('customer_id')
    )


def downgrade() -> None:
    op.drop_table('message_preference')
    op.drop_table('message_template')
    op.drop_index('ix_message_attachment_message_id', table_name='message_attachment')
    op.drop_table('message_attachment')
    op.drop_index('ix_message_status', table_name='message')
    op.drop_index('ix_message_order_id', table_name='message')
    op.drop_index('ix_message_next_try_at', table_name='message')
    op.drop_index('ix_message_customer_id', table_name='message')
    op.drop_table('message')
