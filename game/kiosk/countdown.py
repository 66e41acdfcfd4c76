"""The idle prompt drawn over any scene: "Are you still there? / 还在吗？" with the seconds left."""

from __future__ import annotations

import math

import pygame

from game.services import Services
from game.ui.dialog import draw_dialog
from game.ui.layout import Rect
from game.ui.widgets import darken

PANEL = Rect(560, 300, 800, 480)


def draw_countdown(surface: pygame.Surface, s: Services, seconds_left: float) -> None:
    p = s.palette
    draw_dialog(surface, PANEL, p, veil=(20, 12, 8, 170))
    cx = round(PANEL.x + PANEL.w / 2)
    top = s.text.render(s.i18n.tables["zh"].get("kiosk.still_there", "还在吗？"), 64, p.ink, "bold")
    surface.blit(top, top.get_rect(midtop=(cx, round(PANEL.y) + 40)))
    sub = s.text.render(s.i18n.tables["en"].get("kiosk.still_there", "Are you still there?"), 40, p.ink, "sans")
    surface.blit(sub, sub.get_rect(midtop=(cx, round(PANEL.y) + 130)))
    n = max(1, math.ceil(seconds_left))
    ring_c = (cx, round(PANEL.y) + 290)
    pygame.draw.circle(surface, darken(p.paper, 0.15), ring_c, 74)
    frac = max(0.0, min(1.0, seconds_left - (n - 1)))
    if frac > 0:
        pygame.draw.arc(surface, p.primary, pygame.Rect(ring_c[0] - 74, ring_c[1] - 74, 148, 148),
                        math.pi / 2, math.pi / 2 + 2 * math.pi * frac, 10)
    digits = s.text.render(str(n), 84, p.primary, "serif")
    surface.blit(digits, digits.get_rect(center=ring_c))
    hint = s.t("kiosk.touch_to_stay")
    other = s.i18n.tables["en" if s.lang == "zh" else "zh"].get("kiosk.touch_to_stay", "")
    line = s.text.fit(f"{hint} · {other}", 30, round(PANEL.w) - 60, darken(p.muted, 0.35), "sans")
    surface.blit(line, line.get_rect(midtop=(cx, round(PANEL.y + PANEL.h) - 70)))
