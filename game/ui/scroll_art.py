"""Procedural handscroll (手卷) city map: ink-wash mountains, rivers, landmarks, seals, mounting.

``paint_scroll`` paints once (numpy/OpenCV, no display needed, thread-safe) and returns plain
Surfaces. After the display exists, ``LayerBlitter`` converts them and draws a view with as few
pixels touched as it can (the map scene uses it); ``prepare_layers`` gives plain converted layers,
blitted back-to-front with ``area=Rect(camera_x * factor, 0, view_w, view_h)`` (tools use it).
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import cv2
import numpy as np
import pygame

from game.ui.ink import Mask, ScrollPalette, blend, blend_rgb, mix, noise_1d, smoothstep, value_noise
from game.ui.landmark_icons import ICON_KINDS, draw_landmark_icon, icon_rgba

__all__ = [
    "ICON_KINDS",
    "LandmarkSpot",
    "LayerBlitter",
    "ScrollArt",
    "ScrollPalette",
    "draw_landmark_icon",
    "layer_width",
    "paint_scroll",
    "plain_scroll",
    "prepare_layers",
]

FAR_FACTOR = 0.5
NEAR_FACTOR = 1.2
GILT = (196, 160, 92)
COLORKEY = (255, 0, 255)
VALLEY = 150  # px (at 1080) above the ground line from which the main layer is solid


@dataclass(frozen=True)
class LandmarkSpot:
    """A landmark along the scroll: ``x`` in 0..1 from the left end, ``icon`` one of ICON_KINDS."""

    id: str
    x: float
    icon: str


@dataclass
class ScrollArt:
    """Painted layers (back-to-front, with parallax factors) and landmark anchor points.

    Draw a frame with, for each layer, ``screen.blit(surf, (0, 0), Rect(round(cam_x * f), 0, view_w, view_h))``
    where ``cam_x`` in [0, width - view_w] is the main-layer scroll position. Each layer is
    ``layer_width(width, view_w, f)`` wide. The far layer (opaque) may be shorter than ``height``: the
    main layer (opaque + colour key) is solid below it. The near layer has per-pixel alpha.
    Use ``LayerBlitter`` (or ``prepare_layers``) once the display exists for fast blits.
    """

    layers: list[tuple[pygame.Surface, float]]
    width: int
    height: int
    anchors: dict[str, tuple[int, int]]
    tops: dict[str, int] = field(default_factory=dict)  # per landmark: the top row of its drawn icon


def layer_width(width: int, view_w: int, factor: float) -> int:
    """Width a layer needs so ``camera_x * factor`` stays in range for camera_x in [0, width - view_w]."""
    return math.ceil(max(0, width - view_w) * factor) + view_w


# -- geometry ------------------------------------------------------------------------------------
@dataclass
class _Layout:
    w: int
    h: int
    s: float
    band: int  # brocade band height
    top: int  # painting area y range
    bottom: int
    left: int  # painting area x range
    right: int
    roller: int
    brocade: int


def _layout(n: int, height: int, px: int, view_w: int) -> _Layout:
    s = height / 1080.0
    band = round(40 * s)
    roller, brocade = round(34 * s), round(38 * s)
    left_m = roller + brocade + round(250 * s)
    right_m = roller + brocade + round(560 * s)
    inner = max(n * px, 2 * view_w)
    w = left_m + inner + right_m
    return _Layout(w, height, s, band, band + round(6 * s), height - band - round(6 * s), left_m,
                   left_m + inner, roller, brocade)


def _rng(seed: int, tag: str) -> np.random.Generator:
    return np.random.default_rng([seed & 0xFFFFFFFF, zlib.crc32(tag.encode())])


# -- mountains -----------------------------------------------------------------------------------
@dataclass
class _PeakStyle:
    ink: float  # strength of ink contour and texture strokes
    tint: float  # blue-green strength
    ochre: float
    mist: float  # 0..1: where (relative depth) the body starts dissolving into mist
    contour: float  # contour width in px


def _fields(rng: np.random.Generator, h: int, w: int, s: float) -> tuple[np.ndarray, np.ndarray]:
    """Shared half-resolution texture fields for a layer: vertical brush streaks and soft blotches (0..1)."""
    hh, hw = max(8, h // 2), max(8, w // 2)
    streak = value_noise(rng, hh, hw, 11 * s, 3, stretch=(4.0, 0.5))
    blot = value_noise(rng, hh // 4, hw // 4, 11 * s, 3)
    return streak, cv2.resize(blot, (hw, hh), interpolation=cv2.INTER_LINEAR)


def _field_crop(field: np.ndarray, x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
    """Full-resolution (y1-y0, x1-x0) crop of a half-resolution field."""
    fy0, fx0 = y0 // 2, x0 // 2
    fy1, fx1 = min(field.shape[0], (y1 + 1) // 2 + 1), min(field.shape[1], (x1 + 1) // 2 + 1)
    crop = field[fy0:fy1, fx0:fx1]
    big = cv2.resize(crop, ((fx1 - fx0) * 2, (fy1 - fy0) * 2), interpolation=cv2.INTER_LINEAR)
    out = big[y0 - fy0 * 2:y1 - fy0 * 2, x0 - fx0 * 2:x1 - fx0 * 2]
    if out.shape != (y1 - y0, x1 - x0):
        out = cv2.resize(out, (x1 - x0, y1 - y0), interpolation=cv2.INTER_LINEAR)
    return out


def _paint_peak(canvas: np.ndarray, cover: np.ndarray | None, rng: np.random.Generator, pal: ScrollPalette,
                cx: float, base: float, half_w: float, height: float, st: _PeakStyle, s: float,
                fields: tuple[np.ndarray, np.ndarray], trees: bool = False) -> None:
    """One mountain: wobbly silhouette, dark dry-brush contour, 皴 texture, 青绿 wash, misty foot."""
    ch, cw = canvas.shape[:2]
    pad = 6
    x0 = int(max(0, cx - half_w - pad))
    x1 = int(min(cw, cx + half_w + pad))
    y0 = int(max(0, base - height - pad))
    y1 = int(min(ch, base + 40 * s))
    if x1 - x0 < 8 or y1 - y0 < 8:
        return
    bw, bh = x1 - x0, y1 - y0
    xs = np.arange(x0, x1, dtype=np.float32)
    u = np.clip((xs - cx) / half_w, -1.0, 1.0)
    p = rng.uniform(1.4, 2.4)
    shape = (1.0 - np.abs(u) ** p) ** rng.uniform(1.2, 2.2)
    for _ in range(rng.integers(1, 4)):  # shoulders / sub-peaks
        c2 = rng.uniform(-0.7, 0.7)
        w2 = rng.uniform(0.15, 0.35)
        bump = rng.uniform(0.35, 0.8) * np.exp(-(((u - c2) / w2) ** 2)) * (1.0 - np.abs(u) ** 3)  # 0 at the sides
        shape = np.maximum(shape, bump)
    detail = noise_1d(rng, bw, 60 * s, 4)
    top = base - height * shape * (1.0 + 0.07 * detail) - 3.0 * s * noise_1d(rng, bw, 8 * s, 2)
    top = np.where(np.abs(u) >= 1.0, base + 60 * s, top).astype(np.float32)
    ys = np.arange(y0, y1, dtype=np.float32)[:, None]
    dy = ys - top[None, :]
    cov = np.clip(dy / 1.6 + 0.5, 0.0, 1.0)
    cov *= 1.0 - smoothstep(base - 10 * s, base + 38 * s, ys)
    cov *= (1.0 - smoothstep(0.8, 1.0, np.abs(u)))[None, :]  # the misty foot fades out sideways too
    if not cov.any():
        return
    rel = np.clip(dy / max(height, 1.0), 0.0, 1.5)
    fade = 1.0 - smoothstep(st.mist, 1.0, rel)
    streak = _field_crop(fields[0], x0, y0, x1, y1)
    mx = (np.arange(bw, dtype=np.float32)[None, :] - np.clip(dy, 0, None) * 0.55 * u[None, :]).astype(np.float32)
    my = np.broadcast_to(np.arange(bh, dtype=np.float32)[:, None], (bh, bw)).astype(np.float32)
    streak = cv2.remap(streak, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    blot = _field_crop(fields[1], x0, y0, x1, y1)
    dry = 0.45 + 0.55 * (noise_1d(rng, bw, 30 * s, 3) * 0.5 + 0.5)
    contour = np.exp(-np.maximum(dy, 0.0) / (st.contour * s)) * dry[None, :]
    tex = smoothstep(0.6, 0.8, streak) * (1.0 - smoothstep(0.0, 0.7, rel)) * 0.5
    side = 0.22 * smoothstep(-0.3, 0.7, u)[None, :] * (0.6 + 0.4 * blot) * (1.0 - smoothstep(0.1, 0.9, rel))
    ink_d = np.clip((contour + tex + side) * st.ink, 0.0, 1.0) * np.maximum(fade, contour > 0.3)
    tint_d = st.tint * (0.45 + 0.55 * blot) * (1.0 - smoothstep(0.05, 0.85, rel)) * fade
    ochre_d = st.ochre * smoothstep(0.25, 0.55, rel) * fade * (0.5 + 0.5 * blot)
    # moss dots (苔点) and tiny ridge trees
    dots = np.zeros((bh, bw), np.uint8)
    for _ in range(int(bw / (14 * s))):
        i = int(rng.integers(0, bw))
        if abs(u[i]) > 0.92:
            continue
        ty = top[i] - y0 + rng.uniform(1, 10) * s
        if trees and rng.random() < 0.35:
            hgt = rng.uniform(8, 16) * s
            cv2.line(dots, (i, int(ty)), (i, int(ty - hgt)), 200, max(1, round(1.2 * s)), cv2.LINE_AA)
            for k in range(3):
                yy = int(ty - hgt * (0.4 + 0.25 * k))
                ww = int((5 - k) * s)
                cv2.line(dots, (i - ww, yy), (i + ww, yy - 1), 220, max(1, round(2 * s)), cv2.LINE_AA)
        else:
            cv2.ellipse(dots, (i, int(ty)), (max(1, round(rng.uniform(1.5, 3.5) * s)), max(1, round(1.5 * s))),
                        0, 0, 360, 230, -1, cv2.LINE_AA)
    ink_d = np.maximum(ink_d, dots.astype(np.float32) / 255.0 * min(1.0, st.ink * 1.2))
    # successive washes (tint, then ochre, then ink over paper) as one weighted sum of four colours
    keep_i = 1.0 - ink_d
    w_o = ochre_d * keep_i
    keep_oi = (1.0 - ochre_d) * keep_i
    weights = cv2.merge([((1.0 - tint_d) * keep_oi).astype(np.float32), (tint_d * keep_oi).astype(np.float32),
                         w_o.astype(np.float32), ink_d.astype(np.float32)])
    colors = np.asarray([pal.paper, pal.mountain_tint, (168, 124, 80), pal.ink], np.float32)
    col = cv2.transform(weights, np.ascontiguousarray(colors.T))
    blend_rgb(canvas, y0, x0, col, cov.astype(np.float32), cover)


def _mountain_row(canvas: np.ndarray, cover: np.ndarray | None, rng: np.random.Generator, pal: ScrollPalette,
                  x_from: float, x_to: float, base_fn, spacing: tuple[float, float], half_w: tuple[float, float],
                  heights: tuple[float, float], st: _PeakStyle, s: float, fields: tuple[np.ndarray, np.ndarray],
                  trees: bool = False) -> None:
    """A row of overlapping peaks painted back (taller) to front; a slow envelope makes massifs and valleys."""
    peaks = []
    x = x_from + rng.uniform(0, spacing[0])
    phase, period = rng.uniform(0, 2 * math.pi), rng.uniform(1800, 2600) * s
    while x < x_to:
        env = 0.55 + 0.45 * (0.5 + 0.5 * math.sin(x / period * 2 * math.pi + phase)) + rng.uniform(-0.1, 0.1)
        hw = rng.uniform(*half_w) * s * (0.8 + 0.3 * env)
        peaks.append((x, hw, rng.uniform(*heights) * s * env, rng.uniform(-20, 25) * s))
        x += rng.uniform(*spacing) * s * (1.4 - 0.5 * env)
    peaks.sort(key=lambda q: -q[2])
    for cx, hw, hgt, db in peaks:
        _paint_peak(canvas, cover, rng, pal, cx, base_fn(cx) + db, hw, hgt, st, s, fields, trees)


def _mist(canvas: np.ndarray, rng: np.random.Generator, color: Sequence[float], y_fn, x_from: float,
          x_to: float, thick: float, strength: float, s: float) -> None:
    """Horizontal bands of cloud that veil whatever is below them."""
    x = x_from + rng.uniform(-200, 100) * s
    while x < x_to:
        length = rng.uniform(500, 1300) * s
        cy = y_fn(x + length / 2) + rng.uniform(-20, 20) * s
        th = thick * rng.uniform(0.6, 1.3)
        bw, bh = int(length), int(th * 3)
        if bw > 16 and bh > 8:
            yy = (np.arange(bh, dtype=np.float32)[:, None] - bh / 2) / (th / 2)
            xx = (np.arange(bw, dtype=np.float32)[None, :] - bw / 2) / (bw / 2)
            edge = math.exp(-(1.5**2) * 1.6)  # value at the box edge: subtract it so nothing shows a seam
            body = np.clip((np.exp(-(yy**2) * 1.6) - edge) / (1.0 - edge), 0, 1) * (1.0 - np.abs(xx) ** 3)
            n = value_noise(rng, bh, bw, 70 * s, 3, stretch=(0.5, 3.0))
            a = np.clip(body * (0.35 + 0.9 * n), 0, 1) * strength
            blend(canvas, int(cy - bh / 2), int(x), color, a.astype(np.float32))
        x += length * rng.uniform(0.55, 1.1)


# -- paper, mounting, seals ----------------------------------------------------------------------
def _paper_texture(rng: np.random.Generator, h: int, w: int, s: float) -> np.ndarray:
    """Multiplicative paper/silk factor around 1.0: fibres, blotchy aging."""
    hh, hw = max(8, h // 2), max(8, w // 2)
    fibre = value_noise(rng, hh, hw, 5 * s, 2, stretch=(0.35, 6.0))
    grain = rng.random((hh, hw), dtype=np.float32)
    blot = value_noise(rng, hh // 8 + 2, hw // 8 + 2, 40 * s, 4)
    blot = cv2.resize(blot, (hw, hh), interpolation=cv2.INTER_CUBIC)
    f = 1.0 + 0.035 * (fibre - 0.5) + 0.02 * (grain - 0.5) - 0.04 * smoothstep(0.55, 1.0, blot)
    return cv2.resize(f.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)


def _vignette_y(h: int, top: int, bottom: int) -> np.ndarray:
    y = np.arange(h, dtype=np.float32)
    d = np.minimum(y - top, bottom - y) / max(1.0, (bottom - top) / 2)
    return (1.0 - 0.07 * (1.0 - smoothstep(0.0, 0.5, np.clip(d, 0, 1))))[:, None]


def _brocade(h: int, w: int, x_off: int, pal: ScrollPalette, s: float) -> np.ndarray:
    """Brocade (锦) strip: dark blue-green ground with a gilt lozenge-and-cloud lattice."""
    ground = np.asarray(mix(mix(pal.mountain_tint, pal.ink, 0.6), (60, 40, 90), 0.15), np.float32)
    gilt = np.asarray(GILT, np.float32)
    yy = np.arange(h, dtype=np.float32)[:, None]
    xx = np.arange(x_off, x_off + w, dtype=np.float32)[None, :]
    p = 26.0 * s
    u, v = (xx % p) / p - 0.5, (yy % p) / p - 0.5
    diamond = np.abs(np.abs(u) + np.abs(v) - 0.42) < 0.035
    dot = (u * u + v * v) < 0.012
    u2, v2 = ((xx + p / 2) % p) / p - 0.5, ((yy + p / 2) % p) / p - 0.5
    ring = np.abs(np.sqrt(u2 * u2 + v2 * v2) - 0.14) < 0.03
    pat = (diamond | dot | ring).astype(np.float32) * 0.55
    pat = cv2.GaussianBlur(pat, (0, 0), 0.6)
    out = ground[None, None, :] + (gilt - ground)[None, None, :] * pat[..., None]
    sheen = 1.0 + 0.1 * np.sin(yy / max(h, 1) * math.pi)[..., None]
    return out * sheen


def _seal(rng: np.random.Generator, size: int, glyphs: list[np.ndarray], style: str, s: float) -> np.ndarray:
    """Seal impression opacity (size, size): ``white`` = 白文 (carved text), ``red`` = 朱文 (raised)."""
    m = np.zeros((size, size), np.float32)
    ink = np.zeros((size, size), np.uint8)
    margin = size * 0.13
    span = size - 2 * margin
    n = len(glyphs)
    if n == 1:
        cells = [(0.0, 0.0, 1.0, 1.0)]
    elif n == 2:  # two tall characters, read right to left
        cells = [(0.5, 0.0, 0.5, 1.0), (0.0, 0.0, 0.5, 1.0)]
    else:  # 2x2: right column top-to-bottom, then the left column
        cells = [(0.5, 0.0, 0.5, 0.5), (0.5, 0.5, 0.5, 0.5), (0.0, 0.0, 0.5, 0.5), (0.0, 0.5, 0.5, 0.5)]
    for i, (cx, cy, cw, chh) in enumerate(cells):
        gx, gy = int(margin + cx * span), int(margin + cy * span)
        gw, gh = max(2, int(cw * span * 0.94)), max(2, int(chh * span * 0.94))
        if i < n:
            g = cv2.resize(glyphs[i], (gw, gh), interpolation=cv2.INTER_AREA)
        else:  # procedural seal-script-like strokes on a grid
            g = np.zeros((gh, gw), np.uint8)
            k = 4
            t = max(1, round(min(gw, gh) / 10))
            pts = [(int((a + 0.5) * gw / k), int((b + 0.5) * gh / k)) for a in range(k) for b in range(k)]
            for _ in range(8):
                a, b = pts[rng.integers(len(pts))], pts[rng.integers(len(pts))]
                b = (b[0], a[1]) if rng.random() < 0.55 else (a[0], b[1])
                cv2.line(g, a, b, 255, t, cv2.LINE_AA)
        ink[gy:gy + gh, gx:gx + gw] = np.maximum(ink[gy:gy + gh, gx:gx + gw], g)
    glyph = ink.astype(np.float32) / 255.0
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    edge = np.minimum(np.minimum(xx, yy), np.minimum(size - 1 - xx, size - 1 - yy))
    rough = value_noise(rng, size, size, max(3.0, size / 10), 3)
    if style == "white":
        m = (edge > 1.5 + 2.5 * rough).astype(np.float32) * (1.0 - glyph)
    else:
        frame = ((edge > 1 + rough * 1.5) & (edge < size * 0.075 + rough * 2)).astype(np.float32)
        m = np.maximum(frame, glyph)
    m *= 0.78 + 0.22 * rough
    m *= rng.random((size, size)) > 0.04  # paste speckle
    return cv2.GaussianBlur(m, (0, 0), 0.6)


def _render_glyphs(font_path: str | None, text: str, px: int) -> list[np.ndarray]:
    """Alpha masks (uint8) of each character, or [] without a usable font."""
    if not font_path or not text:
        return []
    try:
        if not pygame.font.get_init():
            pygame.font.init()
        font = pygame.font.Font(font_path, px)
    except (OSError, pygame.error):
        return []
    out = []
    for ch in text:
        if ch.isspace() or ch in "·•":
            continue
        surf = font.render(ch, True, (255, 255, 255))
        a = pygame.surfarray.array_alpha(surf).T.copy()
        hh, ww = a.shape
        side = max(hh, ww)
        sq = np.zeros((side, side), np.uint8)
        sq[(side - hh) // 2:(side - hh) // 2 + hh, (side - ww) // 2:(side - ww) // 2 + ww] = a
        out.append(sq)
    return out


def _stamp_seal(canvas: np.ndarray, rng: np.random.Generator, x: float, y: float, size: int, pal: ScrollPalette,
                glyphs: list[np.ndarray], style: str, s: float) -> None:
    m = _seal(rng, size, glyphs, style, s)
    ang = rng.uniform(-2.5, 2.5)
    rot = cv2.getRotationMatrix2D((size / 2, size / 2), ang, 1.0)
    m = cv2.warpAffine(m, rot, (size, size))
    blend(canvas, int(y), int(x), mix(pal.accent, (120, 20, 20), 0.1), m * 0.92)


def _roller(canvas: np.ndarray, x0: int, w: int, pal: ScrollPalette) -> None:
    """Wooden roller (轴/天杆) with cylindrical shading."""
    t = (np.arange(w, dtype=np.float32) + 0.5) / w
    shade = 0.45 + 0.75 * np.sin(t * math.pi) ** 0.7 + 0.35 * np.exp(-(((t - 0.35) / 0.08) ** 2))
    wood = np.asarray(mix((92, 46, 30), pal.ink, 0.25), np.float32)
    canvas[:, x0:x0 + w] = np.clip(wood[None, None, :] * shade[None, :, None], 0, 255)


def _vertical_text(canvas: np.ndarray, glyphs: list[np.ndarray], cx: float, y0: float, step: float,
                   color: Sequence[float], alpha: float = 0.95) -> float:
    y = y0
    for g in glyphs:
        sz = g.shape[0]
        blend(canvas, int(y), int(cx - sz / 2), color, g.astype(np.float32) / 255.0 * alpha)
        y += step
    return y


# -- layers ---------------------------------------------------------------------------------------
def _surface(data: np.ndarray) -> pygame.Surface:
    """Plain Surface (RGB, or SRCALPHA for 4 channels) copied from a contiguous uint8 (h, w, c) array."""
    h, w, n = data.shape
    return pygame.image.frombuffer(np.ascontiguousarray(data), (w, h), "RGBA" if n == 4 else "RGB").copy()


def _to_surface(rgb: np.ndarray) -> pygame.Surface:
    return _surface(np.clip(rgb, 0, 255, out=rgb).astype(np.uint8))


def _scale_rows(c: np.ndarray, f: np.ndarray, chunk: int = 96) -> None:
    """``c *= f`` for an (h, w, 3) canvas and an (h, w) factor, in row chunks (small temporaries)."""
    for y in range(0, c.shape[0], chunk):
        fy = f[y:y + chunk]
        cv2.multiply(c[y:y + chunk], cv2.merge([fy, fy, fy]), dst=c[y:y + chunk])


def _rock(c: np.ndarray, a: np.ndarray, rng: np.random.Generator, pal: ScrollPalette, x: float, ground: float,
          rw: float, rh: float, s: float) -> None:
    """Foreground boulder: graded wash, axe-cut texture strokes (斧劈皴), broken contour."""
    t = np.linspace(0, math.pi, 11)
    pts = [(x + math.cos(tt) * rw * rng.uniform(0.85, 1.05), ground - math.sin(tt) ** 0.7 * rh * rng.uniform(0.75, 1.1))
           for tt in t][::-1]
    outline = [(x - rw, ground + 4), *pts, (x + rw, ground + 4)]
    bx0, by0 = int(x - rw * 1.2), int(ground - rh * 1.3)
    bw, bh = int(rw * 2.4), int(rh * 1.3 + 8)
    body = Mask(bx0, by0, bw, bh).poly(outline)
    cov = cv2.GaussianBlur(body.a.astype(np.float32) / 255.0, (0, 0), 0.8 * s)
    yy = np.arange(bh, dtype=np.float32)[:, None]
    xx = np.arange(bw, dtype=np.float32)[None, :]
    light = np.clip((xx / bw) * 0.6 + (1 - yy / bh) * 0.5, 0, 1)
    n = value_noise(rng, bh, bw, 25 * s, 3, stretch=(1.5, 0.7))
    dens = 0.12 + 0.35 * light * (0.6 + 0.4 * n)
    col = np.empty((bh, bw, 3), np.float32)
    col[:] = np.asarray(mix(pal.paper, pal.mountain_tint, 0.35), np.float32)
    col += (np.asarray(pal.ink, np.float32) - col) * dens[..., None]
    strokes = Mask(bx0, by0, bw, bh)
    for _ in range(int(rw / (9 * s))):
        sx = x + rng.uniform(-0.8, 0.8) * rw
        sy = ground - rng.uniform(0.1, 0.8) * rh
        ln = rng.uniform(14, 34) * s
        strokes.line([(sx, sy), (sx + ln * 0.45, sy + ln)], rng.uniform(1.5, 3.5) * s, value=int(rng.uniform(110, 230)))
    strokes.line(pts[: len(pts) // 2 + 2], 3.2 * s)
    strokes.line(pts[len(pts) // 2:], 2.0 * s)
    sm = strokes.a.astype(np.float32)[..., None] / 255.0 * 0.85
    col += (np.asarray(pal.ink, np.float32) - col) * sm
    blend_rgb(c, by0, bx0, col, np.maximum(cov, sm[..., 0]), a)


def _pine(c: np.ndarray, a: np.ndarray, rng: np.random.Generator, pal: ScrollPalette, px: float, py: float,
          ht: float, lean: float, s: float) -> None:
    """Leaning pine: knotty trunk, side branches and fan-shaped needle clusters (松针)."""
    x0, y0 = int(px - abs(lean) - 140 * s), int(py - ht - 60 * s)
    bw, bh = int(2 * abs(lean) + 280 * s), int(ht + 80 * s)
    wash, needles, trunk = (Mask(x0, y0, bw, bh) for _ in range(3))
    spine = [(px + lean * (t ** 1.3) + 6 * s * math.sin(t * 5), py - ht * t) for t in np.linspace(0, 1, 9)]
    trunk.line(spine[:5], 7 * s)
    trunk.line(spine[4:], 4 * s)
    tips = [spine[-1]]
    for k in range(3):
        bx, by = spine[3 + 2 * k if 3 + 2 * k < len(spine) else -1]
        d = -1.0 if k % 2 else 1.0
        tip = (bx + d * rng.uniform(50, 90) * s, by - rng.uniform(0, 25) * s)
        trunk.line([(bx, by), ((bx + tip[0]) / 2, by - 8 * s), tip], 2.5 * s)
        tips.append(tip)
    for tx, ty in tips:
        for _ in range(3):
            cx, cy = tx + rng.uniform(-35, 35) * s, ty + rng.uniform(-10, 8) * s
            wash.ellipse(cx, cy, 40 * s, 13 * s)
            r = rng.uniform(20, 28) * s
            for ang in np.linspace(math.pi * 1.08, math.pi * 1.92, 9):
                needles.line([(cx, cy + 4 * s), (cx + math.cos(ang) * r, cy + 4 * s + math.sin(ang) * r * 0.55)],
                             1.1 * s)
    for _ in range(6):  # bark knots
        bx, by = spine[int(rng.integers(1, 5))]
        trunk.ellipse(bx + rng.uniform(-3, 3) * s, by, 3 * s, 1.5 * s)
    wash.apply(c, mix(pal.mountain_tint, pal.paper, 0.2), 0.75, a, blur=2.5 * s)
    trunk.apply(c, pal.ink, 0.92, a)
    needles.apply(c, mix(pal.ink, pal.mountain_tint, 0.2), 0.9, a)


def _far_layer(lay: _Layout, pal: ScrollPalette, seed: int, view_w: int) -> pygame.Surface:
    s = lay.s
    # only rows the main layer can leave uncovered (above its ground line) are ever visible
    solid = _terrain(lay, seed)[0] - VALLEY * s  # main layer is opaque below this line
    w, h = layer_width(lay.w, view_w, FAR_FACTOR), min(lay.h, math.ceil(float(solid.max())) + 2)
    rng = _rng(seed, "far")
    c = np.empty((h, w, 3), np.float32)
    c[:] = np.asarray(pal.paper, np.float32)
    hy0, hy1 = int(lay.h * 0.25), min(h, int(lay.h * 0.75))
    ys = np.arange(hy0, hy1, dtype=np.float32)[:, None]
    haze = np.exp(-(((ys - lay.h * 0.5) / (lay.h * 0.12)) ** 2)) * 0.07
    blend(c, hy0, 0, pal.water, np.broadcast_to(haze, (hy1 - hy0, w)).astype(np.float32))
    # moon (玉兔 lives there) with a soft halo
    mx, my, mr = rng.uniform(0.15, 0.45) * w, lay.h * rng.uniform(0.16, 0.22), 46 * s
    halo = Mask(int(mx - mr * 4), int(my - mr * 4), int(mr * 8), int(mr * 8)).circle(mx, my, mr * 1.6)
    halo.apply(c, mix(pal.paper, (255, 250, 235), 0.5), 0.55, blur=mr)
    Mask(int(mx - mr * 2), int(my - mr * 2), int(mr * 4), int(mr * 4)).circle(mx, my, mr).apply(
        c, mix(pal.paper, (255, 252, 240), 0.7), 0.95, blur=1.2)
    Mask(int(mx - mr * 2), int(my - mr * 2), int(mr * 4), int(mr * 4)).circle(mx, my, mr, width=1.2 * s).apply(
        c, mix(pal.paper, pal.ink, 0.3), 0.5)
    # geese
    for _ in range(max(2, w // 1800)):
        gx, gy = rng.uniform(0.05, 0.95) * w, lay.h * rng.uniform(0.12, 0.3)
        m = Mask(int(gx - 160 * s), int(gy - 60 * s), int(320 * s), int(160 * s))
        for _ in range(rng.integers(3, 7)):
            bx, by = gx + rng.uniform(-120, 120) * s, gy + rng.uniform(-35, 35) * s
            ww = rng.uniform(5, 8) * s
            m.line([(bx - ww, by - ww * 0.4), (bx, by + ww * 0.25), (bx + ww, by - ww * 0.5)], 1.3 * s)
        m.apply(c, pal.ink, 0.6)
    pale = _PeakStyle(ink=0.22, tint=0.32, ochre=0.0, mist=0.25, contour=2.5)
    paler = _PeakStyle(ink=0.14, tint=0.22, ochre=0.0, mist=0.2, contour=2.5)
    base1 = lay.h * 0.6
    off = noise_1d(rng, w, 900 * s, 3)

    def far_base(x: float) -> float:
        return base1 + 40 * s * float(off[int(min(max(x, 0), w - 1))])

    fields = _fields(rng, h, w, s)
    _mountain_row(c, None, rng, pal, -100, w + 100, lambda x: far_base(x) - 40 * s, (160, 320), (150, 320),
                  (220, 400), paler, s, fields)
    _mist(c, rng, pal.paper, lambda x: far_base(x) - 90 * s, -200, w, 70 * s, 0.6, s)
    # (the far layer may be shorter than the painting: base is kept relative to the full height)
    _mountain_row(c, None, rng, pal, -100, w + 100, lambda x: far_base(x) + 10 * s, (300, 520), (180, 360),
                  (120, 230), pale, s, fields)
    # dissolve into plain paper where the main layer takes over, so the hand-over shows no seam
    y0 = max(0, int(solid.min() - 90 * s))
    ramp = smoothstep(float(solid.min() - 90 * s), float(solid.min() - 5 * s), np.arange(y0, h, dtype=np.float32))
    blend(c, y0, 0, pal.paper, np.broadcast_to(ramp[:, None], (h - y0, w)).astype(np.float32))
    _scale_rows(c, _paper_texture(rng, h, w, s) * _vignette_y(lay.h, lay.top, lay.bottom)[:h])
    return _to_surface(c)


def _near_layer(lay: _Layout, pal: ScrollPalette, seed: int, view_w: int) -> pygame.Surface:
    s = lay.s
    w, h = layer_width(lay.w, view_w, NEAR_FACTOR), lay.h
    rng = _rng(seed, "near")
    a = np.zeros((h, w), np.float32)  # coverage; the mist below is painted straight into it
    # wisps of high mist (kept thin: they pass in front of everything)
    lo, hi = lay.left * NEAR_FACTOR, w - (lay.w - lay.right) * NEAR_FACTOR
    _mist(a[..., None], rng, (1.0,), lambda x: h * rng.uniform(0.3, 0.42), lo, hi, 45 * s, 0.42, s)
    # rocks and pines only live in a band above the bottom edge: paint colour there only
    band0 = max(0, int(lay.bottom - 460 * s))
    c = np.empty((h - band0, w, 3), np.float32)
    c[:] = np.asarray(pal.paper, np.float32)
    ab = a[band0:]
    # foreground rocks with leaning pines, at the bottom edge
    x = lo + rng.uniform(200, 700) * s
    ground = lay.bottom + 2
    while x < hi - 200 * s:
        rw, rh = rng.uniform(110, 200) * s, rng.uniform(60, 120) * s
        _rock(c, ab, rng, pal, x, ground - band0, rw, rh, s)
        if rng.random() < 0.75:
            lean = float(rng.choice([-1.0, 1.0])) * rng.uniform(50, 120) * s
            _pine(c, ab, rng, pal, x + rng.uniform(-0.3, 0.3) * rw, ground - band0 - rh * 0.75,
                  rng.uniform(170, 250) * s, lean, s)
        x += rng.uniform(1000, 1800) * s
    a[lay.bottom + round(4 * s):, :] = 0.0
    a[:lay.band, :] = 0.0
    data = np.empty((h, w, 4), np.uint8)
    data[..., :3] = np.asarray(mix(pal.paper, (255, 255, 255), 0.35), np.uint8)
    data[band0:, :, :3] = np.clip(c, 0, 255, out=c)
    del c
    np.multiply(a, 255.0, out=a)
    data[..., 3] = np.clip(a, 0, 255, out=a)
    return _surface(data)


def _terrain(lay: _Layout, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ground line ``g`` (foot of the hills, where landmarks stand) and the river's banks ``r0``/``r1``."""
    rng = _rng(seed, "terrain")
    s, w, h = lay.s, lay.w, lay.h
    g = (h * 0.655 + 26 * s * noise_1d(rng, w, 700 * s, 3)).astype(np.float32)
    r0 = g + (46 + 14 * noise_1d(rng, w, 500 * s, 3)) * s
    r1 = np.minimum(r0 + (110 + 40 * noise_1d(rng, w, 800 * s, 3)) * s, lay.bottom - 70 * s)
    return g, r0, r1


