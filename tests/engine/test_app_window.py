"""The App in a window of any size, on SDL's dummy driver: the window is the size asked, shows the whole
1920×1080 canvas letterboxed, a click lands where it was drawn, and opening it uses no deprecated pygame
API (pygame-ce's ``Window.from_display_module`` warned; any DeprecationWarning fails these tests; the
module filter cannot name pygame, as a warning from its C code is attributed to the line calling it)."""

from __future__ import annotations

from pathlib import Path

import pygame
import pytest

from game.actions import Action, Kind
from game.app import App, RunOptions
from game.scene import Scene
from game.ui.layout import LOGICAL_SIZE, Layout

pytestmark = pytest.mark.filterwarnings("error::DeprecationWarning")

LEFT, RIGHT, MARK = (200, 40, 40), (40, 60, 200), (250, 250, 250)


class Quadrants(Scene):
    """Left half red, right half blue, a white square at the canvas centre; records the pointer."""

    name = "quadrants"

    def __init__(self) -> None:
        super().__init__()
        self.pointer: list[tuple[float, float]] = []

    def handle(self, action: Action) -> bool:
        if action.kind is Kind.POINTER_DOWN and action.pos is not None:
            self.pointer.append(action.pos)
        return True

    def draw(self, surface: pygame.Surface) -> None:
        w, h = LOGICAL_SIZE
        surface.fill(LEFT, (0, 0, w // 2, h))
        surface.fill(RIGHT, (w // 2, 0, w - w // 2, h))
        surface.fill(MARK, (w // 2 - 60, h // 2 - 60, 120, 120))


def _close(colour: pygame.Color, want: tuple[int, int, int], tol: int = 8) -> bool:
    return all(abs(a - b) <= tol for a, b in zip(tuple(colour)[:3], want, strict=True))


@pytest.mark.parametrize("window", [(1280, 720), (1024, 768), (1600, 900), (2560, 1440)])
def test_a_window_of_any_size_shows_the_whole_canvas_and_maps_clicks(tmp_path: Path, window: tuple[int, int]) -> None:
    scene = Quadrants()
    seen: dict[str, object] = {}
    layout = Layout(window)

    def on_frame(_dt: float) -> None:
        if app.frame == 1:  # a click on the white square, in window pixels, as SDL delivers it
            x, y = layout.to_window(LOGICAL_SIZE[0] / 2, LOGICAL_SIZE[1] / 2)
            pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(round(x), round(y)), button=1,
                                                 touch=False))
        if app.frame == 3:
            seen["size"] = pygame.display.get_window_size()
            seen["shown"] = pygame.display.get_surface().copy()

    pygame.init()
    try:
        shot = tmp_path / "canvas.png"
        app = App(RunOptions(window=window, frames=5, screenshot=shot), lambda: [scene], on_frame=on_frame)
        assert app.run() == 0
        canvas_size = pygame.image.load(str(shot)).get_size()
    finally:
        pygame.quit()

    assert seen["size"] == window
    assert canvas_size == LOGICAL_SIZE  # screenshots stay the logical canvas, whatever the window
    shown = seen["shown"]
    assert isinstance(shown, pygame.Surface) and shown.get_size() == window
    vp = layout.viewport
    for (lx, ly), want in (((480, 270), LEFT), ((1440, 810), RIGHT), ((960, 540), MARK),
                           ((40, 1040), LEFT), ((1880, 40), RIGHT)):
        wx, wy = layout.to_window(lx, ly)
        assert _close(shown.get_at((int(wx), int(wy))), want), f"{window}: logical {(lx, ly)} shows wrong"
    if vp.x >= 2:  # pillarbox bars stay black
        assert _close(shown.get_at((int(vp.x) // 2, window[1] // 2)), (0, 0, 0))
    if vp.y >= 2:  # letterbox bars stay black
        assert _close(shown.get_at((window[0] // 2, int(vp.y) // 2)), (0, 0, 0))
    assert len(scene.pointer) == 1
    assert scene.pointer[0] == pytest.approx((960, 540), abs=2)


def test_a_window_of_the_canvas_size_is_scaled_by_sdl(tmp_path: Path) -> None:
    scene = Quadrants()
    pygame.init()
    try:
        app = App(RunOptions(window=LOGICAL_SIZE, frames=2), lambda: [scene])
        assert app.run() == 0
        assert pygame.display.get_window_size() == LOGICAL_SIZE
        assert pygame.display.get_surface().get_size() == LOGICAL_SIZE
    finally:
        pygame.quit()
