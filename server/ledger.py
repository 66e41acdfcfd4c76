"""Maps a player's stored ledger to a rules ``Progress`` and appends what ``apply()`` added."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from game.rules.content import CheckinMode
from game.rules.progress import CheckinRecord, Grant, Owned, Progress
from server import queries as q
from server.lru import BoundedLRU
from server.queries import Raw

_MODES = {str(m): m for m in CheckinMode}


class ProgressCache(BoundedLRU[str, Progress]):
    """player id → the ``Progress`` its committed ledger holds, for SQLite's hot writer (bounded LRU).

    Reading and converting the ledger was ~15 % of a check-in's CPU, and a player's next action
    nearly always finds it here. It is kept correct by its owner (``server.db._HotWriter``): entries
    are written only by transactions on the writer's own connection and dropped when those roll
    back, and the whole cache is cleared whenever SQLite's ``data_version`` shows that another
    connection (another worker, the CLI) committed, or a transaction that may touch a ledger ran
    outside the action path. Not thread-safe on its own: every use is under the process's write lock.
    """

    def __init__(self, max_size: int = 16_384) -> None:
        super().__init__(max_size)


class RevisionedProgress:
    """PostgreSQL: player id → (ledger revision, the ``Progress`` its committed ledger held at that
    revision), per worker process, bounded LRU, thread-safe (the database threads share it).

    An entry is only a candidate: the action path reads the player's ``ledger_rev`` in its
    transaction, with the player row locked, and reads the ledger only when the revision differs
    (``queries.LEDGER_IF_CHANGED``). Every ledger write bumps the revision in its transaction
    (``persist_delta``), so a write by another worker, host or process makes the entry stale, never
    wrong. Entries are put after their transaction committed (``server.db``), at the revision it
    left behind."""

    def __init__(self, max_size: int = 16_384) -> None:
        self._items: BoundedLRU[str, tuple[int, Progress]] = BoundedLRU(max_size)
        self._lock = threading.Lock()

    def get(self, player_id: str) -> tuple[int, Progress] | None:
        with self._lock:
            return self._items.get(player_id)

    def put(self, entries: list[tuple[str, int, Progress]]) -> None:
        with self._lock:
            for player_id, rev, progress in entries:
                self._items.put(player_id, (rev, progress))

    def drop(self, player_ids: list[str]) -> None:
        with self._lock:
            self._items.drop(player_ids)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def cached_progress(db: Raw, player_id: str) -> Progress | None:
    """The player's committed progress if the transaction's progress cache has it (SQLite's hot
    writer; PostgreSQL's cache is checked against the revision, see ``RevisionedProgress``)."""
    return None if db.cache is None or db.pg else db.cache.get(player_id)


def load_progress(db: Raw, player_id: str) -> Progress:
    """The player's whole ledger (one UNION ALL query), in insertion order (rules only ever append);
    from the transaction's progress cache when it has the player."""
    cached = cached_progress(db, player_id)
    return cached if cached is not None else progress_from_rows(db, db.all(q.LEDGER, {"p": player_id}))


def progress_from_rows(db: Raw, rows: list[Sequence[Any]]) -> Progress:
    """A ``Progress`` from the rows of ``queries.LEDGER``."""
    grants: list[Grant] = []
    checkins: list[CheckinRecord] = []
    owned: list[Owned] = []
    tasks: list[tuple[str, object]] = []
    shares: list[object] = []
    to_dt, to_day = db.to_dt, db.to_day
    for k, _id, s1, s2, n, day, at in rows:
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


def remember_progress(db: Raw, player_id: str, progress: Progress) -> None:
    """After the transaction wrote ``progress``'s records: what ``load_progress`` reads from now on
    (the transaction's owner drops it again if the transaction does not commit; PostgreSQL: puts it
    in the cache only once it committed, at the revision it left, if the transaction read one)."""
    if db.cache is None:
        return
    if db.pg:
        rev = db.revs.get(player_id)
        if rev is not None:
            db.remembered.append((player_id, rev, progress))
        return
    db.cache.put(player_id, progress)
    db.touched.append(player_id)


def persist_delta(
    db: Raw,
    *,
    player_id: str,
    campaign_id: str,
    device_id: str,
    before: Progress,
    after: Progress,
    share_channel: str = "qr",
    received_at: datetime | None = None,
) -> None:
    """Insert the records ``after`` has beyond ``before``. Unique constraints back the rules up.
    ``received_at``: the server time the action arrived (check-ins keep it for the rate rules)."""
    ts = db.ts
    wrote = False
    for g in after.grants[len(before.grants) :]:
        db.run(q.INSERT_GRANT, {"player_id": player_id, "source": g.source, "steps": g.steps, "at": ts(g.at)})
        wrote = True
    for rec in after.checkins[len(before.checkins) :]:
        db.run(
            q.INSERT_CHECKIN,
            {
                "player_id": player_id, "landmark_id": rec.landmark_id, "mode": str(rec.mode),
                "day": db.day(rec.day), "at": ts(rec.at), "device_id": device_id,
                "received_at": ts(received_at),
            },
        )
        wrote = True
    for item in after.collectibles[len(before.collectibles) :]:
        db.run(
            q.INSERT_OWNED,
            {
                "player_id": player_id, "campaign_id": campaign_id, "collectible_id": item.collectible_id,
                "serial": item.serial, "at": ts(item.at),
            },
        )
        wrote = True
    for task_id, at in after.tasks[len(before.tasks) :]:
        db.run(q.INSERT_TASK, {"player_id": player_id, "task_id": task_id, "at": ts(at)})
        wrote = True
    for at in after.shares[len(before.shares) :]:
        db.run(q.INSERT_SHARE, {"player_id": player_id, "channel": share_channel, "at": ts(at)})
        wrote = True
    if wrote and db.pg:
        # Every worker's cached progress of this player is stale from this commit on.
        db.run(q.BUMP_LEDGER_REV, {"player_id": player_id})
        if player_id in db.revs:
            db.revs[player_id] += 1
