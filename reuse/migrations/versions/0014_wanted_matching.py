"""Wanted requests are matched by run-jobs, not while an item is posted.

`pending_wanted_match` holds the posted items still to be matched (written with the item),
and `wanted_request.match_pattern` a LIKE pattern of the request's most telling word, so the
job's SQL drops the requests an item cannot match. Existing requests get "%" (match every
item): correct, only less filtered, until they are next saved.

Revision ID: 0014_wanted_matching
Revises: 0013_photo_count
Create Date: 2026-12-02

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_wanted_matching'
down_revision = '0013_photo_count'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('wanted_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('match_pattern', sa.Text(), server_default='%',
                                      nullable=False))
    op.create_table('pending_wanted_match',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_pending_wanted_match_item_id_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_id', name=op.f('pk_pending_wanted_match'))
    )


def downgrade():
    op.drop_table('pending_wanted_match')
    with op.batch_alter_table('wanted_request', schema=None) as batch_op:
        batch_op.drop_column('match_pattern')
