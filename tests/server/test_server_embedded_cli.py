"""The embedded server, the CLI, and lock-safe migrations (several workers starting at once)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from game.content import load_campaign
from game.rules.content import CheckinMode
from server.cli import main
from server.db import alembic_config, make_engine, upgrade
from server.embedded import start_embedded
from server.settings import Settings
from tests.server.conftest import Backend
from tests.server.pack import CAMPAIGN_ID

ROOT = Path(__file__).resolve().parents[2]


def test_embedded_start_enrol_restart(tmp_path: Path, campaigns_root: Path) -> None:
    before = threading.active_count()
    t0 = time.monotonic()
    with start_embedded(tmp_path, CAMPAIGN_ID, campaigns_root=campaigns_root) as server:
        assert time.monotonic() - t0 < 5
        assert server.url.startswith("http://127.0.0.1:")
        assert requests.get(server.url + "/v1/health", timeout=5).json()["status"] == "ok"
        _, token = server.enroll_local_device(kind="laptop")
        h = {"Authorization": f"Bearer {token}"}
        pid = requests.post(server.url + "/v1/players", headers=h, timeout=5).json()["player_id"]
    assert (tmp_path / "server.db").exists()
    with start_embedded(tmp_path, CAMPAIGN_ID, campaigns_root=campaigns_root) as server:
        r = requests.get(f"{server.url}/v1/players/{pid}/progress", headers=h, timeout=5)
        assert r.status_code == 200
        assert server.app.state.ctx.settings.partner_secret  # embedded dev default
    deadline = time.monotonic() + 5
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert threading.active_count() <= before


def _cli_env(monkeypatch: pytest.MonkeyPatch, campaigns_root: Path) -> None:
    monkeypatch.setenv("CAMPAIGNS_ROOT", str(campaigns_root))
    monkeypatch.setenv("CAMPAIGN_ID", CAMPAIGN_ID)


def test_cli_operator_commands(
    tmp_path: Path, campaigns_root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _cli_env(monkeypatch, campaigns_root)
    data = ["--data-dir", str(tmp_path)]
    assert main([*data, "enroll", "--kind", "kiosk", "--landmark", "lm01"]) == 0
    code = capsys.readouterr().out.strip()
    assert len(code) == 10
    assert main([*data, "enroll", "--kind", "kiosk", "--landmark", "atlantis"]) == 2
    assert main([*data, "create-admin-token"]) == 0
    assert len(capsys.readouterr().out.strip()) >= 40
    assert main([*data, "import-campaign", CAMPAIGN_ID]) == 0
    assert "test-city" in capsys.readouterr().out
    assert main([*data, "import-campaign", "no-such"]) == 1
    assert main([*data, "stats"]) == 0
    out = capsys.readouterr().out
    assert "funnel" in out and "jade-seal" in out
    # the printed code enrols a device through the API
    with start_embedded(tmp_path, CAMPAIGN_ID, campaigns_root=campaigns_root) as server:
        r = requests.post(
            server.url + "/v1/devices/enroll",
            json={"enrollment_code": code, "name": "lobby", "kind": "kiosk"},
            timeout=5,
        )
        assert r.status_code == 201 and r.json()["landmark_id"] == "lm01"


@pytest.mark.parametrize(
    ("argv", "flag"),
    [(["--port", "http"], "--port"), (["--port", "70000"], "--port"), (["--workers", "0"], "--workers"),
     (["--database-url", "mysql://x"], "--database-url"), (["enroll", "--kind", "robot"], "--kind")],
)
def test_cli_bad_values_one_line(argv: list[str], flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and flag in err


def test_concurrent_migrations(backend: Backend, tmp_path: Path, campaigns_root: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=backend.url, campaigns_root=campaigns_root)
    engines = [make_engine(settings) for _ in range(4)]
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            upgrade(engines[i])
        except BaseException as err:  # collected and asserted below
            errors.append(err)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    with engines[0].connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()
        assert "supply" in inspect(conn).get_table_names()
    for e in engines:
        e.dispose()


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_python_m_server_two_workers(backend: Backend, tmp_path: Path, campaigns_root: Path) -> None:
    port = _free_port()
    env = {**os.environ, "CAMPAIGNS_ROOT": str(campaigns_root), "CAMPAIGN_ID": CAMPAIGN_ID}
    argv = [sys.executable, "-m", "server", "--data-dir", str(tmp_path), "--port", str(port), "--workers", "2"]
    if backend.url:
        argv += ["--database-url", backend.url]
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120  # two workers start slowly on a busy machine
        while True:
            try:
                r = requests.get(f"http://127.0.0.1:{port}/v1/health", timeout=1)
                if r.status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            assert time.monotonic() < deadline, "server did not become healthy"
            time.sleep(0.2)
        assert r.json()["database"] is True
    finally:
        proc.terminate()
        try:
            out, _ = proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
    lines = [line for line in out.splitlines() if line.startswith("{")]
    assert any('"path": "/v1/health"' in line for line in lines), out[-2000:]


def test_embedded_rebinds_its_own_device_for_visit_check_ins(tmp_path: Path) -> None:
    """Event mode: the device is enrolled at one landmark, then moved to a locked one; a visit there is
    applied at once, though the device was authenticated (and cached) before the move."""
    campaign = load_campaign("jade-rabbit-chongqing")
    picked = next(lm for lm in campaign.city.landmarks if lm.unlock_after > 0 and CheckinMode.VISIT in lm.modes)
    start = next(lm for lm in campaign.city.landmarks if lm.id != picked.id)
    with start_embedded(tmp_path, campaign.id) as server:
        device_id, token = server.enroll_local_device(kind="kiosk", landmark=start.id)
        h = {"Authorization": f"Bearer {token}"}
        pid = requests.post(server.url + "/v1/players", headers=h, timeout=5).json()["player_id"]  # cached now

        def visit() -> dict:
            body = [{"action_id": str(uuid.uuid4()), "client_time": datetime.now(UTC).isoformat(),
                     "kind": "checkin", "landmark_id": picked.id, "mode": "visit"}]
            r = requests.post(f"{server.url}/v1/players/{pid}/actions", headers=h, json={"actions": body}, timeout=5)
            assert r.status_code == 200, r.text
            return r.json()["results"][0]

        assert visit()["status"] == "rejected"  # bound elsewhere: the picked landmark is still locked
        assert server.rebind_local_device(token, picked.id)
        result = visit()
        assert result["status"] == "applied" and result["steps"] == picked.modes[CheckinMode.VISIT]
        assert server.rebind_local_device(device_id, None)  # by id works too
        assert not server.rebind_local_device("no-such-device", picked.id)
