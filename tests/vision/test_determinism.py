"""The detector is a function of the frame: same frame, same answer, whatever ran before it.

``detect()`` keeps no history, so a detector built afresh, one reused across frames and frames
taken in another order must give identical corners. Nearly symmetric seals and rings are the
sensitive case: their edge magnitudes tie in many places, so a last-bit difference anywhere
(buffer addresses picking different SIMD paths) reorders the shape matcher's points.
"""

from __future__ import annotations

import cv2
import numpy as np

from bench.vision_general_marks import glyph_list, make_marks, ring, seal
from game.vision import MarkerDetector
from game.vision.reference import ReferenceModel
from game.vision.shape_match import reference_features
from game.vision.synthetic import Effects, Pose
from tests.vision.conftest import scene

NUISANCES = (Effects(noise=2.0), Effects(blur_len=6.0, blur_angle=30.0, noise=2.0), Effects(gain=0.55, noise=3.0))


def _marks() -> list[np.ndarray]:
    rng = np.random.default_rng(28)
    return [seal(rng, (30, 140, 200), True, glyph_list()), ring(rng, (40, 40, 200), True)]


def _frames(mark: np.ndarray) -> list[np.ndarray]:
    """Small to mid-sized tilted views (where the fallback searches run) and one frame without the mark."""
    frames = []
    for i, (width_cm, roll) in enumerate(((5.0, 20.0), (7.0, 140.0), (9.0, 260.0), (12.0, 75.0), (16.0, 310.0))):
        pose = Pose(width_cm, 60.0, 25.0 + 8 * (i % 3), 40.0 * i, roll, 0.35 + 0.07 * i, 0.6 - 0.05 * i)
        frames.append(scene(mark, pose, 900 + i, NUISANCES[i % len(NUISANCES)])[0])
    frames.append(scene(mark, None, 950)[0])
    return frames


def _corners(det: MarkerDetector, frames: list[np.ndarray], order: list[int]) -> dict[int, bytes | None]:
    out: dict[int, bytes | None] = {}
    for i in order:
        found = det.detect(frames[i])
        out[i] = None if found is None else found.corners.tobytes()
    return out


def test_detections_do_not_depend_on_the_detector_instance_or_the_frame_order() -> None:
    reported = 0
    for mark in _marks():
        frames = _frames(mark)
        n = len(frames)
        first = _corners(MarkerDetector(mark), frames, list(range(n)))
        reused = MarkerDetector(mark)
        _corners(reused, frames, list(range(n)))  # history that detect() must not keep
        again = _corners(reused, frames, list(reversed(range(n))))
        # Detectors built in a different memory state: other arrays were allocated in between.
        clutter = [np.empty(int(k)) for k in np.random.default_rng(1).integers(1, 40000, 16)]
        fresh = _corners(MarkerDetector(mark), frames, [3, 0, 5, 1, 4, 2])
        del clutter
        assert again == first, "a reused detector answered differently"
        assert fresh == first, "a fresh detector answered differently"
        reported += sum(v is not None for v in first.values())
    assert reported >= 4, f"only {reported} detections: the sweep no longer exercises the detector"


def test_shape_matcher_points_do_not_depend_on_the_heap_layout() -> None:
    # The generator's seals (half of them nearly symmetric), each reference's points picked again
    # with other arrays allocated in between, so that OpenCV's buffers land at other addresses.
    rng = np.random.default_rng(0)
    for mark in (m.image for m in make_marks() if m.family == "seal"):
        ref = ReferenceModel(mark)
        grey = ref.grey(ref.bgr)
        picks = set()
        for _ in range(24):
            clutter = [np.empty(int(n)) for n in rng.integers(1, 5000, 5)]
            fine, coarse = reference_features(grey, 48, 12, 24)
            picks.add(fine.xy.tobytes() + fine.normal.tobytes() + coarse.xy.tobytes())
            del clutter
        assert len(picks) == 1


def test_detections_do_not_depend_on_opencvs_thread_count() -> None:
    # The client leaves OpenCV its default thread pool, the benches run it on one thread: both must
    # see the same answer (parallel stripes must not change a sum's rounding into another decision).
    before = cv2.getNumThreads()
    try:
        for mark in _marks():
            frames = _frames(mark)
            answers = []
            for threads in (1, 4):
                cv2.setNumThreads(threads)
                answers.append(_corners(MarkerDetector(mark), frames, list(range(len(frames)))))
            assert answers[0] == answers[1], "the detector answered differently on 1 and on 4 threads"
            assert any(v is not None for v in answers[0].values())
    finally:
        cv2.setNumThreads(before)
