"""Re-acquisition after a dropout: hypotheses of where a lost print went, and the tracker using them."""

from __future__ import annotations

import numpy as np
import pytest

from game.vision import MarkerDetector, MarkerTracker
from game.vision.geometry import mean_corner_error, project, ref_corners, scale_mat, translate_mat
from game.vision.reacquire import appearance_hypotheses
from game.vision.synthetic import HandheldScene, Pose

from .conftest import ROOT, load, scene

POSE = Pose(width_cm=18, distance_cm=70, tilt_deg=20, tilt_axis_deg=40, roll_deg=10, cx=0.45, cy=0.5)


def moved(hm: np.ndarray, ref_size: tuple[int, int], dx: float, dy: float, s: float) -> np.ndarray:
    """hm rescaled by s about its centre, then shifted by (dx, dy) frame px."""
    c = project(hm, ref_corners(*ref_size)).mean(0)
    return translate_mat(c[0] + dx, c[1] + dy) @ scale_mat(s) @ translate_mat(-c[0], -c[1]) @ hm


@pytest.mark.parametrize(("dx", "dy", "s"), [(60.0, 0.0, 1.0), (-35.0, 40.0, 0.88), (20.0, -50.0, 1.1)])
def test_finds_where_the_print_moved(detector: MarkerDetector, logo: np.ndarray, dx: float, dy: float,
                                     s: float) -> None:
    img, truth = scene(logo, POSE, seed=11)
    assert truth is not None
    size = detector.reference_size
    last = moved(truth, size, -dx, -dy, 1.0 / s)  # where it was before it moved by (dx, dy, s)
    assert mean_corner_error(last, truth, *size) > 30  # too far for the tracker's alignment
    tmpl, k = detector.ref.templates[1]
    hyps = appearance_hypotheses(detector.context(img).pyr, tmpl, k, last, size)
    assert hyps, "no hypothesis"
    assert mean_corner_error(hyps[0], truth, *size) <= 12


def test_a_flat_frame_gives_no_hypothesis(detector: MarkerDetector, logo: np.ndarray) -> None:
    _, truth = scene(logo, POSE, seed=12)
    assert truth is not None
    grey = np.full((480, 640, 3), 128, np.uint8)
    tmpl, k = detector.ref.templates[1]
    assert appearance_hypotheses(detector.context(grey).pyr, tmpl, k, truth, detector.reference_size) == []


def test_lost_lantern_is_back_at_once() -> None:
    """The bench lantern sequence's second dropout: it comes back 37 px away, 12 % smaller.

    Detection alone took 8 frames there (its pale card merges with the background).
    """
    lantern = load(ROOT / "bench/data/lantern.png")
    det = MarkerDetector(lantern)
    seq = HandheldScene(lantern, (640, 480), 30.0, 701, "handheld", dropouts=True)
    trk = MarkerTracker(det)
    for i in range(262, 285):
        trk.update(seq.render(i)[0], i / 30.0)
    img, truth = seq.render(285)
    assert truth is not None and not trk.tracking  # lost during the dropout (frames 270-284)
    d = trk.update(img, 285 / 30.0)
    assert d is not None and d.mode == "detect"
    assert mean_corner_error(d.homography, truth, lantern.shape[1], lantern.shape[0]) <= 5


def test_another_mark_where_the_print_was_is_not_taken(detector: MarkerDetector, logo: np.ndarray,
                                                       other_logo: np.ndarray) -> None:
    trk = MarkerTracker(detector)
    img, _ = scene(logo, POSE, seed=13)
    for i in range(3):
        assert trk.update(img, i / 30.0) is not None
    swapped, _ = scene(other_logo, POSE, seed=13)  # a similar red mark in the same place
    out = [trk.update(swapped, (3 + i) / 30.0) for i in range(8)]
    assert all(d is None or d.mode == "hold" for d in out)
    assert out[-1] is None


def test_reset_forgets_where_it_was(detector: MarkerDetector, logo: np.ndarray) -> None:
    trk = MarkerTracker(detector)
    img, _ = scene(logo, POSE, seed=14)
    assert trk.update(img, 0.0) is not None
    assert trk.recent_pose(0.1) is not None
    assert trk.recent_pose(60.0) is None  # memory_s later it is too old to search near
    trk.reset()
    assert trk.recent_pose(0.1) is None
