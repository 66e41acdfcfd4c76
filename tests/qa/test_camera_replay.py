"""A run with a live camera source (a video file read by cv2.VideoCapture as a webcam would be, or the
free-running demo camera of a windowed run) keeps the frames its scan screen processed; the replay sees
those frames, not the scripted camera, and ends on the same pixels and the same catch, with the video file
gone and whatever the display driver."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import cv2

from game.qa.recording import CameraOpening, Recording
from game.store import LocalStore
from tests.clips import write_handheld_clip
from tests.qa.conftest import BASE, NOW, ROOT, Capture, run_in_process, run_main
from tests.qa.test_replay import replay_twice

HUNT = """
[[step]]
tap = "scan"
[[step]]
wait_frames = 20
[[step]]
tap = "collect"
[[step]]
wait_frames = 5
[[step]]
expect = { scene = "scan", album_count = 1 }
"""


def write_video(path: Path, frames: int = 60) -> Path:
    """The campaign's logo held by a wandering hand, as an MJPG AVI at 30 fps."""
    logo = cv2.imread(str(ROOT / "assets" / "campaigns" / "jade-rabbit-chongqing" / "logo.png"), cv2.IMREAD_COLOR)
    return write_handheld_clip(path, logo, frames, seed=5)


def album(data_dir: Path) -> list[str]:
    store = LocalStore.open(data_dir / "progress.db")
    try:
        player = store.current_player()
        assert player is not None
        return [o.collectible_id for o in store.load_progress(player).collectibles]
    finally:
        store.close()


def test_a_recorded_video_camera_replays_from_its_recorded_frames(data_dir: Callable[[str], Path],
                                                                  tmp_path: Path) -> None:
    video = write_video(tmp_path / "hand.avi")
    script = tmp_path / "hunt.toml"
    script.write_text(HUNT, encoding="utf-8")
    record, original = tmp_path / "run.json", tmp_path / "original.png"
    rec_dir = data_dir("rec")
    assert run_main([*BASE, "--script", str(script), "--camera", str(video), "--now", NOW, "--data-dir", str(rec_dir),
                     "--record", str(record), "--screenshot", str(original)]) == 0
    rec = Recording.load(record)
    [opening] = rec.camera_frames
    assert opening.name == "video:hand.avi" and not opening.synthetic
    assert sum(n for _, n in opening.segments) == len(opening.stamps) >= len(opening.takes) > 20
    assert (tmp_path / "run.camera").is_dir()
    assert album(rec_dir) == ["cloud-rabbit"]
    video.unlink()  # the replay needs only the recording

    shot, replay_dir = tmp_path / "replay.png", data_dir("replay")
    assert run_main(["--headless", "--replay", str(record), "--data-dir", str(replay_dir), "--screenshot", str(shot)]) == 0
    assert album(replay_dir) == ["cloud-rabbit"]  # the same catch
    assert shot.read_bytes() == original.read_bytes()  # lossless frames: byte-identical to the run


def test_a_live_scan_in_a_real_x_window_replays_the_same_on_any_display_driver(
        xvfb: tuple[str, Path], data_dir: Callable[[str], Path], tmp_path: Path) -> None:
    """Recorded in a real X window (Xvfb, SDL's x11 driver) with the real clock and its uneven frame times
    and the demo camera on its own thread: nothing in the run is scripted. Replayed headless (dummy driver)
    and in a window on SDL's offscreen driver, it ends on the run's own last frame."""
    display, _ = xvfb
    record, original = tmp_path / "live.json", tmp_path / "live.png"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SDL_")}
    env.update(DISPLAY=display, SDL_VIDEODRIVER="x11", SDL_AUDIODRIVER="dummy")
    proc = subprocess.run([sys.executable, "main.py", "--windowed", "1280x720", "--server", "offline", "--scene", "scan",
                           "--camera", "synthetic", "--seed", "3", "--frames", "45", "--data-dir",
                           str(data_dir("live")), "--record", str(record), "--screenshot", str(original)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rec = Recording.load(record)
    [opening] = rec.camera_frames
    assert opening.synthetic and opening.takes  # the demo camera ran, and the scene took its results
    assert len(set(rec.frame_dts())) > 1  # the window's own uneven frame times
    assert replay_twice(record, data_dir, tmp_path) == [original.read_bytes()] * 2


def test_a_recording_whose_camera_frames_are_missing_is_refused(tmp_path: Path, capsys: Capture) -> None:
    rec = Recording(argv=["--server", "offline", "--seed", "3"], seed=3,
                    clock_start=datetime(2027, 2, 10, 2, 0, tzinfo=UTC), headless=True, folder=tmp_path)
    rec.add_frame(1 / 60)
    rec.camera_frames = [CameraOpening("camera0", True, False, [(0.0, 0)], [(0, 0, 0)], [(0, "ok")],
                                       [("run.camera/camera-1-1.avi", 1)])]
    record = rec.save(tmp_path / "run.json")
    code, err = run_in_process(["--headless", "--replay", str(record), "--data-dir", str(tmp_path / "replay")], capsys)
    assert code == 2
    line = err.strip().splitlines()[-1]
    assert "camera frames" in line and "run.camera/camera-1-1.avi" in line and "missing" in line
