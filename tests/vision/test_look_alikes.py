"""Line art drawn like the mark in another ink is refused; the mark under a colour cast is found.

The mark is a stroke animal in gold ink. Its look-alikes are the same drawing in red ink (the
closest ink colour, which the smoothed colour model lets through), also with its head redrawn,
in plain light and under warm and cool casts; a black mark's look-alike is the drawing in red.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from game.vision import MarkerDetector
from game.vision.geometry import mean_corner_error
from game.vision.ink_hue import InkHue
from game.vision.synthetic import Effects, Pose, clutter_background, pose_homography, render
from tests.vision.conftest import SIZE, assert_never_wrong, found_share, scene

GOLD = (20, 140, 215)  # BGR
RED = (40, 40, 200)
BLACK = (35, 30, 30)
CARD = (238, 246, 250)
WARM = np.float32([0.72, 0.93, 1.17])  # BGR gains of a tungsten cast
COOL = np.float32([1.17, 1.0, 0.8])
POSES = [Pose(width_cm=w, distance_cm=d, tilt_deg=t, tilt_axis_deg=a, roll_deg=r, cx=x, cy=y)
         for w, d, t, a, r, x, y in ((20, 55, 10, 30, 0, 0.5, 0.5), (20, 70, 30, 120, 35, 0.4, 0.55),
                                     (20, 60, 40, 200, -60, 0.6, 0.45), (20, 90, 20, 300, 150, 0.45, 0.5),
                                     (20, 50, 25, 80, -120, 0.55, 0.5), (20, 80, 35, 10, 95, 0.5, 0.45))]


def creature(ink: tuple[int, int, int], head: str = "round") -> np.ndarray:
    """A stroke animal on a card: body, legs, tail and a head (``round`` or ``square``, the ear turned)."""
    card = np.full((420, 560, 3), CARD, np.uint8)
    t = 11
    cv2.ellipse(card, (250, 215), (150, 85), 0, 0, 360, ink, t, cv2.LINE_AA)
    for x, dx in ((150, -15), (215, 10), (285, -5), (350, 20)):
        cv2.line(card, (x, 290), (x + dx, 390), ink, t, cv2.LINE_AA)
    tail = np.int32([(100, 200), (70, 170), (60, 120), (80, 90)])
    cv2.polylines(card, [tail], False, ink, t, cv2.LINE_AA)
    if head == "round":
        cv2.circle(card, (445, 110), 48, ink, t, cv2.LINE_AA)
        cv2.circle(card, (462, 98), 9, ink, -1, cv2.LINE_AA)
        cv2.polylines(card, [np.int32([(420, 70), (410, 15), (450, 64)])], False, ink, t, cv2.LINE_AA)
    else:
        cv2.rectangle(card, (400, 70), (490, 150), ink, t, cv2.LINE_AA)
        cv2.circle(card, (425, 100), 9, ink, -1, cv2.LINE_AA)
        cv2.polylines(card, [np.int32([(470, 72), (500, 20), (488, 72)])], False, ink, t, cv2.LINE_AA)
    return card


@pytest.fixture(scope="module")
def mark() -> np.ndarray:
    return creature(GOLD)


def cast(img: np.ndarray, gains: np.ndarray) -> np.ndarray:
    return np.clip(img.astype(np.float32) * gains, 0, 255).astype(np.uint8)


def look_alike_frames(card: np.ndarray) -> list[np.ndarray]:
    """``card`` at every pose, over clutter, in plain light and under both casts in turn."""
    frames = []
    for i, pose in enumerate(POSES):
        rng = np.random.default_rng(100 + i)
        hm = pose_homography(pose, (card.shape[1], card.shape[0]), SIZE)
        img = render(card, hm, clutter_background(rng, SIZE), Effects(noise=2.0), rng)
        frames.append((img, cast(img, WARM), cast(img, COOL))[i % 3])
    return frames


@pytest.mark.parametrize("ink,head", [(GOLD, "round"), (GOLD, "square"), (BLACK, "round")],
                         ids=["gold", "gold-other-head", "black"])
def test_the_drawing_in_another_ink_is_never_reported(ink: tuple[int, int, int], head: str) -> None:
    det = MarkerDetector(creature(ink))
    reported = [i for i, img in enumerate(look_alike_frames(creature(RED, head))) if det.detect(img) is not None]
    assert not reported, f"red look-alike ({head} head) of the {ink} mark reported in views {reported}"


@pytest.mark.parametrize("ink,gains", [(GOLD, None), (GOLD, WARM), (GOLD, COOL), (BLACK, WARM)],
                         ids=["gold-plain", "gold-warm", "gold-cool", "black-warm"])
def test_the_mark_is_found_in_plain_light_and_under_a_colour_cast(ink: tuple[int, int, int],
                                                                  gains: np.ndarray | None) -> None:
    mark = creature(ink)
    det = MarkerDetector(mark)
    size = (mark.shape[1], mark.shape[0])
    errors: list[float | None] = []
    for i, pose in enumerate(POSES):
        img, hm = scene(mark, pose, 200 + i)
        assert hm is not None
        found = det.detect(img if gains is None else cast(img, gains))
        errors.append(None if found is None else mean_corner_error(found.homography, hm, *size))
    assert_never_wrong(errors)
    assert found_share(errors) >= 5 / 6


@pytest.mark.parametrize("gains", [(1.0, 1.0, 1.0), tuple(WARM), tuple(COOL), (0.35, 0.35, 0.35)],
                         ids=["plain", "warm", "cool", "dim"])
def test_ink_hue_is_relative_to_the_card(mark: np.ndarray, gains: tuple[float, float, float]) -> None:
    """Gold ink agrees under casts, dim light and blur (mixing with the card); red ink does not."""
    size = (64, 48)
    ink = cv2.resize((np.abs(mark.astype(np.int16) - np.int16(CARD)).max(2) > 60).astype(np.uint8), size,
                     interpolation=cv2.INTER_NEAREST) > 0
    hue = InkHue.build(cv2.resize(mark, size, interpolation=cv2.INTER_AREA), ink)
    for blur in (0.0, 1.5):
        for ink_colour, agrees in ((GOLD, True), (RED, False)):
            view = cv2.resize(creature(ink_colour), size, interpolation=cv2.INTER_AREA)
            if blur:
                view = cv2.GaussianBlur(view, (0, 0), blur)
            view = cast(view, np.float32(gains))
            assert (hue.agreement(view) >= 0.5) == agrees, (ink_colour, blur)
