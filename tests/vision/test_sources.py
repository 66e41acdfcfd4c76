"""Frame sources: synthetic, video file (written here and read back), still image, camera loss."""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from game.vision import FrameSource, MarkerDetector, open_source
from game.vision.geometry import mean_corner_error
from game.vision.sources import CameraSettings, DeviceSource


def test_synthetic_source_gives_ground_truth(logo: np.ndarray, detector: MarkerDetector) -> None:
    with open_source("synthetic", reference=logo, realtime=False) as src:
        frame = src.read_wait(5.0)
        assert frame is not None and frame.bgr.shape == (480, 640, 3) and frame.truth is not None
        d = detector.detect(frame.bgr)
        assert d is not None
        assert mean_corner_error(d.homography, frame.truth, logo.shape[1], logo.shape[0]) <= 5.0


def test_slot_of_one_drops_stale_frames(logo: np.ndarray) -> None:
    with open_source("synthetic", reference=logo, realtime=False) as src:
        first = src.read_wait(5.0)
        assert first is not None
        # The thread keeps rendering while nobody reads (poll: a loaded CI machine renders slowly).
        deadline = time.monotonic() + 10.0
        while src.dropped == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        latest = src.read()
        assert latest is not None and latest.index > first.index + 1
        assert src.dropped > 0
        assert src.read() is None or src.read() is not latest  # a frame is handed out once


def test_video_file_is_read_back_and_loops(tmp_path: Path, logo: np.ndarray) -> None:
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30.0, (320, 240))
    assert writer.isOpened()
    for i in range(6):
        img = np.full((240, 320, 3), 40 * i, np.uint8)
        writer.write(img)
    writer.release()
    with open_source(str(path), realtime=False) as src:
        seen = []
        for _ in range(40):
            f = src.read_wait(3.0)
            assert f is not None
            seen.append(f.index)
            assert f.bgr.shape == (240, 320, 3)
            if f.index >= 8:
                break
        assert max(seen) >= 8  # more frames than the file holds: it looped
        assert src.status == "ok"


def test_still_image_source(tmp_path: Path, logo: np.ndarray) -> None:
    path = tmp_path / "still.png"
    cv2.imwrite(str(path), logo)
    with open_source(str(path), mirror=True) as src:
        f = src.read_wait(3.0)
        assert f is not None and np.array_equal(f.bgr, logo)
        assert np.array_equal(f.display(), cv2.flip(logo, 1))  # preview is mirrored, frame is raw


def test_missing_camera_reports_status() -> None:
    src = open_source(97, settings=CameraSettings(width=640, height=480), backoff=(0.05, 0.1))
    try:
        deadline = time.monotonic() + 5.0
        while src.status == "starting" and time.monotonic() < deadline:
            time.sleep(0.02)
        assert src.status == "no camera"
        assert src.read() is None
    finally:
        src.close()


class FakeCapture:
    """A camera that delivers frames until 'unplugged', then fails every read."""

    def __init__(self, frames: int) -> None:
        self.frames = frames

    def read(self) -> tuple[bool, np.ndarray | None]:
        if self.frames <= 0:
            return False, None
        self.frames -= 1
        time.sleep(0.005)
        return True, np.zeros((48, 64, 3), np.uint8)

    def release(self) -> None:
        pass


def test_camera_unplug_and_replug_reconnects() -> None:
    opens = {"n": 0}

    class Flaky(DeviceSource):
        def _open(self):  # type: ignore[override]
            opens["n"] += 1
            if opens["n"] == 2:  # unplugged: the device cannot be opened once
                return None
            return FakeCapture(10)

    src = Flaky(0, backoff=(0.05, 0.1))
    statuses = set()
    src.start()
    try:
        deadline = time.monotonic() + 5.0
        while opens["n"] < 3 and time.monotonic() < deadline:
            statuses.add(src.status)
            time.sleep(0.005)
        frame = src.read_wait(2.0)
        statuses.add(src.status)
        assert opens["n"] >= 3, "never tried to reopen the camera"
        assert "reconnecting" in statuses
        assert frame is not None  # frames flow again after the replug
    finally:
        src.close()


@pytest.mark.parametrize("spec, exc", [(3.5, TypeError), (True, TypeError), ("no/such/file.mp4", FileNotFoundError)])
def test_bad_specs(spec: object, exc: type[Exception]) -> None:
    with pytest.raises(exc):
        open_source(spec)  # type: ignore[arg-type]


def test_synthetic_needs_a_reference() -> None:
    with pytest.raises(ValueError, match="reference"):
        open_source("synthetic")


def test_unreadable_files(tmp_path: Path) -> None:
    bad_img = tmp_path / "broken.png"
    bad_img.write_bytes(b"not a png")
    with pytest.raises(ValueError, match="cannot read"):
        open_source(str(bad_img))
    bad_vid = tmp_path / "broken.mp4"
    bad_vid.write_bytes(b"not a video")
    with pytest.raises(ValueError, match="cannot open"):
        open_source(str(bad_vid))


def test_sources_share_the_interface(logo: np.ndarray) -> None:
    src = open_source("synthetic", reference=logo, realtime=False)
    try:
        assert isinstance(src, FrameSource)
    finally:
        src.close()
    assert src.status == "ended"
