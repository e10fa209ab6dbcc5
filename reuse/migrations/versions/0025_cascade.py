"""The cascade beyond the municipality: partner organisations and their people, one-time
sign-in links, item stages, electrical categories and safety checks, partner claims, and the
ledger of what leaves the municipality (dispositions).

Existing items start at the stage their internal period says: internal until its last day.
An item whose period ended before the cascade existed was never offered to anyone outside:
it gets a whole public-bodies stage of 14 days (the default length) from the day of the
migration, instead of running through every stage it missed at the first run-jobs.

SQLite builds user_account and claim anew to loosen unit_id and change their checks, from
their own CREATE statements edited (_rebuild_on_sqlite), so their other columns keep their
definitions exactly.

Revision ID: 0025_cascade
Revises: 0024_unit_placement
Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025_cascade'
down_revision = '0024_unit_placement'
branch_labels = None
depends_on = None

ROLES_BEFORE = "role IN ('member', 'unit_admin', 'sustainability', 'admin')"
STAGE_CHECK = "stage IN ('internal', 'public_bodies', 'nonprofits', 'final')"
ENDED_CHECK = "quantity_ended >= 0 AND quantity_ended <= quantity_handed_over"
ROLES = "role IN ('member', 'unit_admin', 'sustainability', 'admin', 'partner')"
PARTNER_ROLE_CHECK = "(role = 'partner') = (partner_id IS NOT NULL)"
UNIT_UNLESS_PARTNER_CHECK = "(unit_id IS NULL) = (role = 'partner')"
UNIT_OR_PARTNER_CHECK = "(unit_id IS NULL) <> (partner_id IS NULL)"

# SQLite changes a column's NOT NULL or a table's checks only by building the table anew. The
# new table is the old one's own CREATE statement with these edits (and the downgrade undoes
# them), so every other column keeps its definition: 0011's and 0017's column-level checks
# stay column-level, and their downgrades still drop those columns.
USER_COLUMN = "partner_id INTEGER, "
USER_CONSTRAINTS = [
    f"CONSTRAINT ck_user_account_partner_role_has_partner CHECK ({PARTNER_ROLE_CHECK}), ",
    f"CONSTRAINT ck_user_account_unit_unless_partner CHECK ({UNIT_UNLESS_PARTNER_CHECK}), ",
    "CONSTRAINT fk_user_account_partner_id_partner FOREIGN KEY(partner_id) "
    "REFERENCES partner (id), ",
]
USER_EDITS = [
    ("unit_id INTEGER NOT NULL,", "unit_id INTEGER,"),
    (ROLES_BEFORE, ROLES),
    ("CONSTRAINT pk_user_account PRIMARY KEY (id),",
     USER_COLUMN + "CONSTRAINT pk_user_account PRIMARY KEY (id), " + "".join(USER_CONSTRAINTS)),
]
CLAIM_COLUMN = "partner_id INTEGER, "
CLAIM_CONSTRAINTS = [
    f"CONSTRAINT ck_claim_unit_or_partner CHECK ({UNIT_OR_PARTNER_CHECK}), ",
    "CONSTRAINT fk_claim_partner_id_partner FOREIGN KEY(partner_id) REFERENCES partner (id), ",
]
CLAIM_EDITS = [
    ("unit_id INTEGER NOT NULL,", "unit_id INTEGER,"),
    ("CONSTRAINT pk_claim PRIMARY KEY (id),",
     CLAIM_COLUMN + "CONSTRAINT pk_claim PRIMARY KEY (id), " + "".join(CLAIM_CONSTRAINTS)),
]
# Back: each added part is taken out wherever it stands now (a column added after the
# upgrade, by a later migration run down and up again, may stand between them).
USER_UNDO = [("unit_id INTEGER,", "unit_id INTEGER NOT NULL,"), (ROLES, ROLES_BEFORE),
             (USER_COLUMN, "")] + [(constraint, "") for constraint in USER_CONSTRAINTS]
CLAIM_UNDO = [("unit_id INTEGER,", "unit_id INTEGER NOT NULL,"), (CLAIM_COLUMN, "")] + [
    (constraint, "") for constraint in CLAIM_CONSTRAINTS]


def _rebuild_on_sqlite(table, edits):
    """SQLite's documented way to change a table's definition: a new table from the edited
    CREATE statement, the rows copied over, the old table dropped and the new one renamed,
    then the table's indexes again. (Foreign keys are off while migrating: env.py.)"""
    bind = op.get_bind()
    create = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).scalar()
    indexes = [row[0] for row in bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
        "AND sql IS NOT NULL", (table,))]
    for old, new in edits:
        if old not in create:
            raise RuntimeError(f"{table}: expected {old!r} in its definition: {create}")
        create = create.replace(old, new, 1)
    columns_before = [row[1] for row in bind.exec_driver_sql(f'PRAGMA table_info("{table}")')]
    staging = f"{table}__rebuilt"
    head, _, rest = create.partition("(")
    bind.exec_driver_sql(f'CREATE TABLE "{staging}" (' + rest)
    columns_after = {row[1] for row in bind.exec_driver_sql(f'PRAGMA table_info("{staging}")')}
    kept = ", ".join(f'"{name}"' for name in columns_before if name in columns_after)
    # Names from this migration and the database's own catalogue, never from input.
    bind.exec_driver_sql(f'INSERT INTO "{staging}" ({kept}) SELECT {kept} FROM "{table}"')  # nosec B608
    bind.exec_driver_sql(f'DROP TABLE "{table}"')
    bind.exec_driver_sql(f'ALTER TABLE "{staging}" RENAME TO "{table}"')
    for index in indexes:
        bind.exec_driver_sql(index)


