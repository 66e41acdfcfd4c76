"""The shape matcher's reused per-thread buffers: answers do not depend on what ran before or on which thread."""

from __future__ import annotations

import threading

import cv2
import numpy as np

from bench.vision_general_marks import animal, ring
from game.vision.align import FramePyramid
from game.vision.reference import ReferenceModel
from game.vision.shape_match import ShapeMatcher, orientation_bits
from game.vision.synthetic import Effects, Pose, pose_homography, render


def _frame(mark: np.ndarray, size: tuple[int, int], roll: float, seed: int) -> np.ndarray:
    hm = pose_homography(Pose(10.0, 40.0, 20.0, 30.0, roll, 0.45, 0.55), (mark.shape[1], mark.shape[0]), size)
    rng = np.random.default_rng(seed)
    bg = cv2.GaussianBlur(rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8), (0, 0), 3.0)
    return render(mark, hm, bg, Effects(noise=2.0), rng)


def _hyps(matcher: ShapeMatcher, ref: ReferenceModel, img: np.ndarray, scale: float = 1.0) -> list:
    out = matcher.hypotheses(matcher.levels(FramePyramid(ref.grey(img)), scale))
    return [(s, hm.tobytes()) for s, hm in out]


def test_answers_do_not_depend_on_the_frames_and_marks_searched_before() -> None:
    rng = np.random.default_rng(3)
    marks = [ring(rng, (40, 40, 200), False), animal(rng, (160, 80, 20))]
    refs = [ReferenceModel(m) for m in marks]
    matchers = [ShapeMatcher(r.grey(m)) for r, m in zip(refs, marks, strict=True)]
    frames = [(_frame(marks[0], (640, 480), 35.0, 1), 1.0), (_frame(marks[1], (1280, 720), 200.0, 2), 0.5),
              (_frame(marks[1], (480, 360), 80.0, 3), 1.0)]
    first = [[_hyps(mt, r, img, sc) for img, sc in frames] for mt, r in zip(matchers, refs, strict=True)]
    assert any(h for row in first for h in row)
    # Again in another order: other sizes and banks ran in between, so the buffers changed layout.
    for fi in (2, 0, 1, 0):
        for mi in (1, 0):
            img, sc = frames[fi]
            assert _hyps(matchers[mi], refs[mi], img, sc) == first[mi][fi]
    # On another thread (its own buffers) and with a fresh matcher.
    got: list = []
    worker = threading.Thread(target=lambda: got.append(_hyps(ShapeMatcher(refs[0].grey(marks[0])), refs[0], *frames[1])))
    worker.start()
    worker.join()
    assert got == [first[0][1]]


def test_integer_and_float_gradients_give_the_same_orientation_bits() -> None:
    rng = np.random.default_rng(0)
    grey = cv2.GaussianBlur(rng.integers(0, 256, (120, 160), dtype=np.uint8), (0, 0), 1.5)
    a = orientation_bits(grey, 30.0)
    b = orientation_bits(grey.astype(np.float32), 30.0)
    assert np.array_equal(a, b)
    assert np.count_nonzero(a) > 0
