"""Offline laptops sync days later: actions are credited when they happened, if that is plausible
(both backends). T0 is 2027-02-10 12:00 in Shanghai; the server clock stays there unless moved."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from server.actions import credit_time
from server.settings import Settings
from tests.server.conftest import T0, Api, FakeClock, action

SH = timedelta(hours=8)
DAY = timedelta(days=1)


def _scan(at: datetime, landmark: str) -> dict[str, Any]:
    return action("checkin", at, landmark_id=landmark, mode="scan", scan_verified=True)


def _iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_credit_time_rules() -> None:
    s = Settings(credit_not_before=T0 - 10 * DAY)
    assert credit_time(T0 - 3 * DAY, T0, s) == T0 - 3 * DAY  # plausible: when it happened
    assert credit_time(T0 - 3 * DAY + SH, T0, s) == T0 - 3 * DAY + SH  # any offset: same instant
    assert credit_time(T0 + timedelta(seconds=30), T0, s) == T0  # device clock ahead: now
    assert credit_time(T0 + DAY, T0, s) == T0
    assert credit_time(T0 - 8 * DAY, T0, s) == T0  # older than 7 days: server time
    assert credit_time(T0 - 11 * DAY, T0, s.with_(credit_max_age_s=30 * 86400)) == T0  # before the campaign
    assert credit_time(datetime(1970, 1, 1, tzinfo=UTC), T0, s) == T0  # a reset device clock


def test_offline_day_is_credited_to_its_day(api: Api) -> None:
    h = api.enroll("laptop")
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
    # A replay gives the original result, with the same credited time.
    again = api.act(h, pid, {**_scan(day, "lm05"), "action_id": res[0]["action_id"]}).json()["results"][0]
    assert again["status"] == "duplicate" and _iso(again["credited_at"]) == day - timedelta(hours=2)


def test_offline_steps_count_in_the_month_they_happened(api: Api, clock: FakeClock) -> None:
    h = api.enroll("laptop")
    pid = api.new_player(h)["player_id"]
    clock.now = datetime(2027, 3, 1, 10, 0, tzinfo=UTC) - SH  # 1 March, 10:00 local
    feb = datetime(2027, 2, 28, 20, 0, tzinfo=UTC) - SH  # the evening before, offline
    r = api.act(h, pid, _scan(feb, "lm03"), action("share", feb), action("share", clock.now)).json()
    assert [x["status"] for x in r["results"]] == ["applied"] * 3  # one share a day: two days
    prog = r["progress"]
    assert prog["month"] == "2027-03" and prog["month_steps"] == 20 and prog["total_steps"] == 60
    assert prog["checked_in_today"] == [] and prog["checkins"][0]["day"] == "2027-02-28"


def test_implausible_client_time_is_credited_at_server_time(
    make_app: Callable[..., FastAPI], clock: FakeClock
) -> None:
    app = make_app(credit_not_before=T0 - 5 * DAY)
    with TestClient(app) as client:
        api = Api(client, app)
        h = api.enroll("laptop")
        cases = [T0 + timedelta(hours=2), T0 - 6 * DAY, T0 - 30 * DAY]
        for i, at in enumerate(cases):
            pid = api.new_player(h)["player_id"]
            res = api.act(h, pid, _scan(at, f"lm0{i + 3}")).json()
            assert res["results"][0]["status"] == "applied" and _iso(res["results"][0]["credited_at"]) == T0
            assert res["progress"]["checkins"][0]["day"] == "2027-02-10"
        pid = api.new_player(h)["player_id"]
        broken = _scan(T0, "lm07")
        broken["client_time"] = "0001-01-01T00:00:00+05:00"  # not even representable in UTC
        res = api.act(h, pid, broken).json()["results"][0]
        assert res["status"] == "applied" and _iso(res["credited_at"]) == T0


def test_bulk_sync_of_an_offline_day_is_not_implausible(make_app: Callable[..., FastAPI]) -> None:
    """A laptop's day of check-ins arrives in one burst: the device rate is judged when they happened."""
    app = make_app(device_checkins_per_window=5, device_checkin_window_s=60)
    with TestClient(app) as client:
        api = Api(client, app)
        h = api.enroll("laptop")
        day = T0 - 2 * DAY - timedelta(hours=3)
        players = [api.new_player(h)["player_id"] for _ in range(4)]
        statuses = []
        for n in range(24):  # one visitor check-in every 5 minutes, 24 of them, synced at once
            pid = players[n % 4]
            res = api.act(h, pid, _scan(day + n * timedelta(minutes=5), f"lm{3 + n // 4:02d}"))
            statuses.append(res.json()["results"][0]["status"])
        assert statuses == ["applied"] * 24
        # ... but six within one minute of device time is still implausible, offline or not.
        burst = [api.act(h, players[0], _scan(day + 3 * DAY / 2 + timedelta(seconds=s), lm)).json()["results"][0]
                 for s, lm in zip(range(0, 60, 10), ["lm03", "lm04", "lm05", "lm06", "lm07", "lm08"], strict=True)]
        assert [x["reason"] for x in burst] == [None] * 5 + ["implausible_rate"]


def test_credit_settings_from_the_environment() -> None:
    """Workers get the credit bounds through the environment (``--workers N``)."""
    import pytest

    s = Settings(credit_not_before=datetime(2027, 1, 20, tzinfo=UTC) - SH, credit_max_age_s=3 * 86400)
    again = Settings.from_env(s.to_env())
    assert again.credit_not_before == s.credit_not_before and again.credit_max_age_s == 3 * 86400
    assert Settings.from_env({}).credit_not_before is None and Settings.from_env({}).credit_max_age_s == 7 * 86400
    with pytest.raises(ValueError, match="UTC offset"):
        Settings.from_env({"SERVER_CREDIT_NOT_BEFORE": "2027-01-20T00:00:00"})
