"""A card that shares its colour class with a paler or darker background is split off by brightness."""

from __future__ import annotations

import cv2
import numpy as np

from game.vision import MarkerDetector
from game.vision.candidates import tone_split_quads
from game.vision.geometry import mean_corner_error

from .conftest import bench_frame

# A bench view (seed 7) whose white card joins a grey-blue background in the card colour model:
# the medallion beside green text.
SPLIT_VIEW = ("bench/data/medallion.png", (7, 2), 75)


def _region(card_grey: int, wall_grey: int) -> tuple[np.ndarray, np.ndarray]:
    """A 120×100 card-coloured region: a tilted 50×40 card of one grey on a wall of another."""
    grey = np.full((100, 120), wall_grey, np.uint8)
    quad = np.array([[30, 25], [82, 33], [76, 75], [25, 68]], np.int32)
    cv2.fillConvexPoly(grey, quad, card_grey)
    card = np.ones_like(grey)
    return card, grey


def test_split_returns_the_card_quad() -> None:
    card, grey = _region(235, 150)
    quads = tone_split_quads(card, grey, min_side=9, min_gap=20)
    truth = np.array([[30, 25], [82, 33], [76, 75], [25, 68]], np.float64)
    best = min(quads, key=lambda q: np.abs(np.sort(q, axis=0) - np.sort(truth, axis=0)).max())
    assert np.abs(np.sort(best, axis=0) - np.sort(truth, axis=0)).max() <= 2.0


def test_one_tone_is_not_split() -> None:
    # A plain region (noise only) is one class: no extra quads, however the threshold falls.
    card, grey = _region(200, 200)
    grey = cv2.add(grey, np.random.default_rng(3).integers(0, 12, grey.shape, dtype=np.uint8))
    assert tone_split_quads(card, grey, min_side=9, min_gap=20) == []


def test_split_view_has_sub_pixel_accuracy() -> None:
    # The split quad only starts the alignment: the pose still ends on the print's own pixels.
    ref, img, truth = bench_frame(*SPLIT_VIEW)
    found = MarkerDetector(ref).detect(img)
    assert found is not None
    assert mean_corner_error(found.homography, truth, ref.shape[1], ref.shape[0]) <= 1.5
