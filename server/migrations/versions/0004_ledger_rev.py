"""players.ledger_rev: a revision of the player's ledger (PostgreSQL's per-worker progress cache).

Revision ID: 0004_ledger_rev
Revises: 0003_sync
Create Date: 2026-12-07 04:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_ledger_rev"
down_revision = "0003_sync"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('players') as batch:
        batch.add_column(sa.Column('ledger_rev', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('players') as batch:
        batch.drop_column('ledger_rev')
