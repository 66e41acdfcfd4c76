"""Enrolment, players, claims, progress and actions (both backends)."""

from __future__ import annotations

from sqlalchemy import func, select

from server.models import checkins, devices
from tests.server.conftest import T0, Api, FakeClock, action


def _error(r, status: int, code: str | None = None) -> None:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    if code:
        assert body["error"]["code"] == code


def test_enrol_once_and_token_stored_hashed(api: Api) -> None:
    code = api.code("kiosk", "lm01")
    r = api.client.post("/v1/devices/enroll", json={"enrollment_code": code, "name": "lobby", "kind": "kiosk"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["landmark_id"] == "lm01" and len(body["device_token"]) >= 40
    with api.ctx.engine.connect() as conn:
        stored = conn.scalar(select(devices.c.token_hash).where(devices.c.id == body["device_id"]))
    assert stored != body["device_token"] and len(stored) == 64
    again = api.client.post("/v1/devices/enroll", json={"enrollment_code": code, "name": "x", "kind": "kiosk"})
    _error(again, 401, "invalid_enrollment_code")


def test_enrol_kind_mismatch(api: Api) -> None:
    r = api.client.post("/v1/devices/enroll", json={"enrollment_code": api.code("kiosk"), "name": "x", "kind": "qa"})
    _error(r, 409, "enrollment_mismatch")


def test_auth_required(api: Api) -> None:
    _error(api.client.post("/v1/players"), 401, "unauthorized")
    _error(api.client.post("/v1/players", headers={"Authorization": "Bearer nope"}), 401, "invalid_token")


def test_new_player_has_empty_progress(api: Api) -> None:
    h = api.enroll()
    p = api.new_player(h)
    # ≥ 64 bits: 13 characters of a 31-letter alphabet, in dash-separated groups
    assert len(p["claim_code"].replace("-", "")) == 13
    r = api.client.get(f"/v1/players/{p['player_id']}/progress", headers=h)
    assert r.status_code == 200, r.text
    prog = r.json()
    assert prog["month_steps"] == 0 and prog["total_steps"] == 0 and prog["tier"] is None
    assert prog["next_tier"]["id"] == "bronze" and prog["steps_to_next"] == 50
    assert prog["month"] == "2027-02" and {t["task_id"] for t in prog["tasks"]} == {"wallet-open", "transfer"}


def test_checkin_rules_and_tiers(api: Api, clock: FakeClock) -> None:
    h = api.enroll("kiosk", "lm01")
    pid = api.new_player(h)["player_id"]
    r = api.act(
        h,
        pid,
        action("checkin", landmark_id="lm01", mode="visit"),
        action("checkin", landmark_id="lm01", mode="scan", scan_verified=True),
        action("checkin", landmark_id="lm02", mode="visit"),
        action("checkin", landmark_id="lm03", mode="scan"),
        action("checkin", landmark_id="lm03", mode="learn"),
        action("checkin", landmark_id="nowhere", mode="scan", scan_verified=True),
        action("checkin", landmark_id="lm16", mode="scan", scan_verified=True),
    )
    assert r.status_code == 200, r.text
    results = [(x["status"], x["reason"], x["steps"]) for x in r.json()["results"]]
    assert results == [
        ("applied", None, 30),
        ("rejected", "already_checked_in_today", 0),
        ("rejected", "device_not_at_landmark", 0),
        ("rejected", "scan_not_verified", 0),
        ("rejected", "mode_not_allowed", 0),
        ("rejected", "unknown_landmark", 0),
        ("applied", None, 20),  # lm16 unlocks after one distinct check-in
    ]
    prog = r.json()["progress"]
    assert prog["month_steps"] == 50 and prog["tier"]["id"] == "bronze" and prog["next_tier"]["id"] == "silver"
    assert sorted(prog["checked_in_today"]) == ["lm01", "lm16"]
    clock.advance(days=1)
    r = api.act(h, pid, action("checkin", clock.now, landmark_id="lm01", mode="visit"))
    assert r.json()["results"][0]["status"] == "applied"
    assert r.json()["progress"]["total_steps"] == 80


def test_quiz_is_a_learn_checkin(api: Api) -> None:
    h = api.enroll()
    pid = api.new_player(h)["player_id"]
    r = api.act(
        h,
        pid,
        action("quiz", landmark_id="lm02", choice=0),
        action("quiz", landmark_id="lm02", choice=1),
        action("checkin", landmark_id="lm02", mode="learn"),
    )
    out = [(x["status"], x["reason"], x["steps"]) for x in r.json()["results"]]
    assert out == [("rejected", "wrong_answer", 0), ("applied", None, 25), ("rejected", "already_checked_in_today", 0)]


def test_client_cannot_send_steps_or_tier(api: Api) -> None:
    h = api.enroll()
    pid = api.new_player(h)["player_id"]
    _error(api.act(h, pid, action("share", steps=9999)), 422, "validation_error")
    _error(api.act(h, pid, action("share", tier="gold")), 422, "validation_error")
    r = api.client.post(
        f"/v1/players/{pid}/actions", headers=h, json={"actions": [action("share")], "total_steps": 10}
    )
    _error(r, 422, "validation_error")
    assert api.client.get(f"/v1/players/{pid}/progress", headers=h).json()["total_steps"] == 0


def test_replay_returns_original_result(api: Api) -> None:
    h = api.enroll()
    pid = api.new_player(h)["player_id"]
    share = action("share")
    first = api.act(h, pid, share).json()["results"][0]
    second = api.act(h, pid, share, share).json()
    assert first["status"] == "applied" and first["steps"] == 20
    for res in second["results"]:
        assert res["status"] == "duplicate" and res["original_status"] == "applied" and res["steps"] == 20
    assert second["progress"]["total_steps"] == 20
    # The same action_id for another player is not a duplicate: it is a conflict.
    other = api.new_player(h)["player_id"]
    _error(api.act(h, other, share), 409, "action_id_conflict")


def test_cross_device_gets_404_until_claimed(api: Api) -> None:
    kiosk, phone = api.enroll(), api.enroll("laptop")
    p = api.new_player(kiosk)
    pid = p["player_id"]
    _error(api.client.get(f"/v1/players/{pid}/progress", headers=phone), 404, "player_not_found")
    _error(api.act(phone, pid, action("share")), 404, "player_not_found")
    _error(api.client.get("/v1/players/not-a-player/progress", headers=kiosk), 404, "player_not_found")
    _error(api.client.post("/v1/players/claim", headers=phone, json={"claim_code": "ZZZZZZZZ"}), 404)
    r = api.client.post("/v1/players/claim", headers=phone, json={"claim_code": p["claim_code"].lower()})
    assert r.status_code == 200 and r.json()["player_id"] == pid
    assert api.client.post("/v1/players/claim", headers=phone, json={"claim_code": p["claim_code"]}).status_code == 200
    assert api.act(phone, pid, action("share")).json()["results"][0]["status"] == "applied"
    assert api.client.get(f"/v1/players/{pid}/progress", headers=kiosk).json()["total_steps"] == 20


def test_implausible_device_rate(make_app, clock: FakeClock) -> None:
    from fastapi.testclient import TestClient

    app = make_app(device_checkins_per_window=3, device_checkin_window_s=60)
    with TestClient(app) as client:
        api = Api(client, app)
        h = api.enroll()
        statuses = []
        for _ in range(4):
            pid = api.new_player(h)["player_id"]
            res = api.act(h, pid, action("checkin", landmark_id="lm05", mode="scan", scan_verified=True))
            statuses.append(res.status_code)
        # By receive time: the fourth is refused for now (429, nothing stored: the device sends it again later)
        assert statuses == [200, 200, 200, 429] and int(res.headers["retry-after"]) >= 1
        clock.advance(seconds=61)
        # By credited time: a fourth check-in credited inside the full window is implausible (stored)
        late = api.act(h, pid, action("checkin", T0, landmark_id="lm05", mode="scan", scan_verified=True))
        assert late.json()["results"][0]["reason"] == "implausible_rate"
        pid = api.new_player(h)["player_id"]
        res = api.act(h, pid, action("checkin", clock.now, landmark_id="lm05", mode="scan", scan_verified=True))
        assert res.json()["results"][0]["status"] == "applied"
        with app.state.ctx.engine.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(checkins)) == 4


def test_progress_document_serialises_like_the_model(campaigns_root) -> None:  # type: ignore[no-untyped-def]
    """The hot routes answer with ``progress_doc`` (plain data): byte-identical to ``ProgressOut``."""
    from datetime import timedelta

    from pydantic_core import to_json

    from game.content import load_campaign
    from game.rules.content import CheckinMode
    from game.rules.progress import CheckinRecord, Grant, Owned, Progress
    from server.progress_view import progress_doc, progress_out
    from tests.server.pack import CAMPAIGN_ID

    campaign = load_campaign(CAMPAIGN_ID, campaigns_root)
    at = T0 + timedelta(microseconds=123)
    states = [
        Progress(),
        Progress(
            grants=(Grant("checkin:lm01:visit", 60, at), Grant("task:transfer", 500, T0)),
            checkins=(CheckinRecord("lm01", CheckinMode.VISIT, at.date(), at),),
            collectibles=(Owned("paper-cut", None, T0), Owned("golden-rabbit", 7, at)),
            tasks=(("transfer", T0),),
        ),
    ]
    for progress in states:
        doc = progress_doc(campaign, "p-1", progress, T0)
        model = progress_out(campaign, "p-1", progress, T0)
        assert to_json(doc) == model.__pydantic_serializer__.to_json(model)
