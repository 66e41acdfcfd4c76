"""Numpy/OpenCV brush helpers for ink-wash painting: noise, masks, layered blending.

Every canvas here is a float32 ``(h, w, 3)`` RGB array in 0..255 plus, where needed, a float32
``(h, w)`` coverage array in 0..1. Nothing touches the display, so all of it is safe in a thread.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

RGB = tuple[int, int, int]
SS = 2  # supersampling factor for cv2 drawing (shift bits: 1 -> x2 sub-pixel)


@dataclass(frozen=True)
class ScrollPalette:
    """Colours of a scroll painting; ``accent`` is the brand red used for seals and lanterns."""

    paper: RGB
    ink: RGB
    accent: RGB
    mountain_tint: RGB
    water: RGB


def mix(a: Sequence[float], b: Sequence[float], t: float) -> tuple[float, float, float]:
    """Linear mix of two colours."""
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t)


def smoothstep(e0: float, e1: float, x: np.ndarray) -> np.ndarray:
    """Hermite step from 0 at ``e0`` to 1 at ``e1`` (float32)."""
    t = np.clip((x - e0) / (e1 - e0), 0.0, 1.0).astype(np.float32)
    return t * t * (3.0 - 2.0 * t)


def value_noise(rng: np.random.Generator, h: int, w: int, cell: float, octaves: int = 4,
                stretch: tuple[float, float] = (1.0, 1.0)) -> np.ndarray:
    """Fractal value noise in 0..1, shape ``(h, w)``; ``cell`` is the coarsest feature size in px.

    ``stretch`` (sy, sx) elongates features, e.g. (6, 1) gives vertical brush streaks.
    """
    out = np.zeros((h, w), np.float32)
    amp, total = 1.0, 0.0
    c = float(cell)
    for _ in range(octaves):
        gh = max(2, int(h / (c * stretch[0])) + 2)
        gw = max(2, int(w / (c * stretch[1])) + 2)
        grid = rng.random((gh, gw), dtype=np.float32)
        out += amp * cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)
        total += amp
        amp *= 0.5
        c /= 2.0
        if c < 1.5:
            break
    out /= total
    lo, hi = float(out.min()), float(out.max())
    return (out - lo) / max(hi - lo, 1e-6)


def noise_1d(rng: np.random.Generator, n: int, cell: float, octaves: int = 4) -> np.ndarray:
    """Fractal 1-D noise in -1..1 of length ``n``."""
    return value_noise(rng, 1, n, cell, octaves)[0] * 2.0 - 1.0


def _overlap(canvas: np.ndarray, y0: int, x0: int, shape: tuple[int, ...]) -> tuple[int, int, int, int] | None:
    """(ya, xa, yb, xb): the part of a patch of ``shape`` at (y0, x0) that lies on the canvas, or None."""
    h, w = shape[:2]
    ch, cw = canvas.shape[:2]
    ya, xa = max(0, y0), max(0, x0)
    yb, xb = min(ch, y0 + h), min(cw, x0 + w)
    return None if ya >= yb or xa >= xb else (ya, xa, yb, xb)


def blend(canvas: np.ndarray, y0: int, x0: int, color: Sequence[float], amount: np.ndarray) -> None:
    """Lay ``color`` over ``canvas`` at (y0, x0) with per-pixel opacity ``amount`` (clipped to bounds)."""
    box = _overlap(canvas, y0, x0, amount.shape)
    if box is None:
        return
    ya, xa, yb, xb = box
    a = np.ascontiguousarray(amount[ya - y0:yb - y0, xa - x0:xb - x0], np.float32)
    region = canvas[ya:yb, xa:xb]
    n = region.shape[2]
    a_n = cv2.merge([a] * n) if n > 1 else a[..., None]
    region += cv2.multiply(np.asarray(color, np.float32)[:n] - region, a_n).reshape(region.shape)


def blend_rgb(canvas: np.ndarray, y0: int, x0: int, rgb: np.ndarray, amount: np.ndarray,
              cover: np.ndarray | None = None) -> None:
    """Lay an RGB patch over ``canvas`` with opacity ``amount``; optionally raise ``cover`` too."""
    box = _overlap(canvas, y0, x0, amount.shape)
    if box is None:
        return
    ya, xa, yb, xb = box
    a = np.ascontiguousarray(amount[ya - y0:yb - y0, xa - x0:xb - x0], np.float32)
    region = canvas[ya:yb, xa:xb]
    region += cv2.multiply(rgb[ya - y0:yb - y0, xa - x0:xb - x0] - region, cv2.merge([a, a, a]))
    if cover is not None:
        c = cover[ya:yb, xa:xb]
        c += (1.0 - c) * a


class Mask:
    """A uint8 scratch mask over a sub-rectangle, drawn with anti-aliased cv2 primitives."""

    def __init__(self, x0: int, y0: int, w: int, h: int) -> None:
        self.x0, self.y0 = x0, y0
        self.a = np.zeros((h, w), np.uint8)

    def _pts(self, pts: Sequence[tuple[float, float]]) -> np.ndarray:
        arr = np.asarray(pts, np.float64) - (self.x0, self.y0)
        return np.round(arr * (1 << SS)).astype(np.int32).reshape(-1, 1, 2)

    def poly(self, pts: Sequence[tuple[float, float]], value: int = 255) -> Mask:
        cv2.fillPoly(self.a, [self._pts(pts)], value, cv2.LINE_AA, SS)
        return self

    def line(self, pts: Sequence[tuple[float, float]], width: float, value: int = 255,
             closed: bool = False) -> Mask:
        t = max(1, round(width))
        cv2.polylines(self.a, [self._pts(pts)], closed, value, t, cv2.LINE_AA, SS)
        return self

    def circle(self, cx: float, cy: float, r: float, value: int = 255, width: float = -1) -> Mask:
        c = (round((cx - self.x0) * (1 << SS)), round((cy - self.y0) * (1 << SS)))
        t = -1 if width < 0 else max(1, round(width))
        cv2.circle(self.a, c, max(1, round(r * (1 << SS))), value, t, cv2.LINE_AA, SS)
        return self

    def ellipse(self, cx: float, cy: float, rx: float, ry: float, angle: float = 0.0,
                value: int = 255) -> Mask:
        c = (round((cx - self.x0) * (1 << SS)), round((cy - self.y0) * (1 << SS)))
        ax = (max(1, round(rx * (1 << SS))), max(1, round(ry * (1 << SS))))
        cv2.ellipse(self.a, c, ax, angle, 0, 360, value, -1, cv2.LINE_AA, SS)
        return self

    def apply(self, canvas: np.ndarray, color: Sequence[float], opacity: float = 1.0,
              cover: np.ndarray | None = None, blur: float = 0.0) -> None:
        """Blend ``color`` into ``canvas`` through this mask (only over its painted bounding box)."""
        bx, by, bw, bh = cv2.boundingRect(self.a)
        if bw == 0 or bh == 0:
            return
        pad = math.ceil(blur * 3) if blur > 0 else 0
        ah, aw = self.a.shape
        xa, ya = max(0, bx - pad), max(0, by - pad)
        xb, yb = min(aw, bx + bw + pad), min(ah, by + bh + pad)
        m = self.a[ya:yb, xa:xb].astype(np.float32) * (opacity / 255.0)
        if blur > 0:
            m = cv2.GaussianBlur(m, (0, 0), blur)
        oy, ox = self.y0 + ya, self.x0 + xa
        blend(canvas, oy, ox, color, m)
        if cover is not None:
            h, w = m.shape
            ch, cw = cover.shape
            ya, xa = max(0, oy), max(0, ox)
            yb, xb = min(ch, oy + h), min(cw, ox + w)
            if ya < yb and xa < xb:
                c = cover[ya:yb, xa:xb]
                c += (1.0 - c) * np.minimum(m[ya - oy:yb - oy, xa - ox:xb - ox] / max(opacity, 1e-6), 1.0)


def wobble_line(rng: np.random.Generator, x0: float, y0: float, x1: float, y1: float,
                n: int = 8, amp: float = 1.5) -> list[tuple[float, float]]:
    """Points along a segment with a little hand tremor."""
    t = np.linspace(0.0, 1.0, n)
    jitter = rng.normal(0.0, amp, (n, 2))
    jitter[0] = jitter[-1] = 0.0
    return [(x0 + (x1 - x0) * s + j[0], y0 + (y1 - y0) * s + j[1]) for s, j in zip(t, jitter, strict=True)]
