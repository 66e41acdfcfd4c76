"""Procedural handscroll painting: geometry, anchors, determinism, content, icons."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import numpy as np
import pygame
import pytest

from game.ui.scroll_art import (
    ICON_KINDS,
    LandmarkSpot,
    ScrollArt,
    ScrollPalette,
    draw_landmark_icon,
    layer_width,
    paint_scroll,
)

PALETTE = ScrollPalette(paper=(238, 226, 200), ink=(40, 38, 36), accent=(190, 30, 45),
                        mountain_tint=(70, 130, 120), water=(120, 160, 170))
KINDS = ("tower", "stilt_house", "bridge", "gate_dock", "temple", "hall")
HEIGHT, PX, VIEW = 360, 160, 640


def _spots(n: int = 6) -> list[LandmarkSpot]:
    # deliberately out of order: anchors must still come out sorted by x
    return [LandmarkSpot(f"s{i}", x, KINDS[i % len(KINDS)])
            for i, x in enumerate(np.linspace(1.0, 0.0, n).tolist())]


def _paint(seed: int = 3, n: int = 6) -> ScrollArt:
    return paint_scroll(_spots(n), PALETTE, height=HEIGHT, px_per_landmark=PX, seed=seed, title="云游",
                        seal_text="玉兔", view_width=VIEW)


@pytest.fixture(scope="module")
def art() -> ScrollArt:
    return _paint()


def _rgb(surf: pygame.Surface) -> np.ndarray:
    return pygame.surfarray.array3d(surf)


def test_sizes_and_layers(art: ScrollArt) -> None:
    assert art.height == HEIGHT
    assert art.width >= 6 * PX and art.width >= 2 * VIEW
    factors = [f for _, f in art.layers]
    assert factors == sorted(factors) and factors[0] < 1.0 < factors[-1] and 1.0 in factors
    for surf, f in art.layers:
        assert surf.get_width() == layer_width(art.width, VIEW, f)
        assert surf.get_height() <= HEIGHT
    far, main = art.layers[0][0], art.layers[1][0]
    assert not far.get_flags() & pygame.SRCALPHA and far.get_colorkey() is None  # opaque back layer
    assert not main.get_flags() & pygame.SRCALPHA  # main is opaque with a colour key
    assert art.layers[-1][0].get_flags() & pygame.SRCALPHA


def test_width_grows_with_landmarks() -> None:
    many = paint_scroll(_spots(12), PALETTE, height=HEIGHT, px_per_landmark=PX, view_width=VIEW)
    assert many.width >= 12 * PX
    assert many.width - _paint().width == 6 * PX or _paint().width - 6 * PX < 2 * VIEW


def test_anchors_within_bounds_and_ordered(art: ScrollArt) -> None:
    assert set(art.anchors) == {f"s{i}" for i in range(6)}
    pts = list(art.anchors.values())
    xs = [p[0] for p in pts]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)
    for x, y in pts:
        assert 0 < x < art.width and HEIGHT * 0.3 < y < HEIGHT * 0.95
    # the spot at x=0 is the leftmost anchor
    assert art.anchors["s5"][0] == min(xs) and art.anchors["s0"][0] == max(xs)


def test_anchor_ground_is_opaque_on_main_layer(art: ScrollArt) -> None:
    main = art.layers[1][0]
    key = main.get_colorkey()
    for x, y in art.anchors.values():
        assert main.get_at((x, y))[:3] != key[:3]


def test_deterministic_per_seed() -> None:
    a, b, c = _paint(7), _paint(7), _paint(8)
    for (sa, _), (sb, _) in zip(a.layers, b.layers, strict=True):
        assert pygame.image.tobytes(sa, "RGBA") == pygame.image.tobytes(sb, "RGBA")
    assert a.anchors == b.anchors
    assert pygame.image.tobytes(a.layers[1][0], "RGB") != pygame.image.tobytes(c.layers[1][0], "RGB")


def test_non_trivial_content(art: ScrollArt) -> None:
    for (surf, _), min_std in zip(art.layers[:2], (4.0, 12.0), strict=True):  # the far layer is pale
        px = _rgb(surf).reshape(-1, 3)
        assert px.std(axis=0).mean() > min_std
        assert len(np.unique(px[::7], axis=0)) > 500
    near = pygame.surfarray.array_alpha(art.layers[-1][0])
    assert 0.0 < (near > 0).mean() < 0.5  # mostly transparent, but not empty


def test_main_layer_has_sky_holes_and_solid_ground(art: ScrollArt) -> None:
    main = art.layers[1][0]
    rgb = _rgb(main)
    key = np.array(main.get_colorkey()[:3])
    hole = (rgb == key).all(axis=2)
    assert 0.02 < hole.mean() < 0.6
    assert not hole[:, int(HEIGHT * 0.9)].any()


def test_empty_and_odd_inputs() -> None:
    art = paint_scroll([], PALETTE, height=HEIGHT, px_per_landmark=PX, view_width=VIEW)
    assert art.anchors == {} and art.width >= 2 * VIEW
    odd = paint_scroll([LandmarkSpot("a", -0.5, "nope"), LandmarkSpot("b", 1.5, "")], PALETTE, height=HEIGHT,
                       px_per_landmark=PX, view_width=VIEW, font_path="/no/such/font.otf", title="x")
    assert list(odd.anchors) == ["a", "b"]


def test_every_icon_kind_renders() -> None:
    assert {"pagoda", "tower", "stilt_house", "bridge", "cableway", "gate_dock", "temple", "hall", "old_town",
            "rail", "mountain", "garden", "stone_carving", "gorge", "street", "museum"} <= set(ICON_KINDS)
    for kind in ICON_KINDS:
        icon = draw_landmark_icon(kind, 96, PALETTE)
        assert icon.get_size() == (96, 96) and icon.get_flags() & pygame.SRCALPHA
        alpha = pygame.surfarray.array_alpha(icon)
        assert (alpha > 128).mean() > 0.04, kind
        assert alpha[:, int(96 * 0.88):].max() > 0, kind  # stands on the ground line at the bottom


def test_unknown_icon_falls_back_to_pavilion() -> None:
    unknown = draw_landmark_icon("definitely-not-a-kind", 64, PALETTE)
    pavilion = draw_landmark_icon("pavilion", 64, PALETTE)
    assert pygame.image.tobytes(unknown, "RGBA") != b"\0" * (64 * 64 * 4)
    assert pygame.surfarray.array_alpha(unknown).sum() > 0
    assert unknown.get_size() == pavilion.get_size()


def test_icon_tops_are_above_their_anchors(art: ScrollArt) -> None:
    """Pins stand on the drawn icon's top, so each top lies above the ground anchor, within the painting."""
    assert set(art.tops) == set(art.anchors)
    for ident, (_x, ground) in art.anchors.items():
        assert 0 <= art.tops[ident] < ground
