"""A photo count on each item, moved by one conditional UPDATE per upload or removal: the
per-item limit was checked by counting first, and six parallel uploads left nine photos on
an item whose limit is eight.

Revision ID: 0013_photo_count
Revises: 0012_mail_retry
Create Date: 2026-12-02

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_photo_count'
down_revision = '0012_mail_retry'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        # Not batch mode: rebuilding the item table would drop its full-text triggers, and
        # SQLite adds a column with its own CHECK in place.
        op.execute("ALTER TABLE item ADD COLUMN photo_count INTEGER DEFAULT '0' NOT NULL "
                   "CONSTRAINT ck_item_photo_count_not_negative CHECK (photo_count >= 0)")
    else:
        op.add_column('item', sa.Column('photo_count', sa.Integer(), server_default='0',
                                        nullable=False))
        op.create_check_constraint('ck_item_photo_count_not_negative', 'item',
                                   'photo_count >= 0')
    op.execute("UPDATE item SET photo_count = "
               "(SELECT count(*) FROM photo WHERE photo.item_id = item.id)")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE item DROP COLUMN photo_count")
    else:
        op.drop_constraint('ck_item_photo_count_not_negative', 'item', type_='check')
        op.drop_column('item', 'photo_count')
