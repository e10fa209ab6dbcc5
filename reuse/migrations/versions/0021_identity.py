"""Identity and organisation: accounts from single sign-on and provisioning, closed units,
retired categories, and the provisioning client's token.

Revision ID: 0021_identity
Revises: 0020_item_relisted_from
Create Date: 2026-12-02

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021_identity'
down_revision = '0020_item_relisted_from'
branch_labels = None
depends_on = None


def upgrade():
    # Plain added columns and indexes: none of them makes SQLite rebuild the user table (a
    # rebuild would turn open_claims' column check into a table check that 0011's downgrade
    # cannot drop). Accounts without a password keep an empty password_hash.
    op.add_column('user_account', sa.Column('oidc_issuer', sa.String(255), nullable=True))
    op.add_column('user_account', sa.Column('oidc_subject', sa.String(255), nullable=True))
    op.add_column('user_account', sa.Column('scim_external_id', sa.String(255), nullable=True))
    op.create_index('uq_user_oidc_identity', 'user_account', ['oidc_issuer', 'oidc_subject'],
                    unique=True)
    op.create_index('ix_user_account_scim_external_id', 'user_account', ['scim_external_id'])
    op.add_column('unit', sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('category', sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'scim_token',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('label', sa.String(120), nullable=False),
        sa.Column('token_hash', sa.String(64), nullable=False, unique=True),
        sa.Column('created_by_id', sa.Integer(), sa.ForeignKey('user_account.id'), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    )


def downgrade():
    op.drop_table('scim_token')
    op.drop_column('category', 'retired_at')
    op.drop_column('unit', 'closed_at')
    op.drop_index('ix_user_account_scim_external_id', table_name='user_account')
    op.drop_index('uq_user_oidc_identity', table_name='user_account')
    op.drop_column('user_account', 'scim_external_id')
    op.drop_column('user_account', 'oidc_subject')
    op.drop_column('user_account', 'oidc_issuer')
