"""Abuse over real HTTP (uvicorn on loopback), on SQLite and PostgreSQL: what one enrolled device,
or an outsider, can take. Each test asserts the cap or the 4xx.

Farming runs against ``tight-city`` (tests/server/pack.py): the test content with the caps of a
real pack (one limited attempt per player per day, four special grants per device per hour, ten
limited grants per campaign day, three scan check-ins per player per day).
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
import requests
from fastapi import FastAPI
from sqlalchemy import func, select

from server.embedded import ThreadedServer
from server.models import admin_audit, events, owned
from tests.server.conftest import T0, Api, FakeClock, action
from tests.server.pack import LANDMARK_IDS, TIGHT_ID


class Http:
    """A device's view of the live server: requests over a real socket."""

    def __init__(self, live: ThreadedServer, api: Api) -> None:
        self.url = live.url
        self.api = api
        self.s = requests.Session()

    def post(self, path: str, body: Any = None, headers: dict[str, str] | None = None) -> requests.Response:
        return self.s.post(self.url + path, json=body, headers=headers or {}, timeout=30)

    def get(self, path: str, headers: dict[str, str] | None = None) -> requests.Response:
        return self.s.get(self.url + path, headers=headers or {}, timeout=30)

    def enroll(self, kind: str = "laptop") -> dict[str, str]:
        r = self.post("/v1/devices/enroll", {"enrollment_code": self.api.code(kind), "name": "attacker", "kind": kind})
        assert r.status_code == 201, r.text
        return {"Authorization": f"Bearer {r.json()['device_token']}"}

    def player(self, h: dict[str, str], campaign_id: str = TIGHT_ID) -> str:
        r = self.post("/v1/players", {"campaign_id": campaign_id}, h)
        assert r.status_code == 201, r.text
        return r.json()["player_id"]

    def act(self, h: dict[str, str], pid: str, *actions: dict[str, Any]) -> requests.Response:
        return self.post(f"/v1/players/{pid}/actions", {"actions": list(actions)}, h)


@pytest.fixture
def http(api: Api, live: ThreadedServer) -> Iterator[Http]:
    client = Http(live, api)
    yield client
    client.s.close()


def _live(make_app: Callable[..., FastAPI], **changes: Any) -> tuple[Api, ThreadedServer]:
    from fastapi.testclient import TestClient

    app = make_app(**changes)
    return Api(TestClient(app), app), ThreadedServer(app)


def test_one_device_cannot_farm_the_limited_item(http: Http, api: Api) -> None:
    """One laptop, 40 fresh players, a scan each: the golden rabbit would emerge every time
    (chance 1.0), but the device gets at most its four special grants an hour."""
    h = http.enroll()
    # Asking for it by name is refused: limited items come from the server's roll only.
    pid = http.player(h)
    res = http.act(h, pid, action("collect", collectible_id="golden-rabbit")).json()["results"][0]
    assert res["status"] == "rejected" and res["reason"] == "server_roll_required"
    got = []
    for _ in range(40):
        pid = http.player(h)
        r = http.act(h, pid, action("scan"), action("scan"), action("scan"))
        assert r.status_code == 200, r.text
        got += [(x["collectible"] or {}).get("collectible_id") for x in r.json()["results"]]
    assert got.count("golden-rabbit") == 4  # special_grants_per_device_hour
    with api.ctx.engine.connect() as conn:
        held = conn.scalar(
            select(func.count()).select_from(owned).where(
                owned.c.campaign_id == TIGHT_ID, owned.c.collectible_id == "golden-rabbit"
            )
        )
    assert held == 4


def test_the_campaign_day_cap_holds_across_devices(http: Http) -> None:
    """Many devices together: no more than ``limited_grants_per_day`` (10) limited grants a day."""
    got = 0
    for _ in range(4):
        h = http.enroll()
        for _ in range(4):
            res = http.act(h, http.player(h), action("scan")).json()["results"][0]
            got += (res["collectible"] or {}).get("collectible_id") == "golden-rabbit"
    assert got == 10


