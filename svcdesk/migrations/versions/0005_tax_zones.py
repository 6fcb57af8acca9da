"""Tax zones, and the audit trail of changes that are not an order's

Revision ID: 0005_tax_zones
Revises: 0004_partial_null_indexes
Create Date: 2026-12-03 11:40:00

A site's sales tax was a rate on the site (`site.tax_rate_bp`), settable only by the demo
(every site made by intake billed 0 %). Now a site names a `tax_zone` (name, rate in basis
points, active), and a site without one bills at the default zone's rate (setting
`tax.default_zone`). Existing rates become zones: one zone per distinct non-zero rate
("8.25% sales tax"), each such site pointed at its zone; the most used one becomes the
default, so sites left at 0 % (never set) bill the shop's usual rate from now on.
`change_event` records changes to settings, tax zones and sites (actor, before/after).

SQLite: plain ALTER TABLE ADD/DROP COLUMN (3.35+), no table copy (the site table keeps its
search triggers and the foreign keys that point at it).
"""

import json
from datetime import UTC, datetime
from decimal import Decimal

import sqlalchemy as sa
import sqlmodel
from alembic import op

import svcdesk.models.base

revision = '0005_tax_zones'
down_revision = '0004_partial_null_indexes'
branch_labels = None
depends_on = None


def _zone_name(bp: int) -> str:
    text = f"{Decimal(bp) / 100:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}% sales tax"


def upgrade() -> None:
    op.create_table('change_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', svcdesk.models.base.UTCDateTime(), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('entity', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('ref', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('detail', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('data', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_change_event_at', 'change_event', ['at'], unique=False)
    op.create_index('ix_change_event_entity', 'change_event', ['entity'], unique=False)
    op.create_table('tax_zone',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('rate_bp', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    conn = op.get_bind()
    sqlite = conn.dialect.name == 'sqlite'
    if sqlite:
        op.execute('ALTER TABLE site ADD COLUMN tax_zone_id INTEGER REFERENCES tax_zone (id)')
    else:
        op.add_column('site', sa.Column('tax_zone_id', sa.Integer(), nullable=True))
        op.create_foreign_key('site_tax_zone_id_fkey', 'site', 'tax_zone', ['tax_zone_id'], ['id'])
    op.create_index('ix_site_tax_zone_id', 'site', ['tax_zone_id'], unique=False)

    # Each distinct non-zero site rate becomes a zone; the most used one is the default.
    rates = conn.execute(sa.text(
        'SELECT tax_rate_bp, COUNT(*) FROM site WHERE tax_rate_bp > 0 '
        'GROUP BY tax_rate_bp ORDER BY COUNT(*) DESC, tax_rate_bp'
    )).all()
    stamp = datetime.now(UTC)
    stamp = stamp.replace(tzinfo=None) if sqlite else stamp
    for bp, count in rates:
        name = _zone_name(bp)
        zone_id = conn.execute(
            sa.text('INSERT INTO tax_zone (name, rate_bp, active) VALUES (:n, :bp, :a) RETURNING id'),
            {'n': name, 'bp': bp, 'a': True},
        ).scalar_one()
        conn.execute(sa.text('UPDATE site SET tax_zone_id = :z WHERE tax_rate_bp = :bp'),
                     {'z': zone_id, 'bp': bp})
        conn.execute(
            sa.text('INSERT INTO change_event (at, actor, entity, ref, kind, detail, data) '
                    'VALUES (:at, :actor, :e, :r, :k, :d, :data)'),
            {'at': stamp, 'actor': 'migration', 'e': 'tax_zone', 'r': str(zone_id), 'k': 'created',
             'd': f'tax zone {name} from the rate of {count} sites',
             'data': json.dumps({'after': {'name': name, 'rate_bp': bp, 'active': True}})},
        )
    if rates:
        default = _zone_name(rates[0][0])
        exists = conn.execute(sa.text("SELECT 1 FROM setting WHERE key = 'tax.default_zone'")).first()
        if exists is None:
            conn.execute(sa.text("INSERT INTO setting (key, value) VALUES ('tax.default_zone', :v)"),
                         {'v': default})
    if sqlite:
        op.execute('ALTER TABLE site DROP COLUMN tax_rate_bp')
    else:
        op.drop_column('site', 'tax_rate_bp')


def downgrade() -> None:
    conn = op.get_bind()
    op.add_column('site', sa.Column('tax_rate_bp', sa.Integer(), nullable=False, server_default='0'))
    conn.execute(sa.text(
        'UPDATE site SET tax_rate_bp = COALESCE((SELECT rate_bp FROM tax_zone '
        'WHERE tax_zone.id = site.tax_zone_id), 0)'
    ))
    op.drop_index('ix_site_tax_zone_id', table_name='site')
    if conn.dialect.name == 'sqlite':
        op.execute('ALTER TABLE site DROP COLUMN tax_zone_id')
    else:
        op.drop_constraint('site_tax_zone_id_fkey', 'site', type_='foreignkey')
        op.drop_column('site', 'tax_zone_id')
    conn.execute(sa.text("DELETE FROM setting WHERE key = 'tax.default_zone'"))
    op.drop_table('tax_zone')
    op.drop_index('ix_change_event_entity', table_name='change_event')
    op.drop_index('ix_change_event_at', table_name='change_event')
    op.drop_table('change_event')
