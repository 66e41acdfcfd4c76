"""The client's embedded default: this same app in-process, on a free loopback port, SQLite in data_dir.

    with start_embedded(data_dir, "jade-rabbit-chongqing") as server:
        device_id, token = server.enroll_local_device(kind="laptop")
        requests.get(server.url + "/v1/health")
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn
from fastapi import FastAPI
from sqlalchemy import or_, select, update

from server.accounts import create_admin_token, create_enrollment_code, enroll_device
from server.app import create_app
from server.context import AppContext
from server.db import write_tx
from server.models import devices
from server.security import token_hash
from server.settings import DEV_PARTNER_SECRET, Settings
from server.transport import http_protocol

log = logging.getLogger(__name__)


class ThreadedServer:
    """Runs an ASGI app under uvicorn in a daemon thread on 127.0.0.1; ``stop()`` shuts it down."""

    def __init__(
        self, app: FastAPI, *, host: str = "127.0.0.1", port: int = 0, ready_timeout: float = 5.0, http: Any = None
    ) -> None:
        self.app = app
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        self.host, self.port = self._sock.getsockname()[:2]
        config = uvicorn.Config(
            app, log_config=None, access_log=False, lifespan="on", timeout_graceful_shutdown=3, backlog=2048,
            server_header=False, http=http or http_protocol(), proxy_headers=False,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, name=f"uvicorn-{self.port}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + ready_timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"server did not start within {ready_timeout} s")
            time.sleep(0.01)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _run(self) -> None:
        self._server.run(sockets=[self._sock])

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()


class EmbeddedServer:
    """Handle returned by ``start_embedded``: ``.url``, ``.stop()``, local enrolment helpers."""

    def __init__(self, app: FastAPI, runner: ThreadedServer) -> None:
        self.app = app
        self._runner = runner
        self.url = runner.url

    @property
    def _ctx(self) -> AppContext:
        return self.app.state.ctx

    def enrollment_code(self, kind: str = "laptop", landmark: str | None = None) -> str:
        s = self._ctx.settings
        return create_enrollment_code(
            self._ctx.engine, kind=kind, landmark_id=landmark, now=s.clock(), ttl_s=s.enrollment_ttl_s
        )

    def enroll_local_device(
        self, kind: str = "laptop", landmark: str | None = None, name: str = "this device"
    ) -> tuple[str, str]:
        """Enrol the machine the server runs on. Returns (device_id, device_token)."""
        code = self.enrollment_code(kind, landmark)
        device_id, token, _ = enroll_device(
            self._ctx.engine, code=code, name=name, kind=kind, landmark_id=landmark, now=self._ctx.settings.clock()
        )
        return device_id, token

    def rebind_local_device(self, device: str, landmark: str | None) -> bool:
        """Event mode: the machine the server runs on now stands at ``landmark`` (None: at none).
        ``device`` is its device id or token. Visit check-ins are judged against the device's
        landmark, so the row is updated and the device cache forgets it at once. Only the embedded
        server may do this: it serves this machine alone. False if no such (unrevoked) device."""
        with write_tx(self._ctx.engine, touches_ledger=False) as conn:
            mine = (or_(devices.c.id == device, devices.c.token_hash == token_hash(device)),
                    devices.c.revoked_at.is_(None))
            found = conn.execute(select(devices.c.id).where(*mine)).scalars().all()
            conn.execute(update(devices).where(*mine).values(landmark_id=landmark))
        for device_id in found:
            self._ctx.devices.drop(device_id)
        if found:
            log.info("local device rebound", extra={"landmark": landmark})
        return bool(found)

    def admin_token(self, label: str = "embedded") -> str:
        return create_admin_token(self._ctx.engine, label=label, now=self._ctx.settings.clock())

    def stop(self) -> None:
        self._runner.stop()

    def __enter__(self) -> EmbeddedServer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def start_embedded(
    data_dir: Path,
    campaign_id: str,
    *,
    campaigns_root: Path | None = None,
    ready_timeout: float = 5.0,
    settings: Settings | None = None,
) -> EmbeddedServer:
    """Start the server in this process (SQLite under ``data_dir``) and wait until it answers (≤ 5 s)."""
    base = settings or Settings()
    changes: dict[str, object] = {"data_dir": Path(data_dir), "campaign_id": campaign_id}
    if campaigns_root is not None:
        changes["campaigns_root"] = campaigns_root
    if not base.partner_secret:
        changes["partner_secret"] = DEV_PARTNER_SECRET  # embedded only: a laptop demo has no bank behind it
    # The embedded server serves the machine it runs in, which plays offline before it enrols itself
    # (lazily, at the first sync): its own device's enrolment is no bound on when play happened.
    changes["enrolment_floor"] = False
    app = create_app(base.with_(**changes))
    runner = ThreadedServer(app, ready_timeout=ready_timeout)
    log.info("embedded server on %s", runner.url)
    return EmbeddedServer(app, runner)
