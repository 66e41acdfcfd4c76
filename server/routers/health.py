"""GET /v1/health: liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from server import __version__
from server.context import Ctx
from server.db import ping
from server.schemas import HealthOut
from server.strict import StrictRoute

router = APIRouter(tags=["health"], route_class=StrictRoute)


@router.get("/v1/health", response_model=HealthOut, responses={503: {"model": HealthOut}})
def health(ctx: Ctx) -> JSONResponse:
    """200 when the database answers and the default campaign loads; 503 (same body) otherwise."""
    db_ok = ping(ctx.engine)
    campaign_ok = ctx.catalog.find(ctx.settings.campaign_id) is not None
    ok = db_ok and campaign_ok
    body = HealthOut(
        status="ok" if ok else "degraded",
        version=__version__,
        database=db_ok,
        campaign_id=ctx.settings.campaign_id,
        campaign_loaded=campaign_ok,
        server_time=ctx.settings.clock(),
    )
    return JSONResponse(body.model_dump(mode="json"), status_code=200 if ok else 503)
