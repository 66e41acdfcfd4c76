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
from server.security import keyed_token, new_claim_code, new_code, new_token, normalize_code, token_hash


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
    engine: Engine, *, code: str, name: str, kind: str, landmark_id: str | None, now: datetime,
    enrollment_key: str | None = None,
) -> tuple[str, str, str | None]:
    """Redeem a code once (atomic conditional UPDATE). Returns (device_id, token, landmark_id).

    With ``enrollment_key`` the redemption is idempotent: the same key gets the same device and
    token again while the code has not expired (its answer may have been lost); another key, 401."""
    code_hash = token_hash(normalize_code(code))
    key_hash = None if enrollment_key is None else token_hash(enrollment_key)
    device_id = str(uuid.uuid4())
    invalid = ApiError(401, "invalid_enrollment_code", "unknown, used or expired enrolment code")
    with write_tx(engine, touches_ledger=False) as conn:
        row = conn.execute(
            select(enrollment_codes.c.kind, enrollment_codes.c.landmark_id, enrollment_codes.c.used_at,
                   enrollment_codes.c.device_id, enrollment_codes.c.key_hash).where(
                enrollment_codes.c.code_hash == code_hash,
                enrollment_codes.c.expires_at > now,
            )
        ).first()
        if row is None:
            raise invalid
        if row.used_at is not None:
            if key_hash is None or row.key_hash != key_hash or row.device_id is None:
                raise invalid
            known = conn.scalar(  # a revoked device never gets its token back by replaying its enrolment
                select(devices.c.id).where(devices.c.id == row.device_id, devices.c.revoked_at.is_(None))
            )
            if known is None:
                raise invalid
            assert enrollment_key is not None
            return row.device_id, keyed_token(enrollment_key, row.device_id), row.landmark_id
        if row.kind != kind:
            raise ApiError(409, "enrollment_mismatch", f"this code enrols a {row.kind}, not a {kind}")
        if landmark_id is not None and landmark_id != row.landmark_id:
            raise ApiError(409, "enrollment_mismatch", "this code is for another landmark")
        taken = conn.execute(
            update(enrollment_codes)
            .where(enrollment_codes.c.code_hash == code_hash, enrollment_codes.c.used_at.is_(None))
            .values(used_at=now, device_id=device_id, key_hash=key_hash)
        )
        if taken.rowcount != 1:
            raise invalid
        token = new_token() if enrollment_key is None else keyed_token(enrollment_key, device_id)
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
    engine: Engine, *, device_id: str, campaign_id: str, now: datetime, claim_ttl_s: int = CLAIM_TTL_S,
    idempotency_key: str | None = None,
) -> tuple[str, str]:
    """A new player bound to the creating device. Returns (player_id, claim_code); the code is
    stored as its hash and expires after ``claim_ttl_s``.

    With ``idempotency_key``, the device's earlier creation with that key is answered again: the
    same player, with a fresh claim code (only hashes are stored; the first answer was lost)."""
    [made] = create_players(engine, device_id=device_id, wanted=[(idempotency_key, campaign_id)], now=now,
                            claim_ttl_s=claim_ttl_s)
    return made


def create_players(
    engine: Engine, *, device_id: str, wanted: list[tuple[str | None, str]], now: datetime,
    claim_ttl_s: int = CLAIM_TTL_S,
) -> list[tuple[str, str]]:
    """``create_player`` for each ``(idempotency_key, campaign_id)``, in one transaction (the keys
    looked up in one query, the new rows written in one executemany each)."""
    for _ in range(5):
        try:
            with write_tx(engine, touches_ledger=False) as conn:
                return _create_in(conn, device_id, wanted, now, claim_ttl_s)
        except IntegrityError:  # claim code collision (≈64 bits: practically never) or a same-key race: again
            continue
    raise ApiError(503, "unavailable", "could not allocate a claim code; retry")


def _create_in(
    conn: Connection, device_id: str, wanted: list[tuple[str | None, str]], now: datetime, ttl_s: int
) -> list[tuple[str, str]]:
    keys = [key for key, _ in wanted if key is not None]
    earlier = dict(conn.execute(
        select(players.c.create_key, players.c.id).where(players.c.created_by == device_id,
                                                        players.c.create_key.in_(keys))
    ).all()) if keys else {}
    out, new_rows, renewed = [], [], []
    answered: dict[str, tuple[str, str]] = {}  # the same key twice in one call: one player, one claim code
    for key, campaign_id in wanted:
        if key is not None and key in answered:
            out.append(answered[key])
            continue
        claim = new_claim_code()
        player_id = earlier.get(key) if key is not None else None
        if player_id is not None:
            renewed.append({"pid": player_id, **_claim_columns(claim, now, ttl_s)})
        else:
            player_id = str(uuid.uuid4())
            new_rows.append({"id": player_id, "campaign_id": campaign_id, "created_by": device_id, "created_at": now,
                             "create_key": key, **_claim_columns(claim, now, ttl_s)})
        if key is not None:
            answered[key] = (player_id, claim)
        out.append((player_id, claim))
    for row in renewed:  # a lost answer, asked again: the same player with a fresh claim code
        conn.execute(update(players).where(players.c.id == row.pop("pid")).values(**row))
    if new_rows:
        conn.execute(players.insert(), new_rows)
        conn.execute(player_devices.insert(),
                     [{"player_id": r["id"], "device_id": device_id, "bound_at": now} for r in new_rows])
    return out


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
