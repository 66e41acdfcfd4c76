"""The scan screen's vision worker in QA runs: synchronous with the scripted camera, recorded with a live
camera under ``--record``, and fed the recorded frames in a replay.

A live worker (``game.scan.worker.VisionWorker``) processes camera frames in its own thread and the scene
takes whichever result is newest when it updates, so which frames the tracker saw, and which result the
scene showed on which game frame, depend on thread timing. QA runs pin both down:

- ``SyncVisionWorker`` (the scripted camera): no thread; the scene's ``latest()`` processes the camera
  frame published for this game frame, in the frame loop. The result depends only on the frame number and
  the number of updates per frame, so a run replays the same with any display driver or machine load.
- ``RecordingVisionWorker`` (``--record`` with a webcam, a video or image file, or the free-running demo
  camera): the normal threaded worker, which also logs every frame it processes (the image goes to a
  lossless video beside the recording, its timestamp and index to the recording) and, for every result
  the scene takes, the game frame, the call within that frame and which processed frame it was.
- ``ReplayVisionWorker``: no thread and no camera; when the scene asks on the recorded game frame and
  call, it processes the recorded frames up to the one taken, in order, with the same tracker code, and
  returns that result. The tracker sees the same frames in the same order, so it gives the same results.

The recorded frames are stored with HuffYUV (``HFYU``) in AVI files: lossless (a replay sees the camera's
exact pixels), and cheap to encode (a few ms per 640×480 frame, on a writer thread of its own).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import numpy as np

from game.qa.recording import CameraOpening
from game.scan.targets import TargetIndex
from game.scan.worker import VisionResult, VisionWorker
from game.vision import FrameSource, MarkerTracker

log = logging.getLogger(__name__)
FOURCC = "HFYU"  # HuffYUV: lossless, a few ms per frame
SEGMENT_EXT = ".avi"


class FrameWriter:
    """Writes one opening's frames to lossless AVI segments on a thread of its own (a new segment
    whenever the frame size changes). ``folder``/``prefix``-<n>.avi."""

    def __init__(self, folder: Path, prefix: str, opening: CameraOpening, fps: float = 30.0) -> None:
        self.folder = folder
        self.prefix = prefix
        self.opening = opening
        self.fps = fps
        self._queue: queue.Queue[np.ndarray | None] = queue.Queue(maxsize=64)
        self._writer: cv2.VideoWriter | None = None
        self._size: tuple[int, int] | None = None
        self._thread = threading.Thread(target=self._run, name="qa-camera-writer", daemon=True)
        self._thread.start()

    def put(self, bgr: np.ndarray) -> None:
        self._queue.put(bgr)  # blocks the vision thread only if the disk falls 64 frames behind

    def _run(self) -> None:
        while True:
            bgr = self._queue.get()
            if bgr is None:
                break
            try:
                self._write(bgr)
            except Exception:  # a full disk must not kill the run; the replay then reports missing frames
                log.exception("could not write a camera frame")
        if self._writer is not None:
            self._writer.release()

    def _write(self, bgr: np.ndarray) -> None:
        if bgr.ndim == 2:
            bgr = cv2.cvtColor(bgr, cv2.COLOR_GRAY2BGR)
        size = (bgr.shape[1], bgr.shape[0])
        if self._writer is None or size != self._size:
            if self._writer is not None:
                self._writer.release()
            name = f"{self.prefix}-{len(self.opening.segments) + 1}{SEGMENT_EXT}"
            self.folder.mkdir(parents=True, exist_ok=True)
            self._writer = cv2.VideoWriter(str(self.folder / name), cv2.VideoWriter_fourcc(*FOURCC), self.fps, size)
            if not self._writer.isOpened():
                raise OSError(f"cannot write {self.folder / name} with {FOURCC}")
            self._size = size
            self.opening.segments.append((f"{self.folder.name}/{name}", 0))
        self._writer.write(np.ascontiguousarray(bgr))
        path, count = self.opening.segments[-1]
        self.opening.segments[-1] = (path, count + 1)

    def close(self) -> None:
        """Write what is queued and close the file (safe to call twice)."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout=60)


class CameraLog:
    """Every camera opening of a ``--record`` run with a live camera; frames go to ``folder``."""

    def __init__(self, folder: Path, frame: Callable[[], int]) -> None:
        self.folder = folder
        self.frame = frame  # the recording's current frame
        self.openings: list[CameraOpening] = []
        self._writers: list[FrameWriter] = []
        self._lock = threading.Lock()
        self.closed = False

    def open(self, source: FrameSource, synthetic: bool) -> tuple[CameraOpening, FrameWriter]:
        opening = CameraOpening(source.name, source.mirror, synthetic)
        writer = FrameWriter(self.folder, f"camera-{len(self.openings) + 1}", opening,
                             float(getattr(source, "fps", 30.0) or 30.0))
        with self._lock:
            self.openings.append(opening)
            self._writers.append(writer)
        return opening, writer

    def add_frame(self, opening: CameraOpening, writer: FrameWriter, bgr: np.ndarray, timestamp: float,
                  index: int) -> int | None:
        """Log a frame the worker is about to process; its sequence number (None once the log is closed)."""
        with self._lock:
            if self.closed:
                return None
            opening.stamps.append((timestamp, index))
            writer.put(bgr)
            return len(opening.stamps) - 1

    def close(self) -> None:
        """Stop logging and finish the video files (at the end of the run, or at a crash)."""
        with self._lock:
            self.closed = True
        for writer in self._writers:
            writer.close()


