"""Drawn above every scene: notices (toasts) and the QA debug overlay."""

from __future__ import annotations

import pygame

from game.scene import SceneStack
from game.services import Services
from game.ui.layout import LOGICAL_SIZE


def draw_overlay(surface: pygame.Surface, services: Services, stack: SceneStack, stats: dict[str, float]) -> None:
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
    if services.debug:
        lines = [
            f"fps {stats.get('fps', 0):.0f}  frame {stats.get('frame_ms', 0):.1f} ms",
            "stack: " + " > ".join(s.name for s in stack.scenes),
            f"player {services.session.player_id}  rev {services.session.revision}",
            f"now {services.session.now().isoformat(timespec='seconds')}",
            f"text cache {services.text.hits}/{services.text.misses}  images {len(services.images)}",
        ]
        panel = pygame.Surface((760, 28 * len(lines) + 20), pygame.SRCALPHA)
        panel.fill((0, 0, 0, 170))
        for i, line in enumerate(lines):
            panel.blit(services.text.render(line, 20, (120, 255, 160), "sans"), (12, 10 + 28 * i))
        surface.blit(panel, (12, LOGICAL_SIZE[1] - panel.get_height() - 12))
