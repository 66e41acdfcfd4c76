"""Motion blur: the kernel, the blurred-template bank, and small smeared views it lets verify."""

from __future__ import annotations

import numpy as np
import pytest

from game.vision import MarkerDetector
from game.vision.align import match_score
from game.vision.blur import BlurBank, motion_blur, motion_kernel, turned_motion
from game.vision.geometry import mean_corner_error
from game.vision.synthetic import Effects, Pose, pose_homography, render
from tests.vision.conftest import ROOT, SIZE, load


def test_motion_kernel_is_normalised_and_follows_its_direction() -> None:
    assert motion_kernel(1.0, 0.0) is None
    k = motion_kernel(9.0, 0.0)
    assert k is not None and k.sum() == pytest.approx(1.0, abs=1e-5)
    rows = np.flatnonzero(k.sum(1) > 1e-3)
    assert rows.tolist() == [k.shape[0] // 2]  # horizontal: one row
    k90 = motion_kernel(9.0, 90.0)
    assert k90 is not None and np.flatnonzero(k90.sum(0) > 1e-3).tolist() == [k90.shape[1] // 2]
    img = np.random.default_rng(0).integers(0, 255, (20, 20), dtype=np.uint8)
    assert motion_blur(img, 1.0, 30.0) is img


@pytest.mark.parametrize(("length", "angle"), [(8.0, 45.0), (12.0, 120.0), (5.0, 0.0)])
def test_the_bank_recognises_the_blur_a_template_was_given(length: float, angle: float) -> None:
    lantern = load(ROOT / "bench/data/lantern.png")
    det = MarkerDetector(lantern)
    tmpl = det.ref.templates[1][0].astype(np.float32)
    bank = BlurBank.build(tmpl)
    noisy = motion_blur(tmpl, length, angle) + np.random.default_rng(1).normal(0, 3, tmpl.shape).astype(np.float32)
    i = bank.best(noisy)
    assert i is not None
    found_len, found_angle = bank.kernels[i]
    assert found_len == pytest.approx(length, abs=2.5)
    assert min(abs(found_angle - angle), 180 - abs(found_angle - angle)) <= 15
    # The smeared template correlates far better with the matching blur than with the sharp one.
    assert bank.score(noisy) > 0.9
    assert bank.score(noisy) > match_score(det._vt[1], noisy) + 0.05
    assert bank.best(np.full_like(tmpl, 128.0)) is None


def test_a_small_fast_moving_print_verifies_against_the_blurred_template() -> None:
    medallion = load(ROOT / "bench/data/medallion.png")
    size = (medallion.shape[1], medallion.shape[0])
    hm = pose_homography(Pose(12, 110, 15, 30, 10, 0.5, 0.5), size, SIZE)
    bg = np.full((SIZE[1], SIZE[0], 3), (90, 110, 100), np.uint8)
    img = render(medallion, hm, bg, Effects(noise=2.0, blur_len=8.0, blur_angle=30.0), np.random.default_rng(1))
    det = MarkerDetector(medallion)
    ctx = det.context(img)
    # Smeared by 8 px on a ~55-px view: the template smeared along the motion accepts the true
    # pose (the blur found is about the one applied: 8 frame px on a 55-px view are ~9 template
    # px, at the roll of the print) ...
    blur = det._view_blur(ctx, hm)
    assert blur is not None and 5.0 <= blur[0] <= 12.0 and blur[2] >= det.config.blur_accept
    # ... and the symmetric mark's turn is told from the cue blurred the same way.
    d = det.detect(img)
    assert d is not None and mean_corner_error(d.homography, hm, *size) < 3.0


def test_a_large_view_never_gets_the_blurred_template() -> None:
    lantern = load(ROOT / "bench/data/lantern.png")
    size = (lantern.shape[1], lantern.shape[0])
    hm = pose_homography(Pose(20, 60, 10, 30, 0, 0.5, 0.5), size, SIZE)
    img = render(lantern, hm, np.full((SIZE[1], SIZE[0], 3), 100, np.uint8), Effects(noise=2.0, blur_len=9.0),
                 np.random.default_rng(2))
    det = MarkerDetector(lantern)
    assert det._view_blur(det.context(img), hm) is None  # beyond blur_view_px


def test_a_template_too_narrow_to_crop_gets_no_bank() -> None:
    with pytest.raises(ValueError, match="at least"):
        BlurBank.build(np.zeros((10, 64), np.float32))


def test_a_motion_seen_from_a_quarter_turned_template_turns_with_it() -> None:
    c, s = 0.0, 1.0  # u: a quarter turn of the reference onto itself (about some point)
    u = np.array([[c, -s, 40.0], [s, c, -3.0], [0.0, 0.0, 1.0]])
    length, angle = turned_motion(8.0, 30.0, u)
    assert length == pytest.approx(8.0)
    off = (angle - (30.0 - 90.0)) % 180.0  # a motion's direction is defined up to 180 degrees
    assert min(off, 180.0 - off) == pytest.approx(0.0, abs=1e-6)
    assert turned_motion(8.0, 30.0, np.eye(3)) == pytest.approx((8.0, 30.0))
