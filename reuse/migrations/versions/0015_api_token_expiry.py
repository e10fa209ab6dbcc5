"""API tokens may expire: an optional expiry time per token.

Revision ID: 0015_api_token_expiry
Revises: 0014_wanted_matching
Create Date: 2026-12-02

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_api_token_expiry'
down_revision = '0014_wanted_matching'
branch_labels = None
depends_on = None


def upgrade():
    # Existing tokens keep working: no expiry until someone sets one.
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
