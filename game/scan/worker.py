"""The camera and vision worker: capture -> detect/track -> a display-ready result, off the frame loop.

The frame source's capture thread fills a slot of size one (the latest camera frame); this
worker's thread takes it, runs the logo tracker (and every few frames the poster index), builds
the display image of THAT frame, and puts the result into a second slot of size one. The frame
loop only ever takes the latest result, so the overlay is always drawn over the frame its pose
was computed from. ``close()`` stops the thread, releases the camera and drops every frame.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

import cv2
import numpy as np

from game.scan.targets import TargetHit, TargetIndex
from game.vision import Detection, FrameSource, MarkerTracker

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FrameMeasures:
    """What the hints are computed from: exposure, sharpness, apparent size and motion."""

    brightness: float  # mean luma 0..255
    sharpness: float  # variance of the Laplacian on a small grey copy
    size: float = 0.0  # the logo's area as a fraction of the frame (0 when not found)
    speed: float = 0.0  # px/s of the logo's corners (0 when not found)


@dataclass(frozen=True, eq=False)
class VisionResult:
    """One processed camera frame: its display image, the logo (raw frame coordinates) and posters."""

    index: int
    timestamp: float
    frame_size: tuple[int, int]  # raw (w, h)
    pixels: np.ndarray = field(repr=False)  # B,G,R,255 bytes (a 32-bit screen's layout), mirrored like the preview, display size
    detection: Detection | None
    truth: np.ndarray | None
    posters: tuple[TargetHit, ...]
    measures: FrameMeasures
    vision_ms: float
    taken_at: float  # time.perf_counter() when the worker took the camera frame
    done_at: float  # time.perf_counter() when published
    gray: np.ndarray | None = field(default=None, repr=False)  # the raw camera frame in grey (not mirrored)
    vision_cpu_ms: float = 0.0  # the worker thread's CPU time for the tracker and posters

    @property
    def image(self) -> np.ndarray:
        """The display image as RGB (a view of ``pixels``)."""
        return self.pixels[..., 2::-1]


class Slot:
    """A slot of size one: ``put`` replaces, ``take`` empties."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._item: VisionResult | None = None

    def put(self, item: VisionResult) -> None:
        with self._cond:
            self._item = item
            self._cond.notify_all()

    def take(self, timeout: float = 0.0) -> VisionResult | None:
        with self._cond:
            if self._item is None and timeout > 0:
                self._cond.wait(timeout)
            item, self._item = self._item, None
            return item

    def clear(self) -> None:
        with self._cond:
            self._item = None


def measure(gray: np.ndarray) -> tuple[float, float]:
    """(mean luma, Laplacian variance) on a quarter-size copy: cheap exposure and blur measures."""
    small = cv2.resize(gray, (gray.shape[1] // 4, gray.shape[0] // 4), interpolation=cv2.INTER_AREA)
    return float(small.mean()), float(cv2.Laplacian(small, cv2.CV_32F).var())


class VisionWorker:
    """Runs the tracker (and the poster index) on the latest camera frame in its own thread."""

    def __init__(self, source: FrameSource, tracker: MarkerTracker, display_size: tuple[int, int],
                 posters: TargetIndex | None = None, poster_every: int = 3) -> None:
        self.source = source
        self.tracker = tracker
        self.display_size = display_size
        self.posters = posters
        self.poster_every = max(1, poster_every)
        self.mirror = source.mirror
        self.synthetic = False  # set by the opener: the demo camera runs (the scene says so)
        self.slot = Slot()
        self.processed = 0
        self._stop = threading.Event()
        self._prev: tuple[np.ndarray, float] | None = None
        self._thread = threading.Thread(target=self._run, name="scan-vision", daemon=True)

    def start(self) -> VisionWorker:
        self._thread.start()
        return self

    @property
    def status(self) -> str:
        return self.source.status

    def latest(self, wait: float = 0.0) -> VisionResult | None:
        """The newest result since the last call (None if none arrived within ``wait`` seconds)."""
        return self.slot.take(wait)

    def _run(self) -> None:
        while not self._stop.is_set():
            frame = self.source.read()
            if frame is None:
                if self.source.status == "ended" or self.source.status.startswith("error"):
                    self._stop.wait(0.05)
                else:
                    self._stop.wait(0.002)
                continue
            try:
                self.slot.put(self.process(frame.bgr, frame.timestamp, frame.index, frame.truth))
            except Exception:  # a bad frame must not kill the hunt
                log.exception("vision step failed")

    def process(self, bgr: np.ndarray, timestamp: float, index: int, truth: np.ndarray | None = None) -> VisionResult:
        """Track the logo (and maybe posters) in one frame and build its display image."""
        started, cpu_started = time.perf_counter(), time.thread_time()
        det = self.tracker.update(bgr, timestamp)
        gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
        posters: tuple[TargetHit, ...] = ()
        if self.posters is not None and len(self.posters) and index % self.poster_every == 0:
            posters = tuple(self.posters.find(gray))
        vision_ms = (time.perf_counter() - started) * 1000
        vision_cpu_ms = (time.thread_time() - cpu_started) * 1000
        brightness, sharpness = measure(gray)
        h, w = bgr.shape[:2]
        size = speed = 0.0
        if det is not None:
            size = float(cv2.contourArea(det.corners.astype(np.float32))) / (w * h)
            if self._prev is not None and timestamp > self._prev[1]:
                speed = float(np.abs(det.corners - self._prev[0]).max() / (timestamp - self._prev[1]))
            self._prev = (det.corners.copy(), timestamp)
        else:
            self._prev = None
        # scaled, mirrored and laid out as the screen's pixels here, off the frame loop: the scene
        # only copies the bytes into its surface once per camera frame
        image = cv2.resize(bgr, self.display_size, interpolation=cv2.INTER_LINEAR)
        pixels = cv2.cvtColor(cv2.flip(image, 1) if self.mirror else image, cv2.COLOR_BGR2BGRA)
        self.processed += 1
        return VisionResult(index, timestamp, (w, h), pixels, det, truth, posters,
                            FrameMeasures(brightness, sharpness, size, speed), vision_ms, started,
                            time.perf_counter(), gray, vision_cpu_ms)

    def close(self) -> None:
        """Stop the thread, release the camera and drop every frame it held."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5.0)
        self.source.close()
        self.source.read()  # drop the frame still waiting in the capture slot
        self.slot.clear()
        self.tracker.reset()
        self._prev = None
