"""Ink-and-colour landmark icons (界画 style) drawn with numpy/OpenCV, no display needed.

Each kind is a small function drawing into a unit box (x 0..1 left to right, y 0..1 top to
bottom, the ground at y≈0.96). Unknown kinds fall back to a generic pavilion.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence

import cv2
import numpy as np
import pygame

from game.ui.ink import SS, ScrollPalette, mix, value_noise

Pt = tuple[float, float]
SUPERSAMPLE = 1.6  # icons are drawn this much larger, then area-downsampled (anti-aliasing)


class Pen:
    """Premultiplied RGBA float canvas with unit-box drawing helpers."""

    def __init__(self, px: int, palette: ScrollPalette, seed: int) -> None:
        self.n = px
        self.pal = palette
        self.rng = np.random.default_rng(seed)
        self.rgb = np.zeros((px, px, 3), np.float32)  # premultiplied
        self.a = np.zeros((px, px), np.float32)
        ink, paper = palette.ink, palette.paper
        self.ink = tuple(float(c) for c in ink)
        self.grey = mix(ink, paper, 0.55)
        self.wash = mix(ink, paper, 0.78)
        self.wall = mix(paper, ink, 0.06)
        self.roofc = mix(ink, palette.mountain_tint, 0.35)
        self.tile = mix(palette.mountain_tint, ink, 0.25)
        self.green = mix(palette.mountain_tint, paper, 0.25)
        self.red = tuple(float(c) for c in palette.accent)
        self.water = tuple(float(c) for c in palette.water)
        self.lw = max(1.0, px / 150.0)  # base stroke width in px

    # -- low level -----------------------------------------------------------------------------
    def _p(self, pts: Sequence[Pt]) -> np.ndarray:
        arr = np.asarray(pts, np.float64) * self.n
        return np.round(arr * (1 << SS)).astype(np.int32).reshape(-1, 1, 2)

    def _lay(self, mask: np.ndarray, color: Sequence[float], alpha: float) -> None:
        x, y, w, h = cv2.boundingRect(mask)
        if w == 0 or h == 0:
            return
        m = mask[y:y + h, x:x + w].astype(np.float32) * (alpha / 255.0)
        inv = 1.0 - m
        rgb = self.rgb[y:y + h, x:x + w]
        rgb *= inv[..., None]
        rgb += m[..., None] * np.asarray(color, np.float32)
        a = self.a[y:y + h, x:x + w]
        a *= inv
        a += m

    def _mask(self) -> np.ndarray:
        return np.zeros((self.n, self.n), np.uint8)

    # -- primitives ----------------------------------------------------------------------------
    def fill(self, pts: Sequence[Pt], color: Sequence[float], alpha: float = 1.0) -> None:
        m = self._mask()
        cv2.fillPoly(m, [self._p(pts)], 255, cv2.LINE_AA, SS)
        self._lay(m, color, alpha)

    def stroke(self, pts: Sequence[Pt], width: float = 1.0, color: Sequence[float] | None = None,
               alpha: float = 1.0, closed: bool = False) -> None:
        m = self._mask()
        cv2.polylines(m, [self._p(pts)], closed, 255, max(1, round(self.lw * width)), cv2.LINE_AA, SS)
        self._lay(m, color or self.ink, alpha)

    def shape(self, pts: Sequence[Pt], color: Sequence[float], width: float = 1.0, alpha: float = 1.0) -> None:
        """Filled polygon with an ink outline."""
        self.fill(pts, color, alpha)
        self.stroke(pts, width, closed=True)

    def rect(self, x0: float, y0: float, x1: float, y1: float, color: Sequence[float],
             width: float = 1.0) -> None:
        self.shape([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], color, width)

    def disc(self, cx: float, cy: float, r: float, color: Sequence[float], alpha: float = 1.0,
             outline: float = 0.0) -> None:
        m = self._mask()
        c = (round(cx * self.n * (1 << SS)), round(cy * self.n * (1 << SS)))
        cv2.circle(m, c, max(1, round(r * self.n * (1 << SS))), 255, -1, cv2.LINE_AA, SS)
        self._lay(m, color, alpha)
        if outline:
            m[:] = 0
            cv2.circle(m, c, max(1, round(r * self.n * (1 << SS))), 255, max(1, round(self.lw * outline)),
                       cv2.LINE_AA, SS)
            self._lay(m, self.ink, 1.0)

    def wash_blob(self, cx: float, cy: float, rx: float, ry: float, color: Sequence[float],
                  alpha: float) -> None:
        """Soft blurred ellipse of diluted ink (ground shadow, foliage wash)."""
        m = self._mask()
        c = (round(cx * self.n), round(cy * self.n))
        ax = (max(1, round(rx * self.n)), max(1, round(ry * self.n)))
        cv2.ellipse(m, c, ax, 0, 0, 360, 255, -1)
        sigma = max(1.0, ry * self.n * 0.5)
        pad = int(sigma * 3) + 1
        x0, x1 = max(0, c[0] - ax[0] - pad), min(self.n, c[0] + ax[0] + pad)
        y0, y1 = max(0, c[1] - ax[1] - pad), min(self.n, c[1] + ax[1] + pad)
        if x0 < x1 and y0 < y1:
            m[y0:y1, x0:x1] = cv2.GaussianBlur(m[y0:y1, x0:x1], (0, 0), sigma)
        self._lay(m, color, alpha)

    # -- architectural parts -------------------------------------------------------------------
    def roof(self, cx: float, y: float, w: float, h: float, color: Sequence[float] | None = None,
             curl: float = 0.35) -> None:
        """Hip roof with upturned eaves: ridge at ``y``, eave line at ``y + h``."""
        ridge = w * 0.28
        c = curl * h
        left = _bez((cx - ridge, y), (cx - w * 0.36, y + h * 0.9), (cx - w / 2 - c, y + h - c), 8)
        right = _bez((cx + w / 2 + c, y + h - c), (cx + w * 0.36, y + h * 0.9), (cx + ridge, y), 8)
        under = _bez((cx - w / 2 - c, y + h - c), (cx, y + h * 1.22), (cx + w / 2 + c, y + h - c), 8)
        pts = left + right[:-1] + [(cx + ridge, y)]
        poly = pts + under[::-1]
        self.fill(poly, color or self.roofc)
        self.stroke(poly, 1.0, closed=True)
        self.stroke([(cx - ridge - w * 0.02, y), (cx + ridge + w * 0.02, y)], 1.8)
        for k in range(1, 6):  # tile lines
            t = k / 6
            x = cx - ridge + 2 * ridge * t
            self.stroke([(x, y + h * 0.08), (cx + (x - cx) * 1.55, y + h * 0.95)], 0.5, alpha=0.45)

    def pillars(self, xs: Sequence[float], y0: float, y1: float, color: Sequence[float] | None = None,
                width: float = 0.014) -> None:
        for x in xs:
            self.rect(x - width / 2, y0, x + width / 2, y1, color or self.red, 0.6)

    def plinth(self, x0: float, x1: float, y: float, h: float = 0.04) -> None:
        self.rect(x0, y, x1, y + h, self.wash, 1.0)

    def steps(self, cx: float, y: float, w: float, h: float, n: int = 4) -> None:
        self.shape([(cx - w / 2, y), (cx + w / 2, y), (cx + w * 0.65, y + h), (cx - w * 0.65, y + h)], self.wall)
        for k in range(1, n):
            t = k / n
            hw = w / 2 + w * 0.15 * t
            self.stroke([(cx - hw, y + h * t), (cx + hw, y + h * t)], 0.5)

    def windows(self, x0: float, x1: float, y0: float, y1: float, cols: int, rows: int,
                color: Sequence[float] | None = None) -> None:
        cw, rh = (x1 - x0) / cols, (y1 - y0) / rows
        for i in range(cols):
            for j in range(rows):
                wx, wy = x0 + cw * (i + 0.25), y0 + rh * (j + 0.25)
                self.fill([(wx, wy), (wx + cw * 0.5, wy), (wx + cw * 0.5, wy + rh * 0.55), (wx, wy + rh * 0.55)],
                          color or self.grey, 0.85)

    def lantern(self, x: float, y: float, r: float = 0.022) -> None:
        self.stroke([(x, y - r * 1.6), (x, y - r)], 0.5)
        self.fill(_ellipse(x, y, r * 0.8, r), self.red)
        self.stroke([(x, y + r), (x, y + r * 1.7)], 0.6, self.red)

    def pine(self, x: float, y: float, s: float) -> None:
        """Ink pine: a leaning trunk and fan-shaped needle clusters (松针) over a pale wash."""
        lean = self.rng.uniform(-0.25, 0.25) * s
        top = (x + lean, y - s)
        self.stroke([(x, y), (x + lean * 0.4, y - s * 0.5), top], 1.6)
        for k in range(4):
            t = 0.4 + 0.18 * k
            cx = x + lean * t + self.rng.uniform(-0.12, 0.12) * s
            cy = y - s * t
            rw = s * (0.36 - 0.06 * k)
            self.fill(_ellipse(cx, cy, rw, s * 0.08), self.green, 0.6)
            for ang in np.linspace(np.pi * 1.1, np.pi * 1.9, 7):
                self.stroke([(cx, cy + s * 0.03), (cx + np.cos(ang) * rw, cy + s * 0.03 + np.sin(ang) * s * 0.11)],
                            0.5, self.roofc, 0.9)

    def tree(self, x: float, y: float, s: float, color: Sequence[float] | None = None) -> None:
        """Round-crowned tree from dabs of ink."""
        self.stroke([(x, y), (x + s * 0.05, y - s * 0.55)], 1.3)
        for _ in range(14):
            dx, dy = self.rng.normal(0, s * 0.22), self.rng.normal(0, s * 0.15)
            self.disc(x + dx, y - s * 0.7 + dy, s * self.rng.uniform(0.06, 0.12), color or self.green, 0.75)
        for _ in range(8):
            dx, dy = self.rng.normal(0, s * 0.22), self.rng.normal(0, s * 0.15)
            self.disc(x + dx, y - s * 0.7 + dy, s * 0.035, self.ink, 0.8)

    def ground(self, x0: float = 0.08, x1: float = 0.92) -> None:
        self.wash_blob((x0 + x1) / 2, 0.955, (x1 - x0) / 2, 0.035, self.grey, 0.55)
        self.stroke(_bez((x0, 0.96), ((x0 + x1) / 2, 0.95), (x1, 0.965), 8), 1.0, alpha=0.8)

    def paper_face(self) -> tuple[float, float, float]:
        return mix(self.pal.paper, (255, 255, 255), 0.25)

    def gold_face(self) -> tuple[float, float, float]:
        return mix((212, 160, 23), self.pal.paper, 0.2)

    def red_face(self) -> tuple[float, float, float]:
        return mix(self.pal.accent, self.pal.paper, 0.15)

    # -- output --------------------------------------------------------------------------------
    def rgba(self, size: int) -> np.ndarray:
        """Downsample to ``size`` and return straight-alpha uint8 RGBA ``(size, size, 4)``."""
        tex = 0.86 + 0.14 * value_noise(self.rng, self.n, self.n, self.n / 10, 3)
        a = self.a * np.where(self.a > 0.6, 1.0, tex)
        prem = np.concatenate([self.rgb * (a / np.maximum(self.a, 1e-6))[..., None], a[..., None] * 255], 2)
        small = cv2.resize(prem, (size, size), interpolation=cv2.INTER_AREA)
        alpha = small[..., 3:4] / 255.0
        rgb = small[..., :3] / np.maximum(alpha, 1e-6)
        out = np.concatenate([np.clip(rgb, 0, 255), small[..., 3:4]], 2)
        return np.clip(out, 0, 255).astype(np.uint8)


def _bez(p0: Pt, p1: Pt, p2: Pt, n: int = 8) -> list[Pt]:
    t = np.linspace(0.0, 1.0, n)
    x = (1 - t) ** 2 * p0[0] + 2 * (1 - t) * t * p1[0] + t * t * p2[0]
    y = (1 - t) ** 2 * p0[1] + 2 * (1 - t) * t * p1[1] + t * t * p2[1]
    return list(zip(x.tolist(), y.tolist(), strict=True))


def _ellipse(cx: float, cy: float, rx: float, ry: float, n: int = 18) -> list[Pt]:
    t = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    return list(zip((cx + rx * np.cos(t)).tolist(), (cy + ry * np.sin(t)).tolist(), strict=True))


def _arc(cx: float, cy: float, rx: float, ry: float, a0: float, a1: float, n: int = 16) -> list[Pt]:
    t = np.linspace(a0, a1, n)
    return list(zip((cx + rx * np.cos(t)).tolist(), (cy + ry * np.sin(t)).tolist(), strict=True))


# -- the kinds ---------------------------------------------------------------------------------
def _pavilion(p: Pen) -> None:
    p.ground(0.15, 0.85)
    p.pine(0.18, 0.95, 0.42)
    p.plinth(0.3, 0.7, 0.88, 0.06)
    p.pillars([0.35, 0.45, 0.55, 0.65], 0.58, 0.88)
    p.stroke([(0.33, 0.8), (0.67, 0.8)], 0.8)
    p.roof(0.5, 0.38, 0.46, 0.2, p.roofc, 0.6)
    p.stroke([(0.5, 0.38), (0.5, 0.3)], 1.5)
    p.disc(0.5, 0.3, 0.012, p.ink)


def _pagoda(p: Pen) -> None:
    p.ground(0.2, 0.8)
    p.plinth(0.33, 0.67, 0.9, 0.05)
    y, w, h = 0.9, 0.26, 0.1
    for k in range(6):
        body_h = h * 0.62
        bw = w * 0.72
        p.rect(0.5 - bw / 2, y - body_h, 0.5 + bw / 2, y, p.wall, 0.8)
        p.fill([(0.5 - 0.012, y - body_h * 0.85), (0.5 + 0.012, y - body_h * 0.85), (0.5 + 0.012, y),
                (0.5 - 0.012, y)], p.red)
        y -= body_h
        p.roof(0.5, y - h * 0.3, w + 0.05, h * 0.34, p.roofc, 0.6)
        y -= h * 0.3
        w *= 0.87
        h *= 0.93
        if k == 1:
            p.pine(0.2, 0.95, 0.3)
    p.stroke([(0.5, y), (0.5, y - 0.1)], 1.8)
    for k in range(3):
        p.disc(0.5, y - 0.03 - k * 0.025, 0.012 - k * 0.002, p.ink)


def _tower(p: Pen) -> None:
    p.ground(0.22, 0.78)
    p.steps(0.5, 0.9, 0.3, 0.06, 3)
    p.rect(0.38, 0.78, 0.62, 0.9, p.wash, 1.0)
    p.rect(0.42, 0.3, 0.58, 0.78, p.wall, 1.0)
    for x in (0.45, 0.5, 0.55):
        p.stroke([(x, 0.34), (x, 0.76)], 0.5, alpha=0.5)
    p.rect(0.405, 0.22, 0.595, 0.31, p.wall, 1.0)
    p.disc(0.5, 0.265, 0.034, p.paper_face(), outline=1.0)
    p.stroke([(0.5, 0.265), (0.5, 0.242)], 0.8)
    p.stroke([(0.5, 0.265), (0.517, 0.27)], 0.8)
    p.shape([(0.4, 0.22), (0.6, 0.22), (0.56, 0.17), (0.44, 0.17)], p.tile)
    p.rect(0.455, 0.12, 0.545, 0.17, p.wall, 0.8)
    p.shape([(0.45, 0.12), (0.55, 0.12), (0.5, 0.05)], p.tile)
    p.stroke([(0.5, 0.05), (0.5, 0.015)], 1.2)
    p.lantern(0.36, 0.82)
    p.lantern(0.64, 0.82)


def _stilt_house(p: Pen) -> None:
    p.ground(0.05, 0.95)
    # cliff behind: a soft wash with a few texture strokes
    cliff = [(0.04, 0.96), (0.08, 0.45), (0.2, 0.24), (0.42, 0.14), (0.62, 0.16), (0.82, 0.26), (0.95, 0.5),
             (0.97, 0.96)]
    p.fill(cliff, p.green, 0.35)
    p.stroke(cliff[1:-1], 0.9, alpha=0.7)
    rows = [(0.12, 0.88, 0.74), (0.18, 0.82, 0.58), (0.25, 0.75, 0.43), (0.33, 0.67, 0.29)]
    for k in range(0, 8):  # stilts
        x = 0.14 + k * 0.1
        p.stroke([(x, 0.96), (x, 0.8)], 1.1)
        p.stroke([(x, 0.9), (x + 0.1, 0.82)], 0.5, alpha=0.6)
    for x0, x1, y in rows:
        p.rect(x0, y, x1, y + 0.14, p.wall, 0.9)
        p.windows(x0 + 0.01, x1 - 0.01, y + 0.04, y + 0.13, int((x1 - x0) / 0.07), 1, p.grey)
        p.roof((x0 + x1) / 2, y - 0.035, x1 - x0 + 0.04, 0.05, p.roofc, 0.5)
        for i in range(int((x1 - x0) / 0.12)):
            p.lantern(x0 + 0.06 + i * 0.12, y + 0.03, 0.014)
    p.roof(0.5, 0.2, 0.26, 0.07, p.roofc, 0.6)


def _bridge(p: Pen) -> None:
    p.wash_blob(0.5, 0.93, 0.46, 0.05, p.water, 0.5)
    for k in range(5):
        y = 0.9 + k * 0.018
        p.stroke(_bez((0.1 + k * 0.05, y), (0.5, y - 0.01), (0.9 - k * 0.04, y)), 0.4, alpha=0.5)
    arch = _arc(0.5, 0.9, 0.34, 0.5, np.pi, 2 * np.pi, 24)
    deck_y = 0.62
    p.stroke(arch, 2.6)
    inner = _arc(0.5, 0.9, 0.31, 0.45, np.pi, 2 * np.pi, 24)
    p.stroke(inner, 1.2)
    for x, y in arch[3:-3:2]:
        if y < deck_y:
            p.stroke([(x, y), (x, deck_y)], 0.5)
        else:
            p.stroke([(x, deck_y), (x, y)], 0.5)
    p.rect(0.02, deck_y - 0.012, 0.98, deck_y + 0.018, p.wall, 1.0)
    for x in (0.16, 0.84):
        p.rect(x - 0.025, deck_y, x + 0.025, 0.95, p.wash, 0.9)
    for i in range(20):
        x = 0.04 + i * 0.048
        p.stroke([(x, deck_y - 0.012), (x, deck_y - 0.03)], 0.5)
    p.stroke([(0.03, deck_y - 0.03), (0.97, deck_y - 0.03)], 0.6)
    p.lantern(0.5, deck_y + 0.05, 0.016)


def _cableway(p: Pen) -> None:
    p.ground(0.05, 0.95)
    for hill in ([(0.0, 0.96), (0.04, 0.62), (0.14, 0.54), (0.26, 0.66), (0.32, 0.96)],
                 [(0.66, 0.96), (0.74, 0.45), (0.86, 0.3), (0.96, 0.36), (1.0, 0.96)]):
        p.fill(hill, p.green, 0.45)
        p.stroke(hill[1:-1], 1.0, alpha=0.8)
    for x0, y0, y1 in ((0.15, 0.52, 0.62), (0.85, 0.3, 0.36)):
        p.stroke([(x0 - 0.03, y1), (x0 - 0.015, y0)], 0.8)
        p.stroke([(x0 + 0.03, y1), (x0 + 0.015, y0)], 0.8)
    p.rect(0.1, 0.38, 0.2, 0.52, p.wall, 1.0)
    p.roof(0.15, 0.33, 0.14, 0.05)
    p.rect(0.8, 0.18, 0.9, 0.3, p.wall, 1.0)
    p.roof(0.85, 0.13, 0.14, 0.05)
    cable = _bez((0.2, 0.42), (0.5, 0.52), (0.8, 0.22), 20)
    p.stroke(cable, 0.9)
    p.stroke([(x, y + 0.025) for x, y in cable], 0.6, alpha=0.7)
    cx, cy = cable[9]
    p.stroke([(cx, cy), (cx, cy + 0.08)], 1.0)
    p.shape([(cx - 0.07, cy + 0.08), (cx + 0.07, cy + 0.08), (cx + 0.06, cy + 0.18), (cx - 0.06, cy + 0.18)], p.red)
    p.windows(cx - 0.06, cx + 0.06, cy + 0.09, cy + 0.14, 4, 1, p.wall)
    p.wash_blob(0.5, 0.9, 0.3, 0.05, p.water, 0.45)


def _gate_dock(p: Pen) -> None:
    p.wash_blob(0.5, 0.95, 0.46, 0.04, p.water, 0.6)
    p.shape([(0.14, 0.9), (0.86, 0.9), (0.8, 0.55), (0.2, 0.55)], p.wash, 1.2)
    for j in range(6):  # masonry courses
        y = 0.6 + j * 0.05
        p.stroke([(0.2 - j * 0.01, y), (0.8 + j * 0.01, y)], 0.4, alpha=0.5)
    p.fill([*_arc(0.5, 0.9, 0.09, 0.16, np.pi, 2 * np.pi), (0.59, 0.9)], p.ink, 0.9)
    p.rect(0.27, 0.42, 0.73, 0.55, p.wall)
    p.pillars([0.3, 0.38, 0.46, 0.54, 0.62, 0.7], 0.43, 0.55)
    p.roof(0.5, 0.34, 0.56, 0.08)
    p.rect(0.35, 0.24, 0.65, 0.34, p.wall)
    p.roof(0.5, 0.15, 0.42, 0.08)
    p.fill([(0.8, 0.28), (0.8, 0.4), (0.88, 0.34)], p.red)
    p.stroke([(0.8, 0.28), (0.8, 0.55)], 0.8)
    # boat at the dock
    hull = _bez((0.02, 0.9), (0.2, 0.99), (0.4, 0.9), 10)
    p.shape(hull, p.roofc)
    p.stroke([(0.22, 0.93), (0.22, 0.7)], 0.9)
    p.fill([(0.22, 0.71), (0.34, 0.88), (0.22, 0.88)], p.wall)
    p.stroke([(0.22, 0.71), (0.34, 0.88), (0.22, 0.88)], 0.6, closed=True)


def _temple(p: Pen) -> None:
    p.ground(0.05, 0.95)
    p.tree(0.1, 0.9, 0.35)
    p.pine(0.88, 0.92, 0.45)
    p.steps(0.5, 0.85, 0.22, 0.08)
    p.plinth(0.18, 0.82, 0.8, 0.05)
    p.rect(0.24, 0.54, 0.76, 0.8, p.wall)
    p.pillars([0.27, 0.37, 0.47, 0.53, 0.63, 0.73], 0.54, 0.8)
    p.fill([(0.45, 0.62), (0.55, 0.62), (0.55, 0.8), (0.45, 0.8)], p.red, 0.9)
    p.roof(0.5, 0.44, 0.72, 0.12, p.roofc, 0.4)
    p.rect(0.33, 0.36, 0.67, 0.44, p.wall)
    p.roof(0.5, 0.24, 0.52, 0.12, p.roofc, 0.5)
    p.rect(0.46, 0.5, 0.54, 0.54, p.tile, 0.6)


def _hall(p: Pen) -> None:
    p.ground(0.02, 0.98)
    p.steps(0.5, 0.86, 0.3, 0.08)
    p.plinth(0.04, 0.96, 0.82, 0.04)
    for x0, x1 in ((0.05, 0.3), (0.7, 0.95)):  # wings
        p.rect(x0, 0.64, x1, 0.82, p.wall)
        p.pillars([x0 + 0.03 + i * 0.047 for i in range(5)], 0.65, 0.82, width=0.01)
        p.roof((x0 + x1) / 2, 0.58, x1 - x0 + 0.03, 0.06, p.tile, 0.4)
    p.rect(0.3, 0.56, 0.7, 0.82, p.wall)
    p.pillars([0.33 + i * 0.0425 for i in range(9)], 0.6, 0.82, width=0.012)
    p.roof(0.5, 0.5, 0.44, 0.06, p.tile, 0.4)
    p.rect(0.34, 0.4, 0.66, 0.5, p.wall)
    p.pillars([0.36 + i * 0.04 for i in range(8)], 0.41, 0.5, width=0.01)
    for k, (w, y) in enumerate(((0.4, 0.33), (0.32, 0.24), (0.24, 0.15))):
        p.fill([*_arc(0.5, y + 0.07, w / 2, 0.07, np.pi, 2 * np.pi), (0.5 + w / 2, y + 0.07)], p.tile)
        p.stroke(_arc(0.5, y + 0.07, w / 2, 0.07, np.pi, 2 * np.pi), 1.0)
        p.stroke([(0.5 - w / 2 - 0.02, y + 0.075), (0.5 + w / 2 + 0.02, y + 0.075)], 1.4)
        if k < 2:
            p.rect(0.5 - w * 0.4, y, 0.5 + w * 0.4, y + 0.015, p.red, 0.5)
    p.disc(0.5, 0.12, 0.02, p.gold_face(), outline=0.8)
    p.stroke([(0.5, 0.1), (0.5, 0.06)], 1.0)


def _old_town(p: Pen) -> None:
    p.ground(0.02, 0.98)
    p.tree(0.92, 0.85, 0.3)
    houses = [(0.04, 0.3, 0.62), (0.62, 0.9, 0.6), (0.28, 0.5, 0.7), (0.5, 0.72, 0.66)]
    for x0, x1, y in houses:
        p.rect(x0, y, x1, 0.93, p.wall)
        p.windows(x0 + 0.02, x1 - 0.02, y + 0.05, y + 0.16, 3, 1)
        p.fill([(x0 + 0.07, y + 0.2), (x0 + 0.12, y + 0.2), (x0 + 0.12, 0.93), (x0 + 0.07, 0.93)], p.grey)
        p.roof((x0 + x1) / 2, y - 0.06, x1 - x0 + 0.04, 0.07)
        p.lantern(x1 - 0.04, y + 0.05, 0.014)
    # memorial archway (牌坊)
    p.pillars([0.38, 0.62], 0.32, 0.94, p.ink, 0.018)
    p.rect(0.35, 0.34, 0.65, 0.41, p.red, 0.8)
    p.roof(0.5, 0.27, 0.34, 0.06)
    p.stroke([(0.4, 0.44), (0.6, 0.44)], 1.5)
    p.fill([(0.14, 0.3), (0.14, 0.5), (0.2, 0.5), (0.2, 0.33)], p.red)
    p.stroke([(0.14, 0.28), (0.14, 0.62)], 0.8)


def _rail(p: Pen) -> None:
    p.ground(0.02, 0.98)
    p.rect(0.3, 0.1, 0.72, 0.93, p.wall, 1.2)
    p.windows(0.32, 0.7, 0.13, 0.45, 6, 5)
    p.windows(0.32, 0.7, 0.66, 0.9, 6, 3)
    p.rect(0.28, 0.07, 0.74, 0.1, p.tile)
    y0, y1 = 0.5, 0.62
    for x in (0.12, 0.86):
        p.rect(x - 0.018, y1 + 0.01, x + 0.018, 0.95, p.wash, 0.8)
    p.rect(0.0, y1, 1.0, y1 + 0.025, p.grey, 0.8)
    body = [(0.06, y0 + 0.015), (0.94, y0), (0.97, y0 + 0.03), (0.97, y1), (0.03, y1), (0.03, y0 + 0.04)]
    p.shape(body, p.red_face())
    p.rect(0.03, y1 - 0.03, 0.97, y1 - 0.018, p.wall, 0.4)
    p.windows(0.08, 0.92, y0 + 0.02, y1 - 0.035, 12, 1, p.wall)


def _mountain(p: Pen) -> None:
    peak = [(0.02, 0.96), (0.18, 0.6), (0.3, 0.42), (0.42, 0.22), (0.5, 0.15), (0.6, 0.22),
            (0.72, 0.45), (0.86, 0.6), (0.98, 0.96)]
    p.fill(peak, p.green, 0.55)
    p.fill([(0.3, 0.96), (0.5, 0.5), (0.62, 0.6), (0.9, 0.96)], p.tile, 0.35)
    p.stroke(peak, 1.4)
    for k in range(9):
        x = 0.28 + k * 0.05
        p.stroke(_bez((x, 0.35 + abs(x - 0.5) * 0.5), (x - 0.03, 0.6), (x - 0.05, 0.85)), 0.5, alpha=0.5)
    for _ in range(18):
        x = p.rng.uniform(0.25, 0.75)
        p.disc(x, 0.22 + abs(x - 0.5) * 1.1 + p.rng.uniform(0, 0.05), 0.009, p.ink, 0.85)
    p.plinth(0.43, 0.57, 0.145, 0.015)
    p.pillars([0.46, 0.54], 0.09, 0.145, p.red, 0.008)
    p.roof(0.5, 0.04, 0.14, 0.05)
    p.pine(0.3, 0.55, 0.22)
    p.pine(0.72, 0.6, 0.2)
    p.stroke(_bez((0.5, 0.16), (0.58, 0.5), (0.42, 0.95), 14), 0.5, p.wall, 0.9)


def _garden(p: Pen) -> None:
    p.ground(0.02, 0.98)
    p.shape([(0.02, 0.45), (0.98, 0.45), (0.98, 0.94), (0.02, 0.94)], p.wall, 1.0)
    p.shape([(0.0, 0.45), (1.0, 0.45), (0.97, 0.4), (0.03, 0.4)], p.roofc)
    p.fill(_ellipse(0.42, 0.7, 0.15, 0.2, 28), p.paper_face())
    p.stroke(_ellipse(0.42, 0.7, 0.15, 0.2, 28), 1.4, closed=True)
    p.fill([(0.3, 0.94), (0.55, 0.94), (0.52, 0.85), (0.33, 0.85)], p.paper_face())
    # scholar rock
    rock = [(0.72, 0.94), (0.68, 0.72), (0.74, 0.55), (0.7, 0.45), (0.8, 0.38), (0.86, 0.5), (0.84, 0.7),
            (0.9, 0.94)]
    p.shape(rock, p.wash, 1.2)
    p.disc(0.78, 0.56, 0.02, p.paper_face(), outline=0.6)
    p.disc(0.8, 0.75, 0.015, p.paper_face(), outline=0.6)
    # willow
    p.stroke(_bez((0.14, 0.94), (0.1, 0.5), (0.2, 0.22), 10), 2.0)
    for k in range(12):
        x = 0.02 + k * 0.028
        p.stroke(_bez((x + 0.08, 0.22 + p.rng.uniform(0, 0.06)), (x, 0.4), (x + 0.02, 0.62)), 0.5,
                 p.green, 0.9)
    # bamboo
    for k in range(3):
        x = 0.58 + k * 0.03
        p.stroke([(x, 0.94), (x + 0.01, 0.32)], 0.8, p.tile)
        for j in range(4):
            y = 0.36 + j * 0.09
            p.fill([(x, y), (x + 0.07, y - 0.03), (x + 0.02, y + 0.01)], p.tile, 0.9)
    p.roof(0.42, 0.2, 0.22, 0.07)
    p.pillars([0.34, 0.5], 0.28, 0.41, p.red, 0.01)


def _stone_carving(p: Pen) -> None:
    p.ground(0.02, 0.98)
    cliff = [(0.02, 0.96), (0.04, 0.2), (0.2, 0.1), (0.6, 0.08), (0.85, 0.15), (0.97, 0.3), (0.98, 0.96)]
    p.shape(cliff, p.wash, 1.4)
    for k in range(7):
        x = 0.1 + k * 0.13
        p.stroke(_bez((x, 0.12), (x + 0.03, 0.5), (x - 0.02, 0.9)), 0.5, alpha=0.5)
    for row, y in enumerate((0.32, 0.66)):
        for i in range(3):
            cx = 0.2 + i * 0.3 + (0.05 if row else 0)
            p.fill([*_arc(cx, y, 0.1, 0.14, np.pi, 2 * np.pi), (cx + 0.1, y + 0.15), (cx - 0.1, y + 0.15)],
                   p.grey, 0.9)
            p.disc(cx, y - 0.055, 0.028, p.wall)
            p.disc(cx, y - 0.06, 0.045, p.tile, 0.35)
            p.fill(_ellipse(cx, y + 0.06, 0.06, 0.07), p.wall)
            p.fill(_ellipse(cx, y + 0.12, 0.08, 0.025), p.wall)
            p.stroke(_ellipse(cx, y + 0.06, 0.06, 0.07), 0.6, closed=True)
            p.disc(cx, y - 0.055, 0.028, p.wall, outline=0.6)
    p.fill([(0.85, 0.5), (0.95, 0.5), (0.95, 0.6), (0.85, 0.6)], p.red, 0.8)


def _gorge(p: Pen) -> None:
    p.wash_blob(0.5, 0.92, 0.2, 0.06, p.water, 0.6)
    left = [(0.0, 0.96), (0.02, 0.1), (0.14, 0.04), (0.3, 0.2), (0.38, 0.5), (0.44, 0.96)]
    right = [(0.56, 0.96), (0.6, 0.45), (0.68, 0.2), (0.82, 0.06), (0.98, 0.12), (1.0, 0.96)]
    for side in (left, right):
        p.fill(side, p.tile, 0.5)
        p.fill(side, p.wash, 0.45)
        p.stroke(side, 1.4)
    for k in range(8):
        x = 0.05 + k * 0.04
        p.stroke(_bez((x, 0.15), (x + 0.04, 0.5), (x + 0.06, 0.9)), 0.5, alpha=0.55)
        p.stroke(_bez((0.95 - k * 0.04, 0.15), (0.9 - k * 0.04, 0.5), (0.62 + k * 0.01, 0.9)), 0.5, alpha=0.55)
    for k in range(4):
        y = 0.85 + k * 0.03
        p.stroke([(0.44 + k * 0.005, y), (0.56 - k * 0.005, y)], 0.4, alpha=0.6)
    # white emperor city on the right cliff
    p.rect(0.72, 0.12, 0.9, 0.2, p.wall)
    p.pillars([0.75, 0.81, 0.87], 0.12, 0.2, p.red, 0.008)
    p.roof(0.81, 0.06, 0.22, 0.06)
    p.pine(0.12, 0.08, 0.14)
    # a sail in the gorge
    p.fill([(0.47, 0.9), (0.53, 0.9), (0.52, 0.92), (0.48, 0.92)], p.ink)
    p.fill([(0.5, 0.76), (0.5, 0.9), (0.54, 0.88)], p.wall)
    p.stroke([(0.5, 0.74), (0.5, 0.9)], 0.6)


def _street(p: Pen) -> None:
    p.ground(0.02, 0.98)
    xs = [(0.02, 0.26, 0.44), (0.26, 0.5, 0.38), (0.5, 0.74, 0.46), (0.74, 0.98, 0.4)]
    for i, (x0, x1, y) in enumerate(xs):
        p.rect(x0, y, x1, 0.93, p.wall)
        p.stroke([(x0, y + 0.2), (x1, y + 0.2)], 0.8)
        p.windows(x0 + 0.02, x1 - 0.02, y + 0.04, y + 0.18, 3, 1)
        p.fill([(x0 + 0.03, y + 0.28), (x1 - 0.03, y + 0.28), (x1 - 0.03, 0.93), (x0 + 0.03, 0.93)], p.grey, 0.7)
        p.roof((x0 + x1) / 2, y - 0.07, x1 - x0 + 0.02, 0.07)
        p.shape([(x0 + 0.09, y + 0.22), (x0 + 0.14, y + 0.22), (x0 + 0.14, y + 0.42), (x0 + 0.09, y + 0.42)],
                p.red if i % 2 == 0 else p.tile, 0.6)
        p.lantern(x0 + 0.04, y + 0.05, 0.016)
        p.lantern(x1 - 0.04, y + 0.05, 0.016)
    p.stroke([(0.02, 0.32), (0.98, 0.3)], 0.4, alpha=0.7)
    for k in range(9):
        p.lantern(0.08 + k * 0.105, 0.34 - k * 0.002, 0.011)


def _museum(p: Pen) -> None:
    p.ground(0.02, 0.98)
    p.steps(0.5, 0.87, 0.5, 0.07, 5)
    p.plinth(0.08, 0.92, 0.83, 0.04)
    p.rect(0.12, 0.45, 0.88, 0.83, p.wall)
    p.pillars([0.16 + i * 0.0485 for i in range(15)], 0.5, 0.83, p.grey, 0.014)
    p.rect(0.1, 0.42, 0.9, 0.5, p.wash, 1.0)
    p.roof(0.5, 0.3, 0.86, 0.1, p.tile, 0.3)
    p.rect(0.3, 0.22, 0.7, 0.31, p.wall)
    p.windows(0.31, 0.69, 0.23, 0.3, 8, 1)
    p.roof(0.5, 0.13, 0.5, 0.08, p.tile, 0.4)
    p.rect(0.44, 0.44, 0.56, 0.49, p.red, 0.6)


def _grove(p: Pen) -> None:
    p.wash_blob(0.5, 0.95, 0.4, 0.03, p.grey, 0.4)
    p.tree(0.3, 0.95, 0.5)
    p.tree(0.62, 0.95, 0.62, p.tile)
    p.tree(0.8, 0.95, 0.4)


def _pine(p: Pen) -> None:
    p.wash_blob(0.5, 0.95, 0.3, 0.03, p.grey, 0.4)
    p.pine(0.45, 0.96, 0.8)
    p.pine(0.65, 0.96, 0.5)


_KINDS: dict[str, Callable[[Pen], None]] = {
    "pagoda": _pagoda,
    "tower": _tower,
    "stilt_house": _stilt_house,
    "bridge": _bridge,
    "cableway": _cableway,
    "gate_dock": _gate_dock,
    "temple": _temple,
    "hall": _hall,
    "old_town": _old_town,
    "rail": _rail,
    "mountain": _mountain,
    "garden": _garden,
    "stone_carving": _stone_carving,
    "gorge": _gorge,
    "street": _street,
    "museum": _museum,
    "pavilion": _pavilion,
    "grove": _grove,
    "pine": _pine,
}

ICON_KINDS: tuple[str, ...] = tuple(_KINDS)
FALLBACK_KIND = "pavilion"


def icon_rgba(kind: str, size: int, palette: ScrollPalette, seed: int = 0) -> np.ndarray:
    """Straight-alpha ``(size, size, 4)`` uint8 array of an icon; unknown kinds draw a pavilion."""
    size = max(4, int(size))
    fn = _KINDS.get(kind, _KINDS[FALLBACK_KIND])
    pen = Pen(int(size * SUPERSAMPLE), palette, zlib.crc32(kind.encode()) ^ seed)
    fn(pen)
    return pen.rgba(size)


def rgba_to_surface(arr: np.ndarray) -> pygame.Surface:
    """Plain (unconverted) SRCALPHA surface from an ``(h, w, 4)`` uint8 array."""
    h, w = arr.shape[:2]
    return pygame.image.frombytes(np.ascontiguousarray(arr).tobytes(), (w, h), "RGBA")


def draw_landmark_icon(kind: str, size: int, palette: ScrollPalette) -> pygame.Surface:
    """SRCALPHA ``size``×``size`` ink-style icon of ``kind`` (generic pavilion when unknown)."""
    return rgba_to_surface(icon_rgba(kind, size, palette))
