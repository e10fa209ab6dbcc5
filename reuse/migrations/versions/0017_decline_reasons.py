"""A declined claim keeps why: a reason code beside the decider's words.

Revision ID: 0017_decline_reasons
Revises: 0016_photo_order
Create Date: 2026-12-02

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_decline_reasons'
down_revision = '0016_photo_order'
branch_labels = None
depends_on = None

CHECK_NAME = 'ck_claim_decline_reason_known'
# The codes as they were when this migration was written (never imported from the models).
KNOWN = ("decline_reason IS NULL OR decline_reason IN ('already_given', "
         "'no_longer_available', 'collection_not_possible', 'other', 'item_withdrawn')")


def upgrade():
    # Claims declined before reasons were asked keep none (NULL); their words stay in
    # decision_message.
    if op.get_bind().dialect.name == 'sqlite':
        # A column-level CHECK keeps SQLite from rebuilding claim, which reuse records and
        # checks refer to.
        op.execute(f"ALTER TABLE claim ADD COLUMN decline_reason VARCHAR(30) "
                   f"CONSTRAINT {CHECK_NAME} CHECK ({KNOWN})")
    else:
        op.add_column('claim', sa.Column('decline_reason', sa.String(length=30),
                                         nullable=True))
        op.create_check_constraint(CHECK_NAME, 'claim', KNOWN)


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite (3.35 and later) drops the column with its own column-level CHECK.
        op.execute("ALTER TABLE claim DROP COLUMN decline_reason")
    else:
        op.drop_constraint(CHECK_NAME, 'claim', type_='check')
        op.drop_column('claim', 'decline_reason')
