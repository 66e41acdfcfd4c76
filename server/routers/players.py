"""Players: create, claim (handoff), authoritative progress, and actions."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Request, Response
from fastapi.routing import APIRoute
from pydantic_core import to_json

from game.rules.content import Campaign
from server.accounts import PlayerRef, claim_player, create_player, player_for_device
from server.actions import ActionProcessor
from server.context import AppContext, Ctx, CurrentDevice, Device, authenticate
from server.db import TxFactory, read_tx
from server.errors import ApiError, ErrorResponse
from server.guard import code_guard
from server.ledger import load_progress
from server.progress_view import progress_doc
from server.queries import Raw
from server.schemas import (
    PLAYER_ID_PATTERN,
    ActionsRequest,
    ActionsResponse,
    ClaimRequest,
    CreatePlayerRequest,
    PlayerClaimed,
    PlayerCreated,
    ProgressOut,
)
from server.strict import JsonBytes, LeanRoute, json_body, lean, path_param

router = APIRouter(tags=["players"], route_class=LeanRoute)

PlayerPath = Annotated[str, Path(pattern=PLAYER_ID_PATTERN)]
_PLAYER_ID = re.compile(PLAYER_ID_PATTERN)
AUTH_ERRORS: dict[int | str, dict] = {401: {"model": ErrorResponse}, 404: {"model": ErrorResponse}}


def _json(doc: object) -> Response:
    """Serialise a response document once. (Returning a model would make FastAPI validate it
    again against ``response_model``; the hot routes build plain documents in the models' shape
    instead, see ``server.progress_view``. ``response_model`` still documents the shape in the
    OpenAPI, and the fuzz tests check responses against it.)"""
    return JsonBytes(to_json(doc))


def _campaign(ctx: AppContext, campaign_id: str) -> Campaign:
    loaded = ctx.catalog.find(campaign_id)
    if loaded is None:
        raise ApiError(404, "unknown_campaign", f"no campaign {campaign_id!r}")
    return loaded.campaign


@router.post("/v1/players", response_model=PlayerCreated, status_code=201, responses=AUTH_ERRORS)
async def new_player(
    ctx: Ctx, device: CurrentDevice, body: Annotated[CreatePlayerRequest | None, Body()] = None
) -> PlayerCreated:
    """A new player bound to this device, with a claim code for handing it to another device."""
    campaign_id = (body.campaign_id if body else None) or ctx.settings.campaign_id
    campaign = _campaign(ctx, campaign_id)
    player_id, claim = await ctx.run_db(
        create_player, ctx.engine, device_id=device.id, campaign_id=campaign_id, now=ctx.settings.clock(),
        claim_ttl_s=ctx.settings.claim_ttl_s, claim_until=campaign.meta.claims_until(),
        idempotency_key=body.idempotency_key if body else None,
    )
    return PlayerCreated(player_id=player_id, claim_code=claim, campaign_id=campaign_id)


@router.post(
    "/v1/players/claim", response_model=PlayerClaimed, responses={**AUTH_ERRORS, 429: {"model": ErrorResponse}},
    dependencies=[Depends(code_guard)],
)
async def claim(ctx: Ctx, device: CurrentDevice, body: ClaimRequest) -> PlayerClaimed:
    """Bind the player with this claim code to this device as well (kiosk guest → phone)."""
    ref = await ctx.run_db(
        claim_player, ctx.engine, device_id=device.id, claim_code=body.claim_code, now=ctx.settings.clock()
    )
    return PlayerClaimed(player_id=ref.id, campaign_id=ref.campaign_id)


def _progress(ctx: AppContext, player: PlayerRef, campaign: Campaign, tx: TxFactory | None = None) -> dict[str, Any]:
    """The player's progress document, read in a transaction of its own (``tx``: the action path's)."""
    if tx is not None:
        with tx() as db:
            progress = load_progress(db, player.id)
    else:
        with read_tx(ctx.engine) as conn:
            progress = load_progress(Raw(conn), player.id)
    return progress_doc(campaign, player.id, progress, ctx.settings.clock())


async def _lean_get_progress(request: Request) -> Response:
    device = await authenticate(request)
    player_id = path_param(request, "player_id", _PLAYER_ID)
    ctx: AppContext = request.app.state.ctx
    return _json(await ctx.run_db(_get_progress, ctx, device, player_id))


@router.get("/v1/players/{player_id}/progress", response_model=ProgressOut, responses=AUTH_ERRORS)
@lean(_lean_get_progress)
async def get_progress(device: CurrentDevice, player_id: PlayerPath) -> ProgressOut:
    """The authoritative progress: steps, tier, check-ins, collectibles, task status (server time)."""
    raise NotImplementedError  # served by _lean_get_progress (LeanRoute); this signature is the OpenAPI


def _get_progress(ctx: AppContext, device: Device, player_id: str) -> dict[str, Any]:
    with ctx.engine.connect() as conn:
        player = player_for_device(conn, player_id, device.id)
    return _progress(ctx, player, _campaign(ctx, player.campaign_id))


async def _lean_post_actions(request: Request) -> Response:
    device = await authenticate(request)
    player_id = path_param(request, "player_id", _PLAYER_ID)
    body = await json_body(request, ActionsRequest)
    ctx: AppContext = request.app.state.ctx
    if ctx.group is not None:  # SQLite: decided in a group transaction, answered once it committed
        processor = await ctx.group.run(lambda tx: _decide(ctx, device, player_id, body, tx))
        return _json(actions_doc(ctx, processor))
    if ctx.pg is not None:  # PostgreSQL: on the event loop, waiting for the database without blocking it
        return _json(await ctx.pg.run(_post_actions, ctx, device, player_id, body, ctx.pg.transaction))
    return _json(await ctx.run_db(_post_actions, ctx, device, player_id, body))


@router.post(
    "/v1/players/{player_id}/actions",
    response_model=ActionsResponse,
    responses={**AUTH_ERRORS, 409: {"model": ErrorResponse}, 422: {"model": ErrorResponse}},
)
@lean(_lean_post_actions)
async def post_actions(device: CurrentDevice, player_id: PlayerPath, body: ActionsRequest) -> ActionsResponse:
    """Apply actions in order; each gets applied | duplicate | rejected (+ reason). Totals come from the server."""
    raise NotImplementedError  # served by _lean_post_actions (LeanRoute); this signature is the OpenAPI


def _decide(
    ctx: AppContext, device: Device, player_id: str, body: ActionsRequest, tx: TxFactory | None = None
) -> ActionProcessor:
    """Decide and store every action of the request, in order (each in its own transaction or savepoint)."""
    processor = ActionProcessor(ctx, device, player_id, tx)
    processor.results = [processor.run(action) for action in body.actions]
    return processor


def actions_doc(ctx: AppContext, processor: ActionProcessor, tx: TxFactory | None = None) -> dict[str, Any]:
    """The ``ActionsResponse`` document (results are models; pydantic_core serialises them as such).
    ``tx``: the transactions the actions were decided in (used if the progress must be read again)."""
    player, campaign = processor.player, processor.campaign
    assert player is not None and campaign is not None  # set by the first run (or it raised 404)
    if processor.latest is not None:
        progress = progress_doc(campaign, player.id, processor.latest, ctx.settings.clock())
    else:
        progress = _progress(ctx, player, campaign, tx)
    return {"results": processor.results, "progress": progress}


def _post_actions(
    ctx: AppContext, device: Device, player_id: str, body: ActionsRequest, tx: TxFactory | None = None
) -> dict[str, Any]:
    return actions_doc(ctx, _decide(ctx, device, player_id, body, tx), tx)


def hot_routes() -> list[APIRoute]:
    """The lean routes (check-ins and progress), dispatched ahead of the route walk (``HotRoutes``)."""
    return [r for r in router.routes if isinstance(r, APIRoute) and hasattr(r.endpoint, "__lean__")]
