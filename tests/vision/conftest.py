"""Shared fixtures of the vision tests: the campaign logo and known-pose synthetic frames."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from game.vision import MarkerDetector
from game.vision.synthetic import Effects, Pose, clutter_background, pose_homography, render

ROOT = Path(__file__).resolve().parents[2]
LOGO = ROOT / "assets/campaigns/jade-rabbit-chongqing/logo.png"
OTHER = ROOT / "bench/data/medallion.png"
SIZE = (640, 480)


def load(path: Path) -> np.ndarray:
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    assert img is not None, f"missing test asset {path}"
    return img


@pytest.fixture(scope="session")
def logo() -> np.ndarray:
    return load(LOGO)


@pytest.fixture(scope="session")
def other_logo() -> np.ndarray:
    return load(OTHER)


@pytest.fixture(scope="session")
def detector(logo: np.ndarray) -> MarkerDetector:
    return MarkerDetector(logo)


def scene(reference: np.ndarray, pose: Pose | None, seed: int, effects: Effects | None = None,
          size: tuple[int, int] = SIZE) -> tuple[np.ndarray, np.ndarray | None]:
    """A cluttered frame with the reference at a known pose (or absent), and its homography."""
    rng = np.random.default_rng(seed)
    bg = clutter_background(rng, size)
    hm = None if pose is None else pose_homography(pose, (reference.shape[1], reference.shape[0]), size)
    return render(reference, hm, bg, effects or Effects(noise=2.0), rng), hm
