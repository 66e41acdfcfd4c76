"""POST /v1/sync: many players' actions in one request, with the same guarantees as one player's
POST /v1/players/{id}/actions (both backends; SQLite with and without the group commit)."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from server.models import actions, players
from tests.server.conftest import T0, Api, action


@pytest.fixture(params=[True, False], ids=["group", "no-group"])
def sapi(request: pytest.FixtureRequest, make_app: Callable[..., FastAPI]) -> Iterator[Api]:
    app = make_app(group_commit=request.param)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client, app)


def _sync(api: Api, h: dict[str, str], *entries: dict) -> dict:
    r = api.client.post("/v1/sync", headers=h, json={"players": list(entries)})
    assert r.status_code == 200, r.text
    return r.json()


def _count(api: Api, table) -> int:  # type: ignore[no-untyped-def]
    with api.ctx.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(table)))


def test_new_and_known_players_in_one_request_and_a_resend_changes_nothing(sapi: Api) -> None:
    h = sapi.enroll("laptop")
    known = sapi.new_player(h)["player_id"]
    key = secrets.token_urlsafe(24)
    first_new = [action("share"), action("checkin", landmark_id="lm02", mode="learn", quiz_choice=1)]
    first_known = [action("share")]
    body = ({"create_key": key, "actions": first_new}, {"player_id": known, "actions": first_known})
    out = _sync(sapi, h, *body)["players"]
    created = out[0]["player_id"]
    assert created and created != known and out[0]["claim_code"] and out[1]["player_id"] == known
    assert [r["status"] for r in out[0]["results"]] == ["applied", "applied"]
    assert [r["status"] for r in out[1]["results"]] == ["applied"]
    assert out[0]["progress"]["total_steps"] == sum(r["steps"] for r in out[0]["results"])
    assert out[0]["error"] is None and out[1]["error"] is None
    # the answer was lost: the same request again creates nobody and applies nothing twice
    again = _sync(sapi, h, *body)["players"]
    assert again[0]["player_id"] == created
    assert [(r["status"], r["original_status"]) for r in again[0]["results"] + again[1]["results"]] == [
        ("duplicate", "applied")] * 3
    assert again[0]["progress"]["total_steps"] == out[0]["progress"]["total_steps"]
    assert _count(sapi, players) == 2 and _count(sapi, actions) == 3


def test_one_players_error_stays_with_that_player(sapi: Api) -> None:
    h = sapi.enroll("laptop")
    other = sapi.enroll("laptop")
    mine = sapi.new_player(h)["player_id"]
    theirs = sapi.new_player(other)["player_id"]
    out = _sync(sapi, h, {"player_id": theirs, "actions": [action("share")]},
                {"player_id": mine, "actions": [action("share")]})["players"]
    assert out[0]["error"]["code"] == "player_not_found" and out[0]["results"] == []
    assert out[1]["error"] is None and out[1]["results"][0]["status"] == "applied"
    assert _count(sapi, actions) == 1  # nothing stored for the player this device does not hold


def test_an_action_id_held_elsewhere_does_not_stop_the_players_later_actions(sapi: Api) -> None:
    h = sapi.enroll("laptop")
    a, b = sapi.new_player(h)["player_id"], sapi.new_player(h)["player_id"]
    held = action("share")
    assert sapi.act(h, a, held).status_code == 200
    later = action("checkin", landmark_id="lm02", mode="learn", quiz_choice=1)
    out = _sync(sapi, h, {"player_id": b, "actions": [held, later]})["players"][0]
    assert [(r["status"], r["reason"]) for r in out["results"]] == [("rejected", "action_id_conflict"),
                                                                   ("applied", None)]
    assert out["error"] is None


def test_the_per_device_receive_window_still_holds(make_app) -> None:
    """Issue 25's per-device cap by receive time holds across one request: with three check-ins a
    window, a fourth waits (429 in its player's entry, with Retry-After; nothing stored for it)."""
    app = make_app(device_checkins_per_window=3, device_checkin_window_s=60)
    with TestClient(app) as client:
        api = Api(client, app)
        h = api.enroll("laptop")
        ids = [api.new_player(h)["player_id"] for _ in range(4)]

        def scan(lm: str) -> dict:
            return action("checkin", T0, landmark_id=lm, mode="scan", scan_verified=True)

        entries = [{"player_id": pid, "actions": [scan("lm03"), action("share")]} for pid in ids]
        out = _sync(api, h, *entries)["players"]
        assert [[r["status"] for r in p["results"]] for p in out[:3]] == [["applied", "applied"]] * 3
        assert out[3]["results"] == [] and out[3]["error"]["code"] == "rate_limited"
        assert out[3]["error"]["retry_after_s"] >= 1
        with api.ctx.engine.connect() as conn:
            stored = conn.scalar(select(func.count()).select_from(actions).where(actions.c.kind == "checkin"))
        assert stored == 3


def test_a_sync_request_counts_one_request_per_player(make_app) -> None:
    app = make_app(rate_per_s=0.01, rate_burst=5)
    with TestClient(app) as client:
        api = Api(client, app)
        h = api.enroll("laptop")
        ids = [api.new_player(h)["player_id"] for _ in range(3)]  # 3 of the device's 5 requests
        entries = [{"player_id": pid, "actions": [action("share")]} for pid in ids]
        r = client.post("/v1/sync", headers=h, json={"players": entries})  # counts 3: more than the 2 left
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        assert _count(api, actions) == 0


def test_malformed_sync_bodies_are_422(sapi: Api) -> None:
    h = sapi.enroll("laptop")
    pid = sapi.new_player(h)["player_id"]
    bad = [
        {"players": []},
        {"players": [{"player_id": pid, "create_key": secrets.token_urlsafe(24), "actions": [action("share")]}]},
        {"players": [{"player_id": pid, "actions": []}]},
        {"players": [{"actions": [action("share")]}]},
        {"players": [{"player_id": pid, "actions": [action("share", steps=5)]}]},
    ]
    for body in bad:
        r = sapi.client.post("/v1/sync", headers=h, json=body)
        assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error", (body, r.text)
