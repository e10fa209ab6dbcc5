"""Reuse checks, their matches, wanted requests, and claims linked to checks.

Revision ID: 0003_reuse_checks
Revises: 0002_claims
Create Date: 2026-11-26

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_reuse_checks'
down_revision = '0002_claims'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('reuse_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('need', sa.Text(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=True),
    sa.Column('match_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('outcome_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claim_id', sa.Integer(), nullable=True),
    sa.Column('reason_code', sa.String(length=40), nullable=True),
    sa.Column('reason_text', sa.Text(), nullable=False),
    sa.Column('purchase_reference', sa.String(length=120), nullable=False),
    sa.CheckConstraint("outcome != 'bought_new' OR reason_code IS NOT NULL", name=op.f('ck_reuse_check_bought_new_has_reason')),
    sa.CheckConstraint("outcome IS NULL OR outcome IN ('reused', 'bought_new')", name=op.f('ck_reuse_check_outcome_known')),
    sa.CheckConstraint('quantity IS NULL OR quantity > 0', name=op.f('ck_reuse_check_quantity_positive')),
    sa.ForeignKeyConstraint(['category_id'], ['category.id'], name=op.f('fk_reuse_check_category_id_category')),
    sa.ForeignKeyConstraint(['claim_id'], ['claim.id'], name=op.f('fk_reuse_check_claim_id_claim')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_reuse_check_unit_id_unit')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_reuse_check_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reuse_check'))
    )
    with op.batch_alter_table('reuse_check', schema=None) as batch_op:
        batch_op.create_index('ix_reuse_check_unit_id_created_at', ['unit_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_reuse_check_user_id'), ['user_id'], unique=False)

    op.create_table('wanted_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('words', sa.String(length=200), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=True),
    sa.Column('until', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('quantity IS NULL OR quantity > 0', name=op.f('ck_wanted_request_quantity_positive')),
    sa.ForeignKeyConstraint(['category_id'], ['category.id'], name=op.f('fk_wanted_request_category_id_category')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_wanted_request_unit_id_unit')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_wanted_request_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wanted_request'))
    )
    with op.batch_alter_table('wanted_request', schema=None) as batch_op:
        batch_op.create_index('ix_wanted_request_open', ['closed_at', 'until'], unique=False)
        batch_op.create_index(batch_op.f('ix_wanted_request_user_id'), ['user_id'], unique=False)

    op.create_table('reuse_check_match',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('check_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('quantity_available', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['check_id'], ['reuse_check.id'], name=op.f('fk_reuse_check_match_check_id_reuse_check'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_reuse_check_match_item_id_item')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reuse_check_match'))
    )
    with op.batch_alter_table('reuse_check_match', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reuse_check_match_check_id'), ['check_id'], unique=False)

    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reuse_check_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_claim_reuse_check_id'), ['reuse_check_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_claim_reuse_check_id_reuse_check'), 'reuse_check', ['reuse_check_id'], ['id'])




def downgrade():

    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_claim_reuse_check_id_reuse_check'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_claim_reuse_check_id'))
        batch_op.drop_column('reuse_check_id')

    with op.batch_alter_table('reuse_check_match', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reuse_check_match_check_id'))

    op.drop_table('reuse_check_match')
    with op.batch_alter_table('wanted_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wanted_request_user_id'))
        batch_op.drop_index('ix_wanted_request_open')

    op.drop_table('wanted_request')
    with op.batch_alter_table('reuse_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reuse_check_user_id'))
        batch_op.drop_index('ix_reuse_check_unit_id_created_at')

    op.drop_table('reuse_check')

