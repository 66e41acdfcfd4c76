"""The frame clock (time moves with frames, follows its source, records every jump) and the scripted
camera (one frame per game frame, the same frame for the same seed, frame and subject)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import cv2
import numpy as np

from game.qa.camera import ScriptedCamera
from game.qa.clock import RESYNC_SECONDS, FrameClock
from tests.qa.conftest import ROOT

START = datetime(2027, 1, 31, 15, 59, 0, tzinfo=UTC)


def test_simulated_time_moves_by_each_frames_dt() -> None:
    clock = FrameClock(None, START)
    for frame in range(120):
        clock.tick(frame, 0.5)
    assert abs((clock.now() - START).total_seconds() - 60.0) < 1e-6
    assert clock.jumps == []


def test_a_followed_clock_resyncs_only_past_the_tolerance_and_records_it() -> None:
    real = {"t": START}
    clock = FrameClock(lambda: real["t"], START)
    real["t"] += timedelta(seconds=0.1)
    clock.tick(1, 1 / 60)
    assert clock.jumps == []  # within tolerance: the frame clock keeps its own smooth time
    real["t"] += timedelta(seconds=5)  # a stalled frame, a suspended laptop
    clock.tick(2, 1 / 60)
    assert len(clock.jumps) == 1 and clock.jumps[0].frame == 2
    assert abs((clock.now() - real["t"]).total_seconds()) < RESYNC_SECONDS


def test_set_jumps_and_keeps_running() -> None:
    clock = FrameClock(None, START)
    clock.set(5, datetime(2027, 3, 1, 0, 0, tzinfo=UTC))
    clock.tick(6, 2.0)
    assert clock.now() == datetime(2027, 3, 1, 0, 0, 2, tzinfo=UTC)


def logo() -> np.ndarray:
    img = cv2.imread(str(ROOT / "assets" / "campaigns" / "jade-rabbit-chongqing" / "logo.png"), cv2.IMREAD_COLOR)
    assert img is not None
    return img


def test_the_scripted_camera_gives_one_reproducible_frame_per_game_frame() -> None:
    image = logo()
    a = ScriptedCamera(lambda s: image, seed=3).start()
    b = ScriptedCamera(lambda s: image, seed=3).start()
    assert a.read() is None  # nothing until the game frame asks
    for frame in (0, 1, 2):
        a.advance(frame)
        b.advance(frame)
        fa, fb = a.read(), b.read()
        assert fa is not None and fb is not None and fa.index == frame
        assert np.array_equal(fa.bgr, fb.bgr) and fa.truth is not None
        assert a.read() is None  # exactly one frame per game frame
    a.show("none")
    a.advance(3)
    empty = a.read()
    assert empty is not None and empty.truth is None  # the room, no marker
    a.close()
    a.advance(4)
    assert a.read() is None  # a closed camera publishes nothing
