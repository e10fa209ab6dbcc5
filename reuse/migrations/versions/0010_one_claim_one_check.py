"""One claim closes at most one reuse check: a unique index on reuse_check.claim_id.

Until now one old claim could be linked to any number of checks, and each counted as a
reuse in the reuse-check share. Before the index is added, existing duplicates are resolved:
for each claim linked to several checks, the earliest link (by when the check was closed,
then by id) is kept and every later check is reopened (outcome, outcome_at and claim_id
cleared), with a `reuse_check.reopened` audit event naming the claim and the check that
kept it. The owners can then record how those checks really ended. Each linked claim's
reuse_check_id is set to the one check it still closes. Downgrading drops the index but
does not re-close the reopened checks.

Revision ID: 0010_one_claim_one_check
Revises: 0009_listed_item_indexes
Create Date: 2026-12-02

"""
import json
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_one_claim_one_check'
down_revision = '0009_listed_item_indexes'
branch_labels = None
depends_on = None

AUDIT_EVENT = sa.table(
    'audit_event',
    sa.column('actor_id', sa.Integer()),
    sa.column('action', sa.String()),
    sa.column('object_type', sa.String()),
    sa.column('object_id', sa.Integer()),
    sa.column('details', sa.Text()),
    sa.column('remote_addr', sa.String()),
    sa.column('created_at', sa.DateTime(timezone=True)),
)


def upgrade():
    connection = op.get_bind()
    linked = connection.execute(sa.text(
        "SELECT id, claim_id FROM reuse_check WHERE claim_id IN ("
        "  SELECT claim_id FROM reuse_check WHERE claim_id IS NOT NULL"
        "  GROUP BY claim_id HAVING COUNT(*) > 1)"
        " ORDER BY claim_id, COALESCE(outcome_at, created_at), id")).all()
    kept: dict[int, int] = {}
    reopened = []
    for check_id, claim_id in linked:
        if claim_id in kept:
            reopened.append({"id": check_id, "claim_id": claim_id,
                             "kept_check_id": kept[claim_id]})
        else:
            kept[claim_id] = check_id
    if reopened:
        connection.execute(sa.text(
            "UPDATE reuse_check SET outcome = NULL, outcome_at = NULL, claim_id = NULL "
            "WHERE id = :id"), [{"id": row["id"]} for row in reopened])
        now = datetime.now(UTC)
        connection.execute(AUDIT_EVENT.insert(), [{
            "actor_id": None, "action": "reuse_check.reopened", "object_type": "reuse_check",
            "object_id": row["id"], "remote_addr": "migration", "created_at": now,
            "details": json.dumps({"claim_id": row["claim_id"],
                                   "kept_check_id": row["kept_check_id"],
                                   "reason": "one claim closes at most one check"},
                                  sort_keys=True),
        } for row in reopened])
    connection.execute(sa.text(
        "UPDATE claim SET reuse_check_id = ("
        "  SELECT reuse_check.id FROM reuse_check WHERE reuse_check.claim_id = claim.id) "
        "WHERE EXISTS ("
        "  SELECT 1 FROM reuse_check WHERE reuse_check.claim_id = claim.id)"))
    op.create_index('uq_reuse_check_claim_id', 'reuse_check', ['claim_id'], unique=True)


def downgrade():
    op.drop_index('uq_reuse_check_claim_id', table_name='reuse_check')
