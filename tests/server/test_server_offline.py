"""Offline laptops sync days later: actions are credited when they happened, within the offline
policy (docs/api.md "Time"), else rejected (both backends). T0 is 2027-02-10 12:00 in Shanghai; the server clock stays there unless moved."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from server.accounts import create_enrollment_code
from server.actions import credit_time
from server.context import Device
from server.settings import Settings
from tests.server.conftest import T0, Api, FakeClock, action

SH = timedelta(hours=8)
DAY = timedelta(days=1)


def _scan(at: datetime, landmark: str) -> dict[str, Any]:
    return action("checkin", at, landmark_id=landmark, mode="scan", scan_verified=True)


def _iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_credit_time_rules() -> None:
    s = Settings(credit_not_before=T0 - 60 * DAY)
    fresh = Device("d", "laptop", None, enrolled_at=T0 - 20 * DAY)
    assert credit_time(T0 - 3 * DAY, T0, fresh, s) == T0 - 3 * DAY  # when it happened
    assert credit_time(T0 - 3 * DAY + SH, T0, fresh, s) == T0 - 3 * DAY + SH  # any offset: same instant
    assert credit_time(T0 + timedelta(seconds=90), T0, fresh, s) == T0  # clock up to 2 min ahead: now
    assert credit_time(T0 + timedelta(minutes=3), T0, fresh, s) is None  # the future
    assert credit_time(T0 - 21 * DAY, T0, fresh, s) is None  # before the device was enrolled
    assert credit_time(datetime(1970, 1, 1, tzinfo=UTC), T0, fresh, s) is None  # a reset device clock
    # Last contact 40 days ago: its offline queue may go back 30 days before that, not further.
    away = Device("d", "laptop", None, enrolled_at=T0 - 100 * DAY, prev_seen_at=T0 - 40 * DAY)
    assert credit_time(T0 - 59 * DAY, T0, away, s) == T0 - 59 * DAY
    assert credit_time(T0 - 71 * DAY, T0, away, s.with_(credit_not_before=None)) is None
    assert credit_time(T0 - 61 * DAY, T0, away, s) is None  # before the campaign


def _enrol_days_before(api: Api, clock: FakeClock, days: int, kind: str = "laptop") -> dict[str, str]:
    clock.now = T0 - days * DAY
    h = api.enroll(kind)
    api.client.get("/v1/health")
    clock.now = T0
    return h


def test_offline_day_is_credited_to_its_day(api: Api, clock: FakeClock) -> None:
    h = _enrol_days_before(api, clock, 5)
    pid = api.new_player(h)["player_id"]
    day = T0 - 3 * DAY  # 2027-02-07 12:00 local
    r = api.act(
        h, pid,
        _scan(day - timedelta(hours=2), "lm01"),
        _scan(day - timedelta(hours=1), "lm03"),
        _scan(day + timedelta(hours=3), "lm01"),  # same landmark, same (past) day
        _scan(T0, "lm01"),  # today is another day
    )
    assert r.status_code == 200, r.text
    res = r.json()["results"]
    assert [(x["status"], x["reason"]) for x in res] == [
        ("applied", None), ("applied", None), ("rejected", "already_checked_in_today"), ("applied", None),
    ]
    assert _iso(res[0]["credited_at"]) == day - timedelta(hours=2) and _iso(res[3]["credited_at"]) == T0
    prog = r.json()["progress"]
    assert [c["day"] for c in prog["checkins"]] == ["2027-02-07", "2027-02-07", "2027-02-10"]
    assert prog["checked_in_today"] == ["lm01"] and prog["month_steps"] == 60
    # A replay gives the original result, with the same credited time ...
    first = {**_scan(day - timedelta(hours=2), "lm01"), "action_id": res[0]["action_id"]}
    again = api.act(h, pid, first).json()["results"][0]
    assert again["status"] == "duplicate" and _iso(again["credited_at"]) == day - timedelta(hours=2)
    # ... and the same action_id with another body is a conflict, not a duplicate.
    changed = api.act(h, pid, {**_scan(day, "lm05"), "action_id": res[0]["action_id"]})
    assert changed.status_code == 409 and changed.json()["error"]["code"] == "action_id_conflict"


def test_offline_steps_count_in_the_month_they_happened(api: Api, clock: FakeClock) -> None:
    h = _enrol_days_before(api, clock, 5)
    pid = api.new_player(h)["player_id"]
    clock.now = datetime(2027, 3, 1, 10, 0, tzinfo=UTC) - SH  # 1 March, 10:00 local
    feb = datetime(2027, 2, 28, 20, 0, tzinfo=UTC) - SH  # the evening before, offline
    r = api.act(h, pid, _scan(feb, "lm03"), action("share", feb), action("share", clock.now)).json()
    assert [x["status"] for x in r["results"]] == ["applied"] * 3  # one share a day: two days
    prog = r["progress"]
    assert prog["month"] == "2027-03" and prog["month_steps"] == 20 and prog["total_steps"] == 60
    assert prog["checked_in_today"] == [] and prog["checkins"][0]["day"] == "2027-02-28"


def test_client_time_out_of_range_is_rejected(make_app: Callable[..., FastAPI], clock: FakeClock) -> None:
    app = make_app(credit_not_before=T0 - 5 * DAY)
    with TestClient(app) as client:
        api = Api(client, app)
        h = _enrol_days_before(api, clock, 10)
        cases = [T0 + timedelta(hours=2), T0 - 6 * DAY, T0 - 30 * DAY]  # future, before the campaign, before enrolment
        for i, at in enumerate(cases):
            pid = api.new_player(h)["player_id"]
            res = api.act(h, pid, _scan(at, f"lm0{i + 3}")).json()
            assert res["results"][0]["status"] == "rejected"
            assert res["results"][0]["reason"] == "client_time_out_of_range"
            assert res["progress"]["checkins"] == []
        pid = api.new_player(h)["player_id"]
        broken = _scan(T0, "lm07")
        broken["client_time"] = "0001-01-01T00:00:00+05:00"  # not even representable in UTC
        res = api.act(h, pid, broken).json()["results"][0]
        assert res["status"] == "rejected" and res["reason"] == "client_time_out_of_range"
        ahead = api.act(h, pid, _scan(T0 + timedelta(seconds=90), "lm08")).json()["results"][0]
        assert ahead["status"] == "applied" and _iso(ahead["credited_at"]) == T0  # a clock a little ahead


def test_a_kiosk_may_play_before_it_enrols_but_not_before_its_code(api: Api, clock: FakeClock) -> None:
    """IT issues the code, the kiosk serves visitors offline, then reaches the server: its queue
    counts from the code's issue, not from the enrolment."""
    clock.now = T0 - 2 * DAY
    code = create_enrollment_code(api.ctx.engine, kind="laptop", landmark_id=None, now=clock.now, ttl_s=7 * 86400)
    clock.now = T0
    r = api.client.post("/v1/devices/enroll", json={"enrollment_code": code, "name": "late", "kind": "laptop"})
    h = {"Authorization": f"Bearer {r.json()['device_token']}"}
    pid = api.new_player(h)["player_id"]
    res = api.act(h, pid, _scan(T0 - DAY, "lm03"), _scan(T0 - 3 * DAY, "lm04")).json()["results"]
    assert [(x["status"], x["reason"]) for x in res] == [("applied", None), ("rejected", "client_time_out_of_range")]


