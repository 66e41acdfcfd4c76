"""POST /v1/partner/task-events: the bank reports a financial task, HMAC-SHA256 signed.

Signature: ``X-Signature: sha256=<hex HMAC-SHA256(secret, X-Timestamp + "." + raw body)>``;
``X-Timestamp`` is Unix seconds and must be within the tolerance (300 s) of server time.
Replays (a known event_id or a known signature) are refused with 409.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from server.accounts import PlayerRef
from server.actions import apply_task
from server.context import Ctx
from server.db import write_tx
from server.errors import ApiError, ErrorResponse
from server.models import partner_events, players
from server.progress_view import progress_out
from server.queries import driver_integrity_errors
from server.schemas import ActionStatus, PartnerTaskEvent, PartnerTaskResult
from server.security import sign, verify
from server.strict import StrictRoute

router = APIRouter(tags=["partner"], route_class=StrictRoute)


async def verified_signature(
    request: Request,
    ctx: Ctx,
    x_timestamp: Annotated[str, Header(description="Unix seconds", pattern=r"^[0-9]{1,12}$")],
    x_signature: Annotated[str, Header(description="sha256=<hex>", max_length=80)],
) -> str:
    """Checks the signature before the body is even parsed. Returns the normalised hex signature."""
    secret = ctx.settings.partner_secret
    if not secret:
        raise ApiError(503, "partner_not_configured", "PARTNER_SECRET is not set on this server")
    now = ctx.settings.clock().timestamp()
    if abs(now - int(x_timestamp)) > ctx.settings.partner_tolerance_s:
        raise ApiError(401, "stale_timestamp", "X-Timestamp is outside the allowed window")
    body = await request.body()
    if not verify(secret, x_timestamp, body, x_signature):
        raise ApiError(401, "bad_signature", "signature does not match")
    return sign(secret, x_timestamp, body)


@router.post(
    "/v1/partner/task-events",
    response_model=PartnerTaskResult,
    responses={
        401: {"model": ErrorResponse},
        404: {"model": ErrorResponse},
        409: {"model": ErrorResponse},
        503: {"model": ErrorResponse},
    },
)
def task_event(
    ctx: Ctx, body: PartnerTaskEvent, signature: Annotated[str, Depends(verified_signature)]
) -> PartnerTaskResult:
    """Apply the task for the player (monthly limits from the campaign); each event counts once."""
    now = ctx.settings.clock()
    try:
        with write_tx(ctx.engine) as conn:
            seen = conn.scalar(
                select(partner_events.c.event_id).where(
                    or_(partner_events.c.event_id == body.event_id, partner_events.c.signature == signature)
                )
            )
            if seen is not None:
                raise ApiError(409, "replay", "this event or signature was already received")
            row = conn.execute(select(players.c.id, players.c.campaign_id).where(players.c.id == body.player_id)).first()
            if row is None:
                raise ApiError(404, "player_not_found", "no such player")
            loaded = ctx.catalog.find(row.campaign_id)
            if loaded is None:
                raise ApiError(404, "unknown_campaign", "the player's campaign is not loaded")
            outcome, progress = apply_task(conn, PlayerRef(row.id, row.campaign_id), loaded.campaign, body.task_id, now)
            conn.execute(
                partner_events.insert().values(
                    event_id=body.event_id,
                    signature=signature,
                    player_id=body.player_id,
                    task_id=body.task_id,
                    status="applied" if outcome.applied else "rejected",
                    reason=outcome.reason.value if outcome.reason else None,
                    received_at=now,
                )
            )
    except (IntegrityError, *driver_integrity_errors()) as err:
        raise ApiError(409, "replay", "this event or signature was already received") from err
    summary = progress_out(loaded.campaign, row.id, progress, now)
    return PartnerTaskResult(
        event_id=body.event_id,
        status=ActionStatus.APPLIED if outcome.applied else ActionStatus.REJECTED,
        reason=outcome.reason.value if outcome.reason else None,
        steps=outcome.steps,
        month_steps=summary.month_steps,
        tier=summary.tier.id if summary.tier else None,
    )
