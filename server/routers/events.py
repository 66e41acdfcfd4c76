"""POST /v1/events: analytics batches, deduplicated by event_id."""

from __future__ import annotations

import json

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from server.context import AppContext, Ctx, CurrentDevice, Device
from server.db import write_tx
from server.errors import ApiError, ErrorResponse
from server.models import events, player_devices
from server.schemas import EventsRequest, EventsResponse, plausible_utc
from server.strict import StrictRoute

router = APIRouter(tags=["analytics"], route_class=StrictRoute)


@router.post(
    "/v1/events",
    response_model=EventsResponse,
    responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}, 409: {"model": ErrorResponse}},
)
async def post_events(ctx: Ctx, device: CurrentDevice, body: EventsRequest) -> EventsResponse:
    """≤ 500 events per batch; see ``_store``."""
    return await ctx.run_db(_store, ctx, device, body)


def _props_size(props: dict) -> int | None:
    """Bytes of ``props`` as UTF-8 JSON; None when it cannot be stored (a lone surrogate)."""
    try:
        return len(json.dumps(props, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
    except UnicodeEncodeError:
        return None


def _foreign_players(conn: object, device: Device, body: EventsRequest) -> list[str]:
    """Player ids of the batch that this device neither created nor claimed."""
    named = {e.player_id for e in body.events if e.player_id is not None}
    if not named:
        return []
    own = set(
        conn.scalars(  # type: ignore[attr-defined]
            select(player_devices.c.player_id).where(
                player_devices.c.device_id == device.id, player_devices.c.player_id.in_(sorted(named))
            )
        )
    )
    return sorted(named - own)


def _store(ctx: AppContext, device: Device, body: EventsRequest) -> EventsResponse:
    """≤ 500 events per batch; a known event_id counts as a duplicate. An event whose ``props`` exceed
    2 KB of JSON or cannot be stored (a lone surrogate), or whose ``at`` is outside 2000-2099, is
    dropped alone (listed in ``rejected_ids``), so one bad event cannot block a client's outbox.
    A batch naming a player this device did not create or claim is refused whole (403), nothing counted."""
    limit = ctx.settings.max_event_props_bytes
    batch: dict[str, dict] = {}
    rejected: list[str] = []
    now = ctx.settings.clock()
    for event in body.events:
        at = plausible_utc(event.at)
        size = _props_size(event.props)
        if at is None or size is None or size > limit:
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
                foreign = _foreign_players(conn, device, body)
                if foreign:
                    raise ApiError(
                        403, "foreign_player", f"not this device's player(s): {', '.join(foreign[:5])}"
                    )
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