def test_bulk_sync_of_an_offline_day_is_not_implausible(
    make_app: Callable[..., FastAPI], clock: FakeClock
) -> None:
    """A laptop's day of check-ins is judged by when they happened; by receive time the device
    drains at the window's rate (429 + Retry-After, nothing stored) and nothing is lost."""
    app = make_app(device_checkins_per_window=5, device_checkin_window_s=60)
    with TestClient(app) as client:
        api = Api(client, app)
        h = _enrol_days_before(api, clock, 5)
        day = T0 - 2 * DAY - timedelta(hours=3)
        players = [api.new_player(h)["player_id"] for _ in range(4)]
        queue = [
            (players[n % 4], _scan(day + n * timedelta(minutes=5), f"lm{3 + n // 4:02d}"))  # one every 5 minutes
            for n in range(24)
        ]
        statuses: list[str] = []
        while queue:
            pid, item = queue[0]
            r = api.act(h, pid, item)
            if r.status_code == 429:
                clock.advance(seconds=int(r.headers["retry-after"]))
                continue
            statuses.append(r.json()["results"][0]["status"])
            queue.pop(0)
        assert statuses == ["applied"] * 24
        # ... but six within one minute of device time is still implausible, offline or not.
        clock.advance(seconds=61)
        burst = []
        for s, lm in zip(range(0, 60, 10), ["lm03", "lm04", "lm05", "lm06", "lm07", "lm08"], strict=True):
            burst.append(api.act(h, players[0], _scan(day + 3 * DAY / 2 + timedelta(seconds=s), lm)).json())
            clock.advance(seconds=13)  # sent slowly enough for the receive-time rule
        assert [x["results"][0]["reason"] for x in burst] == [None] * 5 + ["implausible_rate"]


def test_credit_settings_from_the_environment() -> None:
    """Workers get the credit bounds through the environment (``--workers N``)."""
    import pytest

    s = Settings(credit_not_before=datetime(2027, 1, 20, tzinfo=UTC) - SH, credit_max_age_s=3 * 86400)
    again = Settings.from_env(s.to_env())
    assert again.credit_not_before == s.credit_not_before and again.credit_max_age_s == 3 * 86400
    assert Settings.from_env({}).credit_not_before is None and Settings.from_env({}).credit_max_age_s == 30 * 86400
    with pytest.raises(ValueError, match="UTC offset"):
        Settings.from_env({"SERVER_CREDIT_NOT_BEFORE": "2027-01-20T00:00:00"})
