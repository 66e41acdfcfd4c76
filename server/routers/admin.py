"""Admin routes (admin token): GET /v1/admin/stats, POST /v1/admin/devices/{id}/revoke (audited)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel
from sqlalchemy import select, update

from server.context import Admin, AdminLabel, Ctx
from server.db import read_tx, write_tx
from server.errors import ApiError, ErrorResponse
from server.models import admin_audit, devices
from server.schemas import StatsOut
from server.stats import compute_stats
from server.strict import StrictRoute

router = APIRouter(tags=["admin"], route_class=StrictRoute)
log = logging.getLogger(__name__)


class DeviceRevoked(BaseModel):
    device_id: str
    revoked_at: datetime


@router.get("/v1/admin/stats", response_model=StatsOut, dependencies=[Admin], responses={401: {"model": ErrorResponse}})
def admin_stats(
    ctx: Ctx, campaign_id: Annotated[str | None, Query(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")] = None
) -> StatsOut:
    """Funnel (attract → start → scan → collect → check-in → share), check-ins per landmark, supply."""
    with read_tx(ctx.engine) as conn:
        return compute_stats(conn, campaign_id or ctx.settings.campaign_id)


@router.post(
    "/v1/admin/devices/{device_id}/revoke",
    response_model=DeviceRevoked,
    responses={401: {"model": ErrorResponse}, 404: {"model": ErrorResponse}},
)
def revoke_device(
    ctx: Ctx, admin: AdminLabel, device_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9-]{1,36}$")]
) -> DeviceRevoked:
    """Revoke a device's token (a lost kiosk, a tampered laptop): its requests get 401
    ``invalid_token`` at once on this worker, within ``device_cache_ttl_s`` on the others.
    Idempotent (the first revocation time stays); every call is written to the audit table."""
    now = ctx.settings.clock()
    with write_tx(ctx.engine, touches_ledger=False) as conn:
        row = conn.execute(select(devices.c.revoked_at).where(devices.c.id == device_id)).first()
        if row is None:
            raise ApiError(404, "device_not_found", "no such device")
        revoked_at = row.revoked_at
        if revoked_at is None:
            conn.execute(update(devices).where(devices.c.id == device_id).values(revoked_at=now))
            revoked_at = now
        conn.execute(admin_audit.insert().values(at=now, admin=admin, action="device.revoke", target=device_id))
    ctx.devices.drop(device_id)
    log.warning("device revoked", extra={"device_id": device_id, "admin": admin})
    return DeviceRevoked(device_id=device_id, revoked_at=revoked_at)
