"""idempotent enrolment and player creation (device-generated keys)

Revision ID: 0003_sync
Revises: 0002_trust
Create Date: 2026-12-07 00:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_sync"
down_revision = "0002_trust"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('enrollment_codes') as batch:
        batch.add_column(sa.Column('key_hash', sa.String(length=64), nullable=True))
    with op.batch_alter_table('players') as batch:
        batch.add_column(sa.Column('create_key', sa.String(length=64), nullable=True))
        batch.create_unique_constraint('uq_players_created_by_create_key', ['created_by', 'create_key'])


def downgrade() -> None:
    with op.batch_alter_table('players') as batch:
        batch.drop_constraint('uq_players_created_by_create_key', type_='unique')
        batch.drop_column('create_key')
    with op.batch_alter_table('enrollment_codes') as batch:
        batch.drop_column('key_hash')
