"""Users get a session token, so logging out ends every session.

Revision ID: 0006_session_token
Revises: 0005_user_locale
Create Date: 2026-11-26

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_session_token'
down_revision = '0005_user_locale'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=32), server_default='',
                                      nullable=False))
    # Existing users get a token of their own; their current sessions end with this upgrade.
    connection = op.get_bind()
    user = sa.table('user_account', sa.column('id', sa.Integer),
                    sa.column('session_token', sa.String))
    for (user_id,) in connection.execute(sa.select(user.c.id)).all():
        connection.execute(user.update().where(user.c.id == user_id)
                           .values(session_token=secrets.token_hex(16)))


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('session_token')
