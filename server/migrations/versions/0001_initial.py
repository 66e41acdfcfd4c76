"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 17:49:14.150921
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('admin_tokens',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_admin_tokens'))
    )
    op.create_table('devices',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('landmark_id', sa.String(length=64), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_devices')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_devices_token_hash'))
    )
    op.create_table('enrollment_codes',
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('landmark_id', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('device_id', sa.String(length=36), nullable=True),
    sa.PrimaryKeyConstraint('code_hash', name=op.f('pk_enrollment_codes'))
    )
    op.create_table('events',
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('device_id', sa.String(length=36), nullable=False),
    sa.Column('player_id', sa.String(length=36), nullable=True),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('props', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_events'))
    )
    op.create_index('ix_events_name', 'events', ['name'], unique=False)

    op.create_table('partner_events',
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('signature', sa.String(length=64), nullable=False),
    sa.Column('player_id', sa.String(length=36), nullable=False),
    sa.Column('task_id', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=64), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_partner_events')),
    sa.UniqueConstraint('signature', name=op.f('uq_partner_events_signature'))
    )
    op.create_table('supply',
    sa.Column('campaign_id', sa.String(length=64), nullable=False),
    sa.Column('collectible_id', sa.String(length=64), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('remaining', sa.Integer(), nullable=False),
    sa.CheckConstraint('remaining <= total', name=op.f('ck_supply_remaining_le_total')),
    sa.CheckConstraint('remaining >= 0', name=op.f('ck_supply_remaining_nonneg')),
    sa.PrimaryKeyConstraint('campaign_id', 'collectible_id', name=op.f('pk_supply'))
    )
    op.create_table('players',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('campaign_id', sa.String(length=64), nullable=False),
    sa.Column('claim_code', sa.String(length=16), nullable=False),
    sa.Column('created_by', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['devices.id'], name=op.f('fk_players_created_by_devices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_players')),
    sa.UniqueConstraint('claim_code', name=op.f('uq_players_claim_code'))
    )
    op.create_table('actions',
    sa.Column('action_id', sa.String(length=36), nullable=False),
    sa.Column('player_id', sa.String(length=36), nullable=False),
    sa.Column('device_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=64), nullable=True),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('client_time', sa.DateTime(timezone=True), nullable=True),
    sa.Column('server_time', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['player_id'], ['players.id'], name=op.f('fk_actions_player_id_players'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('action_id', name=op.f('pk_actions'))
    )
    op.create_index('ix_actions_player', 'actions', ['player_id'], unique=False)

    op.create_table('checkins',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('player_id', sa.String(length=36), nullable=False),
    sa.Column('landmark_id', sa.String(length=64), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('device_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['player_id'], ['players.id'], name=op.f('fk_checkins_player_id_players'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkins')),
    sa.UniqueConstraint('player_id', 'landmark_id', 'day', name='uq_checkins_player_landmark_day')
    )
    op.create_index('ix_checkins_device_at', 'checkins', ['device_id', 'at'], unique=False)
    op.create_index('ix_checkins_landmark', 'checkins', ['landmark_id'], unique=False)

    op.create_table('grants',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('player_id', sa.String(length=36), nullable=False),
    sa.Column('source', sa.String(length=160), nullable=False),
    sa.Column('steps', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['player_id'], ['players.id'], name=op.f('fk_grants_player_id_players'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grants'))
    )
    op.create_index('ix_grants_player', 'grants', ['player_id'], unique=False)

    op.create_table('owned',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('player_id', sa.String(length=36), nullable=False),
    sa.Column('campaign_id', sa.String(length=64), nullable=False),
    sa.Column('collectible_id', sa.String(length=64), nullable=False),
    sa.Column('serial', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['player_id'], ['players.id'], name=op.f('fk_owned_player_id_players'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_owned')),
    sa.UniqueConstraint('campaign_id', 'collectible_id', 'serial', name='uq_owned_serial'),
    sa.UniqueConstraint('player_id', 'collectible_id', name='uq_owned_player_collectible')
    )
    op.create_table('player_devices',
    sa.Column('player_id', sa.String(length=36), nullable=False),
    sa.Column('device_id', sa.String(length=36), nullable=False),
    sa.Column('bound_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_player_devices_device_id_devices'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['player_id'], ['players.id'], name=op.f('fk_player_devices_player_id_players'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('player_id', 'device_id', name=op.f('pk_player_devices'))
    )
    op.create_table('shares',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('player_id', sa.String(length=36), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['player_id'], ['players.id'], name=op.f('fk_shares_player_id_players'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shares'))
    )
    op.create_index('ix_shares_player', 'shares', ['player_id'], unique=False)

    op.create_table('tasks_done',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('player_id', sa.String(length=36), nullable=False),
    sa.Column('task_id', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['player_id'], ['players.id'], name=op.f('fk_tasks_done_player_id_players'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tasks_done'))
    )
    op.create_index('ix_tasks_done_player', 'tasks_done', ['player_id'], unique=False)




def downgrade() -> None:

    op.drop_index('ix_tasks_done_player', table_name='tasks_done')

    op.drop_table('tasks_done')
    op.drop_index('ix_shares_player', table_name='shares')

    op.drop_table('shares')
    op.drop_table('player_devices')
    op.drop_table('owned')
    op.drop_index('ix_grants_player', table_name='grants')

    op.drop_table('grants')
    op.drop_index('ix_checkins_landmark', table_name='checkins')
    op.drop_index('ix_checkins_device_at', table_name='checkins')

    op.drop_table('checkins')
    op.drop_index('ix_actions_player', table_name='actions')

    op.drop_table('actions')
    op.drop_table('players')
    op.drop_table('supply')
    op.drop_table('partner_events')
    op.drop_index('ix_events_name', table_name='events')

    op.drop_table('events')
    op.drop_table('enrollment_codes')
    op.drop_table('devices')
    op.drop_table('admin_tokens')

