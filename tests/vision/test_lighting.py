"""Light falling off across a print: alignment and verification ignore a brightness ramp."""

from __future__ import annotations

import numpy as np
import pytest

from game.vision import MarkerDetector
from game.vision.align import VerifyTemplate, match_score
from game.vision.geometry import mean_corner_error
from game.vision.planes import deplane, plane_basis
from game.vision.synthetic import Pose
from tests.vision.conftest import scene


def ramp(shape: tuple[int, int], lo: float, hi: float, angle_deg: float) -> np.ndarray:
    """A gain falling from ``hi`` to ``lo`` across an image, along ``angle_deg``."""
    h, w = shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    a = np.deg2rad(angle_deg)
    t = (xx - w / 2) * np.cos(a) + (yy - h / 2) * np.sin(a)
    t = (t - t.min()) / (t.max() - t.min())
    return hi + (lo - hi) * t


def shaded(img: np.ndarray, lo: float, hi: float, angle_deg: float) -> np.ndarray:
    g = ramp(img.shape[:2], lo, hi, angle_deg)
    if img.ndim == 3:
        g = g[..., None]
    return np.clip(img.astype(np.float32) * g, 0, 255).astype(np.uint8)


def test_deplane_removes_planes_and_keeps_the_rest() -> None:
    shape = (24, 40)
    q = plane_basis(shape)
    assert np.allclose(q.T @ q, np.eye(3), atol=1e-5)
    yy, xx = np.mgrid[0:24, 0:40].astype(np.float32)
    plane = (7.0 + 0.5 * xx - 1.25 * yy).ravel()
    assert np.abs(deplane(plane, q)).max() < 1e-3
    rng = np.random.default_rng(1)
    x = rng.normal(0, 10, shape).astype(np.float32).ravel()
    once = deplane(x, q)
    assert np.allclose(deplane(once, q), once, atol=1e-3)
    assert np.allclose(deplane(x + plane, q), once, atol=1e-3)


def test_verification_ignores_a_ramp_but_not_the_content(logo: np.ndarray) -> None:
    det = MarkerDetector(logo)
    tmpl = det.ref.templates[1][0]
    vt = VerifyTemplate.build(tmpl)
    lit = tmpl * ramp(tmpl.shape, 0.5, 1.2, 30.0)
    assert match_score(vt, lit) > 0.9
    # A plain card under the same light is a ramp and nothing else: no match.
    card = np.full(tmpl.shape, 200.0, np.float32) * ramp(tmpl.shape, 0.5, 1.2, 30.0)
    assert match_score(vt, card) == 0.0


@pytest.mark.parametrize("angle", [0.0, 120.0, 250.0])
def test_a_print_under_a_light_falling_off_across_it_is_found(logo: np.ndarray, angle: float) -> None:
    pose = Pose(width_cm=20, distance_cm=50, tilt_deg=25, tilt_axis_deg=40, roll_deg=10, cx=0.5, cy=0.5)
    img, hm = scene(logo, pose, seed=11)
    assert hm is not None
    dark = shaded(img, 0.35, 1.2, angle)  # the print's far side gets a third of the light
    d = MarkerDetector(logo).detect(dark)
    assert d is not None, f"not found under a ramp along {angle} deg"
    assert mean_corner_error(d.homography, hm, logo.shape[1], logo.shape[0]) < 2.0
