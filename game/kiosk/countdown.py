"""The idle prompt drawn over any scene: "Are you still there? / 还在吗？" with the seconds left."""

from __future__ import annotations

import math

import pygame

from game.services import Services
from game.ui.dialog import dialog_panel, draw_dialog
from game.ui.fit import Placements, block, draw_block, union
from game.ui.layout import Rect
from game.ui.widgets import darken

PANEL = Rect(560, 300, 800, 480)  # at the normal text size; it grows with the text scale


def draw_countdown(surface: pygame.Surface, s: Services, seconds_left: float,
                   placed: Placements | None = None) -> Rect:
    """Both languages' question, a ring with the seconds left and the hint, stacked by their heights in a
    panel that grows with the text scale. Returns the panel; ``placed`` records where the texts went."""
    p = s.palette
    k = max(1.0, s.text.scale.factor)
    width = min(1760, round(PANEL.w * k ** 0.5))
    inner = width - 60
    hint = s.t("kiosk.touch_to_stay")
    other = s.i18n.tables["en" if s.lang == "zh" else "zh"].get("kiosk.touch_to_stay", "")
    for shrink in (1.0, 0.9, 0.8, 0.7, 0.6):
        top = block(s.text, s.i18n.tables["zh"].get("kiosk.still_there", "还在吗？"), round(64 * shrink), inner,
                    "bold", min_size=36, max_lines=1)
        sub = block(s.text, s.i18n.tables["en"].get("kiosk.still_there", "Are you still there?"), round(40 * shrink),
                    inner, "sans", min_size=26, max_lines=2)
        joined = f"{hint} · {other}"  # on one line when it fits, else each language on its own
        if s.text.size(joined, round(30 * shrink), "sans")[0] > inner:
            joined = f"{hint}\n{other}"
        line = block(s.text, joined, round(30 * shrink), inner, "sans", min_size=20)
        ring = round(74 * k * shrink)
        sub_y = max(130, 40 + top.height + round(16 * k))
        ring_y = max(216, sub_y + sub.height + round(24 * k))  # the ring's top
        line_y = max(410, ring_y + 2 * ring + round(24 * k))
        height = max(round(PANEL.h), line_y + line.height + round(30 * k))
        if height <= 1000:
            break
    panel = dialog_panel(width, height, PANEL)
    draw_dialog(surface, panel, p, veil=(20, 12, 8, 170))
    x, y = round(panel.x), round(panel.y)
    cx = round(panel.x + panel.w / 2)
    box = pygame.Rect(panel.as_tuple())
    rects = {
        "question:zh": draw_block(surface, s.text, top, p.ink, x + 30, y + 40, inner, "center"),
        "question:en": draw_block(surface, s.text, sub, p.ink, x + 30, y + sub_y, inner, "center"),
    }
    n = max(1, math.ceil(seconds_left))
    ring_c = (cx, y + ring_y + ring)
    pygame.draw.circle(surface, darken(p.paper, 0.15), ring_c, ring)
    frac = max(0.0, min(1.0, seconds_left - (n - 1)))
    if frac > 0:
        pygame.draw.arc(surface, p.primary, pygame.Rect(ring_c[0] - ring, ring_c[1] - ring, 2 * ring, 2 * ring),
                        math.pi / 2, math.pi / 2 + 2 * math.pi * frac, max(10, round(10 * k)))
    digits = s.text.fit(str(n), round(84 * ring / 74 / k), round(ring * 1.6), p.primary, "serif", 24)
    at = digits.get_rect(center=ring_c)
    surface.blit(digits, at)
    rects["seconds"] = [digits.get_bounding_rect().move(at.topleft)]
    rects["hint"] = draw_block(surface, s.text, line, darken(p.muted, 0.35), x + 30, y + line_y, inner, "center")
    if placed is not None:
        placed.clear()
        ring_box = pygame.Rect(ring_c[0] - ring, ring_c[1] - ring, 2 * ring, 2 * ring)
        for role, lines in rects.items():
            placed.add(role, "", union(lines), ring_box if role == "seconds" else box)
    return panel
