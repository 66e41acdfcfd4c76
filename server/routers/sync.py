"""Many players' queued actions in one request (a kiosk or laptop draining its outbox)."""

from __future__ import annotations

import math

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute
from pydantic_core import to_json

from server.bulk import sync as sync_players
from server.context import AppContext, CurrentDevice, authenticate
from server.errors import ApiError, ErrorResponse
from server.middleware import rate_key
from server.schemas import SyncRequest, SyncResponse
from server.strict import JsonBytes, LeanRoute, json_body, lean

router = APIRouter(tags=["players"], route_class=LeanRoute)


def _charge(request: Request, body: SyncRequest) -> None:
    """The request counts against the device's request rate as one request per player in it."""
    extra = len(body.players) - 1
    if extra:
        limiter = request.app.edge_limiter
        wait = limiter.take(rate_key(request.scope, request.app.edge_proxies), min(extra, limiter.burst))
        if wait > 0:
            retry = str(max(1, math.ceil(wait)))
            raise ApiError(429, "rate_limited", f"too many requests; retry in {retry} s", {"Retry-After": retry})


async def _lean_sync(request: Request) -> Response:
    device = await authenticate(request)
    body = await json_body(request, SyncRequest)
    _charge(request, body)
    ctx: AppContext = request.app.state.ctx
    return JsonBytes(to_json(await sync_players(ctx, device, body)))


@router.post(
    "/v1/sync",
    response_model=SyncResponse,
    responses={401: {"model": ErrorResponse}, 422: {"model": ErrorResponse}, 429: {"model": ErrorResponse}},
)
@lean(_lean_sync)
async def sync(device: CurrentDevice, body: SyncRequest) -> SyncResponse:
    """Each player's actions in order, as ``POST /v1/players/{id}/actions`` would decide them; a
    ``create_key`` entry creates its player first (idempotently). One player's error (404, 429,
    conflict) is reported in its entry and stops only that player's remaining actions. The
    request counts against the device's request rate as one request per player in it."""
    raise NotImplementedError  # served by _lean_sync (LeanRoute); this signature is the OpenAPI


def hot_routes() -> list[APIRoute]:
    return [r for r in router.routes if isinstance(r, APIRoute) and hasattr(r.endpoint, "__lean__")]
