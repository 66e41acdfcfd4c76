"""trust boundary: device revocation and last contact, hashed expiring claim codes, action
fingerprints, check-in receive times, spawn rolls, admin audit

Revision ID: 0002_trust
Revises: 0001
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0002_trust"
down_revision = "0001"
branch_labels = None
depends_on = None

# Legacy plaintext claim codes stay valid this long after the upgrade (then they expire like new ones).
LEGACY_CLAIM_TTL = timedelta(days=7)


def upgrade() -> None:
    with op.batch_alter_table("devices") as batch:
        batch.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("prev_seen_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("players") as batch:
        batch.alter_column("claim_code", existing_type=sa.String(length=16), nullable=True)
        batch.add_column(sa.Column("claim_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("claim_expires_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_unique_constraint(op.f("uq_players_claim_hash"), ["claim_hash"])
    with op.batch_alter_table("actions") as batch:
        batch.add_column(sa.Column("fingerprint", sa.String(length=64), nullable=True))
    with op.batch_alter_table("checkins") as batch:
        batch.add_column(sa.Column("received_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_checkins_device_received", ["device_id", "received_at"], unique=False)
    op.create_table(
        "rolls",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("player_id", sa.String(length=36), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("limited_attempt", sa.Integer(), nullable=False),
        sa.Column("collectible_id", sa.String(length=64), nullable=True),
        sa.Column("rarity", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["player_id"], ["players.id"], name=op.f("fk_rolls_player_id_players"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rolls")),
    )
    op.create_index("ix_rolls_player_day", "rolls", ["player_id", "day"], unique=False)
    op.create_index("ix_rolls_device_received", "rolls", ["device_id", "received_at"], unique=False)
    op.create_index("ix_rolls_device_at", "rolls", ["device_id", "at"], unique=False)
    op.create_index("ix_rolls_campaign_day", "rolls", ["campaign_id", "day"], unique=False)
    op.create_table(
        "admin_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("admin", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_audit")),
    )
    _hash_legacy_claim_codes()


def _hash_legacy_claim_codes() -> None:
    """Plaintext claim codes become their sha256 (as ``server.security.token_hash``) with an expiry."""
    conn = op.get_bind()
    players = sa.table(
        "players",
        sa.column("id", sa.String),
        sa.column("claim_code", sa.String),
        sa.column("claim_hash", sa.String),
        sa.column("claim_expires_at", sa.DateTime(timezone=True)),
    )
    expires = datetime.now(UTC) + LEGACY_CLAIM_TTL
    if conn.dialect.name == "sqlite":
        expires = expires.replace(tzinfo=None)
    rows = conn.execute(sa.select(players.c.id, players.c.claim_code).where(players.c.claim_code.is_not(None))).all()
    for player_id, code in rows:
        conn.execute(
            players.update()
            .where(players.c.id == player_id)
            .values(
                claim_hash=hashlib.sha256(code.encode("utf-8")).hexdigest(), claim_code=None, claim_expires_at=expires
            )
        )


def downgrade() -> None:
    op.drop_table("admin_audit")
    op.drop_index("ix_rolls_campaign_day", table_name="rolls")
    op.drop_index("ix_rolls_device_at", table_name="rolls")
    op.drop_index("ix_rolls_device_received", table_name="rolls")
    op.drop_index("ix_rolls_player_day", table_name="rolls")
    op.drop_table("rolls")
    with op.batch_alter_table("checkins") as batch:
        batch.drop_index("ix_checkins_device_received")
        batch.drop_column("received_at")
    with op.batch_alter_table("actions") as batch:
        batch.drop_column("fingerprint")
    with op.batch_alter_table("players") as batch:
        batch.drop_constraint(op.f("uq_players_claim_hash"), type_="unique")
        batch.drop_column("claim_expires_at")
        batch.drop_column("claim_hash")
    with op.batch_alter_table("devices") as batch:
        batch.drop_column("prev_seen_at")
        batch.drop_column("last_seen_at")
        batch.drop_column("revoked_at")
