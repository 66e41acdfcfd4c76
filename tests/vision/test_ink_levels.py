"""Ink blobs at a stronger ink level: a print on a background near its ink's colour.

A background whose colour is somewhat like the ink (dry grass under a warm cast for gold ink, a
red saucer for red ink) passes the first ink level everywhere around the print, so its strokes
merge with the background into one blob; the print's own strokes are the most ink-like pixels
and stand apart at the stronger level (``candidates.strong_ink_hypotheses``).
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from game.vision.candidates import cue_maps, strong_ink_hypotheses
from game.vision.geometry import mean_corner_error
from game.vision.reference import ReferenceModel
from game.vision.synthetic import Effects, Pose, pose_homography, render

SIZE = (640, 480)
INK = (40, 40, 200)  # BGR red


def _mark() -> np.ndarray:
    """Red line art on a pale card: a ring, a cross bar and a dot off the axes (no symmetry)."""
    card = np.full((240, 240, 3), (240, 245, 245), np.uint8)
    cv2.circle(card, (120, 120), 95, INK, 12, cv2.LINE_AA)
    cv2.line(card, (60, 150), (180, 90), INK, 12, cv2.LINE_AA)
    cv2.circle(card, (150, 170), 16, INK, -1, cv2.LINE_AA)
    cv2.ellipse(card, (100, 95), (30, 18), 20, 0, 360, INK, 8, cv2.LINE_AA)
    return card


def _near_ink(ref: ReferenceModel, rng: np.random.Generator) -> np.ndarray:
    """A mottled background whose colours the ink model rates as ink, but well below the print's red."""
    hues = np.arange(0, 180, 2, dtype=np.uint8)
    sats = np.arange(40, 256, 8, dtype=np.uint8)
    grid = np.stack(np.meshgrid(hues, sats, indexing="ij"), -1).reshape(-1, 2)
    hsv = np.concatenate([grid, np.full((len(grid), 1), 170, np.uint8)], 1).reshape(1, -1, 3)
    bgr = cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR)
    ink = ref.likelihoods(bgr)[0].ravel()
    pick = np.flatnonzero((ink >= 60) & (ink <= 100))
    assert pick.size, "no colour the ink model rates in between"
    colour = bgr[0, pick[len(pick) // 2]].astype(np.float32)
    tex = cv2.GaussianBlur(rng.normal(0, 1, (SIZE[1], SIZE[0], 1)).astype(np.float32), (0, 0), 3)
    img = colour[None, None, :] * (1.0 + 0.08 * tex[..., None] / max(1e-6, float(tex.std())))
    return np.clip(img, 0, 255).astype(np.uint8)


def _best_error(ref: ReferenceModel, frame: np.ndarray, hm: np.ndarray) -> float:
    likelihoods = ref.likelihoods(frame)
    cues = cue_maps(likelihoods, ref.grey(frame), 1.0, 20.0)
    hyps = strong_ink_hypotheses(ref, cues, 1.0, 3, 2, (2, 5))
    return min((mean_corner_error(h, hm, *ref.size) for _, h, _ in hyps), default=math.inf)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_print_on_a_near_ink_background_gets_an_ink_pose(seed: int) -> None:
    mark = _mark()
    ref = ReferenceModel(mark)
    rng = np.random.default_rng(seed)
    bg = _near_ink(ref, rng)
    pose = Pose(10.0, 60.0 + 20.0 * seed, 25.0, 40.0 * seed, 30.0 + 50.0 * seed, 0.4 + 0.1 * seed, 0.5)
    hm = pose_homography(pose, ref.size, SIZE)
    frame = render(mark, hm, bg, Effects(noise=3.0), rng)
    apparent = float(np.ptp(cv2.perspectiveTransform(
        np.float32([[[0, 0]], [[240, 0]], [[240, 240]], [[0, 240]]]), hm)[:, 0], 0).max())
    # Within reach of the alignment (as bench/vision_funnel.py counts it).
    assert _best_error(ref, frame, hm) <= max(10.0, 0.15 * apparent)


def test_a_blank_frame_gives_no_ink_pose() -> None:
    ref = ReferenceModel(_mark())
    frame = np.full((SIZE[1], SIZE[0], 3), 128, np.uint8)
    cues = cue_maps(ref.likelihoods(frame), ref.grey(frame), 1.0, 20.0)
    assert strong_ink_hypotheses(ref, cues, 1.0, 3, 2, (2, 5)) == []


def test_a_textured_reference_gets_no_strong_ink_blobs() -> None:
    rng = np.random.default_rng(5)
    photo = cv2.GaussianBlur(rng.integers(0, 256, (200, 260, 3), dtype=np.uint8), (0, 0), 2)
    ref = ReferenceModel(cv2.normalize(photo, None, 0, 255, cv2.NORM_MINMAX))
    assert ref.textured
    frame = render(photo, None, np.full((SIZE[1], SIZE[0], 3), 90, np.uint8), Effects(noise=3.0), rng)
    cues = cue_maps(ref.likelihoods(frame), ref.grey(frame), 1.0, 20.0)
    assert strong_ink_hypotheses(ref, cues, 1.0, 3, 2, (2, 5)) == []
