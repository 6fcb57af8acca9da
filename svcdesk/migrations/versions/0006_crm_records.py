"""Customers' phone extension and history, possible duplicates, retired assets

Revision ID: 0006_crm_records
Revises: 0004_partial_null_indexes
Create Date: 2026-12-03 12:00:00

customer.phone_ext (the extension kept apart from the E.164 number) and merged_into_id, asset.retired_on and
retired_reason, the possible_duplicate table (a caller whose phone or e-mail matched a
customer whose name disagreed) and customer_event (added/edited/merged, with the actor).
Existing rows: phones re-parsed (E.164 + extension, matching key recomputed: "512-555-0101
x23" used to key as 5550101023) and sites' address keys recomputed with the USPS words and
one spelling of unit designators ("Unit 2" = "Apt 2").
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_crm_records"
down_revision = "0005_tax_zones"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customer") as batch:
        batch.add_column(sa.Column("phone_ext", sa.String(), nullable=True))
        batch.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("asset") as batch:
        batch.add_column(sa.Column("retired_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("retired_reason", sa.String(), nullable=True))
    utc = sa.DateTime(timezone=op.get_bind().dialect.name != "sqlite")
    op.create_table(
        "possible_duplicate",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customer.id"), nullable=False),
        sa.Column("existing_id", sa.Integer(), sa.ForeignKey("customer.id"), nullable=False),
        sa.Column("matched_on", sa.String(), nullable=False),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("work_order.id"), nullable=True),
        sa.Column("created_at", utc, nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
    )
    op.create_index("ix_possible_duplicate_customer_id", "possible_duplicate", ["customer_id"])
    op.create_index("ix_possible_duplicate_existing_id", "possible_duplicate", ["existing_id"])
    op.create_table(
        "customer_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customer.id"), nullable=False),
        sa.Column("at", utc, nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("detail", sa.String(), nullable=True),
    )
    op.create_index("ix_customer_event_customer_id", "customer_event", ["customer_id"])
    _rekey()


def _rekey() -> None:
    from svcdesk.errors import InvalidInput
    from svcdesk.services.common.normalize import address_key, parse_phone

    conn = op.get_bind()
    phones = []
    for cid, phone in conn.execute(
        sa.text("SELECT id, phone FROM customer WHERE phone IS NOT NULL")
    ):
        try:
            parsed = parse_phone(phone)
        except InvalidInput:
            continue  # kept as typed; matching skips it
        if parsed is not None:
            phones.append({"id": cid, "p": parsed.e164, "x": parsed.ext, "k": parsed.key})
    if phones:
        conn.execute(
            sa.text(
                "UPDATE customer SET phone = :p, phone_ext = :x, phone_key = :k WHERE id = :id"
            ),
            phones,
        )
    sites = [
        {"id": sid, "k": key}
        for sid, address, zip_code, city, old in conn.execute(
            sa.text("SELECT id, address, zip, city, address_key FROM site")
        )
        if (key := address_key(address or "", zip_code or "", city or "")) != old
    ]
    if sites:
        conn.execute(sa.text("UPDATE site SET address_key = :k WHERE id = :id"), sites)


def downgrade() -> None:
    op.drop_index("ix_customer_event_customer_id", table_name="customer_event")
    op.drop_table("customer_event")
    op.drop_index("ix_possible_duplicate_existing_id", table_name="possible_duplicate")
    op.drop_index("ix_possible_duplicate_customer_id", table_name="possible_duplicate")
    op.drop_table("possible_duplicate")
    with op.batch_alter_table("asset") as batch:
        batch.drop_column("retired_reason")
        batch.drop_column("retired_on")
    with op.batch_alter_table("customer") as batch:
        batch.drop_column("merged_into_id")
        batch.drop_column("phone_ext")
