"""Colour casts: the white-patch estimate, and detection retried on the balanced frame."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from game.vision import MarkerDetector
from game.vision.geometry import mean_corner_error
from game.vision.synthetic import Effects, clutter_background, random_pose, render
from game.vision.whitebalance import (
    apply_gains,
    bright_patch,
    brightest_block,
    exposure_gain,
    white_patch_gains,
)

SIZE = (640, 480)
WARM = np.array([0.72, 1.0, 1.28], np.float32)  # BGR gains of an uncorrected tungsten light


def cast(img: np.ndarray, gains: np.ndarray) -> np.ndarray:
    return np.clip(img.astype(np.float32) * gains, 0, 255).astype(np.uint8)


def grey_room() -> np.ndarray:
    img = np.full((SIZE[1], SIZE[0], 3), 120, np.uint8)
    img[100:200, 100:300] = 235  # a white surface: the brightest thing in view
    return img


def test_a_cast_is_estimated_and_undone() -> None:
    tinted = cast(grey_room(), WARM)
    gains = white_patch_gains(tinted, 1.15)
    assert gains is not None
    fixed = apply_gains(tinted, gains)[150, 200].astype(float)
    assert fixed.max() - fixed.min() < 6, fixed  # the white surface is grey again


def test_a_neutral_scene_is_left_alone() -> None:
    assert white_patch_gains(grey_room(), 1.15) is None
    assert white_patch_gains(np.zeros((480, 640, 3), np.uint8), 1.15) is None  # too dark to judge


def found_under(logo: np.ndarray, nuisance: Callable[[np.ndarray], np.ndarray], seed: int, n: int = 12) -> int:
    """Detections in ``n`` nuisance frames by the default detector; every one must be within 5 px."""
    rs = (logo.shape[1], logo.shape[0])
    det = MarkerDetector(logo)
    rng = np.random.default_rng(seed)
    found = 0
    for _ in range(n):
        bg = clutter_background(rng, SIZE, red_distractors=4)
        _, hm = random_pose(rng, rs, SIZE)
        img = nuisance(render(logo, hm, bg, Effects(noise=2.0), rng))
        d = det.detect(img)
        if d is not None:
            assert mean_corner_error(d.homography, hm, *rs) <= 5.0, "wrong pose reported"
            found += 1
    return found


def test_detection_survives_a_tungsten_cast(logo: np.ndarray) -> None:
    found = found_under(logo, lambda img: cast(img, WARM), seed=4)
    assert found >= 9, f"found {found} of 12"


def test_tracking_holds_under_a_tungsten_cast(logo: np.ndarray) -> None:
    """A handheld sequence under the cast: the rabbit is followed in nearly every frame."""
    from game.vision import MarkerTracker
    from game.vision.synthetic import HandheldScene

    rs = (logo.shape[1], logo.shape[0])
    trk = MarkerTracker(MarkerDetector(logo))
    scene = HandheldScene(logo, SIZE, 30.0, 5, "handheld", dropouts=False)
    lost = 0
    for i in range(60):
        img, hm = scene.render(i)
        d = trk.update(cast(img, WARM), i / 30)
        if d is None:
            lost += 1
        else:
            assert mean_corner_error(d.homography, hm, *rs) <= 10.0
    assert lost <= 3, f"lost in {lost} of 60 frames"


def dim(img: np.ndarray, gain: float) -> np.ndarray:
    return np.clip(img.astype(np.float32) * gain, 0, 255).astype(np.uint8)


def test_exposure_gain_only_for_dim_frames() -> None:
    room = grey_room()
    assert exposure_gain(bright_patch(room), 110.0) == 1.0
    assert brightest_block(room) >= 230
    dark = dim(room, 0.4)  # the white surface at ~94
    assert brightest_block(dark) < 110
    g = exposure_gain(bright_patch(dark), 110.0)
    assert 2.2 < g <= 2.5  # brought back near 230


def test_detection_in_a_dim_frame(logo: np.ndarray) -> None:
    """At 0.35 of the exposure the red ink falls into the colour model's dark bins; the gain brings it back."""
    found = found_under(logo, lambda img: dim(img, 0.35), seed=8)
    assert found >= 11, f"found {found} of 12"
