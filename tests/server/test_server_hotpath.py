"""The check-in path's own mechanisms: SQLite's group commit and committed-progress cache,
PostgreSQL's kept connections and revision-checked progress cache, one socket write per response
and the batched request log."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
from fastapi import FastAPI
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.pool import NullPool

from server.accounts import create_enrollment_code, enroll_device
from server.app import create_app
from server.db import _HOT_WRITER, GroupCommit, write_tx
from server.embedded import ThreadedServer
from server.ledger import remember_progress
from server.logs import BatchedStreamHandler, JsonFormatter
from server.models import actions, checkins, grants
from server.settings import Settings
from server.transport import CoalescingHttpToolsProtocol, CoalescingTransport
from tests.server.conftest import PARTNER_SECRET, T0, FakeClock
from tests.server.pack import CAMPAIGN_ID

LANDMARKS = [f"lm{i:02d}" for i in range(1, 16)]  # no unlock threshold before lm16


@pytest.fixture
def sqlite_app(tmp_path: Path, campaigns_root: Path) -> Iterator[FastAPI]:
    settings = Settings(
        data_dir=tmp_path / "data", campaign_id=CAMPAIGN_ID, campaigns_root=campaigns_root,
        rate_per_s=1e6, rate_burst=10**6, device_checkins_per_window=10_000, clock=FakeClock(),
    )
    app = create_app(settings)
    yield app
    app.state.ctx.engine.dispose()


def _token(app: FastAPI) -> str:
    ctx = app.state.ctx
    code = create_enrollment_code(ctx.engine, kind="qa", landmark_id=None, now=T0, ttl_s=3600)
    return enroll_device(ctx.engine, code=code, name="t", kind="qa", landmark_id=None, now=T0)[1]


def _checkin(landmark: str, action_id: str | None = None) -> dict[str, Any]:
    return {
        "action_id": action_id or str(uuid.uuid4()), "kind": "checkin", "client_time": T0.isoformat(),
        "landmark_id": landmark, "mode": "scan", "scan_verified": True,
    }


async def _players(client: httpx.AsyncClient, headers: dict[str, str], n: int) -> list[str]:
    return [(await client.post("/v1/players", headers=headers)).json()["player_id"] for _ in range(n)]


def _count(app: FastAPI, table: Any) -> int:
    with app.state.ctx.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(table)))


def test_group_commit_applies_concurrent_checkins_once(sqlite_app: FastAPI) -> None:
    """Concurrent requests share commits; every action is stored once, and a concurrent replay of
    all of them (several requests per player in one group) only finds duplicates."""
    group: GroupCommit = sqlite_app.state.ctx.group
    assert group is not None
    headers = {"Authorization": f"Bearer {_token(sqlite_app)}"}

    async def run() -> tuple[list[httpx.Response], list[httpx.Response]]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sqlite_app), base_url="http://t") as client:
            players = await _players(client, headers, 8)
            bodies = [(p, _checkin(lm)) for p in players for lm in LANDMARKS[:6]]

            async def post(pid: str, act: dict[str, Any]) -> httpx.Response:
                return await client.post(f"/v1/players/{pid}/actions", headers=headers, json={"actions": [act]})

            first = await asyncio.gather(*(post(p, a) for p, a in bodies))
            again = await asyncio.gather(*(post(p, a) for p, a in bodies))
            return first, again

    batches0 = group.batches
    first, again = asyncio.run(run())
    assert all(r.status_code == 200 for r in first + again)
    assert [r.json()["results"][0]["status"] for r in first] == ["applied"] * 48
    assert [r.json()["results"][0]["status"] for r in again] == ["duplicate"] * 48
    assert group.batches - batches0 < 96  # requests really were committed together
    assert _count(sqlite_app, checkins) == 48 and _count(sqlite_app, actions) == 48 and _count(sqlite_app, grants) == 48
    # the authoritative progress in each answer counts every check-in committed before it for that player
    steps = {r.json()["progress"]["player_id"]: r.json()["progress"]["total_steps"] for r in again}
    assert set(steps.values()) == {6 * first[0].json()["results"][0]["steps"]}


def test_group_commit_isolates_a_failing_request(sqlite_app: FastAPI) -> None:
    """A request that fails inside the group (404: not this device's player) rolls back alone."""
    headers = {"Authorization": f"Bearer {_token(sqlite_app)}"}
    other = {"Authorization": f"Bearer {_token(sqlite_app)}"}

    async def run() -> list[httpx.Response]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sqlite_app), base_url="http://t") as client:
            mine = await _players(client, headers, 3)
            calls = [client.post(f"/v1/players/{p}/actions", headers=headers, json={"actions": [_checkin("lm01")]})
                     for p in mine]
            calls.insert(1, client.post(f"/v1/players/{mine[0]}/actions", headers=other,
                                        json={"actions": [_checkin("lm02")]}))
            return list(await asyncio.gather(*calls))

    responses = asyncio.run(run())
    assert [r.status_code for r in responses] == [200, 404, 200, 200]
    assert responses[1].json()["error"]["code"] == "player_not_found"
    assert _count(sqlite_app, checkins) == 3


