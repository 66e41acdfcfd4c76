"""Many players' actions in one request (``POST /v1/sync``): a kiosk's outbox drained in few round trips.

Every action goes through the same path as ``POST /v1/players/{id}/actions`` (``ActionProcessor``:
idempotent by action_id, the offline-credit window, the per-player and per-device limits, the spawn
caps), one action per savepoint or transaction. What is shared is the overhead around it: one HTTP
request, one authentication, the new players created in one transaction, and on SQLite the players'
work queued together into the group commit (``server.db.GroupCommit``), so a request of a hundred
players commits once.

Errors stay with their player: a player this device does not hold (404), a rate limit (429 with
``retry_after_s``) or a race that kept conflicting stop that player's remaining actions and are
reported in its entry; the other players' actions are decided as usual. An action id the server
already holds for another body or player is that action's own ``rejected`` / ``action_id_conflict``
result (the player's later actions still go on).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from server.accounts import create_players
from server.actions import ActionProcessor, ServerReason
from server.context import AppContext, Device
from server.db import TxFactory
from server.errors import ApiError
from server.routers.players import actions_doc
from server.schemas import ActionIn, ActionResult, ActionStatus, SyncNewPlayer, SyncPlayerIn, SyncRequest


@dataclass
class _Entry:
    """One player's part while it is decided."""

    player_id: str | None = None
    claim_code: str | None = None
    campaign_id: str | None = None
    processor: ActionProcessor | None = None
    results: list[ActionResult] = field(default_factory=list)
    error: ApiError | None = None


def _conflict(action: ActionIn) -> ActionResult:
    return ActionResult(action_id=str(action.action_id), kind=action.kind, status=ActionStatus.REJECTED,
                        reason=ServerReason.ACTION_CONFLICT.value)


def decide_player(ctx: AppContext, device: Device, entry: _Entry, actions: list[ActionIn], tx: TxFactory | None) -> None:
    """Decide one player's actions in order; an error other than an action id conflict stops them."""
    assert entry.player_id is not None
    processor = ActionProcessor(ctx, device, entry.player_id, tx)
    entry.processor = processor
    for action in actions:
        try:
            entry.results.append(processor.run(action))
        except ApiError as err:
            if err.code == ServerReason.ACTION_CONFLICT.value:
                entry.results.append(_conflict(action))
                continue
            entry.error = err
            return


def _create(ctx: AppContext, device: Device, parts: list[SyncPlayerIn], entries: list[_Entry]) -> None:
    """The ``create_key`` players, in one transaction (idempotent by key: a retry answers the same player)."""
    wanted = [(i, p) for i, p in enumerate(parts) if isinstance(p, SyncNewPlayer) and entries[i].error is None]
    if not wanted:
        return
    campaigns = [entries[i].campaign_id or ctx.settings.campaign_id for i, _ in wanted]
    deadlines: dict[str, Any] = {}
    for campaign_id in set(campaigns):  # each pack's claim deadline (its [meta] ends + grace, or claim_expires)
        loaded = ctx.catalog.find(campaign_id)
        deadlines[campaign_id] = loaded.campaign.meta.claims_until() if loaded is not None else None
    made = create_players(
        ctx.engine, device_id=device.id, now=ctx.settings.clock(), claim_ttl_s=ctx.settings.claim_ttl_s,
        wanted=[(p.create_key, campaign) for (_, p), campaign in zip(wanted, campaigns, strict=True)],
        claim_until=deadlines,
    )
    for (i, _), (player_id, claim) in zip(wanted, made, strict=True):
        entries[i].player_id, entries[i].claim_code = player_id, claim


async def sync(ctx: AppContext, device: Device, body: SyncRequest) -> dict[str, Any]:
    """The ``SyncResponse`` document for ``body``."""
    entries = [_Entry(player_id=None if isinstance(p, SyncNewPlayer) else p.player_id) for p in body.players]
    for entry, part in zip(entries, body.players, strict=True):
        if isinstance(part, SyncNewPlayer):
            entry.campaign_id = part.campaign_id or ctx.settings.campaign_id
            if ctx.catalog.find(entry.campaign_id) is None:
                entry.error = ApiError(404, "unknown_campaign", f"no campaign {entry.campaign_id!r}")
    await ctx.run_db(_create, ctx, device, body.players, entries)
    todo = [(e, p.actions) for e, p in zip(entries, body.players, strict=True) if e.error is None]
    if ctx.group is not None:  # SQLite: every player's work in the same group transaction
        await asyncio.gather(*(ctx.group.run(lambda tx, e=e, a=a: decide_player(ctx, device, e, a, tx))
                               for e, a in todo))
    elif ctx.pg is not None:  # PostgreSQL: on the event loop (server.pgloop), one player after another
        tx = ctx.pg.transaction

        def decide_all() -> dict[str, Any]:
            for e, a in todo:
                decide_player(ctx, device, e, a, tx)
            return {"players": [_doc(ctx, e, tx) for e in entries]}

        return await ctx.pg.run(decide_all)
    else:
        await ctx.run_db(lambda: [decide_player(ctx, device, e, a, None) for e, a in todo])
    return {"players": [_doc(ctx, e) for e in entries]}


def _doc(ctx: AppContext, entry: _Entry, tx: TxFactory | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {"player_id": entry.player_id, "claim_code": entry.claim_code,
                           "campaign_id": entry.campaign_id, "results": entry.results, "progress": None, "error": None}
    processor = entry.processor
    if processor is not None and processor.player is not None:
        processor.results = entry.results
        doc |= actions_doc(ctx, processor, tx)
        doc["campaign_id"] = processor.player.campaign_id
    if entry.error is not None:
        retry = (entry.error.headers or {}).get("Retry-After")
        doc["error"] = {"code": entry.error.code, "message": entry.error.message,
                        "retry_after_s": int(retry) if retry else None}
    return doc
