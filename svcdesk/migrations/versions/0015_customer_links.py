"""customer links: quote approval, invoice view and service request pages

Revision ID: 0015_customer_links
Revises: 0012_running_time_index
Create Date: 2026-12-03 15:00:00

`customer_link` (svcdesk/web, docs/customer-links.md): one row per link the office gives
a customer, with the SHA-256 hash of its token (never the token), what it opens (a quote,
an invoice, or the service request form), its expiry and revocation, and what the
customer did through it (signer, signature, when, from where).
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import svcdesk.models.base

revision = "0015_customer_links"
down_revision = "0012_running_time_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("quote_id", sa.Integer(), nullable=True),
        sa.Column("invoice_id", sa.Integer(), nullable=True),
        sa.Column("created_at", svcdesk.models.base.UTCDateTime(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("expires_at", svcdesk.models.base.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", svcdesk.models.base.UTCDateTime(), nullable=True),
        sa.Column("revoked_by", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("opened_at", svcdesk.models.base.UTCDateTime(), nullable=True),
        sa.Column("used_at", svcdesk.models.base.UTCDateTime(), nullable=True),
        sa.Column("signer", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("signature_png", sa.LargeBinary(), nullable=True),
        sa.Column("client", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("uses", sa.Integer(), nullable=False, server_default="0"),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"]),
        sa.ForeignKeyConstraint(["quote_id"], ["quote.id"]),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoice.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    for col in ("customer_id", "quote_id", "invoice_id"):
        op.create_index(f"ix_customer_link_{col}", "customer_link", [col])


def downgrade() -> None:
    for col in ("customer_id", "quote_id", "invoice_id"):
        op.drop_index(f"ix_customer_link_{col}", table_name="customer_link")
    op.drop_table("customer_link")
