"""A finger over the print: verification leaves out what it hides, and it cannot decide the turn."""

from __future__ import annotations

import cv2
import numpy as np

from game.vision import MarkerDetector
from game.vision.align import card_occluder
from game.vision.geometry import mean_corner_error

from .conftest import bench_frame


def card_template(size: int = 64) -> np.ndarray:
    """Expected-card mask of a plain card with a ring of ink in the middle."""
    expect = np.ones((size, size), bool)
    cv2.circle(expect.view(np.uint8), (size // 2, size // 2), size // 4, 0, 4)
    return expect


def test_a_finger_blob_is_masked_with_the_strokes_it_hides() -> None:
    expect = card_template()
    lik = np.full(expect.shape, 230, np.uint8)
    cv2.rectangle(lik, (0, 24), (30, 38), 0, -1)  # a finger from the left, across the ring
    occ = card_occluder(lik, expect)
    assert occ is not None
    assert occ[28:35, 2:28].all()  # the finger, and the ring's stroke under it (closed over)
    assert occ[30, 18]  # a ring pixel (not expected card) inside the blob
    assert not occ[5:15, 40:60].any()  # the plain card far from it


def test_thin_disagreements_and_whole_patches_are_not_occlusions() -> None:
    expect = card_template()
    lik = np.full(expect.shape, 230, np.uint8)
    lik[:, 31:33] = 0  # a two-pixel line: a misaligned stroke or a blurred edge, not a finger
    assert card_occluder(lik, expect) is None
    assert card_occluder(np.zeros_like(lik), expect) is None  # nothing card-coloured: not the print


def test_a_finger_at_the_orientation_cue_gives_no_turned_pose() -> None:
    # The medallion is fourfold symmetric but for a small arrowhead. Here a fingertip lies where
    # the arrowhead of a quarter-turned pose would be, and its dark shade matched the arrowhead
    # better than the true turn's blurred one: the occluder is left out of the cue, and no
    # turned pose is reported.
    ref, img, truth = bench_frame("bench/data/medallion.png", (11, 2), 31)
    found = MarkerDetector(ref).detect(img)
    assert found is None or mean_corner_error(found.homography, truth, ref.shape[1], ref.shape[0]) <= 5.0
