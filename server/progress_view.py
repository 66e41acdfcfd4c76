"""Builds the API's authoritative progress document from the rules' ``summarize()``.

``progress_doc`` returns the document as plain JSON-ready data in ``ProgressOut``'s field order
(serialised with ``pydantic_core.to_json``, which formats dates and datetimes exactly as the model
does): the hot routes answer with it directly, without building and re-validating a tree of
response models. ``progress_out`` is the same document as a validated ``ProgressOut``.
tests/server/test_server_players.py checks that both serialise to the same JSON.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from game.rules.content import Campaign, Tier
from game.rules.progress import Progress, summarize
from server.schemas import ProgressOut


def _tier(tier: Tier | None) -> dict[str, Any] | None:
    if tier is None:
        return None
    return {
        "id": tier.id,
        "threshold": tier.threshold,
        "name": {"zh": tier.name.zh, "en": tier.name.en},
        "reward": {"zh": tier.reward.zh, "en": tier.reward.en},
    }


def progress_doc(campaign: Campaign, player_id: str, progress: Progress, now: datetime) -> dict[str, Any]:
    """The ``ProgressOut`` document as plain data."""
    summary = summarize(campaign, progress, now)
    tasks = [
        {
            "task_id": status.task.id,
            "theme": str(status.task.theme),
            "steps": status.task.steps,
            "done_this_month": status.done_this_month,
            "monthly_limit": status.task.monthly_limit,
            "complete": status.complete,
        }
        for statuses in summary.tasks_by_theme.values()
        for status in statuses
    ]
    return {
        "player_id": player_id,
        "campaign_id": campaign.id,
        "month": summary.month,
        "month_steps": summary.month_steps,
        "total_steps": summary.total_steps,
        "tier": _tier(summary.tier),
        "next_tier": _tier(summary.next_tier),
        "steps_to_next": summary.steps_to_next,
        "checked_in_today": sorted(summary.checked_in_today),
        "checkins": [
            {"landmark_id": c.landmark_id, "mode": str(c.mode), "day": c.day, "at": c.at} for c in progress.checkins
        ],
        "collectibles": [
            {"collectible_id": o.collectible_id, "serial": o.serial, "at": o.at} for o in progress.collectibles
        ],
        "tasks": tasks,
        "server_time": now,
    }


def progress_out(campaign: Campaign, player_id: str, progress: Progress, now: datetime) -> ProgressOut:
    return ProgressOut.model_validate(progress_doc(campaign, player_id, progress, now))
