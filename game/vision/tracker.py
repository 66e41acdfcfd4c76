"""Detect-then-track with smoothing, warm-up and miss tolerance (MindAR-style state machine)."""

from __future__ import annotations

import logging

import cv2
import numpy as np

from game.vision.detection import Detection, mirror_detection
from game.vision.detector import FrameContext, MarkerDetector
from game.vision.geometry import project, ref_corners
from game.vision.reacquire import appearance_hypotheses
from game.vision.smoothing import OneEuroFilter

log = logging.getLogger(__name__)


class MarkerTracker:
    """Video tracking of one reference: ``trk.update(frame_bgr, t_seconds) -> Detection | None``.

    While tracking, the previous pose (extrapolated with constant velocity) is refined by ECC,
    which is much cheaper than a full detection; a failed refinement falls back to detection in
    the same frame. Up to ``miss_tolerance`` consecutive misses keep returning the last pose
    (mode "hold") so a passing finger does not make the collectible blink. Corners are smoothed
    by a One-Euro filter. With ``mirror=True`` the returned detection is mapped into the
    horizontally mirrored preview (see ``mirror_detection``); frames are always raw.

    For ``memory_s`` seconds after its last tracked frame, a full detection also gets
    hypotheses of where the print went (``reacquire.appearance_hypotheses``): a print lowered
    for half a second comes back tens of pixels away, beyond the alignment's reach.
    """

    def __init__(self, detector: MarkerDetector, mirror: bool = False, miss_tolerance: int = 3,
                 min_cutoff: float = 0.5, beta: float = 0.5, track_accept: float | None = None,
                 memory_s: float = 2.0) -> None:
        self.detector = detector
        self.mirror = mirror
        self.miss_tolerance = miss_tolerance
        self.track_accept = track_accept if track_accept is not None else detector.config.accept_score * 0.85
        # beta is per px/s of corner speed: 0.5 keeps the lag of a hand-held logo near 0.1 frame,
        # while a still one (speed ~0) is filtered at 0.5 Hz (bench: jitter ~0.01 px).
        self._filter = OneEuroFilter(min_cutoff=min_cutoff, beta=beta)
        self._h: np.ndarray | None = None  # last raw (unsmoothed) pose
        self._h_prev: np.ndarray | None = None
        self._last: Detection | None = None
        self._misses = 0
        self._width = 0
        self.memory_s = memory_s
        self._seen: tuple[np.ndarray, float] | None = None  # last raw pose and its time

    @property
    def tracking(self) -> bool:
        """True while a target pose is being followed."""
        return self._h is not None

    def reset(self) -> None:
        """Drop the current target and forget where it was (e.g. on a scene change)."""
        self._drop()
        self._seen = None

    def _drop(self) -> None:
        self._h = self._h_prev = self._last = None
        self._misses = 0
        self._filter.reset()

    def update(self, frame_bgr: np.ndarray, t_seconds: float) -> Detection | None:
        """Process one frame (raw, unmirrored) and return the smoothed detection or None."""
        ctx = self.detector.context(frame_bgr)
        self._width = ctx.bgr.shape[1]
        det: Detection | None = None
        if self._h is not None:
            pred = self._predict()
            det = self.detector.refine_ctx(ctx, pred, accept=self.track_accept)
            if det is None and self._h_prev is not None:
                det = self.detector.refine_ctx(ctx, self._h, accept=self.track_accept)
        if det is None:
            det = self.detector.detect_ctx(ctx, priors=self._priors(ctx, t_seconds))
        if det is None:
            return self._miss()
        self._misses = 0
        self._h_prev = self._h
        self._h = det.homography.copy()
        self._seen = (self._h, t_seconds)
        out = self._smooth(det, t_seconds)
        self._last = out
        return self._present(out)

    def recent_pose(self, t_seconds: float) -> np.ndarray | None:
        """The last tracked raw pose if it is at most ``memory_s`` old at ``t_seconds``."""
        if self._seen is None or not 0.0 <= t_seconds - self._seen[1] <= self.memory_s:
            return None
        return self._seen[0]

    def _priors(self, ctx: FrameContext, t: float) -> list[np.ndarray]:
        last = self.recent_pose(t)
        if last is None:
            return []
        tmpl, k = self.detector.ref.templates[1]
        return appearance_hypotheses(ctx.pyr, tmpl, k, last, self.detector.reference_size)

    def _present(self, d: Detection) -> Detection:
        return mirror_detection(d, self._width) if self.mirror else d

    def _predict(self) -> np.ndarray:
        assert self._h is not None
        if self._h_prev is None:
            return self._h
        # Constant velocity in corner space is stable (no matrix extrapolation blow-ups).
        w, h = self.detector.reference_size
        c = ref_corners(w, h)
        now = project(self._h, c)
        before = project(self._h_prev, c)
        pred = now + (now - before)
        hm, _ = cv2.findHomography(c, pred.astype(np.float32))
        return hm if hm is not None else self._h

    def _smooth(self, det: Detection, t: float) -> Detection:
        w, h = self.detector.reference_size
        smoothed = self._filter(det.corners.reshape(-1).astype(np.float64), t).reshape(4, 2)
        hm = cv2.getPerspectiveTransform(ref_corners(w, h), smoothed.astype(np.float32))
        return Detection.from_homography(hm, (w, h), det.score, det.mode)

    def _miss(self) -> Detection | None:
        self._misses += 1
        if self._last is not None and self._misses <= self.miss_tolerance:
            held = Detection.from_homography(self._last.homography, self._last.ref_size, self._last.score * 0.9, "hold")
            self._last = held
            return self._present(held)
        if self._h is not None:
            log.debug("target lost after %d misses", self._misses)
        self._drop()
        return None
