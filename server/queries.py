"""Hot-path statements, built once (immutable SQL constructs with bind parameters).

Building a Core statement costs ~4x executing a prebuilt one; the check-in path runs about a
dozen statements per action, so these are shared (they hold no state).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Date,
    Integer,
    Select,
    String,
    Table,
    bindparam,
    cast,
    func,
    literal,
    null,
    select,
    union_all,
    update,
)

from server.models import (
    actions,
    checkins,
    devices,
    grants,
    owned,
    player_devices,
    players,
    shares,
    supply,
    tasks_done,
)

DEVICE_BY_TOKEN = select(devices.c.id, devices.c.kind, devices.c.landmark_id).where(
    devices.c.token_hash == bindparam("token_hash")
)

_ACCESS = (
    select(players.c.id, players.c.campaign_id)
    .join(player_devices, player_devices.c.player_id == players.c.id)
    .where(players.c.id == bindparam("player_id"), player_devices.c.device_id == bindparam("device_id"))
)
PLAYER_FOR_DEVICE = _ACCESS
# PostgreSQL: also lock the player row, so one player's actions are decided one at a time.
PLAYER_FOR_DEVICE_LOCKED = _ACCESS.with_for_update(of=players.c.id)
PLAYER_LOCK = select(players.c.id).where(players.c.id == bindparam("player_id")).with_for_update()

ACTION_SEEN = select(actions.c.player_id, actions.c.result).where(actions.c.action_id == bindparam("action_id"))

def _ledger_part(kind: int, table: Table, s1: Any, s2: Any, n: Any, day: Any) -> Select[Any]:
    return select(
        literal(kind, Integer).label("k"),
        table.c.id.label("id"),
        s1.label("s1"),
        s2.label("s2"),
        n.label("n"),
        day.label("day"),
        table.c.at.label("at"),
    ).where(table.c.player_id == bindparam("p"))


_NO_STR, _NO_INT, _NO_DATE = cast(null(), String), cast(null(), Integer), cast(null(), Date)
# The whole ledger in one round trip: k = 0 grants, 1 check-ins, 2 owned, 3 tasks, 4 shares.
LEDGER = union_all(
    _ledger_part(0, grants, grants.c.source, _NO_STR, grants.c.steps, _NO_DATE),
    _ledger_part(1, checkins, checkins.c.landmark_id, checkins.c.mode, _NO_INT, checkins.c.day),
    _ledger_part(2, owned, owned.c.collectible_id, _NO_STR, owned.c.serial, _NO_DATE),
    _ledger_part(3, tasks_done, tasks_done.c.task_id, _NO_STR, _NO_INT, _NO_DATE),
    _ledger_part(4, shares, _NO_STR, _NO_STR, _NO_INT, _NO_DATE),
).order_by("k", "id")

DEVICE_CHECKINS_SINCE = (
    select(func.count())
    .select_from(checkins)
    .where(checkins.c.device_id == bindparam("device_id"), checkins.c.at > bindparam("since"))
)

TAKE_ONE = (
    update(supply)
    .where(
        supply.c.campaign_id == bindparam("b_campaign_id"),
        supply.c.collectible_id == bindparam("b_collectible_id"),
        supply.c.remaining > 0,
    )
    .values(remaining=supply.c.remaining - 1)
    .returning(supply.c.total, supply.c.remaining)
)

INSERT_ACTION = actions.insert()
INSERT_GRANT = grants.insert()
INSERT_CHECKIN = checkins.insert()
INSERT_OWNED = owned.insert()
INSERT_TASK = tasks_done.insert()
INSERT_SHARE = shares.insert()
