"""Maps a player's stored ledger to a rules ``Progress`` and appends what ``apply()`` added."""

from __future__ import annotations

from sqlalchemy import Connection

from game.rules.content import CheckinMode
from game.rules.progress import CheckinRecord, Grant, Owned, Progress
from server import queries as q


def load_progress(conn: Connection, player_id: str) -> Progress:
    """The player's whole ledger (one UNION ALL query), in insertion order (rules only ever append)."""
    parts: tuple[list, list, list, list, list] = ([], [], [], [], [])
    for k, _id, s1, s2, n, day, at in conn.execute(q.LEDGER, {"p": player_id}):
        if k == 0:
            parts[0].append(Grant(s1, n, at))
        elif k == 1:
            parts[1].append(CheckinRecord(s1, CheckinMode(s2), day, at))
        elif k == 2:
            parts[2].append(Owned(s1, n, at))
        elif k == 3:
            parts[3].append((s1, at))
        else:
            parts[4].append(at)
    return Progress(
        grants=tuple(parts[0]),
        checkins=tuple(parts[1]),
        collectibles=tuple(parts[2]),
        tasks=tuple(parts[3]),
        shares=tuple(parts[4]),
    )


def persist_delta(
    conn: Connection,
    *,
    player_id: str,
    campaign_id: str,
    device_id: str,
    before: Progress,
    after: Progress,
    share_channel: str = "qr",
) -> None:
    """Insert the records ``after`` has beyond ``before``. Unique constraints back the rules up."""
    new_grants = after.grants[len(before.grants) :]
    if new_grants:
        conn.execute(
            q.INSERT_GRANT, [{"player_id": player_id, "source": x.source, "steps": x.steps, "at": x.at} for x in new_grants]
        )
    for rec in after.checkins[len(before.checkins) :]:
        conn.execute(
            q.INSERT_CHECKIN,
            {
                "player_id": player_id, "landmark_id": rec.landmark_id, "mode": str(rec.mode), "day": rec.day,
                "at": rec.at, "device_id": device_id,
            },
        )
    for item in after.collectibles[len(before.collectibles) :]:
        conn.execute(
            q.INSERT_OWNED,
            {
                "player_id": player_id, "campaign_id": campaign_id, "collectible_id": item.collectible_id,
                "serial": item.serial, "at": item.at,
            },
        )
    for task_id, at in after.tasks[len(before.tasks) :]:
        conn.execute(q.INSERT_TASK, {"player_id": player_id, "task_id": task_id, "at": at})
    for at in after.shares[len(before.shares) :]:
        conn.execute(q.INSERT_SHARE, {"player_id": player_id, "channel": share_channel, "at": at})
