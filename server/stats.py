"""The operator report: analytics funnel, check-ins per landmark, limited supply."""

from __future__ import annotations

from sqlalchemy import Connection, distinct, func, select

from server.models import checkins, devices, events, players, supply
from server.schemas import FunnelStep, LandmarkCount, StatsOut, SupplyOut

FUNNEL = ("attract", "start", "scan", "collect", "checkin", "share")


def compute_stats(conn: Connection, campaign_id: str) -> StatsOut:
    by_name = {
        r.name: (r.n, r.p)
        for r in conn.execute(
            select(events.c.name, func.count().label("n"), func.count(distinct(events.c.player_id)).label("p"))
            .where(events.c.name.in_(FUNNEL))
            .group_by(events.c.name)
        )
    }
    funnel = [FunnelStep(step=s, events=by_name.get(s, (0, 0))[0], players=by_name.get(s, (0, 0))[1]) for s in FUNNEL]
    per_landmark = [
        LandmarkCount(landmark_id=r.landmark_id, checkins=r.n)
        for r in conn.execute(
            select(checkins.c.landmark_id, func.count().label("n"))
            .join(players, players.c.id == checkins.c.player_id)
            .where(players.c.campaign_id == campaign_id)
            .group_by(checkins.c.landmark_id)
            .order_by(checkins.c.landmark_id)
        )
    ]
    supplies = [
        SupplyOut(campaign_id=campaign_id, collectible_id=r.collectible_id, supply=r.total, remaining=r.remaining)
        for r in conn.execute(
            select(supply.c.collectible_id, supply.c.total, supply.c.remaining)
            .where(supply.c.campaign_id == campaign_id)
            .order_by(supply.c.collectible_id)
        )
    ]
    return StatsOut(
        campaign_id=campaign_id,
        devices=conn.scalar(select(func.count()).select_from(devices)) or 0,
        players=conn.scalar(select(func.count()).select_from(players).where(players.c.campaign_id == campaign_id)) or 0,
        funnel=funnel,
        checkins_per_landmark=per_landmark,
        supply=supplies,
    )


def format_stats(stats: StatsOut) -> str:
    """Plain-text report for ``python -m server stats``."""
    lines = [f"campaign {stats.campaign_id}: {stats.devices} devices, {stats.players} players", "", "funnel:"]
    lines += [f"  {f.step:<8} {f.events:>8} events {f.players:>8} players" for f in stats.funnel]
    lines += ["", "check-ins per landmark:"]
    lines += [f"  {c.landmark_id:<24} {c.checkins:>8}" for c in stats.checkins_per_landmark] or ["  (none)"]
    lines += ["", "limited supply:"]
    lines += [f"  {s.collectible_id:<24} {s.remaining:>6} / {s.supply}" for s in stats.supply] or ["  (none)"]
    return "\n".join(lines)
