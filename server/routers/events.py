"""POST /v1/events: analytics batches, deduplicated by event_id."""

from __future__ import annotations

import json

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from server.context import AppContext, Ctx, CurrentDevice, Device
from server.db import write_tx
from server.errors import ApiError, ErrorResponse
from server.models import events
from server.schemas import EventsRequest, EventsResponse, plausible_utc
from server.strict import StrictRoute

router = APIRouter(tags=["analytics"], route_class=StrictRoute)


@router.post(
    "/v1/events",
    response_model=EventsResponse,
    responses={401: {"model": ErrorResponse}, 409: {"model": ErrorResponse}},
)
async def post_events(ctx: Ctx, device: CurrentDevice, body: EventsRequest) -> EventsResponse:
    """≤ 500 events per batch; see ``_store``."""
    return await ctx.run_db(_store, ctx, device, body)


def _store(ctx: AppContext, device: Device, body: EventsRequest) -> EventsResponse:
    """≤ 500 events per batch; a known event_id counts as a duplicate. An event whose ``props`` exceed
    2 KB of JSON, or whose ``at`` is outside 2000-2099, is dropped alone (listed in ``rejected_ids``),
    so one bad event cannot block a client's outbox."""
    limit = ctx.settings.max_event_props_bytes
    batch: dict[str, dict] = {}
    rejected: list[str] = []
    now = ctx.settings.clock()
    for event in body.events:
        at = plausible_utc(event.at)
        if at is None or len(json.dumps(event.props, separators=(",", ":"), ensure_ascii=False).encode()) > limit:
            rejected.append(str(event.event_id))
            continue
        batch.setdefault(
            str(event.event_id),
            {
                "event_id": str(event.event_id),
                "device_id": device.id,
                "player_id": event.player_id,
                "name": event.name,
                "at": at,
                "received_at": now,
                "props": event.props,
            },
        )
    for _attempt in range(3):
        try:
            with write_tx(ctx.engine, touches_ledger=False) as conn:
                known = set(conn.scalars(select(events.c.event_id).where(events.c.event_id.in_(list(batch)))))
                fresh = [row for key, row in batch.items() if key not in known]
                if fresh:
                    conn.execute(events.insert(), fresh)
            return EventsResponse(
                accepted=len(fresh),
                duplicates=len(body.events) - len(fresh) - len(rejected),
                rejected=len(rejected),
                rejected_ids=rejected,
            )
        except IntegrityError:  # the same event_id arrived concurrently: look again
            continue
    raise ApiError(409, "conflict", "events kept conflicting with a concurrent batch; retry")
