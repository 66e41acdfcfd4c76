"""Colour template search: the turned and scaled thumbnails of a textured reference find its views."""

from __future__ import annotations

import itertools

import cv2
import numpy as np
import pytest

from game.vision import MarkerDetector
from game.vision.colour_search import SIZES, ColourTemplateSearch
from game.vision.geometry import mean_corner_error
from game.vision.synthetic import Effects, Pose

from .conftest import ROOT, corner_errors, found_share, load, scene, wrong_share

POSTER = "bench/data/poster.png"


@pytest.fixture(scope="module")
def poster() -> np.ndarray:
    return load(ROOT / POSTER)


def test_correlation_is_opencvs_masked_normalised_correlation(poster: np.ndarray) -> None:
    search = ColourTemplateSearch(poster)
    frame, _ = scene(poster, Pose(width_cm=20, distance_cm=90, tilt_deg=10, tilt_axis_deg=30, roll_deg=15,
                                  cx=0.4, cy=0.6), seed=5)
    img = cv2.pyrDown(cv2.pyrDown(frame))
    pairs = search.correlations(img, 2)
    assert len(pairs) == 4 * sum(1 for level, _ in SIZES if level == 2)  # four turns of each size
    for entry, ours in pairs:
        # Over the disk inscribed in the print: OpenCV's masked normalised correlation.
        theirs = cv2.matchTemplate(img, entry.template, cv2.TM_CCOEFF_NORMED, mask=entry.disk)
        assert ours.shape == theirs.shape
        # Flat windows are floored (one grey level of spread), so only textured ones must agree closely.
        assert float(np.abs(ours - theirs).max()) < 0.06
        assert float(np.abs(ours - theirs).mean()) < 0.005


@pytest.mark.parametrize("roll", [-35.0, -5.0, 25.0])
def test_best_match_is_near_the_view(poster: np.ndarray, roll: float) -> None:
    size = (poster.shape[1], poster.shape[0])
    pose = Pose(width_cm=15, distance_cm=110, tilt_deg=20, tilt_axis_deg=60, roll_deg=roll, cx=0.55, cy=0.45)
    frame, truth = scene(poster, pose, seed=11)
    assert truth is not None
    hyps = ColourTemplateSearch(poster).hypotheses(frame, 1.0, top=3)
    assert hyps, "no hypothesis"
    apparent = float(np.ptp(cv2.perspectiveTransform(
        np.float32([[0, 0], [size[0], 0], [size[0], size[1]], [0, size[1]]]).reshape(-1, 1, 2), truth)[:, 0, 0]))
    # Within the coarse alignment's reach: a fifth of the view's size.
    assert mean_corner_error(hyps[0][1], truth, *size) < 0.2 * max(apparent, 1.0)


def test_hypotheses_are_distinct_places(poster: np.ndarray) -> None:
    frame, _ = scene(poster, None, seed=3)
    hyps = ColourTemplateSearch(poster).hypotheses(frame, 1.0, top=5)
    centres = [cv2.perspectiveTransform(np.float32([[[poster.shape[1] / 2, poster.shape[0] / 2]]]), h)[0, 0]
               for _, h in hyps]
    scores = [s for s, _ in hyps]
    assert scores == sorted(scores, reverse=True)
    for i in range(len(centres)):
        for j in range(i):
            assert float(np.linalg.norm(centres[i] - centres[j])) > 1.0


def test_line_art_does_not_search(logo: np.ndarray, poster: np.ndarray) -> None:
    # Flat line art has no colour layout to match at a dozen pixels; its cards and ink do the work.
    assert MarkerDetector(logo)._colour_search is None
    assert MarkerDetector(poster)._colour_search is not None


def test_a_photo_with_a_wide_dark_sky_is_textured(logo: np.ndarray) -> None:
    # Against its dark border colour only a fifth of a night street is "ink", but it spreads over
    # many tones, as photos do and line art does not.
    from game.vision.reference import ReferenceModel

    night = ReferenceModel(load(ROOT / "bench/data/heldout/night-street.png"))
    flat = ReferenceModel(logo)
    assert night.ink_fraction < 0.25
    assert night.tone_entropy > 2 * flat.tone_entropy
    assert night.textured and not flat.textured


@pytest.mark.parametrize("photo", ["brick", "clock"])
def test_grey_photographs_are_textured(photo: str) -> None:
    # Grey photos have no colour to spread over, but they are continuous tone, unlike line art.
    from skimage import data

    from game.vision.reference import ReferenceModel

    grey = getattr(data, photo)()
    assert ReferenceModel(cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)).textured


@pytest.mark.parametrize("mark", ["lantern", "medallion", "kite-wordmark", "rabbit"])
def test_line_art_saved_as_jpeg_is_not_textured(mark: str) -> None:
    # A logo exported as a JPEG gets ringing around its strokes: still a few flat colours.
    from game.vision.reference import ReferenceModel

    ok, buf = cv2.imencode(".jpg", load(ROOT / f"bench/data/{mark}.png"), [cv2.IMWRITE_JPEG_QUALITY, 85])
    assert ok
    assert not ReferenceModel(cv2.imdecode(buf, cv2.IMREAD_COLOR)).textured


# Print width and distance (cm): 45, 100 and 200 px across at the frame's field of view.
SIZES_CM = ((8.0, 90.0), (12.0, 60.0), (20.0, 50.0))
# Tilt (degrees), tilt axis (degrees), where the centre falls across the frame.
HOLDS = ((0.0, 0.0, 0.5), (40.0, 70.0, 0.4))


def _photo_views() -> list[tuple[Pose, int, Effects]]:
    """Three turns, three sizes and two holds, in full and in dim light by turns."""
    return [(Pose(width, distance, tilt, axis, roll, cx, 0.5), 300 + i, Effects(noise=3.0, gain=(1.0, 0.6)[i % 2]))
            for i, (roll, (width, distance), (tilt, axis, cx))
            in enumerate(itertools.product((-30.0, 0.0, 30.0), SIZES_CM, HOLDS))]


@pytest.mark.parametrize(("path", "share", "wrong"), [
    # Bands of sky and water: a pose squashed or slid along them verifies nearly as well. Known
    # defect: a dim view, small or steeply tilted, can still be reported squashed or slid along
    # the bands (1 or 2 of these 18 views, 8-29 px off), so only a small wrong share is asserted.
    ("bench/data/heldout/dusk-lake.png", 0.4, 0.15),
    # Repeating shelves: a pose slid by one shelf verifies nearly as well.
    ("bench/data/heldout/tea-market.png", 0.8, 0.0),
    # A dim, sparse night street that the line-art cues miss.
    ("bench/data/heldout/night-street.png", 0.45, 0.0),
])
def test_held_out_photos_are_found_and_never_reported_wrong(path: str, share: float, wrong: float) -> None:
    errors = corner_errors(load(ROOT / path), _photo_views())
    # What a user relies on: a view that another pose would explain as well is refused, not guessed.
    assert wrong_share(errors) <= wrong, errors
    assert found_share(errors) >= share
