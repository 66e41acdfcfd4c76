"""Textured references: SIFT matches with a MAGSAC++ fit give a pose hypothesis, and the detector reports it."""

from __future__ import annotations

import cv2
import numpy as np

from game.vision import MarkerDetector
from game.vision.features import FeatureHypotheses
from game.vision.geometry import mean_corner_error
from game.vision.synthetic import Effects, Pose

from .conftest import ROOT, load, scene

PHOTO = ROOT / "bench/data/heldout/night-street.png"


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