def upgrade():
    op.create_table(
        'partner',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(200), nullable=False),
        sa.Column('org_number', sa.String(9), nullable=False),
        sa.Column('kind', sa.String(20), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('suspended_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('public_body', 'nonprofit')",
                           name=op.f('ck_partner_kind_known')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_partner')),
        sa.UniqueConstraint('name', name=op.f('uq_partner_name')),
        sa.UniqueConstraint('org_number', name=op.f('uq_partner_org_number')),
    )

    if op.get_bind().dialect.name == 'sqlite':
        _rebuild_on_sqlite('user_account', USER_EDITS)
        _rebuild_on_sqlite('claim', CLAIM_EDITS)
    else:
        op.add_column('user_account', sa.Column('partner_id', sa.Integer(), nullable=True))
        op.alter_column('user_account', 'unit_id', existing_type=sa.Integer(), nullable=True)
        op.create_foreign_key(op.f('fk_user_account_partner_id_partner'), 'user_account',
                              'partner', ['partner_id'], ['id'])
        op.drop_constraint(op.f('ck_user_account_role_known'), 'user_account', type_='check')
        op.create_check_constraint(op.f('ck_user_account_role_known'), 'user_account', ROLES)
        op.create_check_constraint(op.f('ck_user_account_partner_role_has_partner'),
                                   'user_account', PARTNER_ROLE_CHECK)
        op.create_check_constraint(op.f('ck_user_account_unit_unless_partner'),
                                   'user_account', UNIT_UNLESS_PARTNER_CHECK)
        op.add_column('claim', sa.Column('partner_id', sa.Integer(), nullable=True))
        op.alter_column('claim', 'unit_id', existing_type=sa.Integer(), nullable=True)
        op.create_foreign_key(op.f('fk_claim_partner_id_partner'), 'claim', 'partner',
                              ['partner_id'], ['id'])
        op.create_check_constraint(op.f('ck_claim_unit_or_partner'), 'claim',
                                   UNIT_OR_PARTNER_CHECK)
    op.create_index(op.f('ix_user_account_partner_id'), 'user_account', ['partner_id'])
    op.create_index(op.f('ix_claim_partner_id'), 'claim', ['partner_id'])

    # Added columns only: item is not rebuilt (its full-text columns and partial indexes stay
    # as they are). On SQLite the checks are the new columns' own column-level checks, which
    # SQLite adds without a rebuild (as 0011 does).
    op.add_column('category', sa.Column('electrical', sa.Boolean(), nullable=False,
                                        server_default=sa.false()))
    op.add_column('item', sa.Column('stage_ends_on', sa.Date(), nullable=True))
    op.add_column('item', sa.Column('safety_checked_at', sa.DateTime(timezone=True),
                                    nullable=True))
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("ALTER TABLE item ADD COLUMN safety_checked_by_id INTEGER CONSTRAINT "
                   "fk_item_safety_checked_by_id_user_account REFERENCES user_account (id)")
    else:
        op.add_column('item', sa.Column('safety_checked_by_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_item_safety_checked_by_id_user_account'), 'item',
                              'user_account', ['safety_checked_by_id'], ['id'])
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("ALTER TABLE item ADD COLUMN quantity_ended INTEGER DEFAULT '0' NOT NULL "
                   f"CONSTRAINT ck_item_ended_within_handed_over CHECK ({ENDED_CHECK})")
        op.execute("ALTER TABLE item ADD COLUMN stage VARCHAR(20) DEFAULT 'internal' NOT NULL "
                   f"CONSTRAINT ck_item_stage_known CHECK ({STAGE_CHECK})")
    else:
        op.add_column('item', sa.Column('quantity_ended', sa.Integer(), nullable=False,
                                        server_default='0'))
        op.add_column('item', sa.Column('stage', sa.String(20), nullable=False,
                                        server_default='internal'))
        op.create_check_constraint(op.f('ck_item_stage_known'), 'item', STAGE_CHECK)
        op.create_check_constraint(op.f('ck_item_ended_within_handed_over'), 'item',
                                   ENDED_CHECK)
    op.create_index('ix_item_stage_ends_on', 'item', ['stage_ends_on'])
    # Every item's stage follows from its internal period (see the module's note).
    op.execute("UPDATE item SET stage_ends_on = internal_until")
    in_14_days = ("date('now', '+14 days')" if op.get_bind().dialect.name == 'sqlite'
                  else "CURRENT_DATE + 14")
    op.execute("UPDATE item SET stage = 'public_bodies', stage_ends_on = "  # nosec B608
               f"{in_14_days} WHERE internal_until < CURRENT_DATE")

    op.create_table(
        'login_link',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(254), nullable=False),
        sa.Column('token_hash', sa.String(64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_login_link_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_link')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_login_link_token_hash')),
    )
    op.create_index(op.f('ix_login_link_user_id'), 'login_link', ['user_id'])

    op.create_table(
        'partner_subscription',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['category_id'], ['category.id'],
                                name=op.f('fk_partner_subscription_category_id_category')),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE',
                                name=op.f('fk_partner_subscription_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_subscription')),
        sa.UniqueConstraint('user_id', 'category_id',
                            name='uq_partner_subscription_user_id_category_id'),
    )
    op.create_index(op.f('ix_partner_subscription_category_id'), 'partner_subscription',
                    ['category_id'])

    op.create_table(
        'disposition',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(20), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('claim_id', sa.Integer(), nullable=True),
        sa.Column('partner_id', sa.Integer(), nullable=True),
        sa.Column('reverses_id', sa.Integer(), nullable=True),
        sa.Column('from_unit_id', sa.Integer(), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=False),
        sa.Column('quantity', sa.Integer(), nullable=False),
        sa.Column('waste_kg', sa.Numeric(14, 3), nullable=False),
        sa.Column('amount_nok', sa.Numeric(12, 2), nullable=True),
        sa.Column('fraction', sa.String(20), nullable=True),
        sa.Column('recipient', sa.String(200), nullable=False),
        sa.Column('weight_kg_used', sa.Numeric(12, 3), nullable=True),
        sa.Column('new_price_nok_used', sa.Numeric(12, 2), nullable=True),
        sa.Column('co2e_kg_used', sa.Numeric(12, 3), nullable=True),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.CheckConstraint("kind IN ('reused_by_partner', 'donated', 'sold', 'recycled', "
                           "'disposed')", name=op.f('ck_disposition_kind_known')),
        sa.CheckConstraint("fraction IS NULL OR fraction IN ('metal', 'wood', 'electrical', "
                           "'mixed')", name=op.f('ck_disposition_fraction_known')),
        sa.CheckConstraint("(reverses_id IS NULL) = (quantity > 0)",
                           name=op.f('ck_disposition_sign_matches_kind')),
        sa.CheckConstraint("(kind = 'reused_by_partner') = (partner_id IS NOT NULL)",
                           name=op.f('ck_disposition_partner_only_for_partner_reuse')),
        sa.ForeignKeyConstraint(['item_id'], ['item.id'],
                                name=op.f('fk_disposition_item_id_item')),
        sa.ForeignKeyConstraint(['claim_id'], ['claim.id'],
                                name=op.f('fk_disposition_claim_id_claim')),
        sa.ForeignKeyConstraint(['partner_id'], ['partner.id'],
                                name=op.f('fk_disposition_partner_id_partner')),
        sa.ForeignKeyConstraint(['reverses_id'], ['disposition.id'],
                                name=op.f('fk_disposition_reverses_id_disposition')),
        sa.ForeignKeyConstraint(['from_unit_id'], ['unit.id'],
                                name=op.f('fk_disposition_from_unit_id_unit')),
        sa.ForeignKeyConstraint(['category_id'], ['category.id'],
                                name=op.f('fk_disposition_category_id_category')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'],
                                name=op.f('fk_disposition_recorded_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_disposition')),
        sa.UniqueConstraint('reverses_id', name='uq_disposition_reverses_id'),
    )
    for column in ('item_id', 'claim_id', 'partner_id', 'from_unit_id', 'category_id'):
        op.create_index(op.f(f'ix_disposition_{column}'), 'disposition', [column])
    op.create_index('ix_disposition_recorded_at', 'disposition', ['recorded_at'])


