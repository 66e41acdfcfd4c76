"""Large, steeply tilted views and marks that verify turned: found the right way round, never wrong."""

from __future__ import annotations

import numpy as np
import pytest

from game.vision import MarkerDetector
from game.vision.geometry import long_side, mean_corner_error, project, ref_corners
from game.vision.synthetic import Effects, Pose, pose_homography, render
from tests.vision.conftest import SIZE
from tests.vision.test_symmetric_turns import _arc_ring


def _views(ref: np.ndarray, tilt: float, width_cm: float, rolls: tuple[float, ...]) -> list[tuple[np.ndarray, np.ndarray]]:
    size = (ref.shape[1], ref.shape[0])
    rng = np.random.default_rng(11)
    out = []
    for i, roll in enumerate(rolls):
        hm = pose_homography(Pose(width_cm, 40, tilt, 40.0 * i, roll, 0.5, 0.5), size, SIZE)
        bg = np.full((SIZE[1], SIZE[0], 3), (80 + 10 * i, 110, 100), np.uint8)
        out.append((render(ref, hm, bg, Effects(noise=2.0), rng), hm))
    return out


def _tally(ref: np.ndarray, views: list[tuple[np.ndarray, np.ndarray]]) -> tuple[int, int]:
    """(views found within 5 px, views reported elsewhere)."""
    det = MarkerDetector(ref)
    right = wrong = 0
    for img, hm in views:
        found = det.detect(img)
        if found is None:
            continue
        if mean_corner_error(found.homography, hm, ref.shape[1], ref.shape[0]) <= 5.0:
            right += 1
        else:
            wrong += 1
    return right, wrong


def test_large_steeply_tilted_views_are_found(logo: np.ndarray) -> None:
    views = _views(logo, 55.0, 16.0, (10, 100, 190, 280))
    sizes = [long_side(project(hm, ref_corners(logo.shape[1], logo.shape[0]))) for _, hm in views]
    assert min(sizes) > 160  # the views are large: the perspective of the tilt spans many pixels
    right, wrong = _tally(logo, views)
    assert wrong == 0
    assert right >= 3


@pytest.mark.parametrize("tilt", [20.0, 50.0])
def test_a_ring_of_arcs_is_reported_at_its_own_turn(tilt: float) -> None:
    # Concentric strokes verify a quarter turn off nearly as well as at the true turn: wherever
    # the search first lands, the view is reported the right way round or not at all.
    ring = _arc_ring()
    right, wrong = _tally(ring, _views(ring, tilt, 12.0, (45, 135, 225, 315)))
    assert wrong == 0
    assert right >= 3
