"""A goal for purchases: the share of purchase lines in reusable categories that had a reuse
check (goal.metric 'purchase_coverage').

SQLite changes a table's checks only by building the table anew: from its own CREATE
statement with the metric check edited, so every other column and constraint keeps its
definition. The way back deletes the purchase goals first (the old check would refuse them).

Revision ID: 0028_purchase_goal
Revises: 0027_purchases
Create Date: 2026-12-04

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0028_purchase_goal'
down_revision = '0027_purchases'
branch_labels = None
depends_on = None

METRICS_BEFORE = ("metric IN ('avoided_cost_nok', 'avoided_co2e_kg', 'items_reused', "
                  "'reuse_check_share')")
METRICS = ("metric IN ('avoided_cost_nok', 'avoided_co2e_kg', 'items_reused', "
           "'reuse_check_share', 'purchase_coverage')")


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
    columns = [row[1] for row in bind.exec_driver_sql(f'PRAGMA table_info("{table}")')]
    staging = f"{table}__rebuilt"
    _head, _, rest = create.partition("(")
    bind.exec_driver_sql(f'CREATE TABLE "{staging}" (' + rest)
    kept = ", ".join(f'"{name}"' for name in columns)
    # Names from this migration and the database's own catalogue, never from input.
    bind.exec_driver_sql(f'INSERT INTO "{staging}" ({kept}) SELECT {kept} FROM "{table}"')  # nosec B608
    bind.exec_driver_sql(f'DROP TABLE "{table}"')
    bind.exec_driver_sql(f'ALTER TABLE "{staging}" RENAME TO "{table}"')
    for index in indexes:
        bind.exec_driver_sql(index)


def _change_metrics(old, new):
    if op.get_bind().dialect.name == 'sqlite':
        _rebuild_on_sqlite('goal', [(old, new)])
    else:
        op.drop_constraint(op.f('ck_goal_metric_known'), 'goal', type_='check')
        op.create_check_constraint(op.f('ck_goal_metric_known'), 'goal', new)


def upgrade():
    _change_metrics(METRICS_BEFORE, METRICS)


def downgrade():
    op.execute("DELETE FROM goal WHERE metric = 'purchase_coverage'")
    _change_metrics(METRICS, METRICS_BEFORE)
