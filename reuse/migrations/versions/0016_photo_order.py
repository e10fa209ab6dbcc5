"""Photos chosen on a form that did not go through are kept for their uploader
(`pending_photo`), and each item's photos get positions 0, 1, 2, … in their shown order, so
the first is the cover and moving one is a swap of two positions.

Revision ID: 0016_photo_order
Revises: 0015_api_token_expiry
Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_photo_order'
down_revision = '0015_api_token_expiry'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pending_photo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=22), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=80), nullable=False),
    sa.Column('thumbnail_filename', sa.String(length=80), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_pending_photo_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_photo')),
    sa.UniqueConstraint('filename', name=op.f('uq_pending_photo_filename')),
    sa.UniqueConstraint('thumbnail_filename', name=op.f('uq_pending_photo_thumbnail_filename')),
    sa.UniqueConstraint('token', name=op.f('uq_pending_photo_token'))
    )
    with op.batch_alter_table('pending_photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_photo_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_pending_photo_user_id'), ['user_id'], unique=False)
    # Removing a photo used to leave a gap (or, after a later upload, two photos at one
    # position): number each item's photos again in the order they were shown.
    # Ranked in Python from one read: SQLite evaluates a correlated subquery in an UPDATE
    # against rows the same statement has already changed, which reorders the photos.
    connection = op.get_bind()
    rows = connection.execute(sa.text(
        "SELECT id, item_id, position FROM photo ORDER BY item_id, position, id")).all()
    renumbered, item_id, next_position = [], None, 0
    for photo_id, photo_item_id, position in rows:
        if photo_item_id != item_id:
            item_id, next_position = photo_item_id, 0
        if position != next_position:
            renumbered.append({"id": photo_id, "position": next_position})
        next_position += 1
    if renumbered:
        connection.execute(sa.text("UPDATE photo SET position = :position WHERE id = :id"),
                           renumbered)


def downgrade():
    with op.batch_alter_table('pending_photo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_photo_user_id'))
        batch_op.drop_index(batch_op.f('ix_pending_photo_created_at'))
    op.drop_table('pending_photo')
