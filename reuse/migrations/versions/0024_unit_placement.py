"""Where each unit stood in the tree, and when: reports can show the tree as it was at the end
of their period. Every unit gets one open placement under its current parent, from the
beginning of time (nothing older is known).

Revision ID: 0024_unit_placement
Revises: 0023_check_submission_key
Create Date: 2026-12-02

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024_unit_placement'
down_revision = '0023_check_submission_key'
branch_labels = None
depends_on = None

BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)


def upgrade():
    op.create_table(
        'unit_placement',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('parent_id', sa.Integer(), nullable=True),
        sa.Column('valid_from', sa.DateTime(timezone=True), nullable=False),
        sa.Column('valid_to', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint('valid_to IS NULL OR valid_to >= valid_from',
                           name=op.f('ck_unit_placement_ends_after_start')),
        sa.ForeignKeyConstraint(['parent_id'], ['unit.id'],
                                name=op.f('fk_unit_placement_parent_id_unit')),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'],
                                name=op.f('fk_unit_placement_unit_id_unit')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_placement')),
    )
    op.create_index('ix_unit_placement_unit_id_valid_from', 'unit_placement',
                    ['unit_id', 'valid_from'], unique=False)
    op.create_index('uq_unit_placement_open', 'unit_placement', ['unit_id'], unique=True,
                    sqlite_where=sa.text('valid_to IS NULL'),
                    postgresql_where=sa.text('valid_to IS NULL'))
    unit = sa.table('unit', sa.column('id', sa.Integer()), sa.column('parent_id', sa.Integer()))
    placement = sa.table('unit_placement', sa.column('unit_id', sa.Integer()),
                         sa.column('parent_id', sa.Integer()),
                         sa.column('valid_from', sa.DateTime(timezone=True)))
    op.execute(placement.insert().from_select(
        ['unit_id', 'parent_id', 'valid_from'],
        sa.select(unit.c.id, unit.c.parent_id,
                  sa.literal(BEGINNING, sa.DateTime(timezone=True)))))


def downgrade():
    op.drop_index('uq_unit_placement_open', table_name='unit_placement',
                  sqlite_where=sa.text('valid_to IS NULL'),
                  postgresql_where=sa.text('valid_to IS NULL'))
    op.drop_index('ix_unit_placement_unit_id_valid_from', table_name='unit_placement')
    op.drop_table('unit_placement')
