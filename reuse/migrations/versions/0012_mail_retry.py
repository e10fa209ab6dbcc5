"""E-mail retries: failed sends are counted, retried with backoff, and in the end given up.

Revision ID: 0012_mail_retry
Revises: 0011_open_claims_count
Create Date: 2026-12-02

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_mail_retry'
down_revision = '0011_open_claims_count'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_attempts', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('email_retry_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('email_failed_at', sa.DateTime(timezone=True),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_column('email_failed_at')
        batch_op.drop_column('email_retry_at')
        batch_op.drop_column('email_attempts')
