"""Month totals: the reuse ledger summed per month and unit or category, for fast reports;
and an index for counting a period's reuse checks.

Revision ID: 0008_month_totals
Revises: 0007_fulltext_search
Create Date: 2026-12-01

Filled here from the existing ledger; from now on kept in step by
reuse/services/month_totals.py in the transaction that writes each record.

The filling is frozen here (a copy of month_totals.rebuild as it was when this was written,
on table definitions of this revision rather than the application's models): a later change
to the application must not change what an old migration does. Never edit it.
"""
from datetime import UTC
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_month_totals'
down_revision = '0007_fulltext_search'
branch_labels = None
depends_on = None

OSLO = ZoneInfo("Europe/Oslo")
AMOUNTS = ("quantity", "avoided_cost_ore", "avoided_co2e_g", "avoided_waste_g", "records")
# The ledger as this revision knows it: the columns the totals are summed from.
reuse_record = sa.table(
    'reuse_record',
    sa.column('recorded_at', sa.DateTime(timezone=True)),
    sa.column('to_unit_id', sa.Integer), sa.column('from_unit_id', sa.Integer),
    sa.column('category_id', sa.Integer), sa.column('quantity', sa.Integer),
    sa.column('avoided_cost_nok', sa.Numeric(14, 2)),
    sa.column('avoided_co2e_kg', sa.Numeric(14, 3)),
    sa.column('avoided_waste_kg', sa.Numeric(14, 3)),
)


def upgrade():
    month_total = op.create_table(
        'month_total',
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('dimension', sa.String(length=10), nullable=False),
        sa.Column('node_id', sa.Integer(), nullable=False),
        sa.Column('quantity', sa.BigInteger(), nullable=False),
        sa.Column('avoided_cost_ore', sa.BigInteger(), nullable=False),
        sa.Column('avoided_co2e_g', sa.BigInteger(), nullable=False),
        sa.Column('avoided_waste_g', sa.BigInteger(), nullable=False),
        sa.Column('records', sa.BigInteger(), nullable=False),
        sa.CheckConstraint("dimension IN ('receiver', 'giver', 'category')",
                           name=op.f('ck_month_total_dimension_known')),
        sa.PrimaryKeyConstraint('month', 'dimension', 'node_id', name=op.f('pk_month_total')),
    )
    op.create_index('ix_reuse_check_created_at_outcome', 'reuse_check',
                    ['created_at', 'outcome'], unique=False)
    # The ledger's records so far, summed as the application sums each new one.
    fill(op.get_bind(), month_total)


def downgrade():
    op.drop_index('ix_reuse_check_created_at_outcome', table_name='reuse_check')
    op.drop_table('month_total')


def _smallest_units(value, places):
    """Whole øre (places=2) or grams (3), rounded as the ledger's numeric columns store them."""
    return int(Decimal(value).scaleb(places).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def fill(connection, month_total):
    """Sum every ledger record into its Oslo calendar month, per receiving unit, giving unit
    and category, in whole øre and grams."""
    totals = {}
    rows = connection.execute(
        sa.select(reuse_record.c.recorded_at, reuse_record.c.to_unit_id,
                  reuse_record.c.from_unit_id, reuse_record.c.category_id,
                  reuse_record.c.quantity, reuse_record.c.avoided_cost_nok,
                  reuse_record.c.avoided_co2e_kg, reuse_record.c.avoided_waste_kg)
        .execution_options(yield_per=20_000))
    for recorded_at, to_unit, from_unit, category, quantity, cost, co2e, waste in rows:
        # Stored in UTC; SQLite gives it back without its zone.
        if recorded_at.tzinfo is None:
            recorded_at = recorded_at.replace(tzinfo=UTC)
        month = recorded_at.astimezone(OSLO).date().replace(day=1)
        amounts = (quantity, _smallest_units(cost, 2), _smallest_units(co2e, 3),
                   _smallest_units(waste, 3), 1)
        for key in ((month, "receiver", to_unit), (month, "giver", from_unit),
                    (month, "category", category)):
            sums = totals.setdefault(key, [0] * len(AMOUNTS))
            for index, amount in enumerate(amounts):
                sums[index] += amount
    rows = [dict(month=month, dimension=dimension, node_id=node_id,
                 **dict(zip(AMOUNTS, sums, strict=True)))
            for (month, dimension, node_id), sums in sorted(totals.items())]
    for start in range(0, len(rows), 5_000):
        connection.execute(month_total.insert(), rows[start:start + 5_000])
