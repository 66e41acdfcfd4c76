"""Clock, letterboxed layout and hit-testing, and pan physics (all pure)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from game.clock import MAX_DT, FixedStep, clamp_dt
from game.ui.layout import MIN_TOUCH, Layout, Rect
from game.ui.pan import Pan


def test_clamp_dt_limits_stalls_and_negative_time() -> None:
    assert clamp_dt(5.0) == MAX_DT
    assert clamp_dt(-1.0) == 0.0
    assert clamp_dt(0.016) == pytest.approx(0.016)


@given(st.lists(st.floats(min_value=0, max_value=0.05), min_size=1, max_size=200))
def test_fixed_step_conserves_time(dts: list[float]) -> None:
    fs = FixedStep(max_steps=1000)
    steps = sum(fs.advance(dt) for dt in dts)
    assert steps * fs.step + fs.alpha * fs.step == pytest.approx(sum(dts), abs=1e-9)


def test_fixed_step_caps_spiral_of_death() -> None:
    fs = FixedStep(max_steps=4)
    assert fs.advance(10.0) == 4
    assert fs.alpha <= 1.0


def test_layout_letterboxes_wide_and_tall_windows() -> None:
    wide = Layout((2560, 1080))
    assert wide.scale == pytest.approx(1.0)
    assert wide.viewport.x == pytest.approx(320)
    assert wide.to_logical(100, 500) is None  # on the left bar
    tall = Layout((1080, 1920))
    assert tall.scale == pytest.approx(1080 / 1920)
    assert tall.viewport.y == pytest.approx((1920 - 1080 * 1080 / 1920) / 2)


@given(st.integers(320, 4000), st.integers(240, 4000), st.floats(0, 1919), st.floats(0, 1079))
def test_layout_round_trips_logical_points(w: int, h: int, lx: float, ly: float) -> None:
    layout = Layout((w, h))
    wx, wy = layout.to_window(lx, ly)
    back = layout.to_logical(wx, wy)
    assert back is not None
    assert back[0] == pytest.approx(lx, abs=1e-6) and back[1] == pytest.approx(ly, abs=1e-6)


def test_normalised_touch_maps_through_letterbox() -> None:
    layout = Layout((1280, 1024))  # 5:4 kiosk panel: bars top and bottom
    centre = layout.normalised_to_logical(0.5, 0.5)
    assert centre == pytest.approx((960, 540))
    assert layout.normalised_to_logical(0.5, 0.01) is None


def test_small_targets_grow_to_touch_minimum() -> None:
    r = Rect(100, 100, 20, 20).inflated_to()
    assert r.w == MIN_TOUCH and r.h == MIN_TOUCH
    assert r.center == (110, 110)
    assert Rect(0, 0, 100, 60).inflated_to().w == 100


def test_layout_rejects_empty_window() -> None:
    with pytest.raises(ValueError, match="positive"):
        Layout((0, 100))


def test_pan_fling_decays_and_stays_in_bounds() -> None:
    pan = Pan(max_x=5000, x=2500)
    pan.begin_drag()
    for _ in range(5):
        pan.drag(-40, 1 / 60)  # finger moves left: camera moves right
    pan.end_drag()
    assert pan.velocity > 0
    x_release = pan.x
    for _ in range(600):
        pan.step(1 / 60)
    assert pan.x > x_release
    assert pan.velocity == 0.0
    assert 0 <= pan.x <= 5000


def test_pan_keys_and_target_clamp() -> None:
    pan = Pan(max_x=1000, x=990)
    pan.key_dir = 1
    pan.step(1.0)
    assert pan.x == 1000
    pan.key_dir = 0
    pan.go_to(-500)
    for _ in range(200):
        pan.step(1 / 60)
    assert pan.x == 0
