"""The ink gate of chromatic line art: poses and frames without the ink's colour are not aligned.

A chromatic mark's pose verifies only with ink-coloured pixels under it (``_colour_agreement``
caps it at half its score otherwise), so hypotheses and frames without any are dropped before
they are ranked or aligned (``detector.INK_REACH``). These tests check the behaviour, not time.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from game.vision import MarkerDetector
from game.vision.candidates import box_inked
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


def test_poses_far_from_ink_are_dropped(gold: MarkerDetector) -> None:
    """One patch of ink colour: a pose over it or beside it is kept, a pose across the frame is not."""
    img = grey_clutter(2)
    img[200:240, 300:340] = GOLD
    ctx = gold.context(img)
    ink = cv2.resize(gold.ref.likelihoods(ctx.search)[0], (SIZE[0] // 2, SIZE[1] // 2), interpolation=cv2.INTER_AREA)
    ctx.ink_seen = cv2.integral((ink > 5).astype(np.uint8))
    ctx.ink_scale = ctx.search_scale / 2.0
    k = 80.0 / gold.ref.size[0]  # an 80-px view

    def at(x: float, y: float) -> np.ndarray:
        return np.array([[k, 0, x], [0, k, y], [0, 0, 1]], np.float64)

    over, beside, far = at(280, 190), at(200, 200), at(20, 380)
    assert gold._ink_near(ctx, over) and gold._ink_near(ctx, beside) and not gold._ink_near(ctx, far)
    sizes = gold._plausible_sizes(ctx, [over, beside, far])
    assert sizes[0] > 0 and sizes[1] > 0 and sizes[2] == 0


def test_box_inked() -> None:
    seen = np.zeros((100, 100), np.uint8)
    seen[50, 50] = 1
    table = cv2.integral(seen)
    assert box_inked(table, (40, 40, 20, 20), 0.5)
    assert box_inked(table, (54, 54, 10, 10), 0.5)  # within half its size of the box
    assert not box_inked(table, (70, 70, 10, 10), 0.5)
    assert not box_inked(table, (0, 0, 20, 20), 0.5)
