"""The card colour model: a saturated card still counts as card when glare washes it out."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

import game.vision.reference as reference
from game.vision.reference import ReferenceModel

from .conftest import ROOT, load

VIOLET = ROOT / "bench/data/heldout/violet-card.png"


def _card_likelihood(model: ReferenceModel, bgr: tuple[float, ...]) -> int:
    patch = np.full((8, 8, 3), np.clip(np.round(bgr), 0, 255), np.uint8)
    return int(model.likelihoods(patch)[1][0, 0])


def _washed(model: ReferenceModel, white: float) -> tuple[float, ...]:
    """The card colour with ``white`` of the way to white mixed in (glare, overexposure)."""
    return tuple(model.card_bgr * (1.0 - white) + 255.0 * white)


@pytest.fixture(scope="module")
def violet() -> ReferenceModel:
    return ReferenceModel(load(VIOLET))


def test_a_washed_out_saturated_card_is_still_card(violet: ReferenceModel) -> None:
    washed = np.full((1, 1, 3), np.round(_washed(violet, 0.15)), np.uint8)
    assert cv2.cvtColor(washed, cv2.COLOR_BGR2HSV)[0, 0, 1] < 150  # two saturation bins below the card's 191
    assert _card_likelihood(violet, _washed(violet, 0.0)) == 255
    assert _card_likelihood(violet, _washed(violet, 0.15)) >= 150  # the card mask's level


@pytest.mark.parametrize("colour", [(200, 200, 200), (255, 255, 255), (90, 90, 90), (60, 40, 200)])
def test_greys_and_other_hues_stay_off_the_card(violet: ReferenceModel, colour: tuple[int, int, int]) -> None:
    assert _card_likelihood(violet, colour) == 0


def test_pale_cards_are_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    # The allowance only moves saturated bins: a white card's model is the same without it.
    logo = load(ROOT / "assets/campaigns/jade-rabbit-chongqing/logo.png")
    with_allowance = ReferenceModel(logo).card_hist.copy()
    monkeypatch.setattr(reference, "WASHOUT", 0.0)
    assert np.array_equal(ReferenceModel(logo).card_hist, with_allowance)
