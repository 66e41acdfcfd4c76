"""The painted scroll on disk: a stored painting comes back pixel for pixel, and any input change repaints."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pygame

from game.ui import scroll_cache
from game.ui.scroll_art import LandmarkSpot, ScrollArt, ScrollPalette, paint_scroll

PALETTE = ScrollPalette(paper=(238, 226, 200), ink=(40, 38, 36), accent=(190, 30, 45),
                        mountain_tint=(70, 130, 120), water=(120, 160, 170))
SPOTS = [LandmarkSpot("a", 0.2, "tower"), LandmarkSpot("b", 0.7, "bridge")]
OPTIONS: dict[str, object] = {"height": 240, "px_per_landmark": 120, "seed": 5, "view_width": 400}


def _paint_counted(calls: list[int], options: dict[str, object] = OPTIONS) -> ScrollArt:
    calls.append(1)
    return paint_scroll(SPOTS, PALETTE, **options)  # type: ignore[arg-type]


def test_second_call_loads_the_same_pixels_without_painting(tmp_path: Path) -> None:
    calls: list[int] = []
    first = scroll_cache.cached(tmp_path, SPOTS, PALETTE, lambda: _paint_counted(calls), OPTIONS)
    second = scroll_cache.cached(tmp_path, SPOTS, PALETTE, lambda: _paint_counted(calls), OPTIONS)
    assert len(calls) == 1
    assert (second.width, second.height, second.anchors, second.tops) == (first.width, first.height, first.anchors,
                                                                         first.tops)
    assert set(first.tops) == {"a", "b"}
    for (a, fa), (b, fb) in zip(first.layers, second.layers, strict=True):
        assert fa == fb and a.get_size() == b.get_size()
        assert (a.get_colorkey() is None) == (b.get_colorkey() is None)
        assert np.array_equal(pygame.surfarray.array3d(a), pygame.surfarray.array3d(b))
        if a.get_flags() & pygame.SRCALPHA:
            assert np.array_equal(pygame.surfarray.array_alpha(a), pygame.surfarray.array_alpha(b))


def test_changed_inputs_repaint_and_only_one_entry_is_kept(tmp_path: Path) -> None:
    calls: list[int] = []
    scroll_cache.cached(tmp_path, SPOTS, PALETTE, lambda: _paint_counted(calls), OPTIONS)
    other = {**OPTIONS, "seed": 6}
    scroll_cache.cached(tmp_path, SPOTS, PALETTE, lambda: _paint_counted(calls, other), other)
    assert len(calls) == 2
    assert len(list(tmp_path.glob("scroll-*"))) == 1


def test_an_unreadable_entry_is_repainted(tmp_path: Path) -> None:
    calls: list[int] = []
    scroll_cache.cached(tmp_path, SPOTS, PALETTE, lambda: _paint_counted(calls), OPTIONS)
    (entry,) = tmp_path.glob("scroll-*")
    (entry / "layer1.tga").write_bytes(b"not an image")
    art = scroll_cache.cached(tmp_path, SPOTS, PALETTE, lambda: _paint_counted(calls), OPTIONS)
    assert len(calls) == 2 and art.width > 0
    assert pygame.image.load(str(entry / "layer1.tga")).get_size()[0] > 0  # rewritten whole


def test_no_cache_dir_just_paints(tmp_path: Path) -> None:
    calls: list[int] = []
    scroll_cache.cached(None, SPOTS, PALETTE, lambda: _paint_counted(calls), OPTIONS)
    assert len(calls) == 1 and not list(tmp_path.iterdir())
