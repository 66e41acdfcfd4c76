"""GET /v1/admin/stats (admin token)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from server.context import Admin, Ctx
from server.db import read_tx
from server.errors import ErrorResponse
from server.schemas import StatsOut
from server.stats import compute_stats
from server.strict import StrictRoute

router = APIRouter(tags=["admin"], route_class=StrictRoute)


@router.get("/v1/admin/stats", response_model=StatsOut, dependencies=[Admin], responses={401: {"model": ErrorResponse}})
def admin_stats(
    ctx: Ctx, campaign_id: Annotated[str | None, Query(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")] = None
) -> StatsOut:
    """Funnel (attract → start → scan → collect → check-in → share), check-ins per landmark, supply."""
    with read_tx(ctx.engine) as conn:
        return compute_stats(conn, campaign_id or ctx.settings.campaign_id)
