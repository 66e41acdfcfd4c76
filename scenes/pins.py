"""Landmark pins and name tags for the scroll, pre-rendered per state and language."""

from __future__ import annotations

import pygame

from game.rules.progress import PinState
from game.ui.text import TextRenderer
from game.ui.widgets import darken, lighten

RGB = tuple[int, int, int]
PIN_SIZE = (64, 84)


def make_pin(state: PinState, primary: RGB, accent: RGB, ink: RGB) -> pygame.Surface:
    """A teardrop map pin: red = available, gold with a tick = checked in, grey with a lock = locked."""
    w, h = PIN_SIZE
    surf = pygame.Surface((w, h), pygame.SRCALPHA)
    body = {PinState.AVAILABLE: primary, PinState.CHECKED_IN: accent, PinState.LOCKED: (150, 144, 136)}[state]
    cx, r = w // 2, w // 2 - 4
    pygame.draw.ellipse(surf, (0, 0, 0, 60), (cx - 16, h - 12, 32, 10))
    pygame.draw.polygon(surf, darken(body, 0.25), [(cx - r * 0.72, r + 14), (cx + r * 0.72, r + 14), (cx, h - 8)])
    pygame.draw.circle(surf, darken(body, 0.25), (cx, r + 4), r)
    pygame.draw.polygon(surf, body, [(cx - r * 0.62, r + 12), (cx + r * 0.62, r + 12), (cx, h - 12)])
    pygame.draw.circle(surf, body, (cx, r + 2), r - 3)
    pygame.draw.circle(surf, lighten(body, 0.75), (cx, r + 2), r - 14)
    if state is PinState.CHECKED_IN:
        pygame.draw.lines(surf, darken(primary, 0.1), False, [(cx - 9, r + 2), (cx - 2, r + 10), (cx + 11, r - 7)], 5)
    elif state is PinState.LOCKED:
        pygame.draw.rect(surf, ink, (cx - 8, r - 1, 16, 13), border_radius=3)
        pygame.draw.arc(surf, ink, (cx - 6, r - 11, 12, 16), 0, 3.1416, 3)
    else:
        pygame.draw.circle(surf, primary, (cx, r + 2), 7)
    return surf


def make_tag(text: TextRenderer, label: str, paper: RGB, ink: RGB, border: RGB) -> pygame.Surface:
    """A small paper label under a pin, sized to its text."""
    glyphs = text.render(label, 26, ink, "bold")
    w, h = glyphs.get_width() + 28, glyphs.get_height() + 10
    surf = pygame.Surface((w, h), pygame.SRCALPHA)
    pygame.draw.rect(surf, (*paper, 235), surf.get_rect(), border_radius=10)
    pygame.draw.rect(surf, border, surf.get_rect(), 2, border_radius=10)
    surf.blit(glyphs, glyphs.get_rect(center=(w // 2, h // 2)))
    return surf
