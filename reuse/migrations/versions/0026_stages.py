"""Electrical categories: the shipped categories of electrical equipment (reuse/data/
categories.csv, column `electrical`) are marked as such in a database that had them before
the flag existed, so their items need a safety check before they leave the municipality.
Categories an admin added are left to the admin (the category page sets the flag).

Downgrading leaves the flags: the column itself goes with 0025.

Revision ID: 0026_stages
Revises: 0025_cascade
Create Date: 2026-12-04

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0026_stages'
down_revision = '0025_cascade'
branch_labels = None
depends_on = None

ELECTRICAL = ('hev-senk-skrivebord', 'it-utstyr', 'barbar-pc', 'stasjonar-pc', 'skjerm',
              'mobiltelefon', 'skriver', 'prosjektor', 'kjoleskap', 'oppvaskmaskin',
              'stekeovn', 'vannkoker', 'kaffetrakter', 'espressomaskin')


def upgrade():
    category = sa.table('category', sa.column('slug', sa.String),
                        sa.column('electrical', sa.Boolean))
    op.execute(category.update().where(category.c.slug.in_(ELECTRICAL))
               .values(electrical=True))


def downgrade():
    pass
