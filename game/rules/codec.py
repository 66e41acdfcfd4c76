"""Progress and actions as plain JSON-ready dicts (pure; used by the local store and the sync outbox)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from game.rules.calendar import require_aware
from game.rules.content import CheckinMode
from game.rules.progress import (
    Action,
    CheckIn,
    CheckinRecord,
    Collect,
    Grant,
    Owned,
    Progress,
    Scan,
    Share,
    TaskDone,
)

Json = dict[str, Any]


def _ts(value: datetime) -> str:
    return require_aware(value).isoformat()


def _dt(value: str) -> datetime:
    return require_aware(datetime.fromisoformat(value))


def progress_to_json(progress: Progress) -> Json:
    return {
        "grants": [{"source": g.source, "steps": g.steps, "at": _ts(g.at)} for g in progress.grants],
        "checkins": [
            {"landmark_id": c.landmark_id, "mode": str(c.mode), "day": c.day.isoformat(), "at": _ts(c.at)}
            for c in progress.checkins
        ],
        "collectibles": [
            {"collectible_id": o.collectible_id, "serial": o.serial, "at": _ts(o.at)} for o in progress.collectibles
        ],
        "tasks": [{"task_id": tid, "at": _ts(at)} for tid, at in progress.tasks],
        "shares": [_ts(at) for at in progress.shares],
    }


def progress_from_json(data: Json) -> Progress:
    """Inverse of ``progress_to_json``; raises ValueError/KeyError/TypeError on malformed data."""
    return Progress(
        grants=tuple(Grant(g["source"], int(g["steps"]), _dt(g["at"])) for g in data.get("grants", ())),
        checkins=tuple(
            CheckinRecord(c["landmark_id"], CheckinMode(c["mode"]), date.fromisoformat(c["day"]), _dt(c["at"]))
            for c in data.get("checkins", ())
        ),
        collectibles=tuple(
            Owned(o["collectible_id"], None if o.get("serial") is None else int(o["serial"]), _dt(o["at"]))
            for o in data.get("collectibles", ())
        ),
        tasks=tuple((t["task_id"], _dt(t["at"])) for t in data.get("tasks", ())),
        shares=tuple(_dt(s) for s in data.get("shares", ())),
    )


def action_to_json(action: Action) -> Json:
    """The action's own fields with a ``kind`` tag (no id or time: the outbox adds those)."""
    match action:
        case CheckIn():
            return {
                "kind": "checkin",
                "landmark_id": action.landmark_id,
                "mode": str(action.mode),
                "quiz_choice": action.quiz_choice,
                "scan_verified": action.scan_verified,
            }
        case Collect():
            return {"kind": "collect", "collectible_id": action.collectible_id, "serial": action.serial}
        case Share():
            return {"kind": "share", "channel": action.channel}
        case TaskDone():
            return {"kind": "task", "task_id": action.task_id}
        case Scan():
            return {"kind": "scan"}
    raise TypeError(f"not an action: {action!r}")


def action_from_json(data: Json) -> Action:
    kind = data.get("kind")
    if kind == "checkin":
        choice = data.get("quiz_choice")
        return CheckIn(
            data["landmark_id"],
            CheckinMode(data["mode"]),
            None if choice is None else int(choice),
            bool(data.get("scan_verified", False)),
        )
    if kind == "collect":
        serial = data.get("serial")
        return Collect(data["collectible_id"], None if serial is None else int(serial))
    if kind == "share":
        return Share(str(data.get("channel", "qr")))
    if kind == "task":
        return TaskDone(data["task_id"])
    if kind == "scan":
        return Scan()
    raise ValueError(f"unknown action kind {kind!r}")
