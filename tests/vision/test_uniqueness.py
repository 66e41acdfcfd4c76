"""A detection is a pose the frame fixes: a view that leaves it open is refused, never reported wrong."""

from __future__ import annotations

import pytest

from tests.vision.conftest import assert_refused_or_right


@pytest.mark.parametrize(("path", "stream", "index"), [
    # A thumb over one end of a small, motion-blurred, steeply tilted wordmark: the print's plain
    # margins let the fit shrink along the blur.
    ("bench/data/kite-wordmark.png", (7, 3), 75),
    # A thumb over a nearly symmetric lantern: the view verified half a turn off once the thumb
    # was left out.
    ("bench/data/lantern.png", (7, 1), 30),
])
def test_a_view_is_refused_or_found_within_5_px(path: str, stream: tuple[int, int], index: int) -> None:
    assert_refused_or_right(path, stream, index)
