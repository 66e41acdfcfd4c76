"""Maps a player's stored ledger to a rules ``Progress`` and appends what ``apply()`` added."""

from __future__ import annotations

from game.rules.content import CheckinMode
from game.rules.progress import CheckinRecord, Grant, Owned, Progress
from server import queries as q
from server.queries import Raw

_MODES = {str(m): m for m in CheckinMode}


def load_progress(db: Raw, player_id: str) -> Progress:
    """The player's whole ledger (one UNION ALL query), in insertion order (rules only ever append)."""
    grants: list[Grant] = []
    checkins: list[CheckinRecord] = []
    owned: list[Owned] = []
    tasks: list[tuple[str, object]] = []
    shares: list[object] = []
    to_dt, to_day = db.to_dt, db.to_day
    for k, _id, s1, s2, n, day, at in db.all(q.LEDGER, {"p": player_id}):
        when = to_dt(at)
        if k == 0:
            grants.append(Grant(s1, n, when))
        elif k == 1:
            checkins.append(CheckinRecord(s1, _MODES[s2], to_day(day), when))
        elif k == 2:
            owned.append(Owned(s1, n, when))
        elif k == 3:
            tasks.append((s1, when))
        else:
            shares.append(when)
    return Progress(
        grants=tuple(grants),
        checkins=tuple(checkins),
        collectibles=tuple(owned),
        tasks=tuple(tasks),  # type: ignore[arg-type]
        shares=tuple(shares),  # type: ignore[arg-type]
    )


def persist_delta(
    db: Raw,
    *,
    player_id: str,
    campaign_id: str,
    device_id: str,
    before: Progress,
    after: Progress,
    share_channel: str = "qr",
) -> None:
    """Insert the records ``after`` has beyond ``before``. Unique constraints back the rules up."""
    ts = db.ts
    for g in after.grants[len(before.grants) :]:
        db.run(q.INSERT_GRANT, {"player_id": player_id, "source": g.source, "steps": g.steps, "at": ts(g.at)})
    for rec in after.checkins[len(before.checkins) :]:
        db.run(
            q.INSERT_CHECKIN,
            {
                "player_id": player_id, "landmark_id": rec.landmark_id, "mode": str(rec.mode),
                "day": db.day(rec.day), "at": ts(rec.at), "device_id": device_id,
            },
        )
    for item in after.collectibles[len(before.collectibles) :]:
        db.run(
            q.INSERT_OWNED,
            {
                "player_id": player_id, "campaign_id": campaign_id, "collectible_id": item.collectible_id,
                "serial": item.serial, "at": ts(item.at),
            },
        )
    for task_id, at in after.tasks[len(before.tasks) :]:
        db.run(q.INSERT_TASK, {"player_id": player_id, "task_id": task_id, "at": ts(at)})
    for at in after.shares[len(before.shares) :]:
        db.run(q.INSERT_SHARE, {"player_id": player_id, "channel": share_channel, "at": ts(at)})
