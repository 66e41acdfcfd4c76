"""Error shape, limits (413, 429), health, events, admin stats."""

from __future__ import annotations

import logging
import uuid

import pytest
from fastapi.testclient import TestClient

from tests.server.conftest import T0, Api, action


def _shape(r, status: int, code: str) -> None:
    assert r.status_code == status, r.text
    assert r.json() == {"error": {"code": code, "message": r.json()["error"]["message"]}}


def test_health(api: Api) -> None:
    r = api.client.get("/v1/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["database"] is True and body["version"]


def test_unknown_route_and_method(api: Api) -> None:
    _shape(api.client.get("/nope"), 404, "not_found")
    _shape(api.client.delete("/v1/health"), 405, "method_not_allowed")


def test_validation_errors(api: Api) -> None:
    h = api.enroll()
    pid = api.new_player(h)["player_id"]
    _shape(api.client.post(f"/v1/players/{pid}/actions", headers=h, content=b"{not json"), 422, "validation_error")
    _shape(api.act(h, pid, {"kind": "dance"}), 422, "validation_error")
    _shape(api.act(h, pid, action("checkin", landmark_id="lm01", mode="fly")), 422, "validation_error")
    naive = action("share")
    naive["client_time"] = "2027-02-10T12:00:00"
    _shape(api.act(h, pid, naive), 422, "validation_error")
    _shape(api.client.post(f"/v1/players/{pid}/actions", headers=h, json={"actions": []}), 422, "validation_error")


def test_body_limit(api: Api) -> None:
    h = api.enroll()
    big = b'{"events": [' + b" " * (300 * 1024) + b"]}"
    _shape(api.client.post("/v1/events", headers=h, content=big), 413, "payload_too_large")

    def chunks():
        for _ in range(300):
            yield b" " * 1024

    # Streamed without Content-Length (chunked): counted as it arrives.
    _shape(api.client.post("/v1/events", headers=h, content=chunks()), 413, "payload_too_large")


def test_rate_limit(make_app) -> None:
    app = make_app(rate_per_s=1.0, rate_burst=3)
    with TestClient(app) as client:
        api = Api(client, app)
        h = api.enroll()  # enrolment (no token) counts against the client IP bucket
        codes = [client.get("/v1/collectibles/jade-seal/supply", headers=h).status_code for _ in range(5)]
        assert codes[:3] == [200, 200, 200] and codes[-1] == 429
        r = client.get("/v1/collectibles/jade-seal/supply", headers=h)
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        assert r.json()["error"]["code"] == "rate_limited"
        assert client.get("/v1/health").status_code == 200  # health is never limited


def test_500_is_generic_and_logged(app, caplog: pytest.LogCaptureFixture) -> None:
    def boom() -> None:
        raise RuntimeError("secret internals")

    app.add_api_route("/v1/test-boom", boom)
    with TestClient(app, raise_server_exceptions=False) as client, caplog.at_level(logging.ERROR):
        r = client.get("/v1/test-boom")
    _shape(r, 500, "internal_error")
    assert "secret" not in r.text and "Traceback" not in r.text
    assert any("unhandled error" in rec.getMessage() for rec in caplog.records)


def test_request_log_line_has_device_not_token(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    h = api.enroll()
    with caplog.at_level(logging.INFO, logger="server.access"):
        api.new_player(h)
    rec = [r for r in caplog.records if r.name == "server.access"][-1]
    assert rec.method == "POST" and rec.path == "/v1/players" and rec.status == 201 and rec.device_id
    assert h["Authorization"].split()[1] not in str(rec.__dict__)


def _event(name: str, player: str | None = None, **props) -> dict:
    return {"event_id": str(uuid.uuid4()), "name": name, "at": T0.isoformat(), "player_id": player, "props": props}


def test_events_dedup_and_limits(api: Api) -> None:
    h = api.enroll()
    p1 = api.new_player(h)["player_id"]
    batch = [_event("attract"), _event("start", p1), _event("scan", p1, marker="logo")]
    r = api.client.post("/v1/events", headers=h, json={"events": batch})
    assert r.json() == {"accepted": 3, "duplicates": 0, "rejected": 0, "rejected_ids": []}
    big = _event("x", blob="y" * 3000)
    r = api.client.post("/v1/events", headers=h, json={"events": [*batch, _event("share", p1), big]})
    assert r.json() == {"accepted": 1, "duplicates": 3, "rejected": 1, "rejected_ids": [big["event_id"]]}
    many = [_event("scan") for _ in range(501)]
    _shape(api.client.post("/v1/events", headers=h, json={"events": many}), 422, "validation_error")
    _shape(api.client.post("/v1/events", json={"events": batch}), 401, "unauthorized")


def test_admin_stats(api: Api) -> None:
    _shape(api.client.get("/v1/admin/stats"), 401, "unauthorized")
    _shape(api.client.get("/v1/admin/stats", headers={"Authorization": "Bearer x"}), 401, "unauthorized")
    h = api.enroll("kiosk", "lm01")
    pid = api.new_player(h)["player_id"]
    api.act(h, pid, action("checkin", landmark_id="lm01", mode="visit"), action("collect", collectible_id="paper-cut"))
    api.client.post("/v1/events", headers=h, json={"events": [_event("attract"), _event("scan", pid), _event("scan", pid)]})
    admin = {"Authorization": f"Bearer {api.admin_token()}"}
    # a device token is not an admin token
    _shape(api.client.get("/v1/admin/stats", headers=h), 401, "unauthorized")
    stats = api.client.get("/v1/admin/stats", headers=admin).json()
    funnel = {f["step"]: (f["events"], f["players"]) for f in stats["funnel"]}
    assert [f["step"] for f in stats["funnel"]] == ["attract", "start", "scan", "collect", "checkin", "share"]
    assert funnel["attract"] == (1, 0) and funnel["scan"] == (2, 1)
    assert stats["checkins_per_landmark"] == [{"landmark_id": "lm01", "checkins": 1}]
    assert {s["collectible_id"]: s["remaining"] for s in stats["supply"]} == {"golden-rabbit": 100, "jade-seal": 3}
    assert stats["players"] == 1 and stats["devices"] == 1


def test_sqlite_hot_writer_rolls_back_and_recovers(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The check-in path's dedicated SQLite connection: a failed transaction leaves nothing behind
    (and no open transaction), and disposing the engine closes it."""
    import pytest

    from server.db import _HOT_WRITER, make_engine, raw_write_tx
    from server.settings import Settings

    engine = make_engine(Settings(data_dir=tmp_path))
    with raw_write_tx(engine) as db:
        db.cur.execute("CREATE TABLE t (x INTEGER UNIQUE)")
    with pytest.raises(RuntimeError), raw_write_tx(engine) as db:
        db.cur.execute("INSERT INTO t VALUES (1)")
        raise RuntimeError("boom")
    with raw_write_tx(engine) as db:
        db.cur.execute("INSERT INTO t VALUES (2)")
    with engine.connect() as conn:
        assert [r[0] for r in conn.exec_driver_sql("SELECT x FROM t")] == [2]
    engine.dispose()
    assert getattr(engine, _HOT_WRITER).conn is None


def test_sqlite_wal_is_checkpointed_off_the_request_path(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The hot writer's commits never checkpoint (autocheckpoint off); a background thread does."""
    import time

    from server.db import _HOT_WRITER, make_engine, raw_write_tx
    from server.settings import Settings

    engine = make_engine(Settings(data_dir=tmp_path))
    with raw_write_tx(engine) as db:
        db.cur.execute("CREATE TABLE t (x INTEGER)")
    hot = getattr(engine, _HOT_WRITER)
    assert hot.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
    assert hot.checkpointer.running
    for i in range(200):
        with raw_write_tx(engine) as db:
            db.cur.execute("INSERT INTO t VALUES (?)", (i,))
    deadline = time.monotonic() + 5
    while True:  # the thread's last checkpoint: (busy, WAL frames, frames copied back)
        last = hot.checkpointer.last
        if (last is not None and last[1] > 0 and last[1] == last[2]) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert last is not None and last[1] > 0 and last[1] == last[2], last
    engine.dispose()
    assert not hot.checkpointer.running and hot.conn is None
