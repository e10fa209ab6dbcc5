"""A withdrawn item is listed again once: the new listing names the one it lists again.

Revision ID: 0020_item_relisted_from
Revises: 0019_check_outcomes
Create Date: 2026-12-02

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020_item_relisted_from'
down_revision = '0019_check_outcomes'
branch_labels = None
depends_on = None


def upgrade():
    # A plain column and a unique index: neither makes SQLite rebuild the item table.
    op.add_column('item', sa.Column('relisted_from_id', sa.Integer(), nullable=True))
    op.create_index('uq_item_relisted_from_id', 'item', ['relisted_from_id'], unique=True)


def downgrade():
    op.drop_index('uq_item_relisted_from_id', table_name='item')
    op.drop_column('item', 'relisted_from_id')
