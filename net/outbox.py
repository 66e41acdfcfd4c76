"""What to send next, and what the local view becomes after the server's verdicts (pure).

The sync worker only sleeps and sends; these functions decide (functional core, imperative shell).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from game.rules.codec import action_to_json
from game.rules.content import Campaign
from game.rules.progress import Collect, Context, Grant, Progress, TaskDone, apply, month_steps
from game.store import OutboxEntry, PlayerRow

BATCH_LIMIT = 100  # the server's documented maximum per request
HELD_ELSEWHERE = "action_id_conflict"  # the server holds this action id (under another server player)


@dataclass(frozen=True)
class SyncPart:
    """One player's share of a sync round: its pending actions in order, under its server player
    (``server_id``), or to be created with the request (``server_id`` None)."""

    local_id: str
    server_id: str | None
    entries: tuple[OutboxEntry, ...]

    def split(self) -> tuple[list[dict[str, Any]], list[tuple[str, str, str | None, int | None]]]:
        """(the wire bodies to send, the verdicts decided here: actions that are not the client's to send)."""
        wire, local = [], []
        for e in self.entries:
            body = to_wire(e)
            if body is None:
                local.append((e.action_id, "rejected", "not_a_client_action", None))
            else:
                wire.append(body)
        return wire, local


def plan(batches: list[list[OutboxEntry]], players: dict[str, PlayerRow]) -> list[SyncPart]:
    """A sync round: each batch (one player's oldest pending actions) under its server player."""
    parts = []
    for batch in batches:
        if not batch:
            continue
        row = players.get(batch[0].local_id)
        parts.append(SyncPart(batch[0].local_id, row.server_id if row else None, tuple(batch[:BATCH_LIMIT])))
    return parts


def to_wire(entry: OutboxEntry) -> dict[str, Any] | None:
    """The API's JSON for one entry, or None when the action is not the client's to send."""
    if isinstance(entry.action, TaskDone):
        return None  # financial tasks arrive from the bank's systems by webhook, never from a kiosk
    body = action_to_json(entry.action)
    body.pop("serial", None)  # serial numbers are the server's to hand out
    return {"action_id": entry.action_id, "client_time": entry.at.isoformat()} | body


@dataclass(frozen=True)
class Verdict:
    action_id: str
    status: str  # applied | duplicate | rejected
    reason: str | None
    serial: int | None


def verdicts(response: dict[str, Any]) -> list[Verdict]:
    """Per-action results from a ``POST /actions`` response body."""
    out = []
    for r in response.get("results", []):
        item = r.get("collectible") or {}
        status = r.get("status", "rejected")
        if status == "duplicate" and r.get("original_status"):
            status = r["original_status"]  # the first outcome is the one that counts
        if status == "rejected" and r.get("reason") == HELD_ELSEWHERE:
            status = "duplicate"  # the server already holds this action: never taken back as rejected
        out.append(Verdict(str(r["action_id"]), status, r.get("reason"), item.get("serial")))
    return out


def rebuild(campaign: Campaign, entries: list[OutboxEntry], server_view: dict[str, Any] | None = None) -> Progress:
    """The local view: every action the server has not rejected, replayed in order at its own time.

    Steps the server granted that this device never saw (a partner task, play on another kiosk
    for a claimed player) are added as one ``server`` grant, so this month's total matches the
    server's once everything is acknowledged.
    """
    progress = Progress()
    acknowledged = Progress()
    some_pending = any(e.status == "pending" for e in entries)
    for entry in entries:
        if entry.status == "rejected":
            continue
        action = entry.action
        if isinstance(action, Collect) and entry.serial is not None:
            action = replace(action, serial=entry.serial)
        ctx = Context(now=entry.at, device_landmark=entry.device_landmark)
        progress = apply(campaign, progress, action, ctx).progress
        if some_pending and entry.status != "pending":
            acknowledged = apply(campaign, acknowledged, action, ctx).progress
    if not some_pending:
        acknowledged = progress  # everything acknowledged: one replay serves both
    extra = _server_only_steps(campaign, acknowledged, server_view)
    if extra is not None:
        progress = replace(progress, grants=(*progress.grants, extra))
    return progress


def _server_only_steps(campaign: Campaign, acknowledged: Progress, view: dict[str, Any] | None) -> Grant | None:
    """A grant for the server's month steps beyond what the acknowledged actions explain."""
    if not view:
        return None
    try:
        at = datetime.fromisoformat(str(view["server_time"]))
        server_steps = int(view["month_steps"])
    except (KeyError, TypeError, ValueError):
        return None
    if at.tzinfo is None:
        return None
    extra = server_steps - month_steps(campaign, acknowledged, at)
    return Grant("server", extra, at) if extra > 0 else None
