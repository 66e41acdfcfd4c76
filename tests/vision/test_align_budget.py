"""Per-call overhead of the alignment and outline helpers: the cheaper forms give the same answers.

``edge_quads`` measures the bounding boxes (and their ink) of all of an edge map's contours in one
array pass (``_sized_boxes``); ``ic_align`` takes an iteration's three products with the patch
from one stacked matrix (``ICTemplate.stacked``). These tests check behaviour, not time.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from game.vision import MarkerDetector
from game.vision.align import apparent_size
from game.vision.candidates import _sized_boxes, box_inked
from game.vision.geometry import mean_corner_error
from game.vision.ic import ic_align
from game.vision.synthetic import Effects, Pose
from tests.vision.conftest import scene
from tests.vision.test_alignment import perturbed


def edge_map(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    img = np.full((240, 320), 128, np.uint8)
    for _ in range(40):
        x, y = (int(v) for v in rng.integers(0, 300, 2))
        w, h = (int(v) for v in rng.integers(3, 90, 2))
        cv2.rectangle(img, (x, y), (x + w, y + h), int(rng.integers(0, 255)), int(rng.choice([-1, 1, 2])))
    img = cv2.add(img, rng.integers(0, 30, img.shape, dtype=np.uint8))
    return cv2.dilate(cv2.Canny(img, 40, 110), np.ones((3, 3), np.uint8))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sized_boxes_are_the_contours_a_plain_loop_keeps(seed: int) -> None:
    edges = edge_map(seed)
    contours, _ = cv2.findContours(edges, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    seen = np.zeros(edges.shape, np.uint8)
    seen[100:110, 150:160] = 1  # ink colour in one small patch
    table = cv2.integral(seen)
    min_side, min_area, max_area = 9.0, 30.0, 0.8 * edges.size
    for ink in (None, table):
        expected = []
        for i, c in enumerate(contours):
            x, y, bw, bh = cv2.boundingRect(c)
            if len(c) < 4 or max(bw, bh) < min_side or bw * bh < min_area or bw * bh > max_area:
                continue
            if ink is not None and not box_inked(ink, (x, y, bw, bh), 0.5):
                continue
            expected.append((i, x, y, bw, bh))
        assert expected, "the scene must have outlines"
        assert _sized_boxes(contours, min_side, min_area, max_area, ink, 0.5) == expected
    assert len(_sized_boxes(contours, min_side, min_area, max_area, table, 0.5)) < len(
        _sized_boxes(contours, min_side, min_area, max_area))
    assert _sized_boxes([], min_side, min_area, max_area) == []


@pytest.mark.parametrize("pose", [Pose(15, 60, 20, 40, 10, 0.5, 0.5), Pose(10, 100, 35, 200, -25, 0.4, 0.6)])
def test_ic_stacked_products_match_the_separate_ones(detector: MarkerDetector, logo: np.ndarray, pose: Pose) -> None:
    """Without a mask (the stacked products) and with an all-pass mask (the separate products), the
    aligner ends at the same pose from a rough start, within a tenth of a pixel, on the print."""
    size = (logo.shape[1], logo.shape[0])
    img, hm = scene(logo, pose, 3, Effects(noise=2.0))
    ctx = detector.context(img)
    ict = detector._ic[1]
    img1, f = ctx.pyr.level(ctx.pyr.level_for(apparent_size(hm, size), max(ict.tmpl.shape)))
    s = np.diag([f, f, 1.0])
    k = np.diag([1.0 / ict.scale, 1.0 / ict.scale, 1.0])
    start = s @ perturbed(hm, size, 2.5, 1) @ k
    fused = ic_align(img1, ict, start, 30)
    plain = ic_align(img1, ict, start, 30, mask=np.full(ict.tmpl.shape, 255, np.uint8))
    assert fused is not None and plain is not None
    back = np.linalg.inv(s)
    h_fused, h_plain = back @ fused[0] @ np.linalg.inv(k), back @ plain[0] @ np.linalg.inv(k)
    assert mean_corner_error(h_fused, h_plain, *size) < 0.1
    assert mean_corner_error(h_fused, hm, *size) < 1.5
    assert abs(fused[1] - plain[1]) < 1e-3
