"""The hunt's state machine, the hints and the pose maths (pure: no camera, no pygame)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from game.content import load_campaign
from game.rules.content import CheckinMode, Rarity
from game.rules.progress import CheckinRecord, Progress
from game.scan.hints import choose_hint
from game.scan.hunt import FADE_S, HOLD_S, Hunt, Phase
from game.scan.pose import card_points, figure_geometry, pose_from_corners
from game.scan.worker import FrameMeasures
from game.vision.synthetic import Pose, pose_homography

SHANGHAI = timezone(timedelta(hours=8))
CAMPAIGN = load_campaign("jade-rabbit-chongqing")


def test_hold_steady_collects_after_one_and_a_half_seconds() -> None:
    hunt = Hunt(CAMPAIGN, lambda: 0.5)
    now = datetime(2027, 1, 10, 10, 0, tzinfo=SHANGHAI)
    t, collected_at = 0.0, None
    while t < 6.0 and collected_at is None:
        if hunt.update(1 / 60, True, 5.0, Progress(), now):
            collected_at = t
        t += 1 / 60
    assert hunt.item is not None and hunt.item.rarity is Rarity.COMMON
    assert collected_at is not None
    rise_done = 1.2
    assert abs(collected_at - (rise_done + HOLD_S)) < 0.1
    assert hunt.collect() is hunt.item and hunt.phase is Phase.CAPTURED


def test_moving_card_does_not_collect() -> None:
    hunt = Hunt(CAMPAIGN, lambda: 0.5)
    now = datetime(2027, 1, 10, 10, 0, tzinfo=SHANGHAI)
    assert not any(hunt.update(1 / 60, True, 400.0, Progress(), now) for _ in range(600))
    assert hunt.phase is Phase.READY


@settings(max_examples=60, deadline=None)
@given(st.lists(st.booleans(), min_size=1, max_size=200))
def test_the_figure_fades_and_never_pops(found: list[bool]) -> None:
    hunt = Hunt(CAMPAIGN, lambda: 0.5)
    now = datetime(2027, 1, 10, 10, 0, tzinfo=SHANGHAI)
    before = hunt.visible
    for f in found:
        hunt.update(1 / 60, f, 0.0, Progress(), now)
        assert abs(hunt.visible - before) <= (1 / 60) / FADE_S + 1e-9
        assert 0.0 <= hunt.visible <= 1.0
        before = hunt.visible


def three_checkins(now: datetime) -> Progress:
    ids = [lm.id for lm in CAMPAIGN.city.landmarks[:3]]
    return Progress(checkins=tuple(CheckinRecord(i, CheckinMode.SCAN, now.date(), now) for i in ids))


def test_hidden_rabbit_only_at_night_after_three_checkins_and_with_the_roll() -> None:
    night = datetime(2027, 1, 10, 20, 30, tzinfo=SHANGHAI)
    day = night.replace(hour=11)
    cases = [(night, three_checkins(night), 0.1, "moon-gate-rabbit"), (day, three_checkins(day), 0.1, None),
             (night, Progress(), 0.1, None), (night, three_checkins(night), 0.9, None)]
    for now, progress, roll, hidden in cases:
        hunt = Hunt(CAMPAIGN, lambda roll=roll: roll)
        hunt.update(1 / 60, True, 0.0, progress, now)
        assert hunt.item is not None
        if hidden:
            assert hunt.item.id == hidden
        else:
            assert hunt.item.rarity is not Rarity.HIDDEN


def test_hints_follow_the_measures() -> None:
    ok = FrameMeasures(brightness=120, sharpness=200)
    assert choose_hint(FrameMeasures(30, 200), False, 0.0) == "scan.hint_dark"
    assert choose_hint(FrameMeasures(120, 2), False, 0.0) == "scan.hint_still"
    assert choose_hint(ok, False, 10.0) == "scan.hint_example"
    assert choose_hint(ok, False, 1.0) is None
    assert choose_hint(FrameMeasures(120, 200, size=0.004), True, 0.0) == "scan.hint_far"
    assert choose_hint(FrameMeasures(120, 200, size=0.1, speed=900), True, 0.0) == "scan.hint_still"
    assert choose_hint(FrameMeasures(120, 200, size=0.1, speed=10), True, 0.0) is None


def test_pose_reprojects_the_corners_and_the_figure_rises_toward_the_camera() -> None:
    ref, frame = (600, 600), (640, 480)
    for tilt in (0.0, 20.0, 45.0):
        hm = pose_homography(Pose(16, 60, tilt, 30, 10, 0.5, 0.5), ref, frame)
        corners = np.array([hm @ [x, y, 1.0] for x, y in ((0, 0), (600, 0), (600, 600), (0, 600))])
        corners = corners[:, :2] / corners[:, 2:]
        pose = pose_from_corners(corners, ref, frame)
        assert pose is not None
        assert np.abs(pose.project(card_points(ref)) - corners).max() < 0.5
        geo = figure_geometry(1.2, 0.8, 1.0)
        top = geo.quad[:2].mean(0)
        assert pose.depth(top.reshape(1, 3))[0] < pose.depth(geo.foot.reshape(1, 3))[0], "it stands out of the card"
        lying = figure_geometry(1.2, 0.8, 0.0)
        assert np.allclose(lying.quad[:, 2], 0.0, atol=1e-9), "before rising it lies in the card's plane"


def test_a_mirrored_preview_puts_the_overlay_where_the_flipped_frame_shows_the_logo() -> None:
    import cv2

    from game.ui.ar_figure import View

    frame = np.zeros((480, 640), np.uint8)
    frame[100:110, 50:60] = 255  # a bright patch at raw x 50..59
    shown = cv2.flip(frame, 1)
    ys, xs = np.nonzero(shown)
    view = View((640, 480), (0, 0, 640, 480), mirror=True)
    mapped = view.to_screen(np.array([[54.5, 104.5]]))[0]
    assert abs(mapped[0] - xs.mean()) < 0.01 and abs(mapped[1] - ys.mean()) < 0.01
