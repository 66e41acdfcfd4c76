"""What became of a limited item the player found: the one place the client asks about the server's answer.

A limited item is recorded locally like any collect (``Session.attempt``) and queued for the
server, which alone hands out serial numbers. Until the server answers it is *pending*; then it
is *granted* with its serial, or *sold out* (the server gave the consolation item instead).
Today the answer arrives through the sync worker's verdict on the queued action; when the server
offers a dedicated limited-roll endpoint, only ``limited_status`` changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from game.rules.content import Campaign
from game.rules.progress import Collect

SOLD_OUT_REASON = "sold_out"


class LimitedState(StrEnum):
    NOT_FOUND = "not_found"
    PENDING = "pending"
    GRANTED = "granted"
    SOLD_OUT = "sold_out"


@dataclass(frozen=True)
class LimitedStatus:
    state: LimitedState
    serial: int | None = None
    supply: int | None = None
    consolation: str | None = None  # the item given instead when sold out


def limited_status(store: Any, player_id: str, campaign: Campaign, item_id: str) -> LimitedStatus:
    """The server's answer about ``item_id`` for this player, read from the synced outbox."""
    item = campaign.collectible(item_id)
    supply = item.supply if item is not None else None
    entries = store.entries(local_id=player_id) if hasattr(store, "entries") else []
    found = [e for e in entries if isinstance(e.action, Collect) and e.action.collectible_id == item_id]
    if not found:
        return LimitedStatus(LimitedState.NOT_FOUND, supply=supply)
    entry = next((e for e in found if e.status != "rejected"), found[-1])
    if entry.status == "pending":
        return LimitedStatus(LimitedState.PENDING, supply=supply)
    if entry.status == "rejected":
        if entry.reason == SOLD_OUT_REASON:
            return LimitedStatus(LimitedState.SOLD_OUT, supply=supply,
                                 consolation=item.consolation if item is not None else None)
        return LimitedStatus(LimitedState.NOT_FOUND, supply=supply)
    serial = entry.serial if entry.serial is not None else entry.action.serial
    return LimitedStatus(LimitedState.GRANTED, serial=serial, supply=supply)


def server_granted(store: Any, player_id: str) -> dict[str, int | None]:
    """Items the server says the player owns (a consolation for a sold-out item is granted there)."""
    view = store.server_view(player_id) if hasattr(store, "server_view") else None
    if not view:
        return {}
    out: dict[str, int | None] = {}
    for row in view.get("collectibles", []) or []:
        if isinstance(row, dict) and isinstance(row.get("collectible_id"), str):
            serial = row.get("serial")
            out[row["collectible_id"]] = serial if isinstance(serial, int) else None
    return out


def owned_items(store: Any, player_id: str, local: dict[str, int | None]) -> dict[str, int | None]:
    """What to show as owned: the local view plus what only the server has granted (consolations)."""
    return server_granted(store, player_id) | local
