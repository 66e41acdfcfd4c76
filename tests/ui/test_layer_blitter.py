"""LayerBlitter draws exactly what blitting the three whole layers back to front draws, for any camera."""

from __future__ import annotations

import numpy as np
import pygame
import pytest

from game.ui.scroll_art import LandmarkSpot, LayerBlitter, ScrollPalette, paint_scroll, prepare_layers

PALETTE = ScrollPalette(paper=(238, 226, 200), ink=(40, 38, 36), accent=(190, 30, 45),
                        mountain_tint=(70, 130, 120), water=(120, 160, 170))
VIEW, HEIGHT = 640, 360


@pytest.fixture(scope="module")
def screen() -> pygame.Surface:
    pygame.display.init()
    surface = pygame.display.set_mode((VIEW, HEIGHT))
    yield surface
    pygame.display.quit()


def reference(screen: pygame.Surface, layers: list[tuple[pygame.Surface, float]], cam: float) -> np.ndarray:
    screen.fill((0, 0, 0))
    for layer, f in layers:
        lx = min(max(cam * f, 0), max(layer.get_width() - VIEW, 0))
        screen.blit(layer, (0, 0), area=pygame.Rect(round(lx), 0, VIEW, layer.get_height()))
    return pygame.surfarray.array3d(screen)


@pytest.mark.parametrize("top", [0, 40])
def test_same_pixels_as_whole_layers(screen: pygame.Surface, top: int) -> None:
    spots = [LandmarkSpot(f"s{i}", x, k) for i, (x, k) in enumerate([(0.1, "tower"), (0.5, "bridge"), (0.9, "pine")])]
    art = paint_scroll(spots, PALETTE, height=HEIGHT, px_per_landmark=300, seed=4, view_width=VIEW)
    layers, blitter = prepare_layers(art), LayerBlitter(art, chunk=96)
    for cam in (0.0, 123.4, art.width / 2, art.width - VIEW, float(art.width)):
        want = reference(screen, layers, cam)
        screen.fill((0, 0, 0))
        blitter.draw(screen, cam, top=top)
        got = pygame.surfarray.array3d(screen)
        assert np.array_equal(got[:, top:], want[:, top:]), f"camera {cam}"
        assert not got[:, :top].any()  # rows above ``top`` are left alone