def _icon_size(lay: _Layout, px: int) -> int:
    return int(min(px * 0.62, lay.h * 0.25))


def _anchor_xs(lay: _Layout, spots: Sequence[LandmarkSpot], px: int) -> dict[str, int]:
    """Where each landmark stands along the scroll (its ``x`` in 0..1 across the painting area)."""
    inner = lay.right - lay.left
    pad = min(px / 2, inner / 4)
    return {sp.id: int(lay.left + pad + min(max(sp.x, 0.0), 1.0) * (inner - 2 * pad)) for sp in spots}


def _main_layer(lay: _Layout, spots: list[LandmarkSpot], pal: ScrollPalette, seed: int, px: int,
                title: str, seal_text: str, font_path: str | None, icons: Mapping[str, Future[np.ndarray]]
                ) -> tuple[pygame.Surface, dict[str, tuple[int, int]], dict[str, int]]:
    s, w, h = lay.s, lay.w, lay.h
    rng = _rng(seed, "main")
    c = np.empty((h, w, 3), np.float32)
    c[:] = np.asarray(pal.paper, np.float32)
    cover = np.zeros((h, w), np.float32)
    L, R = lay.left, lay.right
    inner = R - L
    g, r0, r1 = _terrain(lay, seed)
    ys = np.arange(h, dtype=np.float32)[:, None]
    cover[:] = (ys >= g[None, :] - VALLEY * s).astype(np.float32)  # valleys: main paper, no holes

    def gy(x: float) -> float:
        return float(g[int(min(max(x, 0), w - 1))])

    order = sorted(spots, key=lambda sp: min(max(sp.x, 0.0), 1.0))
    anchors = {ident: (ax, int(gy(ax) + 14 * s)) for ident, ax in _anchor_xs(lay, order, px).items()}
    # mountains: tall back row, mist, lower front hills with trees
    fields = _fields(rng, h, w, s)
    back = _PeakStyle(ink=0.55, tint=0.55, ochre=0.15, mist=0.45, contour=2.2)
    front = _PeakStyle(ink=0.85, tint=0.5, ochre=0.35, mist=0.55, contour=2.0)
    _mountain_row(c, cover, rng, pal, L - 40 * s, R + 40 * s, lambda x: gy(x) - 80 * s, (170, 300), (150, 300),
                  (260, 470), back, s, fields, trees=True)
    _mist(c, rng, pal.paper, lambda x: gy(x) - 120 * s, L - 200 * s, R, 60 * s, 0.85, s)
    _mountain_row(c, cover, rng, pal, L - 40 * s, R + 40 * s, lambda x: gy(x) + 4 * s, (200, 380), (120, 260),
                  (110, 220), front, s, fields, trees=True)
    # terrace wash, river, near bank (only over the rows they can touch)
    yb0 = int(max(0, g.min() - 4 * s))
    # the three zones are disjoint, so one blend with a per-zone colour does it (smooth: half resolution)
    yv = ys[yb0::2]
    g2, r02, r12 = g[None, ::2], r0[None, ::2], r1[None, ::2]
    land = smoothstep(0, 1, np.clip((yv - g2) / (r02 - g2), 0, 1))
    depth = np.clip(np.minimum(yv - r02, r12 - yv) / (30 * s), 0, 1)
    bank = smoothstep(0, 1, (yv - r12) / (90 * s))
    zone = (yv >= r02).astype(np.uint8) + (yv >= r12).astype(np.uint8)
    amt = np.choose(zone, [np.where(yv >= g2 - 2 * s, 0.12 * (1 - land) + 0.06, 0.0),
                           0.42 - 0.22 * depth, 0.1 + 0.08 * bank]).astype(np.float32)
    zone_rgb = np.asarray([mix(pal.mountain_tint, (168, 124, 80), 0.5), pal.water,
                           mix(pal.mountain_tint, (168, 124, 80), 0.6)], np.float32)
    tgt = zone_rgb[zone] * amt[..., None]  # premultiplied
    size_full = (w, h - yb0)
    amt = cv2.resize(amt, size_full, interpolation=cv2.INTER_LINEAR)
    tgt = cv2.resize(tgt, size_full, interpolation=cv2.INTER_LINEAR)
    region = c[yb0:]
    for y in range(0, region.shape[0], 96):
        a3 = cv2.merge([1.0 - amt[y:y + 96]] * 3)
        cv2.multiply(region[y:y + 96], a3, dst=region[y:y + 96])
        region[y:y + 96] += tgt[y:y + 96]
    del land, depth, bank, zone, amt, tgt, region
    # tributary (second river) joining at a dock if there is one
    docks = [anchors[sp.id][0] for sp in order if sp.icon == "gate_dock"]
    if docks:
        xc = float(docks[0])
    else:  # the middle of the widest stretch without landmarks
        edges = [float(L), *(float(p[0]) for p in anchors.values()), float(R)]
        gap = max(range(len(edges) - 1), key=lambda i: edges[i + 1] - edges[i])
        xc = (edges[gap] + edges[gap + 1]) / 2
    side = 1.0 if rng.random() < 0.5 else -1.0
    reach = 480 * s
    trib = Mask(int(xc - reach - 60 * s), int(gy(xc) - 160 * s), int(2 * reach + 120 * s), int(320 * s))
    t = np.linspace(0, 1, 24)
    # the mouth starts inside the main river so its blunt end is hidden in the water
    path = [(xc + side * (reach * tt - 40 * s), gy(xc) + 80 * s * (1 - tt) - 60 * s * tt + 8 * s * math.sin(tt * 6))
            for tt in t]
    half = [(4 + 56 * (1 - tt) ** 1.6) * s for tt in t]
    poly = [(x, y - hw * 0.5) for (x, y), hw in zip(path, half, strict=True)]
    poly += [(x, y + hw * 0.5) for (x, y), hw in reversed(list(zip(path, half, strict=True)))]
    trib.poly(poly)
    xs_t = np.arange(trib.a.shape[1], dtype=np.float32) + trib.x0
    along = side * (xs_t - xc)
    fade_t = np.clip((along + 40 * s) / (90 * s), 0.0, 1.0) * np.clip(1.0 - along / reach, 0.0, 1.0) ** 0.8
    trib.a = (trib.a * fade_t[None, :]).astype(np.uint8)
    trib.apply(c, pal.water, 0.5, blur=2 * s)
    banks = Mask(trib.x0, trib.y0, trib.a.shape[1], trib.a.shape[0])
    for k in range(3, 16):
        v = int(255 * (1 - k / 16))
        banks.line(poly[k:k + 2], 1.4 * s, value=v)
        banks.line(poly[len(poly) - 2 - k:len(poly) - k], 1.4 * s, value=v)
    banks.apply(c, pal.ink, 0.55)
    # river banks and ripples
    # all plain-ink marks of the river (banks, boats, reeds) share one mask; value encodes opacity
    top_b = max(0, yb0 - int(120 * s))
    inkm = Mask(0, top_b, w, h - top_b)
    for arr in (r0, r1):
        xs = np.arange(L - 20, R + 20, 6)
        pts = list(zip(xs.tolist(), (arr[xs] + rng.normal(0, 0.8, len(xs)) * s).tolist(), strict=True))
        k = 0
        while k < len(pts) - 1:
            n = int(rng.integers(8, 30))
            seg = pts[k:k + n]
            if len(seg) > 1:
                inkm.line(seg, rng.uniform(1.0, 2.2) * s, value=int(rng.uniform(110, 186)))
            k += n + int(rng.integers(1, 6))
        for _ in range(int((R - L) / (60 * s))):
            xi = int(rng.uniform(L, R))
            inkm.ellipse(xi, float(arr[xi]) + rng.uniform(-3, 3) * s, rng.uniform(2, 5) * s, rng.uniform(1, 2) * s,
                         value=186)
    rip = Mask(0, yb0, w, h - yb0)
    for _ in range(int(inner / (9 * s))):
        x = rng.uniform(L, R)
        xi = int(x)
        top, bot = r0[xi] + 8 * s, r1[xi] - 6 * s
        if bot <= top:
            continue
        y = rng.uniform(top, bot)
        ln = rng.uniform(18, 46) * s
        amp = rng.uniform(1.5, 3.0) * s
        pts = [(x + ln * k / 6, y + amp * math.sin(k / 6 * math.pi * 2)) for k in range(7)]
        rip.line(pts, 1.0 * s, value=int(rng.uniform(120, 255)))
    rip.apply(c, mix(pal.ink, pal.water, 0.35), 0.55)
    # boats
    boats = inkm
    sails = Mask(0, top_b, w, h - top_b)
    for _ in range(max(3, int(inner / (700 * s)))):
        x = rng.uniform(L + 100 * s, R - 100 * s)
        y = float(r0[int(x)] + (r1[int(x)] - r0[int(x)]) * rng.uniform(0.35, 0.75))
        bl = rng.uniform(28, 48) * s
        d = rng.choice([-1.0, 1.0])
        boats.poly([(x - bl, y - 4 * s), (x + bl, y - 6 * s), (x + bl * 0.7, y + 3 * s), (x - bl * 0.7, y + 3 * s)])
        boats.line([(x - bl * 0.3, y - 5 * s), (x - bl * 0.25, y - 12 * s), (x + bl * 0.2, y - 12 * s),
                    (x + bl * 0.25, y - 6 * s)], 1.5 * s)
        if rng.random() < 0.6:
            mx = x + d * bl * 0.1
            boats.line([(mx, y - 5 * s), (mx, y - bl * 1.6)], 1.4 * s)
            sails.poly([(mx, y - bl * 1.55), (mx + d * bl * 0.8, y - bl * 0.5), (mx, y - 12 * s)])
            boats.line([(mx, y - bl * 1.55), (mx + d * bl * 0.8, y - bl * 0.5), (mx, y - 12 * s)], 1.0 * s)
        for k in range(3):  # wake
            boats.line([(x - d * bl * (1.1 + 0.4 * k), y + 2 * s + k * 2 * s),
                        (x - d * bl * (1.5 + 0.5 * k), y + 2 * s + k * 2 * s)], 0.8 * s, 140)
    sails.apply(c, mix(pal.paper, pal.ink, 0.18), 1.0)
    # small buildings and groves between landmarks, then the landmarks
    size = _icon_size(lay, px)
    xs_anchor = [a[0] for a in anchors.values()]
    stamps: list[tuple[float, str, int, float]] = []
    x = L + rng.uniform(40, 120) * s
    while x < R - 60 * s:
        near = min((abs(x - ax) for ax in xs_anchor), default=1e9)
        if near > size * 0.55:
            kind = str(rng.choice(["grove", "grove", "pine", "old_town", "pavilion"]))
            stamps.append((x, kind, int(size * 0.42), gy(x) + rng.uniform(6, 22) * s))
        x += rng.uniform(90, 170) * s
    x = L + rng.uniform(100, 400) * s
    while x < R - 100 * s:  # willows, groves and cottages along the near bank
        kind = str(rng.choice(["grove", "grove", "pine", "old_town"]))
        yb = float(r1[int(x)]) + rng.uniform(45, 80) * s
        stamps.append((x, kind, int(size * 0.34), yb))
        x += rng.uniform(260, 600) * s
    reeds = inkm
    for _ in range(int(inner / (25 * s))):
        x = rng.uniform(L, R)
        yb = float(r1[int(x)]) + rng.uniform(-2, 4) * s
        for _k in range(int(rng.integers(2, 5))):
            dx, ln = rng.uniform(-6, 6) * s, rng.uniform(8, 22) * s
            reeds.line([(x + dx, yb), (x + dx * 1.6 + rng.uniform(-3, 3) * s, yb - ln)], 1.0 * s, value=209)
    inkm.apply(c, pal.ink, 0.85)
    cache: dict[tuple[str, int], np.ndarray] = {}
    for x, kind, sz, yb in stamps:
        if (kind, sz) not in cache:
            cache[kind, sz] = icon_rgba(kind, sz, pal, seed)
        img = cache[kind, sz][:, ::-1] if rng.random() < 0.5 else cache[kind, sz]
        _place_icon(c, cover, img, x, yb, 0.85)
    tops: dict[str, int] = {}
    for sp in order:
        ax, ay = anchors[sp.id]
        halo = Mask(int(ax - size), int(ay - size * 1.3), int(size * 2), int(size * 1.8))
        halo.ellipse(ax, ay - size * 0.45, size * 0.48, size * 0.42)
        halo.apply(c, pal.paper, 0.55, cover, blur=size * 0.12)
        img = icons[sp.icon].result()
        _place_icon(c, cover, img, ax, ay, 1.0)
        inked = np.flatnonzero(img[..., 3].max(axis=1) > 40)  # the icon's first visible row (roof, spire)
        tops[sp.id] = int(ay - img.shape[0] * 0.96) + (int(inked[0]) if inked.size else 0)
    # paper: the side panels are left blank, then everything gets the fibre texture
    c[:, :L - 1] = np.asarray(pal.paper, np.float32)
    c[:, R + 1:] = np.asarray(pal.paper, np.float32)
    _scale_rows(c, _paper_texture(_rng(seed, "paper"), h, w, s) * _vignette_y(h, lay.top, lay.bottom))
    _mount(c, cover, lay, pal, seed, title, seal_text, font_path)
    # opaque + colour key: soft edges are already blended over paper, and keyed blits are cheap
    data = np.empty((h, w, 3), np.uint8)
    np.clip(c, 0, 255, out=c)
    data[:] = c
    del c
    key = np.asarray(COLORKEY, np.uint8)
    np.copyto(data[..., 1], np.uint8(1), where=(data[..., 1] == 0) & (data[..., 0] == 255) & (data[..., 2] == 255))
    np.copyto(data, key, where=(cover < 0.5)[..., None])
    surf = _surface(data)
    surf.set_colorkey(COLORKEY)
    return surf, anchors, tops


