"""Cards with a corner cut off by a finger, the leading card's own alignment, and the re-measured turn cue."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from game.vision.candidates import extended_quad, quad_from_contour
from tests.vision.conftest import assert_refused_or_right

LOGO = "assets/campaigns/jade-rabbit-chongqing/logo.png"


def _area(q: np.ndarray) -> float:
    return float(cv2.contourArea(q.astype(np.float32)))


def _same_corners(q: np.ndarray, expected: np.ndarray, tol: float) -> bool:
    """Whether ``q`` has ``expected``'s corners (any start, either direction) within ``tol``."""
    return all(min(float(np.hypot(*(c - p))) for p in q) <= tol for c in expected)


def test_a_square_with_one_corner_cut_gets_its_corner_back() -> None:
    poly = np.array([[0, 0], [100, 0], [100, 70], [70, 100], [0, 100]], np.float64)
    q = extended_quad(poly, _area(poly), 0.25)
    assert q is not None and q.shape == (4, 2)
    assert _same_corners(q, np.array([[0, 0], [100, 0], [100, 100], [0, 100]], np.float64), 1e-6)


def test_the_parallel_sides_win_over_the_shortest_side() -> None:
    # A tilted card whose bottom-left corner a finger hides: what is left of the bottom side is
    # shorter than the cut. Dropping the shortest side would extend the cut into a wedge.
    card = np.array([[0, 0], [100, 10], [90, 110], [-10, 100]], np.float64)
    cut = np.array([card[0], card[1], card[2], [30, 104], [-6, 60]], np.float64)
    q = extended_quad(cut, _area(cut), 0.25)
    assert q is not None
    assert _same_corners(q, card, 1e-6)


def test_a_pentagon_that_is_no_cut_card_is_refused() -> None:
    ang = np.deg2rad(90 + 72 * np.arange(5))
    pentagon = np.stack([50 + 40 * np.cos(ang), 50 + 40 * np.sin(ang)], 1)
    assert extended_quad(pentagon, _area(pentagon), 0.25) is None  # any four sides grow it by > 25 %


def test_quad_from_contour_restores_a_cut_corner() -> None:
    card = np.array([[20, 20], [120, 30], [110, 130], [10, 120]], np.int32)
    mask = np.zeros((160, 160), np.uint8)
    cv2.fillConvexPoly(mask, np.array([card[0], card[1], card[2], [60, 125], [13, 70]], np.int32), 1)
    contour = max(cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)[0], key=cv2.contourArea)
    q = quad_from_contour(contour, max_corner_growth=0.25)
    assert q is not None
    assert _same_corners(q, card.astype(np.float64), 4.0)


@pytest.mark.parametrize("index", [22, 23, 24, 64, 68])
def test_a_nearly_symmetric_mark_is_never_reported_turned(index: int) -> None:
    # Medallion bench views that first align a quarter or half turn off: the turn cue decides,
    # and a view it cannot decide is refused rather than reported turned.
    assert_refused_or_right("bench/data/medallion.png", (7, 2), index)
