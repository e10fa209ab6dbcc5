"""Goals for reports, and the history of category factors.

Categories keep their current factors in their own columns; a category without version
rows has only ever had those (the factors service writes a baseline row before the
first change), so no data needs moving here.

Revision ID: 0004_reports
Revises: 0003_reuse_checks
Create Date: 2026-11-26

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_reports'
down_revision = '0003_reuse_checks'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('category_factor_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('new_price_nok', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('new_price_source', sa.Text(), nullable=False),
    sa.Column('new_price_estimate', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('weight_kg', sa.Numeric(precision=12, scale=3), nullable=True),
    sa.Column('weight_source', sa.Text(), nullable=False),
    sa.Column('weight_estimate', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('co2e_kg', sa.Numeric(precision=12, scale=3), nullable=True),
    sa.Column('co2e_source', sa.Text(), nullable=False),
    sa.Column('co2e_estimate', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('co2e_kg IS NULL OR co2e_kg >= 0', name=op.f('ck_category_factor_version_co2e_not_negative')),
    sa.CheckConstraint('new_price_nok IS NULL OR new_price_nok >= 0', name=op.f('ck_category_factor_version_price_not_negative')),
    sa.CheckConstraint('weight_kg IS NULL OR weight_kg >= 0', name=op.f('ck_category_factor_version_weight_not_negative')),
    sa.ForeignKeyConstraint(['category_id'], ['category.id'], name=op.f('fk_category_factor_version_category_id_category')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_category_factor_version_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_category_factor_version')),
    sa.UniqueConstraint('category_id', 'valid_from', name='uq_category_factor_version_category_id_valid_from')
    )
    with op.batch_alter_table('category_factor_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_category_factor_version_category_id'), ['category_id'], unique=False)

    op.create_table('goal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('metric', sa.String(length=40), nullable=False),
    sa.Column('target', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("metric IN ('avoided_cost_nok', 'avoided_co2e_kg', 'items_reused', 'reuse_check_share')", name=op.f('ck_goal_metric_known')),
    sa.CheckConstraint('target > 0', name=op.f('ck_goal_target_positive')),
    sa.CheckConstraint('year BETWEEN 2000 AND 2100', name=op.f('ck_goal_year_sensible')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_goal_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_goal_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goal')),
    sa.UniqueConstraint('year', 'metric', 'unit_id', name='uq_goal_year_metric_unit_id')
    )
    with op.batch_alter_table('goal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goal_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index('uq_goal_year_metric_municipality', ['year', 'metric'], unique=True, sqlite_where=sa.text('unit_id IS NULL'), postgresql_where=sa.text('unit_id IS NULL'))



def downgrade():
    with op.batch_alter_table('goal', schema=None) as batch_op:
        batch_op.drop_index('uq_goal_year_metric_municipality', sqlite_where=sa.text('unit_id IS NULL'), postgresql_where=sa.text('unit_id IS NULL'))
        batch_op.drop_index(batch_op.f('ix_goal_unit_id'))

    op.drop_table('goal')
    with op.batch_alter_table('category_factor_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_category_factor_version_category_id'))

    op.drop_table('category_factor_version')