def _place_icon(c: np.ndarray, cover: np.ndarray, rgba: np.ndarray, x: float, ground_y: float, op: float) -> None:
    sz = rgba.shape[0]
    a = rgba[..., 3].astype(np.float32) / 255.0 * op
    blend_rgb(c, int(ground_y - sz * 0.96), int(x - sz / 2), rgba[..., :3].astype(np.float32), a, cover)


def _mount(c: np.ndarray, cover: np.ndarray, lay: _Layout, pal: ScrollPalette, seed: int, title: str,
           seal_text: str, font_path: str | None) -> None:
    """Brocade bands, silk panels, rollers, title strip (引首) and seals."""
    s, w, h = lay.s, lay.w, lay.h
    rng = _rng(seed, "mount")
    L, R = lay.left, lay.right
    silk = mix(pal.water, pal.paper, 0.55)
    # side panels: left = colophon (拖尾) paper, right = title panel (引首) on flecked paper
    ro, br = lay.roller, lay.brocade
    lsilk0, lsilk1 = ro + br, ro + br + round(40 * s)
    rsilk0, rsilk1 = R + round(14 * s), R + round(54 * s)
    rpanel0, rpanel1 = rsilk1, w - ro - br - round(40 * s)
    silk_col = np.asarray(silk, np.float32)[None, None, :] * _vignette_y(h, lay.top, lay.bottom)[..., None]
    c[:, lsilk0:lsilk1] = silk_col
    c[:, rsilk0:rsilk1] = silk_col
    c[:, rpanel1:w - ro - br] = silk_col
    panel = c[:, rpanel0:rpanel1]
    panel[:] = panel * 0.97 + np.asarray(mix(pal.paper, (250, 236, 200), 0.5), np.float32) * 0.03
    fl = rng.random(panel.shape[:2], dtype=np.float32)
    flecks = cv2.dilate((fl > 0.9985).astype(np.uint8), np.ones((2, 2), np.uint8)).astype(np.float32) * 0.7
    blend(c, 0, rpanel0, GILT, flecks)
    for x0, x1 in ((0, ro + br), (w - ro - br, w)):
        c[:, x0:x1] = _brocade(h, x1 - x0, x0, pal, s)
    c[:lay.band] = _brocade(lay.band, w, 0, pal, s)
    c[h - lay.band:] = _brocade(lay.band, w, 0, pal, s)
    gl = np.asarray(GILT, np.float32)
    for y in (lay.band, h - lay.band - 1):
        c[y - 1:y + 1, ro:w - ro] = gl
    for x in (L, R, lsilk0, lsilk1, rsilk0, rsilk1, ro + br, w - ro - br):
        c[lay.band:h - lay.band, x - 1:x + 1] = gl * 0.8 if x not in (L, R) else np.asarray(mix(pal.ink, pal.paper, 0.3))
    _roller(c, 0, ro, pal)
    _roller(c, w - ro, ro, pal)
    cover[:, :L] = 1.0
    cover[:, R:] = 1.0
    cover[:lay.band + 2] = 1.0
    cover[h - lay.band - 2:] = 1.0
    # title, vertical, centred on the title panel
    cx = (rpanel0 + rpanel1) / 2
    n_chars = sum(1 for ch in title if not (ch.isspace() or ch in "·•"))
    big = int(min(110 * s, (lay.bottom - lay.top - 300 * s) / max(1, n_chars) / 1.12))
    glyphs = _render_glyphs(font_path, title, big)
    y = lay.top + 90 * s
    if glyphs:
        label = Mask(int(cx - big * 0.9), int(y - 40 * s), int(big * 1.8), int(len(glyphs) * big * 1.12 + 80 * s))
        label.a[:] = 255
        label.apply(c, mix(pal.paper, (255, 255, 255), 0.25), 0.5)
        y = _vertical_text(c, glyphs, cx, y, big * 1.12, pal.ink)
    else:
        box = Mask(int(cx - 80 * s), int(y - 20 * s), int(160 * s), int(600 * s))
        box.line([(cx - 60 * s, y), (cx + 60 * s, y), (cx + 60 * s, y + 540 * s), (cx - 60 * s, y + 540 * s)],
                 2 * s, closed=True)
        box.apply(c, pal.ink, 0.6)
        y += 560 * s
    seal_glyphs = _render_glyphs(font_path, seal_text or "", int(120 * s))
    sz = int(96 * s)
    _stamp_seal(c, rng, cx - sz / 2, min(y + 20 * s, lay.bottom - sz - 30 * s), sz, pal, seal_glyphs, "white", s)
    _stamp_seal(c, rng, cx + big * 0.9, lay.top + 60 * s, int(54 * s), pal, [], "red", s)
    # artist's and collectors' seals at the painting ends
    _stamp_seal(c, rng, L + 40 * s, lay.bottom - 190 * s, int(70 * s), pal, seal_glyphs, "white", s)
    _stamp_seal(c, rng, L + 40 * s, lay.bottom - 100 * s, int(62 * s), pal, [], "red", s)
    _stamp_seal(c, rng, R - 110 * s, lay.top + 40 * s, int(66 * s), pal, [], "white", s)
    for k in range(3):
        _stamp_seal(c, rng, lsilk1 + (40 + 70 * (k % 2)) * s, lay.top + (120 + 230 * k) * s, int((58 + 10 * k) * s),
                    pal, [], "red" if k % 2 else "white", s)


