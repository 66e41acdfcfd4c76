"""A nearly symmetric mark is reported the right way round, or not at all."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from game.vision import MarkerDetector
from game.vision.geometry import mean_corner_error
from game.vision.synthetic import Effects, Pose, pose_homography, render
from tests.vision.conftest import SIZE, assert_refused_or_right


@pytest.mark.parametrize("index", [22, 23, 24, 64, 68])
def test_a_nearly_symmetric_mark_is_never_reported_turned(index: int) -> None:
    # Medallion bench views that first align a quarter or half turn off: the turn cue decides,
    # and a view it cannot decide is refused rather than reported turned.
    assert_refused_or_right("bench/data/medallion.png", (7, 2), index)


def _arc_ring() -> np.ndarray:
    """Concentric strokes and open arcs with a small wedge: told apart from every turn of itself."""
    card = np.full((480, 480, 3), 245, np.uint8)
    ink = (40, 40, 40)
    cv2.circle(card, (240, 240), 190, ink, 14, cv2.LINE_AA)
    cv2.ellipse(card, (240, 240), (140, 140), 30, 0, 250, ink, 12, cv2.LINE_AA)
    cv2.ellipse(card, (240, 240), (90, 90), 200, 0, 290, ink, 10, cv2.LINE_AA)
    cv2.fillConvexPoly(card, np.int32([(260, 200), (300, 215), (270, 245)]), ink, cv2.LINE_AA)
    return card


@pytest.mark.parametrize("roll", [0, 100, 200, 290])
def test_a_ring_of_arcs_is_found_at_any_turn(roll: float) -> None:
    # Circles give an alignment of the mark onto its turned self no grip on the rotation; such a
    # fit that turned back is no symmetry, so the view is not refused as ambiguous.
    ring = _arc_ring()
    size = (ring.shape[1], ring.shape[0])
    hm = pose_homography(Pose(15, 60, 15, 30, roll, 0.5, 0.5), size, SIZE)
    img = render(ring, hm, np.full((SIZE[1], SIZE[0], 3), (90, 110, 100), np.uint8), Effects(noise=2.0),
                 np.random.default_rng(3))
    found = MarkerDetector(ring).detect(img)
    assert found is not None, "not found"
    assert mean_corner_error(found.homography, hm, *size) <= 5.0
