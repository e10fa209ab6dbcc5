"""Partial indexes over listed items: newest first, and per category; on PostgreSQL, finer
statistics for the full-text columns.

With the default statistics PostgreSQL guessed a rare word in ten thousand rows of a million
and combined the full-text index with a partial index of every listed item: 200 ms instead
of 1 ms.

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
    if op.get_bind().dialect.name == "postgresql":
        for column in ('search_vector', 'location_vector'):
            op.execute(f"ALTER TABLE item ALTER COLUMN {column} SET STATISTICS 1000")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for column in ('search_vector', 'location_vector'):
            op.execute(f"ALTER TABLE item ALTER COLUMN {column} SET STATISTICS -1")
    op.drop_index('ix_item_listed_category_id', table_name='item')
    op.drop_index('ix_item_listed_created_at', table_name='item')