class CallCounter:
    """Which call of ``latest()`` within the current game frame this is."""

    def __init__(self, frame: Callable[[], int]) -> None:
        self.frame = frame
        self._at = (-1, 0)

    def next(self) -> tuple[int, int]:
        frame = self.frame()
        call = self._at[1] + 1 if self._at[0] == frame else 0
        self._at = (frame, call)
        return frame, call


class SyncVisionWorker(VisionWorker):
    """The scripted camera's worker: ``latest()`` processes this game frame's camera frame in the caller."""

    def start(self) -> SyncVisionWorker:
        return self

    def latest(self, wait: float = 0.0) -> VisionResult | None:
        frame = self.source.read()
        if frame is None:
            return None
        try:
            return self.process(frame.bgr, frame.timestamp, frame.index, frame.truth)
        except Exception:  # as in the threaded worker: a bad frame must not kill the hunt
            log.exception("vision step failed")
            return None


class RecordingVisionWorker(VisionWorker):
    """The threaded worker, logging what it processes and what the scene takes (see the module docstring)."""

    def __init__(self, source: FrameSource, tracker: MarkerTracker, display_size: tuple[int, int],
                 posters: TargetIndex | None, camera_log: CameraLog) -> None:
        self.log = camera_log
        self.opening, self._writer = camera_log.open(source, False)
        super().__init__(source, tracker, display_size, posters)
        self._calls = CallCounter(camera_log.frame)
        self._made: deque[tuple[VisionResult, int]] = deque(maxlen=8)  # recent results and their frame seq
        self._made_lock = threading.Lock()

    @property  # type: ignore[override]
    def synthetic(self) -> bool:
        """Set by the opener (game/scan/build.py): the demo camera runs; kept in the recording too."""
        return self.opening.synthetic

    @synthetic.setter
    def synthetic(self, value: bool) -> None:
        self.opening.synthetic = value

    def process(self, bgr: np.ndarray, timestamp: float, index: int, truth: np.ndarray | None = None) -> VisionResult:
        seq = self.log.add_frame(self.opening, self._writer, bgr, timestamp, index)
        result = super().process(bgr, timestamp, index, truth)
        if seq is not None:
            with self._made_lock:
                self._made.append((result, seq))
        return result

    def latest(self, wait: float = 0.0) -> VisionResult | None:
        result = super().latest(wait)
        frame, call = self._calls.next()
        if result is not None and not self.log.closed:
            with self._made_lock:
                seq = next((s for r, s in self._made if r is result), None)
            if seq is not None:
                self.opening.takes.append((frame, call, seq))
        return result

    @property
    def status(self) -> str:
        status = self.source.status
        if not self.opening.status or self.opening.status[-1][1] != status:
            self.opening.status.append((self.log.frame(), status))
        return status

    def close(self) -> None:
        super().close()
        self._writer.close()


class ReplaySource(FrameSource):
    """Stands in for the recorded camera (its name and mirror flag); frames come from the recording."""

    def __init__(self, opening: CameraOpening) -> None:
        super().__init__(opening.mirror, opening.name)
        self._status = "ok"

    def start(self) -> ReplaySource:
        return self


def recorded_frames(opening: CameraOpening, folder: Path) -> Iterator[np.ndarray]:
    """The opening's frames in order, read from its video segments."""
    for name, count in opening.segments:
        cap = cv2.VideoCapture(str(folder / name))
        try:
            for _ in range(count):
                ok, bgr = cap.read()
                if not ok:
                    raise RuntimeError(f"{folder / name}: the recorded camera frames end early")
                yield bgr
        finally:
            cap.release()


class ReplayVisionWorker(VisionWorker):
    """Plays a recorded opening: on the recorded (frame, call) it processes the recorded frames up to the
    one the scene took then, and returns that result."""

    def __init__(self, source: ReplaySource, tracker: MarkerTracker, display_size: tuple[int, int],
                 posters: TargetIndex | None, opening: CameraOpening, folder: Path, frame: Callable[[], int]) -> None:
        super().__init__(source, tracker, display_size, posters)
        self.opening = opening
        self.frame = frame
        self._frames = recorded_frames(opening, folder)
        self._takes = {(f, c): s for f, c, s in opening.takes}
        self._calls = CallCounter(frame)
        self._done = -1  # the last processed frame's seq

    def start(self) -> ReplayVisionWorker:
        return self

    def latest(self, wait: float = 0.0) -> VisionResult | None:
        seq = self._takes.get(self._calls.next())
        result = None
        while seq is not None and self._done < seq:
            self._done += 1
            bgr = next(self._frames)
            timestamp, index = self.opening.stamps[self._done]
            try:
                result = self.process(bgr, timestamp, index)
            except Exception:
                log.exception("vision step failed")
                result = None
        return result

    @property
    def status(self) -> str:
        now = self.frame()
        seen = [status for frame, status in self.opening.status if frame <= now]
        return seen[-1] if seen else "starting"
