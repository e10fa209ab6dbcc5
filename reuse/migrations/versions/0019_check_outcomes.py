"""Check outcomes: a check with a claim is "claimed" until collection; "dropped" when the
need disappeared; an open check keeps its earlier searches when it is refined.

Existing rows: a check marked reused whose claim is still pending or approved becomes
"claimed" (it is reuse only once the claim is collected); one whose claim came to nothing
(declined, cancelled, expired) is open again, as the claims service does today.

Revision ID: 0019_check_outcomes
Revises: 0018_search_tolerance
Create Date: 2026-12-02

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019_check_outcomes'
down_revision = '0018_search_tolerance'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reuse_check_search',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('check_id', sa.Integer(), nullable=False),
    sa.Column('need', sa.Text(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=True),
    sa.Column('match_count', sa.Integer(), nullable=False),
    sa.Column('searched_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['category.id'], name=op.f('fk_reuse_check_search_category_id_category')),
    sa.ForeignKeyConstraint(['check_id'], ['reuse_check.id'], name=op.f('fk_reuse_check_search_check_id_reuse_check'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reuse_check_search'))
    )
    with op.batch_alter_table('reuse_check_search', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reuse_check_search_check_id'), ['check_id'], unique=False)

    with op.batch_alter_table('reuse_check_match', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_reuse_check_match_search_id'), ['search_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_reuse_check_match_search_id_reuse_check_search'), 'reuse_check_search', ['search_id'], ['id'], ondelete='CASCADE')

    with op.batch_alter_table('reuse_check', schema=None) as batch_op:
        batch_op.add_column(sa.Column('searched_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(batch_op.f('ck_reuse_check_outcome_known'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_reuse_check_outcome_known'),
            "outcome IS NULL OR outcome IN ('claimed', 'reused', 'bought_new', 'dropped')")
    op.execute("UPDATE reuse_check SET searched_at = created_at")
    with op.batch_alter_table('reuse_check', schema=None) as batch_op:
        batch_op.alter_column('searched_at', existing_type=sa.DateTime(timezone=True),
                              nullable=False)

    convert_outcomes()


def convert_outcomes():
    """Reuse only at collection: a waiting claim makes a check claimed; a failed one, open."""
    op.execute("UPDATE reuse_check SET outcome = 'claimed' WHERE outcome = 'reused' AND "
               "claim_id IN (SELECT id FROM claim WHERE status IN ('pending', 'approved'))")
    op.execute("UPDATE reuse_check SET outcome = NULL, outcome_at = NULL, claim_id = NULL "
               "WHERE outcome = 'reused' AND claim_id IN ("
               "  SELECT id FROM claim WHERE status IN ('declined', 'cancelled', 'expired'))")


def downgrade():
    # Back to two outcomes: a waiting claim counted as reuse, a dropped check as open.
    op.execute("UPDATE reuse_check SET outcome = 'reused' WHERE outcome = 'claimed'")
    op.execute("UPDATE reuse_check SET outcome = NULL, outcome_at = NULL, reason_text = '' "
               "WHERE outcome = 'dropped'")
    op.execute("DELETE FROM reuse_check_match WHERE search_id IS NOT NULL")
    with op.batch_alter_table('reuse_check', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_reuse_check_outcome_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_reuse_check_outcome_known'),
                                         "outcome IS NULL OR outcome IN ('reused', 'bought_new')")
        batch_op.drop_column('searched_at')
    with op.batch_alter_table('reuse_check_match', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_reuse_check_match_search_id_reuse_check_search'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_reuse_check_match_search_id'))
        batch_op.drop_column('search_id')
    with op.batch_alter_table('reuse_check_search', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reuse_check_search_check_id'))
    op.drop_table('reuse_check_search')