def test_group_commit_failure_fails_the_whole_group(sqlite_app: FastAPI) -> None:
    """When COMMIT fails, no request of the group is answered as stored, nothing is stored, and
    the progress cached by the group's savepoints is dropped."""
    ctx = sqlite_app.state.ctx
    group: GroupCommit = ctx.group
    hot = getattr(ctx.engine, _HOT_WRITER)

    def good(tx: Any) -> str:
        with tx() as db:
            db.cur.execute("INSERT INTO grants (player_id, source, steps, at) VALUES ('nobody', 'x', 1, '2027-01-01')")
            remember_progress(db, "cached-player", object())  # type: ignore[arg-type]
        return "ok"

    def poison(tx: Any) -> str:
        with tx() as db:
            # FK violations are checked at COMMIT once deferred: the group's COMMIT fails
            db.cur.execute("PRAGMA defer_foreign_keys=ON")
        return "ok"

    async def run() -> list[Any]:
        return list(await asyncio.gather(group.run(poison), group.run(good), return_exceptions=True))

    results = asyncio.run(run())
    assert all(isinstance(r, sqlite3.IntegrityError) for r in results), results
    assert hot.progress.get("cached-player") is None
    assert _count(sqlite_app, grants) == 0
    assert not hot.conn.in_transaction
    assert asyncio.run(group.run(lambda tx: "next group works")) == "next group works"


def test_savepoint_rollback_drops_cached_progress(sqlite_app: FastAPI) -> None:
    ctx = sqlite_app.state.ctx
    hot = getattr(ctx.engine, _HOT_WRITER)

    def fails(tx: Any) -> None:
        with tx() as db:
            remember_progress(db, "p1", object())  # type: ignore[arg-type]
            raise RuntimeError("after caching, before the savepoint's release")

    with pytest.raises(RuntimeError):
        asyncio.run(ctx.group.run(fails))
    assert hot.progress.get("p1") is None


def _total_steps(client: Any, headers: dict[str, str], pid: str, landmark: str) -> int:
    r = client.post(f"/v1/players/{pid}/actions", headers=headers, json={"actions": [_checkin(landmark)]})
    assert r.status_code == 200 and r.json()["results"][0]["status"] == "applied", r.text
    return int(r.json()["progress"]["total_steps"])


def test_progress_cache_sees_every_other_writer(sqlite_app: FastAPI, tmp_path: Path) -> None:
    """Steps granted outside the check-in path, by another connection (another worker, the CLI)
    or by this process's own ledger writers, are in the next check-in's progress."""
    from fastapi.testclient import TestClient

    ctx = sqlite_app.state.ctx
    hot = getattr(ctx.engine, _HOT_WRITER)
    headers = {"Authorization": f"Bearer {_token(sqlite_app)}"}
    with TestClient(sqlite_app) as client:
        pid = client.post("/v1/players", headers=headers).json()["player_id"]
        base = _total_steps(client, headers, pid, "lm01")
        assert hot.progress.get(pid) is not None
        step = _total_steps(client, headers, pid, "lm02") - base

        other = sqlite3.connect(tmp_path / "data" / "server.db")  # like another worker process
        with other:
            other.execute("INSERT INTO grants (player_id, source, steps, at) VALUES (?, 'elsewhere', 100, ?)",
                          (pid, "2027-02-10 03:00:00.000000"))
        other.close()
        assert _total_steps(client, headers, pid, "lm03") == base + 2 * step + 100

        with write_tx(ctx.engine) as conn:  # this process, outside the action path (e.g. a partner task)
            conn.execute(text("INSERT INTO grants (player_id, source, steps, at) VALUES (:p, 'task', 1000, :at)"),
                         {"p": pid, "at": "2027-02-10 03:00:00.000000"})
        assert _total_steps(client, headers, pid, "lm04") == base + 3 * step + 1100

        client.post("/v1/players", headers=headers)  # a write that touches no ledger keeps the cache
        assert hot.progress.get(pid) is not None


