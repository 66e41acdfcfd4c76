"""Drawn above every scene: notices (toasts) and the QA debug overlay."""

from __future__ import annotations

import pygame

from game.debug_overlay import DebugOverlay
from game.scene import SceneStack
from game.services import Services
from game.ui.layout import LOGICAL_SIZE


def draw_overlay(surface: pygame.Surface, services: Services, stack: SceneStack, stats: dict[str, float],
                 debug: DebugOverlay | None = None) -> None:
    p = services.palette
    y = LOGICAL_SIZE[1] - 150
    for text, seconds in reversed(services.notices.items):
        glyphs = services.text.render(text, 28, (255, 250, 240), "bold")
        box = glyphs.get_rect(midbottom=(LOGICAL_SIZE[0] // 2, y)).inflate(48, 24)
        toast = pygame.Surface(box.size, pygame.SRCALPHA)
        alpha = round(230 * min(1.0, seconds / 0.5))
        pygame.draw.rect(toast, (*p.ink, alpha), toast.get_rect(), border_radius=box.height // 2)
        pygame.draw.rect(toast, (*p.accent, alpha), toast.get_rect(), 2, border_radius=box.height // 2)
        surface.blit(toast, box.topleft)
        surface.blit(glyphs, glyphs.get_rect(center=box.center))
        y = box.top - 12
    if debug is not None:
        debug.sample(stats)
        if services.debug:
            debug.draw(surface, services, stack, stats)
