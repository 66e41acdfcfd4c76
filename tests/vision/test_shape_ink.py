"""The shape search of chromatic line art aligns only poses with the mark's ink hue under them.

The shape matcher's poses come from gradient orientations alone; a drawing of the mark in
another ink matches them as well as the mark does. Verification would refuse such a pose (its
colour agreement is 0), so ``MarkerDetector._shape_searched`` does not align it at all. These
tests check the behaviour (found within 5 px, nothing aligned), not time.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from game.vision import MarkerDetector
from game.vision.geometry import mean_corner_error
from game.vision.synthetic import Effects, Pose, clutter_background, pose_homography, render
from tests.vision.conftest import SIZE
from tests.vision.test_look_alikes import BLACK, GOLD, RED, creature

POSES = [Pose(width_cm=20, distance_cm=60, tilt_deg=20, tilt_axis_deg=30, roll_deg=15, cx=0.5, cy=0.5),
         Pose(width_cm=20, distance_cm=80, tilt_deg=30, tilt_axis_deg=120, roll_deg=-70, cx=0.45, cy=0.55)]


def grey_clutter(seed: int) -> np.ndarray:
    bg = clutter_background(np.random.default_rng(seed), SIZE)
    return cv2.cvtColor(cv2.cvtColor(bg, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)


def frame(ink: tuple[int, int, int], pose: Pose, seed: int) -> tuple[np.ndarray, np.ndarray]:
    mark = creature(ink)
    hm = pose_homography(pose, (mark.shape[1], mark.shape[0]), SIZE)
    return render(mark, hm, grey_clutter(seed), Effects(noise=2.0), np.random.default_rng(seed)), hm


def only_shape_search(det: MarkerDetector, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Leaves the detector the shape search alone (no earlier hypothesis is aligned) and counts
    the shape matcher's poses and the alignments of the shape search."""
    counts = {"poses": 0, "aligned": 0}
    monkeypatch.setattr(det, "_coarse_step", lambda ctx, h0, quick, best, *a, **k: best)
    assert det._shape is not None
    matcher_hypotheses, coarse, finish = det._shape.hypotheses, det._coarse, det._finish

    def hypotheses(*a, **k):
        out = matcher_hypotheses(*a, **k)
        counts["poses"] += len(out)
        return out

    def counted(fn):
        def call(*a, **k):
            counts["aligned"] += 1
            return fn(*a, **k)
        return call

    monkeypatch.setattr(det._shape, "hypotheses", hypotheses)
    monkeypatch.setattr(det, "_coarse", counted(coarse))
    monkeypatch.setattr(det, "_finish", counted(finish))
    return counts


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("pose", POSES)
def test_the_shape_search_finds_the_mark_on_a_cluttered_frame(pose: Pose, seed: int,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    mark = creature(GOLD)
    det = MarkerDetector(mark)
    assert det._ink_gate
    counts = only_shape_search(det, monkeypatch)
    img, truth = frame(GOLD, pose, seed)
    found = det.detect(img)
    assert counts["aligned"] > 0
    assert found is not None
    assert mean_corner_error(found.homography, truth, mark.shape[1], mark.shape[0]) <= 5.0


@pytest.mark.parametrize("seed", [0, 1])
def test_poses_on_a_drawing_in_another_ink_are_not_aligned(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The mark drawn in red (the closest ink to its gold), with a gold spot elsewhere on the
    frame so that the frame itself passes the ink gate: the matcher finds the drawing, and none
    of its poses is aligned."""
    det = MarkerDetector(creature(GOLD))
    counts = only_shape_search(det, monkeypatch)
    img, _ = frame(RED, POSES[0], seed)
    cv2.circle(img, (40, 40), 14, GOLD, -1)
    assert det.detect(img) is None
    assert counts["poses"] > 0
    assert counts["aligned"] == 0


def test_black_marks_keep_aligning_the_shape_poses(monkeypatch: pytest.MonkeyPatch) -> None:
    """No ink gate for a black mark: its shape poses are aligned as before."""

    mark = creature(BLACK)
    det = MarkerDetector(mark)
    assert not det._ink_gate
    counts = only_shape_search(det, monkeypatch)
    img, truth = frame(BLACK, POSES[0], 0)
    found = det.detect(img)
    assert counts["aligned"] > 0
    assert found is not None
    assert mean_corner_error(found.homography, truth, mark.shape[1], mark.shape[0]) <= 5.0
