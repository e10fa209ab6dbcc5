"""A check recorded by the search page's claim form keeps the form's key: a double click on
"Be om" records one check and one claim.

Revision ID: 0023_check_submission_key
Revises: 0022_scim
Create Date: 2026-12-02

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023_check_submission_key'
down_revision = '0022_scim'
branch_labels = None
depends_on = None


def upgrade():
    # A plain column and an index: neither makes SQLite rebuild the table.
    op.add_column('reuse_check', sa.Column('submission_key', sa.String(length=80), nullable=True))
    op.create_index('uq_reuse_check_user_id_submission_key', 'reuse_check',
                    ['user_id', 'submission_key'], unique=True)


def downgrade():
    op.drop_index('uq_reuse_check_user_id_submission_key', table_name='reuse_check')
    op.drop_column('reuse_check', 'submission_key')