def test_one_request_earns_a_bounded_number_of_steps(http: Http) -> None:
    """A crafted batch: every landmark in scan mode, the quiz, a share, each also back-dated
    over the month and sent ahead: a day's worth at most (three scan check-ins, the quiz, one share)."""
    h = http.enroll()
    pid = http.player(h)
    batch: list[dict[str, Any]] = []
    for days in range(0, 10, 3):
        when = T0 - timedelta(days=days)
        batch += [action("checkin", when, landmark_id=lm, mode="scan", scan_verified=True) for lm in LANDMARK_IDS[2:]]
        batch += [action("quiz", when, landmark_id="lm02", choice=1), action("share", when)]
    batch.append(action("share", T0 + timedelta(days=1)))
    r = http.act(h, pid, *batch[:100])
    progress = http.get(f"/v1/players/{pid}/progress", h).json()
    assert r.status_code in (200, 429)
    assert progress["total_steps"] <= 3 * 20 + (15 + 10) + 20
    assert progress["tier"] is None or progress["tier"]["id"] == "bronze"


def test_back_dating_320_checkins_one_minute_apart_fails(
    make_app: Callable[..., FastAPI], clock: FakeClock
) -> None:
    """A device enrolled ten days ago sends 320 check-ins stamped one minute apart (each window
    of device time looks calm): by receive time the device is at its 30 a minute."""
    api, live = _live(make_app)
    try:
        clock.now = T0 - timedelta(days=10)
        http = Http(live, api)
        h = http.enroll()
        players = [http.player(h, "test-city") for _ in range(20)]
        clock.now = T0
        start = T0 - timedelta(minutes=320)
        statuses: list[int] = []
        applied = 0
        for i in range(320):
            lm = LANDMARK_IDS[i % 15 + 1]
            when = start + timedelta(minutes=i)
            r = http.act(h, players[i // 16], action("checkin", when, landmark_id=lm, mode="scan", scan_verified=True))
            statuses.append(r.status_code)
            if r.status_code == 200:
                applied += r.json()["results"][0]["status"] == "applied"
        assert applied <= api.ctx.settings.device_checkins_per_window  # 30
        assert set(statuses) <= {200, 429} and statuses.count(429) >= 320 - 30 - 40  # the rest: rule rejections
        # and a time before the device's enrolment is refused outright
        old = http.act(h, players[0], action("checkin", T0 - timedelta(days=11), landmark_id="lm01", mode="scan",
                                             scan_verified=True))
        assert old.status_code in (200, 429)
        if old.status_code == 200:
            assert old.json()["results"][0]["reason"] == "client_time_out_of_range"
        http.s.close()
    finally:
        live.stop()


def test_token_flood_gets_429(http: Http) -> None:
    """Made-up bearer tokens: 401 until the address has used its failures, then 429, also when
    the flooder rotates X-Forwarded-For (no proxy is configured, so it is ignored)."""
    codes = []
    for i in range(120):
        headers = {"Authorization": f"Bearer {uuid.uuid4().hex}", "X-Forwarded-For": f"10.0.{i // 250}.{i % 250}"}
        codes.append(http.get(f"/v1/players/{uuid.uuid4()}/progress", headers).status_code)
    assert set(codes) <= {401, 429} and codes.count(401) <= 20 and codes.count(429) >= 100
    r = http.get(f"/v1/players/{uuid.uuid4()}/progress", {"Authorization": "Bearer x"})
    assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limited" and "retry-after" in r.headers


def test_forwarded_for_is_believed_only_from_configured_proxies(make_app: Callable[..., FastAPI]) -> None:
    api, live = _live(make_app, forwarded_allow_ips=("127.0.0.1",))
    try:
        http = Http(live, api)
        # Behind the configured proxy each client address has its own failures ...
        for i in range(30):
            r = http.get("/v1/campaigns/test-city/answers", {"Authorization": "Bearer bad", "X-Forwarded-For": f"203.0.113.{i}"})
            assert r.status_code == 401
        # ... and one address that keeps failing is limited.
        codes = [
            http.get("/v1/campaigns/test-city/answers", {"Authorization": "Bearer bad", "X-Forwarded-For": "198.51.100.7"}).status_code
            for _ in range(30)
        ]
        assert codes.count(429) >= 10
        http.s.close()
    finally:
        live.stop()


def test_enrolment_and_claim_code_guessing_is_limited(http: Http) -> None:
    guesses = [
        http.post("/v1/devices/enroll", {"enrollment_code": uuid.uuid4().hex[:10], "name": "x", "kind": "kiosk"})
        for _ in range(40)
    ]
    codes = [g.status_code for g in guesses]
    assert codes.count(401) <= 20 and codes.count(429) >= 20
    assert guesses[-1].json()["error"]["code"] == "rate_limited"


def test_one_code_is_limited_whatever_the_address(make_app: Callable[..., FastAPI]) -> None:
    """Per code: 20 wrong tries of one claim code from 20 addresses lock that code."""
    api, live = _live(make_app, forwarded_allow_ips=("127.0.0.1",))
    try:
        http = Http(live, api)
        h = http.enroll()
        codes = [
            http.post("/v1/players/claim", {"claim_code": "AAAA-BBBB-CCCCC"}, {**h, "X-Forwarded-For": f"192.0.2.{i}"}).status_code
            for i in range(25)
        ]
        assert codes[:20] == [404] * 20 and set(codes[20:]) == {429}
        http.s.close()
    finally:
        live.stop()


def test_cross_device_events_are_refused(http: Http, api: Api) -> None:
    a, b = http.enroll(), http.enroll()
    theirs = http.player(a)
    mine = http.player(b)

    def event(player: str | None) -> dict[str, Any]:
        return {"event_id": str(uuid.uuid4()), "name": "scan", "at": T0.isoformat(), "player_id": player, "props": {}}

    for player in (theirs, str(uuid.uuid4()), "p" * 50):  # another device's, unknown, 37-64 characters
        r = http.post("/v1/events", {"events": [event(mine), event(player)]}, b)
        assert r.status_code == 403 and r.json()["error"]["code"] == "foreign_player", r.text
    with api.ctx.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(events)) == 0
    ok = http.post("/v1/events", {"events": [event(mine), event(None)]}, b)
    assert ok.status_code == 200 and ok.json()["accepted"] == 2


def test_replay_with_a_changed_body_is_a_conflict(http: Http) -> None:
    h = http.enroll()
    pid = http.player(h, "test-city")
    first = action("share")
    assert http.act(h, pid, first).json()["results"][0]["status"] == "applied"
    assert http.act(h, pid, first).json()["results"][0]["status"] == "duplicate"
    for changed in ({**first, "channel": "wechat"}, {**first, "kind": "scan"}):
        r = http.act(h, pid, changed)
        assert r.status_code == 409 and r.json()["error"]["code"] == "action_id_conflict", r.text
    other = http.player(h, "test-city")
    assert http.act(h, other, first).status_code == 409


def test_revoked_device_gets_invalid_token(http: Http, api: Api) -> None:
    h = http.enroll()
    pid = http.player(h)
    me = http.get(f"/v1/players/{pid}/progress", h)
    assert me.status_code == 200
    device_id = _device_id(api, h)
    admin = {"Authorization": f"Bearer {api.admin_token()}"}
    assert http.post(f"/v1/admin/devices/{device_id}/revoke", None, h).status_code == 401  # a device is no admin
    r = http.post(f"/v1/admin/devices/{device_id}/revoke", None, admin)
    assert r.status_code == 200 and r.json()["device_id"] == device_id
    gone = http.get(f"/v1/players/{pid}/progress", h)
    assert gone.status_code == 401 and gone.json()["error"]["code"] == "invalid_token"
    assert http.post(f"/v1/admin/devices/{uuid.uuid4()}/revoke", None, admin).status_code == 404
    with api.ctx.engine.connect() as conn:
        audit = conn.execute(select(admin_audit.c.action, admin_audit.c.target, admin_audit.c.admin)).all()
    assert [(a, t) for a, t, _ in audit] == [("device.revoke", device_id)] and audit[0][2] == "test"


def _device_id(api: Api, headers: dict[str, str]) -> str:
    from server.models import devices
    from server.security import token_hash

    token = headers["Authorization"].split()[1]
    with api.ctx.engine.connect() as conn:
        return conn.scalar(select(devices.c.id).where(devices.c.token_hash == token_hash(token)))


# ---- crafted input: JSON 4xx, never a 500 ------------------------------------------------------


def _raw(live: ThreadedServer, data: bytes) -> bytes:
    with socket.create_connection((live.host, live.port), timeout=10) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def test_bad_content_length_is_a_json_400(http: Http, live: ThreadedServer) -> None:
    out = _raw(live, b"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 12abc\r\n\r\n{}")
    head, _, body = out.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400") and b"application/json" in head.lower()
    assert b'"code": "bad_request"' in body


def test_body_cut_off_mid_upload_is_a_disconnect(
    http: Http, live: ThreadedServer, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    h = http.enroll()
    pid = http.player(h, "test-city")
    head = (
        f"POST /v1/players/{pid}/actions HTTP/1.1\r\nHost: x\r\nAuthorization: {h['Authorization']}\r\n"
        "Content-Type: application/json\r\nContent-Length: 4000\r\n\r\n"
    ).encode()
    with caplog.at_level(logging.INFO):
        with socket.create_connection((live.host, live.port), timeout=10) as sock:
            sock.sendall(head + b'{"actions": [{"action_id": "')
        # the next request is served normally once the server has seen the disconnect
        assert http.get("/v1/health").status_code == 200
        assert http.get(f"/v1/players/{pid}/progress", h).status_code == 200
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []


def test_numeric_times_are_refused(http: Http) -> None:
    h = http.enroll()
    pid = http.player(h, "test-city")
    bad = {**action("share"), "client_time": 1_800_000_000}
    r = http.act(h, pid, bad)
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"
    ev = {"event_id": str(uuid.uuid4()), "name": "scan", "at": 1_800_000_000, "props": {}}
    assert http.post("/v1/events", {"events": [ev]}, h).status_code == 422


def test_lone_surrogate_in_event_props_drops_that_event_alone(http: Http) -> None:
    h = http.enroll()
    good = {"event_id": str(uuid.uuid4()), "name": "scan", "at": T0.isoformat(), "props": {"a": "ok"}}
    bad_id = str(uuid.uuid4())
    raw = (
        '{"events": [' + requests.models.complexjson.dumps(good)
        + ', {"event_id": "' + bad_id + '", "name": "scan", "at": "' + T0.isoformat() + '", "props": {"a": "\\ud800"}}]}'
    )
    r = http.s.post(http.url + "/v1/events", data=raw.encode(), headers={**h, "Content-Type": "application/json"}, timeout=30)
    assert r.status_code == 200, r.text
    assert r.json() == {"accepted": 1, "duplicates": 0, "rejected": 1, "rejected_ids": [bad_id]}


def test_non_ascii_signature_is_a_401(http: Http) -> None:
    r = http.s.post(
        http.url + "/v1/partner/task-events",
        data=b'{"event_id": "e1", "player_id": "p", "task_id": "wallet-open"}',
        headers={"Content-Type": "application/json", "X-Timestamp": str(int(T0.timestamp())),
                 "X-Signature": "sha256=\u00e9\u00e9"},
        timeout=30,
    )
    assert r.status_code == 401 and r.json()["error"]["code"] == "bad_signature", r.text
