"""A card that shares its colour class with a paler or darker background is split off by brightness."""

from __future__ import annotations

import itertools

import cv2
import numpy as np
import pytest

from game.vision.candidates import (
    CueMaps,
    card_hypotheses,
    card_regions,
    recut_card_hypotheses,
    tone_split_quads,
)
from game.vision.geometry import ref_corners
from game.vision.reference import ReferenceModel
from game.vision.synthetic import Effects, Pose

from .conftest import SIZE, assert_never_wrong, corner_errors, found_share

# Tilt (degrees), tilt axis (degrees), distance (cm) of a 12 cm print.
HOLDS = ((15.0, 20.0, 50.0), (40.0, 110.0, 65.0))


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


def test_the_late_card_hypotheses_cut_the_card_from_its_wall(other_logo: np.ndarray) -> None:
    # Half-size cue maps where card and wall are one card-coloured region: the region's own
    # outline is the wall's, and the card's quad comes from the region cut apart by brightness.
    ref = ReferenceModel(other_logo)
    card, grey = _region(235, 150)
    none = np.zeros_like(grey)
    cues = CueMaps(ink=none, ink_mask=none, ink_weights=np.zeros((200, 240), np.uint8), grey=grey,
                   card_mask=card, kx=2.0, min_side=9.0)
    grey_search = cv2.resize(grey, (240, 200), interpolation=cv2.INTER_NEAREST)
    regions = card_regions(cues)
    card_quad = 2.0 * np.array([[30, 25], [82, 33], [76, 75], [25, 68]], np.float64)
    wall_quad = 2.0 * np.array([[0, 0], [119, 0], [119, 99], [0, 99]], np.float64)

    def closest(hyps: list, quad: np.ndarray) -> float:
        corners = ref_corners(*ref.size).reshape(-1, 1, 2)
        truth = np.sort(quad, axis=0)
        return min(float(np.abs(np.sort(cv2.perspectiveTransform(corners, h).reshape(4, 2), axis=0) - truth).max())
                   for _, h, kind in hyps if kind == "card")

    assert closest(card_hypotheses(ref, cues, regions, grey_search, 1.0), wall_quad) <= 4.0  # 2 half-size px
    assert closest(recut_card_hypotheses(ref, cues, regions, grey_search, 1.0), card_quad) <= 4.0


@pytest.mark.parametrize("wall", [(205, 190, 175), (170, 160, 150)])
def test_a_card_on_a_wall_of_its_colour_class_is_found_sub_pixel(other_logo: np.ndarray,
                                                                  wall: tuple[int, int, int]) -> None:
    # A white card on a plain grey-blue wall, every 45 degrees, gently and steeply tilted: the split
    # quad only starts the alignment, and the pose still ends on the print's own pixels.
    background = np.full((SIZE[1], SIZE[0], 3), wall, np.uint8)
    views = [(Pose(12, distance, tilt, axis, roll, 0.5, 0.5), 400 + i, Effects(noise=3.0))
             for i, (roll, (tilt, axis, distance)) in enumerate(itertools.product(range(0, 360, 45), HOLDS))]
    errors = corner_errors(other_logo, views, background=background)
    assert_never_wrong(errors)
    assert found_share(errors) >= 0.9
    assert float(np.median([e for e in errors if e is not None])) <= 1.5
