"""Each person's count of open claims, for the limit on open claims per person.

user_account.open_claims holds how many pending and approved claims the person has; the
claims service moves it in the same transaction as each claim's state, and refuses a new
claim by a conditional UPDATE of this row when the count has reached OPEN_CLAIMS_PER_PERSON.
It is filled here from the existing claims. People who already have more open claims than
the limit keep them; they cannot make a new one until they are under it.

Revision ID: 0011_open_claims_count
Revises: 0010_one_claim_one_check
Create Date: 2026-12-02

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_open_claims_count'
down_revision = '0010_one_claim_one_check'
branch_labels = None
depends_on = None

CHECK_NAME = 'ck_user_account_open_claims_not_negative'


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        # A column-level CHECK keeps SQLite from rebuilding user_account, which every other
        # table refers to.
        op.execute("ALTER TABLE user_account ADD COLUMN open_claims INTEGER DEFAULT '0' "
                   f"NOT NULL CONSTRAINT {CHECK_NAME} CHECK (open_claims >= 0)")
    else:
        op.add_column('user_account', sa.Column('open_claims', sa.Integer(),
                                                server_default='0', nullable=False))
        op.create_check_constraint(CHECK_NAME, 'user_account', 'open_claims >= 0')
    op.execute(
        "UPDATE user_account SET open_claims = ("
        "  SELECT COUNT(*) FROM claim WHERE claim.claimant_id = user_account.id"
        "  AND claim.status IN ('pending', 'approved'))")


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        # As in upgrade(): no rebuild of user_account. SQLite (3.35 and later) drops a column
        # together with its own column-level CHECK; a rebuild would keep the CHECK and fail.
        op.execute("ALTER TABLE user_account DROP COLUMN open_claims")
    else:
        op.drop_constraint(CHECK_NAME, 'user_account', type_='check')
        op.drop_column('user_account', 'open_claims')
