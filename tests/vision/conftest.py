"""Shared fixtures of the vision tests: the campaign logo and known-pose synthetic frames."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from game.vision import MarkerDetector
from game.vision.geometry import mean_corner_error
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


def corner_errors(reference: np.ndarray, views: list[tuple[Pose, int, Effects]],
                  background: np.ndarray | None = None) -> list[float | None]:
    """Mean corner error of each rendered view's detection in px, or None where it is refused.

    Each view is a pose, a seed (clutter and noise) and its nuisances; ``background`` replaces the
    seeded clutter when given.
    """
    det = MarkerDetector(reference)
    size = (reference.shape[1], reference.shape[0])
    errors: list[float | None] = []
    for pose, seed, effects in views:
        if background is None:
            img, hm = scene(reference, pose, seed, effects)
        else:
            hm = pose_homography(pose, size, (background.shape[1], background.shape[0]))
            img = render(reference, hm, background, effects, np.random.default_rng(seed))
        assert hm is not None
        found = det.detect(img)
        errors.append(None if found is None else mean_corner_error(found.homography, hm, *size))
    return errors


def wrong_share(errors: list[float | None], tolerance: float = 5.0) -> float:
    """The share of views reported more than ``tolerance`` px off: wrong poses."""
    return sum(1 for e in errors if e is not None and e > tolerance) / len(errors)


def assert_never_wrong(errors: list[float | None], tolerance: float = 5.0) -> None:
    """Every view is refused or found within ``tolerance`` px: a wrong pose is never reported."""
    wrong = {i: round(e, 1) for i, e in enumerate(errors) if e is not None and e > tolerance}
    assert not wrong, f"wrong poses (view: px): {wrong}"


def found_share(errors: list[float | None], tolerance: float = 5.0) -> float:
    """The share of views found within ``tolerance`` px."""
    return sum(1 for e in errors if e is not None and e <= tolerance) / len(errors)
