"""The ink gate of chromatic line art: frames, card regions and outlines without the ink's colour.

A chromatic mark's pose verifies only with ink-coloured pixels under it (``_colour_agreement``
caps it at half its score otherwise), so a frame with (next to) none is done at once, and card
regions and edge outlines without any near them give no hypotheses (``detector.INK_REACH``).
These tests check the behaviour, not time.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from game.vision import MarkerDetector
from game.vision.candidates import box_inked, edge_quads
from game.vision.geometry import mean_corner_error
from game.vision.synthetic import Effects, Pose, clutter_background, pose_homography, render
from tests.vision.conftest import SIZE
from tests.vision.test_look_alikes import BLACK, GOLD, creature

POSE = Pose(width_cm=20, distance_cm=60, tilt_deg=20, tilt_axis_deg=30, roll_deg=15, cx=0.5, cy=0.5)


def grey_clutter(seed: int) -> np.ndarray:
    """A cluttered background without colour (no pixel of a chromatic ink)."""
    bg = clutter_background(np.random.default_rng(seed), SIZE)
    return cv2.cvtColor(cv2.cvtColor(bg, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)


@pytest.fixture(scope="module")
def gold() -> MarkerDetector:
    return MarkerDetector(creature(GOLD))


def count_alignments(det: MarkerDetector, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls = [0]
    coarse, finish = det._coarse, det._finish

    def counted_coarse(*a, **k):
        calls[0] += 1
        return coarse(*a, **k)

    def counted_finish(*a, **k):
        calls[0] += 1
        return finish(*a, **k)

    monkeypatch.setattr(det, "_coarse", counted_coarse)
    monkeypatch.setattr(det, "_finish", counted_finish)
    return calls


def test_gate_applies_to_chromatic_line_art_only(gold: MarkerDetector) -> None:
    assert gold._ink_gate
    assert not MarkerDetector(creature(BLACK))._ink_gate


@pytest.mark.parametrize("seed", [0, 1])
def test_frame_without_ink_colour_aligns_nothing(gold: MarkerDetector, seed: int,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    calls = count_alignments(gold, monkeypatch)
    assert gold.detect(grey_clutter(seed)) is None
    assert calls[0] == 0


@pytest.mark.parametrize("seed", [0, 1])
def test_the_mark_on_the_same_frame_is_found(seed: int) -> None:
    mark = creature(GOLD)
    size = (mark.shape[1], mark.shape[0])
    hm = pose_homography(POSE, size, SIZE)
    img = render(mark, hm, grey_clutter(seed), Effects(noise=2.0), np.random.default_rng(seed))
    d = MarkerDetector(mark).detect(img)
    assert d is not None
    assert mean_corner_error(d.homography, hm, *size) <= 5.0


def test_outlines_far_from_ink_are_not_fitted() -> None:
    """Two drawn cards: with ink colour inside one of them, only that one's outline is kept."""
    grey = np.full((240, 320), 120, np.uint8)
    cv2.rectangle(grey, (20, 20), (90, 80), 250, -1)
    cv2.rectangle(grey, (200, 140), (280, 210), 250, -1)
    for x0, y0 in ((30, 30), (210, 150)):  # strokes inside each card
        cv2.line(grey, (x0, y0 + 10), (x0 + 50, y0 + 40), 30, 2)
    assert len(edge_quads(grey, 9.0, 8)) >= 2
    seen = np.zeros_like(grey)
    seen[170:175, 230:235] = 1  # ink colour in the second card only
    quads = edge_quads(grey, 9.0, 8, cv2.integral(seen), 0.5)
    assert quads and all(q[:, 0].min() > 150 for q in quads)


def test_box_inked() -> None:
    seen = np.zeros((100, 100), np.uint8)
    seen[50, 50] = 1
    table = cv2.integral(seen)
    assert box_inked(table, (40, 40, 20, 20), 0.5)
    assert box_inked(table, (54, 54, 10, 10), 0.5)  # within half its size of the box
    assert not box_inked(table, (70, 70, 10, 10), 0.5)
    assert not box_inked(table, (0, 0, 20, 20), 0.5)
