"""Frame sources: camera device, video file, still image and the synthetic handheld camera.

Every source runs a capture thread that puts frames into a slot of size one: ``read()`` returns
the LATEST frame (or None when nothing new arrived) and stale frames are dropped, so a slow
consumer never works on old images. Frames are always raw (unmirrored); ``mirror`` is a flag for
the preview (see ``Frame.display``) and for ``mirror_detection``.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from game.vision.reference import as_bgr_frame
from game.vision.synthetic import HandheldScene

log = logging.getLogger(__name__)

IMAGE_EXTS = {".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff"}


@dataclass(frozen=True, eq=False)
class Frame:
    """One captured frame (raw, unmirrored BGR) with its capture time and sequence index."""

    bgr: np.ndarray
    timestamp: float
    index: int
    truth: np.ndarray | None = None  # ground-truth homography (synthetic source only)
    mirror: bool = False

    def display(self) -> np.ndarray:
        """The image to show: mirrored like a selfie preview when the source was opened with mirror."""
        return cv2.flip(self.bgr, 1) if self.mirror else self.bgr


class FrameSource:
    """Base class: a capture thread feeding a slot of size one."""

    def __init__(self, mirror: bool = False, name: str = "source") -> None:
        self.mirror = mirror
        self.name = name
        self._lock = threading.Lock()
        self._slot: Frame | None = None
        self._status = "starting"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.dropped = 0  # frames overwritten before anyone read them

    def start(self) -> FrameSource:
        """Start the capture thread (called by open_source)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run_safe, name=f"vision-{self.name}", daemon=True)
            self._thread.start()
        return self

    @property
    def status(self) -> str:
        """"starting", "ok", "reconnecting", "no camera", "ended" or "error: ..."."""
        return self._status

    def _set_status(self, status: str) -> None:
        if status != self._status:
            log.info("%s: %s", self.name, status)
        self._status = status

    def _publish(self, frame: Frame) -> None:
        with self._lock:
            if self._slot is not None:
                self.dropped += 1
            self._slot = frame

    def read(self) -> Frame | None:
        """Take the latest frame (None if no new frame since the last read)."""
        with self._lock:
            frame, self._slot = self._slot, None
        return frame

    def read_wait(self, timeout: float = 2.0) -> Frame | None:
        """Block until a new frame arrives (or timeout); handy for scripts and tests."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            f = self.read()
            if f is not None:
                return f
            if self._status in ("ended",) or self._stop.is_set():
                return None
            time.sleep(0.002)
        return None

    def _run_safe(self) -> None:
        try:
            self._run()
        except Exception as err:  # a capture thread must never die silently
            log.exception("%s: capture thread failed", self.name)
            self._set_status(f"error: {err}")

    def _run(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Stop the thread and release the device/file."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=3.0)
        if self._status not in ("no camera",) and not self._status.startswith("error"):
            self._status = "ended"

    def __enter__(self) -> FrameSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass(frozen=True)
class CameraSettings:
    """Requested device settings (the driver may ignore some)."""

    width: int = 1280
    height: int = 720
    fps: float = 30.0
    mjpg: bool = True  # MJPG keeps 720p30 within USB 2 bandwidth
    exposure: float | None = None  # driver units; None keeps auto exposure


class DeviceSource(FrameSource):
    """A USB/built-in camera by index, with reconnect (exponential backoff) when unplugged."""

    def __init__(self, index: int, settings: CameraSettings | None = None, mirror: bool = False,
                 backoff: tuple[float, float] = (0.5, 5.0)) -> None:
        super().__init__(mirror, f"camera{index}")
        self.index = index
        self.settings = settings or CameraSettings()
        self.backoff = backoff
        self._ever_opened = False

    def _open(self) -> Any:
        cap = cv2.VideoCapture(self.index)
        if not cap.isOpened():
            cap.release()
            return None
        s = self.settings
        if s.mjpg:
            cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter_fourcc(*"MJPG"))
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, s.width)
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, s.height)
        cap.set(cv2.CAP_PROP_FPS, s.fps)
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        if s.exposure is not None:
            cap.set(cv2.CAP_PROP_AUTO_EXPOSURE, 1)
            cap.set(cv2.CAP_PROP_EXPOSURE, s.exposure)
        return cap

    def _run(self) -> None:
        delay = self.backoff[0]
        index = 0
        while not self._stop.is_set():
            cap = self._open()
            if cap is None:
                self._set_status("reconnecting" if self._ever_opened else "no camera")
                self._stop.wait(delay)
                delay = min(self.backoff[1], delay * 2)
                continue
            self._ever_opened = True
            delay = self.backoff[0]
            self._set_status("ok")
            failures = 0
            while not self._stop.is_set():
                ok, img = cap.read()
                if not ok or img is None:
                    failures += 1
                    if failures >= 5:  # unplugged: release and go back to the reconnect loop
                        break
                    continue
                failures = 0
                self._publish(Frame(img, time.monotonic(), index, None, self.mirror))
                index += 1
            cap.release()
            if not self._stop.is_set():
                self._set_status("reconnecting")


class VideoFileSource(FrameSource):
    """A video file played at its own frame rate, looping at the end."""

    def __init__(self, path: str, mirror: bool = False, loop: bool = True, realtime: bool = True) -> None:
        super().__init__(mirror, f"video:{Path(path).name}")
        self.path = path
        self.loop = loop
        self.realtime = realtime
        cap = cv2.VideoCapture(path)
        ok = cap.isOpened()
        self.fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0) if ok else 0.0
        cap.release()
        if not ok:
            raise ValueError(f"cannot open video file {path!r}")
        if not (1.0 <= self.fps <= 240.0):
            self.fps = 30.0

    def _run(self) -> None:
        cap = cv2.VideoCapture(self.path)
        index = 0
        period = 1.0 / self.fps
        next_t = time.monotonic()
        self._set_status("ok")
        while not self._stop.is_set():
            ok, img = cap.read()
            if not ok or img is None:
                if not self.loop or index == 0:
                    break
                cap.release()
                cap = cv2.VideoCapture(self.path)
                continue
            self._publish(Frame(img, time.monotonic(), index, None, self.mirror))
            index += 1
            if self.realtime:
                next_t += period
                self._stop.wait(max(0.0, next_t - time.monotonic()))
        cap.release()
        self._set_status("ended")


class ImageSource(FrameSource):
    """A still image repeated at a fixed rate (useful for kiosks without camera and for tests)."""

    def __init__(self, path: str, fps: float = 30.0, mirror: bool = False) -> None:
        super().__init__(mirror, f"image:{Path(path).name}")
        img = cv2.imread(path, cv2.IMREAD_COLOR)
        if img is None:
            raise ValueError(f"cannot read image file {path!r}")
        self.image = img
        self.fps = fps

    def _run(self) -> None:
        self._set_status("ok")
        index = 0
        while not self._stop.is_set():
            self._publish(Frame(self.image, time.monotonic(), index, None, self.mirror))
            index += 1
            self._stop.wait(1.0 / self.fps)


class SyntheticSource(FrameSource):
    """The scripted handheld scene (see synthetic.HandheldScene), with ground truth per frame."""

    def __init__(self, reference: np.ndarray, size: tuple[int, int] = (640, 480), fps: float = 30.0,
                 seed: int = 0, mirror: bool = False, path: str = "handheld", dropouts: bool = False,
                 realtime: bool = True) -> None:
        super().__init__(mirror, "synthetic")
        self.scene = HandheldScene(as_bgr_frame(reference, "reference"), size, fps, seed, path, dropouts)
        self.fps = fps
        self.realtime = realtime

    def _run(self) -> None:
        self._set_status("ok")
        index = 0
        period = 1.0 / self.fps
        next_t = time.monotonic()
        while not self._stop.is_set():
            img, truth = self.scene.render(index)
            self._publish(Frame(img, index / self.fps, index, truth, self.mirror))
            index += 1
            if self.realtime:
                next_t += period
                self._stop.wait(max(0.0, next_t - time.monotonic()))


def open_source(spec: str | int, *, reference: np.ndarray | None = None, mirror: bool = False,
                size: tuple[int, int] = (640, 480), fps: float = 30.0, seed: int = 0,
                settings: CameraSettings | None = None, **kwargs: Any) -> FrameSource:
    """Open and start a source: "synthetic", a device index, a video path or an image path."""
    if isinstance(spec, bool):
        raise TypeError("source spec must be 'synthetic', a device index, or a file path")
    if isinstance(spec, int):
        return DeviceSource(spec, settings, mirror, **kwargs).start()
    if not isinstance(spec, str):
        raise TypeError(f"source spec must be str or int, got {type(spec).__name__}")
    if spec == "synthetic":
        if reference is None:
            raise ValueError("the synthetic source needs reference=<logo image>")
        return SyntheticSource(reference, size, fps, seed, mirror, **kwargs).start()
    if spec.isdigit():
        return DeviceSource(int(spec), settings, mirror, **kwargs).start()
    p = Path(spec)
    if not p.exists():
        raise FileNotFoundError(f"no such source file: {spec}")
    if p.suffix.lower() in IMAGE_EXTS:
        return ImageSource(spec, fps, mirror).start()
    return VideoFileSource(spec, mirror, **kwargs).start()


def open_auto(reference: np.ndarray, device: int = 0, wait: float = 1.5, mirror: bool = True,
              **kwargs: Any) -> tuple[FrameSource, str | None]:
    """Try the camera; fall back to the synthetic camera with a notice when none answers in time."""
    cam = open_source(device, mirror=mirror)
    end = time.monotonic() + wait
    while time.monotonic() < end and cam.status in ("starting",):
        time.sleep(0.02)
    if cam.status == "ok":
        return cam, None
    status = cam.status
    cam.close()
    notice = f"camera {device}: {status}; showing the demo camera"
    log.warning(notice)
    return open_source("synthetic", reference=reference, mirror=mirror, **kwargs), notice