def test_coalescing_transport_joins_writes_in_order() -> None:
    class Fake:
        def __init__(self) -> None:
            self.writes: list[bytes] = []
            self.closed = False

        def write(self, data: bytes) -> None:
            self.writes.append(data)

        def close(self) -> None:
            self.closed = True

        def is_closing(self) -> bool:
            return self.closed

        def get_extra_info(self, name: str) -> str:
            return name

    async def run() -> tuple[Fake, CoalescingTransport]:
        fake = Fake()
        t = CoalescingTransport(fake, asyncio.get_running_loop())  # type: ignore[arg-type]
        t.write(b"head ")
        t.write(b"body")
        assert fake.writes == []
        await asyncio.sleep(0)  # end of the loop turn
        assert fake.writes == [b"head body"]
        t.write(b"a")
        assert not t.is_closing() and fake.writes[-1] == b"a"  # anything else asked flushes first
        t.write(b"b")
        assert t.get_extra_info("peername") == "peername" and fake.writes[-1] == b"b"
        t.write(b"last")
        t.close()
        return fake, t

    fake, _ = asyncio.run(run())
    assert fake.writes == [b"head body", b"a", b"b", b"last"] and fake.closed


def test_coalescing_protocol_under_uvicorn(sqlite_app: FastAPI) -> None:
    """The CLI's protocol: keep-alive answers and a Connection: close answer arrive whole."""
    server = ThreadedServer(sqlite_app, http=CoalescingHttpToolsProtocol)
    try:
        headers = {"Authorization": f"Bearer {_token(sqlite_app)}"}
        with requests.Session() as s:
            pid = s.post(server.url + "/v1/players", headers=headers, timeout=10).json()["player_id"]
            for lm in LANDMARKS[:3]:
                r = s.post(f"{server.url}/v1/players/{pid}/actions", headers=headers,
                           json={"actions": [_checkin(lm)]}, timeout=10)
                assert r.status_code == 200 and r.json()["results"][0]["status"] == "applied"
            r = s.get(f"{server.url}/v1/players/{pid}/progress", headers={**headers, "Connection": "close"}, timeout=10)
            assert r.status_code == 200 and len(r.json()["checkins"]) == 3
            assert r.headers["content-length"] == str(len(r.content))
    finally:
        server.stop()


def test_batched_log_handler_keeps_order_and_flushes() -> None:
    stream = io.StringIO()
    handler = BatchedStreamHandler(stream, interval_s=60)
    handler.setFormatter(JsonFormatter())
    log = logging.getLogger(f"test.batched.{uuid.uuid4().hex}")
    log.propagate = False
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.info("one")
    log.info("two")
    assert stream.getvalue() == ""  # queued
    log.warning("three")  # written at once, after what was queued before it
    assert [json.loads(line)["msg"] for line in stream.getvalue().splitlines()] == ["one", "two", "three"]
    log.info("four")
    handler.flush()
    assert json.loads(stream.getvalue().splitlines()[-1])["msg"] == "four"
    log.removeHandler(handler)


def test_server_process_freezes_its_startup_heap(sqlite_app: FastAPI, tmp_path: Path, campaigns_root: Path) -> None:
    import gc

    from fastapi.testclient import TestClient

    threshold = gc.get_threshold()
    app = create_app(sqlite_app.state.ctx.settings.with_(data_dir=tmp_path / "other"), server_process=True)
    try:
        with TestClient(app):
            assert gc.get_freeze_count() > 0 and gc.get_threshold()[0] > threshold[0]
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
        app.state.ctx.engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)  # PostgreSQL only: no SQLite variant