# -- public ---------------------------------------------------------------------------------------
def paint_scroll(spots: Sequence[LandmarkSpot], palette: ScrollPalette, *, height: int = 1080,
                 px_per_landmark: int = 420, seed: int = 0, title: str = "", seal_text: str = "",
                 font_path: str | None = None, view_width: int = 1920) -> ScrollArt:
    """Paint the whole handscroll once: far (0.5), main (1.0) and near (1.2) layers plus anchors.

    Safe off the main thread (no display calls, no ``convert``; initialises ``pygame.font`` only when
    ``font_path`` is given). Deterministic per ``seed``. Without a font the title column is an empty
    label and seals use procedural seal-script strokes.
    """
    height = max(200, int(height))
    px = max(40, int(px_per_landmark))
    lay = _layout(len(spots), height, px, view_width)
    # numpy/OpenCV release the GIL, so the far and near layers are painted alongside the main one
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="scroll-paint") as pool:
        size = _icon_size(lay, px)
        icons = {k: pool.submit(icon_rgba, k, size, palette, seed) for k in dict.fromkeys(sp.icon for sp in spots)}
        far_job = pool.submit(_far_layer, lay, palette, seed, view_width)
        near_job = pool.submit(_near_layer, lay, palette, seed, view_width)
        main, anchors, tops = _main_layer(lay, list(spots), palette, seed, px, title, seal_text, font_path, icons)
        far, near = far_job.result(), near_job.result()
    return ScrollArt(layers=[(far, FAR_FACTOR), (main, 1.0), (near, NEAR_FACTOR)], width=lay.w, height=lay.h,
                     anchors=anchors, tops=tops)


