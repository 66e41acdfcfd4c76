"""A detection is a pose the frame fixes: a view that leaves it open is refused, never reported wrong."""

from __future__ import annotations

import itertools

import cv2
import numpy as np
import pytest

from game.vision import MarkerDetector
from game.vision.synthetic import Effects, Pose

from .conftest import ROOT, assert_never_wrong, corner_errors, found_share, load

# Tilt (degrees), tilt axis (degrees), distance (cm), motion blur (px): a gentle still view and a
# steep, blurred one.
HOLDS = ((20.0, 30.0, 55.0, 0.0), (50.0, 100.0, 70.0, 5.0))
THUMBS = (0.15, 0.3)  # share of the print's diagonal under the thumb


def _thumbed_views(width_cm: float) -> list[tuple[Pose, int, Effects]]:
    """Every 45 degrees of the full circle at both holds, the thumb small and large by turns."""
    return [(Pose(width_cm, distance, tilt, axis, roll, 0.5, 0.5), 200 + i,
             Effects(noise=3.0, finger=THUMBS[(roll // 45) % 2], blur_len=blur, blur_angle=axis))
            for i, (roll, (tilt, axis, distance, blur)) in enumerate(itertools.product(range(0, 360, 45), HOLDS))]


@pytest.mark.parametrize(("path", "width_cm"), [
    # A thin wordmark with plain margins: a thumb over one end leaves the fit free to shrink along it.
    ("bench/data/kite-wordmark.png", 15.0),
    # A nearly symmetric lantern: with the thumb left out, a half turn can verify about as well.
    ("bench/data/lantern.png", 12.0),
])
def test_a_thumb_never_turns_a_view_into_a_wrong_pose(path: str, width_cm: float) -> None:
    errors = corner_errors(load(ROOT / path), _thumbed_views(width_cm))
    # No wrong pose: nothing shrunk, slid or turned; refusing the view is fine.
    assert_never_wrong(errors)
    # Refusing is the safe answer, not the usual one.
    assert found_share(errors) >= 0.75


def _stretch_and_shift_starts(det: MarkerDetector) -> set[str]:
    """Which of the check's stretch (x/y) and shift (x/y) starts the detector keeps."""
    names = ("x-stretch", "x-stretch", "y-stretch", "y-stretch", "x-shift", "x-shift", "y-shift", "y-shift")
    return {names[i] for i, s in enumerate(det._bar_starts) if any(s is k for k in det._rival_starts)}


def test_the_check_starts_only_from_confusions_the_mark_leaves_open() -> None:
    rng = np.random.default_rng(3)
    # Bands across the print: a fit may slide or stretch along them, so those starts stay ...
    rows = cv2.resize(rng.uniform(30, 230, (24, 1)).astype(np.uint8), (1, 480), interpolation=cv2.INTER_LINEAR)
    bands = cv2.cvtColor(np.repeat(rows, 480, axis=1), cv2.COLOR_GRAY2BGR)
    kept = _stretch_and_shift_starts(MarkerDetector(bands))
    assert {"x-stretch", "x-shift"} <= kept
    # ... while blobs everywhere fix the pose along both axes: no shift is left open.
    blobs = cv2.GaussianBlur(rng.uniform(0, 255, (480, 480)).astype(np.float32), (0, 0), 6)
    blobs = cv2.normalize(blobs, None, 20, 235, cv2.NORM_MINMAX).astype(np.uint8)
    kept = _stretch_and_shift_starts(MarkerDetector(cv2.cvtColor(blobs, cv2.COLOR_GRAY2BGR)))
    assert not kept & {"x-shift", "y-shift"}
