"""What the server answered about a limited or hidden item: the one place the client reads it.

Limited and hidden items come only from the server's roll (docs/api.md "Scans"): when the hunt's
local roll gives one, the scene records a ``Scan`` action (``Session.attempt``, queued in the
outbox like every action) and shows the item as *pending*. When the sync worker has the server's
verdict, the item is *granted* (with its serial for a limited one), or *sold out* (the server gave
the consolation item instead), or the server's own roll gave *another* item (see the album).
Serial numbers and server-granted items are read from the server's view of the player's progress,
which the sync worker stores with every answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from game.rules.content import Campaign
from game.rules.progress import Collect, Scan

SOLD_OUT_REASON = "sold_out"


class LimitedState(StrEnum):
    NOT_FOUND = "not_found"
    PENDING = "pending"
    GRANTED = "granted"
    SOLD_OUT = "sold_out"
    OTHER = "other"  # the server's roll gave something else (or nothing new)


@dataclass(frozen=True)
class LimitedStatus:
    state: LimitedState
    serial: int | None = None
    supply: int | None = None
    consolation: str | None = None  # the item given instead when sold out


def server_granted(store: Any, player_id: str) -> dict[str, int | None]:
    """Items the server says the player owns, with serials (rolled items, consolations)."""
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
    """What to show as owned: the local view plus what only the server has granted."""
    merged = server_granted(store, player_id) | local
    for item_id, serial in server_granted(store, player_id).items():
        if merged.get(item_id) is None and serial is not None:
            merged[item_id] = serial
    return merged


def limited_status(store: Any, player_id: str, campaign: Campaign, item_id: str) -> LimitedStatus:
    """The server's answer about ``item_id`` for this player (the scan that may have given it)."""
    item = campaign.collectible(item_id)
    supply = item.supply if item is not None else None
    granted = server_granted(store, player_id)
    if item_id in granted:
        return LimitedStatus(LimitedState.GRANTED, serial=granted[item_id], supply=supply)
    entries = store.entries(local_id=player_id) if hasattr(store, "entries") else []
    asks = [e for e in entries if isinstance(e.action, Scan)
            or (isinstance(e.action, Collect) and e.action.collectible_id == item_id)]
    if not asks:
        return LimitedStatus(LimitedState.NOT_FOUND, supply=supply)
    if any(e.status == "pending" for e in asks):
        return LimitedStatus(LimitedState.PENDING, supply=supply)
    last = asks[-1]
    if last.status == "rejected" and last.reason == SOLD_OUT_REASON:
        return LimitedStatus(LimitedState.SOLD_OUT, supply=supply,
                             consolation=item.consolation if item is not None else None)
    if isinstance(last.action, Collect) and last.status != "rejected":
        serial = last.serial if last.serial is not None else last.action.serial
        return LimitedStatus(LimitedState.GRANTED, serial=serial, supply=supply)
    return LimitedStatus(LimitedState.OTHER, supply=supply)
