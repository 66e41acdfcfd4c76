"""A dialog over the current screen: the screen dimmed by a veil, and a light panel on it."""

from __future__ import annotations

import pygame

from game.services import Palette
from game.ui.layout import LOGICAL_SIZE, Rect
from game.ui.widgets import draw_panel, lighten

_VEILS: dict[tuple[int, int, int, int], pygame.Surface] = {}  # one full-screen veil per colour, made once


def draw_dialog(surface: pygame.Surface, panel: Rect, palette: Palette, *, veil: tuple[int, int, int, int],
                border: tuple[int, int, int] | None = None, border_width: int = 4, radius: int = 32) -> None:
    shade = _VEILS.get(veil)
    if shade is None:
        shade = _VEILS[veil] = pygame.Surface(LOGICAL_SIZE, pygame.SRCALPHA)
        shade.fill(veil)
    surface.blit(shade, (0, 0))
    draw_panel(surface, panel, lighten(palette.paper, 0.25), radius=radius, border=border or palette.accent,
               border_width=border_width)


def dialog_panel(width: float, height: float, normal: Rect, margin: int = 40) -> Rect:
    """A dialog's panel grown to ``width`` × ``height`` (never smaller than its ``normal`` rect, never off
    the screen): centred across; its top stays where it normally is while the screen has room below,
    else it rises to centre."""
    sw, sh = LOGICAL_SIZE
    w = min(sw - 2 * margin, max(normal.w, width))
    h = min(sh - 2 * margin, max(normal.h, height))
    y = normal.y if normal.y + h <= sh - normal.y else (sh - h) / 2
    return Rect(round((sw - w) / 2), round(max(margin, y)), round(w), round(h))
