"""Claims, reuse records, notifications, audit events and API tokens

Revision ID: 0002_claims
Revises: 0001_foundation
Create Date: 2026-11-26

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002_claims'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_api_token_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_token_token_hash'))
    )
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_token_user_id'), ['user_id'], unique=False)

    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('remote_addr', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_audit_event_actor_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_audit_event_object', ['object_type', 'object_id'], unique=False)

    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=300), nullable=False),
    sa.Column('dedup_key', sa.String(length=120), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('emailed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_notification_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
    sa.UniqueConstraint('user_id', 'dedup_key', name='uq_notification_user_id_dedup_key')
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_emailed_at'), ['emailed_at'], unique=False)
        batch_op.create_index('ix_notification_user_id_read_at', ['user_id', 'read_at'], unique=False)

    op.create_table('claim',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('claimant_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('decision_message', sa.Text(), nullable=False),
    sa.Column('collect_by', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('collected_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('collected_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'approved', 'collected', 'declined', 'cancelled', 'expired')", name=op.f('ck_claim_status_known')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_claim_quantity_positive')),
    sa.ForeignKeyConstraint(['claimant_id'], ['user_account.id'], name=op.f('fk_claim_claimant_id_user_account')),
    sa.ForeignKeyConstraint(['collected_by_id'], ['user_account.id'], name=op.f('fk_claim_collected_by_id_user_account')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_claim_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_claim_item_id_item')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_claim_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim'))
    )
    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_claimant_id'), ['claimant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_claim_item_id'), ['item_id'], unique=False)
        batch_op.create_index('ix_claim_status_collect_by', ['status', 'collect_by'], unique=False)
        batch_op.create_index(batch_op.f('ix_claim_unit_id'), ['unit_id'], unique=False)

    op.create_table('reuse_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    sa.Column('from_unit_id', sa.Integer(), nullable=False),
    sa.Column('to_unit_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('replaces_purchase', sa.Boolean(), nullable=False),
    sa.Column('costs_nok', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('new_price_nok_used', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('weight_kg_used', sa.Numeric(precision=12, scale=3), nullable=True),
    sa.Column('co2e_kg_used', sa.Numeric(precision=12, scale=3), nullable=True),
    sa.Column('avoided_cost_nok', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('avoided_co2e_kg', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('avoided_waste_kg', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.CheckConstraint('(reverses_id IS NULL) = (quantity > 0)', name=op.f('ck_reuse_record_sign_matches_kind')),
    sa.CheckConstraint('costs_nok >= 0 OR reverses_id IS NOT NULL', name=op.f('ck_reuse_record_costs_not_negative')),
    sa.ForeignKeyConstraint(['category_id'], ['category.id'], name=op.f('fk_reuse_record_category_id_category')),
    sa.ForeignKeyConstraint(['claim_id'], ['claim.id'], name=op.f('fk_reuse_record_claim_id_claim')),
    sa.ForeignKeyConstraint(['from_unit_id'], ['unit.id'], name=op.f('fk_reuse_record_from_unit_id_unit')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_reuse_record_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['reverses_id'], ['reuse_record.id'], name=op.f('fk_reuse_record_reverses_id_reuse_record')),
    sa.ForeignKeyConstraint(['to_unit_id'], ['unit.id'], name=op.f('fk_reuse_record_to_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reuse_record')),
    sa.UniqueConstraint('reverses_id', name='uq_reuse_record_reverses_id')
    )
    with op.batch_alter_table('reuse_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reuse_record_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reuse_record_claim_id'), ['claim_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reuse_record_from_unit_id'), ['from_unit_id'], unique=False)
        batch_op.create_index('ix_reuse_record_recorded_at', ['recorded_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_reuse_record_to_unit_id'), ['to_unit_id'], unique=False)




def downgrade():

    with op.batch_alter_table('reuse_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reuse_record_to_unit_id'))
        batch_op.drop_index('ix_reuse_record_recorded_at')
        batch_op.drop_index(batch_op.f('ix_reuse_record_from_unit_id'))
        batch_op.drop_index(batch_op.f('ix_reuse_record_claim_id'))
        batch_op.drop_index(batch_op.f('ix_reuse_record_category_id'))

    op.drop_table('reuse_record')
    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_unit_id'))
        batch_op.drop_index('ix_claim_status_collect_by')
        batch_op.drop_index(batch_op.f('ix_claim_item_id'))
        batch_op.drop_index(batch_op.f('ix_claim_claimant_id'))

    op.drop_table('claim')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user_id_read_at')
        batch_op.drop_index(batch_op.f('ix_notification_emailed_at'))

    op.drop_table('notification')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_object')
        batch_op.drop_index(batch_op.f('ix_audit_event_created_at'))
        batch_op.drop_index(batch_op.f('ix_audit_event_actor_id'))

    op.drop_table('audit_event')
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_token_user_id'))

    op.drop_table('api_token')

