"""Builds the API's authoritative progress document from the rules' ``summarize()``."""

from __future__ import annotations

from datetime import datetime

from game.rules.content import Campaign, Tier
from game.rules.progress import Progress, summarize
from server.schemas import CheckinOut, OwnedOut, ProgressOut, TaskOut, TextOut, TierOut


def _tier(tier: Tier | None) -> TierOut | None:
    if tier is None:
        return None
    return TierOut(
        id=tier.id,
        threshold=tier.threshold,
        name=TextOut(zh=tier.name.zh, en=tier.name.en),
        reward=TextOut(zh=tier.reward.zh, en=tier.reward.en),
    )


def progress_out(campaign: Campaign, player_id: str, progress: Progress, now: datetime) -> ProgressOut:
    summary = summarize(campaign, progress, now)
    tasks = [
        TaskOut(
            task_id=status.task.id,
            theme=str(status.task.theme),
            steps=status.task.steps,
            done_this_month=status.done_this_month,
            monthly_limit=status.task.monthly_limit,
            complete=status.complete,
        )
        for statuses in summary.tasks_by_theme.values()
        for status in statuses
    ]
    return ProgressOut(
        player_id=player_id,
        campaign_id=campaign.id,
        month=summary.month,
        month_steps=summary.month_steps,
        total_steps=summary.total_steps,
        tier=_tier(summary.tier),
        next_tier=_tier(summary.next_tier),
        steps_to_next=summary.steps_to_next,
        checked_in_today=sorted(summary.checked_in_today),
        checkins=[CheckinOut(landmark_id=c.landmark_id, mode=str(c.mode), day=c.day, at=c.at) for c in progress.checkins],
        collectibles=[OwnedOut(collectible_id=o.collectible_id, serial=o.serial, at=o.at) for o in progress.collectibles],
        tasks=tasks,
        server_time=now,
    )
