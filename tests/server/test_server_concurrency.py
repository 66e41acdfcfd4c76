"""Races over real HTTP to a real uvicorn on loopback: limited supply and idempotent replays."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from server.embedded import ThreadedServer
from server.models import checkins, owned, supply
from tests.server.conftest import T0, Api

pytestmark = pytest.mark.slow


def _race(n: int, fn: Any) -> list[Any]:
    """Run ``fn(i)`` in ``n`` threads released together by a barrier."""
    barrier = threading.Barrier(n)

    def run(i: int) -> Any:
        barrier.wait(timeout=30)
        return fn(i)

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n)))


def test_400_claimers_100_units(api: Api, live: ThreadedServer) -> None:
    """400 fresh players scan at once; the golden rabbit (supply 100) is the only special item
    their spawn rules allow, and the server's roll always lets it through (chance 1.0)."""
    devices = [api.enroll(name=f"kiosk-{i}") for i in range(8)]
    players = [(devices[i % 8], api.new_player(devices[i % 8])["player_id"]) for i in range(400)]

    def claim(i: int) -> dict[str, Any]:
        headers, pid = players[i]
        body = {"actions": [{"action_id": str(uuid.uuid4()), "kind": "scan", "client_time": T0.isoformat()}]}
        with requests.Session() as s:
            r = s.post(f"{live.url}/v1/players/{pid}/actions", json=body, headers=headers, timeout=60)
        assert r.status_code == 200, r.text
        return r.json()["results"][0]

    results = _race(400, claim)
    won = [r for r in results if r["status"] == "applied"]
    lost = [r for r in results if r["status"] == "rejected"]
    assert len(won) == 100 and len(lost) == 300
    assert sorted(r["collectible"]["serial"] for r in won) == list(range(1, 101))
    assert all(r["reason"] == "sold_out" and r["consolation"]["collectible_id"] == "lucky-cloud" for r in lost)
    with api.ctx.engine.connect() as conn:
        held = conn.execute(
            select(owned.c.player_id, func.count()).where(owned.c.collectible_id == "golden-rabbit").group_by(owned.c.player_id)
        ).all()
        remaining = conn.scalar(
            select(supply.c.remaining).where(supply.c.campaign_id == "test-city", supply.c.collectible_id == "golden-rabbit")
        )
    assert len(held) == 100 and all(n == 1 for _, n in held)
    assert remaining == 0


def test_same_action_50_times_in_parallel(api: Api, live: ThreadedServer) -> None:
    headers = api.enroll()
    pid = api.new_player(headers)["player_id"]
    body = {
        "actions": [
            {"action_id": str(uuid.uuid4()), "kind": "checkin", "client_time": T0.isoformat(),
             "landmark_id": "lm04", "mode": "scan", "scan_verified": True}
        ]
    }

    def send(_i: int) -> dict[str, Any]:
        r = requests.post(f"{live.url}/v1/players/{pid}/actions", json=body, headers=headers, timeout=60)
        assert r.status_code == 200, r.text
        return r.json()

    out = _race(50, send)
    statuses = sorted(o["results"][0]["status"] for o in out)
    assert statuses.count("applied") == 1 and statuses.count("duplicate") == 49
    assert all(o["results"][0]["steps"] == 20 for o in out)
    assert all(o["progress"]["total_steps"] == 20 for o in out)
    with api.ctx.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(checkins)) == 1


def test_same_item_different_action_ids_one_player(api: Api, live: ThreadedServer) -> None:
    """20 scans of one player at once: one limited attempt a day, so one golden rabbit."""
    headers = api.enroll()
    pid = api.new_player(headers)["player_id"]

    def send(_i: int) -> str:
        body = {"actions": [{"action_id": str(uuid.uuid4()), "kind": "scan", "client_time": T0.isoformat()}]}
        r = requests.post(f"{live.url}/v1/players/{pid}/actions", json=body, headers=headers, timeout=60)
        assert r.status_code == 200, r.text
        return (r.json()["results"][0]["collectible"] or {}).get("collectible_id")

    items = _race(20, send)
    assert items.count("golden-rabbit") == 1
    r = requests.get(f"{live.url}/v1/collectibles/golden-rabbit/supply", timeout=10).json()
    assert r["remaining"] == 99
