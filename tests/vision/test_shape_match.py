"""The shape matcher (LINE-2D style pose hypotheses): near poses on clean views, nothing on a blank frame."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from bench.vision_general_marks import animal, ring
from game.vision import MarkerDetector
from game.vision.align import FramePyramid
from game.vision.geometry import mean_corner_error, project
from game.vision.reference import ReferenceModel
from game.vision.shape_match import ShapeMatcher
from game.vision.synthetic import Effects, Pose, pose_homography, render

SIZE = (640, 480)


def marks() -> list[np.ndarray]:
    rng = np.random.default_rng(5)
    return [ring(rng, (40, 40, 200), False), animal(rng, (160, 80, 20))]


def view(mark: np.ndarray, roll: float, width_cm: float, tilt: float = 20.0) -> tuple[np.ndarray, np.ndarray]:
    pose = Pose(width_cm, 40.0, tilt, 30.0, roll, 0.45, 0.55)
    hm = pose_homography(pose, (mark.shape[1], mark.shape[0]), SIZE)
    bg = np.full((SIZE[1], SIZE[0], 3), (120, 130, 125), np.uint8)
    return render(mark, hm, bg, Effects(noise=2.0), np.random.default_rng(1)), hm


def hypotheses(mark: np.ndarray, img: np.ndarray) -> list[tuple[float, np.ndarray]]:
    ref = ReferenceModel(mark)
    matcher = ShapeMatcher(ref.grey(mark))
    return matcher.hypotheses(matcher.levels(FramePyramid(ref.grey(img))))


@pytest.mark.parametrize("index", [0, 1])
@pytest.mark.parametrize(("roll", "width_cm"), [(35.0, 12.0), (200.0, 7.0), (35.0, 4.0)])  # 4 cm: about 60 px
def test_a_hypothesis_lies_near_the_view(index: int, roll: float, width_cm: float) -> None:
    mark = marks()[index]
    img, truth = view(mark, roll, width_cm)
    w, h = mark.shape[1], mark.shape[0]
    apparent = float(np.ptp(project(truth, [(0, 0), (w, 0), (w, h), (0, h)])[:, 0]))
    hyps = hypotheses(mark, img)
    assert hyps
    # Within a tenth of the view's size at the corners: the alignment's reach.
    assert min(mean_corner_error(hm, truth, w, h) for _, hm in hyps) <= 0.1 * apparent
    assert all(0.0 < s <= 1.0 for s, _ in hyps)


def test_a_larger_frame_is_searched_at_the_same_view_sizes() -> None:
    """A 1280x720 frame, searched one level deeper: the view is found as in a 640-px frame."""
    mark = marks()[1]
    pose = Pose(12.0, 40.0, 20.0, 30.0, 35.0, 0.45, 0.55)
    size = (1280, 720)
    truth = pose_homography(pose, (mark.shape[1], mark.shape[0]), size)
    bg = np.full((size[1], size[0], 3), (120, 130, 125), np.uint8)
    img = render(mark, truth, bg, Effects(noise=2.0), np.random.default_rng(1))
    ref = ReferenceModel(mark)
    matcher = ShapeMatcher(ref.grey(mark))
    hyps = matcher.hypotheses(matcher.levels(FramePyramid(ref.grey(img)), 0.5))
    w, h = mark.shape[1], mark.shape[0]
    apparent = float(np.ptp(project(truth, [(0, 0), (w, 0), (w, h), (0, h)])[:, 0]))
    assert min(mean_corner_error(hm, truth, w, h) for _, hm in hyps) <= 0.1 * apparent


def test_a_blank_frame_gives_no_hypothesis() -> None:
    mark = marks()[0]
    blank = np.full((SIZE[1], SIZE[0], 3), 128, np.uint8)
    assert hypotheses(mark, blank) == []


def test_the_detector_finds_the_view_and_refuses_its_mirror_image() -> None:
    mark = marks()[1]  # an animal: no mirror symmetry
    img, truth = view(mark, 35.0, 12.0, tilt=10.0)
    det = MarkerDetector(mark)
    assert det.detect(cv2.flip(img, 1)) is None
    found = det.detect(img)
    assert found is not None
    assert mean_corner_error(found.homography, truth, mark.shape[1], mark.shape[0]) <= 5.0


def test_the_matchers_poses_never_make_a_mirrored_mark_a_detection() -> None:
    mark = marks()[1]
    img, _ = view(mark, 35.0, 12.0, tilt=10.0)
    det = MarkerDetector(mark)
    ctx = det.context(cv2.flip(img, 1))
    matcher = ShapeMatcher(det.ref.grey(mark))
    priors = [hm for _, hm in matcher.hypotheses(matcher.levels(ctx.pyr))]
    assert priors
    assert det.detect_ctx(ctx, priors=priors) is None
