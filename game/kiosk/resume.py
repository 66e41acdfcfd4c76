"""A returning visitor shows their hand-off QR to any kiosk's camera, and continues as that player.

``QrWatcher`` runs off the frame loop: while the attract loop shows it reads the camera (or frames the
scan scene offers), decodes QR codes a few times a second (``QrReader``: OpenCV's QR decoders), and, for a claim
code, asks the server to bind the player to this device and loads their progress into the local store.
The frame loop only polls ``result()``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from game.kiosk.handoff import QrReader, decode_qr, parse_claim

log = logging.getLogger(__name__)

SCAN_EVERY_S = 0.25


class ClaimApi(Protocol):
    def claim(self, claim_code: str) -> dict[str, Any]: ...
    def progress(self, player_id: str) -> dict[str, Any]: ...


def resume_player(store: Any, api: ClaimApi, campaign: Any, code: str) -> str:
    """Bind the claim code's player to this device and store their progress. Returns the local id."""
    from net.outbox import rebuild

    claimed = api.claim(code)
    server_id = str(claimed["player_id"])
    view = api.progress(server_id)
    row = next((r for r in store.players() if r.server_id == server_id), None)
    local_id = row.local_id if row is not None else store.new_player()
    store.set_server_player(local_id, server_id, code)
    store.settle(local_id, [], view, lambda entries: rebuild(campaign, entries, view))
    return local_id


@dataclass(frozen=True)
class Resumed:
    local_id: str | None  # None: the code was read but could not be loaded here
    code: str


class QrWatcher:
    def __init__(
        self,
        open_camera: Callable[[], Any] | None,
        resume: Callable[[str], str],
        *,
        interval_s: float = SCAN_EVERY_S,
    ) -> None:
        self.open_camera = open_camera  # -> a FrameSource (read() -> Frame | None), or None
        self.resume = resume  # claim code -> local player id (network: runs in this watcher's thread)
        self.interval_s = interval_s
        self._active = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._offered: np.ndarray | None = None
        self._result: Resumed | None = None
        self._tried: set[str] = set()  # codes already tried while this attract loop shows
        self._source: Any = None
        self.own_camera = True
        self.last_decode_ms = 0.0
        self._thread = threading.Thread(target=self._run, name="qr-watcher", daemon=True)
        self._thread.start()

    # ---- frame loop side ----------------------------------------------------------------------------

    def set_active(self, active: bool, own_camera: bool = True) -> None:
        """Look for claim QRs (on the attract loop with this watcher's own camera; on the scan scene in
        the frames it offers, ``own_camera=False``, so the two never hold the camera at once)."""
        self.own_camera = own_camera
        if active and not self._active.is_set():
            self._active.set()
        elif not active and self._active.is_set():
            self._active.clear()

    def offer(self, bgr: np.ndarray) -> None:
        """A camera frame from another scene (the scan scene): checked for a claim QR too."""
        with self._lock:
            self._offered = bgr

    def result(self) -> Resumed | None:
        with self._lock:
            out, self._result = self._result, None
        return out

    def forget(self) -> None:
        """The wipe: no frame, code or result of the last visitor stays here."""
        with self._lock:
            self._offered, self._result = None, None
            self._tried = set()

    def close(self) -> None:
        self._stop.set()
        self._active.set()
        self._thread.join(timeout=5)
        self._close_source()

    @property
    def camera_status(self) -> str:
        src = self._source
        return "off" if src is None else str(getattr(src, "status", "?"))

    # ---- watcher thread -----------------------------------------------------------------------------

    def _close_source(self) -> None:
        if self._source is not None:
            self._source.close()
            self._source = None

    def _frame(self) -> np.ndarray | None:
        with self._lock:
            offered, self._offered = self._offered, None
        if offered is not None:
            return offered
        if not self.own_camera:
            self._close_source()
            return None
        if self._source is None and self.open_camera is not None and self._active.is_set():
            try:
                self._source = self.open_camera()
            except Exception as err:  # no camera: QR resume is simply unavailable
                log.warning("QR watcher: no camera (%s)", err)
                self.open_camera = None
        frame = self._source.read() if self._source is not None else None
        return None if frame is None else frame.bgr

    def _run(self) -> None:
        import time

        reader = QrReader()
        while not self._stop.is_set():
            if not self._active.is_set():
                self._close_source()  # the scan scene may need the camera
                with self._lock:
                    self._tried, self._offered = set(), None
                self._active.wait(0.5)
                continue
            bgr = self._frame()
            if bgr is not None:
                started = time.perf_counter()
                text = decode_qr(bgr, reader)
                self.last_decode_ms = (time.perf_counter() - started) * 1000
                code = parse_claim(text) if text else None
                if code is not None and code not in self._tried:
                    self._tried.add(code)
                    self._claim(code)
            self._stop.wait(self.interval_s)

    def _claim(self, code: str) -> None:
        log.info("claim QR seen at the camera")
        try:
            local_id: str | None = self.resume(code)
        except Exception as err:
            log.warning("claim QR could not be resumed: %s", err)
            local_id = None
        with self._lock:
            if self._active.is_set() or self._offered is not None or local_id is not None:
                self._result = Resumed(local_id, code)
