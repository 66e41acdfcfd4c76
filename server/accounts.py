"""Devices (enrolment codes, tokens), admin tokens, players and which devices may act for them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.exc import IntegrityError

from server.db import write_tx
from server.errors import ApiError
from server.models import admin_tokens, devices, enrollment_codes, player_devices, players
from server.security import new_claim_code, new_code, new_token, normalize_code, token_hash


@dataclass(frozen=True)
class PlayerRef:
    id: str
    campaign_id: str


def create_enrollment_code(
    engine: Engine, *, kind: str, landmark_id: str | None, now: datetime, ttl_s: int
) -> str:
    """A one-time code (stored hashed) that enrols one device of ``kind`` at ``landmark_id``."""
    code = new_code(10)
    with write_tx(engine, touches_ledger=False) as conn:
        conn.execute(
            enrollment_codes.insert().values(
                code_hash=token_hash(normalize_code(code)), kind=kind, landmark_id=landmark_id, created_at=now,
                expires_at=now + timedelta(seconds=ttl_s),
            )
        )
    return code


def enroll_device(
    engine: Engine, *, code: str, name: str, kind: str, landmark_id: str | None, now: datetime
) -> tuple[str, str, str | None]:
    """Redeem a code once (atomic conditional UPDATE). Returns (device_id, token, landmark_id)."""
    code_hash = token_hash(normalize_code(code))
    device_id = str(uuid.uuid4())
    token = new_token()
    with write_tx(engine, touches_ledger=False) as conn:
        row = conn.execute(
            select(enrollment_codes.c.kind, enrollment_codes.c.landmark_id).where(
                enrollment_codes.c.code_hash == code_hash,
                enrollment_codes.c.used_at.is_(None),
                enrollment_codes.c.expires_at > now,
            )
        ).first()
        if row is None:
            raise ApiError(401, "invalid_enrollment_code", "unknown, used or expired enrolment code")
        if row.kind != kind:
            raise ApiError(409, "enrollment_mismatch", f"this code enrols a {row.kind}, not a {kind}")
        if landmark_id is not None and landmark_id != row.landmark_id:
            raise ApiError(409, "enrollment_mismatch", "this code is for another landmark")
        taken = conn.execute(
            update(enrollment_codes)
            .where(enrollment_codes.c.code_hash == code_hash, enrollment_codes.c.used_at.is_(None))
            .values(used_at=now, device_id=device_id)
        )
        if taken.rowcount != 1:
            raise ApiError(401, "invalid_enrollment_code", "unknown, used or expired enrolment code")
        conn.execute(
            devices.insert().values(
                id=device_id, name=name, kind=kind, landmark_id=row.landmark_id, token_hash=token_hash(token),
                created_at=now,
            )
        )
    return device_id, token, row.landmark_id


def create_admin_token(engine: Engine, *, label: str, now: datetime) -> str:
    token = new_token()
    with write_tx(engine, touches_ledger=False) as conn:
        conn.execute(admin_tokens.insert().values(token_hash=token_hash(token), label=label, created_at=now))
    return token


CLAIM_TTL_S = 7 * 24 * 3600


def create_player(
    engine: Engine, *, device_id: str, campaign_id: str, now: datetime, claim_ttl_s: int = CLAIM_TTL_S
) -> tuple[str, str]:
    """A new player bound to the creating device. Returns (player_id, claim_code); the code is
    stored as its hash and expires after ``claim_ttl_s``."""
    player_id = str(uuid.uuid4())
    for _ in range(5):
        claim = new_claim_code()
        try:
            with write_tx(engine, touches_ledger=False) as conn:
                conn.execute(
                    players.insert().values(
                        id=player_id, campaign_id=campaign_id, created_by=device_id, created_at=now,
                        **_claim_columns(claim, now, claim_ttl_s),
                    )
                )
                conn.execute(player_devices.insert().values(player_id=player_id, device_id=device_id, bound_at=now))
            return player_id, claim
        except IntegrityError:  # claim code collision (≈64 bits: practically never): draw again
            continue
    raise ApiError(503, "unavailable", "could not allocate a claim code; retry")


def _claim_columns(claim: str, now: datetime, ttl_s: int) -> dict[str, object]:
    return {"claim_hash": token_hash(normalize_code(claim)), "claim_expires_at": now + timedelta(seconds=ttl_s)}


def claim_player(engine: Engine, *, device_id: str, claim_code: str, now: datetime) -> PlayerRef:
    """Bind the player with this (unexpired) claim code to the device too (idempotent, also under a race)."""
    for _ in range(2):
        try:
            with write_tx(engine, touches_ledger=False) as conn:
                row = conn.execute(
                    select(players.c.id, players.c.campaign_id).where(
                        players.c.claim_hash == token_hash(normalize_code(claim_code)),
                        players.c.claim_expires_at > now,
                    )
                ).first()
                if row is None:
                    raise ApiError(404, "unknown_claim_code", "no player has this claim code (or it expired)")
                bound = conn.scalar(
                    select(player_devices.c.player_id).where(
                        player_devices.c.player_id == row.id, player_devices.c.device_id == device_id
                    )
                )
                if bound is None:
                    conn.execute(player_devices.insert().values(player_id=row.id, device_id=device_id, bound_at=now))
            return PlayerRef(row.id, row.campaign_id)
        except IntegrityError:  # a concurrent claim by the same device bound it first
            continue
    raise ApiError(409, "conflict", "claim raced; retry")


def player_for_device(conn: Connection, player_id: str, device_id: str) -> PlayerRef:
    """The player if this device created or claimed it; otherwise 404 (never reveal that it exists)."""
    row = conn.execute(
        select(players.c.id, players.c.campaign_id)
        .join(player_devices, player_devices.c.player_id == players.c.id)
        .where(players.c.id == player_id, player_devices.c.device_id == device_id)
    ).first()
    if row is None:
        raise ApiError(404, "player_not_found", "no such player for this device")
    return PlayerRef(row.id, row.campaign_id)
