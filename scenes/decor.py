"""Shared festive decoration drawn procedurally: gradients, auspicious clouds, lanterns."""

from __future__ import annotations

import math

import numpy as np
import pygame

RGB = tuple[int, int, int]


def vertical_gradient(size: tuple[int, int], top: RGB, bottom: RGB) -> pygame.Surface:
    w, h = size
    t = np.linspace(0.0, 1.0, h)[None, :, None]
    col = (np.array(top)[None, None, :] * (1 - t) + np.array(bottom)[None, None, :] * t).astype(np.uint8)
    surf = pygame.Surface(size)
    pygame.surfarray.blit_array(surf, np.repeat(col, w, axis=0))
    return surf


def radial_glow(size: tuple[int, int], centre: tuple[float, float], radius: float, colour: RGB, strength: float) -> np.ndarray:
    """An additive glow as a float RGB array (w, h, 3)."""
    w, h = size
    xs = np.arange(w)[:, None]
    ys = np.arange(h)[None, :]
    d = np.sqrt((xs - centre[0]) ** 2 + (ys - centre[1]) ** 2) / radius
    g = np.clip(1.0 - d, 0.0, 1.0) ** 2 * strength
    return g[:, :, None] * np.array(colour)[None, None, :]


def draw_cloud(surface: pygame.Surface, centre: tuple[float, float], scale: float, colour: tuple[int, ...], width: int = 3) -> None:
    """A 祥云 (auspicious cloud) motif: three spirals on a common base line."""
    cx, cy = centre
    for dx, r, turns in ((-1.0, 0.55, 1.6), (0.0, 0.8, 1.9), (1.05, 0.5, 1.5)):
        pts = []
        for i in range(60):
            t = i / 59 * turns * 2 * math.pi
            rr = r * scale * (1 - i / 75)
            pts.append((cx + dx * scale + rr * math.cos(t + math.pi), cy - r * scale * 0.2 + rr * math.sin(t + math.pi) * 0.8))
        pygame.draw.lines(surface, colour, False, pts, width)
    pygame.draw.line(surface, colour, (cx - 1.8 * scale, cy + 0.55 * scale), (cx + 1.9 * scale, cy + 0.55 * scale), width)


def draw_lantern(surface: pygame.Surface, top: tuple[float, float], size: float, swing: float, red: RGB, gold: RGB) -> None:
    """A hanging red lantern with gold caps and a tassel, swinging by ``swing`` radians."""
    x0, y0 = top
    string_len = size * 0.6
    ax = x0 + math.sin(swing) * string_len
    ay = y0 + math.cos(swing) * string_len
    pygame.draw.line(surface, gold, (x0, y0), (ax, ay), 3)
    body = pygame.Rect(0, 0, size * 1.2, size)
    body.midtop = (round(ax), round(ay + size * 0.12))
    pygame.draw.ellipse(surface, red, body)
    for k in (0.3, 0.5, 0.7):  # ribs
        rib = body.inflate(-body.width * (1 - k) * 1.1, 0)
        pygame.draw.ellipse(surface, tuple(max(0, c - 40) for c in red), rib, 2)
    cap = pygame.Rect(0, 0, size * 0.55, size * 0.14)
    cap.midbottom = body.midtop
    pygame.draw.rect(surface, gold, cap, border_radius=4)
    cap2 = cap.copy()
    cap2.midtop = body.midbottom
    pygame.draw.rect(surface, gold, cap2, border_radius=4)
    for i in range(-2, 3):
        tx = cap2.centerx + i * size * 0.05
        pygame.draw.line(surface, gold, (tx, cap2.bottom), (tx + math.sin(swing) * 6, cap2.bottom + size * 0.45), 2)


def draw_seal(surface: pygame.Surface, rect: pygame.Rect, colour: RGB, glyphs: pygame.Surface | None) -> None:
    """A square red seal (印章) with a double border and white carved text."""
    pygame.draw.rect(surface, colour, rect, border_radius=max(4, rect.width // 14))
    inner = rect.inflate(-rect.width * 0.14, -rect.height * 0.14)
    pygame.draw.rect(surface, (250, 238, 226), inner, max(2, rect.width // 28), border_radius=max(2, rect.width // 20))
    if glyphs is not None:
        surface.blit(glyphs, glyphs.get_rect(center=rect.center))
