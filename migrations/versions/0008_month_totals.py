"""Month totals: the reuse ledger summed per month and unit or category, for fast reports;
and an index for counting a period's reuse checks.

Revision ID: 0008_month_totals
Revises: 0007_fulltext_search
Create Date: 2026-12-01

Filled here from the existing ledger; from now on kept in step by
reuse/services/month_totals.py in the transaction that writes each record.
"""
from alembic import op
import sqlalchemy as sa
import sqlalchemy.orm  # noqa: F401  (sa.orm.Session)


# revision identifiers, used by Alembic.
revision = '0008_month_totals'
down_revision = '0007_fulltext_search'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
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
    # The ledger's records so far, summed by the same code that keeps the totals in step.
    from reuse.services import month_totals
    month_totals.rebuild(sa.orm.Session(bind=op.get_bind()))

def downgrade():
    op.drop_index('ix_reuse_check_created_at_outcome', table_name='reuse_check')
    op.drop_table('month_total')
