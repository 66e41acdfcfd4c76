"""Drawing the collectible standing on the tracked card, in the camera's perspective (pygame side).

The pose comes from ``game.scan.pose``; this module maps camera pixels to the screen (with the
preview's mirror), warps the figure's art onto its projected billboard, and draws the contact
shadow, the gold lock-on outline and sparkles. Everything is projected, so the figure leans and
foreshortens with the card.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import pygame

from game.scan.pose import CardPose, FigureGeometry

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class View:
    """Camera frame (raw pixels) -> screen: scale and offset, mirrored like the preview when asked."""

    frame_size: tuple[int, int]
    rect: tuple[int, int, int, int]  # x, y, w, h on the screen
    mirror: bool = False

    def to_screen(self, pts: np.ndarray) -> np.ndarray:
        fw, fh = self.frame_size
        x, y, w, h = self.rect
        p = np.asarray(pts, np.float64).reshape(-1, 2).copy()
        if self.mirror:
            p[:, 0] = fw - 1 - p[:, 0]
        p[:, 0] = x + (p[:, 0] + 0.5) * w / fw - 0.5
        p[:, 1] = y + (p[:, 1] + 0.5) * h / fh - 0.5
        return p


def sprite_array(surface: pygame.Surface) -> np.ndarray:
    """An alpha surface as an H×W×4 uint8 array of B,G,R,A bytes (made once per figure).

    B,G,R,A is how a 32-bit screen lays out its pixels, so the warped figure blits through SDL's
    fast same-format alpha path instead of converting every pixel on every frame."""
    raw = np.frombuffer(pygame.image.tobytes(surface, "BGRA"), np.uint8)
    return raw.reshape(surface.get_height(), surface.get_width(), 4).copy()


def warp_sprite(sprite: np.ndarray, quad: np.ndarray, clip: pygame.Rect) -> tuple[pygame.Surface, tuple[int, int]] | None:
    """Warp a B,G,R,A sprite onto a screen quad (TL, TR, BR, BL); the surface and where to blit it."""
    x0, y0 = np.floor(quad.min(0)).astype(int)
    x1, y1 = np.ceil(quad.max(0)).astype(int)
    box = pygame.Rect(x0, y0, x1 - x0 + 1, y1 - y0 + 1).clip(clip)
    if box.w < 2 or box.h < 2 or box.w * box.h > 4_000_000:
        return None
    h, w = sprite.shape[:2]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = (quad - np.array([box.x, box.y])).astype(np.float32)
    hm = cv2.getPerspectiveTransform(src, dst)
    out = cv2.warpPerspective(sprite, hm, (box.w, box.h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                              borderValue=(0, 0, 0, 0))
    return pygame.image.frombuffer(out, (box.w, box.h), "BGRA"), (box.x, box.y)


def draw_outline(surface: pygame.Surface, corners: np.ndarray, colour: RGB, alpha: float, lock: float) -> None:
    """Gold corner brackets that close in on the logo as it locks (``lock`` 0 -> 1)."""
    if alpha <= 0.01:
        return
    c = corners.mean(0)
    spread = 1.0 + 0.25 * (1.0 - lock)
    q = c + (corners - c) * spread
    x0, y0 = np.floor(q.min(0)).astype(int) - 8
    x1, y1 = np.ceil(q.max(0)).astype(int) + 8
    if x1 - x0 > 4000 or y1 - y0 > 4000:
        return
    q = q - np.array([x0, y0])
    layer = pygame.Surface((x1 - x0, y1 - y0), pygame.SRCALPHA)  # only the outline's box, not the screen
    col = (*colour, round(230 * alpha))
    for i in range(4):
        a, prev, nxt = q[i], q[i - 1], q[(i + 1) % 4]
        for other in (prev, nxt):
            end = a + (other - a) * 0.22
            pygame.draw.line(layer, col, a, end, 7)
        pygame.draw.circle(layer, col, a, 6)
    if lock >= 1.0:
        pygame.draw.polygon(layer, (*colour, round(120 * alpha)), q.tolist(), 2)
    surface.blit(layer, (x0, y0))


def draw_shadow(surface: pygame.Surface, ring: np.ndarray, alpha: float) -> None:
    """A soft contact shadow: the projected ring filled in three shrinking, darkening layers."""
    if alpha <= 0.01 or len(ring) < 3:
        return
    x0, y0 = np.floor(ring.min(0)).astype(int) - 2
    x1, y1 = np.ceil(ring.max(0)).astype(int) + 2
    if x1 - x0 > 3000 or y1 - y0 > 3000:
        return
    layer = pygame.Surface((x1 - x0, y1 - y0), pygame.SRCALPHA)
    c = ring.mean(0)
    for k, a in ((1.0, 40), (0.75, 45), (0.5, 55)):
        pts = (c + (ring - c) * k - np.array([x0, y0])).tolist()
        pygame.draw.polygon(layer, (20, 10, 10, round(a * alpha)), pts)
    surface.blit(layer, (x0, y0))


_SPARKLES: dict[tuple[float, RGB], pygame.Surface] = {}


def sparkle_sprite(r: float, colour: RGB) -> pygame.Surface:
    """A four-pointed star of radius ``r`` (to the half pixel), drawn once and reused."""
    key = (round(r * 2) / 2, colour)
    sprite = _SPARKLES.get(key)
    if sprite is None:
        if len(_SPARKLES) > 512:
            _SPARKLES.clear()
        r = key[0]
        size = int(r * 2 + 4)
        sprite = pygame.Surface((size, size), pygame.SRCALPHA)
        c = size / 2
        pts = []
        for i in range(8):
            a = i * math.pi / 4
            rr = r if i % 2 == 0 else r * 0.25
            pts.append((c + rr * math.cos(a), c + rr * math.sin(a)))
        pygame.draw.polygon(sprite, (*colour, 255), pts)
        _SPARKLES[key] = sprite
    return sprite


def draw_sparkle(surface: pygame.Surface, centre: np.ndarray, r: float, colour: RGB, alpha: float) -> None:
    if r < 1 or alpha <= 0.02:
        return
    sprite = sparkle_sprite(r, colour)
    sprite.set_alpha(round(255 * alpha))
    c = sprite.get_width() / 2
    surface.blit(sprite, (centre[0] - c, centre[1] - c))


class FigureRenderer:
    """Draws one collectible standing on the card for a pose, fade and idle time."""

    def __init__(self, art: pygame.Surface, gold: RGB) -> None:
        self.art = art
        self.sprite = sprite_array(art)
        self.aspect = art.get_width() / art.get_height()
        self.gold = gold

    def sprite_surface(self) -> pygame.Surface:
        return self.art

    def screen_quad(self, pose: CardPose, geo: FigureGeometry, view: View) -> np.ndarray:
        quad = view.to_screen(pose.project(geo.quad))
        if view.mirror:  # keep the art the right way round in a mirrored preview
            quad = quad[[1, 0, 3, 2]]
        return quad

    def draw(self, surface: pygame.Surface, pose: CardPose, geo: FigureGeometry, view: View, alpha: float,
             t: float, clip: pygame.Rect) -> pygame.Rect | None:
        """Shadow, sparkles behind, the figure, sparkles in front. Returns the figure's screen box."""
        if alpha <= 0.01:
            return None
        draw_shadow(surface, view.to_screen(pose.project(geo.shadow)), alpha)
        quad = self.screen_quad(pose, geo, view)
        height = float(np.linalg.norm(geo.quad[0] - geo.quad[3]))
        sparks = []
        for i in range(6):
            a = t * 1.3 + i * math.tau / 6
            rad = height * 0.62
            p = geo.foot + geo.up * height * (0.25 + 0.12 * i) + np.array([math.cos(a) * rad, 0.0, math.sin(a) * rad * 0.6])
            sparks.append(p)
        sparks_arr = np.array(sparks)
        depth = pose.depth(sparks_arr)
        centre_depth = float(pose.depth(geo.foot.reshape(1, 3))[0])
        pts = view.to_screen(pose.project(sparks_arr))
        scale = float(np.linalg.norm(quad[0] - quad[3])) / max(1e-6, height)
        behind = depth > centre_depth
        for i in np.flatnonzero(behind):
            draw_sparkle(surface, pts[i], 0.07 * scale * (0.7 + 0.3 * math.sin(t * 5 + i)), self.gold, alpha * 0.8)
        warped = warp_sprite(self.sprite, quad, clip)
        box = None
        if warped is not None:
            img, at = warped
            if alpha < 1.0:
                img.set_alpha(round(255 * alpha))
            surface.blit(img, at)
            box = pygame.Rect(at, img.get_size())
        for i in np.flatnonzero(~behind):
            draw_sparkle(surface, pts[i], 0.09 * scale * (0.7 + 0.3 * math.sin(t * 5 + i)), (255, 244, 200), alpha)
        return box
