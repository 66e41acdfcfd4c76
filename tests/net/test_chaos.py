"""A lobby network and a kiosk that loses power, end to end: the client process is SIGKILLed at
random points and started again, every request goes through the fault proxy (drops, stalls, 500,
503/429 with Retry-After, lost acknowledgements) to the real server on loopback, enrolment and
player creation included. Afterwards every action is on the server exactly once, the steps agree,
the outbox is empty, no server player is empty, and the local view equals the server's."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from game.content import load_campaign
from game.rules.progress import summarize
from game.store import LocalStore
from net.api import ApiClient
from server.embedded import start_embedded
from server.models import actions, players
from server.settings import Settings
from tests.net.faultproxy import FAULTS, FaultProxy

CAMPAIGN_ID = "jade-rabbit-chongqing"
ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("chaos_client.py")
TARGET_ACTIONS = 1_020
MIN_KILLS = 5
WEIGHTS = {"pass": 0.62, "drop": 0.05, "stall": 0.03, "500": 0.05, "503": 0.05, "429": 0.04, "lost_ack": 0.14,
           "401": 0.02}


def start_client(data_dir: Path, url: str, code: str, seed: int, target: int = TARGET_ACTIONS) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(DRIVER), str(data_dir), url, code, str(target), str(seed)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "SDL_VIDEODRIVER": "dummy"},
    )


@pytest.mark.slow
def test_kills_and_faults_lose_nothing_and_double_nothing(tmp_path: Path) -> None:
    campaign = load_campaign(CAMPAIGN_ID)
    rng = random.Random(24)
    settings = Settings(rate_per_s=10_000.0, rate_burst=10_000, device_checkins_per_window=100_000)
    with start_embedded(tmp_path / "server", CAMPAIGN_ID, settings=settings) as server, \
            FaultProxy(int(server.url.rsplit(":", 1)[1]), weights=WEIGHTS, seed=24, stall_s=1.0,
                       retry_after_s=0.2) as proxy:
        # the first enrolment and the first creations lose their answers for sure
        proxy.script.extend([("POST /v1/devices/enroll", "lost_ack"), ("POST /v1/sync ", "lost_ack"),
                             ("POST /v1/sync ", "drop"), ("POST /v1/sync ", "lost_ack")])
        code = server.enrollment_code("laptop")
        data_dir = tmp_path / "client"
        kills = 0
        target = TARGET_ACTIONS
        deadline = time.monotonic() + 280
        proc = start_client(data_dir, proxy.url, code, seed=0)
        while True:
            assert time.monotonic() < deadline, "the client did not finish"
            if kills < MIN_KILLS + 3:
                try:
                    proc.wait(timeout=rng.uniform(0.3, 2.5) if kills else 0.8)
                except subprocess.TimeoutExpired:
                    proc.send_signal(signal.SIGKILL)
                    proc.wait()
                    kills += 1
                    proc = start_client(data_dir, proxy.url, code, seed=kills, target=target)
                    continue
            else:
                proc.wait(timeout=max(1.0, deadline - time.monotonic()))
            out, err = proc.communicate()
            assert proc.returncode == 0, err[-3000:]
            assert "DRAINED" in out
            if kills < MIN_KILLS:
                # A fast machine recorded and drained everything between the kills: the same data dir
                # gets more to play, and the kills go on (the kill count must not depend on speed).
                target += 300
                proc = start_client(data_dir, proxy.url, code, seed=100 + kills, target=target)
                continue
            break
        assert kills >= MIN_KILLS

        store = LocalStore.open(data_dir / "progress.db")
        entries = store.entries(limit=100_000)
        assert len(entries) >= 1_000
        assert store.pending_count() == 0
        assert {e.status for e in entries} == {"applied"}  # none rejected, none left pending

        engine = server.app.state.ctx.engine
        with engine.connect() as conn:
            server_actions = dict(conn.execute(select(actions.c.action_id, actions.c.status)).all())
            empty_players = conn.scalar(
                select(func.count()).select_from(players).where(
                    ~select(actions.c.action_id).where(actions.c.player_id == players.c.id).exists()
                )
            )
            server_players = conn.scalar(select(func.count()).select_from(players))
        assert set(server_actions) == {e.action_id for e in entries}  # each exactly once (primary key)
        assert set(server_actions.values()) == {"applied"}
        assert empty_players == 0

        api = ApiClient(server.url, store.get_meta("device_token"))
        local_players = {e.local_id for e in entries}
        assert server_players == len(local_players)
        now = datetime.now(UTC)
        for local_id in local_players:
            row = store.player(local_id)
            assert row is not None and row.server_id
            remote = api.progress(row.server_id)
            local = store.load_progress(local_id)
            summary = summarize(campaign, local, now)
            assert (remote["month_steps"], remote["total_steps"]) == (summary.month_steps, summary.total_steps)
            assert sorted((c["landmark_id"], c["mode"]) for c in remote["checkins"]) == sorted(
                (c.landmark_id, str(c.mode)) for c in local.checkins)
        store.close()
    injected = {k for k in FAULTS if proxy.counts[k]}
    assert injected == set(FAULTS), proxy.counts
    print(f"\n{len(entries)} actions, {len(local_players)} players, {kills} kills, faults {dict(proxy.counts)}")
