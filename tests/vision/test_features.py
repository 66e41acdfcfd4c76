"""Textured references: local features (ORB over the frame, SIFT inside a box) with a MAGSAC++ fit give a
pose hypothesis, and the detector reports it."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from game.vision import MarkerDetector
from game.vision.features import FeatureHypotheses
from game.vision.geometry import long_side, mean_corner_error, project, ref_corners
from game.vision.synthetic import Effects, Pose

from .conftest import ROOT, load, scene

PHOTO = ROOT / "bench/data/heldout/night-street.png"
POSTER = ROOT / "bench/data/poster.png"


def _view(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ref = load(PHOTO)
    pose = Pose(24.0, 60.0, 35.0, 60.0 * seed, 25.0 * seed, 0.5, 0.5)
    img, hm = scene(ref, pose, seed, Effects(gain=0.8, bias=10.0, noise=3.0))
    assert hm is not None
    return ref, img, hm


def test_features_give_the_pose_of_a_tilted_photo() -> None:
    ref, img, hm = _view(1)
    h = FeatureHypotheses(cv2.cvtColor(ref, cv2.COLOR_BGR2GRAY)).pose(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY))
    assert h is not None
    assert mean_corner_error(h, hm, ref.shape[1], ref.shape[0]) <= 5.0


def test_features_of_a_frame_without_the_photo_give_no_pose() -> None:
    ref, _, _ = _view(1)
    blank = np.full((480, 640), 128, np.uint8)
    assert FeatureHypotheses(cv2.cvtColor(ref, cv2.COLOR_BGR2GRAY)).pose(blank) is None


def test_the_detector_reports_tilted_photos_within_3_px() -> None:
    for seed in (2, 3):
        ref, img, hm = _view(seed)
        found = MarkerDetector(ref).detect(img)
        assert found is not None
        assert mean_corner_error(found.homography, hm, ref.shape[1], ref.shape[0]) <= 3.0


def _small_poster_view(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, int, int, int]]:
    """The bench poster 55-95 px long in a cluttered frame, and the box around it grown by half its size."""
    ref = load(POSTER)
    pose = Pose(24.0, 150.0 + 20 * seed, 30.0, 50.0 * seed, 40.0 * seed, 0.3 + 0.08 * seed, 0.5)
    img, hm = scene(ref, pose, seed, Effects(gain=0.9, bias=5.0, noise=3.0))
    assert hm is not None
    q = project(hm, ref_corners(ref.shape[1], ref.shape[0]))
    assert 50 <= long_side(q) <= 100
    m = 0.5 * long_side(q)
    (x0, y0), (x1, y1) = q.min(0), q.max(0)
    box = (max(0, int(x0 - m)), max(0, int(y0 - m)), min(640, int(x1 + m)), min(480, int(y1 + m)))
    return ref, img, hm, box


def test_sift_inside_a_box_gives_the_pose_of_a_small_poster_view() -> None:
    for seed in (1, 4):
        ref, img, hm, box = _small_poster_view(seed)
        sift = FeatureHypotheses(cv2.cvtColor(ref, cv2.COLOR_BGR2GRAY), "sift")
        h = sift.pose(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), box=box)
        assert h is not None
        assert mean_corner_error(h, hm, ref.shape[1], ref.shape[0]) <= 5.0


def test_the_detector_finds_small_poster_views_within_5_px() -> None:
    det = MarkerDetector(load(POSTER))
    assert det.use_features
    for seed in (2, 6):
        ref, img, hm, _ = _small_poster_view(seed)
        found = det.detect(img)
        assert found is not None
        assert mean_corner_error(found.homography, hm, ref.shape[1], ref.shape[0]) <= 5.0


def test_a_textured_poster_is_not_reported_in_frames_without_it() -> None:
    det = MarkerDetector(load(POSTER))
    for seed in (3, 5, 7):
        img, _ = scene(load(POSTER), None, seed)
        assert det.detect(img) is None
    assert det.detect(np.full((480, 640, 3), 128, np.uint8)) is None


def test_an_unknown_feature_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="feature kind"):
        FeatureHypotheses(np.zeros((64, 64), np.uint8), "surf")


def test_the_detector_finds_a_small_poster_at_any_turn() -> None:
    """A handheld print can be at any in-plane turn: views turned over the full circle are found."""
    ref = load(POSTER)
    det = MarkerDetector(ref)
    right = 0
    for i, roll in enumerate(range(0, 360, 45)):
        pose = Pose(24.0, 260.0, 20.0, 30.0 * i, float(roll), 0.35 + 0.04 * i, 0.45)
        img, hm = scene(ref, pose, 20 + i, Effects(gain=0.9, bias=5.0, noise=3.0))
        assert hm is not None
        assert 50 <= long_side(project(hm, ref_corners(ref.shape[1], ref.shape[0]))) <= 110
        found = det.detect(img)
        right += found is not None and mean_corner_error(found.homography, hm, ref.shape[1], ref.shape[0]) <= 5.0
    assert right >= 7


def test_boxes_of_one_frame_share_their_sift_description() -> None:
    """A box asked again, or lying inside one already described, gives the view's pose from the
    same description; a frame refilled in place is described anew."""
    ref, img, hm, box = _small_poster_view(1)
    sift = FeatureHypotheses(cv2.cvtColor(ref, cv2.COLOR_BGR2GRAY), "sift")
    grey = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    first = sift.pose(grey, box=box, min_side=160)
    assert first is not None
    assert mean_corner_error(first, hm, ref.shape[1], ref.shape[0]) <= 5.0
    again = sift.pose(grey, box=box, min_side=160)
    assert again is not None and np.allclose(again, first)
    # A slightly smaller box inside it, at the same description scale: fitted from the same matches.
    x0, y0, x1, y1 = box
    inner = (x0 + 2, y0 + 2, x1 - 2, y1 - 2)
    h = sift.pose(grey, box=inner, min_side=160 * (x1 - x0 - 4) // (x1 - x0))
    assert h is not None
    assert mean_corner_error(h, hm, ref.shape[1], ref.shape[0]) <= 5.0
    assert len(sift._described) == 1
    grey[:] = 128  # the same array, now without the print
    assert sift.pose(grey, box=box, min_side=160) is None
