"""The window: scenes draw on a 1920×1080 logical canvas, shown letterboxed in a window of any size.

Only the display module is used (pygame-ce's ``Window.from_display_module`` is deprecated: a program uses
either the display module or the ``Window`` class, not both). Fullscreen, and a window of the canvas's own
size, use the SCALED mode: SDL scales the canvas (linear filter) and maps the mouse to it. A window of
another size (a laptop's 1280×720) is a resizable window of that size; the canvas is smooth-scaled into
it each frame (about 3 ms of CPU for 1280×720) and the input mapper maps the mouse through ``Layout``.
"""

from __future__ import annotations

import pygame

from game.ui.layout import LOGICAL_SIZE, Layout


class AppWindow:
    """Opens the display. ``canvas`` is what scenes draw on; ``present`` shows it."""

    def __init__(self, window: tuple[int, int] | None, title: str) -> None:
        pygame.display.set_caption(title)
        pygame.display.set_allow_screensaver(False)  # SDL_HINT_VIDEO_ALLOW_SCREENSAVER off: a kiosk never blanks
        self.mouse_is_logical = window is None or tuple(window) == LOGICAL_SIZE  # SDL maps the mouse (SCALED)
        if self.mouse_is_logical:
            flags = pygame.SCALED | (pygame.FULLSCREEN if window is None else 0)
            self.canvas = pygame.display.set_mode(LOGICAL_SIZE, flags, vsync=0)
        else:
            pygame.display.set_mode(window, pygame.RESIZABLE, vsync=0)
            self.canvas = pygame.Surface(LOGICAL_SIZE).convert()

    def present(self) -> None:
        """Show the canvas: letterboxed and smooth-scaled into the window when SDL does not scale it."""
        if not self.mouse_is_logical:
            shown = pygame.display.get_surface()
            if min(shown.get_size()) <= 0:  # nothing to show into (a window shrunk to nothing)
                return
            vp = Layout(shown.get_size()).viewport
            w, h = shown.get_size()
            box = pygame.Rect(round(vp.x), round(vp.y), round(vp.w), round(vp.h)).clip(shown.get_rect())
            for bar in ((0, 0, w, box.y), (0, box.bottom, w, h - box.bottom), (0, box.y, box.x, box.h),
                        (box.right, box.y, w - box.right, box.h)):  # the letterbox bars, black
                shown.fill((0, 0, 0), bar)
            if box.width > 0 and box.height > 0:
                pygame.transform.smoothscale(self.canvas, box.size, shown.subsurface(box))
        pygame.display.flip()
