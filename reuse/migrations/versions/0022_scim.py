"""Provisioning: an account the provisioning client deleted is detached, not removed.

Revision ID: 0022_scim
Revises: 0021_identity
Create Date: 2026-12-02

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022_scim'
down_revision = '0021_identity'
branch_labels = None
depends_on = None


def upgrade():
    # A plain added column: no SQLite rebuild of the user table (see 0021_identity).
    op.add_column('user_account',
                  sa.Column('scim_deleted_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    op.drop_column('user_account', 'scim_deleted_at')
