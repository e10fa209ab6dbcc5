"""Partial indexes over listed items: newest first, and per category.

Revision ID: 0009_listed_item_indexes
Revises: 0008_month_totals
Create Date: 2026-12-01

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_listed_item_indexes'
down_revision = '0008_month_totals'
branch_labels = None
depends_on = None

LISTED = "withdrawn_at IS NULL AND quantity - quantity_reserved - quantity_handed_over > 0"


def upgrade():
    for name, columns in (('ix_item_listed_created_at', ['created_at', 'id']),
                          ('ix_item_listed_category_id', ['category_id', 'created_at'])):
        op.create_index(name, 'item', columns, unique=False,
                        postgresql_where=sa.text(LISTED), sqlite_where=sa.text(LISTED))


def downgrade():
    op.drop_index('ix_item_listed_category_id', table_name='item')
    op.drop_index('ix_item_listed_created_at', table_name='item')
