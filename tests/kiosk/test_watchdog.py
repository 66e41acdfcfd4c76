"""The systemd watchdog ping (sd_notify over the NOTIFY_SOCKET datagram socket), against a fake systemd."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from game.kiosk.housekeeping import cap_folder
from game.kiosk.watchdog import HUNG_EXIT, HangWatchdog, Watchdog

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def notify_socket(tmp_path: Path):
    path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(0.2)
    yield path, sock
    sock.close()


def received(sock: socket.socket) -> list[str]:
    out = []
    while True:
        try:
            out.append(sock.recv(256).decode())
        except TimeoutError:
            return out


def test_pings_are_rate_limited_to_a_quarter_of_the_interval(notify_socket) -> None:  # type: ignore[no-untyped-def]
    path, sock = notify_socket
    now = [0.0]
    dog = Watchdog.from_env({"NOTIFY_SOCKET": str(path), "WATCHDOG_USEC": "20000000"})
    dog.clock = lambda: now[0]
    dog.ready()
    for _ in range(600):  # ten seconds of frames at 60 fps
        dog.ping()
        now[0] += 1 / 60
    dog.close()
    msgs = received(sock)
    assert msgs[0] == "READY=1"
    assert 2 <= msgs.count("WATCHDOG=1") <= 3  # every 5 s of a 20 s WatchdogSec
    assert set(msgs) == {"READY=1", "WATCHDOG=1"}


def test_without_systemd_the_watchdog_does_nothing() -> None:
    dog = Watchdog.from_env({})
    dog.ready()
    dog.ping()
    assert not dog.enabled and dog.sent == 0


def test_the_running_client_pings_from_its_frame_loop(notify_socket, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path, sock = notify_socket
    env = {**os.environ, "NOTIFY_SOCKET": str(path), "WATCHDOG_USEC": "2000000", "SDL_VIDEODRIVER": "dummy",
           "SDL_AUDIODRIVER": "dummy"}
    env.pop("WATCHDOG_PID", None)
    proc = subprocess.run([sys.executable, "main.py", "--headless", "--kiosk", "--server", "offline", "--camera",
                           "none", "--data-dir", str(tmp_path / "data"), "--frames", "30"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    msgs = received(sock)
    assert "READY=1" in msgs and "WATCHDOG=1" in msgs
    assert msgs[-1] == "STOPPING=1"


def test_data_dir_folders_are_capped_oldest_first(tmp_path: Path) -> None:
    folder = tmp_path / "screenshots"
    folder.mkdir()
    for i in range(10):
        f = folder / f"shot-{i}.png"
        f.write_bytes(b"x" * 1000)
        os.utime(f, (1000 + i, 1000 + i))
    removed = cap_folder(folder, 4500)
    assert sorted(p.name for p in removed) == [f"shot-{i}.png" for i in range(6)]
    assert sorted(p.name for p in folder.iterdir()) == [f"shot-{i}.png" for i in range(6, 10)]



# ---- the hang watchdog (supervisors without systemd's: Windows' Task Scheduler) -----------------------

HUNG_LOOP = """
import logging, sys, time
sys.path.insert(0, {root!r})
logging.basicConfig(level=logging.INFO, stream=sys.stderr)
from game.kiosk.watchdog import HangWatchdog

def stuck_in_a_scene():
    time.sleep(60)  # a frame that never ends

dog = HangWatchdog(lambda: "attract > map > card:hongyadong", timeout_s=1.0).start()
for _ in range(20):  # a healthy loop first
    dog.ping()
    time.sleep(0.02)
stuck_in_a_scene()
"""


def test_a_hung_frame_loop_exits_non_zero_with_the_scene_stack_logged(tmp_path: Path) -> None:
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", HUNG_LOOP.format(root=str(ROOT))], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == HUNG_EXIT  # non-zero: Task Scheduler's "restart on failure" starts it again
    assert time.monotonic() - started < 30  # well before the 60 s "frame" would have ended
    assert "frame loop hung" in proc.stderr
    assert "attract > map > card:hongyadong" in proc.stderr  # the scene stack
    assert "stuck_in_a_scene" in proc.stderr  # where the main thread is stuck


def test_a_loop_that_keeps_pinging_is_left_alone_and_a_slow_start_is_not_a_hang() -> None:
    exits: list[int] = []
    dog = HangWatchdog(lambda: "attract", timeout_s=0.4, exit=exits.append).start()
    try:
        time.sleep(0.8)  # not armed before the first frame: starting up is not hanging
        for _ in range(40):
            dog.ping()
            time.sleep(0.02)
        assert exits == [] and not dog.fired
    finally:
        dog.stop()

