"""Campaign content packs (ETag / 304) and limited-supply counters."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import select

from server.context import Ctx, CurrentDevice
from server.errors import ApiError, ErrorResponse
from server.models import supply
from server.schemas import SupplyOut
from server.strict import StrictRoute

router = APIRouter(tags=["content"], route_class=StrictRoute)

IdPath = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return "*" in tags or etag in tags


@router.get(
    "/v1/campaigns/{campaign_id}",
    responses={
        200: {"content": {"application/json": {"schema": {"type": "object"}}}, "description": "the validated pack"},
        304: {"description": "not modified (If-None-Match matched the ETag)"},
        404: {"model": ErrorResponse},
    },
)
async def get_campaign(
    ctx: Ctx, campaign_id: IdPath, if_none_match: Annotated[str | None, Header()] = None
) -> Response:
    """The campaign pack as JSON (the validated content model without quiz answers), with a strong ETag."""
    loaded = ctx.catalog.find(campaign_id)
    if loaded is None:
        raise ApiError(404, "unknown_campaign", f"no campaign {campaign_id!r}")
    headers = {"ETag": loaded.etag, "Cache-Control": "no-cache"}
    if _etag_matches(if_none_match, loaded.etag):
        return Response(status_code=304, headers=headers)
    return Response(loaded.body, media_type="application/json", headers=headers)


class QuizAnswers(BaseModel):
    campaign_id: str
    answers: dict[str, int]


@router.get(
    "/v1/campaigns/{campaign_id}/answers",
    response_model=QuizAnswers,
    responses={401: {"model": ErrorResponse}, 404: {"model": ErrorResponse}},
)
async def get_answers(ctx: Ctx, _device: CurrentDevice, campaign_id: IdPath, response: Response) -> QuizAnswers:
    """Enrolled devices only: each landmark's quiz answer index, so an offline kiosk can judge a
    quiz locally (the server judges it again when the check-in syncs). Never cached by intermediaries."""
    loaded = ctx.catalog.find(campaign_id)
    if loaded is None:
        raise ApiError(404, "unknown_campaign", f"no campaign {campaign_id!r}")
    response.headers["Cache-Control"] = "private, no-store"
    return QuizAnswers(campaign_id=campaign_id, answers=loaded.answers)


@router.get("/v1/collectibles/{collectible_id}/supply", response_model=SupplyOut, responses={404: {"model": ErrorResponse}})
def get_supply(
    ctx: Ctx,
    collectible_id: IdPath,
    campaign_id: Annotated[str | None, Query(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")] = None,
) -> SupplyOut:
    """Supply and remaining units of a limited collectible (default campaign unless given)."""
    cid = campaign_id or ctx.settings.campaign_id
    with ctx.engine.connect() as conn:
        row = conn.execute(
            select(supply.c.total, supply.c.remaining).where(
                supply.c.campaign_id == cid, supply.c.collectible_id == collectible_id
            )
        ).first()
    if row is None:
        raise ApiError(404, "unknown_collectible", "no limited collectible with this id")
    return SupplyOut(campaign_id=cid, collectible_id=collectible_id, supply=row.total, remaining=row.remaining)
