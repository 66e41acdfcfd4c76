"""Fixtures for the server tests: a backend parametrised over SQLite and PostgreSQL, a test pack,
a controllable clock, in-process clients and a real uvicorn on loopback.

PostgreSQL comes from TEST_DATABASE_URL_PG (see .ci/pg.sh). Without it the PostgreSQL variants
skip locally, and FAIL when CI_REQUIRE_PG=1 (exported by .ci/run) or CI=true, so CI can never pass
by silently skipping them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from server.accounts import create_admin_token, create_enrollment_code
from server.app import create_app
from server.embedded import ThreadedServer
from server.settings import Settings
from tests.server.pack import CAMPAIGN_ID, write_pack

PG_ENV = "TEST_DATABASE_URL_PG"
PARTNER_SECRET = "test-partner-secret"
# 2027-02-10 12:00 in Shanghai (UTC+8)
T0 = datetime(2027, 2, 10, 4, 0, tzinfo=UTC)


@dataclass
class FakeClock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@dataclass
class Backend:
    name: str
    url: str | None
    cleanup: list[Callable[[], None]] = field(default_factory=list)


def pg_required() -> bool:
    """True in CI: a missing or unreachable PostgreSQL is then a failure, never a skip."""
    env = os.environ
    return env.get("CI_REQUIRE_PG", "").strip().lower() in ("1", "true", "yes") or env.get("CI", "").lower() == "true"


def _pg_url() -> str | None:
    url = os.environ.get(PG_ENV)
    if url:
        return url
    if pg_required():
        pytest.fail(f"{PG_ENV} is not set but CI_REQUIRE_PG/CI requires PostgreSQL (source .ci/pg.sh; pg_start)")
    pytest.skip(
        f"{PG_ENV} not set: run `make test`, which starts a throwaway cluster when PostgreSQL's "
        "initdb/pg_ctl are installed (Debian/Ubuntu: apt-get install postgresql)"
    )
    return None


def _pg_schema_url(base: str) -> tuple[str, Callable[[], None]]:
    """A fresh schema per test, selected through search_path, dropped afterwards."""
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as err:
        admin.dispose()
        if pg_required():
            pytest.fail(f"PostgreSQL at {PG_ENV} is unreachable: {err}")
        pytest.skip(f"PostgreSQL unreachable: {err}")
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()

    return url.render_as_string(hide_password=False), drop


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    if request.param == "sqlite":
        yield Backend("sqlite", None)
        return
    base = _pg_url()
    assert base is not None
    url, drop = _pg_schema_url(base)
    b = Backend("postgres", url)
    yield b
    drop()


@pytest.fixture(scope="session")
def campaigns_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_pack(tmp_path_factory.mktemp("campaigns"))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(backend: Backend, tmp_path: Path, campaigns_root: Path, clock: FakeClock) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=backend.url,
        campaign_id=CAMPAIGN_ID,
        campaigns_root=campaigns_root,
        partner_secret=PARTNER_SECRET,
        rate_per_s=10_000,
        rate_burst=10_000,
        clock=clock,
    )


class Api:
    """A thin test client: device-authenticated helpers over an httpx-like client."""

    def __init__(self, client: Any, app: FastAPI) -> None:
        self.client = client
        self.app = app

    @property
    def ctx(self) -> Any:
        return self.app.state.ctx

    def code(self, kind: str = "kiosk", landmark: str | None = None) -> str:
        s = self.ctx.settings
        return create_enrollment_code(self.ctx.engine, kind=kind, landmark_id=landmark, now=s.clock(), ttl_s=3600)

    def admin_token(self) -> str:
        return create_admin_token(self.ctx.engine, label="test", now=self.ctx.settings.clock())

    def enroll(self, kind: str = "kiosk", landmark: str | None = None, name: str = "dev") -> dict[str, str]:
        body: dict[str, Any] = {"enrollment_code": self.code(kind, landmark), "name": name, "kind": kind}
        r = self.client.post("/v1/devices/enroll", json=body)
        assert r.status_code == 201, r.text
        return {"Authorization": f"Bearer {r.json()['device_token']}"}

    def new_player(self, headers: dict[str, str], campaign_id: str | None = None) -> dict[str, Any]:
        body = {"campaign_id": campaign_id} if campaign_id else None
        r = self.client.post("/v1/players", headers=headers, json=body)
        assert r.status_code == 201, r.text
        return r.json()

    def act(self, headers: dict[str, str], player_id: str, *actions: dict[str, Any]) -> Any:
        return self.client.post(f"/v1/players/{player_id}/actions", headers=headers, json={"actions": list(actions)})


class ScriptedRng:
    """The server's spawn roll, scripted: returns ``values`` in turn, cycling (a scan takes two:
    the chance gate, then the weighted pick)."""

    def __init__(self, *values: float) -> None:
        self.values = values or (0.0,)
        self.i = 0

    def __call__(self) -> float:
        value = self.values[self.i % len(self.values)]
        self.i += 1
        return value


def action(kind: str, now: datetime = T0, **fields: Any) -> dict[str, Any]:
    return {"action_id": str(uuid.uuid4()), "kind": kind, "client_time": now.isoformat(), **fields}


@pytest.fixture
def make_app(settings: Settings) -> Iterator[Callable[..., FastAPI]]:
    apps: list[FastAPI] = []

    def build(**changes: Any) -> FastAPI:
        app = create_app(settings.with_(**changes))
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.state.ctx.engine.dispose()


@pytest.fixture
def app(make_app: Callable[..., FastAPI]) -> FastAPI:
    return make_app()


@pytest.fixture
def api(app: FastAPI) -> Iterator[Api]:
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client, app)


@pytest.fixture
def live(app: FastAPI) -> Iterator[ThreadedServer]:
    """The same app under a real uvicorn on 127.0.0.1 (stopped after the test)."""
    server = ThreadedServer(app)
    yield server
    server.stop()
