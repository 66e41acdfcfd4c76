"""Collectibles: common, hidden (spawn rules enforced server-side), limited supply and consolation."""

from __future__ import annotations

from tests.server.conftest import Api, FakeClock, action


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


def test_hidden_needs_spawn_conditions(api: Api, clock: FakeClock) -> None:
    h = api.enroll()
    pid = api.new_player(h)["player_id"]
    # 12:00 local, no check-ins: both conditions fail
    assert api.act(h, pid, action("collect", collectible_id="night-lantern")).json()["results"][0]["reason"] == "not_eligible"
    for lm in ("lm03", "lm04"):
        api.act(h, pid, action("checkin", clock.now, landmark_id=lm, mode="scan", scan_verified=True))
    # enough check-ins but still noon
    assert api.act(h, pid, action("collect", clock.now, collectible_id="night-lantern")).json()["results"][0][
        "reason"
    ] == "not_eligible"
    clock.advance(hours=7)  # 19:00 local
    res = api.act(h, pid, action("collect", clock.now, collectible_id="night-lantern")).json()["results"][0]
    assert res["status"] == "applied"


def test_limited_serials_then_sold_out_with_consolation(api: Api) -> None:
    h = api.enroll()
    serials = []
    for _ in range(3):
        pid = api.new_player(h)["player_id"]
        res = api.act(h, pid, action("collect", collectible_id="jade-seal")).json()["results"][0]
        assert res["status"] == "applied"
        serials.append(res["collectible"]["serial"])
    assert serials == [1, 2, 3]
    pid = api.new_player(h)["player_id"]
    r = api.act(h, pid, action("collect", collectible_id="jade-seal")).json()
    res = r["results"][0]
    assert res["status"] == "rejected" and res["reason"] == "sold_out"
    assert res["consolation"] == {"collectible_id": "lucky-cloud", "serial": None}
    assert [c["collectible_id"] for c in r["progress"]["collectibles"]] == ["lucky-cloud"]
    supply = api.client.get("/v1/collectibles/jade-seal/supply").json()
    assert supply == {"campaign_id": "test-city", "collectible_id": "jade-seal", "supply": 3, "remaining": 0}
    # Already holding the consolation: sold out without a second one.
    again = api.act(h, pid, action("collect", collectible_id="jade-seal")).json()["results"][0]
    assert again["reason"] == "sold_out" and again["consolation"] is None


def test_supply_endpoint(api: Api) -> None:
    r = api.client.get("/v1/collectibles/golden-rabbit/supply")
    assert r.json()["supply"] == 100 and r.json()["remaining"] == 100
    assert api.client.get("/v1/collectibles/paper-cut/supply").status_code == 404


def test_campaign_etag(api: Api) -> None:
    r = api.client.get("/v1/campaigns/test-city")
    assert r.status_code == 200 and r.headers["etag"].startswith('"')
    assert r.json()["meta"]["id"] == "test-city" and len(r.json()["city"]["landmarks"]) == 16
    again = api.client.get("/v1/campaigns/test-city", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    other = api.client.get("/v1/campaigns/test-city", headers={"If-None-Match": '"stale"'})
    assert other.status_code == 200
    missing = api.client.get("/v1/campaigns/nope")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "unknown_campaign"


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