def test_pg_connection_broken_while_idle_is_replaced(make_app: Any, backend: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pooled PostgreSQL connections, and the check-in path's own, are pinged only after sitting
    idle; one that the server closed meanwhile is replaced before a check-in uses it."""
    assert backend.name == "postgres"
    from fastapi.testclient import TestClient

    import server.db
    import server.pgloop

    app = make_app()
    headers = {"Authorization": f"Bearer {_token(app)}"}
    with TestClient(app) as client:
        pid = client.post("/v1/players", headers=headers).json()["player_id"]
        assert _total_steps(client, headers, pid, "lm01") > 0
        engine = app.state.ctx.engine
        pooled = [engine.raw_connection() for _ in range(engine.pool.checkedin())]
        backends = [c.driver_connection.info.backend_pid for c in pooled]
        for c in pooled:
            c.close()
        loop_wires = app.state.ctx.pg._all  # the check-in path's own connections, outside the pool
        backends += [wire.driver.info.backend_pid for wire in loop_wires]
        assert len(loop_wires) >= 1
        killer = create_engine(backend.url, poolclass=NullPool)  # as a server restart would
        with killer.connect() as conn:
            for backend_pid in backends:
                conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend_pid})
            conn.commit()
        killer.dispose()
        monkeypatch.setattr(server.db, "PING_IDLE_S", 0.0)
        monkeypatch.setattr(server.pgloop, "PING_IDLE_S", 0.0)
        r = client.post(f"/v1/players/{pid}/actions", headers=headers, json={"actions": [_checkin("lm02")]})
        assert r.status_code == 200 and r.json()["results"][0]["status"] == "applied", r.text


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)  # PostgreSQL only: no SQLite variant
def test_pg_literals_round_trip_every_string(backend: Any) -> None:
    """The hot path binds values client-side (``PgLiterals``): every string, plain or needing
    escapes, reaches PostgreSQL unchanged, and renders as libpq's own PQescapeLiteral renders it."""
    from server.queries import PgLiterals, Stmt

    values = [
        "", "lm01", "3f2b8c1e-0c1d-4a57-9d0e-1b2c3d4e5f60", "a b:c.d-e_f+g", "it's", "''", "back\\slash",
        "\\'", "E'x'", "终点 🎉", "tab\tnew\nline", "%(x)s", "; DROP TABLE players; --", "$1 $$ $tag$",
    ]
    engine = create_engine(backend.url, poolclass=NullPool)
    try:
        pooled = engine.raw_connection()
        try:
            driver = pooled.driver_connection
            literals = PgLiterals(driver)
            stmt = Stmt(" UNION ALL ".join(f"SELECT {i} AS i, :v{i} AS v" for i in range(len(values))))
            sql = literals.render(stmt, {f"v{i}": v for i, v in enumerate(values)})
            with driver.cursor() as cur:
                cur.execute(sql + " ORDER BY i", prepare=False)
                assert [row[1] for row in cur.fetchall()] == values
            for v in values:
                assert literals.text(v) == literals.escape(v.encode()).decode()
        finally:
            pooled.close()
    finally:
        engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)  # PostgreSQL only: no SQLite variant
