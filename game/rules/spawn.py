"""Which collectible emerges from a scan: pure, driven by an injected random roll."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime

from game.rules.calendar import campaign_tz, require_aware
from game.rules.content import Campaign, Collectible, Rarity
from game.rules.progress import Progress, distinct_checkins


def eligible(item: Collectible, campaign: Campaign, progress: Progress, now: datetime, roll: float) -> bool:
    """Whether ``item`` may emerge now. ``now`` must be aware (ValueError otherwise): a naive time
    would silently be read in the host's zone instead of the campaign's."""
    require_aware(now)
    rule = item.spawn
    if any(o.collectible_id == item.id for o in progress.collectibles):
        return False
    if distinct_checkins(progress) < rule.min_checkins:
        return False
    if rule.hours is not None:
        hour = now.astimezone(campaign_tz(campaign.meta.utc_offset_minutes)).hour
        start, end = rule.hours
        inside = start <= hour < end if start <= end else (hour >= start or hour < end)
        if not inside:
            return False
    return roll < rule.chance


def choose_spawn(
    campaign: Campaign,
    progress: Progress,
    now: datetime,
    rolls: tuple[float, float],
    supply_left: Mapping[str, int] | None = None,
    exclude: Collection[str] = (),
) -> Collectible | None:
    """Pick the collectible for a scan.

    ``rolls`` are two uniform [0, 1) numbers (chance gate, weighted pick) so that a seeded RNG
    gives reproducible hunts. Hidden and limited items win over common ones when eligible. A
    limited item known to be sold out is skipped (the server has the final word on supply).
    Items in ``exclude`` never emerge (the server leaves out those a cap has closed).
    """
    require_aware(now)
    gate, pick = rolls
    supply_left = supply_left or {}
    pool = [
        c
        for c in campaign.collectibles
        if c.id not in exclude
        and eligible(c, campaign, progress, now, gate)
        and not (c.rarity is Rarity.LIMITED and supply_left.get(c.id, 1) <= 0)
    ]
    special = [c for c in pool if c.rarity is not Rarity.COMMON]
    pool = special or pool
    if not pool:
        return None
    total = sum(c.spawn.weight for c in pool)
    acc = 0.0
    for item in pool:
        acc += item.spawn.weight / total
        if pick < acc:
            return item
    return pool[-1]


def rules_eligible(campaign: Campaign, progress: Progress, now: datetime) -> tuple[Collectible, ...]:
    """The items whose spawn rule holds now, before the chance roll (what a scan could yield)."""
    require_aware(now)
    return tuple(c for c in campaign.collectibles if c.spawn.chance > 0 and eligible(c, campaign, progress, now, 0.0))
