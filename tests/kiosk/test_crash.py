"""Staying up: an uncaught error is logged with the scene stack and exits non-zero; a killed kiosk comes back
at the attract loop with a fresh guest and the outbox intact."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from game.content import load_campaign
from game.rules.content import CheckinMode
from game.rules.progress import CheckIn, Context, apply
from game.store import LocalStore

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy", "PYGAME_HIDE_SUPPORT_PROMPT": "1"}
KIOSK = ["--headless", "--kiosk", "--server", "offline", "--camera", "none"]


def log_records(data: Path) -> list[dict]:
    lines = (data / "logs" / "client.log").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def seed_visitor(db: Path) -> tuple[str, list[str]]:
    """A visitor in the middle of a visit: one check-in queued for the server."""
    campaign = load_campaign("jade-rabbit-chongqing")
    lm = next(lm for lm in campaign.city.landmarks if lm.quiz is not None and lm.unlock_after == 0)
    assert lm.quiz is not None
    store = LocalStore.open(db)
    player = store.new_player()
    store.set_current_player(player)
    action = CheckIn(lm.id, CheckinMode.LEARN, quiz_choice=lm.quiz.answer)
    outcome = apply(campaign, store.load_progress(player), action, Context(now=datetime.now(UTC)))
    store.record(player, action, outcome.progress, datetime.now(UTC), None)
    ids = [e.action_id for e in store.entries(status="pending")]
    store.close()
    return player, ids


def test_a_killed_kiosk_restarts_at_attract_with_a_fresh_guest_and_the_outbox_intact(tmp_path: Path) -> None:
    data = tmp_path / "data"
    visitor, queued = seed_visitor(data / "progress.db")
    proc = subprocess.Popen([sys.executable, "main.py", *KIOSK, "--data-dir", str(data)], cwd=ROOT, env=ENV,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:  # running: its first frame is logged
            if (data / "logs" / "client.log").exists() and any(r["msg"] == "first frame" for r in log_records(data)):
                break
            time.sleep(0.1)
        else:
            raise AssertionError("the kiosk never drew a frame")
        time.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGKILL)  # a crash the process cannot catch (power cut, OOM killer)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    again = subprocess.run([sys.executable, "main.py", *KIOSK, "--data-dir", str(data), "--frames", "10"], cwd=ROOT,
                           env=ENV, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr[-2000:]
    first_frames = [r for r in log_records(data) if r["msg"] == "first frame"]
    assert first_frames[-1]["scenes"] == ["attract"]
    store = LocalStore.open(data / "progress.db")
    try:
        assert [e.action_id for e in store.entries(status="pending")] == queued  # nothing lost
        assert store.current_player() not in (None, visitor)  # and nothing of the visitor shown
    finally:
        store.close()


CRASHER = """
import sys
import scenes.attract as attract

def update(self, dt):
    self.t += dt
    if self.t > 0.2:
        raise RuntimeError("boom in the attract loop")

attract.AttractScene.update = update
import main
main.entry()
"""


def test_an_uncaught_error_is_logged_with_the_scene_stack_and_exits_non_zero(tmp_path: Path) -> None:
    data = tmp_path / "data"
    proc = subprocess.run([sys.executable, "-c", CRASHER, *KIOSK, "--data-dir", str(data), "--frames", "200"],
                          cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 70
    crash = [r for r in log_records(data) if r["level"] == "critical"]
    assert len(crash) == 1
    assert crash[0]["scenes"] == ["attract"] and "boom in the attract loop" in crash[0]["exc"]
    assert isinstance(crash[0]["last_actions"], list)
    assert "Traceback" not in proc.stderr.splitlines()[-1]
