"""Purchase lines from the purchasing systems, and the rules that give them a category.

Revision ID: 0027_purchases
Revises: 0026_stages
Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0027_purchases'
down_revision = '0026_stages'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'purchase_category_rule',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(10), nullable=False),
        sa.Column('pattern', sa.String(60), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('unspsc', 'keyword')",
                           name=op.f('ck_purchase_category_rule_kind_known')),
        sa.ForeignKeyConstraint(['category_id'], ['category.id'],
                                name=op.f('fk_purchase_category_rule_category_id_category')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'],
                                name=op.f('fk_purchase_category_rule_created_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_purchase_category_rule')),
        sa.UniqueConstraint('kind', 'pattern', name='uq_purchase_category_rule_kind_pattern'),
    )
    op.create_table(
        'purchase_line',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(60), nullable=False),
        sa.Column('line_id', sa.String(80), nullable=False),
        sa.Column('order_number', sa.String(80), nullable=False),
        sa.Column('ordered_on', sa.Date(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('supplier', sa.String(200), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('unspsc', sa.String(8), nullable=False),
        sa.Column('file_category_id', sa.Integer(), nullable=True),
        sa.Column('quantity', sa.Numeric(14, 3), nullable=False),
        sa.Column('amount_nok', sa.Numeric(16, 2), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=True),
        sa.Column('classification', sa.String(20), nullable=False),
        sa.Column('rule_id', sa.Integer(), nullable=True),
        sa.Column('available_pieces', sa.Integer(), server_default='0', nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('quantity > 0', name=op.f('ck_purchase_line_quantity_positive')),
        sa.CheckConstraint("classification IN ('file', 'unspsc', 'keyword', 'not_reusable', "
                           "'unmapped')", name=op.f('ck_purchase_line_classification_known')),
        sa.CheckConstraint("(category_id IS NOT NULL) = (classification IN ('file', 'unspsc', "
                           "'keyword'))",
                           name=op.f('ck_purchase_line_category_matches_classification')),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'],
                                name=op.f('fk_purchase_line_unit_id_unit')),
        sa.ForeignKeyConstraint(['category_id'], ['category.id'],
                                name=op.f('fk_purchase_line_category_id_category')),
        sa.ForeignKeyConstraint(['file_category_id'], ['category.id'],
                                name=op.f('fk_purchase_line_file_category_id_category')),
        sa.ForeignKeyConstraint(['rule_id'], ['purchase_category_rule.id'], ondelete='SET NULL',
                                name=op.f('fk_purchase_line_rule_id_purchase_category_rule')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_purchase_line')),
        sa.UniqueConstraint('source', 'line_id', name='uq_purchase_line_source_line_id'),
    )
    op.create_index('ix_purchase_line_ordered_on', 'purchase_line', ['ordered_on'])
    op.create_index('ix_purchase_line_order_number', 'purchase_line', ['order_number'])
    op.create_index('ix_purchase_line_classification', 'purchase_line', ['classification'])
    op.create_index(op.f('ix_purchase_line_unit_id'), 'purchase_line', ['unit_id'])
    op.create_index(op.f('ix_purchase_line_category_id'), 'purchase_line', ['category_id'])
    # A check's purchase reference is looked up by a line's order number.
    op.create_index('ix_reuse_check_purchase_reference', 'reuse_check',
                    ['purchase_reference'])


def downgrade():
    op.drop_index('ix_reuse_check_purchase_reference', table_name='reuse_check')
    op.drop_table('purchase_line')
    op.drop_table('purchase_category_rule')
