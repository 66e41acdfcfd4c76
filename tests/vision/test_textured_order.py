"""Textured references: the colour search's cheap levels come first, the SIFT boxes need colour evidence."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from game.vision import MarkerDetector
from game.vision import detector as detector_mod
from game.vision.colour_search import FIRST_LEVEL, ColourTemplateSearch
from game.vision.detector import REGION_MIN_COLOUR, TEXTURE_SEARCH_TURNS
from game.vision.geometry import mean_corner_error
from game.vision.synthetic import Pose

from .conftest import ROOT, load, scene

POSTER = "bench/data/poster.png"


@pytest.fixture(scope="module")
def poster() -> np.ndarray:
    return load(ROOT / POSTER)


def _counting(search: ColourTemplateSearch, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pyramid levels ``search`` correlates, in order."""
    levels: list[int] = []
    original = search.correlations

    def correlations(img: np.ndarray, level: int):
        levels.append(level)
        return original(img, level)

    monkeypatch.setattr(search, "correlations", correlations)
    return levels


def test_staged_search_gives_the_full_search_matches_in_its_rounds(poster: np.ndarray) -> None:
    search = ColourTemplateSearch(poster, angles=TEXTURE_SEARCH_TURNS)
    for seed, pose in ((3, None), (7, Pose(width_cm=8, distance_cm=90, tilt_deg=10, tilt_axis_deg=0, roll_deg=20, cx=0.4, cy=0.6))):
        frame, _ = scene(poster, pose, seed=seed)
        full = search.hypotheses(frame, 1.0, top=2)
        staged = list(search.staged(frame, 1.0, top=2))
        # Every match the full search gives is tried, none twice; the first round adds at most ``top``.
        assert 2 <= len(staged) <= 4
        for v, h in full:
            assert sum(abs(v - s) < 1e-6 and np.allclose(h, g) for s, g in staged) == 1


def test_finest_level_is_searched_only_when_asked(poster: np.ndarray, monkeypatch: pytest.MonkeyPatch) -> None:
    search = ColourTemplateSearch(poster, angles=TEXTURE_SEARCH_TURNS)
    levels = _counting(search, monkeypatch)
    frame, _ = scene(poster, None, seed=3)
    rounds = search.staged(frame, 1.0, top=2)
    next(rounds)
    assert levels and min(levels) >= FIRST_LEVEL
    list(rounds)
    assert min(levels) < FIRST_LEVEL


def test_mid_size_poster_settles_without_the_finest_level(poster: np.ndarray, monkeypatch: pytest.MonkeyPatch) -> None:
    det = MarkerDetector(poster)
    assert det._colour_search is not None
    levels = _counting(det._colour_search, monkeypatch)
    size = (poster.shape[1], poster.shape[0])
    # About 120 px across, turned beyond where the colour cues' early tries reach: the colour search settles it.
    pose = Pose(width_cm=12, distance_cm=70, tilt_deg=15, tilt_axis_deg=40, roll_deg=25, cx=0.45, cy=0.55)
    frame, truth = scene(poster, pose, seed=21)
    assert truth is not None
    found = det.detect(frame)
    assert found is not None
    assert mean_corner_error(found.homography, truth, *size) < 5.0
    assert levels, "the colour search did not run"
    assert all(level >= FIRST_LEVEL for level in levels)


def test_sift_boxes_need_colour_evidence(poster: np.ndarray, monkeypatch: pytest.MonkeyPatch) -> None:
    det = MarkerDetector(poster)
    assert det._region_features is not None
    boxes: list[tuple[int, int, int, int]] = []
    original = det._region_features.pose

    def pose(grey, scale=1.0, box=None, max_side=0, min_side=0):
        boxes.append(box)
        return original(grey, scale, box, max_side, min_side)

    monkeypatch.setattr(det._region_features, "pose", pose)
    frame, _ = scene(poster, None, seed=5)
    ctx = det.context(frame)
    region = detector_mod.translate_mat(200, 150) @ np.diag([0.3, 0.3, 1.0])
    det._featured(ctx, None, [region], colour=REGION_MIN_COLOUR - 0.1)  # ORB only
    assert boxes == []
    det._featured(ctx, None, [region], colour=REGION_MIN_COLOUR + 0.1)
    assert len(boxes) == 1
    det._featured(ctx, None, [region], colour=None)  # no colour search ran: the boxes are described
    assert len(boxes) == 2


def test_blank_frame_gives_nothing(poster: np.ndarray) -> None:
    det = MarkerDetector(poster)
    assert det.detect(np.full((480, 640, 3), 128, np.uint8)) is None
    noise = cv2.GaussianBlur(np.random.default_rng(1).integers(0, 255, (480, 640, 3), dtype=np.uint8), (5, 5), 0)
    assert det.detect(noise) is None
