"""What one enrolled laptop can take, with the real campaign pack and the default limits.

    .venv/bin/python bench/farm.py [--seconds 60] [--server-root PATH] [--out FILE]

Starts ``python -m server`` (SQLite, default settings, campaign jade-rabbit-chongqing) from
``--server-root`` (default: this checkout; point it at an export of another revision to measure
that one), enrols one laptop and, as an attacker holding the pack from disk (quiz answers
included), measures:

- **serials in 60 s**: new player after new player, each one request of quiz check-ins at the
  unlocked landmarks (the limited item needs five distinct check-ins), then a ``collect`` of the
  limited item by name and three ``scan`` actions, each player's actions stamped two minutes
  further back than the previous one's; counts the limited serials handed out;
- **steps in one request**: a new player, one request of 100 actions: scan and quiz check-ins at
  every landmark, stamped over the last days of the month, and a share a day; reports the month's
  steps and tier after it.

The laptop's enrolment is back-dated 40 days in the database before it makes a request (a device
enrolled long ago: the worst case for the offline-credit window). Writes a JSON with the machine info.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.liveserver import free_port, wait_healthy  # noqa: E402
from bench.machine import machine_info  # noqa: E402
from game.content import CAMPAIGNS_DIR, load_campaign  # noqa: E402
from game.rules.content import CheckinMode, Rarity  # noqa: E402

CAMPAIGN = "jade-rabbit-chongqing"


def _act(kind: str, at: datetime, **fields: Any) -> dict[str, Any]:
    return {"action_id": str(uuid.uuid4()), "kind": kind, "client_time": at.isoformat(), **fields}


class Attacker:
    def __init__(self, base: str, token: str) -> None:
        self.base = base
        self.s = requests.Session()
        self.s.headers["Authorization"] = f"Bearer {token}"

    def player(self) -> str | None:
        r = self.s.post(self.base + "/v1/players", timeout=30)
        return r.json()["player_id"] if r.status_code == 201 else None

    def act(self, pid: str, actions: list[dict[str, Any]]) -> requests.Response:
        return self.s.post(f"{self.base}/v1/players/{pid}/actions", json={"actions": actions}, timeout=60)


def farm(att: Attacker, seconds: float) -> dict[str, Any]:
    campaign = load_campaign(CAMPAIGN, CAMPAIGNS_DIR)
    limited = next(c for c in campaign.collectibles if c.rarity is Rarity.LIMITED)
    quizzes = [lm for lm in campaign.city.landmarks if lm.unlock_after == 0 and lm.quiz is not None]
    serials: list[int] = []
    statuses: dict[str, int] = {}
    players = 0
    scans = 3  # a server without the scan action answers 422: then the attack does without
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pid = att.player()
        if pid is None:
            statuses["player_refused"] = statuses.get("player_refused", 0) + 1
            time.sleep(0.2)
            continue
        players += 1
        # Each player's check-ins stamped in a minute of their own, further back each time: every
        # window of device time looks calm (the back-dating the audit used).
        now = datetime.now(UTC) - timedelta(minutes=2 * players)
        actions = [_act("quiz", now, landmark_id=lm.id, choice=lm.quiz.answer) for lm in quizzes[:6] if lm.quiz]
        actions.append(_act("collect", now, collectible_id=limited.id))
        r = att.act(pid, actions + [_act("scan", now) for _ in range(scans)])
        if r.status_code == 422 and scans:
            scans = 0
            r = att.act(pid, actions)
        statuses[str(r.status_code)] = statuses.get(str(r.status_code), 0) + 1
        if r.status_code == 429:
            time.sleep(min(5.0, float(r.headers.get("retry-after", "1"))))
        if r.status_code != 200:
            continue
        for res in r.json()["results"]:
            item = res.get("collectible") or {}
            if item.get("collectible_id") == limited.id and item.get("serial"):
                serials.append(item["serial"])
    return {"seconds": seconds, "players": players, "limited_serials": len(serials), "responses": statuses}


def one_request(att: Attacker) -> dict[str, Any]:
    campaign = load_campaign(CAMPAIGN, CAMPAIGNS_DIR)
    pid = att.player()
    assert pid is not None
    now = datetime.now(UTC)
    order = sorted(campaign.city.landmarks, key=lambda lm: lm.unlock_after)
    actions: list[dict[str, Any]] = []
    for days in range(0, now.day):  # the days of this month so far, newest first
        at = now - timedelta(days=days)
        for lm in order:
            if CheckinMode.SCAN in lm.modes:
                actions.append(_act("checkin", at, landmark_id=lm.id, mode="scan", scan_verified=True))
            if lm.quiz is not None:
                actions.append(_act("quiz", at + timedelta(minutes=1), landmark_id=lm.id, choice=lm.quiz.answer))
        actions.append(_act("share", at))
    r = att.act(pid, actions[:100])
    if r.status_code != 200:
        print("steps request:", r.status_code, r.text[:300], file=sys.stderr)
    progress = att.s.get(f"{att.base}/v1/players/{pid}/progress", timeout=30).json()
    return {
        "actions_sent": min(100, len(actions)),
        "status": r.status_code,
        "month_steps": progress["month_steps"],
        "tier": (progress.get("tier") or {}).get("id"),
        "top_tier": campaign.tiers[-1].id,
        "top_tier_threshold": campaign.tiers[-1].threshold,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--server-root", type=Path, default=ROOT, help="checkout whose server to start")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "farm.json")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-farm-") as tmp:
        data = Path(tmp)
        env = {**os.environ, "CAMPAIGN_ID": CAMPAIGN, "PYTHONPATH": str(args.server_root)}
        env.pop("DATABASE_URL", None)
        common = ["--data-dir", str(data)]
        code = subprocess.run(
            [sys.executable, "-m", "server", *common, "enroll", "--kind", "laptop"],
            cwd=args.server_root, env=env, check=True, capture_output=True, text=True,
        ).stdout.split()[0]
        port = free_port()
        log = open(data / "server.log", "w")  # noqa: SIM115 - closed below
        proc = subprocess.Popen(
            [sys.executable, "-m", "server", *common, "--port", str(port)],
            cwd=args.server_root, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(base, proc, data / "server.log")
            r = requests.post(base + "/v1/devices/enroll", json={"enrollment_code": code, "name": "demo", "kind": "laptop"})
            r.raise_for_status()
            token = r.json()["device_token"]
            with sqlite3.connect(data / "server.db") as db:  # enrolled 40 days ago
                then = (datetime.now(UTC) - timedelta(days=40)).replace(tzinfo=None).isoformat(sep=" ")
                db.execute("UPDATE devices SET created_at = ?", (then,))
            att = Attacker(base, token)
            steps = one_request(att)
            farmed = farm(att, args.seconds)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            log.close()
    result = {
        "benchmark": "one enrolled laptop, real campaign pack, default limits",
        "server_root": str(args.server_root),
        "machine": machine_info(note="shared 2-core machine; loadavg_1m_before shows other load"),
        "loadavg_1m_before": round(load_before, 2),
        "steps_in_one_request": steps,
        "farm": farmed,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({"steps_in_one_request": steps, "farm": farmed}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