def downgrade():
    op.drop_table('disposition')
    op.drop_table('partner_subscription')
    op.drop_table('login_link')
    op.drop_index('ix_item_stage_ends_on', table_name='item')
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_constraint(op.f('ck_item_ended_within_handed_over'), 'item', type_='check')
        op.drop_constraint(op.f('ck_item_stage_known'), 'item', type_='check')
        op.drop_constraint(op.f('fk_item_safety_checked_by_id_user_account'), 'item',
                           type_='foreignkey')
    # SQLite drops each column with its own column-level check and reference.
    for column in ('stage', 'quantity_ended', 'safety_checked_by_id', 'safety_checked_at',
                   'stage_ends_on'):
        if op.get_bind().dialect.name == 'sqlite':
            op.execute(f"ALTER TABLE item DROP COLUMN {column}")
        else:
            op.drop_column('item', column)
    op.drop_column('category', 'electrical')

    # Partner claims and partner people have no place in the older schema.
    op.execute("DELETE FROM claim WHERE partner_id IS NOT NULL")
    op.drop_index(op.f('ix_claim_partner_id'), table_name='claim')
    op.execute("DELETE FROM api_token WHERE user_id IN "
               "(SELECT id FROM user_account WHERE role = 'partner')")
    op.execute("DELETE FROM notification WHERE user_id IN "
               "(SELECT id FROM user_account WHERE role = 'partner')")
    op.execute("UPDATE audit_event SET actor_id = NULL WHERE actor_id IN "
               "(SELECT id FROM user_account WHERE role = 'partner')")
    op.execute("DELETE FROM user_account WHERE role = 'partner'")
    op.drop_index(op.f('ix_user_account_partner_id'), table_name='user_account')
    if op.get_bind().dialect.name == 'sqlite':
        _rebuild_on_sqlite('claim', CLAIM_UNDO)
        _rebuild_on_sqlite('user_account', USER_UNDO)
    else:
        op.drop_constraint(op.f('ck_claim_unit_or_partner'), 'claim', type_='check')
        op.drop_constraint(op.f('fk_claim_partner_id_partner'), 'claim', type_='foreignkey')
        op.alter_column('claim', 'unit_id', existing_type=sa.Integer(), nullable=False)
        op.drop_column('claim', 'partner_id')
        for name in ('unit_unless_partner', 'partner_role_has_partner', 'role_known'):
            op.drop_constraint(op.f(f'ck_user_account_{name}'), 'user_account', type_='check')
        op.create_check_constraint(op.f('ck_user_account_role_known'), 'user_account',
                                   ROLES_BEFORE)
        op.drop_constraint(op.f('fk_user_account_partner_id_partner'), 'user_account',
                           type_='foreignkey')
        op.alter_column('user_account', 'unit_id', existing_type=sa.Integer(), nullable=False)
        op.drop_column('user_account', 'partner_id')
    op.drop_table('partner')
