"""Marks that are not square: a wide wordmark, and a mark framed by an outline at its edge."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from game.vision import MarkerDetector
from game.vision.geometry import mean_corner_error
from game.vision.reference import ReferenceModel
from game.vision.synthetic import Effects, clutter_background, random_pose, render

SIZE = (640, 480)
INK = (40, 30, 190)  # BGR red
CARD = (245, 245, 245)


def wordmark(height: int, outline: bool = False) -> np.ndarray:
    """A 600 px wide red wordmark on a pale card (600 x height)."""
    ref = np.full((height, 600, 3), CARD, np.uint8)
    cv2.putText(ref, "BANK OF THINGS", (10, height // 2 + 15), cv2.FONT_HERSHEY_SIMPLEX, 1.4, INK, 4, cv2.LINE_AA)
    if outline:
        cv2.rectangle(ref, (2, 2), (597, height - 3), INK, 3)
    return ref


@pytest.mark.parametrize("height", [150, 80])
def test_templates_keep_one_scale_and_enough_rows(height: int) -> None:
    model = ReferenceModel(wordmark(height))
    for tmpl, k in model.templates:
        th, tw = tmpl.shape
        assert th >= 16, f"template only {th} px tall"
        # one scale for both axes: the warps map reference px to template px by k alone
        assert abs(tw / 600 - k) < 1e-9 and abs(th / height - k) < 0.5 / height + 1e-9


def test_square_marks_keep_their_template_sizes() -> None:
    model = ReferenceModel(wordmark(600))
    assert [t.shape for t, _ in model.templates] == [(32, 32), (64, 64), (128, 128)]


def test_an_edge_outline_is_not_taken_for_the_card() -> None:
    plain, framed = ReferenceModel(wordmark(150)), ReferenceModel(wordmark(150, outline=True))
    assert np.allclose(plain.card_bgr, CARD, atol=3)
    assert np.allclose(framed.card_bgr, CARD, atol=3)  # not the red outline
    assert framed.ink_fraction < 0.3  # the letters and the outline are ink, the card is not


@pytest.mark.parametrize("outline", [False, True], ids=["plain", "outlined"])
def test_a_four_to_one_wordmark_is_found_at_handheld_poses(outline: bool) -> None:
    """Poses where the mark is at least 20 px tall; before the template fix about half were lost."""
    ref = wordmark(150, outline)
    det = MarkerDetector(ref)
    rng = np.random.default_rng(3)
    found = total = 0
    while total < 14:
        bg = clutter_background(rng, SIZE, red_distractors=4)
        _, hm = random_pose(rng, (600, 150), SIZE)
        tall = np.linalg.norm(hm[:2, :2] @ np.array([0.0, 150.0]))  # rough apparent height
        if tall < 20:
            continue
        img = render(ref, hm, bg, Effects(noise=2.0), rng)
        total += 1
        d = det.detect(img)
        if d is None:
            continue
        err = mean_corner_error(d.homography, hm, 600, 150)
        assert err <= 5.0, f"wrong pose reported ({err:.1f} px)"
        found += 1
    assert found >= 11, f"found {found}/{total}"
