"""Shared fixtures of the vision tests: the campaign logo and known-pose synthetic frames."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from game.vision import MarkerDetector
from game.vision.geometry import mean_corner_error
from game.vision.synthetic import (
    Effects,
    Pose,
    clutter_background,
    pose_homography,
    random_effects,
    random_pose,
    render,
)

ROOT = Path(__file__).resolve().parents[2]
LOGO = ROOT / "assets/campaigns/jade-rabbit-chongqing/logo.png"
OTHER = ROOT / "bench/data/medallion.png"
SIZE = (640, 480)


def load(path: Path) -> np.ndarray:
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    assert img is not None, f"missing test asset {path}"
    return img


def bench_frame(path: str, stream: tuple[int, int], index: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Frame ``index`` of a bench-style random stream (as ``bench/vision.py`` draws them): reference, frame, truth."""
    ref = load(ROOT / path)
    rng = np.random.default_rng(stream)
    for _ in range(index + 1):
        bg = clutter_background(rng, SIZE, red_distractors=int(rng.integers(3, 10)))
        _, hm = random_pose(rng, (ref.shape[1], ref.shape[0]), SIZE)
        img = render(ref, hm, bg, random_effects(rng), rng)
    return ref, img, hm


def assert_refused_or_right(path: str, stream: tuple[int, int], index: int) -> None:
    """The bench view is either refused or found within 5 px: never a wrong pose."""
    ref, img, truth = bench_frame(path, stream, index)
    found = MarkerDetector(ref).detect(img)
    assert found is None or mean_corner_error(found.homography, truth, ref.shape[1], ref.shape[0]) <= 5.0


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
