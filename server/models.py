"""Database schema (SQLAlchemy Core tables). Alembic migrations in server/migrations mirror it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utc_for_db(value: datetime) -> datetime:
    """An aware datetime in UTC, as stored; a naive one is an error (its zone is unknown)."""
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the database")
    return value.astimezone(UTC)


def utc_from_db(value: datetime) -> datetime:
    """A stored datetime as aware UTC (a naive one is UTC: SQLite stores them so)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite stores naive UTC text, sorted correctly)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = utc_for_db(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else utc_from_db(value)


metadata = MetaData(naming_convention=NAMING)

devices = Table(
    "devices",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("landmark_id", String(64)),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
    # Last contact, recorded at most hourly; prev_seen_at is the one before (the offline-credit floor).
    Column("last_seen_at", UTCDateTime),
    Column("prev_seen_at", UTCDateTime),
)

enrollment_codes = Table(
    "enrollment_codes",
    metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("landmark_id", String(64)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime),
    Column("device_id", String(36)),
    # sha256 of the device-generated enrolment key: the same key gets the same token again
    Column("key_hash", String(64)),
)

admin_tokens = Table(
    "admin_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("label", String(100), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

players = Table(
    "players",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("campaign_id", String(64), nullable=False),
    Column("claim_code", String(16), unique=True),  # legacy plaintext codes; no longer written
    Column("created_by", String(36), ForeignKey("devices.id"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("claim_hash", String(64), unique=True),
    Column("claim_expires_at", UTCDateTime),
    # the creating device's idempotency key: a retried creation answers the same player
    Column("create_key", String(64)),
    # PostgreSQL: bumped in the transaction of every ledger write (``server.ledger.persist_delta``),
    # so a worker's cached progress of the player is known current while the revision is unchanged.
    Column("ledger_rev", Integer, nullable=False, server_default="0"),
    UniqueConstraint("created_by", "create_key", name="uq_players_created_by_create_key"),
)

player_devices = Table(
    "player_devices",
    metadata,
    Column("player_id", String(36), ForeignKey("players.id", ondelete="CASCADE"), primary_key=True),
    Column("device_id", String(36), ForeignKey("devices.id", ondelete="CASCADE"), primary_key=True),
    Column("bound_at", UTCDateTime, nullable=False),
)

actions = Table(
    "actions",
    metadata,
    Column("action_id", String(36), primary_key=True),
    Column("player_id", String(36), ForeignKey("players.id", ondelete="CASCADE"), nullable=False),
    Column("device_id", String(36), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("reason", String(64)),
    Column("result", JSON, nullable=False),
    Column("client_time", UTCDateTime),
    Column("server_time", UTCDateTime, nullable=False),
    Column("fingerprint", String(64)),  # sha256 of the action's body: a reused id with another body is a conflict
    Index("ix_actions_player", "player_id"),
)

grants = Table(
    "grants",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("player_id", String(36), ForeignKey("players.id", ondelete="CASCADE"), nullable=False),
    Column("source", String(160), nullable=False),
    Column("steps", Integer, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index("ix_grants_player", "player_id"),
)

checkins = Table(
    "checkins",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("player_id", String(36), ForeignKey("players.id", ondelete="CASCADE"), nullable=False),
    Column("landmark_id", String(64), nullable=False),
    Column("mode", String(16), nullable=False),
    Column("day", Date, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("device_id", String(36), nullable=False),
    Column("received_at", UTCDateTime),  # server time (rate rules count by it as well as by ``at``)
    UniqueConstraint("player_id", "landmark_id", "day", name="uq_checkins_player_landmark_day"),
    Index("ix_checkins_device_at", "device_id", "at"),
    Index("ix_checkins_device_received", "device_id", "received_at"),
    Index("ix_checkins_landmark", "landmark_id"),
)

owned = Table(
    "owned",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("player_id", String(36), ForeignKey("players.id", ondelete="CASCADE"), nullable=False),
    Column("campaign_id", String(64), nullable=False),
    Column("collectible_id", String(64), nullable=False),
    Column("serial", Integer),
    Column("at", UTCDateTime, nullable=False),
    UniqueConstraint("player_id", "collectible_id", name="uq_owned_player_collectible"),
    UniqueConstraint("campaign_id", "collectible_id", "serial", name="uq_owned_serial"),
)

tasks_done = Table(
    "tasks_done",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("player_id", String(36), ForeignKey("players.id", ondelete="CASCADE"), nullable=False),
    Column("task_id", String(64), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index("ix_tasks_done_player", "player_id"),
)

shares = Table(
    "shares",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("player_id", String(36), ForeignKey("players.id", ondelete="CASCADE"), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index("ix_shares_player", "player_id"),
)

supply = Table(
    "supply",
    metadata,
    Column("campaign_id", String(64), primary_key=True),
    Column("collectible_id", String(64), primary_key=True),
    Column("total", Integer, nullable=False),
    Column("remaining", Integer, nullable=False),
    CheckConstraint("remaining >= 0", name="remaining_nonneg"),
    CheckConstraint("remaining <= total", name="remaining_le_total"),
)

# One row per server spawn roll (a ``scan`` action): what the caps in the campaign pack count.
rolls = Table(
    "rolls",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("player_id", String(36), ForeignKey("players.id", ondelete="CASCADE"), nullable=False),
    Column("device_id", String(36), nullable=False),
    Column("campaign_id", String(64), nullable=False),
    Column("day", Date, nullable=False),  # campaign-local day of the credited time
    Column("at", UTCDateTime, nullable=False),  # credited time
    Column("received_at", UTCDateTime, nullable=False),
    Column("limited_attempt", Integer, nullable=False),  # 1 when a limited item was eligible
    Column("collectible_id", String(64)),
    Column("rarity", String(16)),  # of the item handed out (None: nothing emerged)
    Index("ix_rolls_player_day", "player_id", "day"),
    Index("ix_rolls_device_received", "device_id", "received_at"),
    Index("ix_rolls_device_at", "device_id", "at"),
    Index("ix_rolls_campaign_day", "campaign_id", "day"),
)

admin_audit = Table(
    "admin_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("admin", String(100), nullable=False),  # the admin token's label
    Column("action", String(64), nullable=False),
    Column("target", String(64), nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("event_id", String(36), primary_key=True),
    Column("device_id", String(36), nullable=False),
    Column("player_id", String(36)),
    Column("name", String(64), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    Column("props", JSON, nullable=False),
    Index("ix_events_name", "name"),
)

partner_events = Table(
    "partner_events",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("signature", String(64), nullable=False, unique=True),
    Column("player_id", String(36), nullable=False),
    Column("task_id", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("reason", String(64)),
    Column("received_at", UTCDateTime, nullable=False),
)
