"""E-mails are taken by a sender for a while (notification.email_taken_until) and marked sent
only once sent, so a worker killed while sending loses nothing: another sender takes the
e-mail again when the time has passed.

Revision ID: 0029_email_lease
Revises: 0028_purchase_goal
Create Date: 2026-12-04

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0029_email_lease'
down_revision = '0028_purchase_goal'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notification') as batch_op:
        batch_op.add_column(sa.Column('email_taken_until', sa.DateTime(timezone=True),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('notification') as batch_op:
        batch_op.drop_column('email_taken_until')
