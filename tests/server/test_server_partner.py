"""Partner webhook: HMAC signature, timestamp tolerance, replays, task limits."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from server.security import sign
from tests.server.conftest import PARTNER_SECRET, Api, FakeClock


def _post(api: Api, body: dict[str, Any], *, ts: int, secret: str = PARTNER_SECRET, sig: str | None = None):
    raw = json.dumps(body).encode()
    signature = sig or "sha256=" + sign(secret, str(ts), raw)
    headers = {"X-Timestamp": str(ts), "X-Signature": signature, "Content-Type": "application/json"}
    return api.client.post("/v1/partner/task-events", content=raw, headers=headers)


def _player(api: Api) -> tuple[dict[str, str], str]:
    h = api.enroll()
    return h, api.new_player(h)["player_id"]


def test_signed_event_applies_task(api: Api, clock: FakeClock) -> None:
    h, pid = _player(api)
    ts = int(clock.now.timestamp())
    r = _post(api, {"event_id": "bank-1", "player_id": pid, "task_id": "wallet-open"}, ts=ts)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "applied" and r.json()["steps"] == 100 and r.json()["tier"] == "bronze"
    prog = api.client.get(f"/v1/players/{pid}/progress", headers=h).json()
    assert prog["month_steps"] == 100
    assert {t["task_id"]: t["complete"] for t in prog["tasks"]} == {"wallet-open": True, "transfer": False}
    # monthly limit: a second wallet-open (new event) is recorded but rejected
    r = _post(api, {"event_id": "bank-2", "player_id": pid, "task_id": "wallet-open"}, ts=ts)
    assert r.json()["status"] == "rejected" and r.json()["reason"] == "task_monthly_limit_reached"


def test_bad_signature_stale_timestamp_and_replay(api: Api, clock: FakeClock) -> None:
    _, pid = _player(api)
    ts = int(clock.now.timestamp())
    body = {"event_id": "bank-9", "player_id": pid, "task_id": "transfer"}
    bad = _post(api, body, ts=ts, secret="wrong")
    assert bad.status_code == 401 and bad.json()["error"]["code"] == "bad_signature"
    garbage = _post(api, body, ts=ts, sig="sha256=deadbeef")
    assert garbage.status_code == 401
    stale = _post(api, body, ts=ts - 301)
    assert stale.status_code == 401 and stale.json()["error"]["code"] == "stale_timestamp"
    future = _post(api, body, ts=ts + 301)
    assert future.status_code == 401
    ok = _post(api, body, ts=ts - 299)
    assert ok.status_code == 200, ok.text
    replay = _post(api, body, ts=ts - 299)  # same signature
    assert replay.status_code == 409 and replay.json()["error"]["code"] == "replay"
    same_id = _post(api, body, ts=ts)  # same event id, fresh signature
    assert same_id.status_code == 409
    missing = api.client.post("/v1/partner/task-events", json=body)
    assert missing.status_code == 422


def test_unknown_player_and_task(api: Api, clock: FakeClock) -> None:
    _, pid = _player(api)
    ts = int(clock.now.timestamp())
    r = _post(api, {"event_id": "e1", "player_id": "ghost", "task_id": "transfer"}, ts=ts)
    assert r.status_code == 404
    r = _post(api, {"event_id": "e2", "player_id": pid, "task_id": "lottery"}, ts=ts)
    assert r.status_code == 200 and r.json()["reason"] == "unknown_task"


def test_no_secret_means_503(make_app, clock: FakeClock) -> None:
    app = make_app(partner_secret=None)
    with TestClient(app) as client:
        api = Api(client, app)
        r = _post(api, {"event_id": "e1", "player_id": "p", "task_id": "transfer"}, ts=int(clock.now.timestamp()))
    assert r.status_code == 503 and r.json()["error"]["code"] == "partner_not_configured"