def plain_scroll(spots: Sequence[LandmarkSpot], palette: ScrollPalette, *, height: int = 1080,
                 px_per_landmark: int = 420, view_width: int = 1920) -> ScrollArt:
    """A plain scroll, for when ``paint_scroll`` fails: the same length and landmark anchors, drawn in
    a few flat strokes (paper, mounting bands, a ground line, a river wash) with pygame alone, in
    milliseconds. The map draws its pins and name tags over it, so every landmark can still be found
    and opened. Safe off the main thread (no display calls)."""
    height = max(200, int(height))
    px = max(40, int(px_per_landmark))
    lay = _layout(len(spots), height, px, view_width)
    s = lay.s
    ground = round(lay.h * 0.655)
    main = pygame.Surface((lay.w, lay.h))
    main.fill(palette.paper)
    band = tuple(round(c) for c in mix(mix(palette.mountain_tint, palette.ink, 0.6), (60, 40, 90), 0.15))
    main.fill(band, (0, 0, lay.w, lay.band))
    main.fill(band, (0, lay.h - lay.band, lay.w, lay.band))
    for x0 in (0, lay.w - lay.roller - lay.brocade):  # brocade and roller at both ends
        main.fill(band, (x0, 0, lay.roller + lay.brocade, lay.h))
    wood = tuple(round(c) for c in mix((92, 46, 30), palette.ink, 0.25))
    main.fill(wood, (0, 0, lay.roller, lay.h))
    main.fill(wood, (lay.w - lay.roller, 0, lay.roller, lay.h))
    water = tuple(round(c) for c in mix(palette.water, palette.paper, 0.55))
    main.fill(water, (lay.left, ground + round(60 * s), lay.right - lay.left, round(110 * s)))
    ink = tuple(round(c) for c in mix(palette.ink, palette.paper, 0.25))
    pygame.draw.line(main, ink, (lay.left, ground), (lay.right, ground), max(2, round(3 * s)))
    anchors = {ident: (ax, ground + round(14 * s)) for ident, ax in _anchor_xs(lay, spots, px).items()}
    # the far layer is never seen above the opaque main layer; the near layer holds nothing
    far = pygame.Surface((layer_width(lay.w, view_width, FAR_FACTOR), 1))
    far.fill(palette.paper)
    near = pygame.Surface((layer_width(lay.w, view_width, NEAR_FACTOR), 1), pygame.SRCALPHA)
    near.fill((0, 0, 0, 0))
    return ScrollArt(layers=[(far, FAR_FACTOR), (main, 1.0), (near, NEAR_FACTOR)], width=lay.w, height=lay.h,
                     anchors=anchors)


