"""Collectibles: common, hidden (spawn rules enforced server-side), limited supply and consolation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient

from tests.server.conftest import T0, Api, FakeClock, ScriptedRng, action


def test_common_collect_once(api: Api) -> None:
    h = api.enroll()
    pid = api.new_player(h)["player_id"]
    r = api.act(h, pid, action("collect", collectible_id="paper-cut"), action("collect", collectible_id="paper-cut"))
    res = r.json()["results"]
    assert res[0]["status"] == "applied" and res[0]["collectible"] == {"collectible_id": "paper-cut", "serial": None}
    assert res[1]["reason"] == "already_owned"
    unknown = api.act(h, pid, action("collect", collectible_id="dragon")).json()["results"][0]
    assert unknown["reason"] == "unknown_collectible"
    assert [c["collectible_id"] for c in r.json()["progress"]["collectibles"]] == ["paper-cut"]


def scan(api: Api, h: dict[str, str], pid: str, when: datetime = T0) -> dict[str, Any]:
    r = api.act(h, pid, action("scan", when))
    assert r.status_code == 200, r.text
    return r.json()["results"][0]


def test_limited_and_hidden_only_from_the_server_roll(api: Api) -> None:
    h = api.enroll()
    pid = api.new_player(h)["player_id"]
    for item in ("golden-rabbit", "jade-seal", "night-lantern"):
        res = api.act(h, pid, action("collect", collectible_id=item)).json()["results"][0]
        assert res["status"] == "rejected" and res["reason"] == "server_roll_required"


def test_scan_rolls_the_spawn_rules_at_the_credited_time(make_app: Callable[..., Any], clock: FakeClock) -> None:
    # gate 0.0 (every chance passes), pick 0.99 (the last item of the eligible pool)
    with TestClient(make_app(rng=ScriptedRng(0.0, 0.99)), raise_server_exceptions=False) as client:
        api = Api(client, client.app)  # type: ignore[arg-type]
        h = api.enroll()
        pid = api.new_player(h)["player_id"]
        # noon, no check-ins: the hidden lantern and the jade seal are not eligible; the golden rabbit wins
        first = scan(api, h, pid)
        assert first["status"] == "applied" and first["collectible"]["collectible_id"] == "golden-rabbit"
        assert first["collectible"]["serial"] == 1
        for lm in ("lm03", "lm04"):
            api.act(h, pid, action("checkin", clock.now, landmark_id=lm, mode="scan", scan_verified=True))
        clock.advance(hours=7)  # 19:00 local: the hidden lantern's hours; the limited attempt of the day is used
        second = scan(api, h, pid, clock.now)
        assert second["collectible"] == {"collectible_id": "night-lantern", "serial": None}
        # Nothing special left for today: a common one emerges.
        third = scan(api, h, pid, clock.now)
        assert third["status"] == "applied" and third["collectible"]["collectible_id"] in ("paper-cut", "lucky-cloud")


def test_scan_with_nothing_left_to_emerge(make_app: Callable[..., Any]) -> None:
    with TestClient(make_app(rng=ScriptedRng(0.5, 0.5)), raise_server_exceptions=False) as client:
        api = Api(client, client.app)  # type: ignore[arg-type]
        h = api.enroll()
        pid = api.new_player(h)["player_id"]
        got = {scan(api, h, pid)["collectible"]["collectible_id"] for _ in range(3)}
        assert got == {"golden-rabbit", "paper-cut", "lucky-cloud"}
        last = scan(api, h, pid)
        assert last["status"] == "rejected" and last["reason"] == "nothing_emerged"


def test_limited_serials_then_sold_out_with_consolation(make_app: Callable[..., Any]) -> None:
    # pick 0.99: the jade seal (3 units) once a check-in made it eligible
    with TestClient(make_app(rng=ScriptedRng(0.0, 0.99)), raise_server_exceptions=False) as client:
        api = Api(client, client.app)  # type: ignore[arg-type]
        h = api.enroll()

        def player() -> str:
            pid = api.new_player(h)["player_id"]
            api.act(h, pid, action("checkin", landmark_id="lm03", mode="scan", scan_verified=True))
            return pid

        serials = []
        for _ in range(3):
            res = scan(api, h, player())
            assert res["status"] == "applied" and res["collectible"]["collectible_id"] == "jade-seal"
            serials.append(res["collectible"]["serial"])
        assert serials == [1, 2, 3]
        pid = player()
        r = api.act(h, pid, action("scan")).json()
        res = r["results"][0]
        assert res["status"] == "rejected" and res["reason"] == "sold_out"
        assert res["consolation"] == {"collectible_id": "lucky-cloud", "serial": None}
        assert [c["collectible_id"] for c in r["progress"]["collectibles"]] == ["lucky-cloud"]
        supply = api.client.get("/v1/collectibles/jade-seal/supply").json()
        assert supply == {"campaign_id": "test-city", "collectible_id": "jade-seal", "supply": 3, "remaining": 0}


def test_supply_endpoint(api: Api) -> None:
    r = api.client.get("/v1/collectibles/golden-rabbit/supply")
    assert r.json()["supply"] == 100 and r.json()["remaining"] == 100
    assert api.client.get("/v1/collectibles/paper-cut/supply").status_code == 404


def test_campaign_etag(api: Api) -> None:
    r = api.client.get("/v1/campaigns/test-city")
    assert r.status_code == 200 and r.headers["etag"].startswith('"')
    assert r.json()["meta"]["id"] == "test-city" and len(r.json()["city"]["landmarks"]) == 16
    quizzes = [lm["quiz"] for lm in r.json()["city"]["landmarks"] if lm.get("quiz")]
    assert quizzes and all("answer" not in q for q in quizzes)  # the answers are not public
    again = api.client.get("/v1/campaigns/test-city", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    other = api.client.get("/v1/campaigns/test-city", headers={"If-None-Match": '"stale"'})
    assert other.status_code == 200
    missing = api.client.get("/v1/campaigns/nope")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "unknown_campaign"


def test_quiz_answers_for_enrolled_devices_only(api: Api) -> None:
    assert api.client.get("/v1/campaigns/test-city/answers").status_code == 401
    bogus = {"Authorization": "Bearer not-a-token"}
    assert api.client.get("/v1/campaigns/test-city/answers", headers=bogus).json()["error"]["code"] == "invalid_token"
    r = api.client.get("/v1/campaigns/test-city/answers", headers=api.enroll())
    assert r.status_code == 200 and r.json() == {"campaign_id": "test-city", "answers": {"lm02": 1}}
    assert "no-store" in r.headers["cache-control"]


def test_month_rollover_resets_month_steps(api: Api, clock: FakeClock) -> None:
    h = api.enroll()
    pid = api.new_player(h)["player_id"]
    api.act(h, pid, action("share"))
    clock.advance(days=20)  # 2027-03-02 local
    prog = api.client.get(f"/v1/players/{pid}/progress", headers=h).json()
    assert prog["month"] == "2027-03" and prog["month_steps"] == 0 and prog["total_steps"] == 20


def test_supply_never_negative_at_the_database(api: Api) -> None:
    import pytest
    from sqlalchemy import update
    from sqlalchemy.exc import IntegrityError

    from server.db import write_tx
    from server.models import supply

    with pytest.raises(IntegrityError), write_tx(api.ctx.engine) as conn:
        conn.execute(update(supply).where(supply.c.collectible_id == "jade-seal").values(remaining=-1))
