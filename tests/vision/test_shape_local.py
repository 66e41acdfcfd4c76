"""The shape matcher's local search: its scores and the few coarse peaks it refines."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from bench.vision_general_marks import animal, ring
from game.vision.align import FramePyramid
from game.vision.geometry import mean_corner_error, project
from game.vision.reference import ReferenceModel
from game.vision.shape_match import MAX_RESPONSE, N_BINS, NEUTRAL, ShapeMatcher, _Gather
from game.vision.synthetic import Effects, Pose, pose_homography, render

SIZE = (640, 480)


def marks() -> list[np.ndarray]:
    rng = np.random.default_rng(5)
    return [ring(rng, (40, 40, 200), False), animal(rng, (160, 80, 20))]


def view(mark: np.ndarray, roll: float, width_cm: float) -> tuple[np.ndarray, np.ndarray]:
    pose = Pose(width_cm, 40.0, 20.0, 30.0, roll, 0.45, 0.55)
    hm = pose_homography(pose, (mark.shape[1], mark.shape[0]), SIZE)
    rng = np.random.default_rng(3)
    # A textured background: clutter for the coarse search, not a blank page.
    bg = cv2_blur(rng.integers(60, 200, (SIZE[1], SIZE[0], 3)).astype(np.uint8))
    return render(mark, hm, bg, Effects(noise=2.0), np.random.default_rng(1)), hm


def cv2_blur(img: np.ndarray) -> np.ndarray:

    return cv2.GaussianBlur(img, (0, 0), 3.0)


def test_scores_are_the_mean_response_at_the_shifted_features() -> None:
    rng = np.random.default_rng(0)
    greys = [cv2_blur(rng.integers(0, 255, (h, w)).astype(np.uint8)) for h, w in ((120, 160), (60, 80))]
    gather = _Gather(greys, 10.0)
    n_c, n_m, n_f = 3, 2, 20
    which = np.array([0, 1, 0])
    x = rng.uniform(5, 50, (n_c, n_m, n_f))
    y = rng.uniform(5, 50, (n_c, n_m, n_f))
    bins = rng.integers(0, N_BINS, (n_c, n_m, n_f))
    shifts = np.array([(sx, sy) for sx in (-2, 0, 2) for sy in (-1, 0, 1)], np.float64)
    got = gather.score(which, x, y, bins, shifts).reshape(n_c, n_m, len(shifts))
    for c in range(n_c):
        maps = gather.maps[which[c]]
        for m in range(n_m):
            for s, (sx, sy) in enumerate(shifts):
                xi = (x[c, m] + 0.5).astype(int) + int(sx)
                yi = (y[c, m] + 0.5).astype(int) + int(sy)
                vals = maps[bins[c, m], yi, xi].astype(float)
                assert got[c, m, s] == pytest.approx((vals.mean() - NEUTRAL) / MAX_RESPONSE, abs=1e-9)


@pytest.mark.parametrize("index", [0, 1])
@pytest.mark.parametrize(("roll", "width_cm"), [(35.0, 12.0), (200.0, 5.0)])
def test_refining_the_best_peaks_finds_the_view_as_refining_all(index: int, roll: float, width_cm: float) -> None:
    mark = marks()[index]
    img, truth = view(mark, roll, width_cm)
    ref = ReferenceModel(mark)
    matcher = ShapeMatcher(ref.grey(mark))
    levels = matcher.levels(FramePyramid(ref.grey(img)))
    w, h = mark.shape[1], mark.shape[0]
    apparent = float(np.ptp(project(truth, [(0, 0), (w, 0), (w, h), (0, h)])[:, 0]))
    few = matcher.hypotheses(levels, top=2)
    every = matcher.hypotheses(levels, top=2, refine=32, again=32)
    assert few and every
    err_few = min(mean_corner_error(hm, truth, w, h) for _, hm in few)
    err_all = min(mean_corner_error(hm, truth, w, h) for _, hm in every)
    assert err_few <= 0.1 * apparent
    assert err_few <= err_all + 2.0


def test_a_blank_frame_gives_nothing_however_many_peaks_are_refined() -> None:
    mark = marks()[0]
    ref = ReferenceModel(mark)
    matcher = ShapeMatcher(ref.grey(mark))
    blank = np.full((SIZE[1], SIZE[0], 3), 128, np.uint8)
    levels = matcher.levels(FramePyramid(ref.grey(blank)))
    assert matcher.hypotheses(levels) == []
    assert matcher.hypotheses(levels, refine=2, again=1) == []