class LayerBlitter:
    """Draws the three layers for a camera position, touching as few pixels as it can.

    A pan redraws the whole view every frame and the blits are memory-bound, so what counts is how
    many pixels are read and written. Rows above ``top`` (under an opaque HUD) are never drawn; the
    far layer is only the sky band the main layer leaves open; the main layer is one colour-keyed RLE
    surface; the near layer (per-pixel alpha, RLE, ~7% of it painted) is cut into ``chunk``-px columns,
    each cropped to what is painted in it, and empty columns dropped: a third of the area to blend.
    Measured and dropped: splitting the main layer into a keyed top and a plain opaque bottom, and
    drawing the far layer in columns only down to where each column of the main layer is solid; both
    copy the same bytes at the same speed, plus per-blit overhead. Call after ``display.set_mode``:
    the surfaces are converted to the display format.
    """

    def __init__(self, art: ScrollArt, chunk: int = 256) -> None:
        (far, self.far_f), (main, _), (near, self.near_f) = art.layers
        self.far = far.convert()
        self.main = main.convert()
        self.main_w, self.h = main.get_size()
        key = main.get_colorkey()
        if key is not None:
            self.main.set_colorkey(key[:3], pygame.RLEACCEL)
        self.near_w = near.get_width()
        self.near: list[tuple[int, int, pygame.Surface]] = []  # (x, y, cropped piece), left to right
        for x in range(0, self.near_w, chunk):
            column = near.subsurface((x, 0, min(chunk, self.near_w - x), near.get_height()))
            box = column.get_bounding_rect()
            if box.width and box.height:
                piece = column.subsurface(box).convert_alpha()
                piece.set_alpha(255, pygame.RLEACCEL)
                self.near.append((x + box.x, box.y, piece))
        screen = pygame.display.get_surface()
        if screen is not None:  # the first blit builds the RLE data: do it now, not mid-pan
            for surf in (self.main, *(piece for _, _, piece in self.near)):
                screen.blit(surf, (0, 0), pygame.Rect(0, 0, 1, 1))

    def draw(self, screen: pygame.Surface, cam_x: float, top: int = 0) -> None:
        """Draw the view whose left edge is ``cam_x`` on the main layer; rows above ``top`` are left alone."""
        view_w, view_h = screen.get_size()
        view_h = min(view_h, self.h)
        mx = round(min(max(cam_x, 0.0), max(self.main_w - view_w, 0)))
        fx = round(min(max(cam_x * self.far_f, 0.0), max(self.far.get_width() - view_w, 0)))
        blit, rect = screen.blit, pygame.Rect
        sky = min(self.far.get_height(), view_h) - top
        if sky > 0:
            blit(self.far, (0, top), rect(fx, top, view_w, sky))
        blit(self.main, (0, top), rect(mx, top, view_w, view_h - top))
        nx = round(min(max(cam_x * self.near_f, 0.0), max(self.near_w - view_w, 0)))
        for x, y, piece in self.near:
            w, h = piece.get_size()
            if x + w <= nx or x >= nx + view_w:
                continue
            y0 = max(y, top)  # the piece's rows under the HUD are cut off
            if y + h > y0:
                blit(piece, (x - nx, y0), rect(0, y0 - y, w, y + h - y0))


def prepare_layers(art: ScrollArt, rle: bool = True) -> list[tuple[pygame.Surface, float]]:
    """Display-format copies of the layers (call after ``display.set_mode``).

    The far layer is opaque, the main layer opaque with a colour key, the near layer per-pixel alpha.
    With ``rle`` the keyed/alpha layers get RLE acceleration (skips transparent runs: much cheaper blits).
    """
    out = []
    screen = pygame.display.get_surface()
    for surf, f in art.layers:
        if surf.get_flags() & pygame.SRCALPHA:
            conv = surf.convert_alpha()
            if rle:
                conv.set_alpha(255, pygame.RLEACCEL)
        else:
            conv = surf.convert()
            key = surf.get_colorkey()
            if key is not None:
                conv.set_colorkey(key[:3], pygame.RLEACCEL if rle else 0)
        if rle and screen is not None:  # the first blit builds the RLE data: do it now, not mid-pan
            screen.blit(conv, (0, 0), pygame.Rect(0, 0, 1, 1))
        out.append((conv, f))
    return out