def test_pg_progress_cache_sees_other_workers_and_partner_tasks(make_app: Any, backend: Any) -> None:
    """Two apps on one database (two workers): each caches a player's progress, and a check-in or
    a partner task stored by the other is in the next check-in's progress on this one."""
    assert backend.name == "postgres"
    from fastapi.testclient import TestClient

    from server.security import sign

    first, second = make_app(), make_app()
    headers = {"Authorization": f"Bearer {_token(first)}"}
    with TestClient(first) as a, TestClient(second) as b:
        pid = a.post("/v1/players", headers=headers).json()["player_id"]
        base = _total_steps(a, headers, pid, "lm01")
        cache_a = first.state.ctx.pg.progress
        rev = cache_a.get(pid)[0]
        step = _total_steps(a, headers, pid, "lm02") - base  # from the cache (no ledger read)
        assert cache_a.get(pid)[0] == rev + 1
        assert _total_steps(b, headers, pid, "lm03") == base + 2 * step  # the other worker
        assert _total_steps(a, headers, pid, "lm04") == base + 3 * step  # sees it
        raw = json.dumps({"event_id": "bank-1", "player_id": pid, "task_id": "wallet-open"}).encode()
        ts = str(int(T0.timestamp()))
        r = b.post("/v1/partner/task-events", content=raw, headers={
            "X-Timestamp": ts, "X-Signature": "sha256=" + sign(PARTNER_SECRET, ts, raw),
            "Content-Type": "application/json",
        })
        assert r.status_code == 200 and r.json()["status"] == "applied", r.text
        assert _total_steps(a, headers, pid, "lm05") == base + 4 * step + r.json()["steps"]
        # A resent check-in answers its stored result from the cache, and changes nothing.
        again = _checkin("lm06")
        first_answer = a.post(f"/v1/players/{pid}/actions", headers=headers, json={"actions": [again]}).json()
        resent = b.post(f"/v1/players/{pid}/actions", headers=headers, json={"actions": [again]}).json()
        assert resent["results"][0]["status"] == "duplicate"
        assert resent["progress"]["total_steps"] == first_answer["progress"]["total_steps"]


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)  # PostgreSQL only: no SQLite variant
def test_pg_loop_connections_serve_more_requests_than_connections_exactly_once(make_app: Any, backend: Any) -> None:
    """PostgreSQL's action path runs on the event loop over at most ``pg_connections`` connections:
    many more concurrent check-ins than connections, several on one player at once (its row lock
    queues them) and the same actions resent concurrently, are each stored once; every answer's
    progress counts every check-in committed before it, and no more connections are opened."""
    assert backend.name == "postgres"
    app = make_app(pg_connections=2, device_checkins_per_window=10_000)
    headers = {"Authorization": f"Bearer {_token(app)}"}
    loop_pg = app.state.ctx.pg

    async def run() -> tuple[list[httpx.Response], list[httpx.Response], int]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            players = await _players(client, headers, 4)
            bodies = [(p, _checkin(lm)) for p in players for lm in LANDMARKS[:6]]

            async def post(pid: str, act: dict[str, Any]) -> httpx.Response:
                return await client.post(f"/v1/players/{pid}/actions", headers=headers, json={"actions": [act]})

            first = await asyncio.gather(*(post(p, a) for p, a in bodies), *(post(p, a) for p, a in bodies[:6]))
            again = await asyncio.gather(*(post(p, a) for p, a in bodies))
            opened = len(loop_pg._all)
            loop_pg.close()
            return list(first), list(again), opened

    first, again, opened = asyncio.run(run())
    assert all(r.status_code == 200 for r in first + again), [r.text for r in first + again if r.status_code != 200]
    statuses = [r.json()["results"][0]["status"] for r in first]
    # the six sent twice at once: one of each pair applied, the other its duplicate
    assert statuses.count("applied") == 24 and statuses.count("duplicate") == 6
    assert [r.json()["results"][0]["status"] for r in again] == ["duplicate"] * 24
    assert _count(app, checkins) == 24 and _count(app, actions) == 24 and _count(app, grants) == 24
    step = next(r.json()["results"][0]["steps"] for r in first if r.json()["results"][0]["status"] == "applied")
    assert {r.json()["progress"]["total_steps"] for r in again} == {6 * step}
    assert 1 <= opened <= 2


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)  # PostgreSQL only: no SQLite variant
def test_pg_loop_failed_transaction_rolls_back_and_connection_is_reused(make_app: Any, backend: Any) -> None:
    """A transaction on a loop connection that fails (here a unique violation sent with the COMMIT)
    stores nothing, leaves the connection idle and usable, and never puts its progress in the
    worker's cache; outside ``PgLoop.run`` the loop's connections refuse to block."""
    assert backend.name == "postgres"
    from psycopg import IntegrityError

    from server import queries as q
    from server.pgloop import PgLoop

    app = make_app()
    loop_pg: PgLoop = app.state.ctx.pg
    headers = {"Authorization": f"Bearer {_token(app)}"}
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        pid = client.post("/v1/players", headers=headers).json()["player_id"]

    def twice() -> None:
        with loop_pg.transaction() as db:
            db.fetch([(q.PLAYER_LOCK, {"player_id": pid})])
            db.revs[pid] = 0
            db.remembered.append((pid, 0, object()))
            for _ in range(2):  # the same check-in twice: the second fails with the COMMIT
                db.run(q.INSERT_CHECKIN, {"player_id": pid, "landmark_id": "lm01", "mode": "scan",
                                          "day": db.day(T0.date()), "at": db.ts(T0), "device_id": None,
                                          "received_at": db.ts(T0)})

    def one_task() -> int:
        with loop_pg.transaction() as db:
            db.fetch([(q.PLAYER_LOCK, {"player_id": pid})])
            db.run(q.INSERT_TASK, {"player_id": pid, "task_id": "t-once", "at": db.ts(T0)})
        with loop_pg.transaction() as db:
            return len(db.all(q.LEDGER, {"p": pid}))

    async def run() -> tuple[int, int]:
        with pytest.raises(IntegrityError):
            await loop_pg.run(twice)
        wires = set(loop_pg._all)
        rows = await loop_pg.run(one_task)
        reused = len(wires & loop_pg._all)
        loop_pg.close()
        return rows, reused

    rows, reused = asyncio.run(run())
    assert rows == 1  # only t-once: the failed transaction left nothing
    assert reused == 1  # the same connection served the next transactions
    assert loop_pg.progress.get(pid) is None
    with pytest.raises(RuntimeError, match=r"outside PgLoop\.run"), loop_pg.transaction():
        pass
